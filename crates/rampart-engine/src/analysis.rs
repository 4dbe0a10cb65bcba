//! The result of an analysis and how it is computed.

use std::cell::RefCell;

use fixedbitset::FixedBitSet;
use rampart_kb::{KnowledgeBase, Match, Stride, Threat};
use rampart_model::{Date, Diagnostic, Model, Position, Rating, Status};
use rayon::prelude::*;
use serde::Serialize;

use crate::HashMap;
use crate::evaluate::Evaluator;
use crate::facts::{Facts, bind};
use crate::footprint::{Footprint, Plan, Reads, SubjectKey};
use crate::risk::{self, Context, Risk, Severity};

/// Inputs besides the model and the library.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Today, to tell expired acceptances; none means nothing expires.
    pub today: Option<Date>,
    /// Threat intelligence: items that name a threat's weakness or technique
    /// (and, when they name products, the target's technology) raise its
    /// likelihood.
    pub intel: Vec<rampart_intel::IntelItem>,
}

/// What a threat is raised against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Element,
    Flow,
    Data,
    Model,
}

#[derive(Clone, Debug, Serialize)]
pub struct Target {
    pub kind: TargetKind,
    /// The element, flow or data id; `model` for model-wide threats.
    pub id: String,
    pub name: String,
    /// Where an importer found the element or flow: the line of
    /// infrastructure code to change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<rampart_model::SourceRef>,
}

/// A countermeasure of a threat and whether the model has it.
#[derive(Clone, Debug, Serialize)]
pub struct CountermeasureState<'k> {
    pub id: &'k str,
    /// In the JSON output, names live once in the `rules` section.
    #[serde(skip)]
    pub name: &'k str,
    pub present: bool,
}

/// The tracking entry a threat matched, as the model declares it.
#[derive(Clone, Debug, Serialize)]
pub struct TrackingState<'m> {
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<&'m str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket: Option<&'m str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<&'m str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<&'m str>,
    /// The acceptance's expiry date has passed.
    pub expired: bool,
    /// The pattern entry (`sql-injection@*`) that matched, when no entry
    /// names the threat exactly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<&'m str>,
}

/// One threat found in the model.
#[derive(Clone, Debug, Serialize)]
pub struct ThreatInstance<'k, 'm> {
    /// Stable id, `RULE@TARGET`: the same for the same rule and target in
    /// every run, whatever else in the model changes.
    pub id: String,
    pub rule: &'k str,
    pub title: &'k str,
    /// In the JSON output, descriptions live once in the `rules` section.
    #[serde(skip)]
    pub description: &'k str,
    pub stride: &'k [Stride],
    pub cwe: &'k [u32],
    pub capec: &'k [u32],
    pub attack: &'k [String],
    pub target: Target,
    /// Line and column of the target's declaration in the model file.
    pub location: Position,
    /// Risk as if no control were in place.
    pub inherent: Risk,
    /// Risk with the controls the model declares.
    pub current: Risk,
    /// `mitigated` when every countermeasure is present, unless tracking says otherwise.
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tracking: Option<TrackingState<'m>>,
    /// The facts of the model that made the rule apply.
    pub because: Vec<String>,
    /// How the risk was scored.
    pub risk_factors: Vec<crate::risk::RiskFactor<'k, 'm>>,
    /// Intelligence items that raised the likelihood (`CISA KEV CVE-…`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub intelligence: Vec<String>,
    pub countermeasures: Vec<CountermeasureState<'k>>,
    #[serde(skip)]
    pub rule_index: usize,
}

impl ThreatInstance<'_, '_> {
    /// Still needs attention: open or in progress, or accepted past its expiry.
    pub fn is_unresolved(&self) -> bool {
        match self.status {
            Status::Open | Status::InProgress => true,
            Status::Accepted => self.tracking.as_ref().is_some_and(|t| t.expired),
            Status::Mitigated | Status::FalsePositive => false,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

impl SeverityCounts {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub threats: usize,
    /// Threats still needing attention, by current severity.
    pub unresolved: SeverityCounts,
    /// All threats by inherent severity.
    pub inherent: SeverityCounts,
    /// All threats by current severity.
    pub current: SeverityCounts,
    pub by_status: std::collections::BTreeMap<String, usize>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ModelInfo<'m> {
    pub name: &'m str,
    pub elements: usize,
    pub flows: usize,
    pub data: usize,
    pub boundaries: usize,
}

/// The whole result.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis<'k, 'm> {
    pub model: ModelInfo<'m>,
    pub summary: Summary,
    pub threats: Vec<ThreatInstance<'k, 'm>>,
    /// Tracking entries that match no threat raised in this run.
    pub warnings: Vec<Diagnostic>,
    /// The tracking entries that match no threat (stale entries), each with
    /// the index of its warning in `warnings`.
    #[serde(skip)]
    pub stale_tracking: Vec<StaleTracking>,
}

/// A tracking entry that matches no threat raised in this run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaleTracking {
    /// Index of the entry in the model's `threats:` list.
    pub entry: usize,
    /// Index of its warning in [`Analysis::warnings`].
    pub warning: usize,
}

/// The model's tracking entries, ready to match threat ids: exact ids first,
/// then patterns from the most specific.
struct TrackingIndex<'m> {
    exact: HashMap<&'m str, (usize, &'m rampart_model::Tracking)>,
    patterns: Vec<(usize, &'m rampart_model::Tracking)>,
}

impl<'m> TrackingIndex<'m> {
    fn new(entries: &'m [rampart_model::Tracking]) -> Self {
        let mut exact = HashMap::default();
        let mut patterns = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            if entry.is_pattern() {
                patterns.push((index, entry));
            } else {
                exact.entry(entry.threat.value.as_str()).or_insert((index, entry));
            }
        }
        // Stable: among equally specific patterns, the first declared wins.
        patterns.sort_by_key(|(_, entry)| std::cmp::Reverse(entry.specificity()));
        TrackingIndex { exact, patterns }
    }

    /// The entry that tracks `id`, with its index in the model's list.
    fn find(&self, id: &str) -> Option<(usize, &'m rampart_model::Tracking)> {
        self.exact.get(id).copied().or_else(|| self.patterns.iter().find(|(_, entry)| entry.matches(id)).copied())
    }
}

/// Analyzes `model` with `kb`. The model should have passed
/// [`rampart_model::validate`]; unresolved references are ignored.
pub fn analyze<'k, 'm>(model: &'m Model, kb: &'k KnowledgeBase, options: &Options) -> Analysis<'k, 'm> {
    let facts = bind(model, kb);
    let (found, _) = find(&facts, kb, None, false);
    finish(found, &facts, model, kb, options)
}

/// An analysis that evaluated only the subjects whose inputs changed since
/// the version a [`Footprint`] was taken of.
pub struct Incremental<'k, 'm> {
    /// The threats of the subjects evaluated now, and every model-wide
    /// threat (those are always evaluated), in the order a full analysis
    /// gives them. Its summary and warnings cover those threats only.
    pub analysis: Analysis<'k, 'm>,
    /// Every element, flow and data asset of the model, in analysis order,
    /// and whether it was evaluated now. The threats of one that was not are
    /// exactly those the previous version had on it.
    pub subjects: Vec<(SubjectKey, bool)>,
    /// What this analysis read: for the next version.
    pub footprint: Footprint,
}

/// Analyzes `model` as [`analyze`] does, but evaluates only the subjects
/// whose facts, or the facts of anything their evaluation read, differ from
/// the version `previous` was taken of (every subject when there is none).
/// The caller keeps the previous version's threats of the others.
pub fn analyze_since<'k, 'm>(
    model: &'m Model,
    kb: &'k KnowledgeBase,
    options: &Options,
    previous: Option<&Footprint>,
) -> Incremental<'k, 'm> {
    let facts = bind(model, kb);
    let plan = Plan::new(model, &facts, kb, options, previous);
    let (found, reads) = find(&facts, kb, Some(&plan.evaluate), true);
    let analysis = finish(found, &facts, model, kb, options);
    let subjects = plan.subjects.iter().cloned().zip(plan.evaluate.iter().copied()).collect();
    Incremental { analysis, subjects, footprint: plan.into_footprint(reads) }
}

/// The threats of the subjects `wanted` picks, and every model-wide threat,
/// in the order [`analyze`] gives them: for a caller that keeps threats
/// from an [`Incremental`] analysis and needs the full threats of a few.
pub fn analyze_subjects<'k, 'm>(
    model: &'m Model,
    kb: &'k KnowledgeBase,
    options: &Options,
    wanted: impl Fn(&SubjectKey) -> bool,
) -> Analysis<'k, 'm> {
    let facts = bind(model, kb);
    let wanted: Vec<bool> = crate::footprint::subject_keys(&facts).iter().map(wanted).collect();
    let (found, _) = find(&facts, kb, Some(&wanted), false);
    finish(found, &facts, model, kb, options)
}

/// The rules that match each subject, in subject order (elements, flows,
/// data, then the model), evaluating only the slots `wanted` marks (all
/// when none) and the model. With `record`, also what each evaluated
/// subject read, by slot.
fn find(facts: &Facts, kb: &KnowledgeBase, wanted: Option<&[bool]>, record: bool) -> (Vec<Found>, Vec<Option<Reads>>) {
    let mut element_rules = Vec::new();
    let mut flow_rules = Vec::new();
    let mut data_rules = Vec::new();
    let mut model_rules = Vec::new();
    for (index, threat) in kb.threats.iter().enumerate() {
        match &threat.applies_to {
            Match::Element(_) => element_rules.push(index),
            Match::Flow(_) => flow_rules.push(index),
            Match::Data(_) => data_rules.push(index),
            Match::Model(_) => model_rules.push(index),
        }
    }
    let slots = facts.slots();
    let wanted = |slot: usize| wanted.is_none_or(|wanted| wanted[slot]);
    // One subject's matches, and what it read when recording.
    let subject = |slot: usize, evaluate: &dyn Fn(&Evaluator) -> Vec<Found>| {
        if !wanted(slot) {
            return (Vec::new(), None);
        }
        let reads = record.then(|| RefCell::new(FixedBitSet::with_capacity(slots)));
        let evaluator = Evaluator { facts, kb, reads: reads.as_ref() };
        let found = evaluate(&evaluator);
        let reads = reads.map(|reads| {
            let mut reads = reads.into_inner();
            scoring_reads(facts, slot, &mut reads);
            reads.ones().map(|slot| slot as u32).collect()
        });
        (found, reads)
    };

    // Each subject is independent: evaluate them in parallel, keeping the
    // subjects' order so the output is deterministic.
    let mut per_subject: Vec<(Vec<Found>, Option<Reads>)> = (0..facts.nodes.len())
        .into_par_iter()
        .map(|node| {
            subject(node, &|evaluator| {
                element_rules
                    .iter()
                    .filter_map(|&rule| {
                        let Match::Element(condition) = &kb.threats[rule].applies_to else { return None };
                        evaluator.element(condition, node, None).then(|| {
                            let mut because = Vec::new();
                            evaluator.element(condition, node, Some(&mut because));
                            Found { rule, subject: Subject::Element(node), because }
                        })
                    })
                    .collect()
            })
        })
        .collect();
    per_subject.par_extend((0..facts.flows.len()).into_par_iter().map(|flow| {
        subject(facts.slot_of_flow(flow), &|evaluator| {
            flow_rules
                .iter()
                .filter_map(|&rule| {
                    let Match::Flow(condition) = &kb.threats[rule].applies_to else { return None };
                    evaluator.flow(condition, flow, None).then(|| {
                        let mut because = Vec::new();
                        evaluator.flow(condition, flow, Some(&mut because));
                        Found { rule, subject: Subject::Flow(flow), because }
                    })
                })
                .collect()
        })
    }));
    per_subject.extend((0..facts.data.len()).map(|asset| {
        subject(facts.slot_of_data(asset), &|evaluator| {
            let mut found = Vec::new();
            for &rule in &data_rules {
                let Match::Data(condition) = &kb.threats[rule].applies_to else { continue };
                let mut because = Vec::new();
                if evaluator.data(condition, asset, Some(&mut because)) {
                    found.push(Found { rule, subject: Subject::Data(asset), because });
                }
            }
            found
        })
    }));
    let mut reads = Vec::with_capacity(slots);
    let mut found = Vec::new();
    for (matches, read) in per_subject {
        found.extend(matches);
        reads.push(read);
    }

    let evaluator = Evaluator { facts, kb, reads: None };
    for &rule in &model_rules {
        let Match::Model(condition) = &kb.threats[rule].applies_to else { continue };
        let mut because = Vec::new();
        if evaluator.model(condition, Some(&mut because)) {
            // A rule with no condition (a model's own threat against the
            // whole model) still says why it is there.
            if because.is_empty()
                && let Some(reason) = &kb.threats[rule].unconditional_because
            {
                because.push(reason.clone());
            }
            found.push(Found { rule, subject: Subject::Model, because });
        }
    }
    (found, reads)
}

/// What scoring a subject's threats reads besides its conditions
/// ([`describe_subject`], [`subject_technologies`]), marked whether or not a
/// rule matched now: a change there changes the risk of a threat, and a
/// change that makes a rule match shows in what the conditions read.
fn scoring_reads(facts: &Facts, slot: usize, reads: &mut FixedBitSet) {
    reads.insert(slot);
    let flow_slot = |flow: usize| facts.slot_of_flow(flow);
    let data_slot = |asset: usize| facts.slot_of_data(asset);
    if let Some(node) = facts.nodes.get(slot) {
        for &flow in node.inbound.iter().chain(&node.outbound) {
            reads.insert(flow_slot(flow));
            reads.extend(facts.flows[flow].data.iter().map(|&d| data_slot(d)));
        }
        reads.extend(node.stores.iter().chain(&node.processes).map(|&d| data_slot(d)));
    } else if let Some(flow) = facts.flows.get(slot - facts.nodes.len()) {
        reads.extend([flow.from, flow.to]);
        reads.extend(flow.data.iter().map(|&d| data_slot(d)));
    } else if let Some(asset) = facts.data.get(slot - facts.nodes.len() - facts.flows.len()) {
        reads.extend(asset.stored_in.iter().copied());
        reads.extend(asset.carried_by.iter().map(|&f| flow_slot(f)));
    }
}

/// Scores what [`find`] found, applies tracking, and summarises.
fn finish<'k, 'm>(
    found: Vec<Found>,
    facts: &Facts<'m>,
    model: &'m Model,
    kb: &'k KnowledgeBase,
    options: &Options,
) -> Analysis<'k, 'm> {
    let intel_by_rule: Vec<Vec<usize>> =
        kb.threats.iter().map(|threat| intel_candidates(threat, &options.intel)).collect();
    let tracking = TrackingIndex::new(&model.threats);
    let threats: Vec<ThreatInstance> = found
        .into_par_iter()
        .map(|found| instance(found, facts, kb, model, &tracking, options, &intel_by_rule))
        .collect();

    // An entry is stale when it matches no raised threat; a pattern that
    // matches threats all tracked exactly is still in use.
    let raised: std::collections::HashSet<&str> = threats.iter().map(|t| t.id.as_str()).collect();
    let mut warnings = Vec::new();
    let mut stale_tracking = Vec::new();
    for (index, entry) in model.threats.iter().enumerate() {
        let used = if entry.is_pattern() {
            threats.iter().any(|t| entry.matches(&t.id))
        } else {
            raised.contains(entry.threat.value.as_str())
        };
        if !used {
            stale_tracking.push(StaleTracking { entry: index, warning: warnings.len() });
            let what = if entry.is_pattern() { "tracking pattern" } else { "tracking entry" };
            warnings.push(
                Diagnostic::warning(
                    entry.threat.at,
                    format!("{what} `{}` matches no threat in this analysis (stale)", entry.threat.value),
                )
                .with_help(
                    "the element may have been renamed, or the threat no longer applies; remove or update the entry",
                ),
            );
        }
    }

    let mut summary = Summary { threats: threats.len(), ..Summary::default() };
    for threat in &threats {
        summary.inherent.add(threat.inherent.severity);
        summary.current.add(threat.current.severity);
        if threat.is_unresolved() {
            summary.unresolved.add(threat.current.severity);
        }
        *summary.by_status.entry(status_label(threat.status).to_string()).or_default() += 1;
    }

    Analysis {
        model: ModelInfo {
            name: &model.name,
            elements: facts.nodes.len(),
            flows: facts.flows.len(),
            data: facts.data.len(),
            boundaries: model.boundaries.len(),
        },
        summary,
        threats,
        warnings,
        stale_tracking,
    }
}

pub fn status_label(status: Status) -> &'static str {
    match status {
        Status::Open => "open",
        Status::InProgress => "in-progress",
        Status::Mitigated => "mitigated",
        Status::Accepted => "accepted",
        Status::FalsePositive => "false-positive",
    }
}

#[derive(Clone, Copy)]
enum Subject {
    Element(usize),
    Flow(usize),
    Data(usize),
    Model,
}

struct Found {
    rule: usize,
    subject: Subject,
    because: Vec<String>,
}

fn instance<'k, 'm>(
    found: Found,
    facts: &Facts<'m>,
    kb: &'k KnowledgeBase,
    model: &'m Model,
    tracking: &TrackingIndex<'m>,
    options: &Options,
    intel_by_rule: &[Vec<usize>],
) -> ThreatInstance<'k, 'm> {
    let threat = &kb.threats[found.rule];
    let (target, location, controls, context_without_controls) = describe_subject(found.subject, facts, threat, model);
    let countermeasures: Vec<CountermeasureState> = threat
        .countermeasures
        .iter()
        .map(|&index| CountermeasureState {
            id: &kb.countermeasures[index].id,
            name: &kb.countermeasures[index].name,
            present: controls.contains(index),
        })
        .collect();
    let controls_present = threat
        .countermeasures
        .iter()
        .filter(|&&index| controls.contains(index))
        .map(|&index| (kb.countermeasures[index].id.as_str(), kb.countermeasures[index].effectiveness.reduction()))
        .collect();
    let technologies = subject_technologies(found.subject, facts);
    let intel: Vec<&rampart_intel::IntelItem> = intel_by_rule[found.rule]
        .iter()
        .map(|&index| &options.intel[index])
        .filter(|item| {
            item.technologies.is_empty()
                || item.technologies.iter().any(|t| technologies.iter().any(|tech| tech.contains(t.as_str())))
        })
        .collect();
    let intelligence: Vec<String> = intel.iter().map(|item| format!("{} {}", item.source, item.id)).collect();
    let intel_reason = intel.first().map(|item| {
        let more = if intel.len() > 1 { format!(" and {} more", intel.len() - 1) } else { String::new() };
        format!("{} {} ({}){more}", item.source, item.id, item.name)
    });
    let context = Context { controls_present, intel: intel_reason, ..context_without_controls };
    let scored = risk::score(threat, &context);

    let id = format!("{}@{}", threat.id, target.id);
    let all_present = countermeasures.iter().all(|c| c.present);
    let tracking_state = tracking.find(&id).map(|(_, entry)| {
        let expired = match (&entry.expires, options.today) {
            (Some(expires), Some(today)) => Date::parse(&expires.value).is_ok_and(|date| date < today),
            _ => false,
        };
        TrackingState {
            status: entry.status,
            justification: entry.justification.as_deref(),
            ticket: entry.ticket.as_deref(),
            expires: entry.expires.as_ref().map(|e| e.value.as_str()),
            owner: entry.owner.as_deref(),
            expired,
            pattern: entry.is_pattern().then_some(entry.threat.value.as_str()),
        }
    });
    let status = match &tracking_state {
        Some(state) => state.status,
        None if all_present => Status::Mitigated,
        None => Status::Open,
    };

    ThreatInstance {
        id,
        rule: &threat.id,
        title: &threat.title,
        description: &threat.description,
        stride: &threat.stride,
        cwe: &threat.cwe,
        capec: &threat.capec,
        attack: &threat.attack,
        target,
        location,
        inherent: scored.inherent,
        current: scored.current,
        status,
        tracking: tracking_state,
        because: found.because,
        risk_factors: scored.factors,
        intelligence,
        countermeasures,
        rule_index: found.rule,
    }
}

/// The target, its position, its effective controls, and the risk context.
fn describe_subject<'k, 'm>(
    subject: Subject,
    facts: &Facts<'m>,
    threat: &Threat,
    model: &Model,
) -> (Target, Position, fixedbitset::FixedBitSet, Context<'k, 'm>) {
    let dimensions = risk::harmed_dimensions(&threat.stride);
    let sensitivity = |assets: &[usize]| most_sensitive(facts, assets, dimensions);
    match subject {
        Subject::Element(index) => {
            let node = &facts.nodes[index];
            let inbound_untrusted: Vec<_> =
                node.inbound.iter().map(|&f| &facts.flows[f]).filter(|f| f.from_outsiders).collect();
            let context = Context {
                exposed: node.reachable_from_untrusted,
                internal_only: !node.reachable_from_untrusted && !node.inbound.is_empty(),
                unauthenticated: inbound_untrusted
                    .iter()
                    .any(|f| f.authentication == rampart_model::Authentication::None),
                sensitivity: sensitivity(&facts.handled_data(index)),
                controls_present: Vec::new(),
                intel: None,
            };
            let target = Target {
                kind: TargetKind::Element,
                id: node.id.to_string(),
                name: node.name.to_string(),
                source: node.source.cloned(),
            };
            (target, node.at, node.controls.clone(), context)
        }
        Subject::Flow(index) => {
            let flow = &facts.flows[index];
            let from_outsiders = flow.from_outsiders;
            let context = Context {
                exposed: from_outsiders,
                internal_only: !flow.from_less_trusted && !flow.crosses_boundary,
                unauthenticated: from_outsiders && flow.authentication == rampart_model::Authentication::None,
                sensitivity: sensitivity(&flow.data),
                controls_present: Vec::new(),
                intel: None,
            };
            let name = flow
                .name
                .map(str::to_string)
                .unwrap_or_else(|| format!("{} → {}", facts.nodes[flow.from].name, facts.nodes[flow.to].name));
            let target = Target { kind: TargetKind::Flow, id: flow.id.to_string(), name, source: flow.source.cloned() };
            (target, flow.at, flow.controls.clone(), context)
        }
        Subject::Data(index) => {
            let asset = &facts.data[index];
            let exposed = asset.stored_in.iter().any(|&n| facts.nodes[n].reachable_from_untrusted)
                || asset.carried_by.iter().any(|&f| facts.flows[f].from_outsiders);
            let context = Context {
                exposed,
                internal_only: false,
                unauthenticated: false,
                sensitivity: sensitivity(&[index]),
                controls_present: Vec::new(),
                intel: None,
            };
            // A data asset is protected by controls on every store that keeps it.
            let mut controls = fixedbitset::FixedBitSet::with_capacity(facts.model_controls.len());
            controls.union_with(&facts.model_controls);
            let mut stores = asset.stored_in.iter().map(|&n| &facts.nodes[n].controls);
            if let Some(first) = stores.next() {
                let mut common = first.clone();
                for other in stores {
                    common.intersect_with(other);
                }
                controls.union_with(&common);
            }
            let target =
                Target { kind: TargetKind::Data, id: asset.id.to_string(), name: asset.name.to_string(), source: None };
            (target, asset.at, controls, context)
        }
        Subject::Model => {
            let all: Vec<usize> = (0..facts.data.len()).collect();
            let context = Context {
                exposed: false,
                internal_only: false,
                unauthenticated: false,
                sensitivity: sensitivity(&all),
                controls_present: Vec::new(),
                intel: None,
            };
            let target =
                Target { kind: TargetKind::Model, id: "model".to_string(), name: model.name.clone(), source: None };
            (target, Position::new(1, 1), facts.model_controls.clone(), context)
        }
    }
}

/// The highest rating among `assets` on the harmed dimensions, with a phrase
/// saying where it comes from.
fn most_sensitive<'m>(
    facts: &Facts<'m>,
    assets: &[usize],
    (c, i, a): (bool, bool, bool),
) -> Option<(Rating, &'m str, &'static str)> {
    let mut best: Option<(Rating, &'m str, &'static str)> = None;
    for &index in assets {
        let asset = &facts.data[index];
        for (harmed, rating, dimension) in [
            (c, asset.confidentiality, "confidentiality"),
            (i, asset.integrity, "integrity"),
            (a, asset.availability, "availability"),
        ] {
            if harmed && best.is_none_or(|(current, _, _)| rating > current) {
                best = Some((rating, asset.id, dimension));
            }
        }
    }
    best
}

/// Indices of the intelligence items that name one of `threat`'s weaknesses,
/// attack patterns or techniques.
fn intel_candidates(threat: &Threat, intel: &[rampart_intel::IntelItem]) -> Vec<usize> {
    intel
        .iter()
        .enumerate()
        .filter(|(_, item)| {
            item.cwe.iter().any(|c| threat.cwe.contains(c))
                || item.capec.iter().any(|c| threat.capec.contains(c))
                || item.attack.iter().any(|a| threat.attack.iter().any(|t| t == a || t.starts_with(&format!("{a}."))))
        })
        .map(|(index, _)| index)
        .collect()
}

/// The technologies a threat's target runs: the element's, a flow's
/// receiver's, or those of the stores keeping a data asset.
fn subject_technologies<'f>(subject: Subject, facts: &'f Facts) -> Vec<&'f str> {
    let technology = |node: usize| facts.nodes[node].technology.as_str();
    let mut found: Vec<&str> = match subject {
        Subject::Element(node) => vec![technology(node)],
        Subject::Flow(flow) => vec![technology(facts.flows[flow].to)],
        Subject::Data(asset) => facts.data[asset].stored_in.iter().map(|&node| technology(node)).collect(),
        Subject::Model => Vec::new(),
    };
    found.retain(|t| !t.is_empty());
    found
}
