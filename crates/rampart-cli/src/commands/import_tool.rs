//! `rampart import FORMAT FILE` for other threat-modeling tools' files
//! (Threagile, Threat Dragon, the Threat Modeling Tool, pytm, Threat
//! Composer, OTM, CycloneDX TM-BOM): the file becomes a native model, the
//! threats it records become tracking on Rampart's matching threats or custom
//! threats, and a re-import keeps what was edited by hand.

use std::path::Path;

use rampart_import::{Imported, Importer};
use rampart_model::{Diagnostic, Model};

use super::import::Args;
use crate::input::{fail, load_library, print_all, read_text, write_stdout};

/// Imports `text`, read from `args.path`, with `importer`.
pub(crate) fn run(importer: &'static dyn Importer, args: &Args, text: String) -> u8 {
    let shown = if args.path == "-" { "<stdin>".to_string() } else { args.path.clone() };
    let Imported { mut model, warnings } = match import_file(importer, &args.path, &text) {
        Ok(imported) => imported,
        Err(problems) => {
            print_all(&shown, &text, &problems);
            eprintln!("error: `{shown}` could not be read as a {}", importer.description());
            return crate::exit::INVALID;
        }
    };
    print_all(&shown, &text, &warnings);
    if let Some(name) = &args.name {
        model.name = name.clone();
    }
    let counted = match warnings.len() {
        0 => String::new(),
        1 => "; 1 warning".to_string(),
        n => format!("; {n} warnings"),
    };
    if args.strict && !warnings.is_empty() {
        eprintln!("error: {} warning(s); --strict refuses warnings, so no model was written", warnings.len());
        return crate::exit::INVALID;
    }
    let kb = match load_library(&[]) {
        Ok(kb) => kb,
        Err(code) => return code,
    };
    if let Err(code) = check_importer_output(&model, &kb, importer) {
        return code;
    }
    let adopted = rampart_engine::adopt_library_threats(&mut model, &kb);
    let summary = summary(&model, adopted.len());

    let merged = match args.output.as_ref().filter(|path| path.is_file() && !args.replace) {
        None => None,
        Some(path) => match read_previous(path) {
            Ok(previous) => {
                let (merged, report) = rampart_iac::merge::merge(&previous, model);
                model = merged;
                Some(report)
            }
            Err(code) => return code,
        },
    };
    let yaml = match serde_saphyr::to_string(&model) {
        Ok(yaml) => yaml,
        Err(error) => return fail(&format!("cannot write the model: {error}")),
    };
    let text = format!("# Imported by `rampart import {} {}`.\n{yaml}", importer.name(), args.path);
    match &args.output {
        Some(path) => {
            if let Err(error) = std::fs::write(path, text) {
                return fail(&format!("cannot write {}: {error}", path.display()));
            }
            eprintln!("{summary}{counted}; written to {}", path.display());
            if let Some(report) = merged {
                eprintln!("re-import merged into the existing model: {report}");
            }
        }
        None => {
            write_stdout(&text);
            eprintln!("{summary}{counted}");
        }
    }
    for adopted in &adopted {
        eprintln!(
            "note: `{}` from the file is Rampart's `{}`; its status now tracks that",
            adopted.imported, adopted.library
        );
    }
    crate::exit::OK
}

/// Imports `text` read from `path`, letting the format read the files it
/// includes (Threagile's `includes:`) from beside it. Standard input has no
/// directory, so includes are read relative to the current one.
pub(crate) fn import_file(importer: &dyn Importer, path: &str, text: &str) -> Result<Imported, Vec<Diagnostic>> {
    let directory = if path == "-" { Path::new(".") } else { Path::new(path).parent().unwrap_or(Path::new(".")) };
    let read = |relative: &str| {
        let included = directory.join(relative);
        std::fs::read_to_string(&included).map_err(|error| format!("cannot read `{}`: {error}", included.display()))
    };
    importer.import_file(path, text, &read)
}

/// An importer's model should always validate; when it does not, that is a
/// bug in Rampart, said as such rather than blamed on the user's file.
fn check_importer_output(model: &Model, kb: &rampart_kb::KnowledgeBase, importer: &dyn Importer) -> Result<(), u8> {
    let problems: Vec<Diagnostic> =
        rampart_model::validate(model, &kb.vocabulary()).into_iter().filter(Diagnostic::is_error).collect();
    if problems.is_empty() {
        return Ok(());
    }
    for problem in &problems {
        eprintln!("error: {}", problem.message);
    }
    Err(fail(&format!(
        "the {} import produced a model that does not validate; this is a bug in Rampart, please report it",
        importer.name()
    )))
}

fn read_previous(path: &Path) -> Result<Model, u8> {
    let label = path.display().to_string();
    let text = read_text(&label).map_err(|message| fail(&message))?;
    rampart_model::parse_model(&text, rampart_model::Syntax::Yaml).map_err(|problem| {
        print_all(&label, &text, &[problem]);
        fail(&format!("`{label}` exists but is not a Rampart model to merge into; pass --replace to overwrite it"))
    })
}

fn summary(model: &Model, adopted: usize) -> String {
    let targets: usize = model.custom_threats.iter().map(|c| c.targets.len().max(1)).sum();
    format!(
        "imported {} components, {} actors, {} flows, {} boundaries, {} data assets; {adopted} recorded threat(s) \
         matched Rampart's own, {targets} kept as custom threats, {} tracking entries",
        model.components.len(),
        model.actors.len(),
        model.flows.len(),
        model.boundaries.len(),
        model.data.len(),
        model.threats.len()
    )
}
