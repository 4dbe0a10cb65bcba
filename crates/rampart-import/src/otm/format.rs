//! The Open Threat Model document (OTM 0.1 and 0.2) as its JSON Schema
//! describes it. Keys are not denied: OTM is meant to be extended (every
//! object has free `attributes`), and producers add keys of their own.
//! Every list may be `null`, as the schema allows.

use std::collections::BTreeMap;

use rampart_model::Located;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// A whole OTM document.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Document {
    pub otm_version: Located<String>,
    pub project: Project,
    #[serde(default)]
    pub representations: Option<Vec<Representation>>,
    #[serde(default)]
    pub assets: Option<Vec<Asset>>,
    #[serde(default)]
    pub trust_zones: Option<Vec<TrustZone>>,
    #[serde(default)]
    pub components: Option<Vec<Component>>,
    #[serde(default)]
    pub dataflows: Option<Vec<Dataflow>>,
    #[serde(default)]
    pub threats: Option<Vec<Threat>>,
    #[serde(default)]
    pub mitigations: Option<Vec<Mitigation>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Project {
    pub name: Located<String>,
    pub id: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub owner_contact: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<Option<String>>>,
    #[serde(default)]
    pub attributes: Option<Attributes>,
}

/// Free key-value pairs; Rampart's own export writes `rampart:*` keys here.
pub(super) type Attributes = BTreeMap<String, Attribute>;

/// One attribute value: scalars are read, anything else is only noted.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Attribute {
    Text(String),
    Number(f64),
    Flag(bool),
    Other(IgnoredAny),
}

impl Attribute {
    pub fn text(&self) -> Option<String> {
        match self {
            Attribute::Text(text) => Some(text.clone()),
            Attribute::Number(number) => Some(number.to_string()),
            Attribute::Flag(flag) => Some(flag.to_string()),
            Attribute::Other(_) => None,
        }
    }
}

/// A diagram or code base the model is drawn in.
#[derive(Debug, Deserialize)]
pub(super) struct Representation {
    pub id: Located<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Asset {
    pub id: Located<String>,
    pub name: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub risk: AssetRisk,
    #[serde(default)]
    pub attributes: Option<Attributes>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AssetRisk {
    pub confidentiality: Located<f64>,
    pub integrity: Located<f64>,
    pub availability: Located<f64>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub risk_comments: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TrustZone {
    pub id: Located<String>,
    pub name: Located<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub risk: TrustZoneRisk,
    #[serde(default)]
    pub parent: Option<Parent>,
    #[serde(default)]
    pub representations: Option<Vec<RepresentationElement>>,
    #[serde(default)]
    pub attributes: Option<Attributes>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TrustZoneRisk {
    pub trust_rating: Located<f64>,
}

/// Where an element sits: in a trust zone or inside another component.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Parent {
    #[serde(default)]
    pub trust_zone: Option<Located<String>>,
    #[serde(default)]
    pub component: Option<Located<String>>,
}

/// An element's shape in a diagram, or its place in code.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RepresentationElement {
    pub representation: Located<String>,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub position: Option<IgnoredAny>,
    #[serde(default)]
    pub size: Option<IgnoredAny>,
    #[serde(default)]
    pub file: Option<String>,
    #[serde(default)]
    pub package: Option<String>,
    #[serde(default)]
    pub line: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Component {
    pub id: Located<String>,
    pub name: Located<String>,
    #[serde(rename = "type")]
    pub kind: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub parent: Option<Parent>,
    #[serde(default)]
    pub representations: Option<Vec<RepresentationElement>>,
    #[serde(default)]
    pub assets: Option<AssetInstance>,
    #[serde(default)]
    pub threats: Option<Vec<ThreatInstance>>,
    #[serde(default)]
    pub tags: Option<Vec<Option<String>>>,
    #[serde(default)]
    pub attributes: Option<Attributes>,
}

/// The data assets an element handles.
#[derive(Debug, Default, Deserialize)]
pub(super) struct AssetInstance {
    #[serde(default)]
    pub processed: Option<Vec<Option<Located<String>>>>,
    #[serde(default)]
    pub stored: Option<Vec<Option<Located<String>>>>,
}

/// A threat on an element: a reference to a threat definition with its state there.
#[derive(Debug, Deserialize)]
pub(super) struct ThreatInstance {
    pub threat: Located<String>,
    pub state: Located<String>,
    #[serde(default)]
    pub mitigations: Option<Vec<Option<MitigationInstance>>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct MitigationInstance {
    #[serde(default)]
    pub mitigation: Option<Located<String>>,
    #[serde(default)]
    pub state: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Dataflow {
    pub id: Located<String>,
    pub name: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub bidirectional: Option<bool>,
    pub source: Located<String>,
    pub destination: Located<String>,
    #[serde(default)]
    pub assets: Option<Vec<Option<Located<String>>>>,
    #[serde(default)]
    pub threats: Option<Vec<ThreatInstance>>,
    #[serde(default)]
    pub tags: Option<Vec<Option<String>>>,
    #[serde(default)]
    pub representations: Option<Vec<RepresentationElement>>,
    #[serde(default)]
    pub attributes: Option<Attributes>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Threat {
    pub id: Located<String>,
    pub name: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub categories: Option<Vec<Option<Located<String>>>>,
    #[serde(default)]
    pub cwes: Option<Vec<Option<Located<String>>>>,
    #[serde(default)]
    pub risk: Option<ThreatRisk>,
    #[serde(default)]
    pub tags: Option<Vec<Option<String>>>,
    #[serde(default)]
    pub attributes: Option<Attributes>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ThreatRisk {
    #[serde(default)]
    pub likelihood: Option<Located<f64>>,
    #[serde(default)]
    pub likelihood_comment: Option<String>,
    #[serde(default)]
    pub impact: Option<Located<f64>>,
    #[serde(default)]
    pub impact_comment: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Mitigation {
    pub id: Located<String>,
    pub name: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub risk_reduction: Option<f64>,
    #[serde(default)]
    pub attributes: Option<Attributes>,
}
