//! How Rampart scales with model size: parsing (JSON and YAML), validation
//! and analysis of generated models of 1,000, 5,000 and 20,000 components
//! (about five flows per component), measured separately.
//!
//! Run with `cargo bench -p rampart-modelgen`; a filter narrows it down, e.g.
//! `cargo bench -p rampart-modelgen -- analyze/5000`. The whole run takes
//! about three minutes on two cores: the 5,000- and 20,000-component cases take
//! ten flat samples, the 1,000-component ones twenty.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use rampart_model::{Model, Syntax, parse_model, validate};

const SIZES: &[usize] = &[1_000, 5_000, 20_000];
const SEED: u64 = 1;

struct Case {
    components: usize,
    model: Model,
    json: String,
    yaml: String,
}

fn cases() -> Vec<Case> {
    SIZES
        .iter()
        .map(|&components| {
            let model = rampart_modelgen::generate(components, SEED);
            let json = serde_json::to_string_pretty(&model).expect("a model serializes to JSON");
            let yaml = serde_saphyr::to_string(&model).expect("a model serializes to YAML");
            Case { components, model, json, yaml }
        })
        .collect()
}

/// Large cases take seconds per iteration: few flat samples keep the run short.
fn configure(group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>, components: usize) {
    group.throughput(Throughput::Elements(components as u64));
    if components >= 20_000 {
        group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(8));
    } else if components >= 5_000 {
        group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(5));
    } else {
        group.sample_size(20).sampling_mode(SamplingMode::Auto).measurement_time(Duration::from_secs(4));
    }
}

fn benches(c: &mut Criterion) {
    let kb = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let vocabulary = kb.vocabulary();
    let cases = cases();

    let mut group = c.benchmark_group("parse_json");
    for case in &cases {
        configure(&mut group, case.components);
        group.bench_with_input(BenchmarkId::from_parameter(case.components), &case.json, |b, text| {
            b.iter(|| parse_model(black_box(text), Syntax::Json).expect("generated JSON parses"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("parse_yaml");
    for case in &cases {
        configure(&mut group, case.components);
        group.bench_with_input(BenchmarkId::from_parameter(case.components), &case.yaml, |b, text| {
            b.iter(|| parse_model(black_box(text), Syntax::Yaml).expect("generated YAML parses"))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("validate");
    for case in &cases {
        configure(&mut group, case.components);
        group.bench_with_input(BenchmarkId::from_parameter(case.components), &case.model, |b, model| {
            b.iter(|| validate(black_box(model), &vocabulary))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("analyze");
    for case in &cases {
        configure(&mut group, case.components);
        group.bench_with_input(BenchmarkId::from_parameter(case.components), &case.model, |b, model| {
            b.iter(|| {
                let analysis = rampart_engine::analyze(black_box(model), &kb, &rampart_engine::Options::default());
                black_box(analysis.threats.len())
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = analyze;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).without_plots();
    targets = benches
}
criterion_main!(analyze);
