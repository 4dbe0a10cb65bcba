//! The JSON of `terraform show -json`: a plan (`planned_values`) or a state
//! (`values`) → resource instances.
//!
//! A plan leaves out what only `apply` knows (ids, ARNs), so a `vpc_id` of a
//! subnet whose VPC is new is absent from `planned_values`; the plan's
//! `configuration` section still lists the references each argument was
//! written with (`aws_vpc.main.id`), and those fill the gaps. A state has
//! every id, and a literal id matches the resource that has it.

use std::collections::{BTreeMap, HashMap};

use rampart_model::{Diagnostic, Position, Severity};
use serde_json::Value as Json;

use super::resource::Resource;
use super::value::{Value, reference};
use crate::source::{FileDiagnostic, SourceFile};

/// Whether `text` looks like the output of `terraform show -json`, by a
/// cheap look at its keys; never parses.
pub(crate) fn looks_like_plan(text: &str) -> bool {
    let head: String = text.chars().take(4096).collect();
    head.trim_start().starts_with('{')
        && head.contains("\"format_version\"")
        && (head.contains("\"terraform_version\"")
            || text.contains("\"planned_values\"")
            || text.contains("\"values\""))
}

/// What a plan or state holds.
pub(crate) struct Plan {
    pub resources: Vec<Resource>,
    pub providers: Vec<(String, Value)>,
    pub warnings: Vec<FileDiagnostic>,
}

pub(crate) fn read(file: &SourceFile) -> Result<Plan, FileDiagnostic> {
    let error = |at: Position, message: String| FileDiagnostic {
        file: file.path.clone(),
        diagnostic: Diagnostic { severity: Severity::Error, ..Diagnostic::warning(at, message) },
    };
    let json: Json = serde_json::from_str(&file.text).map_err(|e| {
        let at = Position::new(
            u32::try_from(e.line()).unwrap_or(u32::MAX).max(1),
            u32::try_from(e.column()).unwrap_or(u32::MAX).max(1),
        );
        let message = e.to_string();
        let message = message.split(" at line ").next().unwrap_or(&message).to_string();
        error(at, format!("invalid JSON: {message}"))
    })?;
    let (root, section) = if let Some(root) = json.pointer("/planned_values/root_module") {
        (root, "planned_values")
    } else if let Some(root) = json.pointer("/values/root_module") {
        (root, "values")
    } else {
        return Err(error(
            Position::new(1, 1),
            "not the JSON of `terraform show -json`: expected `planned_values.root_module` (a plan) or \
             `values.root_module` (a state)"
                .to_string(),
        ));
    };
    let lines = address_lines(&file.text, section);
    let configuration = json.pointer("/configuration/root_module");
    let mut reader = Reader {
        file,
        lines,
        configuration,
        config_index: HashMap::new(),
        resources: Vec::new(),
        warnings: Vec::new(),
    };
    reader.module(root, 0);
    let providers = json
        .pointer("/configuration/provider_config")
        .and_then(Json::as_object)
        .map(|providers| {
            providers
                .values()
                .filter_map(|provider| {
                    let name = provider.get("name")?.as_str()?.to_string();
                    let mut values = BTreeMap::new();
                    for (key, expression) in provider.get("expressions").and_then(Json::as_object).into_iter().flatten()
                    {
                        if let Some(constant) = expression.get("constant_value") {
                            values.insert(key.clone(), Value::from_json(constant));
                        }
                    }
                    Some((name, Value::Map(values)))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Plan { resources: reader.resources, providers, warnings: reader.warnings })
}

/// Modules nested deeper than this in a plan are not read.
const MAX_DEPTH: usize = 32;

struct Reader<'a> {
    file: &'a SourceFile,
    lines: HashMap<String, u32>,
    configuration: Option<&'a Json>,
    /// Per configuration module (its call names joined by `.`), its managed
    /// resources by (type, name): a plan of thousands of resources would
    /// otherwise scan its module's configuration once per resource.
    config_index: HashMap<String, HashMap<(&'a str, &'a str), &'a Json>>,
    resources: Vec<Resource>,
    warnings: Vec<FileDiagnostic>,
}

impl<'a> Reader<'a> {
    fn module(&mut self, module: &'a Json, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let module_address = module.get("address").and_then(Json::as_str).unwrap_or_default().to_string();
        for resource in module.get("resources").and_then(Json::as_array).into_iter().flatten() {
            self.resource(resource, &module_address);
        }
        for child in module.get("child_modules").and_then(Json::as_array).into_iter().flatten() {
            self.module(child, depth + 1);
        }
    }

    fn resource(&mut self, json: &'a Json, module: &str) {
        let text = |key: &str| json.get(key).and_then(Json::as_str).unwrap_or_default().to_string();
        let (address, kind, name) = (text("address"), text("type"), text("name"));
        if json.get("mode").and_then(Json::as_str) == Some("data") {
            return;
        }
        if address.is_empty() || kind.is_empty() {
            let at = Position::UNKNOWN;
            self.warnings.push(FileDiagnostic::warning(
                &self.file.path,
                at,
                "a resource without `address` or `type`; skipped",
            ));
            return;
        }
        let mut values = json.get("values").map(Value::from_json).unwrap_or(Value::Map(BTreeMap::new()));
        if let Some(expressions) = self.config_resource(module, &kind, &name).and_then(|c| c.get("expressions")) {
            fill_references(&mut values, expressions, &self.module_path_resolver(module));
        }
        let line = self.lines.get(&address).copied().unwrap_or(0);
        self.resources.push(Resource {
            address,
            kind,
            name,
            module: module.to_string(),
            values,
            file: self.file.path.clone(),
            line,
            lines: BTreeMap::new(),
        });
    }

    /// The `configuration` entry of a resource in a module instance
    /// (`module.app[0]` is configured by `module_calls.app`).
    fn config_resource(&mut self, module: &str, kind: &str, name: &str) -> Option<&'a Json> {
        let key = module_calls(module).join(".");
        if !self.config_index.contains_key(&key) {
            let index = self.config_module(module).map(config_resources).unwrap_or_default();
            self.config_index.insert(key.clone(), index);
        }
        self.config_index.get(&key)?.get(&(kind, name)).copied()
    }

    fn config_module(&self, module: &str) -> Option<&'a Json> {
        let mut config = self.configuration?;
        for call in module_calls(module) {
            config = config.get("module_calls")?.get(call.as_str())?.get("module")?;
        }
        Some(config)
    }

    fn module_path_resolver(&self, module: &str) -> Resolver<'a> {
        Resolver { configuration: self.configuration, module: module.to_string() }
    }
}

/// The managed resources of a configuration module by (type, name), the
/// first of each when a pair repeats.
fn config_resources(config: &Json) -> HashMap<(&str, &str), &Json> {
    let mut index = HashMap::new();
    for resource in config.get("resources").and_then(Json::as_array).into_iter().flatten() {
        if resource.get("mode").and_then(Json::as_str) == Some("data") {
            continue;
        }
        let kind = resource.get("type").and_then(Json::as_str);
        let name = resource.get("name").and_then(Json::as_str);
        if let (Some(kind), Some(name)) = (kind, name) {
            index.entry((kind, name)).or_insert(resource);
        }
    }
    index
}

/// The call names along a module address: `module.a[0].module.b` → `a`, `b`.
fn module_calls(module: &str) -> Vec<String> {
    let mut calls = Vec::new();
    let mut rest = module;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        calls.push(after[..end].to_string());
        rest = &after[end..];
        if rest.starts_with('[') {
            rest = rest.find("].").map_or("", |close| &rest[close + 1..]);
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    calls
}

/// Turns the references of a module's expressions into resource addresses.
struct Resolver<'a> {
    configuration: Option<&'a Json>,
    /// The module instance the expressions are written in (`module.network`).
    module: String,
}

impl Resolver<'_> {
    /// The resources (address, attribute) a list of references names:
    /// the most specific reference to each resource, following module
    /// inputs (`var.vpc_id`) and outputs (`module.network.vpc_id`).
    fn resolve(&self, references: &[Json], depth: usize) -> Vec<(String, String)> {
        let mut found: Vec<(String, String)> = Vec::new();
        for reference in references.iter().filter_map(Json::as_str) {
            for (address, attribute) in self.resolve_one(reference, depth) {
                let base = super::resource::base_address(&address).to_string();
                let covered = found.iter().any(|(existing, _)| {
                    existing == &address || super::resource::base_address(existing) == address || existing == &base
                });
                if !covered {
                    found.push((address, attribute));
                }
            }
        }
        found
    }

    fn resolve_one(&self, reference: &str, depth: usize) -> Vec<(String, String)> {
        if depth > MAX_DEPTH {
            return Vec::new();
        }
        let prefix = if self.module.is_empty() { String::new() } else { format!("{}.", self.module) };
        let mut parts = reference.splitn(3, '.');
        let (first, second, rest) = (parts.next().unwrap_or_default(), parts.next(), parts.next());
        match first {
            "var" => {
                // The calling module's argument for this input.
                let Some(variable) = second else { return Vec::new() };
                let calls = module_calls(&self.module);
                let Some((call, parents)) = calls.split_last() else { return Vec::new() };
                let parent_module = parent_module(&self.module);
                let mut config = self.configuration;
                for name in parents {
                    config = config.and_then(|c| c.get("module_calls")?.get(name.as_str())?.get("module"));
                }
                let references = config.and_then(|c| {
                    c.get("module_calls")?
                        .get(call.as_str())?
                        .get("expressions")?
                        .get(variable)?
                        .get("references")?
                        .as_array()
                });
                let parent = Resolver { configuration: self.configuration, module: parent_module };
                references.map(|references| parent.resolve(references, depth + 1)).unwrap_or_default()
            }
            "module" => {
                // An output of a called module.
                let (Some(call_part), Some(rest)) = (second, rest) else { return Vec::new() };
                let call = call_part.split('[').next().unwrap_or(call_part);
                let output = rest.split(['.', '[']).next().unwrap_or(rest);
                let mut config = self.configuration;
                for name in module_calls(&self.module) {
                    config = config.and_then(|c| c.get("module_calls")?.get(name.as_str())?.get("module"));
                }
                let references = config.and_then(|c| {
                    c.get("module_calls")?
                        .get(call)?
                        .get("module")?
                        .get("outputs")?
                        .get(output)?
                        .get("expression")?
                        .get("references")?
                        .as_array()
                });
                let child =
                    Resolver { configuration: self.configuration, module: format!("{prefix}module.{call_part}") };
                references.map(|references| child.resolve(references, depth + 1)).unwrap_or_default()
            }
            "local" | "data" | "each" | "count" | "path" | "terraform" | "self" => Vec::new(),
            kind if kind.contains('_') => {
                let Some(second) = second else { return Vec::new() };
                let (name, index) = match second.find('[') {
                    Some(open) => (&second[..open], &second[open..]),
                    None => (second, ""),
                };
                let attribute = rest.unwrap_or("id").split(['.', '[']).next().unwrap_or("id").to_string();
                vec![(format!("{prefix}{kind}.{name}{index}"), attribute)]
            }
            _ => Vec::new(),
        }
    }
}

fn parent_module(module: &str) -> String {
    match module.rfind(".module.") {
        Some(at) => module[..at].to_string(),
        None => String::new(),
    }
}

/// Puts references where `values` has nothing (the value is known only
/// after apply), following the shape of the configuration's expressions:
/// `{"vpc_id": {"references": [...]}, "vpc_config": [{"subnet_ids": {...}}]}`.
fn fill_references(values: &mut Value, expressions: &Json, resolver: &Resolver<'_>) {
    let Some(expressions) = expressions.as_object() else { return };
    let Value::Map(map) = values else { return };
    for (key, expression) in expressions {
        match expression {
            Json::Object(leaf) => {
                let known = map.get(key).is_some_and(|value| !matches!(value, Value::Null));
                if known {
                    continue;
                }
                let Some(references) = leaf.get("references").and_then(Json::as_array) else { continue };
                let resolved = resolver.resolve(references, 0);
                let mut refs: Vec<Value> =
                    resolved.iter().map(|(address, attribute)| Value::String(reference(address, attribute))).collect();
                match refs.len() {
                    0 => {}
                    1 => {
                        map.insert(key.clone(), refs.swap_remove(0));
                    }
                    _ => {
                        map.insert(key.clone(), Value::List(refs));
                    }
                }
            }
            Json::Array(blocks) => {
                let entry = map.entry(key.clone()).or_insert_with(|| Value::List(Vec::new()));
                if !matches!(entry, Value::List(_)) {
                    *entry = Value::List(Vec::new());
                }
                let Value::List(items) = entry else { continue };
                for (index, block) in blocks.iter().enumerate() {
                    if items.len() <= index {
                        items.push(Value::Map(BTreeMap::new()));
                    }
                    fill_references(&mut items[index], block, resolver);
                }
            }
            _ => {}
        }
    }
}

/// The line of each resource's `"address"` key within `section`
/// (`planned_values` or `values`), for `source:` lines.
fn address_lines(text: &str, section: &str) -> HashMap<String, u32> {
    let mut lines = HashMap::new();
    let start = text.find(&format!("\"{section}\"")).unwrap_or(0);
    let mut offset = start;
    let mut line = 1 + text[..start].matches('\n').count() as u32;
    let mut counted = start;
    while let Some(found) = text[offset..].find("\"address\"") {
        let at = offset + found;
        offset = at + "\"address\"".len();
        let rest = text[offset..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else { continue };
        let rest = rest.trim_start();
        let Some(token) = json_string_token(rest) else { continue };
        let Ok(address) = serde_json::from_str::<String>(token) else { continue };
        line += text[counted..at].matches('\n').count() as u32;
        counted = at;
        lines.entry(address).or_insert(line);
    }
    lines
}

/// The JSON string literal at the start of `text`, quotes included.
fn json_string_token(text: &str) -> Option<&str> {
    if !text.starts_with('"') {
        return None;
    }
    let mut escaped = false;
    for (index, c) in text.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => return Some(&text[..=index]),
            _ => escaped = false,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_addresses_split_into_calls() {
        assert_eq!(module_calls("module.a[0].module.b"), ["a", "b"]);
        assert_eq!(module_calls("module.net"), ["net"]);
        assert!(module_calls("").is_empty());
        assert_eq!(parent_module("module.a.module.b"), "module.a");
        assert_eq!(parent_module("module.a"), "");
    }

    #[test]
    fn address_lines_skip_other_sections() {
        let text = "{\n\"prior_state\": {\"address\": \"aws_vpc.main\"},\n\"planned_values\": {\n  \"resources\": [\n    {\"address\": \"aws_vpc.main\"},\n    {\"address\" : \"aws_subnet.x[\\\"a\\\"]\"}\n  ]\n}}";
        let lines = address_lines(text, "planned_values");
        assert_eq!(lines.get("aws_vpc.main"), Some(&5));
        assert_eq!(lines.get("aws_subnet.x[\"a\"]"), Some(&6));
    }

    #[test]
    fn plans_are_told_from_other_json() {
        assert!(looks_like_plan(r#"{"format_version":"1.2","terraform_version":"1.7.5","planned_values":{}}"#));
        assert!(!looks_like_plan(r#"{"rampart": 1, "name": "x"}"#));
    }
}
