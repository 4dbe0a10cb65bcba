//! A CloudFormation template, evaluated as far as it can be without
//! deploying it: parameters take their `Default`, `Fn::FindInMap` reads
//! `Mappings`, `Conditions` are worked out when their inputs are known, and
//! intrinsic functions (short-form tags such as `!Ref` or long-form keys
//! such as `{"Fn::GetAtt": [...]}`) become values. `Ref` and `Fn::GetAtt`
//! to another resource become references, which survive `Fn::Sub` and
//! `Fn::Join`, so the inference can tell which resource a value points at.

use std::collections::{BTreeMap, HashMap, HashSet};

use rampart_model::Position;

use crate::source::FileDiagnostic;
use crate::terraform::value::{UNKNOWN_PART, Value, reference};
use crate::yaml::{Node, Value as Yaml};

/// Intrinsics nest no deeper than this in real templates; deeper input is
/// read as unknown instead of growing the stack.
const MAX_EVALUATION_DEPTH: usize = 200;

/// One resource of a template, with its properties evaluated.
#[derive(Clone, Debug)]
pub(crate) struct Declared {
    pub logical_id: String,
    /// `AWS::EC2::VPC`.
    pub kind: String,
    pub properties: Value,
    pub file: String,
    /// Line of the logical id.
    pub line: u32,
    /// Lines of properties, by dotted path (`SecurityGroupIngress.0`).
    pub lines: BTreeMap<String, u32>,
}

impl Declared {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.properties.get(key)
    }

    pub fn path(&self, path: &str) -> Option<&Value> {
        self.properties.path(path)
    }

    pub fn line_of(&self, path: &str) -> u32 {
        self.lines.get(path).copied().unwrap_or(self.line)
    }
}

/// What a template gives: its resources (those whose condition is known
/// to be false left out) and what could not be evaluated.
#[derive(Debug, Default)]
pub(crate) struct Evaluated {
    pub resources: Vec<Declared>,
    pub warnings: Vec<FileDiagnostic>,
}

/// Whether a named condition is true, false, or not known statically.
type Truth = Option<bool>;

struct Evaluator<'t> {
    file: &'t str,
    parameters: HashMap<String, Value>,
    mappings: Option<&'t Node>,
    conditions: HashMap<String, &'t Node>,
    known_conditions: HashMap<String, Truth>,
    evaluating: HashSet<String>,
    resources: HashSet<String>,
    warnings: Vec<FileDiagnostic>,
    /// Places already warned about: a condition or value read twice warns once.
    warned: HashSet<(u32, u32)>,
}

/// Evaluates the template at `root`.
pub(crate) fn evaluate(file: &str, root: &Node) -> Evaluated {
    let conditions = root
        .get("Conditions")
        .map(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|(key, value)| Some((key.str()?.to_string(), value)))
        .collect();
    let mut evaluator = Evaluator {
        file,
        parameters: HashMap::new(),
        mappings: root.get("Mappings"),
        conditions,
        known_conditions: HashMap::new(),
        evaluating: HashSet::new(),
        resources: HashSet::new(),
        warnings: Vec::new(),
        warned: HashSet::new(),
    };
    let Some(resources) = root.get("Resources").filter(|r| r.is_map()) else {
        evaluator.warn(root.at, "the template has no `Resources` mapping; nothing to model");
        return Evaluated { resources: Vec::new(), warnings: evaluator.warnings };
    };
    evaluator.resources = resources.entries().iter().filter_map(|(k, _)| k.str().map(str::to_string)).collect();
    if let Some(parameters) = root.get("Parameters") {
        evaluator.parameters(parameters);
    }
    let mut declared = Vec::new();
    for (key, body) in resources.entries() {
        let Some(logical_id) = key.str() else { continue };
        let Some(kind) = body.get("Type").and_then(Node::text) else {
            evaluator.warn(key.at, format!("resource `{logical_id}` has no `Type`; it is not modelled"));
            continue;
        };
        if let Some(condition) = body.get("Condition") {
            let truth = match condition.text() {
                Some(name) => evaluator.named_condition(name, condition.at, 0),
                None => None,
            };
            // A resource whose condition is false is not created.
            if truth == Some(false) {
                continue;
            }
        }
        let mut lines = BTreeMap::new();
        let properties = match body.get("Properties") {
            Some(node) => evaluator.value(node, "", &mut lines, 0),
            None => Value::Map(BTreeMap::new()),
        };
        declared.push(Declared {
            logical_id: logical_id.to_string(),
            kind: kind.to_string(),
            properties,
            file: file.to_string(),
            line: key.at.line,
            lines,
        });
    }
    Evaluated { resources: declared, warnings: evaluator.warnings }
}

/// The long name of an intrinsic written as a tag: `!GetAtt` → `Fn::GetAtt`.
fn long_name(tag: &str) -> Option<String> {
    let name = tag.strip_prefix('!')?;
    Some(match name {
        "Ref" | "Condition" => name.to_string(),
        _ => format!("Fn::{name}"),
    })
}

/// The intrinsic a node calls, and its argument: a tagged node, or a
/// mapping with one `Ref` or `Fn::` key.
fn intrinsic(node: &Node) -> Option<(String, &Node, bool)> {
    if let Some(tag) = &node.tag {
        return long_name(tag).map(|name| (name, node, true));
    }
    match node.entries() {
        [(key, argument)] => {
            let name = key.str()?;
            (name == "Ref" || name.starts_with("Fn::")).then(|| (name.to_string(), argument, false))
        }
        _ => None,
    }
}

const PSEUDO_PARAMETERS: &[&str] = &[
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
];

fn unknown_text() -> Value {
    Value::String(UNKNOWN_PART.to_string())
}

impl Evaluator<'_> {
    fn warn(&mut self, at: Position, message: impl Into<String>) {
        if self.warned.insert((at.line, at.column)) {
            self.warnings.push(FileDiagnostic::warning(self.file, at, message));
        }
    }

    fn parameters(&mut self, parameters: &Node) {
        for (key, declaration) in parameters.entries() {
            let Some(name) = key.str() else { continue };
            let list = declaration.get("Type").and_then(Node::text).is_some_and(|t| t.contains("List"));
            let value = match declaration.get("Default").and_then(Node::str) {
                Some(text) if list => {
                    Value::List(text.split(',').map(|item| Value::String(item.trim().to_string())).collect())
                }
                Some(text) => Value::String(text.to_string()),
                None => Value::Unknown,
            };
            self.parameters.insert(name.to_string(), value);
        }
    }

    /// A node as a value, intrinsics evaluated; `lines` gets the line of
    /// every node below `path`.
    fn value(&mut self, node: &Node, path: &str, lines: &mut BTreeMap<String, u32>, depth: usize) -> Value {
        if !path.is_empty() {
            lines.entry(path.to_string()).or_insert(node.at.line);
        }
        if depth > MAX_EVALUATION_DEPTH {
            return Value::Unknown;
        }
        if let Some((name, argument, tagged)) = intrinsic(node) {
            return self.call(&name, argument, tagged, node.at, depth + 1);
        }
        let join = |key: &str| if path.is_empty() { key.to_string() } else { format!("{path}.{key}") };
        match &node.value {
            Yaml::Scalar { text, plain } => {
                if node.is_null() {
                    Value::Null
                } else if *plain && matches!(text.as_str(), "True" | "TRUE" | "False" | "FALSE") {
                    Value::String(text.to_ascii_lowercase())
                } else {
                    Value::String(text.clone())
                }
            }
            Yaml::Seq(items) => Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.value(item, &join(&i.to_string()), lines, depth + 1))
                    .collect(),
            ),
            Yaml::Map(entries) => {
                let mut map = BTreeMap::new();
                for (key, item) in entries {
                    let Some(key) = key.str() else { continue };
                    let value = self.value(item, &join(key), lines, depth + 1);
                    map.insert(key.to_string(), value);
                }
                Value::Map(map)
            }
        }
    }

    /// An argument evaluated without recording lines.
    fn plain(&mut self, node: &Node, depth: usize) -> Value {
        self.value(node, "", &mut BTreeMap::new(), depth)
    }

    /// The argument of a tagged node is the node without its tag.
    fn argument(node: &Node, tagged: bool) -> Node {
        let mut argument = node.clone();
        if tagged {
            argument.tag = None;
        }
        argument
    }

    fn call(&mut self, name: &str, argument: &Node, tagged: bool, at: Position, depth: usize) -> Value {
        let argument = Self::argument(argument, tagged);
        let items = argument.seq();
        match name {
            "Ref" => match argument.text() {
                Some(target) => self.reference(target, at),
                None => {
                    self.warn(at, "`Ref` takes the name of a parameter or resource");
                    Value::Unknown
                }
            },
            "Fn::GetAtt" => self.get_att(&argument, at, depth),
            "Fn::Sub" => self.sub(&argument, at, depth),
            "Fn::Join" => match items {
                [delimiter, list] => {
                    let delimiter = delimiter.str().unwrap_or_default().to_string();
                    match self.plain(list, depth) {
                        Value::List(parts) => {
                            Value::String(parts.iter().map(Value::template_text).collect::<Vec<_>>().join(&delimiter))
                        }
                        _ => unknown_text(),
                    }
                }
                _ => self.bad_shape(at, "Fn::Join", "[delimiter, [values]]"),
            },
            "Fn::Select" => match items {
                [index, list] => {
                    let index = self.plain(index, depth).number();
                    let list = self.plain(list, depth);
                    match (index, list) {
                        (Some(index), Value::List(values)) if index >= 0.0 => {
                            values.into_iter().nth(index as usize).unwrap_or(Value::Unknown)
                        }
                        _ => Value::Unknown,
                    }
                }
                _ => self.bad_shape(at, "Fn::Select", "[index, [values]]"),
            },
            "Fn::Split" => match items {
                [delimiter, text] => {
                    let delimiter = delimiter.str().unwrap_or_default().to_string();
                    match self.plain(text, depth) {
                        Value::String(text) if !delimiter.is_empty() => {
                            Value::List(text.split(delimiter.as_str()).map(|p| Value::String(p.to_string())).collect())
                        }
                        _ => Value::Unknown,
                    }
                }
                _ => self.bad_shape(at, "Fn::Split", "[delimiter, text]"),
            },
            "Fn::If" => match items {
                [condition, when_true, when_false] => {
                    let truth = match condition.text() {
                        Some(name) => self.named_condition(name, condition.at, depth),
                        None => None,
                    };
                    match truth {
                        Some(true) => self.plain(when_true, depth),
                        Some(false) => self.plain(when_false, depth),
                        None => Value::Unknown,
                    }
                }
                _ => self.bad_shape(at, "Fn::If", "[condition, value if true, value if false]"),
            },
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" | "Condition" => {
                match self.condition_call(name, &argument, at, depth) {
                    Some(truth) => Value::Bool(truth),
                    None => Value::Unknown,
                }
            }
            "Fn::FindInMap" => self.find_in_map(&argument, at, depth),
            "Fn::Base64" | "Fn::ToJsonString" => self.plain(&argument, depth),
            "Fn::Length" => match self.plain(&argument, depth) {
                Value::List(values) => Value::Number(values.len() as f64),
                _ => Value::Unknown,
            },
            "Fn::ImportValue" | "Fn::Cidr" | "Fn::GetAZs" | "Fn::Transform" | "Fn::ForEach" => Value::Unknown,
            other => {
                self.warn(at, format!("unknown intrinsic function `{other}`; its value is read as unknown"));
                Value::Unknown
            }
        }
    }

    fn bad_shape(&mut self, at: Position, function: &str, shape: &str) -> Value {
        self.warn(at, format!("`{function}` takes {shape}; its value is read as unknown"));
        Value::Unknown
    }

    fn reference(&mut self, target: &str, at: Position) -> Value {
        if let Some(value) = self.parameters.get(target) {
            return value.clone();
        }
        if self.resources.contains(target) {
            return Value::String(reference(target, "Ref"));
        }
        if target == "AWS::NoValue" {
            return Value::Null;
        }
        if PSEUDO_PARAMETERS.contains(&target) {
            return unknown_text();
        }
        self.warn(at, format!("`Ref` to `{target}`, which is no parameter or resource of the template"));
        Value::Unknown
    }

    fn get_att(&mut self, argument: &Node, at: Position, depth: usize) -> Value {
        let (resource, attribute) = match (argument.str(), argument.seq()) {
            (Some(text), _) => match text.split_once('.') {
                Some((resource, attribute)) => (resource.to_string(), attribute.to_string()),
                None => return self.bad_shape(at, "Fn::GetAtt", "`LogicalId.Attribute` or [LogicalId, Attribute]"),
            },
            (None, [resource, attribute]) => {
                let attribute = self.plain(attribute, depth);
                match (resource.str(), attribute.literal()) {
                    (Some(resource), Some(attribute)) => (resource.to_string(), attribute.to_string()),
                    (Some(resource), None) => (resource.to_string(), String::new()),
                    _ => {
                        return self.bad_shape(at, "Fn::GetAtt", "`LogicalId.Attribute` or [LogicalId, Attribute]");
                    }
                }
            }
            _ => return self.bad_shape(at, "Fn::GetAtt", "`LogicalId.Attribute` or [LogicalId, Attribute]"),
        };
        if !self.resources.contains(&resource) {
            self.warn(at, format!("`Fn::GetAtt` names `{resource}`, which is no resource of the template"));
            return Value::Unknown;
        }
        Value::String(reference(&resource, &attribute))
    }

    /// `Fn::Sub`: `${Param}`, `${Resource}`, `${Resource.Attribute}` and the
    /// variables of its second argument are substituted; `${!Literal}` is
    /// the text `${Literal}`.
    fn sub(&mut self, argument: &Node, at: Position, depth: usize) -> Value {
        let (template, variables) = match (argument.str(), argument.seq()) {
            (Some(text), _) => (text.to_string(), BTreeMap::new()),
            (None, [text, variables]) if text.str().is_some() => {
                let variables = match self.plain(variables, depth) {
                    Value::Map(map) => map,
                    _ => BTreeMap::new(),
                };
                (text.str().unwrap_or_default().to_string(), variables)
            }
            _ => return self.bad_shape(at, "Fn::Sub", "a string or [string, {variables}]"),
        };
        let mut out = String::new();
        let mut rest = template.as_str();
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let value = if let Some(value) = variables.get(name) {
                value.clone()
            } else if let Some(value) = self.parameters.get(name) {
                value.clone()
            } else if self.resources.contains(name) {
                Value::String(reference(name, "Ref"))
            } else if PSEUDO_PARAMETERS.contains(&name) {
                unknown_text()
            } else if let Some((resource, attribute)) = name.split_once('.')
                && self.resources.contains(resource)
            {
                Value::String(reference(resource, attribute))
            } else {
                self.warn(at, format!("`Fn::Sub` names `${{{name}}}`, which is no parameter, resource or variable"));
                unknown_text()
            };
            out.push_str(&value.template_text());
        }
        out.push_str(rest);
        Value::String(out)
    }

    fn find_in_map(&mut self, argument: &Node, at: Position, depth: usize) -> Value {
        let items = argument.seq();
        if !(3..=4).contains(&items.len()) {
            return self.bad_shape(at, "Fn::FindInMap", "[MapName, TopLevelKey, SecondLevelKey]");
        }
        let keys: Vec<Option<String>> =
            items[..3].iter().map(|item| self.plain(item, depth).literal().map(str::to_string)).collect();
        let found = match (&keys[0], &keys[1], &keys[2]) {
            (Some(map), Some(top), Some(second)) => {
                self.mappings.and_then(|mappings| mappings.path(&[map.as_str(), top.as_str(), second.as_str()]))
            }
            _ => None,
        };
        match found {
            Some(node) => self.plain(node, depth),
            None => match items.get(3).and_then(|d| d.get("DefaultValue")) {
                Some(default) => self.plain(default, depth),
                None => Value::Unknown,
            },
        }
    }

    /// A named condition's truth, worked out once.
    fn named_condition(&mut self, name: &str, at: Position, depth: usize) -> Truth {
        if let Some(truth) = self.known_conditions.get(name) {
            return *truth;
        }
        let Some(node) = self.conditions.get(name).copied() else {
            self.warn(at, format!("condition `{name}` is not defined in `Conditions`"));
            return None;
        };
        if !self.evaluating.insert(name.to_string()) || depth > MAX_EVALUATION_DEPTH {
            self.warn(at, format!("condition `{name}` depends on itself"));
            return None;
        }
        let truth = self.condition(node, depth + 1);
        self.evaluating.remove(name);
        self.known_conditions.insert(name.to_string(), truth);
        truth
    }

    fn condition(&mut self, node: &Node, depth: usize) -> Truth {
        if depth > MAX_EVALUATION_DEPTH {
            return None;
        }
        // `{"Condition": "Name"}` inside `Fn::And` and friends.
        if node.tag.is_none()
            && let [(key, value)] = node.entries()
            && key.str() == Some("Condition")
        {
            return value.text().and_then(|name| self.named_condition(name, value.at, depth + 1));
        }
        match intrinsic(node) {
            Some((name, argument, tagged)) => {
                let argument = Self::argument(argument, tagged);
                self.condition_call(&name, &argument, node.at, depth + 1)
            }
            None => self.plain(node, depth).bool(),
        }
    }

    fn condition_call(&mut self, name: &str, argument: &Node, at: Position, depth: usize) -> Truth {
        let items = argument.seq();
        match name {
            "Condition" => argument.text().and_then(|name| self.named_condition(name, at, depth)),
            "Fn::Equals" => match items {
                [left, right] => {
                    let left = self.plain(left, depth);
                    let right = self.plain(right, depth);
                    match (known_text(&left), known_text(&right)) {
                        (Some(left), Some(right)) => Some(left == right),
                        _ => None,
                    }
                }
                _ => {
                    self.bad_shape(at, "Fn::Equals", "[value, value]");
                    None
                }
            },
            "Fn::Not" => match items {
                [inner] => self.condition(inner, depth).map(|truth| !truth),
                _ => {
                    self.bad_shape(at, "Fn::Not", "[condition]");
                    None
                }
            },
            "Fn::And" | "Fn::Or" => {
                let all = name == "Fn::And";
                let mut unknown = false;
                for item in items {
                    match self.condition(item, depth) {
                        Some(truth) if truth != all => return Some(!all),
                        Some(_) => {}
                        None => unknown = true,
                    }
                }
                if unknown { None } else { Some(all) }
            }
            _ => self.call(name, argument, false, at, depth).bool(),
        }
    }
}

/// The text of a fully known scalar, for `Fn::Equals`.
fn known_text(value: &Value) -> Option<String> {
    match value {
        Value::String(_) => value.literal().map(str::to_string),
        Value::Bool(truth) => Some(truth.to_string()),
        Value::Number(_) => Some(value.display()),
        _ => None,
    }
}
