//! Threats recorded on cells → custom threats and tracking entries.

use std::collections::{HashMap, HashSet};

use rampart_model::{CustomThreat, Diagnostic, Located, Position, SourceRef, Status, Tracking};

use super::{Converter, Role, display, join_notes, non_empty, one_line};
use crate::ids::slugify;
use crate::threat_dragon::format::{Cell, Threat};
use crate::threat_dragon::threats;

impl Converter<'_> {
    /// Threats recorded on cells become custom threats. The same threat
    /// (same title, type, texts and severity) on several cells is one custom
    /// threat with several targets; each target's status is a tracking entry.
    pub(super) fn threats(&mut self) -> (Vec<CustomThreat>, Vec<Tracking>) {
        let mut custom: Vec<CustomThreat> = Vec::new();
        let mut tracking: Vec<Tracking> = Vec::new();
        let mut by_content: HashMap<(String, String, String, String, String), usize> = HashMap::new();
        let mut used_ids: HashSet<String> = HashSet::new();
        let mut tracked: HashMap<String, Status> = HashMap::new();
        for index in 0..self.cells.len() {
            let Some(placed) = self.cells.get(index) else { continue };
            let cell = placed.cell;
            let Some(cell_threats) = cell.data.as_ref().and_then(|data| data.threats.as_ref()) else { continue };
            let target = placed.id.clone().filter(|_| placed.role.is_element() || placed.role == Role::Flow);
            let label = display(&placed.name, &cell.id.value).to_string();
            let role = placed.role;
            for threat in cell_threats {
                let at = threat_position(threat, cell);
                if target.is_none() {
                    self.warnings.push(Diagnostic::warning(
                        at,
                        format!(
                            "threat on {} `{label}`, which is not imported; the threat is raised on the model as a \
                             whole",
                            role.word()
                        ),
                    ));
                }
                let key = content_key(threat);
                let slot = match by_content.get(&key) {
                    Some(&slot) => slot,
                    None => {
                        let new = self.custom_threat(threat, at, &mut used_ids);
                        custom.push(new);
                        by_content.insert(key, custom.len() - 1);
                        custom.len() - 1
                    }
                };
                let Some(entry) = custom.get_mut(slot) else { continue };
                if let Some(target) = &target
                    && !entry.targets.iter().any(|known| &known.value == target)
                {
                    entry.targets.push(Located { value: target.clone(), at });
                }
                let Some(status) = threat.status.as_ref().filter(|status| !status.value.trim().is_empty()) else {
                    continue;
                };
                let Some(mapped) = threats::status(&status.value) else {
                    self.warnings.push(Diagnostic::warning(
                        status.at,
                        format!(
                            "threat status `{}` is not one of Open, Mitigated, NotApplicable; the threat is left \
                             untracked",
                            status.value
                        ),
                    ));
                    continue;
                };
                let threat_id = format!("{}@{}", entry.id.value, target.as_deref().unwrap_or("model"));
                if let Some(&earlier) = tracked.get(&threat_id) {
                    if earlier != mapped {
                        self.warnings.push(Diagnostic::warning(
                            status.at,
                            format!(
                                "threat `{threat_id}` is recorded twice with different statuses; the first is kept"
                            ),
                        ));
                    }
                    continue;
                }
                tracked.insert(threat_id.clone(), mapped);
                let justification = match mapped {
                    Status::FalsePositive => Some("Marked not applicable in Threat Dragon".to_string()),
                    _ => None,
                };
                tracking.push(Tracking {
                    threat: Located { value: threat_id, at: status.at },
                    status: mapped,
                    justification,
                    ..Tracking::default()
                });
            }
        }
        (custom, tracking)
    }

    fn custom_threat(&mut self, threat: &Threat, at: Position, used_ids: &mut HashSet<String>) -> CustomThreat {
        let title = match threat.title.as_ref().map(|title| one_line(&title.value)).filter(|title| !title.is_empty()) {
            Some(title) => title,
            None => {
                let fallback = non_empty(threat.threat_type.as_ref()).unwrap_or_else(|| "Threat Dragon threat".into());
                self.warnings.push(Diagnostic::warning(
                    at,
                    format!("threat without a title; titled `{fallback}` after its type"),
                ));
                fallback
            }
        };
        let base = format!("td-{}", slugify(&title));
        let base = if base == "td-" { "td-threat".to_string() } else { base };
        let mut id = base.clone();
        let mut number = 2;
        while !used_ids.insert(id.clone()) {
            id = format!("{base}-{number}");
            number += 1;
        }
        let mut notes: Vec<String> = non_empty(threat.description.as_ref()).into_iter().collect();
        let mut stride = Vec::new();
        if let Some(threat_type) = non_empty(threat.threat_type.as_ref()) {
            match threats::stride_category(&threat_type) {
                Some((category, exact)) => {
                    stride.push(Located { value: category.to_string(), at });
                    if !exact {
                        notes.push(format!("Threat Dragon type: {threat_type}."));
                    }
                }
                None => {
                    let model = non_empty(threat.model_type.as_ref()).unwrap_or_else(|| "Threat Dragon".into());
                    notes.push(format!("{model} category: {threat_type}."));
                    self.warnings.push(Diagnostic::warning(
                        at,
                        format!(
                            "threat `{title}`: type `{threat_type}` ({model}) has no STRIDE category; kept in the \
                             description"
                        ),
                    ));
                }
            }
        }
        let mut score = None;
        if let Some(severity) = &threat.severity {
            match threats::severity_score(&severity.value) {
                Some(value) => score = value.map(|value| Located { value, at: severity.at }),
                None => self.warnings.push(Diagnostic::warning(
                    severity.at,
                    format!(
                        "threat `{title}`: severity `{}` is not one of Low, Medium, High, Critical; not rated",
                        severity.value
                    ),
                )),
            }
        }
        match &threat.score {
            Some(serde_json::Value::String(text)) if !text.trim().is_empty() => {
                notes.push(format!("Threat Dragon score: {}.", text.trim()));
            }
            Some(serde_json::Value::Number(number)) => notes.push(format!("Threat Dragon score: {number}.")),
            _ => {}
        }
        CustomThreat {
            id: Located { value: id, at },
            title,
            description: join_notes(notes),
            targets: Vec::new(),
            stride,
            likelihood: score.clone(),
            impact: score,
            mitigations: non_empty(threat.mitigation.as_ref()).into_iter().collect(),
            source: Some(SourceRef {
                file: String::new(),
                line: at.is_known().then_some(at.line),
                resource: threat.id.as_ref().map(|id| id.value.clone()),
            }),
            ..CustomThreat::default()
        }
    }
}

fn content_key(threat: &Threat) -> (String, String, String, String, String) {
    let text = |value: Option<&String>| value.map(|value| value.trim().to_string()).unwrap_or_default();
    (
        text(threat.title.as_ref().map(|title| &title.value)),
        text(threat.threat_type.as_ref()),
        text(threat.description.as_ref()),
        text(threat.mitigation.as_ref()),
        text(threat.severity.as_ref().map(|severity| &severity.value)),
    )
}

fn threat_position(threat: &Threat, cell: &Cell) -> Position {
    [threat.title.as_ref(), threat.id.as_ref(), threat.status.as_ref()]
        .into_iter()
        .flatten()
        .map(|value| value.at)
        .find(Position::is_known)
        .unwrap_or(cell.id.at)
}
