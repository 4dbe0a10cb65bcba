//! CI policies as data: which threats and gaps fail a build. A policy is a
//! file of its own (`rampart-policy.yaml`) or the `policy:` section of a
//! model; both have this shape. Evaluating one against an analysis is
//! rampart-governance's job; this module only defines it and checks the
//! names it uses.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::located::{Located, Position};
use crate::types::Rating;
use crate::validate::Vocabulary;

/// A severity band as a policy names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PolicySeverity {
    Low,
    Medium,
    High,
    Critical,
}

/// A CWE id, written `89` or `CWE-89`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CweId {
    Number(u32),
    Text(String),
}

impl CweId {
    pub fn number(&self) -> Option<u32> {
        match self {
            CweId::Number(n) => Some(*n),
            CweId::Text(text) => {
                let digits = text.trim();
                let digits = digits.strip_prefix("CWE-").or_else(|| digits.strip_prefix("cwe-")).unwrap_or(digits);
                digits.parse().ok()
            }
        }
    }
}

/// Countermeasures every component handling some data must declare.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// Data in this category (`payment-card`, `pii`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_category: Option<Located<String>>,
    /// Data at least this confidential (`high`, `critical`...). With
    /// `data_category`, data must satisfy both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_confidentiality: Option<Rating>,
    /// Countermeasure ids the components must have (their own, their
    /// boundaries' or the model's).
    pub countermeasures: Vec<Located<String>>,
}

/// A CI policy. Every rule is off unless set.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Fail on unresolved threats whose current severity is at least this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on_severity: Option<PolicySeverity>,
    /// Fail on unresolved threats with one of these CWE ids, whatever their severity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub always_fail_cwe: Vec<CweId>,
    /// Fail on unresolved threats of these rules, whatever their severity.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub always_fail_rules: Vec<Located<String>>,
    /// Fail on unresolved threats that no tracking entry covers.
    #[serde(default)]
    pub fail_on_untracked: bool,
    /// Fail on acceptances past their expiry date.
    #[serde(default)]
    pub fail_on_expired_acceptance: bool,
    /// Fail on threats that are new or worse than in the base revision or
    /// model (needs `--base` or `--base-model`).
    #[serde(default)]
    pub fail_on_regression: bool,
    /// Countermeasures required of components handling certain data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required_countermeasures: Vec<Requirement>,
}

impl Policy {
    /// Checks the names the policy uses against the library: rules,
    /// countermeasures, data categories and CWE ids. Errors make the policy
    /// unusable.
    pub fn check(&self, vocabulary: &Vocabulary) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        for cwe in &self.always_fail_cwe {
            if cwe.number().is_none() {
                problems.push(
                    Diagnostic::error(Position::UNKNOWN, format!("`{cwe:?}` in always_fail_cwe is not a CWE id"))
                        .with_help("write CWE ids as `89` or `CWE-89`"),
                );
            }
        }
        for rule in &self.always_fail_rules {
            if !vocabulary.threat_rules.contains(rule.as_str()) {
                problems.push(
                    Diagnostic::error(rule.at, format!("unknown threat rule `{}` in always_fail_rules", rule.value))
                        .suggest(rule.as_str(), vocabulary.threat_rules.iter().map(String::as_str)),
                );
            }
        }
        for requirement in &self.required_countermeasures {
            let at = requirement.countermeasures.first().map(|c| c.at).unwrap_or(Position::UNKNOWN);
            if requirement.data_category.is_none() && requirement.min_confidentiality.is_none() {
                problems.push(
                    Diagnostic::error(at, "a required_countermeasures entry names no data")
                        .with_help("add `data_category:` or `min_confidentiality:`"),
                );
            }
            if let Some(category) = &requirement.data_category
                && !vocabulary.data_categories.contains(category.as_str())
            {
                problems.push(
                    Diagnostic::error(category.at, format!("unknown data category `{}`", category.value))
                        .suggest(category.as_str(), vocabulary.data_categories.iter().map(String::as_str)),
                );
            }
            for countermeasure in &requirement.countermeasures {
                if !vocabulary.controls.contains(countermeasure.as_str()) {
                    problems.push(
                        Diagnostic::error(
                            countermeasure.at,
                            format!("unknown countermeasure `{}`", countermeasure.value),
                        )
                        .suggest(countermeasure.as_str(), vocabulary.controls.iter().map(String::as_str)),
                    );
                }
            }
        }
        problems
    }
}
