//! The files an import reads, and problems tied to a place in one of them.

use std::fmt;
use std::io;
use std::path::Path;

use rampart_model::{Diagnostic, Position, Severity, SourceRef};

use crate::yaml::{self, Document};

/// One input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The path relative to the imported root (or as the user gave it), as
    /// messages and [`SourceRef`]s show it.
    pub path: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile { path: path.into(), text: text.into() }
    }
}

/// A problem at a place in one input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDiagnostic {
    pub file: String,
    pub diagnostic: Diagnostic,
}

impl FileDiagnostic {
    pub(crate) fn warning(file: &str, at: Position, message: impl Into<String>) -> Self {
        FileDiagnostic { file: file.to_string(), diagnostic: Diagnostic::warning(at, message) }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.diagnostic.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.diagnostic.is_error()
    }
}

/// `file:line:column: warning: message (help)`, as compilers print.
impl fmt::Display for FileDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let at = self.diagnostic.at;
        if at.is_known() {
            write!(f, "{}:{}:{}: {label}: {}", self.file, at.line, at.column, self.diagnostic.message)?;
        } else {
            write!(f, "{}: {label}: {}", self.file, self.diagnostic.message)?;
        }
        if let Some(help) = &self.diagnostic.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

/// Sorts by file, then position, so output reads top to bottom.
pub(crate) fn sort(diagnostics: &mut [FileDiagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.file.as_str(), a.diagnostic.at, &a.diagnostic.message).cmp(&(
            b.file.as_str(),
            b.diagnostic.at,
            &b.diagnostic.message,
        ))
    });
}

/// The documents of a file, or the syntax error that stopped its parse.
pub(crate) fn parse_file(
    file: &SourceFile,
    warnings: &mut Vec<FileDiagnostic>,
) -> Result<Vec<Document>, FileDiagnostic> {
    match yaml::parse(&file.text) {
        Ok((documents, found)) => {
            warnings.extend(found.into_iter().map(|diagnostic| FileDiagnostic { file: file.path.clone(), diagnostic }));
            Ok(documents)
        }
        Err(diagnostic) => {
            let error = FileDiagnostic {
                file: file.path.clone(),
                diagnostic: Diagnostic { severity: Severity::Error, ..diagnostic },
            };
            // Unrendered Helm templates are the usual cause of YAML errors in a manifest directory.
            Err(if file.text.contains("{{") {
                error.with_help("this looks like a Helm template; render it first: `helm template CHART | rampart import kubernetes -`")
            } else {
                error
            })
        }
    }
}

/// Where an element came from: the document's file (or its Helm template,
/// whose lines the rendered output does not keep), the line, and the
/// resource's own name.
pub(crate) fn source_ref(file: &SourceFile, document: &Document, line: u32, resource: String) -> SourceRef {
    match &document.helm_source {
        Some(template) => SourceRef { file: template.clone(), line: None, resource: Some(resource) },
        None => SourceRef { file: file.path.clone(), line: Some(line), resource: Some(resource) },
    }
}

/// Reads every `.yaml` and `.yml` file under `root` (recursively, skipping
/// hidden directories), sorted by path so an import never depends on the
/// order the file system lists them in. Paths are relative to `root`, with
/// `/` separators. A file, rather than a directory, is read on its own.
///
/// The only function of this crate that touches the file system: a
/// convenience for callers, which may as well build the list themselves.
pub fn read_dir(root: &Path) -> io::Result<Vec<SourceFile>> {
    if root.is_file() {
        let text = std::fs::read_to_string(root)?;
        return Ok(vec![SourceFile::new(root.to_string_lossy().replace('\\', "/"), text)]);
    }
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory)? {
            let path = entry?.path();
            let hidden = path.file_name().and_then(|name| name.to_str()).is_some_and(|name| name.starts_with('.'));
            if path.is_dir() {
                if !hidden {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|ext| ext == "yaml" || ext == "yml") {
                let text = std::fs::read_to_string(&path)?;
                let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                files.push(SourceFile::new(relative, text));
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Reads the files under `root` whose names end with one of `suffixes` and
/// that `keep` accepts (given the path relative to `root` and the text),
/// recursively, skipping hidden files and directories (`.terraform`),
/// sorted by path. A file, rather than a directory, is read on its own,
/// named by its file name. Shared by the importers whose directories hold
/// other files too (Terraform, CloudFormation, AWS inventories).
pub(crate) fn read_tree(
    root: &Path,
    suffixes: &[&str],
    keep: impl Fn(&str, &str) -> bool,
) -> io::Result<Vec<SourceFile>> {
    if root.is_file() {
        let text = std::fs::read_to_string(root)?;
        let name =
            root.file_name().map_or_else(|| root.to_string_lossy().to_string(), |n| n.to_string_lossy().to_string());
        return Ok(vec![SourceFile::new(name, text)]);
    }
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory)? {
            let path = entry?.path();
            let name = path.file_name().and_then(|name| name.to_str()).unwrap_or_default().to_string();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if !suffixes.iter().any(|suffix| name.ends_with(suffix)) {
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            if keep(&relative, &text) {
                files.push(SourceFile::new(relative, text));
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
