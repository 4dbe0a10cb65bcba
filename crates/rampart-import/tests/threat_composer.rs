//! The Threat Composer importer, specified by a fixture: what a workspace
//! export becomes, what it warns about, and how malformed input is reported.

use rampart_import::threat_composer::ThreatComposer;
use rampart_import::{Imported, Importer};
use rampart_model::{CustomThreat, Diagnostic, Model, Position, Rating, Status, Vocabulary, validate};

mod common;
use common::{line_in, render, warning_at};

const PET_CLINIC: &str = include_str!("fixtures/threat_composer/pet-clinic.tc.json");

/// Threat Composer's own example workspaces, where development machines keep them.
const SAMPLES: &str = "/work/shared/samples/threat-composer";

fn import(text: &str) -> Imported {
    common::import_ok(&ThreatComposer, text)
}

fn single_error(text: &str) -> Diagnostic {
    common::single_error(&ThreatComposer, text)
}

fn custom<'m>(model: &'m Model, id: &str) -> &'m CustomThreat {
    model.custom_threats.iter().find(|threat| threat.id.value == id).unwrap_or_else(|| panic!("no threat {id}"))
}

fn targets(threat: &CustomThreat) -> Vec<&str> {
    threat.targets.iter().map(|target| target.value.as_str()).collect()
}

fn assert_valid(model: &Model) {
    let knowledge_base = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let errors: Vec<Diagnostic> =
        validate(model, &knowledge_base.vocabulary()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
    let errors: Vec<Diagnostic> =
        validate(model, &Vocabulary::default()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}

#[test]
fn the_fixture_imports_into_a_model_the_knowledge_base_validates() {
    let imported = import(PET_CLINIC);
    let model = &imported.model;
    assert_eq!(model.name, "Pet Clinic Portal");
    let description = model.description.as_deref().unwrap_or_default();
    assert!(description.starts_with("Owners book vet appointments"), "{description}");
    assert!(description.contains("Architecture:\nA single-page app calls a login API"));
    assert!(description.contains("Data flow:\nBookings are written"));
    assert!(description.contains(
        "Assumptions:\n- Staff accounts use multi-factor authentication. (Enforced by the identity provider.)"
    ));
    assert!(model.flows.is_empty() && model.actors.is_empty() && model.boundaries.is_empty());
    assert_eq!(model.custom_threats.len(), 4);
    assert_eq!(model.threats.len(), 6);
    assert_valid(model);
}

#[test]
fn impacted_assets_become_elements_once_each() {
    let imported = import(PET_CLINIC);
    let model = &imported.model;
    let components: Vec<(&str, &str)> =
        model.components.iter().map(|c| (c.id.value.as_str(), c.kind.value.as_str())).collect();
    assert_eq!(
        components,
        [("login-api", "rest-api"), ("appointments-database", "relational-database"), ("reception-kiosk", "service")],
        "`login api.` is the same asset as `Login API`"
    );
    assert_eq!(model.data.len(), 1);
    let records = &model.data[0];
    assert_eq!((records.id.value.as_str(), records.name.as_deref()), ("patient-records", Some("patient records")));
    assert_eq!(
        (records.confidentiality, records.integrity, records.availability),
        (Rating::High, Rating::Low, Rating::Low),
        "rated by the goal and priority of the threat against it"
    );
    let first_mention = line_in(PET_CLINIC, "\"impactedAssets\": [\"patient records\"");
    warning_at(&imported, first_mention, "impacted asset `patient records` becomes data asset `patient-records`");
    warning_at(&imported, first_mention, "impacted asset `Login API` becomes component of type `rest-api`");
    let kiosk = line_in(PET_CLINIC, "Reception Kiosk");
    warning_at(&imported, kiosk, "becomes generic `service` component `reception-kiosk`");
}

#[test]
fn threats_become_custom_threats() {
    let model = import(PET_CLINIC).model;
    let takeover = custom(&model, "tc-1-sign-in-as-the-owner-and");
    assert!(takeover.title.starts_with("An external attacker holding a pet owner's leaked password can sign in"));
    assert_eq!(targets(takeover), ["patient-records", "login-api"]);
    let stride: Vec<&str> = takeover.stride.iter().map(|word| word.value.as_str()).collect();
    assert_eq!(stride, ["spoofing", "information-disclosure"]);
    assert_eq!((takeover.likelihood(), takeover.impact()), (4, 4));
    assert_eq!(takeover.mitigations, ["Lock accounts after repeated failed logins (in progress)\nTicket VET-12."]);
    let description = takeover.description.as_deref().unwrap_or_default();
    assert!(description.contains("Threat source: external attacker."), "{description}");
    assert!(description.contains("Impacted goals: confidentiality."), "{description}");
    assert!(description.contains("Tags: Account takeover, CWE-307."), "{description}");
    assert_eq!(takeover.cwe, [307]);
    assert!(description.contains("Assumes: Staff accounts use multi-factor authentication."), "{description}");
    let source = takeover.source.as_ref().expect("a source");
    assert_eq!(source.resource.as_deref(), Some("t-takeover"));
    assert_eq!(source.line, Some(line_in(PET_CLINIC, "\"id\": \"t-takeover\"")));

    let tamper = custom(&model, "tc-2-alter-appointment-times");
    assert_eq!((tamper.likelihood(), tamper.stride[0].value.as_str()), (3, "tampering"));
    assert_eq!(tamper.mitigations, ["Audit every change to appointments (resolved)"]);

    let flood = custom(&model, "tc-3-flood-the-booking-endpoint");
    assert_eq!(flood.title, "A botnet can flood the booking endpoint, which leads to owners unable to book");
    assert_eq!(targets(flood), ["login-api", "reception-kiosk"]);
    assert!(flood.likelihood.is_none(), "an unknown priority leaves the threat unrated");
    assert!(flood.description.as_deref().unwrap_or_default().contains("Owner: Platform team"));

    assert!(custom(&model, "tc-4-scrape-published-opening-hours").targets.is_empty());
}

#[test]
fn statuses_become_tracking_entries_per_target() {
    let model = import(PET_CLINIC).model;
    let entries: Vec<(&str, Status)> =
        model.threats.iter().map(|entry| (entry.threat.value.as_str(), entry.status)).collect();
    assert_eq!(
        entries,
        [
            ("tc-1-sign-in-as-the-owner-and@patient-records", Status::Open),
            ("tc-1-sign-in-as-the-owner-and@login-api", Status::Open),
            ("tc-2-alter-appointment-times@appointments-database", Status::Mitigated),
            ("tc-3-flood-the-booking-endpoint@login-api", Status::FalsePositive),
            ("tc-3-flood-the-booking-endpoint@reception-kiosk", Status::FalsePositive),
            ("tc-4-scrape-published-opening-hours@model", Status::Open),
        ]
    );
    let justification = model.threats.get(3).and_then(|entry| entry.justification.as_deref());
    assert_eq!(justification, Some("Marked resolved as not useful in Threat Composer"));
}

#[test]
fn what_rampart_cannot_carry_is_a_warning_at_its_line() {
    let imported = import(PET_CLINIC);
    warning_at(&imported, line_in(PET_CLINIC, "\"a-gone\""), "assumption `a-gone`, which is not in the workspace");
    warning_at(&imported, line_in(PET_CLINIC, "\"t-deleted\""), "threat `t-deleted`, which is not in the workspace");
    warning_at(&imported, line_in(PET_CLINIC, "\"id\": \"m-orphan\""), "linked to no threat; not imported");
    let metadata = line_in(PET_CLINIC, "\"value\": \"Urgent\"");
    warning_at(&imported, metadata, "priority `Urgent` is not one of High, Medium, Low");
    warning_at(&imported, line_in(PET_CLINIC, "[\"D\", \"X\"]"), "`X` is not a STRIDE letter");
    assert_eq!(imported.warnings.len(), 9, "{}", render(&imported.warnings));
}

#[test]
fn the_format_is_detected_by_its_keys() {
    assert!(ThreatComposer.detect("workspace.json", PET_CLINIC));
    assert!(ThreatComposer.detect("x.tc.json", "{}"));
    assert!(!ThreatComposer.detect("model.json", r#"{"version": "2.0", "summary": {}, "detail": {"diagrams": []}}"#));
    let detected = rampart_import::detect("workspace.json", PET_CLINIC).map(|importer| importer.name());
    assert_eq!(detected, Some("threat-composer"));
}

#[test]
fn an_empty_workspace_imports_with_a_name() {
    let imported = import("{\"schema\": 1}");
    assert_eq!(imported.model.name, "Threat Composer workspace");
    warning_at(&imported, 1, "no `applicationInfo.name`");
    let imported = import("{\"schema\": 2, \"applicationInfo\": {\"name\": \"n\"}}");
    warning_at(&imported, 1, "workspace schema `2`");
}

// --- Malformed input ----------------------------------------------------

#[test]
fn text_that_is_not_json_is_an_error() {
    let error = single_error("  \nthreats:\n  - x\n");
    assert_eq!(error.at, Position::new(2, 1));
    assert!(error.message.contains("expected a JSON object"), "{}", error.message);
    let error = single_error("{\"schema\": 1,\n \"threats\": [\n  {\"id\": \"a\",, }]}");
    assert_eq!(error.at.line, 3, "{error}");
}

#[test]
fn a_wrong_type_is_an_error_at_its_value() {
    let text = PET_CLINIC.replace("\"impactedGoal\": [\"integrity\"]", "\"impactedGoal\": \"integrity\"");
    let error = single_error(&text);
    assert_eq!(error.at.line, line_in(&text, "\"impactedGoal\": \"integrity\""));
    assert!(error.message.contains("invalid type"), "{}", error.message);
}

#[test]
fn a_missing_required_field_is_an_error() {
    let text = "{\"schema\": 1, \"threats\": [\n  {\"numericId\": 1, \"statement\": \"s\"}\n]}";
    let error = single_error(text);
    assert!(error.message.contains("missing field `id`"), "{}", error.message);
    assert_eq!(error.at.line, 2);
    let text = "{\"schema\": 1, \"mitigations\": [\n  {\"id\": \"m\"}\n]}";
    assert!(single_error(text).message.contains("missing field `content`"));
}

#[test]
fn duplicate_ids_are_an_error_at_the_second_one() {
    let text = "{\"schema\": 1, \"threats\": [\n  {\"id\": \"t\", \"statement\": \"a\"},\n  \
                {\"id\": \"t\", \"statement\": \"b\"}\n]}";
    let error = single_error(text);
    assert_eq!(error.at.line, 3);
    assert!(error.message.contains("threat id `t` is used twice"), "{}", error.message);
}

#[test]
fn a_link_to_a_missing_item_is_a_warning_at_the_reference() {
    // Threat Composer keeps links when an item is deleted, so a dangling link
    // is reported and skipped rather than refused.
    let text = "{\"schema\": 1, \"threats\": [{\"id\": \"t\", \"statement\": \"s\"}],\n \"mitigationLinks\": [\n  \
                {\"mitigationId\": \"nowhere\", \"linkedId\": \"t\"}]}";
    let imported = import(text);
    warning_at(&imported, 3, "mitigation link names mitigation `nowhere`, which is not in the workspace");
    assert!(imported.model.custom_threats[0].mitigations.is_empty());
}

#[test]
fn no_input_makes_the_importer_panic() {
    let check = |text: &str| {
        if let Err(errors) = ThreatComposer.import(text) {
            assert!(errors.iter().any(Diagnostic::is_error), "failure without an error: {}", render(&errors));
        }
    };
    for cut in (0..PET_CLINIC.len()).step_by(19).filter(|cut| PET_CLINIC.is_char_boundary(*cut)) {
        check(&PET_CLINIC[..cut]);
    }
    let lines: Vec<&str> = PET_CLINIC.lines().collect();
    for skip in 0..lines.len() {
        let text: String =
            lines.iter().enumerate().filter(|(index, _)| *index != skip).map(|(_, line)| format!("{line}\n")).collect();
        check(&text);
    }
    for text in
        ["", "{}", "[]", "{\"threats\": 5}", "{\"threats\": [{\"id\": \"\", \"impactedAssets\": [\"\", \"...\"]}]}"]
    {
        check(text);
    }
}

// --- Threat Composer's own examples ---------------------------------------

/// The text of a sample; a missing sample fails the (ignored by default) test that asked for it.
fn sample(name: &str) -> String {
    let path = format!("{SAMPLES}/{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read the sample {path}: {error}"))
}

#[test]
#[ignore = "reads the third-party samples in /work/shared/samples; run with --ignored where they exist"]
fn threat_composers_own_example_imports_completely() {
    let text = sample("ThreatComposer.tc.json");
    let imported = import(&text);
    let model = &imported.model;
    assert_eq!(model.name, "Threat composer");
    assert_eq!(model.custom_threats.len(), 20);
    assert!(model.threats.iter().all(|entry| entry.status == Status::Mitigated));
    let stale = imported.warnings.iter().filter(|w| w.message.contains("which is not in the workspace")).count();
    assert_eq!(stale, 14, "links left behind by deleted items");
    assert_valid(model);
}

#[test]
#[ignore = "reads the third-party samples in /work/shared/samples; run with --ignored where they exist"]
fn the_generative_ai_example_imports_completely() {
    let text = sample("GenAIChatbot.tc.json");
    let model = import(&text).model;
    assert_eq!(model.custom_threats.len(), 37);
    assert_eq!(model.threats.len(), 37);
    assert!(model.components.iter().any(|component| component.kind.value == "hosted-llm-api"));
    assert_valid(&model);
}
