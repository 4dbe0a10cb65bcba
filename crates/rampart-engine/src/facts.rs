//! The model bound to the knowledge base: every element, flow and data asset
//! with its names resolved to indices and its derived facts (zone trust,
//! reachability, effective controls) computed once, before any rule runs.

use crate::HashMap;
use fixedbitset::FixedBitSet;
use rampart_kb::{ElementCategory, KnowledgeBase};
use rampart_model::{Authentication, Authorization, Exposure, Model, Position, Rating, Trust};

pub struct Node<'m> {
    pub id: &'m str,
    pub name: &'m str,
    pub kind: Option<usize>,
    pub category: ElementCategory,
    pub exposure: Exposure,
    pub zone: Option<usize>,
    pub zone_trust: Trust,
    pub capabilities: FixedBitSet,
    pub accepts: FixedBitSet,
    /// Own controls, those of every enclosing boundary, and model-wide ones.
    pub controls: FixedBitSet,
    pub stores: Vec<usize>,
    pub processes: Vec<usize>,
    pub technology: String,
    pub inbound: Vec<usize>,
    pub outbound: Vec<usize>,
    pub reachable_from_untrusted: bool,
    /// The forwarder (proxy, gateway) through which it is reachable, when it
    /// is not reachable directly.
    pub reachable_via: Option<usize>,
    pub at: Position,
    /// Where an importer found the element (IaC file, line, resource).
    pub source: Option<&'m rampart_model::SourceRef>,
}

pub struct FlowFact<'m> {
    /// Declared, or `FROM->TO` (then made here, once per flow).
    pub id: std::borrow::Cow<'m, str>,
    pub name: Option<&'m str>,
    pub from: usize,
    pub to: usize,
    pub protocol: Option<usize>,
    pub encrypted: bool,
    pub authentication: Authentication,
    pub authorization: Authorization,
    pub crosses_boundary: bool,
    pub from_less_trusted: bool,
    /// From a less trusted zone that is untrusted or partner: the flow
    /// exposes its receiver to outsiders.
    pub from_outsiders: bool,
    pub data: Vec<usize>,
    /// The flow's own controls and its receiver's.
    pub controls: FixedBitSet,
    pub at: Position,
    pub source: Option<&'m rampart_model::SourceRef>,
}

pub struct DataFact<'m> {
    pub id: &'m str,
    pub name: &'m str,
    pub categories: FixedBitSet,
    pub confidentiality: Rating,
    pub integrity: Rating,
    pub availability: Rating,
    pub stored_in: Vec<usize>,
    pub carried_by: Vec<usize>,
    pub at: Position,
}

pub struct Facts<'m> {
    pub nodes: Vec<Node<'m>>,
    pub flows: Vec<FlowFact<'m>>,
    pub data: Vec<DataFact<'m>>,
    pub model_controls: FixedBitSet,
    pub boundary_names: Vec<&'m str>,
}

fn term_set(table: &rampart_kb::TermTable, terms: &[rampart_model::Located<String>]) -> FixedBitSet {
    let mut set = table.empty_set();
    for term in terms {
        if let Some(index) = table.get(&term.value) {
            set.insert(index);
        }
    }
    set
}

fn control_set(kb: &KnowledgeBase, controls: &[rampart_model::Located<String>]) -> FixedBitSet {
    let mut set = FixedBitSet::with_capacity(kb.countermeasures.len());
    for control in controls {
        if let Some(index) = kb.countermeasure(&control.value) {
            set.insert(index);
        }
    }
    set
}

/// Binds `model` to `kb`. References that do not resolve (a model that failed
/// validation) are skipped rather than trusted, so binding never panics.
pub fn bind<'m>(model: &'m Model, kb: &KnowledgeBase) -> Facts<'m> {
    let model_controls = control_set(kb, &model.controls);

    // Boundaries: index, trust, and controls inherited down the nesting.
    let boundary_index: HashMap<&str, usize> =
        model.boundaries.iter().enumerate().map(|(i, b)| (b.id.value.as_str(), i)).collect();
    let parent: Vec<Option<usize>> = model
        .boundaries
        .iter()
        .map(|b| b.parent.as_ref().and_then(|p| boundary_index.get(p.value.as_str()).copied()))
        .collect();
    let boundary_controls: Vec<FixedBitSet> = (0..model.boundaries.len())
        .map(|start| {
            let mut set = control_set(kb, &model.boundaries[start].controls);
            // Walk up at most `len` steps so a cycle (already an error) cannot loop.
            let mut current = parent[start];
            for _ in 0..model.boundaries.len() {
                let Some(index) = current else { break };
                set.union_with(&control_set(kb, &model.boundaries[index].controls));
                current = parent[index];
            }
            set
        })
        .collect();

    let data_index: HashMap<&str, usize> =
        model.data.iter().enumerate().map(|(i, d)| (d.id.value.as_str(), i)).collect();
    let resolve_data = |ids: &[rampart_model::Located<String>]| -> Vec<usize> {
        ids.iter().filter_map(|id| data_index.get(id.value.as_str()).copied()).collect()
    };

    let mut nodes: Vec<Node<'m>> = Vec::with_capacity(model.actors.len() + model.components.len());
    let zone_of = |boundary: &Option<rampart_model::Located<String>>| {
        boundary.as_ref().and_then(|b| boundary_index.get(b.value.as_str()).copied())
    };
    let controls_for = |own: &[rampart_model::Located<String>], zone: Option<usize>| {
        let mut set = control_set(kb, own);
        set.union_with(&model_controls);
        if let Some(zone) = zone {
            set.union_with(&boundary_controls[zone]);
        }
        set
    };
    for actor in &model.actors {
        let kind = kb.component_type(&actor.kind.value);
        let category = kind.map(|k| kb.component_types[k].category).unwrap_or(ElementCategory::Actor);
        let zone = zone_of(&actor.boundary);
        nodes.push(Node {
            id: &actor.id.value,
            name: actor.name.as_deref().unwrap_or(&actor.id.value),
            kind,
            category,
            exposure: Exposure::Internal,
            zone,
            zone_trust: zone_trust(zone, kind, category, model, kb),
            capabilities: kb.capabilities.empty_set(),
            accepts: kb.data_formats.empty_set(),
            controls: controls_for(&actor.controls, zone),
            stores: Vec::new(),
            processes: Vec::new(),
            technology: String::new(),
            inbound: Vec::new(),
            outbound: Vec::new(),
            reachable_from_untrusted: false,
            reachable_via: None,
            at: actor.id.at,
            source: None,
        });
    }
    for component in &model.components {
        let kind = kb.component_type(&component.kind.value);
        let category = kind.map(|k| kb.component_types[k].category).unwrap_or(ElementCategory::Process);
        let zone = zone_of(&component.boundary);
        let mut capabilities = term_set(&kb.capabilities, &component.capabilities);
        let mut accepts = term_set(&kb.data_formats, &component.accepts);
        if let Some(kind) = kind {
            capabilities.union_with(&kb.component_types[kind].capabilities);
            accepts.union_with(&kb.component_types[kind].accepts);
        }
        nodes.push(Node {
            id: &component.id.value,
            name: component.name.as_deref().unwrap_or(&component.id.value),
            kind,
            category,
            exposure: component.exposure,
            zone,
            zone_trust: zone_trust(zone, kind, category, model, kb),
            capabilities,
            accepts,
            controls: controls_for(&component.controls, zone),
            stores: resolve_data(&component.stores),
            processes: resolve_data(&component.processes),
            technology: component.technology.as_deref().unwrap_or("").to_lowercase(),
            inbound: Vec::new(),
            outbound: Vec::new(),
            reachable_from_untrusted: component.exposure != Exposure::Internal,
            reachable_via: None,
            at: component.id.at,
            source: component.source.as_ref(),
        });
    }
    let node_index: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();

    let mut flows = Vec::with_capacity(model.flows.len());
    for flow in &model.flows {
        let (Some(&from), Some(&to)) =
            (node_index.get(flow.from.value.as_str()), node_index.get(flow.to.value.as_str()))
        else {
            continue;
        };
        let protocol = kb.protocols.get(&flow.protocol.value);
        let encrypted = flow.encrypted.unwrap_or_else(|| protocol.is_some_and(|p| kb.protocol_encrypted[p]));
        let mut controls = control_set(kb, &flow.controls);
        controls.union_with(&nodes[to].controls);
        let index = flows.len();
        nodes[from].outbound.push(index);
        nodes[to].inbound.push(index);
        let from_less_trusted = nodes[from].zone_trust < nodes[to].zone_trust;
        // Exposure means outsiders can reach it: a call from an internal zone
        // into a restricted one crosses trust, but does not expose the target.
        let from_outsiders = from_less_trusted && nodes[from].zone_trust <= Trust::Partner;
        if from_outsiders {
            nodes[to].reachable_from_untrusted = true;
        }
        let at = flow.id.as_ref().map(|id| id.at).filter(Position::is_known).unwrap_or(flow.from.at);
        flows.push(FlowFact {
            id: match &flow.id {
                Some(id) => std::borrow::Cow::Borrowed(id.value.as_str()),
                None => std::borrow::Cow::Owned(flow.id()),
            },
            name: flow.name.as_deref(),
            from,
            to,
            protocol,
            encrypted,
            authentication: flow.authentication,
            authorization: flow.authorization,
            crosses_boundary: nodes[from].zone != nodes[to].zone,
            from_less_trusted,
            from_outsiders,
            data: resolve_data(&flow.data),
            controls,
            at,
            source: flow.source.as_ref(),
        });
    }

    propagate_reachability(&mut nodes, &flows, kb);

    let mut data: Vec<DataFact<'m>> = model
        .data
        .iter()
        .map(|asset| DataFact {
            id: &asset.id.value,
            name: asset.name.as_deref().unwrap_or(&asset.id.value),
            categories: term_set(&kb.data_categories, &asset.categories),
            confidentiality: asset.confidentiality,
            integrity: asset.integrity,
            availability: asset.availability,
            stored_in: Vec::new(),
            carried_by: Vec::new(),
            at: asset.id.at,
        })
        .collect();
    for (index, node) in nodes.iter().enumerate() {
        for &asset in &node.stores {
            data[asset].stored_in.push(index);
        }
    }
    for (index, flow) in flows.iter().enumerate() {
        for &asset in &flow.data {
            data[asset].carried_by.push(index);
        }
    }

    Facts {
        nodes,
        flows,
        data,
        model_controls,
        boundary_names: model.boundaries.iter().map(|b| b.name.as_deref().unwrap_or(&b.id.value)).collect(),
    }
}

/// The trust of an element's zone. Outside every boundary it is the type's
/// default: people, outside systems and code on users' devices are
/// untrusted, the system's own components internal, so a model drawn without
/// boundaries still separates its users from its services.
fn zone_trust(
    zone: Option<usize>,
    kind: Option<usize>,
    category: ElementCategory,
    model: &Model,
    kb: &KnowledgeBase,
) -> Trust {
    match (zone, kind) {
        (Some(index), _) => model.boundaries[index].trust,
        (None, Some(kind)) => kb.component_types[kind].default_trust,
        (None, None) if matches!(category, ElementCategory::Actor | ElementCategory::External) => Trust::Untrusted,
        (None, None) => Trust::Internal,
    }
}

/// Whoever reaches a forwarding element (proxy, gateway, CDN) reaches what
/// it forwards to; marks those targets reachable, through chains of
/// forwarders.
fn propagate_reachability(nodes: &mut [Node], flows: &[FlowFact], kb: &KnowledgeBase) {
    let forwards = |node: &Node| node.kind.is_some_and(|kind| kb.component_types[kind].forwards_traffic);
    let mut pending: Vec<usize> =
        (0..nodes.len()).filter(|&i| nodes[i].reachable_from_untrusted && forwards(&nodes[i])).collect();
    while let Some(forwarder) = pending.pop() {
        for index in 0..nodes[forwarder].outbound.len() {
            let target = flows[nodes[forwarder].outbound[index]].to;
            if !nodes[target].reachable_from_untrusted {
                nodes[target].reachable_from_untrusted = true;
                nodes[target].reachable_via = Some(forwarder);
                if forwards(&nodes[target]) {
                    pending.push(target);
                }
            }
        }
    }
}

impl<'m> Facts<'m> {
    /// Elements, flows and data assets numbered in one sequence (elements
    /// first, then flows, then data): what recorded reads are kept as.
    pub fn slots(&self) -> usize {
        self.nodes.len() + self.flows.len() + self.data.len()
    }

    pub fn slot_of_flow(&self, flow: usize) -> usize {
        self.nodes.len() + flow
    }

    pub fn slot_of_data(&self, asset: usize) -> usize {
        self.nodes.len() + self.flows.len() + asset
    }

    /// Data assets an element stores, processes, or exchanges on its flows.
    pub fn handled_data(&self, node: usize) -> Vec<usize> {
        let node = &self.nodes[node];
        let mut assets: Vec<usize> = node.stores.iter().chain(&node.processes).copied().collect();
        for &flow in node.inbound.iter().chain(&node.outbound) {
            assets.extend_from_slice(&self.flows[flow].data);
        }
        assets.sort_unstable();
        assets.dedup();
        assets
    }
}
