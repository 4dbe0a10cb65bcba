//! GitLab's security report, SAST flavour (schema 15.x, the format of
//! `artifacts: reports: sast:`), so unresolved threats appear in merge-request
//! security widgets and the vulnerability report beside other scanners'.
//!
//! GitLab's report has no notion of a triaged finding, so only unresolved
//! threats are written (open, in progress, or accepted past their expiry):
//! a mitigated or accepted threat must not reappear as a new vulnerability.
//! The primary identifier is the stable threat id, which is how GitLab
//! recognises the same finding across pipelines.

use std::io::{self, Write};

use rampart_engine::{Analysis, Severity, ThreatInstance};
use rampart_kb::KnowledgeBase;
use serde::Serialize;

use crate::Origin;

/// The schema version the report declares.
pub const SCHEMA_VERSION: &str = "15.1.4";

#[derive(Serialize)]
struct Report<'a> {
    schema: String,
    version: &'static str,
    scan: Scan<'a>,
    vulnerabilities: Vec<Vulnerability<'a>>,
}

#[derive(Serialize)]
struct Scan<'a> {
    analyzer: Tool<'a>,
    scanner: Tool<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
    start_time: &'a str,
    end_time: &'a str,
    status: &'static str,
}

#[derive(Clone, Serialize)]
struct Tool<'a> {
    id: &'static str,
    name: &'static str,
    version: &'a str,
    vendor: Vendor,
}

#[derive(Clone, Serialize)]
struct Vendor {
    name: &'static str,
}

#[derive(Serialize)]
struct Vulnerability<'a> {
    id: &'a str,
    name: String,
    description: String,
    severity: &'static str,
    solution: String,
    identifiers: Vec<Identifier>,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Identifier {
    #[serde(rename = "type")]
    kind: &'static str,
    name: String,
    value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Location<'a> {
    file: &'a str,
    start_line: u32,
    end_line: u32,
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low => "Low",
    }
}

/// Writes the report. `scan_time` is the scan's start and end, as GitLab
/// wants it: `YYYY-MM-DDTHH:MM:SS`, UTC.
pub fn render(
    analysis: &Analysis,
    kb: &KnowledgeBase,
    origin: &Origin,
    scan_time: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let tool =
        Tool { id: "rampart", name: "Rampart", version: &origin.tool_version, vendor: Vendor { name: "Rampart" } };
    let report = Report {
        schema: format!(
            "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v{SCHEMA_VERSION}/dist/sast-report-format.json"
        ),
        version: SCHEMA_VERSION,
        scan: Scan {
            analyzer: tool.clone(),
            scanner: tool,
            kind: "sast",
            start_time: scan_time,
            end_time: scan_time,
            status: "success",
        },
        vulnerabilities: crate::table::by_severity(analysis)
            .into_iter()
            .filter(|threat| threat.is_unresolved())
            .map(|threat| vulnerability(threat, kb, origin))
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

fn vulnerability<'a>(threat: &'a ThreatInstance, kb: &KnowledgeBase, origin: &'a Origin) -> Vulnerability<'a> {
    let mut description = threat.description.trim().to_string();
    if !threat.because.is_empty() {
        description.push_str("\n\nWhy it applies: ");
        description.push_str(&threat.because.join("; "));
        description.push('.');
    }
    let missing: Vec<String> = threat
        .countermeasures
        .iter()
        .filter(|c| !c.present)
        .map(|c| {
            let guidance = kb
                .countermeasure(c.id)
                .and_then(|index| kb.countermeasures[index].guidance.as_deref())
                .map(|g| format!(": {}", g.trim()))
                .unwrap_or_default();
            format!("{}{guidance}", c.name)
        })
        .collect();
    let mut identifiers = vec![
        Identifier { kind: "rampart_threat", name: threat.id.clone(), value: threat.id.clone(), url: None },
        Identifier {
            kind: "rampart_rule",
            name: format!("Rampart rule {}", threat.rule),
            value: threat.rule.to_string(),
            url: None,
        },
    ];
    identifiers.extend(threat.cwe.iter().map(|cwe| Identifier {
        kind: "cwe",
        name: format!("CWE-{cwe}"),
        value: cwe.to_string(),
        url: Some(format!("https://cwe.mitre.org/data/definitions/{cwe}.html")),
    }));
    identifiers.extend(threat.capec.iter().map(|capec| Identifier {
        kind: "capec",
        name: format!("CAPEC-{capec}"),
        value: capec.to_string(),
        url: Some(format!("https://capec.mitre.org/data/definitions/{capec}.html")),
    }));
    // GitLab needs a line of at least 1; model-wide threats sit at the top.
    let line = threat.location.line.max(1);
    Vulnerability {
        id: &threat.id,
        name: format!("{} ({})", threat.title, threat.target.name),
        description,
        severity: severity(threat.current.severity),
        solution: if missing.is_empty() {
            "Every countermeasure the rule names is declared; review whether they are effective.".to_string()
        } else {
            missing.join("\n")
        },
        identifiers,
        location: Location { file: &origin.model_path, start_line: line, end_line: line },
    }
}
