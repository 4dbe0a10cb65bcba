//! The Microsoft Threat Modeling Tool importer, specified by fixtures: what a
//! `.tm7` file becomes, what it warns about, and how malformed input is reported.

use rampart_import::tmt::Tmt;
use rampart_import::{Imported, Importer};
use rampart_model::{
    Actor, Authentication, Component, CustomThreat, Diagnostic, Exposure, Flow, Model, Status, Tracking, Trust,
    validate,
};

mod common;
use common::{line_in, render};

const PARCEL: &str = include_str!("fixtures/tmt/parcel-tracking.tm7");

/// The startleft example model, kept on development machines only; its test is ignored by default.
const SAMPLE: &str = "/work/shared/samples/tmt/MTMT_example.tm7";

fn import(text: &str) -> Imported {
    common::import_ok(&Tmt, text)
}

fn import_errors(text: &str) -> Vec<Diagnostic> {
    common::import_errors(&Tmt, text)
}

fn component<'m>(model: &'m Model, id: &str) -> &'m Component {
    model.components.iter().find(|component| component.id.value == id).unwrap_or_else(|| panic!("no component {id}"))
}

fn actor<'m>(model: &'m Model, id: &str) -> &'m Actor {
    model.actors.iter().find(|actor| actor.id.value == id).unwrap_or_else(|| panic!("no actor {id}"))
}

fn flow<'m>(model: &'m Model, id: &str) -> &'m Flow {
    model.flows.iter().find(|flow| flow.id() == id).unwrap_or_else(|| panic!("no flow {id}"))
}

fn custom<'m>(model: &'m Model, id: &str) -> &'m CustomThreat {
    model.custom_threats.iter().find(|threat| threat.id.value == id).unwrap_or_else(|| panic!("no custom threat {id}"))
}

fn tracking<'m>(model: &'m Model, threat: &str) -> &'m Tracking {
    model.threats.iter().find(|entry| entry.threat.value == threat).unwrap_or_else(|| panic!("no tracking {threat}"))
}

fn boundary_of(boundary: &Option<rampart_model::Located<String>>) -> Option<&str> {
    boundary.as_ref().map(|boundary| boundary.value.as_str())
}

fn warning_at(imported: &Imported, needle: &str, fragment: &str) {
    warning_on_line(imported, line_in(PARCEL, needle), fragment);
}

/// Warnings about a shape or line are at its `<a:Value>`, the line after its key.
fn warning_on(imported: &Imported, guid: &str, fragment: &str) {
    warning_on_line(imported, line_in(PARCEL, &format!("{guid}</a:Key>")) + 1, fragment);
}

fn warning_on_line(imported: &Imported, line: u32, fragment: &str) {
    let found = imported.warnings.iter().any(|warning| warning.at.line == line && warning.message.contains(fragment));
    assert!(found, "no warning at line {line} containing {fragment:?}; warnings:\n{}", render(&imported.warnings));
}

// --- The parcel tracking fixture --------------------------------------

#[test]
fn the_fixture_is_detected_by_extension_and_by_root_element() {
    assert!(Tmt.detect("model.tm7", ""));
    assert!(Tmt.detect("export.xml", PARCEL));
    assert!(Tmt.detect("export.xml", "\u{feff}<?xml version=\"1.0\"?>\n<ThreatModel>"));
    assert!(!Tmt.detect("model.json", "{\"flows\": []}"));
    assert_eq!(rampart_import::detect("parcel.tm7", PARCEL).map(|importer| importer.name()), Some("tmt"));
}

#[test]
fn the_fixture_imports_into_a_model_valid_against_the_knowledge_base() {
    let imported = import(PARCEL);
    let model = &imported.model;
    assert_eq!(model.name, "Parcel tracking");
    assert_eq!(model.boundaries.len(), 2);
    assert_eq!(model.actors.len(), 3);
    assert_eq!(model.components.len(), 4);
    assert_eq!(model.flows.len(), 5);
    assert_eq!(model.custom_threats.len(), 5);
    assert_eq!(model.threats.len(), 5);
    let knowledge_base = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let errors: Vec<Diagnostic> =
        validate(model, &knowledge_base.vocabulary()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}

#[test]
fn boxes_become_boundaries_and_hold_what_is_drawn_inside() {
    let model = import(PARCEL).model;
    let internet = model.boundaries.iter().find(|boundary| boundary.id.value == "internet").expect("internet");
    assert_eq!(internet.trust, Trust::Untrusted);
    let azure = model.boundaries.iter().find(|boundary| boundary.id.value == "parcel-subscription").expect("azure");
    assert_eq!((azure.trust, azure.kind.as_deref()), (Trust::Internal, Some("account")));
    assert_eq!(boundary_of(&actor(&model, "courier-app").boundary), Some("internet"));
    assert_eq!(boundary_of(&component(&model, "parcel-db").boundary), Some("parcel-subscription"));
    assert_eq!(boundary_of(&actor(&model, "legacy-archive").boundary), None);
}

#[test]
fn stencil_types_become_catalog_types() {
    let imported = import(PARCEL);
    let model = &imported.model;
    assert_eq!(actor(model, "courier-app").kind.value, "user");
    assert_eq!(actor(model, "customer-browser").kind.value, "user");
    let api = component(model, "tracking-api");
    assert_eq!((api.kind.value.as_str(), api.technology.as_deref()), ("rest-api", Some("Web API")));
    assert_eq!(api.description.as_deref(), Some("HTTPS Enforced: Yes"));
    assert_eq!(component(model, "parcel-db").kind.value, "azure-sql-database");
    assert_eq!(component(model, "proof-photos").kind.value, "azure-blob-storage");
    warning_on(&imported, "d4000000-0000-4000-8000-000000000002", "no exact Rampart type");
    // A template type the importer does not know falls back on the generic type.
    assert_eq!(component(model, "label-printer-service").kind.value, "service");
    assert!(imported.warnings.iter().any(|warning| warning.message.contains("`SE.P.Acme.LabelPrinter`")));
}

#[test]
fn the_storage_type_of_azure_storage_refines_its_type() {
    let name = "xmlns:c=\"http://www.w3.org/2001/XMLSchema\">Proof Photos</b:Value></a:anyType>";
    let choice = "<a:anyType i:type=\"b:ListDisplayAttribute\" xmlns:b=\"x\"><b:DisplayName>Storage Type</b:DisplayName>\
                  <b:Value i:type=\"a:ArrayOfstring\"><a:string>Select</a:string><a:string>File</a:string>\
                  <a:string>Blob</a:string></b:Value><b:SelectedIndex>1</b:SelectedIndex></a:anyType>";
    let text = PARCEL.replacen(name, &format!("{name}{choice}"), 1);
    let imported = import(&text);
    assert_eq!(component(&imported.model, "proof-photos").kind.value, "file-share");
    assert!(imported.warnings.iter().all(|warning| !warning.message.contains("Proof Photos")));
}

#[test]
fn out_of_scope_stores_become_outside_systems() {
    let model = import(PARCEL).model;
    let archive = actor(&model, "legacy-archive");
    assert_eq!(archive.kind.value, "external-system");
    assert!(
        archive.description.as_deref().unwrap_or_default().contains("Out of scope: Operated by the parent company")
    );
}

#[test]
fn components_called_from_the_internet_are_exposed() {
    let model = import(PARCEL).model;
    assert_eq!(component(&model, "tracking-api").exposure, Exposure::Internet);
    assert_eq!(component(&model, "parcel-db").exposure, Exposure::Internal);
}

#[test]
fn connectors_become_flows_with_protocols() {
    let model = import(PARCEL).model;
    let track = flow(&model, "track-parcel");
    assert_eq!((track.from.value.as_str(), track.to.value.as_str()), ("customer-browser", "tracking-api"));
    assert_eq!(track.protocol.value, "https");
    assert_eq!(track.authentication, Authentication::None);
    // A request to a SQL database with no protocol is the database's protocol.
    assert_eq!(flow(&model, "parcel-query").protocol.value, "sql");
    // The protocol property of a generic flow, and its confidentiality.
    let photos = flow(&model, "photo-upload");
    assert_eq!((photos.protocol.value.as_str(), photos.encrypted), ("smb", Some(true)));
    assert_eq!(flow(&model, "status-update").protocol.value, "https");
}

#[test]
fn a_response_is_folded_into_its_request() {
    let imported = import(PARCEL);
    assert!(imported.model.flows.iter().all(|flow| flow.id() != "status-reply"));
    warning_on(&imported, "f6000000-0000-4000-8000-000000000002", "folded into request flow `status-update`");
}

#[test]
fn lines_the_model_cannot_carry_are_warnings() {
    let imported = import(PARCEL);
    warning_on(&imported, "f6000000-0000-4000-8000-000000000006", "flow `Draft Flow` ends at no element");
    warning_on(&imported, "f6000000-0000-4000-8000-000000000008", "line boundary `Partner Edge`");
    warning_on(&imported, "f6000000-0000-4000-8000-000000000008", "crosses flows `track-parcel`");
    warning_on(&imported, "e5000000-0000-4000-8000-000000000001", "annotation `Photos are deleted after 30 days`");
    warning_at(&imported, "<KnowledgeBase", "embedded knowledge base");
    warning_at(&imported, "<Owner>", "owner `Delivery Platform Team`");
    assert!(imported.model.description.as_deref().unwrap_or_default().contains("device certificates"));
}

#[test]
fn threat_instances_become_custom_threats_on_their_flow() {
    let model = import(PARCEL).model;
    let injection = custom(&model, "tmt-th17-parcel-query");
    assert_eq!(injection.title, "Attacker reads parcel records through SQL injection in Tracking API");
    assert_eq!(injection.targets.iter().map(|target| target.value.as_str()).collect::<Vec<_>>(), ["parcel-query"]);
    assert_eq!(injection.stride.iter().map(|word| word.value.as_str()).collect::<Vec<_>>(), ["tampering"]);
    assert_eq!((injection.likelihood(), injection.impact()), (4, 4));
    assert_eq!(injection.mitigations, ["Use parameterized queries. Refer: guide"]);
    let source = injection.source.as_ref().expect("source");
    assert_eq!(source.resource.as_deref(), Some("TH17 #3"));
    assert_eq!(source.line, Some(line_in(PARCEL, "<b:Id>3</b:Id>") - 4));
    // Without a flow, the threat is on its target element.
    let privilege = custom(&model, "tmt-th90-label-printer-service");
    assert_eq!(privilege.stride.first().map(|word| word.value.as_str()), Some("elevation-of-privilege"));
    // Properties the threat has no field for go into the description.
    let enumeration = custom(&model, "tmt-th58-track-parcel");
    assert!(enumeration.description.as_deref().unwrap_or_default().contains("Ticket: PT-118"));
    assert_eq!((enumeration.likelihood(), enumeration.impact()), (2, 2));
}

#[test]
fn threat_states_become_tracking_entries() {
    let imported = import(PARCEL);
    let model = &imported.model;
    assert_eq!(tracking(model, "tmt-th17-parcel-query@parcel-query").status, Status::Mitigated);
    // A threat on the folded response flow is tracked on the request flow.
    let replay = tracking(model, "tmt-th42-status-update@status-update");
    assert_eq!(replay.status, Status::FalsePositive);
    assert_eq!(replay.justification.as_deref(), Some("Replies carry no authority; the app re-reads state."));
    assert_eq!(tracking(model, "tmt-th58-track-parcel@track-parcel").status, Status::Open);
    assert_eq!(tracking(model, "tmt-th90-label-printer-service@label-printer-service").status, Status::Open);
    let archive = tracking(model, "tmt-th91-legacy-archive@legacy-archive");
    assert_eq!(archive.justification.as_deref(), Some("Marked not applicable in Microsoft Threat Modeling Tool"));
    let threat_line = line_in(PARCEL, "<b:Id>7</b:Id>") - 4;
    warning_on_line(&imported, threat_line, "category `Misc` is not a STRIDE category");
}

#[test]
fn every_diagram_is_imported_with_unique_ids() {
    let start = PARCEL.find("    <DrawingSurfaceModel").expect("a diagram");
    let end = PARCEL.find("</DrawingSurfaceModel>").expect("its end") + "</DrawingSurfaceModel>".len();
    let second = PARCEL.get(start..end).expect("the diagram").replace("-4000-8000-", "-4000-9000-");
    let text = format!("{}\n{second}{}", &PARCEL[..end], &PARCEL[end..]);
    let imported = import(&text);
    let model = &imported.model;
    assert_eq!((model.components.len(), model.flows.len(), model.boundaries.len()), (8, 10, 4));
    assert_eq!(component(model, "tracking-api-process").kind.value, "rest-api");
    assert_eq!(boundary_of(&component(model, "tracking-api-process").boundary), Some("parcel-subscription-boundary"));
    let knowledge_base = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let errors: Vec<Diagnostic> =
        validate(model, &knowledge_base.vocabulary()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}

#[test]
fn a_byte_order_mark_and_declaration_are_accepted() {
    let text = format!("\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n{PARCEL}");
    let imported = import(&text);
    assert_eq!(imported.model.components.len(), 4);
    // Positions count the declaration line.
    let line = line_in(PARCEL, "<Owner>") + 1;
    assert!(imported.warnings.iter().any(|warning| warning.at.line == line && warning.message.contains("owner")));
}

// --- Malformed input ---------------------------------------------------

#[test]
fn text_that_is_not_xml_is_an_error_at_the_start() {
    let errors = import_errors("{\"this\": \"is json\"}");
    assert_eq!(errors.len(), 1);
    assert_eq!((errors[0].at.line, errors[0].at.column), (1, 1));
    assert!(errors[0].message.contains("expected a Threat Modeling Tool model"), "{}", errors[0].message);
}

#[test]
fn broken_xml_is_an_error_at_its_line() {
    let text = PARCEL.replacen("</Borders>", "</Border>", 1);
    let errors = import_errors(&text);
    assert_eq!(errors[0].at.line, line_in(PARCEL, "</Borders>"));
    assert!(errors[0].message.contains("not well-formed XML"), "{}", errors[0].message);
}

#[test]
fn another_root_element_is_an_error() {
    let errors = import_errors("<?xml version=\"1.0\"?>\n<Diagram><Shape/></Diagram>");
    assert_eq!(errors[0].at.line, 2);
    assert!(errors[0].message.contains("found <Diagram>"), "{}", errors[0].message);
}

#[test]
fn a_coordinate_that_is_not_a_number_is_an_error_at_its_line() {
    let text = PARCEL.replacen(">500</Left>", ">five hundred</Left>", 1);
    let errors = import_errors(&text);
    let line = text.lines().position(|line| line.contains("five hundred")).map(|index| index as u32 + 1);
    assert_eq!(Some(errors[0].at.line), line);
    assert!(errors[0].message.contains("expected a number in <Left>, found `five hundred`"), "{}", errors[0].message);
}

#[test]
fn a_shape_without_guid_is_an_error() {
    let needle = "<Guid xmlns=\"http://schemas.datacontract.org/2004/07/ThreatModeling.Model.Abstracts\">c3000000-0000-4000-8000-000000000001</Guid>";
    let text = PARCEL.replacen(needle, "", 1);
    let errors = import_errors(&text);
    assert!(errors.iter().any(|error| error.message.contains("diagram element has no <Guid>")), "{}", render(&errors));
    assert!(errors.iter().all(|error| error.at.line > 1));
}

#[test]
fn a_diagram_list_is_required() {
    let errors = import_errors("<ThreatModel xmlns=\"x\">\n<Notes/>\n</ThreatModel>");
    assert!(errors[0].message.contains("missing <DrawingSurfaceList>"), "{}", errors[0].message);
    assert_eq!(errors[0].at.line, 1);
}

#[test]
fn a_flow_to_an_element_that_is_not_drawn_is_an_error_at_the_flow() {
    let text = PARCEL.replace(
        "<TargetGuid xmlns=\"http://schemas.datacontract.org/2004/07/ThreatModeling.Model.Abstracts\">d4000000-0000-4000-8000-000000000001",
        "<TargetGuid xmlns=\"http://schemas.datacontract.org/2004/07/ThreatModeling.Model.Abstracts\">d4000000-0000-4000-8000-0000000000ff",
    );
    let errors = import_errors(&text);
    assert_eq!(errors.len(), 1, "{}", render(&errors));
    assert!(errors[0].message.contains("flow `Parcel Query` ends at element `d4000000-0000-4000-8000-0000000000ff`"));
    let value_line = line_in(PARCEL, "f6000000-0000-4000-8000-000000000004</a:Key>") + 1;
    assert_eq!(errors[0].at.line, value_line);
}

#[test]
fn a_threat_on_an_unknown_element_is_an_error() {
    let text = PARCEL.replace(
        "<b:TargetGuid>c3000000-0000-4000-8000-000000000002</b:TargetGuid>",
        "<b:TargetGuid>c3000000-0000-4000-8000-0000000000aa</b:TargetGuid>",
    );
    let errors = import_errors(&text);
    assert!(errors.iter().any(|error| error.message.contains("is on `c3000000-0000-4000-8000-0000000000aa`")));
}

#[test]
fn truncated_files_never_panic() {
    for end in (0..PARCEL.len()).step_by(97).filter(|&end| PARCEL.is_char_boundary(end)) {
        let _ = Tmt.import(&PARCEL[..end]);
    }
    for nesting in [10, 1000] {
        let deep = format!("<ThreatModel>{}", "<a>".repeat(nesting));
        assert!(Tmt.import(&deep).is_err());
    }
}

// --- The real example (ignored by default) ---------------------------

#[test]
#[ignore = "reads the third-party samples in /work/shared/samples; run with --ignored where they exist"]
fn the_startleft_example_imports() {
    let text =
        std::fs::read_to_string(SAMPLE).unwrap_or_else(|error| panic!("cannot read the sample {SAMPLE}: {error}"));
    let imported = import(&text);
    let model = &imported.model;
    assert_eq!((model.boundaries.len(), model.actors.len(), model.components.len()), (2, 1, 3));
    // Three request/response pairs fold into three flows.
    assert_eq!(model.flows.len(), 3);
    assert_eq!(model.custom_threats.len(), 43);
    assert_eq!(component(model, "accounting-postgresql").kind.value, "relational-database");
    let knowledge_base = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let errors: Vec<Diagnostic> =
        validate(model, &knowledge_base.vocabulary()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}
