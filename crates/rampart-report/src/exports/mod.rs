//! Exports for vulnerability-management tools and spreadsheets: CSV, XLSX and
//! DefectDojo's Generic Findings Import JSON (`rampart report`).
//!
//! The rows are built once here, as cells that know whether they hold text or
//! a number, and each format writes them its own way. Like every renderer,
//! these read the [`Analysis`] and derive nothing: the counts in the
//! countermeasure table are tallies of what the threats already say.

pub mod csv;
pub mod cyclonedx;
pub mod defectdojo;
pub mod gitlab;
pub mod otm;
pub mod xlsx;

use std::collections::{BTreeMap, BTreeSet};

use rampart_engine::{Analysis, Risk, TargetKind, ThreatInstance};
use rampart_kb::KnowledgeBase;

/// The two tables an export can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// One row per threat.
    Threats,
    /// One row per countermeasure of the rules that raised a threat.
    Countermeasures,
}

impl Table {
    pub const NAMES: [&'static str; 2] = ["threats", "countermeasures"];

    pub fn parse(name: &str) -> Option<Table> {
        match name {
            "threats" => Some(Table::Threats),
            "countermeasures" => Some(Table::Countermeasures),
            _ => None,
        }
    }
}

/// One cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl Cell {
    /// The cell as CSV text, before quoting.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Number(number) => number.to_string(),
        }
    }
}

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

/// A score or likelihood to one decimal, as the engine rounds it (an f32
/// widened to f64 would otherwise show as 2.7000000476837).
fn decimal(value: f32) -> Cell {
    Cell::Number((f64::from(value) * 10.0).round() / 10.0)
}

fn joined<T: ToString>(items: &[T], prefix: &str) -> String {
    items.iter().map(|item| format!("{prefix}{}", item.to_string())).collect::<Vec<_>>().join("; ")
}

pub(crate) fn target_kind(kind: TargetKind) -> &'static str {
    match kind {
        TargetKind::Element => "element",
        TargetKind::Flow => "flow",
        TargetKind::Data => "data",
        TargetKind::Model => "model",
    }
}

/// Column names of the threats table, in order.
pub const THREAT_COLUMNS: [&str; 29] = [
    "id",
    "rule",
    "title",
    "target_kind",
    "target_id",
    "target_name",
    "line",
    "stride",
    "cwe",
    "capec",
    "attack",
    "inherent_likelihood",
    "inherent_impact",
    "inherent_score",
    "inherent_severity",
    "current_likelihood",
    "current_impact",
    "current_score",
    "current_severity",
    "status",
    "ticket",
    "owner",
    "expires",
    "expired",
    "justification",
    "because",
    "intelligence",
    "countermeasures_present",
    "countermeasures_missing",
];

/// Index of the inherent and current severity columns (coloured in XLSX).
pub(crate) const SEVERITY_COLUMNS: [usize; 2] = [14, 18];

fn risk_cells(risk: &Risk) -> [Cell; 4] {
    [decimal(risk.likelihood), Cell::Number(f64::from(risk.impact)), decimal(risk.score), text(risk.severity.label())]
}

/// The cells of one threat, matching [`THREAT_COLUMNS`].
pub fn threat_row(threat: &ThreatInstance) -> Vec<Cell> {
    let tracking = threat.tracking.as_ref();
    let stride: Vec<&str> = threat.stride.iter().map(|s| s.label()).collect();
    let countermeasures = |present: bool| {
        threat.countermeasures.iter().filter(|c| c.present == present).map(|c| c.id).collect::<Vec<_>>().join("; ")
    };
    let mut row = vec![
        text(&threat.id),
        text(threat.rule),
        text(threat.title),
        text(target_kind(threat.target.kind)),
        text(&threat.target.id),
        text(&threat.target.name),
        Cell::Number(f64::from(threat.location.line)),
        text(stride.join("; ")),
        text(joined(threat.cwe, "CWE-")),
        text(joined(threat.capec, "CAPEC-")),
        text(threat.attack.join("; ")),
    ];
    row.extend(risk_cells(&threat.inherent));
    row.extend(risk_cells(&threat.current));
    row.extend([
        text(crate::status_text(threat.status)),
        text(tracking.and_then(|t| t.ticket).unwrap_or_default()),
        text(tracking.and_then(|t| t.owner).unwrap_or_default()),
        text(tracking.and_then(|t| t.expires).unwrap_or_default()),
        text(if tracking.is_some_and(|t| t.expired) { "yes" } else { "" }),
        text(tracking.and_then(|t| t.justification).unwrap_or_default()),
        text(threat.because.join("; ")),
        text(threat.intelligence.join("; ")),
        text(countermeasures(true)),
        text(countermeasures(false)),
    ]);
    debug_assert_eq!(row.len(), THREAT_COLUMNS.len());
    row
}

/// Column names of the countermeasures table, in order.
pub const COUNTERMEASURE_COLUMNS: [&str; 10] = [
    "id",
    "name",
    "nist_800_53",
    "asvs",
    "iso_27001",
    "pci_dss",
    "guidance",
    "threats",
    "targets_present",
    "targets_missing",
];

/// What the threats say of one countermeasure.
#[derive(Default)]
pub(crate) struct Tally<'a> {
    /// How many threats it answers.
    pub threats: usize,
    /// The targets that have it, and those whose threats call for it but lack it.
    pub present: BTreeSet<(TargetKind, &'a str)>,
    pub missing: BTreeSet<(TargetKind, &'a str)>,
}

/// Every countermeasure named by a rule that raised a threat, by library
/// index, with its tally.
pub(crate) fn tally_countermeasures<'a>(analysis: &'a Analysis, kb: &KnowledgeBase) -> BTreeMap<usize, Tally<'a>> {
    let mut tallies: BTreeMap<usize, Tally> = BTreeMap::new();
    for threat in &analysis.threats {
        for state in &threat.countermeasures {
            let Some(index) = kb.countermeasure(state.id) else { continue };
            let tally = tallies.entry(index).or_default();
            tally.threats += 1;
            let target = (threat.target.kind, threat.target.id.as_str());
            if state.present {
                tally.present.insert(target);
            } else {
                tally.missing.insert(target);
            }
        }
    }
    tallies
}

/// One row per countermeasure named by a rule that raised a threat, in
/// library order, matching [`COUNTERMEASURE_COLUMNS`]: how many threats it
/// answers, and on how many distinct targets it is present or missing.
pub fn countermeasure_rows(analysis: &Analysis, kb: &KnowledgeBase) -> Vec<Vec<Cell>> {
    let tallies = tally_countermeasures(analysis, kb);
    tallies
        .into_iter()
        .map(|(index, tally)| {
            let c = &kb.countermeasures[index];
            vec![
                text(&c.id),
                text(&c.name),
                text(c.nist_800_53.join("; ")),
                text(c.asvs.join("; ")),
                text(c.iso_27001.join("; ")),
                text(c.pci_dss.join("; ")),
                text(c.guidance.as_deref().unwrap_or_default().trim()),
                Cell::Number(tally.threats as f64),
                Cell::Number(tally.present.len() as f64),
                Cell::Number(tally.missing.len() as f64),
            ]
        })
        .collect()
}

/// The header and rows of `table`.
pub fn table(table: Table, analysis: &Analysis, kb: &KnowledgeBase) -> (&'static [&'static str], Vec<Vec<Cell>>) {
    match table {
        Table::Threats => (&THREAT_COLUMNS, analysis.threats.iter().map(threat_row).collect()),
        Table::Countermeasures => (&COUNTERMEASURE_COLUMNS, countermeasure_rows(analysis, kb)),
    }
}
