//! Threagile (<https://threagile.io>) models: the `threagile.yaml` a team
//! writes for Threagile's risk analysis.
//!
//! Mapping, in short (the converter documents each decision where it is made):
//!
//! | Threagile | Rampart |
//! |---|---|
//! | `technical_assets` of type `external-entity`, or `out_of_scope` | actors: `user` / `administrator` (`usage: devops`) for people's clients, else `external-system` |
//! | other `technical_assets` | components; `technology` → catalog type, `internet` (its own or a caller's) → exposure, data stored / processed, formats accepted, `encryption` → `encryption-at-rest`, capabilities shown by links |
//! | `communication_links` (under each asset, keyed by title) | flows `ASSET.title-slug`: protocol, authentication (`two-factor` adds `multi-factor-authentication`), authorization, encryption (VPN counts), data sent and received |
//! | `data_assets` | data, confidentiality / integrity / availability on Rampart's four-step scale |
//! | `trust_boundaries` | boundaries (`internal`), nesting, membership |
//! | `risk_tracking` | tracking entries, for rules with a Rampart equivalent and no wildcards |
//! | shared runtimes, hand-written risks, report text | warnings |

mod convert;
// Keys that only feed Threagile's reports are deserialized to check the
// document's shape (types, unknown keys) and then not converted.
#[allow(dead_code)]
mod format;
mod tables;

use rampart_model::Diagnostic;
use rampart_model::parse::from_yaml;

use crate::{Imported, Importer, has_top_level_key};

/// Threagile YAML models.
#[derive(Clone, Copy, Debug, Default)]
pub struct Threagile;

impl Importer for Threagile {
    fn name(&self) -> &'static str {
        "threagile"
    }

    fn description(&self) -> &'static str {
        "Threagile YAML model (threagile.yaml)"
    }

    /// Every Threagile model has `threagile_version`; a hand-trimmed one at
    /// least has `technical_assets`.
    fn detect(&self, _file_name: &str, text: &str) -> bool {
        has_top_level_key(text, "threagile_version") || has_top_level_key(text, "technical_assets")
    }

    fn import(&self, text: &str) -> Result<Imported, Vec<Diagnostic>> {
        // JSON is YAML too, so one parser reads both spellings of the format.
        let document: format::Document = from_yaml(text).map_err(|diagnostic| vec![diagnostic])?;
        convert::convert(&document, text)
    }
}
