//! `rampart analyze`: threats of a model, in the chosen format, optionally
//! gating a CI build.

use std::path::PathBuf;

use rampart_engine::{Options, Severity, analyze, gate};
use rampart_model::Date;
use rampart_report::{Format, Origin, render};

use crate::input::{ModelArgs, fail, load_library, load_model, print_all};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: ModelArgs,
    /// Output format: table, json, sarif, markdown.
    #[arg(long, short, default_value = "table", value_name = "FORMAT")]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit 1 when an unresolved threat (open, in progress, or accepted past
    /// its expiry) has a current severity of SEVERITY or worse: low, medium,
    /// high, critical.
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// The date to judge acceptance expiry by (YYYY-MM-DD); defaults to today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

pub fn today_utc() -> Date {
    let seconds =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    Date::from_days_since_epoch(seconds.div_euclid(86_400))
}

pub fn run(args: Args) -> u8 {
    let Some(format) = Format::parse(&args.format) else {
        return fail(&format!("unknown format `{}`; expected one of: {}", args.format, Format::NAMES.join(", ")));
    };
    let threshold = match args.fail_on.as_deref().map(|s| (s, Severity::parse(s))) {
        None => None,
        Some((_, Some(severity))) => Some(severity),
        Some((text, None)) => {
            return fail(&format!("unknown severity `{text}`; expected one of: low, medium, high, critical"));
        }
    };
    let today = match args.today.as_deref().map(Date::parse) {
        None => today_utc(),
        Some(Ok(date)) => date,
        Some(Err(problem)) => return fail(&format!("--today: {problem}")),
    };
    let kb = match load_library(&args.input.libraries) {
        Ok(kb) => kb,
        Err(code) => return code,
    };
    let loaded = match load_model(&args.input, &kb) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    print_all(&loaded.path, &loaded.source, &loaded.warnings);

    let analysis = analyze(&loaded.model, &kb, &Options { today: Some(today) });
    print_all(&loaded.path, &loaded.source, &analysis.warnings);
    let origin = Origin { model_path: loaded.path.clone(), tool_version: env!("CARGO_PKG_VERSION").to_string() };
    let text = render(format, &analysis, &kb, &origin);
    match &args.output {
        Some(path) => {
            if let Err(error) = std::fs::write(path, &text) {
                return fail(&format!("cannot write `{}`: {error}", path.display()));
            }
        }
        None => crate::input::write_stdout(&text),
    }

    match threshold {
        None => crate::exit::OK,
        Some(threshold) => {
            let failing = gate::failing(&analysis, threshold);
            if failing.is_empty() {
                eprintln!("gate passed: no unresolved threat at or above `{}`", threshold.label());
                crate::exit::OK
            } else {
                eprintln!("gate failed: {} unresolved threat(s) at or above `{}`:", failing.len(), threshold.label());
                for threat in failing.iter().take(20) {
                    eprintln!("  {:<8} {}  {}", threat.current.severity.label(), threat.id, threat.title);
                }
                if failing.len() > 20 {
                    eprintln!("  … and {} more", failing.len() - 20);
                }
                crate::exit::GATE_FAILED
            }
        }
    }
}
