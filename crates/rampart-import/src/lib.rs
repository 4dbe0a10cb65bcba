//! Importers: turn a model file written for another threat-modeling tool (or
//! Rampart's own format) into a Rampart [`Model`].
//!
//! Each source format is one module implementing [`Importer`]; [`importers`]
//! lists them, [`detect`] picks one by sniffing the text, and [`by_name`]
//! resolves an explicit choice (`rampart import --from threagile`). Adding a
//! format is a new module plus one line in the `IMPORTERS` list.
//!
//! What an importer cannot carry over (a protocol Rampart has no term for, a
//! report-only section, a risk-tracking entry for a rule Rampart does not
//! have) becomes a warning with the source position, never a silent drop. A
//! file that is not valid for its format gives errors with line and column.
//! Importers check references within the source file but not vocabulary:
//! callers run [`rampart_model::validate()`] with the knowledge base's terms.
//!
//! Invariant: no IO. Text in, [`Model`] out; the caller reads files and
//! decides what to do with the result.

use rampart_model::{Diagnostic, Model, Position};

mod ids;
pub mod otm;
pub mod pytm;
pub mod rampart;
pub mod threagile;
pub mod threat_composer;
pub mod threat_dragon;
pub mod tmbom;
pub mod tmt;

/// A model read from another format, with what did not fit.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Imported {
    pub model: Model,
    /// Things in the source that the model does not carry, or carries only
    /// approximately, each at its source position.
    pub warnings: Vec<Diagnostic>,
}

impl Imported {
    /// The result of a conversion that gathered `errors` and `warnings` as it
    /// went: the model with its warnings sorted by position when there was
    /// no error, else every problem, sorted.
    pub fn finish(
        model: Model,
        mut errors: Vec<Diagnostic>,
        mut warnings: Vec<Diagnostic>,
    ) -> Result<Imported, Vec<Diagnostic>> {
        if errors.is_empty() {
            rampart_model::diagnostic::sort(&mut warnings);
            Ok(Imported { model, warnings })
        } else {
            errors.append(&mut warnings);
            rampart_model::diagnostic::sort(&mut errors);
            Err(errors)
        }
    }
}

/// One source format.
pub trait Importer: Send + Sync {
    /// The name users pass to choose this importer (`threagile`).
    fn name(&self) -> &'static str;

    /// What the format is, for help texts (`Threagile YAML model`).
    fn description(&self) -> &'static str;

    /// Whether `text` looks like this format. Cheap: looks at top-level keys,
    /// never parses the whole document.
    fn detect(&self, file_name: &str, text: &str) -> bool;

    /// Converts `text`. On failure, returns every problem found (errors, and
    /// the warnings gathered so far), sorted by position.
    fn import(&self, text: &str) -> Result<Imported, Vec<Diagnostic>>;

    /// Converts the file `path` whose text is `text`, reading the files it
    /// includes with `read` (given a path relative to `path`'s directory,
    /// returns the text or why it cannot). Formats without includes need not
    /// override this.
    fn import_file(&self, path: &str, text: &str, read: &IncludeReader<'_>) -> Result<Imported, Vec<Diagnostic>> {
        let _ = (path, read);
        self.import(text)
    }
}

/// Reads a file that a model includes, given its path relative to the
/// including file; the caller decides what may be read.
pub type IncludeReader<'a> = dyn Fn(&str) -> Result<String, String> + 'a;

impl std::fmt::Debug for dyn Importer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Importer").field("name", &self.name()).finish()
    }
}

/// Every importer, most specific first: [`detect`] takes the first match.
static IMPORTERS: &[&dyn Importer] = &[
    &rampart::Rampart,
    &threagile::Threagile,
    &threat_dragon::ThreatDragon,
    &threat_composer::ThreatComposer,
    &tmt::Tmt,
    &pytm::Pytm,
    &otm::Otm,
    &tmbom::Tmbom,
];

/// Every importer, in detection order.
pub fn importers() -> &'static [&'static dyn Importer] {
    IMPORTERS
}

/// The importer for the format `text` is written in, if any recognises it.
pub fn detect(file_name: &str, text: &str) -> Option<&'static dyn Importer> {
    IMPORTERS.iter().copied().find(|importer| importer.detect(file_name, text))
}

/// The importer called `name` (case-insensitive).
pub fn by_name(name: &str) -> Option<&'static dyn Importer> {
    IMPORTERS.iter().copied().find(|importer| importer.name().eq_ignore_ascii_case(name.trim()))
}

/// Imports `text` with the importer named `from`, or the detected one when
/// `from` is `None`. Returns the importer used along with the result, so a
/// caller can say which format it read.
pub fn import(
    file_name: &str,
    text: &str,
    from: Option<&str>,
) -> Result<(&'static dyn Importer, Imported), Vec<Diagnostic>> {
    let names = || IMPORTERS.iter().map(|importer| importer.name()).collect::<Vec<_>>().join(", ");
    let importer = match from {
        Some(name) => by_name(name).ok_or_else(|| {
            let diagnostic = Diagnostic::error(Position::UNKNOWN, format!("unknown import format `{name}`"));
            let diagnostic = diagnostic.suggest(name, IMPORTERS.iter().map(|importer| importer.name()));
            let diagnostic = match diagnostic.help {
                Some(_) => diagnostic,
                None => diagnostic.with_help(format!("the formats are: {}", names())),
            };
            vec![diagnostic]
        })?,
        None => detect(file_name, text).ok_or_else(|| {
            vec![
                Diagnostic::error(Position::UNKNOWN, format!("cannot tell which tool wrote `{file_name}`"))
                    .with_help(format!("name the format explicitly; the formats are: {}", names())),
            ]
        })?,
    };
    importer.import(text).map(|imported| (importer, imported))
}

/// Whether a YAML text has `key` as a top-level mapping key (at column 1), or
/// a JSON text has `"key"` as a key. A sniff, not a parse: good enough to tell
/// formats apart, and linear in the text.
pub(crate) fn has_top_level_key(text: &str, key: &str) -> bool {
    let yaml = text
        .lines()
        .any(|line| line.strip_prefix(key).is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':')));
    yaml || {
        let quoted = format!("\"{key}\"");
        text.trim_start().starts_with('{')
            && text.match_indices(&quoted).any(|(at, _)| text[at + quoted.len()..].trim_start().starts_with(':'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_keys_are_sniffed_in_yaml_and_json() {
        assert!(has_top_level_key("# c\nrampart: 1\n", "rampart"));
        assert!(has_top_level_key("rampart : 1\n", "rampart"));
        assert!(!has_top_level_key("x:\n  rampart: 1\n", "rampart"));
        assert!(!has_top_level_key("rampart_version: 1\n", "rampart"));
        assert!(has_top_level_key("{\n \"rampart\" : 1}", "rampart"));
        assert!(!has_top_level_key("{\"name\": \"rampart\"}", "rampart"));
    }

    #[test]
    fn importers_have_distinct_names() {
        let mut names: Vec<&str> = importers().iter().map(|importer| importer.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), importers().len());
        assert_eq!(by_name("Threagile").map(|importer| importer.name()), Some("threagile"));
        assert!(by_name("visio").is_none());
    }
}
