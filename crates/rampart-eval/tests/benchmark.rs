//! Runs the relevance benchmark over the workspace's `eval/` directory: every
//! model must validate, no threat may carry a CWE its system rules out, and
//! recall must not fall below the figure reached when the benchmark was last
//! raised (so a library change that loses a documented class fails here).

use std::path::PathBuf;

/// Overall recall reached (found / documented over every system). Raise it
/// when the library finds more; never lower it to make a change pass.
const MIN_RECALL: f64 = 0.974;
/// Systems in the benchmark.
const MIN_SYSTEMS: usize = 10;

fn eval_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../eval")
}

#[test]
fn every_model_validates_with_no_noise_and_recall_holds() {
    let report = rampart_eval::evaluate(&eval_dir()).unwrap_or_else(|error| panic!("{error}"));
    let table = rampart_eval::render_table(&report, false);

    assert!(report.systems.len() >= MIN_SYSTEMS, "expected at least {MIN_SYSTEMS} systems:\n{table}");
    let invalid: Vec<String> =
        report.systems.iter().filter(|system| !system.valid).flat_map(|system| system.errors.clone()).collect();
    assert!(invalid.is_empty(), "invalid benchmark files:\n{}", invalid.join("\n"));

    let overall = &report.overall;
    assert!(overall.documented > 0, "no documented CWE classes:\n{table}");
    assert_eq!(overall.found, report.systems.iter().map(|system| system.hits.len()).sum::<usize>());
    assert!((0.0..=1.0).contains(&overall.recall));
    assert_eq!(overall.noise, 0, "threats with CWEs the architecture rules out:\n{table}");
    assert!(
        overall.recall + 1e-9 >= MIN_RECALL,
        "overall recall {:.3} fell below {MIN_RECALL:.3}:\n{table}",
        overall.recall
    );
}

#[test]
fn json_report_round_trips() {
    let report = rampart_eval::evaluate(&eval_dir()).unwrap_or_else(|error| panic!("{error}"));
    let json = serde_json::to_value(&report).expect("serializable");
    assert_eq!(json["overall"]["systems"].as_u64(), Some(report.systems.len() as u64));
    assert!(json["systems"].as_array().is_some_and(|systems| systems.iter().all(|s| s["recall"].is_number())));
}

/// Every CWE id the benchmark names (documented, ruled out, equivalences)
/// is a current entry of the CWE list the repository keeps in
/// `reference/cwe.tsv`.
#[test]
fn every_cwe_named_is_a_current_cwe_entry() {
    let reference = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../reference/cwe.tsv");
    let Ok(text) = std::fs::read_to_string(&reference) else {
        return; // no reference list in this checkout
    };
    let current: std::collections::HashSet<u32> = text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let retired = fields.get(2).is_some_and(|note| !note.is_empty());
            let id = fields.first()?.strip_prefix("CWE-")?.parse().ok()?;
            (!retired).then_some(id)
        })
        .collect();
    let report = rampart_eval::evaluate(&eval_dir()).unwrap_or_else(|error| panic!("{error}"));
    let mut unknown = Vec::new();
    for entry in &report.equivalences {
        for id in std::iter::once(entry.cwe).chain(entry.matched_by.iter().copied()) {
            if !current.contains(&id) {
                unknown.push(format!("cwe-equivalence.yaml: CWE-{id}"));
            }
        }
    }
    for system in &report.systems {
        let text = std::fs::read_to_string(eval_dir().join(&system.id).join("expected.yaml")).expect("readable");
        let expected: rampart_eval::Expected = rampart_model::parse::from_yaml(&text).expect("valid expected.yaml");
        let ids = expected
            .documented_cwes
            .iter()
            .map(|entry| entry.cwe)
            .chain(expected.not_applicable_cwes.iter().map(|entry| entry.cwe));
        for id in ids {
            if !current.contains(&id) {
                unknown.push(format!("{}/expected.yaml: CWE-{id}", system.id));
            }
        }
    }
    assert!(unknown.is_empty(), "not current CWE entries:\n{}", unknown.join("\n"));
}
