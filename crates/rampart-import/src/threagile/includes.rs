//! Threagile's `includes:`: a model names other model files (relative to its
//! own directory) whose sections Threagile merges into it, recursively.
//!
//! How files are merged, following Threagile's `Model.Merge`:
//!
//! | section | merge |
//! |---|---|
//! | `technical_assets`, `trust_boundaries`, `shared_runtimes`, `individual_risk_categories` | entries are added; an entry whose title is already defined gets the lists of the later definition (links, data, assets inside, risks...) added, and keeps its other fields (Threagile merges those field by field and fails on a conflict; the import warns) |
//! | `data_assets`, `risk_tracking`, `questions`, `abuse_cases`, `security_requirements` | entries are added; a title already defined keeps its first definition, with a warning |
//! | `title`, `date`, `threagile_version`, `business_criticality`, overviews, `author` | the first file that sets them wins; a different value later is a warning |
//! | `management_summary_comment`, `contributors`, `tags_available` | concatenated |
//!
//! The including file comes first, then each included file in the order of
//! `includes:`, depth first. A file included a second time (two files share
//! a base) is merged once; a file that includes itself, directly or through
//! others, is an error naming the chain.
//!
//! Positions: each file is parsed as if it followed the previous ones in one
//! long text (it is preceded by as many empty lines as they have), so every
//! position in the merged document is unique. [`Sources`] maps such a
//! position back to its file: diagnostics about an included file point at
//! the root file's `includes:` entry and name the included file, line and
//! column; elements read from an included file point there too, and carry
//! a `source` naming their file and line.

use std::collections::HashSet;

use rampart_model::parse::from_yaml;
use rampart_model::{Diagnostic, Located, Model, Position, SourceRef};

use super::format::{Document, Entries};
use crate::IncludeReader;

/// Limits that stop a chain of includes through links (`a/a/a/...`) that
/// never repeats a path but never ends either.
const MAX_DEPTH: usize = 32;
const MAX_FILES: usize = 1000;

/// One file of a merged model.
#[derive(Debug)]
struct SourceFile {
    /// Path relative to the root file's directory.
    name: String,
    /// The first line of the file in the merged numbering.
    first_line: u32,
    /// One past its last line in the merged numbering.
    end_line: u32,
    /// The root file's `includes:` entry through which it was read.
    included_at: Position,
}

/// Where each file of a merged model sits in the merged line numbering.
#[derive(Debug, Default)]
pub(super) struct Sources {
    /// Included files only: the root file's positions are its own.
    files: Vec<SourceFile>,
}

/// A model read with its included files.
pub(super) struct Loaded {
    pub document: Document,
    /// Every file's text, in the merged line numbering, for locating keys.
    pub text: String,
    pub sources: Sources,
    pub warnings: Vec<Diagnostic>,
}

/// Reads `text` (the file `path`) and every file it includes through `read`;
/// `read` is `None` when the caller has the text alone, which makes any
/// include an error.
pub(super) fn load(path: &str, text: &str, read: Option<&IncludeReader<'_>>) -> Result<Loaded, Vec<Diagnostic>> {
    let mut document: Document = from_yaml(text).map_err(|diagnostic| vec![diagnostic])?;
    let root_name = file_name(path).to_string();
    let mut loader = Loader {
        read,
        text: text.to_string(),
        next_line: line_count(text) + 1,
        sources: Sources::default(),
        seen: HashSet::from([root_name.clone()]),
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let includes = std::mem::take(&mut document.includes);
    let mut chain = vec![root_name];
    for include in &includes {
        loader.include(&mut document, include, "", include.at, &mut chain);
    }
    document.includes = includes;
    let Loader { text, sources, mut errors, mut warnings, .. } = loader;
    if errors.is_empty() {
        Ok(Loaded { document, text, sources, warnings })
    } else {
        errors.append(&mut warnings);
        Err(sources.relocate_diagnostics(errors))
    }
}

struct Loader<'r, 'a> {
    read: Option<&'r IncludeReader<'a>>,
    text: String,
    /// Where the next included file starts in the merged numbering.
    next_line: u32,
    sources: Sources,
    /// Files already merged, by normalised path.
    seen: HashSet<String>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Loader<'_, '_> {
    /// Merges the file `include` names (relative to `directory`) into
    /// `document`, then the files that one includes.
    fn include(
        &mut self,
        document: &mut Document,
        include: &Located<String>,
        directory: &str,
        included_at: Position,
        chain: &mut Vec<String>,
    ) {
        let Some(read) = self.read else {
            self.errors.push(
                Diagnostic::error(
                    include.at,
                    format!("the model includes `{}`, which cannot be read from here", include.value),
                )
                .with_help("import the model from its file so that the files it includes are read with it"),
            );
            return;
        };
        let name = normalise(&join(directory, include.value.trim()));
        if name.is_empty() {
            self.errors.push(Diagnostic::error(include.at, "an entry of `includes:` names no file"));
            return;
        }
        if chain.contains(&name) {
            let cycle: Vec<&str> = chain.iter().map(String::as_str).chain([name.as_str()]).collect();
            self.errors.push(Diagnostic::error(
                include.at,
                format!(
                    "include cycle: {}",
                    cycle.iter().map(|file| format!("`{file}`")).collect::<Vec<_>>().join(" → ")
                ),
            ));
            return;
        }
        if chain.len() > MAX_DEPTH || self.seen.len() > MAX_FILES {
            self.errors.push(Diagnostic::error(
                include.at,
                format!(
                    "too many included models at `{name}` (at most {MAX_FILES} files, nested {MAX_DEPTH} deep); \
                     is a directory linked into itself?"
                ),
            ));
            return;
        }
        if !self.seen.insert(name.clone()) {
            self.warnings.push(Diagnostic::warning(
                include.at,
                format!("`{name}` is included more than once; its content is merged once"),
            ));
            return;
        }
        let text = match read(&name) {
            Ok(text) => text,
            Err(why) => {
                self.errors.push(Diagnostic::error(include.at, format!("cannot read included model `{name}`: {why}")));
                return;
            }
        };
        let first_line = self.next_line;
        let lines = line_count(&text);
        self.next_line = first_line.saturating_add(lines);
        self.sources.files.push(SourceFile { name: name.clone(), first_line, end_line: self.next_line, included_at });
        // Empty lines in front give the file's values their merged positions.
        let padding = "\n".repeat(first_line.saturating_sub(1) as usize);
        let padded = format!("{padding}{text}");
        if !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        self.text.push_str(&text);
        let mut included: Document = match from_yaml(&padded) {
            Ok(included) => included,
            Err(diagnostic) => {
                self.errors.push(diagnostic);
                return;
            }
        };
        let nested = std::mem::take(&mut included.includes);
        merge(document, included, &padded, first_line, &mut self.warnings);
        chain.push(name.clone());
        let directory = parent(&name).to_string();
        for include in &nested {
            self.include(document, include, &directory, included_at, chain);
        }
        chain.pop();
    }
}

impl Sources {
    fn file(&self, at: Position) -> Option<&SourceFile> {
        self.files.iter().find(|file| (file.first_line..file.end_line).contains(&at.line))
    }

    /// `at` in its own file's numbering, with that file, when it is in an included file.
    fn locate(&self, at: Position) -> Option<(&SourceFile, Position)> {
        let file = self.file(at)?;
        Some((file, Position::new(at.line - file.first_line + 1, at.column)))
    }

    /// Diagnostics about an included file point at the root file's
    /// `includes:` entry and say where in the included file the problem is.
    pub(super) fn relocate_diagnostics(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut relocated: Vec<Diagnostic> = diagnostics
            .into_iter()
            .map(|mut diagnostic| {
                if let Some((file, at)) = self.locate(diagnostic.at) {
                    diagnostic.message =
                        format!("in `{}`, line {}, column {}: {}", file.name, at.line, at.column, diagnostic.message);
                    diagnostic.at = file.included_at;
                }
                diagnostic
            })
            .collect();
        rampart_model::diagnostic::sort(&mut relocated);
        relocated
    }

    /// Points every value read from an included file at the root file's
    /// `includes:` entry, and records the included file and line as the
    /// `source` of the elements it defines.
    pub(super) fn relocate_model(&self, model: &mut Model) {
        if self.files.is_empty() {
            return;
        }
        let source = |at: Position| {
            self.locate(at).map(|(file, at)| SourceRef { file: file.name.clone(), line: Some(at.line), resource: None })
        };
        for boundary in &mut model.boundaries {
            boundary.source = boundary.source.take().or_else(|| source(boundary.id.at));
            self.relocate(&mut boundary.id);
            self.relocate_all(boundary.parent.iter_mut().chain(&mut boundary.controls));
        }
        for actor in &mut model.actors {
            self.relocate_all([&mut actor.id, &mut actor.kind].into_iter().chain(&mut actor.boundary));
            self.relocate_all(&mut actor.controls);
        }
        for component in &mut model.components {
            component.source = component.source.take().or_else(|| source(component.id.at));
            self.relocate_all([&mut component.id, &mut component.kind].into_iter().chain(&mut component.boundary));
            self.relocate_all(component.accepts.iter_mut().chain(&mut component.capabilities));
            self.relocate_all(
                component.controls.iter_mut().chain(&mut component.stores).chain(&mut component.processes),
            );
        }
        for data in &mut model.data {
            self.relocate(&mut data.id);
            self.relocate_all(&mut data.categories);
        }
        for flow in &mut model.flows {
            if let Some(id) = &flow.id {
                flow.source = flow.source.take().or_else(|| source(id.at));
            }
            self.relocate_all(flow.id.iter_mut().chain([&mut flow.from, &mut flow.to, &mut flow.protocol]));
            self.relocate_all(flow.data.iter_mut().chain(&mut flow.controls));
        }
        for tracking in &mut model.threats {
            self.relocate_all([&mut tracking.threat].into_iter().chain(&mut tracking.expires));
        }
        for custom in &mut model.custom_threats {
            if let Some((file, at)) = self.locate(custom.id.at)
                && let Some(source) = &mut custom.source
            {
                source.file = file.name.clone();
                source.line = Some(at.line);
            }
            self.relocate(&mut custom.id);
            self.relocate_all(custom.targets.iter_mut().chain(&mut custom.stride).chain(&mut custom.countermeasures));
            for score in custom.likelihood.iter_mut().chain(&mut custom.impact) {
                if let Some(file) = self.file(score.at) {
                    score.at = file.included_at;
                }
            }
        }
    }

    fn relocate(&self, value: &mut Located<String>) {
        if let Some(file) = self.file(value.at) {
            value.at = file.included_at;
        }
    }

    fn relocate_all<'v>(&self, values: impl IntoIterator<Item = &'v mut Located<String>>) {
        for value in values {
            self.relocate(value);
        }
    }
}

/// Merges `from` (an included file, whose text is `text`) into `into`.
/// `first_line` is where the file starts in `text`.
fn merge(into: &mut Document, from: Document, text: &str, first_line: u32, warnings: &mut Vec<Diagnostic>) {
    let mut single = |key: &str, first: &mut Option<String>, later: Option<String>| match (first.as_ref(), later) {
        (None, later) => *first = later,
        (Some(kept), Some(later)) if kept.trim() != later.trim() => {
            let at = super::convert::top_level_key_position(text, key);
            let at = if at.is_known() { at } else { Position::new(first_line, 1) };
            warnings.push(Diagnostic::warning(
                at,
                format!("`{key}` differs from the including model's (`{}`); the first value is kept", kept.trim()),
            ));
        }
        _ => {}
    };
    single("threagile_version", &mut into.threagile_version, from.threagile_version);
    single("title", &mut into.title, from.title);
    single("date", &mut into.date, from.date);
    single("business_criticality", &mut into.business_criticality, from.business_criticality);
    into.author = into.author.take().or(from.author);
    into.contributors.extend(from.contributors);
    into.application_description = into.application_description.take().or(from.application_description);
    into.business_overview = into.business_overview.take().or(from.business_overview);
    into.technical_overview = into.technical_overview.take().or(from.technical_overview);
    into.management_summary_comment = match (into.management_summary_comment.take(), from.management_summary_comment) {
        (Some(first), Some(later)) => Some(format!("{first}\n\n{later}")),
        (first, later) => first.or(later),
    };
    for tag in from.tags_available {
        if !into.tags_available.contains(&tag) {
            into.tags_available.push(tag);
        }
    }
    keep_first(&mut into.security_requirements, from.security_requirements, "security requirement", warnings);
    keep_first(&mut into.questions, from.questions, "question", warnings);
    keep_first(&mut into.abuse_cases, from.abuse_cases, "abuse case", warnings);
    keep_first(&mut into.data_assets, from.data_assets, "data asset", warnings);
    keep_first(&mut into.risk_tracking, from.risk_tracking, "risk tracking entry", warnings);
    combine(
        &mut into.technical_assets,
        from.technical_assets,
        "technical asset",
        warnings,
        |first, later, warnings| {
            extend_unique(&mut first.technologies, later.technologies);
            extend_unique(&mut first.data_assets_processed, later.data_assets_processed);
            extend_unique(&mut first.data_assets_stored, later.data_assets_stored);
            extend_unique(&mut first.data_formats_accepted, later.data_formats_accepted);
            extend_unique(&mut first.tags, later.tags);
            keep_first(&mut first.communication_links, later.communication_links, "communication link", warnings);
        },
    );
    combine(&mut into.trust_boundaries, from.trust_boundaries, "trust boundary", warnings, |first, later, _| {
        extend_unique(&mut first.technical_assets_inside, later.technical_assets_inside);
        extend_unique(&mut first.trust_boundaries_nested, later.trust_boundaries_nested);
        extend_unique(&mut first.tags, later.tags);
    });
    combine(&mut into.shared_runtimes, from.shared_runtimes, "shared runtime", warnings, |first, later, _| {
        extend_unique(&mut first.technical_assets_running, later.technical_assets_running);
        extend_unique(&mut first.tags, later.tags);
    });
    combine(
        &mut into.individual_risk_categories,
        from.individual_risk_categories,
        "individual risk category",
        warnings,
        |first, later, warnings| {
            keep_first(&mut first.risks_identified, later.risks_identified, "identified risk", warnings)
        },
    );
    into.diagram_tweak_nodesep = into.diagram_tweak_nodesep.or(from.diagram_tweak_nodesep);
    into.diagram_tweak_ranksep = into.diagram_tweak_ranksep.or(from.diagram_tweak_ranksep);
    into.diagram_tweak_edge_layout = into.diagram_tweak_edge_layout.take().or(from.diagram_tweak_edge_layout);
    into.custom_risk_categories = into.custom_risk_categories.take().or(from.custom_risk_categories);
    into.unknown.0.extend(from.unknown.0);
}

/// Adds the entries of `later` whose title `first` does not have yet.
fn keep_first<T>(first: &mut Entries<T>, later: Entries<T>, noun: &str, warnings: &mut Vec<Diagnostic>) {
    for (title, entry) in later.0 {
        if first.0.iter().any(|(known, _)| known.value == title.value) {
            warnings.push(Diagnostic::warning(
                title.at,
                format!("{noun} `{}` is defined again; the first definition is kept", title.value),
            ));
        } else {
            first.0.push((title, entry));
        }
    }
}

/// Adds the entries of `later`; one whose title is already there is folded
/// into the first definition by `fold`.
fn combine<T>(
    first: &mut Entries<T>,
    later: Entries<T>,
    noun: &str,
    warnings: &mut Vec<Diagnostic>,
    mut fold: impl FnMut(&mut T, T, &mut Vec<Diagnostic>),
) {
    for (title, entry) in later.0 {
        match first.0.iter_mut().find(|(known, _)| known.value == title.value) {
            Some((_, known)) => {
                warnings.push(Diagnostic::warning(
                    title.at,
                    format!(
                        "{noun} `{}` is defined again; its lists are added to the first definition, which keeps its \
                         other fields",
                        title.value
                    ),
                ));
                fold(known, entry, warnings);
            }
            None => first.0.push((title, entry)),
        }
    }
}

fn extend_unique<T: PartialEq>(first: &mut Vec<T>, later: Vec<T>) {
    for value in later {
        if !first.contains(&value) {
            first.push(value);
        }
    }
}

/// The number of lines of `text` (at least one: an empty file still takes a line).
fn line_count(text: &str) -> u32 {
    u32::try_from(text.lines().count().max(1)).unwrap_or(u32::MAX)
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |at| &path[..at])
}

fn join(directory: &str, path: &str) -> String {
    if directory.is_empty() || path.starts_with('/') { path.to_string() } else { format!("{directory}/{path}") }
}

/// Resolves `.` and `..` segments and Windows separators, so that one file
/// reached by two spellings is recognised. `..` above the root file's
/// directory is kept: the reader decides what may be read.
fn normalise(path: &str) -> String {
    let path = path.replace('\\', "/");
    let absolute = path.starts_with('/');
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." if segments.last().is_some_and(|last| *last != "..") => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let joined = segments.join("/");
    if absolute { format!("/{joined}") } else { joined }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_resolved_against_the_including_file() {
        assert_eq!(normalise(&join("", "base.yaml")), "base.yaml");
        assert_eq!(normalise(&join("parts", "./assets.yaml")), "parts/assets.yaml");
        assert_eq!(normalise(&join("parts", "../base.yaml")), "base.yaml");
        assert_eq!(normalise(&join("", "../shared/base.yaml")), "../shared/base.yaml");
        assert_eq!(normalise("parts\\a.yaml"), "parts/a.yaml");
        assert_eq!(parent("parts/a.yaml"), "parts");
        assert_eq!(file_name("models/shop.yaml"), "shop.yaml");
    }
}
