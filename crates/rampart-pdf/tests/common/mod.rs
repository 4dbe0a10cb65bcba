//! What the PDF tests share: turning a model into the report document and
//! its diagram, and reading a PDF back with poppler's command-line tools.

use std::path::PathBuf;
use std::process::Command;

use rampart_engine::{Options, analyze};
use rampart_kb::KnowledgeBase;
use rampart_model::Model;
use rampart_report::Origin;
use rampart_report::document::Document;

pub const DATE: &str = "2026-11-22";

pub fn library() -> KnowledgeBase {
    rampart_kb::builtin().expect("the shipped library compiles")
}

/// A native model from `examples/`.
pub fn example(name: &str) -> Model {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/").to_string() + name;
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {path}: {error}"));
    parse(&text)
}

pub fn parse(yaml: &str) -> Model {
    rampart_model::parse_model(yaml, rampart_model::Syntax::Yaml).unwrap_or_else(|problem| panic!("{problem:?}"))
}

/// The report of `model` as the CLI would build it on `DATE`, and the model's
/// data-flow diagram.
pub fn document_and_diagram(model: &Model, kb: &KnowledgeBase, model_path: &str) -> (Document, String) {
    let problems = rampart_model::validate(model, &kb.vocabulary());
    assert!(!problems.iter().any(|p| p.is_error()), "the test model is invalid: {problems:?}");
    let today = rampart_model::Date::parse(DATE).expect("a valid date");
    let analysis = analyze(model, kb, &Options { today: Some(today), intel: Vec::new() });
    let origin = Origin { model_path: model_path.to_string(), tool_version: "0.1.0-test".to_string() };
    let document = Document::build(&analysis, kb, model, &origin, DATE);
    let options = rampart_diagram::Options { kb: Some(kb), view: rampart_diagram::View::All };
    let svg = rampart_diagram::svg(model, &analysis, &options);
    (document, svg)
}

/// Writes `pdf` where cargo keeps integration-test scratch files, named
/// after the test so parallel tests do not share a file.
pub fn save(pdf: &[u8], name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
    path
}

/// Runs a poppler tool; a missing program fails the test with what to
/// install, because a skipped check would pass CI without checking anything.
fn poppler(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap_or_else(|error| {
        panic!(
            "cannot run `{program}` ({error}): install poppler-utils (`apt-get install -y poppler-utils`; \
             `make test` does this) to check what the PDF says"
        )
    });
    assert!(output.status.success(), "{program} {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("poppler writes UTF-8 when asked to")
}

/// The PDF's text, with every run of whitespace made one space: line and
/// page breaks are layout, not content.
pub fn text(pdf: &[u8], name: &str) -> String {
    let path = save(pdf, name);
    let raw = poppler("pdftotext", &["-enc", "UTF-8", path.to_str().unwrap(), "-"]);
    normalise(&raw)
}

pub fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `pdfinfo`'s fields: `Pages`, `Page size`, `CreationDate`...
pub fn info(pdf: &[u8], name: &str) -> Vec<(String, String)> {
    let path = save(pdf, name);
    poppler("pdfinfo", &["-isodates", path.to_str().unwrap()])
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| (key.trim().to_string(), value.trim().to_string()))
        .collect()
}

pub fn field<'a>(info: &'a [(String, String)], key: &str) -> &'a str {
    info.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("pdfinfo has no {key}"))
}
