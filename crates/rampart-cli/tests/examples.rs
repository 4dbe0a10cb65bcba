//! The example models in `examples/` stay valid, analyze cleanly and keep
//! raising the threats a reviewer would look for first. Rule ids are checked
//! against `rampart kb list` and rule domains against `rampart kb show`, so a
//! renamed or moved rule fails here with a message rather than silently.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

const TODAY: &str = "2026-11-22";

fn rampart(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rampart")).args(args).output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn example(name: &str) -> String {
    examples_dir().join(name).to_string_lossy().to_string()
}

/// Every `examples/*.yaml`, sorted.
fn all_examples() -> Vec<String> {
    let mut paths: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("examples/ exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .map(|path| path.to_string_lossy().to_string())
        .collect();
    paths.sort();
    paths
}

/// `rampart analyze PATH --format json`: the raw output and its parse.
fn analyze(path: &str) -> (String, Value) {
    let output = rampart(&["analyze", path, "--format", "json", "--today", TODAY]);
    assert!(
        output.status.success(),
        "analyze {path} exited with {:?}\nstderr:\n{}",
        output.status.code(),
        text(&output.stderr)
    );
    let raw = text(&output.stdout);
    let json: Value =
        serde_json::from_str(&raw).unwrap_or_else(|error| panic!("analyze {path}: output is not JSON: {error}"));
    (raw, json)
}

fn threats(analysis: &Value) -> &Vec<Value> {
    analysis["threats"].as_array().expect("`threats` is an array")
}

fn field<'a>(threat: &'a Value, pointer: &str) -> &'a str {
    threat.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

/// `RULE@TARGET` of every threat, for failure messages.
fn ids(analysis: &Value) -> Vec<&str> {
    threats(analysis).iter().map(|t| field(t, "/id")).collect()
}

/// The rule ids `rampart kb list` prints.
fn rule_ids() -> BTreeSet<String> {
    let output = rampart(&["kb", "list"]);
    assert!(output.status.success(), "kb list failed: {}", text(&output.stderr));
    text(&output.stdout)
        .lines()
        .skip(1) // header
        .take_while(|line| !line.trim().is_empty())
        .filter_map(|line| line.split_whitespace().next().map(str::to_string))
        .collect()
}

/// Rule ids from `kb list` that start with `prefix`; at least one must exist.
fn rules_with_prefix(prefix: &str) -> BTreeSet<String> {
    let found: BTreeSet<String> = rule_ids().into_iter().filter(|id| id.starts_with(prefix)).collect();
    assert!(!found.is_empty(), "`rampart kb list` has no rule starting with `{prefix}`");
    found
}

/// Where a rule is defined (`threats/web/xss.yaml`), from `rampart kb show`.
fn rule_source(rule: &str) -> String {
    let output = rampart(&["kb", "show", rule]);
    assert!(output.status.success(), "kb show {rule} failed: {}", text(&output.stderr));
    text(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("Defined in:").map(|rest| rest.trim().to_string()))
        .unwrap_or_else(|| panic!("`rampart kb show {rule}` prints no `Defined in:` line"))
}

fn tracking_status<'a>(analysis: &'a Value, id: &str) -> Option<&'a Value> {
    threats(analysis).iter().find(|t| field(t, "/id") == id)
}

#[test]
fn the_four_examples_exist() {
    let names: BTreeSet<String> = all_examples()
        .iter()
        .map(|path| PathBuf::from(path).file_name().unwrap_or_default().to_string_lossy().to_string())
        .collect();
    for expected in ["ecommerce.yaml", "aws-microservices.yaml", "industrial-plant.yaml", "rampart-self.yaml"] {
        assert!(names.contains(expected), "examples/{expected} is missing; found {names:?}");
    }
}

#[test]
fn every_example_validates_without_errors_or_warnings() {
    for path in all_examples() {
        let output = rampart(&["validate", &path]);
        let all = format!("{}{}", text(&output.stdout), text(&output.stderr));
        assert!(output.status.success(), "validate {path} exited with {:?}:\n{all}", output.status.code());
        assert!(!all.contains("error"), "validate {path} reported errors:\n{all}");
        assert!(!all.contains("warning"), "validate {path} reported warnings:\n{all}");
    }
}

#[test]
fn every_example_analyzes_to_at_least_ten_threats_with_matching_tracking() {
    for path in all_examples() {
        let (_, analysis) = analyze(&path);
        let count = threats(&analysis).len();
        assert!(count >= 10, "{path}: only {count} threats: {:?}", ids(&analysis));
        assert_eq!(analysis["summary"]["threats"].as_u64(), Some(count as u64), "{path}: summary count");
        // A tracking entry that matches no threat means the example drifted
        // from the rules (a renamed rule or element).
        let warnings = analysis["warnings"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(warnings, 0, "{path}: tracking entries match no threat: {}", analysis["warnings"]);
        for threat in threats(&analysis) {
            if field(threat, "/status") == "accepted" {
                assert_eq!(
                    threat.pointer("/tracking/expired").and_then(Value::as_bool),
                    Some(false),
                    "{path}: acceptance of {} has expired by {TODAY}",
                    field(threat, "/id")
                );
            }
        }
    }
}

#[test]
fn analyze_output_is_identical_across_runs() {
    for path in all_examples() {
        let (first, _) = analyze(&path);
        for _ in 0..3 {
            let (again, _) = analyze(&path);
            if first != again {
                let line = first.lines().zip(again.lines()).position(|(a, b)| a != b).unwrap_or(0);
                let around =
                    |text: &str| text.lines().skip(line.saturating_sub(3)).take(7).collect::<Vec<_>>().join("\n");
                panic!(
                    "{path}: `analyze --format json` differs between runs from line {}:\n{}\n--- versus ---\n{}",
                    line + 1,
                    around(&first),
                    around(&again)
                );
            }
        }
    }
}

#[test]
fn ecommerce_raises_injection_or_xss_on_the_storefront_and_card_data_threats() {
    let (_, analysis) = analyze(&example("ecommerce.yaml"));
    let known = rule_ids();
    let web_rules: BTreeSet<&String> =
        known.iter().filter(|id| id.contains("injection") || id.starts_with("cross-site-scripting")).collect();
    assert!(!web_rules.is_empty(), "no injection or XSS rules in `rampart kb list`");
    let on_storefront: Vec<&str> = threats(&analysis)
        .iter()
        .filter(|t| field(t, "/target/id") == "storefront")
        .map(|t| field(t, "/rule"))
        .filter(|rule| web_rules.contains(&rule.to_string()))
        .collect();
    assert!(!on_storefront.is_empty(), "no injection or XSS threat on the storefront: {:?}", ids(&analysis));

    // `card-data` is the model's payment-card asset.
    let about_cards: Vec<&str> = threats(&analysis)
        .iter()
        .filter(|t| {
            t["because"].as_array().is_some_and(|because| {
                because.iter().any(|fact| fact.as_str().is_some_and(|fact| fact.contains("`card-data`")))
            })
        })
        .map(|t| field(t, "/id"))
        .collect();
    assert!(!about_cards.is_empty(), "no threat involves the payment-card data: {:?}", ids(&analysis));

    let accepted = tracking_status(&analysis, "search-index-exposed@product-search").expect("tracked threat raised");
    assert_eq!(field(accepted, "/status"), "accepted");
    let in_progress = tracking_status(&analysis, "cleartext-credentials-in-transit@sessions").expect("tracked");
    assert_eq!(field(in_progress, "/status"), "in-progress");
    assert_eq!(field(in_progress, "/tracking/ticket"), "SHOP-204");
}

#[test]
fn industrial_plant_raises_controller_threats_and_no_web_threats_on_controllers() {
    let (_, analysis) = analyze(&example("industrial-plant.yaml"));
    let unauthenticated = rules_with_prefix("unauthenticated-control");
    let plc_flows: BTreeSet<&str> = threats(&analysis)
        .iter()
        .filter(|t| unauthenticated.contains(field(t, "/rule")) && field(t, "/target/kind") == "flow")
        .map(|t| field(t, "/target/id"))
        .collect();
    for flow in ["poll-dosing", "poll-filtration"] {
        assert!(plc_flows.contains(flow), "no unauthenticated-command threat on `{flow}`: {:?}", ids(&analysis));
    }
    // DNP3 with Secure Authentication is declared for the pumping station.
    assert!(!plc_flows.contains("poll-pump-station"), "authenticated DNP3 flagged: {plc_flows:?}");

    for (prefix, target) in [
        ("safety-system", "sis"),
        ("it-to-ot", "recipe-download"),
        ("setpoint-write", "recipe-download"),
        ("engineering-workstation", "ews"),
        ("insecure-wireless", "vibration-readings"),
    ] {
        let rules = rules_with_prefix(prefix);
        assert!(
            threats(&analysis).iter().any(|t| rules.contains(field(t, "/rule")) && field(t, "/target/id") == target),
            "no `{prefix}*` threat on `{target}`: {:?}",
            ids(&analysis)
        );
    }

    // Nothing from the web library (XSS, CSRF, injection, CORS...) on the
    // controllers or on the flows that reach them.
    let controller_targets = [
        "plc-dosing",
        "plc-filtration",
        "sis",
        "rtu-pump",
        "poll-dosing",
        "poll-filtration",
        "poll-pump-station",
        "program-plc",
        "program-sis",
        "recipe-download",
    ];
    let mut checked = BTreeSet::new();
    for threat in threats(&analysis) {
        let rule = field(threat, "/rule");
        if controller_targets.contains(&field(threat, "/target/id")) && checked.insert(rule.to_string()) {
            let source = rule_source(rule);
            assert!(!source.contains("threats/web/"), "web rule `{rule}` ({source}) raised on a controller");
        }
    }
    let accepted = tracking_status(&analysis, "cleartext-iot-messaging@meter-readings").expect("tracked");
    assert_eq!(field(accepted, "/status"), "accepted");
}

#[test]
fn aws_microservices_raises_cloud_storage_and_iam_threats() {
    let (_, analysis) = analyze(&example("aws-microservices.yaml"));
    let mut cloud_targets = BTreeSet::new();
    let mut sources = std::collections::BTreeMap::new();
    for threat in threats(&analysis) {
        let rule = field(threat, "/rule");
        let source = sources.entry(rule.to_string()).or_insert_with(|| rule_source(rule));
        if source.contains("threats/cloud/") {
            cloud_targets.insert(field(threat, "/target/id").to_string());
        }
    }
    assert!(
        ["tickets-bucket", "web-assets"].iter().any(|bucket| cloud_targets.contains(*bucket)),
        "no cloud threat on an S3 bucket; cloud threats target {cloud_targets:?}"
    );
    let iam_rules: BTreeSet<String> = rule_ids().into_iter().filter(|id| id.contains("iam")).collect();
    assert!(
        threats(&analysis).iter().any(|t| iam_rules.contains(field(t, "/rule")) || field(t, "/target/id") == "iam"),
        "no IAM threat: {:?}",
        ids(&analysis)
    );
}

#[test]
fn rampart_self_model_has_at_least_ten_threats_and_tracks_ssrf() {
    let (_, analysis) = analyze(&example("rampart-self.yaml"));
    assert!(threats(&analysis).len() >= 10, "only {:?}", ids(&analysis));
    let ssrf = tracking_status(&analysis, "server-side-request-forgery@api-server").expect("SSRF on the server");
    assert_eq!(field(ssrf, "/status"), "in-progress");
    // Models and libraries are untrusted input to the CI job and the server.
    assert!(
        threats(&analysis).iter().any(|t| field(t, "/target/id") == "api-server"),
        "nothing raised on the server: {:?}",
        ids(&analysis)
    );
}
