//! OWASP Threat Dragon v2 JSON model. Not yet converted: being written.

use rampart_model::{Diagnostic, Position};

use crate::{Imported, Importer};

#[derive(Clone, Copy, Debug, Default)]
pub struct ThreatDragon;

impl Importer for ThreatDragon {
    fn name(&self) -> &'static str {
        "threat-dragon"
    }

    fn description(&self) -> &'static str {
        "OWASP Threat Dragon v2 JSON model"
    }

    fn detect(&self, _file_name: &str, _text: &str) -> bool {
        false
    }

    fn import(&self, _text: &str) -> Result<Imported, Vec<Diagnostic>> {
        Err(vec![Diagnostic::error(Position::UNKNOWN, "this format is not supported yet")])
    }
}
