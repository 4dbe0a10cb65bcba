//! `rampart diff`: the threats added, removed and changed between two
//! versions of a model, as text, JSON or a Markdown pull-request comment.

use std::path::{Path, PathBuf};

use rampart_engine::{Options, analyze};
use rampart_governance::diff::{self as governance_diff, Diff};
use rampart_kb::KnowledgeBase;
use rampart_model::Date;

use crate::input::{Loaded, ModelArgs, fail, load_model_and_library, load_model_text, print_analysis_warnings};

#[derive(clap::Args)]
pub struct Args {
    /// The old model, then the new one; with --git, only the model.
    #[arg(required = true, num_args = 1..=2, value_name = "MODEL")]
    pub models: Vec<String>,
    /// Compare MODEL with its version at git revision REV (`git show REV:MODEL`).
    #[arg(long, value_name = "REV")]
    pub git: Option<String>,
    /// Output format: text, json, markdown.
    #[arg(long, short, default_value = "text", value_name = "FORMAT")]
    pub format: String,
    /// The models' format when detection guesses wrong: rampart, threagile,
    /// threat-dragon, tmt, pytm, threat-composer, otm, tm-bom, kubernetes,
    /// compose, terraform, cloudformation, aws-inventory, aws-config.
    #[arg(long, value_name = "FORMAT")]
    pub from: Option<String>,
    /// An extra library directory; may be repeated.
    #[arg(long = "library", value_name = "DIR")]
    pub libraries: Vec<PathBuf>,
    /// The date to judge acceptance expiry by (YYYY-MM-DD); defaults to today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

pub fn run(args: Args) -> u8 {
    if !matches!(args.format.as_str(), "text" | "json" | "markdown") {
        return fail(&format!("unknown format `{}`; expected one of: text, json, markdown", args.format));
    }
    let today = match parse_today(args.today.as_deref()) {
        Ok(today) => today,
        Err(code) => return code,
    };
    let model_args = |model: &str| ModelArgs {
        model: model.to_string(),
        from: args.from.clone(),
        libraries: args.libraries.clone(),
    };
    let (old, new) = match (&args.git, args.models.as_slice()) {
        (Some(rev), [model]) => (load_at_revision(&model_args(model), rev), load_model_and_library(&model_args(model))),
        (Some(_), _) => return fail("with --git, give only the model: `rampart diff --git REV MODEL`"),
        (None, [old, new]) => (load_model_and_library(&model_args(old)), load_model_and_library(&model_args(new))),
        (None, _) => {
            return fail("give two models (`rampart diff OLD NEW`) or a revision (`rampart diff --git REV MODEL`)");
        }
    };
    let ((old, old_kb), (new, new_kb)) = match (old, new) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let diff = diff_loaded(&old, &old_kb, &new, &new_kb, today);
    let text = match args.format.as_str() {
        "json" => serde_json::to_string_pretty(&diff).map(|json| json + "\n").unwrap_or_default(),
        "markdown" => governance_diff::render_markdown(&diff),
        _ => governance_diff::render_text(&diff),
    };
    crate::input::write_stdout(&text);
    crate::exit::OK
}

pub fn parse_today(text: Option<&str>) -> Result<Date, u8> {
    match text.map(Date::parse) {
        None => Ok(crate::commands::analyze::today_utc()),
        Some(Ok(date)) => Ok(date),
        Some(Err(problem)) => Err(fail(&format!("--today: {problem}"))),
    }
}

/// Analyzes both models (printing their warnings) and compares them.
pub fn diff_loaded(old: &Loaded, old_kb: &KnowledgeBase, new: &Loaded, new_kb: &KnowledgeBase, today: Date) -> Diff {
    let options = Options { today: Some(today), intel: Vec::new() };
    let old_analysis = analyze(&old.model, old_kb, &options);
    let new_analysis = analyze(&new.model, new_kb, &options);
    print_analysis_warnings(new, &new_analysis, false);
    governance_diff::diff(&old_analysis, &new_analysis)
}

/// Loads the model as it was at git revision `rev`, with its tracking file
/// of that revision when there was one.
pub fn load_at_revision(args: &ModelArgs, rev: &str) -> Result<(Loaded, KnowledgeBase), u8> {
    let iac_format = args.from.as_deref().and_then(|name| name.parse::<rampart_iac::IacFormat>().ok());
    if Path::new(&args.model).is_dir() {
        // Infrastructure as code: every file of the directory as it was then.
        let (imported, format) = import_dir_at_revision(rev, Path::new(&args.model), iac_format)?;
        return crate::input::load_imported_iac(args, imported, format);
    }
    let source = match git_show(rev, Path::new(&args.model)) {
        Ok(text) => text,
        Err(message) => return Err(fail(&message)),
    };
    let name = Path::new(&args.model).file_name().map_or(args.model.clone(), |n| n.to_string_lossy().to_string());
    let detected_iac =
        || rampart_import::detect(&name, &source).is_none() && rampart_iac::detect(&name, &source).is_some();
    if iac_format.is_some() || (args.from.is_none() && detected_iac()) {
        let files = vec![rampart_iac::SourceFile::new(name, source)];
        let label = format!("{rev}:{}", args.model);
        let (imported, format) = crate::commands::import::import_files(&label, files, iac_format, None)?;
        return crate::input::load_imported_iac(args, imported, format);
    }
    let tracking = crate::input::tracking_file_path(&args.model).and_then(|file| {
        let text = git_show(rev, &file).ok()?;
        Some((format!("{rev}:{}", file.display()), text))
    });
    load_model_text(args, format!("{rev}:{}", args.model), source, tracking)
}

/// Imports `directory` as it was at revision `rev`: the subtree is
/// extracted (`git archive | tar -x`) into a scratch directory and read by
/// the same directory readers as today's files, so each format picks its
/// files exactly as it does for `rampart analyze DIR`.
fn import_dir_at_revision(
    rev: &str,
    directory: &Path,
    format: Option<rampart_iac::IacFormat>,
) -> Result<(rampart_iac::IacImport, rampart_iac::IacFormat), u8> {
    let scratch = std::env::temp_dir().join(format!("rampart-diff-{}-{}", std::process::id(), rev.replace('/', "_")));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch)
        .map_err(|error| fail(&format!("cannot create {}: {error}", scratch.display())))?;
    let script = "git -C \"$1\" archive --format=tar \"$2\" . | tar -x -C \"$3\"";
    let extracted = std::process::Command::new("sh")
        .args(["-c", script, "sh"])
        .arg(directory)
        .arg(rev)
        .arg(&scratch)
        .output()
        .map_err(|error| fail(&format!("cannot run git and tar ({error})")));
    let imported = extracted.and_then(|output| {
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let reason = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("git failed").trim().to_string();
            return Err(fail(&format!("cannot read `{}` at revision `{rev}`: {reason}", directory.display())));
        }
        // The old version's warnings would repeat today's, under a scratch
        // path: only errors are shown, named `REV:DIR/FILE`.
        let name = crate::commands::import::default_name(&directory.to_string_lossy());
        let files = match format {
            Some(format) => format.read_dir(&scratch).map_err(|error| error.to_string()),
            None => crate::commands::import::read_files(&scratch.to_string_lossy()),
        }
        .map_err(|message| fail(&format!("cannot read `{}` at revision `{rev}`: {message}", directory.display())))?;
        let format = match format {
            Some(format) => format,
            None => crate::commands::import::detect(&files).map_err(|message| fail(&message))?,
        };
        let files =
            if format == rampart_iac::IacFormat::Compose { rampart_iac::compose_project_files(&files) } else { files };
        format.import(&name, &files).map(|imported| (imported, format)).map_err(|problems| {
            let shown = Some(std::path::PathBuf::from(format!("{rev}:{}", directory.display())));
            let errors: Vec<_> = problems.into_iter().filter(|p| p.is_error()).collect();
            crate::commands::import::print_problems(&shown, &files, &errors);
            fail(&format!("`{}` at revision `{rev}` could not be read as {format}", directory.display()))
        })
    });
    let _ = std::fs::remove_dir_all(&scratch);
    imported
}

/// The text of `file` at revision `rev`, from the repository holding it.
pub fn git_show(rev: &str, file: &Path) -> Result<String, String> {
    let directory = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(directory)
        .arg("show")
        .arg(format!("{rev}:./{name}"))
        .output()
        .map_err(|error| format!("cannot run git ({error}); is git installed and on PATH?"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("git failed").trim();
        return Err(format!("cannot read `{}` at revision `{rev}`: {reason}", file.display()));
    }
    String::from_utf8(output.stdout).map_err(|_| format!("`{}` at revision `{rev}` is not UTF-8 text", file.display()))
}
