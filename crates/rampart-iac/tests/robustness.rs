//! No input makes an importer panic: random text, truncated and mangled
//! manifests all end in a model or in errors with positions.

use std::path::Path;

use proptest::prelude::*;
use rampart_iac::{SourceFile, import_compose, import_kubernetes, read_dir};

fn fixtures() -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac");
    read_dir(&root).expect("examples are readable")
}

/// Imports `text` both ways; errors must carry a position.
fn import_both(text: &str) {
    let files = [SourceFile::new("input.yaml", text)];
    for result in [import_kubernetes("fuzz", &files), import_compose("fuzz", &files)] {
        if let Err(errors) = result {
            assert!(!errors.is_empty());
            assert!(errors.iter().any(|e| e.is_error() && e.diagnostic.at.is_known()), "{errors:?}");
        }
    }
}

#[test]
fn every_prefix_of_the_examples_imports_or_fails_cleanly() {
    for file in fixtures() {
        let boundaries: Vec<usize> = file.text.char_indices().map(|(i, _)| i).step_by(5).collect();
        for end in boundaries {
            import_both(&file.text[..end]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in "(?s).{0,400}") {
        import_both(&text);
    }

    #[test]
    fn yaml_shaped_noise_never_panics(
        lines in prop::collection::vec(
            prop_oneof![
                Just("apiVersion: v1".to_string()),
                Just("kind: Service".to_string()),
                Just("kind: Deployment".to_string()),
                Just("---".to_string()),
                Just("services:".to_string()),
                "[ -]{0,6}[a-zA-Z&*!|>{}\\[\\]:,'\"#-]{0,12}(: ?[a-z0-9&*{}\\[\\]]{0,8})?",
            ],
            0..40,
        )
    ) {
        import_both(&lines.join("\n"));
    }

    #[test]
    fn mangled_examples_never_panic(file_index in 0usize..64, at in 0usize..100_000, replacement in "[\\[\\]{}:&*!|> -]") {
        let files = fixtures();
        let file = &files[file_index % files.len()];
        let position = file.text.char_indices().map(|(i, _)| i).nth(at % file.text.chars().count().max(1)).unwrap_or(0);
        let mut text = file.text.clone();
        if position < text.len() {
            let end = position + text[position..].chars().next().map_or(0, char::len_utf8);
            text.replace_range(position..end, &replacement);
        }
        import_both(&text);
    }
}
