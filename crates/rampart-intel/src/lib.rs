//! Threat intelligence: what attackers are exploiting now. Reads the CISA
//! Known Exploited Vulnerabilities (KEV) catalog and STIX 2.1 bundles into one
//! normalized list of [`IntelItem`]s, which the engine matches against the
//! model to raise the likelihood of the threats they name.
//!
//! Invariant: no IO; text in, items or diagnostics out.

mod kev;
mod stix;

use rampart_model::{Diagnostic, Position};
use serde::{Deserialize, Serialize};

/// One piece of intelligence, whatever its source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntelItem {
    /// Where it came from: `CISA KEV`, or `STIX` with the bundle id.
    pub source: String,
    /// Its id at the source: a CVE id, a STIX object id.
    pub id: String,
    pub name: String,
    /// Products and vendors it concerns, lower case (`log4j`, `apache`).
    /// Matched as substrings of a component's `technology`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub technologies: Vec<String>,
    /// Weakness classes exploited (CWE ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cwe: Vec<u32>,
    /// Attack patterns in use (CAPEC ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capec: Vec<u32>,
    /// Techniques in use (ATT&CK ids).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attack: Vec<String>,
    /// When the source published it (YYYY-MM-DD), if it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// The normalized file `rampart intel import` writes and `--intel` reads.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntelFile {
    /// Format version of this file.
    pub rampart_intel: u32,
    pub items: Vec<IntelItem>,
}

pub const INTEL_FORMAT_VERSION: u32 = 1;

/// The formats [`read`] understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntelFormat {
    /// CISA's Known Exploited Vulnerabilities catalog (JSON feed).
    Kev,
    /// A STIX 2.1 bundle.
    Stix,
    /// A file written by `rampart intel import`.
    Rampart,
}

impl IntelFormat {
    pub fn name(self) -> &'static str {
        match self {
            IntelFormat::Kev => "CISA KEV catalog",
            IntelFormat::Stix => "STIX 2.1 bundle",
            IntelFormat::Rampart => "Rampart intelligence file",
        }
    }
}

/// What [`read`] found.
#[derive(Clone, Debug)]
pub struct Read {
    pub format: IntelFormat,
    pub items: Vec<IntelItem>,
    /// Objects that were skipped, and why.
    pub warnings: Vec<Diagnostic>,
}

/// Reads intelligence in any supported format, detected from its top-level
/// keys.
pub fn read(text: &str) -> Result<Read, Vec<Diagnostic>> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|error| {
        vec![Diagnostic::error(Position::new(error.line() as u32, error.column() as u32), format!("not JSON: {error}"))]
    })?;
    let object = value
        .as_object()
        .ok_or_else(|| vec![Diagnostic::error(Position::new(1, 1), "expected a JSON object at the top level")])?;
    if object.contains_key("rampart_intel") {
        let file: IntelFile = rampart_model::parse::from_json(text).map_err(|d| vec![d])?;
        if file.rampart_intel != INTEL_FORMAT_VERSION {
            return Err(vec![Diagnostic::error(
                Position::new(1, 1),
                format!(
                    "intelligence file version {} is not supported; expected {INTEL_FORMAT_VERSION}",
                    file.rampart_intel
                ),
            )]);
        }
        return Ok(Read { format: IntelFormat::Rampart, items: file.items, warnings: Vec::new() });
    }
    if object.contains_key("vulnerabilities") && object.contains_key("catalogVersion") {
        return kev::read(text).map(|items| Read { format: IntelFormat::Kev, items, warnings: Vec::new() });
    }
    if object.get("type").and_then(|t| t.as_str()) == Some("bundle") {
        return stix::read(text).map(|(items, warnings)| Read { format: IntelFormat::Stix, items, warnings });
    }
    Err(vec![Diagnostic::error(Position::new(1, 1), "not a known intelligence format").with_help(
        "expected the CISA KEV JSON feed (with `catalogVersion` and `vulnerabilities`), a STIX 2.1 bundle \
         (`\"type\": \"bundle\"`), or a file written by `rampart intel import`",
    )])
}

/// Parses `CWE-79` (any case) into 79.
pub(crate) fn cwe_number(text: &str) -> Option<u32> {
    let upper = text.trim().to_ascii_uppercase();
    upper.strip_prefix("CWE-")?.parse().ok()
}

/// Lower-cased, trimmed product or vendor names, without empties and
/// placeholders that would match everything.
pub(crate) fn technology_terms(names: &[&str]) -> Vec<String> {
    let mut terms: Vec<String> = names
        .iter()
        .map(|name| name.trim().to_lowercase())
        .filter(|name| name.len() >= 3 && !matches!(name.as_str(), "n/a" | "multiple" | "unknown" | "various"))
        .collect();
    terms.sort();
    terms.dedup();
    terms
}
