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

/// A bucket private in the plan is public in the account: the live inventory
/// (AWS CLI outputs) against the plan (the same account as it should be).
#[test]
fn a_bucket_public_in_the_account_but_private_in_the_plan() {
    let dir = scratch("public-bucket");
    let (planned, live) = (dir.join("planned"), dir.join("live"));
    let inventory = example("aws-inventory");
    copy_dir(&inventory, &planned);
    copy_dir(&inventory, &live);
    // Both hold confidential customer data, as the bucket's tags say.
    let tags = inventory.join("s3api-get-bucket-tagging--tidepool-invoices.json");
    for side in [&planned, &live] {
        std::fs::copy(&tags, side.join("s3api-get-bucket-tagging--tidepool-public-site.json")).expect("tags");
    }
    // The plan blocks public access and has no public bucket policy.
    std::fs::copy(
        inventory.join("s3api-get-public-access-block--tidepool-invoices.json"),
        planned.join("s3api-get-public-access-block--tidepool-public-site.json"),
    )
    .expect("block");
    for file in [
        "s3api-get-public-access-block--tidepool-public-site.error.txt",
        "s3api-get-bucket-policy--tidepool-public-site.json",
        "s3api-get-bucket-policy-status--tidepool-public-site.json",
    ] {
        std::fs::remove_file(planned.join(file)).expect(file);
    }
    let (planned, live) = (planned.to_string_lossy().to_string(), live.to_string_lossy().to_string());
    let output = rampart(&["drift", &planned, &live, "--format", "json", "--today", "2026-06-01"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let changed: Vec<(String, String, String, String)> = json["changed"]
        .as_array()
        .expect("changed")
        .iter()
        .map(|c| {
            let field = |k: &str| c[k].as_str().unwrap_or("").to_string();
            (field("planned_id"), field("property"), field("planned"), field("live"))
        })
        .collect();
    let bucket = "tidepool-public-site-bucket".to_string();
    assert!(
        changed.contains(&(bucket.clone(), "exposure".into(), "internal".into(), "internet".into())),
        "{changed:?}"
    );
    assert!(
        changed.contains(&(
            bucket.clone(),
            "control block-public-storage-access".into(),
            "present".into(),
            "absent".into()
        )),
        "{changed:?}"
    );
    assert_eq!(json["unmodelled"][0]["id"], "internet->tidepool-public-site-bucket");
    let worse = json["threats"]["changed"].as_array().expect("changed threats");
    let public = worse.iter().find(|c| c["id"] == "public-object-storage@tidepool-public-site-bucket").expect("worse");
    assert_eq!(public["after"]["severity"], "critical");
    assert_eq!(public["worsened"], true);
}

/// The same account seen two ways (AWS CLI outputs, a Config snapshot)
/// matches element by element, by name or by the resource's ARN.
#[test]
fn a_config_snapshot_and_a_cli_inventory_of_one_account_match() {
    let planned = example("aws-config/snapshot.json").to_string_lossy().to_string();
    let live = example("aws-inventory").to_string_lossy().to_string();
    let output = rampart(&["drift", &planned, &live, "--format", "json", "--today", "2026-06-01"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    // The KMS key is named differently by the two sources but has one id.
    assert_eq!(json["missing"].as_array().expect("missing").len(), 0, "{:#}", json["missing"]);
    let unmodelled: Vec<&str> =
        json["unmodelled"].as_array().expect("unmodelled").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert!(unmodelled.iter().all(|kind| *kind == "flow"), "only flows the snapshot cannot show: {unmodelled:?}");
}
