//! Every command that reads a model also takes infrastructure as code
//! directly: a Kubernetes directory, a compose file, rendered Helm output on
//! standard input. The import happens on the fly, as `rampart import` would.

use std::io::Write;
use std::process::{Command, Stdio};

mod common;
use common::{rampart, scratch, stderr, stdout, write};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/iac");
const TODAY: &str = "2026-11-22";

fn threat_ids(args: &[&str]) -> Vec<String> {
    let output = rampart(args);
    assert!(output.status.success(), "rampart {args:?}: {}", stderr(&output));
    let analysis: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    analysis["threats"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn analyze_reads_a_kubernetes_directory_as_import_then_analyze_would() {
    let dir = format!("{EXAMPLES}/kubernetes");
    let direct = threat_ids(&["analyze", &dir, "--format", "json", "--today", TODAY]);
    assert!(direct.iter().any(|id| id == "unencrypted-flow@api->db"), "{direct:?}");

    let scratch = scratch("k8s-two-steps");
    let model = scratch.join("k8s.yaml");
    let import = rampart(&["import", "kubernetes", &dir, "--output", model.to_str().unwrap()]);
    assert!(import.status.success(), "{}", stderr(&import));
    let two_steps = threat_ids(&["analyze", model.to_str().unwrap(), "--format", "json", "--today", TODAY]);
    assert_eq!(direct, two_steps, "the same threats either way");

    // The import's warnings still reach the user, at their files and lines.
    let output = rampart(&["analyze", &dir, "--today", TODAY]);
    assert!(stderr(&output).contains("rbac.yaml:11:5: warning"), "{}", stderr(&output));
}

#[test]
fn report_diagram_and_gate_take_a_compose_file() {
    let compose = format!("{EXAMPLES}/compose/docker-compose.yml");
    let html = rampart(&["report", &compose, "--format", "html", "--today", TODAY]);
    assert!(html.status.success(), "{}", stderr(&html));
    assert!(stdout(&html).contains("<title>Threat model: shop</title>"));
    let svg = rampart(&["diagram", &compose]);
    assert!(svg.status.success() && stdout(&svg).starts_with("<svg"));
    let dir = scratch("compose-gate");
    let policy = write(&dir, "policy.yaml", "fail_on_severity: critical\n");
    let gate = rampart(&["gate", &compose, "--policy", &policy, "--today", TODAY]);
    assert_eq!(gate.status.code(), Some(1), "{}", stderr(&gate));
}

#[test]
fn diff_compares_two_compose_files() {
    let dir = scratch("compose-diff");
    let original = std::fs::read_to_string(format!("{EXAMPLES}/compose/docker-compose.yml")).unwrap();
    // The database published on every interface instead of loopback only.
    let exposed = original.replacen("\"127.0.0.1:5432:5432\"", "\"5432:5432\"", 1);
    assert_ne!(original, exposed, "the fixture publishes the database on loopback");
    std::fs::create_dir_all(dir.join("before")).unwrap();
    std::fs::create_dir_all(dir.join("after")).unwrap();
    let before = write(&dir, "before/docker-compose.yml", &original);
    let after = write(&dir, "after/docker-compose.yml", &exposed);
    let output = rampart(&["diff", &before, &after, "--format", "json", "--today", TODAY]);
    assert!(output.status.success(), "{}", stderr(&output));
    let diff: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let added = diff["added"].as_array().unwrap();
    assert!(added.iter().any(|t| t["id"].as_str().unwrap().ends_with("@db")), "{added:?}");
}

#[test]
fn helm_output_on_standard_input_and_from_forces_the_format() {
    let rendered = std::fs::read_to_string(format!("{EXAMPLES}/helm/storefront.yaml")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["analyze", "-", "--format", "json", "--today", TODAY])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(rendered.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let from_stdin: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(!from_stdin["threats"].as_array().unwrap().is_empty());

    let file = format!("{EXAMPLES}/helm/storefront.yaml");
    let forced = threat_ids(&["analyze", &file, "--from", "kubernetes", "--format", "json", "--today", TODAY]);
    assert_eq!(forced.len(), from_stdin["threats"].as_array().unwrap().len());
    // A Kubernetes file forced through the compose importer fails clearly.
    let wrong = rampart(&["analyze", &file, "--from", "compose"]);
    assert_eq!(wrong.status.code(), Some(2), "{}", stderr(&wrong));
}

#[test]
fn threats_on_imported_elements_point_at_the_manifest_line() {
    let dir = format!("{EXAMPLES}/kubernetes");
    let output = rampart(&["analyze", &dir, "--format", "json", "--today", TODAY]);
    assert!(output.status.success(), "{}", stderr(&output));
    let analysis: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let threat = analysis["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["target"]["id"] == "api" && t["target"]["kind"] == "element")
        .expect("a threat on the api workload");
    let source = &threat["target"]["source"];
    let file = source["file"].as_str().unwrap();
    assert!(file.ends_with("kubernetes/api.yaml"), "{source}");
    let line = source["line"].as_u64().unwrap() as usize;
    let manifest = std::fs::read_to_string(file).expect("the path opens from here");
    // The line starts the Deployment's document.
    let document: Vec<&str> = manifest.lines().skip(line - 1).take(3).collect();
    assert!(document.iter().any(|l| l.starts_with("kind: Deployment")), "line {line}: {document:?}");
    assert_eq!(source["resource"], "Deployment/shop/api");

    // SARIF points code scanning at the manifest, not at a generated model.
    let sarif = rampart(&["analyze", &dir, "--format", "sarif", "--today", TODAY]);
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["properties"]["threatId"] == threat["id"])
        .expect("the same threat in SARIF");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"].as_str().unwrap(), file);
    assert_eq!(location["region"]["startLine"].as_u64().unwrap() as usize, line);

    let markdown = rampart(&["analyze", &dir, "--format", "markdown", "--today", TODAY]);
    assert!(stdout(&markdown).contains(&format!("- **Defined at:** `{file}:{line}` (Deployment/shop/api)")));
}

#[test]
fn re_import_keeps_what_was_added_by_hand() {
    let dir = scratch("re-import");
    let model = dir.join("shop.yaml");
    let model = model.to_str().unwrap();
    let compose = format!("{EXAMPLES}/compose/docker-compose.yml");
    let first = rampart(&["import", "compose", &compose, "--output", model]);
    assert!(first.status.success(), "{}", stderr(&first));

    // The user names the data the database holds and tracks a threat.
    let edited = std::fs::read_to_string(model).unwrap()
        + "threats:\n  - threat: \"*@db\"\n    status: accepted\n    justification: reviewed\n    expires: 2027-01-01\n";
    let edited = edited.replacen("rampart: 1\n", "rampart: 1\npolicy:\n  fail_on_severity: critical\n", 1);
    std::fs::write(model, edited).unwrap();

    let again = rampart(&["import", "compose", &compose, "--output", model]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stderr(&again).contains("re-import merged into the existing model: 0 added, 0 changed, 0 removed"));
    let text = std::fs::read_to_string(model).unwrap();
    assert!(text.contains("justification: reviewed"), "tracking kept:\n{text}");
    assert!(text.contains("fail_on_severity: critical"), "policy kept");
    assert!(rampart(&["validate", model]).status.success());

    // The infrastructure changes: the database is now published to the world.
    let original = std::fs::read_to_string(&compose).unwrap();
    let changed = write(&dir, "docker-compose.yml", &original.replacen("\"127.0.0.1:5432:5432\"", "\"5432:5432\"", 1));
    let third = rampart(&["import", "compose", &changed, "--output", model]);
    assert!(third.status.success(), "{}", stderr(&third));
    assert!(stderr(&third).contains("1 changed"), "{}", stderr(&third));
    assert!(stderr(&third).contains("changed: db"), "{}", stderr(&third));
    assert!(std::fs::read_to_string(model).unwrap().contains("justification: reviewed"));

    // --replace starts over.
    let replaced = rampart(&["import", "compose", &compose, "--output", model, "--replace"]);
    assert!(replaced.status.success());
    assert!(!std::fs::read_to_string(model).unwrap().contains("justification: reviewed"));
}
