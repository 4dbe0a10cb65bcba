//! `rampart drift PLANNED LIVE`, run as a user runs it: the Terraform example
//! as the plan against a copy edited the way a live account drifts.

use std::path::{Path, PathBuf};

mod common;
use common::{rampart, scratch, stderr, stdout};

fn example(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac").join(relative)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// The shop as it "runs": orders-db lost its encryption, the reports database
/// is gone, and a scratch bucket appeared that nobody modelled.
fn drifted_shop(dir: &Path) -> PathBuf {
    let live = dir.join("live");
    copy_dir(&example("terraform/aws-shop"), &live);
    let data = live.join("data.tf");
    let mut text = std::fs::read_to_string(&data).expect("data.tf");
    let encrypted = "  storage_encrypted      = true\n  kms_key_id             = aws_kms_key.data.arn\n";
    assert!(text.contains(encrypted), "the example encrypts orders-db");
    text = text.replacen(encrypted, "", 1);
    let start = text.find("resource \"aws_db_instance\" \"reports\"").expect("reports db");
    let end = text.find("resource \"aws_s3_bucket\" \"uploads\"").expect("uploads bucket");
    text.replace_range(start..end, "");
    text.push_str("\nresource \"aws_s3_bucket\" \"scratch\" {\n  bucket = \"${local.name}-scratch\"\n}\n");
    std::fs::write(&data, text).expect("write");
    live
}

#[test]
fn drift_lists_unmodelled_missing_and_changed_with_the_threats_it_adds() {
    let dir = scratch("terraform");
    let live = drifted_shop(&dir);
    let planned = example("terraform/aws-shop");
    let (planned, live) = (planned.to_string_lossy().to_string(), live.to_string_lossy().to_string());

    let output = rampart(&["drift", &planned, &live, "--format", "json", "--today", "2026-06-01"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let ids = |key: &str| -> Vec<String> {
        json[key].as_array().expect(key).iter().map(|e| e["id"].as_str().unwrap_or("").to_string()).collect()
    };
    assert_eq!(ids("unmodelled"), ["scratch-bucket"]);
    assert!(ids("missing").contains(&"reports-db".to_string()), "{:?}", ids("missing"));
    assert!(ids("missing").contains(&"api-service->reports-db".to_string()), "{:?}", ids("missing"));
    let changed: Vec<(String, String, String)> = json["changed"]
        .as_array()
        .expect("changed")
        .iter()
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (field("planned_id"), field("property"), field("live"))
        })
        .collect();
    assert!(
        changed.contains(&("orders-db".into(), "control encryption-at-rest".into(), "absent".into())),
        "{changed:?}"
    );
    assert_eq!(json["summary"]["threats_worsened"], 1);
    assert_eq!(json["threats"]["changed"][0]["id"], "cloud-storage-unencrypted@orders-db");
    assert_eq!(json["threats"]["changed"][0]["before"]["status"], "mitigated");
    assert_eq!(json["threats"]["changed"][0]["after"]["status"], "open");

    let output = rampart(&["drift", &planned, &live, "--today", "2026-06-01", "--exit-code"]);
    assert_eq!(output.status.code(), Some(1), "--exit-code fails on drift");
    let text = stdout(&output);
    assert!(text.contains("1 unmodelled"), "{text}");
    assert!(text.contains("Threats the drift adds or makes worse:"), "{text}");
    assert!(text.contains("cloud-storage-unencrypted@orders-db"), "{text}");

    let output = rampart(&["drift", &planned, &live, "--format", "markdown", "--today", "2026-06-01"]);
    assert!(stdout(&output).contains("| `orders-db` | control encryption-at-rest | present | absent |"));
}

#[test]
fn a_plan_against_itself_has_no_drift() {
    let planned = example("terraform/aws-shop").to_string_lossy().to_string();
    let output = rampart(&["drift", &planned, &planned, "--exit-code", "--today", "2026-06-01"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("The live system matches the plan."));
}

#[test]
fn drift_usage_errors_exit_2() {
    let output = rampart(&["drift", "no-such-plan", "no-such-live"]);
    assert_eq!(output.status.code(), Some(2));
    let output = rampart(&["drift", "a", "b", "--format", "yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("expected one of: text, json, markdown"));
}
