//! Threat instances: each becomes a custom threat on the flow it was raised
//! for (or the element, when it has no flow), and a tracking entry with the
//! state the user gave it in the tool.

use rampart_model::{CustomThreat, Diagnostic, Located, SourceRef, Status, Tracking};

use super::convert::{Converter, Mapped};
use super::read::ThreatInstance;
use super::tables;
use crate::ids::{IdAllocator, slugify};

/// The tool's name, for justifications it did not record.
const TOOL: &str = "Microsoft Threat Modeling Tool";

/// Property keys carried into the threat's fields; any other key is added
/// to its description.
const CARRIED_KEYS: &[&str] = &[
    "Title",
    "UserThreatCategory",
    "UserThreatShortDescription",
    "UserThreatDescription",
    "InteractionString",
    "PossibleMitigations",
    "Priority",
];

impl Converter<'_> {
    pub fn threats(&mut self, instances: &[ThreatInstance]) {
        let mut rule_ids = IdAllocator::default();
        for instance in instances {
            self.threat(instance, &mut rule_ids);
        }
    }

    fn threat(&mut self, instance: &ThreatInstance, rule_ids: &mut IdAllocator) {
        let at = self.at(instance.offset);
        let type_id = instance.type_id.clone().unwrap_or_else(|| "threat".to_string());
        let title = instance.value("Title").map(str::to_string).unwrap_or_else(|| type_id.clone());
        let Some(target) = self.threat_target(instance, &title) else {
            return;
        };
        let wanted = match &target {
            Some(target) => format!("tmt-{}-{target}", slugify(&type_id)),
            None => format!("tmt-{}", slugify(&type_id)),
        };
        let id = rule_ids.allocate(&wanted, "threat");
        let mut stride = Vec::new();
        if let Some(category) = instance.value("UserThreatCategory") {
            match tables::stride(category) {
                Some(word) => stride.push(Located { value: word.to_string(), at }),
                None => self.warn(
                    instance.offset,
                    format!("threat `{title}`: category `{category}` is not a STRIDE category; not imported"),
                ),
            }
        }
        let priority = instance.priority.as_deref().or_else(|| instance.value("Priority"));
        let score = priority.and_then(|priority| {
            let score = tables::priority_scores(priority);
            if score.is_none() {
                self.warn(
                    instance.offset,
                    format!("threat `{title}`: priority `{priority}` is not High, Medium or Low"),
                );
            }
            score
        });
        let mitigations: Vec<String> = instance
            .value("PossibleMitigations")
            .map(tables::plain_text)
            .filter(|text| !text.is_empty())
            .into_iter()
            .collect();
        let mut description: Vec<String> =
            instance.value("UserThreatDescription").map(str::to_string).into_iter().collect();
        for (key, value) in &instance.properties {
            if !CARRIED_KEYS.contains(&key.as_str()) && !value.trim().is_empty() {
                description.push(format!("{key}: {}", value.trim()));
            }
        }
        let targets: Vec<Located<String>> = target.iter().map(|target| Located { value: target.clone(), at }).collect();
        self.model.custom_threats.push(CustomThreat {
            id: Located { value: id.clone(), at },
            title: title.clone(),
            description: Some(description.join("\n")).filter(|text| !text.is_empty()),
            targets,
            stride,
            likelihood: score.map(|value| Located { value, at }),
            impact: score.map(|value| Located { value, at }),
            mitigations,
            source: Some(SourceRef {
                file: String::new(),
                line: Some(at.line),
                resource: Some(match &instance.number {
                    Some(number) => format!("{type_id} #{number}"),
                    None => type_id.clone(),
                }),
            }),
            ..CustomThreat::default()
        });
        self.tracking(instance, &id, target.as_deref().unwrap_or("model"), &title);
    }

    /// The flow or element a threat is on: `Some(None)` for the model as a
    /// whole, `None` when the threat cannot be imported (an error or warning
    /// says why).
    fn threat_target(&mut self, instance: &ThreatInstance, title: &str) -> Option<Option<String>> {
        let guid = attached(&instance.flow).or(attached(&instance.target)).or(attached(&instance.source));
        let Some(guid) = guid else {
            return Some(None);
        };
        match self.by_guid.get(guid) {
            Some(Mapped::Flow(id) | Mapped::Actor(id) | Mapped::Component(id)) => Some(Some(id.clone())),
            Some(Mapped::Boundary(id)) => {
                let message = format!("threat `{title}` is on boundary `{id}`; imported as a threat to the model");
                self.warn(instance.offset, message);
                Some(None)
            }
            Some(Mapped::Dropped(what)) => {
                let message = format!("threat `{title}` is on {what}; imported as a threat to the model");
                self.warn(instance.offset, message);
                Some(None)
            }
            None => {
                let at = self.at(instance.offset);
                self.errors.push(Diagnostic::error(
                    at,
                    format!("threat `{title}` is on `{guid}`, which is not an element or flow of any diagram"),
                ));
                None
            }
        }
    }

    fn tracking(&mut self, instance: &ThreatInstance, id: &str, target: &str, title: &str) {
        let Some(state) = instance.state.as_deref() else {
            return;
        };
        let status = match tables::status(state) {
            Some(status) => status,
            None => {
                self.warn(instance.offset, format!("threat `{title}`: state `{state}` is not known; tracked as open"));
                Status::Open
            }
        };
        let reason = instance.state_information.clone().filter(|text| !text.trim().is_empty());
        let justification = match status {
            Status::Accepted | Status::FalsePositive => {
                Some(reason.unwrap_or_else(|| format!("Marked {} in {TOOL}", spaced(state))))
            }
            _ => reason,
        };
        self.model.threats.push(Tracking {
            threat: Located { value: format!("{id}@{target}"), at: self.at(instance.offset) },
            status,
            justification,
            ..Tracking::default()
        });
    }
}

/// The GUID, unless it is missing or the all-zero "not attached" GUID.
fn attached(guid: &Option<String>) -> Option<&str> {
    guid.as_deref().filter(|guid| !guid.is_empty() && !guid.chars().all(|c| c == '0' || c == '-'))
}

/// `NotApplicable` → `not applicable`.
fn spaced(state: &str) -> String {
    let mut words = String::new();
    for c in state.chars() {
        if c.is_ascii_uppercase() && !words.is_empty() {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    words
}
