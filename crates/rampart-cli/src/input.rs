//! Reading what the user points at: model files (native or another tool's
//! format) and library directories.

use std::path::{Path, PathBuf};

use rampart_kb::{KnowledgeBase, Source};
use rampart_model::{Diagnostic, Model};

use crate::diagnostics;

/// Options shared by every command that reads a model.
#[derive(clap::Args, Clone, Debug)]
pub struct ModelArgs {
    /// The model: a Rampart model file (YAML or JSON), another tool's model
    /// (Threagile, Threat Dragon, TMT .tm7, pytm, Threat Composer, OTM,
    /// CycloneDX TM-BOM), or infrastructure as code (a Kubernetes or compose file,
    /// or a directory of them), imported on the fly; `-` reads standard input.
    pub model: String,
    /// The model's format when detection guesses wrong: rampart, threagile,
    /// threat-dragon, tmt, pytm, threat-composer, otm, tm-bom, kubernetes,
    /// compose, terraform, cloudformation.
    #[arg(long, value_name = "FORMAT")]
    pub from: Option<String>,
    /// An extra library directory (with vocabulary/, catalog/,
    /// countermeasures/, threats/ subdirectories); may be repeated.
    #[arg(long = "library", value_name = "DIR")]
    pub libraries: Vec<PathBuf>,
}

/// A model ready for analysis, with the text it came from (for diagnostics).
pub struct Loaded {
    pub model: Model,
    pub source: String,
    pub path: String,
    pub warnings: Vec<Diagnostic>,
    /// The `MODEL.tracking.yaml` file merged into the model's `threats:`, if any.
    pub tracking_file: Option<TrackingSource>,
}

/// A tracking file beside the model; its entries follow the model's own in
/// `model.threats`, from index `first`.
pub struct TrackingSource {
    pub path: String,
    pub source: String,
    pub first: usize,
}

/// The tracking file kept beside `model_path`: `shop.yaml` → `shop.tracking.yaml`.
pub fn tracking_file_path(model_path: &str) -> Option<PathBuf> {
    let path = Path::new(model_path);
    let stem = path.file_stem()?.to_str()?;
    if model_path == "-" || stem.ends_with(".tracking") {
        return None;
    }
    Some(path.with_file_name(format!("{stem}.tracking.yaml")))
}

/// Prints an error about the command itself (not about a model line).
pub fn fail(message: &str) -> u8 {
    eprintln!("error: {message}");
    crate::exit::INVALID
}

pub fn read_text(path: &str) -> Result<String, String> {
    if path == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|error| format!("cannot read standard input: {error}"))?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|error| format!("cannot read `{path}`: {error}"))
}

/// Loads the shipped library plus the user's directories, printing any error.
/// Later directories override earlier ones, and all override the shipped library.
pub fn load_library(directories: &[PathBuf]) -> Result<KnowledgeBase, u8> {
    let mut sources = rampart_kb::builtin_sources();
    for (index, directory) in directories.iter().enumerate() {
        let before = sources.len();
        collect_library(directory, directory, index + 1, &mut sources).map_err(|message| fail(&message))?;
        if sources.len() == before {
            return Err(fail(&format!("library directory `{}` holds no .yaml files", directory.display())));
        }
    }
    let kb = rampart_kb::compile(&sources).map_err(|errors| {
        for error in &errors {
            eprintln!("error: {error}");
        }
        eprintln!("error: the knowledge base has {} error(s); nothing was analyzed", errors.len());
        crate::exit::INVALID
    })?;
    for note in &kb.overrides {
        eprintln!("note: {note}");
    }
    Ok(kb)
}

fn collect_library(root: &Path, directory: &Path, layer: usize, sources: &mut Vec<Source>) -> Result<(), String> {
    let entries = std::fs::read_dir(directory)
        .map_err(|error| format!("cannot read library `{}`: {error}", directory.display()))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|entry| entry.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_library(root, &path, layer, sources)?;
        } else if path.extension().is_some_and(|ext| ext == "yaml" || ext == "yml") {
            let text =
                std::fs::read_to_string(&path).map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
            let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            sources.push(Source { path: relative, text, root: root.display().to_string(), layer });
        }
    }
    Ok(())
}

/// Reads and imports a model, loads the library with the directories given on
/// the command line and those the model names, and validates the model
/// against it. Prints every diagnostic; returns the exit code when the model
/// cannot be analyzed.
pub fn load_model_and_library(args: &ModelArgs) -> Result<(Loaded, KnowledgeBase), u8> {
    // Infrastructure as code (a directory, or a file or --from naming an IaC
    // format) is imported first, then loaded like the native model it becomes.
    let iac_format = match args.from.as_deref().map(str::parse::<rampart_iac::IacFormat>) {
        Some(Ok(format)) => Some(format),
        _ => None,
    };
    if iac_format.is_some() || (args.from.is_none() && Path::new(&args.model).is_dir()) {
        let (imported, format) = crate::commands::import::import_path(&args.model, iac_format, None)?;
        return load_imported_iac(args, imported, format);
    }
    let source = read_text(&args.model).map_err(|message| fail(&message))?;
    let path = if args.model == "-" { "<stdin>".to_string() } else { args.model.clone() };
    if args.from.is_none()
        && rampart_import::detect(&path, &source).is_none()
        && let Some(format) = rampart_iac::detect(&path, &source)
    {
        let name = Path::new(&path).file_name().map_or(path.clone(), |n| n.to_string_lossy().to_string());
        let files = vec![rampart_iac::SourceFile::new(name, source)];
        let (imported, format) = crate::commands::import::import_files(&args.model, files, Some(format), None)?;
        return load_imported_iac(args, imported, format);
    }
    let tracking = match tracking_file_path(&args.model).filter(|p| p.is_file()) {
        Some(file) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|error| fail(&format!("cannot read `{}`: {error}", file.display())))?;
            Some((file.display().to_string(), text))
        }
        None => None,
    };
    load_model_text(args, path, source, tracking)
}

/// Loads the model an IaC import produced: as the native YAML that `rampart
/// import` would write, so validation and threats point at lines of a text
/// the user can reproduce with `rampart import`. A tracking file beside the
/// input (`k8s.tracking.yaml` for `k8s/`) applies as for a model file.
pub(crate) fn load_imported_iac(
    args: &ModelArgs,
    imported: rampart_iac::IacImport,
    format: rampart_iac::IacFormat,
) -> Result<(Loaded, KnowledgeBase), u8> {
    let label = format!("{} ({format} import)", args.model.trim_end_matches('/'));
    if imported.model.components.is_empty() && imported.model.actors.is_empty() {
        return Err(fail(&format!(
            "the {format} import of `{}` found nothing to model; is it {format} at all? (--from names the format)",
            args.model
        )));
    }
    let imported = with_sources_from_here(imported, &args.model);
    let yaml = imported.to_yaml().map_err(|error| fail(&format!("cannot convert the import: {error}")))?;
    let tracking = match tracking_file_path(args.model.trim_end_matches('/')).filter(|p| p.is_file()) {
        Some(file) => {
            let text = std::fs::read_to_string(&file)
                .map_err(|error| fail(&format!("cannot read `{}`: {error}", file.display())))?;
            Some((file.display().to_string(), text))
        }
        None => None,
    };
    let native = ModelArgs { from: Some("rampart".to_string()), ..args.clone() };
    load_model_text(&native, label, yaml, tracking)
}

/// The import's `source:` paths are relative to what was imported; for an
/// analysis run here they become paths from the current directory, so SARIF
/// results and reports point at a file the user can open. Sources without a
/// line (Helm template paths) and standard input are left as they are.
fn with_sources_from_here(mut imported: rampart_iac::IacImport, input: &str) -> rampart_iac::IacImport {
    let input_path = Path::new(input);
    let root = if input == "-" {
        return imported;
    } else if input_path.is_dir() {
        input_path.to_path_buf()
    } else {
        input_path.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let rebase = |source: &mut Option<rampart_model::SourceRef>| {
        if let Some(source) = source.as_mut().filter(|s| s.line.is_some()) {
            source.file = root.join(&source.file).to_string_lossy().replace('\\', "/");
        }
    };
    let model = &mut imported.model;
    model.boundaries.iter_mut().for_each(|b| rebase(&mut b.source));
    model.components.iter_mut().for_each(|c| rebase(&mut c.source));
    model.flows.iter_mut().for_each(|f| rebase(&mut f.source));
    imported
}

/// As [`load_model_and_library`], for model text already read (from git, for
/// instance) and an optional tracking file (path and text). `args.model`
/// still locates the model's libraries.
pub fn load_model_text(
    args: &ModelArgs,
    path: String,
    source: String,
    tracking: Option<(String, String)>,
) -> Result<(Loaded, KnowledgeBase), u8> {
    let importer = match &args.from {
        Some(name) => match rampart_import::by_name(name) {
            Some(importer) => importer,
            None => {
                let names: Vec<&str> = rampart_import::importers().iter().map(|i| i.name()).collect();
                return Err(fail(&format!("unknown model format `{name}`; expected one of: {}", names.join(", "))));
            }
        },
        None => match rampart_import::detect(&path, &source) {
            Some(importer) => importer,
            None => {
                return Err(fail(&format!(
                    "`{path}` is not a model Rampart recognises: a native model starts with `rampart: 1`; \
                     use --from to name another format"
                )));
            }
        },
    };
    let imported = match crate::commands::import_tool::import_file(importer, &args.model, &source) {
        Ok(imported) => imported,
        Err(problems) => {
            print_all(&path, &source, &problems);
            eprintln!("error: `{path}` could not be read as a {} model", importer.name());
            return Err(crate::exit::INVALID);
        }
    };
    // The model's own libraries are relative to the model file.
    let base = Path::new(&args.model).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut directories = args.libraries.clone();
    for library in &imported.model.libraries {
        let directory = if args.model == "-" { PathBuf::from(&library.value) } else { base.join(&library.value) };
        if !directory.is_dir() {
            let problem =
                Diagnostic::error(library.at, format!("library directory `{}` does not exist", directory.display()))
                    .with_help("`libraries:` entries are directories relative to the model file");
            print_all(&path, &source, &[problem]);
            return Err(crate::exit::INVALID);
        }
        directories.push(directory);
    }
    let mut kb = load_library(&directories)?;
    let mut problems = imported.warnings;
    problems.extend(rampart_model::validate(&imported.model, &kb.vocabulary()));
    rampart_model::diagnostic::sort(&mut problems);
    let errors = problems.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        print_all(&path, &source, &problems);
        eprintln!("error: `{path}` has {errors} error(s); nothing was analyzed");
        return Err(crate::exit::INVALID);
    }
    let mut model = imported.model;
    let tracking_file = match tracking {
        None => None,
        Some((tracking_path, text)) => {
            let file: rampart_model::TrackingFile = match rampart_model::parse::from_yaml(&text) {
                Ok(file) => file,
                Err(problem) => {
                    print_all(&tracking_path, &text, &[problem]);
                    eprintln!("error: `{tracking_path}` could not be read as a tracking file");
                    return Err(crate::exit::INVALID);
                }
            };
            let found = rampart_model::validate_tracking_file(&model, &file.threats, &kb.vocabulary());
            print_all(&tracking_path, &text, &found);
            let errors = found.iter().filter(|d| d.is_error()).count();
            if errors > 0 {
                eprintln!("error: `{tracking_path}` has {errors} error(s); nothing was analyzed");
                return Err(crate::exit::INVALID);
            }
            let first = model.threats.len();
            model.threats.extend(file.threats);
            Some(TrackingSource { path: tracking_path, source: text, first })
        }
    };
    // Another tool's threats that Rampart raises too become tracking on
    // Rampart's, as `rampart import` would write them.
    if importer.name() != "rampart" {
        for adopted in rampart_engine::adopt_library_threats(&mut model, &kb) {
            eprintln!("note: `{}` from `{path}` is Rampart's `{}`", adopted.imported, adopted.library);
        }
    }
    // The model's own threats become rules of the library it is analyzed
    // with, so every command and report treats them like the library's.
    kb.add_custom_threats(&model);
    Ok((Loaded { model, source, path, warnings: problems, tracking_file }, kb))
}

/// Prints the warnings of an analysis. Stale tracking entries (matching no
/// threat) are shown against the file that holds them, and as errors when
/// `strict`; returns how many such errors there were.
pub fn print_analysis_warnings(loaded: &Loaded, analysis: &rampart_engine::Analysis, strict: bool) -> usize {
    let mut errors = 0;
    for (index, warning) in analysis.warnings.iter().enumerate() {
        let stale = analysis.stale_tracking.iter().find(|s| s.warning == index);
        let (path, source) = match (stale, &loaded.tracking_file) {
            (Some(stale), Some(file)) if stale.entry >= file.first => (file.path.as_str(), file.source.as_str()),
            _ => (loaded.path.as_str(), loaded.source.as_str()),
        };
        if stale.is_some() && strict {
            errors += 1;
            let error = Diagnostic { severity: rampart_model::Severity::Error, ..warning.clone() };
            print_all(path, source, &[error]);
        } else {
            print_all(path, source, std::slice::from_ref(warning));
        }
    }
    errors
}

pub fn print_all(path: &str, source: &str, problems: &[Diagnostic]) {
    for problem in problems {
        eprint!("{}", diagnostics::render(path, source, problem));
    }
}

/// Writes to standard output; a reader that went away (a closed pipe) is not
/// an error worth a panic.
pub fn write_stdout(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
}
