//! Terraform configurations in HCL → resource instances with the values
//! that can be known without running Terraform.
//!
//! The parser is `hcl-edit`: it is the parser under `hcl-rs` (the
//! maintained HCL crate for Rust) and, unlike `hcl-rs`'s own `Body`, keeps a
//! byte span on every block, attribute and expression, which is what puts a
//! line on each element's `source:`. It bounds nesting (64 levels) and
//! operator chains, so hostile input cannot overflow the stack.
//!
//! Evaluation is static and forgiving: variables take their defaults or the
//! values in `terraform.tfvars` and `*.auto.tfvars`; locals, module inputs
//! and outputs, `count`, `for_each`, `dynamic` blocks, `for` expressions and
//! the common functions are evaluated; another resource's attribute becomes
//! a reference (see [`super::value`]); anything else is unknown.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use hcl_edit::Span;
use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, FuncCall, ObjectKey, Traversal, TraversalOperator, UnaryOperator,
};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::template::{Element, Template};
use rampart_model::{Diagnostic, Position, Severity};

use super::resource::Resource;
use super::value::{UNKNOWN_PART, Value, reference};
use crate::source::{FileDiagnostic, SourceFile};

/// Module calls nested deeper than this are not followed (a module that
/// calls itself would never end).
const MAX_MODULE_DEPTH: usize = 10;
/// Named values (locals, variables, outputs, instance counts) evaluated
/// inside one another deeper than this are unknown: a guard against long
/// chains and cycles, and against the stack (each level may hold an
/// expression nested 64 deep).
const MAX_EVALUATION_DEPTH: usize = 24;
/// Instances of one resource and iterations of one `for`, at most.
const MAX_INSTANCES: usize = 1000;

/// Arguments of a `resource` block that are Terraform's, not the provider's.
const META_ARGUMENTS: &[&str] = &["count", "for_each", "provider", "depends_on"];
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection"];

/// What the configuration holds.
pub(crate) struct Configuration {
    pub resources: Vec<Resource>,
    /// `provider` blocks of the root module: name and evaluated arguments.
    pub providers: Vec<(String, Value)>,
    pub warnings: Vec<FileDiagnostic>,
    /// How many files were read.
    pub files: usize,
}

/// Whether the file is part of a Terraform configuration this reader reads.
pub(crate) fn is_configuration_file(path: &str) -> bool {
    path.ends_with(".tf") || is_variables_file(path)
}

fn is_variables_file(path: &str) -> bool {
    path.ends_with(".tfvars") || path.ends_with(".tfvars.json")
}

fn directory_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(directory, _)| directory)
}

fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// Reads the root module (the `.tf` files at the top of the input) and the
/// local modules it calls.
pub(crate) fn read(files: &[SourceFile]) -> Result<Configuration, Vec<FileDiagnostic>> {
    let mut errors = Vec::new();
    let mut parsed: Vec<(usize, Body)> = Vec::new();
    for (index, file) in files.iter().enumerate() {
        if !(file.path.ends_with(".tf") || (file.path.ends_with(".tfvars") && directory_of(&file.path).is_empty())) {
            continue;
        }
        match hcl_edit::parser::parse_body(&file.text) {
            Ok(body) => parsed.push((index, body)),
            Err(error) => errors.push(parse_error(file, &error)),
        }
    }
    if !errors.is_empty() {
        crate::source::sort(&mut errors);
        return Err(errors);
    }
    let texts: Vec<FileText<'_>> = files.iter().map(FileText::new).collect();
    let mut configs: Vec<ModuleConfig<'_>> = Vec::new();
    let mut config_by_dir: HashMap<String, usize> = HashMap::new();
    let mut warnings = Vec::new();
    for (file, body) in &parsed {
        let path = &files[*file].path;
        if !path.ends_with(".tf") {
            continue;
        }
        let directory = directory_of(path).to_string();
        let index = *config_by_dir.entry(directory.clone()).or_insert_with(|| {
            configs.push(ModuleConfig { dir: directory, ..ModuleConfig::default() });
            configs.len() - 1
        });
        configs[index].add(body, *file, &texts, &mut warnings);
    }
    let Some(&root) = config_by_dir.get("") else {
        let message = if configs.is_empty() {
            "no .tf file in the input"
        } else {
            "no .tf file at the top of the input: name the root module's directory itself"
        };
        let path = files.first().map_or(".", |f| f.path.as_str());
        return Err(vec![FileDiagnostic {
            file: path.to_string(),
            diagnostic: Diagnostic { severity: Severity::Error, ..Diagnostic::warning(Position::UNKNOWN, message) },
        }]);
    };
    for file in files {
        if file.path.ends_with(".tf.json") {
            warnings.push(FileDiagnostic::warning(
                &file.path,
                Position::UNKNOWN,
                "Terraform configuration in JSON syntax is not read",
            ));
        }
    }
    let mut evaluator = Evaluator {
        files,
        texts,
        configs,
        config_by_dir,
        instances: vec![Instance { prefix: String::new(), config: root, parent: None, depth: 0 }],
        children: HashMap::new(),
        root_values: BTreeMap::new(),
        cache: HashMap::new(),
        expansions: HashMap::new(),
        active: HashSet::new(),
        depth: 0,
        warnings,
    };
    evaluator.load_variable_files(&parsed);
    let mut resources = Vec::new();
    evaluator.walk(0, &mut resources);
    let providers = evaluator.providers();
    let read = parsed.len() + files.iter().filter(|f| f.path.ends_with(".tfvars.json")).count();
    Ok(Configuration { resources, providers, warnings: evaluator.warnings, files: read })
}

fn parse_error(file: &SourceFile, error: &hcl_edit::parser::Error) -> FileDiagnostic {
    let location = error.location();
    let at = Position::new(clamp(location.line()), clamp(location.column()));
    let message = error.message().replace('\n', " ");
    FileDiagnostic {
        file: file.path.clone(),
        diagnostic: Diagnostic {
            severity: Severity::Error,
            ..Diagnostic::warning(at, format!("invalid HCL: {message}"))
        },
    }
}

fn clamp(number: usize) -> u32 {
    u32::try_from(number).unwrap_or(u32::MAX).max(1)
}

/// A file's text with the offsets where its lines start.
struct FileText<'a> {
    file: &'a SourceFile,
    line_starts: Vec<usize>,
}

impl<'a> FileText<'a> {
    fn new(file: &'a SourceFile) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(file.text.match_indices('\n').map(|(at, _)| at + 1));
        FileText { file, line_starts }
    }

    /// The line of the first token at or after `offset`: spans include
    /// the whitespace and comments before a token.
    fn line(&self, offset: usize) -> u32 {
        let text = self.file.text.as_bytes();
        let mut at = offset.min(text.len());
        loop {
            while at < text.len() && text[at].is_ascii_whitespace() {
                at += 1;
            }
            let rest = &text[at..];
            if rest.starts_with(b"#") || rest.starts_with(b"//") {
                at += rest.iter().position(|b| *b == b'\n').unwrap_or(rest.len());
            } else if rest.starts_with(b"/*") {
                at += rest.windows(2).position(|w| w == b"*/").map_or(rest.len(), |end| end + 2);
            } else {
                break;
            }
        }
        let line = self.line_starts.partition_point(|start| *start <= at);
        clamp(line)
    }
}

/// A `resource`, `data` or `module` block.
struct Declaration<'a> {
    kind: String,
    name: String,
    block: &'a Block,
    file: usize,
}

/// The blocks of one directory.
#[derive(Default)]
struct ModuleConfig<'a> {
    dir: String,
    variables: BTreeMap<String, (Option<&'a Expression>, usize)>,
    locals: BTreeMap<String, (&'a Expression, usize)>,
    resources: Vec<Declaration<'a>>,
    resource_index: HashMap<(String, String), usize>,
    data: HashMap<(String, String), Declaration<'a>>,
    modules: Vec<Declaration<'a>>,
    module_index: HashMap<String, usize>,
    outputs: BTreeMap<String, (&'a Expression, usize)>,
    providers: Vec<Declaration<'a>>,
}

fn label(block: &Block, index: usize) -> Option<&str> {
    block.labels.get(index).map(|label| label.as_str())
}

impl<'a> ModuleConfig<'a> {
    fn add(&mut self, body: &'a Body, file: usize, texts: &[FileText<'_>], warnings: &mut Vec<FileDiagnostic>) {
        for structure in body.iter() {
            let Structure::Block(block) = structure else { continue };
            let declaration =
                |kind: &str, name: &str| Declaration { kind: kind.to_string(), name: name.to_string(), block, file };
            match (block.ident.as_str(), label(block, 0), label(block, 1)) {
                ("resource", Some(kind), Some(name)) => {
                    let key = (kind.to_string(), name.to_string());
                    if self.resource_index.contains_key(&key) {
                        let at = span_position(texts, file, block.span());
                        warnings.push(FileDiagnostic::warning(
                            &texts[file].file.path,
                            at,
                            format!("resource {kind}.{name} is declared twice; the first is used"),
                        ));
                        continue;
                    }
                    self.resource_index.insert(key, self.resources.len());
                    self.resources.push(declaration(kind, name));
                }
                ("data", Some(kind), Some(name)) => {
                    self.data.entry((kind.to_string(), name.to_string())).or_insert_with(|| declaration(kind, name));
                }
                ("module", Some(name), _) if !self.module_index.contains_key(name) => {
                    self.module_index.insert(name.to_string(), self.modules.len());
                    self.modules.push(declaration("module", name));
                }
                ("variable", Some(name), _) => {
                    let default = block.body.get_attribute("default").map(|attribute| &attribute.value);
                    self.variables.insert(name.to_string(), (default, file));
                }
                ("output", Some(name), _) => {
                    if let Some(value) = block.body.get_attribute("value") {
                        self.outputs.insert(name.to_string(), (&value.value, file));
                    }
                }
                ("locals", _, _) => {
                    for attribute in block.body.attributes() {
                        self.locals.insert(attribute.key.as_str().to_string(), (&attribute.value, file));
                    }
                }
                ("provider", Some(name), _) => self.providers.push(declaration("provider", name)),
                _ => {}
            }
        }
    }
}

fn span_position(texts: &[FileText<'_>], file: usize, span: Option<std::ops::Range<usize>>) -> Position {
    match span {
        Some(range) => Position::new(texts[file].line(range.start), 1),
        None => Position::UNKNOWN,
    }
}

/// One instance of a module: the root, `module.network`, `module.app[0]`.
struct Instance {
    /// The address prefix of its resources: empty, or `module.network.`-less form `module.network`.
    prefix: String,
    config: usize,
    /// The calling instance, the index of the `module` block in its
    /// configuration, and this instance's key.
    parent: Option<(usize, usize, Key)>,
    depth: usize,
}

/// An instance key: none, `count.index`, or `each.key` with `each.value`.
#[derive(Clone, Debug, PartialEq)]
enum Key {
    None,
    Index(i64),
    Name(String, Value),
}

impl Key {
    fn suffix(&self) -> String {
        match self {
            Key::None => String::new(),
            Key::Index(index) => format!("[{index}]"),
            Key::Name(name, _) => format!("[{}]", serde_json::Value::String(name.clone())),
        }
    }
}

/// What an expression is evaluated in.
#[derive(Clone)]
struct Scope {
    instance: usize,
    file: usize,
    key: Key,
    /// Iteration variables of `for` expressions and `dynamic` blocks.
    locals: Vec<(String, Value)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Named {
    Variable(String),
    Local(String),
    Output(String),
    Data(String),
}

struct Evaluator<'a> {
    files: &'a [SourceFile],
    texts: Vec<FileText<'a>>,
    configs: Vec<ModuleConfig<'a>>,
    config_by_dir: HashMap<String, usize>,
    instances: Vec<Instance>,
    children: HashMap<(usize, String), Vec<usize>>,
    /// Values for the root module's variables from `.tfvars` files.
    root_values: BTreeMap<String, Value>,
    cache: HashMap<(usize, Named), Value>,
    expansions: HashMap<(usize, String), Vec<Key>>,
    active: HashSet<(usize, String)>,
    depth: usize,
    warnings: Vec<FileDiagnostic>,
}

impl<'a> Evaluator<'a> {
    fn warn(&mut self, file: usize, span: Option<std::ops::Range<usize>>, message: impl Into<String>) {
        let at = span_position(&self.texts, file, span);
        self.warnings.push(FileDiagnostic::warning(&self.files[file].path, at, message));
    }

    fn line(&self, file: usize, span: Option<std::ops::Range<usize>>) -> u32 {
        span.map_or(0, |range| self.texts[file].line(range.start))
    }

    fn config(&self, instance: usize) -> &ModuleConfig<'a> {
        &self.configs[self.instances[instance].config]
    }

    /// `terraform.tfvars`, then `*.auto.tfvars` in name order (later files
    /// win), as Terraform loads them; other `.tfvars` files only with
    /// `-var-file`, so they are not read.
    fn load_variable_files(&mut self, parsed: &'a [(usize, Body)]) {
        let mut order: Vec<(u8, usize)> = Vec::new();
        for (index, file) in self.files.iter().enumerate() {
            if !directory_of(&file.path).is_empty() || !is_variables_file(&file.path) {
                continue;
            }
            let name = file_name(&file.path);
            let rank = if name == "terraform.tfvars" || name == "terraform.tfvars.json" {
                0
            } else if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") {
                1
            } else {
                self.warnings.push(FileDiagnostic::warning(
                    &file.path,
                    Position::UNKNOWN,
                    "Terraform loads this file only with `-var-file`, so its values are not used",
                ));
                continue;
            };
            order.push((rank, index));
        }
        order.sort_by(|a, b| (a.0, &self.files[a.1].path).cmp(&(b.0, &self.files[b.1].path)));
        let scope = Scope { instance: 0, file: 0, key: Key::None, locals: Vec::new() };
        for (_, index) in order {
            let file = &self.files[index];
            if file.path.ends_with(".json") {
                match serde_json::from_str::<serde_json::Value>(&file.text) {
                    Ok(serde_json::Value::Object(values)) => {
                        for (name, value) in values {
                            self.root_values.insert(name, Value::from_json(&value));
                        }
                    }
                    Ok(_) => self.warnings.push(FileDiagnostic::warning(
                        &file.path,
                        Position::new(1, 1),
                        "a .tfvars.json file holds an object of variable values; this one does not",
                    )),
                    Err(error) => self.warnings.push(FileDiagnostic::warning(
                        &file.path,
                        Position::new(clamp(error.line()), clamp(error.column())),
                        format!("not valid JSON, so its values are not used: {error}"),
                    )),
                }
                continue;
            }
            let Some((_, body)) = parsed.iter().find(|(parsed_index, _)| *parsed_index == index) else { continue };
            let scope = Scope { file: index, ..scope.clone() };
            for attribute in body.attributes() {
                let value = self.eval(&attribute.value, &scope);
                self.root_values.insert(attribute.key.as_str().to_string(), value);
            }
        }
        // Nothing may have been cached from before the values were known.
        self.cache.clear();
    }

    fn providers(&mut self) -> Vec<(String, Value)> {
        let config = self.instances[0].config;
        let mut providers = Vec::new();
        for index in 0..self.configs[config].providers.len() {
            let (name, body, file) = {
                let declaration = &self.configs[config].providers[index];
                (declaration.name.clone(), &declaration.block.body, declaration.file)
            };
            let scope = Scope { instance: 0, file, key: Key::None, locals: Vec::new() };
            let mut lines = BTreeMap::new();
            let values = self.eval_body(body, &scope, "", &mut lines, true);
            providers.push((name, Value::Map(values)));
        }
        providers
    }

    /// Every resource instance of a module instance and of the modules it calls.
    fn walk(&mut self, instance: usize, resources: &mut Vec<Resource>) {
        let config = self.instances[instance].config;
        for index in 0..self.configs[config].resources.len() {
            let (kind, name, block, file) = {
                let declaration = &self.configs[config].resources[index];
                (declaration.kind.clone(), declaration.name.clone(), declaration.block, declaration.file)
            };
            let base = format!("{kind}.{name}");
            for key in self.expansion(instance, &base, &block.body, file) {
                let scope = Scope { instance, file, key: key.clone(), locals: Vec::new() };
                let mut lines = BTreeMap::new();
                let values = self.eval_body(&block.body, &scope, "", &mut lines, true);
                let prefix = &self.instances[instance].prefix;
                let address = if prefix.is_empty() {
                    format!("{base}{}", key.suffix())
                } else {
                    format!("{prefix}.{base}{}", key.suffix())
                };
                resources.push(Resource {
                    address,
                    kind: kind.clone(),
                    name: name.clone(),
                    module: prefix.clone(),
                    values: Value::Map(values),
                    file: self.files[file].path.clone(),
                    line: self.line(file, block.span()),
                    lines,
                });
            }
        }
        let calls: Vec<String> = self.configs[config].modules.iter().map(|call| call.name.clone()).collect();
        for call in calls {
            for child in self.module_instances(instance, &call) {
                if self.instances[child].depth > MAX_MODULE_DEPTH {
                    let (file, span) = self.call_site(instance, &call);
                    self.warn(file, span, format!("modules nested more than {MAX_MODULE_DEPTH} deep are not followed"));
                    continue;
                }
                self.walk(child, resources);
            }
        }
    }

    fn call_site(&self, instance: usize, call: &str) -> (usize, Option<std::ops::Range<usize>>) {
        let config = self.config(instance);
        let declaration = &config.modules[config.module_index[call]];
        (declaration.file, declaration.block.span())
    }

    /// The instances of a module call, created on first use. A call whose
    /// source is not a local directory in the input has none (and a warning).
    fn module_instances(&mut self, instance: usize, call: &str) -> Vec<usize> {
        let cache_key = (instance, call.to_string());
        if let Some(children) = self.children.get(&cache_key) {
            return children.clone();
        }
        self.children.insert(cache_key.clone(), Vec::new());
        let config = self.instances[instance].config;
        let Some(&call_index) = self.configs[config].module_index.get(call) else { return Vec::new() };
        let (block, file) = {
            let declaration = &self.configs[config].modules[call_index];
            (declaration.block, declaration.file)
        };
        let source_attribute = block.body.get_attribute("source");
        let source = source_attribute.and_then(|attribute| attribute.value.as_str()).unwrap_or_default().to_string();
        let span = source_attribute.and_then(|attribute| attribute.span()).or_else(|| block.span());
        let Some(child_config) = self.local_module(&self.configs[config].dir.clone(), &source) else {
            let message = if source.starts_with("./") || source.starts_with("../") {
                format!(
                    "module `{call}` comes from `{source}`, which is not in the input; its resources are not modelled"
                )
            } else {
                format!(
                    "module `{call}` comes from `{source}`, which is not read (only local modules are); its resources \
                     are not modelled: import the JSON of `terraform show -json` for the whole estate"
                )
            };
            self.warn(file, span, message);
            return Vec::new();
        };
        let keys = self.expansion(instance, &format!("module.{call}"), &block.body, file);
        let parent_prefix = self.instances[instance].prefix.clone();
        let depth = self.instances[instance].depth + 1;
        let mut children = Vec::new();
        for key in keys {
            let own = format!("module.{call}{}", key.suffix());
            let prefix = if parent_prefix.is_empty() { own } else { format!("{parent_prefix}.{own}") };
            self.instances.push(Instance {
                prefix,
                config: child_config,
                parent: Some((instance, call_index, key)),
                depth,
            });
            children.push(self.instances.len() - 1);
        }
        self.children.insert(cache_key, children.clone());
        children
    }

    fn local_module(&self, directory: &str, source: &str) -> Option<usize> {
        if !(source.starts_with("./") || source.starts_with("../")) {
            return None;
        }
        let mut parts: Vec<&str> = directory.split('/').filter(|part| !part.is_empty()).collect();
        for part in source.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop()?;
                }
                other => parts.push(other),
            }
        }
        self.config_by_dir.get(&parts.join("/")).copied()
    }

    /// The instance keys of a resource or module call from its `count` or
    /// `for_each`; one unkeyed instance when there is neither, and one with
    /// a warning when the value is not known statically.
    fn expansion(&mut self, instance: usize, base: &str, body: &'a Body, file: usize) -> Vec<Key> {
        let cache_key = (instance, base.to_string());
        if let Some(keys) = self.expansions.get(&cache_key) {
            return keys.clone();
        }
        if self.depth >= MAX_EVALUATION_DEPTH || !self.active.insert((instance, format!("expansion {base}"))) {
            return vec![Key::None];
        }
        self.depth += 1;
        let scope = Scope { instance, file, key: Key::None, locals: Vec::new() };
        let prefix = self.instances[instance].prefix.clone();
        let shown = if prefix.is_empty() { base.to_string() } else { format!("{prefix}.{base}") };
        let keys = if let Some(count) = body.get_attribute("count") {
            match self.eval(&count.value, &scope).number() {
                Some(number) if number >= 0.0 => {
                    let wanted = number as usize;
                    if wanted > MAX_INSTANCES {
                        self.warn(
                            file,
                            count.span(),
                            format!("`count` of {shown} is {wanted}; only the first {MAX_INSTANCES} are modelled"),
                        );
                    }
                    (0..wanted.min(MAX_INSTANCES) as i64).map(Key::Index).collect()
                }
                _ => {
                    self.warn(
                        file,
                        count.span(),
                        format!("`count` of {shown} is not known statically; one instance is modelled"),
                    );
                    vec![Key::None]
                }
            }
        } else if let Some(for_each) = body.get_attribute("for_each") {
            match self.eval(&for_each.value, &scope) {
                Value::Map(map) => map.into_iter().take(MAX_INSTANCES).map(|(k, v)| Key::Name(k, v)).collect(),
                Value::List(items) if items.iter().all(|item| item.literal().is_some()) => {
                    let names: BTreeSet<String> =
                        items.iter().filter_map(|item| item.literal().map(str::to_string)).collect();
                    names
                        .into_iter()
                        .take(MAX_INSTANCES)
                        .map(|name| Key::Name(name.clone(), Value::String(name)))
                        .collect()
                }
                _ => {
                    self.warn(
                        file,
                        for_each.span(),
                        format!("`for_each` of {shown} is not known statically; one instance is modelled"),
                    );
                    vec![Key::None]
                }
            }
        } else {
            vec![Key::None]
        };
        self.depth -= 1;
        self.active.remove(&(instance, format!("expansion {base}")));
        self.expansions.insert(cache_key, keys.clone());
        keys
    }

    /// A body as a map: attributes by name, nested blocks as lists of maps
    /// (`dynamic` blocks expanded), recording the line of each in `lines`.
    fn eval_body(
        &mut self,
        body: &'a Body,
        scope: &Scope,
        path: &str,
        lines: &mut BTreeMap<String, u32>,
        top: bool,
    ) -> BTreeMap<String, Value> {
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let key = attribute.key.as_str();
                    if top && META_ARGUMENTS.contains(&key) {
                        continue;
                    }
                    let attribute_path = join(path, key);
                    lines.insert(attribute_path.clone(), self.line(scope.file, attribute.span()));
                    let value = self.eval_recorded(&attribute.value, scope, &attribute_path, lines);
                    map.insert(key.to_string(), value);
                }
                Structure::Block(block) => {
                    let ident = block.ident.as_str();
                    if top && META_BLOCKS.contains(&ident) {
                        continue;
                    }
                    if ident == "dynamic" {
                        self.eval_dynamic(block, scope, path, lines, &mut map);
                        continue;
                    }
                    let items = map.entry(ident.to_string()).or_insert_with(|| Value::List(Vec::new()));
                    let Value::List(existing) = items else { continue };
                    let block_path = join(path, &format!("{ident}.{}", existing.len()));
                    let line = self.line(scope.file, block.span());
                    lines.insert(block_path.clone(), line);
                    lines.entry(join(path, ident)).or_insert(line);
                    let value = Value::Map(self.eval_body(&block.body, scope, &block_path, lines, false));
                    if let Some(Value::List(existing)) = map.get_mut(ident) {
                        existing.push(value);
                    }
                }
            }
        }
        map
    }

    fn eval_dynamic(
        &mut self,
        block: &'a Block,
        scope: &Scope,
        path: &str,
        lines: &mut BTreeMap<String, u32>,
        map: &mut BTreeMap<String, Value>,
    ) {
        let Some(name) = label(block, 0) else { return };
        let Some(content) = block.body.get_blocks("content").next() else { return };
        let iterator = block
            .body
            .get_attribute("iterator")
            .and_then(|attribute| match &attribute.value {
                Expression::Variable(variable) => Some(variable.as_str().to_string()),
                other => other.as_str().map(str::to_string),
            })
            .unwrap_or_else(|| name.to_string());
        let collection = match block.body.get_attribute("for_each") {
            Some(for_each) => self.eval(&for_each.value, scope),
            None => Value::Unknown,
        };
        let items: Vec<(Value, Value)> = match collection {
            Value::List(items) => {
                items.into_iter().enumerate().map(|(index, item)| (Value::Number(index as f64), item)).collect()
            }
            Value::Map(entries) => entries.into_iter().map(|(key, value)| (Value::String(key), value)).collect(),
            _ => {
                self.warn(
                    scope.file,
                    block.span(),
                    format!(
                        "the `for_each` of dynamic block `{name}` is not known statically; its content is read once"
                    ),
                );
                vec![(Value::Unknown, Value::Unknown)]
            }
        };
        let line = self.line(scope.file, block.span());
        lines.entry(join(path, name)).or_insert(line);
        for (key, value) in items.into_iter().take(MAX_INSTANCES) {
            let mut inner = scope.clone();
            let element = Value::Map(BTreeMap::from([("key".to_string(), key), ("value".to_string(), value)]));
            inner.locals.push((iterator.clone(), element));
            let position = match map.get(name) {
                Some(Value::List(existing)) => existing.len(),
                _ => 0,
            };
            let block_path = join(path, &format!("{name}.{position}"));
            lines.insert(block_path.clone(), line);
            let value = Value::Map(self.eval_body(&content.body, &inner, &block_path, lines, false));
            match map.entry(name.to_string()).or_insert_with(|| Value::List(Vec::new())) {
                Value::List(existing) => existing.push(value),
                other => *other = Value::List(vec![value]),
            }
        }
    }

    /// Evaluates an attribute's value, recording the lines of object keys
    /// and list items (also inside `jsonencode(...)`), so that a flow from
    /// an environment variable can point at the variable's own line.
    fn eval_recorded(
        &mut self,
        expression: &'a Expression,
        scope: &Scope,
        path: &str,
        lines: &mut BTreeMap<String, u32>,
    ) -> Value {
        match expression {
            Expression::Object(object) => {
                let mut map = BTreeMap::new();
                for (key, value) in object.iter() {
                    let Some(name) = self.object_key(key, scope) else { continue };
                    let item_path = join(path, &name);
                    lines.insert(item_path.clone(), self.line(scope.file, key.span()));
                    let evaluated = self.eval_recorded(value.expr(), scope, &item_path, lines);
                    map.insert(name, evaluated);
                }
                Value::Map(map)
            }
            Expression::Array(array) => Value::List(
                array
                    .iter()
                    .enumerate()
                    .map(|(index, item)| {
                        let item_path = join(path, &index.to_string());
                        lines.insert(item_path.clone(), self.line(scope.file, item.span()));
                        self.eval_recorded(item, scope, &item_path, lines)
                    })
                    .collect(),
            ),
            Expression::FuncCall(call)
                if call.name.namespace.is_empty()
                    && call.name.name.as_str() == "jsonencode"
                    && call.args.len() == 1 =>
            {
                match call.args.iter().next() {
                    Some(argument) => self.eval_recorded(argument, scope, path, lines),
                    None => Value::Unknown,
                }
            }
            other => self.eval(other, scope),
        }
    }

    fn object_key(&mut self, key: &'a ObjectKey, scope: &Scope) -> Option<String> {
        match key {
            ObjectKey::Ident(ident) => Some(ident.as_str().to_string()),
            ObjectKey::Expression(Expression::Variable(variable)) => Some(variable.as_str().to_string()),
            ObjectKey::Expression(expression) => match self.eval(expression, scope) {
                Value::String(text) => Some(text),
                Value::Number(number) => Some(super::value::format_number(number)),
                Value::Bool(value) => Some(value.to_string()),
                _ => None,
            },
        }
    }

    fn eval(&mut self, expression: &'a Expression, scope: &Scope) -> Value {
        match expression {
            Expression::Null(_) => Value::Null,
            Expression::Bool(value) => Value::Bool(*value.value()),
            Expression::Number(number) => number.value().as_f64().map_or(Value::Unknown, Value::Number),
            Expression::String(text) => Value::String(text.value().clone()),
            Expression::Array(array) => Value::List(array.iter().map(|item| self.eval(item, scope)).collect()),
            Expression::Object(object) => {
                let mut map = BTreeMap::new();
                for (key, value) in object.iter() {
                    if let Some(name) = self.object_key(key, scope) {
                        let evaluated = self.eval(value.expr(), scope);
                        map.insert(name, evaluated);
                    }
                }
                Value::Map(map)
            }
            Expression::StringTemplate(template) => self.eval_template(template, scope),
            Expression::HeredocTemplate(heredoc) => self.eval_template(&heredoc.template, scope),
            Expression::Parenthesis(inner) => self.eval(inner.inner(), scope),
            Expression::Variable(variable) => {
                let name = variable.as_str();
                match scope.locals.iter().rev().find(|(local, _)| local == name) {
                    Some((_, value)) => value.clone(),
                    None => Value::Unknown,
                }
            }
            Expression::Conditional(conditional) => match self.eval(&conditional.cond_expr, scope).bool() {
                Some(true) => self.eval(&conditional.true_expr, scope),
                Some(false) => self.eval(&conditional.false_expr, scope),
                None => {
                    let yes = self.eval(&conditional.true_expr, scope);
                    let no = self.eval(&conditional.false_expr, scope);
                    if yes == no { yes } else { Value::Unknown }
                }
            },
            Expression::FuncCall(call) => self.eval_call(call, scope),
            Expression::Traversal(traversal) => self.eval_traversal(traversal, scope),
            Expression::UnaryOp(operation) => {
                let value = self.eval(&operation.expr, scope);
                match (operation.operator.value(), value) {
                    (UnaryOperator::Not, value) => value.bool().map_or(Value::Unknown, |b| Value::Bool(!b)),
                    (UnaryOperator::Neg, value) => value.number().map_or(Value::Unknown, |n| Value::Number(-n)),
                }
            }
            Expression::BinaryOp(operation) => {
                let left = self.eval(&operation.lhs_expr, scope);
                match operation.operator.value() {
                    BinaryOperator::And if left.bool() == Some(false) => return Value::Bool(false),
                    BinaryOperator::Or if left.bool() == Some(true) => return Value::Bool(true),
                    _ => {}
                }
                let right = self.eval(&operation.rhs_expr, scope);
                binary(*operation.operator.value(), &left, &right)
            }
            Expression::ForExpr(for_expression) => self.eval_for(for_expression, scope),
        }
    }

    fn eval_template(&mut self, template: &'a Template, scope: &Scope) -> Value {
        let mut text = String::new();
        for element in template.iter() {
            match element {
                Element::Literal(literal) => text.push_str(literal.value()),
                Element::Interpolation(interpolation) => {
                    let value = self.eval(&interpolation.expr, scope);
                    text.push_str(&value.template_text());
                }
                Element::Directive(_) => text.push(UNKNOWN_PART),
            }
        }
        Value::String(text)
    }

    fn eval_for(&mut self, for_expression: &'a ForExpr, scope: &Scope) -> Value {
        let collection = self.eval(&for_expression.intro.collection_expr, scope);
        let items: Vec<(Value, Value)> = match collection {
            Value::List(items) => {
                items.into_iter().enumerate().map(|(index, item)| (Value::Number(index as f64), item)).collect()
            }
            Value::Map(entries) => entries.into_iter().map(|(key, value)| (Value::String(key), value)).collect(),
            _ => return Value::Unknown,
        };
        let key_name = for_expression.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let value_name = for_expression.intro.value_var.as_str().to_string();
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        for (key, value) in items.into_iter().take(MAX_INSTANCES) {
            let mut inner = scope.clone();
            match &key_name {
                Some(key_name) => {
                    inner.locals.push((key_name.clone(), key));
                    inner.locals.push((value_name.clone(), value));
                }
                None => inner.locals.push((value_name.clone(), value)),
            }
            if let Some(condition) = &for_expression.cond {
                match self.eval(&condition.expr, &inner).bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return Value::Unknown,
                }
            }
            let value = self.eval(&for_expression.value_expr, &inner);
            match &for_expression.key_expr {
                Some(key_expression) => {
                    let Some(key) = self.eval(key_expression, &inner).literal().map(str::to_string) else {
                        return Value::Unknown;
                    };
                    if for_expression.grouping {
                        match map.entry(key).or_insert_with(|| Value::List(Vec::new())) {
                            Value::List(group) => group.push(value),
                            _ => return Value::Unknown,
                        }
                    } else {
                        map.insert(key, value);
                    }
                }
                None => list.push(value),
            }
        }
        if for_expression.key_expr.is_some() { Value::Map(map) } else { Value::List(list) }
    }

    fn eval_traversal(&mut self, traversal: &'a Traversal, scope: &Scope) -> Value {
        let operators: Vec<&'a TraversalOperator> =
            traversal.operators.iter().map(|operator| operator.value()).collect();
        let (base, consumed) = match &traversal.expr {
            Expression::Variable(root) => self.eval_root(root.as_str(), &operators, scope),
            other => (self.eval(other, scope), 0),
        };
        self.apply(base, &operators[consumed.min(operators.len())..], scope)
    }

    /// The value a traversal starts from, and how many of its operators that used.
    fn eval_root(&mut self, root: &str, operators: &[&'a TraversalOperator], scope: &Scope) -> (Value, usize) {
        if let Some((_, value)) = scope.locals.iter().rev().find(|(name, _)| name == root) {
            return (value.clone(), 0);
        }
        let attribute = |index: usize| match operators.get(index) {
            Some(TraversalOperator::GetAttr(name)) => Some(name.as_str().to_string()),
            _ => None,
        };
        match root {
            "var" => match attribute(0) {
                Some(name) => (self.named(scope.instance, Named::Variable(name)), 1),
                None => (Value::Unknown, 0),
            },
            "local" => match attribute(0) {
                Some(name) => (self.named(scope.instance, Named::Local(name)), 1),
                None => (Value::Unknown, 0),
            },
            "count" => match (&scope.key, attribute(0).as_deref()) {
                (Key::Index(index), Some("index")) => (Value::Number(*index as f64), 1),
                _ => (Value::Unknown, 1),
            },
            "each" => match (&scope.key, attribute(0).as_deref()) {
                (Key::Name(key, _), Some("key")) => (Value::String(key.clone()), 1),
                (Key::Name(_, value), Some("value")) => (value.clone(), 1),
                _ => (Value::Unknown, 1),
            },
            "path" => {
                let directory = self.config(scope.instance).dir.clone();
                let directory = if directory.is_empty() { ".".to_string() } else { directory };
                (Value::String(directory), 1)
            }
            "terraform" => (Value::String("default".to_string()), 1),
            "module" => match attribute(0) {
                Some(call) => (self.module_value(scope.instance, &call), 1),
                None => (Value::Unknown, 0),
            },
            "data" => match (attribute(0), attribute(1)) {
                (Some(kind), Some(name)) => (self.named(scope.instance, Named::Data(format!("{kind}.{name}"))), 2),
                _ => (Value::Unknown, 0),
            },
            kind if kind.contains('_') => match attribute(0) {
                Some(name) => (self.resource_value(scope.instance, kind, &name), 1),
                None => (Value::Unknown, 0),
            },
            _ => (Value::Unknown, 0),
        }
    }

    /// `aws_subnet.private`: the instance, or a list (count) or map
    /// (for_each) of instances.
    fn resource_value(&mut self, instance: usize, kind: &str, name: &str) -> Value {
        let config = self.instances[instance].config;
        let Some(&index) = self.configs[config].resource_index.get(&(kind.to_string(), name.to_string())) else {
            return Value::Unknown;
        };
        let (body, file) = {
            let declaration = &self.configs[config].resources[index];
            (&declaration.block.body, declaration.file)
        };
        let base = format!("{kind}.{name}");
        let keys = self.expansion(instance, &base, body, file);
        let prefix = &self.instances[instance].prefix;
        let address = |key: &Key| {
            if prefix.is_empty() {
                format!("{base}{}", key.suffix())
            } else {
                format!("{prefix}.{base}{}", key.suffix())
            }
        };
        match keys.first() {
            Some(Key::Index(_)) => Value::List(keys.iter().map(|key| Value::Resource(address(key))).collect()),
            Some(Key::Name(..)) => Value::Map(
                keys.iter()
                    .filter_map(|key| match key {
                        Key::Name(name, _) => Some((name.clone(), Value::Resource(address(key)))),
                        _ => None,
                    })
                    .collect(),
            ),
            // `count = 0` or an empty `for_each`.
            None if body.get_attribute("count").is_some() => Value::List(Vec::new()),
            None => Value::Map(BTreeMap::new()),
            Some(Key::None) => Value::Resource(address(&Key::None)),
        }
    }

    /// `module.network`: a map of its outputs (a list or map of them for a
    /// call with `count` or `for_each`).
    fn module_value(&mut self, instance: usize, call: &str) -> Value {
        let children = self.module_instances(instance, call);
        let mut per_instance = Vec::new();
        for child in &children {
            let names: Vec<String> = self.config(*child).outputs.keys().cloned().collect();
            let outputs: BTreeMap<String, Value> =
                names.into_iter().map(|name| (name.clone(), self.named(*child, Named::Output(name)))).collect();
            let key = self.instances[*child].parent.as_ref().map_or(Key::None, |(_, _, key)| key.clone());
            per_instance.push((key, Value::Map(outputs)));
        }
        match per_instance.first() {
            None => Value::Unknown,
            Some((Key::None, _)) => per_instance.swap_remove(0).1,
            Some((Key::Index(_), _)) => Value::List(per_instance.into_iter().map(|(_, value)| value).collect()),
            Some((Key::Name(..), _)) => Value::Map(
                per_instance
                    .into_iter()
                    .filter_map(|(key, value)| match key {
                        Key::Name(name, _) => Some((name, value)),
                        _ => None,
                    })
                    .collect(),
            ),
        }
    }

    /// A variable, local, output or data source of a module instance,
    /// evaluated once.
    fn named(&mut self, instance: usize, named: Named) -> Value {
        let cache_key = (instance, named.clone());
        if let Some(value) = self.cache.get(&cache_key) {
            return value.clone();
        }
        let guard = (instance, format!("{named:?}"));
        if self.depth >= MAX_EVALUATION_DEPTH || !self.active.insert(guard.clone()) {
            return Value::Unknown;
        }
        self.depth += 1;
        let value = self.evaluate_named(instance, &named);
        self.depth -= 1;
        self.active.remove(&guard);
        self.cache.insert(cache_key, value.clone());
        value
    }

    fn evaluate_named(&mut self, instance: usize, named: &Named) -> Value {
        let config = self.instances[instance].config;
        let own_scope = |file: usize| Scope { instance, file, key: Key::None, locals: Vec::new() };
        match named {
            Named::Variable(name) => {
                if let Some((parent, call_index, key)) = self.instances[instance].parent.clone() {
                    let parent_config = self.instances[parent].config;
                    let (block, file) = {
                        let declaration = &self.configs[parent_config].modules[call_index];
                        (declaration.block, declaration.file)
                    };
                    if let Some(argument) = block.body.get_attribute(name) {
                        let scope = Scope { instance: parent, file, key, locals: Vec::new() };
                        return self.eval(&argument.value, &scope);
                    }
                } else if let Some(value) = self.root_values.get(name) {
                    return value.clone();
                }
                match self.configs[config].variables.get(name) {
                    Some((Some(default), file)) => {
                        let (default, file) = (*default, *file);
                        self.eval(default, &own_scope(file))
                    }
                    _ => Value::Unknown,
                }
            }
            Named::Local(name) => match self.configs[config].locals.get(name) {
                Some((expression, file)) => {
                    let (expression, file) = (*expression, *file);
                    self.eval(expression, &own_scope(file))
                }
                None => Value::Unknown,
            },
            Named::Output(name) => match self.configs[config].outputs.get(name) {
                Some((expression, file)) => {
                    let (expression, file) = (*expression, *file);
                    self.eval(expression, &own_scope(file))
                }
                None => Value::Unknown,
            },
            Named::Data(kind_name) => {
                let (kind, name) = kind_name.split_once('.').unwrap_or_default();
                let key = (kind.to_string(), name.to_string());
                let Some((body, file)) =
                    self.configs[config].data.get(&key).map(|declaration| (&declaration.block.body, declaration.file))
                else {
                    return Value::Unknown;
                };
                if kind == "aws_iam_policy_document" {
                    let mut lines = BTreeMap::new();
                    let values = Value::Map(self.eval_body(body, &own_scope(file), "", &mut lines, true));
                    let document = policy_document(&values);
                    return Value::Map(BTreeMap::from([
                        ("json".to_string(), document.clone()),
                        ("minified_json".to_string(), document),
                    ]));
                }
                let prefix = &self.instances[instance].prefix;
                let address =
                    if prefix.is_empty() { format!("data.{kind_name}") } else { format!("{prefix}.data.{kind_name}") };
                Value::Resource(address)
            }
        }
    }

    fn apply(&mut self, mut value: Value, operators: &[&'a TraversalOperator], scope: &Scope) -> Value {
        for (position, operator) in operators.iter().enumerate() {
            value = match operator {
                TraversalOperator::GetAttr(name) => get_attribute(value, name.as_str()),
                TraversalOperator::Index(index) => {
                    let index = self.eval(index, scope);
                    index_value(value, &index)
                }
                TraversalOperator::LegacyIndex(index) => index_value(value, &Value::Number(*index.value() as f64)),
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match value {
                        Value::List(items) => items,
                        Value::Null => Vec::new(),
                        Value::Unknown => return Value::Unknown,
                        other => vec![other],
                    };
                    let rest = &operators[position + 1..];
                    return Value::List(items.into_iter().map(|item| self.apply(item, rest, scope)).collect());
                }
            };
        }
        value
    }

    fn eval_call(&mut self, call: &'a FuncCall, scope: &Scope) -> Value {
        if !call.name.namespace.is_empty() {
            return Value::Unknown;
        }
        let mut arguments: Vec<Value> = call.args.iter().map(|argument| self.eval(argument, scope)).collect();
        if call.args.expand_final()
            && let Some(Value::List(last)) = arguments.pop()
        {
            arguments.extend(last);
        }
        function(call.name.name.as_str(), arguments)
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

fn get_attribute(value: Value, name: &str) -> Value {
    match value {
        Value::Resource(address) => Value::String(reference(&address, name)),
        Value::Map(mut map) => map.remove(name).unwrap_or(Value::Unknown),
        Value::String(text) => {
            // `aws_instance.web.tags.Name`: still a reference to the instance.
            match super::value::references_in(&text).as_slice() {
                [only] => Value::String(reference(&only.address, &format!("{}.{name}", only.attribute))),
                _ => Value::Unknown,
            }
        }
        _ => Value::Unknown,
    }
}

fn index_value(value: Value, index: &Value) -> Value {
    match (value, index) {
        (Value::List(mut items), index) => match index.number() {
            Some(number) if number >= 0.0 && (number as usize) < items.len() => items.swap_remove(number as usize),
            _ => Value::Unknown,
        },
        (Value::Map(mut map), index) => match index.literal() {
            Some(key) => map.remove(key).unwrap_or(Value::Unknown),
            None => match index.number() {
                Some(number) => map.remove(&super::value::format_number(number)).unwrap_or(Value::Unknown),
                None => Value::Unknown,
            },
        },
        // An instance whose expansion is unknown stands for all of them.
        (resource @ Value::Resource(_), _) => resource,
        (Value::String(text), _) if !super::value::references_in(&text).is_empty() => Value::String(text),
        _ => Value::Unknown,
    }
}

fn binary(operator: BinaryOperator, left: &Value, right: &Value) -> Value {
    if matches!(left, Value::Unknown) || matches!(right, Value::Unknown) {
        return Value::Unknown;
    }
    let numbers = left.number().zip(right.number());
    match operator {
        BinaryOperator::Eq => Value::Bool(equal(left, right)),
        BinaryOperator::NotEq => Value::Bool(!equal(left, right)),
        BinaryOperator::And => left.bool().zip(right.bool()).map_or(Value::Unknown, |(a, b)| Value::Bool(a && b)),
        BinaryOperator::Or => left.bool().zip(right.bool()).map_or(Value::Unknown, |(a, b)| Value::Bool(a || b)),
        _ => {
            let Some((a, b)) = numbers else { return Value::Unknown };
            match operator {
                BinaryOperator::Less => Value::Bool(a < b),
                BinaryOperator::LessEq => Value::Bool(a <= b),
                BinaryOperator::Greater => Value::Bool(a > b),
                BinaryOperator::GreaterEq => Value::Bool(a >= b),
                BinaryOperator::Plus => Value::Number(a + b),
                BinaryOperator::Minus => Value::Number(a - b),
                BinaryOperator::Mul => Value::Number(a * b),
                BinaryOperator::Div if b != 0.0 => Value::Number(a / b),
                BinaryOperator::Mod if b != 0.0 => Value::Number(a % b),
                _ => Value::Unknown,
            }
        }
    }
}

fn equal(left: &Value, right: &Value) -> bool {
    match (left.number(), right.number()) {
        (Some(a), Some(b)) if !matches!((left, right), (Value::String(_), Value::String(_))) => a == b,
        _ => left == right,
    }
}

fn texts(values: &[Value]) -> Option<Vec<&str>> {
    values.iter().map(Value::literal).collect()
}

/// The functions that can be evaluated without the provider or the file
/// system; any other call is unknown.
fn function(name: &str, mut arguments: Vec<Value>) -> Value {
    let first = arguments.first().cloned().unwrap_or(Value::Unknown);
    match name {
        // `jsonencode` keeps the structure, so a policy written with it is read as JSON.
        "jsonencode" | "tolist" | "tomap" | "sensitive" | "nonsensitive" | "tostring" | "yamlencode" => first,
        "toset" | "distinct" => match first {
            Value::List(items) => {
                let mut unique: Vec<Value> = Vec::new();
                for item in items {
                    if !unique.contains(&item) {
                        unique.push(item);
                    }
                }
                if name == "toset" && unique.iter().all(|item| item.literal().is_some()) {
                    unique.sort_by(|a, b| a.literal().cmp(&b.literal()));
                }
                Value::List(unique)
            }
            other => other,
        },
        "tonumber" => first.number().map_or(Value::Unknown, Value::Number),
        "jsondecode" => match first.literal().map(serde_json::from_str::<serde_json::Value>) {
            Some(Ok(json)) => Value::from_json(&json),
            _ => Value::Unknown,
        },
        "concat" => {
            let mut all = Vec::new();
            for argument in arguments {
                match argument {
                    Value::List(items) => all.extend(items),
                    _ => return Value::Unknown,
                }
            }
            Value::List(all)
        }
        "flatten" => {
            fn flatten_into(value: Value, out: &mut Vec<Value>) {
                match value {
                    Value::List(items) => items.into_iter().for_each(|item| flatten_into(item, out)),
                    other => out.push(other),
                }
            }
            let mut out = Vec::new();
            flatten_into(first, &mut out);
            Value::List(out)
        }
        "merge" => {
            let mut merged = BTreeMap::new();
            for argument in arguments {
                match argument {
                    Value::Map(map) => merged.extend(map),
                    Value::Null => {}
                    _ => return Value::Unknown,
                }
            }
            Value::Map(merged)
        }
        "length" => match &first {
            Value::List(items) => Value::Number(items.len() as f64),
            Value::Map(map) => Value::Number(map.len() as f64),
            Value::String(text) if first.literal().is_some() => Value::Number(text.chars().count() as f64),
            _ => Value::Unknown,
        },
        "keys" => match first {
            Value::Map(map) => Value::List(map.into_keys().map(Value::String).collect()),
            _ => Value::Unknown,
        },
        "values" => match first {
            Value::Map(map) => Value::List(map.into_values().collect()),
            _ => Value::Unknown,
        },
        "lookup" => {
            let default = arguments.get(2).cloned();
            match (first, arguments.get(1).and_then(Value::literal)) {
                (Value::Map(mut map), Some(key)) => map.remove(key).or(default).unwrap_or(Value::Unknown),
                _ => Value::Unknown,
            }
        }
        "element" => match (first, arguments.get(1).and_then(Value::number)) {
            (Value::List(mut items), Some(index)) if !items.is_empty() && index >= 0.0 => {
                let at = (index as usize) % items.len();
                items.swap_remove(at)
            }
            _ => Value::Unknown,
        },
        "contains" => match (&first, arguments.get(1)) {
            (Value::List(items), Some(wanted)) if !matches!(wanted, Value::Unknown) => {
                Value::Bool(items.iter().any(|item| equal(item, wanted)))
            }
            _ => Value::Unknown,
        },
        "coalesce" => arguments
            .into_iter()
            .find(|value| !matches!(value, Value::Null) && value.str() != Some(""))
            .unwrap_or(Value::Unknown),
        "coalescelist" => arguments
            .into_iter()
            .find(|value| matches!(value, Value::List(items) if !items.is_empty()))
            .unwrap_or(Value::Unknown),
        "compact" => match first {
            Value::List(items) => Value::List(
                items.into_iter().filter(|item| !matches!(item, Value::Null) && item.str() != Some("")).collect(),
            ),
            _ => Value::Unknown,
        },
        "try" => arguments.into_iter().find(|value| !matches!(value, Value::Unknown)).unwrap_or(Value::Unknown),
        "can" => Value::Bool(!matches!(first, Value::Unknown)),
        "one" => match first {
            Value::List(mut items) if items.len() <= 1 => items.pop().unwrap_or(Value::Null),
            _ => Value::Unknown,
        },
        "join" => match (first.literal(), arguments.get(1)) {
            (Some(separator), Some(Value::List(items))) => {
                Value::String(items.iter().map(Value::template_text).collect::<Vec<_>>().join(separator))
            }
            _ => Value::Unknown,
        },
        "split" => match (first.literal(), arguments.get(1).and_then(Value::literal)) {
            (Some(separator), Some(text)) if !separator.is_empty() => {
                Value::List(text.split(separator).map(|part| Value::String(part.to_string())).collect())
            }
            _ => Value::Unknown,
        },
        "lower" | "upper" | "trimspace" => match first.literal() {
            Some(text) => Value::String(match name {
                "lower" => text.to_lowercase(),
                "upper" => text.to_uppercase(),
                _ => text.trim().to_string(),
            }),
            None => first,
        },
        "replace" => match (first.str(), texts(&arguments[1.min(arguments.len())..])) {
            (Some(text), Some(parts)) if parts.len() == 2 && !parts[0].is_empty() && !parts[0].starts_with('/') => {
                Value::String(text.replace(parts[0], parts[1]))
            }
            _ => Value::Unknown,
        },
        "format" => match first.literal() {
            Some(pattern) => {
                let mut out = String::new();
                let mut rest = arguments.iter().skip(1);
                let mut chars = pattern.chars().peekable();
                while let Some(c) = chars.next() {
                    if c != '%' {
                        out.push(c);
                        continue;
                    }
                    match chars.next() {
                        Some('%') => out.push('%'),
                        Some(_) => out.push_str(&rest.next().map_or(UNKNOWN_PART.to_string(), Value::template_text)),
                        None => {}
                    }
                }
                Value::String(out)
            }
            None => Value::Unknown,
        },
        "range" => {
            let numbers: Option<Vec<f64>> = arguments.iter().map(Value::number).collect();
            let (start, end, step) = match numbers.as_deref() {
                Some([end]) => (0.0, *end, 1.0),
                Some([start, end]) => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
                Some([start, end, step]) if *step != 0.0 => (*start, *end, *step),
                _ => return Value::Unknown,
            };
            let mut items = Vec::new();
            let mut current = start;
            while (step > 0.0 && current < end) || (step < 0.0 && current > end) {
                if items.len() >= MAX_INSTANCES {
                    break;
                }
                items.push(Value::Number(current));
                current += step;
            }
            Value::List(items)
        }
        "zipmap" => match (first, arguments.get(1)) {
            (Value::List(keys), Some(Value::List(values))) => {
                let mut map = BTreeMap::new();
                for (key, value) in keys.iter().zip(values) {
                    match key.literal() {
                        Some(key) => {
                            map.insert(key.to_string(), value.clone());
                        }
                        None => return Value::Unknown,
                    }
                }
                Value::Map(map)
            }
            _ => Value::Unknown,
        },
        "slice" => match (first, arguments.get(1).and_then(Value::number), arguments.get(2).and_then(Value::number)) {
            (Value::List(items), Some(start), Some(end))
                if start >= 0.0 && start <= end && (end as usize) <= items.len() =>
            {
                Value::List(items[start as usize..end as usize].to_vec())
            }
            _ => Value::Unknown,
        },
        "reverse" => match first {
            Value::List(mut items) => {
                items.reverse();
                Value::List(items)
            }
            _ => Value::Unknown,
        },
        "sort" => match first {
            Value::List(items) => match texts(&items) {
                Some(mut sorted) => {
                    sorted.sort_unstable();
                    Value::List(sorted.into_iter().map(|text| Value::String(text.to_string())).collect())
                }
                None => Value::Unknown,
            },
            _ => Value::Unknown,
        },
        "min" | "max" => {
            let numbers: Option<Vec<f64>> = arguments.iter().map(Value::number).collect();
            match numbers {
                Some(numbers) if !numbers.is_empty() => Value::Number(if name == "min" {
                    numbers.into_iter().fold(f64::INFINITY, f64::min)
                } else {
                    numbers.into_iter().fold(f64::NEG_INFINITY, f64::max)
                }),
                _ => Value::Unknown,
            }
        }
        "abs" => first.number().map_or(Value::Unknown, |n| Value::Number(n.abs())),
        "startswith" | "endswith" => match (first.literal(), arguments.get(1).and_then(Value::literal)) {
            (Some(text), Some(affix)) => {
                Value::Bool(if name == "startswith" { text.starts_with(affix) } else { text.ends_with(affix) })
            }
            _ => Value::Unknown,
        },
        _ => {
            arguments.clear();
            Value::Unknown
        }
    }
}

/// The JSON of an `aws_iam_policy_document` data source, from its
/// `statement` blocks (and the documents it merges), in the shape IAM
/// policies have when written as JSON.
fn policy_document(values: &Value) -> Value {
    let mut statements: Vec<Value> = Vec::new();
    for key in ["source_policy_documents", "override_policy_documents"] {
        for document in values.get(key).map(Value::list).unwrap_or_default() {
            statements.extend(document.get("Statement").map(Value::items).unwrap_or_default().into_iter().cloned());
        }
    }
    for statement in values.blocks("statement") {
        let mut json = BTreeMap::new();
        json.insert(
            "Effect".to_string(),
            statement.get("effect").cloned().unwrap_or_else(|| Value::String("Allow".to_string())),
        );
        for (block_key, json_key) in [
            ("actions", "Action"),
            ("not_actions", "NotAction"),
            ("resources", "Resource"),
            ("not_resources", "NotResource"),
        ] {
            if let Some(value) = statement.get(block_key) {
                json.insert(json_key.to_string(), value.clone());
            }
        }
        let mut principals: BTreeMap<String, Value> = BTreeMap::new();
        for principal in statement.blocks("principals") {
            if let (Some(kind), Some(identifiers)) =
                (principal.get("type").and_then(Value::literal), principal.get("identifiers"))
            {
                principals.insert(kind.to_string(), identifiers.clone());
            }
        }
        if !principals.is_empty() {
            json.insert("Principal".to_string(), Value::Map(principals));
        }
        if !statement.blocks("condition").is_empty() {
            json.insert("Condition".to_string(), Value::Map(BTreeMap::new()));
        }
        statements.push(Value::Map(json));
    }
    Value::Map(BTreeMap::from([
        ("Version".to_string(), Value::String("2012-10-17".to_string())),
        ("Statement".to_string(), Value::List(statements)),
    ]))
}
