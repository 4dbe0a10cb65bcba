//! No Terraform input makes the importer panic: truncated examples, random
//! text and mangled plans all end in a model or in errors with positions.

use std::path::Path;

use proptest::prelude::*;
use rampart_iac::{IacFormat, SourceFile, import_terraform};

fn examples() -> Vec<SourceFile> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac/terraform");
    IacFormat::Terraform.read_dir(&root).expect("examples are readable")
}

/// Imports `files`; errors must carry a position.
fn import(files: &[SourceFile]) {
    if let Err(errors) = import_terraform("fuzz", files) {
        assert!(!errors.is_empty());
        assert!(errors.iter().any(|e| e.is_error()), "{errors:?}");
    }
}

fn as_root(file: &SourceFile, text: &str) -> SourceFile {
    let name = file.path.rsplit('/').next().unwrap_or(&file.path);
    SourceFile::new(name, text)
}

#[test]
fn every_prefix_of_the_examples_imports_or_fails_cleanly() {
    for file in examples() {
        let boundaries: Vec<usize> = file.text.char_indices().map(|(i, _)| i).step_by(7).collect();
        for end in boundaries {
            import(&[as_root(&file, &file.text[..end])]);
        }
    }
}

#[test]
fn syntax_errors_have_a_line_and_column() {
    for text in
        ["resource \"a\" {", "x = [1, 2", "locals { a = }", "{\"format_version\": \"1.2\", \"terraform_version\": 1,"]
    {
        let path = if text.starts_with('{') { "plan.json" } else { "main.tf" };
        let errors = import_terraform("x", &[SourceFile::new(path, text)]).unwrap_err();
        assert!(errors.iter().all(|e| e.diagnostic.at.is_known()), "{errors:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(text in "(?s).{0,400}") {
        import(&[SourceFile::new("main.tf", text.clone())]);
        import(&[SourceFile::new("plan.json", format!("{{\"format_version\":\"1.2\",\"terraform_version\":\"1\",{text}"))]);
    }

    #[test]
    fn hcl_shaped_noise_never_panics(
        lines in prop::collection::vec(
            prop_oneof![
                Just("resource \"aws_instance\" \"web\" {".to_string()),
                Just("module \"m\" {\n source = \"./\"".to_string()),
                Just("count = length(var.x)".to_string()),
                Just("for_each = { a = 1 }".to_string()),
                Just("locals { x = local.x }".to_string()),
                Just("}".to_string()),
                "[ a-z_=\"{}\\[\\]().,:*?!<>$%-]{0,24}",
            ],
            0..30,
        )
    ) {
        import(&[SourceFile::new("main.tf", lines.join("\n"))]);
    }

    #[test]
    fn mangled_examples_never_panic(file_index in 0usize..64, at in 0usize..100_000, replacement in "[\\[\\]{}:=\",$ -]") {
        let files = examples();
        let file = &files[file_index % files.len()];
        let position = file.text.char_indices().map(|(i, _)| i).nth(at % file.text.chars().count().max(1)).unwrap_or(0);
        let mut text = file.text.clone();
        if position < text.len() {
            let end = position + text[position..].chars().next().map_or(0, char::len_utf8);
            text.replace_range(position..end, &replacement);
        }
        let mut all = files.clone();
        all[file_index % files.len()].text = text;
        import(&all);
    }
}

#[test]
fn long_chains_of_locals_and_counts_end_without_overflowing_the_stack() {
    let mut text = String::from("locals {\n  l0 = 1\n");
    for i in 1..3000 {
        text.push_str(&format!("  l{i} = local.l{} + 1\n", i - 1));
    }
    text.push_str("}\n");
    for i in 1..3000 {
        text.push_str(&format!(
            "resource \"aws_instance\" \"r{i}\" {{\n  count = length(aws_instance.r{}) + local.l{i}\n}}\n",
            i - 1
        ));
    }
    let imported = import_terraform("chain", &[SourceFile::new("main.tf", text)]).unwrap();
    assert!(!imported.model.components.is_empty());
}
