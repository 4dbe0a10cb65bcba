//! `rampart drift PLANNED LIVE`: what the running system has that the plan
//! does not, what the plan has that is not running, properties that differ,
//! and the threats the difference adds.

use std::path::PathBuf;

use rampart_engine::{Options, analyze};
use rampart_governance::drift;

use crate::input::{ModelArgs, fail, load_model_and_library};

#[derive(clap::Args)]
#[command(
    long_about = "Compare the system as planned with the system as it runs.\n\n\
        PLANNED is usually infrastructure as code (a Terraform directory or plan JSON, a \
        CloudFormation template) or a Rampart model; LIVE is usually a cloud inventory (a directory \
        of AWS CLI outputs, or an AWS Config snapshot). Either can be anything `rampart analyze` reads. \
        Elements match by id, else by kind and name (a bucket's name, a Name tag). The report lists \
        what runs but was never modelled, what was modelled but is not running, properties that \
        differ (exposure, controls such as encryption or public-access blocks; a flow's protocol and \
        encryption), and the threats the live system has that the plan does not.",
    after_help = "Examples:\n  \
        rampart drift infra/ inventory/\n  \
        rampart drift plan.json config-snapshot.json --format markdown\n  \
        rampart drift shop.yaml inventory/ --exit-code   # exit 1 when anything drifted"
)]
pub struct Args {
    /// The planned system: a model, IaC directory or file, or another tool's file.
    #[arg(value_name = "PLANNED")]
    pub planned: String,
    /// The running system: an inventory directory or snapshot, or any model.
    #[arg(value_name = "LIVE")]
    pub live: String,
    /// PLANNED's format when detection guesses wrong.
    #[arg(long, value_name = "FORMAT")]
    pub planned_from: Option<String>,
    /// LIVE's format when detection guesses wrong (aws-inventory, aws-config, ...).
    #[arg(long, value_name = "FORMAT")]
    pub live_from: Option<String>,
    /// Output format: text, json, markdown.
    #[arg(long, short, default_value = "text", value_name = "FORMAT")]
    pub format: String,
    /// Exit 1 when there is any drift (for a scheduled check).
    #[arg(long)]
    pub exit_code: bool,
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
    let today = match super::diff::parse_today(args.today.as_deref()) {
        Ok(today) => today,
        Err(code) => return code,
    };
    let load = |model: &str, from: &Option<String>| {
        load_model_and_library(&ModelArgs {
            model: model.to_string(),
            from: from.clone(),
            libraries: args.libraries.clone(),
        })
    };
    let (planned, planned_kb) = match load(&args.planned, &args.planned_from) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let (live, live_kb) = match load(&args.live, &args.live_from) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let options = Options { today: Some(today), intel: Vec::new() };
    let planned_analysis = analyze(&planned.model, &planned_kb, &options);
    let live_analysis = analyze(&live.model, &live_kb, &options);
    let drift = drift::drift(&planned.model, &planned_analysis, &live.model, &live_analysis);
    let text = match args.format.as_str() {
        "json" => serde_json::to_string_pretty(&drift).map(|json| json + "\n").unwrap_or_default(),
        "markdown" => drift::render_markdown(&drift),
        _ => drift::render_text(&drift),
    };
    crate::input::write_stdout(&text);
    if args.exit_code && !drift.is_empty() { crate::exit::GATE_FAILED } else { crate::exit::OK }
}
