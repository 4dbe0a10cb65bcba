//! `rampart analyze`: threats of a model, in the chosen format, optionally
//! gating a CI build.

use std::path::PathBuf;

use rampart_engine::{Options, Severity, analyze, gate};
use rampart_model::Date;
use std::io::Write;

use rampart_report::{Format, Origin, render};

use crate::input::{ModelArgs, fail, load_model_and_library, print_all};

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
    /// Threat intelligence (CISA KEV JSON, a STIX 2.1 bundle, or a file from
    /// `rampart intel import`) that raises the likelihood of the threats it
    /// names; may be repeated.
    #[arg(long, value_name = "FILE")]
    pub intel: Vec<String>,
    /// Print how long each phase took (load, analyze, render, write) to
    /// standard error.
    #[arg(long)]
    pub timings: bool,
    /// Treat tracking entries that match no threat (stale) as errors: exit 2.
    #[arg(long)]
    pub strict_tracking: bool,
}

pub fn today_utc() -> Date {
    let seconds =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    Date::from_days_since_epoch(seconds.div_euclid(86_400))
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SS`.
pub fn now_utc_timestamp() -> String {
    let seconds =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let (days, time) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let date = Date::from_days_since_epoch(days);
    format!("{date}T{:02}:{:02}:{:02}", time / 3600, time / 60 % 60, time % 60)
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
    let mut clock = Phases::new(args.timings);

    let intel = match crate::commands::intel::read_all(&args.intel, false) {
        Ok(items) => items,
        Err(code) => return code,
    };
    clock.lap("read intelligence");
    let (loaded, kb) = match load_model_and_library(&args.input) {
        Ok(both) => both,
        Err(code) => return code,
    };
    clock.lap("read, import and validate model");
    print_all(&loaded.path, &loaded.source, &loaded.warnings);

    let analysis = analyze(&loaded.model, &kb, &Options { today: Some(today), intel });
    clock.lap("analyze");
    if crate::input::print_analysis_warnings(&loaded, &analysis, args.strict_tracking) > 0 {
        return fail("stale tracking entries (--strict-tracking); nothing was reported");
    }
    let origin = Origin { model_path: loaded.path.clone(), tool_version: env!("CARGO_PKG_VERSION").to_string() };
    let written = match &args.output {
        Some(path) => std::fs::File::create(path).and_then(|file| {
            let mut writer = std::io::BufWriter::with_capacity(1 << 20, file);
            render(format, &analysis, &kb, &origin, &mut writer)?;
            writer.flush()
        }),
        None => {
            let mut writer = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
            render(format, &analysis, &kb, &origin, &mut writer).and_then(|()| writer.flush())
        }
    };
    match written {
        Ok(()) => {}
        // A reader that went away (`rampart analyze m.yaml | head`) is not an error.
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(error) => {
            let target = args.output.as_ref().map(|p| p.display().to_string()).unwrap_or("standard output".into());
            return fail(&format!("cannot write {target}: {error}"));
        }
    }
    clock.lap("render and write");

    let code = gate_exit_code(&analysis, threshold);
    // The process ends here: freeing a large analysis piece by piece takes
    // longer than the operating system takes to reclaim it all at exit.
    std::mem::forget(analysis);
    std::mem::forget(loaded);
    code
}

fn gate_exit_code(analysis: &rampart_engine::Analysis, threshold: Option<Severity>) -> u8 {
    match threshold {
        None => crate::exit::OK,
        Some(threshold) => {
            let failing = gate::failing(analysis, threshold);
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

/// Wall-clock time per phase, for `--timings`.
struct Phases {
    enabled: bool,
    last: std::time::Instant,
}

impl Phases {
    fn new(enabled: bool) -> Phases {
        Phases { enabled, last: std::time::Instant::now() }
    }

    fn lap(&mut self, phase: &str) {
        if self.enabled {
            let now = std::time::Instant::now();
            eprintln!("timing: {phase:<32} {:>8.1} ms", (now - self.last).as_secs_f64() * 1000.0);
            self.last = now;
        }
    }
}
