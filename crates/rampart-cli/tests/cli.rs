//! The `rampart` binary as a user runs it: commands, outputs, exit codes.

mod common;
use common::{rampart, scratch, stderr, stdout, write};

const SHOP: &str = "\
rampart: 1
name: shop
boundaries:
  - id: dc
actors:
  - id: customer
components:
  - id: web
    kind: web-app
    boundary: dc
    exposure: internet
    capabilities: [sql-queries]
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

fn analyze_json(path: &str) -> serde_json::Value {
    let output = rampart(&["analyze", path, "--format", "json", "--today", "2026-01-01"]);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("valid JSON")
}

fn ids(json: &serde_json::Value) -> Vec<String> {
    json["threats"].as_array().expect("threats").iter().map(|t| t["id"].as_str().unwrap().to_string()).collect()
}

#[test]
fn starter_model_from_init_validates_and_analyzes() {
    let dir = scratch("init");
    let path = dir.join("rampart.yaml").to_string_lossy().to_string();
    let output = rampart(&["init", &path]);
    assert!(output.status.success(), "{}", stderr(&output));
    let again = rampart(&["init", &path]);
    assert_eq!(again.status.code(), Some(2), "init must not overwrite");
    assert!(stderr(&again).contains("--force"));

    let valid = rampart(&["validate", &path]);
    assert!(valid.status.success(), "{}", stderr(&valid));
    assert!(stderr(&valid).contains("is valid"), "{}", stderr(&valid));

    let table = rampart(&["analyze", &path]);
    assert!(table.status.success(), "{}", stderr(&table));
    let text = stdout(&table);
    assert!(text.contains("sql-injection@storefront"), "{text}");
    assert!(text.contains("in-progress"), "tracking status shows: {text}");
}

#[test]
fn json_output_is_complete_and_ids_are_stable() {
    let dir = scratch("stable");
    let path = write(&dir, "shop.yaml", SHOP);
    let first = analyze_json(&path);
    assert_eq!(first["rampart_json"], 1);
    let threat =
        first["threats"].as_array().unwrap().iter().find(|t| t["id"] == "sql-injection@web").expect("SQLi on web");
    for key in [
        "title",
        "stride",
        "cwe",
        "capec",
        "attack",
        "target",
        "inherent",
        "current",
        "status",
        "because",
        "risk_factors",
        "countermeasures",
        "location",
    ] {
        assert!(threat.get(key).is_some(), "threat lacks `{key}`: {threat}");
    }
    assert_eq!(threat["cwe"], serde_json::json!([89]));
    assert!(!threat["because"].as_array().unwrap().is_empty());
    // What the library says about the rule is written once, in `rules`.
    let rule = &first["rules"]["sql-injection"];
    assert!(rule["description"].as_str().is_some_and(|d| !d.is_empty()), "{rule}");
    assert_eq!(rule["countermeasures"][0]["id"], threat["countermeasures"][0]["id"]);
    assert!(rule["countermeasures"][0]["name"].is_string());
    let fired: std::collections::BTreeSet<&str> =
        first["threats"].as_array().unwrap().iter().map(|t| t["rule"].as_str().unwrap()).collect();
    let described: std::collections::BTreeSet<&str> =
        first["rules"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fired, described, "exactly the rules that fired are described");

    let second = analyze_json(&path);
    assert_eq!(first, second, "same model in, same output out");

    // An unrelated edit: a new component and flow elsewhere.
    let edited = SHOP.replace("data:\n", "  - id: reports\n    kind: background-worker\n    boundary: dc\ndata:\n");
    let edited_path = write(&dir, "edited.yaml", &edited);
    let after = analyze_json(&edited_path);
    let before_ids = ids(&first);
    let after_ids = ids(&after);
    for id in &before_ids {
        assert!(after_ids.contains(id), "id `{id}` changed after an unrelated edit");
    }
}

#[test]
fn sarif_output_follows_code_scanning_conventions() {
    let dir = scratch("sarif");
    let path = write(&dir, "shop.yaml", SHOP);
    let output = rampart(&["analyze", &path, "--format", "sarif"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = rules.iter().find(|r| r["id"] == "sql-injection").expect("one rule per library threat");
    let tags: Vec<&str> = rule["properties"]["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(tags.contains(&"security") && tags.contains(&"external/cwe/cwe-89"), "{tags:?}");
    assert!(rule["properties"]["security-severity"].as_str().unwrap().parse::<f32>().is_ok());
    assert_eq!(rule["relationships"][0]["target"]["toolComponent"]["name"], "CWE");
    assert!(run["taxonomies"][0]["taxa"].as_array().unwrap().iter().any(|t| t["id"] == "89"));

    let result = run["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "sql-injection").unwrap();
    let line_of_web = SHOP.lines().position(|l| l.contains("- id: web")).unwrap() + 1;
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], line_of_web);
    assert_eq!(result["partialFingerprints"]["rampartThreatId/v1"], "sql-injection@web");
    let index = result["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "sql-injection");
}

#[test]
fn accepted_threats_become_sarif_suppressions() {
    let dir = scratch("suppress");
    let model = format!(
        "{SHOP}threats:\n  - threat: sql-injection@web\n    status: accepted\n    justification: legacy queries are reviewed by hand\n    expires: 2099-01-01\n"
    );
    let path = write(&dir, "shop.yaml", &model);
    let output = rampart(&["analyze", &path, "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result =
        sarif["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "sql-injection").unwrap();
    assert_eq!(result["suppressions"][0]["status"], "accepted");
    assert_eq!(result["suppressions"][0]["justification"], "legacy queries are reviewed by hand");
}

#[test]
fn fail_on_gates_on_unresolved_threats_and_expired_acceptances() {
    let dir = scratch("gate");
    let path = write(&dir, "shop.yaml", SHOP);
    let gated = rampart(&["analyze", &path, "--fail-on", "high", "--format", "json"]);
    assert_eq!(gated.status.code(), Some(1), "{}", stderr(&gated));
    assert!(stderr(&gated).contains("sql-injection@web"));

    // Accept every high or critical threat; the gate then passes.
    let json = analyze_json(&path);
    let mut tracked = String::from("threats:\n");
    for threat in json["threats"].as_array().unwrap() {
        if matches!(threat["current"]["severity"].as_str(), Some("high" | "critical")) {
            tracked.push_str(&format!(
                "  - threat: {}\n    status: accepted\n    justification: reviewed\n    expires: 2030-06-30\n",
                threat["id"].as_str().unwrap()
            ));
        }
    }
    let accepted = write(&dir, "accepted.yaml", &format!("{SHOP}{tracked}"));
    let passes = rampart(&["analyze", &accepted, "--fail-on", "high", "--today", "2030-06-01"]);
    assert_eq!(passes.status.code(), Some(0), "{}", stderr(&passes));
    let expired = rampart(&["analyze", &accepted, "--fail-on", "high", "--today", "2030-07-01"]);
    assert_eq!(expired.status.code(), Some(1), "an expired acceptance fails the gate: {}", stderr(&expired));
}

#[test]
fn invalid_models_exit_2_with_position_and_suggestion() {
    let dir = scratch("invalid");
    let typo = write(&dir, "typo.yaml", &SHOP.replace("exposure: internet", "exposre: internet"));
    let output = rampart(&["analyze", &typo]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("unknown field `exposre`"), "{err}");
    assert!(err.contains("typo.yaml:11:5"), "{err}");
    assert!(err.contains("did you mean `exposure`?"), "{err}");

    // Several semantic problems are reported together.
    let broken = SHOP
        .replace("boundary: dc\n    exposure", "boundary: dcc\n    exposure")
        .replace("kind: relational-database", "kind: relational-databse")
        .replace("to: db", "to: dbx");
    let path = write(&dir, "broken.yaml", &broken);
    let output = rampart(&["validate", &path]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("boundary `dcc` does not exist") && err.contains("did you mean `dc`?"), "{err}");
    assert!(err.contains("unknown component kind `relational-databse`"), "{err}");
    assert!(err.contains("flow target `dbx` does not exist"), "{err}");
    assert!(err.contains("3 error(s)"), "{err}");
}

#[test]
fn boundary_cycles_and_duplicate_ids_are_reported() {
    let dir = scratch("cycles");
    let model = "rampart: 1\nname: x\nboundaries:\n  - {id: a, parent: b}\n  - {id: b, parent: a}\ncomponents:\n  - {id: a, kind: service}\n";
    let path = write(&dir, "cycle.yaml", model);
    let output = rampart(&["validate", &path]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("boundaries nest in a cycle: a → b → a"), "{err}");
    assert!(err.contains("duplicate id `a`"), "{err}");
}

#[test]
fn editor_layout_is_checked_and_ignored_by_analysis() {
    let dir = scratch("layout");
    let placed = "rampart: 1\nname: x\ncomponents:\n  - {id: web, kind: web-app, exposure: internet}\n\
                  layout:\n  web: {x: 10, y: 20.5}\n  gone: {x: 1, y: 2}\n";
    let path = write(&dir, "placed.yaml", placed);
    let output = rampart(&["validate", &path]);
    assert!(output.status.success(), "a stale entry is only a warning: {}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("7:") && err.contains("layout places `gone`, which is not an element"), "{err}");

    // The same model without its layout raises the same threats.
    let unplaced = write(&dir, "unplaced.yaml", placed.split("layout:").next().unwrap());
    let threats = |file: &str| {
        let json = analyze_json(file);
        json["threats"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(threats(&path), threats(&unplaced));

    let broken =
        write(&dir, "broken.yaml", &placed.replace("web: {x: 10, y: 20.5}", "web: {x: .nan, y: 1, width: -3}"));
    let output = rampart(&["validate", &broken]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("layout of `web`: `x` is NaN; expected a finite number"), "{err}");
    assert!(err.contains("`width` is -3; expected a positive number"), "{err}");
}

#[test]
fn garbage_input_is_an_error_not_a_panic() {
    let dir = scratch("garbage");
    for (name, text) in [
        ("empty.yaml", ""),
        ("list.yaml", "- 1\n- 2\n"),
        ("binary.yaml", "\u{0}\u{1}\u{2}rampart"),
        ("deep.json", &format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))),
        (
            "bomb.yaml",
            "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
        ),
    ] {
        let path = write(&dir, name, text);
        let output = rampart(&["analyze", &path, "--from", "rampart"]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert!(!stderr(&output).contains("panicked"), "{name}: {}", stderr(&output));
    }
}

#[test]
fn schema_and_kb_commands_describe_the_format_and_library() {
    let schema = rampart(&["schema"]);
    assert!(schema.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).expect("schema is JSON");
    assert_eq!(schema["title"], "Rampart system model");
    assert!(schema["properties"]["components"].is_object());

    let list = rampart(&["kb", "list"]);
    assert!(list.status.success());
    assert!(stdout(&list).contains("sql-injection"));
    let show = rampart(&["kb", "show", "sql-injection"]);
    assert!(show.status.success());
    let text = stdout(&show);
    assert!(text.contains("CWE-89") && text.contains("Parameterized queries"), "{text}");
    let typo = rampart(&["kb", "show", "sql-injecton"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(stderr(&typo).contains("did you mean `sql-injection`?"));
}

#[test]
fn output_file_and_markdown() {
    let dir = scratch("markdown");
    let path = write(&dir, "shop.yaml", SHOP);
    let out = dir.join("report.md");
    let output = rampart(&["analyze", &path, "--format", "markdown", "--output", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
    let text = std::fs::read_to_string(out).unwrap();
    assert!(text.starts_with("# Threat model: shop"));
    assert!(text.contains("**Why it applies**") && text.contains("`web` has capability `sql-queries`"), "{text}");
}

#[test]
fn threagile_models_are_detected_and_analyzed() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../rampart-import/tests/fixtures/threagile/ticket-shop.yaml");
    let output = rampart(&["analyze", fixture, "--format", "json", "--today", "2026-01-01"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(json["summary"]["threats"].as_u64().unwrap() > 5, "{}", json["summary"]);
    let forced = rampart(&["validate", fixture, "--from", "threagile"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    let wrong = rampart(&["validate", fixture, "--from", "rampart"]);
    assert_eq!(wrong.status.code(), Some(2), "a Threagile file is not a native model");
    let unknown = rampart(&["validate", fixture, "--from", "threadgile"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("threagile"), "{}", stderr(&unknown));
}

#[test]
fn threat_intelligence_raises_likelihood_where_it_names_the_technology() {
    let dir = scratch("intel");
    let model = "\
rampart: 1
name: logs
boundaries:
  - id: dc
actors:
  - id: client
components:
  - id: ingest
    kind: rest-api
    technology: Log4j2 2.14 on Tomcat
    boundary: dc
    accepts: [serialized-objects]
  - id: export
    kind: rest-api
    technology: spring boot
    boundary: dc
    accepts: [serialized-objects]
flows:
  - {from: client, to: ingest, protocol: https, authentication: token}
  - {from: client, to: export, protocol: https, authentication: token}
";
    let path = write(&dir, "logs.yaml", model);
    let kev = concat!(env!("CARGO_MANIFEST_DIR"), "/../rampart-intel/tests/fixtures/kev.json");
    let bundle = concat!(env!("CARGO_MANIFEST_DIR"), "/../rampart-intel/tests/fixtures/bundle.json");
    let imported = dir.join("intel.json");
    let import = rampart(&["intel", "import", kev, bundle, "--output", imported.to_str().unwrap()]);
    assert!(import.status.success(), "{}", stderr(&import));
    assert!(stderr(&import).contains("3 items from a CISA KEV catalog"), "{}", stderr(&import));

    let find = |json: &serde_json::Value, id: &str| -> serde_json::Value {
        json["threats"].as_array().unwrap().iter().find(|t| t["id"] == id).cloned().unwrap_or_else(|| panic!("{id}"))
    };
    let plain = analyze_json(&path);
    let output = rampart(&["analyze", &path, "--format", "json", "--intel", imported.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let informed: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();

    let before = find(&plain, "insecure-deserialization@ingest");
    let after = find(&informed, "insecure-deserialization@ingest");
    assert!(after["inherent"]["likelihood"].as_f64() > before["inherent"]["likelihood"].as_f64(), "{after}");
    assert_eq!(after["intelligence"][0], "CISA KEV CVE-2021-44228");
    let factors = after["risk_factors"].to_string();
    assert!(factors.contains("exploited in the wild according to CISA KEV CVE-2021-44228"), "{factors}");

    // The same threat on a component that does not run Log4j is untouched.
    let other = find(&informed, "insecure-deserialization@export");
    assert_eq!(other["inherent"], find(&plain, "insecure-deserialization@export")["inherent"]);
    assert!(other.get("intelligence").is_none());

    let garbage = write(&dir, "garbage.json", "{\"hello\": 1}");
    let bad = rampart(&["analyze", &path, "--intel", &garbage]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("not a known intelligence format"), "{}", stderr(&bad));
}

#[test]
fn kb_stats_counts_what_the_library_holds() {
    let output = rampart(&["kb", "stats", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let listed = stdout(&rampart(&["kb", "list"])).lines().skip(1).filter(|line| line.contains("×")).count();
    assert_eq!(stats["threats"].as_u64().unwrap() as usize, listed);
    let by_domain: u64 = stats["threats_by_domain"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(by_domain, stats["threats"].as_u64().unwrap());
    assert!(stats["threat_mappings"]["cwe"]["links"].as_u64().unwrap() >= stats["threats"].as_u64().unwrap());
    assert!(stats["countermeasure_mappings"]["nist_800_53"]["entries"].as_u64().unwrap() > 0);
    let bad = rampart(&["kb", "stats", "--format", "xml"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn team_libraries_add_and_override_without_rebuilding() {
    let dir = scratch("libraries");
    let lib = dir.join("team-kb");
    std::fs::create_dir_all(lib.join("threats")).unwrap();
    std::fs::create_dir_all(lib.join("countermeasures")).unwrap();
    write(
        &lib.join("countermeasures"),
        "ours.yaml",
        "- id: legacy-query-review\n  name: Manual review of legacy queries\n  description: Every hand-written query is reviewed.\n  effectiveness: medium\n",
    );
    write(
        &lib.join("threats"),
        "reporting-sql.yaml",
        "id: reporting-sql\ntitle: Hand-written reporting SQL\ndescription: Our reporting service builds SQL by hand.\nstride: [tampering]\ncwe: [89]\napplies_to:\n  element:\n    all:\n      - capability: sql-queries\n      - kind: web-app\nlikelihood: 2\nimpact: 3\ncountermeasures: [legacy-query-review]\n",
    );
    write(
        &lib.join("threats"),
        "sql-injection.yaml",
        "id: sql-injection\ntitle: SQL injection, as our standard words it\ndescription: Overridden.\nstride: [tampering]\ncwe: [89]\napplies_to:\n  element:\n    capability: sql-queries\nlikelihood: 4\nimpact: 4\ncountermeasures: [parameterized-queries]\n",
    );
    let model_path = write(&dir, "shop.yaml", SHOP);
    let lib_arg = lib.to_str().unwrap();
    let output = rampart(&["analyze", &model_path, "--format", "json", "--library", lib_arg]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("threat `sql-injection` overridden by"), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let titles: Vec<&str> = json["threats"].as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert!(titles.contains(&"Hand-written reporting SQL"), "{titles:?}");
    assert!(titles.contains(&"SQL injection, as our standard words it"), "{titles:?}");

    // The same library named in the model, relative to the model file.
    let with_setting = SHOP.replace("name: shop\n", "name: shop\nlibraries: [team-kb]\n");
    let model_path = write(&dir, "shop-with-library.yaml", &with_setting);
    let output = rampart(&["analyze", &model_path, "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("Hand-written reporting SQL"));

    // A missing library directory, and an error inside a library, are reported with positions.
    let missing = write(&dir, "missing.yaml", &SHOP.replace("name: shop\n", "name: shop\nlibraries: [nowhere]\n"));
    let output = rampart(&["validate", &missing]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("missing.yaml:3:"), "{}", stderr(&output));
    write(&lib.join("threats"), "broken.yaml", "id: broken\ntitle: x\n");
    let output = rampart(&["validate", &model_path]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("team-kb/threats/broken.yaml"), "{}", stderr(&output));
}
