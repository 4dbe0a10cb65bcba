//! Reports and exports of a stored version, rendered by rampart-report (and
//! rampart-pdf, rampart-diagram) exactly as `rampart report` renders them,
//! with the server's threat decisions applied.

use std::io::Write;

use rampart_kb::KnowledgeBase;
use rampart_model::Tracking;
use rampart_report::Origin;
use rampart_report::document::Document;
use rampart_report::exports::{self, Table};

use crate::analysis;
use crate::error::ApiError;

pub const FORMATS: [&str; 15] = [
    "json",
    "sarif",
    "markdown",
    "html",
    "pdf",
    "csv",
    "xlsx",
    "defectdojo",
    "gitlab-sast",
    "otm",
    "cyclonedx",
    "svg",
    "dot",
    "mermaid",
    "yaml",
];

pub struct Rendered {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    pub file_name: String,
}

fn slug(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() { "model".to_string() } else { slug }
}

pub fn render(
    kb: &KnowledgeBase,
    document: &str,
    states: Vec<Tracking>,
    format: &str,
    model_name: &str,
    version: i64,
    table: Option<&str>,
) -> Result<Rendered, ApiError> {
    if !FORMATS.contains(&format) {
        return Err(ApiError::invalid_field(
            "format",
            format!("unknown report format `{format}`; expected one of: {}", FORMATS.join(", ")),
        ));
    }
    let table = match table.unwrap_or("threats") {
        "threats" => Table::Threats,
        "countermeasures" => Table::Countermeasures,
        other => {
            return Err(ApiError::invalid_field(
                "table",
                format!("unknown table `{other}`; expected threats or countermeasures"),
            ));
        }
    };
    let base = format!("{}-v{version}", slug(model_name));
    if format == "yaml" {
        return Ok(Rendered {
            bytes: document.as_bytes().to_vec(),
            content_type: "application/yaml",
            file_name: format!("{base}.yaml"),
        });
    }
    let model = analysis::with_states(&analysis::read_stored(kb, document)?, states);
    let library = analysis::library_for(kb, &model);
    let options = analysis::options();
    let today = options.today.unwrap_or(rampart_model::Date { year: 1970, month: 1, day: 1 });
    let result = rampart_engine::analyze(&model, &library, &options);
    let origin = Origin {
        model_path: format!("{model_name} (version {version})"),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let diagram_options = rampart_diagram::Options { kb: Some(&library), view: rampart_diagram::View::All };
    let mut out: Vec<u8> = Vec::new();
    let failed = |error: std::io::Error| ApiError::internal("cannot render the report", error);
    let (content_type, extension) = match format {
        "json" | "sarif" | "markdown" => {
            let chosen = rampart_report::Format::parse(format).unwrap_or(rampart_report::Format::Json);
            out = rampart_report::render_to_string(chosen, &result, &library, &origin).into_bytes();
            match format {
                "json" => ("application/json", "json"),
                "sarif" => ("application/sarif+json", "sarif"),
                _ => ("text/markdown; charset=utf-8", "md"),
            }
        }
        "html" | "pdf" => {
            let document = Document::build(&result, &library, &model, &origin, &today.to_string());
            let diagram = rampart_diagram::svg(&model, &result, &diagram_options);
            if format == "html" {
                out = rampart_report::html::render(&document, Some(&diagram)).into_bytes();
                ("text/html; charset=utf-8", "html")
            } else {
                out = pdf(&document, &diagram)?;
                ("application/pdf", "pdf")
            }
        }
        "svg" => {
            out = rampart_diagram::svg(&model, &result, &diagram_options).into_bytes();
            ("image/svg+xml", "svg")
        }
        "dot" => {
            out = rampart_diagram::dot(&model, &result, &diagram_options).into_bytes();
            ("text/vnd.graphviz; charset=utf-8", "dot")
        }
        "mermaid" => {
            // Mermaid has no registered media type; its files are `.mmd`.
            out = rampart_diagram::mermaid(&model, &result, &diagram_options).into_bytes();
            ("text/plain; charset=utf-8", "mmd")
        }
        "csv" => {
            exports::csv::render(table, &result, &library, &mut out).map_err(failed)?;
            ("text/csv; charset=utf-8", "csv")
        }
        "xlsx" => {
            exports::xlsx::render(&result, &library, &mut out).map_err(failed)?;
            ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        }
        "defectdojo" => {
            exports::defectdojo::render(&result, &library, &origin, today, &mut out).map_err(failed)?;
            ("application/json", "defectdojo.json")
        }
        "gitlab-sast" => {
            let now = time::OffsetDateTime::now_utc();
            let scan_time = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                now.year(),
                u8::from(now.month()),
                now.day(),
                now.hour(),
                now.minute(),
                now.second()
            );
            exports::gitlab::render(&result, &library, &origin, &scan_time, &mut out).map_err(failed)?;
            ("application/json", "gl-sast-report.json")
        }
        "otm" => {
            out.write_all(exports::otm::render(&result, &model, &library).as_bytes()).map_err(failed)?;
            ("application/json", "otm.json")
        }
        _ => {
            out.write_all(exports::cyclonedx::render(&result, &model, &library).as_bytes()).map_err(failed)?;
            ("application/vnd.cyclonedx+json", "cdx.json")
        }
    };
    Ok(Rendered { bytes: out, content_type, file_name: format!("{base}.{extension}") })
}

#[cfg(feature = "pdf")]
fn pdf(document: &Document, diagram: &str) -> Result<Vec<u8>, ApiError> {
    rampart_pdf::render(document, Some(diagram)).map_err(|error| ApiError::internal("cannot render the PDF", error))
}

#[cfg(not(feature = "pdf"))]
fn pdf(_: &Document, _: &str) -> Result<Vec<u8>, ApiError> {
    Err(ApiError::new(
        axum::http::StatusCode::NOT_IMPLEMENTED,
        "not-built",
        "this server was built without PDF support (the `pdf` feature)",
    ))
}
