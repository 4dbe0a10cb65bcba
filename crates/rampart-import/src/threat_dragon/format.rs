//! The parts of a Threat Dragon v2 model file the importer reads.
//!
//! Threat Dragon saves its drawing library's (AntV X6) cell objects as they
//! are, with many keys about looks (ports, markup, colours). Those are not
//! listed here and serde skips them; the keys that carry meaning are typed,
//! so a wrong type is an error at its position. Values that Threat Dragon
//! writes as `null` when unset are all optional.

use rampart_model::Located;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// A whole model file.
#[derive(Debug, Deserialize)]
pub(super) struct Document {
    /// `"2.0"`, `"2.3.0"`...; absent in version 1 files.
    #[serde(default)]
    pub version: Option<serde_json::Value>,
    #[serde(default)]
    pub summary: Option<Summary>,
    pub detail: Detail,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Summary {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Detail {
    pub diagrams: Vec<Diagram>,
    #[serde(default)]
    pub reviewer: Option<String>,
    #[serde(default)]
    pub contributors: Option<Vec<Contributor>>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Contributor {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct Diagram {
    #[serde(default)]
    pub title: Option<Located<String>>,
    /// Version 2 cells; version 1 files have `diagramJson` instead.
    #[serde(default)]
    pub cells: Option<Vec<Cell>>,
    #[serde(default, rename = "diagramJson")]
    pub diagram_json: Option<IgnoredAny>,
}

/// One shape or edge of a diagram.
#[derive(Debug, Deserialize)]
pub(super) struct Cell {
    pub id: Located<String>,
    /// `actor`, `process`, `store`, `flow`, `trust-boundary-box`,
    /// `trust-boundary-curve`, `td-text-block`.
    pub shape: Located<String>,
    #[serde(default)]
    pub position: Option<Point>,
    #[serde(default)]
    pub size: Option<Size>,
    #[serde(default)]
    pub attrs: Option<Attrs>,
    #[serde(default)]
    pub labels: Option<Vec<Label>>,
    /// Edges only: what they start and end at.
    #[serde(default)]
    pub source: Option<End>,
    #[serde(default)]
    pub target: Option<End>,
    #[serde(default)]
    pub data: Option<CellData>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub(super) struct Point {
    #[serde(default)]
    pub x: f64,
    #[serde(default)]
    pub y: f64,
}

#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub(super) struct Size {
    #[serde(default)]
    pub width: f64,
    #[serde(default)]
    pub height: f64,
}

/// Display texts: a shape's `text.text`, a boundary box's `label.text`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Attrs {
    #[serde(default)]
    pub text: Option<Text>,
    #[serde(default)]
    pub label: Option<Text>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct Text {
    #[serde(default)]
    pub text: Option<String>,
}

/// An edge label; version 2.0 writes `attrs.label.text`, later versions
/// `attrs.labelText.text`.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Label {
    #[serde(default)]
    pub attrs: Option<LabelAttrs>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct LabelAttrs {
    #[serde(default)]
    pub label: Option<Text>,
    #[serde(default, rename = "labelText")]
    pub label_text: Option<Text>,
    #[serde(default)]
    pub text: Option<Text>,
}

/// An edge end: a cell, or a loose point on the canvas.
#[derive(Debug, Default, Deserialize)]
pub(super) struct End {
    #[serde(default)]
    pub cell: Option<Located<String>>,
}

/// Threat Dragon's own properties of a cell.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct CellData {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub out_of_scope: Option<bool>,
    #[serde(default)]
    pub reason_out_of_scope: Option<String>,
    #[serde(default)]
    pub threats: Option<Vec<Threat>>,
    // Actors.
    #[serde(default)]
    pub provides_authentication: Option<bool>,
    // Processes.
    #[serde(default)]
    pub is_web_application: Option<bool>,
    #[serde(default)]
    pub handles_card_payment: Option<bool>,
    #[serde(default)]
    pub handles_goods_or_services: Option<bool>,
    #[serde(default)]
    pub privilege_level: Option<String>,
    // Stores.
    #[serde(default)]
    pub is_a_log: Option<bool>,
    #[serde(default)]
    pub stores_credentials: Option<bool>,
    #[serde(default)]
    pub stores_inventory: Option<bool>,
    #[serde(default)]
    pub is_signed: Option<bool>,
    // Stores and flows.
    #[serde(default)]
    pub is_encrypted: Option<bool>,
    // Flows.
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub is_public_network: Option<bool>,
    #[serde(default)]
    pub is_bidirectional: Option<bool>,
}

/// A threat recorded on a cell.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Threat {
    #[serde(default)]
    pub id: Option<Located<String>>,
    #[serde(default)]
    pub title: Option<Located<String>>,
    /// `Open`, `Mitigated`, `NotApplicable`.
    #[serde(default)]
    pub status: Option<Located<String>>,
    /// `Low`, `Medium`, `High`, `Critical`, or empty.
    #[serde(default)]
    pub severity: Option<Located<String>>,
    /// A category of the diagram's threat vocabulary (`Tampering`, `Integrity`...).
    #[serde(default, rename = "type")]
    pub threat_type: Option<String>,
    #[serde(default)]
    pub model_type: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub mitigation: Option<String>,
    /// Free text, often a CVSS-like number.
    #[serde(default)]
    pub score: Option<serde_json::Value>,
}
