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

/// Rows kept across all models. A row is about 300 bytes with its share of
/// the footprint, so this is some 30 MB: the 60 largest models of a
/// portfolio of 1,600-threat models.
const MAX_ROWS: usize = 100_000;

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

    /// What the entry weighs against [`MAX_ROWS`]: its rows, and at least
    /// one per subject for the footprint, and its document counted in rows
    /// of 300 bytes (a 200-component model's 350 KB weigh about 1,200).
    fn weight(&self) -> usize {
        self.all.len().max(self.footprint.len()).max(1) + self.document.len() / 300
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

/// The entries, by model id, least recently used first out.
#[derive(Default)]
pub struct PreviousAnalyses {
    entries: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    by_model: HashMap<String, (u64, Previous)>,
    weight: usize,
    clock: u64,
}

impl PreviousAnalyses {
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
    /// the least recently used entries while the rows kept pass [`MAX_ROWS`].
    pub fn put(&self, model_id: &str, version: i64, stamp: i64, analysis: Arc<PreviousAnalysis>) {
        self.put_bounded(model_id, Previous { version, stamp, analysis }, MAX_ROWS);
    }

    fn put_bounded(&self, model_id: &str, previous: Previous, max_weight: usize) {
        let weight = previous.analysis.weight();
        if weight > max_weight {
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
        while entries.weight > max_weight {
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

    /// The least recently used entries go first once the rows pass the
    /// bound; one too large for it is not kept at all.
    #[test]
    fn evicts_the_least_recently_used_past_the_bound() {
        let cache = PreviousAnalyses::default();
        cache.put_bounded("a", entry(4), 10);
        cache.put_bounded("b", entry(4), 10);
        assert!(cache.get("a").is_some(), "a is now the most recently used");
        cache.put_bounded("c", entry(4), 10);
        assert!(cache.get("b").is_none(), "b was the least recently used");
        assert!(cache.get("a").is_some() && cache.get("c").is_some());
        cache.put_bounded("a", entry(5), 10);
        assert_eq!(cache.lock().weight, 9, "a replaced entry's weight is given back");
        cache.put_bounded("d", entry(11), 10);
        assert!(cache.get("d").is_none());
        cache.forget("a");
        assert_eq!(cache.lock().weight, 4);
    }

    /// The entry is the head's only for the version and stamp it was stored as.
    #[test]
    fn an_entry_is_the_head_only_as_stored() {
        let cache = PreviousAnalyses::default();
        cache.put("m", 1, 10, entry(2).analysis);
        assert!(cache.head("m", 1, 10).is_some(), "the cached head");
        assert!(cache.head("m", 1, 11).is_none(), "another server's version 1");
        assert!(cache.head("m", 2, 10).is_none(), "a later version");
        assert!(cache.head("n", 1, 10).is_none(), "another model");
    }
}
