//! The Terraform importer on small configurations and on the shipped
//! examples: evaluation, positions, and what is inferred from them.

use std::path::Path;

use rampart_model::{Authentication, Component, Exposure, Flow, Model, SourceRef};

use super::import;
use crate::SourceFile;

fn example(relative: &str) -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac/terraform").join(relative);
    super::read_dir(&root).expect("the example is readable")
}

fn shop() -> Model {
    import("aws-shop", &example("aws-shop")).expect("the example imports").model
}

fn component<'m>(model: &'m Model, id: &str) -> &'m Component {
    model.components.iter().find(|c| c.id.value == id).unwrap_or_else(|| panic!("no component {id}"))
}

fn flow<'m>(model: &'m Model, from: &str, to: &str) -> &'m Flow {
    model
        .flows
        .iter()
        .find(|f| f.from.value == from && f.to.value == to)
        .unwrap_or_else(|| panic!("no flow {from} -> {to}"))
}

fn controls(component: &Component) -> Vec<&str> {
    component.controls.iter().map(|c| c.value.as_str()).collect()
}

fn one(path: &str, text: &str) -> Model {
    import("test", &[SourceFile::new(path, text)]).expect("imports").model
}

#[test]
fn count_expands_a_module_subnet_list_into_one_boundary_per_tier() {
    let model = shop();
    let ids: Vec<&str> = model.boundaries.iter().map(|b| b.id.value.as_str()).collect();
    assert_eq!(ids, ["aws-account", "network-main-vpc", "network-private-subnet", "network-public-subnet"]);
    let public = model.boundaries.iter().find(|b| b.id.value == "network-public-subnet").unwrap();
    assert!(public.description.as_deref().unwrap().starts_with("Public subnet"), "{public:?}");
    assert!(public.description.as_deref().unwrap().contains("2 instances"));
    assert_eq!(public.source.as_ref().and_then(|s| s.resource.as_deref()), Some("module.network.aws_subnet.public"));
    let private = model.boundaries.iter().find(|b| b.id.value == "network-private-subnet").unwrap();
    assert!(private.description.as_deref().unwrap().starts_with("Private subnet"));
    assert_eq!(
        component(&model, "api-service").boundary.as_ref().map(|b| b.value.as_str()),
        Some("network-private-subnet")
    );
    assert_eq!(component(&model, "web-lb").boundary.as_ref().map(|b| b.value.as_str()), Some("network-public-subnet"));
}

#[test]
fn the_load_balancer_is_exposed_and_forwards_https_to_the_service() {
    let model = shop();
    let lb = component(&model, "web-lb");
    assert_eq!(lb.exposure, Exposure::Internet);
    assert!(controls(lb).contains(&"web-application-firewall"));
    assert!(controls(lb).contains(&"tls-configuration-hardening"));
    let inbound = flow(&model, "internet", "web-lb");
    assert_eq!(inbound.protocol.value, "https");
    // The HTTP listener only redirects: no plain-HTTP flow.
    assert!(!model.flows.iter().any(|f| f.to.value == "web-lb" && f.protocol.value == "http"));
    let forward = flow(&model, "web-lb", "api-service");
    assert_eq!(forward.protocol.value, "https");
    assert_eq!(forward.encrypted, Some(true));
    assert_eq!(forward.source.as_ref().and_then(|s| s.resource.as_deref()), Some("aws_lb_target_group.api"));
}

#[test]
fn databases_show_their_encryption_and_source_lines() {
    let model = shop();
    let orders = component(&model, "orders-db");
    assert_eq!(
        orders.source,
        Some(SourceRef { file: "data.tf".into(), line: Some(11), resource: Some("aws_db_instance.orders".into()) })
    );
    assert!(controls(orders).contains(&"encryption-at-rest"));
    assert!(controls(orders).contains(&"customer-managed-keys"));
    let reports = component(&model, "reports-db");
    assert!(!controls(reports).contains(&"encryption-at-rest"), "{reports:?}");
    assert!(reports.description.as_deref().unwrap().contains("not encrypted"));
    assert_eq!(reports.kind.value, "aws-rds");
    // The connection string asks for TLS and names the database by reference.
    let database = flow(&model, "api-service", "orders-db");
    assert_eq!((database.protocol.value.as_str(), database.encrypted), ("sql", Some(true)));
    assert_eq!(database.authentication, Authentication::Password);
    assert_eq!(database.source.as_ref().and_then(|s| s.line), Some(21));
}

#[test]
fn buckets_queues_functions_and_iam_are_read() {
    let model = shop();
    let uploads = component(&model, "uploads-bucket");
    assert_eq!(uploads.exposure, Exposure::Internet);
    assert!(!controls(uploads).contains(&"block-public-storage-access"));
    let invoices = component(&model, "invoices-bucket");
    assert_eq!(invoices.exposure, Exposure::Internal);
    assert!(controls(invoices).contains(&"block-public-storage-access"));
    let consumer = flow(&model, "orders-queue", "fulfilment-function");
    assert_eq!((consumer.protocol.value.as_str(), consumer.authentication), ("https", Authentication::CloudIam));
    let fulfilment = component(&model, "fulfilment-function");
    assert!(fulfilment.tags.iter().any(|t| t == "cloud-admin"));
    assert!(!controls(fulfilment).contains(&"least-privilege-iam"));
    assert!(controls(component(&model, "api-service")).contains(&"least-privilege-iam"));
    let secret = flow(&model, "api-service", "db-password-secret");
    assert_eq!(secret.data.iter().map(|d| d.value.as_str()).collect::<Vec<_>>(), ["db-password-secret-value"]);
    assert_eq!(model.controls.iter().map(|c| c.value.as_str()).collect::<Vec<_>>(), ["cloud-audit-logging"]);
    let bastion = component(&model, "bastion-vm");
    assert_eq!(bastion.exposure, Exposure::Internet);
    assert!(bastion.capabilities.iter().any(|c| c.value == "remote-administration"));
    assert_eq!(flow(&model, "internet", "bastion-vm").protocol.value, "ssh");
}

#[test]
fn count_and_for_each_give_keyed_ids_and_addresses() {
    let text = r#"
variable "queues" {
  default = { orders = 60, refunds = 30 }
}
resource "aws_instance" "web" {
  count         = 2
  instance_type = "t3.micro"
}
resource "aws_sqs_queue" "work" {
  for_each                   = var.queues
  name                       = each.key
  visibility_timeout_seconds = each.value
}
resource "aws_s3_bucket" "logs" {
  for_each = toset(["eu", "us"])
  bucket   = "logs-${each.key}"
}
"#;
    let model = one("main.tf", text);
    let ids: Vec<&str> = model.components.iter().map(|c| c.id.value.as_str()).collect();
    assert_eq!(
        ids,
        ["logs-bucket-eu", "logs-bucket-us", "web-vm-0", "web-vm-1", "work-queue-orders", "work-queue-refunds"]
    );
    let refunds = component(&model, "work-queue-refunds");
    assert_eq!(refunds.source.as_ref().and_then(|s| s.resource.as_deref()), Some("aws_sqs_queue.work[\"refunds\"]"));
    assert_eq!(refunds.name.as_deref(), Some("refunds"));
    assert_eq!(component(&model, "logs-bucket-us").name.as_deref(), Some("logs-us"));
}

#[test]
fn unknown_counts_give_one_instance_and_a_warning() {
    let text = "variable \"n\" {}\nresource \"aws_instance\" \"web\" {\n  count = var.n\n}\n";
    let imported = import("test", &[SourceFile::new("main.tf", text)]).unwrap();
    assert_eq!(imported.model.components.len(), 1);
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        ["main.tf:3:1: warning: `count` of aws_instance.web is not known statically; one instance is modelled"]
    );
}

#[test]
fn tfvars_override_defaults_and_locals_and_dynamic_blocks_are_evaluated() {
    let main = r#"
variable "open_ports" {
  default = [443]
}
locals {
  ports = concat(var.open_ports, [8443])
}
resource "aws_security_group" "web" {
  dynamic "ingress" {
    for_each = local.ports
    content {
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}
resource "aws_instance" "web" {
  associate_public_ip_address = true
  vpc_security_group_ids      = [aws_security_group.web.id]
}
"#;
    let files = [SourceFile::new("main.tf", main), SourceFile::new("terraform.tfvars", "open_ports = [22]\n")];
    let model = import("test", &files).unwrap().model;
    let protocols: Vec<&str> =
        model.flows.iter().filter(|f| f.from.value == "internet").map(|f| f.protocol.value.as_str()).collect();
    assert_eq!(protocols, ["https", "ssh"]);
}

#[test]
fn registry_modules_and_unknown_types_are_warned_about() {
    let text = "module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\nresource \"aws_glue_job\" \"etl\" {\n}\nresource \"random_id\" \"x\" {\n}\n";
    let imported = import("test", &[SourceFile::new("main.tf", text)]).unwrap();
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(warnings[0].starts_with("main.tf:2:1: warning: module `vpc` comes from `terraform-aws-modules/vpc/aws`"));
    assert_eq!(
        warnings[1],
        "main.tf:4:1: warning: resource type `aws_glue_job` is not modelled (1 resource: aws_glue_job.etl)"
    );
}

#[test]
fn malformed_hcl_fails_with_its_position() {
    let errors = import("test", &[SourceFile::new("main.tf", "resource \"aws_vpc\" \"main\" {\n  cidr_block = \n}\n")])
        .unwrap_err();
    assert_eq!(errors.len(), 1);
    let shown = errors[0].to_string();
    assert!(shown.starts_with("main.tf:2:16: error: invalid HCL: invalid expression; expected"), "{shown}");
    assert!(shown.contains("expected"), "{shown}");
}

#[test]
fn plans_resolve_references_through_module_outputs() {
    let imported = import("plan", &example("plan.json")).unwrap();
    let model = imported.model;
    let web = component(&model, "web-vm");
    assert_eq!(web.boundary.as_ref().map(|b| b.value.as_str()), Some("network-public-subnet"));
    assert_eq!(web.exposure, Exposure::Internet);
    assert_eq!(web.source.as_ref().and_then(|s| s.line), Some(8));
    assert!(web.tags.iter().any(|t| t == "overbroad-iam"), "{web:?}");
    let db = component(&model, "blog-db");
    assert_eq!(db.exposure, Exposure::Internet);
    assert!(!controls(db).contains(&"encryption-at-rest"));
    assert_eq!(component(&model, "media-bucket").exposure, Exposure::Internet);
    let malformed = import(
        "plan",
        &[SourceFile::new(
            "plan.json",
            "{\"format_version\": \"1.2\", \"terraform_version\": \"1.9\",\n \"planned_values\": [}",
        )],
    );
    let shown = malformed.unwrap_err()[0].to_string();
    assert!(shown.starts_with("plan.json:2:21: error: invalid JSON"), "{shown}");
}
