//! `rampart gate`: checks a model against a CI policy (`--policy FILE`, the
//! model's `policy:` section, or `rampart-policy.yaml` nearby) and exits 1
//! when it fails.

use std::path::{Path, PathBuf};

use rampart_engine::{Options, analyze};
use rampart_governance::policy::{self, Policy};

use crate::commands::diff::{diff_loaded, load_at_revision, parse_today};
use crate::input::{ModelArgs, fail, load_model_and_library, print_all, print_analysis_warnings, read_text};

/// The policy file looked for when `--policy` is not given.
pub const DEFAULT_POLICY: &str = "rampart-policy.yaml";

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: ModelArgs,
    /// The policy file; defaults to `rampart-policy.yaml` beside the model,
    /// else in the current directory.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// For `fail_on_regression`: compare with the model at this git revision.
    #[arg(long, value_name = "REV", conflicts_with = "base_model")]
    pub base: Option<String>,
    /// For `fail_on_regression`: compare with this model file.
    #[arg(long, value_name = "FILE")]
    pub base_model: Option<String>,
    /// The date to judge acceptance expiry by (YYYY-MM-DD); defaults to today (UTC).
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

pub fn run(args: Args) -> u8 {
    let today = match parse_today(args.today.as_deref()) {
        Ok(today) => today,
        Err(code) => return code,
    };
    let (loaded, kb) = match load_model_and_library(&args.input) {
        Ok(both) => both,
        Err(code) => return code,
    };
    print_all(&loaded.path, &loaded.source, &loaded.warnings);
    // An explicit --policy wins; then the model's own `policy:` section
    // (already checked with the model); then a policy file found nearby.
    let (policy, policy_label) = match args.policy.clone() {
        Some(path) => match read_policy_file(&path, &kb) {
            Ok(policy) => (policy, format!("`{}`", path.display())),
            Err(code) => return code,
        },
        None => match (&loaded.model.policy, find_policy(&args.input.model)) {
            (Some(section), _) => (section.clone(), format!("the `policy:` section of `{}`", loaded.path)),
            (None, Some(path)) => match read_policy_file(&path, &kb) {
                Ok(policy) => (policy, format!("`{}`", path.display())),
                Err(code) => return code,
            },
            (None, None) => {
                return fail(&format!(
                    "no policy: pass --policy FILE, add a `policy:` section to the model, or put \
                     `{DEFAULT_POLICY}` beside the model or in the current directory"
                ));
            }
        },
    };

    let base = match (&args.base, &args.base_model) {
        (Some(rev), _) => Some(load_at_revision(&args.input, rev)),
        (None, Some(file)) => Some(load_model_and_library(&ModelArgs { model: file.clone(), ..args.input.clone() })),
        (None, None) => None,
    };
    let base = match base {
        None => None,
        Some(Ok(base)) => Some(base),
        Some(Err(code)) => return code,
    };
    let diff = base.as_ref().map(|(old, old_kb)| diff_loaded(old, old_kb, &loaded, &kb, today));
    if policy.fail_on_regression && diff.is_none() {
        eprintln!("note: `fail_on_regression` is not checked: no --base or --base-model was given");
    }

    let analysis = analyze(&loaded.model, &kb, &Options { today: Some(today), intel: Vec::new() });
    if diff.is_none() {
        // diff_loaded printed them already.
        print_analysis_warnings(&loaded, &analysis, false);
    }
    let violations = policy::evaluate(&policy, &loaded.model, &analysis, diff.as_ref());
    if violations.is_empty() {
        eprintln!("gate passed: `{}` meets the policy in {policy_label}", loaded.path);
        return crate::exit::OK;
    }
    eprintln!("gate failed: {} violation(s) of {policy_label}:", violations.len());
    let mut out = String::new();
    for violation in &violations {
        out.push_str(&format!("{:<28} {}: {}\n", violation.rule, violation.subject, violation.reason));
    }
    crate::input::write_stdout(&out);
    crate::exit::GATE_FAILED
}

/// Reads and checks a policy file, printing its problems with their lines.
fn read_policy_file(path: &Path, kb: &rampart_kb::KnowledgeBase) -> Result<Policy, u8> {
    let label = path.display().to_string();
    let text = read_text(&label).map_err(|message| fail(&message))?;
    let policy: Policy = policy::parse(&text).map_err(|problem| {
        print_all(&label, &text, &[problem]);
        fail(&format!("`{label}` is not a valid policy"))
    })?;
    let problems = policy.check(&kb.vocabulary());
    if !problems.is_empty() {
        print_all(&label, &text, &problems);
        return Err(fail(&format!("`{label}` has {} error(s)", problems.len())));
    }
    Ok(policy)
}

fn find_policy(model: &str) -> Option<PathBuf> {
    let beside = Path::new(model).parent().map(|dir| dir.join(DEFAULT_POLICY));
    [beside, Some(PathBuf::from(DEFAULT_POLICY))].into_iter().flatten().find(|p| p.is_file())
}
