//! `rampart report`: the reader's report (self-contained HTML, PDF) and
//! exports for vulnerability-management tools and spreadsheets — CSV, XLSX
//! and DefectDojo's Generic Findings Import JSON.

use std::io::Write;
use std::path::PathBuf;

use rampart_engine::{Options, analyze};
use rampart_model::Date;
use rampart_report::Origin;
use rampart_report::document::Document;
use rampart_report::exports::{self, Table};

use crate::input::{ModelArgs, fail, load_model_and_library, print_all};

const FORMATS: [&str; 8] = ["html", "pdf", "csv", "xlsx", "defectdojo", "gitlab-sast", "otm", "cyclonedx"];

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: ModelArgs,
    /// Report format: html (one self-contained page), pdf (needs --output),
    /// csv, xlsx (needs --output), defectdojo (DefectDojo's Generic Findings
    /// Import JSON), gitlab-sast (GitLab's SAST security report, for
    /// `artifacts: reports: sast:`), otm (Open Threat Model JSON) or
    /// cyclonedx (CycloneDX threat-model BOM): the model with its threats,
    /// for other threat-modeling tools.
    #[arg(long, short, value_name = "FORMAT")]
    pub format: String,
    /// With csv: which table to write, threats (one row per threat) or
    /// countermeasures (one row per countermeasure of the rules that fired).
    #[arg(long, default_value = "threats", value_name = "TABLE")]
    pub table: String,
    /// Write the export to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The date to judge acceptance expiry by and to date DefectDojo findings
    /// with (YYYY-MM-DD); defaults to today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
    /// Threat intelligence that raises the likelihood of the threats it
    /// names, as for `analyze --intel`; may be repeated.
    #[arg(long, value_name = "FILE")]
    pub intel: Vec<String>,
}

#[derive(Clone, Copy)]
enum Export {
    Html,
    Pdf,
    Csv(Table),
    Xlsx,
    DefectDojo,
    GitlabSast,
    Otm,
    CycloneDx,
}

pub fn run(args: Args) -> u8 {
    let Some(table) = Table::parse(&args.table) else {
        return fail(&format!("unknown table `{}`; expected one of: {}", args.table, Table::NAMES.join(", ")));
    };
    let export = match args.format.as_str() {
        "html" => Export::Html,
        "pdf" => Export::Pdf,
        "csv" => Export::Csv(table),
        "xlsx" => Export::Xlsx,
        "defectdojo" => Export::DefectDojo,
        "gitlab-sast" => Export::GitlabSast,
        "otm" => Export::Otm,
        "cyclonedx" | "tm-bom" => Export::CycloneDx,
        other => return fail(&format!("unknown export format `{other}`; expected one of: {}", FORMATS.join(", "))),
    };
    if table != Table::Threats && !matches!(export, Export::Csv(_)) {
        return fail("--table applies to --format csv only (an xlsx workbook holds both tables)");
    }
    if matches!(export, Export::Xlsx) && args.output.is_none() {
        return fail("--format xlsx writes a binary workbook: name the file with --output");
    }
    if matches!(export, Export::Pdf) && args.output.is_none() {
        return fail("--format pdf writes a binary document: name the file with --output");
    }
    let (today, scan_time) = match args.today.as_deref().map(Date::parse) {
        None => (crate::commands::analyze::today_utc(), crate::commands::analyze::now_utc_timestamp()),
        Some(Ok(date)) => (date, format!("{date}T00:00:00")),
        Some(Err(problem)) => return fail(&format!("--today: {problem}")),
    };
    let intel = match crate::commands::intel::read_all(&args.intel, false) {
        Ok(items) => items,
        Err(code) => return code,
    };
    let (loaded, kb) = match load_model_and_library(&args.input) {
        Ok(both) => both,
        Err(code) => return code,
    };
    print_all(&loaded.path, &loaded.source, &loaded.warnings);
    let analysis = analyze(&loaded.model, &kb, &Options { today: Some(today), intel });
    print_all(&loaded.path, &loaded.source, &analysis.warnings);
    let origin = Origin { model_path: loaded.path.clone(), tool_version: env!("CARGO_PKG_VERSION").to_string() };

    let render = |out: &mut dyn Write| match export {
        Export::Html | Export::Pdf => {
            // The reader's report: one document and its diagram, whatever the format.
            let document = Document::build(&analysis, &kb, &loaded.model, &origin, &today.to_string());
            let options = rampart_diagram::Options { kb: Some(&kb), view: rampart_diagram::View::All };
            let diagram = rampart_diagram::svg(&loaded.model, &analysis, &options);
            if matches!(export, Export::Html) {
                out.write_all(rampart_report::html::render(&document, Some(&diagram)).as_bytes())
            } else {
                out.write_all(&pdf(&document, &diagram)?)
            }
        }
        Export::Csv(table) => exports::csv::render(table, &analysis, &kb, out),
        Export::Xlsx => exports::xlsx::render(&analysis, &kb, out),
        Export::DefectDojo => exports::defectdojo::render(&analysis, &kb, &origin, today, out),
        Export::GitlabSast => exports::gitlab::render(&analysis, &kb, &origin, &scan_time, out),
        Export::Otm => out.write_all(exports::otm::render(&analysis, &loaded.model, &kb).as_bytes()),
        Export::CycloneDx => out.write_all(exports::cyclonedx::render(&analysis, &loaded.model, &kb).as_bytes()),
    };
    let written = match &args.output {
        Some(path) => std::fs::File::create(path).and_then(|file| {
            let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
            render(&mut writer)?;
            writer.flush()
        }),
        None => {
            let mut writer = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
            render(&mut writer).and_then(|()| writer.flush())
        }
    };
    match written {
        Ok(()) => crate::exit::OK,
        // A reader that went away (`rampart report m.yaml -f csv | head`) is not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => crate::exit::OK,
        Err(error) => {
            let target = args.output.as_ref().map(|p| p.display().to_string()).unwrap_or("standard output".into());
            fail(&format!("cannot write {target}: {error}"))
        }
    }
}

#[cfg(feature = "pdf")]
fn pdf(document: &Document, diagram: &str) -> std::io::Result<Vec<u8>> {
    rampart_pdf::render(document, Some(diagram)).map_err(|error| std::io::Error::other(format!("PDF: {error}")))
}

#[cfg(not(feature = "pdf"))]
fn pdf(_: &Document, _: &str) -> std::io::Result<Vec<u8>> {
    Err(std::io::Error::other("this build of rampart has no PDF support; rebuild with the `pdf` feature"))
}
