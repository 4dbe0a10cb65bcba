//! The JSON pytm writes with `--json`: its `TM` object serialized attribute
//! by attribute (`pytm.pytm.serialize`). Elements appear twice (in `actors`
//! or `assets`, and again in `elements`), references between objects are by
//! name, and findings are listed at the top level with their target's name.
//!
//! Only what the importer maps is declared; pytm writes every attribute with
//! its default, and newer versions add attributes, so unknown keys are
//! accepted. Values are typed, so a wrong type is an error at its line.

use std::collections::BTreeMap;

use rampart_model::Located;
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

/// A whole `--json` output.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Document {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub assumptions: Vec<Assumption>,
    #[serde(default, deserialize_with = "nullable")]
    pub boundaries: Vec<Element>,
    #[serde(default, deserialize_with = "nullable")]
    pub actors: Vec<Element>,
    #[serde(default, deserialize_with = "nullable")]
    pub assets: Vec<Element>,
    #[serde(default, deserialize_with = "nullable")]
    pub elements: Vec<Element>,
    #[serde(default, deserialize_with = "nullable")]
    pub flows: Vec<Dataflow>,
    #[serde(default, deserialize_with = "nullable")]
    pub data: Vec<Data>,
    #[serde(default, deserialize_with = "nullable")]
    pub findings: Vec<Finding>,
    #[serde(default, deserialize_with = "nullable")]
    pub excluded_findings: Vec<Finding>,
}

/// An assumption: text in older pytm versions, an object in newer ones.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Assumption {
    Text(String),
    Named {
        #[serde(default)]
        name: Option<String>,
        #[serde(default)]
        description: Option<String>,
    },
}

/// An actor, asset (server, datastore, lambda, process...) or boundary.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Element {
    pub name: Located<String>,
    /// The pytm class (`Server`, `Datastore`, `Actor`...); boundaries have none.
    #[serde(default, rename = "__class__")]
    pub class: Option<Located<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "inBoundary")]
    pub in_boundary: Option<Located<String>>,
    #[serde(default, rename = "inScope")]
    pub in_scope: Option<bool>,
    #[serde(default, rename = "isAdmin")]
    pub is_admin: Option<bool>,
    #[serde(default, rename = "onAWS")]
    pub on_aws: Option<bool>,
    #[serde(default, rename = "onRDS")]
    pub on_rds: Option<bool>,
    #[serde(default, rename = "isSQL")]
    pub is_sql: Option<bool>,
    /// `DatastoreType.SQL`, `DatastoreType.AWS_S3`...
    #[serde(default, rename = "type")]
    pub datastore_type: Option<String>,
    #[serde(default, rename = "implementsAPI")]
    pub implements_api: Option<bool>,
    #[serde(default, rename = "usesXMLParser")]
    pub uses_xml_parser: Option<bool>,
    #[serde(default, rename = "OS")]
    pub os: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub controls: Controls,
    /// Names of the data the element handles.
    #[serde(default, deserialize_with = "nullable")]
    pub data: Vec<NameRef>,
}

/// A data flow between two elements, which pytm names.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Dataflow {
    pub name: Located<String>,
    #[serde(default)]
    pub source: Option<Located<String>>,
    #[serde(default)]
    pub sink: Option<Located<String>>,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default, rename = "dstPort")]
    pub dst_port: Option<i64>,
    /// Older pytm versions kept controls on the flow itself.
    #[serde(default, rename = "isEncrypted")]
    pub is_encrypted: Option<bool>,
    #[serde(default, rename = "isResponse")]
    pub is_response: Option<bool>,
    #[serde(default, rename = "responseTo")]
    pub response_to: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "tlsVersion")]
    pub tls_version: Option<String>,
    #[serde(default, rename = "usesSessionTokens")]
    pub uses_session_tokens: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub controls: Controls,
    #[serde(default, deserialize_with = "nullable")]
    pub data: Vec<NameRef>,
}

/// A data item and where it goes.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Data {
    pub name: Located<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `Classification.PUBLIC` ... `Classification.TOP_SECRET`.
    #[serde(default)]
    pub classification: Option<Located<String>>,
    #[serde(default, rename = "isPII")]
    pub is_pii: Option<bool>,
    #[serde(default, rename = "isCredentials")]
    pub is_credentials: Option<bool>,
    #[serde(default, rename = "isStored")]
    pub is_stored: Option<bool>,
    /// Names of the flows that carry it.
    #[serde(default, rename = "carriedBy", deserialize_with = "nullable")]
    pub carried_by: Vec<NameRef>,
    /// Names of the elements that process it.
    #[serde(default, rename = "processedBy", deserialize_with = "nullable")]
    pub processed_by: Vec<NameRef>,
}

/// A threat pytm found on an element or flow.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Finding {
    /// Name of the element or flow.
    #[serde(default)]
    pub target: Option<Located<String>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    #[serde(default)]
    pub severity: Option<Located<String>>,
    #[serde(default)]
    pub mitigations: Option<String>,
    #[serde(default)]
    pub example: Option<String>,
    /// The rule of pytm's threat library (`INP02`).
    #[serde(default)]
    pub threat_id: Option<Located<String>>,
    #[serde(default)]
    pub references: Option<String>,
    #[serde(default)]
    pub cvss: Option<Scalar>,
    /// How the team handles it: mitigated, transferred, avoided, accepted.
    #[serde(default)]
    pub response: Option<Located<String>>,
    /// Not written by pytm itself; some tool chains add it.
    #[serde(default)]
    pub status: Option<Located<String>>,
}

/// A string or number, as pytm writes ids and scores either way.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum Scalar {
    Text(String),
    Integer(i64),
    Number(f64),
}

impl Scalar {
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(text) => text.clone(),
            Scalar::Integer(number) => number.to_string(),
            Scalar::Number(number) => number.to_string(),
        }
    }
}

/// A reference to a named object: pytm writes the name, or (nested) the object.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum NameRef {
    Name(String),
    Object { name: String },
}

impl NameRef {
    pub fn name(&self) -> &str {
        match self {
            NameRef::Name(name) | NameRef::Object { name } => name,
        }
    }
}

/// The `controls` object: flags and a few strings, by pytm's attribute name.
pub(super) type Controls = BTreeMap<String, ControlValue>;

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum ControlValue {
    Flag(bool),
    Text(String),
    Other(IgnoredAny),
}

impl ControlValue {
    pub fn is_set(&self) -> bool {
        matches!(self, ControlValue::Flag(true))
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            ControlValue::Text(text) if !text.trim().is_empty() => Some(text.trim()),
            _ => None,
        }
    }
}

/// pytm writes unset values as `null`.
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(deserializer: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
