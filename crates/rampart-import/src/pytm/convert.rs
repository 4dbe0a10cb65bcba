//! pytm document → Rampart model.
//!
//! pytm refers to everything by name, so names are resolved to ids first
//! (boundaries, then elements, then flows); every reference that names
//! nothing is an error at its line. Findings are grouped by pytm rule: one
//! custom threat per `threat_id`, targeting every element or flow it was found on.

use std::collections::HashMap;

use rampart_model::{
    Actor, Authentication, Authorization, Boundary, Component, DataAsset, Diagnostic, Exposure, FORMAT_VERSION, Flow,
    Located, Model, Position, SourceRef, Trust,
};

use super::format::{Controls, Dataflow, Document, Element};
use super::tables::{self, Fit, Role};
use crate::Imported;
use crate::ids::{IdAllocator, slugify};

/// What a pytm name refers to.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Named {
    Boundary(String),
    Actor(String),
    Component(String),
    Flow(String),
}

pub(super) struct Converter {
    ids: IdAllocator,
    pub(super) names: HashMap<String, Named>,
    pub(super) model: Model,
    warnings: Vec<Diagnostic>,
    errors: Vec<Diagnostic>,
}

pub(super) fn convert(document: &Document) -> Result<Imported, Vec<Diagnostic>> {
    let mut converter = Converter {
        ids: IdAllocator::default(),
        names: HashMap::new(),
        model: Model { rampart: Located::synthetic(FORMAT_VERSION), ..Model::default() },
        warnings: Vec::new(),
        errors: Vec::new(),
    };
    converter.header(document);
    converter.boundaries(&document.boundaries);
    let elements = converter.unique_elements(document);
    for element in &elements {
        converter.element(element);
    }
    for flow in &document.flows {
        converter.flow(flow);
    }
    converter.fold_responses(&document.flows);
    converter.data(document, &elements);
    converter.exposure();
    converter.findings(&document.findings);
    if let Some(first) = document.excluded_findings.first() {
        let at = first.threat_id.as_ref().map_or(Position::UNKNOWN, |id| id.at);
        let count = document.excluded_findings.len();
        converter.warnings.push(Diagnostic::warning(
            at,
            format!("{count} finding(s) excluded in pytm are not imported; Rampart raises its own threats"),
        ));
    }
    let Converter { model, warnings, errors, .. } = converter;
    Imported::finish(model, errors, warnings)
}

impl Converter {
    pub(super) fn warn(&mut self, at: Position, message: impl Into<String>) {
        self.warnings.push(Diagnostic::warning(at, message));
    }

    pub(super) fn error(&mut self, at: Position, message: impl Into<String>) {
        self.errors.push(Diagnostic::error(at, message));
    }

    fn allocate(&mut self, name: &Located<String>, suffix: &str) -> String {
        let slug = slugify(&name.value);
        let id = self.ids.allocate(&slug, suffix);
        if !slug.is_empty() && id != slug {
            let message = format!("another element already has the id `{slug}`; `{}` gets the id `{id}`", name.value);
            self.warn(name.at, message);
        }
        id
    }

    fn header(&mut self, document: &Document) {
        self.model.name =
            document.name.clone().filter(|name| !name.trim().is_empty()).unwrap_or_else(|| "pytm model".into());
        let mut description: Vec<String> =
            document.description.iter().filter(|d| !d.trim().is_empty()).cloned().collect();
        let assumptions: Vec<String> = document
            .assumptions
            .iter()
            .filter_map(|assumption| match assumption {
                super::format::Assumption::Text(text) => Some(text.clone()),
                super::format::Assumption::Named { name, description } => {
                    let parts: Vec<&str> = name.iter().chain(description).map(String::as_str).collect();
                    Some(parts.join(": ")).filter(|text| !text.is_empty())
                }
            })
            .collect();
        if !assumptions.is_empty() {
            let list: Vec<String> = assumptions.iter().map(|assumption| format!("- {assumption}")).collect();
            description.push(format!("Assumptions:\n{}", list.join("\n")));
        }
        self.model.description = Some(description.join("\n\n")).filter(|text| !text.is_empty());
    }

    fn boundaries(&mut self, boundaries: &[Element]) {
        for boundary in boundaries {
            if self.names.contains_key(&boundary.name.value) {
                self.warn(
                    boundary.name.at,
                    format!("boundary `{}` is listed twice; the first is kept", boundary.name.value),
                );
                continue;
            }
            let id = self.allocate(&boundary.name, "boundary");
            let internet = boundary.name.value.to_ascii_lowercase().contains("internet");
            self.model.boundaries.push(Boundary {
                id: Located { value: id.clone(), at: boundary.name.at },
                name: Some(boundary.name.value.clone()),
                trust: if internet { Trust::Untrusted } else { Trust::Internal },
                description: boundary.description.clone().filter(|d| !d.trim().is_empty()),
                source: Some(source(&boundary.name)),
                ..Boundary::default()
            });
            self.names.insert(boundary.name.value.clone(), Named::Boundary(id));
        }
        for boundary in boundaries {
            let Some(parent) = &boundary.in_boundary else { continue };
            let parent_id = self.boundary_reference(parent, &boundary.name.value);
            let own = match self.names.get(&boundary.name.value) {
                Some(Named::Boundary(id)) => id.clone(),
                _ => continue,
            };
            if let Some(entry) = self.model.boundaries.iter_mut().find(|b| b.id.value == own) {
                entry.parent = parent_id.map(|id| Located { value: id, at: parent.at });
            }
        }
    }

    fn boundary_reference(&mut self, reference: &Located<String>, owner: &str) -> Option<String> {
        match self.names.get(&reference.value) {
            Some(Named::Boundary(id)) => Some(id.clone()),
            _ => {
                let message =
                    format!("`{owner}` is in boundary `{}`, which is not a boundary of the model", reference.value);
                self.error(reference.at, message);
                None
            }
        }
    }

    /// pytm lists each element in `actors` or `assets` and again in
    /// `elements`; the first occurrence of a name is the element.
    fn unique_elements<'d>(&mut self, document: &'d Document) -> Vec<&'d Element> {
        let mut seen: HashMap<&str, &Element> = HashMap::new();
        let mut unique = Vec::new();
        for element in document.actors.iter().chain(&document.assets).chain(&document.elements) {
            let class = |e: &Element| e.class.as_ref().map(|class| class.value.clone());
            match seen.get(element.name.value.as_str()) {
                Some(first) if class(first) == class(element) => {}
                Some(_) => {
                    let message = format!("two elements are named `{}`; the first is kept", element.name.value);
                    self.warn(element.name.at, message);
                }
                None => {
                    seen.insert(&element.name.value, element);
                    unique.push(element);
                }
            }
        }
        unique
    }

    fn element(&mut self, element: &Element) {
        let name = &element.name;
        if let Some(Named::Boundary(_)) = self.names.get(&name.value) {
            self.warn(
                name.at,
                format!("element `{}` has the name of a boundary; flows to that name reach the element", name.value),
            );
        }
        let (role, fit) = tables::role(element);
        let class = element.class.as_ref().map_or("Asset", |class| class.value.as_str());
        let boundary = element.in_boundary.as_ref().and_then(|reference| {
            self.boundary_reference(reference, &name.value).map(|id| Located { value: id, at: reference.at })
        });
        // Out of scope, as in the Threagile importer: someone else's system.
        let role = if element.in_scope == Some(false) { Role::Actor("external-system") } else { role };
        let description = element.description.clone().filter(|d| !d.trim().is_empty());
        match role {
            Role::Actor(kind) => {
                let id = self.allocate(name, "actor");
                let scope = (element.in_scope == Some(false)).then(|| "Out of scope in the pytm model.".to_string());
                self.model.actors.push(Actor {
                    id: Located { value: id.clone(), at: name.at },
                    name: Some(name.value.clone()),
                    kind: Located { value: kind.to_string(), at: name.at },
                    boundary,
                    controls: Vec::new(),
                    description: join([scope, description]),
                });
                self.names.insert(name.value.clone(), Named::Actor(id));
            }
            Role::Component(kind) => {
                let at = element.class.as_ref().map_or(name.at, |class| class.at);
                match fit {
                    Fit::Exact => {}
                    Fit::Closest => {
                        self.warn(
                            at,
                            format!("pytm {class} `{}` has no exact Rampart type; imported as `{kind}`", name.value),
                        );
                    }
                    Fit::Unknown => {
                        self.warn(
                            at,
                            format!("pytm class `{class}` of `{}` is not known; imported as `{kind}`", name.value),
                        );
                    }
                }
                let id = self.allocate(name, "component");
                let controls = self.controls(&element.controls, &name.value, name.at);
                let accepts = if element.uses_xml_parser == Some(true) {
                    vec![Located::synthetic("xml".to_string())]
                } else {
                    Vec::new()
                };
                let mut tags = vec![format!("pytm:{class}")];
                if element.on_aws == Some(true) {
                    tags.push("aws".to_string());
                }
                self.model.components.push(Component {
                    id: Located { value: id.clone(), at: name.at },
                    name: Some(name.value.clone()),
                    kind: Located { value: kind.to_string(), at },
                    technology: element.os.clone().filter(|os| !os.trim().is_empty()),
                    boundary,
                    accepts,
                    controls,
                    tags,
                    description,
                    source: Some(source(name)),
                    ..Component::default()
                });
                self.names.insert(name.value.clone(), Named::Component(id));
            }
        }
    }

    /// Countermeasures for the control flags that are set; set flags with no
    /// Rampart countermeasure are named in one warning.
    fn controls(&mut self, controls: &Controls, owner: &str, at: Position) -> Vec<Located<String>> {
        let mut mapped: Vec<Located<String>> = Vec::new();
        let mut unmapped = Vec::new();
        for (flag, _) in controls.iter().filter(|(_, value)| value.is_set()) {
            match tables::control(flag) {
                Some(control) if !mapped.iter().any(|m| m.value == control) => {
                    mapped.push(Located { value: control.to_string(), at });
                }
                Some(_) => {}
                None if tables::is_read_elsewhere(flag) => {}
                None => unmapped.push(format!("`{flag}`")),
            }
        }
        if !unmapped.is_empty() {
            self.warn(
                at,
                format!(
                    "`{owner}`: pytm controls {} have no Rampart countermeasure; not imported",
                    unmapped.join(", ")
                ),
            );
        }
        mapped
    }

    fn flow(&mut self, flow: &Dataflow) {
        let name = &flow.name;
        let from = self.flow_end(flow.source.as_ref(), name, "source");
        let to = self.flow_end(flow.sink.as_ref(), name, "sink");
        let (Some(from), Some(to)) = (from, to) else { return };
        let id = self.allocate(name, "flow");
        let encrypted_flag =
            flow.is_encrypted == Some(true) || flow.controls.get("isEncrypted").is_some_and(|v| v.is_set());
        let written = flow.protocol.as_deref().map(str::trim).filter(|protocol| !protocol.is_empty());
        let protocol = match written {
            Some(written) => match tables::protocol(written) {
                Some(protocol) => protocol,
                None => {
                    let fallback = if encrypted_flag { "tls" } else { "tcp" };
                    let message = format!(
                        "flow `{}` uses protocol `{written}`, which Rampart has no term for; imported as `{fallback}`",
                        name.value
                    );
                    self.warn(name.at, message);
                    fallback
                }
            },
            None => self.default_protocol(&to, encrypted_flag),
        };
        let encrypted =
            (encrypted_flag && !matches!(protocol, "https" | "tls" | "ldaps" | "ftps" | "mqtts")).then_some(true);
        let scheme = flow.controls.get("authenticationScheme").and_then(|value| value.text());
        let authentication = match scheme {
            Some(scheme) => tables::authentication(scheme),
            None if flow.controls.get("authenticatesSource").is_some_and(|v| v.is_set()) => Authentication::Other,
            None if flow.uses_session_tokens == Some(true) => Authentication::Session,
            None => Authentication::None,
        };
        let authorizes = flow.controls.get("authorizesSource").is_some_and(|v| v.is_set());
        let mut details = Vec::new();
        if let Some(port) = flow.dst_port.filter(|port| *port > 0) {
            details.push(format!("Port {port}."));
        }
        if let Some(tls) = flow.tls_version.as_deref().filter(|tls| !tls.ends_with("NONE") && !tls.is_empty()) {
            details.push(format!("TLS version {}.", tls.strip_prefix("TLSVersion.").unwrap_or(tls)));
        }
        let controls = self.controls(&flow.controls, &name.value, name.at);
        self.model.flows.push(Flow {
            id: Some(Located { value: id.clone(), at: name.at }),
            name: Some(name.value.clone()),
            from,
            to,
            protocol: Located { value: protocol.to_string(), at: name.at },
            authentication,
            authorization: if authorizes { Authorization::RoleBased } else { Authorization::None },
            encrypted,
            controls,
            description: join([
                flow.description.clone().filter(|d| !d.trim().is_empty()),
                flow.note.clone().filter(|d| !d.trim().is_empty()),
                Some(details.join(" ")).filter(|d| !d.is_empty()),
            ]),
            source: Some(source(name)),
            ..Flow::default()
        });
        if self.names.contains_key(&name.value) {
            self.warn(
                name.at,
                format!(
                    "flow `{}` has the name of another element or flow; findings on that name go to the first",
                    name.value
                ),
            );
        } else {
            self.names.insert(name.value.clone(), Named::Flow(id));
        }
    }

    /// A flow without a protocol goes to a database over its wire protocol,
    /// else over HTTP, encrypted when pytm says so.
    fn default_protocol(&self, to: &Located<String>, encrypted: bool) -> &'static str {
        let kind = self.model.components.iter().find(|c| c.id.value == to.value).map(|c| c.kind.value.as_str());
        match kind {
            Some("relational-database" | "aws-rds" | "document-database") => "sql",
            Some("directory-service") => {
                if encrypted {
                    "ldaps"
                } else {
                    "ldap"
                }
            }
            _ if encrypted => "https",
            _ => "http",
        }
    }

    fn flow_end(
        &mut self,
        end: Option<&Located<String>>,
        flow: &Located<String>,
        which: &str,
    ) -> Option<Located<String>> {
        let Some(end) = end.filter(|end| !end.value.trim().is_empty()) else {
            self.error(
                flow.at,
                format!("flow `{}` has no {which}: expected the name of an actor or asset", flow.value),
            );
            return None;
        };
        match self.names.get(&end.value) {
            Some(Named::Actor(id) | Named::Component(id)) => Some(Located { value: id.clone(), at: end.at }),
            Some(Named::Boundary(_)) => {
                let message =
                    format!("flow `{}`: {which} `{}` is a boundary; expected an actor or asset", flow.value, end.value);
                self.error(end.at, message);
                None
            }
            _ => {
                let message =
                    format!("flow `{}`: {which} `{}` is not an actor or asset of the model", flow.value, end.value);
                self.error(end.at, message);
                None
            }
        }
    }

    /// A response (`isResponse`, `responseTo`) is folded into its request:
    /// a Rampart flow covers both directions of an exchange.
    fn fold_responses(&mut self, flows: &[Dataflow]) {
        for flow in flows.iter().filter(|flow| flow.is_response == Some(true)) {
            let Some(request) = flow.response_to.as_deref() else { continue };
            let (Some(Named::Flow(response_id)), Some(Named::Flow(request_id))) =
                (self.names.get(&flow.name.value).cloned(), self.names.get(request).cloned())
            else {
                continue;
            };
            self.model.flows.retain(|candidate| candidate.id() != response_id);
            for named in self.names.values_mut() {
                if *named == Named::Flow(response_id.clone()) {
                    *named = Named::Flow(request_id.clone());
                }
            }
            let message = format!(
                "response flow `{response_id}` is folded into request flow `{request_id}`, which covers both directions"
            );
            self.warn(flow.name.at, message);
        }
    }

    fn data(&mut self, document: &Document, elements: &[&Element]) {
        let mut by_name: HashMap<&str, String> = HashMap::new();
        for data in &document.data {
            if by_name.contains_key(data.name.value.as_str()) {
                self.warn(data.name.at, format!("data `{}` is listed twice; the first is kept", data.name.value));
                continue;
            }
            let id = self.allocate(&data.name, "data");
            let mut categories = Vec::new();
            if data.is_pii == Some(true) {
                categories.push(Located { value: "pii".to_string(), at: data.name.at });
            }
            if data.is_credentials == Some(true) {
                categories.push(Located { value: "credentials".to_string(), at: data.name.at });
            }
            let confidentiality = match &data.classification {
                Some(text) => tables::classification(&text.value).unwrap_or_else(|| {
                    self.warn(
                        text.at,
                        format!("data `{}`: classification `{}` is not known; rated low", data.name.value, text.value),
                    );
                    rampart_model::Rating::Low
                }),
                None => rampart_model::Rating::Low,
            };
            self.model.data.push(DataAsset {
                id: Located { value: id.clone(), at: data.name.at },
                name: Some(data.name.value.clone()),
                categories,
                confidentiality,
                description: data.description.clone().filter(|d| !d.trim().is_empty()),
                ..DataAsset::default()
            });
            by_name.insert(&data.name.value, id.clone());
            for flow in &data.carried_by {
                self.carry(flow.name(), &id, data.name.at);
            }
            for element in &data.processed_by {
                self.process(element.name(), &id, data.is_stored == Some(true));
            }
        }
        // Flows and elements name their data too.
        for flow in &document.flows {
            for data in &flow.data {
                match by_name.get(data.name()) {
                    Some(id) => {
                        let id = id.clone();
                        self.carry(&flow.name.value, &id, flow.name.at);
                    }
                    None => self.error(
                        flow.name.at,
                        format!(
                            "flow `{}` carries data `{}`, which is not in the model's data",
                            flow.name.value,
                            data.name()
                        ),
                    ),
                }
            }
        }
        for element in elements {
            for data in &element.data {
                if let Some(id) = by_name.get(data.name()) {
                    let id = id.clone();
                    self.process(&element.name.value, &id, false);
                }
            }
        }
    }

    fn carry(&mut self, flow_name: &str, data: &str, at: Position) {
        let Some(Named::Flow(flow_id)) = self.names.get(flow_name).cloned() else {
            self.warn(
                at,
                format!("data `{data}` is carried by `{flow_name}`, which is not a flow of the model; not linked"),
            );
            return;
        };
        if let Some(flow) = self.model.flows.iter_mut().find(|flow| flow.id() == flow_id)
            && !flow.data.iter().any(|d| d.value == data)
        {
            flow.data.push(Located::synthetic(data.to_string()));
        }
    }

    fn process(&mut self, element: &str, data: &str, stored: bool) {
        let Some(Named::Component(component_id)) = self.names.get(element).cloned() else {
            // Actors handle data too, but Rampart records only what components hold.
            return;
        };
        if let Some(component) = self.model.components.iter_mut().find(|c| c.id.value == component_id) {
            let holds_data = stored && is_store(&component.kind.value);
            let list = if holds_data { &mut component.stores } else { &mut component.processes };
            if !list.iter().any(|d| d.value == data) {
                list.push(Located::synthetic(data.to_string()));
            }
        }
    }

    /// Components called from an actor in an internet boundary face the internet.
    fn exposure(&mut self) {
        let untrusted: Vec<String> =
            self.model.boundaries.iter().filter(|b| b.trust == Trust::Untrusted).map(|b| b.id.value.clone()).collect();
        let outside: Vec<String> = self
            .model
            .actors
            .iter()
            .filter(|actor| actor.boundary.as_ref().is_some_and(|b| untrusted.contains(&b.value)))
            .map(|actor| actor.id.value.clone())
            .collect();
        let reached: Vec<String> =
            self.model.flows.iter().filter(|f| outside.contains(&f.from.value)).map(|f| f.to.value.clone()).collect();
        for component in &mut self.model.components {
            if reached.contains(&component.id.value) {
                component.exposure = Exposure::Internet;
            }
        }
    }
}

fn source(name: &Located<String>) -> SourceRef {
    SourceRef {
        file: String::new(),
        line: Some(name.at.line).filter(|&line| line > 0),
        resource: Some(name.value.clone()),
    }
}

fn join<const N: usize>(parts: [Option<String>; N]) -> Option<String> {
    let parts: Vec<String> = parts.into_iter().flatten().collect();
    Some(parts.join("\n")).filter(|text| !text.is_empty())
}

/// Catalog types that hold data at rest, so data an element processes and
/// pytm marks as stored is stored there.
fn is_store(kind: &str) -> bool {
    matches!(
        kind,
        "relational-database"
            | "aws-rds"
            | "document-database"
            | "directory-service"
            | "aws-s3"
            | "object-storage"
            | "file-share"
    )
}
