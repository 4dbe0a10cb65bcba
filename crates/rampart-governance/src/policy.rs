//! CI policies: which threats and gaps fail a build. The policy's shape and
//! its name check live in [`rampart_model::policy`], because a model can
//! carry its own `policy:` section; this module reads policy files and
//! evaluates a policy against an analysis.

use std::collections::{BTreeSet, HashMap};

use rampart_engine::{Analysis, Severity};
pub use rampart_model::policy::{CweId, Policy, PolicySeverity, Requirement};
use rampart_model::{Diagnostic, Located, Model};
use serde::Serialize;

use crate::diff::Diff;

/// Parses a policy file; errors carry line and column.
pub fn parse(text: &str) -> Result<Policy, Diagnostic> {
    rampart_model::parse::from_yaml(text)
}

/// The engine's severity band for a policy's.
pub fn severity(band: PolicySeverity) -> Severity {
    match band {
        PolicySeverity::Low => Severity::Low,
        PolicySeverity::Medium => Severity::Medium,
        PolicySeverity::High => Severity::High,
        PolicySeverity::Critical => Severity::Critical,
    }
}

/// One reason the model fails the policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The policy key that fails (`fail_on_severity`, `required_countermeasures`...).
    pub rule: &'static str,
    /// The threat id or element id at fault.
    pub subject: String,
    /// Why, in words.
    pub reason: String,
}

/// Evaluates `policy` over the analysis of `model`. `base` is the diff from
/// the base revision for `fail_on_regression`; without one that rule is not
/// checked. Violations come in the order of the policy's keys, then of the
/// threats (most severe first, as the analysis lists them) or elements.
pub fn evaluate(policy: &Policy, model: &Model, analysis: &Analysis, base: Option<&Diff>) -> Vec<Violation> {
    let mut violations = Vec::new();
    let unresolved = || analysis.threats.iter().filter(|t| t.is_unresolved());

    if let Some(minimum) = policy.fail_on_severity {
        for threat in unresolved().filter(|t| t.current.severity >= severity(minimum)) {
            violations.push(Violation {
                rule: "fail_on_severity",
                subject: threat.id.clone(),
                reason: format!(
                    "unresolved ({}) with current severity {} (at least {})",
                    state(threat),
                    threat.current.severity.label(),
                    severity(minimum).label()
                ),
            });
        }
    }
    let cwes: BTreeSet<u32> = policy.always_fail_cwe.iter().filter_map(CweId::number).collect();
    if !cwes.is_empty() {
        for threat in unresolved() {
            if let Some(cwe) = threat.cwe.iter().find(|c| cwes.contains(c)) {
                violations.push(Violation {
                    rule: "always_fail_cwe",
                    subject: threat.id.clone(),
                    reason: format!("unresolved ({}) and maps to CWE-{cwe}, which always fails", state(threat)),
                });
            }
        }
    }
    if !policy.always_fail_rules.is_empty() {
        for threat in unresolved().filter(|t| policy.always_fail_rules.iter().any(|r| r.value == t.rule)) {
            violations.push(Violation {
                rule: "always_fail_rules",
                subject: threat.id.clone(),
                reason: format!("unresolved ({}) threat of rule `{}`, which always fails", state(threat), threat.rule),
            });
        }
    }
    if policy.fail_on_untracked {
        for threat in unresolved().filter(|t| t.tracking.is_none()) {
            violations.push(Violation {
                rule: "fail_on_untracked",
                subject: threat.id.clone(),
                reason: format!(
                    "open {} threat with no tracking entry: triage it under `threats:`",
                    threat.current.severity.label()
                ),
            });
        }
    }
    if policy.fail_on_expired_acceptance {
        for threat in &analysis.threats {
            if let Some(tracking) = threat.tracking.as_ref().filter(|t| t.expired) {
                violations.push(Violation {
                    rule: "fail_on_expired_acceptance",
                    subject: threat.id.clone(),
                    reason: format!("acceptance expired on {}", tracking.expires.unwrap_or("?")),
                });
            }
        }
    }
    if policy.fail_on_regression
        && let Some(diff) = base
    {
        for (threat, before) in diff.regressions() {
            let reason = match before {
                None => format!("new unresolved threat, current severity {}", threat.severity.label()),
                Some(before) if !before.unresolved => format!(
                    "was resolved ({}), now unresolved ({}) at severity {}",
                    rampart_engine::status_label(before.status),
                    rampart_engine::status_label(threat.status),
                    threat.severity.label()
                ),
                Some(before) => {
                    format!("current severity rose from {} to {}", before.severity.label(), threat.severity.label())
                }
            };
            violations.push(Violation { rule: "fail_on_regression", subject: threat.id.clone(), reason });
        }
    }
    for requirement in &policy.required_countermeasures {
        violations.extend(missing_countermeasures(requirement, model));
    }
    violations
}

/// How an unresolved threat stands, in a word or two.
fn state(threat: &rampart_engine::ThreatInstance) -> String {
    match &threat.tracking {
        Some(tracking) if tracking.expired => "acceptance expired".to_string(),
        _ => rampart_engine::status_label(threat.status).to_string(),
    }
}

/// Components that handle the data a requirement names without every
/// countermeasure it requires. A component handles data it stores or
/// processes, or that a flow to or from it carries; it has the controls it
/// declares, those of its enclosing boundaries, and the model's.
fn missing_countermeasures(requirement: &Requirement, model: &Model) -> Vec<Violation> {
    let selected: BTreeSet<&str> = model
        .data
        .iter()
        .filter(|d| {
            requirement.data_category.as_ref().is_none_or(|c| d.categories.iter().any(|dc| dc.value == c.value))
                && requirement.min_confidentiality.is_none_or(|min| d.confidentiality >= min)
        })
        .map(|d| d.id.as_str())
        .collect();
    if selected.is_empty() {
        return Vec::new();
    }
    let parents: HashMap<&str, (Option<&str>, &[Located<String>])> = model
        .boundaries
        .iter()
        .map(|b| (b.id.as_str(), (b.parent.as_ref().map(|p| p.as_str()), b.controls.as_slice())))
        .collect();
    let mut violations = Vec::new();
    for component in &model.components {
        let id = component.id.as_str();
        let mut handled: BTreeSet<&str> = component
            .stores
            .iter()
            .chain(&component.processes)
            .map(|d| d.as_str())
            .filter(|d| selected.contains(d))
            .collect();
        for flow in model.flows.iter().filter(|f| f.from.value == id || f.to.value == id) {
            handled.extend(flow.data.iter().map(|d| d.as_str()).filter(|d| selected.contains(d)));
        }
        if handled.is_empty() {
            continue;
        }
        let mut controls: BTreeSet<&str> =
            component.controls.iter().chain(&model.controls).map(|c| c.as_str()).collect();
        let mut boundary = component.boundary.as_ref().map(|b| b.as_str());
        let mut depth = 0;
        while let Some(current) = boundary
            && depth < 64
        {
            let Some((parent, own)) = parents.get(current) else { break };
            controls.extend(own.iter().map(|c| c.as_str()));
            boundary = *parent;
            depth += 1;
        }
        let missing: Vec<&str> =
            requirement.countermeasures.iter().map(|c| c.as_str()).filter(|c| !controls.contains(c)).collect();
        if !missing.is_empty() {
            let data: Vec<String> = handled.iter().map(|d| format!("`{d}`")).collect();
            let missing: Vec<String> = missing.iter().map(|c| format!("`{c}`")).collect();
            violations.push(Violation {
                rule: "required_countermeasures",
                subject: id.to_string(),
                reason: format!("handles {} but does not declare {}", data.join(", "), missing.join(", ")),
            });
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_engine::{Options, analyze};
    use rampart_model::Date;

    const MODEL: &str = "\
rampart: 1
name: shop
boundaries:
  - id: dc
    controls: [network-segmentation]
actors:
  - id: customer
components:
  - id: web
    kind: web-app
    boundary: dc
    exposure: internet
    capabilities: [sql-queries]
    processes: [cards]
  - id: db
    kind: relational-database
    boundary: dc
    stores: [orders]
    controls: [encryption-at-rest]
data:
  - id: orders
    categories: [pii]
    confidentiality: high
    integrity: high
  - id: cards
    categories: [payment-card]
    confidentiality: critical
flows:
  - from: customer
    to: web
    protocol: https
    data: [cards]
  - from: web
    to: db
    protocol: sql
    data: [orders]
";

    fn kb() -> rampart_kb::KnowledgeBase {
        rampart_kb::compile(&rampart_kb::builtin_sources()).expect("the shipped library compiles")
    }

    fn model(extra: &str) -> Model {
        rampart_model::parse::from_yaml(&format!("{MODEL}{extra}")).expect("test model parses")
    }

    fn run(policy: &str, model: &Model, base: Option<&Diff>) -> Vec<Violation> {
        let kb = kb();
        let policy = parse(policy).expect("policy parses");
        assert!(policy.check(&kb.vocabulary()).is_empty(), "{:?}", policy.check(&kb.vocabulary()));
        let today = Date::parse("2026-06-01").ok();
        let analysis = analyze(model, &kb, &Options { today, intel: Vec::new() });
        evaluate(&policy, model, &analysis, base)
    }

    fn rules(violations: &[Violation]) -> BTreeSet<&'static str> {
        violations.iter().map(|v| v.rule).collect()
    }

    #[test]
    fn an_empty_policy_passes() {
        assert!(run("{}", &model(""), None).is_empty());
    }

    #[test]
    fn fail_on_severity_fails_at_the_threshold_and_passes_above_every_threat() {
        let failing = run("fail_on_severity: low", &model(""), None);
        assert!(!failing.is_empty());
        assert_eq!(rules(&failing), BTreeSet::from(["fail_on_severity"]));
        // Mark every threat false-positive: nothing is unresolved.
        let all = model("threats:\n  - threat: '*'\n    status: false-positive\n    justification: test\n");
        assert!(run("fail_on_severity: low", &all, None).is_empty());
    }

    #[test]
    fn always_fail_rules_and_cwe() {
        let violations = run("always_fail_rules: [sql-injection]", &model(""), None);
        assert_eq!(violations.iter().map(|v| v.subject.as_str()).collect::<Vec<_>>(), ["sql-injection@web"]);
        let violations = run("always_fail_cwe: [CWE-89]", &model(""), None);
        assert!(violations.iter().any(|v| v.subject == "sql-injection@web"), "{violations:?}");
        let violations = run("always_fail_cwe: [89]", &model(""), None);
        assert!(violations.iter().any(|v| v.subject == "sql-injection@web"));
        let tracked = model("threats:\n  - threat: sql-injection@web\n    status: mitigated\n");
        assert!(run("always_fail_rules: [sql-injection]", &tracked, None).is_empty());
    }

    #[test]
    fn fail_on_untracked_passes_once_a_pattern_tracks_everything() {
        assert!(!run("fail_on_untracked: true", &model(""), None).is_empty());
        let all = model("threats:\n  - threat: '*@*'\n    status: in-progress\n");
        assert!(run("fail_on_untracked: true", &all, None).is_empty());
    }

    #[test]
    fn fail_on_expired_acceptance() {
        let accepted = |expires: &str| {
            model(&format!(
                "threats:\n  - threat: sql-injection@web\n    status: accepted\n    justification: ORM only\n    expires: {expires}\n"
            ))
        };
        let violations = run("fail_on_expired_acceptance: true", &accepted("2026-01-01"), None);
        assert_eq!(violations.len(), 1);
        assert!(violations[0].reason.contains("2026-01-01"));
        assert!(run("fail_on_expired_acceptance: true", &accepted("2027-01-01"), None).is_empty());
    }

    #[test]
    fn fail_on_regression_needs_new_or_worse_threats() {
        let kb = kb();
        let options = Options { today: None, intel: Vec::new() };
        let old = model("");
        let mut new = model("");
        new.components[0].capabilities.push(Located::synthetic("os-commands".into()));
        let (old_analysis, new_analysis) = (analyze(&old, &kb, &options), analyze(&new, &kb, &options));
        let changed = crate::diff::diff(&old_analysis, &new_analysis);
        assert!(changed.summary.added > 0);
        let violations = run("fail_on_regression: true", &new, Some(&changed));
        assert!(!violations.is_empty());
        assert!(violations.iter().all(|v| v.rule == "fail_on_regression" && v.reason.contains("new")));
        let same = crate::diff::diff(&old_analysis, &analyze(&old, &kb, &options));
        assert!(run("fail_on_regression: true", &old, Some(&same)).is_empty());
        // Without a base the rule is not checked.
        assert!(run("fail_on_regression: true", &new, None).is_empty());
    }

    #[test]
    fn required_countermeasures_by_category_and_confidentiality() {
        let policy = "required_countermeasures:\n  - data_category: payment-card\n    countermeasures: [network-segmentation, encryption-at-rest]\n";
        let violations = run(policy, &model(""), None);
        // `web` processes cards; the boundary gives it segmentation, not encryption at rest.
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(violations[0].subject, "web");
        assert!(violations[0].reason.contains("`encryption-at-rest`"));
        assert!(!violations[0].reason.contains("network-segmentation"));
        let policy =
            "required_countermeasures:\n  - min_confidentiality: high\n    countermeasures: [encryption-at-rest]\n";
        let subjects: Vec<String> = run(policy, &model(""), None).into_iter().map(|v| v.subject).collect();
        assert_eq!(subjects, ["web"]);
        let policy =
            "required_countermeasures:\n  - min_confidentiality: high\n    countermeasures: [network-segmentation]\n";
        assert!(run(policy, &model(""), None).is_empty());
    }

    #[test]
    fn parse_errors_have_positions_and_unknown_names_are_caught() {
        let error = parse("fail_on_severity: high\nfail_on_sevrity: low\n").unwrap_err();
        assert_eq!(error.at.line, 2);
        assert!(error.message.contains("fail_on_sevrity"), "{}", error.message);
        let error = parse("fail_on_severity: severe\n").unwrap_err();
        assert_eq!(error.at.line, 1);
        let policy = parse(
            "always_fail_rules: [sql-injecton]\nrequired_countermeasures:\n  - countermeasures: [encryptin-at-rest]\n",
        )
        .expect("parses");
        let problems = policy.check(&kb().vocabulary());
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[0].at.line, 1);
        assert_eq!(problems[0].help.as_deref(), Some("did you mean `sql-injection`?"));
    }
}
