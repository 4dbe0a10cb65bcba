//! Reading AWS API objects whatever their casing, and writing the
//! Terraform-shaped resource instances they become.
//!
//! The AWS CLI prints the API's PascalCase (`VpcId`), AWS Config writes the
//! same objects in camelCase (`vpcId`, `dBSubnetGroup`) or, for newer
//! types, in CloudFormation's shape; keys are therefore matched without
//! regard to case, and values that Config stores as JSON inside a string
//! are read as the JSON they hold.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use rampart_model::Position;

use super::json::Lines;
use super::translate::Patch;
use crate::source::FileDiagnostic;
use crate::terraform::resource::Resource;
use crate::terraform::value::Value;

/// An object of the input and its path in the file (for its line).
#[derive(Clone, Debug)]
pub(crate) struct Obj<'a> {
    pub json: &'a Json,
    pub path: String,
}

impl<'a> Obj<'a> {
    pub fn root(json: &'a Json) -> Obj<'a> {
        Obj { json, path: String::new() }
    }

    /// The value under `key`, matched without regard to case; `null` is absent.
    pub fn get(&self, key: &str) -> Option<Obj<'a>> {
        let map = self.json.as_object()?;
        let (name, value) = match map.get_key_value(key) {
            Some(found) => found,
            None => map.iter().find(|(name, _)| name.eq_ignore_ascii_case(key))?,
        };
        if value.is_null() {
            return None;
        }
        let path = if self.path.is_empty() { name.clone() } else { format!("{}/{name}", self.path) };
        Some(Obj { json: value, path })
    }

    /// `get` along a dotted path.
    pub fn at(&self, path: &str) -> Option<Obj<'a>> {
        path.split('.').try_fold(self.clone(), |object, key| object.get(key))
    }

    /// The items of a list (none for anything else).
    pub fn items(&self) -> Vec<Obj<'a>> {
        match self.json {
            Json::Array(items) => items
                .iter()
                .enumerate()
                .map(|(index, json)| Obj { json, path: format!("{}/{index}", self.path) })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The items of the list at a dotted path.
    pub fn list(&self, path: &str) -> Vec<Obj<'a>> {
        self.at(path).map(|list| list.items()).unwrap_or_default()
    }

    /// The text at a dotted path (numbers and booleans as written).
    pub fn text(&self, path: &str) -> Option<String> {
        match self.at(path)?.json {
            Json::String(text) if !text.is_empty() => Some(text.clone()),
            Json::Number(number) => Some(number.to_string()),
            Json::Bool(value) => Some(value.to_string()),
            _ => None,
        }
    }

    /// A boolean at a dotted path: `true`, `"true"`, `"ENABLED"`.
    pub fn flag(&self, path: &str) -> Option<bool> {
        match self.at(path)?.json {
            Json::Bool(value) => Some(*value),
            Json::String(text) => match text.to_ascii_lowercase().as_str() {
                "true" | "enabled" | "yes" => Some(true),
                "false" | "disabled" | "no" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn number(&self, path: &str) -> Option<f64> {
        match self.at(path)?.json {
            Json::Number(number) => number.as_f64(),
            Json::String(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// The texts of a list at a dotted path (or the one text there).
    pub fn texts(&self, path: &str) -> Vec<String> {
        match self.at(path).map(|value| value.json) {
            Some(Json::Array(items)) => items.iter().filter_map(Json::as_str).map(str::to_string).collect(),
            Some(Json::String(text)) if !text.is_empty() => vec![text.clone()],
            _ => Vec::new(),
        }
    }

    /// The text of `key` in each item of the list at `path`.
    pub fn each(&self, path: &str, key: &str) -> Vec<String> {
        self.list(path).iter().filter_map(|item| item.text(key)).collect()
    }

    /// The value as the inference reads it; a string holding JSON (a
    /// policy in Config, a URL-encoded policy document) as that JSON.
    pub fn value(&self) -> Value {
        match self.json {
            Json::String(text) => {
                embedded_json(text).map_or_else(|| Value::String(text.clone()), |j| Value::from_json(&j))
            }
            other => Value::from_json(other),
        }
    }

    /// Tags as a map: the API's `[{Key, Value}]` or Config's `{key: value}`.
    pub fn tags(&self) -> BTreeMap<String, Value> {
        let Some(tags) = self.get("Tags").or_else(|| self.get("TagList")) else { return BTreeMap::new() };
        match tags.json {
            Json::Array(_) => tags
                .items()
                .iter()
                .filter_map(|tag| Some((tag.text("Key")?, Value::String(tag.text("Value").unwrap_or_default()))))
                .collect(),
            Json::Object(map) => map
                .iter()
                .filter_map(|(key, value)| Some((key.clone(), Value::String(value.as_str()?.to_string()))))
                .collect(),
            _ => BTreeMap::new(),
        }
    }
}

/// JSON kept inside a string: as is, or URL-encoded (IAM policy documents).
pub(crate) fn embedded_json(text: &str) -> Option<Json> {
    let trimmed = text.trim();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return serde_json::from_str(trimmed).ok();
    }
    if trimmed.starts_with("%7B") || trimmed.starts_with("%7b") {
        return serde_json::from_str(&percent_decode(trimmed)).ok();
    }
    None
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let hex = bytes.get(index + 1..index + 3).and_then(|pair| std::str::from_utf8(pair).ok());
        match (byte, hex.and_then(|pair| u8::from_str_radix(pair, 16).ok())) {
            (b'%', Some(decoded)) => {
                out.push(decoded);
                index += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                index += 1;
            }
            _ => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A Terraform-shaped resource instance being written.
pub(crate) struct Res {
    kind: &'static str,
    address: String,
    name: String,
    values: BTreeMap<String, Value>,
    lines: BTreeMap<String, u32>,
    line: u32,
}

impl Res {
    /// An instance of `kind` for the AWS object `address` (its id or ARN),
    /// named `name` (its Name tag or id), written at the object's line.
    pub fn new(kind: &'static str, address: impl Into<String>, name: impl Into<String>, line: u32) -> Res {
        Res { kind, address: address.into(), name: name.into(), values: BTreeMap::new(), lines: BTreeMap::new(), line }
    }

    /// Sets the argument at a dotted path (nested blocks become maps).
    pub fn set(&mut self, path: &str, value: Value) -> &mut Res {
        let mut keys: Vec<&str> = path.split('.').collect();
        let last = keys.pop().unwrap_or_default();
        let mut map = &mut self.values;
        for key in keys {
            let entry = map.entry(key.to_string()).or_insert_with(|| Value::Map(BTreeMap::new()));
            if !matches!(entry, Value::Map(_)) {
                *entry = Value::Map(BTreeMap::new());
            }
            let Value::Map(inner) = entry else { return self };
            map = inner;
        }
        map.insert(last.to_string(), value);
        self
    }

    pub fn text(&mut self, path: &str, text: Option<String>) -> &mut Res {
        if let Some(text) = text {
            self.set(path, Value::String(text));
        }
        self
    }

    pub fn flag(&mut self, path: &str, flag: Option<bool>) -> &mut Res {
        if let Some(flag) = flag {
            self.set(path, Value::Bool(flag));
        }
        self
    }

    pub fn number(&mut self, path: &str, number: Option<f64>) -> &mut Res {
        if let Some(number) = number {
            self.set(path, Value::Number(number));
        }
        self
    }

    pub fn texts(&mut self, path: &str, texts: Vec<String>) -> &mut Res {
        if !texts.is_empty() {
            self.set(path, Value::List(texts.into_iter().map(Value::String).collect()));
        }
        self
    }

    pub fn tags(&mut self, tags: BTreeMap<String, Value>) -> &mut Res {
        if !tags.is_empty() {
            self.set("tags", Value::Map(tags));
        }
        self
    }

    /// Records the line of an argument (a rule, a container), by its path.
    pub fn line_at(&mut self, path: &str, line: u32) -> &mut Res {
        self.lines.insert(path.to_string(), line);
        self
    }

    pub fn finish(self, file: &str) -> Resource {
        Resource {
            address: self.address,
            kind: self.kind.to_string(),
            name: self.name,
            module: String::new(),
            values: Value::Map(self.values),
            file: file.to_string(),
            line: self.line,
            lines: self.lines,
        }
    }
}

/// Where the translated resources of one file go.
pub(crate) struct Sink<'l> {
    pub file: String,
    pub lines: &'l Lines,
    pub resources: Vec<Resource>,
    pub patches: Vec<Patch>,
    pub warnings: Vec<FileDiagnostic>,
    /// The account id, from `sts get-caller-identity` or a Config item.
    pub account: Option<String>,
}

impl<'l> Sink<'l> {
    pub fn new(file: &str, lines: &'l Lines) -> Sink<'l> {
        Sink {
            file: file.to_string(),
            lines,
            resources: Vec::new(),
            patches: Vec::new(),
            warnings: Vec::new(),
            account: None,
        }
    }

    pub fn warn(&mut self, line: u32, message: impl Into<String>) {
        self.warnings.push(FileDiagnostic::warning(&self.file, Position::new(line.max(1), 1), message));
    }

    /// A change to the `kind` resource known as `key`, applied after every file is read.
    pub fn patch(&mut self, kind: &'static str, key: &str, path: &'static str, value: Value, line: u32) {
        let file = self.file.clone();
        self.patches.push(Patch { kind, key: key.to_string(), path, value, file, line });
    }

    pub fn line(&self, object: &Obj<'_>) -> u32 {
        self.lines.line(&object.path)
    }

    pub fn push(&mut self, res: Res) {
        self.resources.push(res.finish(&self.file));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_whatever_their_case() {
        let json: Json =
            serde_json::from_str(r#"{"dBSubnetGroup": {"subnets": [{"subnetIdentifier": "subnet-1"}]}}"#).unwrap();
        let object = Obj::root(&json);
        assert_eq!(object.each("DBSubnetGroup.Subnets", "SubnetIdentifier"), ["subnet-1"]);
        assert_eq!(object.list("DBSubnetGroup.Subnets")[0].path, "dBSubnetGroup/subnets/0");
    }

    #[test]
    fn policies_inside_strings_are_read_as_json() {
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%7D%5D%7D";
        let value = Obj::root(&Json::String(encoded.into())).value();
        assert_eq!(value.path("Statement.Effect").and_then(Value::literal), Some("Allow"));
    }
}
