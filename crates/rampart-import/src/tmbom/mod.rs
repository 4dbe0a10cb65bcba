//! CycloneDX threat-model BOM (TM-BOM) JSON. Not yet converted: being written.

use rampart_model::{Diagnostic, Position};

use crate::{Imported, Importer};

#[derive(Clone, Copy, Debug, Default)]
pub struct Tmbom;

impl Importer for Tmbom {
    fn name(&self) -> &'static str {
        "tm-bom"
    }

    fn description(&self) -> &'static str {
        "CycloneDX threat-model BOM (TM-BOM) JSON"
    }

    fn detect(&self, _file_name: &str, _text: &str) -> bool {
        false
    }

    fn import(&self, _text: &str) -> Result<Imported, Vec<Diagnostic>> {
        Err(vec![Diagnostic::error(Position::UNKNOWN, "this format is not supported yet")])
    }
}
