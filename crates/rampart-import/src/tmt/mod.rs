//! Microsoft Threat Modeling Tool model (.tm7). Not yet converted: being written.

use rampart_model::{Diagnostic, Position};

use crate::{Imported, Importer};

#[derive(Clone, Copy, Debug, Default)]
pub struct Tmt;

impl Importer for Tmt {
    fn name(&self) -> &'static str {
        "tmt"
    }

    fn description(&self) -> &'static str {
        "Microsoft Threat Modeling Tool model (.tm7)"
    }

    fn detect(&self, _file_name: &str, _text: &str) -> bool {
        false
    }

    fn import(&self, _text: &str) -> Result<Imported, Vec<Diagnostic>> {
        Err(vec![Diagnostic::error(Position::UNKNOWN, "this format is not supported yet")])
    }
}
