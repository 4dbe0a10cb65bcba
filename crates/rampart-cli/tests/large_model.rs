//! Every command on a generated 200-component model (about 1,000 flows): the
//! size at which diagrams, reports and diffs must still work and stay usable.

use std::process::Output;

mod common;
use common::{rampart, scratch, stderr, write};

const TODAY: &str = "2026-11-22";

fn succeed(args: &[&str]) -> Output {
    let output = rampart(args);
    assert!(output.status.success(), "rampart {args:?} failed: {}", stderr(&output));
    output
}

fn generated(dir: &std::path::Path, name: &str, components: usize) -> String {
    let model = rampart_modelgen::generate(components, 7);
    write(dir, name, &serde_saphyr::to_string(&model).expect("a model serializes"))
}

#[test]
fn every_command_handles_a_200_component_model() {
    let dir = scratch("large");
    let model = generated(&dir, "large.yaml", 200);
    let json = succeed(&["analyze", &model, "--format", "json", "--today", TODAY]).stdout;
    let analysis: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let threats = analysis["threats"].as_array().unwrap();
    assert!(threats.len() > 1_000, "{} threats", threats.len());

    // Reports: every threat is in each.
    let html = String::from_utf8(succeed(&["report", &model, "--format", "html", "--today", TODAY]).stdout).unwrap();
    assert_eq!(html.matches("<article class=\"threat").count(), threats.len());
    let csv = succeed(&["report", &model, "--format", "csv", "--today", TODAY]).stdout;
    assert_eq!(csv::Reader::from_reader(csv.as_slice()).records().count(), threats.len());
    let xlsx = dir.join("large.xlsx");
    succeed(&["report", &model, "--format", "xlsx", "--output", xlsx.to_str().unwrap(), "--today", TODAY]);
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 10_000);
    let dojo = succeed(&["report", &model, "--format", "defectdojo", "--today", TODAY]).stdout;
    let dojo: serde_json::Value = serde_json::from_slice(&dojo).unwrap();
    assert_eq!(dojo["findings"].as_array().unwrap().len(), threats.len());
    let gitlab = succeed(&["report", &model, "--format", "gitlab-sast", "--today", TODAY]).stdout;
    let gitlab: serde_json::Value = serde_json::from_slice(&gitlab).unwrap();
    assert!(!gitlab["vulnerabilities"].as_array().unwrap().is_empty());

    // Diagrams in all three formats, and the views that cut them down.
    let svg = String::from_utf8(succeed(&["diagram", &model]).stdout).unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.matches("<g class=\"node").count() >= 200, "every element is drawn");
    assert!(svg.matches("<g class=\"flow").count() >= 900, "and about five flows per element");
    let dot = String::from_utf8(succeed(&["diagram", &model, "--format", "dot"]).stdout).unwrap();
    assert!(dot.contains("digraph") && dot.matches("->").count() >= 900);
    succeed(&["diagram", &model, "--format", "mermaid"]);
    let first = analysis["threats"][0]["target"]["id"].as_str().unwrap().to_string();
    let around =
        String::from_utf8(succeed(&["diagram", &model, "--around", &first, "--format", "dot"]).stdout).unwrap();
    assert!(around.len() < dot.len());

    // A diff against a smaller generation, and a gate.
    let smaller = generated(&dir, "smaller.yaml", 190);
    let diff = succeed(&["diff", &smaller, &model, "--format", "json", "--today", TODAY]).stdout;
    let diff: serde_json::Value = serde_json::from_slice(&diff).unwrap();
    assert!(!diff["added"].as_array().unwrap().is_empty(), "ten more components bring threats");
    let policy = write(&dir, "policy.yaml", "fail_on_severity: critical\n");
    let gate = rampart(&["gate", &model, "--policy", &policy, "--today", TODAY]);
    assert_eq!(gate.status.code(), Some(1), "{}", stderr(&gate));
    let lenient = write(&dir, "lenient.yaml", "{}\n");
    succeed(&["gate", &model, "--policy", &lenient, "--today", TODAY]);
}
