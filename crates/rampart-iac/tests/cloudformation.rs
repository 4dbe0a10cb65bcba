//! The CloudFormation examples in `examples/iac/cloudformation/`: each
//! imports into a model the shipped knowledge base accepts, the shop is
//! pinned by a snapshot, and the analysis finds what each template gets
//! wrong.

use std::path::Path;

use rampart_iac::{IacFormat, IacImport, SourceFile, import_cloudformation};

fn example(name: &str) -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac/cloudformation").join(name);
    IacFormat::CloudFormation.read_dir(&root).expect("the example is readable")
}

fn kb() -> rampart_kb::KnowledgeBase {
    rampart_kb::compile(&rampart_kb::builtin_sources()).expect("the shipped library compiles")
}

fn threat_ids(imported: &IacImport) -> Vec<String> {
    let kb = kb();
    let analysis = rampart_engine::analyze(&imported.model, &kb, &rampart_engine::Options::default());
    analysis.threats.iter().map(|threat| threat.id.clone()).collect()
}

#[test]
fn shop_model_is_pinned() {
    let imported = import_cloudformation("shop", &example("shop.yaml")).unwrap();
    insta::assert_snapshot!("cloudformation_shop", imported.to_yaml().unwrap());
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    insta::assert_debug_snapshot!("cloudformation_shop_warnings", warnings);
}

#[test]
fn every_cloudformation_example_validates_cleanly() {
    let kb = kb();
    for name in ["shop.yaml", "api.json"] {
        let imported = import_cloudformation(name, &example(name)).unwrap();
        let problems: Vec<String> =
            rampart_model::validate(&imported.model, &kb.vocabulary()).iter().map(ToString::to_string).collect();
        assert!(problems.is_empty(), "{name}: {problems:#?}");
        assert!(imported.model.components.iter().all(|c| c.source.as_ref().is_some_and(|s| s.resource.is_some())));
    }
}

#[test]
fn the_whole_directory_imports_as_one_model() {
    let imported = import_cloudformation("examples", &example("")).unwrap();
    assert_eq!(imported.summary.files, 2);
    assert!(imported.model.components.iter().any(|c| c.id.value == "orders-db"));
    assert!(imported.model.components.iter().any(|c| c.id.value == "notes-table"));
}

#[test]
fn shop_threats_point_at_what_the_template_gets_wrong() {
    let threats = threat_ids(&import_cloudformation("shop", &example("shop.yaml")).unwrap());
    for id in ["cloud-storage-unencrypted@orders-db", "public-object-storage@assets-bucket"] {
        assert!(threats.contains(&id.to_string()), "{id} missing from {threats:#?}");
    }
}
