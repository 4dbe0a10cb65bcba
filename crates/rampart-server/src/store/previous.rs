//! The last analysis of each recently saved model, kept in memory so that
//! its next save evaluates only the elements, flows and data assets whose
//! facts (or the facts their rules read) changed
//! ([`rampart_engine::analyze_since`]), and reuses the threat rows of the
//! rest.
//!
//! Only a speed-up, never a source of truth: an entry is the complete
//! analysis of some document of the model, and the rows a save builds from
//! it are those a full analysis of the new document gives, whichever version
//! is the head by then; the save still compares them with the stored rows
//! in its transaction. A replica that has no entry (it did not make the last
//! save, or restarted) analyses in full, as every server did before.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use rampart_engine::{Footprint, SubjectKey};

use crate::analysis::ThreatRow;

/// What a server keeps unless told otherwise (`--analysis-cache-mib`):
/// the last analyses of some 150 models of 200 components (1,663 threats
/// each). The bound used to be about 30 MB, which held 35 such models:
/// with 50 clients saving 50 of them, each save found its model evicted
/// and analysed in full: 204–211 saves a second on PostgreSQL against
/// 242 with room for all (docs/server.md, Performance).
pub const DEFAULT_MIB: usize = 128;

/// What one kept threat row is reckoned to take, with its share of the
/// footprint: its strings (id, rule, title, target, fingerprint...) and the
/// map and vectors that hold it.
const ROW_BYTES: usize = 300;

/// Rows by subject, looked up for every subject of every save: foldhash
/// (seeded per map) rather than SipHash.
pub type RowsBySubject = HashMap<SubjectKey, Vec<Arc<ThreatRow>>, foldhash::fast::RandomState>;

/// One model's last analysis.
pub struct PreviousAnalysis {
    pub footprint: Footprint,
    /// Every row, model-wide ones too, in analysis order.
    pub all: Vec<Arc<ThreatRow>>,
    /// The rows of each element, flow and data asset that has threats, in
    /// analysis order. Model-wide threats are not kept: they are always
    /// evaluated again.
    pub rows: RowsBySubject,
    /// The document analysed, as its version stores it: the next save's is
    /// compressed against it ([`crate::store::documents`]).
    pub document: Arc<str>,
    /// How many deltas that version's document is from one stored on its own.
    pub document_depth: u32,
}

impl PreviousAnalysis {
    pub fn new(
        footprint: Footprint,
        all: Vec<Arc<ThreatRow>>,
        rows: RowsBySubject,
        document: Arc<str>,
        document_depth: u32,
    ) -> Self {
        PreviousAnalysis { footprint, all, rows, document, document_depth }
    }

    /// The memory the entry is reckoned to take: its rows (at least one per
    /// subject, for the footprint) and its document. A 200-component model's
    /// comes to about 850 KB: 500 KB of rows and 350 KB of document.
    fn weight(&self) -> usize {
        self.all.len().max(self.footprint.len()).max(1) * ROW_BYTES + self.document.len()
    }
}

/// A model's last analysis, and the version it was stored as: the rows it
/// keeps for a subject are those current in that version.
#[derive(Clone)]
pub struct Previous {
    pub version: i64,
    /// The model's `updated_at` as that save set it. A version number alone
    /// could name another server's version after a restore into a database
    /// this one still runs on; the two together are this save's.
    pub stamp: i64,
    pub analysis: Arc<PreviousAnalysis>,
}

impl Previous {
    /// The analysis, if it is what the model's head (`version`, stamped
    /// `stamp`) stored: then its rows are the model's current rows.
    pub fn as_head(&self, version: i64, stamp: i64) -> Option<&PreviousAnalysis> {
        (self.version == version && self.stamp == stamp).then_some(&*self.analysis)
    }
}

/// The entries, by model id, least recently used first out once they pass
/// the bound.
pub struct PreviousAnalyses {
    entries: Mutex<Entries>,
    /// The most the entries may take, in bytes as [`PreviousAnalysis`]
    /// reckons them; 0 keeps none (every save analyses in full).
    max_bytes: usize,
}

#[derive(Default)]
struct Entries {
    by_model: HashMap<String, (u64, Previous)>,
    /// The bytes the entries are reckoned to take.
    weight: usize,
    clock: u64,
}

impl PreviousAnalyses {
    pub fn new(max_bytes: usize) -> Self {
        PreviousAnalyses { entries: Mutex::default(), max_bytes }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // An entry is replaced whole under the lock, so a panic elsewhere
        // cannot leave one half-written.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn get(&self, model_id: &str) -> Option<Previous> {
        let mut entries = self.lock();
        entries.clock += 1;
        let now = entries.clock;
        let (used, previous) = entries.by_model.get_mut(model_id)?;
        *used = now;
        Some(previous.clone())
    }

    /// Keeps `analysis`, stored as `version`, as the model's last, evicting
    /// the least recently used entries while the entries pass the bound.
    /// One larger than the whole bound is not kept.
    pub fn put(&self, model_id: &str, version: i64, stamp: i64, analysis: Arc<PreviousAnalysis>) {
        let previous = Previous { version, stamp, analysis };
        let weight = previous.analysis.weight();
        if weight > self.max_bytes {
            self.forget(model_id);
            return;
        }
        let mut entries = self.lock();
        entries.clock += 1;
        let now = entries.clock;
        if let Some((_, old)) = entries.by_model.insert(model_id.to_string(), (now, previous)) {
            entries.weight -= old.analysis.weight();
        }
        entries.weight += weight;
        while entries.weight > self.max_bytes {
            let Some(oldest) = entries.by_model.iter().min_by_key(|(_, (used, _))| *used).map(|(id, _)| id.clone())
            else {
                break;
            };
            if let Some((_, evicted)) = entries.by_model.remove(&oldest) {
                entries.weight -= evicted.analysis.weight();
            }
        }
    }

    /// The entry of `model_id` if it is what the model's head (`version`,
    /// stamped `stamp`) stored. (Saves of a model on this server are
    /// written by one task, which keeps each batch's last analysis before
    /// it writes the next: the head this server stored is always here.)
    pub fn head(&self, model_id: &str, version: i64, stamp: i64) -> Option<Previous> {
        self.get(model_id).filter(|previous| previous.as_head(version, stamp).is_some())
    }

    /// Drops a deleted model's entry.
    pub fn forget(&self, model_id: &str) {
        let mut entries = self.lock();
        if let Some((_, old)) = entries.by_model.remove(model_id) {
            entries.weight -= old.analysis.weight();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(rows: usize) -> Previous {
        let kb = rampart_kb::builtin().expect("the embedded knowledge base loads");
        let model = rampart_model::Model::default();
        let footprint = rampart_engine::analyze_since(&model, &kb, &Default::default(), None).footprint;
        let row = Arc::new(ThreatRow {
            threat_id: "r@x".into(),
            rule: "r".into(),
            title: "t".into(),
            target: "x".into(),
            target_kind: "element".into(),
            severity: "low",
            score: 1.0,
            stride: String::new(),
            analysis_status: "open".into(),
            fingerprint: "m:0".into(),
            unresolved: true,
        });
        let key = SubjectKey { kind: rampart_engine::TargetKind::Element, id: "x".into() };
        let all = vec![row; rows];
        let analysis =
            PreviousAnalysis::new(footprint, all.clone(), RowsBySubject::from_iter([(key, all)]), Arc::from(""), 0);
        Previous { version: 1, stamp: 0, analysis: Arc::new(analysis) }
    }

    /// The least recently used entries go first once the entries pass the
    /// bound; one too large for it is not kept at all.
    #[test]
    fn evicts_the_least_recently_used_past_the_bound() {
        let cache = PreviousAnalyses::new(10 * ROW_BYTES);
        let put = |model: &str, rows: usize| cache.put(model, 1, 0, entry(rows).analysis);
        put("a", 4);
        put("b", 4);
        assert!(cache.get("a").is_some(), "a is now the most recently used");
        put("c", 4);
        assert!(cache.get("b").is_none(), "b was the least recently used");
        assert!(cache.get("a").is_some() && cache.get("c").is_some());
        put("a", 5);
        assert_eq!(cache.lock().weight, 9 * ROW_BYTES, "a replaced entry's weight is given back");
        put("d", 11);
        assert!(cache.get("d").is_none());
        cache.forget("a");
        assert_eq!(cache.lock().weight, 4 * ROW_BYTES);
    }

    /// An entry's document counts with its rows, and a bound of 0 keeps nothing.
    #[test]
    fn documents_count_and_a_zero_bound_keeps_nothing() {
        let with_document = |rows: usize, document: &str| {
            let mut previous = entry(rows);
            let analysis = Arc::get_mut(&mut previous.analysis).expect("not shared yet");
            analysis.document = Arc::from(document);
            previous.analysis
        };
        let cache = PreviousAnalyses::new(10 * ROW_BYTES);
        cache.put("small", 1, 0, with_document(4, ""));
        cache.put("long", 1, 0, with_document(4, &"x".repeat(5 * ROW_BYTES)));
        assert!(cache.get("long").is_some());
        assert!(cache.get("small").is_none(), "4 rows and a 5-row document pass the bound with 4 more");
        let none = PreviousAnalyses::new(0);
        none.put("m", 1, 0, entry(1).analysis);
        assert!(none.get("m").is_none());
    }

    /// The entry is the head's only for the version and stamp it was stored as.
    #[test]
    fn an_entry_is_the_head_only_as_stored() {
        let cache = PreviousAnalyses::new(DEFAULT_MIB << 20);
        cache.put("m", 1, 10, entry(2).analysis);
        assert!(cache.head("m", 1, 10).is_some(), "the cached head");
        assert!(cache.head("m", 1, 11).is_none(), "another server's version 1");
        assert!(cache.head("m", 2, 10).is_none(), "a later version");
        assert!(cache.head("n", 1, 10).is_none(), "another model");
    }
}
