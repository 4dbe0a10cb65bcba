//! `rampart diagram`: every example renders in every format, views filter,
//! and unknown ids are usage errors with a suggestion.

use std::path::PathBuf;
use std::process::{Command, Output};

fn rampart(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart")).args(args).output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn examples() -> Vec<String> {
    let directory = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut paths: Vec<String> = std::fs::read_dir(directory)
        .expect("examples/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| path.to_string_lossy().to_string())
        .collect();
    paths.sort();
    paths
}

fn ecommerce() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/ecommerce.yaml").to_string_lossy().to_string()
}

#[test]
fn every_example_renders_in_every_format() {
    for path in examples() {
        for format in ["svg", "dot", "mermaid"] {
            let output = rampart(&["diagram", &path, "--format", format]);
            assert!(output.status.success(), "{path} {format}: {}", text(&output.stderr));
            let out = text(&output.stdout);
            match format {
                "svg" => assert!(out.starts_with("<svg ") && out.trim_end().ends_with("</svg>"), "{path}"),
                "dot" => assert!(out.contains("digraph ") && out.contains("subgraph \"cluster_"), "{path}"),
                _ => assert!(out.contains("flowchart LR") && out.contains("subgraph "), "{path}"),
            }
        }
    }
}

#[test]
fn writes_to_a_file() {
    let file = std::env::temp_dir().join(format!("rampart-diagram-{}.svg", std::process::id()));
    let output = rampart(&["diagram", &ecommerce(), "--output", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let svg = std::fs::read_to_string(&file).expect("written");
    std::fs::remove_file(&file).ok();
    assert!(svg.contains(r#"data-id="checkout-api""#));
}

#[test]
fn views_filter_the_diagram() {
    let output = rampart(&["diagram", &ecommerce(), "--format", "dot", "--boundary", "data-tier"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let dot = text(&output.stdout);
    assert!(dot.contains("\"order-db\" [") && !dot.contains("\"customer\" ["));
    assert!(dot.contains("cluster_data-tier") && !dot.contains("cluster_web-tier"));

    let output = rampart(&["diagram", &ecommerce(), "--format", "mermaid", "--around", "order-db", "--hops", "1"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let mermaid = text(&output.stdout);
    assert!(mermaid.contains("n_order_db") && mermaid.contains("n_checkout_api"));
    assert!(!mermaid.contains("n_customer("), "the customer is two hops or more from the order database");
}

#[test]
fn unknown_ids_and_formats_are_usage_errors() {
    let output = rampart(&["diagram", &ecommerce(), "--boundary", "data-teir"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("did you mean `data-tier`"), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());

    let output = rampart(&["diagram", &ecommerce(), "--around", "checkout", "--hops", "2"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("did you mean `checkout-api`"), "{}", text(&output.stderr));

    let output = rampart(&["diagram", &ecommerce(), "--format", "png"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("expected one of: svg, dot, mermaid"));
}
