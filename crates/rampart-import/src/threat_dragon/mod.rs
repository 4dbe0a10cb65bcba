//! OWASP Threat Dragon (<https://owasp.org/www-project-threat-dragon/>)
//! version 2 models: the JSON file Threat Dragon saves.
//!
//! Threat Dragon models are data-flow diagrams; what an element is, is said
//! in its name only, so catalog types are guessed from names (see [`guess`])
//! and the import warns where no word fits.
//!
//! | Threat Dragon | Rampart |
//! |---|---|
//! | `summary.title`, `summary.description`, owner, reviewer, contributors | model name and description |
//! | `actor` cell | actor: `administrator`, `developer`, `external-system`... by name or `providesAuthentication`, else `user` |
//! | `process` cell | component: `web-app` when `isWebApplication`, else a type its name suggests, else `service` (warning); `handlesCardPayment` → `payment-processing` |
//! | `store` cell | component of a datastore type its name suggests, else `file-share` (warning); `isEncrypted` → `encryption-at-rest`; `storesCredentials` → a `credentials` data asset it stores |
//! | `flow` cell | flow between the `source.cell` and `target.cell` elements; `protocol` (or a protocol named in the flow's name) mapped, else `https` (`sql`, `amqp`, `kafka`, `redis` to databases, queues, streams, caches); a flow named only by its protocol gets the id `FROM-to-TO`; `isEncrypted` → encrypted; `isPublicNetwork` → note and `internet` exposure of the target |
//! | `trust-boundary-box` cell | boundary; elements whose centre lies in the box belong to the smallest such box; boxes nest the same way |
//! | `trust-boundary-curve` cell | warning: a line cannot hold elements |
//! | `td-text-block` cell | note in the model description |
//! | `outOfScope` | imported anyway, with a note, an `out-of-scope` tag and a warning |
//! | `data.threats[]` | custom threats `td-<title>` on the cell's element or flow (one threat with several targets when the same threat is on several cells); `type` → STRIDE (CIA types by the property they threaten); `severity` → likelihood and impact; `mitigation` → mitigations; `status` → tracking (`Open` → open, `Mitigated` → mitigated, `NotApplicable` → false-positive) |
//! | several diagrams | all imported; a name used again in another diagram gets the diagram's name appended to its id |
//!
//! Positions: every cell, reference and threat is located by line and column
//! (see [`json`]).

mod convert;
mod format;
pub(crate) mod guess;
pub(crate) mod json;
mod tables;
pub(crate) mod threats;

use rampart_model::Diagnostic;

use crate::{Imported, Importer, has_top_level_key};

/// OWASP Threat Dragon version 2 JSON models.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreatDragon;

impl Importer for ThreatDragon {
    fn name(&self) -> &'static str {
        "threat-dragon"
    }

    fn description(&self) -> &'static str {
        "OWASP Threat Dragon v2 JSON model"
    }

    /// Threat Dragon files have `detail` with `diagrams` next to `summary` or
    /// `version`.
    fn detect(&self, _file_name: &str, text: &str) -> bool {
        has_top_level_key(text, "detail")
            && has_top_level_key(text, "diagrams")
            && (has_top_level_key(text, "summary") || has_top_level_key(text, "version"))
    }

    fn import(&self, text: &str) -> Result<Imported, Vec<Diagnostic>> {
        let document: format::Document = json::parse(text, "Threat Dragon")?;
        convert::convert(&document, text)
    }
}
