resource "aws_sqs_queue" "orders" {
  name                       = "${local.name}-orders"
  visibility_timeout_seconds = 60
}

resource "aws_lambda_function" "fulfilment" {
  function_name = "${local.name}-fulfilment"
  role          = aws_iam_role.fulfilment.arn
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "build/fulfilment.zip"

  environment {
    variables = {
      INVOICES_BUCKET = aws_s3_bucket.invoices.bucket
      REPORTS_DB_HOST = aws_db_instance.reports.address
      REPORTS_DB_PASSWORD = "change-me-please"
    }
  }

  vpc_config {
    subnet_ids         = module.network.private_subnet_ids
    security_group_ids = [aws_security_group.app.id]
  }
}

resource "aws_lambda_event_source_mapping" "orders" {
  event_source_arn = aws_sqs_queue.orders.arn
  function_name    = aws_lambda_function.fulfilment.arn
  batch_size       = 10
}

resource "aws_iam_role" "fulfilment" {
  name = "${local.name}-fulfilment"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

# Written "to make it work" during an incident and never narrowed.
resource "aws_iam_policy" "fulfilment" {
  name = "${local.name}-fulfilment"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy_attachment" "fulfilment" {
  role       = aws_iam_role.fulfilment.name
  policy_arn = aws_iam_policy.fulfilment.arn
}

resource "aws_cloudtrail" "main" {
  name                          = local.name
  s3_bucket_name                = "acme-audit-logs"
  is_multi_region_trail         = true
  include_global_service_events = true
}
