//! Problems found in a model, with where they are and how to fix them.

use std::fmt;

use serde::Serialize;

use crate::located::Position;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in a model file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Where in the file; line 0 when unknown.
    pub at: Position,
    /// What to do about it, e.g. the nearest valid key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(at: Position, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, message: message.into(), at, help: None }
    }

    pub fn warning(at: Position, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, message: message.into(), at, help: None }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds "did you mean" help when one of `candidates` is close to `given`.
    pub fn suggest<'a>(self, given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Self {
        match nearest(given, candidates) {
            Some(best) => self.with_help(format!("did you mean `{best}`?")),
            None => self,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.at.is_known() {
            write!(f, "{}:{}: {label}: {}", self.at.line, self.at.column, self.message)?;
        } else {
            write!(f, "{label}: {}", self.message)?;
        }
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

/// The candidate closest to `given`, if any is close enough to be a likely typo.
pub fn nearest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given_lower = given.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(&given_lower, &candidate.to_ascii_lowercase()), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, candidate)| candidate)
}

/// Errors first, then by position, so the report reads top to bottom.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.at.cmp(&b.at).then(a.severity.cmp(&b.severity)).then(a.message.cmp(&b.message)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_and_ignores_unrelated_words() {
        let keys = ["protocol", "from", "to", "encrypted"];
        assert_eq!(nearest("protocl", keys), Some("protocol"));
        assert_eq!(nearest("encripted", keys), Some("encrypted"));
        assert_eq!(nearest("colour", keys), None);
    }
}
