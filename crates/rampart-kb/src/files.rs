//! The shapes of the knowledge-base files, as authors write them.
//!
//! Everything here is checked again by [`crate::compile`], which resolves
//! names against the vocabulary and catalog and reports misspellings.

use rampart_model::{Located, Rating};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// `kb/vocabulary/*.yaml`: the terms models and rules may use.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabularyFile {
    #[serde(default)]
    pub traits: Vec<TermEntry>,
    #[serde(default)]
    pub capabilities: Vec<TermEntry>,
    #[serde(default)]
    pub data_formats: Vec<TermEntry>,
    #[serde(default)]
    pub data_categories: Vec<TermEntry>,
    #[serde(default)]
    pub protocols: Vec<ProtocolEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermEntry {
    pub id: Located<String>,
    pub description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolEntry {
    pub id: Located<String>,
    pub description: String,
    /// Whether the protocol encrypts by itself (https, ssh) when a flow does
    /// not say.
    #[serde(default)]
    pub encrypted: bool,
}

/// What an element is, in data-flow-diagram terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ElementCategory {
    /// Runs code: services, applications, devices.
    Process,
    /// Keeps data: databases, buckets, queues.
    Datastore,
    /// A system outside the modelled one.
    External,
    /// A person.
    Actor,
}

/// One entry of `kb/catalog/*.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComponentTypeEntry {
    pub id: Located<String>,
    pub name: String,
    pub category: ElementCategory,
    pub domain: String,
    pub description: String,
    #[serde(default)]
    pub traits: Vec<Located<String>>,
    /// Capabilities every instance has.
    #[serde(default)]
    pub capabilities: Vec<Located<String>>,
    /// Data formats every instance parses.
    #[serde(default)]
    pub accepts: Vec<Located<String>>,
    /// The trust of an instance placed outside every boundary. Defaults to
    /// `untrusted` for actors and external systems and `internal` otherwise;
    /// code that runs on users' devices (single-page apps, mobile apps) sets
    /// `untrusted`.
    #[serde(default)]
    pub default_trust: Option<rampart_model::Trust>,
    /// Passes requests on to what is behind it (proxies, gateways, load
    /// balancers, CDNs): whoever can reach it can reach its targets.
    #[serde(default)]
    pub forwards_traffic: bool,
}

/// How much a countermeasure lowers the likelihood of the threats it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effectiveness {
    Low,
    Medium,
    High,
}

impl Effectiveness {
    /// The share of likelihood the countermeasure removes.
    pub fn reduction(self) -> f32 {
        match self {
            Effectiveness::Low => 0.2,
            Effectiveness::Medium => 0.4,
            Effectiveness::High => 0.6,
        }
    }
}

/// One entry of `kb/countermeasures/*.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountermeasureEntry {
    pub id: Located<String>,
    pub name: String,
    pub description: String,
    /// Concrete implementation guidance for developers: what to do, in which
    /// layer, with which library or setting.
    #[serde(default)]
    pub guidance: Option<String>,
    pub effectiveness: Effectiveness,
    #[serde(default)]
    pub nist_800_53: Vec<String>,
    #[serde(default)]
    pub asvs: Vec<String>,
    #[serde(default)]
    pub iso_27001: Vec<String>,
    #[serde(default)]
    pub pci_dss: Vec<String>,
}

/// The six STRIDE categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stride {
    Spoofing,
    Tampering,
    Repudiation,
    InformationDisclosure,
    DenialOfService,
    ElevationOfPrivilege,
}

impl Stride {
    /// The category a model file names (`information-disclosure`).
    pub fn parse(word: &str) -> Option<Stride> {
        Some(match word {
            "spoofing" => Stride::Spoofing,
            "tampering" => Stride::Tampering,
            "repudiation" => Stride::Repudiation,
            "information-disclosure" => Stride::InformationDisclosure,
            "denial-of-service" => Stride::DenialOfService,
            "elevation-of-privilege" => Stride::ElevationOfPrivilege,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Stride::Spoofing => "Spoofing",
            Stride::Tampering => "Tampering",
            Stride::Repudiation => "Repudiation",
            Stride::InformationDisclosure => "Information disclosure",
            Stride::DenialOfService => "Denial of service",
            Stride::ElevationOfPrivilege => "Elevation of privilege",
        }
    }
}

/// `kb/threats/**/*.yaml`: one threat rule per file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatEntry {
    pub id: Located<String>,
    pub title: String,
    pub description: String,
    pub stride: Vec<Stride>,
    #[serde(default)]
    pub cwe: Vec<u32>,
    #[serde(default)]
    pub capec: Vec<u32>,
    /// MITRE ATT&CK technique ids (`T1190`, `T0836` for ICS).
    #[serde(default)]
    pub attack: Vec<String>,
    /// OWASP Top 10 for LLM Applications (2025) ids (`LLM01`) for AI threats.
    #[serde(default)]
    pub owasp_llm: Vec<String>,
    /// Why the rule applies to every element of a kind whatever the model's
    /// facts, when it does; rules whose conditions use facts leave it out.
    #[serde(default)]
    pub unconditional_because: Option<String>,
    /// What the threat applies to, and when.
    pub applies_to: AppliesTo,
    /// Base likelihood, 1 (rare) to 5 (almost certain).
    pub likelihood: Located<u8>,
    /// Base impact, 1 (negligible) to 5 (severe).
    pub impact: Located<u8>,
    pub countermeasures: Vec<Located<String>>,
    #[serde(default)]
    pub references: Vec<String>,
}

/// The subject of a rule and the condition it must meet.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    /// Each actor or component.
    Element(ElementCondition),
    /// Each data flow.
    Flow(FlowCondition),
    /// Each data asset.
    Data(DataCondition),
    /// The model as a whole (patterns over all elements).
    Model(ModelCondition),
}

/// A condition on an actor or component.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementCondition {
    All(Vec<ElementCondition>),
    Any(Vec<ElementCondition>),
    Not(Box<ElementCondition>),
    /// Its catalog type is one of these.
    Kind(Located<Terms>),
    /// Its type has one of these traits.
    Trait(Located<Terms>),
    /// Its type's category is one of these (process, datastore, external, actor).
    Category(Located<Terms>),
    /// It has one of these capabilities (declared or from its type).
    Capability(Located<Terms>),
    /// It parses one of these data formats (declared or from its type).
    Accepts(Located<Terms>),
    /// Its exposure is one of these (internet, partner, internal).
    Exposure(Located<Terms>),
    /// Whether some flow reaches it from a less trusted zone, or it is internet-exposed.
    ReachableFromUntrusted(bool),
    /// The trust of its zone is one of these.
    ZoneTrust(Located<Terms>),
    /// Its technology names one of these (case-insensitive substring).
    Technology(Located<Terms>),
    /// It stores a data asset that matches.
    Stores(DataCondition),
    /// It stores, processes, or sends or receives a data asset that matches.
    Handles(DataCondition),
    /// Some flow into it matches.
    Inbound(FlowCondition),
    /// Some flow out of it matches.
    Outbound(FlowCondition),
    /// It has one of these controls (on itself, its boundaries or the model).
    HasControl(Located<Terms>),
}

/// A condition on a data flow.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowCondition {
    All(Vec<FlowCondition>),
    Any(Vec<FlowCondition>),
    Not(Box<FlowCondition>),
    /// Its protocol is one of these.
    Protocol(Located<Terms>),
    /// Whether it is encrypted (declared, or implied by the protocol).
    Encrypted(bool),
    /// Its authentication is one of these.
    Authentication(Located<Terms>),
    /// Its authorization is one of these.
    Authorization(Located<Terms>),
    /// Whether its ends are in different trust boundaries.
    CrossesBoundary(bool),
    /// Whether the sender's zone is less trusted than the receiver's.
    FromLessTrusted(bool),
    /// The sender matches.
    From(Box<ElementCondition>),
    /// The receiver matches.
    To(Box<ElementCondition>),
    /// It carries a data asset that matches.
    Carries(DataCondition),
    /// It has one of these controls (on itself or its receiver).
    HasControl(Located<Terms>),
}

/// A condition on a data asset.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCondition {
    All(Vec<DataCondition>),
    Any(Vec<DataCondition>),
    Not(Box<DataCondition>),
    /// It is in one of these categories.
    Category(Located<Terms>),
    /// Its confidentiality is at least this.
    Confidentiality(Rating),
    /// Its integrity is at least this.
    Integrity(Rating),
    /// Its availability is at least this.
    Availability(Rating),
    /// Some element that stores it matches.
    StoredIn(Box<ElementCondition>),
    /// Some flow that carries it matches.
    CarriedBy(Box<FlowCondition>),
}

/// A condition on the whole model.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelCondition {
    All(Vec<ModelCondition>),
    Any(Vec<ModelCondition>),
    Not(Box<ModelCondition>),
    /// Some actor or component matches.
    AnyElement(ElementCondition),
    /// Some flow matches.
    AnyFlow(FlowCondition),
    /// Some data asset matches.
    AnyData(DataCondition),
    /// The model declares one of these model-wide controls.
    HasControl(Located<Terms>),
}

/// One term or a list of terms (`kind: web-app` or `kind: [web-app, rest-api]`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Terms(pub Vec<String>);

impl<'de> Deserialize<'de> for Terms {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TermsVisitor;
        impl<'de> Visitor<'de> for TermsVisitor {
            type Value = Terms;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a term or a list of terms")
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Terms, E> {
                Ok(Terms(vec![value.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Terms, A::Error> {
                let mut terms = Vec::new();
                while let Some(term) = seq.next_element::<String>()? {
                    terms.push(term);
                }
                if terms.is_empty() {
                    return Err(de::Error::custom("expected at least one term, found an empty list"));
                }
                Ok(Terms(terms))
            }
        }
        deserializer.deserialize_any(TermsVisitor)
    }
}
