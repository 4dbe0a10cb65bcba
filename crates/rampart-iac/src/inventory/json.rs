//! JSON files with positions: the parse error of a file that is not JSON
//! (with its line and column), and the line where each object of a valid
//! file starts, so that every element's `source:` points at its object.
//!
//! `serde_json` reads the values; a small scanner over the (already valid)
//! text then records the line of every object and keyed value by its path (`Vpcs/0`,
//! `Reservations/1/Instances/0`), which is cheaper than a parser that keeps
//! a position on every value.

use std::collections::HashMap;

use rampart_model::{Diagnostic, Position};
use serde_json::Value as Json;

use crate::source::{FileDiagnostic, SourceFile};

/// The line of each object in a file, by its path: keys and list indices
/// joined with `/`; the top-level value's path is empty.
#[derive(Debug, Default)]
pub(crate) struct Lines {
    by_path: HashMap<String, u32>,
}

impl Lines {
    /// The line of the object at `path`, or of the nearest object around it
    /// (1 when nothing is known).
    pub(crate) fn line(&self, path: &str) -> u32 {
        let mut prefix = path;
        loop {
            if let Some(line) = self.by_path.get(prefix) {
                return *line;
            }
            match prefix.rsplit_once('/') {
                Some((head, _)) => prefix = head,
                None if !prefix.is_empty() => prefix = "",
                None => return 1,
            }
        }
    }
}

/// The value of a JSON file and the lines of its objects, or an error at
/// the line and column where the file stops being JSON.
pub(crate) fn parse(file: &SourceFile, expected: &str) -> Result<(Json, Lines), FileDiagnostic> {
    match serde_json::from_str::<Json>(&file.text) {
        Ok(json) => Ok((json, scan(&file.text))),
        Err(error) => {
            let at = Position::new(
                u32::try_from(error.line()).unwrap_or(u32::MAX).max(1),
                u32::try_from(error.column()).unwrap_or(u32::MAX).max(1),
            );
            let message = error.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            Err(FileDiagnostic {
                file: file.path.clone(),
                diagnostic: Diagnostic::error(at, format!("invalid JSON: {message}; expected {expected}")),
            })
        }
    }
}

enum Frame {
    Object { expecting_key: bool, key: String },
    Array { index: usize },
}

/// Records the line of every object and array in a valid JSON text. Never
/// panics, whatever the text: it only looks at structural bytes outside strings.
fn scan(text: &str) -> Lines {
    let bytes = text.as_bytes();
    let mut by_path: HashMap<String, u32> = HashMap::new();
    let mut frames: Vec<Frame> = Vec::new();
    let mut segments: Vec<String> = Vec::new();
    let mut line: u32 = 1;
    let mut position = 0;
    while let Some(&byte) = bytes.get(position) {
        match byte {
            b'\n' => line = line.saturating_add(1),
            b'"' => {
                let start = position + 1;
                position = start;
                while let Some(&inner) = bytes.get(position) {
                    match inner {
                        b'\\' => position += 1,
                        b'"' => break,
                        b'\n' => line = line.saturating_add(1),
                        _ => {}
                    }
                    position += 1;
                }
                if let Some(Frame::Object { expecting_key, key }) = frames.last_mut()
                    && *expecting_key
                {
                    *key = text.get(start..position).unwrap_or_default().to_string();
                    *expecting_key = false;
                    // The line of every value is where its key is written.
                    let path = if segments.is_empty() { key.clone() } else { format!("{}/{key}", segments.join("/")) };
                    by_path.entry(path).or_insert(line);
                }
            }
            b'{' | b'[' => {
                let segment = match frames.last() {
                    Some(Frame::Object { key, .. }) => Some(key.clone()),
                    Some(Frame::Array { index }) => Some(index.to_string()),
                    None => None,
                };
                if let Some(segment) = segment {
                    segments.push(segment);
                }
                by_path.entry(segments.join("/")).or_insert(line);
                frames.push(if byte == b'{' {
                    Frame::Object { expecting_key: true, key: String::new() }
                } else {
                    Frame::Array { index: 0 }
                });
            }
            b'}' | b']' => {
                frames.pop();
                if !frames.is_empty() {
                    segments.pop();
                }
            }
            b',' => match frames.last_mut() {
                Some(Frame::Object { expecting_key, .. }) => *expecting_key = true,
                Some(Frame::Array { index }) => *index += 1,
                None => {}
            },
            _ => {}
        }
        position += 1;
    }
    Lines { by_path }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_found_by_path() {
        let text =
            "{\n  \"Vpcs\": [\n    {\"VpcId\": \"vpc-1\"},\n    {\n      \"VpcId\": \"v,{\\\"\"\n    }\n  ]\n}\n";
        let lines = scan(text);
        assert_eq!(lines.line(""), 1);
        assert_eq!(lines.line("Vpcs"), 2);
        assert_eq!(lines.line("Vpcs/0"), 3);
        assert_eq!(lines.line("Vpcs/1"), 4);
        assert_eq!(lines.line("Vpcs/1/Tags/0"), 4);
        assert_eq!(lines.line("Other"), 1);
        assert_eq!(lines.line("Vpcs/1/VpcId"), 5);
    }

    #[test]
    fn errors_have_a_line_and_column() {
        let file = SourceFile::new("ec2-describe-vpcs.json", "{\n  \"Vpcs\": [\n    {\"VpcId\" \"vpc-1\"}\n");
        let error = parse(&file, "the output of an AWS CLI call").unwrap_err();
        assert_eq!(error.diagnostic.at, Position::new(3, 14));
        assert!(error.diagnostic.message.contains("expected the output of an AWS CLI call"), "{error}");
    }
}
