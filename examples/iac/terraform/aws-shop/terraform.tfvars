environment        = "prod"
availability_zones = ["eu-west-1a", "eu-west-1b"]
