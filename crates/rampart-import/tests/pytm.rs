//! The pytm importer, specified by fixtures: what pytm's `--json` output
//! becomes, what it warns about, and how malformed input is reported.

use rampart_import::pytm::Pytm;
use rampart_import::{Imported, Importer};
use rampart_model::{
    Authentication, Authorization, Component, CustomThreat, Diagnostic, Exposure, Flow, Model, Rating, Status, Trust,
    validate,
};

mod common;
use common::{line_in, render, warning_at};

const CLINIC: &str = include_str!("fixtures/pytm/clinic-booking.json");

fn import(text: &str) -> Imported {
    common::import_ok(&Pytm, text)
}

fn import_errors(text: &str) -> Vec<Diagnostic> {
    common::import_errors(&Pytm, text)
}

fn component<'m>(model: &'m Model, id: &str) -> &'m Component {
    model.components.iter().find(|component| component.id.value == id).unwrap_or_else(|| panic!("no component {id}"))
}

fn flow<'m>(model: &'m Model, id: &str) -> &'m Flow {
    model.flows.iter().find(|flow| flow.id() == id).unwrap_or_else(|| panic!("no flow {id}"))
}

fn custom<'m>(model: &'m Model, id: &str) -> &'m CustomThreat {
    model.custom_threats.iter().find(|threat| threat.id.value == id).unwrap_or_else(|| panic!("no custom threat {id}"))
}

fn values(list: &[rampart_model::Located<String>]) -> Vec<&str> {
    list.iter().map(|item| item.value.as_str()).collect()
}

// --- The clinic booking fixture ----------------------------------------

#[test]
fn pytm_output_is_detected_and_other_json_is_not() {
    assert!(Pytm.detect("tm.json", CLINIC));
    assert_eq!(rampart_import::detect("tm.json", CLINIC).map(|importer| importer.name()), Some("pytm"));
    assert!(!Pytm.detect("model.json", "{\"flows\": [], \"findings\": []}"));
    assert!(!Pytm.detect("model.yaml", "flows:\n  - sink: x\n"));
}

#[test]
fn the_fixture_imports_into_a_model_valid_against_the_knowledge_base() {
    let imported = import(CLINIC);
    let model = &imported.model;
    assert_eq!(model.name, "Clinic booking");
    assert_eq!(model.boundaries.len(), 4);
    assert_eq!(model.actors.len(), 4);
    assert_eq!(model.components.len(), 3);
    assert_eq!(model.flows.len(), 5);
    assert_eq!(model.data.len(), 1);
    assert_eq!(model.custom_threats.len(), 4);
    assert_eq!(model.threats.len(), 3);
    let knowledge_base = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let errors: Vec<Diagnostic> =
        validate(model, &knowledge_base.vocabulary()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}

#[test]
fn description_and_assumptions_describe_the_model() {
    let model = import(CLINIC).model;
    let description = model.description.unwrap_or_default();
    assert!(description.starts_with("Online booking for a small clinic"));
    assert!(description.contains("- Patients book only for themselves"));
}

#[test]
fn boundaries_nest_and_the_internet_is_untrusted() {
    let model = import(CLINIC).model;
    let boundary = |id: &str| model.boundaries.iter().find(|b| b.id.value == id).unwrap_or_else(|| panic!("{id}"));
    assert_eq!(boundary("internet").trust, Trust::Untrusted);
    assert_eq!(boundary("clinic-vpc").trust, Trust::Internal);
    assert_eq!(boundary("data-tier").parent.as_ref().map(|p| p.value.as_str()), Some("clinic-vpc"));
    assert_eq!(component(&model, "appointments-db").boundary.as_ref().map(|b| b.value.as_str()), Some("data-tier"));
}

#[test]
fn element_classes_become_actors_and_catalog_types() {
    let imported = import(CLINIC);
    let model = &imported.model;
    let kind = |id: &str| model.actors.iter().find(|a| a.id.value == id).map(|a| a.kind.value.as_str());
    assert_eq!(kind("patient"), Some("user"));
    assert_eq!(kind("receptionist"), Some("administrator"));
    assert_eq!(kind("sms-gateway"), Some("external-system"));
    // Out of scope: someone else's system.
    assert_eq!(kind("insurance-export"), Some("external-system"));
    let portal = component(model, "booking-portal");
    assert_eq!((portal.kind.value.as_str(), portal.technology.as_deref()), ("web-app", Some("Ubuntu 24.04")));
    assert_eq!(component(model, "reminder-scheduler").kind.value, "aws-lambda");
    assert_eq!(component(model, "appointments-db").kind.value, "relational-database");
}

#[test]
fn control_flags_become_countermeasures() {
    let imported = import(CLINIC);
    let model = &imported.model;
    assert_eq!(values(&component(model, "booking-portal").controls), ["input-validation", "parameterized-queries"]);
    assert_eq!(values(&component(model, "appointments-db").controls), ["encryption-at-rest"]);
    warning_at(
        &imported,
        line_in(CLINIC, "\"name\": \"Booking Portal\""),
        "`isHardened` have no Rampart countermeasure",
    );
}

#[test]
fn the_portal_reached_from_the_internet_is_exposed() {
    let model = import(CLINIC).model;
    assert_eq!(component(&model, "booking-portal").exposure, Exposure::Internet);
    assert_eq!(component(&model, "appointments-db").exposure, Exposure::Internal);
}

#[test]
fn dataflows_become_flows() {
    let imported = import(CLINIC);
    let model = &imported.model;
    let request = flow(model, "request-appointment");
    assert_eq!((request.from.value.as_str(), request.to.value.as_str()), ("patient", "booking-portal"));
    assert_eq!((request.protocol.value.as_str(), request.encrypted), ("https", None));
    assert_eq!(request.description.as_deref(), Some("Port 443. TLS version TLSv12."));
    assert_eq!(values(&request.data), ["appointment-request"]);
    assert_eq!(flow(model, "save-appointment").protocol.value, "sql");
    // No protocol: a database is reached over its own.
    assert_eq!(flow(model, "load-due-reminders").protocol.value, "sql");
    let edit = flow(model, "edit-calendar");
    assert_eq!((edit.authentication, edit.authorization), (Authentication::Oauth2, Authorization::RoleBased));
    let reminder = flow(model, "send-reminder-text");
    assert_eq!(reminder.protocol.value, "tcp");
    let line = line_in(CLINIC, "\"name\": \"Send reminder text\"");
    warning_at(&imported, line, "protocol `SMPP`, which Rampart has no term for");
}

#[test]
fn a_response_is_folded_into_its_request() {
    let imported = import(CLINIC);
    assert!(imported.model.flows.iter().all(|flow| flow.id() != "saved-appointment"));
    let line = line_in(CLINIC, "\"name\": \"Saved appointment\"");
    warning_at(&imported, line, "folded into request flow `save-appointment`");
}

#[test]
fn data_is_rated_and_linked_to_what_handles_it() {
    let model = import(CLINIC).model;
    let data = &model.data[0];
    assert_eq!(data.id.value, "appointment-request");
    assert_eq!(values(&data.categories), ["pii"]);
    assert_eq!(data.confidentiality, Rating::High);
    assert_eq!(values(&component(&model, "appointments-db").stores), ["appointment-request"]);
    assert_eq!(values(&component(&model, "booking-portal").processes), ["appointment-request"]);
    assert_eq!(values(&flow(&model, "save-appointment").data), ["appointment-request"]);
}

#[test]
fn findings_become_one_custom_threat_per_pytm_rule() {
    let model = import(CLINIC).model;
    let overflow = custom(&model, "pytm-inp02");
    assert_eq!(overflow.title, "Overflow Buffers");
    assert_eq!(values(&overflow.targets), ["booking-portal", "reminder-scheduler"]);
    assert_eq!((overflow.likelihood(), overflow.impact()), (4, 4));
    assert_eq!((overflow.cwe.as_slice(), overflow.capec.as_slice()), (&[120][..], &[100][..]));
    assert_eq!(overflow.mitigations, ["Use a language or compiler that performs automatic bounds checking."]);
    assert!(overflow.description.as_deref().unwrap_or_default().starts_with("Buffer overflow through long booking"));
    let source = overflow.source.as_ref().expect("source");
    assert_eq!(source.resource.as_deref(), Some("INP02"));
    assert_eq!(source.line, Some(line_in(CLINIC, "\"threat_id\": \"INP02\"")));
    assert_eq!((custom(&model, "pytm-ds06").likelihood(), custom(&model, "pytm-ds06").impact()), (5, 5));
    // On a flow; and on a response flow, which is now its request.
    assert_eq!(values(&custom(&model, "pytm-de01").targets), ["request-appointment"]);
    assert_eq!(values(&custom(&model, "pytm-de02").targets), ["save-appointment"]);
}

#[test]
fn finding_responses_become_tracking_entries() {
    let model = import(CLINIC).model;
    let entry = |threat: &str| model.threats.iter().find(|t| t.threat.value == threat);
    assert_eq!(entry("pytm-inp02@booking-portal").map(|e| e.status), Some(Status::Mitigated));
    // No response written: not tracked.
    assert!(entry("pytm-inp02@reminder-scheduler").is_none());
    assert!(entry("pytm-de01@request-appointment").is_none());
    let accepted = entry("pytm-ds06@appointments-db").expect("accepted entry");
    assert_eq!(
        (accepted.status, accepted.justification.as_deref()),
        (Status::Accepted, Some("Marked accepted in pytm"))
    );
    let transferred = entry("pytm-de02@save-appointment").expect("transferred entry");
    assert_eq!(transferred.status, Status::Accepted);
    assert!(transferred.justification.as_deref().unwrap_or_default().contains("transferred"));
}

#[test]
fn excluded_findings_and_unknown_classes_are_warnings() {
    let text = CLINIC
        .replacen(
            "\"excluded_findings\": []",
            "\"excluded_findings\": [{\"threat_id\": \"AC01\", \"target\": \"Patient\"}]",
            1,
        )
        .replacen("\"__class__\": \"Process\"", "\"__class__\": \"Queue\"", 1)
        .replacen("\"inScope\": false", "\"inScope\": true", 1);
    let imported = import(&text);
    assert!(imported.warnings.iter().any(|w| w.message.contains("1 finding(s) excluded in pytm")));
    let line = line_in(&text, "\"__class__\": \"Queue\"");
    warning_at(&imported, line, "pytm class `Queue` of `Insurance Export` is not known");
    assert_eq!(component(&imported.model, "insurance-export").kind.value, "service");
}

#[test]
#[ignore = "reads the third-party samples in /work/shared/samples; run with --ignored where they exist"]
fn other_tools_json_samples_are_not_taken_for_pytm() {
    let samples = ["threat-dragon", "threat-composer", "iac"].map(|dir| format!("/work/shared/samples/{dir}"));
    for dir in samples {
        let entries =
            std::fs::read_dir(&dir).unwrap_or_else(|error| panic!("cannot list the samples in {dir}: {error}"));
        for path in entries.flatten().map(|entry| entry.path()) {
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let name = path.to_string_lossy();
            assert!(!Pytm.detect(&name, &text), "{name} detected as pytm");
            assert!(!rampart_import::tmt::Tmt.detect(&name, &text), "{name} detected as tmt");
        }
    }
}

// --- Malformed input ---------------------------------------------------

#[test]
fn text_that_is_not_json_is_an_error_at_the_start() {
    let errors = import_errors("name: not pytm\nflows: []\n");
    assert_eq!((errors[0].at.line, errors[0].at.column), (1, 1));
    assert!(errors[0].message.contains("expected pytm's JSON output"), "{}", errors[0].message);
}

#[test]
fn broken_json_is_an_error_at_its_line() {
    let text = "{\n  \"name\": \"x\",\n  \"flows\": [\n    {\"name\": \"a\",, }\n  ]\n}\n";
    let errors = import_errors(text);
    assert_eq!(errors[0].at.line, 4, "{}", render(&errors));
}

#[test]
fn a_value_of_the_wrong_type_is_an_error_at_its_line() {
    let text = CLINIC.replacen("\"dstPort\": 443", "\"dstPort\": \"https\"", 1);
    let errors = import_errors(&text);
    assert_eq!(errors[0].at.line, line_in(CLINIC, "\"dstPort\": 443"), "{}", render(&errors));
}

#[test]
fn an_element_without_name_is_an_error() {
    let text = "{\n  \"flows\": [],\n  \"actors\": [\n    {\"__class__\": \"Actor\", \"isAdmin\": false}\n  ]\n}\n";
    let errors = import_errors(text);
    assert!(errors[0].message.contains("name"), "{}", render(&errors));
    assert_eq!(errors[0].at.line, 4, "{}", render(&errors));
}

#[test]
fn a_flow_to_an_unknown_element_is_an_error_at_the_reference() {
    let text = CLINIC.replacen("\"sink\": \"SMS Gateway\"", "\"sink\": \"Pager Service\"", 1);
    let errors = import_errors(&text);
    assert_eq!(errors.len(), 1, "{}", render(&errors));
    assert!(errors[0].message.contains("sink `Pager Service` is not an actor or asset of the model"));
    assert_eq!(errors[0].at.line, line_in(CLINIC, "\"sink\": \"SMS Gateway\""));
}

#[test]
fn a_finding_on_an_unknown_target_is_an_error() {
    let text = CLINIC.replacen("\"target\": \"Appointments DB\"", "\"target\": \"Old DB\"", 1);
    let errors = import_errors(&text);
    assert!(errors[0].message.contains("finding `DS06` targets `Old DB`"), "{}", render(&errors));
    assert_eq!(errors[0].at.line, line_in(CLINIC, "\"target\": \"Appointments DB\""));
}

#[test]
fn an_element_in_an_unknown_boundary_is_an_error() {
    let text = CLINIC.replacen("\"inBoundary\": \"Data Tier\"", "\"inBoundary\": \"Vault Zone\"", 1);
    let errors = import_errors(&text);
    assert!(errors.iter().any(|e| e.message.contains("boundary `Vault Zone`")), "{}", render(&errors));
}

#[test]
fn truncated_files_never_panic() {
    for end in (0..CLINIC.len()).step_by(61).filter(|&end| CLINIC.is_char_boundary(end)) {
        let _ = Pytm.import(&CLINIC[..end]);
    }
    let _ = Pytm.import("{\"flows\": [{\"name\": \"a\", \"source\": null, \"sink\": []}]}");
    let _ = Pytm.import("{\"findings\": [{\"threat_id\": \"\"}], \"elements\": [[]]}");
}
