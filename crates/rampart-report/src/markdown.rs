//! Markdown: a readable threat model for a pull request, a wiki or a review.

use std::fmt::Write;

use rampart_engine::Analysis;
use rampart_kb::KnowledgeBase;

fn list<T: ToString>(items: &[T], prefix: &str) -> String {
    if items.is_empty() {
        return "—".to_string();
    }
    items.iter().map(|item| format!("{prefix}{}", item.to_string())).collect::<Vec<_>>().join(", ")
}

/// Escapes the characters that would break a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub fn render(analysis: &Analysis, kb: &KnowledgeBase) -> String {
    let mut out = String::new();
    let summary = &analysis.summary;
    let _ = writeln!(out, "# Threat model: {}\n", analysis.model.name);
    let _ = writeln!(
        out,
        "{} elements, {} flows, {} data assets, {} trust boundaries. {} threats found.\n",
        analysis.model.elements, analysis.model.flows, analysis.model.data, analysis.model.boundaries, summary.threats
    );
    let _ = writeln!(out, "| | critical | high | medium | low |\n|---|---|---|---|---|");
    for (label, counts) in [
        ("unresolved (current risk)", &summary.unresolved),
        ("all, inherent risk", &summary.inherent),
        ("all, current risk", &summary.current),
    ] {
        let _ =
            writeln!(out, "| {label} | {} | {} | {} | {} |", counts.critical, counts.high, counts.medium, counts.low);
    }
    let _ = writeln!(out, "\n## Threats\n");
    let _ = writeln!(out, "| severity | score | status | threat | target |\n|---|---|---|---|---|");
    let threats = crate::table::by_severity(analysis);
    for threat in &threats {
        let _ = writeln!(
            out,
            "| {} | {:.1} | {} | [{}](#{}) | `{}` |",
            threat.current.severity.label(),
            threat.current.score,
            crate::status_text(threat.status),
            cell(threat.title),
            anchor(&threat.id),
            cell(&threat.target.id)
        );
    }
    for threat in &threats {
        let _ =
            writeln!(out, "\n<a id=\"{}\"></a>\n### {} — `{}`\n", anchor(&threat.id), threat.title, threat.target.id);
        let _ = writeln!(out, "- **Id:** `{}`", threat.id);
        if let Some(source) = &threat.target.source {
            let line = source.line.map(|line| format!(":{line}")).unwrap_or_default();
            let resource = source.resource.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
            let _ = writeln!(out, "- **Defined at:** `{}{line}`{resource}", source.file);
        }
        let _ = writeln!(
            out,
            "- **Severity:** {} now ({:.1} = likelihood {:.1} × impact {}), {} inherent ({:.1})",
            threat.current.severity.label(),
            threat.current.score,
            threat.current.likelihood,
            threat.current.impact,
            threat.inherent.severity.label(),
            threat.inherent.score
        );
        let _ = writeln!(out, "- **Status:** {}", crate::status_text(threat.status));
        if let Some(tracking) = &threat.tracking {
            if let Some(justification) = tracking.justification {
                let _ = writeln!(out, "- **Justification:** {justification}");
            }
            if let Some(ticket) = tracking.ticket {
                let _ = writeln!(out, "- **Ticket:** {ticket}");
            }
            if let Some(expires) = tracking.expires {
                let note = if tracking.expired { " (expired)" } else { "" };
                let _ = writeln!(out, "- **Expires:** {expires}{note}");
            }
        }
        let stride: Vec<&str> = threat.stride.iter().map(|s| s.label()).collect();
        let _ = writeln!(out, "- **STRIDE:** {}", stride.join(", "));
        let _ = writeln!(
            out,
            "- **CWE:** {} · **CAPEC:** {} · **ATT&CK:** {}",
            list(threat.cwe, "CWE-"),
            list(threat.capec, "CAPEC-"),
            list(threat.attack, "")
        );
        let _ = writeln!(out, "\n{}\n", threat.description.trim());
        let _ = writeln!(out, "**Why it applies**\n");
        for fact in &threat.because {
            let _ = writeln!(out, "- {fact}");
        }
        let _ = writeln!(out, "\n**How the risk was scored**\n");
        for factor in &threat.risk_factors {
            let _ = writeln!(out, "- {factor}");
        }
        let _ = writeln!(out, "\n**Countermeasures**\n");
        for countermeasure in &threat.countermeasures {
            let mark = if countermeasure.present { "x" } else { " " };
            let standards = kb
                .countermeasure(countermeasure.id)
                .map(|i| {
                    let c = &kb.countermeasures[i];
                    let mut refs: Vec<String> = c.nist_800_53.iter().map(|n| format!("NIST {n}")).collect();
                    refs.extend(c.asvs.iter().map(|a| format!("ASVS {a}")));
                    if refs.is_empty() { String::new() } else { format!(" ({})", refs.join(", ")) }
                })
                .unwrap_or_default();
            let _ = writeln!(out, "- [{mark}] {} (`{}`){standards}", countermeasure.name, countermeasure.id);
        }
    }
    if !analysis.warnings.is_empty() {
        let _ = writeln!(out, "\n## Warnings\n");
        for warning in &analysis.warnings {
            let _ = writeln!(out, "- {warning}");
        }
    }
    out
}

fn anchor(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect()
}
