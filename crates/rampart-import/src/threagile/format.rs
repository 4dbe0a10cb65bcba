//! Threagile's model format (`threagile.yaml`) as its JSON Schema and its Go
//! input types document it, key by key.
//!
//! Nested types list every documented key and deny the rest, so a typo is an
//! error at its line with the nearest valid key (Threagile itself drops
//! unknown keys silently). Top-level keys that are not listed are collected in
//! [`Document::unknown`] instead: newer Threagile versions add sections, and
//! the converter decides between a warning and an error.
//!
//! Values Rampart maps are typed strictly (enums with Threagile's spellings);
//! values that only feed Threagile's reports are accepted as written.
//! Threagile writes empty lists and maps as bare keys (`tags:`), so every
//! collection accepts `null`.

use std::fmt;
use std::marker::PhantomData;

use rampart_model::Located;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// The top-level keys Threagile documents, for "did you mean" help.
pub(super) const TOP_LEVEL_KEYS: &[&str] = &[
    "threagile_version",
    "includes",
    "title",
    "author",
    "contributors",
    "date",
    "application_description",
    "business_overview",
    "technical_overview",
    "business_criticality",
    "management_summary_comment",
    "security_requirements",
    "questions",
    "abuse_cases",
    "tags_available",
    "data_assets",
    "technical_assets",
    "trust_boundaries",
    "shared_runtimes",
    "individual_risk_categories",
    "custom_risk_categories",
    "risk_tracking",
    "diagram_tweak_nodesep",
    "diagram_tweak_ranksep",
    "diagram_tweak_edge_layout",
    "diagram_tweak_suppress_edge_labels",
    "diagram_tweak_layout_left_to_right",
    "diagram_tweak_invisible_connections_between_assets",
    "diagram_tweak_same_rank_assets",
];

/// A whole `threagile.yaml`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Document {
    #[serde(default)]
    pub threagile_version: Option<String>,
    /// Other model files merged into this one (see `includes.rs`).
    #[serde(default, deserialize_with = "nullable")]
    pub includes: Vec<Located<String>>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub author: Option<Author>,
    #[serde(default, deserialize_with = "nullable")]
    pub contributors: Vec<Author>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub application_description: Option<Overview>,
    #[serde(default)]
    pub business_overview: Option<Overview>,
    #[serde(default)]
    pub technical_overview: Option<Overview>,
    #[serde(default)]
    pub business_criticality: Option<String>,
    #[serde(default)]
    pub management_summary_comment: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub security_requirements: Entries<IgnoredAny>,
    #[serde(default, deserialize_with = "nullable")]
    pub questions: Entries<IgnoredAny>,
    #[serde(default, deserialize_with = "nullable")]
    pub abuse_cases: Entries<IgnoredAny>,
    #[serde(default, deserialize_with = "nullable")]
    pub tags_available: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub data_assets: Entries<DataAsset>,
    #[serde(default, deserialize_with = "nullable")]
    pub technical_assets: Entries<TechnicalAsset>,
    #[serde(default, deserialize_with = "nullable")]
    pub trust_boundaries: Entries<TrustBoundary>,
    #[serde(default, deserialize_with = "nullable")]
    pub shared_runtimes: Entries<SharedRuntime>,
    /// Hand-written risks (Threagile 1.x name of the section).
    #[serde(default, deserialize_with = "nullable")]
    pub individual_risk_categories: Entries<IndividualRiskCategory>,
    /// Hand-written risks (later Threagile name of the section).
    #[serde(default)]
    pub custom_risk_categories: Option<IgnoredAny>,
    #[serde(default, deserialize_with = "nullable")]
    pub risk_tracking: Entries<RiskTracking>,
    #[serde(default)]
    pub diagram_tweak_nodesep: Option<i64>,
    #[serde(default)]
    pub diagram_tweak_ranksep: Option<i64>,
    #[serde(default)]
    pub diagram_tweak_edge_layout: Option<String>,
    #[serde(default)]
    pub diagram_tweak_suppress_edge_labels: Option<bool>,
    #[serde(default)]
    pub diagram_tweak_layout_left_to_right: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub diagram_tweak_invisible_connections_between_assets: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub diagram_tweak_same_rank_assets: Vec<String>,
    /// Top-level keys not listed above, in document order.
    #[serde(flatten)]
    pub unknown: Entries<IgnoredAny>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Author {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub homepage: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Overview {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub images: Option<IgnoredAny>,
    #[serde(default, rename = "source-file")]
    pub source_file: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DataAsset {
    pub id: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub usage: Option<Usage>,
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub quantity: Option<String>,
    pub confidentiality: Confidentiality,
    pub integrity: Criticality,
    pub availability: Criticality,
    #[serde(default)]
    pub justification_cia_rating: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TechnicalAsset {
    pub id: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub asset_type: AssetType,
    #[serde(default)]
    pub usage: Option<Usage>,
    #[serde(default, deserialize_with = "nullable")]
    pub used_as_client_by_human: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub out_of_scope: bool,
    #[serde(default)]
    pub justification_out_of_scope: Option<String>,
    #[serde(default)]
    pub size: Option<String>,
    #[serde(default)]
    pub technology: Option<Located<String>>,
    /// Later Threagile versions allow several technologies per asset.
    #[serde(default, deserialize_with = "nullable")]
    pub technologies: Vec<Located<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub internet: bool,
    #[serde(default)]
    pub machine: Option<String>,
    #[serde(default)]
    pub encryption: Option<Encryption>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub confidentiality: Option<String>,
    #[serde(default)]
    pub integrity: Option<String>,
    #[serde(default)]
    pub availability: Option<String>,
    #[serde(default)]
    pub justification_cia_rating: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub multi_tenant: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub redundant: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub custom_developed_parts: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub data_assets_processed: Vec<Located<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub data_assets_stored: Vec<Located<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub data_formats_accepted: Vec<Located<DataFormat>>,
    #[serde(default)]
    pub diagram_tweak_order: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    pub communication_links: Entries<CommunicationLink>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CommunicationLink {
    pub target: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub protocol: Option<Located<String>>,
    #[serde(default)]
    pub authentication: Option<Authentication>,
    #[serde(default)]
    pub authorization: Option<Authorization>,
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub vpn: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub ip_filtered: bool,
    #[serde(default, deserialize_with = "nullable")]
    pub readonly: bool,
    #[serde(default)]
    pub usage: Option<Usage>,
    #[serde(default, deserialize_with = "nullable")]
    pub data_assets_sent: Vec<Located<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub data_assets_received: Vec<Located<String>>,
    #[serde(default)]
    pub diagram_tweak_weight: Option<i64>,
    #[serde(default)]
    pub diagram_tweak_constraint: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TrustBoundary {
    pub id: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "type")]
    pub boundary_type: Option<BoundaryType>,
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub technical_assets_inside: Vec<Located<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub trust_boundaries_nested: Vec<Located<String>>,
    #[serde(default)]
    pub is_template: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SharedRuntime {
    pub id: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub technical_assets_running: Vec<Located<String>>,
    #[serde(default)]
    pub is_template: Option<bool>,
}

/// A hand-written risk category and the risks found of it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IndividualRiskCategory {
    pub id: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub impact: Option<String>,
    #[serde(default)]
    pub asvs: Option<String>,
    #[serde(default)]
    pub cheat_sheet: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub mitigation: Option<String>,
    #[serde(default)]
    pub check: Option<String>,
    #[serde(default)]
    pub function: Option<String>,
    #[serde(default)]
    pub stride: Option<Located<String>>,
    #[serde(default)]
    pub detection_logic: Option<String>,
    #[serde(default)]
    pub risk_assessment: Option<String>,
    #[serde(default)]
    pub false_positives: Option<String>,
    #[serde(default)]
    pub model_failure_possible_reason: Option<bool>,
    #[serde(default)]
    pub cwe: Option<Located<u32>>,
    #[serde(default, deserialize_with = "nullable")]
    pub risks_identified: Entries<RiskIdentified>,
}

/// One hand-written risk: where it is and how bad.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RiskIdentified {
    #[serde(default)]
    pub severity: Option<Located<Severity>>,
    #[serde(default)]
    pub exploitation_likelihood: Option<Located<Likelihood>>,
    #[serde(default)]
    pub exploitation_impact: Option<Located<Impact>>,
    #[serde(default)]
    pub data_breach_probability: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub data_breach_technical_assets: Vec<Located<String>>,
    #[serde(default)]
    pub most_relevant_data_asset: Option<Located<String>>,
    #[serde(default)]
    pub most_relevant_technical_asset: Option<Located<String>>,
    #[serde(default)]
    pub most_relevant_communication_link: Option<Located<String>>,
    #[serde(default)]
    pub most_relevant_trust_boundary: Option<Located<String>>,
    #[serde(default)]
    pub most_relevant_shared_runtime: Option<Located<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Severity {
    Low,
    Medium,
    Elevated,
    High,
    Critical,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Likelihood {
    Unlikely,
    Likely,
    VeryLikely,
    Frequent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Impact {
    Low,
    Medium,
    High,
    VeryHigh,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RiskTracking {
    pub status: RiskStatus,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub ticket: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub checked_by: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum AssetType {
    ExternalEntity,
    Process,
    Datastore,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Usage {
    Business,
    Devops,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Confidentiality {
    Public,
    Internal,
    Restricted,
    Confidential,
    StrictlyConfidential,
}

/// Threagile's scale for integrity and availability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Criticality {
    Archive,
    Operational,
    Important,
    Critical,
    MissionCritical,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Authentication {
    None,
    Credentials,
    SessionId,
    Token,
    ClientCertificate,
    TwoFactor,
    Externalized,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Authorization {
    None,
    TechnicalUser,
    /// Threagile spells it `enduser-...`; its own example model writes
    /// `end-user-...`, which Threagile 1.0 also read.
    #[serde(alias = "end-user-identity-propagation")]
    EnduserIdentityPropagation,
}

/// How a technical asset encrypts the data it stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Encryption {
    None,
    Transparent,
    DataWithSymmetricSharedKey,
    DataWithAsymmetricSharedKey,
    #[serde(alias = "data-with-end-user-individual-key")]
    DataWithEnduserIndividualKey,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum DataFormat {
    Json,
    Xml,
    Serialization,
    File,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum BoundaryType {
    NetworkOnPrem,
    NetworkDedicatedHoster,
    NetworkVirtualLan,
    NetworkCloudProvider,
    NetworkCloudSecurityGroup,
    NetworkPolicyNamespaceIsolation,
    ExecutionEnvironment,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum RiskStatus {
    Unchecked,
    InDiscussion,
    Accepted,
    InProgress,
    Mitigated,
    FalsePositive,
}

/// A Threagile map keyed by title (`technical_assets`, `communication_links`,
/// ...), kept in document order so that the imported model is ordered like
/// the source and identical for identical input.
#[derive(Debug)]
pub(super) struct Entries<T>(pub Vec<(Located<String>, T)>);

impl<T> Default for Entries<T> {
    fn default() -> Self {
        Entries(Vec::new())
    }
}

impl<T> Entries<T> {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &(Located<String>, T)> {
        self.0.iter()
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Entries<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for EntriesVisitor<T> {
            type Value = Entries<T>;

            fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
                formatter.write_str("a map keyed by title")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
                while let Some(key) = map.next_key::<Located<String>>()? {
                    entries.push((key, map.next_value()?));
                }
                Ok(Entries(entries))
            }
        }

        deserializer.deserialize_map(EntriesVisitor(PhantomData))
    }
}

/// Reads a value written as a bare key (`null`) as its default.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(deserializer: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
