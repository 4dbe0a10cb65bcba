//! Loads knowledge-base files and compiles them: names become indices, term
//! lists become bit sets, and every reference is checked, so a misspelt trait
//! in a rule is a load error with its file and line, never a rule that
//! silently never fires.

use std::collections::HashMap;
use std::fmt;

use fixedbitset::FixedBitSet;
use rampart_model::diagnostic::nearest;
use rampart_model::parse::from_yaml;
use rampart_model::{Diagnostic, Located, Position};
use serde::de::value::{Error as ValueError, StrDeserializer};
use serde::de::{DeserializeOwned, IntoDeserializer};

use crate::files::*;
use crate::library::Cost;
use crate::library::*;

/// One library file.
#[derive(Clone, Debug)]
pub struct Source {
    /// Its path relative to its library's root (`threats/web/xss.yaml`); the
    /// first directory names the section.
    pub path: String,
    pub text: String,
    /// The library's root as the user knows it (`kb` for the shipped one, a
    /// directory given with `--library`), for messages.
    pub root: String,
    /// 0 for the shipped library, then 1, 2… in the order libraries were
    /// given. An entry in a later layer overrides one with the same id in an
    /// earlier layer; within one layer, ids must be unique.
    pub layer: usize,
}

impl Source {
    /// Where the file is, for messages: `root/path`.
    pub fn display_path(&self) -> String {
        format!("{}/{}", self.root.trim_end_matches('/'), self.path)
    }
}

/// A problem in a library file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KbError {
    pub path: String,
    pub diagnostic: Diagnostic,
}

impl fmt::Display for KbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.diagnostic.at;
        if at.is_known() {
            write!(f, "{}:{}:{}: {}", self.path, at.line, at.column, self.diagnostic.message)?;
        } else {
            write!(f, "{}: {}", self.path, self.diagnostic.message)?;
        }
        if let Some(help) = &self.diagnostic.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

/// The library directories a file may live in, in load order.
const SECTIONS: [&str; 4] = ["vocabulary", "catalog", "countermeasures", "threats"];

/// Loads and compiles a library from its files. Files of several libraries
/// (the shipped one and a team's own) may be mixed; ids must be unique across
/// them. All problems are returned together.
pub fn compile(sources: &[Source]) -> Result<KnowledgeBase, Vec<KbError>> {
    let mut compiler = Compiler::default();
    let mut by_section: Vec<Vec<&Source>> = vec![Vec::new(); SECTIONS.len()];
    for source in sources {
        let section = source.path.split('/').next().and_then(|part| SECTIONS.iter().position(|s| *s == part));
        match section {
            Some(index) => by_section[index].push(source),
            None => compiler.error(
                &source.display_path(),
                Diagnostic::error(Position::UNKNOWN, "file is not in a library section")
                    .with_help("put it under vocabulary/, catalog/, countermeasures/ or threats/"),
            ),
        }
    }
    // Within a section, earlier layers first, so later ones override them.
    for section in &mut by_section {
        section.sort_by_key(|source| source.layer);
    }
    for source in &by_section[0] {
        compiler.enter(source);
        if let Some(file) = compiler.parse::<VocabularyFile>(source) {
            compiler.add_vocabulary(file);
        }
    }
    for source in &by_section[1] {
        compiler.enter(source);
        if let Some(entries) = compiler.parse::<Vec<ComponentTypeEntry>>(source) {
            for entry in entries {
                compiler.add_component_type(entry);
            }
        }
    }
    for source in &by_section[2] {
        compiler.enter(source);
        if let Some(entries) = compiler.parse::<Vec<CountermeasureEntry>>(source) {
            for entry in entries {
                compiler.add_countermeasure(entry);
            }
        }
    }
    for source in &by_section[3] {
        compiler.enter(source);
        if let Some(entry) = compiler.parse::<ThreatEntry>(source) {
            compiler.add_threat(&source.path, entry);
        }
    }
    if compiler.errors.is_empty() { Ok(compiler.kb) } else { Err(compiler.errors) }
}

#[derive(Default)]
struct Compiler {
    kb: KnowledgeBase,
    errors: Vec<KbError>,
    /// The file being compiled, for errors raised deep in conditions.
    path: String,
    /// The layer of the file being compiled.
    layer: usize,
    /// The layer each id was defined in, per kind of entry.
    layers: HashMap<(&'static str, String), usize>,
}

/// What to do with an entry whose id may already exist.
enum Placement {
    New,
    Replace(usize),
    Reject,
}

impl Compiler {
    fn enter(&mut self, source: &Source) {
        self.path = source.display_path();
        self.layer = source.layer;
    }

    /// Decides where an entry goes: new, replacing one from an earlier
    /// library (an override, recorded), or rejected as a duplicate.
    fn place(&mut self, kind: &'static str, id: &Located<String>, existing: Option<usize>) -> Placement {
        let key = (kind, id.value.clone());
        match (existing, self.layers.get(&key).copied()) {
            (None, _) => {
                self.layers.insert(key, self.layer);
                Placement::New
            }
            (Some(index), Some(layer)) if layer < self.layer => {
                self.layers.insert(key, self.layer);
                self.kb.overrides.push(format!("{kind} `{}` overridden by {}", id.value, self.path));
                Placement::Replace(index)
            }
            (Some(_), _) => {
                self.fail(id.at, format!("{kind} `{}` is defined twice in the same library", id.value));
                Placement::Reject
            }
        }
    }

    fn error(&mut self, path: &str, diagnostic: Diagnostic) {
        self.errors.push(KbError { path: path.to_string(), diagnostic });
    }

    fn fail(&mut self, at: Position, message: String) {
        let path = self.path.clone();
        self.error(&path, Diagnostic::error(at, message));
    }

    fn parse<T: DeserializeOwned>(&mut self, source: &Source) -> Option<T> {
        match from_yaml(&source.text) {
            Ok(value) => Some(value),
            Err(diagnostic) => {
                self.error(&source.display_path(), diagnostic);
                None
            }
        }
    }

    fn add_vocabulary(&mut self, file: VocabularyFile) {
        let tables: [(&str, Vec<TermEntry>); 4] = [
            ("trait", file.traits),
            ("capability", file.capabilities),
            ("data format", file.data_formats),
            ("data category", file.data_categories),
        ];
        for (what, entries) in tables {
            for entry in entries {
                let kind: &'static str = match what {
                    "trait" => "trait",
                    "capability" => "capability",
                    "data format" => "data format",
                    _ => "data category",
                };
                let known = self.table_mut(kind).get(&entry.id.value);
                match self.place(kind, &entry.id, known) {
                    Placement::New => {
                        let table = self.table_mut(kind);
                        table.insert(&entry.id.value, &entry.description);
                    }
                    Placement::Replace(index) => self.table_mut(kind).descriptions[index] = entry.description,
                    Placement::Reject => {}
                }
            }
        }
        for protocol in file.protocols {
            let known = self.kb.protocols.get(&protocol.id.value);
            match self.place("protocol", &protocol.id, known) {
                Placement::New => {
                    self.kb.protocols.insert(&protocol.id.value, &protocol.description);
                    self.kb.protocol_encrypted.push(protocol.encrypted);
                }
                Placement::Replace(index) => {
                    self.kb.protocols.descriptions[index] = protocol.description;
                    self.kb.protocol_encrypted[index] = protocol.encrypted;
                }
                Placement::Reject => {}
            }
        }
    }

    fn table_mut(&mut self, kind: &str) -> &mut TermTable {
        match kind {
            "trait" => &mut self.kb.traits,
            "capability" => &mut self.kb.capabilities,
            "data format" => &mut self.kb.data_formats,
            _ => &mut self.kb.data_categories,
        }
    }

    fn add_component_type(&mut self, entry: ComponentTypeEntry) {
        let known = self.kb.component_type(&entry.id.value);
        let placement = self.place("component type", &entry.id, known);
        if matches!(placement, Placement::Reject) {
            return;
        }
        let traits = self.term_set(&entry.traits, Table::Traits);
        let capabilities = self.term_set(&entry.capabilities, Table::Capabilities);
        let accepts = self.term_set(&entry.accepts, Table::DataFormats);
        let component_type = ComponentType {
            id: entry.id.value,
            name: entry.name,
            category: entry.category,
            domain: entry.domain,
            description: entry.description,
            traits,
            capabilities,
            accepts,
            default_trust: entry.default_trust.unwrap_or(match entry.category {
                ElementCategory::Actor | ElementCategory::External => rampart_model::Trust::Untrusted,
                _ => rampart_model::Trust::Internal,
            }),
            forwards_traffic: entry.forwards_traffic,
        };
        match placement {
            Placement::Replace(index) => self.kb.component_types[index] = component_type,
            _ => {
                self.kb.kind_index.insert(component_type.id.clone(), self.kb.component_types.len());
                self.kb.component_types.push(component_type);
            }
        }
    }

    fn add_countermeasure(&mut self, entry: CountermeasureEntry) {
        let known = self.kb.countermeasure(&entry.id.value);
        let placement = self.place("countermeasure", &entry.id, known);
        if matches!(placement, Placement::Reject) {
            return;
        }
        let countermeasure = Countermeasure {
            id: entry.id.value,
            name: entry.name,
            description: entry.description,
            effectiveness: entry.effectiveness,
            guidance: entry.guidance,
            nist_800_53: entry.nist_800_53,
            asvs: entry.asvs,
            iso_27001: entry.iso_27001,
            pci_dss: entry.pci_dss,
        };
        match placement {
            Placement::Replace(index) => self.kb.countermeasures[index] = countermeasure,
            _ => {
                self.kb.countermeasure_index.insert(countermeasure.id.clone(), self.kb.countermeasures.len());
                self.kb.countermeasures.push(countermeasure);
            }
        }
    }

    fn add_threat(&mut self, path: &str, entry: ThreatEntry) {
        let errors_before = self.errors.len();
        let known = self.kb.threat_index.get(&entry.id.value).copied();
        let placement = self.place("threat", &entry.id, known);
        if entry.id.value.contains('@') || entry.id.value.chars().any(char::is_whitespace) {
            self.fail(entry.id.at, format!("threat id `{}` may not contain `@` or white space", entry.id.value));
        }
        for (name, value) in [("likelihood", &entry.likelihood), ("impact", &entry.impact)] {
            if !(1..=5).contains(&value.value) {
                self.fail(value.at, format!("{name} must be from 1 to 5, found {}", value.value));
            }
        }
        if entry.stride.is_empty() {
            self.fail(entry.id.at, "a threat needs at least one STRIDE category".to_string());
        }
        if entry.countermeasures.is_empty() {
            self.fail(entry.id.at, "a threat needs at least one countermeasure".to_string());
        }
        for id in &entry.owasp_llm {
            let valid =
                id.strip_prefix("LLM").and_then(|n| n.parse::<u8>().ok()).is_some_and(|n| (1..=10).contains(&n));
            if !valid || id.len() != 5 {
                self.fail(
                    entry.id.at,
                    format!("`{id}` is not an OWASP Top 10 for LLM Applications id (LLM01 to LLM10)"),
                );
            }
        }
        for technique in &entry.attack {
            if !is_attack_technique(technique) {
                self.fail(entry.id.at, format!("`{technique}` is not an ATT&CK technique id (T1234 or T1234.001)"));
            }
        }
        let mut countermeasures = Vec::new();
        for id in &entry.countermeasures {
            match self.kb.countermeasure(&id.value) {
                Some(index) => countermeasures.push(index),
                None => {
                    self.unknown(id, "countermeasure", self.kb.countermeasures.iter().map(|c| c.id.clone()).collect())
                }
            }
        }
        let applies_to = match entry.applies_to {
            AppliesTo::Element(condition) => {
                let mut compiled = self.element(condition);
                compiled.order_by_cost();
                Match::Element(compiled)
            }
            AppliesTo::Flow(condition) => {
                let mut compiled = self.flow(condition);
                compiled.order_by_cost();
                Match::Flow(compiled)
            }
            AppliesTo::Data(condition) => Match::Data(self.data(condition)),
            AppliesTo::Model(condition) => Match::Model(self.model(condition)),
        };
        if self.errors.len() > errors_before {
            return;
        }
        let threat = Threat {
            id: entry.id.value,
            title: entry.title,
            description: entry.description,
            stride: entry.stride,
            cwe: entry.cwe,
            capec: entry.capec,
            attack: entry.attack,
            owasp_llm: entry.owasp_llm,
            unconditional_because: entry.unconditional_because,
            applies_to,
            likelihood: entry.likelihood.value,
            impact: entry.impact.value,
            countermeasures,
            references: entry.references,
            source: path.to_string(),
        };
        match placement {
            Placement::Replace(index) => self.kb.threats[index] = threat,
            Placement::New => {
                self.kb.threat_index.insert(threat.id.clone(), self.kb.threats.len());
                self.kb.threats.push(threat);
            }
            Placement::Reject => {}
        }
    }

    fn unknown(&mut self, term: &Located<String>, what: &str, known: Vec<String>) {
        let mut diagnostic = Diagnostic::error(term.at, format!("unknown {what} `{}`", term.value));
        if let Some(best) = nearest(&term.value, known.iter().map(String::as_str)) {
            diagnostic = diagnostic.with_help(format!("did you mean `{best}`?"));
        }
        let path = self.path.clone();
        self.error(&path, diagnostic);
    }

    fn table(&self, table: Table) -> &TermTable {
        match table {
            Table::Traits => &self.kb.traits,
            Table::Capabilities => &self.kb.capabilities,
            Table::DataFormats => &self.kb.data_formats,
            Table::DataCategories => &self.kb.data_categories,
            Table::Protocols => &self.kb.protocols,
        }
    }

    fn term_set(&mut self, terms: &[Located<String>], table: Table) -> FixedBitSet {
        let mut set = self.table(table).empty_set();
        for term in terms {
            match self.table(table).get(&term.value) {
                Some(index) => set.insert(index),
                None => {
                    let known = self.table(table).names.clone();
                    self.unknown(term, table.noun(), known);
                }
            }
        }
        set
    }

    fn located_terms(&mut self, terms: &Located<Terms>, table: Table) -> FixedBitSet {
        let located: Vec<Located<String>> =
            terms.value.0.iter().map(|term| Located { value: term.clone(), at: terms.at }).collect();
        self.term_set(&located, table)
    }

    fn kinds(&mut self, terms: &Located<Terms>) -> FixedBitSet {
        let mut set = FixedBitSet::with_capacity(self.kb.component_types.len());
        for term in &terms.value.0 {
            match self.kb.component_type(term) {
                Some(index) => set.insert(index),
                None => {
                    let known = self.kb.component_types.iter().map(|t| t.id.clone()).collect();
                    self.unknown(&Located { value: term.clone(), at: terms.at }, "component type", known);
                }
            }
        }
        set
    }

    fn controls(&mut self, terms: &Located<Terms>) -> FixedBitSet {
        let mut set = FixedBitSet::with_capacity(self.kb.countermeasures.len());
        for term in &terms.value.0 {
            match self.kb.countermeasure(term) {
                Some(index) => set.insert(index),
                None => {
                    let known = self.kb.countermeasures.iter().map(|c| c.id.clone()).collect();
                    self.unknown(&Located { value: term.clone(), at: terms.at }, "countermeasure", known);
                }
            }
        }
        set
    }

    /// Parses each term as a value of a closed enumeration of the model
    /// format (exposure, trust, authentication...).
    fn enum_values<T: DeserializeOwned>(&mut self, terms: &Located<Terms>, what: &str) -> Vec<T> {
        let mut values = Vec::new();
        for term in &terms.value.0 {
            let deserializer: StrDeserializer<ValueError> = term.as_str().into_deserializer();
            match T::deserialize(deserializer) {
                Ok(value) => values.push(value),
                Err(error) => self.fail(terms.at, format!("invalid {what}: {error}")),
            }
        }
        values
    }

    fn element(&mut self, condition: ElementCondition) -> ElementCond {
        match condition {
            ElementCondition::All(items) => ElementCond::All(self.non_empty(items, Self::element)),
            ElementCondition::Any(items) => ElementCond::Any(self.non_empty(items, Self::element)),
            ElementCondition::Not(inner) => ElementCond::Not(Box::new(self.element(*inner))),
            ElementCondition::Kind(terms) => ElementCond::Kind(self.kinds(&terms)),
            ElementCondition::Trait(terms) => ElementCond::Trait(self.located_terms(&terms, Table::Traits)),
            ElementCondition::Category(terms) => ElementCond::Category(self.enum_values(&terms, "category")),
            ElementCondition::Capability(terms) => {
                ElementCond::Capability(self.located_terms(&terms, Table::Capabilities))
            }
            ElementCondition::Accepts(terms) => ElementCond::Accepts(self.located_terms(&terms, Table::DataFormats)),
            ElementCondition::Exposure(terms) => ElementCond::Exposure(self.enum_values(&terms, "exposure")),
            ElementCondition::ReachableFromUntrusted(value) => ElementCond::ReachableFromUntrusted(value),
            ElementCondition::ZoneTrust(terms) => ElementCond::ZoneTrust(self.enum_values(&terms, "trust")),
            ElementCondition::Technology(terms) => {
                ElementCond::Technology(terms.value.0.iter().map(|t| t.to_lowercase()).collect())
            }
            ElementCondition::Stores(inner) => ElementCond::Stores(Box::new(self.data(inner))),
            ElementCondition::Handles(inner) => ElementCond::Handles(Box::new(self.data(inner))),
            ElementCondition::Inbound(inner) => ElementCond::Inbound(Box::new(self.flow(inner))),
            ElementCondition::Outbound(inner) => ElementCond::Outbound(Box::new(self.flow(inner))),
            ElementCondition::HasControl(terms) => ElementCond::HasControl(self.controls(&terms)),
        }
    }

    fn flow(&mut self, condition: FlowCondition) -> FlowCond {
        match condition {
            FlowCondition::All(items) => FlowCond::All(self.non_empty(items, Self::flow)),
            FlowCondition::Any(items) => FlowCond::Any(self.non_empty(items, Self::flow)),
            FlowCondition::Not(inner) => FlowCond::Not(Box::new(self.flow(*inner))),
            FlowCondition::Protocol(terms) => FlowCond::Protocol(self.located_terms(&terms, Table::Protocols)),
            FlowCondition::Encrypted(value) => FlowCond::Encrypted(value),
            FlowCondition::Authentication(terms) => {
                FlowCond::Authentication(self.enum_values(&terms, "authentication"))
            }
            FlowCondition::Authorization(terms) => FlowCond::Authorization(self.enum_values(&terms, "authorization")),
            FlowCondition::CrossesBoundary(value) => FlowCond::CrossesBoundary(value),
            FlowCondition::FromLessTrusted(value) => FlowCond::FromLessTrusted(value),
            FlowCondition::From(inner) => FlowCond::From(Box::new(self.element(*inner))),
            FlowCondition::To(inner) => FlowCond::To(Box::new(self.element(*inner))),
            FlowCondition::Carries(inner) => FlowCond::Carries(Box::new(self.data(inner))),
            FlowCondition::HasControl(terms) => FlowCond::HasControl(self.controls(&terms)),
        }
    }

    fn data(&mut self, condition: DataCondition) -> DataCond {
        match condition {
            DataCondition::All(items) => DataCond::All(self.non_empty(items, Self::data)),
            DataCondition::Any(items) => DataCond::Any(self.non_empty(items, Self::data)),
            DataCondition::Not(inner) => DataCond::Not(Box::new(self.data(*inner))),
            DataCondition::Category(terms) => DataCond::Category(self.located_terms(&terms, Table::DataCategories)),
            DataCondition::Confidentiality(rating) => DataCond::Confidentiality(rating),
            DataCondition::Integrity(rating) => DataCond::Integrity(rating),
            DataCondition::Availability(rating) => DataCond::Availability(rating),
            DataCondition::StoredIn(inner) => DataCond::StoredIn(Box::new(self.element(*inner))),
            DataCondition::CarriedBy(inner) => DataCond::CarriedBy(Box::new(self.flow(*inner))),
        }
    }

    fn model(&mut self, condition: ModelCondition) -> ModelCond {
        match condition {
            ModelCondition::All(items) => ModelCond::All(self.non_empty(items, Self::model)),
            ModelCondition::Any(items) => ModelCond::Any(self.non_empty(items, Self::model)),
            ModelCondition::Not(inner) => ModelCond::Not(Box::new(self.model(*inner))),
            ModelCondition::AnyElement(inner) => ModelCond::AnyElement(Box::new(self.element(inner))),
            ModelCondition::AnyFlow(inner) => ModelCond::AnyFlow(Box::new(self.flow(inner))),
            ModelCondition::AnyData(inner) => ModelCond::AnyData(Box::new(self.data(inner))),
            ModelCondition::HasControl(terms) => ModelCond::HasControl(self.controls(&terms)),
        }
    }

    fn non_empty<A, B>(&mut self, items: Vec<A>, mut compile: impl FnMut(&mut Self, A) -> B) -> Vec<B> {
        if items.is_empty() {
            self.fail(Position::UNKNOWN, "`all:` and `any:` need at least one condition".to_string());
        }
        items.into_iter().map(|item| compile(self, item)).collect()
    }
}

#[derive(Clone, Copy)]
enum Table {
    Traits,
    Capabilities,
    DataFormats,
    DataCategories,
    Protocols,
}

impl Table {
    fn noun(self) -> &'static str {
        match self {
            Table::Traits => "trait",
            Table::Capabilities => "capability",
            Table::DataFormats => "data format",
            Table::DataCategories => "data category",
            Table::Protocols => "protocol",
        }
    }
}

fn is_attack_technique(id: &str) -> bool {
    let Some(rest) = id.strip_prefix('T') else {
        return false;
    };
    let (main, sub) = match rest.split_once('.') {
        Some((main, sub)) => (main, Some(sub)),
        None => (rest, None),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    digits(main, 4) && sub.is_none_or(|sub| digits(sub, 3))
}
