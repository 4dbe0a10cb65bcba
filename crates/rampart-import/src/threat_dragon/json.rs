//! Reading JSON model files of other tools with positions on every value.
//!
//! serde_json reports exact positions for syntax and type errors but none for
//! values; serde-saphyr (JSON is YAML) records a position in every `Located`
//! value. So a document is read with serde_json first, for JSON's own error
//! messages, and then again with serde-saphyr for the positions. Should the
//! YAML reader refuse a valid JSON text (a corner where the two grammars
//! differ), the serde_json result is used and positions are unknown. Shared
//! by the Threat Dragon and Threat Composer importers.

use rampart_model::parse::{from_json, from_yaml};
use rampart_model::{Diagnostic, Position};
use serde::de::DeserializeOwned;

/// Parses `text`, a JSON object written by `tool`, into `T`.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, tool: &str) -> Result<T, Vec<Diagnostic>> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with('{') {
        let at = first_content_position(text);
        return Err(vec![
            Diagnostic::error(at, format!("expected a JSON object (`{{`), as {tool} writes; this is not JSON"))
                .with_help(format!("export the model from {tool} as JSON")),
        ]);
    }
    let checked: T = from_json(text).map_err(|error| vec![error])?;
    Ok(from_yaml(text).unwrap_or(checked))
}

/// Where the first character that is not white space is (1:1 for empty text).
fn first_content_position(text: &str) -> Position {
    let mut position = Position::new(1, 1);
    for c in text.chars() {
        match c {
            '\n' => position = Position::new(position.line + 1, 1),
            c if c.is_whitespace() || c == '\u{feff}' => position.column += 1,
            _ => break,
        }
    }
    position
}

/// The position of the key `"key"` of the outermost object, if present. A
/// scan over the text that tracks nesting and skips strings.
pub(crate) fn top_level_key_position(text: &str, key: &str) -> Option<Position> {
    let (mut line, mut column) = (1u32, 1u32);
    let mut depth = 0usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let (start_line, start_column) = (line, column);
        if c == '\n' {
            line += 1;
            column = 1;
            continue;
        }
        column += 1;
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.saturating_sub(1),
            '"' => {
                let mut token = String::new();
                while let Some(inner) = chars.next() {
                    column += 1;
                    match inner {
                        '"' => break,
                        '\\' => {
                            if let Some(escaped) = chars.next() {
                                column += 1;
                                token.push(escaped);
                            }
                        }
                        '\n' => {
                            line += 1;
                            column = 1;
                        }
                        other => token.push(other),
                    }
                }
                if depth == 1 && token == key {
                    let mut rest = chars.clone();
                    while rest.peek().is_some_and(|c| c.is_whitespace()) {
                        rest.next();
                    }
                    if rest.peek() == Some(&':') {
                        return Some(Position::new(start_line, start_column));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_top_level_keys_only() {
        let text = "{\n  \"a\": {\"version\": 1},\n  \"version\": \"2.0\"\n}";
        assert_eq!(top_level_key_position(text, "version"), Some(Position::new(3, 3)));
        assert_eq!(top_level_key_position(text, "b"), None);
    }

    #[test]
    fn text_that_is_not_json_is_refused_at_its_first_character() {
        let errors = parse::<serde_json::Value>("\n  hello", "Tool").unwrap_err();
        assert_eq!(errors[0].at, Position::new(2, 3));
        assert!(errors[0].message.contains("not JSON"));
    }
}
