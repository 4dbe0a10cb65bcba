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
    /// The saves this server is committing, by model id (see [`Committing`]).
    committing: Mutex<HashMap<String, InFlight>>,
}

/// A save being committed: its version and stamp, and a channel that
/// closes when its task knows how the commit ended.
struct InFlight {
    version: i64,
    stamp: i64,
    ended: tokio::sync::watch::Receiver<()>,
}

/// How long a save waits for another's commit to be settled before it
/// reads the current rows itself. The other task only has to see its
/// commit's answer, which takes well under a millisecond; the bound is
/// for a task that stalls.
const HAND_OVER_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

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
    /// stamped `stamp`) stored.
    ///
    /// On PostgreSQL the next save of a model takes its lock as soon as the
    /// save before it commits, often before that save's task has heard back
    /// from the database and kept its analysis here: 18 % of 50 clients'
    /// saves of one model then read the head's 1,663 fingerprints (2 ms, and
    /// up to 8) inside the transaction every other save waits for. When this
    /// server is committing that very head, this waits until the commit is
    /// settled instead, and takes the entry the commit leaves.
    pub async fn head(&self, model_id: &str, version: i64, stamp: i64) -> Option<Previous> {
        let matches = |previous: &Previous| previous.as_head(version, stamp).is_some();
        if let Some(previous) = self.get(model_id).filter(matches) {
            return Some(previous);
        }
        let mut ended = {
            let committing = self.committing.lock().unwrap_or_else(PoisonError::into_inner);
            let in_flight = committing.get(model_id).filter(|c| c.version == version && c.stamp == stamp)?;
            in_flight.ended.clone()
        };
        // Ends when the committing save drops its sender, whether its commit
        // succeeded (the entry is then kept) or not.
        let _ = tokio::time::timeout(HAND_OVER_WAIT, ended.changed()).await;
        self.get(model_id).filter(matches)
    }

    /// Marks a save of `model_id` as `version`, stamped `stamp`, as being
    /// committed by this server, until [`Committing::committed`] keeps its
    /// analysis or the returned guard is dropped (the commit failed).
    pub fn committing(&self, model_id: &str, version: i64, stamp: i64) -> Committing<'_> {
        let (sender, ended) = tokio::sync::watch::channel(());
        let mut committing = self.committing.lock().unwrap_or_else(PoisonError::into_inner);
        committing.insert(model_id.to_string(), InFlight { version, stamp, ended });
        Committing { cache: self, model_id: model_id.to_string(), version, stamp, sender }
    }

    /// Drops a deleted model's entry.
    pub fn forget(&self, model_id: &str) {
        let mut entries = self.lock();
        if let Some((_, old)) = entries.by_model.remove(model_id) {
            entries.weight -= old.analysis.weight();
        }
    }
}

/// A save being committed ([`PreviousAnalyses::committing`]).
pub struct Committing<'c> {
    cache: &'c PreviousAnalyses,
    model_id: String,
    version: i64,
    stamp: i64,
    sender: tokio::sync::watch::Sender<()>,
}

impl Committing<'_> {
    /// The commit succeeded: keeps `analysis` as the model's last, then lets
    /// the saves waiting for it go on.
    pub fn committed(self, analysis: Arc<PreviousAnalysis>) {
        self.cache.put(&self.model_id, self.version, self.stamp, analysis);
    }
}

impl Drop for Committing<'_> {
    fn drop(&mut self) {
        let mut committing = self.cache.committing.lock().unwrap_or_else(PoisonError::into_inner);
        // Another save of the model may have been marked since; its mark stays.
        if committing.get(&self.model_id).is_some_and(|c| c.ended.same_channel(&self.sender.subscribe())) {
            committing.remove(&self.model_id);
        }
        // The sender goes with `self`, which wakes the waiters.
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

    /// A save that finds the head being committed by this server waits for
    /// that commit and takes its entry; it reads for itself (None) when
    /// the commit fails, and waits for nothing when another version is in
    /// flight.
    #[tokio::test]
    async fn a_save_waits_for_the_commit_of_the_head_it_found() {
        let cache = Arc::new(PreviousAnalyses::default());
        cache.put("m", 1, 10, entry(2).analysis);
        assert!(cache.head("m", 1, 10).await.is_some(), "the cached head");
        assert!(cache.head("m", 1, 11).await.is_none(), "another save's version 1");

        let committing = cache.committing("m", 2, 20);
        let waiter = tokio::spawn({
            let cache = cache.clone();
            async move { cache.head("m", 2, 20).await.map(|previous| previous.version) }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "it waits while version 2 is being committed");
        committing.committed(entry(3).analysis);
        assert_eq!(waiter.await.expect("the waiter ends"), Some(2));

        let committing = cache.committing("m", 3, 30);
        let waiter = tokio::spawn({
            let cache = cache.clone();
            async move { cache.head("m", 3, 30).await.is_some() }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        drop(committing);
        assert!(!waiter.await.expect("the waiter ends"), "a failed commit leaves nothing to take");
        assert!(cache.committing.lock().expect("lock").is_empty(), "the mark went with the guard");

        let _committing = cache.committing("m", 4, 40);
        let started = std::time::Instant::now();
        assert!(cache.head("m", 5, 50).await.is_none());
        assert!(started.elapsed() < HAND_OVER_WAIT / 2, "no wait for a version not in flight");
    }

    /// A guard dropped after a newer save of the model was marked leaves that mark.
    #[test]
    fn an_older_guard_leaves_a_newer_mark() {
        let cache = PreviousAnalyses::default();
        let older = cache.committing("m", 1, 10);
        let _newer = cache.committing("m", 2, 20);
        drop(older);
        let marks = cache.committing.lock().expect("lock");
        assert_eq!(marks.get("m").map(|mark| mark.version), Some(2));
    }
}
