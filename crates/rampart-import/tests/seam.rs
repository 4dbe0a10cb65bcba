//! The importer seam: listing, detection, choosing by name, native models.

use rampart_import::{by_name, detect, import, importers};
use rampart_model::Position;

const NATIVE_YAML: &str = "rampart: 1\nname: Shop\ncomponents:\n  - id: web\n    kind: web-app\n";
const NATIVE_JSON: &str =
    "{\n  \"rampart\": 1,\n  \"name\": \"Shop\",\n  \"components\": [{\"id\": \"web\", \"kind\": \"web-app\"}]\n}";
const THREAGILE: &str = "threagile_version: 1.0.0\ntitle: Shop\ntechnical_assets:\n  Web:\n    id: web\n    type: process\n    technology: web-server\n";

#[test]
fn every_importer_is_listed_once_and_found_by_name() {
    let names: Vec<&str> = importers().iter().map(|importer| importer.name()).collect();
    assert_eq!(names, ["rampart", "threagile", "threat-dragon", "threat-composer", "tmt", "pytm", "otm", "tm-bom"]);
    for importer in importers() {
        assert!(!importer.description().is_empty());
        assert_eq!(by_name(&importer.name().to_uppercase()).map(|found| found.name()), Some(importer.name()));
    }
    assert!(by_name("visio").is_none());
}

#[test]
fn detection_tells_the_formats_apart() {
    assert_eq!(detect("model.yaml", NATIVE_YAML).map(|importer| importer.name()), Some("rampart"));
    assert_eq!(detect("model.json", NATIVE_JSON).map(|importer| importer.name()), Some("rampart"));
    assert_eq!(detect("threagile.yaml", THREAGILE).map(|importer| importer.name()), Some("threagile"));
    let trimmed = "technical_assets:\n  Web:\n    id: web\n";
    assert_eq!(detect("x.yml", trimmed).map(|importer| importer.name()), Some("threagile"));
    assert!(detect("notes.yaml", "name: not a model\n").is_none());
    assert!(detect("empty.yaml", "").is_none());
}

#[test]
fn native_models_are_parsed_unchanged_in_both_syntaxes() {
    for text in [NATIVE_YAML, NATIVE_JSON] {
        let (importer, imported) = import("model", text, None).unwrap();
        assert_eq!(importer.name(), "rampart");
        assert!(imported.warnings.is_empty());
        assert_eq!(imported.model.name, "Shop");
        assert_eq!(imported.model.components[0].kind.value, "web-app");
    }
    let (_, yaml) = import("model.yaml", NATIVE_YAML, None).unwrap();
    assert_eq!(yaml.model.components[0].id.at, Position::new(4, 9));
}

#[test]
fn native_model_errors_keep_their_position() {
    let text = "rampart: 1\nname: x\ncomponents:\n  - id: a\n    kind: web-app\n    exposre: internet\n";
    let errors = import("model.yaml", text, None).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].at, Position::new(6, 5));
    assert_eq!(errors[0].help.as_deref(), Some("did you mean `exposure`?"));
}

#[test]
fn an_explicit_format_overrides_detection() {
    let (importer, imported) = import("whatever.txt", THREAGILE, Some("threagile")).unwrap();
    assert_eq!(importer.name(), "threagile");
    assert_eq!(imported.model.components.len(), 1);
    // Forcing the wrong format gives that format's errors, not a guess.
    let errors = import("whatever.txt", THREAGILE, Some("rampart")).unwrap_err();
    assert!(errors.iter().all(|error| error.is_error()));
}

#[test]
fn unknown_or_undetectable_formats_say_what_exists() {
    let errors = import("m.yaml", THREAGILE, Some("threagle")).unwrap_err();
    assert!(errors[0].message.contains("unknown import format `threagle`"), "{}", errors[0].message);
    assert_eq!(errors[0].help.as_deref(), Some("did you mean `threagile`?"));

    let errors = import("m.yaml", THREAGILE, Some("visio")).unwrap_err();
    assert_eq!(
        errors[0].help.as_deref(),
        Some("the formats are: rampart, threagile, threat-dragon, threat-composer, tmt, pytm, otm, tm-bom")
    );

    let errors = import("notes.yaml", "just: text\n", None).unwrap_err();
    assert!(errors[0].message.contains("cannot tell which tool wrote `notes.yaml`"));
    assert!(errors[0].help.as_deref().unwrap_or_default().contains("rampart, threagile"));
}
