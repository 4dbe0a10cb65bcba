//! The committed library reference (docs/library) matches the library.

use std::path::PathBuf;

#[test]
fn library_reference_is_up_to_date() {
    let kb = rampart_kb::builtin().expect("the shipped library compiles");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/library");
    let mut stale = Vec::new();
    let pages = rampart_kb::docs::pages(&kb);
    for (name, expected) in &pages {
        match std::fs::read_to_string(dir.join(name)) {
            Ok(actual) if &actual == expected => {}
            Ok(_) => stale.push(format!("{name} differs")),
            Err(_) => stale.push(format!("{name} is missing")),
        }
    }
    let generated: Vec<&str> = pages.iter().map(|(name, _)| name.as_str()).collect();
    for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !generated.contains(&name.as_str()) {
            stale.push(format!("{name} is no longer generated"));
        }
    }
    assert!(
        stale.is_empty(),
        "docs/library is stale ({}); regenerate with `cargo run -p rampart-cli -- kb docs --output docs/library`",
        stale.join(", ")
    );
}
