//! Laying out compact JSON one member or element per line, and finding the
//! position of each `"id"` value in the result, in one pass.
//!
//! A model sent to the server as JSON is stored pretty-printed, so that a
//! position in an error, a threat or a SARIF report names a line a reader can
//! find, and those positions are then found by scanning the printed text
//! ([`crate::parse::locate_json_ids`]). Printing with serde_json and then
//! scanning read a 200-component model twice (about 1 ms of the 10 ms of CPU
//! a save costs); no JSON library reports where its output put a value, so
//! this prints and locates together. Tokens are copied as sent: strings keep
//! their escapes and numbers their spelling.

use std::collections::HashMap;

use crate::located::Position;

/// `json` laid out as serde_json's pretty printer lays out valid JSON (two
/// spaces per level, `"key": value`, `{}` and `[]` when empty), with the
/// position in it of each string that is the value of an `"id"` key (the
/// first, for an id found twice), as [`crate::parse::locate_json_ids`] gives
/// them. `json` must already be known to be JSON (the server's request
/// parser checks it): other text never panics, but its layout may not keep
/// its meaning, as whitespace between tokens is dropped.
pub fn pretty_json_with_ids(json: &str) -> (String, HashMap<String, Position>) {
    let bytes = json.as_bytes();
    let mut printer = Printer { out: String::with_capacity(json.len() + json.len() / 2), line: 1, line_start: 0 };
    let mut positions = HashMap::new();
    // Per open container: whether it is an object.
    let mut open: Vec<bool> = Vec::new();
    let mut expecting_key = false;
    let mut after_id_key = false;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            opening @ (b'{' | b'[') => {
                let closing = if opening == b'{' { b'}' } else { b']' };
                printer.out.push(char::from(opening));
                let next = skip_whitespace(bytes, index + 1);
                if bytes.get(next) == Some(&closing) {
                    printer.out.push(char::from(closing));
                    index = next + 1;
                    continue;
                }
                open.push(opening == b'{');
                printer.new_line(open.len());
                expecting_key = opening == b'{';
                index += 1;
            }
            closing @ (b'}' | b']') => {
                open.pop();
                printer.new_line(open.len());
                printer.out.push(char::from(closing));
                index += 1;
            }
            b',' => {
                printer.out.push(',');
                printer.new_line(open.len());
                expecting_key = open.last() == Some(&true);
                index += 1;
            }
            b':' => {
                printer.out.push_str(": ");
                index += 1;
            }
            b'"' => {
                let end = string_end(bytes, index);
                // Both ends are ASCII quotes or the end of the text, so the
                // slices fall on character boundaries.
                let token = &json[index..end];
                let content = token.get(1..token.len().saturating_sub(1)).unwrap_or("");
                if expecting_key {
                    after_id_key = content == "id";
                    expecting_key = false;
                } else {
                    if after_id_key && token.len() >= 2 && token.ends_with('"') {
                        let column = printer.out[printer.line_start..].chars().count() as u32 + 1;
                        positions.entry(content.to_string()).or_insert(Position::new(printer.line, column));
                    }
                    after_id_key = false;
                }
                printer.out.push_str(token);
                index = end;
            }
            b' ' | b'\t' | b'\n' | b'\r' => index += 1,
            _ => {
                // A number, `true`, `false` or `null`, up to the next
                // structural character (all ASCII, so on a boundary).
                let start = index;
                while index < bytes.len() && !is_delimiter(bytes[index]) {
                    index += 1;
                }
                printer.out.push_str(&json[start..index]);
            }
        }
    }
    (printer.out, positions)
}

struct Printer {
    out: String,
    /// The line being written (from 1) and where it starts in `out`.
    line: u32,
    line_start: usize,
}

impl Printer {
    fn new_line(&mut self, depth: usize) {
        self.out.push('\n');
        self.line += 1;
        self.line_start = self.out.len();
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }
}

fn skip_whitespace(bytes: &[u8], mut index: usize) -> usize {
    while index < bytes.len() && matches!(bytes[index], b' ' | b'\t' | b'\n' | b'\r') {
        index += 1;
    }
    index
}

/// Just past the quote closing the string that opens at `start`, or the end
/// of the text when it is never closed.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut index = start + 1;
    while let Some(found) = bytes.get(index..).and_then(|rest| memchr::memchr2(b'"', b'\\', rest)) {
        index += found;
        if bytes[index] == b'"' {
            return index + 1;
        }
        index += 2;
    }
    bytes.len()
}

fn is_delimiter(byte: u8) -> bool {
    matches!(byte, b'{' | b'}' | b'[' | b']' | b',' | b':' | b'"' | b' ' | b'\t' | b'\n' | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::locate_json_ids;

    /// What the server stored before: serde_json's pretty printer, fed
    /// token by token (members in the order sent).
    fn serde_pretty(json: &str) -> String {
        let mut out = Vec::new();
        let mut reader = serde_json::Deserializer::from_str(json);
        serde_transcode::transcode(&mut reader, &mut serde_json::Serializer::pretty(&mut out)).expect("valid JSON");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn lays_out_as_serde_json_does_and_locates_as_the_scanner_does() {
        let cases = [
            r#"{"rampart":1,"components":[{"id":"web","name":"Web","tags":[]},{"id":"db","props":{}}]}"#,
            r#"[]"#,
            r#"{}"#,
            r#"{ "a" : [ 1 , 2.5 , -3e2 , true , null , { } , [ ] ] , "id" : "top" }"#,
            r#"{"id":"ünï","name":"line\nbreak \"quoted\" \\ back","nested":{"id":"x","list":[{"id":"y"}]}}"#,
            r#"{"flows":[{"id":"f1","from":"a","to":"b"},{"id":"f1","from":"c"}],"data":[{"id":"d"}]}"#,
            r#"{"id":5,"name":"not an id","other":{"id":["listed"]}}"#,
        ];
        for json in cases {
            let (text, positions) = pretty_json_with_ids(json);
            // serde_json prints -3e2 as -300.0; every other token as sent.
            if !json.contains("-3e2") {
                assert_eq!(text, serde_pretty(json), "{json}");
            }
            let reparsed: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
            assert_eq!(reparsed, serde_json::from_str::<serde_json::Value>(json).expect("valid"), "{json}");
            assert_eq!(positions, locate_json_ids(&text), "{json}");
        }
    }

    fn any_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let key = prop_oneof![Just("id".to_string()), Just("name".to_string()), "[a-z\\\"é\\n ]{0,6}"];
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            // Fractions that serde_json reads back exactly (its reading of
            // long decimals may round differently; tokens here are copied).
            (-1_000_000i64..1_000_000).prop_map(|n| serde_json::Value::from(n as f64 / 64.0)),
            ".{0,8}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                proptest::collection::vec((key.clone(), inner), 0..6)
                    .prop_map(|members| serde_json::Value::Object(members.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Any JSON as a client's serde_json would send it compact.
        #[test]
        fn any_compact_json_is_printed_and_located_as_before(value in any_json()) {
            let compact = serde_json::to_string(&value).expect("prints");
            let (text, positions) = pretty_json_with_ids(&compact);
            proptest::prop_assert_eq!(&text, &serde_pretty(&compact));
            proptest::prop_assert_eq!(positions, locate_json_ids(&text));
        }
    }

    #[test]
    fn keeps_tokens_as_sent() {
        let (text, positions) = pretty_json_with_ids(r#"{"id":"a\u00e9","n":-3e2}"#);
        assert_eq!(text, "{\n  \"id\": \"a\\u00e9\",\n  \"n\": -3e2\n}");
        assert_eq!(positions.get("a\\u00e9"), Some(&Position::new(2, 9)));
    }

    #[test]
    fn text_that_is_not_json_is_laid_out_without_panicking() {
        for broken in
            ["{", "}", "]]]", "{\"id\":\"open", "\"\\", "{\"a\":é,}", "[1,,2", ":::", "\"id\"\"x\"", "{\"id\""]
        {
            let (text, positions) = pretty_json_with_ids(broken);
            assert!(text.len() >= broken.trim().len(), "{broken} -> {text}");
            assert!(positions.len() <= 1, "{broken}");
        }
    }

    #[test]
    fn a_generated_model_is_printed_and_located_as_before() {
        let kb_free_model = serde_json::json!({
            "rampart": 1,
            "components": (0..50).map(|i| serde_json::json!({"id": format!("c{i}"), "name": format!("Component {i}"),
                "kind": "service", "tags": ["a", "b"], "exposure": {}})).collect::<Vec<_>>(),
            "flows": (0..49).map(|i| serde_json::json!({"id": format!("f{i}"), "from": format!("c{i}"),
                "to": format!("c{}", i + 1), "protocol": "https"})).collect::<Vec<_>>(),
        });
        let compact = serde_json::to_string(&kb_free_model).expect("prints");
        let (text, positions) = pretty_json_with_ids(&compact);
        assert_eq!(text, serde_json::to_string_pretty(&kb_free_model).expect("prints"));
        assert_eq!(positions, locate_json_ids(&text));
        assert_eq!(positions.len(), 99);
    }
}
