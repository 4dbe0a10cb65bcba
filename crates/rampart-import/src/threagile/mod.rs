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
//! | `shared_runtimes` | boundaries of kind `shared-runtime` holding the assets they run, nested in the trust boundary those assets share; a runtime spanning several zones is a warning (see `convert/runtimes.rs`) |
//! | `individual_risk_categories` | custom threats `threagile-CATEGORY` on the most relevant asset, link or data of each risk, with STRIDE, CWE, likelihood and impact (see `convert/risks.rs`) |
//! | `risk_tracking` | tracking entries: on the Rampart equivalent of a built-in rule (wildcards match elements, or become `RULE@*` when every part is `*`), or on `threagile-CATEGORY@TARGET` for hand-written risks; entries without an equivalent are warnings (see `convert/tracking.rs`) |
//! | `includes` | the included files, merged as Threagile merges them (see `includes.rs`); with [`Importer::import`] alone (no file to read them from) an error |
//! | `custom_risk_categories` (later Threagile versions), report text | warnings |

mod convert;
mod includes;
// Keys that only feed Threagile's reports are deserialized to check the
// document's shape (types, unknown keys) and then not converted.
#[allow(dead_code)]
mod format;
mod tables;

use rampart_model::Diagnostic;

use crate::{Imported, Importer, IncludeReader, has_top_level_key};

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

    /// A model with `includes:` needs [`Importer::import_file`].
    fn import(&self, text: &str) -> Result<Imported, Vec<Diagnostic>> {
        import(text, "", None)
    }

    fn import_file(&self, path: &str, text: &str, read: &IncludeReader<'_>) -> Result<Imported, Vec<Diagnostic>> {
        import(text, path, Some(read))
    }
}

/// Reads the model and the files it includes (JSON is YAML too, so one
/// parser reads both spellings of the format), converts the merged model,
/// and points what came from included files back at them.
fn import(text: &str, path: &str, read: Option<&IncludeReader<'_>>) -> Result<Imported, Vec<Diagnostic>> {
    let loaded = includes::load(path, text, read)?;
    match convert::convert(&loaded.document, &loaded.text) {
        Ok(mut imported) => {
            let mut warnings = loaded.warnings;
            warnings.append(&mut imported.warnings);
            imported.warnings = loaded.sources.relocate_diagnostics(warnings);
            loaded.sources.relocate_model(&mut imported.model);
            Ok(imported)
        }
        Err(mut errors) => {
            let mut all = loaded.warnings;
            all.append(&mut errors);
            Err(loaded.sources.relocate_diagnostics(all))
        }
    }
}
