//! Any bytes given to any importer of another tool's format (Threagile,
//! Threat Dragon, TMT, pytm, Threat Composer, OTM, TM-BOM) must give a model
//! or diagnostics, never a panic or a hang; a model that validates must
//! analyze, its custom threats included. The first byte picks the importer,
//! so each one is fuzzed with inputs shaped for it.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn kb() -> &'static rampart_kb::KnowledgeBase {
    static KB: OnceLock<rampart_kb::KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| rampart_kb::builtin().expect("the shipped library compiles"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let importers = rampart_import::importers();
    let importer = importers[usize::from(pick) % importers.len()];
    let _ = importer.detect("model.json", text);
    let read = |_: &str| Err("includes are not read while fuzzing".to_string());
    let Ok(imported) = importer.import_file("model.yaml", text, &read) else { return };
    let problems = rampart_model::validate(&imported.model, &kb().vocabulary());
    if problems.iter().all(|p| !p.is_error()) {
        let mut model = imported.model;
        let _ = rampart_engine::adopt_library_threats(&mut model, kb());
        let mut kb = kb().clone();
        kb.add_custom_threats(&model);
        let _ = rampart_engine::analyze(&model, &kb, &rampart_engine::Options::default());
    }
});
