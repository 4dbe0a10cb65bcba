//! The shipped examples in `examples/iac/`: each imports into a model that
//! the shipped knowledge base accepts, the Kubernetes one is pinned by a
//! snapshot, and the analysis finds what the manifests get wrong.

use std::path::Path;

use rampart_iac::{IacImport, SourceFile, import_compose, import_kubernetes, read_dir};

fn examples(relative: &str) -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac").join(relative);
    read_dir(&root).expect("examples are readable")
}

fn kb() -> rampart_kb::KnowledgeBase {
    rampart_kb::compile(&rampart_kb::builtin_sources()).expect("the shipped library compiles")
}

/// No validation problem at all: not even a warning.
fn assert_clean(imported: &IacImport, kb: &rampart_kb::KnowledgeBase) {
    let problems: Vec<String> =
        rampart_model::validate(&imported.model, &kb.vocabulary()).iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

fn threat_ids(imported: &IacImport, kb: &rampart_kb::KnowledgeBase) -> Vec<String> {
    let analysis = rampart_engine::analyze(&imported.model, kb, &rampart_engine::Options::default());
    analysis.threats.iter().map(|threat| threat.id.clone()).collect()
}

#[test]
fn kubernetes_example_model_is_pinned() {
    let imported = import_kubernetes("shop", &examples("kubernetes")).unwrap();
    insta::assert_snapshot!("kubernetes_shop", imported.to_yaml().unwrap());
    let warnings: Vec<String> = imported.warnings.iter().map(ToString::to_string).collect();
    insta::assert_debug_snapshot!("kubernetes_shop_warnings", warnings);
}

#[test]
fn every_example_validates_cleanly_against_the_shipped_library() {
    let kb = kb();
    assert_clean(&import_kubernetes("shop", &examples("kubernetes")).unwrap(), &kb);
    assert_clean(&import_kubernetes("storefront", &examples("helm")).unwrap(), &kb);
    assert_clean(&import_compose("shop", &examples("compose")).unwrap(), &kb);
}

#[test]
fn file_order_does_not_change_the_model() {
    let files = examples("kubernetes");
    let mut reversed = files.clone();
    reversed.reverse();
    assert_eq!(import_kubernetes("shop", &files).unwrap(), import_kubernetes("shop", &reversed).unwrap());
    // All documents in one file, in reverse order: same ids, same flows.
    let one: Vec<String> = files.iter().rev().map(|f| f.text.clone()).collect();
    let joined = import_kubernetes("shop", &[SourceFile::new("all.yaml", one.join("\n---\n"))]).unwrap();
    let separate = import_kubernetes("shop", &files).unwrap();
    let ids = |imported: &IacImport| -> Vec<String> {
        let mut ids: Vec<String> = imported.model.components.iter().map(|c| c.id.value.clone()).collect();
        ids.extend(imported.model.flows.iter().map(|f| f.id()));
        ids
    };
    assert_eq!(ids(&joined), ids(&separate));
}

#[test]
fn kubernetes_example_threats_point_at_what_the_manifests_get_wrong() {
    let kb = kb();
    let threats = threat_ids(&import_kubernetes("shop", &examples("kubernetes")).unwrap(), &kb);
    for expected in [
        "cleartext-credentials-in-transit@api->db",
        "ingress-tls-termination-gap@ingress-nginx",
        "missing-kubernetes-network-policy@web",
        "overbroad-workload-rbac@api",
        "host-path-mount-exposure@log-shipper",
    ] {
        assert!(threats.contains(&expected.to_string()), "{expected} missing from {threats:#?}");
    }
}

#[test]
fn compose_example_threats_point_at_what_the_file_gets_wrong() {
    let kb = kb();
    let threats = threat_ids(&import_compose("shop", &examples("compose")).unwrap(), &kb);
    for expected in ["container-runtime-socket-exposure@docker-engine", "cleartext-credentials-in-transit@worker->db"] {
        assert!(threats.contains(&expected.to_string()), "{expected} missing from {threats:#?}");
    }
}
