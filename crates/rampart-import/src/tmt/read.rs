//! What a `.tm7` file says, read out of the element tree: drawing surfaces
//! with their shapes (stencils) and lines, and the threat instances. No
//! mapping to Rampart happens here; only the shape of the XML is checked.

use rampart_model::Diagnostic;

use super::xml::{Element, Lines};

/// A property the tool shows in its properties pane (`*DisplayAttribute`).
#[derive(Debug)]
pub(super) struct Property {
    pub display_name: String,
    /// The text, the boolean, or the chosen entry of a list; `None` when empty,
    /// null, or a list left at its "Select" placeholder.
    pub value: Option<String>,
    /// Whether this is a header (`HeaderDisplayAttribute`), which only labels
    /// a group of properties; the first names the stencil type.
    pub header: bool,
}

/// A rectangle on the drawing surface, in the tool's pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Rect {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Rect {
    pub fn center(&self) -> (f64, f64) {
        (self.left + self.width / 2.0, self.top + self.height / 2.0)
    }

    pub fn contains_point(&self, (x, y): (f64, f64)) -> bool {
        x >= self.left && x <= self.left + self.width && y >= self.top && y <= self.top + self.height
    }

    pub fn contains(&self, other: &Rect) -> bool {
        other.left >= self.left
            && other.top >= self.top
            && other.left + other.width <= self.left + self.width
            && other.top + other.height <= self.top + self.height
    }

    pub fn area(&self) -> f64 {
        self.width * self.height
    }
}

/// A shape (process, data store, interactor, boundary box, annotation) or a
/// line (data flow, line boundary) on a drawing surface.
#[derive(Debug)]
pub(super) struct Stencil {
    pub guid: String,
    /// `GE.P`, `GE.DS`, `GE.EI`, `GE.TB.B`, `GE.DF`, `GE.TB.L`, `GE.A`.
    pub generic_type: String,
    /// The template's type (`SE.P.TMCore.WebApp`); the generic type when absent.
    pub type_id: String,
    pub properties: Vec<Property>,
    /// Shapes only.
    pub rect: Option<Rect>,
    /// Lines only.
    pub line: Option<Line>,
    pub offset: usize,
}

impl Stencil {
    /// The value of the property shown as `display_name`.
    pub fn property(&self, display_name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|property| !property.header && property.display_name.eq_ignore_ascii_case(display_name))
            .and_then(|property| property.value.as_deref())
    }

    /// The name the user gave the element.
    pub fn name(&self) -> Option<&str> {
        self.property("Name").map(str::trim).filter(|name| !name.is_empty())
    }

    /// The stencil type's display name (`Azure Database for PostgreSQL`).
    pub fn type_name(&self) -> Option<&str> {
        self.properties.iter().find(|property| property.header).map(|property| property.display_name.as_str())
    }
}

/// The ends and shape of a line.
#[derive(Debug)]
pub(super) struct Line {
    pub source: Option<String>,
    pub target: Option<String>,
    /// Source point, handle (the bend) and target point, when the file has them.
    pub points: Vec<(f64, f64)>,
}

/// One drawing surface (diagram).
#[derive(Debug)]
pub(super) struct Surface {
    pub name: Option<String>,
    pub shapes: Vec<Stencil>,
    pub lines: Vec<Stencil>,
}

/// A threat the tool generated or the user added, with its state.
#[derive(Debug)]
pub(super) struct ThreatInstance {
    pub type_id: Option<String>,
    /// The number the tool shows in its threat list.
    pub number: Option<String>,
    pub source: Option<String>,
    pub flow: Option<String>,
    pub target: Option<String>,
    pub state: Option<String>,
    pub state_information: Option<String>,
    pub priority: Option<String>,
    /// `Properties` key/value pairs (Title, UserThreatCategory, ...), in order.
    pub properties: Vec<(String, String)>,
    /// Fields written directly on the instance (Title, UserThreatCategory...),
    /// which older files use instead of properties.
    pub fields: Vec<(String, String)>,
    pub offset: usize,
}

impl ThreatInstance {
    /// A property, or the field of the same name when the property is absent.
    pub fn value(&self, key: &str) -> Option<&str> {
        let property = self.properties.iter().find(|(name, _)| name == key).map(|(_, value)| value.as_str());
        let field = || self.fields.iter().find(|(name, _)| name == key).map(|(_, value)| value.as_str());
        property.map(str::trim).filter(|value| !value.is_empty()).or_else(field)
    }
}

/// Reads every drawing surface under `DrawingSurfaceList`.
pub(super) fn surfaces(root: &Element, lines: &Lines<'_>) -> Result<Vec<Surface>, Vec<Diagnostic>> {
    let Some(list) = root.child("DrawingSurfaceList") else {
        return Err(vec![Diagnostic::error(
            lines.position(root.offset),
            "missing <DrawingSurfaceList>: a Threat Modeling Tool model keeps its diagrams there",
        )]);
    };
    let mut errors = Vec::new();
    let mut surfaces = Vec::new();
    for surface in list.children_named("DrawingSurfaceModel") {
        let properties = properties(surface);
        let name = properties
            .iter()
            .find(|property| !property.header && property.display_name == "Name")
            .and_then(|property| property.value.clone());
        let mut read = |section: &str| -> Vec<Stencil> {
            let entries = surface.child(section).map(|borders| borders.children.as_slice()).unwrap_or_default();
            entries
                .iter()
                .filter_map(|entry| entry.child("Value"))
                .filter_map(|value| stencil(value, lines).map_err(|error| errors.push(error)).ok())
                .collect()
        };
        let shapes = read("Borders");
        let lines_of_surface = read("Lines");
        surfaces.push(Surface { name, shapes, lines: lines_of_surface });
    }
    if errors.is_empty() { Ok(surfaces) } else { Err(errors) }
}

fn stencil(value: &Element, lines: &Lines<'_>) -> Result<Stencil, Diagnostic> {
    let missing = |field: &str| {
        Diagnostic::error(
            lines.position(value.offset),
            format!("diagram element has no <{field}>; every shape and line needs one"),
        )
    };
    let guid = value.child_text("Guid").ok_or_else(|| missing("Guid"))?.to_string();
    let generic_type = value.child_text("GenericTypeId").ok_or_else(|| missing("GenericTypeId"))?.to_string();
    let type_id = value.child_text("TypeId").unwrap_or(&generic_type).to_string();
    let number = |field: &str| -> Result<Option<f64>, Diagnostic> {
        let Some(element) = value.child(field).filter(|element| !element.is_nil()) else {
            return Ok(None);
        };
        let text = element.text.trim();
        match text.parse::<f64>() {
            Ok(number) if number.is_finite() => Ok(Some(number)),
            _ => Err(Diagnostic::error(
                lines.position(element.offset),
                format!("expected a number in <{field}>, found `{text}`"),
            )),
        }
    };
    let rect = match (number("Left")?, number("Top")?, number("Width")?, number("Height")?) {
        (Some(left), Some(top), Some(width), Some(height)) => Some(Rect { left, top, width, height }),
        _ => None,
    };
    let is_line = value.child("SourceGuid").is_some() || value.child("TargetGuid").is_some();
    let line = if is_line {
        let point = |x: &str, y: &str| -> Result<Option<(f64, f64)>, Diagnostic> { Ok(number(x)?.zip(number(y)?)) };
        let points = [point("SourceX", "SourceY")?, point("HandleX", "HandleY")?, point("TargetX", "TargetY")?];
        Some(Line {
            source: value.child_text("SourceGuid").map(str::to_string),
            target: value.child_text("TargetGuid").map(str::to_string),
            points: points.into_iter().flatten().collect(),
        })
    } else {
        None
    };
    Ok(Stencil { guid, generic_type, type_id, properties: properties(value), rect, line, offset: value.offset })
}

fn properties(owner: &Element) -> Vec<Property> {
    let Some(list) = owner.child("Properties") else {
        return Vec::new();
    };
    list.children
        .iter()
        .filter_map(|attribute| {
            let display_name = attribute.child_text("DisplayName")?.to_string();
            let kind = attribute.attribute("type").unwrap_or_default();
            let header = kind.ends_with("HeaderDisplayAttribute");
            let value = attribute.child("Value").filter(|value| !value.is_nil()).and_then(|value| {
                let choices: Vec<&str> = value.children_named("string").map(|choice| choice.text.trim()).collect();
                if choices.is_empty() {
                    Some(value.text.trim().to_string()).filter(|text| !text.is_empty())
                } else {
                    // Entry 0 is the "Select" placeholder of the tool's drop-down lists.
                    let selected = attribute.child_text("SelectedIndex").and_then(|index| index.parse::<usize>().ok());
                    selected.filter(|&index| index > 0).and_then(|index| choices.get(index)).map(|s| s.to_string())
                }
            });
            Some(Property { display_name, value, header })
        })
        .collect()
}

/// Reads the `ThreatInstances` list; a model without threats has none.
pub(super) fn threat_instances(root: &Element) -> Vec<ThreatInstance> {
    let Some(list) = root.child("ThreatInstances") else {
        return Vec::new();
    };
    list.children
        .iter()
        .filter_map(|entry| entry.child("Value"))
        .map(|value| {
            let text = |field: &str| value.child_text(field).map(str::to_string);
            let properties = value
                .child("Properties")
                .map(|list| {
                    list.children
                        .iter()
                        .filter_map(|pair| {
                            let key = pair.child_text("Key")?.to_string();
                            let text = pair.child_text("Value").unwrap_or_default().to_string();
                            Some((key, text))
                        })
                        .collect()
                })
                .unwrap_or_default();
            let fields = ["Title", "UserThreatCategory", "UserThreatDescription", "UserThreatShortDescription"]
                .iter()
                .filter_map(|&field| value.child_text(field).map(|text| (field.to_string(), text.to_string())))
                .collect();
            ThreatInstance {
                type_id: text("TypeId"),
                number: text("Id"),
                source: text("SourceGuid"),
                flow: text("FlowGuid"),
                target: text("TargetGuid"),
                state: text("State"),
                state_information: text("StateInformation"),
                priority: text("Priority"),
                properties,
                fields,
                offset: value.offset,
            }
        })
        .collect()
}
