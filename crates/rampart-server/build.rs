//! Build-time tables of the files the server embeds.
//!
//! The migrations are embedded by `sqlx::migrate!`; a new file there must
//! rebuild the crate, which Cargo does not know by itself. The browser app
//! (`web/dist`, built by `npm run build`) and the editor's templates are
//! listed here as `include_bytes!` tables, written by hand rather than with
//! an embedding crate because a build without the web app (plain `cargo
//! build` before `npm`) must still compile and then say how to build it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));

    let web = manifest.join("../../web/dist");
    println!("cargo:rerun-if-changed={}", web.display());
    let mut assets = Vec::new();
    if web.join("index.html").is_file() {
        collect(&web, &web, &mut assets);
    }
    write_table(&out.join("web_assets.rs"), "WEB_ASSETS", &assets);

    let templates_dir = manifest.join("templates");
    println!("cargo:rerun-if-changed={}", templates_dir.display());
    let mut templates = Vec::new();
    collect(&templates_dir, &templates_dir, &mut templates);
    templates.retain(|(name, _)| name.ends_with(".yaml"));
    write_table(&out.join("templates.rs"), "TEMPLATE_FILES", &templates);
}

/// Every file under `dir`, as (path relative to `root` with `/`, absolute path), sorted.
fn collect(root: &Path, dir: &Path, found: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(root, &path, found);
        } else if let Ok(relative) = path.strip_prefix(root) {
            let name = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            found.push((name, path.canonicalize().unwrap_or(path)));
        }
    }
}

fn write_table(file: &Path, name: &str, entries: &[(String, PathBuf)]) {
    let mut code = format!("pub static {name}: &[(&str, &[u8])] = &[\n");
    for (relative, path) in entries {
        let _ = writeln!(code, "    ({relative:?}, include_bytes!({:?})),", path.display().to_string());
    }
    code.push_str("];\n");
    std::fs::write(file, code).expect("OUT_DIR is writable");
}
