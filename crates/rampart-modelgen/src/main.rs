//! `rampart-modelgen`: writes a synthetic Rampart model (YAML or JSON) or the
//! equivalent OWASP pytm script, for benchmarks.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

/// Generate a synthetic but realistic architecture of N components and about
/// 5N flows, deterministically from a seed.
#[derive(Parser, Debug)]
#[command(name = "rampart-modelgen", version)]
struct Args {
    /// Number of components.
    #[arg(long, short = 'n')]
    components: usize,
    /// Seed of the generator; the same seed and size always give the same model.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Syntax of the Rampart model.
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    format: Format,
    /// Write the same architecture as an OWASP pytm Python script instead.
    #[arg(long)]
    pytm: bool,
    /// Output file; standard output when omitted.
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let model = rampart_modelgen::generate(args.components, args.seed);
    let text = if args.pytm {
        rampart_modelgen::to_pytm(&model)
    } else {
        let serialized = match args.format {
            Format::Yaml => serde_saphyr::to_string(&model).map_err(|error| error.to_string()),
            Format::Json => serde_json::to_string_pretty(&model).map_err(|error| error.to_string()),
        };
        match serialized {
            Ok(text) => text,
            Err(error) => {
                eprintln!("rampart-modelgen: cannot serialize the model: {error}");
                return ExitCode::FAILURE;
            }
        }
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, text.as_bytes()),
        None => std::io::stdout().lock().write_all(text.as_bytes()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let target = args.output.as_ref().map_or("standard output".to_string(), |p| p.display().to_string());
            eprintln!("rampart-modelgen: cannot write {target}: {error}");
            ExitCode::FAILURE
        }
    }
}
