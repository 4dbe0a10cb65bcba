//! What an analysis looked at, kept so that the next version of the same
//! model is re-evaluated only where something its threats depend on changed.
//!
//! Each element, flow and data asset is written down as a record of its
//! bound facts — what conditions and scoring can see of it — with the other
//! elements, flows and assets it points to named by id rather than by
//! position, so that records compare across versions. Evaluating a subject is
//! a deterministic function of the records it reads (every look goes through
//! [`crate::evaluate::Evaluator`]'s accessors, which mark the read); so when
//! none of them changed, nor the model-wide inputs, its threats are the same
//! as before, and need not be evaluated again. A name, position or import
//! source (the label) is read only by the subject's own threats and, for a
//! flow, by its endpoints' (a flow without a name is called after them).

use rampart_kb::KnowledgeBase;
use rampart_model::{Model, Position};

use crate::HashMap;
use crate::analysis::{Options, TargetKind};
use crate::facts::Facts;

/// An element, flow or data asset, by kind and id: what stays the same
/// across versions while positions in the model's lists move.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SubjectKey {
    pub kind: TargetKind,
    pub id: String,
}

/// The slots ([`Facts::slots`]) whose facts evaluating one subject read.
pub(crate) type Reads = Box<[u32]>;

/// Every subject's facts, written down to compare with the next version's:
/// one buffer for all subjects, in slot order ([`Facts::slots`]). Each
/// subject writes its facts (what conditions and risk scoring read), then
/// its label (name, position and import source: read only by the
/// subject's own threats). One buffer rather than two per subject: a save
/// of a 200-component model writes some 2,400 records.
#[derive(Clone, Debug, Default)]
struct Records {
    bytes: Vec<u8>,
    /// Per subject, where its facts end and where its label ends; its facts
    /// begin where the subject before it ends.
    ends: Vec<(usize, usize)>,
}

impl Records {
    fn start(&self, slot: usize) -> usize {
        slot.checked_sub(1).and_then(|before| self.ends.get(before)).map_or(0, |&(_, end)| end)
    }

    fn facts(&self, slot: usize) -> Option<&[u8]> {
        let &(facts_end, _) = self.ends.get(slot)?;
        self.bytes.get(self.start(slot)..facts_end)
    }

    fn label(&self, slot: usize) -> Option<&[u8]> {
        let &(facts_end, label_end) = self.ends.get(slot)?;
        self.bytes.get(facts_end..label_end)
    }
}

/// What an analysis of one version read. Valid for the next version of the
/// same model analysed with the same library (its rule and countermeasure ids
/// are compared; their conditions are not).
#[derive(Clone, Debug)]
pub struct Footprint {
    /// Inputs every subject depends on: the library's ids, today's date,
    /// intelligence, tracking entries, the model's own threats and controls.
    global: Box<[u8]>,
    /// Every subject, in slot order ([`Facts::slots`]).
    subjects: Vec<SubjectKey>,
    records: Records,
    /// For each subject, the slots its evaluation read.
    reads: Vec<Reads>,
    /// False when two subjects share a key (a model that failed validation):
    /// then nothing can be matched across versions.
    usable: bool,
}

impl Footprint {
    /// Subjects recorded.
    pub fn len(&self) -> usize {
        self.subjects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.subjects.is_empty()
    }
}

/// The plan for one analysis: which subjects to evaluate, and what the
/// footprint of the new version starts from.
pub(crate) struct Plan {
    /// Per slot of the new version: evaluate it (true), or its threats are
    /// those of the previous version (false).
    pub evaluate: Vec<bool>,
    pub subjects: Vec<SubjectKey>,
    records: Records,
    global: Box<[u8]>,
    usable: bool,
    /// Per slot of the new version, the previous version's reads, for the
    /// subjects not evaluated again.
    carried_reads: Vec<Option<Reads>>,
    /// Previous slot of each new slot, to translate carried reads.
    previous_slot: Vec<Option<usize>>,
    /// New slot of each previous slot.
    new_slot_of_previous: Vec<Option<usize>>,
}

impl Plan {
    /// Compares the facts of the new version with `previous`.
    pub(crate) fn new(
        model: &Model,
        facts: &Facts,
        kb: &KnowledgeBase,
        options: &Options,
        previous: Option<&Footprint>,
    ) -> Plan {
        let subjects = subject_keys(facts);
        let global = global_record(model, facts, kb, options);
        let by_key: HashMap<&SubjectKey, usize> = subjects.iter().enumerate().map(|(i, k)| (k, i)).collect();
        let usable = by_key.len() == subjects.len();
        let previous = previous.filter(|p| p.usable && usable && p.global == global);
        let new_slot_of_previous: Vec<Option<usize>> = previous
            .map(|previous| previous.subjects.iter().map(|key| by_key.get(key).copied()).collect())
            .unwrap_or_default();
        drop(by_key);
        let slots = subjects.len();
        let mut plan = Plan {
            evaluate: vec![true; slots],
            subjects,
            records: records(facts),
            global,
            usable,
            carried_reads: vec![None; slots],
            previous_slot: vec![None; slots],
            new_slot_of_previous,
        };
        let Some(previous) = previous else { return plan };
        // A previous subject's facts are unchanged when it still exists with
        // the same record; its label, when the label is the same too.
        let mut facts_same = vec![false; previous.subjects.len()];
        let mut label_same = vec![false; previous.subjects.len()];
        for (old, new) in plan.new_slot_of_previous.iter().enumerate() {
            if let Some(new) = *new {
                plan.previous_slot[new] = Some(old);
                facts_same[old] = previous.records.facts(old) == plan.records.facts(new);
                label_same[old] = previous.records.label(old) == plan.records.label(new);
            }
        }
        for slot in 0..slots {
            let Some(old) = plan.previous_slot[slot] else { continue };
            let reads_same = previous.reads[old].iter().all(|&read| facts_same[read as usize]);
            let labels_same = label_same[old]
                && label_readers(facts, slot).all(|other| match plan.previous_slot[other] {
                    Some(other_old) => label_same[other_old],
                    None => false,
                });
            if facts_same[old] && reads_same && labels_same {
                plan.evaluate[slot] = false;
                plan.carried_reads[slot] = Some(previous.reads[old].clone());
            }
        }
        plan
    }

    /// The footprint of the new version: the fresh reads of the subjects
    /// evaluated (by slot; `None` for those not evaluated), the previous
    /// reads of the others, renumbered to the new slots.
    pub(crate) fn into_footprint(self, fresh: Vec<Option<Reads>>) -> Footprint {
        let Plan { subjects, records, global, usable, carried_reads, new_slot_of_previous, .. } = self;
        let reads = fresh
            .into_iter()
            .zip(carried_reads)
            .map(|(fresh, carried)| match (fresh, carried) {
                (Some(reads), _) => reads,
                (None, Some(old)) => old
                    .iter()
                    // Every carried read is of a subject that still exists
                    // unchanged (that is why it was carried).
                    .filter_map(|&read| new_slot_of_previous.get(read as usize).copied().flatten())
                    .map(|slot| slot as u32)
                    .collect(),
                (None, None) => Box::default(),
            })
            .collect();
        Footprint { global, subjects, records, reads, usable }
    }
}

/// The other slots whose labels a subject's threats show: a flow's endpoints.
fn label_readers<'f>(facts: &'f Facts, slot: usize) -> impl Iterator<Item = usize> + 'f {
    let flow = slot.checked_sub(facts.nodes.len()).filter(|&flow| flow < facts.flows.len());
    flow.into_iter().flat_map(move |flow| [facts.flows[flow].from, facts.flows[flow].to])
}

pub(crate) fn subject_keys(facts: &Facts) -> Vec<SubjectKey> {
    let mut keys = Vec::with_capacity(facts.slots());
    keys.extend(facts.nodes.iter().map(|n| SubjectKey { kind: TargetKind::Element, id: n.id.to_string() }));
    keys.extend(facts.flows.iter().map(|f| SubjectKey { kind: TargetKind::Flow, id: f.id.to_string() }));
    keys.extend(facts.data.iter().map(|d| SubjectKey { kind: TargetKind::Data, id: d.id.to_string() }));
    keys
}

/// Bytes that tell values apart: each string is length-prefixed, so no two
/// different sequences of fields write the same bytes.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn number(&mut self, value: u64) -> &mut Self {
        self.0.extend_from_slice(&value.to_le_bytes());
        self
    }

    fn flag(&mut self, value: bool) -> &mut Self {
        self.0.push(u8::from(value));
        self
    }

    fn text(&mut self, value: &str) -> &mut Self {
        self.number(value.len() as u64);
        self.0.extend_from_slice(value.as_bytes());
        self
    }

    fn optional(&mut self, value: Option<usize>) -> &mut Self {
        self.number(value.map_or(u64::MAX, |v| v as u64))
    }

    fn bits(&mut self, set: &fixedbitset::FixedBitSet) -> &mut Self {
        self.number(set.len() as u64);
        for block in set.as_slice() {
            self.number(*block as u64);
        }
        self
    }

    fn texts<'s>(&mut self, values: impl ExactSizeIterator<Item = &'s str>) -> &mut Self {
        self.number(values.len() as u64);
        for value in values {
            self.text(value);
        }
        self
    }

    fn position(&mut self, at: Position) -> &mut Self {
        self.number(u64::from(at.line)).number(u64::from(at.column))
    }

    /// Where an importer found the subject; none for a native model.
    fn source(&mut self, source: Option<&rampart_model::SourceRef>) -> &mut Self {
        let Some(source) = source else { return self.flag(false) };
        self.flag(true).text(&source.file).number(source.line.map_or(u64::MAX, u64::from));
        self.flag(source.resource.is_some()).text(source.resource.as_deref().unwrap_or(""))
    }

    fn debug(&mut self, value: &impl std::fmt::Debug) -> &mut Self {
        self.text(&format!("{value:?}"))
    }

    /// The record written so far; the buffer is kept for the next one.
    fn finish(&mut self) -> Box<[u8]> {
        let record = Box::from(self.0.as_slice());
        self.0.clear();
        record
    }
}

fn records(facts: &Facts) -> Records {
    let node_id = |index: usize| facts.nodes[index].id;
    let flow_id = |index: usize| facts.flows[index].id.as_ref();
    let data_id = |index: usize| facts.data[index].id;
    let zone = |zone: Option<usize>| zone.map_or("", |z| facts.boundary_names[z]);
    let mut ends = Vec::with_capacity(facts.slots());
    // About 200 bytes a subject; grown as needed.
    let mut w = Writer(Vec::with_capacity(facts.slots() * 200));
    for (index, node) in facts.nodes.iter().enumerate() {
        // The data it handles in the order conditions and scoring meet them:
        // the model's order of data assets, which decides between equals.
        w.texts(facts.handled_data(index).into_iter().map(data_id));
        // Fieldless enums (category, exposure, trust...) by their discriminant.
        w.optional(node.kind).number(node.category as u64).number(node.exposure as u64).flag(node.zone.is_some());
        w.text(zone(node.zone)).number(node.zone_trust as u64);
        w.bits(&node.capabilities).bits(&node.accepts).bits(&node.controls);
        w.texts(node.stores.iter().map(|&d| data_id(d))).texts(node.processes.iter().map(|&d| data_id(d)));
        w.text(&node.technology);
        w.texts(node.inbound.iter().map(|&f| flow_id(f))).texts(node.outbound.iter().map(|&f| flow_id(f)));
        w.flag(node.reachable_from_untrusted).text(node.reachable_via.map_or("", node_id));
        let facts_end = w.0.len();
        w.text(node.name).position(node.at).source(node.source);
        ends.push((facts_end, w.0.len()));
    }
    for flow in &facts.flows {
        w.text(node_id(flow.from)).text(node_id(flow.to)).optional(flow.protocol).flag(flow.encrypted);
        w.number(flow.authentication as u64).number(flow.authorization as u64);
        w.flag(flow.crosses_boundary).flag(flow.from_less_trusted).flag(flow.from_outsiders);
        w.texts(flow.data.iter().map(|&d| data_id(d))).bits(&flow.controls);
        let facts_end = w.0.len();
        w.text(flow.name.unwrap_or("\u{0}unnamed")).position(flow.at).source(flow.source);
        ends.push((facts_end, w.0.len()));
    }
    for asset in &facts.data {
        w.bits(&asset.categories).number(asset.confidentiality as u64);
        w.number(asset.integrity as u64).number(asset.availability as u64);
        w.texts(asset.stored_in.iter().map(|&n| node_id(n))).texts(asset.carried_by.iter().map(|&f| flow_id(f)));
        let facts_end = w.0.len();
        w.text(asset.name).position(asset.at);
        ends.push((facts_end, w.0.len()));
    }
    Records { bytes: w.0, ends }
}

/// What every subject depends on. Tracking entries and the model's own
/// threats are written without their positions (a line moving in the
/// document changes no threat), through their JSON.
fn global_record(model: &Model, facts: &Facts, kb: &KnowledgeBase, options: &Options) -> Box<[u8]> {
    let mut w = Writer::default();
    w.texts(kb.threats.iter().map(|t| t.id.as_str()));
    w.texts(kb.countermeasures.iter().map(|c| c.id.as_str()));
    w.debug(&options.today).text(&json(&options.intel));
    w.text(&json(&model.threats)).text(&json(&model.custom_threats));
    w.bits(&facts.model_controls);
    w.finish()
}

/// A value's JSON, for the global record; a value that cannot be written
/// gives its error text, which still differs from any JSON.
fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|error| format!("\u{0}{error}"))
}
