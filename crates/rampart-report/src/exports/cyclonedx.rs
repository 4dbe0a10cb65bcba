//! CycloneDX 1.6 threat-model BOM (TM-BOM) JSON (`rampart report --format
//! cyclonedx`), in the shape OWASP's pytm and Threat Dragon exchange: one
//! `threat-model` component for the system whose nested `threat-model`
//! components are its boundaries, actors, components, data and flows, told
//! apart by the `cdx:model:type` property; threats are CycloneDX
//! `vulnerabilities` that affect those elements.
//!
//! | Rampart | TM-BOM |
//! |---|---|
//! | model | `metadata.component` and the root `threat-model` component (model-wide controls → `rampart:controls`) |
//! | boundaries | `cdx:model:type` `boundary`, parent → `cdx:model:inBoundary`, trust → `rampart:trust` |
//! | actors | `actor`, boundary → `cdx:model:inBoundary`, kind → `rampart:kind` |
//! | components | `datastore` (catalog types that hold data) or `process`, kind → `rampart:kind`, technology → `cdx:model:platform` |
//! | data | `data`, confidentiality / integrity / availability → `rampart:*` properties |
//! | flows | `dataflow`: source, destination, protocol, data names (and ids in `rampart:data`), encryption |
//! | each threat the analysis raised | a vulnerability: id = threat id, CWEs, current severity and score, status → `analysis.state` (accepted: `exploitable` with response `will_not_fix`), missing countermeasures → `recommendation`, STRIDE, likelihood and impact → `rampart:*` properties |
//!
//! Element `bom-ref`s are the Rampart ids, so vulnerabilities point at them
//! and Rampart's TM-BOM importer restores the ids. Output is deterministic:
//! the serial number is derived from the model's name.

use rampart_engine::{Analysis, Severity, TargetKind, ThreatInstance};
use rampart_kb::KnowledgeBase;
use rampart_model::{Located, Model, Status};
use serde::Serialize;

use super::otm::{exposure, rating_score, slug, term};

/// The CycloneDX specification version written.
pub const SPEC_VERSION: &str = "1.6";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Element<'a>>,
    vulnerabilities: Vec<Vulnerability<'a>>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    tools: Tools,
    component: Element<'a>,
}

#[derive(Serialize)]
struct Tools {
    components: Vec<Tool>,
}

#[derive(Serialize)]
struct Tool {
    #[serde(rename = "type")]
    kind: &'static str,
    name: &'static str,
}

/// A CycloneDX component: the system, or one element of its threat model.
#[derive(Serialize)]
struct Element<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Element<'a>>,
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

fn property(name: &'static str, value: impl Into<String>) -> Property {
    Property { name, value: value.into() }
}

#[derive(Serialize)]
struct Vulnerability<'a> {
    #[serde(rename = "bom-ref")]
    bom_ref: &'a str,
    id: &'a str,
    source: Source,
    ratings: Vec<Rating>,
    cwes: &'a [u32],
    description: &'a str,
    detail: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    recommendation: String,
    analysis: ImpactAnalysis,
    affects: Vec<Affects<'a>>,
    properties: Vec<Property>,
}

#[derive(Serialize)]
struct Source {
    name: &'static str,
}

#[derive(Serialize)]
struct Rating {
    score: f32,
    severity: &'static str,
    method: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct ImpactAnalysis {
    state: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    response: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

#[derive(Serialize)]
struct Affects<'a> {
    #[serde(rename = "ref")]
    reference: &'a str,
}

/// The TM-BOM for `model` and the threats `analysis` raised in it, as pretty JSON.
pub fn render(analysis: &Analysis, model: &Model, kb: &KnowledgeBase) -> String {
    let system_ref = format!("threat-model:{}", slug(&model.name));
    let description = model.description.as_deref().map(str::trim);
    let bom = Bom {
        bom_format: "CycloneDX",
        spec_version: SPEC_VERSION,
        serial_number: serial_number(&model.name),
        version: 1,
        metadata: Metadata {
            tools: Tools { components: vec![Tool { kind: "application", name: "rampart" }] },
            component: Element {
                kind: "application",
                bom_ref: slug(&model.name),
                name: &model.name,
                description,
                properties: Vec::new(),
                components: Vec::new(),
            },
        },
        components: vec![Element {
            kind: "threat-model",
            bom_ref: system_ref.clone(),
            name: &model.name,
            description,
            properties: {
                let mut properties = vec![property("cdx:model:isOrdered", "false")];
                list(&mut properties, "rampart:controls", &model.controls);
                properties
            },
            components: elements(model, kb),
        }],
        vulnerabilities: analysis.threats.iter().map(|threat| vulnerability(threat, &system_ref, kb)).collect(),
    };
    let mut text = serde_json::to_string_pretty(&bom).unwrap_or_default();
    // Vulnerabilities borrow the system's ref; serialize first, then let it go.
    text.push('\n');
    text
}

fn in_boundary(properties: &mut Vec<Property>, boundary: Option<&Located<String>>) {
    if let Some(boundary) = boundary {
        properties.push(property("cdx:model:inBoundary", boundary.value.clone()));
    }
}

fn element<'a>(
    id: &str,
    name: Option<&'a str>,
    fallback: &'a str,
    description: Option<&'a str>,
    properties: Vec<Property>,
) -> Element<'a> {
    Element {
        kind: "threat-model",
        bom_ref: id.to_string(),
        name: name.unwrap_or(fallback),
        description,
        properties,
        components: Vec::new(),
    }
}

/// The model's elements in model order: boundaries, actors, components, data, flows.
fn elements<'m>(model: &'m Model, kb: &KnowledgeBase) -> Vec<Element<'m>> {
    let mut elements = Vec::new();
    for boundary in &model.boundaries {
        let mut properties = vec![property("cdx:model:type", "boundary")];
        in_boundary(&mut properties, boundary.parent.as_ref());
        properties.push(property("rampart:trust", trust(boundary.trust)));
        if let Some(kind) = &boundary.kind {
            properties.push(property("rampart:kind", kind.clone()));
        }
        list(&mut properties, "rampart:controls", &boundary.controls);
        let id = &boundary.id.value;
        elements.push(element(id, boundary.name.as_deref(), id, boundary.description.as_deref(), properties));
    }
    for actor in &model.actors {
        let mut properties = vec![property("cdx:model:type", "actor")];
        in_boundary(&mut properties, actor.boundary.as_ref());
        properties.push(property("rampart:kind", actor.kind.value.clone()));
        list(&mut properties, "rampart:controls", &actor.controls);
        let id = &actor.id.value;
        elements.push(element(id, actor.name.as_deref(), id, actor.description.as_deref(), properties));
    }
    for component in &model.components {
        let role = if holds_data(kb, &component.kind.value) { "datastore" } else { "process" };
        let mut properties = vec![property("cdx:model:type", role)];
        in_boundary(&mut properties, component.boundary.as_ref());
        properties.push(property("rampart:kind", component.kind.value.clone()));
        properties.push(property("rampart:exposure", exposure(component.exposure)));
        if let Some(technology) = &component.technology {
            properties.push(property("cdx:model:platform", technology.clone()));
        }
        for tag in &component.tags {
            properties.push(property("rampart:tag", tag.clone()));
        }
        list(&mut properties, "rampart:stores", &component.stores);
        list(&mut properties, "rampart:processes", &component.processes);
        list(&mut properties, "rampart:controls", &component.controls);
        list(&mut properties, "rampart:accepts", &component.accepts);
        list(&mut properties, "rampart:capabilities", &component.capabilities);
        let id = &component.id.value;
        elements.push(element(id, component.name.as_deref(), id, component.description.as_deref(), properties));
    }
    for data in &model.data {
        let mut properties = vec![
            property("cdx:model:type", "data"),
            property("rampart:confidentiality", rating_score(data.confidentiality).to_string()),
            property("rampart:integrity", rating_score(data.integrity).to_string()),
            property("rampart:availability", rating_score(data.availability).to_string()),
        ];
        list(&mut properties, "rampart:categories", &data.categories);
        let id = &data.id.value;
        elements.push(element(id, data.name.as_deref(), id, data.description.as_deref(), properties));
    }
    for flow in &model.flows {
        let mut properties = vec![
            property("cdx:model:type", "dataflow"),
            property("cdx:model:dataflow:source", flow.from.value.clone()),
            property("cdx:model:dataflow:destination", flow.to.value.clone()),
            property("cdx:model:dataflow:protocol", flow.protocol.value.clone()),
        ];
        if let Some(encrypted) = flow.encrypted {
            properties.push(property("cdx:model:dataflow:isEncrypted", encrypted.to_string()));
        }
        properties.push(property("rampart:authentication", term(&flow.authentication)));
        properties.push(property("rampart:authorization", term(&flow.authorization)));
        list(&mut properties, "rampart:controls", &flow.controls);
        if !flow.data.is_empty() {
            let names: Vec<&str> = flow
                .data
                .iter()
                .map(|id| {
                    let data = model.data.iter().find(|d| d.id.value == id.value);
                    data.and_then(|d| d.name.as_deref()).unwrap_or(&id.value)
                })
                .collect();
            properties.push(property("cdx:model:dataflow:data", names.join(", ")));
            let ids: Vec<&str> = flow.data.iter().map(|d| d.value.as_str()).collect();
            properties.push(property("rampart:data", ids.join(",")));
        }
        let mut described = element(&flow.id(), flow.name.as_deref(), "", flow.description.as_deref(), properties);
        if described.name.is_empty() {
            described.name = &flow.from.value;
        }
        elements.push(described);
    }
    elements
}

/// Adds `items` as one comma-separated property, when there are any.
fn list(properties: &mut Vec<Property>, name: &'static str, items: &[Located<String>]) {
    if !items.is_empty() {
        let joined: Vec<&str> = items.iter().map(|item| item.value.as_str()).collect();
        properties.push(property(name, joined.join(",")));
    }
}

/// Whether the catalog type holds data rather than running request-handling
/// code: the library's `datastore` category says so.
fn holds_data(kb: &KnowledgeBase, kind: &str) -> bool {
    kb.component_type(kind)
        .and_then(|index| kb.component_types.get(index))
        .is_some_and(|kind| kind.category == rampart_kb::ElementCategory::Datastore)
}

fn trust(trust: rampart_model::Trust) -> &'static str {
    match trust {
        rampart_model::Trust::Untrusted => "untrusted",
        rampart_model::Trust::Partner => "partner",
        rampart_model::Trust::Internal => "internal",
        rampart_model::Trust::Restricted => "restricted",
    }
}

fn vulnerability<'a>(threat: &'a ThreatInstance, system_ref: &'a str, kb: &KnowledgeBase) -> Vulnerability<'a> {
    let current = &threat.current;
    let (state, response) = match threat.status {
        Status::Open => ("exploitable", Vec::new()),
        Status::InProgress => ("in_triage", Vec::new()),
        Status::Mitigated => ("resolved", Vec::new()),
        Status::Accepted => ("exploitable", vec!["will_not_fix"]),
        Status::FalsePositive => ("false_positive", Vec::new()),
    };
    let missing: Vec<String> = threat
        .countermeasures
        .iter()
        .filter(|c| !c.present)
        .map(|c| {
            let description = kb.countermeasure(c.id).map(|index| kb.countermeasures[index].description.trim());
            match description {
                Some(description) => format!("{} ({}): {description}", c.name, c.id),
                None => format!("{} ({})", c.name, c.id),
            }
        })
        .collect();
    let stride: Vec<&str> = threat.stride.iter().map(|s| s.label()).collect();
    let affected = match threat.target.kind {
        TargetKind::Model => system_ref,
        TargetKind::Element | TargetKind::Flow | TargetKind::Data => threat.target.id.as_str(),
    };
    Vulnerability {
        bom_ref: &threat.id,
        id: &threat.id,
        source: Source { name: "Rampart" },
        ratings: vec![Rating {
            score: current.score,
            severity: severity(current.severity),
            method: "other",
            justification: format!(
                "Rampart risk: likelihood {:.1} × impact {} (inherent {:.1})",
                current.likelihood, current.impact, threat.inherent.score
            ),
        }],
        cwes: threat.cwe,
        description: threat.description.trim(),
        detail: threat.because.join("\n"),
        recommendation: missing.join("\n"),
        analysis: ImpactAnalysis {
            state,
            response,
            detail: threat.tracking.as_ref().and_then(|t| t.justification).map(str::to_string),
        },
        affects: vec![Affects { reference: affected }],
        properties: vec![
            property("rampart:rule", threat.rule),
            property("rampart:title", threat.title),
            property("rampart:stride", stride.join(",")),
            property("rampart:likelihood", format!("{:.1}", current.likelihood)),
            property("rampart:impact", current.impact.to_string()),
            property("rampart:status", crate::status_text(threat.status)),
        ],
    }
}

/// CycloneDX's severities.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
    }
}

/// A version-4-shaped UUID URN derived from `name` (FNV-1a), so the same
/// model gets the same serial number in every run.
fn serial_number(name: &str) -> String {
    let hash = |seed: u64| {
        name.bytes()
            .fold(0xcbf2_9ce4_8422_2325 ^ seed, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
    };
    let (high, low) = (hash(0), hash(0x9e37_79b9_7f4a_7c15));
    let hex = format!("{high:016x}{low:016x}");
    let digits: Vec<char> = hex.chars().collect();
    let part = |from: usize, to: usize| digits.get(from..to).map(|d| d.iter().collect::<String>()).unwrap_or_default();
    format!("urn:uuid:{}-{}-4{}-a{}-{}", part(0, 8), part(8, 12), part(13, 16), part(17, 20), part(20, 32))
}
