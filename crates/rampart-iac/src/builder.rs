//! The model an importer assembles: elements added as they are inferred,
//! flows merged when two facts give the same connection, and a final pass
//! that makes the output independent of the order facts arrived in.

use std::collections::{BTreeMap, HashMap, HashSet};

use rampart_model::{
    Actor, Authentication, Boundary, Component, DataAsset, Exposure, FORMAT_VERSION, Flow, Located, Model, Rating,
    SourceRef,
};

use crate::ids::IdAllocator;
use crate::source::{self, FileDiagnostic};
use crate::{IacImport, Summary};

/// A connection between two elements, before ids are given to flows.
#[derive(Clone, Debug)]
pub(crate) struct FlowSpec {
    pub from: String,
    pub to: String,
    pub protocol: &'static str,
    /// As far as the source says; `None` leaves it to the protocol.
    pub encrypted: Option<bool>,
    pub authentication: Authentication,
    pub data: Vec<String>,
    pub source: SourceRef,
    pub description: String,
}

#[derive(Default)]
pub(crate) struct ModelBuilder {
    pub ids: IdAllocator,
    pub boundaries: Vec<Boundary>,
    pub components: Vec<Component>,
    pub data: Vec<DataAsset>,
    pub warnings: Vec<FileDiagnostic>,
    actors: Vec<Actor>,
    flows: Vec<FlowSpec>,
    flow_index: HashMap<(String, String, &'static str), usize>,
    /// (from, to) of every flow, for [`ModelBuilder::has_flow`].
    flow_pairs: HashSet<(String, String)>,
    /// Component id → its position in `components`, for the first
    /// `indexed` components: importers push components directly, so the
    /// index catches up on each lookup instead of scanning every component.
    component_index: HashMap<String, usize>,
    indexed: usize,
    internet: Option<String>,
}

pub(crate) fn located(text: impl Into<String>) -> Located<String> {
    Located::synthetic(text.into())
}

impl ModelBuilder {
    /// A builder that starts with the warnings found while reading the files.
    pub fn new(warnings: Vec<FileDiagnostic>) -> Self {
        ModelBuilder { warnings, ..ModelBuilder::default() }
    }

    /// The first component with this id. Looked up in an index that
    /// catches up with components pushed since the last lookup; when the
    /// index disagrees with the list (a component was replaced or the list
    /// reordered) it is rebuilt, and an id it lacks is searched for in the list.
    pub fn component(&mut self, id: &str) -> Option<&mut Component> {
        if self.indexed > self.components.len() {
            self.reindex_components();
        }
        self.index_new_components();
        let position = match self.component_index.get(id) {
            Some(&position) if self.components.get(position).is_some_and(|c| c.id.value == id) => Some(position),
            Some(_) => {
                self.reindex_components();
                self.component_index.get(id).copied()
            }
            None => self.components.iter().position(|component| component.id.value == id),
        };
        self.components.get_mut(position?)
    }

    fn index_new_components(&mut self) {
        while let Some(component) = self.components.get(self.indexed) {
            self.component_index.entry(component.id.value.clone()).or_insert(self.indexed);
            self.indexed += 1;
        }
    }

    fn reindex_components(&mut self) {
        self.component_index.clear();
        self.indexed = 0;
        self.index_new_components();
    }

    /// Adds a capability (vocabulary term) to a component, once.
    pub fn add_capability(&mut self, id: &str, capability: &str) {
        if let Some(component) = self.component(id) {
            push_unique(&mut component.capabilities, capability);
        }
    }

    /// Adds a control (countermeasure id) to a component, once.
    pub fn add_control(&mut self, id: &str, control: &str) {
        if let Some(component) = self.component(id) {
            push_unique(&mut component.controls, control);
        }
    }

    pub fn add_processes(&mut self, id: &str, data: &str) {
        if let Some(component) = self.component(id) {
            push_unique(&mut component.processes, data);
        }
    }

    pub fn add_tag(&mut self, id: &str, tag: &str) {
        if let Some(component) = self.component(id)
            && !component.tags.iter().any(|t| t == tag)
        {
            component.tags.push(tag.to_string());
        }
    }

    /// Makes a component reachable from the internet (never lowers exposure).
    pub fn expose(&mut self, id: &str, exposure: Exposure) {
        if let Some(component) = self.component(id) {
            component.exposure = component.exposure.max(exposure);
        }
    }

    /// The id of the actor that stands for anyone on the internet, created
    /// on first use.
    pub fn internet(&mut self) -> String {
        if let Some(id) = &self.internet {
            return id.clone();
        }
        let id = self.ids.allocate("internet", "actor");
        self.actors.push(Actor {
            id: located(id.clone()),
            name: Some("Internet".to_string()),
            kind: located("anonymous-visitor"),
            description: Some("Anyone on the internet: where exposed services are reached from.".to_string()),
            ..Actor::default()
        });
        self.internet = Some(id.clone());
        id
    }

    /// A data asset of credentials or keys, created on first use of `key`.
    pub fn secret_asset(&mut self, key: &str, name: String, category: &str, description: String) -> String {
        if let Some(existing) = self.data.iter().find(|asset| asset.name.as_deref() == Some(name.as_str())) {
            return existing.id.value.clone();
        }
        let id = self.ids.allocate(key, "data");
        self.data.push(DataAsset {
            id: located(id.clone()),
            name: Some(name),
            categories: vec![located(category)],
            confidentiality: Rating::High,
            integrity: Rating::Medium,
            availability: Rating::Low,
            description: Some(description),
        });
        id
    }

    /// Adds a flow, or merges it into the one with the same ends and
    /// protocol: the data of both, the weaker encryption, the first source.
    pub fn add_flow(&mut self, flow: FlowSpec) {
        if flow.from == flow.to {
            return;
        }
        let key = (flow.from.clone(), flow.to.clone(), flow.protocol);
        match self.flow_index.get(&key) {
            Some(&index) => {
                let existing = &mut self.flows[index];
                for data in flow.data {
                    if !existing.data.contains(&data) {
                        existing.data.push(data);
                    }
                }
                existing.encrypted = match (existing.encrypted, flow.encrypted) {
                    (Some(true), Some(true)) => Some(true),
                    (Some(false), _) | (_, Some(false)) => Some(false),
                    _ => None,
                };
                if existing.authentication == Authentication::None {
                    existing.authentication = flow.authentication;
                }
            }
            None => {
                self.flow_pairs.insert((flow.from.clone(), flow.to.clone()));
                self.flow_index.insert(key, self.flows.len());
                self.flows.push(flow);
            }
        }
    }

    /// Whether a flow already goes from `from` to `to`, by any protocol.
    pub fn has_flow(&self, from: &str, to: &str) -> bool {
        self.flow_pairs.contains(&(from.to_string(), to.to_string()))
    }

    /// The model, with elements sorted by id (boundaries by nesting, then
    /// id) so that the output does not depend on input order. Flows that
    /// share both ends get `FROM->TO:PROTOCOL` ids.
    pub fn finish(mut self, name: &str, description: String, files: usize) -> IacImport {
        self.components.sort_by(|a, b| a.id.value.cmp(&b.id.value));
        self.data.sort_by(|a, b| a.id.value.cmp(&b.id.value));
        self.boundaries.sort_by(|a, b| (a.parent.is_some(), &a.id.value).cmp(&(b.parent.is_some(), &b.id.value)));
        let mut specs = self.flows;
        specs.sort_by(|a, b| (&a.from, &a.to, a.protocol).cmp(&(&b.from, &b.to, b.protocol)));
        let mut per_pair: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for flow in &specs {
            *per_pair.entry((flow.from.as_str(), flow.to.as_str())).or_default() += 1;
        }
        let flows: Vec<Flow> = specs
            .iter()
            .map(|flow| {
                let shared = per_pair.get(&(flow.from.as_str(), flow.to.as_str())).copied().unwrap_or(0) > 1;
                Flow {
                    id: shared.then(|| located(format!("{}->{}:{}", flow.from, flow.to, flow.protocol))),
                    from: located(flow.from.clone()),
                    to: located(flow.to.clone()),
                    protocol: located(flow.protocol),
                    authentication: flow.authentication,
                    encrypted: flow.encrypted,
                    data: flow.data.iter().map(located).collect(),
                    description: Some(flow.description.clone()),
                    source: Some(flow.source.clone()),
                    ..Flow::default()
                }
            })
            .collect();
        let summary = Summary {
            files,
            components: self.components.len(),
            actors: self.actors.len(),
            flows: flows.len(),
            boundaries: self.boundaries.len(),
            data: self.data.len(),
        };
        let model = Model {
            rampart: Located::synthetic(FORMAT_VERSION),
            name: name.to_string(),
            description: Some(description),
            boundaries: self.boundaries,
            actors: self.actors,
            components: self.components,
            data: self.data,
            flows,
            ..Model::default()
        };
        let mut warnings = self.warnings;
        source::sort(&mut warnings);
        warnings.dedup();
        IacImport { model, warnings, summary }
    }
}

fn push_unique(list: &mut Vec<Located<String>>, term: &str) {
    if !list.iter().any(|existing| existing.value == term) {
        list.push(located(term));
    }
}

/// The catalog type for a host outside the input that a connection of
/// `protocol` reaches: a managed database named by its host, a SaaS API, or
/// (for names under `.internal`, `.corp`, `.local`...) one of the
/// organisation's own services deployed elsewhere.
pub(crate) fn external_kind(host: &str, protocol: &str) -> &'static str {
    let own =
        host.split('.').any(|label| matches!(label, "internal" | "intranet" | "corp" | "lan" | "local" | "private"));
    match protocol {
        "sql" => "relational-database",
        "redis" => "cache",
        "amqp" => "message-queue",
        "kafka" => "event-stream",
        "http" | "https" | "grpc" if own => "service",
        "http" | "https" | "grpc" => "third-party-api",
        _ if own => "service",
        _ => "external-system",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn component(id: &str, name: &str) -> Component {
        Component { id: located(id), name: Some(name.to_string()), ..Component::default() }
    }

    #[test]
    fn components_are_found_after_pushes_and_reorders() {
        let mut builder = ModelBuilder::default();
        builder.components.push(component("web", "first web"));
        builder.components.push(component("db", "db"));
        assert_eq!(builder.component("db").and_then(|c| c.name.clone()).as_deref(), Some("db"));
        // Pushed after the index was built; a repeated id keeps finding the first.
        builder.components.push(component("queue", "queue"));
        builder.components.push(component("web", "second web"));
        assert_eq!(builder.component("queue").and_then(|c| c.name.clone()).as_deref(), Some("queue"));
        assert_eq!(builder.component("web").and_then(|c| c.name.clone()).as_deref(), Some("first web"));
        // Reordered and shortened behind the index's back.
        builder.components.reverse();
        builder.components.truncate(2);
        assert_eq!(builder.component("web").and_then(|c| c.name.clone()).as_deref(), Some("second web"));
        assert_eq!(builder.component("queue").and_then(|c| c.name.clone()).as_deref(), Some("queue"));
        assert!(builder.component("db").is_none());
    }

    #[test]
    fn has_flow_sees_every_protocol_between_two_ends() {
        let mut builder = ModelBuilder::default();
        let flow = |protocol| FlowSpec {
            from: "web".into(),
            to: "db".into(),
            protocol,
            encrypted: None,
            authentication: Authentication::None,
            data: Vec::new(),
            source: SourceRef::default(),
            description: String::new(),
        };
        builder.add_flow(flow("sql"));
        builder.add_flow(flow("https"));
        assert!(builder.has_flow("web", "db"));
        assert!(!builder.has_flow("db", "web"));
    }
}
