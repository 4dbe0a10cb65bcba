//! `rampart diagram`: a data-flow diagram of a model, coloured by its analysis.

use std::path::PathBuf;

use rampart_diagram::{Options as DiagramOptions, View};
use rampart_engine::{Options, analyze};

use crate::commands::analyze::today_utc;
use crate::input::{ModelArgs, fail, load_model_and_library, print_all, write_stdout};

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub input: ModelArgs,
    /// Output format: svg, dot (Graphviz), mermaid.
    #[arg(long, short, default_value = "svg", value_name = "FORMAT")]
    pub format: String,
    /// Write the diagram to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Draw only this trust boundary and the boundaries nested in it.
    #[arg(long, value_name = "ID", conflicts_with = "around")]
    pub boundary: Option<String>,
    /// Draw only the elements near this actor or component (see --hops).
    #[arg(long, value_name = "ID")]
    pub around: Option<String>,
    /// With --around: how many flows away an element may be.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "around")]
    pub hops: usize,
}

const FORMATS: &[&str] = &["svg", "dot", "mermaid"];

pub fn run(args: Args) -> u8 {
    if !FORMATS.contains(&args.format.as_str()) {
        return fail(&format!("unknown format `{}`; expected one of: {}", args.format, FORMATS.join(", ")));
    }
    let (loaded, kb) = match load_model_and_library(&args.input) {
        Ok(both) => both,
        Err(code) => return code,
    };
    print_all(&loaded.path, &loaded.source, &loaded.warnings);
    let view = match (args.boundary, args.around) {
        (Some(id), _) => View::Boundary(id),
        (None, Some(id)) => View::Around { id, hops: args.hops },
        (None, None) => View::All,
    };
    if let Err(problem) = rampart_diagram::check(&loaded.model, &view) {
        return fail(&problem);
    }
    // The diagram colours elements by their unresolved threats: analyze first.
    let analysis = analyze(&loaded.model, &kb, &Options { today: Some(today_utc()), intel: Vec::new() });
    let options = DiagramOptions { kb: Some(&kb), view };
    let text = match args.format.as_str() {
        "dot" => rampart_diagram::dot(&loaded.model, &analysis, &options),
        "mermaid" => rampart_diagram::mermaid(&loaded.model, &analysis, &options),
        _ => rampart_diagram::svg(&loaded.model, &analysis, &options),
    };
    match &args.output {
        Some(path) => match std::fs::write(path, text) {
            Ok(()) => crate::exit::OK,
            Err(error) => fail(&format!("cannot write {}: {error}", path.display())),
        },
        None => {
            write_stdout(&text);
            crate::exit::OK
        }
    }
}
