//! The threat-model report as a PDF, typeset by typst used as a library.
//!
//! This crate owns the report's look on paper: the typst template
//! (`src/report.typ`) and the minimal typst [`World`] that compiles it. The
//! content comes whole from [`rampart_report::document::Document`]; the
//! template only lays it out, so the PDF says what the other report formats
//! say.
//!
//! The template never receives markup: the document goes in as the virtual
//! file `report.json` and the template reads it with `json(...)`, so a threat
//! title holding `#set page(...)` or `*` is shown as text, never evaluated.
//!
//! Invariant: no IO and no network. Fonts are compiled into the binary, the
//! only files are the template, `report.json` and `diagram.svg`, packages
//! (`@preview/...`) are refused, and the date comes from the document, so
//! the same document gives the same bytes.

use std::sync::LazyLock;

use rampart_report::document::Document;
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Dict, IntoValue};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

/// The report's layout; see the file for what each section shows.
const TEMPLATE: &str = include_str!("report.typ");

/// Why a report could not be made into a PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The document's date is not `YYYY-MM-DD`; the PDF's creation date and
    /// typst's `today` come from it.
    #[error("the report date `{0}` is not a YYYY-MM-DD date")]
    Date(String),
    #[error("cannot hand the report to typst as JSON: {0}")]
    Data(#[from] serde_json::Error),
    /// Typst rejected the template or its data; one line per diagnostic,
    /// with its place in the template when it has one.
    #[error("typst could not typeset the report:\n{}", .0.join("\n"))]
    Typeset(Vec<String>),
    /// The laid-out report could not be written as PDF.
    #[error("typst could not write the PDF:\n{}", .0.join("\n"))]
    Export(Vec<String>),
}

/// Renders `document` as a PDF. `diagram_svg` is the data-flow diagram
/// (from `rampart_diagram::svg`); without it the report has no diagram
/// section.
pub fn render(document: &Document, diagram_svg: Option<&str>) -> Result<Vec<u8>, PdfError> {
    let date = parse_date(&document.date).ok_or_else(|| PdfError::Date(document.date.clone()))?;
    typeset(TEMPLATE, serde_json::to_vec(document)?, diagram_svg, date)
}

/// Compiles `template` against the report data and writes the PDF.
fn typeset(
    template: &str,
    report_json: Vec<u8>,
    diagram_svg: Option<&str>,
    date: Datetime,
) -> Result<Vec<u8>, PdfError> {
    let world = ReportWorld::new(template, report_json, diagram_svg, date);
    let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
    // The template is ours and its data cannot add markup, so a warning (an
    // unknown font family, say, which typst papers over with a fallback) is
    // a bug in this crate: the tests, built with debug assertions, fail on it.
    debug_assert!(warnings.is_empty(), "the report template has warnings:\n{}", describe(&world, &warnings).join("\n"));
    let options = PdfOptions {
        // The creation date comes from the report date instead of the clock,
        // so rendering the same document twice gives the same bytes.
        timestamp: Some(Timestamp::new_utc(date)),
        // Tagging (typst's default) stays on: the structure lets screen
        // readers and reflowing viewers read the report, at about three times
        // the size (1.5 MB instead of 0.5 MB for examples/ecommerce.yaml).
        ..PdfOptions::default()
    };
    let pdf = output.map_err(|errors| PdfError::Typeset(describe(&world, &errors))).and_then(|layout| {
        typst_pdf::pdf(&layout, &options).map_err(|errors| PdfError::Export(describe(&world, &errors)))
    });
    // Typst memoizes in a process-wide cache. What it holds now is this
    // document's layout, which no other report will hit; without eviction a
    // long-running process rendering many reports keeps all of them alive.
    typst::comemo::evict(0);
    pdf
}

fn parse_date(text: &str) -> Option<Datetime> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    Datetime::from_ymd(year, month, day)
}

/// One line per diagnostic: `error: report.typ:12:5: message (hint: ...)`.
fn describe(world: &ReportWorld, diagnostics: &[SourceDiagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let severity = match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut line = format!("{severity}: ");
            if let Some(place) = place(world, diagnostic) {
                line.push_str(&place);
                line.push_str(": ");
            }
            line.push_str(&diagnostic.message);
            for hint in &diagnostic.hints {
                line.push_str(" (hint: ");
                line.push_str(&hint.v);
                line.push(')');
            }
            line
        })
        .collect()
}

/// `file:line:column` of a diagnostic, when it points into a file.
fn place(world: &ReportWorld, diagnostic: &SourceDiagnostic) -> Option<String> {
    let id = diagnostic.span.id()?;
    let name = id.vpath().get_without_slash().to_string();
    let range = world.range(diagnostic.span)?;
    let (line, column) = if id == world.main.id() {
        world.main.lines().byte_to_line_column(range.start)?
    } else {
        // A byte range in report.json or diagram.svg: the offset says enough.
        return Some(format!("{name} at byte {}", range.start));
    };
    Some(format!("{name}:{}:{}", line + 1, column + 1))
}

/// Emoji and pictographs, which model authors put in names and which typst's
/// own fonts lack; see `fonts/README.md` for where it comes from.
const SYMBOLS_AND_EMOJI: &[u8] = include_bytes!("../fonts/Symbola-emoji.ttf");

/// The fonts typst may use, parsed once per process: they are compiled into
/// the binary, so they never change, and parsing them on every render would
/// cost more than some small reports take to lay out.
///
/// They come from `typst-assets` (feature `fonts`) rather than `typst-kit`:
/// typst-kit's embedded fonts are the same files behind a font searcher
/// whose other features (system fonts, package downloads) this crate must
/// never use, so depending on the assets alone keeps that impossible and the
/// dependency tree smaller.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> =
        typst_assets::fonts().chain([SYMBOLS_AND_EMOJI]).flat_map(|data| Font::iter(Bytes::new(data))).collect();
    let book = FontBook::from_fonts(&fonts);
    (LazyHash::new(book), fonts)
});

/// The whole world the template sees: itself, the document as JSON, the
/// diagram, the embedded fonts and one fixed date.
struct ReportWorld {
    library: LazyHash<Library>,
    main: Source,
    report_json: Bytes,
    diagram_svg: Option<Bytes>,
    today: Datetime,
}

impl ReportWorld {
    fn new(template: &str, report_json: Vec<u8>, diagram_svg: Option<&str>, today: Datetime) -> ReportWorld {
        // Whether there is a diagram goes in as `sys.inputs.diagram`, so the
        // template can skip the section instead of failing to read the file.
        let mut inputs = Dict::new();
        inputs.insert("diagram".into(), diagram_svg.is_some().into_value());
        let library = Library::builder().with_inputs(inputs).build();
        let main_id = project_file("report.typ");
        ReportWorld {
            library: LazyHash::new(library),
            main: Source::new(main_id, template.to_string()),
            report_json: Bytes::new(report_json),
            diagram_svg: diagram_svg.map(|svg| Bytes::new(svg.as_bytes().to_vec())),
            today,
        }
    }
}

fn project_file(name: &str) -> FileId {
    let path = VirtualPath::new(name).expect("a plain file name is a valid virtual path");
    RootedPath::new(VirtualRoot::Project, path).intern()
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(self.file(id).map_or_else(|error| error, |_| FileError::NotSource))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let VirtualRoot::Package(package) = id.root() {
            return Err(FileError::Other(Some(
                format!("package {package} is not available: the report is typeset offline, with no packages").into(),
            )));
        }
        let path = id.vpath().get_without_slash();
        match path {
            "report.typ" => Ok(Bytes::from_string(self.main.clone())),
            "report.json" => Ok(self.report_json.clone()),
            "diagram.svg" => self.diagram_svg.clone().ok_or_else(|| FileError::NotFound(path.into())),
            _ => Err(FileError::NotFound(path.into())),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

#[cfg(test)]
mod tests {
    use super::{PdfError, parse_date, typeset};

    /// Typesets a one-off template against an empty report.
    fn typeset_template(template: &str) -> Result<Vec<u8>, PdfError> {
        typeset(template, b"{}".to_vec(), None, parse_date("2026-11-22").unwrap())
    }

    fn typeset_errors(template: &str) -> String {
        match typeset_template(template) {
            Err(error @ PdfError::Typeset(_)) => error.to_string(),
            other => panic!("expected a typesetting error, got {other:?}"),
        }
    }

    #[test]
    fn packages_cannot_be_imported() {
        let message = typeset_errors("#import \"@preview/cetz:0.3.0\": canvas\n");
        assert!(message.contains("report.typ:1:"), "{message}");
        assert!(message.contains("typeset offline"), "{message}");
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "the report template has warnings")]
    fn template_warnings_fail_debug_builds() {
        let _ = typeset_template("#text(font: \"No Such Family\")[x]");
    }

    #[test]
    fn only_the_report_files_exist() {
        let message = typeset_errors("#read(\"/etc/hostname\")\n");
        assert!(message.contains("not found"), "{message}");
        assert!(typeset_template("#read(\"report.json\")").unwrap().starts_with(b"%PDF-"));
    }

    #[test]
    fn report_dates_parse_as_calendar_dates() {
        assert!(parse_date("2026-11-22").is_some());
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("22.11.2026").is_none());
    }
}
