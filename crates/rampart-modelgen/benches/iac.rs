//! How the infrastructure-as-code importers scale: importing the JSON of a
//! Terraform plan of 5,000 AWS resources and a set of 2,000 Kubernetes
//! objects (and a quarter of each, to see the growth), then importing and
//! analysing them. The target: each import + analysis under 2 seconds.
//!
//! Run with `cargo bench -p rampart-modelgen --bench iac`; a filter narrows
//! it down, e.g. `cargo bench -p rampart-modelgen --bench iac -- terraform`.
//! The inputs are generated and the knowledge base compiled before timing;
//! the files are in memory, so reading them from disk is not measured
//! (`bench/iac.sh` times the command line end to end).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use rampart_iac::{IacFormat, SourceFile};

const SEED: u64 = 1;
const TERRAFORM_SIZES: &[usize] = &[1_250, 5_000];
const KUBERNETES_SIZES: &[usize] = &[500, 2_000];

struct Case {
    format: IacFormat,
    size: usize,
    files: Vec<SourceFile>,
}

fn cases() -> Vec<Case> {
    let terraform = TERRAFORM_SIZES.iter().map(|&size| Case {
        format: IacFormat::Terraform,
        size,
        files: vec![SourceFile::new("plan.json", rampart_modelgen::terraform_plan(size, SEED))],
    });
    let kubernetes = KUBERNETES_SIZES.iter().map(|&size| Case {
        format: IacFormat::Kubernetes,
        size,
        files: rampart_modelgen::kubernetes_manifest_files(size, SEED)
            .into_iter()
            .map(|(name, text)| SourceFile::new(name, text))
            .collect(),
    });
    terraform.chain(kubernetes).collect()
}

fn import(case: &Case) -> rampart_model::Model {
    match case.format.import("bench", black_box(&case.files)) {
        Ok(imported) => imported.model,
        Err(errors) => panic!("the generated {} input does not import: {errors:?}", case.format),
    }
}

fn benches(c: &mut Criterion) {
    let kb = rampart_kb::builtin().expect("the shipped knowledge base compiles");
    let cases = cases();
    for stage in ["import", "import_analyze"] {
        let mut group = c.benchmark_group(stage);
        group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(6));
        for case in &cases {
            group.throughput(Throughput::Elements(case.size as u64));
            let id = BenchmarkId::new(case.format.name(), case.size);
            group.bench_with_input(id, case, |b, case| {
                b.iter(|| {
                    let model = import(case);
                    if stage == "import_analyze" {
                        let analysis = rampart_engine::analyze(&model, &kb, &rampart_engine::Options::default());
                        black_box(analysis.threats.len());
                    }
                    black_box(model.components.len())
                })
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = iac;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).without_plots();
    targets = benches
}
criterion_main!(iac);
