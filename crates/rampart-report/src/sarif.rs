//! SARIF 2.1.0, shaped the way GitHub code scanning reads it: one rule per
//! library threat with a stable id, CWE tags and a CWE taxonomy, a
//! `security-severity` per rule, one result per threat instance located at the
//! model line that declares its target, fingerprints from the stable threat
//! id, and accepted or false-positive threats as suppressions.

use std::collections::BTreeSet;

use std::io::{self, Write};

use rampart_engine::{Analysis, Severity, TargetKind, ThreatInstance};
use rampart_kb::{KnowledgeBase, Threat};
use rampart_model::Status;
use serde::Serialize;
use serde_json::{Value, json};

use crate::Origin;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// 1–25 risk score on the 0.0–10.0 scale GitHub expects.
fn security_severity(score: f32) -> String {
    format!("{:.1}", (score / 25.0 * 10.0).clamp(0.0, 10.0))
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn pascal_case(id: &str) -> String {
    id.split(['-', '_', '.'])
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn rule(threat: &Threat, kb: &KnowledgeBase) -> Value {
    let mut tags = vec!["security".to_string()];
    tags.extend(threat.cwe.iter().map(|cwe| format!("external/cwe/cwe-{cwe}")));
    tags.extend(threat.stride.iter().map(|s| format!("stride/{}", s.label().to_lowercase().replace(' ', "-"))));
    let countermeasures: Vec<String> = threat
        .countermeasures
        .iter()
        .map(|&i| format!("- **{}**: {}", kb.countermeasures[i].name, kb.countermeasures[i].description))
        .collect();
    let help_markdown =
        format!("{}\n\n**Countermeasures**\n\n{}\n", threat.description.trim(), countermeasures.join("\n"));
    let relationships: Vec<Value> = threat
        .cwe
        .iter()
        .map(|cwe| json!({"target": {"id": cwe.to_string(), "toolComponent": {"name": "CWE", "index": 0}}, "kinds": ["superset"]}))
        .collect();
    let base_score = f32::from(threat.likelihood) * f32::from(threat.impact);
    let mut rule = json!({
        "id": threat.id,
        "name": pascal_case(&threat.id),
        "shortDescription": {"text": threat.title},
        "fullDescription": {"text": threat.description.trim()},
        "help": {"text": threat.description.trim(), "markdown": help_markdown},
        "defaultConfiguration": {"level": level(Severity::from_score(base_score))},
        "properties": {
            "tags": tags,
            "security-severity": security_severity(base_score),
            "precision": "medium",
            "problem.severity": "warning",
            "capec": threat.capec.iter().map(|c| format!("CAPEC-{c}")).collect::<Vec<_>>(),
            "attack": threat.attack,
        },
        "relationships": relationships,
    });
    if let Some(uri) = threat.references.first() {
        rule["helpUri"] = json!(uri);
    }
    rule
}

// Results are typed and borrow from the analysis: a large model has hundreds
// of thousands of them, and a `serde_json::Value` per result cost gigabytes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location<'a>; 1],
    partial_fingerprints: Fingerprints<'a>,
    properties: ResultProperties<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation<'a> {
    uri: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
}

#[derive(Serialize)]
struct LogicalLocation<'a> {
    name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "rampartThreatId/v1")]
    threat_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    threat_id: &'a str,
    status: &'static str,
    #[serde(rename = "security-severity")]
    security_severity: String,
    inherent_score: f32,
    current_score: f32,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

fn result<'a>(threat: &'a ThreatInstance, origin: &'a Origin) -> SarifResult<'a> {
    let mut message = format!("{} on `{}`: {}", threat.title, threat.target.id, threat.because.join("; "));
    let missing: Vec<&str> = threat.countermeasures.iter().filter(|c| !c.present).map(|c| c.name).collect();
    if !missing.is_empty() {
        message.push_str(&format!(". Missing countermeasures: {}.", missing.join(", ")));
    }
    let justification = threat.tracking.as_ref().and_then(|t| t.justification).unwrap_or("");
    let suppressions = match threat.status {
        Status::Accepted if !threat.is_unresolved() => {
            vec![Suppression { kind: "external", status: "accepted", justification: justification.to_string() }]
        }
        Status::FalsePositive => vec![Suppression {
            kind: "external",
            status: "accepted",
            justification: format!("false positive: {justification}"),
        }],
        _ => Vec::new(),
    };
    let kind = match threat.target.kind {
        TargetKind::Element => "element",
        TargetKind::Flow => "flow",
        TargetKind::Data => "data",
        TargetKind::Model => "model",
    };
    SarifResult {
        rule_id: threat.rule,
        rule_index: threat.rule_index,
        level: level(threat.current.severity),
        message: Text { text: message },
        locations: [Location {
            // A threat on imported infrastructure points at the line of IaC
            // to change; otherwise at the model line declaring the target.
            physical_location: match threat.target.source.as_ref().and_then(|s| Some((s, s.line?))) {
                Some((source, line)) => PhysicalLocation {
                    artifact_location: ArtifactLocation { uri: &source.file },
                    region: Region { start_line: line.max(1), start_column: 1 },
                },
                None => PhysicalLocation {
                    artifact_location: ArtifactLocation { uri: &origin.model_path },
                    region: Region {
                        start_line: threat.location.line.max(1),
                        start_column: threat.location.column.max(1),
                    },
                },
            },
            logical_locations: [LogicalLocation { name: &threat.target.id, kind }],
        }],
        partial_fingerprints: Fingerprints { threat_id: &threat.id },
        properties: ResultProperties {
            threat_id: &threat.id,
            status: crate::status_text(threat.status),
            security_severity: security_severity(threat.current.score),
            inherent_score: threat.inherent.score,
            current_score: threat.current.score,
        },
        suppressions,
    }
}

/// Serializes the results lazily, one at a time, as the writer asks.
struct Results<'a, 'k, 'm> {
    analysis: &'a Analysis<'k, 'm>,
    origin: &'a Origin,
}

impl Serialize for Results<'_, '_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.analysis.threats.iter().map(|threat| result(threat, self.origin)))
    }
}

pub fn render(analysis: &Analysis, kb: &KnowledgeBase, origin: &Origin, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<Value> = kb.threats.iter().map(|threat| rule(threat, kb)).collect();
    let cwes: BTreeSet<u32> = kb.threats.iter().flat_map(|t| t.cwe.iter().copied()).collect();
    let taxa: Vec<Value> = cwes
        .iter()
        .map(|cwe| json!({"id": cwe.to_string(), "helpUri": format!("https://cwe.mitre.org/data/definitions/{cwe}.html")}))
        .collect();
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "Rampart",
                    "semanticVersion": origin.tool_version,
                    "version": origin.tool_version,
                    "informationUri": "https://github.com/rampart-tm/rampart",
                    "rules": rules,
                    "supportedTaxonomies": [{"name": "CWE", "index": 0}],
                }
            },
            "taxonomies": [{
                "name": "CWE",
                "organization": "MITRE",
                "shortDescription": {"text": "The MITRE Common Weakness Enumeration"},
                "informationUri": "https://cwe.mitre.org/",
                "isComprehensive": false,
                "taxa": taxa,
            }],
            "automationDetails": {"id": format!("rampart/{}/", origin.model_path)},
            "results": [],
        }]
    });
    // The small parts go through `json!`; the results are spliced in lazily.
    #[derive(Serialize)]
    struct Document<'a, 'k, 'm> {
        #[serde(rename = "$schema")]
        schema: &'static str,
        version: &'static str,
        runs: [Run<'a, 'k, 'm>; 1],
    }
    #[derive(Serialize)]
    struct Run<'a, 'k, 'm> {
        tool: &'a Value,
        taxonomies: &'a Value,
        #[serde(rename = "automationDetails")]
        automation_details: &'a Value,
        results: Results<'a, 'k, 'm>,
    }
    let run = &document["runs"][0];
    let document = Document {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: &run["tool"],
            taxonomies: &run["taxonomies"],
            automation_details: &run["automationDetails"],
            results: Results { analysis, origin },
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
