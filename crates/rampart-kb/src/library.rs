//! The compiled knowledge base: every name resolved to an index, every term
//! set turned into a bit set, ready for fast evaluation.

use std::collections::HashMap;

use fixedbitset::FixedBitSet;
use rampart_model::{Authentication, Authorization, Exposure, Rating, Trust, Vocabulary};

pub use crate::files::{Effectiveness, ElementCategory, Stride};
/// A set of term indices.
pub use fixedbitset::FixedBitSet as BitSet;

/// A list of named terms with their descriptions, indexed by name.
#[derive(Debug, Default, Clone)]
pub struct TermTable {
    pub names: Vec<String>,
    pub descriptions: Vec<String>,
    index: HashMap<String, usize>,
}

impl TermTable {
    pub fn get(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Adds a term; returns false if it was already there.
    pub(crate) fn insert(&mut self, name: &str, description: &str) -> bool {
        if self.index.contains_key(name) {
            return false;
        }
        self.index.insert(name.to_string(), self.names.len());
        self.names.push(name.to_string());
        self.descriptions.push(description.to_string());
        true
    }

    pub fn empty_set(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.len())
    }
}

#[derive(Debug, Clone)]
pub struct ComponentType {
    pub id: String,
    pub name: String,
    pub category: ElementCategory,
    pub domain: String,
    pub description: String,
    pub traits: FixedBitSet,
    pub capabilities: FixedBitSet,
    pub accepts: FixedBitSet,
    /// Trust of an instance outside every boundary.
    pub default_trust: Trust,
    /// Reachability passes through it to its flows' targets.
    pub forwards_traffic: bool,
}

#[derive(Debug, Clone)]
pub struct Countermeasure {
    pub id: String,
    pub name: String,
    pub description: String,
    pub effectiveness: Effectiveness,
    pub guidance: Option<String>,
    pub nist_800_53: Vec<String>,
    pub asvs: Vec<String>,
    pub iso_27001: Vec<String>,
    pub pci_dss: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Threat {
    pub id: String,
    pub title: String,
    pub description: String,
    pub stride: Vec<Stride>,
    pub cwe: Vec<u32>,
    pub capec: Vec<u32>,
    pub attack: Vec<String>,
    pub owasp_llm: Vec<String>,
    pub unconditional_because: Option<String>,
    pub applies_to: Match,
    pub likelihood: u8,
    pub impact: u8,
    /// Indices into [`KnowledgeBase::countermeasures`].
    pub countermeasures: Vec<usize>,
    pub references: Vec<String>,
    /// The file the rule came from, relative to its library root.
    pub source: String,
}

/// What a rule applies to; see `files::AppliesTo` for the authored form.
#[derive(Debug, Clone)]
pub enum Match {
    Element(ElementCond),
    Flow(FlowCond),
    Data(DataCond),
    Model(ModelCond),
}

#[derive(Debug, Clone)]
pub enum ElementCond {
    /// One of these element ids: the targets a model's custom threat names.
    Listed(Vec<String>),
    All(Vec<ElementCond>),
    Any(Vec<ElementCond>),
    Not(Box<ElementCond>),
    Kind(FixedBitSet),
    Trait(FixedBitSet),
    Category(Vec<ElementCategory>),
    Capability(FixedBitSet),
    Accepts(FixedBitSet),
    Exposure(Vec<Exposure>),
    ReachableFromUntrusted(bool),
    ZoneTrust(Vec<Trust>),
    /// Lower-case substrings.
    Technology(Vec<String>),
    Stores(Box<DataCond>),
    Handles(Box<DataCond>),
    Inbound(Box<FlowCond>),
    Outbound(Box<FlowCond>),
    HasControl(FixedBitSet),
}

#[derive(Debug, Clone)]
pub enum FlowCond {
    /// One of these flow ids: the targets a model's custom threat names.
    Listed(Vec<String>),
    All(Vec<FlowCond>),
    Any(Vec<FlowCond>),
    Not(Box<FlowCond>),
    Protocol(FixedBitSet),
    Encrypted(bool),
    Authentication(Vec<Authentication>),
    Authorization(Vec<Authorization>),
    CrossesBoundary(bool),
    FromLessTrusted(bool),
    From(Box<ElementCond>),
    To(Box<ElementCond>),
    Carries(Box<DataCond>),
    HasControl(FixedBitSet),
}

#[derive(Debug, Clone)]
pub enum DataCond {
    /// One of these data ids: the targets a model's custom threat names.
    Listed(Vec<String>),
    All(Vec<DataCond>),
    Any(Vec<DataCond>),
    Not(Box<DataCond>),
    Category(FixedBitSet),
    Confidentiality(Rating),
    Integrity(Rating),
    Availability(Rating),
    StoredIn(Box<ElementCond>),
    CarriedBy(Box<FlowCond>),
}

#[derive(Debug, Clone)]
pub enum ModelCond {
    All(Vec<ModelCond>),
    Any(Vec<ModelCond>),
    Not(Box<ModelCond>),
    AnyElement(Box<ElementCond>),
    AnyFlow(Box<FlowCond>),
    AnyData(Box<DataCond>),
    HasControl(FixedBitSet),
}

/// The whole library, compiled.
#[derive(Debug, Default, Clone)]
pub struct KnowledgeBase {
    pub traits: TermTable,
    pub capabilities: TermTable,
    pub data_formats: TermTable,
    pub data_categories: TermTable,
    pub protocols: TermTable,
    /// Per protocol index: whether it encrypts by itself.
    pub protocol_encrypted: Vec<bool>,
    pub component_types: Vec<ComponentType>,
    pub countermeasures: Vec<Countermeasure>,
    pub threats: Vec<Threat>,
    /// Entries that a later library replaced, in words, for the user.
    pub overrides: Vec<String>,
    pub(crate) kind_index: HashMap<String, usize>,
    pub(crate) countermeasure_index: HashMap<String, usize>,
    pub(crate) threat_index: HashMap<String, usize>,
}

impl KnowledgeBase {
    pub fn component_type(&self, id: &str) -> Option<usize> {
        self.kind_index.get(id).copied()
    }

    pub fn countermeasure(&self, id: &str) -> Option<usize> {
        self.countermeasure_index.get(id).copied()
    }

    pub fn threat(&self, id: &str) -> Option<&Threat> {
        self.threat_index.get(id).map(|&index| &self.threats[index])
    }

    /// The terms a model may use, for [`rampart_model::validate`].
    pub fn vocabulary(&self) -> Vocabulary {
        let names = |table: &TermTable| table.names.iter().cloned().collect();
        let kinds_where = |keep: fn(ElementCategory) -> bool| {
            self.component_types.iter().filter(|t| keep(t.category)).map(|t| t.id.clone()).collect()
        };
        Vocabulary {
            component_kinds: kinds_where(|category| category != ElementCategory::Actor),
            actor_kinds: kinds_where(|category| matches!(category, ElementCategory::Actor | ElementCategory::External)),
            capabilities: names(&self.capabilities),
            data_formats: names(&self.data_formats),
            data_categories: names(&self.data_categories),
            protocols: names(&self.protocols),
            controls: self.countermeasures.iter().map(|c| c.id.clone()).collect(),
            threat_rules: self.threats.iter().map(|t| t.id.clone()).collect(),
        }
    }
}

/// A rough evaluation cost, used to order `all`/`any` children so cheap
/// checks run first and short-circuit the expensive ones (those that loop
/// over flows or data).
pub(crate) trait Cost {
    fn cost(&self) -> u32;
    /// Orders every `all`/`any` list below by cost, cheapest first. Only
    /// the order of evaluation changes, never the result.
    fn order_by_cost(&mut self);
}

fn order<T: Cost>(items: &mut [T]) {
    for item in items.iter_mut() {
        item.order_by_cost();
    }
    items.sort_by_key(Cost::cost);
}

impl Cost for ElementCond {
    fn cost(&self) -> u32 {
        match self {
            ElementCond::All(items) | ElementCond::Any(items) => items.iter().map(Cost::cost).sum(),
            ElementCond::Not(inner) => inner.cost(),
            ElementCond::Technology(needles) => 2 + needles.len() as u32,
            ElementCond::Stores(inner) | ElementCond::Handles(inner) => 20 + inner.cost(),
            ElementCond::Inbound(inner) | ElementCond::Outbound(inner) => 40 + inner.cost(),
            _ => 1,
        }
    }

    fn order_by_cost(&mut self) {
        match self {
            ElementCond::All(items) | ElementCond::Any(items) => order(items),
            ElementCond::Not(inner) => inner.order_by_cost(),
            ElementCond::Stores(inner) | ElementCond::Handles(inner) => inner.order_by_cost(),
            ElementCond::Inbound(inner) | ElementCond::Outbound(inner) => inner.order_by_cost(),
            _ => {}
        }
    }
}

impl Cost for FlowCond {
    fn cost(&self) -> u32 {
        match self {
            FlowCond::All(items) | FlowCond::Any(items) => items.iter().map(Cost::cost).sum(),
            FlowCond::Not(inner) => inner.cost(),
            FlowCond::From(inner) | FlowCond::To(inner) => 2 + inner.cost(),
            FlowCond::Carries(inner) => 10 + inner.cost(),
            _ => 1,
        }
    }

    fn order_by_cost(&mut self) {
        match self {
            FlowCond::All(items) | FlowCond::Any(items) => order(items),
            FlowCond::Not(inner) => inner.order_by_cost(),
            FlowCond::From(inner) | FlowCond::To(inner) => inner.order_by_cost(),
            FlowCond::Carries(inner) => inner.order_by_cost(),
            _ => {}
        }
    }
}

impl Cost for DataCond {
    fn cost(&self) -> u32 {
        match self {
            DataCond::All(items) | DataCond::Any(items) => items.iter().map(Cost::cost).sum(),
            DataCond::Not(inner) => inner.cost(),
            DataCond::StoredIn(inner) => 20 + inner.cost(),
            DataCond::CarriedBy(inner) => 40 + inner.cost(),
            _ => 1,
        }
    }

    fn order_by_cost(&mut self) {
        match self {
            DataCond::All(items) | DataCond::Any(items) => order(items),
            DataCond::Not(inner) => inner.order_by_cost(),
            DataCond::StoredIn(inner) => inner.order_by_cost(),
            DataCond::CarriedBy(inner) => inner.order_by_cost(),
            _ => {}
        }
    }
}
