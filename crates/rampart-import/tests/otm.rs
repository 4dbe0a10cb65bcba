//! The Open Threat Model importer, specified by a fixture: what an OTM file
//! becomes, what it warns about, and how malformed input is reported.

use rampart_import::otm::Otm;
use rampart_import::{Imported, Importer};
use rampart_model::{Diagnostic, Exposure, Model, Rating, Status, Trust, Vocabulary, validate};

mod common;
use common::{assert_validates, line_in as line_of, render, warning_at};

const CLINIC: &str = include_str!("fixtures/otm/clinic-portal.otm.json");
const CLINIC_YAML: &str = include_str!("fixtures/otm/clinic-portal.otm.yaml");

/// Third-party samples kept on development machines; the tests that read them are ignored by default.
const SAMPLES: [&str; 2] =
    ["/work/shared/samples/threat-dragon/example-open-threat-model.json", "/work/shared/samples/iac/tf_example.yaml"];

fn import(text: &str) -> Imported {
    common::import_ok(&Otm, text)
}

fn import_errors(text: &str) -> Vec<Diagnostic> {
    common::import_errors(&Otm, text)
}

fn ids<'m>(items: impl Iterator<Item = &'m rampart_model::Located<String>>) -> Vec<&'m str> {
    items.map(|id| id.value.as_str()).collect()
}

#[test]
fn detects_otm_documents_only() {
    assert!(Otm.detect("model.otm.json", CLINIC));
    assert!(Otm.detect("model.yaml", CLINIC_YAML));
    assert!(!Otm.detect("model.yaml", "rampart: 1\nname: x\n"));
    assert_eq!(rampart_import::detect("x.json", CLINIC).map(|importer| importer.name()), Some("otm"));
}

#[test]
fn trust_zones_become_boundaries_with_trust_and_nesting() {
    let model = import(CLINIC).model;
    let boundaries: Vec<(&str, Trust, Option<&str>)> = model
        .boundaries
        .iter()
        .map(|b| (b.id.value.as_str(), b.trust, b.parent.as_ref().map(|p| p.value.as_str())))
        .collect();
    assert_eq!(
        boundaries,
        [
            // A generated (UUID) zone id gives way to the zone's name.
            ("public-internet", Trust::Untrusted, None),
            ("clinic-network", Trust::Internal, None),
            ("records-enclave", Trust::Restricted, Some("clinic-network")),
            // A VPC component is a network container: a boundary as trusted as its zone.
            ("batch-vpc", Trust::Internal, Some("clinic-network")),
        ]
    );
    let internet = &model.boundaries[0];
    assert_eq!(internet.kind.as_deref(), Some("internet"));
    assert_eq!(
        internet.source.as_ref().and_then(|s| s.resource.as_deref()),
        Some("8e0f3c51-2b7d-4a96-9c1e-5f7a2d4b6c80")
    );
}

#[test]
fn components_become_actors_and_components_with_catalog_kinds() {
    let imported = import(CLINIC);
    let model = &imported.model;
    assert_eq!(model.name, "Clinic patient portal");
    let browser = &model.actors[0];
    assert_eq!((browser.id.value.as_str(), browser.kind.value.as_str()), ("patient-browser", "user"));
    assert_eq!(browser.boundary.as_ref().map(|b| b.value.as_str()), Some("public-internet"));

    let kinds: Vec<(&str, &str, Option<&str>)> = model
        .components
        .iter()
        .map(|c| (c.id.value.as_str(), c.kind.value.as_str(), c.boundary.as_ref().map(|b| b.value.as_str())))
        .collect();
    assert_eq!(
        kinds,
        [
            ("portal", "web-app", Some("clinic-network")),
            ("appointments-api", "rest-api", Some("clinic-network")),
            ("records-db", "relational-database", Some("records-enclave")),
            ("reminder-sender", "kubernetes-workload", Some("batch-vpc")),
            // Not a tidy id: the name's slug; inside a component: that component's boundary.
            ("report-class", "service", Some("batch-vpc")),
        ]
    );
    let portal = &model.components[0];
    assert_eq!(portal.tags, ["nodejs", "public"]);
    assert_eq!(ids(portal.processes.iter()), ["patient-records", "slots"]);
    assert_eq!(portal.exposure, Exposure::Internal);
    let source = portal.source.as_ref().expect("portal has a source");
    assert_eq!((source.file.as_str(), source.line), ("src/server.ts", Some(12)));
    let database = &model.components[2];
    assert_eq!(ids(database.stores.iter()), ["patient-records"]);
    assert!(database.processes.is_empty(), "stored data is not listed twice");

    warning_at(&imported, line_of(CLINIC, "\"type\": \"docker-container\""), "closest catalog type");
    warning_at(&imported, line_of(CLINIC, "\"type\": \"code-class\""), "generic `service`");
    warning_at(&imported, line_of(CLINIC, "\"parent\": {\"component\": \"reminder-sender\"}"), "inside component");
    warning_at(&imported, line_of(CLINIC, "\"id\": \"appointments-api\""), "`owner-team`");
    warning_at(&imported, line_of(CLINIC, "\"name\": \"Clinic patient portal\""), "owner `Care Platform Team`");
    warning_at(&imported, line_of(CLINIC, "\"representation\": \"overview\""), "1 diagram shape");
}

#[test]
fn assets_become_data_on_the_four_step_scale() {
    let model = import(CLINIC).model;
    let records = &model.data[0];
    assert_eq!(records.id.value, "patient-records");
    assert_eq!(
        (records.confidentiality, records.integrity, records.availability),
        (Rating::Critical, Rating::Critical, Rating::Medium)
    );
    assert!(records.description.as_deref().is_some_and(|d| d.contains("HIPAA")));
    let slots = &model.data[1];
    assert_eq!((slots.confidentiality, slots.integrity, slots.availability), (Rating::Low, Rating::High, Rating::High));
}

#[test]
fn dataflows_become_flows_with_protocols_from_tags() {
    let imported = import(CLINIC);
    let flows: Vec<(String, &str, &str, &str)> = imported
        .model
        .flows
        .iter()
        .map(|f| (f.id(), f.from.value.as_str(), f.to.value.as_str(), f.protocol.value.as_str()))
        .collect();
    assert_eq!(
        flows,
        [
            ("browse-portal".to_string(), "patient-browser", "portal", "https"),
            ("book-slot".to_string(), "portal", "appointments-api", "grpc"),
            ("api-reads-records".to_string(), "appointments-api", "records-db", "sql"),
            ("reminder-sender->appointments-api".to_string(), "reminder-sender", "appointments-api", "https"),
        ]
    );
    // `FROM->TO` ids are Rampart's implicit ones: kept implicit.
    assert!(imported.model.flows[3].id.is_none());
    assert_eq!(ids(imported.model.flows[1].data.iter()), ["slots"]);
    let book = line_of(CLINIC, "\"id\": \"book-slot\"");
    warning_at(&imported, book, "bidirectional");
    warning_at(&imported, book, "`internal-only`");
    warning_at(&imported, line_of(CLINIC, "\"id\": \"reminder-sender->appointments-api\""), "`https` is assumed");
}

#[test]
fn referenced_threats_become_custom_threats_with_tracking() {
    let imported = import(CLINIC);
    let model = &imported.model;
    assert_eq!(model.custom_threats.len(), 2, "the unreferenced threat is not imported");
    let session = &model.custom_threats[0];
    assert_eq!(session.id.value, "otm-session-hijacking");
    assert_eq!(session.title, "Session hijacking");
    assert_eq!(ids(session.targets.iter()), ["portal", "browse-portal"]);
    assert_eq!(ids(session.stride.iter()), ["spoofing", "elevation-of-privilege"]);
    assert_eq!(session.cwe, [384, 614]);
    assert_eq!((session.likelihood(), session.impact()), (4, 3));
    assert_eq!(
        session.mitigations,
        ["Secure cookie flags: Set Secure, HttpOnly and SameSite. (required on portal; implemented on browse-portal)"]
    );
    let source = session.source.as_ref().expect("a source");
    assert_eq!(
        (source.line, source.resource.as_deref()),
        (Some(line_of(CLINIC, "\"id\": \"th-session\"")), Some("th-session"))
    );

    let exfiltration = &model.custom_threats[1];
    assert_eq!(exfiltration.likelihood, None, "a null likelihood stays unset");
    assert_eq!(exfiltration.impact.as_ref().map(|i| i.value), Some(5));

    let tracking: Vec<(&str, Status, Option<&str>)> =
        model.threats.iter().map(|t| (t.threat.value.as_str(), t.status, t.justification.as_deref())).collect();
    assert_eq!(
        tracking,
        [
            ("otm-session-hijacking@portal", Status::Open, None),
            ("otm-session-hijacking@browse-portal", Status::Mitigated, None),
            ("otm-records-exfiltration@records-db", Status::Accepted, Some("Marked accepted in the OTM file")),
        ]
    );
    warning_at(&imported, line_of(CLINIC, "\"Privacy\""), "not a STRIDE category");
    warning_at(&imported, line_of(CLINIC, "\"id\": \"th-unused\""), "on no component or dataflow");
    warning_at(&imported, line_of(CLINIC, "\"id\": \"mit-unused\""), "on no threat");
}

#[test]
fn imported_model_validates_against_the_knowledge_base() {
    let model = import(CLINIC).model;
    let errors: Vec<Diagnostic> =
        validate(&model, &Vocabulary::default()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(
        errors.iter().all(|e| e.message.contains("not a known") || e.message.contains("unknown")),
        "{}",
        render(&errors)
    );
    assert_validates(&model);
}

#[test]
fn yaml_spelling_reads_the_same_with_yaml_positions() {
    // Source lines differ between the two spellings; everything else is equal.
    let without_lines = |mut model: Model| {
        model.boundaries.iter_mut().for_each(|b| b.source = None);
        model.components.iter_mut().for_each(|c| c.source = None);
        model.flows.iter_mut().for_each(|f| f.source = None);
        model.custom_threats.iter_mut().for_each(|t| t.source = None);
        model
    };
    let yaml = import(CLINIC_YAML);
    let json = import(CLINIC);
    assert_eq!(yaml.warnings.len(), json.warnings.len());
    assert_eq!(without_lines(yaml.model.clone()), without_lines(json.model));
    let portal = &yaml.model.components[0];
    let line = CLINIC_YAML.lines().position(|line| line.trim() == "id: portal").map(|index| index as u32 + 1);
    assert_eq!(Some(portal.id.at.line), line);
}

// --- Malformed input ----------------------------------------------------

#[test]
fn text_that_is_not_json_or_yaml_is_an_error_with_a_position() {
    let errors = import_errors("{\"otmVersion\": \"0.2.0\",\n  \"project\": [unclosed");
    assert_eq!(errors.len(), 1);
    assert!(errors[0].at.line >= 2, "{}", render(&errors));
}

#[test]
fn a_field_of_the_wrong_type_is_an_error_at_its_line() {
    let text = CLINIC.replace("\"trustRating\": 70", "\"trustRating\": \"high\"");
    let errors = import_errors(&text);
    assert_eq!(errors[0].at.line, line_of(&text, "\"trustRating\": \"high\""), "{}", render(&errors));
    let explained = format!("{} {}", errors[0].message, errors[0].help.as_deref().unwrap_or_default());
    assert!(explained.contains("expected"), "{}", render(&errors));
}

#[test]
fn a_missing_required_field_is_an_error_naming_it() {
    let errors = import_errors("otmVersion: 0.2.0\nproject:\n  id: p\n");
    assert!(errors[0].message.contains("missing field `name`"), "{}", render(&errors));
    assert!(errors[0].at.line >= 2, "{}", render(&errors));
}

#[test]
fn dangling_references_are_errors_at_the_reference() {
    let text = CLINIC
        .replace("\"destination\": \"records-db\"", "\"destination\": \"records-database\"")
        .replace("{\"threat\": \"th-exfil\"", "{\"threat\": \"th-exfiltration\"")
        .replace("\"parent\": {\"trustZone\": \"records-enclave\"}", "\"parent\": {\"trustZone\": \"enclave\"}")
        .replace("\"stored\": [\"patient-records\"]", "\"stored\": [\"patient-record\"]");
    let errors = import_errors(&text);
    let expect = |needle: &str, fragment: &str| {
        let line = line_of(&text, needle);
        assert!(
            errors.iter().any(|e| e.at.line == line && e.message.contains(fragment)),
            "no error at line {line} with {fragment:?}:\n{}",
            render(&errors)
        );
    };
    expect("\"destination\": \"records-database\"", "`records-database` is not declared in `components`");
    expect("\"th-exfiltration\"", "`th-exfiltration` is not declared in `threats`");
    expect("\"trustZone\": \"enclave\"", "`enclave` is not declared in `trustZones`");
    expect("\"patient-record\"]", "`patient-record` is not declared in `assets`");
}

#[test]
fn out_of_range_risk_values_are_errors() {
    let text = CLINIC.replace("\"likelihood\": 75", "\"likelihood\": 750");
    let errors = import_errors(&text);
    assert!(errors.iter().any(|e| e.at.line == line_of(&text, "750") && e.message.contains("expected 0 to 100")));
}

#[test]
fn never_panics_on_truncated_input() {
    for text in [CLINIC, CLINIC_YAML] {
        for end in (0..text.len()).step_by(7) {
            if let Some(prefix) = text.get(..end) {
                let _ = Otm.import(prefix);
            }
        }
    }
}

// --- Samples ------------------------------------------------

#[test]
#[ignore = "reads the third-party samples in /work/shared/samples; run with --ignored where they exist"]
fn samples_import_and_validate() {
    for path in SAMPLES {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|error| panic!("cannot read the sample {path}: {error}"));
        assert!(Otm.detect(path, &text), "{path} is detected");
        let imported = import(&text);
        eprintln!(
            "{path}: {} boundaries, {} actors, {} components, {} data, {} flows, \
             {} custom threats, {} tracking, {} warnings",
            imported.model.boundaries.len(),
            imported.model.actors.len(),
            imported.model.components.len(),
            imported.model.data.len(),
            imported.model.flows.len(),
            imported.model.custom_threats.len(),
            imported.model.threats.len(),
            imported.warnings.len()
        );
        assert_validates(&imported.model);
    }
}
