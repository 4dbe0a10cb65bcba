//! `rampart intel`: bring threat intelligence in.

use std::path::PathBuf;

use clap::Subcommand;
use rampart_intel::{INTEL_FORMAT_VERSION, IntelFile, IntelItem};

use crate::input::{fail, print_all, read_text};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: IntelCommand,
}

#[derive(Subcommand)]
pub enum IntelCommand {
    /// Read the CISA KEV catalog (JSON feed) and STIX 2.1 bundles into one
    /// intelligence file for `rampart analyze --intel`.
    Import {
        /// KEV JSON, STIX bundles, or earlier intelligence files to merge.
        #[arg(required = true)]
        files: Vec<String>,
        /// Where to write the result.
        #[arg(long, short, default_value = "rampart-intel.json")]
        output: PathBuf,
    },
}

/// Reads intelligence files (any supported format), printing what each held.
pub fn read_all(files: &[String], verbose: bool) -> Result<Vec<IntelItem>, u8> {
    let mut items = Vec::new();
    for path in files {
        let text = read_text(path).map_err(|message| fail(&message))?;
        match rampart_intel::read(&text) {
            Ok(read) => {
                print_all(path, &text, &read.warnings);
                if verbose {
                    eprintln!("{path}: {} items from a {}", read.items.len(), read.format.name());
                }
                items.extend(read.items);
            }
            Err(problems) => {
                print_all(path, &text, &problems);
                return Err(fail(&format!("`{path}` could not be read as threat intelligence")));
            }
        }
    }
    // The same item from two feeds counts once.
    items.sort_by(|a, b| (&a.source, &a.id).cmp(&(&b.source, &b.id)));
    items.dedup_by(|a, b| a.source == b.source && a.id == b.id);
    Ok(items)
}

pub fn run(args: Args) -> u8 {
    match args.command {
        IntelCommand::Import { files, output } => {
            let items = match read_all(&files, true) {
                Ok(items) => items,
                Err(code) => return code,
            };
            let count = items.len();
            let file = IntelFile { rampart_intel: INTEL_FORMAT_VERSION, items };
            let text = match serde_json::to_string_pretty(&file) {
                Ok(text) => text + "\n",
                Err(error) => return fail(&format!("cannot encode the intelligence: {error}")),
            };
            if let Err(error) = std::fs::write(&output, text) {
                return fail(&format!("cannot write `{}`: {error}", output.display()));
            }
            eprintln!(
                "wrote {count} items to {}; use it with `rampart analyze MODEL --intel {}`",
                output.display(),
                output.display()
            );
            crate::exit::OK
        }
    }
}
