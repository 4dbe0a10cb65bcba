//! pytm (<https://github.com/OWASP/pytm>) models, as the JSON that
//! `python tm.py --json out.json` writes: the threat model object serialized
//! with every attribute, references by name, and the findings of pytm's
//! threat library.
//!
//! Mapping, in short (the converter documents each decision where it is made):
//!
//! | pytm | Rampart |
//! |---|---|
//! | `Actor` (`isAdmin`), `ExternalEntity` | actors `user` / `administrator`, `external-system` |
//! | `Server`, `Process` / `SetOfProcesses` (`implementsAPI`), `Lambda` (`onAWS`), `Asset` | components `web-app`, `service` / `rest-api`, `aws-lambda`, `service` |
//! | `Datastore` (`type`, `isSQL`, `onRDS`) | components `relational-database` / `aws-rds`, `directory-service`, `aws-s3`, `object-storage`, `file-share`, `document-database` |
//! | asset with `inScope: false` | actor `external-system` |
//! | `boundaries`, `inBoundary` | boundaries (nested), membership; "Internet" boundaries are `untrusted` and components called from there internet-exposed |
//! | `controls` flags | countermeasure ids (`usesParameterizedInput` → `parameterized-queries`...); flags without one → one warning per element |
//! | `Dataflow` (`source`, `sink` by name) | flows: `protocol` (free text → vocabulary; none: `sql` to databases, `https`/`http` by `isEncrypted`), `authenticationScheme`, `authorizesSource`, `dstPort` and `note` in the description; responses (`isResponse`, `responseTo`) fold into their request |
//! | `data` (`classification`, `isPII`, `isCredentials`, `carriedBy`, `processedBy`, `isStored`) | data assets (confidentiality, `pii` / `credentials`), flow data, components' processed / stored data |
//! | `findings` | one custom threat `pytm-<threat_id>` per pytm rule, targeting every element or flow it was found on: description → title, details / example / references / CVSS → description, severity → likelihood and impact, CWE and CAPEC numbers from the reference links, mitigations |
//! | finding `response` (or `status`) | tracking entry: mitigated / avoided → mitigated, accepted / transferred → accepted, with a justification |
//! | `assumptions`, `description` | model description |
//! | `excluded_findings` | one warning |

mod convert;
mod findings;
mod format;
mod tables;

use rampart_model::Diagnostic;
use rampart_model::parse::from_yaml;

use crate::{Imported, Importer, has_top_level_key};

/// pytm JSON output.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pytm;

impl Importer for Pytm {
    fn name(&self) -> &'static str {
        "pytm"
    }

    fn description(&self) -> &'static str {
        "pytm JSON output (--json)"
    }

    /// A JSON object with pytm's collections, and attributes only pytm
    /// writes (`sink` on flows, `__class__` on elements).
    fn detect(&self, _file_name: &str, text: &str) -> bool {
        let pytm_words = ["\"sink\"", "\"__class__\"", "\"onAWS\"", "\"isHardened\""];
        text.trim_start_matches('\u{feff}').trim_start().starts_with('{')
            && has_top_level_key(text, "flows")
            && ["findings", "assumptions", "boundaries"].iter().any(|key| has_top_level_key(text, key))
            && pytm_words.iter().filter(|word| text.contains(*word)).count() >= 2
    }

    fn import(&self, text: &str) -> Result<Imported, Vec<Diagnostic>> {
        let text = text.trim_start_matches('\u{feff}');
        if !text.trim_start().starts_with('{') {
            let at = rampart_model::Position::new(1, 1);
            return Err(vec![Diagnostic::error(at, "expected pytm's JSON output: a JSON object starting with `{`")]);
        }
        // JSON is YAML too; the YAML reader records every value's line.
        let document: format::Document = from_yaml(text).map_err(|diagnostic| vec![diagnostic])?;
        convert::convert(&document)
    }
}
