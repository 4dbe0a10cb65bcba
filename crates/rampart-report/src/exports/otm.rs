//! Open Threat Model (OTM 0.2.0) JSON, so a Rampart model and its threats
//! travel to IriusRisk, Threat Dragon and other tools that read OTM
//! (`rampart report --format otm`).
//!
//! | Rampart | OTM |
//! |---|---|
//! | model name, description | `project` (id: the name's slug) |
//! | boundaries | `trustZones`: trust → `trustRating` (untrusted 10, partner 35, internal 70, restricted 100), `parent.trustZone` |
//! | actors and components | `components`: kind → `type`, boundary → `parent.trustZone`, tags, data stored / processed → `assets` |
//! | elements outside every boundary | `parent` of an invented trust zone marked `rampart:outside` (OTM requires a parent) |
//! | flows | `dataflows`: protocol → first tag, data → `assets` |
//! | data | `assets`: low / medium / high / critical → 0 / 40 / 70 / 100 |
//! | each threat the analysis raised | one OTM threat (id = the threat id, STRIDE categories, CWEs, current risk 0-100), referenced from its element or flow with its status as `state` |
//! | countermeasures of those threats | `mitigations` (risk reduction from their effectiveness), referenced per threat as `implemented` or `required` |
//!
//! What OTM has no field for (exposure, technology, encryption, whether a
//! component is a person) goes in `rampart:*` attributes, which Rampart's
//! OTM importer reads back. Output is deterministic: model order for
//! elements and flows, the analysis's order for threats, id order for
//! mitigations.

use std::collections::{BTreeMap, BTreeSet};

use rampart_engine::{Analysis, TargetKind, ThreatInstance};
use rampart_kb::KnowledgeBase;
use rampart_model::{Exposure, Model, Rating, Status, Trust};
use serde::Serialize;

/// The OTM version written.
pub const OTM_VERSION: &str = "0.2.0";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    otm_version: &'static str,
    project: Project<'a>,
    assets: Vec<Asset<'a>>,
    trust_zones: Vec<TrustZone<'a>>,
    components: Vec<Component<'a>>,
    dataflows: Vec<Dataflow<'a>>,
    threats: Vec<Threat<'a>>,
    mitigations: Vec<Mitigation<'a>>,
}

#[derive(Serialize)]
struct Project<'a> {
    name: &'a str,
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct Asset<'a> {
    name: &'a str,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    risk: AssetRisk,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct AssetRisk {
    confidentiality: u8,
    integrity: u8,
    availability: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TrustZone<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    risk: TrustRisk,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<Parent<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TrustRisk {
    trust_rating: u8,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Parent<'a> {
    trust_zone: &'a str,
}

#[derive(Serialize)]
struct Component<'a> {
    id: &'a str,
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    parent: Parent<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assets: Option<AssetInstance<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    threats: Vec<ThreatReference<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct AssetInstance<'a> {
    processed: Vec<&'a str>,
    stored: Vec<&'a str>,
}

#[derive(Serialize)]
struct ThreatReference<'a> {
    threat: &'a str,
    state: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mitigations: Vec<MitigationReference<'a>>,
}

#[derive(Serialize)]
struct MitigationReference<'a> {
    mitigation: &'a str,
    state: &'static str,
}

#[derive(Serialize)]
struct Dataflow<'a> {
    id: String,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    bidirectional: bool,
    source: &'a str,
    destination: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    assets: Vec<&'a str>,
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    threats: Vec<ThreatReference<'a>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Threat<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
    categories: Vec<&'static str>,
    cwes: Vec<String>,
    risk: ThreatRisk,
    tags: Vec<&'a str>,
    attributes: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ThreatRisk {
    likelihood: u8,
    likelihood_comment: String,
    impact: u8,
    impact_comment: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Mitigation<'a> {
    id: &'a str,
    name: &'a str,
    description: &'a str,
    risk_reduction: u8,
}

/// The OTM document for `model` and the threats `analysis` raised in it, as pretty JSON.
pub fn render(analysis: &Analysis, model: &Model, kb: &KnowledgeBase) -> String {
    let references = threat_references(analysis);
    let no_references = Vec::new();
    let references_of = |kind: TargetKind, id: &str| -> Vec<ThreatReference> {
        references
            .get(&(kind, id.to_string()))
            .unwrap_or(&no_references)
            .iter()
            .map(|threat| reference(threat))
            .collect()
    };
    let outside = outside_zone_id(model);
    let needs_outside =
        model.actors.iter().any(|a| a.boundary.is_none()) || model.components.iter().any(|c| c.boundary.is_none());

    let mut trust_zones: Vec<TrustZone> = model
        .boundaries
        .iter()
        .map(|boundary| TrustZone {
            id: &boundary.id.value,
            name: boundary.name.as_deref().unwrap_or(&boundary.id.value),
            kind: boundary.kind.as_deref(),
            description: boundary.description.as_deref(),
            risk: TrustRisk { trust_rating: trust_rating(boundary.trust) },
            parent: boundary.parent.as_ref().map(|parent| Parent { trust_zone: &parent.value }),
            attributes: listed([("rampart:controls", &boundary.controls)]),
        })
        .collect();
    if needs_outside {
        trust_zones.push(TrustZone {
            id: &outside,
            name: "Outside every boundary",
            kind: Some("internet"),
            description: Some(
                "Where the model places no boundary: untrusted. Invented by Rampart, which needs no zone here.",
            ),
            risk: TrustRisk { trust_rating: trust_rating(Trust::Untrusted) },
            parent: None,
            attributes: BTreeMap::from([("rampart:outside", "true".to_string())]),
        });
    }

    let mut components: Vec<Component> = model
        .actors
        .iter()
        .map(|actor| Component {
            id: &actor.id.value,
            name: actor.name.as_deref().unwrap_or(&actor.id.value),
            kind: &actor.kind.value,
            description: actor.description.as_deref(),
            parent: parent_in(actor.boundary.as_ref(), &outside),
            tags: Vec::new(),
            assets: None,
            threats: references_of(TargetKind::Element, &actor.id.value),
            attributes: {
                let mut attributes = listed([("rampart:controls", &actor.controls)]);
                attributes.insert("rampart:element", "actor".to_string());
                attributes
            },
        })
        .collect();
    components.extend(model.components.iter().map(|component| {
        let mut attributes = listed([
            ("rampart:controls", &component.controls),
            ("rampart:accepts", &component.accepts),
            ("rampart:capabilities", &component.capabilities),
        ]);
        attributes.insert("rampart:exposure", exposure(component.exposure).to_string());
        if let Some(technology) = &component.technology {
            attributes.insert("rampart:technology", technology.clone());
        }
        let stored: Vec<&str> = component.stores.iter().map(|d| d.value.as_str()).collect();
        let processed: Vec<&str> = component.processes.iter().map(|d| d.value.as_str()).collect();
        Component {
            id: &component.id.value,
            name: component.name.as_deref().unwrap_or(&component.id.value),
            kind: &component.kind.value,
            description: component.description.as_deref(),
            parent: parent_in(component.boundary.as_ref(), &outside),
            tags: component.tags.iter().map(String::as_str).collect(),
            assets: (!stored.is_empty() || !processed.is_empty()).then_some(AssetInstance { processed, stored }),
            threats: references_of(TargetKind::Element, &component.id.value),
            attributes,
        }
    }));

    let dataflows = model
        .flows
        .iter()
        .map(|flow| {
            let id = flow.id();
            let mut attributes = listed([("rampart:controls", &flow.controls)]);
            attributes.insert("rampart:protocol", flow.protocol.value.clone());
            attributes.insert("rampart:authentication", term(&flow.authentication));
            attributes.insert("rampart:authorization", term(&flow.authorization));
            if let Some(encrypted) = flow.encrypted {
                attributes.insert("rampart:encrypted", encrypted.to_string());
            }
            Dataflow {
                name: flow.name.clone().unwrap_or_else(|| id.clone()),
                threats: references_of(TargetKind::Flow, &id),
                id,
                description: flow.description.as_deref(),
                bidirectional: false,
                source: &flow.from.value,
                destination: &flow.to.value,
                assets: flow.data.iter().map(|d| d.value.as_str()).collect(),
                tags: vec![flow.protocol.value.as_str()],
                attributes,
            }
        })
        .collect();

    let assets = model
        .data
        .iter()
        .map(|data| Asset {
            name: data.name.as_deref().unwrap_or(&data.id.value),
            id: &data.id.value,
            description: data.description.as_deref(),
            risk: AssetRisk {
                confidentiality: rating_score(data.confidentiality),
                integrity: rating_score(data.integrity),
                availability: rating_score(data.availability),
            },
            attributes: listed([("rampart:categories", &data.categories)]),
        })
        .collect();

    let document = Document {
        otm_version: OTM_VERSION,
        project: Project {
            name: &model.name,
            id: slug(&model.name),
            description: model.description.as_deref().map(str::trim),
            attributes: listed([("rampart:controls", &model.controls)]),
        },
        assets,
        trust_zones,
        components,
        dataflows,
        threats: analysis.threats.iter().map(threat).collect(),
        mitigations: mitigations(analysis, kb),
    };
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}

/// The non-empty lists among `lists`, as comma-separated attributes.
fn listed<const N: usize>(
    lists: [(&'static str, &[rampart_model::Located<String>]); N],
) -> BTreeMap<&'static str, String> {
    lists
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(key, items)| (key, items.iter().map(|item| item.value.as_str()).collect::<Vec<_>>().join(",")))
        .collect()
}

/// A model enum's spelling in model files (`mutual-tls`, `role-based`).
pub(crate) fn term<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// The trust zone an element sits in: its boundary, else the outside zone.
fn parent_in<'a>(boundary: Option<&'a rampart_model::Located<String>>, outside: &'a str) -> Parent<'a> {
    Parent { trust_zone: boundary.map_or(outside, |b| b.value.as_str()) }
}

/// The threats on each target, in the analysis's order.
fn threat_references<'t, 'k, 'm>(
    analysis: &'t Analysis<'k, 'm>,
) -> BTreeMap<(TargetKind, String), Vec<&'t ThreatInstance<'k, 'm>>> {
    let mut by_target: BTreeMap<(TargetKind, String), Vec<&ThreatInstance>> = BTreeMap::new();
    for threat in &analysis.threats {
        by_target.entry((threat.target.kind, threat.target.id.clone())).or_default().push(threat);
    }
    by_target
}

fn reference<'a>(threat: &'a ThreatInstance) -> ThreatReference<'a> {
    ThreatReference {
        threat: &threat.id,
        state: state(threat.status),
        mitigations: threat
            .countermeasures
            .iter()
            .map(|c| MitigationReference {
                mitigation: c.id,
                state: if c.present { "implemented" } else { "required" },
            })
            .collect(),
    }
}

fn threat<'a>(threat: &'a ThreatInstance) -> Threat<'a> {
    let (inherent, current) = (&threat.inherent, &threat.current);
    Threat {
        id: &threat.id,
        name: threat.title,
        description: threat.description.trim(),
        categories: threat.stride.iter().map(|s| s.label()).collect(),
        cwes: threat.cwe.iter().map(|n| format!("CWE-{n}")).collect(),
        risk: ThreatRisk {
            likelihood: percent(current.likelihood),
            likelihood_comment: format!(
                "Rampart likelihood {:.1} of 5 with the model's controls ({:.1} without)",
                current.likelihood, inherent.likelihood
            ),
            impact: percent(f32::from(current.impact)),
            impact_comment: format!("Rampart impact {} of 5; severity {}", current.impact, current.severity.label()),
        },
        tags: vec![threat.rule],
        attributes: BTreeMap::from([
            ("rampart:rule", threat.rule.to_string()),
            ("rampart:target", threat.target.id.clone()),
            ("rampart:status", crate::status_text(threat.status).to_string()),
            ("rampart:inherent-severity", inherent.severity.label().to_string()),
            ("rampart:current-severity", current.severity.label().to_string()),
        ]),
    }
}

/// Every countermeasure named by a threat, by id.
fn mitigations<'k>(analysis: &Analysis<'k, '_>, kb: &'k KnowledgeBase) -> Vec<Mitigation<'k>> {
    let ids: BTreeSet<&str> = analysis.threats.iter().flat_map(|t| t.countermeasures.iter().map(|c| c.id)).collect();
    ids.into_iter()
        .filter_map(|id| kb.countermeasure(id).map(|index| &kb.countermeasures[index]))
        .map(|c| Mitigation {
            id: &c.id,
            name: &c.name,
            description: c.description.trim(),
            risk_reduction: (c.effectiveness.reduction() * 100.0).round() as u8,
        })
        .collect()
}

/// OTM's threat state for a status; Rampart's OTM importer reads each back as the same status.
pub(crate) fn state(status: Status) -> &'static str {
    match status {
        Status::Open => "exposed",
        Status::InProgress => "in-progress",
        Status::Mitigated => "mitigated",
        Status::Accepted => "accepted",
        Status::FalsePositive => "not-applicable",
    }
}

/// The 0-100 trust rating of a trust level (read back as the same level).
pub(crate) fn trust_rating(trust: Trust) -> u8 {
    match trust {
        Trust::Untrusted => 10,
        Trust::Partner => 35,
        Trust::Internal => 70,
        Trust::Restricted => 100,
    }
}

/// The 0-100 value of a sensitivity rating (read back as the same rating).
pub(crate) fn rating_score(rating: Rating) -> u8 {
    match rating {
        Rating::Low => 0,
        Rating::Medium => 40,
        Rating::High => 70,
        Rating::Critical => 100,
    }
}

/// A 1-5 likelihood or impact on 0-100: 1 → 0, 3 → 50, 5 → 100.
pub(crate) fn percent(step: f32) -> u8 {
    ((step.clamp(1.0, 5.0) - 1.0) * 25.0).round() as u8
}

pub(crate) fn exposure(exposure: Exposure) -> &'static str {
    match exposure {
        Exposure::Internal => "internal",
        Exposure::Partner => "partner",
        Exposure::Internet => "internet",
    }
}

/// An id for the invented outside zone that no element of the model has.
fn outside_zone_id(model: &Model) -> String {
    let taken = |id: &str| {
        model.boundaries.iter().any(|b| b.id.value == id)
            || model.actors.iter().any(|a| a.id.value == id)
            || model.components.iter().any(|c| c.id.value == id)
            || model.data.iter().any(|d| d.id.value == id)
    };
    let mut id = "outside".to_string();
    let mut number = 2;
    while taken(&id) {
        id = format!("outside-{number}");
        number += 1;
    }
    id
}

/// Lower-case letters and digits joined by single dashes.
pub(crate) fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}
