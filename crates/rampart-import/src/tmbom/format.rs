//! The parts of a CycloneDX BOM (1.5 to 1.7) that a threat-model BOM uses:
//! components of type `threat-model` nested under the system's, described by
//! `cdx:model:*` properties, and vulnerabilities that affect them. Keys are
//! not denied: a BOM carries much else (licenses, hashes, dependencies).

use rampart_model::Located;
use serde::Deserialize;
use serde::de::IgnoredAny;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Document {
    pub bom_format: Located<String>,
    #[serde(default)]
    pub spec_version: Option<Located<String>>,
    #[serde(default)]
    pub metadata: Option<Metadata>,
    #[serde(default)]
    pub components: Option<Vec<Component>>,
    #[serde(default)]
    pub services: Option<Vec<Service>>,
    #[serde(default)]
    pub vulnerabilities: Option<Vec<Vulnerability>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Metadata {
    #[serde(default)]
    pub component: Option<Component>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Component {
    #[serde(rename = "type")]
    pub kind: Located<String>,
    #[serde(default, rename = "bom-ref")]
    pub bom_ref: Option<Located<String>>,
    pub name: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub properties: Option<Vec<Property>>,
    #[serde(default)]
    pub components: Option<Vec<Component>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Property {
    pub name: Located<String>,
    #[serde(default)]
    pub value: Option<Located<String>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Service {
    pub name: Located<String>,
    #[serde(default, rename = "bom-ref")]
    pub bom_ref: Option<String>,
    #[serde(default)]
    pub data: Option<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Vulnerability {
    #[serde(default, rename = "bom-ref")]
    pub bom_ref: Option<Located<String>>,
    #[serde(default)]
    pub id: Option<Located<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
    #[serde(default)]
    pub recommendation: Option<String>,
    #[serde(default)]
    pub ratings: Option<Vec<Rating>>,
    #[serde(default)]
    pub cwes: Option<Vec<Located<u32>>>,
    #[serde(default)]
    pub analysis: Option<Analysis>,
    #[serde(default)]
    pub affects: Option<Vec<Affects>>,
    #[serde(default)]
    pub properties: Option<Vec<Property>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Rating {
    #[serde(default)]
    pub severity: Option<Located<String>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Analysis {
    #[serde(default)]
    pub state: Option<Located<String>>,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub response: Option<Vec<String>>,
    #[serde(default)]
    pub detail: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Affects {
    #[serde(rename = "ref")]
    pub reference: Located<String>,
}
