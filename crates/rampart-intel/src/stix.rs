//! STIX 2.1 bundles: attack patterns (with CAPEC and ATT&CK references),
//! vulnerabilities (with CVE and CWE references, and the software they
//! affect through relationships), and indicators (through the attack patterns
//! and vulnerabilities they indicate).

use std::collections::HashMap;

use rampart_model::{Diagnostic, Position};
use serde::Deserialize;

use crate::{IntelItem, cwe_number, technology_terms};

#[derive(Deserialize)]
struct Bundle {
    id: String,
    #[serde(default)]
    objects: Vec<serde_json::Value>,
}

#[derive(Default)]
struct References {
    cwe: Vec<u32>,
    capec: Vec<u32>,
    attack: Vec<String>,
    cve: Option<String>,
}

fn references(object: &serde_json::Value) -> References {
    let mut found = References::default();
    let Some(list) = object.get("external_references").and_then(|r| r.as_array()) else { return found };
    for reference in list {
        let source = reference.get("source_name").and_then(|s| s.as_str()).unwrap_or("").to_ascii_lowercase();
        let Some(id) = reference.get("external_id").and_then(|s| s.as_str()) else { continue };
        match source.as_str() {
            "capec" => {
                if let Some(number) = id.to_ascii_uppercase().strip_prefix("CAPEC-").and_then(|n| n.parse().ok()) {
                    found.capec.push(number);
                }
            }
            "cwe" => found.cwe.extend(cwe_number(id)),
            "cve" => found.cve = Some(id.to_string()),
            source if source.starts_with("mitre-") && id.starts_with('T') => found.attack.push(id.to_string()),
            _ => {}
        }
    }
    found
}

fn text<'a>(object: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    object.get(key).and_then(|v| v.as_str())
}

pub fn read(source_text: &str) -> Result<(Vec<IntelItem>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let bundle: Bundle = rampart_model::parse::from_json(source_text).map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    let by_id: HashMap<&str, &serde_json::Value> =
        bundle.objects.iter().filter_map(|object| text(object, "id").map(|id| (id, object))).collect();

    // Software names linked to each object by any relationship, either way.
    let mut linked_software: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut indicated: Vec<(&str, &str)> = Vec::new();
    for object in &bundle.objects {
        if text(object, "type") != Some("relationship") {
            continue;
        }
        let (Some(source), Some(target)) = (text(object, "source_ref"), text(object, "target_ref")) else {
            problems.push(Diagnostic::error(Position::UNKNOWN, "a relationship lacks source_ref or target_ref"));
            continue;
        };
        if text(object, "relationship_type") == Some("indicates") {
            indicated.push((source, target));
        }
        for (this, other) in [(source, target), (target, source)] {
            if let Some(other_object) = by_id.get(other)
                && matches!(text(other_object, "type"), Some("software" | "infrastructure" | "tool"))
                && let Some(name) = text(other_object, "name")
            {
                linked_software.entry(this).or_default().push(name);
            }
        }
    }

    let mut items = Vec::new();
    for object in &bundle.objects {
        let kind = text(object, "type").unwrap_or("");
        if !matches!(kind, "attack-pattern" | "vulnerability" | "indicator") {
            continue;
        }
        let Some(id) = text(object, "id") else {
            problems.push(Diagnostic::error(Position::UNKNOWN, format!("a `{kind}` object has no id")));
            continue;
        };
        let mut refs = references(object);
        let mut software: Vec<&str> = linked_software.get(id).cloned().unwrap_or_default();
        if kind == "indicator" {
            // An indicator says what it indicates: take over those objects' facts.
            for (_, target) in indicated.iter().filter(|(source, _)| *source == id) {
                if let Some(target_object) = by_id.get(target) {
                    let target_refs = references(target_object);
                    refs.cwe.extend(target_refs.cwe);
                    refs.capec.extend(target_refs.capec);
                    refs.attack.extend(target_refs.attack);
                    software.extend(linked_software.get(target).cloned().unwrap_or_default());
                }
            }
        }
        let name = text(object, "name").map(str::to_string).or(refs.cve.clone()).unwrap_or_else(|| id.to_string());
        let item = IntelItem {
            source: format!("STIX {}", bundle.id),
            id: refs.cve.clone().unwrap_or_else(|| id.to_string()),
            name,
            technologies: technology_terms(&software),
            cwe: refs.cwe,
            capec: refs.capec,
            attack: refs.attack,
            date: text(object, "created").map(|date| date.chars().take(10).collect()),
        };
        if item.cwe.is_empty() && item.capec.is_empty() && item.attack.is_empty() {
            // Nothing to match a threat by: say so rather than keep dead weight.
            problems.push(Diagnostic::warning(
                Position::UNKNOWN,
                format!("`{id}` names no CWE, CAPEC or ATT&CK id, so it cannot raise any threat"),
            ));
            continue;
        }
        items.push(item);
    }
    if problems.iter().any(Diagnostic::is_error) {
        return Err(problems);
    }
    Ok((items, problems))
}
