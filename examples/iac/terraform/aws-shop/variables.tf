variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type = string
}

variable "availability_zones" {
  type    = list(string)
  default = ["eu-west-1a"]
}

variable "vpc_cidr" {
  type    = string
  default = "10.20.0.0/16"
}

variable "app_image" {
  type    = string
  default = "ghcr.io/acme/shop-api:2.4.1"
}

variable "certificate_arn" {
  type    = string
  default = "arn:aws:acm:eu-west-1:111122223333:certificate/0f6c2d1e-example"
}
