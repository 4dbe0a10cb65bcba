//! What a diagram shows: the elements, boundaries and flows a [`View`] keeps,
//! with each element's shape and the worst severity of its unresolved threats.

use std::collections::{HashMap, HashSet, VecDeque};

use rampart_engine::{Analysis, Severity, TargetKind};
use rampart_kb::KnowledgeBase;
use rampart_kb::files::ElementCategory;
use rampart_model::{Authentication, Model};

use crate::{Options, View};

/// How an element is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// A person: a pill with a person glyph.
    Actor,
    /// Runs code: a rounded rectangle.
    Process,
    /// Keeps data: an open-ended store (parallel lines).
    Datastore,
    /// A system outside the modelled one: a double-bordered box.
    External,
}

impl Shape {
    pub fn label(self) -> &'static str {
        match self {
            Shape::Actor => "actor",
            Shape::Process => "process",
            Shape::Datastore => "data store",
            Shape::External => "external system",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Node {
    pub id: String,
    pub label: String,
    pub kind: String,
    pub shape: Shape,
    /// Worst current severity of the element's unresolved threats.
    pub severity: Option<Severity>,
    /// Index into [`Scene::clusters`].
    pub cluster: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub id: String,
    pub label: String,
    pub trust: &'static str,
    pub parent: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub id: String,
    /// Indices into [`Scene::nodes`].
    pub from: usize,
    pub to: usize,
    pub protocol: String,
    pub data: Vec<String>,
    pub encrypted: bool,
    pub authenticated: bool,
}

impl Edge {
    /// `https: order, card`.
    pub fn label(&self) -> String {
        if self.data.is_empty() {
            self.protocol.clone()
        } else {
            format!("{}: {}", self.protocol, self.data.join(", "))
        }
    }
}

#[derive(Clone, Debug)]
pub struct Scene {
    pub title: String,
    /// What part of the model is shown, in words.
    pub view: String,
    pub nodes: Vec<Node>,
    pub clusters: Vec<Cluster>,
    pub edges: Vec<Edge>,
}

/// Protocols that encrypt by themselves, for when no library is at hand.
const ENCRYPTED_PROTOCOLS: &[&str] =
    &["https", "tls", "ssh", "sftp", "wss", "grpcs", "mqtts", "amqps", "ldaps", "smtps", "imaps", "ftps", "mutual-tls"];

fn trust_label(trust: rampart_model::Trust) -> &'static str {
    match trust {
        rampart_model::Trust::Untrusted => "untrusted",
        rampart_model::Trust::Partner => "partner",
        rampart_model::Trust::Internal => "internal",
        rampart_model::Trust::Restricted => "restricted",
    }
}

fn shape_of(kind: &str, is_actor: bool, kb: Option<&KnowledgeBase>) -> Shape {
    let category = kb.and_then(|kb| kb.component_type(kind).map(|index| kb.component_types[index].category));
    match category {
        Some(ElementCategory::Process) => Shape::Process,
        Some(ElementCategory::Datastore) => Shape::Datastore,
        Some(ElementCategory::External) => Shape::External,
        Some(ElementCategory::Actor) => Shape::Actor,
        None if is_actor && (kind.contains("system") || kind.contains("service")) => Shape::External,
        None if is_actor => Shape::Actor,
        None if ["database", "store", "bucket", "queue", "cache", "storage"].iter().any(|w| kind.contains(w)) => {
            Shape::Datastore
        }
        None => Shape::Process,
    }
}

/// Checks that the ids a view names exist, with a suggestion when one does not.
pub fn check(model: &Model, view: &View) -> Result<(), String> {
    match view {
        View::All => Ok(()),
        View::Boundary(id) => {
            let known: Vec<&str> = model.boundaries.iter().map(|b| b.id.value.as_str()).collect();
            if known.contains(&id.as_str()) { Ok(()) } else { Err(unknown("boundary", id, &known)) }
        }
        View::Around { id, .. } => {
            let known: Vec<&str> = model
                .actors
                .iter()
                .map(|a| a.id.value.as_str())
                .chain(model.components.iter().map(|c| c.id.value.as_str()))
                .collect();
            if known.contains(&id.as_str()) { Ok(()) } else { Err(unknown("element", id, &known)) }
        }
    }
}

fn unknown(what: &str, id: &str, known: &[&str]) -> String {
    let nearest = known
        .iter()
        .map(|k| (strsim::jaro_winkler(id, k), *k))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)));
    match nearest {
        Some((_, k)) => format!("unknown {what} `{id}`; did you mean `{k}`?"),
        None if known.is_empty() => format!("unknown {what} `{id}`; the model has none"),
        None => {
            let mut list: Vec<&str> = known.iter().take(12).copied().collect();
            if known.len() > 12 {
                list.push("…");
            }
            format!("unknown {what} `{id}`; the model has: {}", list.join(", "))
        }
    }
}

impl Scene {
    pub fn build(model: &Model, analysis: &Analysis, options: &Options) -> Scene {
        let kb = options.kb;
        let mut severity: HashMap<&str, Severity> = HashMap::new();
        for threat in &analysis.threats {
            if threat.target.kind == TargetKind::Element && threat.is_unresolved() {
                let entry = severity.entry(threat.target.id.as_str()).or_insert(threat.current.severity);
                *entry = (*entry).max(threat.current.severity);
            }
        }

        // Every element: (id, label, kind, is actor, boundary).
        let elements: Vec<(&str, &str, &str, bool, Option<&str>)> = model
            .actors
            .iter()
            .map(|a| {
                let id = a.id.value.as_str();
                (
                    id,
                    a.name.as_deref().unwrap_or(id),
                    a.kind.value.as_str(),
                    true,
                    a.boundary.as_ref().map(|b| b.value.as_str()),
                )
            })
            .chain(model.components.iter().map(|c| {
                let id = c.id.value.as_str();
                (
                    id,
                    c.name.as_deref().unwrap_or(id),
                    c.kind.value.as_str(),
                    false,
                    c.boundary.as_ref().map(|b| b.value.as_str()),
                )
            }))
            .collect();
        let parent_of: HashMap<&str, Option<&str>> = model
            .boundaries
            .iter()
            .map(|b| (b.id.value.as_str(), b.parent.as_ref().map(|p| p.value.as_str())))
            .collect();
        // Ancestors of a boundary, itself first; cycles (an invalid model) end the walk.
        let chain = |start: &str| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            let mut current = Some(start);
            while let Some(id) = current {
                if out.iter().any(|seen| seen == id) || !parent_of.contains_key(id) {
                    break;
                }
                out.push(id.to_string());
                current = parent_of.get(id).copied().flatten();
            }
            out
        };

        let (kept_elements, kept_boundaries, view): (HashSet<&str>, HashSet<String>, String) = match &options.view {
            View::All => (
                elements.iter().map(|e| e.0).collect(),
                model.boundaries.iter().map(|b| b.id.value.clone()).collect(),
                "whole model".to_string(),
            ),
            View::Boundary(root) => {
                let inside: HashSet<String> =
                    parent_of.keys().filter(|b| chain(b).iter().any(|a| a == root)).map(|b| b.to_string()).collect();
                let kept = elements.iter().filter(|e| e.4.is_some_and(|b| inside.contains(b))).map(|e| e.0).collect();
                (kept, inside, format!("boundary `{root}`"))
            }
            View::Around { id, hops } => {
                let mut adjacent: HashMap<&str, Vec<&str>> = HashMap::new();
                for flow in &model.flows {
                    adjacent.entry(flow.from.value.as_str()).or_default().push(flow.to.value.as_str());
                    adjacent.entry(flow.to.value.as_str()).or_default().push(flow.from.value.as_str());
                }
                let mut seen: HashSet<&str> = HashSet::new();
                let mut queue = VecDeque::new();
                if let Some(start) = elements.iter().find(|e| e.0 == id) {
                    seen.insert(start.0);
                    queue.push_back((start.0, 0usize));
                }
                while let Some((current, distance)) = queue.pop_front() {
                    if distance == *hops {
                        continue;
                    }
                    for &next in adjacent.get(current).map(Vec::as_slice).unwrap_or_default() {
                        if seen.insert(next) {
                            queue.push_back((next, distance + 1));
                        }
                    }
                }
                let boundaries =
                    elements.iter().filter(|e| seen.contains(e.0)).filter_map(|e| e.4).flat_map(&chain).collect();
                let noun = if *hops == 1 { "hop" } else { "hops" };
                (seen, boundaries, format!("within {hops} {noun} of `{id}`"))
            }
        };

        let mut clusters = Vec::new();
        let mut cluster_index: HashMap<&str, usize> = HashMap::new();
        for boundary in model.boundaries.iter().filter(|b| kept_boundaries.contains(&b.id.value)) {
            let id = boundary.id.value.as_str();
            cluster_index.insert(id, clusters.len());
            clusters.push(Cluster {
                id: id.to_string(),
                label: boundary.name.clone().unwrap_or_else(|| id.to_string()),
                trust: trust_label(boundary.trust),
                parent: None,
            });
        }
        for boundary in model.boundaries.iter().filter(|b| kept_boundaries.contains(&b.id.value)) {
            let parent = boundary.parent.as_ref().and_then(|p| cluster_index.get(p.value.as_str()).copied());
            // A parent that would make a cycle (invalid model) is dropped.
            let me = cluster_index[boundary.id.value.as_str()];
            let mut walk = parent;
            let mut cyclic = false;
            while let Some(p) = walk {
                if p == me {
                    cyclic = true;
                    break;
                }
                walk = clusters[p].parent;
            }
            clusters[me].parent = if cyclic { None } else { parent };
        }

        let mut nodes = Vec::new();
        let mut node_index: HashMap<&str, usize> = HashMap::new();
        for &(id, label, kind, is_actor, boundary) in elements.iter().filter(|e| kept_elements.contains(e.0)) {
            if node_index.contains_key(id) {
                continue;
            }
            node_index.insert(id, nodes.len());
            nodes.push(Node {
                id: id.to_string(),
                label: label.to_string(),
                kind: kind.to_string(),
                shape: shape_of(kind, is_actor, kb),
                severity: severity.get(id).copied(),
                cluster: boundary.and_then(|b| cluster_index.get(b).copied()),
            });
        }

        let mut edges = Vec::new();
        for flow in &model.flows {
            let (Some(&from), Some(&to)) =
                (node_index.get(flow.from.value.as_str()), node_index.get(flow.to.value.as_str()))
            else {
                continue;
            };
            let protocol = flow.protocol.value.as_str();
            let by_protocol = match kb {
                Some(kb) => kb.protocols.get(protocol).is_some_and(|p| kb.protocol_encrypted[p]),
                None => ENCRYPTED_PROTOCOLS.contains(&protocol),
            };
            edges.push(Edge {
                id: flow.id(),
                from,
                to,
                protocol: protocol.to_string(),
                data: flow.data.iter().map(|d| d.value.clone()).collect(),
                encrypted: flow.encrypted.unwrap_or(by_protocol),
                authenticated: flow.authentication != Authentication::None,
            });
        }

        Scene { title: model.name.clone(), view, nodes, clusters, edges }
    }

    /// Depth of a cluster: 0 for a top-level one.
    pub fn depth(&self, cluster: usize) -> usize {
        let mut depth = 0;
        let mut current = self.clusters[cluster].parent;
        while let Some(parent) = current {
            depth += 1;
            current = self.clusters[parent].parent;
        }
        depth
    }
}
