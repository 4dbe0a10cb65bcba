//! Reading intelligence in each supported format.

use rampart_intel::{IntelFormat, read};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

#[test]
fn kev_entries_carry_product_and_weaknesses() {
    let read = read(&fixture("kev.json")).expect("valid KEV");
    assert_eq!(read.format, IntelFormat::Kev);
    assert_eq!(read.items.len(), 3);
    let log4j = &read.items[0];
    assert_eq!(log4j.id, "CVE-2021-44228");
    assert_eq!(log4j.source, "CISA KEV");
    assert_eq!(log4j.technologies, ["log4j2"]);
    assert_eq!(log4j.cwe, [20, 400, 502]);
    assert_eq!(log4j.date.as_deref(), Some("2021-12-10"));
    // "n/a" is a placeholder, not a technology that would match everything.
    assert!(read.items[2].technologies.is_empty());
}

#[test]
fn stix_bundles_give_patterns_vulnerabilities_and_indicators() {
    let read = read(&fixture("bundle.json")).expect("valid bundle");
    assert_eq!(read.format, IntelFormat::Stix);
    let ids: Vec<&str> = read.items.iter().map(|item| item.id.as_str()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    let pattern = read.items.iter().find(|item| item.capec == [664]).expect("the SSRF pattern");
    assert_eq!(pattern.attack, ["T1552.005"]);
    let vulnerability = read.items.iter().find(|item| item.id == "CVE-2026-0001").expect("the CVE");
    assert_eq!(vulnerability.cwe, [1336]);
    assert_eq!(vulnerability.technologies, ["jinja2"], "software linked by a relationship");
    let indicator = read.items.iter().find(|item| item.id.starts_with("indicator--")).expect("the indicator");
    assert_eq!(indicator.attack, ["T1552.005"], "an indicator inherits what it indicates");
    assert_eq!(read.warnings.len(), 1, "the pattern without references is reported");
}

#[test]
fn normalized_files_round_trip_and_bad_input_is_an_error() {
    let items = read(&fixture("kev.json")).unwrap().items;
    let file = rampart_intel::IntelFile { rampart_intel: 1, items: items.clone() };
    let again = read(&serde_json::to_string(&file).unwrap()).unwrap();
    assert_eq!(again.format, IntelFormat::Rampart);
    assert_eq!(again.items, items);

    for bad in [
        "",
        "[]",
        "{\"title\": 1}",
        "{\"catalogVersion\": \"x\", \"vulnerabilities\": [{\"cveID\": 3}]}",
        "{\"type\": \"bundle\"}",
    ] {
        let problems = read(bad).expect_err(bad);
        assert!(!problems.is_empty() && !problems[0].message.is_empty(), "{bad}");
    }
}
