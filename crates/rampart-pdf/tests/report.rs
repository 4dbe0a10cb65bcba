//! The PDF report, read back as a reader would: with poppler's `pdftotext`
//! and `pdfinfo` (Debian's poppler-utils; these tests fail, never skip,
//! without them).

mod common;

use common::{DATE, document_and_diagram, example, field, info, library, normalise, parse, text};

#[test]
fn ecommerce_report_names_every_threat_by_title_and_id() {
    let kb = library();
    let (document, svg) = document_and_diagram(&example("ecommerce.yaml"), &kb, "examples/ecommerce.yaml");
    assert!(document.threats.len() > 20, "the example raises threats: {}", document.threats.len());
    let pdf = rampart_pdf::render(&document, Some(&svg)).unwrap_or_else(|error| panic!("{error}"));
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF: {:?}", &pdf[..pdf.len().min(16)]);

    let text = text(&pdf, "ecommerce");
    // Titles wrap like any text, so whitespace is normalised on both sides.
    // Ids are set in unbreakable boxes by the template, so each one is a
    // single word of the text, as a reader would copy it into a ticket.
    let mut missing = Vec::new();
    for threat in &document.threats {
        if !text.contains(&normalise(&threat.title)) {
            missing.push(format!("title `{}`", threat.title));
        }
        if !text.contains(&threat.id) {
            missing.push(format!("id `{}`", threat.id));
        }
    }
    assert!(missing.is_empty(), "not in the PDF's text:\n{}", missing.join("\n"));
    for heading in ["Executive summary", "Top unresolved risks", "Data-flow diagram", "Threats by target", "Compliance"]
    {
        assert!(text.contains(heading), "no `{heading}` section");
    }
}

#[test]
fn the_same_document_gives_the_same_bytes_dated_by_the_report() {
    let kb = library();
    let (document, svg) = document_and_diagram(&example("ecommerce.yaml"), &kb, "examples/ecommerce.yaml");
    let first = rampart_pdf::render(&document, Some(&svg)).unwrap();
    let second = rampart_pdf::render(&document, Some(&svg)).unwrap();
    assert!(first == second, "two renders of one document differ");
    let info = info(&first, "dated");
    assert!(field(&info, "CreationDate").starts_with(DATE), "creation date: {}", field(&info, "CreationDate"));
}

#[test]
fn without_a_diagram_the_section_is_left_out() {
    let kb = library();
    let (document, _) = document_and_diagram(&example("ecommerce.yaml"), &kb, "examples/ecommerce.yaml");
    let pdf = rampart_pdf::render(&document, None).unwrap_or_else(|error| panic!("{error}"));
    let text = text(&pdf, "no-diagram");
    assert!(!text.contains("Data-flow diagram"));
    assert!(text.contains("Threats by target"));
}

/// Names a model author could write that mean something to typst: markup
/// and code markers, brackets, math, escapes, and characters outside ASCII.
const HOSTILE: [&str; 6] = [
    "#set page(width: 1pt)",
    "close ] bracket [ open",
    "price $x^2$ dollars",
    "*not bold* _not emph_ `not raw`",
    r"back\slash \u{41} \#",
    "rocket 🚀 naïve café",
];

#[test]
fn hostile_names_are_printed_literally() {
    let quoted = |s: &str| serde_json::to_string(s).unwrap();
    let yaml = format!(
        "rampart: 1
name: {title}
description: {description}
actors:
  - id: visitor
    name: {n3}
    kind: user
components:
  - id: api
    name: {n0}
    kind: rest-api
    exposure: internet
    capabilities: [sql-queries, sessions]
  - id: db
    name: {n1}
    kind: relational-database
  - id: worker
    name: {n5}
    kind: background-worker
data:
  - id: secrets
    name: Secrets
    categories: [credentials]
    confidentiality: critical
flows:
  - id: visit
    from: visitor
    to: api
    protocol: http
  - id: query
    from: api
    to: db
    protocol: sql
    data: [secrets]
  - id: jobs
    from: api
    to: worker
    protocol: http
",
        title = quoted("Model #strong[x] ] $ \\ 🚀"),
        description = quoted(&format!("{} and {}", HOSTILE[2], HOSTILE[4])),
        n0 = quoted(HOSTILE[0]),
        n1 = quoted(HOSTILE[1]),
        n3 = quoted(HOSTILE[3]),
        n5 = quoted(HOSTILE[5]),
    );
    let kb = library();
    let (document, svg) = document_and_diagram(&parse(&yaml), &kb, "hostile.yaml");
    assert!(!document.threats.is_empty(), "the model raises threats");
    let pdf = rampart_pdf::render(&document, Some(&svg)).unwrap_or_else(|error| panic!("{error}"));

    let text = text(&pdf, "hostile");
    for name in HOSTILE.iter().chain([&"Model #strong[x] ] $ \\ 🚀"]) {
        assert!(text.contains(&normalise(name)), "`{name}` is not printed as written:\n{text}");
    }
    // Had `#set page(width: 1pt)` been evaluated, the pages would be 1pt wide.
    let info = info(&pdf, "hostile");
    assert!(field(&info, "Page size").contains("(A4)"), "page size: {}", field(&info, "Page size"));
}

#[test]
fn a_generated_200_component_model_typesets_in_plausibly_many_pages() {
    let kb = library();
    let model = rampart_modelgen::generate(200, 7);
    let (document, svg) = document_and_diagram(&model, &kb, "generated-200.yaml");
    let pdf = rampart_pdf::render(&document, Some(&svg)).unwrap_or_else(|error| panic!("{error}"));
    let info = info(&pdf, "generated-200");
    let pages: usize = field(&info, "Pages").parse().unwrap();
    let threats = document.threats.len();
    // A threat takes from a fifth of a page to a page; the summary, target
    // tables and compliance add more.
    assert!(threats > 500, "the generated model raises many threats: {threats}");
    assert!(pages >= threats / 5 && pages <= threats * 2, "{pages} pages for {threats} threats");

    // Nothing is lost on the way: every id is a word of the text.
    let text = text(&pdf, "generated-200");
    let words: std::collections::HashSet<&str> = text.split(' ').collect();
    let missing: Vec<&str> = document.threats.iter().map(|t| t.id.as_str()).filter(|id| !words.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "{} ids are not in the PDF's text, first {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
}
