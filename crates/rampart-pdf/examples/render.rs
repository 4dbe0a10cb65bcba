//! Renders a model's report to a PDF and says how long typesetting took:
//!
//!     cargo run --release -p rampart-pdf --example render -- examples/ecommerce.yaml /tmp/report.pdf
//!     cargo run --release -p rampart-pdf --example render -- --generated 200 /tmp/report.pdf
//!
//! For looking at the layout and for timing; the tests check the content.

use std::time::Instant;

use rampart_engine::{Options, analyze};
use rampart_report::Origin;
use rampart_report::document::Document;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (model, model_path, output) = match args.as_slice() {
        [flag, size, output] if flag == "--generated" => {
            let size: usize = size.parse().expect("--generated takes a number of components");
            (rampart_modelgen::generate(size, 7), format!("generated-{size}.yaml"), output.clone())
        }
        [path, output] => {
            let text = std::fs::read_to_string(path).expect("readable model file");
            let model = rampart_model::parse_model(&text, rampart_model::Syntax::Yaml).expect("a native model");
            (model, path.clone(), output.clone())
        }
        _ => {
            eprintln!("usage: render (MODEL.yaml | --generated N) OUTPUT.pdf");
            std::process::exit(2);
        }
    };
    let kb = rampart_kb::builtin().expect("the shipped library compiles");
    let today = rampart_model::Date::parse("2026-11-22").expect("a valid date");
    let analysis = analyze(&model, &kb, &Options { today: Some(today), intel: Vec::new() });
    let origin = Origin { model_path, tool_version: env!("CARGO_PKG_VERSION").to_string() };
    let document = Document::build(&analysis, &kb, &model, &origin, "2026-11-22");
    let options = rampart_diagram::Options { kb: Some(&kb), view: rampart_diagram::View::All };
    let svg = rampart_diagram::svg(&model, &analysis, &options);

    let start = Instant::now();
    let pdf = match rampart_pdf::render(&document, Some(&svg)) {
        Ok(pdf) => pdf,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    };
    let elapsed = start.elapsed();
    std::fs::write(&output, &pdf).expect("writable output");
    println!(
        "{} threats, {} targets: {} bytes in {:.2} s -> {output}",
        document.threats.len(),
        document.targets.len(),
        pdf.len(),
        elapsed.as_secs_f64()
    );
}
