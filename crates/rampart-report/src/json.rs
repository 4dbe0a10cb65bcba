//! The JSON output: the analysis as the engine produced it, with a format
//! version so consumers can detect changes. Documented in docs/json-output.md.

use std::io::{self, Write};

use rampart_engine::Analysis;
use serde::Serialize;

use crate::Origin;

/// Version of the JSON output's shape; bumped on incompatible changes.
pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a, 'k, 'm> {
    rampart_json: u32,
    tool: Tool<'a>,
    #[serde(flatten)]
    analysis: &'a Analysis<'k, 'm>,
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
    model_file: &'a str,
}

pub fn render(analysis: &Analysis, origin: &Origin, out: &mut dyn Write) -> io::Result<()> {
    let document = Document {
        rampart_json: JSON_FORMAT_VERSION,
        tool: Tool { name: "rampart", version: &origin.tool_version, model_file: &origin.model_path },
        analysis,
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
