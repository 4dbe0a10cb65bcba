//! `rampart-modelgen`: writes a synthetic Rampart model (YAML or JSON) or the
//! equivalent OWASP pytm script, or infrastructure as code to import (the JSON
//! of a Terraform plan, Kubernetes manifests), for benchmarks.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Yaml,
    Json,
}

/// Generate a synthetic but realistic architecture of N components and about
/// 5N flows, deterministically from a seed; or, with `--terraform-plan N` or
/// `--kubernetes N`, infrastructure as code of N resources or objects.
#[derive(Parser, Debug)]
#[command(name = "rampart-modelgen", version)]
#[command(group = clap::ArgGroup::new("what").required(true).args(["components", "terraform_plan", "kubernetes"]))]
struct Args {
    /// Number of components of a Rampart model.
    #[arg(long, short = 'n')]
    components: Option<usize>,
    /// Write the JSON of `terraform show -json` for a plan creating this many AWS resources.
    #[arg(long, value_name = "RESOURCES")]
    terraform_plan: Option<usize>,
    /// Write Kubernetes manifests of this many objects: one multi-document file, or with
    /// `--output DIR/` (a trailing slash, or an existing directory) one file per namespace.
    #[arg(long, value_name = "OBJECTS")]
    kubernetes: Option<usize>,
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
    if let Some(resources) = args.terraform_plan {
        return write(args.output.as_ref(), &rampart_modelgen::terraform_plan(resources, args.seed));
    }
    if let Some(objects) = args.kubernetes {
        if let Some(directory) = args.output.as_ref().filter(|path| is_directory_argument(path)) {
            return write_files(directory, &rampart_modelgen::kubernetes_manifest_files(objects, args.seed));
        }
        return write(args.output.as_ref(), &rampart_modelgen::kubernetes_manifests(objects, args.seed));
    }
    let model = rampart_modelgen::generate(args.components.unwrap_or_default(), args.seed);
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
    write(args.output.as_ref(), &text)
}

/// Writes `text` to `output`, or to standard output.
fn write(output: Option<&PathBuf>, text: &str) -> ExitCode {
    let written = match output {
        Some(path) => std::fs::write(path, text.as_bytes()),
        None => std::io::stdout().lock().write_all(text.as_bytes()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let target = output.map_or("standard output".to_string(), |p| p.display().to_string());
            eprintln!("rampart-modelgen: cannot write {target}: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `--output` names a directory: one that exists, or a path ending in `/`.
fn is_directory_argument(path: &Path) -> bool {
    path.is_dir() || path.as_os_str().to_string_lossy().ends_with('/')
}

/// Writes each (file name, text) into `directory`, creating it.
fn write_files(directory: &Path, files: &[(String, String)]) -> ExitCode {
    let written = std::fs::create_dir_all(directory)
        .and_then(|()| files.iter().try_for_each(|(name, text)| std::fs::write(directory.join(name), text)));
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("rampart-modelgen: cannot write the manifests to {}: {error}", directory.display());
            ExitCode::FAILURE
        }
    }
}
