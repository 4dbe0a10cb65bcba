//! Drift: the system as planned (a model from Terraform, say) against the
//! system as it runs (a model from a live cloud inventory).
//!
//! The two models come from different importers, so their ids need not agree:
//! an element of one matches an element of the other by id when both have
//! it, else by kind and name (what the cloud calls it: a bucket name, a Name
//! tag), which both importers take from the same place. Matched elements are
//! compared on what decides threats: kind, exposure and controls (encryption,
//! public-access blocks, WAF...); flows by their matched ends, on protocol and
//! encryption. The threats are compared too, with the live model's ids
//! renamed to the planned ones, so what the drift adds shows as added threats.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write;

use rampart_engine::{Analysis, status_label};
use rampart_model::{Model, SourceRef};
use serde::Serialize;

use crate::diff::{Diff, ThreatRef, diff_refs};

/// An element or flow on one side only.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ElementRef {
    pub id: String,
    pub name: String,
    /// The catalog kind; for a flow, `flow`.
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<SourceRef>,
}

/// A property that differs between the planned and the live element.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PropertyDrift {
    /// The element's or flow's id in the planned model.
    pub planned_id: String,
    /// Its id in the live model.
    pub live_id: String,
    pub property: String,
    pub planned: String,
    pub live: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_source: Option<SourceRef>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DriftSummary {
    pub unmodelled: usize,
    pub missing: usize,
    pub changed: usize,
    /// Threats the live system has and the plan does not.
    pub threats_added: usize,
    /// Threats of both that are worse live (a mitigated threat open again,
    /// or more severe).
    pub threats_worsened: usize,
    pub threats_removed: usize,
}

/// Everything that differs between the plan and the running system.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Drift {
    pub planned_model: String,
    pub live_model: String,
    pub summary: DriftSummary,
    /// Running, but never modelled.
    pub unmodelled: Vec<ElementRef>,
    /// Modelled, but not running.
    pub missing: Vec<ElementRef>,
    /// In both, with different properties.
    pub changed: Vec<PropertyDrift>,
    /// Threats of the live system against those of the plan, by planned id.
    pub threats: Diff,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.unmodelled.is_empty() && self.missing.is_empty() && self.changed.is_empty() && self.threats.is_empty()
    }
}

/// One element (actor, component or boundary) as drift compares it.
struct Node<'m> {
    id: &'m str,
    name: &'m str,
    kind: &'m str,
    exposure: Option<String>,
    controls: BTreeSet<&'m str>,
    source: Option<&'m SourceRef>,
}

fn nodes(model: &Model) -> Vec<Node<'_>> {
    let boundaries = model.boundaries.iter().map(|b| Node {
        id: &b.id.value,
        name: b.name.as_deref().unwrap_or(&b.id.value),
        kind: b.kind.as_deref().unwrap_or("boundary"),
        exposure: None,
        controls: b.controls.iter().map(|c| c.value.as_str()).collect(),
        source: b.source.as_ref(),
    });
    let actors = model.actors.iter().map(|a| Node {
        id: &a.id.value,
        name: a.name.as_deref().unwrap_or(&a.id.value),
        kind: &a.kind.value,
        exposure: None,
        controls: a.controls.iter().map(|c| c.value.as_str()).collect(),
        source: None,
    });
    let components = model.components.iter().map(|c| Node {
        id: &c.id.value,
        name: c.name.as_deref().unwrap_or(&c.id.value),
        kind: &c.kind.value,
        exposure: Some(format!("{:?}", c.exposure).to_lowercase()),
        controls: c.controls.iter().map(|c| c.value.as_str()).collect(),
        source: c.source.as_ref(),
    });
    boundaries.chain(actors).chain(components).collect()
}

/// What makes two names the same resource: case, spaces and punctuation aside.
fn name_key(kind: &str, name: &str) -> (String, String) {
    (kind.to_string(), name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect())
}

/// Compares the plan with the live system, both models and their analyses.
pub fn drift(planned: &Model, planned_analysis: &Analysis, live: &Model, live_analysis: &Analysis) -> Drift {
    let planned_nodes = nodes(planned);
    let live_nodes = nodes(live);
    let planned_by_id: HashMap<&str, usize> = planned_nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let mut planned_by_name: HashMap<(String, String), Vec<usize>> = HashMap::new();
    let mut planned_by_resource: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, node) in planned_nodes.iter().enumerate() {
        planned_by_name.entry(name_key(node.kind, node.name)).or_default().push(index);
        if let Some(resource) = node.source.and_then(|source| source.resource.as_deref()) {
            planned_by_resource.entry(resource).or_default().push(index);
        }
    }

    // Live id → planned id, for every live element that has a planned twin.
    let mut twin: HashMap<&str, &str> = HashMap::new();
    let mut matched_planned = vec![false; planned_nodes.len()];
    let mut changed = Vec::new();
    let mut unmodelled = Vec::new();
    for node in &live_nodes {
        let by_id = planned_by_id.get(node.id).copied().filter(|&i| planned_nodes[i].kind == node.kind);
        let by_name =
            || planned_by_name.get(&name_key(node.kind, node.name))?.iter().copied().find(|&i| !matched_planned[i]);
        // The cloud's own identifier (an ARN, a resource id), when both
        // importers recorded one: a plan from a state file, or two inventories.
        let by_resource = || {
            let resource = node.source?.resource.as_deref()?;
            let same_kind = |&i: &usize| !matched_planned[i] && planned_nodes[i].kind == node.kind;
            planned_by_resource.get(resource)?.iter().copied().find(same_kind)
        };
        match by_id.filter(|&i| !matched_planned[i]).or_else(by_resource).or_else(by_name) {
            Some(index) => {
                matched_planned[index] = true;
                let plan = &planned_nodes[index];
                twin.insert(node.id, plan.id);
                compare_nodes(plan, node, &mut changed);
            }
            None => unmodelled.push(ElementRef {
                id: node.id.to_string(),
                name: node.name.to_string(),
                kind: node.kind.to_string(),
                source: node.source.cloned(),
            }),
        }
    }
    let mut missing: Vec<ElementRef> = planned_nodes
        .iter()
        .zip(&matched_planned)
        .filter(|(_, matched)| !**matched)
        .map(|(node, _)| ElementRef {
            id: node.id.to_string(),
            name: node.name.to_string(),
            kind: node.kind.to_string(),
            source: node.source.cloned(),
        })
        .collect();

    compare_flows(planned, live, &twin, &mut unmodelled, &mut missing, &mut changed);

    let rename = |id: &str| -> String {
        match id.split_once('@') {
            Some((rule, target)) => match twin.get(target) {
                Some(planned_target) => format!("{rule}@{planned_target}"),
                None => id.to_string(),
            },
            None => id.to_string(),
        }
    };
    let planned_threats: Vec<ThreatRef> = planned_analysis.threats.iter().map(ThreatRef::of).collect();
    let live_threats: Vec<ThreatRef> = live_analysis
        .threats
        .iter()
        .map(|threat| {
            let mut reference = ThreatRef::of(threat);
            reference.id = rename(&reference.id);
            reference
        })
        .collect();
    let threats = diff_refs(&planned.name, &live.name, planned_threats, live_threats);

    Drift {
        planned_model: planned.name.clone(),
        live_model: live.name.clone(),
        summary: DriftSummary {
            unmodelled: unmodelled.len(),
            missing: missing.len(),
            changed: changed.len(),
            threats_added: threats.added.len(),
            threats_worsened: threats.summary.worsened,
            threats_removed: threats.removed.len(),
        },
        unmodelled,
        missing,
        changed,
        threats,
    }
}

fn compare_nodes(plan: &Node, live: &Node, changed: &mut Vec<PropertyDrift>) {
    let mut differ = |property: &str, planned: String, actual: String| {
        if planned != actual {
            changed.push(PropertyDrift {
                planned_id: plan.id.to_string(),
                live_id: live.id.to_string(),
                property: property.to_string(),
                planned,
                live: actual,
                live_source: live.source.cloned(),
            });
        }
    };
    let shown = |value: &Option<String>| value.clone().unwrap_or_else(|| "unset".to_string());
    differ("exposure", shown(&plan.exposure), shown(&live.exposure));
    for control in plan.controls.difference(&live.controls) {
        differ(&format!("control {control}"), "present".to_string(), "absent".to_string());
    }
    for control in live.controls.difference(&plan.controls) {
        differ(&format!("control {control}"), "absent".to_string(), "present".to_string());
    }
}

fn compare_flows(
    planned: &Model,
    live: &Model,
    twin: &HashMap<&str, &str>,
    unmodelled: &mut Vec<ElementRef>,
    missing: &mut Vec<ElementRef>,
    changed: &mut Vec<PropertyDrift>,
) {
    // Flows match by their ends (in planned ids) and protocol's absence
    // aside; several flows between the same two ends pair up in order.
    let mut planned_flows: BTreeMap<(String, String), Vec<&rampart_model::Flow>> = BTreeMap::new();
    for flow in &planned.flows {
        planned_flows.entry((flow.from.value.clone(), flow.to.value.clone())).or_default().push(flow);
    }
    let to_planned = |id: &str| twin.get(id).map_or_else(|| id.to_string(), |p| p.to_string());
    let flow_ref = |flow: &rampart_model::Flow| ElementRef {
        id: flow.id(),
        name: flow.name.clone().unwrap_or_else(|| format!("{} → {}", flow.from.value, flow.to.value)),
        kind: "flow".to_string(),
        source: flow.source.clone(),
    };
    for flow in &live.flows {
        let ends = (to_planned(&flow.from.value), to_planned(&flow.to.value));
        let twin_flow = planned_flows.get_mut(&ends).and_then(|candidates| {
            let at = candidates.iter().position(|p| p.protocol.value == flow.protocol.value).unwrap_or(0);
            (!candidates.is_empty()).then(|| candidates.remove(at))
        });
        match twin_flow {
            None => unmodelled.push(flow_ref(flow)),
            Some(plan) => {
                let mut differ = |property: &str, planned: String, actual: String| {
                    if planned != actual {
                        changed.push(PropertyDrift {
                            planned_id: plan.id(),
                            live_id: flow.id(),
                            property: property.to_string(),
                            planned,
                            live: actual,
                            live_source: flow.source.clone(),
                        });
                    }
                };
                differ("protocol", plan.protocol.value.clone(), flow.protocol.value.clone());
                let encrypted =
                    |f: &rampart_model::Flow| f.encrypted.map_or("as the protocol".into(), |e| e.to_string());
                differ("encrypted", encrypted(plan), encrypted(flow));
            }
        }
    }
    missing.extend(planned_flows.into_values().flatten().map(flow_ref));
}

/// Plain text for a terminal.
pub fn render_text(drift: &Drift) -> String {
    let mut out = String::new();
    let s = &drift.summary;
    let _ = writeln!(
        out,
        "Drift of `{}` (live) from `{}` (planned): {} unmodelled, {} missing, {} changed; threats {} added, {} \
         worsened, {} removed",
        drift.live_model,
        drift.planned_model,
        s.unmodelled,
        s.missing,
        s.changed,
        s.threats_added,
        s.threats_worsened,
        s.threats_removed
    );
    if drift.is_empty() {
        let _ = writeln!(out, "\nThe live system matches the plan.");
        return out;
    }
    section(&mut out, "Running but never modelled", &drift.unmodelled);
    section(&mut out, "Modelled but not running", &drift.missing);
    if !drift.changed.is_empty() {
        let _ = writeln!(out, "\nDiffering properties:");
        for change in &drift.changed {
            let at = change.live_source.as_ref().map(source_text).unwrap_or_default();
            let _ = writeln!(
                out,
                "  ~ {} {}: planned {}, live {}{at}",
                change.planned_id, change.property, change.planned, change.live
            );
        }
    }
    if drift.threats.regressions().next().is_some() {
        let _ = writeln!(out, "\nThreats the drift adds or makes worse:");
        for (threat, before) in drift.threats.regressions() {
            let was = before.map(|b| format!(" (planned: {} {})", b.severity.label(), status_label(b.status)));
            let _ = writeln!(
                out,
                "  + {:<8} {:<14} {}  {}{}",
                threat.severity.label(),
                status_label(threat.status),
                threat.id,
                threat.title,
                was.unwrap_or_default()
            );
        }
    }
    if !drift.threats.removed.is_empty() {
        let _ = writeln!(out, "\nThreats of the plan the live system does not have:");
        for threat in &drift.threats.removed {
            let _ = writeln!(out, "  - {:<8} {}  {}", threat.severity.label(), threat.id, threat.title);
        }
    }
    out
}

fn section(out: &mut String, title: &str, elements: &[ElementRef]) {
    if elements.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}:");
    for element in elements {
        let at = element.source.as_ref().map(source_text).unwrap_or_default();
        let _ = writeln!(out, "  {} ({}, {}){at}", element.id, element.kind, element.name);
    }
}

fn source_text(source: &SourceRef) -> String {
    match (&source.resource, source.line) {
        (Some(resource), _) => format!("  ({resource})"),
        (None, Some(line)) => format!("  ({}:{line})", source.file),
        (None, None) => format!("  ({})", source.file),
    }
}

/// Markdown, for an issue or a pull-request comment.
pub fn render_markdown(drift: &Drift) -> String {
    let mut out = String::new();
    let s = &drift.summary;
    let _ = writeln!(out, "## Drift of `{}` from `{}`\n", drift.live_model, drift.planned_model);
    let _ = writeln!(
        out,
        "{} unmodelled, {} missing, {} changed; threats {} added, {} removed.\n",
        s.unmodelled, s.missing, s.changed, s.threats_added, s.threats_removed
    );
    for (title, elements) in
        [("Running but never modelled", &drift.unmodelled), ("Modelled but not running", &drift.missing)]
    {
        if elements.is_empty() {
            continue;
        }
        let _ = writeln!(out, "### {title}\n\n| Id | Kind | Name |\n|---|---|---|");
        for element in elements {
            let _ = writeln!(out, "| `{}` | {} | {} |", element.id, element.kind, cell(&element.name));
        }
        out.push('\n');
    }
    if !drift.changed.is_empty() {
        let _ = writeln!(out, "### Differing properties\n\n| Element | Property | Planned | Live |\n|---|---|---|---|");
        for change in &drift.changed {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                change.planned_id,
                cell(&change.property),
                cell(&change.planned),
                cell(&change.live)
            );
        }
        out.push('\n');
    }
    if drift.threats.regressions().next().is_some() {
        let _ = writeln!(
            out,
            "### Threats the drift adds or makes worse\n\n| Severity | Status | Threat | Title | Planned |\n|---|---|---|---|---|"
        );
        for (threat, before) in drift.threats.regressions() {
            let was = before
                .map_or("not raised".to_string(), |b| format!("{} {}", b.severity.label(), status_label(b.status)));
            let _ = writeln!(
                out,
                "| {} | {} | `{}` | {} | {was} |",
                threat.severity.label(),
                status_label(threat.status),
                threat.id,
                cell(&threat.title)
            );
        }
        out.push('\n');
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}
