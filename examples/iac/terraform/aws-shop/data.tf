resource "aws_kms_key" "data" {
  description         = "Keys for the shop's data at rest"
  enable_key_rotation = true
}

resource "aws_db_subnet_group" "main" {
  name       = "${local.name}-db"
  subnet_ids = module.network.private_subnet_ids
}

resource "aws_db_instance" "orders" {
  identifier             = "${local.name}-orders"
  engine                 = "postgres"
  engine_version         = "16.2"
  instance_class         = "db.t4g.medium"
  allocated_storage      = 50
  username               = "shop"
  manage_master_user_password = true
  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.db.id]
  storage_encrypted      = true
  kms_key_id             = aws_kms_key.data.arn
  backup_retention_period = 7

  tags = {
    DataClassification = "confidential"
    DataCategory       = "pii,business"
  }
}

resource "aws_db_instance" "reports" {
  identifier             = "${local.name}-reports"
  engine                 = "postgres"
  engine_version         = "16.2"
  instance_class         = "db.t4g.small"
  allocated_storage      = 20
  username               = "reports"
  password               = "change-me-please"
  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.db.id]

  tags = {
    DataClassification = "confidential"
    DataCategory       = "business"
  }
}

resource "aws_s3_bucket" "uploads" {
  bucket = "${local.name}-uploads"

  tags = {
    DataClassification = "internal"
  }
}

resource "aws_s3_bucket_policy" "uploads" {
  bucket = aws_s3_bucket.uploads.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PublicRead"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.uploads.arn}/*"
    }]
  })
}

resource "aws_s3_bucket" "invoices" {
  bucket = "${local.name}-invoices"

  tags = {
    DataClassification = "confidential"
    DataCategory       = "pii"
  }
}

resource "aws_s3_bucket_public_access_block" "invoices" {
  bucket                  = aws_s3_bucket.invoices.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "invoices" {
  bucket = aws_s3_bucket.invoices.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}

resource "aws_secretsmanager_secret" "db_password" {
  name       = "${local.name}/orders-db-password"
  kms_key_id = aws_kms_key.data.arn
}
