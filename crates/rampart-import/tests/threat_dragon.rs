//! The Threat Dragon importer, specified by a fixture: what a Threat Dragon
//! v2 model becomes, what it warns about, and how malformed input is reported.

use rampart_import::threat_dragon::ThreatDragon;
use rampart_import::{Imported, Importer};
use rampart_model::{Diagnostic, Exposure, Model, Position, Status, Vocabulary, validate};

mod common;
use common::{line_in, render, warning_at};

const CLINIC: &str = include_str!("fixtures/threat_dragon/clinic-booking.json");

/// Threat Dragon's own sample models, where development machines keep them.
const SAMPLES: &str = "/work/shared/samples/threat-dragon";

fn import(text: &str) -> Imported {
    common::import_ok(&ThreatDragon, text)
}

fn single_error(text: &str) -> Diagnostic {
    common::single_error(&ThreatDragon, text)
}

fn ids<T>(items: &[T], id: impl Fn(&T) -> String) -> Vec<String> {
    items.iter().map(id).collect()
}

fn tracked(model: &Model, threat: &str) -> Status {
    let entry = model.threats.iter().find(|entry| entry.threat.value == threat);
    entry.unwrap_or_else(|| panic!("{threat} is not tracked")).status
}

#[test]
fn the_fixture_imports_into_a_model_the_knowledge_base_validates() {
    let imported = import(CLINIC);
    let model = &imported.model;
    assert_eq!(model.name, "Clinic Booking");
    let description = model.description.as_deref().unwrap_or_default();
    assert!(description.starts_with("Patients book and pay"), "{description}");
    assert!(description.contains("Owner: Booking team. Reviewer: Security guild. Contributors: Ada, Grace."));
    assert!(description.contains("Card data never touches our servers."));
    assert_eq!(ids(&model.boundaries, |b| b.id.value.clone()), ["clinic-network", "data-zone"]);
    assert_eq!(ids(&model.actors, |a| a.id.value.clone()), ["patient", "payment-provider", "clinic-admin"]);
    assert_eq!(
        ids(&model.components, |c| c.id.value.clone()),
        ["booking-front", "booking-api", "appointments-db", "audit-trail", "booking-api-admin"]
    );
    assert_eq!(
        ids(&model.flows, |f| f.id()),
        ["book-visit", "booking-front-to-booking-api", "store-booking", "charge-card", "manage-schedule"]
    );
    assert_eq!(model.custom_threats.len(), 6);
    assert_eq!(model.threats.len(), 7);

    let knowledge_base = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let errors: Vec<Diagnostic> =
        validate(model, &knowledge_base.vocabulary()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
    let errors: Vec<Diagnostic> =
        validate(model, &Vocabulary::default()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}

#[test]
fn actors_get_kinds_from_their_names() {
    let model = import(CLINIC).model;
    let kinds: Vec<(&str, &str)> =
        model.actors.iter().map(|actor| (actor.id.value.as_str(), actor.kind.value.as_str())).collect();
    assert_eq!(
        kinds,
        [("patient", "user"), ("payment-provider", "payment-processor"), ("clinic-admin", "administrator")]
    );
    assert_eq!(model.actors[0].name.as_deref(), Some("Patient"));
    assert_eq!(model.actors[1].name.as_deref(), Some("Payment Provider"), "line breaks in names become spaces");
    assert!(model.actors.iter().all(|actor| actor.boundary.is_none()));
}

#[test]
fn processes_and_stores_become_components_of_catalog_types() {
    let model = import(CLINIC).model;
    let component = |id: &str| model.components.iter().find(|c| c.id.value == id).expect(id);
    let front = component("booking-front");
    assert_eq!(front.kind.value, "web-app");
    assert_eq!(front.exposure, Exposure::Internet, "reached by a flow over a public network");
    assert_eq!(front.capabilities[0].value, "payment-processing");
    assert_eq!(front.description.as_deref(), Some("Runs with privilege level: www-data."));
    assert_eq!(front.source.as_ref().and_then(|source| source.resource.as_deref()), Some("web"));
    assert_eq!(front.source.as_ref().and_then(|source| source.line), Some(line_in(CLINIC, "\"id\": \"web\"")));
    let api = component("booking-api");
    assert_eq!((api.kind.value.as_str(), api.exposure), ("rest-api", Exposure::Internal));
    let db = component("appointments-db");
    assert_eq!(db.kind.value, "relational-database");
    assert_eq!(db.controls[0].value, "encryption-at-rest");
    let audit = component("audit-trail");
    assert_eq!(audit.kind.value, "file-share");
    assert_eq!(audit.tags, ["out-of-scope", "log"]);
    assert_eq!(audit.description.as_deref(), Some("Out of scope in Threat Dragon: Run by the hosting provider"));
    assert_eq!(audit.stores[0].value, "audit-trail-credentials");
    assert_eq!(model.data[0].categories[0].value, "credentials");
}

#[test]
fn boundary_boxes_hold_what_is_drawn_inside_them() {
    let model = import(CLINIC).model;
    assert_eq!(model.boundaries[0].name.as_deref(), Some("Clinic Network"));
    assert_eq!(model.boundaries[0].description.as_deref(), Some("The clinic's hosting account."));
    assert_eq!(model.boundaries[1].parent.as_ref().map(|p| p.value.as_str()), Some("clinic-network"));
    let boundary = |id: &str| {
        let component = model.components.iter().find(|c| c.id.value == id).expect(id);
        component.boundary.as_ref().map(|b| b.value.clone())
    };
    assert_eq!(boundary("booking-front").as_deref(), Some("clinic-network"));
    assert_eq!(boundary("audit-trail").as_deref(), Some("clinic-network"));
    assert_eq!(boundary("appointments-db").as_deref(), Some("data-zone"), "the smallest enclosing box wins");
    assert_eq!(boundary("booking-api-admin"), None, "boxes hold elements of their own diagram only");
}

#[test]
fn flows_carry_protocol_encryption_and_notes() {
    let model = import(CLINIC).model;
    let flow = |id: &str| model.flows.iter().find(|f| f.id() == id).expect(id);
    let book = flow("book-visit");
    assert_eq!((book.from.value.as_str(), book.to.value.as_str()), ("patient", "booking-front"));
    assert_eq!((book.protocol.value.as_str(), book.encrypted), ("https", Some(true)));
    assert_eq!(book.description.as_deref(), Some("Crosses a public network."));
    let call = flow("booking-front-to-booking-api");
    assert_eq!((call.protocol.value.as_str(), call.encrypted), ("grpc", None));
    assert!(call.description.as_deref().unwrap_or_default().contains("Bidirectional"));
    assert_eq!(flow("store-booking").protocol.value, "sql", "a database's wire protocol when none is given");
    assert_eq!(flow("charge-card").protocol.value, "https");
    assert_eq!(flow("manage-schedule").to.value, "booking-api-admin", "ends resolve within their own diagram");
}

#[test]
fn threats_become_custom_threats_with_tracking() {
    let model = import(CLINIC).model;
    let custom = |id: &str| model.custom_threats.iter().find(|t| t.id.value == id).expect(id);
    let disclosed = custom("td-booking-records-disclosed");
    assert_eq!(disclosed.title, "Booking records disclosed");
    assert_eq!(disclosed.targets[0].value, "appointments-db");
    assert_eq!(disclosed.stride[0].value, "information-disclosure");
    assert_eq!((disclosed.likelihood(), disclosed.impact()), (4, 4));
    assert_eq!(disclosed.mitigations, ["Encrypt backups with a key held outside the clinic account."]);
    let source = disclosed.source.as_ref().expect("a source");
    assert_eq!(source.resource.as_deref(), Some("t-disclosed"));
    assert_eq!(source.line, Some(line_in(CLINIC, "\"title\": \"Booking records disclosed\"")));

    let wiped = custom("td-bookings-wiped");
    assert_eq!((wiped.stride[0].value.as_str(), wiped.likelihood()), ("tampering", 5));
    let description = wiped.description.as_deref().unwrap_or_default();
    assert!(description.contains("Threat Dragon type: Integrity.") && description.contains("score: 9.1"));
    assert!(custom("td-visits-can-be-linked-across-clinics").stride.is_empty());
    assert_eq!(custom("td-session-hijacking").targets[0].value, "book-visit");

    let shared = custom("td-internal-traffic-in-clear-text");
    let targets: Vec<&str> = shared.targets.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(targets, ["booking-front-to-booking-api", "store-booking"], "the same threat on two flows is one");

    assert_eq!(tracked(&model, "td-forged-booking-requests@booking-api"), Status::Mitigated);
    assert_eq!(tracked(&model, "td-booking-records-disclosed@appointments-db"), Status::Open);
    assert_eq!(tracked(&model, "td-internal-traffic-in-clear-text@store-booking"), Status::Mitigated);
    assert_eq!(tracked(&model, "td-internal-traffic-in-clear-text@booking-front-to-booking-api"), Status::Open);
    assert_eq!(tracked(&model, "td-bookings-wiped@appointments-db"), Status::FalsePositive);
    let not_applicable = model.threats.iter().find(|t| t.threat.value == "td-session-hijacking@book-visit");
    let justification = not_applicable.and_then(|t| t.justification.as_deref());
    assert_eq!(justification, Some("Marked not applicable in Threat Dragon"));
}

#[test]
fn what_rampart_cannot_carry_is_a_warning_at_its_line() {
    let imported = import(CLINIC);
    warning_at(&imported, line_in(CLINIC, "\"id\": \"audit\""), "out of scope");
    warning_at(
        &imported,
        line_in(CLINIC, "\"id\": \"f-charge\""),
        "protocol `Carrier pigeon` is not one Rampart knows",
    );
    warning_at(&imported, line_in(CLINIC, "\"id\": \"f-loose\""), "not connected at its target");
    warning_at(&imported, line_in(CLINIC, "\"id\": \"curve\""), "trust boundary curve `Internet edge`");
    warning_at(&imported, line_in(CLINIC, "\"title\": \"Visits can be linked"), "`Linkability` (LINDDUN)");
    assert_eq!(imported.warnings.len(), 5, "{}", render(&imported.warnings));
}

#[test]
fn the_format_is_detected_by_its_keys() {
    assert!(ThreatDragon.detect("model.json", CLINIC));
    assert!(!ThreatDragon.detect("model.json", r#"{"schema": 1, "threats": [], "applicationInfo": {}}"#));
    assert!(!ThreatDragon.detect("threagile.yaml", "threagile_version: 1.0.0\ntitle: x\n"));
    assert_eq!(rampart_import::detect("m.json", CLINIC).map(|importer| importer.name()), Some("threat-dragon"));
}

#[test]
fn unnamed_models_and_elements_get_names() {
    let text = r#"{"version": "2.0", "detail": {"diagrams": [{"cells": [
        {"id": "p", "shape": "process", "data": {"name": ""}}]}]}}"#;
    let imported = import(text);
    assert_eq!(imported.model.name, "Threat Dragon model");
    assert_eq!(imported.model.components[0].id.value, "process");
    assert_eq!(imported.model.components[0].kind.value, "service");
    warning_at(&imported, 2, "suggests no catalog type");
}

// --- Malformed input ----------------------------------------------------

#[test]
fn text_that_is_not_json_is_an_error() {
    let error = single_error("summary: not json\n");
    assert_eq!(error.at, Position::new(1, 1));
    assert!(error.message.contains("expected a JSON object"), "{}", error.message);
    let error = single_error("{\"version\": \"2.0\",\n \"detail\": {\"diagrams\": [\n");
    assert!(error.at.line >= 2, "{error}");
}

#[test]
fn a_wrong_type_is_an_error_at_its_value() {
    let text = CLINIC.replace(
        "\"isEncrypted\": true,\n              \"storesCredentials\"",
        "\"isEncrypted\": \"yes\",\n              \"storesCredentials\"",
    );
    assert_ne!(text, CLINIC);
    let error = single_error(&text);
    assert_eq!(error.at.line, line_in(&text, "\"isEncrypted\": \"yes\""));
    assert!(error.message.contains("invalid type"), "{}", error.message);
}

#[test]
fn a_missing_required_field_is_an_error() {
    let error = single_error(r#"{"version": "2.0", "summary": {"title": "x"}}"#);
    assert!(error.message.contains("missing field `detail`"), "{}", error.message);
    assert!(error.at.is_known());
    let text =
        "{\"version\": \"2.0\", \"detail\": {\"diagrams\": [{\"cells\": [\n  {\"id\": \"a\", \"data\": {}}\n]}]}}";
    let error = single_error(text);
    assert!(error.message.contains("missing field `shape`"), "{}", error.message);
    assert_eq!(error.at.line, 2);
}

#[test]
fn a_flow_to_a_missing_cell_is_an_error_at_the_reference() {
    let text = CLINIC.replace("\"target\": { \"cell\": \"payments\" }", "\"target\": { \"cell\": \"ghost\" }");
    let error = single_error(&text);
    assert_eq!(error.at.line, line_in(&text, "\"ghost\""));
    assert!(
        error.message.contains("flow `Charge card` has target cell `ghost`, which is not in diagram `Booking flow`")
    );
}

#[test]
fn a_version_1_model_is_refused_with_help() {
    let text = "{\"summary\": {\"title\": \"old\"}, \"detail\": {\"diagrams\": [\n \
                {\"title\": \"Main\", \"diagramJson\": {\"cells\": []}}]}}";
    let error = single_error(text);
    assert_eq!(error.at.line, 2);
    assert!(error.message.contains("version 1 format"), "{}", error.message);
    assert!(error.help.as_deref().unwrap_or_default().contains("Threat Dragon 2"));
}

#[test]
fn duplicate_cell_ids_are_an_error() {
    let text = "{\"detail\": {\"diagrams\": [{\"cells\": [\n{\"id\": \"a\", \"shape\": \"actor\"},\n\
                {\"id\": \"a\", \"shape\": \"process\"}]}]}}";
    let error = single_error(text);
    assert_eq!(error.at.line, 3);
    assert!(error.message.contains("cell id `a` is used twice"), "{}", error.message);
}

#[test]
fn no_input_makes_the_importer_panic() {
    let check = |text: &str| {
        if let Err(errors) = ThreatDragon.import(text) {
            assert!(errors.iter().any(Diagnostic::is_error), "failure without an error: {}", render(&errors));
        }
    };
    for cut in (0..CLINIC.len()).step_by(23).filter(|cut| CLINIC.is_char_boundary(*cut)) {
        check(&CLINIC[..cut]);
    }
    let lines: Vec<&str> = CLINIC.lines().collect();
    for skip in 0..lines.len() {
        let text: String =
            lines.iter().enumerate().filter(|(index, _)| *index != skip).map(|(_, line)| format!("{line}\n")).collect();
        check(&text);
    }
    for text in ["", "{}", "[]", "{\"detail\": 5}", "{\"detail\": {\"diagrams\": [{\"cells\": null}]}}", "\u{feff}{"] {
        check(text);
    }
    let odd = r#"{"detail": {"diagrams": [{"cells": [{"id": "b", "shape": "trust-boundary-box",
        "position": {"x": 1e308, "y": -1e308}, "size": {"width": 1e308, "height": -0.0}},
        {"id": "@@", "shape": "store", "position": {"x": 0, "y": 0}},
        {"id": "f", "shape": "flow", "source": {"cell": "f"}, "target": {"cell": "b"}}]}]}}"#;
    check(odd);
}

// --- Threat Dragon's own samples ------------------------------------------

/// The text of a sample; a missing sample fails the (ignored by default) test that asked for it.
fn sample(name: &str) -> String {
    let path = format!("{SAMPLES}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read the sample {path}: {error}"))
}

fn assert_valid(model: &Model) {
    let knowledge_base = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let errors: Vec<Diagnostic> =
        validate(model, &knowledge_base.vocabulary()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}

#[test]
#[ignore = "reads the third-party samples in /work/shared/samples; run with --ignored where they exist"]
fn threat_dragons_demo_model_imports_completely() {
    let text = sample("v2-threat-model.json");
    let imported = import(&text);
    let model = &imported.model;
    assert_eq!(model.name, "Demo Threat Model");
    assert_eq!((model.actors.len(), model.components.len(), model.flows.len()), (1, 6, 10));
    assert_eq!(model.threats.len(), 14);
    let curves = imported.warnings.iter().filter(|w| w.message.contains("trust boundary curve")).count();
    assert_eq!(curves, 3);
    assert_valid(model);
}

#[test]
#[ignore = "reads the third-party samples in /work/shared/samples; run with --ignored where they exist"]
fn the_cryptocurrency_wallet_sample_imports_completely() {
    let text = sample("cryptocurrency-wallet.json");
    let model = import(&text).model;
    assert_eq!(model.boundaries.len(), 1);
    assert_eq!((model.actors.len(), model.components.len(), model.flows.len()), (2, 13, 17));
    assert_eq!(model.custom_threats[0].stride[0].value, "tampering", "a CIA `Integrity` threat");
    assert_valid(&model);
}

#[test]
#[ignore = "reads the third-party samples in /work/shared/samples; run with --ignored where they exist"]
fn other_tools_files_are_not_taken_for_threat_dragon_or_threat_composer() {
    let root = "/work/shared/samples";
    let directories =
        std::fs::read_dir(root).unwrap_or_else(|error| panic!("cannot list the samples in {root}: {error}"));
    let mut recognised = Vec::new();
    for directory in directories.flatten() {
        for file in std::fs::read_dir(directory.path()).into_iter().flatten().flatten() {
            let path = file.path();
            let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default().to_string();
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let detected = rampart_import::detect(&name, &text).map(|importer| importer.name());
            let expected = if name.ends_with(".tc.json") {
                Some("threat-composer")
            } else if name == "v2-threat-model.json" || name == "cryptocurrency-wallet.json" {
                Some("threat-dragon")
            } else {
                None
            };
            match expected {
                Some(expected) => {
                    assert_eq!(detected, Some(expected), "{name}");
                    recognised.push(name);
                }
                None => assert!(!matches!(detected, Some("threat-dragon" | "threat-composer")), "{name}: {detected:?}"),
            }
        }
    }
    // The two tools' own samples must be among the files, or the test checked nothing.
    recognised.sort();
    let expected =
        ["GenAIChatbot.tc.json", "ThreatComposer.tc.json", "cryptocurrency-wallet.json", "v2-threat-model.json"];
    assert_eq!(recognised, expected, "the Threat Dragon and Threat Composer samples under {root}");
}
