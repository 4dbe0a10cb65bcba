//! Open Threat Model (OTM, <https://github.com/iriusrisk/OpenThreatModel>)
//! documents, JSON or YAML, as IriusRisk, StartLeft and Threat Dragon write
//! them. Rampart's `otm` report writes this format too, and reads back here.
//!
//! Mapping, in short (the converter documents each decision where it is made):
//!
//! | OTM | Rampart |
//! |---|---|
//! | `project.name` / `description` | model name and description; owner, tags and attributes → warning |
//! | `trustZones` | boundaries; `risk.trustRating` 0-100 → trust (<25 untrusted, <50 partner, <85 internal, else restricted); `type` → kind; `parent.trustZone` → parent |
//! | `components` of a client or person type (`web-client`, `generic-client`, `user`...) | actors (`user`, `external-system`...) |
//! | `components` of a network type (`vpc`, `subnet`), or of an unknown type with children | boundaries as trusted as their zone |
//! | other `components` | components; `type` → catalog kind by table, unknown → `service` with a warning; `parent` → boundary (a component inside a component goes to its boundary, with a warning); `tags` → tags; `assets.stored` / `processed` → stores / processes; code representation → source file and line |
//! | `dataflows` | flows; first tag naming a protocol → protocol, else `https`; other tags → warning; `bidirectional` → one flow and a warning; `assets` → data |
//! | `assets` | data; `risk` confidentiality/integrity/availability 0-100 → low / medium / high / critical |
//! | `threats` referenced by components or dataflows | custom threats `otm-<name>`: categories → STRIDE, `cwes` → CWE numbers, `risk` 0-100 → likelihood and impact 1-5, targets = the referencing elements and flows |
//! | a reference's `state` | tracking entry per target (exposed → open, mitigated → mitigated, not-applicable → false-positive, accepted → accepted...) |
//! | `mitigations` referenced by threats | mitigation texts of the custom threat, with their state per target |
//! | diagram positions and sizes, unreferenced threats and mitigations, foreign `attributes` | warnings |
//!
//! Rampart's export writes `rampart:*` attributes (element role, exposure,
//! technology, controls, accepted formats, capabilities, data categories,
//! protocol, authentication, encryption) and marks the trust zone it invents
//! for elements outside every boundary, so that a model survives the round
//! trip; its threats (one OTM threat per rule and target, marked
//! `rampart:rule`) come back as one custom threat `otm-<rule>` per rule.

mod convert;
// Keys that are only checked for shape are deserialized and then not converted.
#[allow(dead_code)]
mod format;
pub(crate) mod terms;

use rampart_model::Diagnostic;
use rampart_model::parse::from_yaml;

use crate::{Imported, Importer, has_top_level_key};

/// Open Threat Model documents.
#[derive(Clone, Copy, Debug, Default)]
pub struct Otm;

impl Importer for Otm {
    fn name(&self) -> &'static str {
        "otm"
    }

    fn description(&self) -> &'static str {
        "Open Threat Model (OTM) JSON or YAML"
    }

    /// Every OTM document has `otmVersion`.
    fn detect(&self, _file_name: &str, text: &str) -> bool {
        has_top_level_key(text, "otmVersion")
    }

    fn import(&self, text: &str) -> Result<Imported, Vec<Diagnostic>> {
        // JSON is YAML too, so one parser reads both spellings, with positions.
        let document: format::Document = from_yaml(text).map_err(|diagnostic| vec![explain(diagnostic)])?;
        convert::convert(&document)
    }
}

/// Adds what was expected to parser messages that only say what was wrong.
pub(crate) fn explain(diagnostic: Diagnostic) -> Diagnostic {
    if diagnostic.help.is_some() || diagnostic.message.contains("expected") {
        return diagnostic;
    }
    let message = diagnostic.message.to_ascii_lowercase();
    let expected = if ["floating point", "integer", "number", "invalid u", "invalid i", "invalid f"]
        .iter()
        .any(|word| message.contains(word))
    {
        "expected a number here"
    } else if message.contains("bool") {
        "expected `true` or `false` here"
    } else {
        return diagnostic;
    };
    diagnostic.with_help(expected)
}
