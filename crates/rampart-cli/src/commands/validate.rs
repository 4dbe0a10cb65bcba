//! `rampart validate`: check a model without analyzing it.

use crate::input::{ModelArgs, load_model_and_library, print_all};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: ModelArgs,
}

pub fn run(args: Args) -> u8 {
    match load_model_and_library(&args.input) {
        Ok((loaded, _)) => {
            print_all(&loaded.path, &loaded.source, &loaded.warnings);
            let model = &loaded.model;
            eprintln!(
                "`{}` is valid: {} components, {} actors, {} flows, {} data assets, {} boundaries{}",
                loaded.path,
                model.components.len(),
                model.actors.len(),
                model.flows.len(),
                model.data.len(),
                model.boundaries.len(),
                if loaded.warnings.is_empty() {
                    String::new()
                } else {
                    format!(", {} warning(s)", loaded.warnings.len())
                }
            );
            crate::exit::OK
        }
        Err(code) => code,
    }
}
