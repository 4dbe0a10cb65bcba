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
    /// The models' format when detection guesses wrong: rampart, threagile.
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
    let source = match git_show(rev, Path::new(&args.model)) {
        Ok(text) => text,
        Err(message) => return Err(fail(&message)),
    };
    let tracking = crate::input::tracking_file_path(&args.model).and_then(|file| {
        let text = git_show(rev, &file).ok()?;
        Some((format!("{rev}:{}", file.display()), text))
    });
    load_model_text(args, format!("{rev}:{}", args.model), source, tracking)
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
