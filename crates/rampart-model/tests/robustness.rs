//! Hostile and random input never panics the reader or the validator, and
//! every error points inside the text it came from.

use proptest::prelude::*;
use rampart_model::{Syntax, Vocabulary, parse_model, validate};

const KEYS: &[&str] = &[
    "rampart",
    "name",
    "components",
    "actors",
    "boundaries",
    "data",
    "flows",
    "threats",
    "id",
    "kind",
    "from",
    "to",
    "protocol",
    "parent",
    "boundary",
    "exposure",
    "stores",
    "status",
    "expires",
    "trust",
    "controls",
    "encrypted",
];
const VALUES: &[&str] = &[
    "1",
    "2",
    "a",
    "b",
    "web-app",
    "internet",
    "https",
    "true",
    "~",
    "[]",
    "{}",
    "[a, b]",
    "\"x\"",
    "accepted",
    "2027-02-30",
    "&x a",
    "*x",
    "!tag v",
    "-1",
    "1e999",
    "'",
    "\"",
    ":",
    "- ",
    "? ",
    "|",
    ">",
];

/// Text shaped like a model: indented keys and list items with random values.
fn model_like() -> impl Strategy<Value = String> {
    let line = (0usize..4, prop::bool::ANY, 0..KEYS.len(), 0..VALUES.len()).prop_map(|(indent, item, key, value)| {
        format!("{}{}{}: {}\n", "  ".repeat(indent), if item { "- " } else { "" }, KEYS[key], VALUES[value])
    });
    prop::collection::vec(line, 0..40).prop_map(|lines| format!("rampart: 1\nname: x\n{}", lines.concat()))
}

/// Lines as a YAML reader counts them: `\r`, NEL and the Unicode separators
/// break lines too.
fn line_bound(text: &str) -> usize {
    text.chars().filter(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')).count() + 1
}

fn check(text: &str, syntax: Syntax) {
    match parse_model(text, syntax) {
        Ok(model) => {
            for diagnostic in validate(&model, &Vocabulary::default()) {
                assert!(diagnostic.at.line as usize <= line_bound(text), "{diagnostic} outside the text");
            }
        }
        Err(diagnostic) => {
            assert!(!diagnostic.message.is_empty());
            assert!(diagnostic.at.line as usize <= line_bound(text), "{diagnostic} outside the text");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn model_shaped_yaml_never_panics(text in model_like()) {
        check(&text, Syntax::Yaml);
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,300}") {
        check(&text, Syntax::Yaml);
        check(&text, Syntax::Json);
    }
}

#[test]
fn deep_nesting_and_alias_bombs_are_refused() {
    let deep = format!("rampart: 1\nname: {}x{}\n", "[".repeat(5_000), "]".repeat(5_000));
    assert!(parse_model(&deep, Syntax::Yaml).is_err());
    let deep_json = format!("{{\"rampart\": 1, \"name\": {}1{}}}", "[".repeat(5_000), "]".repeat(5_000));
    assert!(parse_model(&deep_json, Syntax::Json).is_err());
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for level in 1..12 {
        let refs = vec![format!("*a{}", level - 1); 10].join(", ");
        bomb.push_str(&format!("a{level}: &a{level} [{refs}]\n"));
    }
    bomb.push_str("rampart: 1\nname: x\n");
    let started = std::time::Instant::now();
    assert!(parse_model(&bomb, Syntax::Yaml).is_err());
    // Not a timing assertion on performance: a bomb that expanded would take
    // minutes and gigabytes, so this only guards against expansion at all.
    assert!(started.elapsed().as_secs() < 30);
}
