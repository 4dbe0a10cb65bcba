//! The parts of a Threat Composer workspace export (`*.tc.json`) the importer
//! reads. Keys not listed (diagram images, display order) are skipped; the
//! keys that carry meaning are typed, so a wrong type is an error at its
//! position.

use rampart_model::Located;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Document {
    #[serde(default)]
    pub schema: Option<serde_json::Value>,
    #[serde(default)]
    pub application_info: Option<ApplicationInfo>,
    #[serde(default)]
    pub architecture: Option<Section>,
    #[serde(default)]
    pub dataflow: Option<Section>,
    #[serde(default)]
    pub assumptions: Option<Vec<Assumption>>,
    #[serde(default)]
    pub mitigations: Option<Vec<Mitigation>>,
    #[serde(default)]
    pub assumption_links: Option<Vec<AssumptionLink>>,
    #[serde(default)]
    pub mitigation_links: Option<Vec<MitigationLink>>,
    #[serde(default)]
    pub threats: Option<Vec<Threat>>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ApplicationInfo {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

/// The architecture or data-flow section: a description and a picture.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Section {
    #[serde(default)]
    pub description: Option<String>,
}

/// A key-value pair; `value` is text (`Priority`, `Comments`) or a list
/// (`STRIDE`).
#[derive(Debug, Deserialize)]
pub(super) struct Metadata {
    pub key: Located<String>,
    #[serde(default)]
    pub value: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Assumption {
    pub id: Located<String>,
    pub content: String,
    #[serde(default)]
    pub metadata: Option<Vec<Metadata>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Mitigation {
    pub id: Located<String>,
    pub content: String,
    /// `mitigationIdentified`, `mitigationInProgress`, `mitigationResolved`,
    /// `mitigationResolvedWillNotAction`.
    #[serde(default)]
    pub status: Option<Located<String>>,
    #[serde(default)]
    pub metadata: Option<Vec<Metadata>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct AssumptionLink {
    /// `Threat` or `Mitigation`: what `linked_id` names.
    #[serde(default, rename = "type")]
    pub link_type: Option<Located<String>>,
    pub assumption_id: Located<String>,
    pub linked_id: Located<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct MitigationLink {
    pub mitigation_id: Located<String>,
    /// The threat's id.
    pub linked_id: Located<String>,
}

/// A threat statement and its parts.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Threat {
    pub id: Located<String>,
    #[serde(default)]
    pub numeric_id: Option<i64>,
    #[serde(default)]
    pub statement: Option<Located<String>>,
    #[serde(default)]
    pub threat_source: Option<String>,
    #[serde(default)]
    pub prerequisites: Option<String>,
    #[serde(default)]
    pub threat_action: Option<String>,
    #[serde(default)]
    pub threat_impact: Option<String>,
    #[serde(default)]
    pub impacted_goal: Option<Vec<String>>,
    #[serde(default)]
    pub impacted_assets: Option<Vec<Located<String>>>,
    /// `threatIdentified`, `threatResolved`, `threatResolvedNotUseful`.
    #[serde(default)]
    pub status: Option<Located<String>>,
    #[serde(default)]
    pub metadata: Option<Vec<Metadata>>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}
