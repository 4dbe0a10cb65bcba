//! Rampart's own model format, so that every input goes through one seam.

use rampart_model::{Diagnostic, Syntax, parse_model};

use crate::{Imported, Importer, has_top_level_key};

/// Native Rampart models (YAML or JSON), recognised by their `rampart:` key.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rampart;

impl Importer for Rampart {
    fn name(&self) -> &'static str {
        "rampart"
    }

    fn description(&self) -> &'static str {
        "Rampart model (YAML or JSON)"
    }

    fn detect(&self, _file_name: &str, text: &str) -> bool {
        has_top_level_key(text, "rampart")
    }

    fn import(&self, text: &str) -> Result<Imported, Vec<Diagnostic>> {
        // The syntax is told from the first character: a JSON model is an
        // object, and a YAML model never starts with `{` in practice.
        let model = parse_model(text, Syntax::detect("", text)).map_err(|diagnostic| vec![diagnostic])?;
        Ok(Imported { model, warnings: Vec::new() })
    }
}
