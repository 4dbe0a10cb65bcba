//! Helpers shared by the importers' test suites: import a fixture or expect
//! its errors, find a line, check a warning, validate against the shipped
//! knowledge base. Each suite uses some of them.
#![allow(dead_code)]

use rampart_import::{Imported, Importer};
use rampart_model::{Diagnostic, Model, validate};

/// Imports `text`, failing the test with every problem when it does not import.
pub fn import_ok(importer: &dyn Importer, text: &str) -> Imported {
    match importer.import(text) {
        Ok(imported) => imported,
        Err(errors) => panic!("import failed:\n{}", render(&errors)),
    }
}

/// The errors of importing `text`, failing the test when it imports.
pub fn import_errors(importer: &dyn Importer, text: &str) -> Vec<Diagnostic> {
    match importer.import(text) {
        Ok(imported) => panic!("import succeeded with warnings:\n{}", render(&imported.warnings)),
        Err(errors) => errors.into_iter().filter(Diagnostic::is_error).collect(),
    }
}

/// The one error of importing `text`, failing the test when there are more or none.
pub fn single_error(importer: &dyn Importer, text: &str) -> Diagnostic {
    let errors = import_errors(importer, text);
    assert_eq!(errors.len(), 1, "{}", render(&errors));
    errors.into_iter().next().expect("one error")
}

/// Diagnostics one per line, for assertion messages.
pub fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(|diagnostic| format!("  {diagnostic}\n")).collect()
}

/// The line of `text` on which `needle` first appears.
pub fn line_in(text: &str, needle: &str) -> u32 {
    let index = text.lines().position(|line| line.contains(needle));
    index.map(|index| index as u32 + 1).unwrap_or_else(|| panic!("{needle:?} is not in the text"))
}

/// Asserts a warning on `line` whose message contains `fragment`.
pub fn warning_at(imported: &Imported, line: u32, fragment: &str) {
    let found = imported.warnings.iter().any(|warning| warning.at.line == line && warning.message.contains(fragment));
    assert!(found, "no warning at line {line} containing {fragment:?}; warnings:\n{}", render(&imported.warnings));
}

/// Asserts that `model` validates against the shipped knowledge base.
pub fn assert_validates(model: &Model) {
    let knowledge_base = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let errors: Vec<Diagnostic> =
        validate(model, &knowledge_base.vocabulary()).into_iter().filter(Diagnostic::is_error).collect();
    assert!(errors.is_empty(), "{}", render(&errors));
}
