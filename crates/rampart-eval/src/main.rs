//! `rampart-eval [DIR] [--format table|json]`: runs the relevance benchmark
//! (default directory: `eval/` of the workspace) and prints recall and noise
//! per system. Exits 1 when a model or expected file is invalid, 2 when the
//! benchmark cannot run at all (unreadable directory, library errors).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

#[derive(Parser)]
#[command(
    name = "rampart-eval",
    about = "Relevance benchmark: Rampart's threats against the documented weaknesses of intentionally vulnerable systems"
)]
struct Cli {
    /// Benchmark directory (one sub-directory per system with model.yaml and expected.yaml).
    dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// With the table: list, per system, the rules behind each hit and every threat raised.
    #[arg(long, short)]
    verbose: bool,
}

fn default_dir() -> PathBuf {
    let here = PathBuf::from("eval");
    if here.join("cwe-equivalence.yaml").exists() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../eval")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let dir = cli.dir.unwrap_or_else(default_dir);
    let report = match rampart_eval::evaluate(&dir) {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    match cli.format {
        Format::Table => print!("{}", rampart_eval::render_table(&report, cli.verbose)),
        Format::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => println!("{json}"),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        },
    }
    if report.all_valid() { ExitCode::SUCCESS } else { ExitCode::from(1) }
}
