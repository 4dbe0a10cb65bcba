//! The CloudFormation importer on small templates and on the shipped
//! examples: intrinsics, conditions, positions, and what is inferred.

use std::path::Path;

use rampart_model::{Authentication, Component, Exposure, Flow, Model};

use super::import;
use crate::SourceFile;

fn example(name: &str) -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac/cloudformation").join(name);
    super::read_dir(&root).expect("the example is readable")
}

fn shop() -> Model {
    import("shop", &example("shop.yaml")).expect("the example imports").model
}

fn component<'m>(model: &'m Model, id: &str) -> &'m Component {
    model.components.iter().find(|c| c.id.value == id).unwrap_or_else(|| panic!("no component {id}"))
}

fn flow<'m>(model: &'m Model, from: &str, to: &str) -> &'m Flow {
    model
        .flows
        .iter()
        .find(|f| f.from.value == from && f.to.value == to)
        .unwrap_or_else(|| panic!("no flow {from} -> {to} in {:#?}", model.flows))
}

fn controls(component: &Component) -> Vec<&str> {
    component.controls.iter().map(|c| c.value.as_str()).collect()
}

fn one(path: &str, text: &str) -> crate::IacImport {
    import("test", &[SourceFile::new(path, text)]).expect("imports")
}

fn line_of(text: &str, needle: &str) -> u32 {
    text.lines().position(|line| line.starts_with(needle)).map(|i| i as u32 + 1).expect("the line exists")
}

#[test]
fn the_public_subnet_is_told_from_its_route_to_the_internet_gateway() {
    let model = shop();
    let public = model.boundaries.iter().find(|b| b.id.value == "public-subnet-a").expect("public subnet");
    assert!(public.description.as_deref().unwrap().starts_with("Public subnet"), "{public:?}");
    assert_eq!(public.parent.as_ref().map(|p| p.value.as_str()), Some("vpc"));
    let private = model.boundaries.iter().find(|b| b.id.value == "private-subnet-a").expect("private subnet");
    assert!(private.description.as_deref().unwrap().starts_with("Private subnet"), "{private:?}");
    assert_eq!(component(&model, "web-lb").boundary.as_ref().map(|b| b.value.as_str()), Some("public-subnet-a"));
    assert_eq!(component(&model, "api-service").boundary.as_ref().map(|b| b.value.as_str()), Some("private-subnet-a"));
}

#[test]
fn the_internet_facing_load_balancer_forwards_https_to_the_service() {
    let model = shop();
    let balancer = component(&model, "web-lb");
    assert_eq!(balancer.kind.value, "aws-elb");
    assert_eq!(balancer.exposure, Exposure::Internet);
    assert!(controls(balancer).contains(&"tls-configuration-hardening"), "{balancer:?}");
    assert!(controls(balancer).contains(&"web-application-firewall"), "the production condition holds");
    let inbound = flow(&model, "internet", "web-lb");
    assert_eq!(inbound.protocol.value, "https");
    let forward = flow(&model, "web-lb", "api-service");
    assert_eq!(forward.protocol.value, "https");
    assert_eq!(forward.encrypted, Some(true));
}

#[test]
fn the_database_lacks_encryption_at_rest_and_points_at_its_logical_id() {
    let text = &example("shop.yaml")[0].text;
    let model = shop();
    let database = component(&model, "orders-db");
    assert_eq!(database.kind.value, "aws-rds");
    assert!(!controls(database).contains(&"encryption-at-rest"), "{database:?}");
    assert!(controls(database).contains(&"data-backups"));
    let source = database.source.as_ref().expect("a source");
    assert_eq!(source.file, "shop.yaml");
    assert_eq!(source.resource.as_deref(), Some("OrdersDatabase"));
    assert_eq!(source.line, Some(line_of(text, "  OrdersDatabase:")));
    assert_eq!(
        component(&model, "api-service").technology.as_deref(),
        Some("Amazon ECS (123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop-api:1.4.2)")
    );
}

#[test]
fn sub_strings_keep_their_references_to_resources() {
    let model = shop();
    let database = flow(&model, "api-service", "orders-db");
    assert_eq!(database.protocol.value, "sql");
    assert_eq!(database.encrypted, Some(true), "sslmode=require in the !Sub URL");
    assert_eq!(flow(&model, "order-queue", "order-worker-function").authentication, Authentication::CloudIam);
    flow(&model, "order-worker-function", "orders-db");
    flow(&model, "api-service", "db-secret");
}

#[test]
fn resources_whose_condition_is_false_are_skipped() {
    let model = shop();
    assert!(
        model
            .components
            .iter()
            .all(|c| c.source.as_ref().and_then(|s| s.resource.as_deref()) != Some("StagingDatabaseReplica"))
    );
    let staging = "Parameters:\n  Env:\n    Type: String\n    Default: staging\nConditions:\n  Prod: !Equals [!Ref Env, \
                   prod]\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Condition: Prod\n  Other:\n    Type: \
                   AWS::SQS::Queue\n    Condition: NotProd\n";
    let imported = one("t.yaml", &staging.replace("NotProd", "Prod"));
    assert!(imported.model.components.is_empty(), "{:?}", imported.model.components);
    let unknown = one(
        "t.yaml",
        "Conditions:\n  Maybe: !Equals [!Ref AWS::Region, eu-west-1]\nResources:\n  Queue:\n    \
                                Type: AWS::SQS::Queue\n    Condition: Maybe\n",
    );
    assert_eq!(unknown.model.components.len(), 1, "an unknown condition keeps the resource");
}

#[test]
fn the_public_bucket_and_the_wildcard_policy_are_warned_about() {
    let imported = import("shop", &example("shop.yaml")).unwrap();
    let bucket = component(&imported.model, "assets-bucket");
    assert_eq!(bucket.exposure, Exposure::Internet);
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    assert!(warnings.iter().any(|w| w.contains("readable by anyone")), "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.contains("allows every action")), "{warnings:#?}");
    let unknown: Vec<&String> = warnings.iter().filter(|w| w.contains("not modelled")).collect();
    assert_eq!(unknown.len(), 1, "{warnings:#?}");
    assert!(unknown[0].contains("AWS::CodeStarNotifications::NotificationRule"), "{unknown:?}");
}

#[test]
fn json_templates_read_long_form_intrinsics() {
    let model = import("api", &example("api.json")).expect("imports").model;
    let api = component(&model, "notes-api");
    assert_eq!(api.exposure, Exposure::Internet);
    assert_eq!(flow(&model, "internet", "notes-api").authentication, Authentication::None);
    flow(&model, "notes-api", "notes-function");
    flow(&model, "notes-function", "notes-table");
    let table = component(&model, "notes-table");
    assert_eq!(table.name.as_deref(), Some("notes-prod"));
    assert!(controls(table).contains(&"data-backups"), "Fn::If on a known condition");
}

#[test]
fn bad_intrinsics_are_warned_about_at_their_position() {
    let text = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Frobnicate x\n      \
                KmsMasterKeyId: !GetAtt [OnlyOne]\n      DelaySeconds: !Ref Missing\n";
    let imported = one("t.yaml", text);
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    assert!(
        warnings.iter().any(|w| w.starts_with("t.yaml:5:18: warning: unknown intrinsic function `Fn::Frobnicate`")),
        "{warnings:#?}"
    );
    assert!(warnings.iter().any(|w| w.starts_with("t.yaml:6:") && w.contains("Fn::GetAtt")), "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.starts_with("t.yaml:7:") && w.contains("Missing")), "{warnings:#?}");
}

#[test]
fn malformed_templates_fail_with_a_position() {
    for (path, text) in [("t.yaml", "Resources:\n  Queue: [\n"), ("t.json", "{\"Resources\": {\"Q\": }")] {
        let errors = import("t", &[SourceFile::new(path, text)]).unwrap_err();
        assert!(errors.iter().all(|e| e.is_error() && e.diagnostic.at.is_known()), "{errors:?}");
    }
}

#[test]
fn the_same_template_gives_the_same_model() {
    assert_eq!(shop(), shop());
}
