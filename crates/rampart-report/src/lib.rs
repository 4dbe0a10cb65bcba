//! Output formats of an analysis. Each renderer reads the one [`Analysis`]
//! the engine produced and derives nothing of its own.
//!
//! Invariant: pure functions from an analysis to text; no IO.

mod json;
mod markdown;
mod sarif;
mod table;

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

/// Renders `analysis` in `format`.
pub fn render(format: Format, analysis: &Analysis, kb: &KnowledgeBase, origin: &Origin) -> String {
    match format {
        Format::Table => table::render(analysis),
        Format::Json => json::render(analysis, origin),
        Format::Sarif => sarif::render(analysis, kb, origin),
        Format::Markdown => markdown::render(analysis, kb),
    }
}

/// Text of a status as the model writes it.
pub(crate) fn status_text(status: rampart_model::Status) -> &'static str {
    rampart_engine::status_label(status)
}
