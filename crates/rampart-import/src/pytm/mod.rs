//! pytm JSON output (--json). Not yet converted: being written.

use rampart_model::{Diagnostic, Position};

use crate::{Imported, Importer};

#[derive(Clone, Copy, Debug, Default)]
pub struct Pytm;

impl Importer for Pytm {
    fn name(&self) -> &'static str {
        "pytm"
    }

    fn description(&self) -> &'static str {
        "pytm JSON output (--json)"
    }

    fn detect(&self, _file_name: &str, _text: &str) -> bool {
        false
    }

    fn import(&self, _text: &str) -> Result<Imported, Vec<Diagnostic>> {
        Err(vec![Diagnostic::error(Position::UNKNOWN, "this format is not supported yet")])
    }
}
