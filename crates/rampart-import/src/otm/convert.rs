//! Turns a parsed OTM document into a Rampart model. Each decision is made
//! where the concept is converted; the module doc of `otm` sums them up.

use std::collections::{BTreeMap, HashMap, HashSet};

use rampart_model::diagnostic;
use rampart_model::{
    Actor, Boundary, Component, CustomThreat, DataAsset, Diagnostic, Exposure, Flow, Located, Model, Position,
    SourceRef, Status, Tracking, Trust,
};

use super::format::{self, Attributes, Document, Parent, RepresentationElement};
use super::terms::{self, ElementKind, Fit, join_text, model_term, quoted};
use crate::Imported;
use crate::ids::{IdAllocator, slugify};

/// The attribute key Rampart's own export uses to mark what an OTM component was.
pub(crate) const ELEMENT_ATTRIBUTE: &str = "rampart:element";
/// The attribute that marks the trust zone the export invents for elements outside every boundary.
pub(crate) const OUTSIDE_ATTRIBUTE: &str = "rampart:outside";
pub(crate) const EXPOSURE_ATTRIBUTE: &str = "rampart:exposure";
pub(crate) const TECHNOLOGY_ATTRIBUTE: &str = "rampart:technology";
pub(crate) const ENCRYPTED_ATTRIBUTE: &str = "rampart:encrypted";
pub(crate) const PROTOCOL_ATTRIBUTE: &str = "rampart:protocol";

/// What an OTM component became.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Role {
    Actor,
    Component,
    Boundary,
}

#[derive(Clone, Debug)]
struct Placed {
    id: String,
    role: Role,
}

/// A threat as referenced from one element or flow.
struct ThreatReference<'d> {
    reference: &'d format::ThreatInstance,
    /// The Rampart id of the element or flow it is on.
    target: String,
}

#[derive(Default)]
struct Converter<'d> {
    model: Model,
    warnings: Vec<Diagnostic>,
    errors: Vec<Diagnostic>,
    ids: IdAllocator,
    threat_ids: IdAllocator,
    data: HashMap<&'d str, String>,
    /// OTM trust zone id → boundary id; `None` for the zone Rampart's export
    /// invents for what is outside every boundary.
    zones: HashMap<&'d str, Option<String>>,
    trust: HashMap<String, Trust>,
    elements: HashMap<&'d str, Placed>,
    components: HashMap<&'d str, &'d format::Component>,
    references: Vec<ThreatReference<'d>>,
    /// Diagram shapes dropped: how many, and where the first one was.
    shapes: (usize, Position),
}

pub(super) fn convert(document: &Document) -> Result<Imported, Vec<Diagnostic>> {
    let mut converter = Converter::default();
    converter.project(document);
    converter.assets(document.assets.as_deref().unwrap_or_default());
    converter.trust_zones(document.trust_zones.as_deref().unwrap_or_default());
    converter.components(document.components.as_deref().unwrap_or_default());
    converter.dataflows(document.dataflows.as_deref().unwrap_or_default());
    converter
        .threats(document.threats.as_deref().unwrap_or_default(), document.mitigations.as_deref().unwrap_or_default());
    converter.finish()
}

/// The list's non-null entries.
fn present<T>(list: &Option<Vec<Option<T>>>) -> impl Iterator<Item = &T> {
    list.iter().flatten().flatten()
}

impl<'d> Converter<'d> {
    fn warn(&mut self, at: Position, message: impl Into<String>) {
        self.warnings.push(Diagnostic::warning(at, message));
    }

    fn error(&mut self, at: Position, message: impl Into<String>) {
        self.errors.push(Diagnostic::error(at, message));
    }

    fn finish(mut self) -> Result<Imported, Vec<Diagnostic>> {
        let (count, at) = self.shapes;
        if count > 0 {
            self.warn(
                at,
                format!(
                    "{count} diagram shape(s) (positions and sizes) are not carried: Rampart draws its own diagrams"
                ),
            );
        }
        diagnostic::sort(&mut self.warnings);
        if self.errors.is_empty() {
            return Ok(Imported { model: self.model, warnings: self.warnings });
        }
        self.errors.extend(self.warnings);
        diagnostic::sort(&mut self.errors);
        Err(self.errors)
    }

    fn project(&mut self, document: &'d Document) {
        let version = &document.otm_version;
        if !matches!(version.value.as_str(), "0.1.0" | "0.2.0") {
            self.warn(
                version.at,
                format!(
                    "OTM version `{}` is not one this importer was written for (0.1.0, 0.2.0); reading it as 0.2.0",
                    version.value
                ),
            );
        }
        let project = &document.project;
        self.model.rampart = Located::synthetic(rampart_model::types::FORMAT_VERSION);
        self.model.name = project.name.value.clone();
        self.model.description = project.description.clone().filter(|text| !text.trim().is_empty());
        self.model.controls = listed(project.attributes.as_ref(), "rampart:controls", project.name.at);
        let mut dropped = Vec::new();
        if let Some(owner) = &project.owner {
            dropped.push(format!("owner `{owner}`"));
        }
        if let Some(contact) = &project.owner_contact {
            dropped.push(format!("owner contact `{contact}`"));
        }
        let tags: Vec<&String> = present(&project.tags).collect();
        if !tags.is_empty() {
            dropped.push(format!("tags {}", quoted(tags)));
        }
        if let Some(keys) = foreign_attributes(project.attributes.as_ref()) {
            dropped.push(format!("attributes {keys}"));
        }
        if !dropped.is_empty() {
            self.warn(
                project.name.at,
                format!(
                    "project {} are not carried: a Rampart model has a name and a description only",
                    dropped.join(", ")
                ),
            );
        }
    }

    fn assets(&mut self, assets: &'d [format::Asset]) {
        for asset in assets {
            let id = self.ids.allocate(&terms::wanted_id(&asset.id, Some(&asset.name)), "data");
            if self.data.insert(asset.id.value.as_str(), id.clone()).is_some() {
                self.error(asset.id.at, format!("asset id `{}` is used twice; OTM ids must be unique", asset.id.value));
            }
            let mut description = asset.description.clone();
            let comment = asset.risk.comment.as_ref().or(asset.risk.risk_comments.as_ref());
            if let Some(comment) = comment {
                description = Some(join_text(description.as_deref(), &format!("Risk rating: {comment}")));
            }
            let mut ratings = Vec::new();
            for value in [&asset.risk.confidentiality, &asset.risk.integrity, &asset.risk.availability] {
                if !(0.0..=100.0).contains(&value.value) {
                    self.error(
                        value.at,
                        format!("asset risk value {} is out of range: expected 0 to 100", value.value),
                    );
                }
                ratings.push(terms::rating_from_score(value.value));
            }
            self.note_attributes(asset.attributes.as_ref(), asset.id.at, "asset");
            self.model.data.push(DataAsset {
                id: Located { value: id, at: asset.id.at },
                name: Some(asset.name.value.clone()),
                categories: listed(asset.attributes.as_ref(), "rampart:categories", asset.id.at),
                confidentiality: ratings.first().copied().unwrap_or_default(),
                integrity: ratings.get(1).copied().unwrap_or_default(),
                availability: ratings.get(2).copied().unwrap_or_default(),
                description,
            });
        }
    }

    fn trust_zones(&mut self, zones: &'d [format::TrustZone]) {
        // Ids first, so that a parent may be declared after its child.
        for zone in zones {
            let outside = zone.attributes.as_ref().and_then(|a| a.get(OUTSIDE_ATTRIBUTE)).is_some();
            let id = (!outside).then(|| self.ids.allocate(&terms::wanted_id(&zone.id, Some(&zone.name)), "boundary"));
            if self.zones.insert(zone.id.value.as_str(), id).is_some() {
                self.error(
                    zone.id.at,
                    format!("trust zone id `{}` is used twice; OTM ids must be unique", zone.id.value),
                );
            }
        }
        for zone in zones {
            let Some(Some(id)) = self.zones.get(zone.id.value.as_str()).cloned() else { continue };
            let rating = &zone.risk.trust_rating;
            if !(0.0..=100.0).contains(&rating.value) {
                self.error(rating.at, format!("trustRating {} is out of range: expected 0 to 100", rating.value));
            }
            let trust = terms::trust_from_rating(rating.value);
            self.trust.insert(id.clone(), trust);
            let parent = match &zone.parent {
                Some(Parent { trust_zone: Some(parent), .. }) => self.zone_reference(parent),
                Some(Parent { component: Some(component), .. }) => {
                    self.warn(
                        component.at,
                        format!(
                            "trust zone `{}` sits inside component `{}`; \
                        Rampart boundaries nest only in boundaries, so it is placed at the top level",
                            zone.id.value, component.value
                        ),
                    );
                    None
                }
                _ => None,
            };
            self.note_attributes(zone.attributes.as_ref(), zone.id.at, "trust zone");
            let source = self.source(&zone.id, zone.representations.as_deref());
            self.model.boundaries.push(Boundary {
                id: Located { value: id, at: zone.id.at },
                name: Some(zone.name.value.clone()),
                kind: zone.kind.clone(),
                trust,
                parent: parent.map(|value| Located { value, at: zone.id.at }),
                controls: listed(zone.attributes.as_ref(), "rampart:controls", zone.id.at),
                description: zone.description.clone(),
                source: Some(source),
            });
        }
    }

    /// The boundary a `parent.trustZone` reference names (`None` for the
    /// export's outside zone); an error when it names no trust zone.
    fn zone_reference(&mut self, reference: &Located<String>) -> Option<String> {
        match self.zones.get(reference.value.as_str()) {
            Some(boundary) => boundary.clone(),
            None => {
                self.error(
                    reference.at,
                    format!("parent trust zone `{}` is not declared in `trustZones`", reference.value),
                );
                None
            }
        }
    }

    fn components(&mut self, components: &'d [format::Component]) {
        let children: HashSet<&str> = components
            .iter()
            .filter_map(|c| c.parent.as_ref()?.component.as_ref())
            .map(|parent| parent.value.as_str())
            .collect();
        for component in components {
            if self.components.insert(component.id.value.as_str(), component).is_some() {
                self.error(
                    component.id.at,
                    format!("component id `{}` is used twice; OTM ids must be unique", component.id.value),
                );
            }
        }
        // Roles and ids first: parents may come after their children.
        let mut kinds = Vec::new();
        for component in components {
            let (role, kind) = self.role(component, children.contains(component.id.value.as_str()));
            let suffix = match role {
                Role::Actor => "actor",
                Role::Component => "component",
                Role::Boundary => "boundary",
            };
            let id = self.ids.allocate(&terms::wanted_id(&component.id, Some(&component.name)), suffix);
            self.elements.insert(component.id.value.as_str(), Placed { id, role });
            kinds.push(kind);
        }
        for (component, kind) in components.iter().zip(kinds) {
            let Some(placed) = self.elements.get(component.id.value.as_str()).cloned() else { continue };
            let boundary = self.container(component.parent.as_ref(), component.id.at, 0);
            if component.parent.is_none() {
                self.warn(
                    component.id.at,
                    format!(
                        "component `{}` has no parent; OTM requires one, so it is placed outside every boundary",
                        component.id.value
                    ),
                );
            }
            if let Some(Parent { component: Some(parent), .. }) = &component.parent
                && self.elements.get(parent.value.as_str()).is_some_and(|p| p.role != Role::Boundary)
                && placed.role != Role::Boundary
            {
                self.warn(
                    parent.at,
                    format!(
                        "`{}` runs inside component `{}`; \
                    Rampart has no nesting of components, so it is placed in that component's boundary",
                        component.id.value, parent.value
                    ),
                );
            }
            self.shapes(component.representations.as_deref());
            match placed.role {
                Role::Actor => self.actor(component, placed.id, kind, boundary),
                Role::Component => self.component(component, placed.id, kind, boundary),
                Role::Boundary => self.component_boundary(component, placed.id, boundary),
            }
        }
    }

    /// What `component` becomes, and its catalog type when it becomes an
    /// actor or component. Warns when the type is approximated.
    fn role(&mut self, component: &format::Component, has_children: bool) -> (Role, String) {
        let raw = &component.kind;
        let marked_actor = component
            .attributes
            .as_ref()
            .and_then(|attributes| attributes.get(ELEMENT_ATTRIBUTE))
            .and_then(format::Attribute::text)
            .is_some_and(|element| element == "actor");
        if marked_actor && terms::is_actor_kind(&raw.value) {
            return (Role::Actor, raw.value.clone());
        }
        match terms::element_kind(&raw.value) {
            Some(ElementKind::Boundary) => (Role::Boundary, String::new()),
            Some(ElementKind::Actor(kind, fit)) => {
                if fit == Fit::Closest {
                    self.warn(
                        raw.at,
                        format!(
                            "component type `{}` becomes an actor of kind `{kind}`, the closest Rampart has",
                            raw.value
                        ),
                    );
                }
                (Role::Actor, kind.to_string())
            }
            Some(ElementKind::Component(kind, fit)) => {
                if fit == Fit::Closest {
                    self.warn(
                        raw.at,
                        format!(
                            "component type `{}` becomes `{kind}`, \
                        the closest catalog type; refine `kind` if a better one fits",
                            raw.value
                        ),
                    );
                }
                (Role::Component, kind.to_string())
            }
            None if has_children => {
                self.warn(
                    raw.at,
                    format!(
                        "component `{}` of type `{}` contains other components; it becomes a boundary",
                        component.id.value, raw.value
                    ),
                );
                (Role::Boundary, String::new())
            }
            None => {
                self.warn(
                    raw.at,
                    format!(
                        "component type `{}` has no Rampart catalog type; \
                    `{}` becomes a generic `service` (set its `kind`)",
                        raw.value, component.id.value
                    ),
                );
                (Role::Component, "service".to_string())
            }
        }
    }

    /// The boundary an element with `parent` sits in: its trust zone, the
    /// component-boundary it is in, or the boundary of the component it runs in.
    fn container(&mut self, parent: Option<&'d Parent>, at: Position, depth: usize) -> Option<String> {
        let parent = parent?;
        if let Some(zone) = &parent.trust_zone {
            return self.zone_reference(zone);
        }
        let reference = parent.component.as_ref()?;
        let Some(placed) = self.elements.get(reference.value.as_str()).cloned() else {
            self.error(reference.at, format!("parent component `{}` is not declared in `components`", reference.value));
            return None;
        };
        if placed.role == Role::Boundary {
            return Some(placed.id);
        }
        if depth > self.components.len() {
            self.error(at, format!("components nest in a cycle through `{}`", reference.value));
            return None;
        }
        let grandparent = self.components.get(reference.value.as_str()).and_then(|c| c.parent.as_ref());
        self.container(grandparent, reference.at, depth + 1)
    }

    fn actor(&mut self, component: &'d format::Component, id: String, kind: String, boundary: Option<String>) {
        let at = component.id.at;
        let tags: Vec<&String> = present(&component.tags).collect();
        if !tags.is_empty() {
            self.warn(at, format!("tags {} of actor `{id}` are not carried: actors have no tags", quoted(tags)));
        }
        if component.assets.is_some_and_nonempty() {
            self.warn(
                at,
                format!("assets of actor `{id}` are not carried: actors store and process no data in Rampart"),
            );
        }
        self.note_attributes(component.attributes.as_ref(), at, "component");
        let mut description = component.description.clone();
        if id != component.id.value {
            description = Some(join_text(description.as_deref(), &format!("OTM id: {}", component.id.value)));
        }
        self.references_on(component.threats.as_deref(), &id);
        self.model.actors.push(Actor {
            id: Located { value: id, at },
            name: Some(component.name.value.clone()),
            kind: Located { value: kind, at: component.kind.at },
            boundary: boundary.map(|value| Located { value, at }),
            controls: listed(component.attributes.as_ref(), "rampart:controls", at),
            description,
        });
    }

    fn component(&mut self, component: &'d format::Component, id: String, kind: String, boundary: Option<String>) {
        let at = component.id.at;
        let attribute = |key: &str| component.attributes.as_ref()?.get(key)?.text();
        let exposure = match attribute(EXPOSURE_ATTRIBUTE).as_deref() {
            Some("internet") => Exposure::Internet,
            Some("partner") => Exposure::Partner,
            Some("internal") => Exposure::Internal,
            // Placed in an untrusted zone (the internet) means reachable from it.
            _ if boundary.as_ref().and_then(|b| self.trust.get(b)) == Some(&Trust::Untrusted) => Exposure::Internet,
            _ => Exposure::Internal,
        };
        let (mut stores, mut processes) = (Vec::new(), Vec::new());
        if let Some(assets) = &component.assets {
            stores = self.data_references(present(&assets.stored));
            processes = self.data_references(present(&assets.processed));
        }
        // Stored data is processed too; Rampart lists it once, under `stores`.
        processes.retain(|data: &Located<String>| !stores.contains(data));
        self.note_attributes(component.attributes.as_ref(), at, "component");
        self.references_on(component.threats.as_deref(), &id);
        let source = self.source(&component.id, component.representations.as_deref());
        self.model.components.push(Component {
            id: Located { value: id, at },
            name: Some(component.name.value.clone()),
            kind: Located { value: kind, at: component.kind.at },
            technology: attribute(TECHNOLOGY_ATTRIBUTE),
            boundary: boundary.map(|value| Located { value, at }),
            exposure,
            accepts: listed(component.attributes.as_ref(), "rampart:accepts", at),
            capabilities: listed(component.attributes.as_ref(), "rampart:capabilities", at),
            controls: listed(component.attributes.as_ref(), "rampart:controls", at),
            stores,
            processes,
            tags: present(&component.tags).cloned().collect(),
            description: component.description.clone(),
            source: Some(source),
        });
    }

    /// A network container modelled as a component (a VPC, a subnet) becomes
    /// a boundary as trusted as the zone it sits in.
    fn component_boundary(&mut self, component: &'d format::Component, id: String, parent: Option<String>) {
        let at = component.id.at;
        let trust = self.zone_trust(component, 0);
        self.trust.insert(id.clone(), trust);
        if component.threats.as_ref().is_some_and(|threats| !threats.is_empty()) {
            self.warn(
                at,
                format!(
                    "threats on `{}` are not carried: it became boundary `{id}`, and threats target elements and flows",
                    component.id.value
                ),
            );
        }
        if component.assets.is_some_and_nonempty() {
            self.warn(at, format!("assets of `{}` are not carried: it became boundary `{id}`", component.id.value));
        }
        let tags: Vec<&String> = present(&component.tags).collect();
        if !tags.is_empty() {
            self.warn(
                at,
                format!(
                    "tags {} of `{}` are not carried: it became boundary `{id}`, and boundaries have no tags",
                    quoted(tags),
                    component.id.value
                ),
            );
        }
        self.note_attributes(component.attributes.as_ref(), at, "component");
        let source = self.source(&component.id, component.representations.as_deref());
        self.model.boundaries.push(Boundary {
            id: Located { value: id, at },
            name: Some(component.name.value.clone()),
            kind: Some(terms::normalise(&component.kind)),
            trust,
            parent: parent.map(|value| Located { value, at }),
            controls: Vec::new(),
            description: component.description.clone(),
            source: Some(source),
        });
    }

    /// The trust of the nearest trust zone around `component`.
    fn zone_trust(&self, component: &format::Component, depth: usize) -> Trust {
        let Some(parent) = &component.parent else { return Trust::default() };
        if let Some(zone) = &parent.trust_zone {
            let boundary = self.zones.get(zone.value.as_str()).cloned().flatten();
            return boundary.and_then(|b| self.trust.get(&b).copied()).unwrap_or(Trust::Untrusted);
        }
        let enclosing = parent.component.as_ref().and_then(|c| self.components.get(c.value.as_str()));
        match enclosing {
            Some(enclosing) if depth <= self.components.len() => self.zone_trust(enclosing, depth + 1),
            _ => Trust::default(),
        }
    }

    fn data_references<'a>(&mut self, references: impl Iterator<Item = &'a Located<String>>) -> Vec<Located<String>> {
        let mut resolved = Vec::new();
        for reference in references {
            match self.data.get(reference.value.as_str()) {
                Some(id) => resolved.push(Located { value: id.clone(), at: reference.at }),
                None => self.error(reference.at, format!("asset `{}` is not declared in `assets`", reference.value)),
            }
        }
        resolved
    }

    fn references_on(&mut self, threats: Option<&'d [format::ThreatInstance]>, target: &str) {
        for reference in threats.unwrap_or_default() {
            self.references.push(ThreatReference { reference, target: target.to_string() });
        }
    }

    /// Where the element is: the code file and line its code representation
    /// names, else its line in the OTM file; always with its OTM id.
    fn source(&mut self, id: &Located<String>, representations: Option<&'d [RepresentationElement]>) -> SourceRef {
        let code = representations.unwrap_or_default().iter().find(|r| r.file.is_some());
        match code {
            Some(code) => SourceRef {
                file: code.file.clone().unwrap_or_default(),
                line: code.line.filter(|line| (1.0..f64::from(u32::MAX)).contains(line)).map(|line| line as u32),
                resource: Some(id.value.clone()),
            },
            None => SourceRef {
                file: String::new(),
                line: Some(id.at.line).filter(|line| *line > 0),
                resource: Some(id.value.clone()),
            },
        }
    }

    fn shapes(&mut self, representations: Option<&[RepresentationElement]>) {
        for representation in representations.unwrap_or_default() {
            if representation.position.is_some() || representation.size.is_some() {
                if self.shapes.0 == 0 {
                    self.shapes.1 = representation.representation.at;
                }
                self.shapes.0 += 1;
            }
        }
    }

    /// Warns about attributes other than Rampart's own.
    fn note_attributes(&mut self, attributes: Option<&Attributes>, at: Position, what: &str) {
        if let Some(keys) = foreign_attributes(attributes) {
            self.warn(at, format!("{what} attributes {keys} are not carried"));
        }
    }

    fn dataflows(&mut self, flows: &'d [format::Dataflow]) {
        let mut seen = HashSet::new();
        for flow in flows {
            if !seen.insert(flow.id.value.as_str()) {
                self.error(
                    flow.id.at,
                    format!("dataflow id `{}` is used twice; OTM ids must be unique", flow.id.value),
                );
                continue;
            }
            let (Some(from), Some(to)) =
                (self.endpoint(&flow.source, &flow.id), self.endpoint(&flow.destination, &flow.id))
            else {
                continue;
            };
            self.shapes(flow.representations.as_deref());
            let implicit = format!("{from}->{to}");
            let id = if flow.id.value == implicit {
                None
            } else {
                Some(self.ids.allocate(&terms::wanted_id(&flow.id, Some(&flow.name)), "flow"))
            };
            let rampart_id = id.clone().unwrap_or(implicit);
            let attribute = |key: &str| flow.attributes.as_ref()?.get(key)?.text();
            let tags: Vec<&String> = present(&flow.tags).collect();
            let mut protocol = attribute(PROTOCOL_ATTRIBUTE).and_then(|p| terms::protocol(&p));
            let mut other_tags = Vec::new();
            for tag in tags {
                match terms::protocol(tag) {
                    Some(found) if protocol.is_none() => protocol = Some(found),
                    Some(_) => {}
                    None if !other_tags.contains(&tag) => other_tags.push(tag),
                    None => {}
                }
            }
            if !other_tags.is_empty() {
                let assumed = if protocol.is_none() {
                    format!("; none names a protocol Rampart knows, so `{}` is assumed", terms::DEFAULT_PROTOCOL)
                } else {
                    String::new()
                };
                self.warn(flow.id.at, format!("dataflow tags {} are not carried{assumed}", quoted(other_tags)));
            }
            let mut description = flow.description.clone();
            if flow.bidirectional == Some(true) {
                self.warn(
                    flow.id.at,
                    format!(
                        "dataflow `{}` is bidirectional; \
                    it becomes one flow from `{from}` to `{to}` (a Rampart flow covers the request and its response)",
                        flow.id.value
                    ),
                );
                description = Some(join_text(description.as_deref(), "Bidirectional in the source model."));
            }
            let data = self.data_references(present(&flow.assets));
            self.note_attributes(flow.attributes.as_ref(), flow.id.at, "dataflow");
            self.references_on(flow.threats.as_deref(), &rampart_id);
            let encrypted = attribute(ENCRYPTED_ATTRIBUTE).and_then(|text| text.parse().ok());
            let authentication = attribute("rampart:authentication").and_then(|text| model_term(&text));
            let authorization = attribute("rampart:authorization").and_then(|text| model_term(&text));
            self.model.flows.push(Flow {
                id: id.map(|value| Located { value, at: flow.id.at }),
                name: Some(flow.name.value.clone()),
                from: Located { value: from, at: flow.source.at },
                to: Located { value: to, at: flow.destination.at },
                protocol: Located { value: protocol.unwrap_or(terms::DEFAULT_PROTOCOL).to_string(), at: flow.id.at },
                encrypted,
                authentication: authentication.unwrap_or_default(),
                authorization: authorization.unwrap_or_default(),
                controls: listed(flow.attributes.as_ref(), "rampart:controls", flow.id.at),
                data,
                description,
                source: Some(SourceRef {
                    file: String::new(),
                    line: Some(flow.id.at.line).filter(|l| *l > 0),
                    resource: Some(flow.id.value.clone()),
                }),
            });
        }
    }

    /// The actor or component a dataflow end names.
    fn endpoint(&mut self, end: &Located<String>, flow: &Located<String>) -> Option<String> {
        match self.elements.get(end.value.as_str()) {
            Some(Placed { id, role: Role::Actor | Role::Component }) => Some(id.clone()),
            Some(Placed { id, role: Role::Boundary }) => {
                let message = format!(
                    "dataflow `{}` ends at `{}`, which became boundary `{id}`; \
                        flows connect actors and components, so the flow is not carried",
                    flow.value, end.value
                );
                self.warn(end.at, message);
                None
            }
            None => {
                self.error(end.at, format!("dataflow end `{}` is not declared in `components`", end.value));
                None
            }
        }
    }

    fn threats(&mut self, threats: &'d [format::Threat], mitigations: &'d [format::Mitigation]) {
        let mitigation_by_id: HashMap<&str, &format::Mitigation> =
            mitigations.iter().map(|m| (m.id.value.as_str(), m)).collect();
        let definitions: HashMap<&str, &format::Threat> = threats.iter().map(|t| (t.id.value.as_str(), t)).collect();
        let references = std::mem::take(&mut self.references);
        let mut by_threat: BTreeMap<&str, Vec<&ThreatReference>> = BTreeMap::new();
        for reference in &references {
            let threat = &reference.reference.threat;
            if definitions.contains_key(threat.value.as_str()) {
                by_threat.entry(threat.value.as_str()).or_default().push(reference);
            } else {
                self.error(threat.at, format!("threat `{}` is not declared in `threats`", threat.value));
            }
        }
        let mut used_mitigations = HashSet::new();
        let rule_of = |threat: &format::Threat| {
            threat.attributes.as_ref().and_then(|a| a.get("rampart:rule")).and_then(format::Attribute::text)
        };
        for group in terms::rule_groups(threats, rule_of) {
            let references: Vec<&ThreatReference> =
                group.members.iter().filter_map(|t| by_threat.get(t.id.value.as_str())).flatten().copied().collect();
            let Some(first) = group.members.first().copied() else { continue };
            if references.is_empty() {
                for threat in &group.members {
                    let message =
                        format!("threat `{}` is on no component or dataflow; it is not imported", threat.id.value);
                    self.warn(threat.id.at, message);
                }
                continue;
            }
            let wanted = match group.rule {
                Some(rule) => format!("otm-{}", slugify(&rule)),
                None => format!("otm-{}", slug_or(&first.name, &first.id)),
            };
            let id = self.threat_ids.allocate(&wanted, "threat");
            let custom = self.custom_threat(first, &id, &references, &mitigation_by_id, &mut used_mitigations);
            self.model.custom_threats.push(custom);
            self.tracking(&id, &references);
        }
        for mitigation in mitigations {
            if !used_mitigations.contains(mitigation.id.value.as_str()) {
                self.warn(
                    mitigation.id.at,
                    format!("mitigation `{}` is on no threat of an element; it is not carried", mitigation.id.value),
                );
            }
        }
    }

    fn custom_threat(
        &mut self,
        threat: &'d format::Threat,
        id: &str,
        references: &[&ThreatReference<'d>],
        mitigations: &HashMap<&str, &'d format::Mitigation>,
        used: &mut HashSet<&'d str>,
    ) -> CustomThreat {
        let mut targets: Vec<Located<String>> = Vec::new();
        for reference in references {
            if !targets.iter().any(|target| target.value == reference.target) {
                targets.push(Located { value: reference.target.clone(), at: reference.reference.threat.at });
            }
        }
        let mut stride = Vec::new();
        for category in present(&threat.categories) {
            match terms::stride_category(category) {
                Some(found) if !stride.iter().any(|s: &Located<String>| s.value == found) => {
                    stride.push(Located { value: found.to_string(), at: category.at });
                }
                Some(_) => {}
                None => self.warn(
                    category.at,
                    format!("threat category `{}` is not a STRIDE category; it is not carried", category.value),
                ),
            }
        }
        let mut cwe = Vec::new();
        for entry in present(&threat.cwes) {
            match terms::cwe_number(entry) {
                Some(number) if !cwe.contains(&number) => cwe.push(number),
                Some(_) => {}
                None => {
                    self.error(entry.at, format!("`{}` is not a CWE reference: expected `CWE-<number>`", entry.value))
                }
            }
        }
        let risk = threat.risk.as_ref();
        let likelihood = risk.and_then(|risk| self.step(risk.likelihood.as_ref(), "likelihood"));
        let impact = risk.and_then(|risk| self.step(risk.impact.as_ref(), "impact"));
        let mut description = threat.description.clone();
        for comment in risk.iter().flat_map(|risk| [&risk.likelihood_comment, &risk.impact_comment]).flatten() {
            description = Some(join_text(description.as_deref(), comment));
        }
        // Rampart's own export tags each threat with its rule, which the
        // custom threat's id already carries.
        let rule = threat.attributes.as_ref().and_then(|a| a.get("rampart:rule")).and_then(format::Attribute::text);
        let tags: Vec<&String> = present(&threat.tags).filter(|tag| Some(tag.as_str()) != rule.as_deref()).collect();
        if !tags.is_empty() {
            self.warn(threat.id.at, format!("tags {} of threat `{}` are not carried", quoted(tags), threat.id.value));
        }
        self.note_attributes(threat.attributes.as_ref(), threat.id.at, "threat");
        CustomThreat {
            id: Located { value: id.to_string(), at: threat.id.at },
            title: threat.name.value.clone(),
            description,
            targets,
            stride,
            cwe,
            likelihood,
            impact,
            mitigations: self.mitigation_texts(references, mitigations, used),
            source: Some(SourceRef {
                file: String::new(),
                line: Some(threat.id.at.line).filter(|line| *line > 0),
                resource: Some(threat.id.value.clone()),
            }),
            ..CustomThreat::default()
        }
    }

    /// One text per mitigation named on the threat's references: its name,
    /// description, and its state on each target.
    fn mitigation_texts(
        &mut self,
        references: &[&ThreatReference<'d>],
        mitigations: &HashMap<&str, &'d format::Mitigation>,
        used: &mut HashSet<&'d str>,
    ) -> Vec<String> {
        let mut states: Vec<(&'d format::Mitigation, Vec<String>)> = Vec::new();
        for reference in references {
            for instance in present(&reference.reference.mitigations) {
                let Some(mitigation_id) = &instance.mitigation else { continue };
                let Some(mitigation) = mitigations.get(mitigation_id.value.as_str()).copied() else {
                    self.error(
                        mitigation_id.at,
                        format!("mitigation `{}` is not declared in `mitigations`", mitigation_id.value),
                    );
                    continue;
                };
                used.insert(mitigation.id.value.as_str());
                let state = format!("{} on {}", instance.state.as_deref().unwrap_or("no state"), reference.target);
                match states.iter_mut().find(|(known, _)| known.id.value == mitigation.id.value) {
                    Some((_, known_states)) => known_states.push(state),
                    None => states.push((mitigation, vec![state])),
                }
            }
        }
        states
            .into_iter()
            .map(|(mitigation, on)| {
                let mut text = mitigation.name.value.clone();
                if let Some(description) = mitigation.description.as_deref().filter(|d| !d.trim().is_empty()) {
                    text = format!("{text}: {}", description.trim());
                }
                format!("{text} ({})", on.join("; "))
            })
            .collect()
    }

    fn step(&mut self, value: Option<&Located<f64>>, what: &str) -> Option<Located<u8>> {
        let value = value?;
        match terms::step_from_percent(value.value) {
            Some(step) => Some(Located { value: step, at: value.at }),
            None => {
                self.error(value.at, format!("threat {what} {} is out of range: expected 0 to 100", value.value));
                None
            }
        }
    }

    fn tracking(&mut self, id: &str, references: &[&ThreatReference<'d>]) {
        for reference in references {
            let state = &reference.reference.state;
            let Some(status) = terms::status(state) else {
                self.warn(
                    state.at,
                    format!(
                        "threat state `{}` is not one Rampart knows (exposed, mitigated, \
                    not-applicable, accepted...); the threat stays open",
                        state.value
                    ),
                );
                continue;
            };
            let threat = format!("{id}@{}", reference.target);
            if self.model.threats.iter().any(|entry| entry.threat.value == threat) {
                self.warn(
                    state.at,
                    format!(
                        "threat `{}` is on `{}` twice; the first state is kept",
                        reference.reference.threat.value, reference.target
                    ),
                );
                continue;
            }
            let justification = matches!(status, Status::Accepted | Status::FalsePositive)
                .then(|| format!("Marked {} in the OTM file", state.value));
            self.model.threats.push(Tracking {
                threat: Located { value: threat, at: state.at },
                status,
                justification,
                ..Tracking::default()
            });
        }
    }
}

trait NonEmpty {
    fn is_some_and_nonempty(&self) -> bool;
}

impl NonEmpty for Option<format::AssetInstance> {
    fn is_some_and_nonempty(&self) -> bool {
        self.as_ref().is_some_and(|assets| {
            present(&assets.processed).next().is_some() || present(&assets.stored).next().is_some()
        })
    }
}

/// The comma-separated list Rampart's export wrote in attribute `key`.
fn listed(attributes: Option<&Attributes>, key: &str, at: Position) -> Vec<Located<String>> {
    let text = attributes.and_then(|attributes| attributes.get(key)).and_then(format::Attribute::text);
    let items = text.iter().flat_map(|text| text.split(',')).map(str::trim).filter(|item| !item.is_empty());
    items.map(|item| Located { value: item.to_string(), at }).collect()
}

/// The keys of attributes that are not Rampart's own, quoted; `None` when there are none.
fn foreign_attributes(attributes: Option<&Attributes>) -> Option<String> {
    let keys: Vec<&String> = attributes?.keys().filter(|key| !key.starts_with("rampart:")).collect();
    (!keys.is_empty()).then(|| quoted(keys))
}

/// The slug of `name`, else of `id`.
fn slug_or(name: &str, id: &str) -> String {
    let slug = slugify(name);
    if slug.is_empty() { slugify(id) } else { slug }
}
