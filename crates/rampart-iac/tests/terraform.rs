//! The Terraform examples in `examples/iac/terraform/`: each imports into a
//! model the shipped knowledge base accepts, the AWS estate is pinned by a
//! snapshot, and the analysis finds what each configuration gets wrong.

use std::path::Path;

use rampart_iac::{IacFormat, IacImport, SourceFile, import_terraform};

fn example(relative: &str) -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac/terraform").join(relative);
    IacFormat::Terraform.read_dir(&root).expect("the example is readable")
}

fn kb() -> rampart_kb::KnowledgeBase {
    rampart_kb::compile(&rampart_kb::builtin_sources()).expect("the shipped library compiles")
}

fn threat_ids(imported: &IacImport, kb: &rampart_kb::KnowledgeBase) -> Vec<String> {
    let analysis = rampart_engine::analyze(&imported.model, kb, &rampart_engine::Options::default());
    analysis.threats.iter().map(|threat| threat.id.clone()).collect()
}

fn assert_threats(imported: &IacImport, expected: &[&str]) {
    let threats = threat_ids(imported, &kb());
    for id in expected {
        assert!(threats.contains(&id.to_string()), "{id} missing from {threats:#?}");
    }
}

#[test]
fn aws_shop_model_is_pinned() {
    let imported = import_terraform("aws-shop", &example("aws-shop")).unwrap();
    insta::assert_snapshot!("terraform_aws_shop", imported.to_yaml().unwrap());
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    insta::assert_debug_snapshot!("terraform_aws_shop_warnings", warnings);
}

#[test]
fn every_terraform_example_validates_cleanly() {
    let kb = kb();
    for relative in ["aws-shop", "azure", "gcp", "plan.json"] {
        let imported = import_terraform(relative, &example(relative)).unwrap();
        let problems: Vec<String> =
            rampart_model::validate(&imported.model, &kb.vocabulary()).iter().map(ToString::to_string).collect();
        assert!(problems.is_empty(), "{relative}: {problems:#?}");
        assert!(imported.model.components.iter().all(|c| c.source.is_some() || c.kind.value != "aws-rds"));
    }
}

#[test]
fn file_order_does_not_change_the_model() {
    let files = example("aws-shop");
    let mut reversed = files.clone();
    reversed.reverse();
    assert_eq!(import_terraform("shop", &files).unwrap(), import_terraform("shop", &reversed).unwrap());
}

#[test]
fn aws_shop_threats_point_at_what_the_configuration_gets_wrong() {
    let imported = import_terraform("aws-shop", &example("aws-shop")).unwrap();
    assert_threats(
        &imported,
        &[
            "cloud-storage-unencrypted@reports-db",
            "public-object-storage@uploads-bucket",
            "over-privileged-cloud-identity@fulfilment-function",
            "exposed-management-interface@bastion-vm",
            "serverless-event-injection@fulfilment-function",
        ],
    );
}

#[test]
fn plan_azure_and_gcp_threats_point_at_what_they_get_wrong() {
    assert_threats(
        &import_terraform("plan", &example("plan.json")).unwrap(),
        &[
            "database-exposed-to-untrusted@blog-db",
            "cloud-storage-unencrypted@blog-db",
            "public-object-storage@media-bucket",
        ],
    );
    assert_threats(
        &import_terraform("azure", &example("azure")).unwrap(),
        &[
            "database-exposed-to-untrusted@bookings-db",
            "public-object-storage@documents-storage",
            "exposed-management-interface@main-aks",
        ],
    );
    assert_threats(
        &import_terraform("gcp", &example("gcp")).unwrap(),
        &[
            "gcp-unauthenticated-invocation@signup-run",
            "public-object-storage@exports-bucket",
            "database-exposed-to-untrusted@main-sql",
            "exposed-management-interface@admin-vm",
        ],
    );
}
