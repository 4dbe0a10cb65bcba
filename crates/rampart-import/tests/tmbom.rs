//! The CycloneDX TM-BOM importer, specified by a fixture: what a threat-model
//! BOM becomes, what it warns about, and how malformed input is reported.

use rampart_import::tmbom::Tmbom;
use rampart_import::{Imported, Importer};
use rampart_model::{Diagnostic, Status, Trust};

mod common;
use common::{assert_validates, line_in as line_of, render, warning_at};

const LOCKERS: &str = include_str!("fixtures/tmbom/parcel-lockers.cdx.json");
/// A third-party sample kept on development machines; the test that reads it is ignored by default.
const SAMPLE: &str = "/work/shared/samples/threat-dragon/tmbom-pytm-example.cdx.json";

fn import(text: &str) -> Imported {
    common::import_ok(&Tmbom, text)
}

fn import_errors(text: &str) -> Vec<Diagnostic> {
    common::import_errors(&Tmbom, text)
}

fn values(items: &[rampart_model::Located<String>]) -> Vec<&str> {
    items.iter().map(|item| item.value.as_str()).collect()
}

#[test]
fn detects_threat_model_boms_but_not_plain_sboms() {
    assert!(Tmbom.detect("x.cdx.json", LOCKERS));
    let sbom =
        r#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library", "name": "serde"}]}"#;
    assert!(!Tmbom.detect("sbom.json", sbom));
    assert_eq!(rampart_import::detect("x.json", LOCKERS).map(|importer| importer.name()), Some("tm-bom"));
}

#[test]
fn elements_become_boundaries_actors_and_components() {
    let imported = import(LOCKERS);
    let model = &imported.model;
    assert_eq!(model.name, "Parcel locker network");
    let boundaries: Vec<(&str, Trust)> = model.boundaries.iter().map(|b| (b.id.value.as_str(), b.trust)).collect();
    // A UUID bom-ref gives way to the name.
    assert_eq!(boundaries, [("street", Trust::Internal), ("depot-net", Trust::Restricted)]);
    let courier = &model.actors[0];
    assert_eq!((courier.id.value.as_str(), courier.kind.value.as_str()), ("courier", "user"));
    assert_eq!(courier.boundary.as_ref().map(|b| b.value.as_str()), Some("street"));
    let components: Vec<(&str, &str, Option<&str>)> = model
        .components
        .iter()
        .map(|c| (c.id.value.as_str(), c.kind.value.as_str(), c.boundary.as_ref().map(|b| b.value.as_str())))
        .collect();
    assert_eq!(
        components,
        [
            ("locker-controller", "web-app", Some("street")),
            ("ledger", "relational-database", Some("depot-net")),
            ("photos", "document-database", Some("depot-net")),
            ("expiry-job", "aws-lambda", Some("depot-net")),
            ("billing-host", "service", Some("depot-net")),
        ]
    );
    assert_eq!(model.components[0].technology.as_deref(), Some("Embedded Linux"));
    warning_at(&imported, line_of(LOCKERS, "\"bom-ref\": \"locker-controller\""), "cdx:model:isHardened=false");
    warning_at(&imported, line_of(LOCKERS, "\"bom-ref\": \"photos\""), "out of scope");
    warning_at(&imported, line_of(LOCKERS, "\"value\": \"mainframe-partition\""), "generic `service`");
    warning_at(&imported, line_of(LOCKERS, "\"name\": \"serde\""), "not part of the threat model");
}

#[test]
fn dataflows_become_flows() {
    let imported = import(LOCKERS);
    let flows: Vec<(String, &str, &str, &str, Option<bool>)> = imported
        .model
        .flows
        .iter()
        .map(|f| (f.id(), f.from.value.as_str(), f.to.value.as_str(), f.protocol.value.as_str(), f.encrypted))
        .collect();
    assert_eq!(
        flows,
        [
            ("drop-off".to_string(), "courier", "locker-controller", "https", None),
            ("record-drop".to_string(), "locker-controller", "ledger", "sql", Some(true)),
            ("expire-parcels".to_string(), "expiry-job", "ledger", "https", None),
        ]
    );
    let drop_off = &imported.model.flows[0];
    assert!(drop_off.description.as_deref().is_some_and(|d| d.contains("Parcel barcode")));
    warning_at(&imported, line_of(LOCKERS, "\"bom-ref\": \"drop-off\""), "cdx:model:dataflow:port:destination=443");
    warning_at(&imported, line_of(LOCKERS, "Carrier-Pigeon"), "`https` is assumed");
}

#[test]
fn vulnerabilities_become_custom_threats_with_tracking() {
    let model = import(LOCKERS).model;
    let threats: Vec<(&str, &str, Vec<&str>, u8, u8)> = model
        .custom_threats
        .iter()
        .map(|t| (t.id.value.as_str(), t.title.as_str(), values(&t.targets), t.likelihood(), t.impact()))
        .collect();
    assert_eq!(
        threats,
        [
            ("tmbom-lock-1", "Locker codes can be replayed", vec!["locker-controller", "drop-off"], 4, 4),
            ("tmbom-lock-2", "Ledger rows edited by insiders", vec!["ledger"], 3, 3),
            ("tmbom-lock-3", "Photos kept longer than allowed", vec!["photos"], 2, 2),
            ("tmbom-lock-4", "Depot power loss stops every locker", vec![], 5, 5),
        ]
    );
    let replay = &model.custom_threats[0];
    assert_eq!(replay.cwe, [294]);
    assert_eq!(replay.mitigations, ["Make codes single-use.", "Expire codes after pick-up."]);
    assert_eq!(replay.source.as_ref().and_then(|s| s.resource.as_deref()), Some("LOCK-1"));
    let tracking: Vec<(&str, Status, Option<&str>)> =
        model.threats.iter().map(|t| (t.threat.value.as_str(), t.status, t.justification.as_deref())).collect();
    assert_eq!(
        tracking,
        [
            ("tmbom-lock-1@locker-controller", Status::Open, None),
            ("tmbom-lock-1@drop-off", Status::Open, None),
            ("tmbom-lock-2@ledger", Status::FalsePositive, Some("The ledger is append-only.")),
            ("tmbom-lock-3@photos", Status::Accepted, Some("Marked will_not_fix in the TM-BOM")),
            ("tmbom-lock-4@model", Status::InProgress, None),
        ]
    );
}

#[test]
fn imported_model_validates_against_the_knowledge_base() {
    assert_validates(&import(LOCKERS).model);
}

// --- Malformed input ----------------------------------------------------

#[test]
fn text_that_is_not_json_is_an_error_with_a_position() {
    let errors = import_errors("{\"bomFormat\": \"CycloneDX\",\n \"components\": [{\"type\": ");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].at.line >= 2, "{}", render(&errors));
}

#[test]
fn a_field_of_the_wrong_type_is_an_error_at_its_line() {
    let text = LOCKERS.replace("\"cwes\": [294]", "\"cwes\": [\"two hundred\"]");
    let errors = import_errors(&text);
    assert_eq!(errors[0].at.line, line_of(&text, "two hundred"), "{}", render(&errors));
    let explained = format!("{} {}", errors[0].message, errors[0].help.as_deref().unwrap_or_default());
    assert!(explained.contains("expected"), "{}", render(&errors));
}

#[test]
fn a_missing_required_field_is_an_error_naming_it() {
    let text = LOCKERS.replace("\"name\": \"Courier\",", "");
    let errors = import_errors(&text);
    assert!(errors[0].message.contains("missing field `name`"), "{}", render(&errors));
    assert!(errors[0].at.line > 0);
}

#[test]
fn dangling_references_are_errors_at_the_reference() {
    let text = LOCKERS
        .replace("{\"ref\": \"photos\"}", "{\"ref\": \"photo-store\"}")
        .replace("\"value\": \"expiry-job\"}", "\"value\": \"expiry-robot\"}");
    let errors = import_errors(&text);
    for (needle, fragment) in [
        ("\"photo-store\"", "`photo-store` is not the bom-ref"),
        ("\"expiry-robot\"", "`expiry-robot` is not the bom-ref"),
    ] {
        let line = line_of(&text, needle);
        assert!(
            errors.iter().any(|e| e.at.line == line && e.message.contains(fragment)),
            "no error at line {line} with {fragment:?}:\n{}",
            render(&errors)
        );
    }
}

#[test]
fn a_dataflow_without_an_end_is_an_error() {
    let destination = "{\"name\": \"cdx:model:dataflow:destination\", \"value\": \"ledger\"},";
    let text = LOCKERS.replacen(destination, "", 1);
    let errors = import_errors(&text);
    assert!(
        errors.iter().any(|e| e.at.line == line_of(&text, "\"bom-ref\": \"record-drop\"")
            && e.message.contains("no `cdx:model:dataflow:destination`")),
        "{}",
        render(&errors)
    );
}

#[test]
fn never_panics_on_truncated_input() {
    for end in (0..LOCKERS.len()).step_by(5) {
        if let Some(prefix) = LOCKERS.get(..end) {
            let _ = Tmbom.import(prefix);
        }
    }
}

// --- Sample ---------------------------------------------------

#[test]
#[ignore = "reads the third-party samples in /work/shared/samples; run with --ignored where they exist"]
fn sample_imports_and_validates() {
    let text =
        std::fs::read_to_string(SAMPLE).unwrap_or_else(|error| panic!("cannot read the sample {SAMPLE}: {error}"));
    assert!(Tmbom.detect(SAMPLE, &text));
    let imported = import(&text);
    eprintln!(
        "{SAMPLE}: {} boundaries, {} actors, {} components, {} flows, {} custom threats, {} warnings",
        imported.model.boundaries.len(),
        imported.model.actors.len(),
        imported.model.components.len(),
        imported.model.flows.len(),
        imported.model.custom_threats.len(),
        imported.warnings.len()
    );
    for warning in &imported.warnings {
        eprintln!("  {warning}");
    }
    assert_eq!(imported.model.flows.len(), 5);
    assert_validates(&imported.model);
}

#[test]
fn services_and_a_wrong_bom_format_are_reported() {
    let text = "{\"bomFormat\": \"CycloneDX\",\n \"components\": [{\"type\": \"threat-model\", \"name\": \"System\", \"components\": []}],\n \"services\": [{\"name\": \"payments\"}]}";
    let imported = import(text);
    warning_at(&imported, 3, "services `payments` are not imported");
    let errors = import_errors(&text.replace("\"CycloneDX\"", "\"SPDX\""));
    assert!(errors.iter().any(|e| e.at.line == 1 && e.message.contains("expected `CycloneDX`")), "{}", render(&errors));
}
