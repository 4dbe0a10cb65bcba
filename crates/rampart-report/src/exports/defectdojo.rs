//! DefectDojo's Generic Findings Import, JSON form: `{"findings": [...]}`,
//! one finding per threat, using only the field names DefectDojo's parser
//! accepts (it rejects a file with any other key). Import it with scan type
//! "Generic Findings Import"; `unique_id_from_tool` is the stable threat id,
//! so re-imports match findings across runs.

use std::fmt::Write as _;
use std::io::{self, Write};

use rampart_engine::{Analysis, Severity, ThreatInstance};
use rampart_kb::KnowledgeBase;
use rampart_model::{Date, Status};
use serde::Serialize;

use crate::Origin;

#[derive(Serialize)]
struct Findings<'a> {
    findings: Vec<Finding<'a>>,
}

/// One finding, with DefectDojo's field names.
#[derive(Serialize)]
struct Finding<'a> {
    title: String,
    description: String,
    severity: &'static str,
    mitigation: String,
    references: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cwe: Option<u32>,
    unique_id_from_tool: &'a str,
    vuln_id_from_tool: &'a str,
    component_name: &'a str,
    file_path: &'a str,
    line: u32,
    severity_justification: String,
    active: bool,
    verified: bool,
    false_p: bool,
    risk_accepted: bool,
    is_mitigated: bool,
    static_finding: bool,
    dynamic_finding: bool,
    date: String,
    tags: Vec<String>,
}

/// DefectDojo's severities: Critical, High, Medium, Low, Info.
pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

/// DefectDojo's flags for a threat's status: (active, verified, false_p,
/// risk_accepted, is_mitigated). An acceptance past its expiry is active
/// again and no longer accepted.
fn flags(threat: &ThreatInstance) -> (bool, bool, bool, bool, bool) {
    match threat.status {
        Status::Open => (true, false, false, false, false),
        Status::InProgress => (true, true, false, false, false),
        Status::Mitigated => (false, true, false, false, true),
        Status::Accepted if threat.is_unresolved() => (true, true, false, false, false),
        Status::Accepted => (false, true, false, true, false),
        Status::FalsePositive => (false, false, true, false, false),
    }
}

fn description(threat: &ThreatInstance) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "{}\n", threat.description.trim());
    let stride: Vec<&str> = threat.stride.iter().map(|s| s.label()).collect();
    let mut facts = vec![
        format!(
            "**Target:** {} `{}` ({})",
            super::target_kind(threat.target.kind),
            threat.target.id,
            threat.target.name
        ),
        format!("**Threat id:** `{}`", threat.id),
        format!("**Status:** {}", crate::status_text(threat.status)),
    ];
    if let Some(tracking) = &threat.tracking {
        for (label, value) in [
            ("Justification", tracking.justification),
            ("Ticket", tracking.ticket),
            ("Owner", tracking.owner),
            ("Expires", tracking.expires),
        ] {
            if let Some(value) = value {
                let note = if label == "Expires" && tracking.expired { " (expired)" } else { "" };
                facts.push(format!("**{label}:** {value}{note}"));
            }
        }
    }
    facts.push(format!("**STRIDE:** {}", stride.join(", ")));
    // Two trailing spaces: a Markdown line break within the paragraph.
    let _ = writeln!(text, "{}\n", facts.join("  \n"));
    let _ = writeln!(text, "### Why it applies\n");
    for fact in &threat.because {
        let _ = writeln!(text, "- {fact}");
    }
    let _ = writeln!(
        text,
        "\n### Risk\n\nCurrent: {} ({:.1} = likelihood {:.1} × impact {}); inherent: {} ({:.1}).\n",
        threat.current.severity.label(),
        threat.current.score,
        threat.current.likelihood,
        threat.current.impact,
        threat.inherent.severity.label(),
        threat.inherent.score
    );
    for factor in &threat.risk_factors {
        let _ = writeln!(text, "- {factor}");
    }
    if !threat.intelligence.is_empty() {
        let _ = writeln!(text, "\n**Threat intelligence:** {}", threat.intelligence.join(", "));
    }
    let _ = writeln!(text, "\n### Countermeasures\n");
    for countermeasure in &threat.countermeasures {
        let mark = if countermeasure.present { "x" } else { " " };
        let _ = writeln!(text, "- [{mark}] {} (`{}`)", countermeasure.name, countermeasure.id);
    }
    text.trim_end().to_string()
}

/// What to do: each missing countermeasure with its guidance and standards.
fn mitigation(threat: &ThreatInstance, kb: &KnowledgeBase) -> String {
    let mut text = String::new();
    for state in threat.countermeasures.iter().filter(|c| !c.present) {
        let _ = writeln!(text, "**{}** (`{}`)\n", state.name, state.id);
        if let Some(c) = kb.countermeasure(state.id).map(|index| &kb.countermeasures[index]) {
            let guidance = c.guidance.as_deref().unwrap_or(&c.description).trim();
            if !guidance.is_empty() {
                let _ = writeln!(text, "{guidance}\n");
            }
            let mut standards: Vec<String> = c.nist_800_53.iter().map(|n| format!("NIST 800-53 {n}")).collect();
            standards.extend(c.asvs.iter().map(|a| format!("ASVS {a}")));
            standards.extend(c.iso_27001.iter().map(|i| format!("ISO 27001 {i}")));
            standards.extend(c.pci_dss.iter().map(|p| format!("PCI DSS {p}")));
            if !standards.is_empty() {
                let _ = writeln!(text, "Standards: {}\n", standards.join(", "));
            }
        }
    }
    if text.is_empty() {
        text.push_str("Every countermeasure of this threat is present in the model.");
    }
    text.trim_end().to_string()
}

fn references(threat: &ThreatInstance, kb: &KnowledgeBase) -> String {
    let mut lines: Vec<String> =
        kb.threats.get(threat.rule_index).map(|rule| rule.references.clone()).unwrap_or_default();
    lines.extend(threat.cwe.iter().map(|c| format!("https://cwe.mitre.org/data/definitions/{c}.html")));
    lines.extend(threat.capec.iter().map(|c| format!("https://capec.mitre.org/data/definitions/{c}.html")));
    lines.extend(threat.attack.iter().map(|t| format!("https://attack.mitre.org/techniques/{}/", t.replace('.', "/"))));
    lines.join("\n")
}

fn finding<'a>(threat: &'a ThreatInstance, kb: &KnowledgeBase, origin: &'a Origin, date: &str) -> Finding<'a> {
    let (active, verified, false_p, risk_accepted, is_mitigated) = flags(threat);
    let mut tags = vec!["rampart".to_string(), format!("target:{}", super::target_kind(threat.target.kind))];
    // DefectDojo's tags allow no spaces or commas.
    tags.extend(threat.stride.iter().map(|s| format!("stride:{}", s.label().to_lowercase().replace(' ', "-"))));
    Finding {
        title: format!("{} ({})", threat.title, threat.target.name),
        description: description(threat),
        severity: severity(threat.current.severity),
        mitigation: mitigation(threat, kb),
        references: references(threat, kb),
        cwe: threat.cwe.first().copied(),
        unique_id_from_tool: &threat.id,
        vuln_id_from_tool: threat.rule,
        component_name: &threat.target.name,
        file_path: &origin.model_path,
        line: threat.location.line,
        severity_justification: threat.risk_factors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"),
        active,
        verified,
        false_p,
        risk_accepted,
        is_mitigated,
        static_finding: true,
        dynamic_finding: false,
        date: date.to_string(),
        tags,
    }
}

/// Writes the import file. `date` is the findings' date (the CLI passes
/// today); the renderer reads no clock.
pub fn render(
    analysis: &Analysis,
    kb: &KnowledgeBase,
    origin: &Origin,
    date: Date,
    out: &mut dyn Write,
) -> io::Result<()> {
    let date = date.to_string();
    let document =
        Findings { findings: analysis.threats.iter().map(|threat| finding(threat, kb, origin, &date)).collect() };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
