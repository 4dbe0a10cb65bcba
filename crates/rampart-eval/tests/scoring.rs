//! How the benchmark scores: exact CWE matches, one-way equivalences, noise
//! from not-applicable classes, and invalid files. Uses a scratch directory
//! with one small system.

use std::fs;
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rampart-eval-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("shop")).expect("scratch directory");
    dir
}

const MODEL: &str = r#"
rampart: 1
name: shop
boundaries:
  - {id: dc}
actors:
  - {id: customer}
components:
  - {id: orders-api, kind: rest-api, boundary: dc, exposure: internet, capabilities: [sql-queries]}
flows:
  - {from: customer, to: orders-api, protocol: https}
"#;

#[test]
fn exact_match_equivalence_miss_and_noise() {
    let dir = scratch("scoring");
    fs::write(dir.join("shop/model.yaml"), MODEL).expect("write model");
    fs::write(
        dir.join("shop/expected.yaml"),
        r#"
system: Shop
source: [a test]
documented_cwes:
  - {cwe: 89, title: SQL injection, where: orders}
  - {cwe: 564, title: Hibernate injection, where: orders}
  - {cwe: 611, title: XXE, where: nowhere, gap: nothing parses XML here}
not_applicable_cwes:
  - {cwe: 770, reason: pretend the API cannot be flooded}
"#,
    )
    .expect("write expected");
    fs::write(
        dir.join("cwe-equivalence.yaml"),
        "equivalences:\n  - {cwe: 564, matched_by: [89], reason: Hibernate injection is SQL injection through an ORM}\n",
    )
    .expect("write equivalences");

    let report = rampart_eval::evaluate(&dir).unwrap_or_else(|error| panic!("{error}"));
    let shop = &report.systems[0];
    assert!(shop.valid, "{:?}", shop.errors);
    assert_eq!((shop.documented, shop.found), (3, 2));
    assert!(shop.hits.iter().any(|hit| hit.cwe == 89 && hit.via_equivalent.is_none()));
    assert!(shop.hits.iter().any(|hit| hit.cwe == 564 && hit.via_equivalent == Some(89)));
    assert_eq!(shop.misses.len(), 1);
    assert_eq!(shop.misses[0].cwe, 611);
    assert_eq!(shop.misses[0].gap.as_deref(), Some("nothing parses XML here"));
    assert!(!shop.noise.is_empty(), "an internet API without rate limiting carries CWE-770");
    assert!(shop.noise.iter().all(|noise| noise.cwe == 770));
    assert_eq!(report.overall.noise, shop.noise.len());
    assert!((report.overall.recall - 2.0 / 3.0).abs() < 1e-9);
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn invalid_model_and_contradictory_expectations_are_reported() {
    let dir = scratch("invalid");
    fs::write(dir.join("shop/model.yaml"), MODEL.replace("rest-api", "rest-apii")).expect("write model");
    fs::write(
        dir.join("shop/expected.yaml"),
        r#"
system: Shop
source: [a test]
documented_cwes:
  - {cwe: 89, title: SQL injection, where: orders}
not_applicable_cwes:
  - {cwe: 89, reason: contradicts the documentation}
"#,
    )
    .expect("write expected");

    let report = rampart_eval::evaluate(&dir).unwrap_or_else(|error| panic!("{error}"));
    assert!(!report.all_valid());
    let errors = report.systems[0].errors.join("\n");
    assert!(errors.contains("rest-apii"), "{errors}");
    assert!(errors.contains("both documented and not applicable"), "{errors}");
    let _ = fs::remove_dir_all(&dir);
}
