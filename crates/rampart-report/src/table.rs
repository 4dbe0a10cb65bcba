//! The terminal table: one line per threat, most severe first, then a summary.

use std::fmt::Write;

use rampart_engine::{Analysis, ThreatInstance};

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

pub(crate) fn by_severity<'a, 'k, 'm>(analysis: &'a Analysis<'k, 'm>) -> Vec<&'a ThreatInstance<'k, 'm>> {
    let mut threats: Vec<&ThreatInstance> = analysis.threats.iter().collect();
    threats.sort_by(|a, b| b.current.score.total_cmp(&a.current.score).then_with(|| a.id.cmp(&b.id)));
    threats
}

pub fn render(analysis: &Analysis) -> String {
    let mut out = String::new();
    let threats = by_severity(analysis);
    let id_width = threats.iter().map(|t| t.id.chars().count()).max().unwrap_or(2).clamp(2, 48);
    let _ = writeln!(out, "{:<8}  {:<8}  {:<14}  {:<id_width$}  TITLE", "SEVERITY", "SCORE", "STATUS", "ID");
    for threat in &threats {
        let score = format!("{:.1}", threat.current.score);
        let _ = writeln!(
            out,
            "{:<8}  {:<8}  {:<14}  {:<id_width$}  {}",
            threat.current.severity.label(),
            score,
            crate::status_text(threat.status),
            truncate(&threat.id, id_width),
            threat.title
        );
    }
    let summary = &analysis.summary;
    let _ = writeln!(
        out,
        "\n{} threats in `{}` ({} elements, {} flows): unresolved {} critical, {} high, {} medium, {} low.",
        summary.threats,
        analysis.model.name,
        analysis.model.elements,
        analysis.model.flows,
        summary.unresolved.critical,
        summary.unresolved.high,
        summary.unresolved.medium,
        summary.unresolved.low
    );
    if !threats.is_empty() {
        let _ = writeln!(
            out,
            "Explain one with `rampart kb show RULE`, or see every detail with `--format markdown` or `json`."
        );
    }
    out
}
