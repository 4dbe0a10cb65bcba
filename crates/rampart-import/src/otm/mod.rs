//! Open Threat Model (OTM) JSON. Not yet converted: being written.

use rampart_model::{Diagnostic, Position};

use crate::{Imported, Importer};

#[derive(Clone, Copy, Debug, Default)]
pub struct Otm;

impl Importer for Otm {
    fn name(&self) -> &'static str {
        "otm"
    }

    fn description(&self) -> &'static str {
        "Open Threat Model (OTM) JSON"
    }

    fn detect(&self, _file_name: &str, _text: &str) -> bool {
        false
    }

    fn import(&self, _text: &str) -> Result<Imported, Vec<Diagnostic>> {
        Err(vec![Diagnostic::error(Position::UNKNOWN, "this format is not supported yet")])
    }
}
