//! AWS Threat Composer workspace JSON. Not yet converted: being written.

use rampart_model::{Diagnostic, Position};

use crate::{Imported, Importer};

#[derive(Clone, Copy, Debug, Default)]
pub struct ThreatComposer;

impl Importer for ThreatComposer {
    fn name(&self) -> &'static str {
        "threat-composer"
    }

    fn description(&self) -> &'static str {
        "AWS Threat Composer workspace JSON"
    }

    fn detect(&self, _file_name: &str, _text: &str) -> bool {
        false
    }

    fn import(&self, _text: &str) -> Result<Imported, Vec<Diagnostic>> {
        Err(vec![Diagnostic::error(Position::UNKNOWN, "this format is not supported yet")])
    }
}
