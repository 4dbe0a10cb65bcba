//! `rampart init`: write a commented starter model.

use std::path::PathBuf;

use crate::input::fail;

/// The starter model; a test checks that it validates and analyzes.
pub const STARTER: &str = include_str!("../../starter.yaml");

#[derive(clap::Args)]
pub struct Args {
    /// Where to write it; `-` prints it.
    #[arg(default_value = "rampart.yaml")]
    pub path: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> u8 {
    if args.path.as_os_str() == "-" {
        crate::input::write_stdout(STARTER);
        return crate::exit::OK;
    }
    if args.path.exists() && !args.force {
        return fail(&format!("`{}` already exists; pass --force to overwrite it", args.path.display()));
    }
    if let Err(error) = std::fs::write(&args.path, STARTER) {
        return fail(&format!("cannot write `{}`: {error}", args.path.display()));
    }
    eprintln!("wrote {}; edit it, then run `rampart analyze {}`", args.path.display(), args.path.display());
    crate::exit::OK
}
