//! The reader's report as data: what the HTML and PDF reports show, gathered
//! once from an [`Analysis`] so both formats say the same thing.
//!
//! Nothing here is derived beyond sorting, grouping and counting what the
//! analysis already holds. The PDF renderer hands this structure to its
//! template as JSON, so field names are part of that contract
//! (`crates/rampart-pdf/src/report.typ`).

use std::collections::{BTreeMap, BTreeSet};

use rampart_engine::{Analysis, Severity, TargetKind, ThreatInstance};
use rampart_kb::KnowledgeBase;
use rampart_model::Model;
use serde::Serialize;

use crate::Origin;

/// Everything a report shows, in reading order.
#[derive(Clone, Debug, Serialize)]
pub struct Document {
    pub title: String,
    pub description: Option<String>,
    pub model_path: String,
    pub tool_version: String,
    /// The date the report judges expiry by (YYYY-MM-DD).
    pub date: String,
    pub summary: Summary,
    /// Every threat, most severe first (by current score, then id).
    pub threats: Vec<ThreatEntry>,
    /// One section per element, flow or data asset with threats, in model order.
    pub targets: Vec<TargetSection>,
    /// Countermeasures by control framework.
    pub compliance: Vec<Framework>,
    /// Analysis warnings (stale tracking entries and the like), as text.
    pub warnings: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub elements: usize,
    pub flows: usize,
    pub data: usize,
    pub boundaries: usize,
    pub threats: usize,
    /// Unresolved threats by current severity, most severe first.
    pub unresolved: Vec<Count>,
    /// All threats by inherent severity (before controls), most severe first.
    pub inherent: Vec<Count>,
    /// All threats by tracking status.
    pub by_status: Vec<Count>,
    /// All threats by STRIDE category (a threat may count in several).
    pub by_stride: Vec<Count>,
    /// The ten most severe unresolved threats' ids.
    pub top: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Count {
    pub label: String,
    pub count: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct ThreatEntry {
    pub id: String,
    pub rule: String,
    pub title: String,
    pub description: String,
    pub target_kind: &'static str,
    pub target_id: String,
    pub target_name: String,
    /// Line of the target in the model file (0 for the model as a whole).
    pub line: u32,
    /// Where an importer found the target, as `file:line (resource)`.
    pub source: Option<String>,
    pub severity: &'static str,
    pub score: f32,
    pub likelihood: f32,
    pub impact: u8,
    pub inherent_severity: &'static str,
    pub inherent_score: f32,
    pub status: &'static str,
    /// Open, in progress, or accepted past its expiry.
    pub unresolved: bool,
    pub tracking: Option<TrackingEntry>,
    /// Why the rule fired, one sentence per condition.
    pub because: Vec<String>,
    /// How likelihood and impact were set, one line per factor.
    pub risk_factors: Vec<String>,
    pub intelligence: Vec<String>,
    pub countermeasures: Vec<CountermeasureEntry>,
    pub stride: Vec<&'static str>,
    pub cwe: Vec<String>,
    pub capec: Vec<String>,
    pub attack: Vec<String>,
    pub owasp_llm: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct TrackingEntry {
    pub justification: Option<String>,
    pub owner: Option<String>,
    pub ticket: Option<String>,
    pub expires: Option<String>,
    pub expired: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct CountermeasureEntry {
    pub id: String,
    pub name: String,
    /// Declared on the target, its boundary or the model.
    pub present: bool,
    pub guidance: Option<String>,
    pub nist_800_53: Vec<String>,
    pub asvs: Vec<String>,
}

/// The threats on one element, flow or data asset.
#[derive(Clone, Debug, Serialize)]
pub struct TargetSection {
    pub kind: &'static str,
    pub id: String,
    pub name: String,
    /// Component type for elements (`web-app`), protocol for flows, empty otherwise.
    pub detail: String,
    /// The most severe current severity among its unresolved threats.
    pub worst: Option<&'static str>,
    /// Ids of its threats, most severe first.
    pub threats: Vec<String>,
}

/// One control framework and the countermeasures filed under its controls.
#[derive(Clone, Debug, Serialize)]
pub struct Framework {
    pub name: &'static str,
    pub controls: Vec<Control>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Control {
    pub id: String,
    pub countermeasures: Vec<ControlCountermeasure>,
}

/// How far a countermeasure is in place where the analysis asked for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Implementation {
    /// Present on every target whose threats call for it.
    Implemented,
    /// Present on some of them.
    Partial,
    /// Present on none.
    Missing,
}

#[derive(Clone, Debug, Serialize)]
pub struct ControlCountermeasure {
    pub id: String,
    pub name: String,
    pub status: Implementation,
    /// Targets that have it / targets whose threats call for it.
    pub present_on: usize,
    pub needed_on: usize,
    /// How many threats it answers.
    pub threats: usize,
}

const SEVERITIES: [Severity; 4] = [Severity::Critical, Severity::High, Severity::Medium, Severity::Low];
const STATUSES: [&str; 5] = ["open", "in-progress", "mitigated", "accepted", "false-positive"];

impl Document {
    /// Gathers the report of `analysis`, which was made from `model` with `kb`.
    pub fn build(analysis: &Analysis, kb: &KnowledgeBase, model: &Model, origin: &Origin, date: &str) -> Document {
        let sorted = crate::table::by_severity(analysis);
        let threats: Vec<ThreatEntry> = sorted.iter().map(|threat| threat_entry(threat, kb)).collect();
        Document {
            title: analysis.model.name.to_string(),
            description: model.description.clone(),
            model_path: origin.model_path.clone(),
            tool_version: origin.tool_version.clone(),
            date: date.to_string(),
            summary: summary(analysis, &threats),
            targets: target_sections(model, &sorted),
            compliance: compliance(analysis, kb),
            warnings: analysis.warnings.iter().map(|w| w.to_string()).collect(),
            threats,
        }
    }
}

fn summary(analysis: &Analysis, threats: &[ThreatEntry]) -> Summary {
    let by_severity = |counts: &rampart_engine::SeverityCounts| {
        SEVERITIES
            .iter()
            .map(|severity| Count {
                label: severity.label().to_string(),
                count: match severity {
                    Severity::Critical => counts.critical,
                    Severity::High => counts.high,
                    Severity::Medium => counts.medium,
                    Severity::Low => counts.low,
                },
            })
            .collect()
    };
    let s = &analysis.summary;
    let mut stride: BTreeMap<&str, usize> = BTreeMap::new();
    for threat in threats {
        for category in &threat.stride {
            *stride.entry(category).or_default() += 1;
        }
    }
    let stride_order = ["Spoofing", "Tampering", "Repudiation", "Information disclosure", "Denial of service"];
    let mut by_stride: Vec<Count> = Vec::new();
    for label in stride_order.iter().copied().chain(stride.keys().copied().filter(|k| !stride_order.contains(k))) {
        if let Some(&count) = stride.get(label) {
            by_stride.push(Count { label: label.to_string(), count });
        }
    }
    Summary {
        elements: analysis.model.elements,
        flows: analysis.model.flows,
        data: analysis.model.data,
        boundaries: analysis.model.boundaries,
        threats: s.threats,
        unresolved: by_severity(&s.unresolved),
        inherent: by_severity(&s.inherent),
        by_status: STATUSES
            .iter()
            .map(|status| Count { label: status.to_string(), count: s.by_status.get(*status).copied().unwrap_or(0) })
            .collect(),
        by_stride,
        top: threats.iter().filter(|t| t.unresolved).take(10).map(|t| t.id.clone()).collect(),
    }
}

fn threat_entry(threat: &ThreatInstance, kb: &KnowledgeBase) -> ThreatEntry {
    let rule = kb.threat(threat.rule);
    ThreatEntry {
        id: threat.id.clone(),
        rule: threat.rule.to_string(),
        title: threat.title.to_string(),
        description: threat.description.trim().to_string(),
        target_kind: crate::exports::target_kind(threat.target.kind),
        target_id: threat.target.id.clone(),
        target_name: threat.target.name.clone(),
        line: threat.location.line,
        source: threat.target.source.as_ref().map(|source| {
            let mut text = source.file.clone();
            if let Some(line) = source.line {
                text.push_str(&format!(":{line}"));
            }
            if let Some(resource) = &source.resource {
                text.push_str(&format!(" ({resource})"));
            }
            text
        }),
        severity: threat.current.severity.label(),
        score: threat.current.score,
        likelihood: threat.current.likelihood,
        impact: threat.current.impact,
        inherent_severity: threat.inherent.severity.label(),
        inherent_score: threat.inherent.score,
        status: crate::status_text(threat.status),
        unresolved: threat.is_unresolved(),
        tracking: threat.tracking.as_ref().map(|t| TrackingEntry {
            justification: t.justification.map(str::to_string),
            owner: t.owner.map(str::to_string),
            ticket: t.ticket.map(str::to_string),
            expires: t.expires.map(str::to_string),
            expired: t.expired,
        }),
        because: threat.because.clone(),
        risk_factors: threat.risk_factors.iter().map(|f| f.to_string()).collect(),
        intelligence: threat.intelligence.clone(),
        countermeasures: threat
            .countermeasures
            .iter()
            .map(|state| {
                let entry = kb.countermeasure(state.id).map(|index| &kb.countermeasures[index]);
                CountermeasureEntry {
                    id: state.id.to_string(),
                    name: state.name.to_string(),
                    present: state.present,
                    guidance: entry.and_then(|c| c.guidance.as_deref()).map(|g| g.trim().to_string()),
                    nist_800_53: entry.map(|c| c.nist_800_53.clone()).unwrap_or_default(),
                    asvs: entry.map(|c| c.asvs.clone()).unwrap_or_default(),
                }
            })
            .collect(),
        stride: threat.stride.iter().map(|s| s.label()).collect(),
        cwe: threat.cwe.iter().map(|n| format!("CWE-{n}")).collect(),
        capec: threat.capec.iter().map(|n| format!("CAPEC-{n}")).collect(),
        attack: threat.attack.to_vec(),
        owasp_llm: rule.map(|r| r.owasp_llm.clone()).unwrap_or_default(),
    }
}

/// One section per target with threats: elements in model order, then flows,
/// then data assets, then the model itself.
fn target_sections(model: &Model, sorted: &[&ThreatInstance]) -> Vec<TargetSection> {
    let mut by_target: BTreeMap<(u8, &str), Vec<&ThreatInstance>> = BTreeMap::new();
    for threat in sorted {
        by_target.entry((kind_rank(threat.target.kind), threat.target.id.as_str())).or_default().push(threat);
    }
    let mut order: Vec<(u8, String, String)> = Vec::new();
    for actor in &model.actors {
        order.push((0, actor.id.value.clone(), actor.kind.value.clone()));
    }
    for component in &model.components {
        order.push((0, component.id.value.clone(), component.kind.value.clone()));
    }
    for flow in &model.flows {
        order.push((1, flow.id(), flow.protocol.value.clone()));
    }
    for data in &model.data {
        order.push((2, data.id.value.clone(), String::new()));
    }
    let mut seen: BTreeSet<(u8, &str)> = BTreeSet::new();
    let mut sections = Vec::new();
    for (rank, id, detail) in &order {
        let Some((&key, threats)) = by_target.get_key_value(&(*rank, id.as_str())) else { continue };
        if !seen.insert(key) {
            continue;
        }
        let detail = detail.clone();
        let first = threats[0];
        sections.push(TargetSection {
            kind: crate::exports::target_kind(first.target.kind),
            id: first.target.id.clone(),
            name: first.target.name.clone(),
            detail,
            worst: threats.iter().filter(|t| t.is_unresolved()).map(|t| t.current.severity).max().map(Severity::label),
            threats: threats.iter().map(|t| t.id.clone()).collect(),
        });
    }
    // The model-wide threats, and any target the order above missed, come last.
    for ((rank, id), threats) in &by_target {
        if seen.contains(&(*rank, *id)) {
            continue;
        }
        let first = threats[0];
        sections.push(TargetSection {
            kind: crate::exports::target_kind(first.target.kind),
            id: first.target.id.clone(),
            name: first.target.name.clone(),
            detail: String::new(),
            worst: threats.iter().filter(|t| t.is_unresolved()).map(|t| t.current.severity).max().map(Severity::label),
            threats: threats.iter().map(|t| t.id.clone()).collect(),
        });
    }
    sections
}

fn kind_rank(kind: TargetKind) -> u8 {
    match kind {
        TargetKind::Element => 0,
        TargetKind::Flow => 1,
        TargetKind::Data => 2,
        TargetKind::Model => 3,
    }
}

/// Countermeasures the analysis called for, filed under each NIST SP 800-53
/// and OWASP ASVS control they implement, with how far each is in place.
fn compliance(analysis: &Analysis, kb: &KnowledgeBase) -> Vec<Framework> {
    let tallies = crate::exports::tally_countermeasures(analysis, kb);
    let entry = |index: usize, tally: &crate::exports::Tally| {
        let c = &kb.countermeasures[index];
        // Every target whose threats call for it, counted once.
        let needed = tally.present.union(&tally.missing).count();
        let status = match tally.present.len() {
            0 => Implementation::Missing,
            n if n >= needed => Implementation::Implemented,
            _ => Implementation::Partial,
        };
        ControlCountermeasure {
            id: c.id.clone(),
            name: c.name.clone(),
            status,
            present_on: tally.present.len(),
            needed_on: needed,
            threats: tally.threats,
        }
    };
    type ControlIds = fn(&rampart_kb::Countermeasure) -> &[String];
    let frameworks: [(&'static str, ControlIds); 2] =
        [("NIST SP 800-53 Rev. 5", |c| &c.nist_800_53), ("OWASP ASVS 4.0.3", |c| &c.asvs)];
    frameworks
        .into_iter()
        .map(|(name, ids)| {
            let mut controls: BTreeMap<ControlKey, Vec<ControlCountermeasure>> = BTreeMap::new();
            for (&index, tally) in &tallies {
                for control in ids(&kb.countermeasures[index]) {
                    controls.entry(ControlKey::new(control)).or_default().push(entry(index, tally));
                }
            }
            Framework {
                name,
                controls: controls
                    .into_iter()
                    .map(|(key, countermeasures)| Control { id: key.text, countermeasures })
                    .collect(),
            }
        })
        .collect()
}

/// Sorts control ids the way their catalogues do: `AC-2` before `AC-10`,
/// `V2.1.1` before `V10.1.1`.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct ControlKey {
    parts: Vec<(String, u64)>,
    text: String,
}

impl ControlKey {
    fn new(text: &str) -> ControlKey {
        let mut parts = Vec::new();
        let mut letters = String::new();
        let mut digits = String::new();
        for ch in text.chars() {
            if ch.is_ascii_digit() {
                digits.push(ch);
            } else {
                if !digits.is_empty() {
                    parts.push((std::mem::take(&mut letters), digits.parse().unwrap_or(u64::MAX)));
                    digits.clear();
                }
                letters.push(ch);
            }
        }
        parts.push((letters, digits.parse().unwrap_or(0)));
        ControlKey { parts, text: text.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::ControlKey;

    #[test]
    fn control_ids_sort_numerically() {
        let mut ids = vec!["AC-10", "AC-2", "SC-8(1)", "SC-8", "V10.1.1", "V2.1.1", "AC-2(1)"];
        ids.sort_by_key(|id| ControlKey::new(id));
        assert_eq!(ids, ["AC-2", "AC-2(1)", "AC-10", "SC-8", "SC-8(1)", "V2.1.1", "V10.1.1"]);
    }
}
