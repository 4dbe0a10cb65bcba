//! Builds the Rampart model from what [`super::read`] found: shapes become
//! actors, components and boundaries, lines become flows, and boundary
//! membership is worked out from where the shapes sit on the diagram.

use std::collections::HashMap;

use rampart_model::{
    Actor, Boundary, Component, Diagnostic, Exposure, FORMAT_VERSION, Located, Model, Position, SourceRef, Trust,
};

use super::read::{Rect, Stencil, Surface};
use super::tables::{self, Fit};
use super::xml::{Element, Lines};
use crate::Imported;
use crate::ids::{IdAllocator, slugify};

/// The all-zero GUID the tool writes for a line end that is not attached.
pub(super) const UNATTACHED: &str = "00000000-0000-0000-0000-000000000000";

/// What a diagram GUID became in the model.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Mapped {
    Actor(String),
    Component(String),
    Boundary(String),
    Flow(String),
    /// Not imported (an annotation, a line boundary, an unattached line); the
    /// text says what it was.
    Dropped(String),
}

/// State shared by the conversion steps.
pub(super) struct Converter<'t> {
    pub lines: &'t Lines<'t>,
    pub ids: IdAllocator,
    pub model: Model,
    pub warnings: Vec<Diagnostic>,
    pub errors: Vec<Diagnostic>,
    pub by_guid: HashMap<String, Mapped>,
}

impl<'t> Converter<'t> {
    pub fn new(lines: &'t Lines<'t>) -> Self {
        let model = Model { rampart: Located::synthetic(FORMAT_VERSION), ..Model::default() };
        Converter {
            lines,
            ids: IdAllocator::default(),
            model,
            warnings: Vec::new(),
            errors: Vec::new(),
            by_guid: HashMap::new(),
        }
    }

    pub fn at(&self, offset: usize) -> Position {
        self.lines.position(offset)
    }

    pub fn warn(&mut self, offset: usize, message: impl Into<String>) {
        let at = self.at(offset);
        self.warnings.push(Diagnostic::warning(at, message));
    }

    pub(super) fn located(&self, value: impl Into<String>, offset: usize) -> Located<String> {
        Located { value: value.into(), at: self.at(offset) }
    }

    /// Allocates an id for an element called `name`, warning when a clash
    /// with an earlier element forced a suffix.
    pub(super) fn allocate(&mut self, name: &str, suffix: &str, offset: usize) -> String {
        let slug = slugify(name);
        let id = self.ids.allocate(&slug, suffix);
        if !slug.is_empty() && id != slug {
            self.warn(offset, format!("another element already has the id `{slug}`; `{name}` gets the id `{id}`"));
        }
        id
    }

    pub fn finish(mut self) -> Result<Imported, Vec<Diagnostic>> {
        if self.errors.is_empty() {
            rampart_model::diagnostic::sort(&mut self.warnings);
            Ok(Imported { model: self.model, warnings: self.warnings })
        } else {
            let mut all = self.errors;
            all.extend(self.warnings);
            rampart_model::diagnostic::sort(&mut all);
            Err(all)
        }
    }

    /// Model name, description and the metadata that has no place in the model.
    pub fn metadata(&mut self, root: &Element, surfaces: &[Surface]) {
        let meta = root.child("MetaInformation");
        let field = |name: &str| meta.and_then(|meta| meta.child_text(name)).map(str::to_string);
        let surface_name = surfaces.iter().find_map(|surface| surface.name.clone());
        self.model.name =
            field("ThreatModelName").or(surface_name).unwrap_or_else(|| "Threat Modeling Tool model".to_string());
        let mut description = Vec::new();
        if let Some(text) = field("HighLevelSystemDescription") {
            description.push(text);
        }
        for (key, label) in [("Assumptions", "Assumptions"), ("ExternalDependencies", "External dependencies")] {
            if let Some(text) = field(key) {
                description.push(format!("{label}: {text}"));
            }
        }
        self.model.description = Some(description.join("\n\n")).filter(|text| !text.is_empty());
        if let Some(meta) = meta {
            for key in ["Owner", "Reviewer", "Contributors"] {
                if let Some(element) = meta.child(key).filter(|element| !element.text.trim().is_empty()) {
                    let text = element.text.trim().to_string();
                    self.warn(element.offset, format!("model {} `{text}` is not imported", key.to_lowercase()));
                }
            }
        }
        if let Some(notes) = root.child("Notes") {
            for note in &notes.children {
                let text = note.child_text("Message").unwrap_or(note.text.trim()).to_string();
                if !text.is_empty() {
                    self.warn(note.offset, format!("note `{text}` is not imported"));
                }
            }
        }
    }

    /// Boundaries, actors and components of one surface.
    pub fn shapes(&mut self, surface: &Surface) {
        let boxes: Vec<&Stencil> = surface.shapes.iter().filter(|shape| shape.generic_type == "GE.TB.B").collect();
        let mut placed: Vec<(Rect, String, bool)> = Vec::new();
        for shape in &boxes {
            let name = shape.name().unwrap_or("boundary").to_string();
            let id = self.allocate(&name, "boundary", shape.offset);
            let untrusted = tables::boundary_is_untrusted(&name, &shape.type_id);
            self.model.boundaries.push(Boundary {
                id: self.located(id.clone(), shape.offset),
                name: Some(name),
                kind: tables::boundary_kind(&shape.type_id).map(str::to_string),
                trust: if untrusted { Trust::Untrusted } else { Trust::Internal },
                description: shape.type_name().map(str::to_string),
                source: Some(source(&shape.guid)),
                ..Boundary::default()
            });
            self.by_guid.insert(shape.guid.clone(), Mapped::Boundary(id.clone()));
            match shape.rect {
                Some(rect) => placed.push((rect, id, untrusted)),
                None => self.warn(shape.offset, format!("boundary `{id}` has no position; nothing is placed in it")),
            }
        }
        // A boundary's parent is the smallest other box that encloses it.
        for (rect, id, _) in &placed {
            let parent = placed
                .iter()
                .filter(|(other, other_id, _)| other_id != id && other.contains(rect) && other.area() > rect.area())
                .min_by(|a, b| a.0.area().total_cmp(&b.0.area()))
                .map(|(_, parent, _)| parent.clone());
            if let Some(boundary) = self.model.boundaries.iter_mut().find(|boundary| &boundary.id.value == id) {
                boundary.parent = parent.map(Located::synthetic);
            }
        }
        for shape in &surface.shapes {
            let enclosing = shape.rect.and_then(|rect| {
                placed
                    .iter()
                    .filter(|(area, _, _)| area.contains_point(rect.center()))
                    .min_by(|a, b| a.0.area().total_cmp(&b.0.area()))
            });
            let boundary = enclosing.map(|(_, id, _)| id.clone());
            let untrusted_zone = enclosing.is_some_and(|(_, _, untrusted)| *untrusted);
            match shape.generic_type.as_str() {
                "GE.TB.B" => {}
                "GE.EI" => self.interactor(shape, boundary),
                "GE.P" | "GE.DS" => self.process_or_store(shape, boundary, untrusted_zone),
                "GE.A" => {
                    let text = shape.name().unwrap_or_default().to_string();
                    self.warn(shape.offset, format!("annotation `{text}` is not imported"));
                    self.by_guid.insert(shape.guid.clone(), Mapped::Dropped("an annotation".into()));
                }
                other => {
                    let what = format!("a shape of generic type `{other}`");
                    self.warn(shape.offset, format!("{what} (`{}`) is not imported", shape.type_id));
                    self.by_guid.insert(shape.guid.clone(), Mapped::Dropped(what));
                }
            }
        }
    }

    fn interactor(&mut self, shape: &Stencil, boundary: Option<String>) {
        let name = shape.name().unwrap_or("external interactor").to_string();
        let id = self.allocate(&name, "actor", shape.offset);
        let kind = match tables::interactor_kind(&shape.type_id) {
            Some((kind, _)) => kind,
            None => {
                let kind = tables::interactor_kind_from_name(&name);
                if shape.type_id != "GE.EI" {
                    self.unknown_type(shape, "external interactor", kind);
                }
                kind
            }
        };
        self.model.actors.push(Actor {
            id: self.located(id.clone(), shape.offset),
            name: Some(name),
            kind: self.located(kind, shape.offset),
            boundary: boundary.map(Located::synthetic),
            controls: Vec::new(),
            description: describe(shape),
        });
        self.by_guid.insert(shape.guid.clone(), Mapped::Actor(id));
    }

    fn process_or_store(&mut self, shape: &Stencil, boundary: Option<String>, untrusted_zone: bool) {
        let is_store = shape.generic_type == "GE.DS";
        let default_name = if is_store { "data store" } else { "process" };
        let name = shape.name().unwrap_or(default_name).to_string();
        let out_of_scope = shape.property("Out Of Scope").is_some_and(|value| value.eq_ignore_ascii_case("true"));
        if out_of_scope {
            // As in the Threagile importer: what the team does not own is an outside system.
            let id = self.allocate(&name, "actor", shape.offset);
            let reason = shape.property("Reason For Out Of Scope").unwrap_or("no reason given");
            let description = [Some(format!("Out of scope: {reason}")), describe(shape)];
            self.model.actors.push(Actor {
                id: self.located(id.clone(), shape.offset),
                name: Some(name),
                kind: self.located("external-system", shape.offset),
                boundary: boundary.map(Located::synthetic),
                controls: Vec::new(),
                description: Some(description.into_iter().flatten().collect::<Vec<_>>().join("\n")),
            });
            self.by_guid.insert(shape.guid.clone(), Mapped::Actor(id));
            return;
        }
        let id = self.allocate(&name, if is_store { "store" } else { "process" }, shape.offset);
        let storage_type = Some(shape)
            .filter(|shape| shape.type_id.ends_with(".AzureStorage"))
            .and_then(|shape| shape.property("Storage Type"))
            .and_then(tables::azure_storage_kind);
        let mapped = storage_type
            .or_else(|| if is_store { tables::datastore_kind(&shape.type_id) } else { None })
            .or_else(|| tables::process_kind(&shape.type_id))
            .or_else(|| if is_store { None } else { tables::datastore_kind(&shape.type_id) });
        let kind = match mapped {
            Some((kind, Fit::Exact)) => kind,
            Some((kind, _)) => {
                let type_name = shape.type_name().unwrap_or(&shape.type_id).to_string();
                self.warn(
                    shape.offset,
                    format!("`{name}` (stencil `{type_name}`) has no exact Rampart type; imported as `{kind}`"),
                );
                kind
            }
            None => {
                let kind = if is_store {
                    tables::datastore_kind_from_name(&format!("{name} {}", shape.type_id))
                } else {
                    tables::process_kind_from_name(&format!("{name} {}", shape.type_id))
                };
                let generic = if is_store { "GE.DS" } else { "GE.P" };
                if shape.type_id != generic {
                    self.unknown_type(shape, if is_store { "data store" } else { "process" }, kind);
                }
                kind
            }
        };
        let technology = shape.type_name().filter(|name| !name.starts_with("Generic ")).map(str::to_string);
        self.model.components.push(Component {
            id: self.located(id.clone(), shape.offset),
            name: Some(name),
            kind: self.located(kind, shape.offset),
            technology,
            boundary: boundary.map(Located::synthetic),
            exposure: if untrusted_zone { Exposure::Internet } else { Exposure::Internal },
            description: describe(shape),
            source: Some(source(&shape.guid)),
            ..Component::default()
        });
        self.by_guid.insert(shape.guid.clone(), Mapped::Component(id));
    }

    fn unknown_type(&mut self, shape: &Stencil, what: &str, kind: &str) {
        let name = shape.name().unwrap_or_default().to_string();
        self.warn(
            shape.offset,
            format!(
                "{what} `{name}` has stencil type `{}`, which the importer does not know; imported as `{kind}`",
                shape.type_id
            ),
        );
    }

    /// Components reached from an actor in an untrusted zone face the internet.
    pub fn exposure(&mut self) {
        let untrusted: Vec<&str> = self
            .model
            .boundaries
            .iter()
            .filter(|boundary| boundary.trust == Trust::Untrusted)
            .map(|boundary| boundary.id.value.as_str())
            .collect();
        let outside: Vec<String> = self
            .model
            .actors
            .iter()
            .filter(|actor| actor.boundary.as_ref().is_some_and(|b| untrusted.contains(&b.value.as_str())))
            .map(|actor| actor.id.value.clone())
            .collect();
        let reached: Vec<String> = self
            .model
            .flows
            .iter()
            .filter(|flow| outside.contains(&flow.from.value))
            .map(|flow| flow.to.value.clone())
            .collect();
        for component in &mut self.model.components {
            if reached.contains(&component.id.value) {
                component.exposure = Exposure::Internet;
            }
        }
    }
}

pub(super) fn source(guid: &str) -> SourceRef {
    SourceRef { file: String::new(), line: None, resource: Some(guid.to_string()) }
}

/// The properties the user set, as description lines (`HTTPS Enforced: Yes`).
pub(super) fn describe(stencil: &Stencil) -> Option<String> {
    const CARRIED: &[&str] = &["Name", "Dataflow Order", "Out Of Scope", "Reason For Out Of Scope"];
    let lines: Vec<String> = stencil
        .properties
        .iter()
        .filter(|property| !property.header && !CARRIED.contains(&property.display_name.as_str()))
        .filter_map(|property| property.value.as_ref().map(|value| format!("{}: {value}", property.display_name)))
        .filter(|line| !line.ends_with(": false"))
        .collect();
    Some(lines.join("\n")).filter(|text| !text.is_empty())
}
