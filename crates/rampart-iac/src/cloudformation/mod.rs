//! CloudFormation → Rampart model.
//!
//! `template` evaluates each template (YAML with its short-form tags, or
//! JSON, both read by the YAML parser, which keeps positions and tags):
//! parameters, mappings, conditions and intrinsic functions. `translate`
//! rewrites each resource as the Terraform instance that stands for the
//! same AWS resource, so the Terraform inference (components, boundaries,
//! exposure, flows, controls, warnings) serves both languages.

use std::io;
use std::path::Path;

use rampart_model::{Diagnostic, Severity};

use crate::IacImport;
use crate::source::{FileDiagnostic, SourceFile, sort};
use crate::terraform::infer;
use crate::terraform::resource::Estate;
use crate::yaml;

mod template;
#[cfg(test)]
mod tests;
mod translate;

const DESCRIPTION: &str = "Imported from CloudFormation by `rampart import cloudformation`. Add what the template \
                           cannot say (the data each component handles, how callers authenticate) and re-run the \
                           analysis.";

/// Whether a file is a CloudFormation template: a top-level
/// `AWSTemplateFormatVersion`, or `Resources` whose `Type`s are AWS types.
pub(crate) fn is_template(text: &str) -> bool {
    let json = text.trim_start().starts_with('{');
    if json {
        return text.contains("\"AWSTemplateFormatVersion\"")
            || (text.contains("\"Resources\"") && text.contains("\"Type\"") && text.contains("\"AWS::"));
    }
    let top_level = |key: &str| {
        text.lines().any(|line| {
            line.strip_prefix(key).is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(':'))
        })
    };
    top_level("AWSTemplateFormatVersion")
        || (top_level("Resources")
            && text.lines().any(|line| {
                line.trim_start()
                    .strip_prefix("Type:")
                    .is_some_and(|rest| rest.trim_start().trim_start_matches(['"', '\'']).starts_with("AWS::"))
            }))
}

pub(crate) fn import(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut resources = Vec::new();
    let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for file in files {
        // JSON allows tabs where YAML does not; inside JSON strings a raw
        // tab is invalid anyway, so spaces keep every column where it was.
        let text = if file.path.ends_with(".json") { file.text.replace('\t', " ") } else { file.text.clone() };
        let documents = match yaml::parse(&text) {
            Ok((documents, found)) => {
                warnings
                    .extend(found.into_iter().map(|diagnostic| FileDiagnostic { file: file.path.clone(), diagnostic }));
                documents
            }
            Err(diagnostic) => {
                errors.push(FileDiagnostic {
                    file: file.path.clone(),
                    diagnostic: Diagnostic { severity: Severity::Error, ..diagnostic },
                });
                continue;
            }
        };
        let Some(document) = documents.first() else {
            warnings.push(FileDiagnostic::warning(&file.path, rampart_model::Position::UNKNOWN, "the file is empty"));
            continue;
        };
        if !document.root.is_map() {
            errors.push(FileDiagnostic {
                file: file.path.clone(),
                diagnostic: Diagnostic::error(document.root.at, "a CloudFormation template is a mapping at the top"),
            });
            continue;
        }
        let evaluated = template::evaluate(&file.path, &document.root);
        warnings.extend(evaluated.warnings);
        for declared in evaluated.resources {
            if let Some(first) = seen.get(&declared.logical_id) {
                warnings.push(FileDiagnostic::warning(
                    &declared.file,
                    rampart_model::Position::new(declared.line.max(1), 1),
                    format!("`{}` is also a resource of {first}; the first one is used", declared.logical_id),
                ));
                continue;
            }
            seen.insert(declared.logical_id.clone(), declared.file.clone());
            resources.extend(translate::translate(&declared));
        }
    }
    if !errors.is_empty() {
        sort(&mut errors);
        return Err(errors);
    }
    let estate = Estate::new(resources);
    Ok(infer::infer_described(name, &estate, Vec::new(), warnings, files.len(), DESCRIPTION))
}

/// Reads the templates under `root`: `.yaml`, `.yml`, `.json` and
/// `.template` files that look like CloudFormation, recursively, skipping
/// hidden directories, sorted by path. A file is read on its own.
pub(crate) fn read_dir(root: &Path) -> io::Result<Vec<SourceFile>> {
    crate::source::read_tree(root, &[".yaml", ".yml", ".json", ".template"], |_, text| is_template(text))
}
