//! Other threat-modeling tools' files through the command line, as a user
//! moving to Rampart meets them: `rampart import FORMAT FILE`, `auto`
//! detection, every command reading the file directly, the threats the file
//! records kept with their status, re-import keeping hand edits, and clear
//! errors on broken files. (The importers' mappings are specified in detail
//! by rampart-import's own tests, on the same fixtures.)

mod common;
use common::{rampart, scratch, stderr, stdout, write};

fn fixture(relative: &str) -> String {
    format!("{}/../rampart-import/tests/fixtures/{relative}", env!("CARGO_MANIFEST_DIR"))
}

fn analyze_json(path: &str) -> serde_json::Value {
    let output = rampart(&["analyze", path, "--format", "json", "--today", "2026-06-01"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("JSON")
}

fn status_of(json: &serde_json::Value, id: &str) -> String {
    let threats = json["threats"].as_array().expect("threats");
    let threat = threats.iter().find(|t| t["id"] == id).unwrap_or_else(|| panic!("no threat {id}"));
    threat["status"].as_str().unwrap_or_default().to_string()
}

/// Each format: detected by `auto`, written as a model that analyzes, with
/// one of the file's own threats raised with the status the file gave it.
#[test]
fn each_format_imports_to_a_model_with_the_files_threats_and_statuses() {
    let dir = scratch("formats");
    let cases = [
        ("threat_dragon/clinic-booking.json", "threat-dragon", "td-forged-booking-requests@booking-api", "mitigated"),
        (
            "threat_composer/pet-clinic.tc.json",
            "threat-composer",
            "tc-2-alter-appointment-times@appointments-database",
            "mitigated",
        ),
        ("tmt/parcel-tracking.tm7", "tmt", "tmt-th91-legacy-archive@legacy-archive", "false-positive"),
        ("pytm/clinic-booking.json", "pytm", "pytm-inp02@booking-portal", "mitigated"),
        ("otm/clinic-portal.otm.json", "otm", "otm-session-hijacking@browse-portal", "mitigated"),
        ("otm/clinic-portal.otm.yaml", "otm", "otm-session-hijacking@portal", "open"),
        ("tmbom/parcel-lockers.cdx.json", "tm-bom", "tmbom-lock-1@locker-controller", "open"),
    ];
    for (file, format, threat, status) in cases {
        let output_path = dir.join(format!("{format}.yaml")).to_string_lossy().to_string();
        let output = rampart(&["import", "auto", &fixture(file), "--output", &output_path]);
        assert_eq!(output.status.code(), Some(0), "{format}: {}", stderr(&output));
        let text = std::fs::read_to_string(&output_path).expect("model written");
        assert!(text.starts_with(&format!("# Imported by `rampart import {format} ")), "{format}: {text}");
        assert!(stderr(&output).contains("kept as custom threats"), "{format}: {}", stderr(&output));
        assert_eq!(status_of(&analyze_json(&output_path), threat), status, "{format}: {threat}");

        // Every command reads the file directly too, with the same result.
        assert_eq!(status_of(&analyze_json(&fixture(file)), threat), status, "{format} read directly");
    }
}

#[test]
fn a_recorded_threat_rampart_also_raises_becomes_tracking_on_rampart_s_threat() {
    let dir = scratch("adopted");
    let model = dir.join("clinic.yaml").to_string_lossy().to_string();
    let output = rampart(&["import", "pytm", &fixture("pytm/clinic-booking.json"), "--output", &model]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let notes = stderr(&output);
    assert!(
        notes.contains("`pytm-ds06@appointments-db` from the file is Rampart's `sensitive-data-unencrypted-at-rest@appointments-db`"),
        "{notes}"
    );
    let text = std::fs::read_to_string(&model).expect("model");
    assert!(text.contains("threat: sensitive-data-unencrypted-at-rest@appointments-db"), "{text}");
    assert!(!text.contains("pytm-ds06@appointments-db"), "{text}");
}

#[test]
fn re_import_keeps_what_was_edited_by_hand() {
    let dir = scratch("reimport");
    let model = dir.join("clinic.yaml").to_string_lossy().to_string();
    let source = fixture("threat_dragon/clinic-booking.json");
    assert_eq!(rampart(&["import", "threat-dragon", &source, "--output", &model]).status.code(), Some(0));
    // The user decides about one of the file's threats.
    let edited = std::fs::read_to_string(&model).expect("model").replacen(
        "- threat: td-visits-can-be-linked-across-clinics@booking-api\n  status: open",
        "- threat: td-visits-can-be-linked-across-clinics@booking-api\n  status: accepted\n  justification: Clinics share one patient id by law",
        1,
    );
    assert!(edited.contains("status: accepted"), "the tracking entry is where the test expects it:\n{edited}");
    std::fs::write(&model, &edited).expect("edit");

    let output = rampart(&["import", "threat-dragon", &source, "--output", &model]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("re-import merged into the existing model"), "{}", stderr(&output));
    let json = analyze_json(&model);
    assert_eq!(status_of(&json, "td-visits-can-be-linked-across-clinics@booking-api"), "accepted");
    assert_eq!(status_of(&json, "td-forged-booking-requests@booking-api"), "mitigated");
}

#[test]
fn broken_files_are_errors_with_their_position_and_nothing_is_written() {
    let dir = scratch("broken");
    let model = dir.join("out.yaml");
    let broken = write(&dir, "broken.json", "{\n  \"version\": \"2.2.0\",\n  \"detail\": {\n    \"diagrams\": [\n");
    let output = rampart(&["import", "threat-dragon", &broken, "--output", &model.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let errors = stderr(&output);
    assert!(errors.contains("broken.json:"), "{errors}");
    assert!(errors.contains("could not be read as"), "{errors}");
    assert!(!model.exists());

    let tm7 = write(&dir, "broken.tm7", "<ThreatModel><DrawingSurfaceList><oops></ThreatModel>");
    let output = rampart(&["import", "tmt", &tm7]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("broken.tm7:1:"), "{}", stderr(&output));

    // --strict refuses a file with anything that could not be carried over.
    let output = rampart(&[
        "import",
        "tmt",
        &fixture("tmt/parcel-tracking.tm7"),
        "--strict",
        "--output",
        &model.to_string_lossy(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--strict refuses warnings"), "{}", stderr(&output));
    assert!(!model.exists());
}

#[test]
fn a_native_model_is_not_imported_again() {
    let example = format!("{}/../../examples/ecommerce.yaml", env!("CARGO_MANIFEST_DIR"));
    let output = rampart(&["import", "auto", &example]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("already a Rampart model"), "{}", stderr(&output));
}

/// `rampart report --format otm|cyclonedx` writes a file the matching
/// importer reads back into the same system: the model travels to other
/// tools and back.
#[test]
fn otm_and_cyclonedx_exports_read_back_into_the_same_system() {
    let dir = scratch("round-trip");
    let example = format!("{}/../../examples/ecommerce.yaml", env!("CARGO_MANIFEST_DIR"));
    let original = analyze_json(&example);
    for (format, file) in [("otm", "shop.otm.json"), ("cyclonedx", "shop.cdx.json")] {
        let exported = dir.join(file).to_string_lossy().to_string();
        let output = rampart(&["report", &example, "--format", format, "--output", &exported, "--today", "2026-06-01"]);
        assert_eq!(output.status.code(), Some(0), "{format}: {}", stderr(&output));
        let back = analyze_json(&exported);
        for key in ["elements", "flows", "data", "boundaries"] {
            assert_eq!(back["model"][key], original["model"][key], "{format}: {key}");
        }
        // Every threat of the original is there again: Rampart's own raised
        // anew, and the exported ones folded into them or kept as custom threats.
        let ids = |json: &serde_json::Value| -> std::collections::BTreeSet<String> {
            json["threats"]
                .as_array()
                .expect("threats")
                .iter()
                .map(|t| t["id"].as_str().unwrap_or("").to_string())
                .collect()
        };
        let missing: Vec<String> = ids(&original).difference(&ids(&back)).cloned().collect();
        assert!(missing.is_empty(), "{format}: threats lost in the round trip: {missing:?}");
    }
}

/// Threagile's `includes:` are read from beside the model, by every command.
#[test]
fn threagile_includes_are_read_from_beside_the_model() {
    let kiosk = fixture("threagile/includes/kiosk.yaml");
    let output = rampart(&["analyze", &kiosk, "--format", "json", "--today", "2026-06-01"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["model"]["name"], "Ticket Kiosk");
    assert_eq!(json["model"]["elements"], 2, "the assets come from parts/assets.yaml");

    // From standard input there is no file to be beside: the include is not found.
    let text = std::fs::read_to_string(&kiosk).expect("fixture");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rampart"))
        .args(["analyze", "-", "--from", "threagile"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    std::io::Write::write_all(child.stdin.as_mut().expect("stdin"), text.as_bytes()).expect("write");
    let output = child.wait_with_output().expect("waits");
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("parts/assets.yaml"), "{}", stderr(&output));
}
