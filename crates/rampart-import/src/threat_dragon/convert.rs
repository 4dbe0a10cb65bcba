//! Threat Dragon document → Rampart model.
//!
//! Passes: index every cell of every diagram (so that flows can name cells
//! drawn after them), place elements in boundary boxes by geometry, convert
//! elements, then flows (which need the element ids), then the threats
//! recorded on any cell. Every problem is collected, so the user sees all of
//! them at once.

use std::collections::{HashMap, HashSet};

use rampart_model::{
    Actor, Boundary, Component, DataAsset, Diagnostic, Exposure, Flow, Located, Model, Position, Rating, SourceRef,
};

use super::format::{Cell, CellData, Diagram, Document};
use super::guess::{self, Family};
use super::json::top_level_key_position;
use super::tables;
use crate::Imported;
use crate::ids::{IdAllocator, slugify};

mod custom_threats;

pub(super) fn convert(document: &Document, text: &str) -> Result<Imported, Vec<Diagnostic>> {
    let mut converter = Converter::new(document, text);
    let model = converter.model();
    let Converter { errors, warnings, .. } = converter;
    Imported::finish(model, errors, warnings)
}

/// What a cell becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Actor,
    Process,
    Store,
    Flow,
    BoundaryBox,
    BoundaryCurve,
    Note,
    Unknown,
}

impl Role {
    fn of(shape: &str) -> Role {
        match shape {
            "actor" => Role::Actor,
            "process" => Role::Process,
            "store" => Role::Store,
            "flow" => Role::Flow,
            "trust-boundary-box" => Role::BoundaryBox,
            "trust-boundary-curve" | "trust-boundary" => Role::BoundaryCurve,
            "td-text-block" => Role::Note,
            _ => Role::Unknown,
        }
    }

    fn is_element(self) -> bool {
        matches!(self, Role::Actor | Role::Process | Role::Store)
    }

    /// The word used for ids of unnamed cells and in messages.
    fn word(self) -> &'static str {
        match self {
            Role::Actor => "actor",
            Role::Process => "process",
            Role::Store => "store",
            Role::Flow => "flow",
            Role::BoundaryBox | Role::BoundaryCurve => "boundary",
            Role::Note => "text block",
            Role::Unknown => "cell",
        }
    }
}

/// A cell with what the converter decided about it.
struct Placed<'d> {
    diagram: usize,
    cell: &'d Cell,
    role: Role,
    name: String,
    /// The Rampart id, for elements, boxes and (once converted) flows.
    id: Option<String>,
    /// The catalog type, for components once converted.
    kind: Option<&'static str>,
}

struct Converter<'d> {
    document: &'d Document,
    text: &'d str,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    ids: IdAllocator,
    cells: Vec<Placed<'d>>,
    /// (diagram, Threat Dragon cell id) → index into `cells`.
    index: HashMap<(usize, &'d str), usize>,
    /// Cells that some in-scope public-network flow reaches.
    reached_from_public_network: HashSet<usize>,
}

fn non_empty(text: Option<&String>) -> Option<String> {
    text.map(|text| text.trim()).filter(|text| !text.is_empty()).map(str::to_string)
}

/// A display name on one line: Threat Dragon names often hold line breaks
/// for the drawing.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn source_ref(at: Position, resource: &str) -> Option<SourceRef> {
    Some(SourceRef {
        file: String::new(),
        line: at.is_known().then_some(at.line),
        resource: Some(resource.to_string()),
    })
}

fn join_notes(notes: Vec<String>) -> Option<String> {
    (!notes.is_empty()).then(|| notes.join("\n\n"))
}

impl<'d> Converter<'d> {
    fn new(document: &'d Document, text: &'d str) -> Self {
        Converter {
            document,
            text,
            errors: Vec::new(),
            warnings: Vec::new(),
            ids: IdAllocator::default(),
            cells: Vec::new(),
            index: HashMap::new(),
            reached_from_public_network: HashSet::new(),
        }
    }

    fn model(&mut self) -> Model {
        self.check_version();
        self.index_cells();
        self.allocate_element_ids();
        self.mark_public_network_targets();
        let boundaries = self.boundaries();
        let (actors, components, data) = self.elements();
        let flows = self.flows();
        let (custom_threats, threats) = self.threats();

        let document = self.document;
        let summary = document.summary.as_ref();
        let name = match summary.and_then(|summary| non_empty(summary.title.as_ref())) {
            Some(title) => one_line(&title),
            None => {
                self.warnings.push(
                    Diagnostic::warning(self.key_position("summary"), "the Threat Dragon model has no title")
                        .with_help("the imported model is named `Threat Dragon model`; set `name:` to rename it"),
                );
                "Threat Dragon model".to_string()
            }
        };
        Model {
            rampart: Located::synthetic(rampart_model::FORMAT_VERSION),
            name,
            description: self.description(),
            libraries: Vec::new(),
            controls: Vec::new(),
            boundaries,
            actors,
            components,
            data,
            flows,
            threats,
            custom_threats,
            policy: None,
            layout: Default::default(),
        }
    }

    fn key_position(&self, key: &str) -> Position {
        top_level_key_position(self.text, key).unwrap_or(Position::new(1, 1))
    }

    /// Version 2 files say `"version": "2.x"`; a version 1 file has none and
    /// keeps its cells under `diagramJson` (reported per diagram).
    fn check_version(&mut self) {
        let version = match &self.document.version {
            Some(serde_json::Value::String(version)) => version.clone(),
            Some(serde_json::Value::Number(number)) => number.to_string(),
            _ => return,
        };
        if !version.trim().starts_with('2') {
            self.warnings.push(
                Diagnostic::warning(
                    self.key_position("version"),
                    format!("Threat Dragon version `{version}`; this importer reads version 2 files"),
                )
                .with_help("if the import looks wrong, open and save the model in Threat Dragon 2"),
            );
        }
    }

    fn index_cells(&mut self) {
        let document = self.document;
        for (diagram_index, diagram) in document.detail.diagrams.iter().enumerate() {
            let Some(cells) = &diagram.cells else {
                self.missing_cells(diagram_index, diagram);
                continue;
            };
            for cell in cells {
                let role = Role::of(&cell.shape.value);
                if let Some(&first) = self.index.get(&(diagram_index, cell.id.value.as_str())) {
                    let first_line = self.cells.get(first).map_or(0, |placed| placed.cell.id.at.line);
                    self.errors.push(Diagnostic::error(
                        cell.id.at,
                        format!(
                            "cell id `{}` is used twice in diagram `{}` (first on line {first_line})",
                            cell.id.value,
                            diagram_title(diagram, diagram_index)
                        ),
                    ));
                    continue;
                }
                self.index.insert((diagram_index, cell.id.value.as_str()), self.cells.len());
                let name = cell_name(cell);
                self.cells.push(Placed { diagram: diagram_index, cell, role, name, id: None, kind: None });
            }
        }
    }

    fn missing_cells(&mut self, diagram_index: usize, diagram: &Diagram) {
        let at = diagram.title.as_ref().map_or(self.key_position("detail"), |title| title.at);
        let title = diagram_title(diagram, diagram_index);
        if diagram.diagram_json.is_some() {
            self.errors.push(
                Diagnostic::error(
                    at,
                    format!(
                        "diagram `{title}` is in Threat Dragon's version 1 format (`diagramJson`), expected `cells`"
                    ),
                )
                .with_help("open the model in Threat Dragon 2 and save it again to convert it"),
            );
        } else {
            self.warnings.push(Diagnostic::warning(at, format!("diagram `{title}` has no `cells`; nothing imported")));
        }
    }

    /// Elements first, in drawing order, so they get the plain ids; names
    /// that repeat in another diagram get the diagram's name appended.
    fn allocate_element_ids(&mut self) {
        let titles: Vec<String> = self
            .document
            .detail
            .diagrams
            .iter()
            .enumerate()
            .map(|(index, diagram)| slugify(&diagram_title(diagram, index)))
            .collect();
        let several_diagrams = titles.len() > 1;
        for placed in &mut self.cells {
            if !(placed.role.is_element() || placed.role == Role::BoundaryBox) {
                continue;
            }
            let wanted =
                if slugify(&placed.name).is_empty() { placed.role.word().to_string() } else { slugify(&placed.name) };
            let suffix = match titles.get(placed.diagram) {
                Some(title) if several_diagrams && !title.is_empty() => title.as_str(),
                _ => placed.role.word(),
            };
            placed.id = Some(self.ids.allocate(&wanted, suffix));
        }
    }

    fn mark_public_network_targets(&mut self) {
        for placed in &self.cells {
            let data = placed.cell.data.as_ref();
            let public =
                data.is_some_and(|data| data.is_public_network == Some(true) && data.out_of_scope != Some(true));
            if placed.role != Role::Flow || !public {
                continue;
            }
            let target = placed.cell.target.as_ref().and_then(|end| end.cell.as_ref());
            if let Some(&target) = target.and_then(|cell| self.index.get(&(placed.diagram, cell.value.as_str()))) {
                self.reached_from_public_network.insert(target);
            }
        }
    }

    /// Boundary boxes become boundaries, nested by geometry; curves are lines
    /// that flows cross, which Rampart's boundaries (areas holding elements)
    /// cannot express.
    fn boundaries(&mut self) -> Vec<Boundary> {
        let mut boundaries = Vec::new();
        for index in 0..self.cells.len() {
            let Some(placed) = self.cells.get(index) else { continue };
            let cell = placed.cell;
            match placed.role {
                Role::BoundaryCurve => {
                    let label = if placed.name.is_empty() { String::new() } else { format!(" `{}`", placed.name) };
                    self.warnings.push(
                        Diagnostic::warning(
                            cell.id.at,
                            format!(
                                "trust boundary curve{label} is a line, and Rampart boundaries are areas that hold \
                                 elements; not imported"
                            ),
                        )
                        .with_help("draw it as a trust boundary box around the elements it separates"),
                    );
                }
                Role::BoundaryBox => {
                    let parent = self.enclosing_box(index).and_then(|parent| self.cells.get(parent)?.id.clone());
                    let data = cell.data.as_ref();
                    let Some(id) = placed.id.clone() else { continue };
                    boundaries.push(Boundary {
                        id: Located { value: id, at: cell.id.at },
                        name: (!placed.name.is_empty()).then(|| placed.name.clone()),
                        kind: None,
                        trust: Default::default(),
                        parent: parent.map(Located::synthetic),
                        controls: Vec::new(),
                        description: data.and_then(|data| non_empty(data.description.as_ref())),
                        source: source_ref(cell.id.at, &cell.id.value),
                    });
                }
                Role::Unknown => self.warnings.push(Diagnostic::warning(
                    cell.id.at,
                    format!("cell shape `{}` is not one Threat Dragon documents; not imported", cell.shape.value),
                )),
                _ => {}
            }
        }
        boundaries
    }

    /// The smallest boundary box of the same diagram that holds cell `index`:
    /// an element by its centre, a box by all of its area.
    fn enclosing_box(&self, index: usize) -> Option<usize> {
        let placed = self.cells.get(index)?;
        let inner = rectangle(placed.cell)?;
        self.cells
            .iter()
            .enumerate()
            .filter(|(other, candidate)| {
                *other != index && candidate.role == Role::BoundaryBox && candidate.diagram == placed.diagram
            })
            .filter_map(|(other, candidate)| Some((other, rectangle(candidate.cell)?)))
            .filter(|(_, outer)| match placed.role {
                Role::BoundaryBox => outer.holds_rectangle(&inner) && outer.area() > inner.area(),
                _ => outer.holds_point(inner.centre()),
            })
            .min_by(|a, b| a.1.area().total_cmp(&b.1.area()))
            .map(|(other, _)| other)
    }

    fn boundary_of(&self, index: usize) -> Option<Located<String>> {
        let boundary = self.enclosing_box(index)?;
        self.cells.get(boundary)?.id.clone().map(Located::synthetic)
    }

    fn elements(&mut self) -> (Vec<Actor>, Vec<Component>, Vec<DataAsset>) {
        let (mut actors, mut components, mut data) = (Vec::new(), Vec::new(), Vec::new());
        for index in 0..self.cells.len() {
            let Some(placed) = self.cells.get(index) else { continue };
            let (cell, role) = (placed.cell, placed.role);
            let Some(id) = placed.id.clone().filter(|_| role.is_element()) else { continue };
            let name = placed.name.clone();
            let empty = CellData::default();
            let cell_data = cell.data.as_ref().unwrap_or(&empty);
            let mut notes: Vec<String> = non_empty(cell_data.description.as_ref()).into_iter().collect();
            let out_of_scope = cell_data.out_of_scope == Some(true);
            if out_of_scope {
                let reason = non_empty(cell_data.reason_out_of_scope.as_ref());
                notes.push(match &reason {
                    Some(reason) => format!("Out of scope in Threat Dragon: {reason}"),
                    None => "Out of scope in Threat Dragon.".to_string(),
                });
                self.warnings.push(Diagnostic::warning(
                    cell.id.at,
                    format!(
                        "{} `{}` is out of scope in Threat Dragon; imported anyway (Rampart analyses every element), \
                         with a note",
                        role.word(),
                        display(&name, &id)
                    ),
                ));
            }
            let boundary = self.boundary_of(index);
            let at = cell.id.at;
            if role == Role::Actor {
                let kind = tables::actor_kind(&name, cell_data.provides_authentication == Some(true));
                actors.push(Actor {
                    id: Located { value: id, at },
                    name: (!name.is_empty()).then_some(name),
                    kind: Located { value: kind.to_string(), at },
                    boundary,
                    controls: Vec::new(),
                    description: join_notes(notes),
                });
                continue;
            }
            let kind = self.component_kind(role, cell_data, &name, &id, at);
            if let Some(placed) = self.cells.get_mut(index) {
                placed.kind = Some(kind);
            }
            let mut component = Component {
                id: Located { value: id.clone(), at },
                name: (!name.is_empty()).then(|| name.clone()),
                kind: Located { value: kind.to_string(), at },
                boundary,
                exposure: if self.reached_from_public_network.contains(&index) {
                    Exposure::Internet
                } else {
                    Exposure::Internal
                },
                source: source_ref(at, &cell.id.value),
                ..Component::default()
            };
            if out_of_scope {
                component.tags.push("out-of-scope".to_string());
            }
            if cell_data.handles_card_payment == Some(true) {
                component.capabilities.push(Located::synthetic("payment-processing".to_string()));
            }
            if cell_data.handles_goods_or_services == Some(true) {
                notes.push("Handles goods or services.".to_string());
            }
            if let Some(level) = non_empty(cell_data.privilege_level.as_ref()) {
                notes.push(format!("Runs with privilege level: {level}."));
            }
            if role == Role::Store {
                if cell_data.is_encrypted == Some(true) {
                    component.controls.push(Located::synthetic("encryption-at-rest".to_string()));
                }
                if cell_data.is_a_log == Some(true) {
                    component.tags.push("log".to_string());
                }
                if cell_data.is_signed == Some(true) {
                    notes.push("Its contents are signed.".to_string());
                }
                if cell_data.stores_inventory == Some(true) {
                    notes.push("Stores inventory.".to_string());
                }
                if cell_data.stores_credentials == Some(true) {
                    let credentials = self.ids.allocate(&format!("{id}-credentials"), "data");
                    data.push(DataAsset {
                        id: Located { value: credentials.clone(), at },
                        name: Some(format!("Credentials in {}", display(&name, &id))),
                        categories: vec![Located::synthetic("credentials".to_string())],
                        confidentiality: Rating::High,
                        integrity: Rating::Medium,
                        availability: Rating::Low,
                        description: Some("Threat Dragon marks the store as holding credentials.".to_string()),
                    });
                    component.stores.push(Located::synthetic(credentials));
                }
            }
            component.description = join_notes(notes);
            components.push(component);
        }
        (actors, components, data)
    }

    fn component_kind(&mut self, role: Role, data: &CellData, name: &str, id: &str, at: Position) -> &'static str {
        if role == Role::Process && data.is_web_application == Some(true) {
            return "web-app";
        }
        let (family, fallback) = match role {
            Role::Store => (Family::Datastore, "file-share"),
            _ => (Family::Process, "service"),
        };
        if let Some((kind, _)) = guess::kind_from_name(name, Some(family)) {
            return kind;
        }
        // Logs are files (or a log service's storage), whatever their name.
        if role == Role::Store && data.is_a_log == Some(true) {
            return "file-share";
        }
        self.warnings.push(
            Diagnostic::warning(
                at,
                format!(
                    "{} `{}`: its name suggests no catalog type; imported as `{fallback}`",
                    role.word(),
                    display(name, id)
                ),
            )
            .with_help("set a more specific `kind` (`rampart kb catalog` lists them) for sharper threats"),
        );
        fallback
    }

    fn flows(&mut self) -> Vec<Flow> {
        let mut flows = Vec::new();
        for index in 0..self.cells.len() {
            let Some(placed) = self.cells.get(index) else { continue };
            if placed.role != Role::Flow {
                continue;
            }
            let (cell, name) = (placed.cell, placed.name.clone());
            let (Some((from_index, from_id)), Some((to_index, to_id))) =
                (self.flow_end(index, true), self.flow_end(index, false))
            else {
                continue;
            };
            let empty = CellData::default();
            let data = cell.data.as_ref().unwrap_or(&empty);
            let wanted = if names_only_a_protocol(&name) { format!("{from_id}-to-{to_id}") } else { slugify(&name) };
            let id = self.ids.allocate(&wanted, "flow");
            let (protocol, encrypted) = self.flow_protocol(data, &name, (from_index, to_index), cell.id.at);
            let mut notes: Vec<String> = non_empty(data.description.as_ref()).into_iter().collect();
            if data.is_public_network == Some(true) {
                notes.push("Crosses a public network.".to_string());
            }
            if data.is_bidirectional == Some(true) {
                notes.push("Bidirectional in Threat Dragon: data goes both ways on this exchange.".to_string());
            }
            if data.out_of_scope == Some(true) {
                let reason = non_empty(data.reason_out_of_scope.as_ref());
                notes.push(match &reason {
                    Some(reason) => format!("Out of scope in Threat Dragon: {reason}"),
                    None => "Out of scope in Threat Dragon.".to_string(),
                });
                self.warnings.push(Diagnostic::warning(
                    cell.id.at,
                    format!(
                        "flow `{}` is out of scope in Threat Dragon; imported anyway, with a note",
                        display(&name, &id)
                    ),
                ));
            }
            flows.push(Flow {
                id: Some(Located { value: id.clone(), at: cell.id.at }),
                name: (!name.is_empty()).then_some(name),
                from: Located { value: from_id, at: cell.id.at },
                to: Located { value: to_id, at: cell.id.at },
                protocol: Located { value: protocol.to_string(), at: cell.id.at },
                encrypted: encrypted.or((data.is_encrypted == Some(true)).then_some(true)),
                description: join_notes(notes),
                source: source_ref(cell.id.at, &cell.id.value),
                ..Flow::default()
            });
            if let Some(placed) = self.cells.get_mut(index) {
                placed.id = Some(id);
            }
        }
        flows
    }

    /// The element a flow starts (`source`) or ends at: its index and Rampart
    /// id. `None`, with a diagnostic, when the end is loose, names no cell of
    /// the diagram (an error), or a cell that is not an element.
    fn flow_end(&mut self, index: usize, source: bool) -> Option<(usize, String)> {
        let placed = self.cells.get(index)?;
        let cell = placed.cell;
        let which = if source { "source" } else { "target" };
        let end = if source { cell.source.as_ref() } else { cell.target.as_ref() };
        let label = display(&placed.name, &cell.id.value);
        let Some(end_cell) = end.and_then(|end| end.cell.as_ref()) else {
            self.warnings.push(
                Diagnostic::warning(
                    cell.id.at,
                    format!("flow `{label}` is not connected at its {which}; not imported"),
                )
                .with_help("attach both ends of the flow to elements in Threat Dragon"),
            );
            return None;
        };
        let Some(&end_index) = self.index.get(&(placed.diagram, end_cell.value.as_str())) else {
            let at = if end_cell.at.is_known() { end_cell.at } else { cell.id.at };
            self.errors.push(Diagnostic::error(
                at,
                format!(
                    "flow `{label}` has {which} cell `{}`, which is not in diagram `{}`; expected the id of an actor, \
                     process or store",
                    end_cell.value,
                    self.diagram_title_of(placed.diagram)
                ),
            ));
            return None;
        };
        let end_placed = self.cells.get(end_index)?;
        match (&end_placed.id, end_placed.role.is_element()) {
            (Some(id), true) => Some((end_index, id.clone())),
            _ => {
                self.warnings.push(Diagnostic::warning(
                    cell.id.at,
                    format!(
                        "flow `{label}` has a {} as its {which}; flows join actors, processes and stores; not imported",
                        end_placed.role.word()
                    ),
                ));
                None
            }
        }
    }

    /// The protocol a flow names, else the one its name names (`HTTPS`), else
    /// a default for the store at either end (the database's wire protocol,
    /// AMQP to a queue, Kafka to a stream, Redis to a cache), else HTTPS.
    fn flow_protocol(
        &mut self,
        data: &CellData,
        name: &str,
        (from, to): (usize, usize),
        at: Position,
    ) -> (&'static str, Option<bool>) {
        let written = non_empty(data.protocol.as_ref());
        if let Some(written) = &written {
            if let Some(found) = tables::protocol(written) {
                return (found.protocol, found.encrypted);
            }
        } else if let Some(found) = tables::protocol(name) {
            return (found.protocol, found.encrypted);
        }
        let store_protocol = |index: usize| match self.cells.get(index).and_then(|placed| placed.kind) {
            Some(
                "relational-database"
                | "document-database"
                | "key-value-store"
                | "data-warehouse"
                | "graph-database"
                | "time-series-database",
            ) => Some("sql"),
            Some("message-queue") => Some("amqp"),
            Some("event-stream") => Some("kafka"),
            Some("cache") => Some("redis"),
            _ => None,
        };
        let default = store_protocol(to).or_else(|| store_protocol(from)).unwrap_or("https");
        if let Some(written) = written {
            self.warnings.push(
                Diagnostic::warning(
                    at,
                    format!(
                        "flow `{}`: protocol `{written}` is not one Rampart knows; imported as `{default}`",
                        display(name, "")
                    ),
                )
                .with_help("set `protocol` to a term of the knowledge base (`rampart kb vocabulary`)"),
            );
        }
        (default, None)
    }

    fn diagram_title_of(&self, diagram: usize) -> String {
        self.document.detail.diagrams.get(diagram).map_or_else(String::new, |d| diagram_title(d, diagram))
    }

    /// The model's description: the summary's, who worked on it, and the
    /// diagrams' text blocks.
    fn description(&self) -> Option<String> {
        let document = self.document;
        let mut parts: Vec<String> =
            document.summary.as_ref().and_then(|summary| non_empty(summary.description.as_ref())).into_iter().collect();
        let mut people = Vec::new();
        if let Some(owner) = document.summary.as_ref().and_then(|summary| non_empty(summary.owner.as_ref())) {
            people.push(format!("Owner: {owner}."));
        }
        if let Some(reviewer) = non_empty(document.detail.reviewer.as_ref()) {
            people.push(format!("Reviewer: {reviewer}."));
        }
        let contributors: Vec<String> = document
            .detail
            .contributors
            .iter()
            .flatten()
            .filter_map(|contributor| non_empty(contributor.name.as_ref()))
            .collect();
        if !contributors.is_empty() {
            people.push(format!("Contributors: {}.", contributors.join(", ")));
        }
        if !people.is_empty() {
            parts.push(people.join(" "));
        }
        for placed in self.cells.iter().filter(|placed| placed.role == Role::Note && !placed.name.is_empty()) {
            parts.push(format!("Note on diagram `{}`: {}", self.diagram_title_of(placed.diagram), placed.name));
        }
        join_notes(parts)
    }
}

fn diagram_title(diagram: &Diagram, index: usize) -> String {
    diagram
        .title
        .as_ref()
        .map(|title| one_line(&title.value))
        .filter(|title| !title.is_empty())
        .unwrap_or_else(|| format!("diagram {}", index + 1))
}

/// What a cell is called: its name, else the text drawn on it.
fn cell_name(cell: &Cell) -> String {
    let data_name = cell.data.as_ref().and_then(|data| data.name.as_ref());
    let attrs = cell.attrs.as_ref();
    let drawn =
        attrs.and_then(|attrs| attrs.text.as_ref().or(attrs.label.as_ref())).and_then(|text| text.text.as_ref());
    let labelled = cell.labels.iter().flatten().filter_map(|label| label.attrs.as_ref()).find_map(|attrs| {
        [&attrs.label, &attrs.label_text, &attrs.text]
            .into_iter()
            .flatten()
            .find_map(|text| non_empty(text.text.as_ref()))
    });
    [data_name.cloned(), drawn.cloned(), labelled]
        .into_iter()
        .flatten()
        .map(|name| one_line(&name))
        .find(|name| !name.is_empty())
        .unwrap_or_default()
}

/// Whether a flow's name says nothing but its protocol (`HTTPS`, `Websocket
/// Secure`), or nothing at all: such flows are named after their ends.
fn names_only_a_protocol(name: &str) -> bool {
    let slug = slugify(name);
    slug.is_empty() || (slug.split('-').count() <= 2 && tables::protocol(name).is_some())
}

fn display<'a>(name: &'a str, fallback: &'a str) -> &'a str {
    if name.is_empty() { fallback } else { name }
}

/// An axis-aligned rectangle on the diagram canvas.
#[derive(Clone, Copy, Debug)]
struct Rectangle {
    x: f64,
    y: f64,
    width: f64,
    height: f64,
}

impl Rectangle {
    fn area(&self) -> f64 {
        self.width * self.height
    }

    fn centre(&self) -> (f64, f64) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    fn holds_point(&self, (x, y): (f64, f64)) -> bool {
        x >= self.x && x <= self.x + self.width && y >= self.y && y <= self.y + self.height
    }

    fn holds_rectangle(&self, other: &Rectangle) -> bool {
        self.holds_point((other.x, other.y)) && self.holds_point((other.x + other.width, other.y + other.height))
    }
}

/// Where a shape is drawn; edges and shapes without a position have none.
fn rectangle(cell: &Cell) -> Option<Rectangle> {
    let position = cell.position?;
    let size = cell.size.unwrap_or_default();
    let finite = [position.x, position.y, size.width, size.height].iter().all(|value| value.is_finite());
    finite.then_some(Rectangle { x: position.x, y: position.y, width: size.width.abs(), height: size.height.abs() })
}
