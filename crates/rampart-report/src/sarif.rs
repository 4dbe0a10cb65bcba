//! SARIF 2.1.0, shaped the way GitHub code scanning reads it: one rule per
//! library threat with a stable id, CWE tags and a CWE taxonomy, a
//! `security-severity` per rule, one result per threat instance located at the
//! model line that declares its target, fingerprints from the stable threat
//! id, and accepted or false-positive threats as suppressions.

use std::collections::BTreeSet;

use rampart_engine::{Analysis, Severity, ThreatInstance};
use rampart_kb::{KnowledgeBase, Threat};
use rampart_model::Status;
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

fn result(threat: &ThreatInstance, origin: &Origin) -> Value {
    let line = threat.location.line.max(1);
    let column = threat.location.column.max(1);
    let mut message = format!("{} on `{}`: {}", threat.title, threat.target.id, threat.because.join("; "));
    let missing: Vec<&str> = threat.countermeasures.iter().filter(|c| !c.present).map(|c| c.name).collect();
    if !missing.is_empty() {
        message.push_str(&format!(". Missing countermeasures: {}.", missing.join(", ")));
    }
    let mut result = json!({
        "ruleId": threat.rule,
        "ruleIndex": threat.rule_index,
        "level": level(threat.current.severity),
        "message": {"text": message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": origin.model_path},
                "region": {"startLine": line, "startColumn": column},
            },
            "logicalLocations": [{"name": threat.target.id, "kind": format!("{:?}", threat.target.kind).to_lowercase()}],
        }],
        "partialFingerprints": {"rampartThreatId/v1": threat.id},
        "properties": {
            "threatId": threat.id,
            "status": crate::status_text(threat.status),
            "security-severity": security_severity(threat.current.score),
            "inherentScore": threat.inherent.score,
            "currentScore": threat.current.score,
        },
    });
    let justification = threat.tracking.as_ref().and_then(|t| t.justification).unwrap_or("");
    match threat.status {
        Status::Accepted if !threat.is_unresolved() => {
            result["suppressions"] =
                json!([{"kind": "external", "status": "accepted", "justification": justification}]);
        }
        Status::FalsePositive => {
            result["suppressions"] = json!([{"kind": "external", "status": "accepted", "justification": format!("false positive: {justification}")}]);
        }
        _ => {}
    }
    result
}

pub fn render(analysis: &Analysis, kb: &KnowledgeBase, origin: &Origin) -> String {
    let rules: Vec<Value> = kb.threats.iter().map(|threat| rule(threat, kb)).collect();
    let cwes: BTreeSet<u32> = kb.threats.iter().flat_map(|t| t.cwe.iter().copied()).collect();
    let taxa: Vec<Value> = cwes
        .iter()
        .map(|cwe| json!({"id": cwe.to_string(), "helpUri": format!("https://cwe.mitre.org/data/definitions/{cwe}.html")}))
        .collect();
    let results: Vec<Value> = analysis.threats.iter().map(|threat| result(threat, origin)).collect();
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
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}
