//! `rampart import`: models from the Kubernetes and compose examples in
//! `examples/iac/`, validated and analyzed as a user would.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use common::{rampart, scratch, stderr, stdout, write};
use rampart_model::{Model, SourceRef, Syntax, parse_model};

fn iac(relative: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac").join(relative).to_string_lossy().to_string()
}

/// `rampart import ARGS` with `input` on standard input.
fn rampart_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("the binary finishes")
}

/// Imports into a scratch file, checks that it validates, and returns the
/// path and the model.
fn import_to_file(test: &str, args: &[&str]) -> (String, Model, Output) {
    let output_path = scratch(test).join("model.yaml").to_string_lossy().to_string();
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--output", &output_path]);
    let output = rampart(&all);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "", "the model goes to --output only");
    let text = std::fs::read_to_string(&output_path).expect("the model was written");
    let model = parse_model(&text, Syntax::Yaml).expect("the output is a native model");
    let valid = rampart(&["validate", &output_path]);
    assert!(valid.status.success(), "{}", stderr(&valid));
    (output_path, model, output)
}

fn threat_ids(model_path: &str) -> Vec<String> {
    let output = rampart(&["analyze", model_path, "--format", "json", "--today", "2026-01-01"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    json["threats"].as_array().expect("threats").iter().map(|t| t["id"].as_str().unwrap().to_string()).collect()
}

fn source_of(model: &Model, id: &str) -> Option<SourceRef> {
    model.components.iter().find(|c| c.id.value == id).and_then(|c| c.source.clone())
}

#[test]
fn kubernetes_example_imports_validates_and_shows_its_threats() {
    let (path, model, output) = import_to_file("kubernetes", &["kubernetes", &iac("kubernetes"), "--name", "shop"]);
    let messages = stderr(&output);
    let lines: Vec<&str> = messages.lines().collect();
    assert_eq!(lines.len(), 4, "{messages}");
    assert!(lines[0].ends_with("kubernetes/api.yaml:18:1: warning: Secret shop/api-secrets holds literal values under `stringData`: anyone who can read these manifests can read them (keep secret values out of the repository: Sealed Secrets, External Secrets, SOPS, or a Secret created at deploy time)"), "{}", lines[0]);
    assert!(lines[1].contains("kubernetes/ingress.yaml:33:1: warning: Certificate shop/shop-tls (cert-manager.io/v1) is a kind Rampart does not model"), "{}", lines[1]);
    assert!(
        lines[2]
            .contains("kubernetes/rbac.yaml:11:5: warning: ClusterRoleBinding api-cluster-admin gives `cluster-admin`"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("imported 9 components, 9 flows, 4 boundaries from 8 files; 3 warnings; written to "),
        "{}",
        lines[3]
    );
    assert_eq!(model.name, "shop");
    assert_eq!(
        source_of(&model, "api"),
        Some(SourceRef { file: "api.yaml".into(), line: Some(28), resource: Some("Deployment/shop/api".into()) })
    );
    assert_eq!(source_of(&model, "db").and_then(|s| s.line), Some(3));

    let threats = threat_ids(&path);
    for expected in [
        // The API's DATABASE_URL turns TLS off and carries the password from a Secret.
        "cleartext-credentials-in-transit@api->db",
        "unencrypted-flow@api->db",
        // TLS ends at the internet-facing ingress; plain HTTP inside.
        "ingress-tls-termination-gap@ingress-nginx",
        "internet-facing-denial-of-service@ingress-nginx",
        // Only the data namespace denies by default.
        "missing-kubernetes-network-policy@web",
        "missing-kubernetes-network-policy@api",
        // Bound to cluster-admin.
        "overbroad-workload-rbac@api",
        "secrets-in-environment-variables@api",
        "host-path-mount-exposure@log-shipper",
        "service-account-token-exposure@web",
    ] {
        assert!(threats.contains(&expected.to_string()), "{expected} missing from {threats:#?}");
    }
    // The API calls the cluster's API, so its token is not an unused one.
    assert!(!threats.contains(&"service-account-token-exposure@api".to_string()));
    // Limits and a hardened security context are declared on the API.
    assert!(!threats.iter().any(|t| t.starts_with("privileged-container@")));
}

#[test]
fn compose_example_imports_validates_and_shows_its_threats() {
    let (path, model, output) = import_to_file("compose", &["compose", &iac("compose")]);
    let messages = stderr(&output);
    assert!(
        messages.contains(
            "compose/docker-compose.yml:57:9: warning: service `worker` mounts the Docker socket `/var/run/docker.sock`"
        ),
        "{messages}"
    );
    assert!(
        messages
            .contains("compose/docker-compose.yml:32:7: warning: service `api` sets `JWT_SECRET` to a literal value"),
        "{messages}"
    );
    assert!(
        messages.contains("imported 7 components, 9 flows, 2 boundaries from 1 file; 2 warnings; written to "),
        "{messages}"
    );
    // The project's `name:` names the model.
    assert_eq!(model.name, "shop");
    assert_eq!(
        source_of(&model, "worker"),
        Some(SourceRef { file: "docker-compose.yml".into(), line: Some(46), resource: Some("services.worker".into()) })
    );
    let threats = threat_ids(&path);
    for expected in [
        "container-runtime-socket-exposure@docker-engine",
        "host-path-mount-exposure@worker",
        "cleartext-credentials-in-transit@worker->db",
        "cleartext-traffic-across-boundary@internet->web:http",
        "internet-facing-denial-of-service@web",
    ] {
        assert!(threats.contains(&expected.to_string()), "{expected} missing from {threats:#?}");
    }
}

#[test]
fn helm_template_output_is_read_from_standard_input() {
    let rendered = std::fs::read_to_string(iac("helm/storefront.yaml")).expect("fixture");
    let output = rampart_with_stdin(&["import", "kubernetes", "-", "--name", "storefront"], &rendered);
    assert!(output.status.success(), "{}", stderr(&output));
    let model = parse_model(&stdout(&output), Syntax::Yaml).expect("a native model on stdout");
    assert_eq!(
        source_of(&model, "storefront"),
        Some(SourceRef {
            file: "storefront/templates/deployment.yaml".into(),
            line: None,
            resource: Some("Deployment/storefront/storefront".into())
        })
    );
    let storefront = model.components.iter().find(|c| c.id.value == "storefront").unwrap();
    assert_eq!(storefront.exposure, rampart_model::Exposure::Internet);
    // The `helm test` pod is not part of the system.
    assert!(!model.components.iter().any(|c| c.id.value.contains("test-connection")));
    let messages = stderr(&output);
    assert!(
        messages.starts_with("<stdin>:36:1: warning: Secret storefront/storefront-redis holds literal values"),
        "{messages}"
    );
    assert!(messages.ends_with("from 1 file; 1 warning\n"), "{messages}");
}

#[test]
fn auto_tells_the_format_from_the_files() {
    let compose = rampart(&["import", "auto", &iac("compose/docker-compose.yml")]);
    assert!(compose.status.success(), "{}", stderr(&compose));
    assert!(stdout(&compose).contains("kind: reverse-proxy"));
    let kubernetes = rampart(&["import", "auto", &iac("kubernetes")]);
    assert!(kubernetes.status.success(), "{}", stderr(&kubernetes));
    assert!(stdout(&kubernetes).contains("kind: kubernetes-ingress"));
    let dir = scratch("auto-unknown");
    let notes = write(&dir, "notes.yaml", "title: not infrastructure\n");
    let unknown = rampart(&["import", "auto", &notes]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("cannot tell what these files are: not Kubernetes manifests"),
        "{}",
        stderr(&unknown)
    );
}

#[test]
fn malformed_manifests_fail_with_the_line_shown() {
    let dir = scratch("malformed");
    write(&dir, "good.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n");
    write(&dir, "bad.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: [web\n");
    let output = rampart(&["import", "kubernetes", &dir.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    let messages = stderr(&output);
    assert!(messages.starts_with("error: while parsing a flow sequence, expected ',' or ']'\n  --> "), "{messages}");
    assert!(messages.contains("bad.yaml:5:1\n"), "{messages}");
    assert!(
        messages.ends_with("error: 1 file(s) could not be read as kubernetes YAML; nothing was imported\n"),
        "{messages}"
    );
}

#[test]
fn strict_refuses_an_import_with_warnings() {
    let dir = scratch("strict");
    let out = dir.join("model.yaml");
    let output = rampart(&["import", "kubernetes", &iac("kubernetes"), "--strict", "--output", &out.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--strict refuses warnings, so no model was written"), "{}", stderr(&output));
    assert!(!out.exists());
}

#[test]
fn terraform_example_imports_validates_and_shows_its_threats() {
    let (path, model, output) = import_to_file("terraform", &["terraform", &iac("terraform/aws-shop")]);
    let messages = stderr(&output);
    assert!(
        messages.contains("aws-shop/data.tf:60:1: warning: bucket aws_s3_bucket.uploads is readable by anyone"),
        "{messages}"
    );
    assert!(
        messages.contains("aws-shop/worker.tf:48:1: warning: aws_iam_policy.fulfilment allows every action"),
        "{messages}"
    );
    let summary = messages.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("imported 12 components, 16 flows, 4 boundaries from 12 files; 6 warnings; written to "),
        "{summary}"
    );
    assert_eq!(model.name, "aws-shop");
    assert_eq!(
        source_of(&model, "orders-db"),
        Some(SourceRef { file: "data.tf".into(), line: Some(11), resource: Some("aws_db_instance.orders".into()) })
    );
    let threats = threat_ids(&path);
    for expected in [
        "cloud-storage-unencrypted@reports-db",
        "public-object-storage@uploads-bucket",
        "over-privileged-cloud-identity@fulfilment-function",
        "exposed-management-interface@bastion-vm",
    ] {
        assert!(threats.contains(&expected.to_string()), "{expected} missing from {threats:#?}");
    }
}

#[test]
fn terraform_plan_json_is_told_apart_by_auto() {
    let (path, model, output) =
        import_to_file("terraform-plan", &["auto", &iac("terraform/plan.json"), "--name", "blog"]);
    assert!(
        stderr(&output).contains("plan.json:55:1: warning: aws_db_instance.blog is publicly accessible"),
        "{}",
        stderr(&output)
    );
    assert_eq!(model.name, "blog");
    assert_eq!(
        source_of(&model, "web-vm"),
        Some(SourceRef { file: "plan.json".into(), line: Some(8), resource: Some("aws_instance.web".into()) })
    );
    let threats = threat_ids(&path);
    for expected in [
        "database-exposed-to-untrusted@blog-db",
        "cloud-storage-unencrypted@blog-db",
        "public-object-storage@media-bucket",
        "over-privileged-cloud-identity@web-vm",
    ] {
        assert!(threats.contains(&expected.to_string()), "{expected} missing from {threats:#?}");
    }
}

#[test]
fn malformed_terraform_fails_with_the_line_shown() {
    let dir = scratch("terraform-malformed");
    write(&dir, "main.tf", "resource \"aws_vpc\" \"main\" {\n  cidr_block = \n}\n");
    let output = rampart(&["import", "terraform", &dir.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    let messages = stderr(&output);
    assert!(messages.contains("main.tf:2:16"), "{messages}");
    assert!(
        messages.ends_with("error: 1 file(s) could not be read as terraform; nothing was imported\n"),
        "{messages}"
    );
}

/// The line of `examples/iac/RELATIVE` that starts with `prefix`.
fn line_in(relative: &str, prefix: &str) -> u32 {
    let text = std::fs::read_to_string(iac(relative)).expect("the example is readable");
    text.lines().position(|line| line.starts_with(prefix)).map(|i| i as u32 + 1).expect("the line exists")
}

#[test]
fn cloudformation_example_imports_validates_and_shows_its_threats() {
    let (path, model, output) = import_to_file("cloudformation", &["cloudformation", &iac("cloudformation/shop.yaml")]);
    let messages = stderr(&output);
    assert!(messages.contains("warning: bucket AssetsBucket is readable by anyone"), "{messages}");
    assert!(messages.contains("warning: WorkerPolicy allows every action"), "{messages}");
    assert!(
        messages.contains("warning: resource type `AWS::CodeStarNotifications::NotificationRule` is not modelled"),
        "{messages}"
    );
    let summary = messages.lines().last().unwrap_or_default();
    assert!(summary.starts_with("imported 8 components, "), "{summary}");
    assert_eq!(model.name, "shop");
    assert_eq!(
        source_of(&model, "orders-db"),
        Some(SourceRef {
            file: "shop.yaml".into(),
            line: Some(line_in("cloudformation/shop.yaml", "  OrdersDatabase:")),
            resource: Some("OrdersDatabase".into())
        })
    );
    let threats = threat_ids(&path);
    for expected in [
        "cloud-storage-unencrypted@orders-db",
        "public-object-storage@assets-bucket",
        "over-privileged-cloud-identity@order-worker-function",
    ] {
        assert!(threats.contains(&expected.to_string()), "{expected} missing from {threats:#?}");
    }
}

#[test]
fn cloudformation_json_is_told_apart_by_auto_and_cfn_is_an_alias() {
    let (_, model, _) = import_to_file("cloudformation-json", &["auto", &iac("cloudformation/api.json")]);
    assert!(model.components.iter().any(|c| c.id.value == "notes-api" && c.kind.value == "aws-api-gateway"));
    let (_, same, _) = import_to_file("cloudformation-cfn", &["cfn", &iac("cloudformation/api.json")]);
    assert_eq!(model, same);
}

#[test]
fn analyze_reads_a_cloudformation_template_directly() {
    let output = rampart(&["analyze", &iac("cloudformation/shop.yaml"), "--format", "json", "--today", "2026-01-01"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let threats: Vec<&str> =
        json["threats"].as_array().expect("threats").iter().filter_map(|t| t["id"].as_str()).collect();
    assert!(threats.contains(&"cloud-storage-unencrypted@orders-db"), "{threats:#?}");
    assert!(threats.contains(&"public-object-storage@assets-bucket"), "{threats:#?}");
}

#[test]
fn malformed_cloudformation_fails_with_the_line_shown() {
    let dir = scratch("cloudformation-malformed");
    write(
        &dir,
        "stack.json",
        "{\n  \"AWSTemplateFormatVersion\": \"2010-09-09\",\n  \"Resources\": {\n    \"Q\": \n}\n",
    );
    let output = rampart(&["import", "cloudformation", &dir.join("stack.json").to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stdout(&output), "");
    let messages = stderr(&output);
    assert!(messages.contains("stack.json:6:1"), "{messages}");
    assert!(
        messages.ends_with("error: 1 file(s) could not be read as cloudformation YAML or JSON; nothing was imported\n"),
        "{messages}"
    );
}
