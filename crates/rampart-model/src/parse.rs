//! Reading a model from YAML or JSON text.
//!
//! YAML goes through serde-saphyr, which reports line and column for every
//! error and records the position of each `Located` value. JSON goes through
//! serde_json, which is an order of magnitude faster on large generated models;
//! it reports error positions but no value positions, so element ids are
//! located afterwards by [`locate_json_ids`].

use std::collections::HashMap;

use serde::de::DeserializeOwned;

use crate::diagnostic::Diagnostic;
use crate::located::Position;
use crate::types::Model;

/// The syntax a model is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Json,
}

impl Syntax {
    /// Picks the syntax from the file name, else from the first character.
    pub fn detect(file_name: &str, text: &str) -> Syntax {
        let lower = file_name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            return Syntax::Json;
        }
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            return Syntax::Yaml;
        }
        match text.trim_start().chars().next() {
            Some('{') => Syntax::Json,
            _ => Syntax::Yaml,
        }
    }
}

/// Limits for YAML input. Generous enough for a 20,000-component model, tight
/// enough that alias bombs and absurd nesting fail fast instead of exhausting
/// memory.
fn yaml_options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 200_000_000;
    budget.max_nodes = 100_000_000;
    budget.max_total_scalar_bytes = 1 << 30;
    budget.max_depth = 64;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

/// Deserializes any document type from YAML, turning errors into a diagnostic.
pub fn from_yaml<T: DeserializeOwned>(text: &str) -> Result<T, Diagnostic> {
    serde_saphyr::from_str_with_options(text, yaml_options()).map_err(|error| {
        let at = error
            .location()
            .map(|location| Position::new(location.line() as u32, location.column() as u32))
            .unwrap_or(Position::UNKNOWN);
        diagnostic_from_message(at, &error.to_string())
    })
}

/// Deserializes any document type from JSON, turning errors into a diagnostic.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, Diagnostic> {
    serde_json::from_str(text).map_err(|error| {
        let at = Position::new(error.line() as u32, error.column() as u32);
        diagnostic_from_message(at, &error.to_string())
    })
}

/// Parses a native Rampart model. Only syntax and shape are checked here;
/// [`crate::validate`] checks references and vocabulary.
pub fn parse_model(text: &str, syntax: Syntax) -> Result<Model, Diagnostic> {
    match syntax {
        Syntax::Yaml => from_yaml(text),
        Syntax::Json => {
            // The two passes over the text are independent: run them side by
            // side on rayon's threads, which halves the wait on large
            // generated models. Not on a thread of their own: a server reads
            // a model per save, and a thread spawned for each cost its
            // creation and a fresh stack every time.
            let (model, positions) = rayon::join(|| from_json::<Model>(text), || locate_json_ids(text));
            let mut model = model?;
            fill_json_positions(&mut model, &positions);
            Ok(model)
        }
    }
}

/// Reads a native model sent as compact JSON (already known to be JSON)
/// into the pretty-printed text to keep, and the model read from that text,
/// with element positions in it: what [`parse_model`] gives for the printed
/// text, for one pass over it fewer.
pub fn parse_compact_json_model(compact: &str) -> (String, Result<Model, Diagnostic>) {
    let (text, positions) = crate::pretty_json::pretty_json_with_ids(compact);
    // The compact text holds the same tokens, and less space to skip; only
    // an error is read again from the printed text, for its position there.
    let model = match from_json::<Model>(compact) {
        Ok(mut model) => {
            fill_json_positions(&mut model, &positions);
            Ok(model)
        }
        Err(_) => from_json::<Model>(&text),
    };
    (text, model)
}

fn fill_json_positions(model: &mut Model, positions: &HashMap<String, Position>) {
    let fill = |at: &mut Position, id: &str| {
        if !at.is_known()
            && let Some(found) = positions.get(id)
        {
            *at = *found;
        }
    };
    for boundary in &mut model.boundaries {
        fill(&mut boundary.id.at, &boundary.id.value);
    }
    for actor in &mut model.actors {
        fill(&mut actor.id.at, &actor.id.value);
    }
    for component in &mut model.components {
        fill(&mut component.id.at, &component.id.value);
    }
    for data in &mut model.data {
        fill(&mut data.id.at, &data.id.value);
    }
    for flow in &mut model.flows {
        if let Some(id) = &mut flow.id {
            fill(&mut id.at, &id.value);
        }
    }
}

/// Finds the position of the value of every `"id": "..."` pair in a JSON text
/// (first occurrence wins). serde_json cannot report value positions, and a
/// full span-preserving JSON parser would be a second parse of the same text,
/// so this is a single pass over the string tokens only.
pub fn locate_json_ids(text: &str) -> HashMap<String, Position> {
    let mut positions = HashMap::new();
    let bytes = text.as_bytes();
    let (mut line, mut line_start) = (1u32, 0usize);
    let mut previous_string_was_id_key = false;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\n' => {
                line += 1;
                line_start = index + 1;
                index += 1;
            }
            b'"' => {
                let start = index + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end] != b'"' {
                    if bytes[end] == b'\\' {
                        end += 1;
                    }
                    end += 1;
                }
                let end = end.min(bytes.len());
                let token = &text[start..end];
                let column = (text[line_start..index].chars().count() + 1) as u32;
                let mut after = end + 1;
                while after < bytes.len() && bytes[after].is_ascii_whitespace() && bytes[after] != b'\n' {
                    after += 1;
                }
                let is_key = bytes.get(after) == Some(&b':');
                if previous_string_was_id_key && !is_key {
                    positions.entry(token.to_string()).or_insert(Position::new(line, column));
                }
                previous_string_was_id_key = is_key && token == "id";
                index = end + 1;
            }
            _ => index += 1,
        }
    }
    positions
}

/// Builds a diagnostic from a deserializer message, adding the nearest valid
/// key or value when the message names an unknown field or variant.
fn diagnostic_from_message(at: Position, message: &str) -> Diagnostic {
    let message = clean_message(message);
    let diagnostic = Diagnostic::error(at, message.clone());
    match unknown_name_and_candidates(&message) {
        Some((given, candidates)) => diagnostic.suggest(&given, candidates.iter().map(String::as_str)),
        None => diagnostic,
    }
}

/// Strips the position prefix and suffix the deserializers add, since the
/// diagnostic carries the position separately.
fn clean_message(message: &str) -> String {
    let mut text = message.trim();
    if let Some(rest) = text.strip_prefix("error: ") {
        text = rest;
    }
    if let Some(rest) = text.strip_prefix("line ")
        && let Some(colon) = rest.find(": ")
    {
        text = &rest[colon + 2..];
    }
    let text = match text.rfind(" at line ") {
        Some(cut) if text[cut..].contains(" column ") => &text[..cut],
        _ => text,
    };
    text.lines().next().unwrap_or(text).trim().to_string()
}

/// From "unknown field `x`, expected one of `a`, `b`" (either deserializer's
/// wording), extracts `x` and `[a, b]`.
fn unknown_name_and_candidates(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))?;
    let given = rest.split('`').next()?.to_string();
    let expected = rest.split_once("expected ")?.1;
    let expected = expected.strip_prefix("one of ").unwrap_or(expected);
    let candidates = expected
        .split(", ")
        .map(|candidate| candidate.trim().trim_matches('`').to_string())
        .filter(|candidate| !candidate.is_empty())
        .collect();
    Some((given, candidates))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_syntax_from_name_then_content() {
        assert_eq!(Syntax::detect("m.json", "rampart: 1"), Syntax::Json);
        assert_eq!(Syntax::detect("m.yml", "{}"), Syntax::Yaml);
        assert_eq!(Syntax::detect("-", "  {\"rampart\": 1}"), Syntax::Json);
        assert_eq!(Syntax::detect("-", "rampart: 1"), Syntax::Yaml);
    }

    #[test]
    fn yaml_unknown_key_names_position_and_nearest_key() {
        let text = "rampart: 1\nname: x\ncomponents:\n  - id: a\n    kind: web-app\n    exposre: internet\n";
        let error = parse_model(text, Syntax::Yaml).unwrap_err();
        assert_eq!(error.at, Position::new(6, 5));
        assert!(error.message.contains("unknown field `exposre`"), "{}", error.message);
        assert_eq!(error.help.as_deref(), Some("did you mean `exposure`?"));
    }

    #[test]
    fn json_unknown_variant_gets_a_suggestion() {
        let text = "{\"rampart\": 1, \"name\": \"x\",\n \"components\": [{\"id\": \"a\", \"kind\": \"web-app\", \"exposure\": \"internt\"}]}";
        let error = parse_model(text, Syntax::Json).unwrap_err();
        assert_eq!(error.at.line, 2);
        assert_eq!(error.help.as_deref(), Some("did you mean `internet`?"));
    }

    #[test]
    fn json_ids_are_located() {
        let text = "{\n  \"rampart\": 1,\n  \"name\": \"x\",\n  \"components\": [\n    {\"kind\": \"web-app\", \"id\": \"shop\"}\n  ]\n}";
        let model = parse_model(text, Syntax::Json).unwrap();
        assert_eq!(model.components[0].id.at, Position::new(5, 31));
    }

    #[test]
    fn yaml_values_carry_positions() {
        let text = "rampart: 1\nname: x\ncomponents:\n  - id: shop\n    kind: web-app\n";
        let model = parse_model(text, Syntax::Yaml).unwrap();
        assert_eq!(model.components[0].id.at.line, 4);
        assert_eq!(model.components[0].kind.at.line, 5);
    }
}
