//! CycloneDX threat-model BOMs (TM-BOM), as OWASP pytm and Threat Dragon
//! exchange them: `threat-model` components nested under the system's,
//! described by `cdx:model:*` properties, and CycloneDX vulnerabilities for
//! the threats. Rampart's `cyclonedx` report writes this shape and reads back here.
//!
//! Mapping, in short (the converter documents each decision where it is made):
//!
//! | TM-BOM | Rampart |
//! |---|---|
//! | root `threat-model` component (else `metadata.component`) | model name and description |
//! | `cdx:model:type` `boundary` | boundary; `cdx:model:inBoundary` → parent; `rampart:trust` → trust (default internal) |
//! | `actor` (pytm `ExternalEntity` too) | actor `user` (or `rampart:kind`); `inBoundary` → boundary |
//! | `server`, `process`, `lambda`, `datastore` (`isSql`), ... | component; type → catalog kind by table (or `rampart:kind`), unknown → `service` with a warning; `cdx:model:platform` → technology |
//! | `data` | data asset (`rampart:*` ratings 0-100) |
//! | `dataflow` | flow: `source` / `destination` bom-refs, `protocol` → protocol (unknown → `https` with a warning), `isEncrypted`, data text → description |
//! | `vulnerabilities` | custom threats `tmbom-<id>`: `affects` → targets, `cwes`, severity → likelihood and impact (critical 5, high 4, medium 3, low 2), `recommendation` → mitigations, `detail` → description |
//! | a vulnerability's `analysis.state` | tracking per target: exploitable → open (accepted with response `will_not_fix` / `can_not_fix`), in_triage → in-progress, resolved → mitigated, false_positive / not_affected → false-positive |
//! | other properties (`isHardened`, ports...), software components, services | warnings |
//!
//! Rampart's own export adds `rampart:*` properties (kind, trust, exposure,
//! controls, data ids, ratings, authentication) that this importer reads back,
//! and marks each vulnerability with its `rampart:rule`: the vulnerabilities
//! of one rule become one custom threat `tmbom-<rule>` on all their targets.

mod convert;
// Keys that are only checked for shape are deserialized and then not converted.
#[allow(dead_code)]
mod format;

use rampart_model::Diagnostic;
use rampart_model::parse::from_yaml;

use crate::{Imported, Importer, has_top_level_key};

/// CycloneDX threat-model BOMs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tmbom;

impl Importer for Tmbom {
    fn name(&self) -> &'static str {
        "tm-bom"
    }

    fn description(&self) -> &'static str {
        "CycloneDX threat-model BOM (TM-BOM) JSON"
    }

    /// A CycloneDX BOM with threat-model content: `threat-model` components
    /// or `cdx:model:` properties. A plain SBOM is not a threat model.
    fn detect(&self, _file_name: &str, text: &str) -> bool {
        has_top_level_key(text, "bomFormat") && (text.contains("\"threat-model\"") || text.contains("cdx:model:"))
    }

    fn import(&self, text: &str) -> Result<Imported, Vec<Diagnostic>> {
        let document: format::Document = from_yaml(text).map_err(|diagnostic| vec![crate::otm::explain(diagnostic)])?;
        convert::convert(&document)
    }
}
