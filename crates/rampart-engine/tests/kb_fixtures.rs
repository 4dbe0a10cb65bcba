//! Every threat in the shipped library has fixture models where it must fire
//! (on exactly the listed targets) and where it must stay silent. The
//! fixtures live beside the library in `kb/tests/<threat-id>.yaml`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use rampart_engine::{Options, analyze};
use rampart_model::{Model, validate};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    threat: String,
    fires: Vec<FiringCase>,
    silent: Vec<SilentCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FiringCase {
    name: String,
    expect: Vec<String>,
    model: Model,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SilentCase {
    name: String,
    model: Model,
}

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../kb/tests")
}

#[test]
fn every_threat_fires_where_it_should_and_nowhere_else() {
    let kb = rampart_kb::builtin()
        .unwrap_or_else(|errors| panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")));
    let vocabulary = kb.vocabulary();
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    // What each threat's firing fixtures produce, pinned as one snapshot so a
    // change in wording, scoring or ids shows up in review.
    let mut findings = String::new();

    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("kb/tests exists")
        .map(|entry| entry.expect("readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();

    for path in paths {
        let name = path.file_name().unwrap_or_default().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&path).expect("readable fixture");
        let file: FixtureFile = match rampart_model::parse::from_yaml(&text) {
            Ok(file) => file,
            Err(error) => {
                failures.push(format!("{name}: {error}"));
                continue;
            }
        };
        if kb.threat(&file.threat).is_none() {
            failures.push(format!("{name}: names threat `{}`, which the library lacks", file.threat));
            continue;
        }
        if file.fires.is_empty() || file.silent.is_empty() {
            failures.push(format!("{name}: needs at least one `fires` and one `silent` case"));
        }
        covered.insert(file.threat.clone());

        let run = |case_name: &str, model: &Model| -> Result<(BTreeSet<String>, String), String> {
            let errors: Vec<String> =
                validate(model, &vocabulary).into_iter().filter(|d| d.is_error()).map(|d| d.to_string()).collect();
            if !errors.is_empty() {
                return Err(format!("{name} / {case_name}: invalid model: {}", errors.join("; ")));
            }
            let analysis = analyze(model, &kb, &Options::default());
            let mut summary = String::new();
            for threat in analysis.threats.iter().filter(|t| t.rule == file.threat) {
                summary.push_str(&format!(
                    "{} [{} {:.1} → {} {:.1}, {}]\n  because: {}\n",
                    threat.id,
                    threat.inherent.severity.label(),
                    threat.inherent.score,
                    threat.current.severity.label(),
                    threat.current.score,
                    rampart_engine::status_label(threat.status),
                    threat.because.join(" | ")
                ));
            }
            Ok((
                analysis.threats.iter().filter(|t| t.rule == file.threat).map(|t| t.target.id.clone()).collect(),
                summary,
            ))
        };
        for case in &file.fires {
            match run(&case.name, &case.model) {
                Err(error) => failures.push(error),
                Ok((found, summary)) => {
                    findings.push_str(&format!("## {} / {}\n{summary}\n", file.threat, case.name));
                    let expected: BTreeSet<String> = case.expect.iter().cloned().collect();
                    if found != expected {
                        failures.push(format!(
                            "{name} / {}: expected to fire on {expected:?}, fired on {found:?}",
                            case.name
                        ));
                    }
                }
            }
        }
        for case in &file.silent {
            match run(&case.name, &case.model) {
                Err(error) => failures.push(error),
                Ok((found, _)) if !found.is_empty() => {
                    failures.push(format!("{name} / {}: expected silence, fired on {found:?}", case.name))
                }
                Ok(_) => {}
            }
        }
    }
    for threat in &kb.threats {
        if !covered.contains(&threat.id) {
            failures.push(format!("threat `{}` has no fixture file kb/tests/{}.yaml", threat.id, threat.id));
        }
    }
    assert!(failures.is_empty(), "{} fixture failures:\n{}", failures.len(), failures.join("\n"));
    insta::assert_snapshot!("fixture_findings", findings);
}
