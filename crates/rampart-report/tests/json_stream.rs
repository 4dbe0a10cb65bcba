//! The chunked, parallel JSON writer produces byte for byte what serde_json
//! writes for the whole document at once — on an analysis large enough to
//! span many chunks.

use rampart_engine::{Options, analyze};
use rampart_report::{Format, Origin, render_to_string};
use serde::Serialize;

#[derive(Serialize)]
struct Document<'a, 'k, 'm> {
    rampart_json: u32,
    tool: Tool<'a>,
    model: &'a rampart_engine::ModelInfo<'m>,
    summary: &'a rampart_engine::Summary,
    threats: &'a [rampart_engine::ThreatInstance<'k, 'm>],
    rules: std::collections::BTreeMap<&'k str, rampart_report::json::RuleInfo<'k>>,
    warnings: &'a [rampart_model::Diagnostic],
}

#[derive(Serialize)]
struct Tool<'a> {
    name: &'static str,
    version: &'a str,
    model_file: &'a str,
}

#[test]
fn streamed_json_equals_whole_document_json() {
    let kb = rampart_kb::builtin().expect("library compiles");
    for size in [0usize, 12, 1000] {
        let model = if size == 0 {
            rampart_model::parse_model("rampart: 1\nname: empty\n", rampart_model::Syntax::Yaml).unwrap()
        } else {
            rampart_modelgen::generate(size, 7)
        };
        let analysis = analyze(&model, &kb, &Options::default());
        if size == 1000 {
            assert!(analysis.threats.len() > 3 * 2048, "spans several chunks: {}", analysis.threats.len());
        }
        let origin = Origin { model_path: "m.yaml".to_string(), tool_version: "1.2.3".to_string() };
        let streamed = render_to_string(Format::Json, &analysis, &kb, &origin);
        let document = Document {
            rampart_json: 1,
            tool: Tool { name: "rampart", version: "1.2.3", model_file: "m.yaml" },
            model: &analysis.model,
            summary: &analysis.summary,
            threats: &analysis.threats,
            rules: rampart_report::json::fired_rules(&analysis, &kb),
            warnings: &analysis.warnings,
        };
        let whole = serde_json::to_string_pretty(&document).unwrap() + "\n";
        assert!(streamed == whole, "size {size}: outputs differ");
    }
}
