//! Living models: `rampart diff`, `rampart gate`, tracking patterns, stale
//! tracking and the `MODEL.tracking.yaml` sidecar, run as a user runs them.

use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::{rampart, scratch, stderr, stdout, write};

fn ecommerce() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/ecommerce.yaml")).expect("example")
}

/// The e-commerce example with a plain-HTTP flow from customers straight into the data tier.
fn ecommerce_with_direct_search() -> String {
    let extra = "  - id: search-direct\n    from: customer\n    to: product-search\n    protocol: http\n    data: [product-catalogue]\n  # Back office.\n";
    let edited = ecommerce().replacen("  # Back office.\n", extra, 1);
    assert_ne!(edited, ecommerce());
    edited
}

const TODAY: &str = "2026-06-01";

#[test]
fn diff_of_an_added_flow_shows_the_added_threats() {
    let dir = scratch("diff-files");
    let old = write(&dir, "old.yaml", &ecommerce());
    let new = write(&dir, "new.yaml", &ecommerce_with_direct_search());
    let output = rampart(&["diff", &old, &new, "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("2 added, 0 removed"), "{text}");
    assert!(text.contains("+ high     open           cleartext-traffic-across-boundary@search-direct"), "{text}");

    let output = rampart(&["diff", &old, &new, "--format", "json", "--today", TODAY]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["summary"]["added"], 2);
    assert_eq!(json["summary"]["regressions"], 2);
    assert_eq!(json["added"][0]["id"], "cleartext-traffic-across-boundary@search-direct");

    // The reverse direction removes them.
    let output = rampart(&["diff", &new, &old, "--today", TODAY]);
    assert!(stdout(&output).contains("0 added, 2 removed"));

    let output = rampart(&["diff", &old, &old, "--format", "markdown", "--today", TODAY]);
    assert!(stdout(&output).contains("No threat was added, removed or changed."));
}

#[test]
fn diff_usage_errors_exit_2() {
    let dir = scratch("diff-usage");
    let model = write(&dir, "m.yaml", &ecommerce());
    assert_eq!(rampart(&["diff", &model]).status.code(), Some(2));
    assert_eq!(rampart(&["diff", &model, &model, "--format", "html"]).status.code(), Some(2));
    assert_eq!(rampart(&["diff", "--git", "HEAD", &model, &model]).status.code(), Some(2));
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=Rampart tests", "-c", "user.email=tests@example.com", "-c", "commit.gpgsign=false"])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn diff_against_a_git_revision() {
    let dir = scratch("diff-git");
    git(&dir, &["init", "-q"]);
    std::fs::create_dir_all(dir.join("models")).unwrap();
    let model = write(&dir.join("models"), "shop.yaml", &ecommerce());
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "first"]);
    write(&dir.join("models"), "shop.yaml", &ecommerce_with_direct_search());
    git(&dir, &["commit", "-q", "-a", "-m", "second"]);

    let output = rampart(&["diff", "--git", "HEAD~1", &model, "--format", "markdown", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let markdown = stdout(&output);
    assert!(markdown.contains("2 added, 0 removed"), "{markdown}");
    assert!(markdown.contains("| high | open | `cleartext-traffic-across-boundary@search-direct` |"), "{markdown}");

    // Against HEAD the committed model is the working one.
    let output = rampart(&["diff", "--git", "HEAD", &model, "--today", TODAY]);
    assert!(stdout(&output).contains("no threat changed"), "{}", stdout(&output));

    // A revision that does not exist, and a file outside any repository.
    let output = rampart(&["diff", "--git", "no-such-rev", &model]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read") && stderr(&output).contains("no-such-rev"), "{}", stderr(&output));
    let outside = scratch("diff-git-outside");
    let loose = write(&outside, "m.yaml", &ecommerce());
    let output = rampart(&["diff", "--git", "HEAD", &loose]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

fn gate(dir: &Path, model: &str, policy: &str, extra: &[&str]) -> Output {
    let policy = write(dir, "policy.yaml", policy);
    let mut args = vec!["gate", model, "--policy", &policy];
    args.extend_from_slice(extra);
    if !extra.contains(&"--today") {
        args.extend(["--today", TODAY]);
    }
    rampart(&args)
}

#[test]
fn gate_exit_codes_per_policy_rule() {
    let dir = scratch("gate");
    let model = write(&dir, "shop.yaml", &ecommerce());
    let base = write(&dir, "base.yaml", &ecommerce());
    let edited = write(&dir, "edited.yaml", &ecommerce_with_direct_search());

    let clean = gate(&dir, &model, "{}\n", &[]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert!(stderr(&clean).contains("gate passed"));

    let severity = gate(&dir, &model, "fail_on_severity: critical\n", &[]);
    assert_eq!(severity.status.code(), Some(1));
    assert!(stdout(&severity).contains("fail_on_severity"), "{}", stdout(&severity));
    assert!(stdout(&severity).contains("with current severity critical"));

    let rules = gate(&dir, &model, "always_fail_rules: [weak-api-key-authentication]\n", &[]);
    assert_eq!(rules.status.code(), Some(1));
    assert!(stdout(&rules).contains("weak-api-key-authentication@charge-card"));
    // A tracked (mitigated) threat of the rule does not fail.
    let tracked = ecommerce() + "  - threat: weak-api-key-authentication@*\n    status: mitigated\n";
    let tracked = write(&dir, "tracked.yaml", &tracked);
    assert_eq!(gate(&dir, &tracked, "always_fail_rules: [weak-api-key-authentication]\n", &[]).status.code(), Some(0));

    let cwe = gate(&dir, &model, "always_fail_cwe: [CWE-522]\n", &[]);
    assert_eq!(cwe.status.code(), Some(1), "{}", stdout(&cwe));
    assert!(stdout(&cwe).contains("CWE-522"));

    let untracked = gate(&dir, &model, "fail_on_untracked: true\n", &[]);
    assert_eq!(untracked.status.code(), Some(1));
    assert!(!stdout(&untracked).contains("cleartext-credentials-in-transit@sessions"), "tracked in-progress");

    // The example's acceptance expires on 2027-04-30.
    let expired = gate(&dir, &model, "fail_on_expired_acceptance: true\n", &["--today", "2027-05-01"]);
    assert_eq!(expired.status.code(), Some(1), "{}", stderr(&expired));
    assert!(stdout(&expired).contains("search-index-exposed@product-search: acceptance expired on 2027-04-30"));
    assert_eq!(gate(&dir, &model, "fail_on_expired_acceptance: true\n", &[]).status.code(), Some(0));

    let regression = gate(&dir, &edited, "fail_on_regression: true\n", &["--base-model", &base]);
    assert_eq!(regression.status.code(), Some(1));
    assert!(stdout(&regression).contains("cleartext-traffic-across-boundary@search-direct: new unresolved threat"));
    assert_eq!(gate(&dir, &model, "fail_on_regression: true\n", &["--base-model", &base]).status.code(), Some(0));
    let unchecked = gate(&dir, &edited, "fail_on_regression: true\n", &[]);
    assert_eq!(unchecked.status.code(), Some(0));
    assert!(stderr(&unchecked).contains("not checked"));

    let required =
        "required_countermeasures:\n  - data_category: payment-card\n    countermeasures: [encryption-at-rest]\n";
    let output = gate(&dir, &model, required, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("checkout-api: handles `card-data` but does not declare `encryption-at-rest`"));
    let satisfied =
        "required_countermeasures:\n  - min_confidentiality: critical\n    countermeasures: [security-logging]\n";
    assert_eq!(gate(&dir, &model, satisfied, &[]).status.code(), Some(0));
}

#[test]
fn gate_reads_the_models_own_policy_section() {
    let dir = scratch("gate-section");
    let strict = write(&dir, "strict.yaml", &(ecommerce() + "policy:\n  fail_on_severity: critical\n"));
    let output = rampart(&["gate", &strict, "--today", TODAY]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("the `policy:` section of"), "{}", stderr(&output));
    assert!(stdout(&output).contains("with current severity critical"));

    // The section wins over a policy file found beside the model...
    write(&dir, "rampart-policy.yaml", "{}\n");
    assert_eq!(rampart(&["gate", &strict, "--today", TODAY]).status.code(), Some(1));
    // ...and an explicit --policy wins over the section.
    let lenient = gate(&dir, &strict, "{}\n", &[]);
    assert_eq!(lenient.status.code(), Some(0), "{}", stderr(&lenient));

    // A section with mistakes is an invalid model, reported at its lines.
    let typo = write(&dir, "typo.yaml", &(ecommerce() + "policy:\n  always_fail_rules: [sql-injecton]\n"));
    let output = rampart(&["gate", &typo, "--today", TODAY]);
    assert_eq!(output.status.code(), Some(2));
    let lines = ecommerce().lines().count();
    assert!(stderr(&output).contains(&format!("typo.yaml:{}:", lines + 2)), "{}", stderr(&output));
    assert!(stderr(&output).contains("did you mean `sql-injection`?"), "{}", stderr(&output));
    let output = rampart(&["validate", &typo]);
    assert_eq!(output.status.code(), Some(2), "validate checks the section too");
    let unknown = write(&dir, "unknown.yaml", &(ecommerce() + "policy:\n  fail_on_sevrity: low\n"));
    let output = rampart(&["validate", &unknown]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("fail_on_sevrity"), "{}", stderr(&output));
}

#[test]
fn gate_rejects_bad_policies_with_positions() {
    let dir = scratch("gate-invalid");
    let model = write(&dir, "shop.yaml", &ecommerce());
    let output = gate(&dir, &model, "fail_on_severity: high\nfail_on_sevrity: low\n", &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("policy.yaml:2:"), "{}", stderr(&output));
    let output = gate(&dir, &model, "always_fail_rules: [sql-injecton]\n", &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("did you mean `sql-injection`?"), "{}", stderr(&output));
    let output = rampart(&["gate", &model, "--policy", "/nonexistent/policy.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    // No policy anywhere.
    let output = Command::new(env!("CARGO_BIN_EXE_rampart")).current_dir(&dir).args(["gate", "shop.yaml"]).output();
    assert_eq!(output.expect("runs").status.code(), Some(2));
    // The default policy file beside the model.
    write(&dir, "rampart-policy.yaml", "fail_on_severity: critical\n");
    assert_eq!(rampart(&["gate", &model, "--today", TODAY]).status.code(), Some(1));
}

#[test]
fn stale_tracking_warns_and_fails_with_strict_tracking() {
    let dir = scratch("stale");
    let text = ecommerce() + "  - threat: sql-injection@retired-service\n    status: mitigated\n";
    let model = write(&dir, "shop.yaml", &text);
    let output = rampart(&["analyze", &model, "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("warning: tracking entry `sql-injection@retired-service` matches no threat"));
    let output = rampart(&["analyze", &model, "--today", TODAY, "--strict-tracking"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("error: tracking entry `sql-injection@retired-service`"), "{}", stderr(&output));
    // Without stale entries --strict-tracking changes nothing.
    let clean = write(&dir, "clean.yaml", &ecommerce());
    assert_eq!(rampart(&["analyze", &clean, "--today", TODAY, "--strict-tracking"]).status.code(), Some(0));
}

#[test]
fn tracking_patterns_match_several_threats_and_exact_entries_win() {
    let dir = scratch("patterns");
    let text = ecommerce()
        + "  - threat: '*@checkout-api'\n    status: in-progress\n    ticket: SHOP-1\n"
        + "  - threat: vulnerable-dependencies@checkout-api\n    status: mitigated\n"
        + "  - threat: 'nothing-like-this@*'\n    status: mitigated\n";
    let model = write(&dir, "shop.yaml", &text);
    let output = rampart(&["analyze", &model, "--format", "json", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let threats = json["threats"].as_array().expect("threats");
    let on_checkout: Vec<&serde_json::Value> =
        threats.iter().filter(|t| t["id"].as_str().is_some_and(|id| id.ends_with("@checkout-api"))).collect();
    assert!(on_checkout.len() > 3);
    for threat in &on_checkout {
        if threat["id"] == "vulnerable-dependencies@checkout-api" {
            assert_eq!(threat["status"], "mitigated");
            assert!(threat["tracking"].get("pattern").is_none());
        } else {
            assert_eq!(threat["status"], "in-progress", "{}", threat["id"]);
            assert_eq!(threat["tracking"]["pattern"], "*@checkout-api");
        }
    }
    // The pattern that matches nothing is stale.
    assert!(
        stderr(&output).contains("tracking pattern `nothing-like-this@*` matches no threat"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn sidecar_tracking_file_is_merged() {
    let dir = scratch("sidecar");
    let model = write(&dir, "shop.yaml", &ecommerce());
    write(
        &dir,
        "shop.tracking.yaml",
        "threats:\n  - threat: 'weak-api-key-authentication@*'\n    status: in-progress\n    ticket: SHOP-9\n  - threat: gone@nowhere\n    status: mitigated\n",
    );
    let output = rampart(&["analyze", &model, "--format", "json", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let charge = json["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "weak-api-key-authentication@charge-card")
        .expect("threat");
    assert_eq!(charge["status"], "in-progress");
    assert_eq!(charge["tracking"]["ticket"], "SHOP-9");
    // The stale sidecar entry is reported against the sidecar file.
    assert!(stderr(&output).contains("shop.tracking.yaml:5:"), "{}", stderr(&output));
    assert_eq!(rampart(&["analyze", &model, "--today", TODAY, "--strict-tracking"]).status.code(), Some(2));

    // An entry the model tracks too, and an unknown key, are errors in the sidecar.
    write(&dir, "shop.tracking.yaml", "threats:\n  - threat: admin-without-mfa@staff-admin\n    status: mitigated\n");
    let output = rampart(&["analyze", &model]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("already tracked in the model"), "{}", stderr(&output));
    write(&dir, "shop.tracking.yaml", "threats: []\nowner: me\n");
    let output = rampart(&["analyze", &model]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("shop.tracking.yaml:2:"), "{}", stderr(&output));
}

const SMALL: &str = "\
rampart: 1
name: Tiny shop
boundaries:
  - id: dc
actors:
  - id: customer
components:
  - id: web
    kind: web-app
    boundary: dc
    exposure: internet
  - id: db
    kind: relational-database
    boundary: dc
    stores: [orders]
data:
  - id: orders
    confidentiality: high
    integrity: high
flows:
  - from: customer
    to: web
    protocol: https
  - from: web
    to: db
    protocol: sql
    data: [orders]
";

#[test]
fn markdown_diff_snapshot() {
    let dir = scratch("snapshot");
    let old = write(&dir, "old.yaml", SMALL);
    let new_text = SMALL
        .replace("    exposure: internet\n", "    exposure: internet\n    capabilities: [sql-queries]\n")
        + "threats:\n  - threat: '*@db'\n    status: mitigated\n";
    let new = write(&dir, "new.yaml", &new_text);
    let output = rampart(&["diff", &old, &new, "--format", "markdown", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

/// `diff --git` on infrastructure as code: a Terraform directory and a
/// single CloudFormation template, compared with their committed versions.
#[test]
fn diff_against_a_git_revision_of_infrastructure_as_code() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac");
    let dir = scratch("diff-git-iac");
    git(&dir, &["init", "-q"]);
    let infra = dir.join("infra");
    let copy = |from: &Path, to: &Path| {
        let status = Command::new("cp").arg("-r").arg(from).arg(to).status().expect("cp runs");
        assert!(status.success());
    };
    copy(&examples.join("terraform/aws-shop"), &infra);
    copy(&examples.join("cloudformation/shop.yaml"), &dir.join("shop.yaml"));
    git(&dir, &["add", "."]);
    git(&dir, &["commit", "-q", "-m", "first"]);

    // The orders database loses its encryption.
    let data = infra.join("data.tf");
    let text = std::fs::read_to_string(&data).expect("data.tf");
    let encrypted = "  storage_encrypted      = true\n  kms_key_id             = aws_kms_key.data.arn\n";
    assert!(text.contains(encrypted));
    std::fs::write(&data, text.replacen(encrypted, "", 1)).expect("edit");
    let infra = infra.to_string_lossy().to_string();
    let output = rampart(&["diff", "--git", "HEAD", &infra, "--format", "json", "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let changed: Vec<&str> =
        json["changed"].as_array().expect("changed").iter().filter_map(|c| c["id"].as_str()).collect();
    assert!(changed.contains(&"cloud-storage-unencrypted@orders-db"), "{changed:?}");
    assert_eq!(json["summary"]["worsened"], 1, "{:#}", json["summary"]);

    // A single template file at a revision, and an unchanged one.
    let template = dir.join("shop.yaml").to_string_lossy().to_string();
    let output = rampart(&["diff", "--git", "HEAD", &template, "--today", TODAY]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("no threat changed"), "{}", stdout(&output));
    let output = rampart(&["diff", "--git", "no-such-rev", &infra]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no-such-rev"), "{}", stderr(&output));
}
