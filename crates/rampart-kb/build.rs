//! Embeds the shipped knowledge base (the workspace's `kb/` directory) into
//! the crate, so the `rampart` binary works without any files beside it.

use std::env;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let kb_root = manifest_dir.join("../../kb").canonicalize().expect("the workspace has a kb/ directory");
    let mut files = Vec::new();
    collect(&kb_root, &mut files);
    files.sort();
    let mut generated = String::from(
        "/// The shipped library: (path relative to `kb/`, contents).\npub static EMBEDDED: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        let relative =
            file.strip_prefix(&kb_root).expect("collected under kb_root").to_string_lossy().replace('\\', "/");
        if relative.starts_with("tests/") {
            continue; // fixtures are for the test suite, not the binary
        }
        generated.push_str(&format!("    ({relative:?}, include_str!({:?})),\n", file.display().to_string()));
    }
    generated.push_str("];\n");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("embedded.rs");
    fs::write(out, generated).expect("OUT_DIR is writable");
    println!("cargo:rerun-if-changed={}", kb_root.display());
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "yaml" || ext == "yml") {
            files.push(path);
        }
    }
}
