//! Evaluating compiled conditions against bound facts.
//!
//! Each function answers true or false; when given a `because` list it also
//! records, in words, the facts that made the condition true. Rules are first
//! evaluated without explanations (the hot path) and re-evaluated with them
//! only for the few subjects that match.

use std::cell::RefCell;

use fixedbitset::FixedBitSet;
use rampart_kb::describe;
use rampart_kb::{DataCond, ElementCond, FlowCond, KnowledgeBase, ModelCond};
use rampart_model::Rating;

use crate::facts::{DataFact, Facts, FlowFact, Node};

pub struct Evaluator<'a, 'm> {
    pub facts: &'a Facts<'m>,
    pub kb: &'a KnowledgeBase,
    /// When set, every element, flow and data asset whose facts are looked
    /// at is marked here (by its slot, [`Facts::slot_of_flow`] and
    /// [`Facts::slot_of_data`]): what a subject's threats depend on, so that
    /// a later version need not re-evaluate it when none of them changed.
    pub reads: Option<&'a RefCell<FixedBitSet>>,
}

fn note(because: &mut Option<&mut Vec<String>>, fact: impl FnOnce() -> String) {
    if let Some(list) = because.as_deref_mut() {
        list.push(fact());
    }
}

fn kebab<T: std::fmt::Debug>(value: &T) -> String {
    describe::kebab(&format!("{value:?}"))
}

impl<'a, 'm> Evaluator<'a, 'm> {
    fn mark(&self, slot: usize) {
        if let Some(reads) = self.reads {
            reads.borrow_mut().insert(slot);
        }
    }

    /// The facts of element `index`. Every look at another element, flow or
    /// data asset goes through these three, so that recorded reads are complete.
    fn node(&self, index: usize) -> &'a Node<'m> {
        self.mark(index);
        &self.facts.nodes[index]
    }

    fn flow_fact(&self, index: usize) -> &'a FlowFact<'m> {
        self.mark(self.facts.slot_of_flow(index));
        &self.facts.flows[index]
    }

    fn asset(&self, index: usize) -> &'a DataFact<'m> {
        self.mark(self.facts.slot_of_data(index));
        &self.facts.data[index]
    }

    /// [`Facts::handled_data`], with the flows it looks at marked as read.
    fn handled_data(&self, index: usize) -> Vec<usize> {
        let node = self.node(index);
        for &flow in node.inbound.iter().chain(&node.outbound) {
            self.flow_fact(flow);
        }
        self.facts.handled_data(index)
    }

    fn first_set_name<'t>(
        set: &fixedbitset::FixedBitSet,
        other: &fixedbitset::FixedBitSet,
        names: &'t [String],
    ) -> &'t str {
        set.intersection(other).next().and_then(|i| names.get(i)).map(String::as_str).unwrap_or("?")
    }

    pub fn element(&self, condition: &ElementCond, index: usize, mut because: Option<&mut Vec<String>>) -> bool {
        let node = self.node(index);
        let id = node.id;
        match condition {
            ElementCond::Listed(ids) => {
                let holds = ids.iter().any(|listed| listed == id);
                if holds {
                    note(&mut because, || format!("the model lists this threat against `{id}`"));
                }
                holds
            }
            ElementCond::All(items) => items.iter().all(|item| self.element(item, index, because.as_deref_mut())),
            // Only the first true alternative explains the match; false ones
            // are tried without recording, so no partial facts leak in.
            ElementCond::Any(items) => match items.iter().find(|item| self.element(item, index, None)) {
                Some(item) => because.is_none() || self.element(item, index, because),
                None => false,
            },
            ElementCond::Not(inner) => {
                let holds = !self.element(inner, index, None);
                if holds {
                    note(&mut because, || format!("`{id}` {}", describe::negated_element(inner, self.kb)));
                }
                holds
            }
            ElementCond::Kind(set) => {
                let holds = node.kind.is_some_and(|kind| set.contains(kind));
                if holds {
                    note(&mut because, || format!("`{id}` is of type `{}`", self.kind_name(index)));
                }
                holds
            }
            ElementCond::Trait(set) => {
                let Some(kind) = node.kind else { return false };
                let traits = &self.kb.component_types[kind].traits;
                let holds = !set.is_disjoint(traits);
                if holds {
                    note(&mut because, || {
                        let name = Self::first_set_name(set, traits, &self.kb.traits.names);
                        format!("`{id}` is of type `{}`, which is `{name}`", self.kind_name(index))
                    });
                }
                holds
            }
            ElementCond::Category(values) => {
                let holds = values.contains(&node.category);
                if holds {
                    note(&mut because, || format!("`{id}` is a {}", kebab(&node.category)));
                }
                holds
            }
            ElementCond::Capability(set) => {
                let holds = !set.is_disjoint(&node.capabilities);
                if holds {
                    note(&mut because, || {
                        let name = Self::first_set_name(set, &node.capabilities, &self.kb.capabilities.names);
                        format!("`{id}` has capability `{name}`")
                    });
                }
                holds
            }
            ElementCond::Accepts(set) => {
                let holds = !set.is_disjoint(&node.accepts);
                if holds {
                    note(&mut because, || {
                        let name = Self::first_set_name(set, &node.accepts, &self.kb.data_formats.names);
                        format!("`{id}` accepts `{name}`")
                    });
                }
                holds
            }
            ElementCond::Exposure(values) => {
                let holds = values.contains(&node.exposure);
                if holds {
                    note(&mut because, || format!("`{id}` is exposed to `{}`", kebab(&node.exposure)));
                }
                holds
            }
            ElementCond::ReachableFromUntrusted(expected) => {
                let holds = node.reachable_from_untrusted == *expected;
                if holds {
                    note(&mut because, || self.reachability_fact(index));
                }
                holds
            }
            ElementCond::ZoneTrust(values) => {
                let holds = values.contains(&node.zone_trust);
                if holds {
                    note(&mut because, || format!("`{id}` sits in a zone of trust `{}`", kebab(&node.zone_trust)));
                }
                holds
            }
            ElementCond::Technology(needles) => {
                let found = needles.iter().find(|needle| node.technology.contains(needle.as_str()));
                if let Some(needle) = found {
                    note(&mut because, || format!("`{id}` runs `{needle}`"));
                }
                found.is_some()
            }
            ElementCond::Stores(inner) => {
                self.any_data(inner, node.stores.iter().copied(), because, |name| format!("`{id}` stores `{name}`"))
            }
            ElementCond::Handles(inner) => {
                if because.is_none() {
                    // The hot path: no list to build, duplicates are harmless.
                    let flows = node.inbound.iter().chain(&node.outbound);
                    let mut assets = node
                        .stores
                        .iter()
                        .chain(&node.processes)
                        .chain(flows.flat_map(|&flow| self.flow_fact(flow).data.iter()));
                    return assets.any(|&asset| self.data(inner, asset, None));
                }
                let handled = self.handled_data(index);
                self.any_data(inner, handled.into_iter(), because, |name| format!("`{id}` handles `{name}`"))
            }
            ElementCond::Inbound(inner) => {
                self.any_flow(inner, node.inbound.iter().copied(), because, |flow| format!("inbound flow `{flow}`"))
            }
            ElementCond::Outbound(inner) => {
                self.any_flow(inner, node.outbound.iter().copied(), because, |flow| format!("outbound flow `{flow}`"))
            }
            ElementCond::HasControl(set) => {
                let holds = !set.is_disjoint(&node.controls);
                if holds {
                    note(&mut because, || {
                        let names: Vec<String> = self.kb.countermeasures.iter().map(|c| c.id.clone()).collect();
                        format!("`{id}` has control `{}`", Self::first_set_name(set, &node.controls, &names))
                    });
                }
                holds
            }
        }
    }

    fn kind_name(&self, index: usize) -> &str {
        self.node(index).kind.map(|kind| self.kb.component_types[kind].id.as_str()).unwrap_or("?")
    }

    fn reachability_fact(&self, index: usize) -> String {
        let node = self.node(index);
        if !node.reachable_from_untrusted {
            return format!("`{}` is reachable only from zones trusted as much as its own", node.id);
        }
        if node.exposure != rampart_model::Exposure::Internal {
            return format!("`{}` is exposed to `{}`", node.id, kebab(&node.exposure));
        }
        if let Some(forwarder) = node.reachable_via {
            return format!(
                "`{}` is reachable from a less trusted zone through `{}`, which forwards traffic to it",
                node.id,
                self.node(forwarder).id
            );
        }
        let flow = node.inbound.iter().map(|&f| self.flow_fact(f)).find(|flow| flow.from_outsiders);
        match flow {
            Some(flow) => {
                let source = self.node(flow.from);
                format!(
                    "`{}` is reached from the less trusted `{}` ({} zone) by flow `{}`",
                    node.id,
                    source.id,
                    kebab(&source.zone_trust),
                    flow.id
                )
            }
            None => format!("`{}` is reachable from a less trusted zone", node.id),
        }
    }

    fn any_flow(
        &self,
        condition: &FlowCond,
        flows: impl Iterator<Item = usize>,
        mut because: Option<&mut Vec<String>>,
        label: impl Fn(&str) -> String,
    ) -> bool {
        for flow in flows {
            if self.flow(condition, flow, None) {
                if let Some(list) = because.as_deref_mut() {
                    let mut inner = Vec::new();
                    self.flow(condition, flow, Some(&mut inner));
                    list.push(format!("{}: {}", label(&self.flow_fact(flow).id), inner.join("; ")));
                }
                return true;
            }
        }
        false
    }

    fn any_data(
        &self,
        condition: &DataCond,
        assets: impl Iterator<Item = usize>,
        mut because: Option<&mut Vec<String>>,
        label: impl Fn(&str) -> String,
    ) -> bool {
        for asset in assets {
            if self.data(condition, asset, None) {
                if let Some(list) = because.as_deref_mut() {
                    let mut inner = Vec::new();
                    self.data(condition, asset, Some(&mut inner));
                    list.push(format!("{}: {}", label(self.asset(asset).id), inner.join("; ")));
                }
                return true;
            }
        }
        false
    }

    pub fn flow(&self, condition: &FlowCond, index: usize, mut because: Option<&mut Vec<String>>) -> bool {
        let flow = self.flow_fact(index);
        let id = flow.id.as_ref();
        match condition {
            FlowCond::Listed(ids) => {
                let holds = ids.iter().any(|listed| listed == id);
                if holds {
                    note(&mut because, || format!("the model lists this threat against `{id}`"));
                }
                holds
            }
            FlowCond::All(items) => items.iter().all(|item| self.flow(item, index, because.as_deref_mut())),
            FlowCond::Any(items) => match items.iter().find(|item| self.flow(item, index, None)) {
                Some(item) => because.is_none() || self.flow(item, index, because),
                None => false,
            },
            FlowCond::Not(inner) => {
                let holds = !self.flow(inner, index, None);
                if holds {
                    note(&mut because, || format!("`{id}` {}", describe::negated_flow(inner, self.kb)));
                }
                holds
            }
            FlowCond::Protocol(set) => {
                let holds = flow.protocol.is_some_and(|p| set.contains(p));
                if holds {
                    note(&mut because, || {
                        let name = flow.protocol.map(|p| self.kb.protocols.names[p].as_str()).unwrap_or("?");
                        format!("`{id}` uses `{name}`")
                    });
                }
                holds
            }
            FlowCond::Encrypted(expected) => {
                let holds = flow.encrypted == *expected;
                if holds {
                    note(&mut because, || {
                        format!("`{id}` is {}", if flow.encrypted { "encrypted" } else { "not encrypted" })
                    });
                }
                holds
            }
            FlowCond::Authentication(values) => {
                let holds = values.contains(&flow.authentication);
                if holds {
                    note(&mut because, || format!("`{id}` authenticates with `{}`", kebab(&flow.authentication)));
                }
                holds
            }
            FlowCond::Authorization(values) => {
                let holds = values.contains(&flow.authorization);
                if holds {
                    note(&mut because, || format!("`{id}` authorizes with `{}`", kebab(&flow.authorization)));
                }
                holds
            }
            FlowCond::CrossesBoundary(expected) => {
                let holds = flow.crosses_boundary == *expected;
                if holds {
                    note(&mut because, || {
                        let zone = |node: usize| {
                            self.node(node).zone.map(|z| self.facts.boundary_names[z]).unwrap_or("outside")
                        };
                        if flow.crosses_boundary {
                            format!("`{id}` crosses from `{}` into `{}`", zone(flow.from), zone(flow.to))
                        } else {
                            format!("`{id}` stays inside `{}`", zone(flow.to))
                        }
                    });
                }
                holds
            }
            FlowCond::FromLessTrusted(expected) => {
                let holds = flow.from_less_trusted == *expected;
                if holds {
                    note(&mut because, || {
                        let (from, to) = (self.node(flow.from), self.node(flow.to));
                        let relation = if flow.from_less_trusted { "less" } else { "not less" };
                        format!(
                            "`{id}` comes from `{}` ({} zone), {relation} trusted than `{}` ({} zone)",
                            from.id,
                            kebab(&from.zone_trust),
                            to.id,
                            kebab(&to.zone_trust)
                        )
                    });
                }
                holds
            }
            FlowCond::From(inner) => self.element(inner, flow.from, because),
            FlowCond::To(inner) => self.element(inner, flow.to, because),
            FlowCond::Carries(inner) => {
                self.any_data(inner, flow.data.iter().copied(), because, |name| format!("`{id}` carries `{name}`"))
            }
            FlowCond::HasControl(set) => {
                let holds = !set.is_disjoint(&flow.controls);
                if holds {
                    note(&mut because, || {
                        let names: Vec<String> = self.kb.countermeasures.iter().map(|c| c.id.clone()).collect();
                        format!("`{id}` has control `{}`", Self::first_set_name(set, &flow.controls, &names))
                    });
                }
                holds
            }
        }
    }

    pub fn data(&self, condition: &DataCond, index: usize, mut because: Option<&mut Vec<String>>) -> bool {
        let asset = self.asset(index);
        let id = asset.id;
        let rated = |because: &mut Option<&mut Vec<String>>, what: &str, actual: Rating, minimum: Rating| {
            let holds = actual >= minimum;
            if holds {
                note(because, || format!("`{id}` has {what} `{}`", kebab(&actual)));
            }
            holds
        };
        match condition {
            DataCond::Listed(ids) => {
                let holds = ids.iter().any(|listed| listed == id);
                if holds {
                    note(&mut because, || format!("the model lists this threat against `{id}`"));
                }
                holds
            }
            DataCond::All(items) => items.iter().all(|item| self.data(item, index, because.as_deref_mut())),
            DataCond::Any(items) => match items.iter().find(|item| self.data(item, index, None)) {
                Some(item) => because.is_none() || self.data(item, index, because),
                None => false,
            },
            DataCond::Not(inner) => {
                let holds = !self.data(inner, index, None);
                if holds {
                    note(&mut because, || format!("`{id}` does not meet: {}", describe::data(inner, self.kb)));
                }
                holds
            }
            DataCond::Category(set) => {
                let holds = !set.is_disjoint(&asset.categories);
                if holds {
                    note(&mut because, || {
                        let name = Self::first_set_name(set, &asset.categories, &self.kb.data_categories.names);
                        format!("`{id}` is `{name}` data")
                    });
                }
                holds
            }
            DataCond::Confidentiality(minimum) => {
                rated(&mut because, "confidentiality", asset.confidentiality, *minimum)
            }
            DataCond::Integrity(minimum) => rated(&mut because, "integrity", asset.integrity, *minimum),
            DataCond::Availability(minimum) => rated(&mut because, "availability", asset.availability, *minimum),
            DataCond::StoredIn(inner) => {
                for &node in &asset.stored_in {
                    if self.element(inner, node, None) {
                        if let Some(list) = because.as_deref_mut() {
                            list.push(format!("`{id}` is stored in `{}`", self.node(node).id));
                            self.element(inner, node, Some(list));
                        }
                        return true;
                    }
                }
                false
            }
            DataCond::CarriedBy(inner) => self.any_flow(inner, asset.carried_by.iter().copied(), because, |flow| {
                format!("`{id}` travels on `{flow}`")
            }),
        }
    }

    pub fn model(&self, condition: &ModelCond, mut because: Option<&mut Vec<String>>) -> bool {
        match condition {
            ModelCond::All(items) => items.iter().all(|item| self.model(item, because.as_deref_mut())),
            ModelCond::Any(items) => match items.iter().find(|item| self.model(item, None)) {
                Some(item) => because.is_none() || self.model(item, because),
                None => false,
            },
            ModelCond::Not(inner) => {
                let holds = !self.model(inner, None);
                if holds {
                    note(&mut because, || format!("the model does not meet: {}", describe::model(inner, self.kb)));
                }
                holds
            }
            ModelCond::AnyElement(inner) => {
                let found = (0..self.facts.nodes.len()).find(|&node| self.element(inner, node, None));
                if let (Some(node), Some(list)) = (found, because.as_deref_mut()) {
                    self.element(inner, node, Some(list));
                }
                found.is_some()
            }
            ModelCond::AnyFlow(inner) => {
                let found = (0..self.facts.flows.len()).find(|&flow| self.flow(inner, flow, None));
                if let (Some(flow), Some(list)) = (found, because.as_deref_mut()) {
                    self.flow(inner, flow, Some(list));
                }
                found.is_some()
            }
            ModelCond::AnyData(inner) => {
                let found = (0..self.facts.data.len()).find(|&asset| self.data(inner, asset, None));
                if let (Some(asset), Some(list)) = (found, because.as_deref_mut()) {
                    self.data(inner, asset, Some(list));
                }
                found.is_some()
            }
            ModelCond::HasControl(set) => {
                let holds = !set.is_disjoint(&self.facts.model_controls);
                if holds {
                    note(&mut because, || "the model declares the control model-wide".to_string());
                }
                holds
            }
        }
    }
}
