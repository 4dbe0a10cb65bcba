//! `rampart report`: exports for vulnerability-management tools and
//! spreadsheets — CSV, XLSX and DefectDojo's Generic Findings Import JSON.

use std::io::Write;
use std::path::PathBuf;

use rampart_engine::{Options, analyze};
use rampart_model::Date;
use rampart_report::Origin;
use rampart_report::exports::{self, Table};

use crate::input::{ModelArgs, fail, load_model_and_library, print_all};

const FORMATS: [&str; 3] = ["csv", "xlsx", "defectdojo"];

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: ModelArgs,
    /// Export format: csv, xlsx (needs --output), defectdojo (DefectDojo's
    /// Generic Findings Import JSON).
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
    Csv(Table),
    Xlsx,
    DefectDojo,
}

pub fn run(args: Args) -> u8 {
    let Some(table) = Table::parse(&args.table) else {
        return fail(&format!("unknown table `{}`; expected one of: {}", args.table, Table::NAMES.join(", ")));
    };
    let export = match args.format.as_str() {
        "csv" => Export::Csv(table),
        "xlsx" => Export::Xlsx,
        "defectdojo" => Export::DefectDojo,
        other => return fail(&format!("unknown export format `{other}`; expected one of: {}", FORMATS.join(", "))),
    };
    if table != Table::Threats && !matches!(export, Export::Csv(_)) {
        return fail("--table applies to --format csv only (an xlsx workbook holds both tables)");
    }
    if matches!(export, Export::Xlsx) && args.output.is_none() {
        return fail("--format xlsx writes a binary workbook: name the file with --output");
    }
    let today = match args.today.as_deref().map(Date::parse) {
        None => crate::commands::analyze::today_utc(),
        Some(Ok(date)) => date,
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
        Export::Csv(table) => exports::csv::render(table, &analysis, &kb, out),
        Export::Xlsx => exports::xlsx::render(&analysis, &kb, out),
        Export::DefectDojo => exports::defectdojo::render(&analysis, &kb, &origin, today, out),
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
