//! The shipped library loads, and the loader rejects what it must.

use rampart_kb::{Source, builtin, compile};

#[test]
fn shipped_library_compiles() {
    let kb = builtin()
        .unwrap_or_else(|errors| panic!("{}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")));
    assert!(!kb.threats.is_empty());
    assert!(!kb.countermeasures.is_empty());
}

fn source(path: &str, text: &str) -> Source {
    Source { path: path.to_string(), text: text.to_string(), root: "lib".to_string(), layer: 0 }
}

const VOCABULARY: &str = "capabilities:\n  - id: sql-queries\n    description: x\n";
const COUNTERMEASURES: &str = "- id: parameterized-queries\n  name: x\n  description: x\n  effectiveness: high\n";

#[test]
fn misspelt_condition_key_is_a_load_error_with_position_and_suggestion() {
    let rule = "id: r\ntitle: t\ndescription: d\nstride: [tampering]\napplies_to:\n  element:\n    capabilty: sql-queries\nlikelihood: 3\nimpact: 3\ncountermeasures: [parameterized-queries]\n";
    let errors = compile(&[
        source("vocabulary/v.yaml", VOCABULARY),
        source("countermeasures/c.yaml", COUNTERMEASURES),
        source("threats/r.yaml", rule),
    ])
    .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let text = errors[0].to_string();
    assert!(text.starts_with("lib/threats/r.yaml:7:5: unknown variant `capabilty`"), "{text}");
    assert!(text.contains("did you mean `capability`?"), "{text}");
}

#[test]
fn misspelt_term_is_a_load_error() {
    let rule = "id: r\ntitle: t\ndescription: d\nstride: [tampering]\napplies_to:\n  element:\n    capability: sql-querys\nlikelihood: 3\nimpact: 9\ncountermeasures: [parameterized-querys]\n";
    let errors = compile(&[
        source("vocabulary/v.yaml", VOCABULARY),
        source("countermeasures/c.yaml", COUNTERMEASURES),
        source("threats/r.yaml", rule),
    ])
    .unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 3, "{text:?}");
    assert!(text.iter().any(|e| e.contains("impact must be from 1 to 5")), "{text:?}");
    assert!(
        text.iter().any(|e| e.contains("unknown capability `sql-querys` (did you mean `sql-queries`?)")),
        "{text:?}"
    );
    assert!(text.iter().any(|e| e.contains("unknown countermeasure `parameterized-querys`")), "{text:?}");
}
