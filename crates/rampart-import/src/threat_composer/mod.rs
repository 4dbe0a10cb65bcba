//! AWS Threat Composer (<https://github.com/awslabs/threat-composer>)
//! workspace exports (`*.tc.json`).
//!
//! A workspace is a list of threat statements with mitigations and
//! assumptions; it has no diagram elements and no flows. The elements the
//! threats need as targets are made from the statements' impacted assets.
//!
//! | Threat Composer | Rampart |
//! |---|---|
//! | `applicationInfo.name` | model name |
//! | `applicationInfo.description`, `architecture.description`, `dataflow.description`, `assumptions` | model description (assumptions as a list) |
//! | distinct `impactedAssets` of the threats (matched by name, ignoring case) | components of the catalog type the name suggests; data assets when the name names information (`user data`), rated by the impacted goals and priorities of the threats against them; else `service` components (each with a warning) |
//! | `threats` | custom threats `tc-<numericId>-<action>`: title = `statement`, description = source, prerequisites, action, impact, goals, tags, comments, linked assumptions; targets = the impacted assets' elements |
//! | metadata `STRIDE` (S, T, R, I, D, E) | STRIDE categories |
//! | tags `CWE-<n>` | CWE numbers (all tags are also listed in the description) |
//! | metadata `Priority` (High, Medium, Low) | likelihood and impact 4, 3, 2 |
//! | threat `status` | tracking per target: `threatIdentified` → open, `threatResolved` → mitigated, `threatResolvedNotUseful` → false-positive |
//! | `mitigations` linked by `mitigationLinks` | the threat's mitigations in words, with the mitigation's status and comments |
//! | links to deleted items, unlinked mitigations | warnings |
//! | diagram images | not read |

mod convert;
mod format;

use rampart_model::Diagnostic;

use crate::threat_dragon::json;
use crate::{Imported, Importer, has_top_level_key};

/// AWS Threat Composer workspace exports.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreatComposer;

impl Importer for ThreatComposer {
    fn name(&self) -> &'static str {
        "threat-composer"
    }

    fn description(&self) -> &'static str {
        "AWS Threat Composer workspace JSON"
    }

    /// Exports have `schema` and `threats` whose entries have `threatSource`
    /// or `statement`; a workspace without threats still has `applicationInfo`.
    fn detect(&self, file_name: &str, text: &str) -> bool {
        let threats = has_top_level_key(text, "threats")
            && (has_top_level_key(text, "threatSource") || has_top_level_key(text, "statement"));
        let workspace = has_top_level_key(text, "applicationInfo");
        (has_top_level_key(text, "schema") && (threats || workspace))
            || (file_name.ends_with(".tc.json") && text.trim_start().starts_with('{'))
    }

    fn import(&self, text: &str) -> Result<Imported, Vec<Diagnostic>> {
        let document: format::Document = json::parse(text, "Threat Composer")?;
        convert::convert(&document)
    }
}
