//! What one save of a 200-component model costs the server's CPU, phase by
//! phase: pretty-printing the JSON it was sent (with its ids located), the
//! whole reading of it (printing, deserialising, validating),
//! the analysis (in full, and of one component renamed since a previous
//! version, as a save after another gets it), and turning the threats into
//! rows (fingerprinted; a threat's detail is serialised only when its row is
//! written). The load
//! benchmark (`bench/server.sh`) gives the whole request under concurrency;
//! this says where its time goes.
//!
//! Run with `cargo bench -p rampart-server --bench save`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use rampart_server::analysis;

const COMPONENTS: usize = 200;

fn phases(c: &mut Criterion) {
    let kb = rampart_kb::builtin().expect("the embedded knowledge base loads");
    let model = rampart_modelgen::generate(COMPONENTS, 1);
    let compact = serde_json::to_string(&model).expect("the model serialises");
    let prepared = analysis::prepare_json_model(&kb, "model.json", &compact).expect("the model is valid");
    let library = analysis::library_for(&kb, &prepared.model);
    let result = rampart_engine::analyze(&prepared.model, &library, &analysis::options());

    let mut group = c.benchmark_group(format!("save/{COMPONENTS}"));
    group.bench_function("pretty-json", |b| {
        b.iter(|| rampart_model::pretty_json::pretty_json_with_ids(black_box(&compact)))
    });
    group.bench_function("prepare", |b| {
        b.iter(|| analysis::prepare_json_model(&kb, "model.json", black_box(&compact)).expect("valid"))
    });
    group.bench_function("analyze", |b| {
        b.iter(|| rampart_engine::analyze(black_box(&prepared.model), &library, &analysis::options()))
    });
    let previous = rampart_engine::analyze_since(&prepared.model, &library, &analysis::options(), None).footprint;
    let mut renamed = prepared.model.clone();
    renamed.components[100].name = Some("renamed since the previous version".into());
    group.bench_function("analyze-since-previous", |b| {
        b.iter(|| rampart_engine::analyze_since(black_box(&renamed), &library, &analysis::options(), Some(&previous)))
    });
    group.bench_function("threat-rows", |b| {
        b.iter(|| analysis::threat_rows(black_box(&result.threats), &library, kb.threats.len()))
    });
    group.bench_function("summary", |b| b.iter(|| analysis::summarize(&prepared.model, black_box(&result))));
    group.finish();
}

criterion_group!(benches, phases);
criterion_main!(benches);
