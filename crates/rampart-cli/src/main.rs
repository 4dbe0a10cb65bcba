//! `rampart`: threat models from the command line.
//!
//! A thin shell over the library crates: it reads files, calls
//! rampart-import / rampart-model / rampart-engine / rampart-report, writes
//! output, and maps outcomes to exit codes. No analysis logic lives here.

mod allocator;
mod commands;
mod diagnostics;
mod input;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, documented in the README.
pub mod exit {
    /// Success; with `--fail-on`, no unresolved threat at or above the threshold.
    pub const OK: u8 = 0;
    /// `--fail-on` found unresolved threats at or above the threshold; `gate`
    /// found violations; `drift --exit-code` found drift.
    pub const GATE_FAILED: u8 = 1;
    /// Invalid model, unreadable file, bad library or bad usage.
    pub const INVALID: u8 = 2;
}

#[derive(Parser)]
#[command(name = "rampart", version, about = "Threat modeling as code: find the threats in a system model.", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyze a model and report its threats.
    Analyze(commands::analyze::Args),
    /// Draw a data-flow diagram of a model (SVG, Graphviz DOT or Mermaid), coloured by its threats.
    Diagram(commands::diagram::Args),
    /// Check a model without analyzing it.
    Validate(commands::validate::Args),
    /// Build a model from infrastructure as code, a cloud inventory or another tool's file.
    Import(commands::import::Args),
    /// Write a commented starter model.
    Init(commands::init::Args),
    /// Print the JSON Schema of the model format.
    Schema,
    /// Browse the knowledge base: threats, countermeasures, catalog, vocabulary.
    Kb(commands::kb::Args),
    /// Threat intelligence: import CISA KEV and STIX 2.1 data for `analyze --intel`.
    Intel(commands::intel::Args),
    /// Compare two versions of a model: threats added, removed and changed.
    Diff(commands::diff::Args),
    /// Compare the planned system with the live one: unmodelled, missing and changed elements.
    Drift(commands::drift::Args),
    /// Check a model against a CI policy (rampart-policy.yaml); exit 1 on violations.
    Gate(commands::gate::Args),
    /// Reports and exports: HTML, PDF, CSV, Excel, DefectDojo, GitLab SAST, OTM, CycloneDX.
    Report(commands::report::Args),
    /// Run the platform server: the REST API over SQLite (default) or PostgreSQL.
    Serve(commands::serve::Args),
    /// Administer the server's database: accounts, backup, restore.
    Admin(commands::admin::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Analyze(args) => commands::analyze::run(args),
        Command::Diagram(args) => commands::diagram::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Import(args) => commands::import::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Schema => {
            input::write_stdout(&format!("{}\n", rampart_model::json_schema()));
            exit::OK
        }
        Command::Kb(args) => commands::kb::run(args),
        Command::Intel(args) => commands::intel::run(args),
        Command::Diff(args) => commands::diff::run(args),
        Command::Drift(args) => commands::drift::run(args),
        Command::Gate(args) => commands::gate::run(args),
        Command::Report(args) => commands::report::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Admin(args) => commands::admin::run(args),
    };
    ExitCode::from(code)
}

// The analysis of a large model allocates millions of small strings (ids,
// explanations, risk factors) on every core; mimalloc's thread-local heaps
// handle that markedly faster than the system allocator. Its 2.x line
// (the workspace's `v2` feature): 3.x measured slower here and kept about
// three times the memory resident under concurrent saves.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
