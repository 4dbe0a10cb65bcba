//! Findings: pytm raises one finding per rule and target; Rampart gets one
//! custom threat per rule (`pytm-<threat_id>`) targeting all of them, and a
//! tracking entry where the finding records how it is handled.

use std::collections::HashMap;

use rampart_model::{CustomThreat, Located, Position, SourceRef, Status, Tracking};

use super::convert::{Converter, Named};
use super::format::Finding;
use super::tables;
use crate::ids::{IdAllocator, slugify};

impl Converter {
    pub(super) fn findings(&mut self, findings: &[Finding]) {
        let mut rule_ids = IdAllocator::default();
        let mut by_rule: HashMap<String, usize> = HashMap::new();
        for finding in findings {
            let at = finding.threat_id.as_ref().or(finding.target.as_ref()).map_or(Position::UNKNOWN, |l| l.at);
            let Some(rule) = finding.threat_id.as_ref().filter(|id| !id.value.trim().is_empty()) else {
                self.error(
                    at,
                    "finding has no `threat_id`: expected the id of the pytm threat it raises (e.g. `INP02`)",
                );
                continue;
            };
            let target = match &finding.target {
                Some(target) => match self.names.get(&target.value) {
                    Some(Named::Actor(id) | Named::Component(id) | Named::Flow(id)) => {
                        Some(Located { value: id.clone(), at: target.at })
                    }
                    Some(Named::Boundary(id)) => {
                        let message = format!(
                            "finding `{}` is on boundary `{id}`; imported as a threat to the model",
                            rule.value
                        );
                        self.warn(target.at, message);
                        None
                    }
                    None => {
                        let message = format!(
                            "finding `{}` targets `{}`, which is not an element or flow of the model",
                            rule.value, target.value
                        );
                        self.error(target.at, message);
                        continue;
                    }
                },
                None => None,
            };
            let index = match by_rule.get(&rule.value) {
                Some(&index) => index,
                None => {
                    let threat = self.custom_threat(finding, rule, &mut rule_ids);
                    self.model.custom_threats.push(threat);
                    by_rule.insert(rule.value.clone(), self.model.custom_threats.len() - 1);
                    self.model.custom_threats.len() - 1
                }
            };
            let Some(threat) = self.model.custom_threats.get_mut(index) else { continue };
            let id = threat.id.value.clone();
            let target_id = target.as_ref().map_or_else(|| "model".to_string(), |t| t.value.clone());
            if let Some(target) = target
                && !threat.targets.iter().any(|t| t.value == target.value)
            {
                threat.targets.push(target);
            }
            self.tracking(finding, &id, &target_id);
        }
    }

    fn custom_threat(&mut self, finding: &Finding, rule: &Located<String>, rule_ids: &mut IdAllocator) -> CustomThreat {
        let id = rule_ids.allocate(&format!("pytm-{}", slugify(&rule.value)), "threat");
        let title = finding.description.clone().filter(|d| !d.trim().is_empty()).unwrap_or_else(|| rule.value.clone());
        let score = finding.severity.as_ref().and_then(|severity| {
            let score = tables::severity_scores(&severity.value);
            if score.is_none() {
                self.warn(
                    severity.at,
                    format!("finding `{}`: severity `{}` is not known; not scored", rule.value, severity.value),
                );
            }
            score.map(|value| Located { value, at: severity.at })
        });
        let (cwe, capec) = tables::weakness_numbers(finding.references.as_deref().unwrap_or_default());
        let mut description = Vec::new();
        for (label, text) in
            [("", &finding.details), ("Example: ", &finding.example), ("References: ", &finding.references)]
        {
            if let Some(text) = text.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
                description.push(format!("{label}{text}"));
            }
        }
        if let Some(cvss) = &finding.cvss {
            let cvss = cvss.text();
            if !cvss.trim().is_empty() {
                description.push(format!("CVSS: {cvss}"));
            }
        }
        CustomThreat {
            id: Located { value: id, at: rule.at },
            title,
            description: Some(description.join("\n\n")).filter(|text| !text.is_empty()),
            cwe,
            capec,
            likelihood: score.clone(),
            impact: score,
            mitigations: finding.mitigations.iter().map(|m| m.trim().to_string()).filter(|m| !m.is_empty()).collect(),
            source: Some(SourceRef {
                file: String::new(),
                line: Some(rule.at.line).filter(|&l| l > 0),
                resource: Some(rule.value.clone()),
            }),
            ..CustomThreat::default()
        }
    }

    fn tracking(&mut self, finding: &Finding, id: &str, target: &str) {
        let Some(state) = finding.status.as_ref().or(finding.response.as_ref()).filter(|s| !s.value.trim().is_empty())
        else {
            return;
        };
        let Some((status, default_reason)) = tables::status(&state.value) else {
            self.warn(state.at, format!("finding `{id}`: response `{}` is not known; not tracked", state.value));
            return;
        };
        let threat = format!("{id}@{target}");
        if self.model.threats.iter().any(|entry| entry.threat.value == threat) {
            return;
        }
        let justification =
            default_reason.map(str::to_string).filter(|_| matches!(status, Status::Accepted | Status::FalsePositive));
        self.model.threats.push(Tracking {
            threat: Located { value: threat, at: state.at },
            status,
            justification,
            ..Tracking::default()
        });
    }
}
