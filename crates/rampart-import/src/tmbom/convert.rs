//! Turns a parsed TM-BOM into a Rampart model. The module doc of `tmbom`
//! sums up the mapping; each decision is made where the element is converted.

use std::collections::{BTreeSet, HashMap};

use rampart_model::diagnostic;
use rampart_model::{
    Actor, Boundary, Component, CustomThreat, DataAsset, Diagnostic, Exposure, Flow, Located, Model, Position,
    SourceRef, Status, Tracking, Trust,
};

use super::format::{self, Document, Property};
use crate::Imported;
use crate::ids::{IdAllocator, slugify};
use crate::otm::terms::{self, ElementKind, Fit, join_text, model_term, quoted};

/// What a threat-model component is, by its `cdx:model:type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Boundary,
    Actor,
    Component,
    Data,
    Flow,
}

/// One element of the threat model with its properties by name.
struct Entry<'d> {
    component: &'d format::Component,
    role: Role,
    kind: String,
    id: String,
    properties: Vec<&'d Property>,
}

impl<'d> Entry<'d> {
    fn property(&self, name: &str) -> Option<&'d Located<String>> {
        self.properties.iter().find(|p| p.name.value == name).and_then(|p| p.value.as_ref())
    }

    fn text(&self, name: &str) -> Option<&'d str> {
        self.property(name).map(|value| value.value.as_str())
    }

    fn flag(&self, name: &str) -> Option<bool> {
        self.text(name).and_then(|text| text.trim().parse().ok())
    }

    fn at(&self) -> Position {
        self.component.bom_ref.as_ref().map_or(self.component.name.at, |r| r.at)
    }
}

/// The properties each role reads; any other is reported as not carried.
const COMMON_PROPERTIES: &[&str] = &["cdx:model:type", "cdx:model:inBoundary", "rampart:kind"];
const READ_PROPERTIES: &[&str] = &[
    "rampart:trust",
    "cdx:model:platform",
    "cdx:model:inScope",
    "cdx:model:datastore:isSql",
    "rampart:exposure",
    "rampart:tag",
    "rampart:stores",
    "rampart:processes",
    "rampart:controls",
    "rampart:accepts",
    "rampart:capabilities",
    "rampart:confidentiality",
    "rampart:integrity",
    "rampart:availability",
    "rampart:categories",
    "cdx:model:dataflow:source",
    "cdx:model:dataflow:destination",
    "cdx:model:dataflow:protocol",
    "cdx:model:dataflow:isEncrypted",
    "cdx:model:dataflow:data",
    "rampart:data",
    "rampart:authentication",
    "rampart:authorization",
];

#[derive(Default)]
struct Converter<'d> {
    model: Model,
    warnings: Vec<Diagnostic>,
    errors: Vec<Diagnostic>,
    ids: IdAllocator,
    threat_ids: IdAllocator,
    entries: Vec<Entry<'d>>,
    /// bom-ref → index in `entries`.
    by_ref: HashMap<&'d str, usize>,
    /// bom-refs of the system's own `threat-model` components: a threat on them is on the whole model.
    system_refs: BTreeSet<&'d str>,
}

pub(super) fn convert(document: &Document) -> Result<Imported, Vec<Diagnostic>> {
    let mut converter = Converter::default();
    converter.system(document);
    converter.allocate();
    for index in 0..converter.entries.len() {
        converter.element(index);
    }
    converter.vulnerabilities(document.vulnerabilities.as_deref().unwrap_or_default());
    converter.finish()
}

impl<'d> Converter<'d> {
    fn warn(&mut self, at: Position, message: impl Into<String>) {
        self.warnings.push(Diagnostic::warning(at, message));
    }

    fn error(&mut self, at: Position, message: impl Into<String>) {
        self.errors.push(Diagnostic::error(at, message));
    }

    fn finish(mut self) -> Result<Imported, Vec<Diagnostic>> {
        diagnostic::sort(&mut self.warnings);
        if self.errors.is_empty() {
            return Ok(Imported { model: self.model, warnings: self.warnings });
        }
        self.errors.extend(self.warnings);
        diagnostic::sort(&mut self.errors);
        Err(self.errors)
    }

    /// Finds the system (the outer `threat-model` component), its elements,
    /// and what else the BOM holds.
    fn system(&mut self, document: &'d Document) {
        if !document.bom_format.value.eq_ignore_ascii_case("CycloneDX") {
            let message = format!("`bomFormat` is `{}`: expected `CycloneDX`", document.bom_format.value);
            self.error(document.bom_format.at, message);
        }
        if let Some(version) = &document.spec_version
            && !matches!(version.value.as_str(), "1.5" | "1.6" | "1.7")
        {
            let message =
                format!("CycloneDX {} is older or newer than this importer knows (1.5 to 1.7)", version.value);
            self.warn(version.at, message);
        }
        self.model.rampart = Located::synthetic(rampart_model::types::FORMAT_VERSION);
        let metadata = document.metadata.as_ref().and_then(|m| m.component.as_ref());
        let components = document.components.as_deref().unwrap_or_default();
        let root =
            components.iter().find(|c| c.kind.value == "threat-model" && property(c, "cdx:model:type").is_none());
        let named = root.or(metadata);
        self.model.name = named.map_or_else(|| "Imported threat model".to_string(), |c| c.name.value.clone());
        self.model.description = named.and_then(|c| c.description.clone());
        if let Some(controls) = root.and_then(|root| property(root, "rampart:controls")) {
            let items = controls.value.split(',').map(str::trim).filter(|item| !item.is_empty());
            self.model.controls = items.map(|item| Located { value: item.to_string(), at: controls.at }).collect();
        }
        let mut other = Vec::new();
        self.collect(components, &mut other);
        if let Some(first) = other.first() {
            let names: Vec<&str> = other.iter().map(|c| c.name.value.as_str()).collect();
            let message = format!(
                "{} component(s) that are not part of the threat model are not carried: {}",
                other.len(),
                quoted(names)
            );
            self.warn(first.name.at, message);
        }
        let services = document.services.as_deref().unwrap_or_default();
        if let Some(first) = services.first() {
            let names: Vec<&str> = services.iter().map(|s| s.name.value.as_str()).collect();
            let message =
                format!("services {} are not imported: model them as `threat-model` components", quoted(names));
            self.warn(first.name.at, message);
        }
    }

    /// Walks the component tree: `threat-model` components with a
    /// `cdx:model:type` are elements, those without one group elements.
    fn collect(&mut self, components: &'d [format::Component], other: &mut Vec<&'d format::Component>) {
        for component in components {
            if component.kind.value != "threat-model" {
                other.push(component);
                continue;
            }
            match property(component, "cdx:model:type") {
                Some(kind) => {
                    let (role, kind) = self.role(component, kind);
                    let properties = component.properties.iter().flatten().collect();
                    self.entries.push(Entry { component, role, kind, id: String::new(), properties });
                }
                None => {
                    if let Some(reference) = &component.bom_ref {
                        self.system_refs.insert(reference.value.as_str());
                    }
                    if component.components.is_none() {
                        let message = format!(
                            "threat-model component `{}` has no `cdx:model:type` property; it is not carried",
                            component.name.value
                        );
                        self.warn(component.name.at, message);
                    }
                }
            }
            self.collect(component.components.as_deref().unwrap_or_default(), other);
        }
    }

    /// The role and catalog type of an element with model type `kind`.
    fn role(&mut self, component: &format::Component, kind: &Located<String>) -> (Role, String) {
        let declared = property(component, "rampart:kind").map(|k| k.value.clone());
        let normalised = terms::normalise(&kind.value);
        match normalised.as_str() {
            "boundary" | "trust-boundary" => return (Role::Boundary, declared.unwrap_or_default()),
            "data" => return (Role::Data, String::new()),
            "dataflow" | "data-flow" => return (Role::Flow, String::new()),
            "actor" => {
                let kind = declared.filter(|k| terms::is_actor_kind(k)).unwrap_or_else(|| "user".to_string());
                return (Role::Actor, kind);
            }
            _ => {}
        }
        if let Some(declared) = declared {
            return (Role::Component, declared);
        }
        if normalised == "datastore" {
            return match property(component, "cdx:model:datastore:isSql").map(|v| v.value.trim() == "true") {
                Some(true) => (Role::Component, "relational-database".to_string()),
                _ => {
                    let message = format!(
                        "datastore `{}` is not marked SQL; it becomes `document-database`, the closest catalog type",
                        component.name.value
                    );
                    self.warn(kind.at, message);
                    (Role::Component, "document-database".to_string())
                }
            };
        }
        match terms::element_kind(&kind.value) {
            Some(ElementKind::Actor(actor, _)) => (Role::Actor, actor.to_string()),
            Some(ElementKind::Boundary) => (Role::Boundary, normalised),
            Some(ElementKind::Component(catalog, fit)) => {
                if fit == Fit::Closest {
                    let message = format!(
                        "model type `{}` becomes `{catalog}`, the closest catalog type; \
                            refine `kind` if a better one fits",
                        kind.value
                    );
                    self.warn(kind.at, message);
                }
                (Role::Component, catalog.to_string())
            }
            None => {
                let message = format!(
                    "model type `{}` has no Rampart catalog type; `{}` becomes a generic `service` (set its `kind`)",
                    kind.value, component.name.value
                );
                self.warn(kind.at, message);
                (Role::Component, "service".to_string())
            }
        }
    }

    /// Gives every element its Rampart id: its bom-ref when tidy, else its name's slug.
    fn allocate(&mut self) {
        for index in 0..self.entries.len() {
            let Some(entry) = self.entries.get(index) else { continue };
            let component = entry.component;
            let source = component.bom_ref.as_ref().map_or(component.name.value.as_str(), |r| r.value.as_str());
            let suffix = match entry.role {
                Role::Boundary => "boundary",
                Role::Actor => "actor",
                Role::Component => "component",
                Role::Data => "data",
                Role::Flow => "flow",
            };
            // Flow ids are settled when the flow is converted (`FROM->TO` stays implicit).
            let id = if entry.role == Role::Flow {
                String::new()
            } else {
                self.ids.allocate(&terms::wanted_id(source, Some(&component.name.value)), suffix)
            };
            if let Some(reference) = &component.bom_ref
                && self.by_ref.insert(reference.value.as_str(), index).is_some()
            {
                self.error(
                    reference.at,
                    format!("bom-ref `{}` is used twice; bom-refs must be unique", reference.value),
                );
            }
            if let Some(entry) = self.entries.get_mut(index) {
                entry.id = id;
            }
        }
    }

    /// The id of the element `reference` names, if it has one of `roles`.
    fn resolve(&mut self, reference: &Located<String>, roles: &[Role], what: &str) -> Option<String> {
        let Some(entry) = self.by_ref.get(reference.value.as_str()).and_then(|&index| self.entries.get(index)) else {
            self.error(
                reference.at,
                format!("{what} `{}` is not the bom-ref of any threat-model component", reference.value),
            );
            return None;
        };
        if roles.contains(&entry.role) {
            return Some(entry.id.clone());
        }
        let message = format!("{what} `{}` is a {:?}, which cannot be used here", reference.value, entry.role);
        self.error(reference.at, message.to_lowercase());
        None
    }

    /// Ids in a comma-separated property (Rampart's own export writes these).
    fn id_list(entry: &Entry, name: &str) -> Vec<Located<String>> {
        let Some(value) = entry.property(name) else { return Vec::new() };
        let items = value.value.split(',').map(str::trim).filter(|item| !item.is_empty());
        items.map(|item| Located { value: item.to_string(), at: value.at }).collect()
    }

    fn element(&mut self, index: usize) {
        let Some(entry) = self.entries.get(index) else { return };
        let (component, role, id, at) = (entry.component, entry.role, entry.id.clone(), entry.at());
        let boundary = entry.property("cdx:model:inBoundary").cloned();
        let boundary = boundary.and_then(|reference| {
            let resolved = self.resolve(&reference, &[Role::Boundary], "boundary");
            resolved.map(|value| Located { value, at: reference.at })
        });
        let Some(entry) = self.entries.get(index) else { return };
        let unread: Vec<String> = entry
            .properties
            .iter()
            .filter(|p| {
                !COMMON_PROPERTIES.contains(&p.name.value.as_str()) && !READ_PROPERTIES.contains(&p.name.value.as_str())
            })
            .map(|p| format!("{}={}", p.name.value, p.value.as_ref().map_or("", |v| v.value.as_str())))
            .collect();
        let out_of_scope = entry.flag("cdx:model:inScope") == Some(false);
        if !unread.is_empty() {
            self.warn(at, format!("properties {} of `{}` are not carried", quoted(unread), component.name.value));
        }
        if out_of_scope {
            let message =
                format!("`{}` is out of scope in the source; it is imported all the same", component.name.value);
            self.warn(at, message);
        }
        let Some(entry) = self.entries.get(index) else { return };
        let name = Some(component.name.value.clone());
        let description = component.description.clone();
        let source = Some(SourceRef {
            file: String::new(),
            line: Some(at.line).filter(|l| *l > 0),
            resource: component.bom_ref.as_ref().map(|r| r.value.clone()),
        });
        let located = Located { value: id, at };
        match role {
            Role::Boundary => {
                let trust = entry.text("rampart:trust").and_then(model_term::<Trust>).unwrap_or_default();
                let kind = Some(entry.kind.clone()).filter(|k| !k.is_empty());
                let controls = Self::id_list(entry, "rampart:controls");
                let boundary =
                    Boundary { id: located, name, kind, trust, parent: boundary, controls, description, source };
                self.model.boundaries.push(boundary);
            }
            Role::Actor => {
                let kind = Located { value: entry.kind.clone(), at };
                let controls = Self::id_list(entry, "rampart:controls");
                self.model.actors.push(Actor { id: located, name, kind, boundary, controls, description });
            }
            Role::Component => {
                let exposure = entry.text("rampart:exposure").and_then(model_term::<Exposure>).unwrap_or_default();
                let tags = entry.properties.iter().filter(|p| p.name.value == "rampart:tag");
                let tags = tags.filter_map(|p| p.value.as_ref().map(|v| v.value.clone())).collect();
                let stores = self.data_list(index, "rampart:stores");
                let processes = self.data_list(index, "rampart:processes");
                let Some(entry) = self.entries.get(index) else { return };
                self.model.components.push(Component {
                    id: located,
                    name,
                    kind: Located { value: entry.kind.clone(), at },
                    technology: entry.text("cdx:model:platform").map(str::to_string),
                    boundary,
                    exposure,
                    accepts: Self::id_list(entry, "rampart:accepts"),
                    capabilities: Self::id_list(entry, "rampart:capabilities"),
                    controls: Self::id_list(entry, "rampart:controls"),
                    stores,
                    processes,
                    tags,
                    description,
                    source,
                });
            }
            Role::Data => {
                let rating = |name: &str| {
                    let value = entry.text(name).and_then(|text| text.trim().parse::<f64>().ok());
                    value.map_or(rampart_model::Rating::Low, terms::rating_from_score)
                };
                self.model.data.push(DataAsset {
                    id: located,
                    name,
                    categories: Self::id_list(entry, "rampart:categories"),
                    confidentiality: rating("rampart:confidentiality"),
                    integrity: rating("rampart:integrity"),
                    availability: rating("rampart:availability"),
                    description,
                });
            }
            Role::Flow => self.flow(index, name, description, source),
        }
    }

    /// Data ids named by a comma-separated property, checked against the BOM's data elements.
    fn data_list(&mut self, index: usize, name: &str) -> Vec<Located<String>> {
        let Some(entry) = self.entries.get(index) else { return Vec::new() };
        let listed = Self::id_list(entry, name);
        let known: BTreeSet<&str> =
            self.entries.iter().filter(|e| e.role == Role::Data).map(|e| e.id.as_str()).collect();
        let (found, missing): (Vec<_>, Vec<_>) = listed.into_iter().partition(|id| known.contains(id.value.as_str()));
        for id in missing {
            self.error(id.at, format!("data `{}` in `{name}` is not a data element of the BOM", id.value));
        }
        found
    }

    fn flow(&mut self, index: usize, name: Option<String>, description: Option<String>, source: Option<SourceRef>) {
        let Some(entry) = self.entries.get(index) else { return };
        let at = entry.at();
        let ends = [
            entry.property("cdx:model:dataflow:source").cloned(),
            entry.property("cdx:model:dataflow:destination").cloned(),
        ];
        let mut resolved = Vec::new();
        for (end, property) in ends.into_iter().zip(["cdx:model:dataflow:source", "cdx:model:dataflow:destination"]) {
            match end {
                Some(reference) => {
                    let id = self.resolve(&reference, &[Role::Actor, Role::Component], "dataflow end");
                    resolved.push(id.map(|value| Located { value, at: reference.at }));
                }
                None => {
                    let message = format!(
                        "dataflow `{}` has no `{property}` property: expected the bom-ref of its {}",
                        name.as_deref().unwrap_or_default(),
                        if property.ends_with("source") { "sender" } else { "receiver" }
                    );
                    self.error(at, message);
                    resolved.push(None);
                }
            }
        }
        let [Some(from), Some(to)] = <[Option<Located<String>>; 2]>::try_from(resolved).unwrap_or([None, None]) else {
            return;
        };
        let Some(entry) = self.entries.get(index) else { return };
        let protocol = match entry.property("cdx:model:dataflow:protocol") {
            Some(raw) => match terms::protocol(&raw.value) {
                Some(protocol) => Located { value: protocol.to_string(), at: raw.at },
                None => {
                    let message = format!(
                        "protocol `{}` is not one Rampart knows; `{}` is assumed",
                        raw.value,
                        terms::DEFAULT_PROTOCOL
                    );
                    self.warn(raw.at, message);
                    Located { value: terms::DEFAULT_PROTOCOL.to_string(), at: raw.at }
                }
            },
            None => Located { value: terms::DEFAULT_PROTOCOL.to_string(), at },
        };
        let Some(entry) = self.entries.get(index) else { return };
        let mut description = description;
        let has_ids = entry.property("rampart:data").is_some();
        if let Some(carried) = entry.text("cdx:model:dataflow:data").filter(|_| !has_ids) {
            description = Some(join_text(description.as_deref(), &format!("Carries: {carried}")));
        }
        let encrypted = entry.flag("cdx:model:dataflow:isEncrypted");
        let authentication = entry.text("rampart:authentication").and_then(model_term).unwrap_or_default();
        let authorization = entry.text("rampart:authorization").and_then(model_term).unwrap_or_default();
        let controls = Self::id_list(entry, "rampart:controls");
        let bom_ref = entry.component.bom_ref.as_ref().map(|r| r.value.clone());
        let wanted = bom_ref.clone().unwrap_or_else(|| name.clone().unwrap_or_default());
        let implicit = format!("{}->{}", from.value, to.value);
        let id = if wanted == implicit {
            None
        } else {
            Some(self.ids.allocate(&terms::wanted_id(&wanted, name.as_deref()), "flow"))
        };
        if let Some(entry) = self.entries.get_mut(index) {
            entry.id = id.clone().unwrap_or(implicit);
        }
        let data = self.data_list(index, "rampart:data");
        self.model.flows.push(Flow {
            id: id.map(|value| Located { value, at }),
            name,
            from,
            to,
            protocol,
            authentication,
            authorization,
            encrypted,
            data,
            controls,
            description,
            source,
        });
    }

    fn vulnerabilities(&mut self, vulnerabilities: &'d [format::Vulnerability]) {
        let rule_of = |vulnerability: &format::Vulnerability| {
            let properties = vulnerability.properties.iter().flatten();
            let rule = properties.filter(|p| p.name.value == "rampart:rule").find_map(|p| p.value.as_ref());
            rule.map(|rule| rule.value.clone())
        };
        for group in terms::rule_groups(vulnerabilities, rule_of) {
            let mut all_targets: Vec<Located<String>> = Vec::new();
            let mut member_targets = Vec::new();
            for member in &group.members {
                let targets = self.targets_of(member);
                for target in &targets {
                    if !all_targets.iter().any(|known| known.value == target.value) {
                        all_targets.push(target.clone());
                    }
                }
                member_targets.push(targets);
            }
            let Some(first) = group.members.first().copied() else { continue };
            let Some(id) = self.custom_threat(first, group.rule.as_deref(), all_targets) else { continue };
            for (member, targets) in group.members.iter().zip(member_targets) {
                if let Some(analysis) = &member.analysis {
                    self.tracking(&id, &targets, analysis);
                }
            }
        }
    }

    /// The elements, flows and data a vulnerability affects; none when it
    /// affects the system as a whole.
    fn targets_of(&mut self, vulnerability: &format::Vulnerability) -> Vec<Located<String>> {
        let mut targets: Vec<Located<String>> = Vec::new();
        for affected in vulnerability.affects.iter().flatten() {
            if self.system_refs.contains(affected.reference.value.as_str()) {
                continue;
            }
            let roles = [Role::Actor, Role::Component, Role::Flow, Role::Data];
            if let Some(id) = self.resolve(&affected.reference, &roles, "affected element")
                && !targets.iter().any(|t| t.value == id)
            {
                targets.push(Located { value: id, at: affected.reference.at });
            }
        }
        targets
    }

    /// Adds the custom threat for `vulnerability` (the first of its rule's
    /// group) on `targets`, and returns its id.
    fn custom_threat(
        &mut self,
        vulnerability: &format::Vulnerability,
        rule: Option<&str>,
        targets: Vec<Located<String>>,
    ) -> Option<String> {
        let Some(reference) = vulnerability.id.as_ref().or(vulnerability.bom_ref.as_ref()) else {
            // Without an id, the vulnerability is found by what it affects.
            let affected = vulnerability.affects.iter().flatten().next().map(|a| a.reference.at);
            let message = "a vulnerability has neither `id` nor `bom-ref`: expected one to name the threat";
            self.error(affected.unwrap_or(Position::UNKNOWN), message);
            return None;
        };
        let at = reference.at;
        let property = |name: &str| {
            vulnerability.properties.iter().flatten().find(|p| p.name.value == name).and_then(|p| p.value.as_ref())
        };
        let title = property("rampart:title").map(|t| t.value.clone()).unwrap_or_else(|| {
            let first_line = vulnerability.description.as_deref().and_then(|d| d.lines().next()).map(str::trim);
            first_line.filter(|line| !line.is_empty()).map_or_else(|| reference.value.clone(), str::to_string)
        });
        let wanted = match rule {
            Some(rule) => format!("tmbom-{}", slugify(rule)),
            None => format!("tmbom-{}", slug_or(&reference.value, &title)),
        };
        let id = self.threat_ids.allocate(&wanted, "threat");
        let mut stride = Vec::new();
        if let Some(listed) = property("rampart:stride") {
            for category in listed.value.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                match terms::stride_category(category) {
                    Some(found) => stride.push(Located { value: found.to_string(), at: listed.at }),
                    None => self.warn(listed.at, format!("`{category}` is not a STRIDE category; it is not carried")),
                }
            }
        }
        let severity = vulnerability.ratings.iter().flatten().find_map(|r| r.severity.as_ref());
        let from_severity = severity
            .and_then(|s| severity_step(&s.value))
            .map(|step| Located { value: step, at: severity.map_or(at, |s| s.at) });
        let step = |name: &str| {
            let value = property(name)?;
            let number = value.value.trim().parse::<f32>().ok().filter(|n| (1.0..=5.0).contains(n))?;
            Some(Located { value: number.round() as u8, at: value.at })
        };
        let likelihood = step("rampart:likelihood").or_else(|| from_severity.clone());
        let impact = step("rampart:impact").or(from_severity);
        let mut description = vulnerability.description.clone();
        if let Some(detail) = vulnerability.detail.as_deref().filter(|d| !d.trim().is_empty()) {
            description = Some(join_text(description.as_deref(), detail.trim()));
        }
        let mitigations = vulnerability.recommendation.iter().flat_map(|r| r.lines()).map(str::trim);
        let mitigations = mitigations.filter(|line| !line.is_empty()).map(str::to_string).collect();
        self.model.custom_threats.push(CustomThreat {
            id: Located { value: id.clone(), at },
            title,
            description,
            targets,
            stride,
            cwe: vulnerability.cwes.iter().flatten().map(|c| c.value).collect(),
            likelihood,
            impact,
            mitigations,
            source: Some(SourceRef {
                file: String::new(),
                line: Some(at.line).filter(|l| *l > 0),
                resource: Some(reference.value.clone()),
            }),
            ..CustomThreat::default()
        });
        Some(id)
    }

    fn tracking(&mut self, id: &str, targets: &[Located<String>], analysis: &format::Analysis) {
        let Some(state) = &analysis.state else { return };
        let declined = analysis.response.iter().flatten().any(|r| matches!(r.as_str(), "will_not_fix" | "can_not_fix"));
        let status = match terms::status(&state.value) {
            Some(Status::Open) if declined => Status::Accepted,
            Some(status) => status,
            None => {
                self.warn(
                    state.at,
                    format!("analysis state `{}` is not one CycloneDX defines; the threat stays open", state.value),
                );
                return;
            }
        };
        let reason =
            analysis.detail.clone().or_else(|| analysis.justification.clone()).filter(|r| !r.trim().is_empty());
        let justification = match status {
            Status::Accepted | Status::FalsePositive => Some(reason.unwrap_or_else(|| {
                format!("Marked {} in the TM-BOM", if declined { "will_not_fix" } else { state.value.as_str() })
            })),
            _ => reason,
        };
        let on: Vec<String> = if targets.is_empty() {
            vec!["model".to_string()]
        } else {
            targets.iter().map(|t| t.value.clone()).collect()
        };
        for target in on {
            self.model.threats.push(Tracking {
                threat: Located { value: format!("{id}@{target}"), at: state.at },
                status,
                justification: justification.clone(),
                ..Tracking::default()
            });
        }
    }
}

/// The value of the first property called `name`.
fn property<'d>(component: &'d format::Component, name: &str) -> Option<&'d Located<String>> {
    component.properties.iter().flatten().find(|p| p.name.value == name).and_then(|p| p.value.as_ref())
}

/// Likelihood and impact for a CycloneDX severity: critical 5, high 4, medium 3, low 2, info 1.
fn severity_step(severity: &str) -> Option<u8> {
    match severity.to_ascii_lowercase().as_str() {
        "critical" => Some(5),
        "high" => Some(4),
        "medium" => Some(3),
        "low" => Some(2),
        "info" => Some(1),
        _ => None,
    }
}

/// The slug of `first`, else of `second`.
fn slug_or(first: &str, second: &str) -> String {
    let slug = slugify(first);
    if slug.is_empty() { slugify(second) } else { slug }
}
