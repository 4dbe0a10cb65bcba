//! Any bytes given to the model reader (native YAML, native JSON, or an
//! imported format) must give a model or diagnostics — never a panic or a
//! hang — and a model that validates must analyze.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn kb() -> &'static rampart_kb::KnowledgeBase {
    static KB: OnceLock<rampart_kb::KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| rampart_kb::builtin().expect("the shipped library compiles"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for name in ["model.yaml", "model.json"] {
        if let Some(importer) = rampart_import::detect(name, text) {
            if let Ok(imported) = importer.import(text) {
                let problems = rampart_model::validate(&imported.model, &kb().vocabulary());
                if problems.iter().all(|p| !p.is_error()) {
                    let _ = rampart_engine::analyze(&imported.model, kb(), &rampart_engine::Options::default());
                }
            }
        }
        let syntax = rampart_model::Syntax::detect(name, text);
        let _ = rampart_model::parse_model(text, syntax);
    }
});
