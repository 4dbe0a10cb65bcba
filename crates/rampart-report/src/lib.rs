//! Output formats of an analysis. Each renderer reads the one [`Analysis`]
//! the engine produced and derives nothing of its own.
//!
//! Invariant: pure functions from an analysis to text, written to a sink the
//! caller gives; no file or terminal IO of their own.

pub mod document;
pub mod exports;
pub mod html;
pub mod json;
mod markdown;
mod sarif;
mod table;

use std::io::{self, Write};

use rampart_engine::Analysis;
use rampart_kb::KnowledgeBase;

/// The formats `rampart analyze --format` offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Sarif,
    Markdown,
}

impl Format {
    pub const NAMES: [&'static str; 4] = ["table", "json", "sarif", "markdown"];

    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "table" => Some(Format::Table),
            "json" => Some(Format::Json),
            "sarif" => Some(Format::Sarif),
            "markdown" | "md" => Some(Format::Markdown),
            _ => None,
        }
    }
}

/// Where the analysis came from, for formats that point back at the file.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// The model file as the user named it (a relative path suits SARIF best).
    pub model_path: String,
    pub tool_version: String,
}

/// Writes `analysis` in `format` to `out`. Large analyses stream: the JSON
/// and SARIF of a 100,000-threat model are never held in memory whole.
pub fn render(
    format: Format,
    analysis: &Analysis,
    kb: &KnowledgeBase,
    origin: &Origin,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => out.write_all(table::render(analysis).as_bytes()),
        Format::Json => json::render(analysis, kb, origin, out),
        Format::Sarif => sarif::render(analysis, kb, origin, out),
        Format::Markdown => out.write_all(markdown::render(analysis, kb).as_bytes()),
    }
}

/// [`render`] into a string, for callers that want the text.
pub fn render_to_string(format: Format, analysis: &Analysis, kb: &KnowledgeBase, origin: &Origin) -> String {
    let mut buffer = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = render(format, analysis, kb, origin, &mut buffer);
    String::from_utf8_lossy(&buffer).into_owned()
}

/// Text of a status as the model writes it.
pub(crate) fn status_text(status: rampart_model::Status) -> &'static str {
    rampart_engine::status_label(status)
}
