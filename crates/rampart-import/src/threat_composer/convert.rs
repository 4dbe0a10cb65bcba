//! Threat Composer workspace → Rampart model.
//!
//! Passes: index mitigations and assumptions by id and resolve the links
//! (links left behind by deleted items are warnings: Threat Composer keeps
//! them), turn impacted assets into elements, then threats into custom
//! threats with their tracking entries.

use std::collections::{HashMap, HashSet};

use rampart_model::{
    Component, CustomThreat, DataAsset, Diagnostic, Located, Model, Position, Rating, SourceRef, Status, Tracking,
};

use super::format::{Assumption, Document, Metadata, Mitigation, Threat};
use crate::Imported;
use crate::ids::{IdAllocator, slugify};
use crate::threat_dragon::guess;
use crate::threat_dragon::threats::severity_score;

pub(super) fn convert(document: &Document) -> Result<Imported, Vec<Diagnostic>> {
    let mut converter = Converter::new(document);
    let model = converter.model();
    let Converter { errors, warnings, .. } = converter;
    Imported::finish(model, errors, warnings)
}

/// An impacted asset turned into an element.
struct Asset {
    id: String,
    /// `None`: a data asset.
    kind: Option<&'static str>,
    name: String,
    at: Position,
    /// Per impacted goal (confidentiality, integrity, availability), the
    /// highest priority of a threat against it.
    ratings: [Rating; 3],
}

struct Converter<'d> {
    document: &'d Document,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    ids: IdAllocator,
    mitigations: HashMap<&'d str, &'d Mitigation>,
    assumptions: HashMap<&'d str, &'d Assumption>,
    /// Threat id → ids of its mitigations, in link order.
    threat_mitigations: HashMap<&'d str, Vec<&'d str>>,
    /// Threat or mitigation id → ids of the assumptions linked to it.
    linked_assumptions: HashMap<&'d str, Vec<&'d str>>,
    assets: Vec<Asset>,
    /// Normalised asset name → index into `assets`.
    asset_index: HashMap<String, usize>,
}

fn non_empty(text: Option<&String>) -> Option<String> {
    text.map(|text| text.trim()).filter(|text| !text.is_empty()).map(str::to_string)
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Asset names are free text typed per threat: compare them without case,
/// spacing or a final full stop.
fn asset_key(name: &str) -> String {
    one_line(name).trim_end_matches('.').to_lowercase()
}

fn metadata_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.trim().to_string(),
        serde_json::Value::Array(items) => items.iter().map(metadata_text).collect::<Vec<_>>().join(", "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The `Comments` entries of an item's metadata.
fn comments(metadata: Option<&Vec<Metadata>>) -> Vec<String> {
    metadata
        .into_iter()
        .flatten()
        .filter(|entry| entry.key.value == "Comments")
        .filter_map(|entry| entry.value.as_ref().map(metadata_text))
        .filter(|text| !text.is_empty())
        .collect()
}

impl<'d> Converter<'d> {
    fn new(document: &'d Document) -> Self {
        Converter {
            document,
            errors: Vec::new(),
            warnings: Vec::new(),
            ids: IdAllocator::default(),
            mitigations: HashMap::new(),
            assumptions: HashMap::new(),
            threat_mitigations: HashMap::new(),
            linked_assumptions: HashMap::new(),
            assets: Vec::new(),
            asset_index: HashMap::new(),
        }
    }

    fn model(&mut self) -> Model {
        self.check_schema();
        self.index_items();
        self.resolve_links();
        self.collect_assets();
        let (custom_threats, threats) = self.threats();
        self.report_unlinked_mitigations();
        let (components, data) = self.elements();

        let info = self.document.application_info.as_ref();
        let name = match info.and_then(|info| non_empty(info.name.as_ref())) {
            Some(name) => one_line(&name),
            None => {
                self.warnings.push(
                    Diagnostic::warning(Position::new(1, 1), "the workspace has no `applicationInfo.name`")
                        .with_help("the imported model is named `Threat Composer workspace`; set `name:` to rename it"),
                );
                "Threat Composer workspace".to_string()
            }
        };
        Model {
            rampart: Located::synthetic(rampart_model::FORMAT_VERSION),
            name,
            description: self.description(),
            components,
            data,
            threats,
            custom_threats,
            ..Model::default()
        }
    }

    /// Exports so far are schema 1; a later schema may move things.
    fn check_schema(&mut self) {
        let schema = self.document.schema.as_ref().map(metadata_text).unwrap_or_default();
        if !schema.is_empty() && schema != "1" {
            self.warnings.push(Diagnostic::warning(
                Position::new(1, 1),
                format!("workspace schema `{schema}`; this importer reads schema 1 and may miss newer content"),
            ));
        }
    }

    fn index_items(&mut self) {
        let document = self.document;
        for mitigation in document.mitigations.iter().flatten() {
            if self.mitigations.insert(mitigation.id.value.as_str(), mitigation).is_some() {
                self.errors.push(Diagnostic::error(
                    mitigation.id.at,
                    format!("mitigation id `{}` is used twice; expected unique ids", mitigation.id.value),
                ));
            }
        }
        for assumption in document.assumptions.iter().flatten() {
            if self.assumptions.insert(assumption.id.value.as_str(), assumption).is_some() {
                self.errors.push(Diagnostic::error(
                    assumption.id.at,
                    format!("assumption id `{}` is used twice; expected unique ids", assumption.id.value),
                ));
            }
        }
        let mut threat_ids = HashSet::new();
        for threat in document.threats.iter().flatten() {
            if !threat_ids.insert(threat.id.value.as_str()) {
                self.errors.push(Diagnostic::error(
                    threat.id.at,
                    format!("threat id `{}` is used twice; expected unique ids", threat.id.value),
                ));
            }
        }
    }

    /// Links to items that no longer exist are left behind by Threat Composer
    /// when an item is deleted: they are reported and skipped.
    fn resolve_links(&mut self) {
        let document = self.document;
        let threat_ids: HashSet<&str> =
            document.threats.iter().flatten().map(|threat| threat.id.value.as_str()).collect();
        for link in document.mitigation_links.iter().flatten() {
            let (mitigation, threat) = (&link.mitigation_id, &link.linked_id);
            if !self.mitigations.contains_key(mitigation.value.as_str()) {
                self.warnings.push(Diagnostic::warning(
                    mitigation.at,
                    format!(
                        "mitigation link names mitigation `{}`, which is not in the workspace; skipped",
                        mitigation.value
                    ),
                ));
            } else if !threat_ids.contains(threat.value.as_str()) {
                self.warnings.push(Diagnostic::warning(
                    threat.at,
                    format!("mitigation link names threat `{}`, which is not in the workspace; skipped", threat.value),
                ));
            } else {
                let linked = self.threat_mitigations.entry(threat.value.as_str()).or_default();
                if !linked.contains(&mitigation.value.as_str()) {
                    linked.push(mitigation.value.as_str());
                }
            }
        }
        for link in document.assumption_links.iter().flatten() {
            let (assumption, linked) = (&link.assumption_id, &link.linked_id);
            let link_type = link.link_type.as_ref().map_or("Threat", |link_type| link_type.value.as_str());
            let target_known = match link_type {
                "Mitigation" => self.mitigations.contains_key(linked.value.as_str()),
                _ => threat_ids.contains(linked.value.as_str()),
            };
            if !self.assumptions.contains_key(assumption.value.as_str()) {
                self.warnings.push(Diagnostic::warning(
                    assumption.at,
                    format!(
                        "assumption link names assumption `{}`, which is not in the workspace; skipped",
                        assumption.value
                    ),
                ));
            } else if !target_known {
                self.warnings.push(Diagnostic::warning(
                    linked.at,
                    format!(
                        "assumption link names {} `{}`, which is not in the workspace; skipped",
                        link_type.to_lowercase(),
                        linked.value
                    ),
                ));
            } else {
                self.linked_assumptions.entry(linked.value.as_str()).or_default().push(assumption.value.as_str());
            }
        }
    }

    /// Each distinct impacted asset becomes an element: a component when its
    /// name suggests a catalog type, a data asset when it names information,
    /// else a generic `service` component.
    fn collect_assets(&mut self) {
        let document = self.document;
        for threat in document.threats.iter().flatten() {
            for asset in threat.impacted_assets.iter().flatten() {
                let key = asset_key(&asset.value);
                if key.is_empty() || self.asset_index.contains_key(&key) {
                    continue;
                }
                let name = one_line(&asset.value).trim_end_matches('.').to_string();
                let (kind, what) = match guess::kind_from_name(&name, None) {
                    _ if guess::ends_with_data(&name) => (None, "data asset".to_string()),
                    Some((kind, _)) => (Some(kind), format!("component of type `{kind}`")),
                    None if guess::names_data(&name) => (None, "data asset".to_string()),
                    None => (Some("service"), "generic `service` component".to_string()),
                };
                let id = self.ids.allocate(&slugify(&name), if kind.is_some() { "component" } else { "data" });
                self.warnings.push(
                    Diagnostic::warning(
                        asset.at,
                        format!(
                            "impacted asset `{name}` becomes {what} `{id}`: Threat Composer has no diagram elements"
                        ),
                    )
                    .with_help("check its type, and add the flows between the elements by hand"),
                );
                self.asset_index.insert(key, self.assets.len());
                self.assets.push(Asset { id, kind, name, at: asset.at, ratings: [Rating::Low; 3] });
            }
        }
    }

    fn elements(&mut self) -> (Vec<Component>, Vec<DataAsset>) {
        let (mut components, mut data) = (Vec::new(), Vec::new());
        for asset in &self.assets {
            let description = Some("An impacted asset of the Threat Composer workspace.".to_string());
            match asset.kind {
                Some(kind) => components.push(Component {
                    id: Located { value: asset.id.clone(), at: asset.at },
                    name: Some(asset.name.clone()),
                    kind: Located { value: kind.to_string(), at: asset.at },
                    description,
                    ..Component::default()
                }),
                None => {
                    let [confidentiality, integrity, availability] = asset.ratings;
                    data.push(DataAsset {
                        id: Located { value: asset.id.clone(), at: asset.at },
                        name: Some(asset.name.clone()),
                        categories: guess::data_categories(&asset.name)
                            .into_iter()
                            .map(|category| Located { value: category.to_string(), at: asset.at })
                            .collect(),
                        confidentiality,
                        integrity,
                        availability,
                        description,
                    })
                }
            }
        }
        (components, data)
    }

    fn threats(&mut self) -> (Vec<CustomThreat>, Vec<Tracking>) {
        let document = self.document;
        let mut custom = Vec::new();
        let mut tracking = Vec::new();
        let mut used = HashSet::new();
        for threat in document.threats.iter().flatten() {
            let converted = self.custom_threat(threat, &mut used);
            if let Some(status) = threat.status.as_ref().filter(|status| !status.value.trim().is_empty()) {
                tracking.extend(self.tracking(&converted, status));
            }
            custom.push(converted);
        }
        (custom, tracking)
    }

    fn custom_threat(&mut self, threat: &'d Threat, used: &mut HashSet<String>) -> CustomThreat {
        let at = threat.id.at;
        let title = self.title(threat);
        let action = threat.threat_action.as_deref().map(slugify).unwrap_or_default();
        let short: Vec<&str> = action.split('-').filter(|word| !word.is_empty()).take(6).collect();
        let base = match (threat.numeric_id, short.is_empty()) {
            (Some(number), false) => format!("tc-{number}-{}", short.join("-")),
            (Some(number), true) => format!("tc-{number}"),
            (None, false) => format!("tc-{}", short.join("-")),
            (None, true) => "tc-threat".to_string(),
        };
        let mut id = base.clone();
        let mut number = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}-{number}");
            number += 1;
        }

        let (stride, score, mut notes) = self.metadata(threat, &title);
        let goals: Vec<String> = threat.impacted_goal.iter().flatten().map(|goal| goal.trim().to_lowercase()).collect();
        let mut targets: Vec<Located<String>> = Vec::new();
        for asset in threat.impacted_assets.iter().flatten() {
            let Some(&index) = self.asset_index.get(&asset_key(&asset.value)) else { continue };
            let Some(element) = self.assets.get_mut(index) else { continue };
            if !targets.iter().any(|target| target.value == element.id) {
                targets.push(Located { value: element.id.clone(), at: asset.at });
            }
            let rating = match score {
                Some(5) => Rating::Critical,
                Some(4) => Rating::High,
                Some(2) => Rating::Low,
                _ => Rating::Medium,
            };
            for (slot, goal) in ["confidentiality", "integrity", "availability"].iter().enumerate() {
                if goals.iter().any(|impacted| impacted == goal)
                    && let Some(current) = element.ratings.get_mut(slot)
                {
                    *current = (*current).max(rating);
                }
            }
        }

        let mut parts = Vec::new();
        for (label, value) in [
            ("Threat source", &threat.threat_source),
            ("Prerequisites", &threat.prerequisites),
            ("Action", &threat.threat_action),
            ("Impact", &threat.threat_impact),
        ] {
            if let Some(value) = non_empty(value.as_ref()) {
                parts.push(format!("{label}: {value}."));
            }
        }
        if !goals.is_empty() {
            parts.push(format!("Impacted goals: {}.", goals.join(", ")));
        }
        let tags: Vec<&str> =
            threat.tags.iter().flatten().map(|tag| tag.trim()).filter(|tag| !tag.is_empty()).collect();
        if !tags.is_empty() {
            parts.push(format!("Tags: {}.", tags.join(", ")));
        }
        let mut description: Vec<String> = vec![parts.join(" ")];
        description.append(&mut notes);
        for assumption in self.assumptions_of(&threat.id.value) {
            description.push(format!("Assumes: {assumption}"));
        }
        description.retain(|part| !part.is_empty());

        let located_score = score.map(|value| Located { value, at });
        CustomThreat {
            cwe: tags.iter().filter_map(|tag| cwe_number(tag)).collect(),
            id: Located { value: id, at },
            title,
            description: (!description.is_empty()).then(|| description.join("\n\n")),
            targets,
            stride,
            likelihood: located_score.clone(),
            impact: located_score,
            mitigations: self.mitigation_texts(&threat.id.value),
            source: Some(SourceRef {
                file: String::new(),
                line: at.is_known().then_some(at.line),
                resource: Some(threat.id.value.clone()),
            }),
            ..CustomThreat::default()
        }
    }

    /// The statement, else the statement rebuilt from its parts as Threat
    /// Composer phrases it.
    fn title(&mut self, threat: &Threat) -> String {
        if let Some(statement) = threat.statement.as_ref().map(|statement| one_line(&statement.value))
            && !statement.is_empty()
        {
            return statement;
        }
        let part = |value: &Option<String>| non_empty(value.as_ref()).map(|value| one_line(&value));
        let mut title = String::new();
        if let Some(source) = part(&threat.threat_source) {
            title.push_str(&format!("A {source} "));
        }
        if let Some(prerequisites) = part(&threat.prerequisites) {
            title.push_str(&format!("{prerequisites} "));
        }
        if let Some(action) = part(&threat.threat_action) {
            title.push_str(&format!("can {action}"));
        }
        if let Some(impact) = part(&threat.threat_impact) {
            title.push_str(&format!(", which leads to {impact}"));
        }
        let title = title.trim().to_string();
        if !title.is_empty() {
            return title;
        }
        let fallback = match threat.numeric_id {
            Some(number) => format!("Threat {number}"),
            None => "Threat Composer threat".to_string(),
        };
        self.warnings.push(Diagnostic::warning(
            threat.id.at,
            format!("threat `{}` has no statement and no parts; titled `{fallback}`", threat.id.value),
        ));
        fallback
    }

    /// STRIDE categories, the priority as a 1-5 score, and the notes to add
    /// to the description (comments and keys Rampart has no field for).
    fn metadata(&mut self, threat: &Threat, title: &str) -> (Vec<Located<String>>, Option<u8>, Vec<String>) {
        let (mut stride, mut score, mut notes) = (Vec::new(), None, Vec::new());
        for entry in threat.metadata.iter().flatten() {
            let value = entry.value.as_ref().map(metadata_text).unwrap_or_default();
            match entry.key.value.as_str() {
                "STRIDE" => {
                    for letter in value.split(|c: char| c == ',' || c.is_whitespace()).filter(|l| !l.is_empty()) {
                        match stride_letter(letter) {
                            Some(category) => {
                                if !stride.iter().any(|known: &Located<String>| known.value == category) {
                                    stride.push(Located { value: category.to_string(), at: entry.key.at });
                                }
                            }
                            None => self.warnings.push(Diagnostic::warning(
                                entry.key.at,
                                format!(
                                    "threat `{title}`: `{letter}` is not a STRIDE letter (S, T, R, I, D, E); ignored"
                                ),
                            )),
                        }
                    }
                }
                "Priority" => match severity_score(&value) {
                    Some(rated) => score = rated,
                    None => self.warnings.push(Diagnostic::warning(
                        entry.key.at,
                        format!("threat `{title}`: priority `{value}` is not one of High, Medium, Low; not rated"),
                    )),
                },
                "Comments" if !value.is_empty() => notes.push(value),
                key if !value.is_empty() => notes.push(format!("{key}: {value}")),
                _ => {}
            }
        }
        (stride, score, notes)
    }

    fn assumptions_of(&self, linked_id: &str) -> Vec<String> {
        self.linked_assumptions
            .get(linked_id)
            .into_iter()
            .flatten()
            .filter_map(|id| self.assumptions.get(id))
            .map(|assumption| one_line(&assumption.content))
            .collect()
    }

    /// Each linked mitigation in words, with its status and comments, as
    /// Rampart has no status per mitigation text.
    fn mitigation_texts(&self, threat_id: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for id in self.threat_mitigations.get(threat_id).into_iter().flatten() {
            let Some(mitigation) = self.mitigations.get(id) else { continue };
            let mut text = one_line(&mitigation.content);
            if let Some(status) = mitigation.status.as_ref().and_then(|status| mitigation_status(&status.value)) {
                text.push_str(&format!(" ({status})"));
            }
            for comment in comments(mitigation.metadata.as_ref()) {
                text.push_str(&format!("\n{comment}"));
            }
            for assumption in self.assumptions_of(&mitigation.id.value) {
                text.push_str(&format!("\nAssumes: {assumption}"));
            }
            texts.push(text);
        }
        texts
    }

    fn tracking(&mut self, threat: &CustomThreat, status: &Located<String>) -> Vec<Tracking> {
        let (mapped, justification) = match status.value.trim() {
            "threatIdentified" => (Status::Open, None),
            "threatResolved" => (Status::Mitigated, None),
            "threatResolvedNotUseful" => {
                (Status::FalsePositive, Some("Marked resolved as not useful in Threat Composer".to_string()))
            }
            other => {
                self.warnings.push(Diagnostic::warning(
                    status.at,
                    format!(
                        "threat status `{other}` is not one of threatIdentified, threatResolved, \
                         threatResolvedNotUseful; the threat is left untracked"
                    ),
                ));
                return Vec::new();
            }
        };
        let targets: Vec<&str> = match threat.targets.is_empty() {
            true => vec!["model"],
            false => threat.targets.iter().map(|target| target.value.as_str()).collect(),
        };
        targets
            .into_iter()
            .map(|target| Tracking {
                threat: Located { value: format!("{}@{target}", threat.id.value), at: status.at },
                status: mapped,
                justification: justification.clone(),
                ..Tracking::default()
            })
            .collect()
    }

    fn report_unlinked_mitigations(&mut self) {
        let linked: HashSet<&str> = self.threat_mitigations.values().flatten().copied().collect();
        for mitigation in self.document.mitigations.iter().flatten() {
            if let Some(status) = &mitigation.status
                && mitigation_status(&status.value).is_none()
            {
                self.warnings.push(Diagnostic::warning(
                    status.at,
                    format!("mitigation status `{}` is not one Threat Composer documents; not carried", status.value),
                ));
            }
            if !linked.contains(mitigation.id.value.as_str()) {
                self.warnings.push(Diagnostic::warning(
                    mitigation.id.at,
                    format!("mitigation `{}` is linked to no threat; not imported", one_line(&mitigation.content)),
                ));
            }
        }
    }

    /// The application's description, the architecture and data-flow
    /// descriptions, and every assumption.
    fn description(&self) -> Option<String> {
        let document = self.document;
        let mut parts = Vec::new();
        if let Some(text) = document.application_info.as_ref().and_then(|info| non_empty(info.description.as_ref())) {
            parts.push(text);
        }
        for (heading, section) in [("Architecture", &document.architecture), ("Data flow", &document.dataflow)] {
            if let Some(text) = section.as_ref().and_then(|section| non_empty(section.description.as_ref())) {
                parts.push(format!("{heading}:\n{text}"));
            }
        }
        let assumptions: Vec<String> = document
            .assumptions
            .iter()
            .flatten()
            .map(|assumption| {
                let mut line = format!("- {}", one_line(&assumption.content));
                for comment in comments(assumption.metadata.as_ref()) {
                    line.push_str(&format!(" ({})", one_line(&comment)));
                }
                line
            })
            .collect();
        if !assumptions.is_empty() {
            parts.push(format!("Assumptions:\n{}", assumptions.join("\n")));
        }
        (!parts.is_empty()).then(|| parts.join("\n\n"))
    }
}

/// The number of a `CWE-79` tag: Threat Composer users tag threats with
/// their weakness.
fn cwe_number(tag: &str) -> Option<u32> {
    let upper = tag.trim().to_ascii_uppercase();
    upper.strip_prefix("CWE-").or_else(|| upper.strip_prefix("CWE "))?.trim().parse().ok()
}

fn stride_letter(letter: &str) -> Option<&'static str> {
    match letter.trim().to_ascii_uppercase().as_str() {
        "S" => Some("spoofing"),
        "T" => Some("tampering"),
        "R" => Some("repudiation"),
        "I" => Some("information-disclosure"),
        "D" => Some("denial-of-service"),
        "E" => Some("elevation-of-privilege"),
        _ => None,
    }
}

fn mitigation_status(status: &str) -> Option<&'static str> {
    match status.trim() {
        "mitigationIdentified" => Some("identified"),
        "mitigationInProgress" => Some("in progress"),
        "mitigationResolved" => Some("resolved"),
        "mitigationResolvedWillNotAction" => Some("resolved, will not action"),
        _ => None,
    }
}
