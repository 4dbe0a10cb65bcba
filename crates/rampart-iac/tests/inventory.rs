//! Live AWS inventories: the AWS CLI outputs in `examples/iac/aws-inventory/`
//! and the AWS Config snapshot of the same account in
//! `examples/iac/aws-config/` import into models the knowledge base
//! accepts, with the account's boundaries, exposure, flows and controls;
//! malformed files fail with their position, unknown ones warn, and no
//! truncated input makes the importer panic.

use std::path::Path;

use proptest::prelude::*;
use rampart_iac::{IacFormat, IacImport, SourceFile, detect, import_aws_config, import_aws_inventory};
use rampart_model::{Component, Exposure, Model, Position};

fn example(format: IacFormat, relative: &str) -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac").join(relative);
    format.read_dir(&root).expect("the example is readable")
}

fn cli_files() -> Vec<SourceFile> {
    example(IacFormat::AwsInventory, "aws-inventory")
}

fn config_files() -> Vec<SourceFile> {
    example(IacFormat::AwsConfig, "aws-config")
}

fn cli() -> IacImport {
    import_aws_inventory("tidepool", &cli_files()).expect("the CLI inventory imports")
}

fn config() -> IacImport {
    import_aws_config("tidepool", &config_files()).expect("the Config snapshot imports")
}

fn kb() -> rampart_kb::KnowledgeBase {
    rampart_kb::compile(&rampart_kb::builtin_sources()).expect("the shipped library compiles")
}

fn component<'m>(model: &'m Model, id: &str) -> &'m Component {
    model.components.iter().find(|c| c.id.value == id).unwrap_or_else(|| panic!("no component {id}"))
}

fn controls(component: &Component) -> Vec<&str> {
    component.controls.iter().map(|c| c.value.as_str()).collect()
}

fn has_flow(model: &Model, from: &str, to: &str, protocol: &str) -> bool {
    model.flows.iter().any(|f| f.from.value == from && f.to.value == to && f.protocol.value == protocol)
}

fn messages(imported: &IacImport) -> Vec<String> {
    imported.warnings.iter().map(ToString::to_string).collect()
}

/// What both inputs say about the account, whichever one it came from.
fn assert_account_shape(imported: &IacImport) {
    let model = &imported.model;
    let boundary = |id: &str| model.boundaries.iter().find(|b| b.id.value == id).unwrap_or_else(|| panic!("{id}"));
    assert_eq!(boundary("aws-account").name.as_deref(), Some("AWS account (eu-central-1, account 210987654321)"));
    assert_eq!(boundary("tidepool-vpc").parent.as_ref().map(|p| p.value.as_str()), Some("aws-account"));
    for public in ["tidepool-public-a-subnet", "tidepool-public-b-subnet"] {
        let description = boundary(public).description.clone().unwrap_or_default();
        assert!(description.starts_with("Public subnet"), "{public}: {description}");
    }
    // The private subnets use the VPC's main route table, which routes to the NAT gateway.
    let private = boundary("tidepool-private-a-subnet").description.clone().unwrap_or_default();
    assert!(private.starts_with("Private subnet") && private.contains("nat-0f5b7c9d1e3a2b468"), "{private}");

    let alb = component(model, "tidepool-alb-lb");
    assert_eq!(alb.kind.value, "aws-elb");
    assert_eq!(alb.exposure, Exposure::Internet);
    assert!(controls(alb).contains(&"tls-configuration-hardening"));
    assert!(has_flow(model, "internet", "tidepool-alb-lb", "https"));

    let db = component(model, "tidepool-db");
    assert_eq!(db.kind.value, "aws-rds");
    assert_eq!(db.exposure, Exposure::Internal);
    assert_eq!(db.boundary.as_ref().map(|b| b.value.as_str()), Some("tidepool-private-a-subnet"));
    assert!(controls(db).contains(&"encryption-at-rest") && controls(db).contains(&"customer-managed-keys"));
    assert!(controls(db).contains(&"data-backups"));
    assert!(has_flow(model, "tidepool-web-1-vm", "tidepool-db", "sql"));
    assert!(has_flow(model, "tidepool-invoice-renderer-function", "tidepool-db", "sql"));

    let site = component(model, "tidepool-public-site-bucket");
    assert_eq!(site.exposure, Exposure::Internet);
    assert!(!controls(site).contains(&"block-public-storage-access"), "{:?}", controls(site));
    assert!(has_flow(model, "internet", "tidepool-public-site-bucket", "https"));
    let invoices = component(model, "tidepool-invoices-bucket");
    assert!(controls(invoices).contains(&"block-public-storage-access"));
    assert!(controls(invoices).contains(&"storage-data-access-logging"));
    assert_ne!(invoices.exposure, Exposure::Internet);

    for web in ["tidepool-web-1-vm", "tidepool-web-2-vm"] {
        assert_eq!(component(model, web).kind.value, "aws-ec2");
        assert_ne!(component(model, web).exposure, Exposure::Internet, "{web} is in a private subnet");
    }
    assert!(controls(component(model, "tidepool-web-1-vm")).contains(&"imds-hardening"));
    assert!(!controls(component(model, "tidepool-web-2-vm")).contains(&"imds-hardening"));
    let renderer = component(model, "tidepool-invoice-renderer-function");
    assert_eq!(renderer.kind.value, "aws-lambda");
    assert!(renderer.tags.iter().any(|t| t == "overbroad-iam"), "the renderer's role allows s3:* on *");
    assert!(has_flow(model, "tidepool-web-1-vm", "tidepool-bookings-table", "https"));
    assert!(controls(component(model, "tidepool-bookings-table")).contains(&"data-backups"));
    // The AWS managed key (`aws/rds`) is not one of the account's components.
    assert_eq!(model.components.iter().filter(|c| c.kind.value == "aws-kms").count(), 1);
    assert!(model.controls.iter().any(|c| c.value == "cloud-audit-logging"));
}

#[test]
fn the_cli_inventory_models_the_account() {
    let imported = cli();
    assert_account_shape(&imported);
    let model = &imported.model;
    assert!(has_flow(model, "tidepool-alb-lb", "tidepool-web-1-vm", "http"), "registered targets");
    assert!(has_flow(model, "tidepool-invoice-jobs-queue", "tidepool-invoice-renderer-function", "https"));
    let key = component(model, "tidepool-data-key");
    assert_eq!(key.name.as_deref(), Some("tidepool-data"), "named after its alias");
    assert!(controls(key).contains(&"key-rotation"));
    let db = component(model, "tidepool-db");
    let source = db.source.as_ref().expect("a source");
    assert_eq!(source.file, "rds-describe-db-instances.json");
    assert_eq!(source.line, Some(3));
    assert_eq!(source.resource.as_deref(), Some("arn:aws:rds:eu-central-1:210987654321:db:tidepool-db"));
    let web = component(model, "tidepool-web-2-vm").source.as_ref().expect("a source");
    assert_eq!((web.file.as_str(), web.line), ("ec2-describe-instances.json", Some(57)));
    assert!(model.data.iter().any(|d| d.id.value == "tidepool-invoices-bucket-data"), "from the bucket's tags");
    assert_eq!(imported.summary.files, 37);
}

#[test]
fn the_cli_inventory_warns_about_what_it_could_not_see() {
    let warnings = messages(&cli());
    let denied = warnings.iter().find(|w| w.starts_with("wafv2-list-web-acls.error.txt:1:1: warning:"));
    assert!(denied.is_some_and(|w| w.contains("AccessDeniedException")), "{warnings:#?}");
    // Answers that something is not configured are facts, not failures.
    assert!(!warnings.iter().any(|w| w.contains("NoSuchPublicAccessBlockConfiguration")), "{warnings:#?}");
    assert!(warnings.iter().any(|w| w.starts_with("s3api-get-bucket-policy--tidepool-public-site.json:2:1:")
        && w.contains("readable by anyone")));
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("iam-get-account-authorization-details.json:105:1:") && w.contains("\"s3:*\""))
    );
}

#[test]
fn the_config_snapshot_models_the_same_account() {
    let imported = config();
    assert_account_shape(&imported);
    let model = &imported.model;
    // Config knows no target registrations: the security groups draw the flow.
    assert!(
        has_flow(model, "tidepool-alb-lb", "tidepool-web-1-vm", "tcp")
            || has_flow(model, "tidepool-alb-lb", "tidepool-web-1-vm", "http")
    );
    let key = component(model, "tidepool-data-at-rest-key");
    assert_eq!(key.kind.value, "aws-kms");
    let db = component(model, "tidepool-db").source.as_ref().expect("a source");
    assert_eq!(db.file, "snapshot.json");
    assert!(db.line.is_some_and(|line| line > 1));
    let warnings = messages(&imported);
    assert!(
        warnings.iter().any(|w| w.contains("resource type `AWS::IAM::User` is not modelled (1 item)")),
        "{warnings:#?}"
    );
    assert!(!warnings.iter().any(|w| w.contains("NetworkInterface")), "network interfaces have nothing to model");
}

#[test]
fn both_inventories_describe_the_same_components() {
    let ids = |imported: &IacImport| -> Vec<(String, String)> {
        imported
            .model
            .components
            .iter()
            .filter(|c| c.kind.value != "aws-kms")
            .map(|c| (c.id.value.clone(), c.kind.value.clone()))
            .collect()
    };
    assert_eq!(ids(&cli()), ids(&config()));
}

#[test]
fn both_examples_validate_against_the_knowledge_base() {
    let kb = kb();
    for imported in [cli(), config()] {
        let problems: Vec<String> =
            rampart_model::validate(&imported.model, &kb.vocabulary()).iter().map(ToString::to_string).collect();
        assert!(problems.is_empty(), "{problems:#?}");
    }
}

#[test]
fn the_analysis_finds_what_the_account_gets_wrong() {
    let kb = kb();
    for (imported, expected) in [
        (
            cli(),
            &[
                "over-privileged-cloud-identity@tidepool-invoice-renderer-function",
                "cleartext-traffic-across-boundary@tidepool-alb-lb->tidepool-web-1-vm",
                "public-object-storage@tidepool-invoices-bucket",
            ][..],
        ),
        (
            config(),
            &["over-privileged-cloud-identity@tidepool-invoice-renderer-function", "bulk-pii-exfiltration@tidepool-db"]
                [..],
        ),
    ] {
        let analysis = rampart_engine::analyze(&imported.model, &kb, &rampart_engine::Options::default());
        let threats: Vec<&str> = analysis.threats.iter().map(|t| t.id.as_str()).collect();
        for id in expected {
            assert!(threats.contains(id), "{id} missing from {threats:#?}");
        }
    }
}

#[test]
fn file_order_does_not_change_the_model() {
    let files = cli_files();
    let mut reversed = files.clone();
    reversed.reverse();
    assert_eq!(import_aws_inventory("t", &files).unwrap(), import_aws_inventory("t", &reversed).unwrap());
}

#[test]
fn detection_recognises_both_inputs() {
    for file in cli_files().iter().filter(|f| f.path.ends_with(".json")) {
        assert_eq!(detect(&file.path, &file.text), Some(IacFormat::AwsInventory), "{}", file.path);
    }
    for file in config_files() {
        assert_eq!(detect(&file.path, &file.text), Some(IacFormat::AwsConfig));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac");
    assert!(rampart_iac::is_aws_inventory_dir(&root.join("aws-inventory")));
    assert!(!rampart_iac::is_aws_inventory_dir(&root.join("aws-config")));
}

fn error_of(result: Result<IacImport, Vec<rampart_iac::FileDiagnostic>>) -> rampart_iac::FileDiagnostic {
    let errors = result.expect_err("the import fails");
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors.into_iter().next().unwrap()
}

#[test]
fn a_file_that_is_not_json_fails_with_its_line_and_column() {
    let files =
        [SourceFile::new("ec2-describe-vpcs.json", "{\n    \"Vpcs\": [\n        {\"VpcId\": vpc-1}\n    ]\n}\n")];
    let error = error_of(import_aws_inventory("t", &files));
    assert_eq!(error.file, "ec2-describe-vpcs.json");
    assert_eq!(error.diagnostic.at, Position::new(3, 19), "at the `v` of the unquoted value");
    assert!(error.is_error());
    assert!(error.diagnostic.message.contains("invalid JSON"), "{error}");
    assert!(error.diagnostic.message.contains("expected the unmodified output of `aws ec2 describe-vpcs`"), "{error}");

    let snapshot = [SourceFile::new("snapshot.json", "{\"fileVersion\": \"1.0\",\n \"configurationItems\": [\n")];
    let error = error_of(import_aws_config("t", &snapshot));
    assert_eq!(error.diagnostic.at.line, 3);
    assert!(error.diagnostic.message.contains("AWS Config configuration snapshot"), "{error}");

    let list = [SourceFile::new("ec2-describe-vpcs.json", "[]")];
    assert!(error_of(import_aws_inventory("t", &list)).diagnostic.message.contains("JSON list; expected an object"));
}

#[test]
fn wrong_types_and_missing_ids_are_warnings_at_their_line() {
    let files = [
        SourceFile::new("ec2-describe-vpcs.json", "{\n    \"Vpcs\": {\"VpcId\": \"vpc-1\"}\n}\n"),
        SourceFile::new(
            "ec2-describe-subnets.json",
            concat!(
                "{\n    \"Subnets\": [\n        {\"CidrBlock\": \"10.0.0.0/24\"},\n",
                "        {\"SubnetId\": \"subnet-1\", \"VpcId\": \"vpc-9\"}\n    ]\n}\n"
            ),
        ),
        SourceFile::new("rds-describe-db-instances.json", "{\"Databases\": []}"),
    ];
    let imported = import_aws_inventory("t", &files).unwrap();
    let warnings = messages(&imported);
    let expected = [
        "ec2-describe-vpcs.json:2:1: warning: `Vpcs` is not a list; expected a list of objects with `VpcId`",
        "ec2-describe-subnets.json:3:1: warning: an item of `Subnets` has no `SubnetId`; skipped",
        "rds-describe-db-instances.json:1:1: warning: no `DBInstances` in the output; expected a list of objects with \
         `DBInstanceIdentifier`",
    ];
    for message in expected {
        assert!(warnings.iter().any(|w| w == message), "{message} not in {warnings:#?}");
    }
    // A reference to something the inventory does not hold.
    assert!(
        warnings.iter().any(|w| w.starts_with("ec2-describe-subnets.json:4:1:") && w.contains("`vpc-9`")),
        "{warnings:#?}"
    );
    assert_eq!(imported.model.boundaries.iter().filter(|b| b.kind.as_deref() == Some("subnet")).count(), 1);
}

#[test]
fn unknown_files_and_unknown_config_types_are_warnings() {
    let files = [
        SourceFile::new("ec2-describe-volumes.json", "{\"Volumes\": []}"),
        SourceFile::new("notes.md", "collected on Monday"),
        SourceFile::new("kms-get-key-rotation-status--missing-key.json", "{\"KeyRotationEnabled\": true}"),
    ];
    let warnings = messages(&import_aws_inventory("t", &files).unwrap());
    assert!(warnings.iter().any(|w| w.starts_with(
        "ec2-describe-volumes.json:1:1: warning: `ec2-describe-volumes.json` is not the output of an AWS CLI call"
    )));
    assert!(warnings.iter().any(|w| w.starts_with("notes.md:1:1:")));
    assert!(warnings.iter().any(|w| w.starts_with("kms-get-key-rotation-status--missing-key.json:1:1:")
        && w.contains("`missing-key` is not among the resources")));

    let snapshot = concat!(
        "{\"fileVersion\": \"1.0\", \"configurationItems\": [\n",
        "  {\"resourceType\": \"AWS::Glue::Job\", \"resourceId\": \"j\"},\n",
        "  {\"resourceType\": \"AWS::Glue::Job\", \"resourceId\": \"k\"},\n",
        "  {\"resourceId\": \"x\"},\n",
        "  {\"resourceType\": \"AWS::EC2::VPC\", \"configuration\": {}}\n]}\n"
    );
    let warnings = messages(&import_aws_config("t", &[SourceFile::new("s.json", snapshot)]).unwrap());
    assert!(
        warnings.contains(&"s.json:2:1: warning: resource type `AWS::Glue::Job` is not modelled (2 items)".to_string()),
        "{warnings:#?}"
    );
    assert!(
        warnings.contains(&"s.json:4:1: warning: a configuration item without `resourceType`; skipped".to_string())
    );
    assert!(
        warnings.contains(&"s.json:5:1: warning: a `AWS::EC2::VPC` item without its identifier; skipped".to_string())
    );
}

fn import_either(files: &[SourceFile]) {
    for result in [import_aws_inventory("fuzz", files), import_aws_config("fuzz", files)] {
        if let Err(errors) = result {
            assert!(errors.iter().all(|e| e.is_error() && e.diagnostic.at.line > 0), "{errors:?}");
        }
    }
}

#[test]
fn every_prefix_of_the_examples_imports_or_fails_cleanly() {
    for file in cli_files().into_iter().chain(config_files()) {
        let step = (file.text.len() / 300).max(3);
        for end in file.text.char_indices().map(|(i, _)| i).step_by(step) {
            import_either(&[SourceFile::new(file.path.clone(), &file.text[..end])]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_json_never_panics(text in "(?s).{0,300}") {
        import_either(&[SourceFile::new("ec2-describe-security-groups.json", text.clone())]);
        import_either(&[SourceFile::new("snapshot.json", format!("{{\"configurationItems\": [{text}]}}"))]);
    }

    #[test]
    fn shaped_noise_never_panics(
        key in prop::sample::select(vec!["IpPermissions", "Tags", "VpcId", "GroupId", "UserIdGroupPairs", "FromPort"]),
        value in prop::sample::select(vec!["null", "1", "\"x\"", "[]", "{}", "[{}]", "[null]", "true", "[[1]]"]),
    ) {
        let groups = format!(
            "{{\"SecurityGroups\": [{{\"GroupId\": \"sg-1\", \"{key}\": {value}, \
             \"IpPermissions\": [{{\"{key}\": {value}}}]}}]}}"
        );
        import_either(&[SourceFile::new("ec2-describe-security-groups.json", groups)]);
        let item = format!(
            "{{\"configurationItems\": [{{\"resourceType\": \"AWS::EC2::SecurityGroup\", \"resourceId\": \"sg-1\", \
             \"configuration\": {{\"{key}\": {value}}}, \"relationships\": {value}, \"tags\": {value}}}]}}"
        );
        import_either(&[SourceFile::new("snapshot.json", item)]);
    }
}

/// A small account of edge services, written as the CLI prints them.
fn edge_account() -> Vec<SourceFile> {
    let alb = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/edge-alb/1";
    let tg = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/api-tg/2";
    let function = "arn:aws:lambda:eu-west-1:111122223333:function:quotes";
    let task = "arn:aws:ecs:eu-west-1:111122223333:task-definition/api:4";
    let uri = format!("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{function}/invocations");
    vec![
        SourceFile::new(
            "cloudfront-list-distributions.json",
            r#"{"DistributionList": {"Items": [{"Id": "E1EDGE",
              "ARN": "arn:aws:cloudfront::111122223333:distribution/E1EDGE",
              "DomainName": "d111.cloudfront.net",
              "Origins": {"Quantity": 2, "Items": [
                {"Id": "site", "DomainName": "edge-site.s3.eu-west-1.amazonaws.com", "OriginAccessControlId": "E2OAC",
                 "S3OriginConfig": {"OriginAccessIdentity": ""}},
                {"Id": "api", "DomainName": "edge-alb-99.eu-west-1.elb.amazonaws.com",
                 "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"}}]},
              "DefaultCacheBehavior": {"ViewerProtocolPolicy": "redirect-to-https"},
              "WebACLId": "arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge/3",
              "ViewerCertificate": {"MinimumProtocolVersion": "TLSv1.2_2021"}}]}}"#,
        ),
        SourceFile::new("s3api-list-buckets.json", r#"{"Buckets": [{"Name": "edge-site"}]}"#),
        SourceFile::new(
            "elbv2-describe-load-balancers.json",
            format!(
                r#"{{"LoadBalancers": [{{"LoadBalancerArn": "{alb}", "LoadBalancerName": "edge-alb",
                  "DNSName": "edge-alb-99.eu-west-1.elb.amazonaws.com", "Scheme": "internal",
                  "Type": "application"}}]}}"#
            ),
        ),
        SourceFile::new(
            "elbv2-describe-target-groups.json",
            format!(
                r#"{{"TargetGroups": [{{"TargetGroupArn": "{tg}", "TargetGroupName": "api-tg",
                  "Port": 8080, "Protocol": "HTTP"}}]}}"#
            ),
        ),
        SourceFile::new(
            "elbv2-describe-listeners--edge-alb.json",
            format!(
                r#"{{"Listeners": [{{"ListenerArn": "{alb}/l1", "LoadBalancerArn": "{alb}",
                  "Port": 80, "Protocol": "HTTP",
                  "DefaultActions": [{{"Type": "forward", "TargetGroupArn": "{tg}"}}]}}]}}"#
            ),
        ),
        SourceFile::new(
            "ecs-describe-services--main-1.json",
            format!(
                r#"{{"services": [{{"serviceName": "api",
                  "serviceArn": "arn:aws:ecs:eu-west-1:111122223333:service/main/api",
                  "taskDefinition": "{task}", "loadBalancers": [{{"targetGroupArn": "{tg}", "containerPort": 8080}}],
                  "networkConfiguration": {{"awsvpcConfiguration": {{"subnets": [], "assignPublicIp": "DISABLED"}}}}}}],
                  "failures": []}}"#
            ),
        ),
        SourceFile::new(
            "ecs-describe-task-definition--api-4.json",
            format!(
                r#"{{"taskDefinition": {{"taskDefinitionArn": "{task}", "family": "api",
                  "containerDefinitions": [{{"name": "api", "image": "ghcr.io/edge/api:1.4", "privileged": true,
                    "environment": [{{"name": "QUOTES_FUNCTION", "value": "{function}"}}]}}]}}}}"#
            ),
        ),
        SourceFile::new(
            "lambda-list-functions.json",
            format!(
                r#"{{"Functions": [{{"FunctionName": "quotes", "FunctionArn": "{function}",
                  "Runtime": "python3.12"}}]}}"#
            ),
        ),
        SourceFile::new(
            "apigateway-get-rest-apis.json",
            r#"{"items": [{"id": "a1b2c3", "name": "partner-api", "endpointConfiguration": {"types": ["REGIONAL"]}}]}"#,
        ),
        SourceFile::new(
            "apigateway-get-resources--a1b2c3.json",
            format!(
                r#"{{"items": [{{"id": "r1", "path": "/quotes", "resourceMethods": {{"GET": {{"httpMethod": "GET",
                  "authorizationType": "NONE", "apiKeyRequired": true,
                  "methodIntegration": {{"type": "AWS_PROXY", "uri": "{uri}"}}}}}}}}]}}"#
            ),
        ),
        SourceFile::new(
            "wafv2-list-resources-for-web-acl--edge.json",
            r#"{"ResourceArns": ["arn:aws:apigateway:eu-west-1::/restapis/a1b2c3/stages/prod"]}"#,
        ),
    ]
}

#[test]
fn edge_services_connect_to_what_they_front() {
    let imported = import_aws_inventory("edge", &edge_account()).unwrap();
    let model = &imported.model;
    let cdn = model.components.iter().find(|c| c.kind.value == "cdn").expect("the distribution");
    assert_eq!(cdn.exposure, Exposure::Internet);
    assert!(
        controls(cdn).contains(&"web-application-firewall") && controls(cdn).contains(&"tls-configuration-hardening")
    );
    let origin = model.flows.iter().find(|f| f.from.value == cdn.id.value && f.to.value == "edge-site-bucket");
    assert_eq!(origin.map(|f| f.authentication), Some(rampart_model::Authentication::CloudIam), "signed by OAC");
    assert!(has_flow(model, &cdn.id.value, "edge-alb-lb", "https"), "{:#?}", model.flows);
    let alb = component(model, "edge-alb-lb");
    assert_ne!(alb.exposure, Exposure::Internet, "an internal load balancer");
    assert!(has_flow(model, "edge-alb-lb", "api-service", "http"));
    let api = component(model, "api-service");
    assert!(api.capabilities.iter().any(|c| c.value == "privileged-container"));
    assert_eq!(api.technology.as_deref(), Some("Amazon ECS (ghcr.io/edge/api:1.4)"));
    assert!(has_flow(model, "api-service", "quotes-function", "https"), "from the container's environment");
    let gateway = model.flows.iter().find(|f| f.from.value == "internet" && f.to.value == "partner-api");
    assert_eq!(gateway.map(|f| f.authentication), Some(rampart_model::Authentication::ApiKey));
    assert!(has_flow(model, "partner-api", "quotes-function", "https"), "the method's integration");
    assert!(controls(component(model, "partner-api")).contains(&"web-application-firewall"), "through its stage");
    let problems: Vec<String> =
        rampart_model::validate(model, &kb().vocabulary()).iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn config_items_are_placed_by_their_relationships() {
    let snapshot = r#"{"fileVersion": "1.0", "configSnapshotId": "s", "configurationItems": [
  {"resourceType": "AWS::EC2::Subnet", "resourceId": "subnet-77",
   "awsAccountId": "444455556666", "awsRegion": "us-east-2",
   "configuration": {"subnetId": "subnet-77", "cidrBlock": "10.9.1.0/24"}, "tags": {"Name": "jobs"}},
  {"resourceType": "AWS::ECS::TaskDefinition",
   "resourceId": "arn:aws:ecs:us-east-2:444455556666:task-definition/worker:2",
   "ARN": "arn:aws:ecs:us-east-2:444455556666:task-definition/worker:2",
   "configuration": {"Family": "worker",
     "ContainerDefinitions": [{"Name": "worker", "Image": "worker:2", "Privileged": true}]}},
  {"resourceType": "AWS::ECS::Service", "resourceId": "arn:aws:ecs:us-east-2:444455556666:service/jobs/worker",
   "resourceName": "worker", "ARN": "arn:aws:ecs:us-east-2:444455556666:service/jobs/worker",
   "configuration": {"TaskDefinition": "arn:aws:ecs:us-east-2:444455556666:task-definition/worker:2"},
   "relationships": [{"resourceType": "AWS::EC2::Subnet", "resourceId": "subnet-77",
     "relationshipName": "Is contained in Subnet"}]},
  {"resourceType": "AWS::SQS::Queue", "resourceId": "https://sqs.us-east-2.amazonaws.com/444455556666/gone",
   "configurationItemStatus": "ResourceDeleted", "configuration": null}
]}"#;
    let imported = import_aws_config("jobs", &[SourceFile::new("snapshot.json", snapshot)]).unwrap();
    let model = &imported.model;
    let worker = component(model, "worker-service");
    assert_eq!(worker.boundary.as_ref().map(|b| b.value.as_str()), Some("jobs-subnet"));
    assert!(worker.capabilities.iter().any(|c| c.value == "privileged-container"));
    assert_eq!(worker.source.as_ref().and_then(|s| s.line), Some(10), "the line of its item");
    assert!(!model.components.iter().any(|c| c.kind.value == "aws-sqs"), "deleted resources are not modelled");
    let account = model.boundaries.iter().find(|b| b.id.value == "aws-account").expect("the account");
    assert_eq!(account.name.as_deref(), Some("AWS account (us-east-2, account 444455556666)"));
}
