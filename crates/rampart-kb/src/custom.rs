//! A model's own threats (`custom_threats:`) as rules of the library the
//! model is analyzed with, so the engine scores, explains and tracks them
//! like every other threat and no renderer needs to know they are special.

use rampart_model::{CustomThreat, Model};

use crate::files::Stride;
use crate::library::{DataCond, ElementCond, FlowCond, KnowledgeBase, Match, ModelCond, Threat};

impl KnowledgeBase {
    /// Adds each custom threat of `model` as a rule that applies exactly to
    /// the targets it names. The model must have passed
    /// [`rampart_model::validate`] against this library: unknown targets,
    /// countermeasures and STRIDE words are skipped here, not reported.
    pub fn add_custom_threats(&mut self, model: &Model) {
        for custom in &model.custom_threats {
            for applies_to in matches_for(custom, model) {
                let threat = rule(custom, applies_to, self);
                self.threat_index.entry(threat.id.clone()).or_insert(self.threats.len());
                self.threats.push(threat);
            }
        }
    }
}

/// One rule per kind of target named (elements, flows, data), or one for the
/// whole model when no target is named.
fn matches_for(custom: &CustomThreat, model: &Model) -> Vec<Match> {
    if custom.targets.is_empty() {
        return vec![Match::Model(ModelCond::All(Vec::new()))];
    }
    let (mut elements, mut flows, mut data) = (Vec::new(), Vec::new(), Vec::new());
    for target in &custom.targets {
        let id = target.value.as_str();
        let is_element =
            model.components.iter().any(|c| c.id.value == id) || model.actors.iter().any(|a| a.id.value == id);
        if is_element {
            elements.push(id.to_string());
        } else if model.flows.iter().any(|f| f.id() == id) {
            flows.push(id.to_string());
        } else if model.data.iter().any(|d| d.id.value == id) {
            data.push(id.to_string());
        }
    }
    let mut matches = Vec::new();
    if !elements.is_empty() {
        matches.push(Match::Element(ElementCond::Listed(elements)));
    }
    if !flows.is_empty() {
        matches.push(Match::Flow(FlowCond::Listed(flows)));
    }
    if !data.is_empty() {
        matches.push(Match::Data(DataCond::Listed(data)));
    }
    matches
}

fn rule(custom: &CustomThreat, applies_to: Match, kb: &KnowledgeBase) -> Threat {
    let mut description = custom.description.clone().unwrap_or_default();
    if !custom.mitigations.is_empty() {
        if !description.is_empty() {
            description.push_str("\n\n");
        }
        description.push_str("Mitigations recorded with the threat: ");
        description.push_str(&custom.mitigations.join("; "));
    }
    if description.is_empty() {
        description = custom.title.clone();
    }
    Threat {
        id: custom.id.value.clone(),
        title: custom.title.clone(),
        description,
        stride: custom.stride.iter().filter_map(|word| Stride::parse(&word.value)).collect(),
        cwe: custom.cwe.clone(),
        capec: custom.capec.clone(),
        attack: Vec::new(),
        owasp_llm: Vec::new(),
        unconditional_because: Some("the model declares this threat in `custom_threats`".to_string()),
        applies_to,
        likelihood: custom.likelihood().clamp(1, 5),
        impact: custom.impact().clamp(1, 5),
        countermeasures: custom.countermeasures.iter().filter_map(|id| kb.countermeasure(&id.value)).collect(),
        references: Vec::new(),
        source: "the model's custom_threats".to_string(),
    }
}
