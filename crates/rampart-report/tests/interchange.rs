//! The OTM and CycloneDX TM-BOM exports: what they hold for the e-commerce
//! example, that they are deterministic, and that rampart-import reads them
//! back into the same model. The round trip runs in process, on the export of
//! the current knowledge base, so no frozen copy of an export has to be kept
//! in step with the library.

use std::collections::BTreeSet;

use rampart_engine::{Analysis, Options, TargetKind, analyze};
use rampart_import::Importer;
use rampart_import::otm::Otm;
use rampart_import::tmbom::Tmbom;
use rampart_model::{Diagnostic, Model, Syntax, parse_model, validate};
use rampart_report::exports::{cyclonedx, otm};
use serde_json::Value;

const ECOMMERCE: &str = include_str!("../../../examples/ecommerce.yaml");

type Render = fn(&Analysis, &Model, &rampart_kb::KnowledgeBase) -> String;

fn ecommerce() -> Model {
    parse_model(ECOMMERCE, Syntax::Yaml).expect("the example parses")
}

fn exported(render: Render) -> (String, Value) {
    let kb = rampart_kb::builtin().expect("library compiles");
    let model = ecommerce();
    let analysis = analyze(&model, &kb, &Options::default());
    let text = render(&analysis, &model, &kb);
    let value = serde_json::from_str(&text).expect("the export is JSON");
    (text, value)
}

/// The distinct rules among the threats the analysis of the example raises on
/// targets of the given kinds: each becomes one custom threat on import.
fn raised_rules(kinds: &[TargetKind]) -> usize {
    let kb = rampart_kb::builtin().expect("library compiles");
    let model = ecommerce();
    let analysis = analyze(&model, &kb, &Options::default());
    let rules: BTreeSet<&str> =
        analysis.threats.iter().filter(|t| kinds.contains(&t.target.kind)).map(|t| t.rule).collect();
    rules.len()
}

fn render_diagnostics(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|diagnostic| format!("  {diagnostic}\n")).collect()
}

/// Imports an export with one of rampart-import's importers, failing with its errors.
fn import_with(importer: &dyn Importer, text: &str) -> Model {
    match importer.import(text) {
        Ok(imported) => {
            // Nothing Rampart itself wrote is reported as not carried over,
            // except model-wide threats (Rampart raises those again).
            let lost: Vec<_> = imported
                .warnings
                .iter()
                .filter(|w| w.message.starts_with("tags ") || w.message.contains("attribute"))
                .cloned()
                .collect();
            assert!(lost.is_empty(), "{} import dropped:\n{}", importer.name(), render_diagnostics(&lost));
            imported.model
        }
        Err(errors) => panic!("{} import failed:\n{}", importer.name(), render_diagnostics(&errors)),
    }
}

fn assert_validates(model: &Model) {
    let kb = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let errors: Vec<Diagnostic> = validate(model, &kb.vocabulary()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render_diagnostics(&errors));
}

/// The imported model has the original's boundaries, actors, components,
/// flows and data. `Located` values compare without their positions, which
/// differ between the files.
fn assert_same_elements(model: &Model, original: &Model) {
    assert_eq!(model.name, original.name);
    assert_eq!(model.controls, original.controls);
    let boundaries = |m: &Model| {
        let boundaries = m.boundaries.iter();
        boundaries.map(|b| (b.id.clone(), b.trust, b.parent.clone(), b.controls.clone())).collect::<Vec<_>>()
    };
    assert_eq!(boundaries(model), boundaries(original));
    let actors = |m: &Model| {
        let actors = m.actors.iter();
        actors.map(|a| (a.id.clone(), a.kind.clone(), a.boundary.clone(), a.controls.clone())).collect::<Vec<_>>()
    };
    assert_eq!(actors(model), actors(original));
    let components = |m: &Model| {
        let components = m.components.iter();
        components
            .map(|c| {
                let place = (c.id.clone(), c.kind.clone(), c.boundary.clone(), c.exposure, c.technology.clone());
                let lists = [
                    c.controls.clone(),
                    c.accepts.clone(),
                    c.capabilities.clone(),
                    c.stores.clone(),
                    c.processes.clone(),
                ];
                (place, c.tags.clone(), lists)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(components(model), components(original));
    let flows = |m: &Model| {
        let flows = m.flows.iter();
        flows
            .map(|f| {
                let ends = (f.id(), f.from.clone(), f.to.clone(), f.protocol.clone());
                (ends, f.authentication, f.authorization, f.encrypted, f.data.clone(), f.controls.clone())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(flows(model), flows(original));
    let data = |m: &Model| {
        let data = m.data.iter();
        data.map(|d| (d.id.clone(), d.confidentiality, d.integrity, d.availability, d.categories.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(data(model), data(original));
}

fn targets_of<'m>(model: &'m Model, custom_threat: &str) -> Vec<&'m str> {
    let threat = model.custom_threats.iter().find(|t| t.id.value == custom_threat);
    let threat = threat.unwrap_or_else(|| panic!("no custom threat `{custom_threat}`"));
    threat.targets.iter().map(|t| t.value.as_str()).collect()
}

fn strings<'v>(value: &'v Value, pointer: &str, key: &str) -> Vec<&'v str> {
    value
        .pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| item[key].as_str())
        .collect()
}

#[test]
fn otm_export_carries_zones_components_flows_and_threats() {
    let (_, value) = exported(otm::render);
    assert_eq!(value["otmVersion"], "0.2.0");
    assert_eq!(value["project"]["name"], "Northwind outdoor store");
    assert_eq!(value["project"]["id"], "northwind-outdoor-store");
    let zones = strings(&value, "/trustZones", "id");
    assert_eq!(
        &zones[..7],
        ["cdn-edge", "production", "web-tier", "app-tier", "data-tier", "corporate", "payment-processor"]
    );
    // Actors outside every boundary need an OTM parent: an invented, marked zone.
    assert_eq!(zones.last(), Some(&"outside"));
    let components = value["components"].as_array().expect("components");
    let customer = components.iter().find(|c| c["id"] == "customer").expect("the customer actor");
    assert_eq!(customer["attributes"]["rampart:element"], "actor");
    assert_eq!(customer["parent"]["trustZone"], "outside");
    let checkout = components.iter().find(|c| c["id"] == "checkout-api").expect("checkout-api");
    assert_eq!(checkout["type"], "rest-api");
    assert_eq!(checkout["parent"]["trustZone"], "app-tier");
    let flows = strings(&value, "/dataflows", "id");
    assert!(flows.contains(&"browse") && flows.contains(&"place-order"), "{flows:?}");

    let threats = value["threats"].as_array().expect("threats");
    assert!(!threats.is_empty());
    for threat in threats {
        let likelihood = threat["risk"]["likelihood"].as_u64().expect("a likelihood");
        assert!(likelihood <= 100 && threat["risk"]["impact"].as_u64().is_some_and(|i| i <= 100));
        assert!(threat["id"].as_str().is_some_and(|id| id.contains('@')));
    }
    // Every reference names a declared threat, and every mitigation a declared mitigation.
    let threat_ids = strings(&value, "/threats", "id");
    let mitigation_ids = strings(&value, "/mitigations", "id");
    let elements = components.iter().chain(value["dataflows"].as_array().into_iter().flatten());
    let references: Vec<&Value> = elements.flat_map(|e| e["threats"].as_array().into_iter().flatten()).collect();
    assert!(!references.is_empty());
    for reference in references {
        assert!(threat_ids.contains(&reference["threat"].as_str().unwrap_or_default()));
        for mitigation in reference["mitigations"].as_array().into_iter().flatten() {
            assert!(mitigation_ids.contains(&mitigation["mitigation"].as_str().unwrap_or_default()));
            assert!(matches!(mitigation["state"].as_str(), Some("implemented" | "required")));
        }
    }
}

#[test]
fn exports_are_deterministic() {
    assert_eq!(exported(otm::render).0, exported(otm::render).0);
    assert_eq!(exported(cyclonedx::render).0, exported(cyclonedx::render).0);
}

#[test]
fn cyclonedx_export_is_a_threat_model_bom() {
    let (_, value) = exported(cyclonedx::render);
    assert_eq!(value["bomFormat"], "CycloneDX");
    assert_eq!(value["specVersion"], "1.6");
    assert!(value["serialNumber"].as_str().is_some_and(|s| s.starts_with("urn:uuid:") && s.len() == 45));
    let root = &value["components"][0];
    assert_eq!(root["type"], "threat-model");
    assert_eq!(root["name"], "Northwind outdoor store");
    let elements = root["components"].as_array().expect("elements");
    let kind_of = |reference: &str| {
        let element = elements.iter().find(|e| e["bom-ref"] == reference).expect("the element");
        let properties = element["properties"].as_array().expect("properties");
        let property = properties.iter().find(|p| p["name"] == "cdx:model:type").expect("a model type");
        property["value"].as_str().unwrap_or_default().to_string()
    };
    assert_eq!(kind_of("web-tier"), "boundary");
    assert_eq!(kind_of("customer"), "actor");
    assert_eq!(kind_of("order-db"), "datastore");
    assert_eq!(kind_of("browse"), "dataflow");

    let vulnerabilities = value["vulnerabilities"].as_array().expect("vulnerabilities");
    assert!(!vulnerabilities.is_empty());
    let refs: Vec<&str> = elements.iter().filter_map(|e| e["bom-ref"].as_str()).collect();
    for vulnerability in vulnerabilities {
        let affected = vulnerability["affects"][0]["ref"].as_str().expect("an affected ref");
        assert!(refs.contains(&affected) || affected == root["bom-ref"], "{affected} is declared");
        let state = vulnerability["analysis"]["state"].as_str().unwrap_or_default();
        assert!(["exploitable", "in_triage", "resolved", "false_positive"].contains(&state), "{state}");
    }
}

#[test]
fn otm_export_round_trips_through_the_otm_importer() {
    let (text, _) = exported(otm::render);
    let model = import_with(&Otm, &text);
    assert_same_elements(&model, &ecommerce());
    // One custom threat per rule that was raised on an element or flow, with all its targets.
    assert_eq!(model.custom_threats.len(), raised_rules(&[TargetKind::Element, TargetKind::Flow]));
    assert_eq!(targets_of(&model, "otm-weak-tls-configuration"), ["waf", "checkout-api", "identity-provider"]);
    let tls = model.custom_threats.iter().find(|t| t.id.value == "otm-weak-tls-configuration");
    let resource = tls.and_then(|t| t.source.as_ref()).and_then(|s| s.resource.as_deref());
    assert_eq!(resource, Some("weak-tls-configuration@waf"));
    assert_eq!(model.threats.len(), model.custom_threats.iter().map(|t| t.targets.len()).sum::<usize>());
    assert_validates(&model);
}

#[test]
fn cyclonedx_export_round_trips_through_the_tmbom_importer() {
    let (text, _) = exported(cyclonedx::render);
    let model = import_with(&Tmbom, &text);
    assert_same_elements(&model, &ecommerce());
    // One custom threat per rule, on every target it was raised on (model-wide ones included).
    let every_kind = [TargetKind::Element, TargetKind::Flow, TargetKind::Data, TargetKind::Model];
    assert_eq!(model.custom_threats.len(), raised_rules(&every_kind));
    assert_eq!(targets_of(&model, "tmbom-weak-tls-configuration"), ["waf", "checkout-api", "identity-provider"]);
    let tls_tracking = model.threats.iter().filter(|t| t.threat.value.starts_with("tmbom-weak-tls-configuration@"));
    assert_eq!(tls_tracking.count(), 3);
    assert_validates(&model);
}
