//! Generated models must be valid against the shipped knowledge base, and
//! survive a round trip through both syntaxes.

use rampart_model::{Severity, Syntax, parse_model, validate};

fn assert_valid(components: usize, seed: u64) {
    let kb = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let model = rampart_modelgen::generate(components, seed);
    assert_eq!(model.components.len(), components);
    let errors: Vec<String> = validate(&model, &kb.vocabulary())
        .into_iter()
        .filter(|diagnostic| diagnostic.severity == Severity::Error)
        .map(|diagnostic| diagnostic.message)
        .collect();
    assert!(
        errors.is_empty(),
        "{} errors for N={components}, first ones: {:#?}",
        errors.len(),
        &errors[..errors.len().min(10)]
    );
}

#[test]
fn hundred_components_validate() {
    assert_valid(100, 1);
    assert_valid(100, 2);
}

#[test]
fn two_thousand_components_validate() {
    assert_valid(2000, 1);
}

#[test]
fn tiny_models_validate() {
    for components in 1..=12 {
        assert_valid(components, 7);
    }
}

#[test]
fn survives_json_and_yaml_round_trips() {
    let model = rampart_modelgen::generate(150, 3);
    let json = serde_json::to_string_pretty(&model).unwrap();
    assert_eq!(parse_model(&json, Syntax::Json).unwrap(), model);
    let yaml = serde_saphyr::to_string(&model).unwrap();
    assert_eq!(parse_model(&yaml, Syntax::Yaml).unwrap(), model);
}

#[test]
fn analysis_finds_threats() {
    let kb = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let model = rampart_modelgen::generate(200, 1);
    let analysis = rampart_engine::analyze(&model, &kb, &rampart_engine::Options::default());
    assert!(!analysis.threats.is_empty());
}

#[test]
fn pytm_script_describes_every_element_and_flow() {
    let model = rampart_modelgen::generate(120, 5);
    let script = rampart_modelgen::to_pytm(&model);
    assert!(script.starts_with("#!/usr/bin/env python3"));
    assert!(script.contains("from pytm import TM,"));
    assert!(script.trim_end().ends_with("tm.process()"));
    let elements = script.lines().filter(|line| line.starts_with("e[") && line.contains("] = ")).count();
    // Administrators take two lines (`Actor(...)` then `isAdmin`), others one constructor line.
    assert!(elements >= model.actors.len() + model.components.len());
    let flows = script.lines().filter(|line| line.starts_with("flow(")).count();
    assert_eq!(flows, model.flows.len());
    assert_eq!(
        script.lines().filter(|line| line.starts_with("b[") && line.contains("Boundary(")).count(),
        model.boundaries.len()
    );
}

#[test]
fn no_warnings_either() {
    let kb = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let model = rampart_modelgen::generate(500, 9);
    let diagnostics = validate(&model, &kb.vocabulary());
    assert!(diagnostics.is_empty(), "{:#?}", &diagnostics[..diagnostics.len().min(5)]);
}
