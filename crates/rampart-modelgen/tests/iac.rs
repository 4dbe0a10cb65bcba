//! The generated infrastructure as code must have exactly the size asked
//! for, be deterministic, import without errors and give models that
//! validate against the shipped knowledge base.

use rampart_iac::{IacFormat, IacImport, SourceFile};
use rampart_model::{Severity, validate};

fn assert_valid(imported: &IacImport) {
    let kb = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let errors: Vec<String> = validate(&imported.model, &kb.vocabulary())
        .into_iter()
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
        .map(|diagnostic| diagnostic.message)
        .collect();
    assert!(
        errors.is_empty(),
        "{} validation errors, first ones: {:#?}",
        errors.len(),
        &errors[..errors.len().min(10)]
    );
}

#[test]
fn terraform_plans_have_exactly_n_resources_and_import() {
    let text = rampart_modelgen::terraform_plan(400, 3);
    assert_eq!(text, rampart_modelgen::terraform_plan(400, 3), "same size and seed, same plan");
    let json: serde_json::Value = serde_json::from_str(&text).expect("the plan is JSON");
    let root = &json["planned_values"]["root_module"];
    let in_root = root["resources"].as_array().map_or(0, Vec::len);
    let in_modules: usize = root["child_modules"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|module| module["resources"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(in_root + in_modules, 400);
    assert!(in_modules > 0 && in_root > 0, "apps both flat in the root module and in module calls");
    assert!(text.trim_start().starts_with("{\n  \"format_version\""), "keys in Terraform's order");

    let imported = IacFormat::Terraform
        .import("plan", &[SourceFile::new("plan.json", text)])
        .unwrap_or_else(|errors| panic!("the plan does not import: {errors:?}"));
    let kinds: Vec<&str> = imported.model.components.iter().map(|c| c.kind.value.as_str()).collect();
    for kind in ["aws-elb", "aws-ec2", "aws-rds", "aws-s3", "aws-lambda", "aws-sqs", "aws-dynamodb", "aws-kms"] {
        assert!(kinds.contains(&kind), "no {kind} component in {kinds:?}");
    }
    assert!(imported.model.flows.iter().any(|flow| flow.from.value == "internet"), "load balancers face the internet");
    let lambda_to_table = imported
        .model
        .flows
        .iter()
        .any(|flow| flow.from.value.ends_with("worker-function") && flow.to.value.ends_with("events-table"));
    assert!(lambda_to_table, "environment variables naming tables become flows");
    assert_valid(&imported);
}

#[test]
fn kubernetes_manifests_have_exactly_n_objects_and_import() {
    let files = rampart_modelgen::kubernetes_manifest_files(250, 5);
    let documents: usize = files.iter().map(|(_, text)| text.matches("\napiVersion:").count() + 1).sum();
    assert_eq!(documents, 250);
    let joined = rampart_modelgen::kubernetes_manifests(250, 5);
    assert_eq!(joined.matches("apiVersion:").count(), 250);

    let sources: Vec<SourceFile> = files.into_iter().map(|(name, text)| SourceFile::new(name, text)).collect();
    let imported = IacFormat::Kubernetes
        .import("cluster", &sources)
        .unwrap_or_else(|errors| panic!("the manifests do not import: {errors:?}"));
    assert!(imported.model.boundaries.iter().any(|b| b.id.value == "ns-team-0"));
    assert!(imported.model.components.iter().any(|c| c.id.value == "orders"));
    assert!(
        imported.model.flows.iter().any(|flow| flow.to.value.ends_with("-db") && flow.protocol.value == "sql"),
        "DATABASE_URL variables become SQL flows"
    );
    assert_valid(&imported);
}
