//! What changed between two analyses of a model: threats added, removed, and
//! changed in current severity or status, matched by their stable id.

use std::collections::BTreeMap;
use std::fmt::Write;

use rampart_engine::{Analysis, Severity, ThreatInstance, status_label};
use rampart_model::Status;
use serde::Serialize;

/// A threat as the diff shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThreatRef {
    pub id: String,
    pub title: String,
    /// Current severity.
    pub severity: Severity,
    /// Current score, 1 to 25.
    pub score: f32,
    pub status: Status,
    /// Still needs attention (open, in progress, or accepted past expiry).
    pub unresolved: bool,
    pub cwe: Vec<u32>,
}

impl ThreatRef {
    pub fn of(threat: &ThreatInstance) -> ThreatRef {
        ThreatRef {
            id: threat.id.clone(),
            title: threat.title.to_string(),
            severity: threat.current.severity,
            score: threat.current.score,
            status: threat.status,
            unresolved: threat.is_unresolved(),
            cwe: threat.cwe.to_vec(),
        }
    }
}

/// A threat present in both analyses whose severity, status or resolution differs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    pub id: String,
    pub title: String,
    pub before: ThreatRef,
    pub after: ThreatRef,
    /// Needs attention now and either did not before or got more severe.
    pub worsened: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DiffSummary {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    /// Changed threats that got worse (see [`Change::worsened`]).
    pub worsened: usize,
    /// Added threats that need attention plus worsened ones.
    pub regressions: usize,
    pub unchanged: usize,
    pub before: usize,
    pub after: usize,
}

/// The difference between an old and a new analysis.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Diff {
    pub old_model: String,
    pub new_model: String,
    pub summary: DiffSummary,
    /// Most severe first.
    pub added: Vec<ThreatRef>,
    /// Most severe first.
    pub removed: Vec<ThreatRef>,
    /// Worsened first, then by id.
    pub changed: Vec<Change>,
    /// Threats by current severity, before and after: `[critical, high, medium, low]`.
    pub severity_before: [usize; 4],
    pub severity_after: [usize; 4],
}

impl Diff {
    /// New threats that need attention, and changed threats that got worse.
    pub fn regressions(&self) -> impl Iterator<Item = (&ThreatRef, Option<&ThreatRef>)> {
        let added = self.added.iter().filter(|t| t.unresolved).map(|t| (t, None));
        let worsened = self.changed.iter().filter(|c| c.worsened).map(|c| (&c.after, Some(&c.before)));
        added.chain(worsened)
    }

    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares two analyses of (two versions of) a model.
pub fn diff(old: &Analysis, new: &Analysis) -> Diff {
    diff_refs(
        old.model.name,
        new.model.name,
        old.threats.iter().map(ThreatRef::of).collect(),
        new.threats.iter().map(ThreatRef::of).collect(),
    )
}

/// Compares two lists of threats by id.
pub fn diff_refs(old_model: &str, new_model: &str, old: Vec<ThreatRef>, new: Vec<ThreatRef>) -> Diff {
    let severity_before = by_severity(&old);
    let severity_after = by_severity(&new);
    let (before, after) = (old.len(), new.len());
    let mut old: BTreeMap<String, ThreatRef> = old.into_iter().map(|t| (t.id.clone(), t)).collect();
    let mut added = Vec::new();
    let mut changed = Vec::new();
    let mut unchanged = 0;
    for threat in new {
        match old.remove(&threat.id) {
            None => added.push(threat),
            Some(previous) => {
                let differs = previous.severity != threat.severity
                    || previous.status != threat.status
                    || previous.unresolved != threat.unresolved;
                if differs {
                    let worsened = threat.unresolved && (!previous.unresolved || threat.severity > previous.severity);
                    changed.push(Change {
                        id: threat.id.clone(),
                        title: threat.title.clone(),
                        before: previous,
                        after: threat,
                        worsened,
                    });
                } else {
                    unchanged += 1;
                }
            }
        }
    }
    let mut removed: Vec<ThreatRef> = old.into_values().collect();
    let most_severe_first = |a: &ThreatRef, b: &ThreatRef| {
        b.severity.cmp(&a.severity).then(b.score.total_cmp(&a.score)).then(a.id.cmp(&b.id))
    };
    added.sort_by(most_severe_first);
    removed.sort_by(most_severe_first);
    changed.sort_by(|a, b| b.worsened.cmp(&a.worsened).then(a.id.cmp(&b.id)));
    let worsened = changed.iter().filter(|c| c.worsened).count();
    let summary = DiffSummary {
        added: added.len(),
        removed: removed.len(),
        changed: changed.len(),
        worsened,
        regressions: added.iter().filter(|t| t.unresolved).count() + worsened,
        unchanged,
        before,
        after,
    };
    Diff {
        old_model: old_model.to_string(),
        new_model: new_model.to_string(),
        summary,
        added,
        removed,
        changed,
        severity_before,
        severity_after,
    }
}

fn by_severity(threats: &[ThreatRef]) -> [usize; 4] {
    let mut counts = [0; 4];
    for threat in threats {
        counts[3 - threat.severity as usize] += 1;
    }
    counts
}

fn summary_line(diff: &Diff) -> String {
    let s = &diff.summary;
    format!(
        "{} added, {} removed, {} changed ({} worsened); {} → {} threats",
        s.added, s.removed, s.changed, s.worsened, s.before, s.after
    )
}

/// Plain text for a terminal.
pub fn render_text(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", diff.new_model, summary_line(diff));
    let mut section = |title: &str, rows: Vec<String>| {
        if !rows.is_empty() {
            let _ = writeln!(out, "\n{title}:");
            for row in rows {
                let _ = writeln!(out, "  {row}");
            }
        }
    };
    let line = |sign: char, t: &ThreatRef| {
        format!("{sign} {:<8} {:<14} {}  {}", t.severity.label(), status_label(t.status), t.id, t.title)
    };
    section("added", diff.added.iter().map(|t| line('+', t)).collect());
    section("removed", diff.removed.iter().map(|t| line('-', t)).collect());
    section(
        "changed",
        diff.changed
            .iter()
            .map(|c| {
                let mark = if c.worsened { '!' } else { '~' };
                format!("{mark} {}  {}", c.id, transition(&c.before, &c.after))
            })
            .collect(),
    );
    if diff.is_empty() {
        let _ = writeln!(out, "\nno threat changed");
    }
    out
}

fn transition(before: &ThreatRef, after: &ThreatRef) -> String {
    let mut parts = Vec::new();
    if before.severity != after.severity {
        parts.push(format!("severity {} → {}", before.severity.label(), after.severity.label()));
    }
    if before.status != after.status {
        parts.push(format!("status {} → {}", status_label(before.status), status_label(after.status)));
    }
    if before.unresolved != after.unresolved && before.status == after.status {
        parts.push(if after.unresolved { "acceptance expired".into() } else { "acceptance renewed".into() });
    }
    parts.join(", ")
}

/// The marker that starts the Markdown, so a CI job can find and update its
/// earlier comment instead of adding one per push.
pub const MARKDOWN_MARKER: &str = "<!-- rampart-diff -->";

/// Markdown for a pull-request comment: a heading, a summary line, tables of
/// added, removed and changed threats, and the counts in a collapsible block.
pub fn render_markdown(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{MARKDOWN_MARKER}");
    let _ = writeln!(out, "## Threat model changes: {}\n", escape(&diff.new_model));
    let verdict = match diff.summary.regressions {
        0 => "no new or worsened threat needing attention".to_string(),
        n => format!("**{n} new or worsened threat(s) need attention**"),
    };
    let _ = writeln!(out, "{} — {verdict}.\n", summary_line(diff));
    threat_table(&mut out, "Added threats", &diff.added);
    threat_table(&mut out, "Removed threats", &diff.removed);
    if !diff.changed.is_empty() {
        let _ = writeln!(out, "### Changed threats\n\n| | Threat | Severity | Status |\n|---|---|---|---|");
        for c in &diff.changed {
            let arrow = |a: &str, b: &str| if a == b { a.to_string() } else { format!("{a} → {b}") };
            let mark = if c.worsened { "worse" } else { "" };
            let mut status = arrow(status_label(c.before.status), status_label(c.after.status));
            if c.before.unresolved != c.after.unresolved && c.before.status == c.after.status {
                status.push_str(if c.after.unresolved { " (expired)" } else { " (renewed)" });
            }
            let _ = writeln!(
                out,
                "| {mark} | `{}` | {} | {status} |",
                c.id,
                arrow(c.before.severity.label(), c.after.severity.label())
            );
        }
        out.push('\n');
    }
    if diff.is_empty() {
        out.push_str("No threat was added, removed or changed.\n\n");
    }
    let _ = writeln!(out, "<details>\n<summary>Threats by current severity</summary>\n");
    let _ = writeln!(out, "| | critical | high | medium | low | total |\n|---|---|---|---|---|---|");
    for (label, counts, total) in
        [("before", diff.severity_before, diff.summary.before), ("after", diff.severity_after, diff.summary.after)]
    {
        let _ = writeln!(out, "| {label} | {} | {} | {} | {} | {total} |", counts[0], counts[1], counts[2], counts[3]);
    }
    let _ =
        writeln!(out, "\n{} threat(s) unchanged. Generated by `rampart diff`.\n\n</details>", diff.summary.unchanged);
    out
}

/// Escapes what would break a table cell.
/// A Markdown table of threats under a heading; nothing when there are none.
fn threat_table(out: &mut String, heading: &str, threats: &[ThreatRef]) {
    if threats.is_empty() {
        return;
    }
    let _ = writeln!(out, "### {heading}\n\n| Severity | Status | Threat | Title |\n|---|---|---|---|");
    for t in threats {
        let _ = writeln!(
            out,
            "| {} | {} | `{}` | {} |",
            t.severity.label(),
            status_label(t.status),
            t.id,
            escape(&t.title)
        );
    }
    out.push('\n');
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn threat(id: &str, severity: Severity, status: Status, unresolved: bool) -> ThreatRef {
        ThreatRef {
            id: id.into(),
            title: format!("title of {id}"),
            severity,
            score: 10.0,
            status,
            unresolved,
            cwe: vec![],
        }
    }

    #[test]
    fn classifies_added_removed_changed_and_unchanged() {
        let old = vec![
            threat("a@x", Severity::High, Status::Open, true),
            threat("b@x", Severity::Medium, Status::Open, true),
            threat("c@x", Severity::Low, Status::Open, true),
            threat("d@x", Severity::Medium, Status::Open, true),
        ];
        let new = vec![
            threat("a@x", Severity::High, Status::Open, true),      // unchanged
            threat("b@x", Severity::High, Status::Open, true),      // worse: severity up
            threat("c@x", Severity::Low, Status::Mitigated, false), // better: resolved
            threat("e@x", Severity::Critical, Status::Open, true),  // added, unresolved
            threat("f@x", Severity::Low, Status::Mitigated, false), // added, resolved
        ];
        let diff = diff_refs("m", "m", old, new);
        assert_eq!(diff.added.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["e@x", "f@x"]);
        assert_eq!(diff.removed.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["d@x"]);
        assert_eq!(
            diff.changed.iter().map(|c| (c.id.as_str(), c.worsened)).collect::<Vec<_>>(),
            [("b@x", true), ("c@x", false)]
        );
        assert_eq!(diff.summary.unchanged, 1);
        assert_eq!(diff.summary.worsened, 1);
        assert_eq!(diff.summary.regressions, 2);
        let regressions: Vec<&str> = diff.regressions().map(|(t, _)| t.id.as_str()).collect();
        assert_eq!(regressions, ["e@x", "b@x"]);
        assert_eq!(diff.severity_before, [0, 1, 2, 1]);
        assert_eq!(diff.severity_after, [1, 2, 0, 2]);
    }

    #[test]
    fn an_expired_acceptance_is_a_worsening() {
        let old = vec![threat("a@x", Severity::High, Status::Accepted, false)];
        let new = vec![threat("a@x", Severity::High, Status::Accepted, true)];
        let diff = diff_refs("m", "m", old, new);
        assert_eq!(diff.changed.len(), 1);
        assert!(diff.changed[0].worsened);
        assert!(render_text(&diff).contains("acceptance expired"));
        assert!(render_markdown(&diff).contains("accepted (expired)"));
    }

    #[test]
    fn less_severe_but_still_open_is_not_worse() {
        let old = vec![threat("a@x", Severity::High, Status::Open, true)];
        let new = vec![threat("a@x", Severity::Medium, Status::Open, true)];
        let diff = diff_refs("m", "m", old, new);
        assert!(!diff.changed[0].worsened);
        assert_eq!(diff.summary.regressions, 0);
    }

    #[test]
    fn identical_lists_make_an_empty_diff() {
        let list = vec![threat("a@x", Severity::High, Status::Open, true)];
        let diff = diff_refs("m", "m", list.clone(), list);
        assert!(diff.is_empty());
        assert!(render_text(&diff).contains("no threat changed"));
        let markdown = render_markdown(&diff);
        assert!(markdown.starts_with(MARKDOWN_MARKER));
        assert!(markdown.contains("<details>"));
    }
}
