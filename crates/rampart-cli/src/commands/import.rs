//! `rampart import`: a model from infrastructure as code, a cloud inventory
//! or another threat-modeling tool's file.

use std::path::{Path, PathBuf};

use rampart_iac::{FileDiagnostic, IacFormat, SourceFile};

use crate::diagnostics;
use crate::input::{fail, read_text, write_stdout};

#[derive(clap::Args)]
#[command(
    long_about = "Build a Rampart model from infrastructure as code, or from another threat-modeling tool's \
        file.\n\n\
        Reads Kubernetes manifests (plain multi-document YAML, `kind: List`, or the output of \
        `helm template`), docker-compose files, Terraform (a directory of .tf files with its local \
        modules and .tfvars, or the JSON of `terraform show -json`), or CloudFormation templates (YAML with \
        short-form tags such as !Ref, or JSON), or a live AWS account (a directory of AWS CLI outputs \
        collected by scripts/collect-aws-inventory.sh, or an AWS Config snapshot) and infers components with catalog types, flows \
        (Services, Ingresses, connection strings in environment variables, depends_on), trust \
        boundaries (cluster and namespaces, compose networks), exposure to the internet, Secrets as \
        data assets, and the controls the manifests show (network policies, security contexts, \
        resource limits). Each element records the file and line it came from in `source:`.\n\n\
        The model goes to standard output (or --output); warnings about what could not be modelled \
        go to standard error as `file:line:column: warning: ...`, then a one-line summary. \
        docs/importing-iac.md lists every rule.\n\n\
        Other tools' files: threagile (YAML, with includes), threat-dragon (v2 JSON), tmt (Microsoft Threat \
        Modeling Tool .tm7), pytm (JSON output), threat-composer (AWS Threat Composer JSON), otm (Open Threat \
        Model JSON or YAML), tm-bom (CycloneDX threat-model BOM). The threats those files record, with their \
        status, become tracking entries on Rampart's matching threats (same target and CWE, or same title) or \
        custom threats where Rampart has no match. docs/importing-other-tools.md has the mappings.",
    after_help = "Examples:\n  \
        rampart import kubernetes k8s/ --output shop.yaml\n  \
        helm template shop charts/shop | rampart import kubernetes - --name shop > shop.yaml\n  \
        rampart import compose . --output shop.yaml && rampart analyze shop.yaml\n  \
        rampart import terraform infra/ --output shop.yaml\n  \
        terraform show -json plan.out > plan.json && rampart import terraform plan.json\n  \
        rampart import cloudformation template.yaml --output shop.yaml\n  \
        rampart import aws-inventory inventory/ --output live.yaml\n  \
        rampart import aws-config snapshot.json --output live.yaml\n  \
        rampart import threat-dragon model.json --output shop.yaml\n  \
        rampart import auto MTMT_example.tm7 --output shop.yaml"
)]
pub struct Args {
    /// What PATH holds: kubernetes, compose, terraform, cloudformation (or
    /// cfn), aws-inventory, aws-config; threagile, threat-dragon, tmt, pytm, threat-composer, otm,
    /// tm-bom; or auto to tell from the files.
    #[arg(value_name = "FORMAT", value_parser = clap::builder::PossibleValuesParser::new(format_names()))]
    pub format: String,
    /// A file; a directory (every .yaml and .yml file below it for
    /// kubernetes, the compose.yaml or docker-compose.yml and its override
    /// for compose, every .yaml, .yml, .json and .template file that is a
    /// template for cloudformation); or `-` for standard input.
    #[arg(value_name = "PATH")]
    pub path: String,
    /// Write the model to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The model's name; when omitted, the compose project's `name:`, or
    /// the directory's or file's name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Fail (exit 2, write nothing) when anything could not be modelled.
    #[arg(long)]
    pub strict: bool,
    /// Overwrite an existing --output model instead of merging into it.
    /// By default a re-import keeps what was added by hand (names, refined
    /// kinds, data, authentication, tracking, policy) and reports what the
    /// infrastructure added, changed and removed.
    #[arg(long)]
    pub replace: bool,
}

/// Every FORMAT the command takes.
fn format_names() -> Vec<&'static str> {
    let infrastructure = IacFormat::ALL.iter().map(|format| format.name()).chain(["cfn"]);
    let tools = rampart_import::importers().iter().map(|importer| importer.name()).filter(|name| *name != "rampart");
    infrastructure.chain(tools).chain(["auto"]).collect()
}

pub fn run(args: Args) -> u8 {
    // Another tool's file: named, or recognised by `auto` in a single file.
    let tool = rampart_import::by_name(&args.format).filter(|importer| importer.name() != "rampart");
    if tool.is_some() || (args.format == "auto" && !Path::new(&args.path).is_dir()) {
        let text = match read_text(&args.path) {
            Ok(text) => text,
            Err(message) => return fail(&message),
        };
        let shown = if args.path == "-" { "<stdin>" } else { args.path.as_str() };
        let detected = tool.or_else(|| rampart_import::detect(shown, &text).filter(|i| i.name() != "rampart"));
        if let Some(importer) = detected {
            return super::import_tool::run(importer, &args, text);
        }
        if rampart_import::detect(shown, &text).is_some() {
            return fail(&format!("`{shown}` is already a Rampart model; nothing to import"));
        }
        return run_infrastructure(&args, Some(vec![SourceFile::new(file_label(&args.path), text)]));
    }
    run_infrastructure(&args, None)
}

/// How a single file is named in diagnostics: its file name, or `<stdin>`.
fn file_label(path: &str) -> String {
    if path == "-" {
        return "<stdin>".to_string();
    }
    Path::new(path).file_name().map_or(path.to_string(), |n| n.to_string_lossy().to_string())
}

/// Imports infrastructure as code (or files already read from PATH).
fn run_infrastructure(args: &Args, files: Option<Vec<SourceFile>>) -> u8 {
    let format = args.format.parse::<IacFormat>().ok();
    let imported = match files {
        Some(files) => import_files(&args.path, files, format, args.name.as_deref()),
        None => import_path(&args.path, format, args.name.as_deref()),
    };
    let (mut imported, format) = match imported {
        Ok(both) => both,
        Err(code) => return code,
    };
    let warnings = imported.warnings.len();
    let counted = match warnings {
        0 => String::new(),
        1 => "; 1 warning".to_string(),
        n => format!("; {n} warnings"),
    };
    if args.strict && warnings > 0 {
        eprintln!("error: {}{counted}; --strict refuses warnings, so no model was written", imported.summary);
        return crate::exit::INVALID;
    }
    // Re-import: merge into the model already there rather than lose its edits.
    let merged = match args.output.as_ref().filter(|path| path.is_file() && !args.replace) {
        None => None,
        Some(path) => {
            let label = path.display().to_string();
            let text = match read_text(&label) {
                Ok(text) => text,
                Err(message) => return fail(&message),
            };
            let previous = match rampart_model::parse_model(&text, rampart_model::Syntax::Yaml) {
                Ok(previous) => previous,
                Err(problem) => {
                    eprint!("{}", diagnostics::render(&label, &text, &problem));
                    return fail(&format!(
                        "`{label}` exists but is not a Rampart model to merge into; pass --replace to overwrite it"
                    ));
                }
            };
            let (model, report) = rampart_iac::merge::merge(&previous, imported.model);
            imported.model = model;
            Some(report)
        }
    };
    let yaml = match imported.to_yaml() {
        Ok(yaml) => yaml,
        Err(error) => return fail(&format!("cannot write the model: {error}")),
    };
    let shown_path = if args.path == "-" { "-".to_string() } else { args.path.clone() };
    let text =
        format!("# Imported by `rampart import {format} {shown_path}`; every element's `source:` says where.\n{yaml}");
    match &args.output {
        Some(path) => {
            if let Err(error) = std::fs::write(path, text) {
                return fail(&format!("cannot write {}: {error}", path.display()));
            }
            eprintln!("{}{counted}; written to {}", imported.summary, path.display());
            if let Some(report) = merged {
                eprintln!("re-import merged into the existing model: {report}");
                for (what, ids) in
                    [("added", &report.added), ("changed", &report.changed), ("removed", &report.removed)]
                {
                    if !ids.is_empty() {
                        eprintln!("  {what}: {}", ids.join(", "));
                    }
                }
            }
        }
        None => {
            write_stdout(&text);
            eprintln!("{}{counted}", imported.summary);
        }
    }
    crate::exit::OK
}

/// Reads PATH (a file, a directory or `-`), tells its format when `format`
/// is `None`, imports it and prints the import's warnings. The one way IaC
/// is read, by `rampart import` and by every command that takes a model.
pub(crate) fn import_path(
    path: &str,
    format: Option<IacFormat>,
    name: Option<&str>,
) -> Result<(rampart_iac::IacImport, IacFormat), u8> {
    let files = if Path::new(path).is_dir() {
        rampart_iac::read_tree(Path::new(path), format)
            .map_err(|error| fail(&format!("cannot read `{path}`: {error}")))?
    } else {
        read_files(path).map_err(|message| fail(&message))?
    };
    import_files(path, files, format, name)
}

/// As [`import_path`], for files already read from PATH.
pub(crate) fn import_files(
    path: &str,
    files: Vec<SourceFile>,
    format: Option<IacFormat>,
    name: Option<&str>,
) -> Result<(rampart_iac::IacImport, IacFormat), u8> {
    let format = match format {
        Some(format) => format,
        None => detect(&files).map_err(|message| fail(&message))?,
    };
    // What a directory holds is narrowed (a compose project's files); a
    // list with nothing in it says what was expected.
    let files = if Path::new(path).is_dir() || files.is_empty() {
        rampart_iac::directory_files(format, files, path).map_err(|message| fail(&message))?
    } else {
        files
    };
    let project_name = (format == IacFormat::Compose).then(|| rampart_iac::compose_project_name(&files)).flatten();
    let name = name.map(str::to_string).or(project_name).unwrap_or_else(|| default_name(path));
    let root = display_root(path);
    match format.import(&name, &files) {
        Ok(imported) => {
            print_problems(&root, &files, &imported.warnings);
            Ok((imported, format))
        }
        Err(problems) => {
            print_problems(&root, &files, &problems);
            let errors = problems.iter().filter(|p| p.is_error()).count();
            let syntax = match format {
                IacFormat::Terraform => "",
                IacFormat::CloudFormation => " YAML or JSON",
                IacFormat::Kubernetes | IacFormat::Compose => " YAML",
                IacFormat::AwsInventory | IacFormat::AwsConfig => " JSON",
            };
            eprintln!("error: {errors} file(s) could not be read as {format}{syntax}; nothing was imported");
            Err(crate::exit::INVALID)
        }
    }
}

/// The files under PATH, paths relative to it; standard input as `<stdin>`.
pub(crate) fn read_files(path: &str) -> Result<Vec<SourceFile>, String> {
    if path == "-" {
        return Ok(vec![SourceFile::new("<stdin>", read_text("-")?)]);
    }
    let root = Path::new(path);
    if root.is_file() {
        let name = root.file_name().map_or(path.to_string(), |n| n.to_string_lossy().to_string());
        return Ok(vec![SourceFile::new(name, read_text(path)?)]);
    }
    if !root.is_dir() {
        return Err(format!("cannot read `{path}`: no such file or directory"));
    }
    rampart_iac::read_tree(root, None).map_err(|error| format!("cannot read `{path}`: {error}"))
}

/// The one format the files are written in, for `auto`.
pub(crate) fn detect(files: &[SourceFile]) -> Result<IacFormat, String> {
    rampart_iac::detect_files(files)
}

/// The name of what was imported: `shop` for `deploy/shop/` or `shop.yaml`.
pub(crate) fn default_name(path: &str) -> String {
    if path == "-" {
        return "imported".to_string();
    }
    let path = Path::new(path);
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let named = if absolute.is_dir() { absolute.file_name() } else { absolute.file_stem() };
    let name = named.map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    // `docker-compose.yml` says nothing about the system; its directory does.
    let says_nothing = rampart_iac::is_compose_file_name(&format!("{name}.yml")) || name.is_empty();
    if !absolute.is_dir()
        && says_nothing
        && let Some(parent) = absolute.parent().and_then(Path::file_name)
    {
        return parent.to_string_lossy().to_string();
    }
    if name.is_empty() { "imported".to_string() } else { name }
}

/// The directory that diagnostics' paths are relative to, for display.
pub(crate) fn display_root(path: &str) -> Option<PathBuf> {
    let path = Path::new(path);
    path.is_dir().then(|| path.to_path_buf()).or_else(|| path.parent().map(Path::to_path_buf))
}

/// Errors with the offending line shown; warnings one per line, as
/// `file:line:column: warning: message (help)`.
pub(crate) fn print_problems(root: &Option<PathBuf>, files: &[SourceFile], problems: &[FileDiagnostic]) {
    for problem in problems {
        let shown = match root {
            Some(root) if problem.file != "<stdin>" && !root.as_os_str().is_empty() => {
                root.join(&problem.file).to_string_lossy().replace('\\', "/")
            }
            _ => problem.file.clone(),
        };
        if problem.is_error() {
            let text = files.iter().find(|f| f.path == problem.file).map_or("", |f| f.text.as_str());
            eprint!("{}", diagnostics::render(&shown, text, &problem.diagnostic));
        } else {
            eprintln!("{}", FileDiagnostic { file: shown, diagnostic: problem.diagnostic.clone() });
        }
    }
}
