//! Values of Terraform attributes as far as they are known before `apply`.
//!
//! Both readers (HCL configurations and `terraform show -json`) produce
//! these, so the inference works on one shape: nested blocks are lists of
//! maps, as in the JSON plan. What only `apply` knows (an id, an ARN, a DNS
//! name) is a *reference*: a marker inside a string naming the resource
//! instance and attribute (`aws_security_group.web` + `id`). Markers survive
//! string templates, so `"postgres://${aws_db_instance.orders.address}/x"`
//! still says which database it points at.

use std::collections::BTreeMap;

/// Starts a reference marker inside a string.
const REF_START: char = '\u{E000}';
/// Separates the resource address from the attribute in a marker.
const REF_SEPARATOR: char = '\u{E002}';
/// Ends a reference marker.
const REF_END: char = '\u{E001}';
/// Stands for a part of a string that cannot be known statically.
pub(crate) const UNKNOWN_PART: char = '\u{E003}';

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(f64),
    /// Text, possibly with reference markers (see [`reference`]).
    String(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    /// A whole resource instance (`aws_subnet.private[0]`), as `for`
    /// expressions and splats see it before picking an attribute.
    Resource(String),
    /// Not known statically: a variable without a value, a function that is
    /// not evaluated, a data source.
    Unknown,
}

/// The string holding a reference to `attribute` of the resource instance at `address`.
pub(crate) fn reference(address: &str, attribute: &str) -> String {
    format!("{REF_START}{address}{REF_SEPARATOR}{attribute}{REF_END}")
}

/// A reference found in a value: the resource instance's address and the attribute.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Reference {
    pub address: String,
    pub attribute: String,
}

impl Value {
    pub fn str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    /// The text of a string with no reference or unknown part in it.
    pub fn literal(&self) -> Option<&str> {
        self.str().filter(|text| !text.contains([REF_START, UNKNOWN_PART]))
    }

    pub fn bool(&self) -> Option<bool> {
        match self {
            Value::Bool(value) => Some(*value),
            Value::String(text) => match text.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number(number) => Some(*number),
            Value::String(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn list(&self) -> &[Value] {
        match self {
            Value::List(items) => items,
            _ => &[],
        }
    }

    /// The items of a list, or the value itself when it is one thing
    /// (`security_groups = aws_security_group.web.id` as well as `[...]`).
    pub fn items(&self) -> Vec<&Value> {
        match self {
            Value::List(items) => items.iter().collect(),
            Value::Null | Value::Unknown => Vec::new(),
            other => vec![other],
        }
    }

    pub fn map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(map) => Some(map),
            _ => None,
        }
    }

    /// The value under `key` of a map; for a list of maps (a nested block),
    /// of its first item.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(map) => map.get(key).filter(|value| !matches!(value, Value::Null)),
            Value::List(items) => items.first().and_then(|first| first.get(key)),
            _ => None,
        }
    }

    /// `get` along a dotted path: `settings.ip_configuration.ipv4_enabled`.
    pub fn path(&self, path: &str) -> Option<&Value> {
        path.split('.').try_fold(self, |value, key| value.get(key))
    }

    /// Every block of a nested block list (`ingress { }` written twice).
    pub fn blocks(&self, key: &str) -> Vec<&Value> {
        if let Value::List(items) = self {
            return items.first().map(|first| first.blocks(key)).unwrap_or_default();
        }
        match self.get_raw(key) {
            Some(Value::List(items)) => items.iter().filter(|item| item.map().is_some()).collect(),
            Some(value @ Value::Map(_)) => vec![value],
            _ => Vec::new(),
        }
    }

    fn get_raw(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(map) => map.get(key),
            _ => None,
        }
    }

    /// Every reference in the value, in order of appearance.
    pub fn references(&self) -> Vec<Reference> {
        let mut found = Vec::new();
        self.collect_references(&mut found);
        found
    }

    fn collect_references(&self, found: &mut Vec<Reference>) {
        match self {
            Value::String(text) => found.extend(references_in(text)),
            Value::Resource(address) => {
                found.push(Reference { address: address.clone(), attribute: String::new() });
            }
            Value::List(items) => items.iter().for_each(|item| item.collect_references(found)),
            Value::Map(map) => map.values().for_each(|item| item.collect_references(found)),
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::Unknown => {}
        }
    }

    /// The strings in the value (a string, or those of a list), for
    /// matching literal names and ids.
    pub fn strings(&self) -> Vec<&str> {
        match self {
            Value::String(text) => vec![text.as_str()],
            Value::List(items) => items.iter().flat_map(Value::strings).collect(),
            _ => Vec::new(),
        }
    }

    /// The value as JSON-like text for messages and descriptions, references shown as `${...}`.
    pub fn display(&self) -> String {
        match self {
            Value::Null => "null".to_string(),
            Value::Bool(value) => value.to_string(),
            Value::Number(number) => format_number(*number),
            Value::String(text) => readable(text),
            Value::List(items) => format!("[{}]", items.iter().map(Value::display).collect::<Vec<_>>().join(", ")),
            Value::Map(map) => format!(
                "{{{}}}",
                map.iter().map(|(key, value)| format!("{key} = {}", value.display())).collect::<Vec<_>>().join(", ")
            ),
            Value::Resource(address) => address.clone(),
            Value::Unknown => "(unknown)".to_string(),
        }
    }

    /// The text interpolated into a string template.
    pub fn template_text(&self) -> String {
        match self {
            Value::String(text) => text.clone(),
            Value::Number(number) => format_number(*number),
            Value::Bool(value) => value.to_string(),
            Value::Null => String::new(),
            _ => UNKNOWN_PART.to_string(),
        }
    }

    /// The value from JSON (a plan, a `.tfvars.json`, a policy document in a string).
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(value) => Value::Bool(*value),
            serde_json::Value::Number(number) => Value::Number(number.as_f64().unwrap_or_default()),
            serde_json::Value::String(text) => Value::String(text.clone()),
            serde_json::Value::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(map) => {
                Value::Map(map.iter().map(|(key, value)| (key.clone(), Value::from_json(value))).collect())
            }
        }
    }
}

pub(crate) fn format_number(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 { format!("{}", number as i64) } else { number.to_string() }
}

/// The references inside a string.
pub(crate) fn references_in(text: &str) -> Vec<Reference> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(REF_START) {
        let after = &rest[start + REF_START.len_utf8()..];
        let Some(end) = after.find(REF_END) else { break };
        let inner = &after[..end];
        if let Some((address, attribute)) = inner.split_once(REF_SEPARATOR) {
            found.push(Reference { address: address.to_string(), attribute: attribute.to_string() });
        }
        rest = &after[end + REF_END.len_utf8()..];
    }
    found
}

/// A string with references written as `${address.attribute}` and unknown
/// parts as `${...}`, as a person would read it.
pub(crate) fn readable(text: &str) -> String {
    text.replace(REF_START, "${").replace(REF_SEPARATOR, ".").replace(REF_END, "}").replace(UNKNOWN_PART, "${...}")
}

/// A string with every reference replaced by `placeholder`, for parsing
/// URLs whose host is another resource's address.
pub(crate) fn with_references_as(text: &str, placeholder: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(REF_START) {
        out.push_str(&rest[..start]);
        let after = &rest[start + REF_START.len_utf8()..];
        match after.find(REF_END) {
            Some(end) => {
                out.push_str(placeholder);
                rest = &after[end + REF_END.len_utf8()..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out.replace(UNKNOWN_PART, placeholder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_survive_templates_and_read_back() {
        let text = format!("postgres://app@{}:5432/shop", reference("aws_db_instance.orders", "address"));
        let found = references_in(&text);
        assert_eq!(found, [Reference { address: "aws_db_instance.orders".into(), attribute: "address".into() }]);
        assert_eq!(readable(&text), "postgres://app@${aws_db_instance.orders.address}:5432/shop");
        assert_eq!(with_references_as(&text, "ref.invalid"), "postgres://app@ref.invalid:5432/shop");
        assert_eq!(Value::String(text).literal(), None);
        assert_eq!(Value::String("x".into()).literal(), Some("x"));
    }

    #[test]
    fn nested_blocks_read_like_the_json_plan() {
        let json: serde_json::Value =
            serde_json::from_str(r#"{"settings":[{"ip_configuration":[{"ipv4_enabled":true}]}]}"#).unwrap();
        let value = Value::from_json(&json);
        assert_eq!(value.path("settings.ip_configuration.ipv4_enabled").and_then(Value::bool), Some(true));
        assert_eq!(value.blocks("settings").len(), 1);
        assert_eq!(Value::Number(5432.0).display(), "5432");
    }
}
