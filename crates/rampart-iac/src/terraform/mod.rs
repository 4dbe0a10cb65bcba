//! Terraform → Rampart model.
//!
//! Two readers produce the same resource instances ([`resource::Resource`]):
//! `hcl` evaluates a directory of `.tf` files (local modules, `count`,
//! `for_each`, variables, locals) as far as it can without running
//! Terraform, and `plan` reads the JSON of `terraform show -json` for a
//! plan or a state. `infer` turns the instances into components,
//! boundaries, flows, controls and data, with each element's `source:`
//! pointing at its resource block (or its place in the plan).

use std::io;
use std::path::Path;

use rampart_model::Position;

use crate::IacImport;
use crate::source::{FileDiagnostic, SourceFile};

mod hcl;
pub(crate) mod infer;
mod plan;
pub(crate) mod resource;
#[cfg(test)]
mod tests;
pub(crate) mod value;

pub(crate) use plan::looks_like_plan;

/// Whether a file belongs to a Terraform import: configuration, variable
/// values, or the JSON of `terraform show -json`.
pub(crate) fn is_terraform_file(path: &str, text: &str) -> bool {
    hcl::is_configuration_file(path) || (path.ends_with(".json") && looks_like_plan(text))
}

pub(crate) fn import(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    let plans: Vec<&SourceFile> = files
        .iter()
        .filter(|file| {
            file.path.ends_with(".json") && !file.path.ends_with(".tfvars.json") && looks_like_plan(&file.text)
        })
        .collect();
    let configuration_at_root = files.iter().any(|file| file.path.ends_with(".tf") && !file.path.contains('/'));
    if !configuration_at_root && !plans.is_empty() {
        let mut resources = Vec::new();
        let mut providers = Vec::new();
        let mut warnings = Vec::new();
        let mut errors = Vec::new();
        for file in &plans {
            match plan::read(file) {
                Ok(read) => {
                    resources.extend(read.resources);
                    providers.extend(read.providers);
                    warnings.extend(read.warnings);
                }
                Err(error) => errors.push(error),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let estate = resource::Estate::new(resources);
        return Ok(infer::infer(name, &estate, providers, warnings, plans.len()));
    }
    let mut configuration = hcl::read(files)?;
    for plan in plans {
        configuration.warnings.push(FileDiagnostic::warning(
            &plan.path,
            Position::UNKNOWN,
            "this is the JSON of `terraform show -json`; it is not read with the .tf files (import it on its own)",
        ));
    }
    let estate = resource::Estate::new(configuration.resources);
    Ok(infer::infer(name, &estate, configuration.providers, configuration.warnings, configuration.files))
}

/// Reads the files of a Terraform import under `root`: `.tf`, `.tfvars`
/// and `.tfvars.json` files and JSON plans, recursively (local modules
/// live in subdirectories), skipping hidden directories such as
/// `.terraform`, sorted by path. A file, rather than a directory, is read
/// on its own.
pub(crate) fn read_dir(root: &Path) -> io::Result<Vec<SourceFile>> {
    crate::source::read_tree(root, &[".tf", ".tfvars", ".json"], is_terraform_file)
}

/// Whether a directory holds a Terraform root module (a `.tf` file at its top).
pub(crate) fn is_terraform_dir(root: &Path) -> bool {
    std::fs::read_dir(root)
        .map(|entries| {
            entries.filter_map(Result::ok).any(|entry| entry.path().extension().is_some_and(|ext| ext == "tf"))
        })
        .unwrap_or(false)
}
