//! Saving a version: analyse outside the transaction, then in one short
//! transaction bump the head (only if it is still the one the writer read),
//! store the document and summary, and write the threat rows that changed.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde_json::Value;
use sqlx::Row;

use rampart_engine::SubjectKey;
use rampart_kb::KnowledgeBase;

use super::details;
use super::previous::{Previous, PreviousAnalysis};
use crate::analysis::{self, Prepared, ThreatRow, VersionSummary};
use crate::audit;
use crate::auth::Caller;
use crate::db::{Backend, Db, Tx, now_ms};
use crate::error::ApiError;

/// Rows per INSERT ([`insert_sql`]): few round trips, and statements of at
/// most a few hundred kilobytes.
const ROWS_PER_INSERT: usize = 200;

/// Ids per lookup or UPDATE by a list of threat ids (a power of two, see [`padded`]).
const IDS_PER_LIST: usize = 128;

/// How many ids a list of `count` is sent as: the next power of two, the
/// last id repeated (a repeat matches nothing more). A statement's text
/// then takes one of eight shapes, which each connection prepares once and
/// keeps; a text per count made PostgreSQL parse and plan most of them
/// anew (about 1 ms for a lookup among the threats table's indexes).
fn padded(count: usize) -> usize {
    count.next_power_of_two()
}

/// `chunk` (not empty) as [`padded`] sends it: its items, then its last
/// one again up to the padded length.
fn padded_items<T>(chunk: &[T]) -> impl Iterator<Item = &T> {
    (0..padded(chunk.len())).map(move |index| &chunk[index.min(chunk.len() - 1)])
}

/// A version analysed and ready to store.
pub struct Analysed {
    /// The document the version keeps, as text: for the model's next save
    /// to compress against, and to compress again on its own should the
    /// version it was compressed against not be found as this server
    /// stored it ([`Analysed::check_document_base`]).
    document: Arc<str>,
    /// The document compressed ([`super::documents`]), against
    /// `document_base`'s document when that is set.
    document_zstd: Vec<u8>,
    document_base: Option<DocumentBase>,
    /// `rampart`, `threagile`, `terraform`...
    pub format: String,
    /// What an import could not carry, for the response.
    pub warnings: Vec<String>,
    /// One per threat, in the analysis's order.
    pub rows: Vec<Arc<ThreatRow>>,
    pub summary: VersionSummary,
    /// Per row: its detail when already serialised, or where to get it.
    ready: Vec<RowDetail>,
    details: Details,
    /// This analysis, to keep for the model's next save once this one is stored.
    pub next: Arc<PreviousAnalysis>,
}

/// The version a document was compressed against: the one this server
/// stored last (with its stamp, as [`Previous`] tells it), how deep in
/// its chain the new version's document is, and whether the database has
/// been seen to hold that version as this server stored it
/// ([`Analysed::check_document_base`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct DocumentBase {
    version: i64,
    stamp: i64,
    depth: u32,
    checked: bool,
}

/// How a save gets a row's detail, when it writes the row.
enum RowDetail {
    /// Serialised with the analysis: the few threats an incremental analysis
    /// evaluated again, most of which a save writes.
    Ready(String),
    /// A row kept from the previous analysis: its detail is kept already,
    /// under its fingerprint ([`details`]).
    Stored,
    /// Serialised on request by the analysis's thread ([`Analysed::details`]).
    OnRequest,
}

/// A request to the analysis's thread: the rows whose details to serialise,
/// and where to send them.
type DetailRequest = (Vec<usize>, tokio::sync::oneshot::Sender<Vec<String>>);

/// The way to the analysis, which stays on its thread (it borrows the model
/// and the library there) until the save is done with it: serialising every
/// threat's detail cost as much as the analysis, and a save only writes the
/// details of the threats that changed, which it knows once it has read the
/// current rows in its transaction.
struct Details(std::sync::mpsc::Sender<DetailRequest>);

impl Analysed {
    /// What a save sends as the details of the rows at `indexes`: those
    /// serialised with the analysis or now, on request. A row kept from the
    /// previous analysis is sent without: its detail is kept already
    /// ([`details`]), which saves serialising it again.
    async fn details_to_send(&self, indexes: &[usize]) -> Result<Vec<Option<String>>, ApiError> {
        let on_request: Vec<usize> = indexes
            .iter()
            .copied()
            .filter(|&index| matches!(self.ready.get(index), Some(RowDetail::OnRequest)))
            .collect();
        let mut asked = self.details(on_request).await?.into_iter();
        Ok(indexes
            .iter()
            .map(|&index| match self.ready.get(index) {
                Some(RowDetail::Ready(detail)) => Some(detail.clone()),
                Some(RowDetail::Stored) => None,
                _ => asked.next(),
            })
            .collect())
    }

    /// The details (the stored JSON) of the rows at `indexes`.
    pub async fn details(&self, indexes: Vec<usize>) -> Result<Vec<String>, ApiError> {
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let wanted = indexes.len();
        let (reply, answer) = tokio::sync::oneshot::channel();
        let gone = || ApiError::internal("the analysis ended before its threats were stored", "channel closed");
        self.details.0.send((indexes, reply)).map_err(|_| gone())?;
        let details = answer.await.map_err(|_| gone())?;
        // One per index, in order, or a row would be stored with another's detail.
        if details.len() != wanted {
            return Err(ApiError::internal(
                "the analysis did not describe every threat asked for",
                format!("{} of {wanted}", details.len()),
            ));
        }
        Ok(details)
    }
}

/// Runs the core's analysis of a prepared model, in its turn for a CPU slot.
pub async fn analyse(kb: Arc<KnowledgeBase>, prepared: Prepared) -> Result<Analysed, ApiError> {
    analyse_with(kb, None, move |_| Ok(prepared)).await
}

/// Reads a model with `prepare` and analyses it, both in their turn for a CPU
/// slot: only what changed since `previous`, the model's last analysis, when
/// there is one ([`super::previous`]). The analysis then waits on its
/// thread, without the slot, to serve [`Analysed::details`] until the
/// `Analysed` is dropped.
pub async fn analyse_with(
    kb: Arc<KnowledgeBase>,
    previous: Option<Previous>,
    prepare: impl FnOnce(&KnowledgeBase) -> Result<Prepared, ApiError> + Send + 'static,
) -> Result<Analysed, ApiError> {
    let (sender, analysed) = tokio::sync::oneshot::channel();
    crate::cpu::spawn_cpu(move |slot| {
        // This runs on an analysis thread (`crate::cpu`). Each step's
        // CPU-bound part goes through `slot.install`: on every core when
        // the analysis is alone, on this thread when others run too.
        let read = slot.install(|| {
            let Prepared { model, document, format, warnings } = prepare(&kb)?;
            let (document_zstd, document_base) = compress(&document, previous.as_ref())?;
            Ok((model, format, warnings, Arc::<str>::from(document), document_zstd, document_base))
        });
        let (model, format, warnings, document, document_zstd, document_base) = match read {
            Ok(read) => read,
            Err(error) => {
                let _ = sender.send(Err(error));
                return;
            }
        };
        let shipped_rules = kb.threats.len();
        let library = analysis::library_for(&kb, &model);
        let options = analysis::options();
        let previous = previous.map(|p| p.analysis);
        let footprint = previous.as_ref().map(|p| &p.footprint);
        let incremental = slot.install(|| rampart_engine::analyze_since(&model, &library, &options, footprint));
        let threats = &incremental.analysis.threats;
        let new_footprint = incremental.footprint;
        let (rows, sources, ready, summary, next) = slot.install(|| {
            let Merged { rows, sources, next } =
                merge(threats, &incremental.subjects, previous.as_deref(), &library, shipped_rules);
            // After an incremental analysis, the threats evaluated again are
            // few, and most are the ones the save writes: their details are
            // serialised now, in the CPU slot, rather than while the save
            // holds the write lock.
            let eager = previous.is_some() && threats.len() * 4 <= rows.len();
            drop(previous);
            let ready: Vec<RowDetail> = sources
                .iter()
                .map(|source| match source {
                    Source::Fresh(threat) if eager => {
                        RowDetail::Ready(analysis::threat_detail(&threats[*threat], &library, shipped_rules))
                    }
                    Source::Fresh(_) => RowDetail::OnRequest,
                    Source::Kept { .. } => RowDetail::Stored,
                })
                .collect();
            let summary = analysis::summarize_rows(&model, rows.iter().map(|row| &**row));
            let depth = document_base.map_or(0, |base| base.depth);
            let next = Arc::new(PreviousAnalysis::new(new_footprint, rows.clone(), next, document.clone(), depth));
            (rows, sources, ready, summary, next)
        });
        let (requests, pending) = std::sync::mpsc::channel::<DetailRequest>();
        let details = Details(requests);
        let analysed =
            Analysed { document, document_zstd, document_base, format, warnings, rows, summary, ready, details, next };
        if sender.send(Ok(analysed)).is_err() {
            return;
        }
        drop(slot);
        while let Ok((indexes, reply)) = pending.recv() {
            let describe = |threat| analysis::threat_detail(threat, &library, shipped_rules);
            let kept: Vec<&SubjectKey> = indexes
                .iter()
                .filter_map(|&index| match sources.get(index) {
                    Some(Source::Kept { subject, .. }) => Some(&incremental.subjects[*subject].0),
                    _ => None,
                })
                .collect();
            // Rows kept from the previous analysis have no threat here: their
            // subjects are analysed again, which gives the same threats.
            let again = (!kept.is_empty()).then(|| {
                let kept: HashSet<&SubjectKey> = kept.into_iter().collect();
                rampart_engine::analyze_subjects(&model, &library, &options, |key| kept.contains(key))
            });
            let details = indexes
                .into_iter()
                .filter_map(|index| match sources.get(index)? {
                    Source::Fresh(threat) => threats.get(*threat).map(describe),
                    Source::Kept { row, .. } => {
                        let again = again.as_ref()?;
                        again.threats.iter().find(|threat| threat.id == row.threat_id).map(describe)
                    }
                })
                .collect();
            let _ = reply.send(details);
        }
    })
    .await?;
    analysed.await.map_err(|_| ApiError::internal("the analysis failed", "its thread ended without a result"))?
}

/// `document` compressed against the document of `previous`, the version
/// this server stored last, while that one's chain is short enough
/// ([`super::documents::MAX_DEPTH`]); else on its own.
fn compress(document: &str, previous: Option<&Previous>) -> Result<(Vec<u8>, Option<DocumentBase>), ApiError> {
    match previous.filter(|previous| previous.analysis.document_depth < super::documents::MAX_DEPTH) {
        Some(previous) => {
            let base = DocumentBase {
                version: previous.version,
                stamp: previous.stamp,
                depth: previous.analysis.document_depth + 1,
                checked: false,
            };
            Ok((super::documents::compress_against(document, &previous.analysis.document)?, Some(base)))
        }
        None => Ok((super::documents::compress(document)?, None)),
    }
}

impl Analysed {
    /// Makes sure the version this save's document was compressed against
    /// is in the database as this server stored it (the same number and
    /// stamp: a database restored under a running server could hold another
    /// document under that number), or else compresses the document again
    /// on its own. Versions never change once stored, so this is done
    /// before the save takes the model's lock, outside the transaction
    /// every other save of the model waits for.
    pub async fn check_document_base(&mut self, pool: &sqlx::AnyPool, model_id: &str) -> Result<(), ApiError> {
        let Some(base) = self.document_base.as_mut().filter(|base| !base.checked) else {
            return Ok(());
        };
        let found: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM model_versions WHERE model_id = $1 AND version = $2 AND created_at = $3",
        )
        .bind(model_id)
        .bind(base.version)
        .bind(base.stamp)
        .fetch_one(pool)
        .await?;
        if found == 1 {
            base.checked = true;
        } else {
            self.document_zstd = super::documents::compress(&self.document)?;
            self.document_base = None;
        }
        Ok(())
    }

    /// The document as the version stores it: `document_zstd` and
    /// `document_base`, compressed against that version only once
    /// [`Analysed::check_document_base`] has found it; else on its own.
    fn document_to_store(&self) -> Result<(Cow<'_, [u8]>, Option<i64>), ApiError> {
        match self.document_base {
            None => Ok((Cow::Borrowed(&self.document_zstd), None)),
            Some(base) if base.checked => Ok((Cow::Borrowed(&self.document_zstd), Some(base.version))),
            Some(_) => Ok((Cow::Owned(super::documents::compress(&self.document)?), None)),
        }
    }
}

/// Where a version's row comes from.
enum Source {
    /// The threat at this index of the analysis just made.
    Fresh(usize),
    /// The previous analysis of the subject at this index of
    /// [`rampart_engine::Incremental::subjects`], which was not evaluated again.
    Kept { subject: usize, row: Arc<ThreatRow> },
}

/// A version's rows in analysis order, and what to remember for its next save.
struct Merged {
    rows: Vec<Arc<ThreatRow>>,
    sources: Vec<Source>,
    next: super::previous::RowsBySubject,
}

/// The rows of every threat: those of the subjects evaluated now from
/// `threats` (in subject order, model-wide ones last), those of the others
/// from `previous`.
fn merge(
    threats: &[rampart_engine::ThreatInstance],
    subjects: &[(SubjectKey, bool)],
    previous: Option<&PreviousAnalysis>,
    library: &KnowledgeBase,
    shipped_rules: usize,
) -> Merged {
    let fresh_rows = analysis::threat_rows(threats, library, shipped_rules);
    let mut fresh = fresh_rows.into_iter().map(Arc::new).enumerate().peekable();
    let mut merged = Merged { rows: Vec::new(), sources: Vec::new(), next: Default::default() };
    for (index, (key, evaluated)) in subjects.iter().enumerate() {
        let mut subject_rows = Vec::new();
        if *evaluated {
            let on_subject = |(threat, _): &(usize, Arc<ThreatRow>)| {
                let target = &threats[*threat].target;
                target.kind == key.kind && target.id == key.id
            };
            while let Some((threat, row)) = fresh.next_if(on_subject) {
                merged.sources.push(Source::Fresh(threat));
                merged.rows.push(row.clone());
                subject_rows.push(row);
            }
        } else if let Some(kept) = previous.and_then(|previous| previous.rows.get(key)) {
            for row in kept {
                merged.sources.push(Source::Kept { subject: index, row: row.clone() });
                merged.rows.push(row.clone());
                subject_rows.push(row.clone());
            }
        }
        if !subject_rows.is_empty() {
            merged.next.insert(key.clone(), subject_rows);
        }
    }
    // Model-wide threats, evaluated every time and not remembered.
    for (threat, row) in fresh {
        merged.sources.push(Source::Fresh(threat));
        merged.rows.push(row);
    }
    merged
}

pub struct Saved {
    pub version: i64,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    /// Threat rows inserted or closed: what PostgreSQL's statistics count as changes.
    pub rows_written: usize,
    /// Threats in the version (distinct ids): its `threats_total`.
    pub threats: usize,
    /// The model's `updated_at` as this save set it: with the version, what
    /// tells this version's rows from those of another server's same-numbered
    /// version after a restore ([`super::previous::Previous::stamp`]).
    pub stamp: i64,
}

/// Stores `analysed` as version `expected_head + 1` of `model_id`, or fails
/// with 409 when another save came first. `expected_head` 0 is a new model
/// (its row must already exist with head 0, inserted in the same transaction).
/// `head`, when the caller knows it, is the analysis stored as the head
/// (checked in this transaction), whose rows are the current ones: then
/// they are not read. `audit`, when
/// given, is recorded with the version, its detail completed with the
/// version and the counts of threats added, changed and removed.
#[allow(clippy::too_many_arguments)]
pub async fn store(
    tx: &mut Tx,
    model_id: &str,
    expected_head: i64,
    author_id: &str,
    message: &str,
    analysed: &Analysed,
    head: Option<&Previous>,
    audit: Option<audit::Entry<'_>>,
) -> Result<Saved, ApiError> {
    let version = expected_head + 1;
    let now = now_ms();
    let backend = tx.backend();
    let stored;
    let current: Fingerprints = match head {
        // This server saved the head: its rows are the current ones.
        Some(head) => head.analysis.all.iter().map(|row| (row.threat_id.as_str(), row.fingerprint.as_str())).collect(),
        None => {
            if backend == Backend::Postgres {
                steer_planner(tx).await?;
            }
            stored = current_fingerprints(&mut **tx, model_id).await?;
            stored.by_threat()
        }
    };
    let changes = changes(analysed, &current).await?;
    let Changes { to_insert, to_close, added, changed, removed, distinct, refingerprint: stale_rows } = changes;
    let saved = Saved {
        version,
        added,
        removed,
        changed,
        rows_written: to_insert.len() + to_close.len(),
        threats: distinct,
        stamp: now,
    };
    let audit = audit.map(|mut entry| {
        if let Value::Object(detail) = &mut entry.detail {
            detail.insert("version".into(), version.into());
            detail.insert("added".into(), added.into());
            detail.insert("changed".into(), changed.into());
            detail.insert("removed".into(), removed.into());
        }
        entry
    });
    let (document_zstd, document_base) = analysed.document_to_store()?;
    let version_row = VersionRow {
        model_id,
        version,
        author_id,
        now,
        message,
        analysed,
        document_zstd: &document_zstd,
        document_base,
        threats: distinct,
    };
    if backend == Backend::Postgres
        && (1..=IDS_PER_LIST).contains(&to_close.len())
        && (1..=ROWS_PER_INSERT).contains(&to_insert.len())
        && stale_rows.is_empty()
    {
        let write = Write { expected_head, version_row, audit: audit.as_ref(), to_close: &to_close };
        write_in_one(tx, analysed, &to_insert, write).await?;
        return Ok(saved);
    }
    bump(tx, model_id, expected_head, version, now).await?;
    version_row.bind(sqlx::query(&version_sql("$1", "$2", 3, None))).execute(&mut **tx).await?;
    refingerprint(tx, model_id, analysed, &current, &stale_rows).await?;
    let details = analysed.details_to_send(&to_insert).await?;
    let new_rows: Vec<(&ThreatRow, Option<&str>)> =
        to_insert.iter().map(|&index| &*analysed.rows[index]).zip(details.iter().map(Option::as_deref)).collect();
    for chunk in to_close.chunks(IDS_PER_LIST) {
        let sql = close_sql(chunk.len(), 3);
        let mut query = sqlx::query(&sql).bind(expected_head).bind(model_id);
        for id in padded_items(chunk) {
            query = query.bind(*id);
        }
        query.execute(&mut **tx).await?;
    }
    let sent = details::unpacked(backend, "$3");
    let insert = insert_sql(backend, "$1", "$2", &sent);
    // The rows again, for the statements that read their details ($1 the model, $2 the rows).
    let sent_again = details::unpacked(backend, "$2");
    let describe = details::insert_sql("$1", &sent_again, None);
    let find_missing = details::missing_sql("$1", &sent_again);
    let mut missing = String::new();
    for chunk in new_rows.chunks(ROWS_PER_INSERT) {
        let rows = rows_json(chunk)?;
        sqlx::query(&insert).bind(model_id).bind(version).bind(rows.as_str()).execute(&mut **tx).await?;
        if chunk.iter().any(|(_, detail)| detail.is_some()) {
            sqlx::query(&describe).bind(model_id).bind(rows.as_str()).execute(&mut **tx).await?;
        }
        if chunk.iter().any(|(_, detail)| detail.is_none()) {
            let ids: Option<String> =
                sqlx::query_scalar(&find_missing).bind(model_id).bind(rows.as_str()).fetch_one(&mut **tx).await?;
            missing.push_str(ids.as_deref().unwrap_or_default());
            missing.push(' ');
        }
    }
    fill_in_details(tx, analysed, &to_insert, model_id, missing.split_whitespace()).await?;
    if let Some(audit) = &audit {
        audit.write(tx).await?;
    }
    Ok(saved)
}

/// Makes the head `version` if it still is `expected_head`, or fails with 409.
async fn bump(tx: &mut Tx, model_id: &str, expected_head: i64, version: i64, now: i64) -> Result<(), ApiError> {
    let bumped =
        sqlx::query("UPDATE models SET head_version = $1, updated_at = $2 WHERE id = $3 AND head_version = $4")
            .bind(version)
            .bind(now)
            .bind(model_id)
            .bind(expected_head)
            .execute(&mut **tx)
            .await?;
    if bumped.rows_affected() == 0 {
        return Err(stale_head(tx, model_id, expected_head).await);
    }
    Ok(())
}

/// The 409 of a save whose head was not `expected_head`, naming the head.
async fn stale_head(tx: &mut Tx, model_id: &str, expected_head: i64) -> ApiError {
    let head: Result<Option<i64>, sqlx::Error> = sqlx::query_scalar("SELECT head_version FROM models WHERE id = $1")
        .bind(model_id)
        .fetch_optional(&mut **tx)
        .await;
    match head {
        Ok(head) => stale(expected_head, head.unwrap_or(0)),
        Err(error) => error.into(),
    }
}

/// Steers PostgreSQL's planner to the indexes for the rest of the
/// transaction. Every statement of a save reaches its rows through an index
/// (the current ones by `threats_current`), but PostgreSQL estimates from
/// statistics, and those of a model's first minutes say nearly every row is
/// current: it then read the whole table, history and all, to find them
/// (8 ms for 1,663 current rows among 22,000, against 1.7 by the index,
/// inside the transaction each save of the model waits for). Only the read
/// of every current row needs it: the other statements look rows up by a
/// list of ids, which no estimate makes a full scan.
async fn steer_planner(tx: &mut Tx) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What a save writes in one statement ([`write_in_one`]).
struct Write<'a> {
    expected_head: i64,
    version_row: VersionRow<'a>,
    audit: Option<&'a audit::Entry<'a>>,
    to_close: &'a [&'a str],
}

/// A save on PostgreSQL as one statement, while every other save of the
/// model waits for it: the head's bump, the version's row, the audit record,
/// the closing of the changed rows, the new rows and their new details are
/// data-modifying WITHs, each done only if the bump was. All see the
/// statement's snapshot and touch different rows. Rows kept from an earlier
/// analysis are sent without their detail, which is kept already
/// ([`details`]); one whose detail is not found (none should be) is given
/// it from the analysis after.
async fn write_in_one(tx: &mut Tx, analysed: &Analysed, to_insert: &[usize], write: Write<'_>) -> Result<(), ApiError> {
    let Write { expected_head, version_row, audit, to_close } = write;
    let model_id = version_row.model_id;
    let version = version_row.version;
    let details = analysed.details_to_send(to_insert).await?;
    let new_rows: Vec<(&ThreatRow, Option<&str>)> =
        to_insert.iter().map(|&index| &*analysed.rows[index]).zip(details.iter().map(Option::as_deref)).collect();
    // $1 expected head, $2 model, $3 version, $4 rows, $5 time; then the
    // audit record, the version's values and the ids to close.
    let audit_from = 6;
    let version_from = audit_from + if audit.is_some() { 10 } else { 0 };
    let ids_from = version_from + VERSION_PARAMETERS;
    let audit_sql = match audit {
        Some(_) => format!(
            ", audit AS (INSERT INTO {} SELECT {} FROM bumped)",
            audit::COLUMNS,
            audit::parameters(audit_from).join(", ")
        ),
        None => String::new(),
    };
    // The rows are unpacked once, for the three statements that read them.
    let sql = format!(
        "WITH bumped AS (UPDATE models SET head_version = $3, updated_at = $5 WHERE id = $2 AND head_version = $1 \
         RETURNING id), version AS ({}){audit_sql}, closed AS ({} AND EXISTS (SELECT 1 FROM bumped)), \
         sent AS MATERIALIZED (SELECT r FROM {}), \
         inserted AS ({} WHERE EXISTS (SELECT 1 FROM bumped)), described AS ({}) \
         SELECT (SELECT COUNT(*) FROM bumped), ({})",
        version_sql("$2", "$3", version_from, Some("bumped")),
        close_sql(to_close.len(), ids_from),
        details::unpacked(Backend::Postgres, "$4"),
        insert_sql(Backend::Postgres, "$2", "$3", "sent"),
        details::insert_sql("$2", "sent", Some("EXISTS (SELECT 1 FROM bumped)")),
        details::missing_sql("$2", "sent"),
    );
    let mut query = sqlx::query(&sql)
        .bind(expected_head)
        .bind(model_id)
        .bind(version)
        .bind(rows_json(&new_rows)?)
        .bind(version_row.now);
    if let Some(audit) = audit {
        query = audit.bind(query, version_row.now);
    }
    let mut query = version_row.bind_values(query);
    for id in padded_items(to_close) {
        query = query.bind(*id);
    }
    let outcome = query.fetch_one(&mut **tx).await?;
    let bumped: i64 = outcome.try_get(0)?;
    let missing: Option<String> = outcome.try_get(1)?;
    if bumped == 0 {
        return Err(stale_head(tx, model_id, expected_head).await);
    }
    let missing = missing.unwrap_or_default();
    fill_in_details(tx, analysed, to_insert, model_id, missing.split_whitespace()).await
}

/// Stores the details of the rows just inserted whose threat ids are
/// `missing`, sent without one because a row with their fingerprint was
/// stored before, but whose detail is not kept (none should be): from the
/// analysis.
async fn fill_in_details<'m>(
    tx: &mut Tx,
    analysed: &Analysed,
    inserted: &[usize],
    model_id: &str,
    missing: impl Iterator<Item = &'m str>,
) -> Result<(), ApiError> {
    let missing: HashSet<&str> = missing.collect();
    if missing.is_empty() {
        return Ok(());
    }
    let indexes: Vec<usize> =
        inserted.iter().copied().filter(|&index| missing.contains(analysed.rows[index].threat_id.as_str())).collect();
    let described = analysed.details(indexes.clone()).await?;
    for (index, detail) in indexes.into_iter().zip(described) {
        details::keep(tx, model_id, &analysed.rows[index].fingerprint, &detail).await?;
    }
    Ok(())
}

/// A version's row in `model_versions`, for [`version_sql`].
struct VersionRow<'a> {
    model_id: &'a str,
    version: i64,
    author_id: &'a str,
    now: i64,
    message: &'a str,
    analysed: &'a Analysed,
    /// The document as stored ([`Analysed::document_to_store`]).
    document_zstd: &'a [u8],
    document_base: Option<i64>,
    /// What the version's threat list holds: one row per threat id. The
    /// count is stored as `threats_total`, which lists answer as their
    /// unfiltered total instead of counting rows.
    threats: usize,
}

/// The parameters [`version_sql`] takes after the model id and version.
const VERSION_PARAMETERS: usize = 15;

/// The INSERT of a version's row, with the model id and version in the
/// parameters named by `model` and `version`, and the rest
/// ([`VersionRow::bind_values`]) from `$first` on: its values, or with
/// `only_with` a SELECT of them from that table (a row only if it has one).
fn version_sql(model: &str, version: &str, first: usize, only_with: Option<&str>) -> String {
    let values: Vec<String> = (first..first + VERSION_PARAMETERS).map(|n| format!("${n}")).collect();
    let (before, after) = values.split_at(4);
    let values = format!("{model}, {version}, {}, '', {}", before.join(", "), after.join(", "));
    let source = match only_with {
        Some(table) => format!("SELECT {values} FROM {table}"),
        None => format!("VALUES ({values})"),
    };
    format!(
        "INSERT INTO model_versions (model_id, version, author_id, created_at, message, source_format, document, \
         document_zstd, document_base, components, flows, threats_total, unresolved, critical, high, medium, low, \
         risk_score) {source}"
    )
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

impl<'a> VersionRow<'a> {
    /// Binds the model id and version, then the other values: for
    /// `version_sql("$1", "$2", 3)`.
    fn bind(&self, query: AnyQuery<'a>) -> AnyQuery<'a> {
        self.bind_values(query.bind(self.model_id).bind(self.version))
    }

    /// Binds the values after the model id and version, in [`version_sql`]'s order.
    fn bind_values(&self, query: AnyQuery<'a>) -> AnyQuery<'a> {
        let summary = &self.analysed.summary;
        query
            .bind(self.author_id)
            .bind(self.now)
            .bind(self.message)
            .bind(&self.analysed.format)
            .bind(self.document_zstd)
            .bind(self.document_base)
            .bind(summary.components)
            .bind(summary.flows)
            .bind(self.threats as i64)
            .bind(summary.unresolved)
            .bind(summary.critical)
            .bind(summary.high)
            .bind(summary.medium)
            .bind(summary.low)
            .bind(summary.risk_score)
    }
}

/// A model's current fingerprints by threat id. Built and searched inside the
/// write transaction, from up to thousands of rows per save: foldhash (seeded
/// per process, like std's) hashes short ids several times faster than SipHash.
pub type Fingerprints<'r> = HashMap<&'r str, &'r str, foldhash::fast::RandomState>;

/// How a version's threats differ from a model's current rows.
pub struct Changes<'a> {
    /// Rows to write: indexes into `Analysed::rows`.
    pub to_insert: Vec<usize>,
    /// Threat ids whose current row ends: changed and removed ones.
    pub to_close: Vec<&'a str>,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// Threat ids in the version: what its threat list holds.
    pub distinct: usize,
    /// Unchanged threats whose row has a fingerprint of the scheme before
    /// [`analysis::FINGERPRINT_SCHEME`]: their row stays, with the current fingerprint.
    pub refingerprint: Vec<usize>,
}

impl Changes<'_> {
    /// Nothing to write but, perhaps, fingerprints.
    pub fn is_empty(&self) -> bool {
        self.to_insert.is_empty() && self.to_close.is_empty()
    }
}

/// Compares `analysed` with a model's `current` fingerprints (by threat id).
pub async fn changes<'a>(analysed: &'a Analysed, current: &'a Fingerprints<'a>) -> Result<Changes<'a>, ApiError> {
    let mut seen = HashSet::with_capacity_and_hasher(analysed.rows.len(), foldhash::fast::RandomState::default());
    let mut changes = Changes {
        to_insert: Vec::new(),
        to_close: Vec::new(),
        added: 0,
        changed: 0,
        removed: 0,
        distinct: 0,
        refingerprint: Vec::new(),
    };
    let mut legacy = Vec::new();
    for (index, row) in analysed.rows.iter().enumerate() {
        if !seen.insert(row.threat_id.as_str()) {
            continue;
        }
        match current.get(row.threat_id.as_str()) {
            Some(fingerprint) if *fingerprint == row.fingerprint => {}
            Some(fingerprint) if !fingerprint.starts_with(analysis::FINGERPRINT_SCHEME) => legacy.push(index),
            Some(_) => {
                changes.changed += 1;
                changes.to_close.push(&row.threat_id);
                changes.to_insert.push(index);
            }
            None => {
                changes.added += 1;
                changes.to_insert.push(index);
            }
        }
    }
    // Rows written by a server before the current fingerprint scheme are
    // compared by their detail, as fingerprints were taken then.
    let legacy_details = analysed.details(legacy.clone()).await?;
    for (index, detail) in legacy.into_iter().zip(legacy_details) {
        let row = &analysed.rows[index];
        if current.get(row.threat_id.as_str()).copied() == Some(analysis::legacy_fingerprint(&detail).as_str()) {
            changes.refingerprint.push(index);
        } else {
            changes.changed += 1;
            changes.to_close.push(&row.threat_id);
            changes.to_insert.push(index);
        }
    }
    let removed = current.keys().copied().filter(|id| !seen.contains(id));
    let before = changes.to_close.len();
    changes.to_close.extend(removed);
    changes.removed = changes.to_close.len() - before;
    changes.distinct = seen.len();
    Ok(changes)
}

/// Gives the current rows of `rows` (indexes into `analysed.rows`, unchanged
/// threats) the current fingerprint scheme, in place: the row still holds the
/// same threat, so this happens once per row after an upgrade. Only a row
/// still holding the fingerprint that was compared is changed. Its detail,
/// the same text, is kept under the new fingerprint too; rows of earlier
/// versions keep theirs under the old one.
pub async fn refingerprint(
    connection: &mut sqlx::AnyConnection,
    model_id: &str,
    analysed: &Analysed,
    current: &Fingerprints<'_>,
    rows: &[usize],
) -> Result<(), sqlx::Error> {
    for row in rows.iter().map(|&index| &analysed.rows[index]) {
        let Some(old) = current.get(row.threat_id.as_str()) else { continue };
        sqlx::query(
            "INSERT INTO threat_details (model_id, fingerprint, detail) SELECT model_id, $1, detail \
             FROM threat_details WHERE model_id = $2 AND fingerprint = $3 ON CONFLICT DO NOTHING",
        )
        .bind(&row.fingerprint)
        .bind(model_id)
        .bind(old)
        .execute(&mut *connection)
        .await?;
        sqlx::query(
            "UPDATE threats SET fingerprint = $1 \
             WHERE model_id = $2 AND threat_id = $3 AND until_version IS NULL AND fingerprint = $4",
        )
        .bind(&row.fingerprint)
        .bind(model_id)
        .bind(&row.threat_id)
        .bind(old)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

/// The fingerprint of each current threat of a model, by threat id.
///
/// Read as one aggregated text instead of a row per threat: sqlx hands
/// SQLite rows from its worker thread one by one, and on a model of 1,663
/// threats that took 7 ms, inside the write transaction that every save of
/// the model waits for. Threat ids never hold spaces or line breaks (element
/// and rule ids are letters, digits, `-`, `_` and `.`), nor do fingerprints.
pub async fn current_fingerprints<'e, E>(executor: E, model_id: &str) -> Result<CurrentRows, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let joined: Option<String> = sqlx::query_scalar(
        "SELECT string_agg(threat_id || ' ' || fingerprint, $2) FROM threats \
         WHERE model_id = $1 AND until_version IS NULL",
    )
    .bind(model_id)
    .bind("\n")
    .fetch_one(executor)
    .await?;
    Ok(CurrentRows(joined.unwrap_or_default()))
}

/// The current rows of a model as read by [`current_fingerprints`].
pub struct CurrentRows(String);

impl CurrentRows {
    /// Fingerprints by threat id.
    pub fn by_threat(&self) -> Fingerprints<'_> {
        self.0.lines().filter_map(|entry| entry.rsplit_once(' ')).collect()
    }
}

/// The statement closing the current rows of `count` threat ids (`$1`: the
/// last version they are in, `$2`: the model), whose ids are bound from
/// `$first` on, padded ([`padded`]).
fn close_sql(count: usize, first: usize) -> String {
    let placeholders: Vec<String> = (0..padded(count)).map(|i| format!("${}", i + first)).collect();
    format!(
        "UPDATE threats SET until_version = $1 WHERE model_id = $2 AND until_version IS NULL AND threat_id IN ({})",
        placeholders.join(", ")
    )
}

/// The statement inserting a version's rows, sent as one JSON array of rows
/// ([`rows_json`]) that the database unpacks: one statement text for any
/// number of rows. Bound one parameter per column, a row of 14 cost SQLite a
/// search of the statement's parameter names per parameter (sqlx maps `$N`
/// names to positions), and every count of rows was another text to
/// prepare. `model` and `version` name the parameters holding the model id
/// and the version, `source` the FROM item of unpacked rows `r`
/// ([`details::unpacked`]). Their details go to [`details`].
fn insert_sql(backend: Backend, model: &str, version: &str, source: &str) -> String {
    const COLUMNS: &str = "INSERT INTO threats (model_id, threat_id, since_version, rule, title, target, \
        target_kind, severity, severity_rank, score, stride, analysis_status, fingerprint)";
    let (integer, real) = match backend {
        Backend::Postgres => ("::BIGINT", "::DOUBLE PRECISION"),
        Backend::Sqlite => ("", ""),
    };
    format!(
        "{COLUMNS} SELECT {model}, r ->> 0, {version}, r ->> 1, r ->> 2, r ->> 3, r ->> 4, r ->> 5, \
         (r ->> 6){integer}, (r ->> 7){real}, r ->> 8, r ->> 9, r ->> 10 FROM {source}"
    )
}

/// Rows and their details as [`insert_sql`] reads them: an array of rows,
/// each an array of its columns (a detail not sent is null).
fn rows_json(rows: &[(&ThreatRow, Option<&str>)]) -> Result<String, ApiError> {
    type Columns<'r> =
        (&'r str, &'r str, &'r str, &'r str, &'r str, &'r str, i64, f64, &'r str, &'r str, &'r str, Option<&'r str>);
    let columns: Vec<Columns> = rows
        .iter()
        .map(|(row, detail)| {
            (
                row.threat_id.as_str(),
                row.rule.as_str(),
                row.title.as_str(),
                row.target.as_str(),
                row.target_kind.as_str(),
                row.severity,
                analysis::severity_rank(row.severity),
                row.score,
                row.stride.as_str(),
                row.analysis_status.as_str(),
                row.fingerprint.as_str(),
                *detail,
            )
        })
        .collect();
    serde_json::to_string(&columns).map_err(|error| ApiError::internal("cannot write threat rows", error))
}

/// The 409 of a save based on an old version.
pub fn stale(expected: i64, head: i64) -> ApiError {
    ApiError::conflict(format!(
        "the model was saved by someone else in the meantime: you edited version {expected}, the latest is {head}; \
         load version {head}, reapply your change and save again (nothing was overwritten)"
    ))
    .with_details(serde_json::json!({"expected_version": expected, "head_version": head}))
}

/// Creates a model and its first version in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn create_model(
    db: &Db,
    caller: &Caller,
    project_id: &str,
    model_id: &str,
    name: &str,
    message: &str,
    analysed: &Analysed,
    action: &str,
) -> Result<Saved, ApiError> {
    let mut tx = db.write().await?;
    let now = now_ms();
    sqlx::query(
        "INSERT INTO models (id, org_id, project_id, name, head_version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5, $5)",
    )
    .bind(model_id)
    .bind(&caller.org_id)
    .bind(project_id)
    .bind(name)
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(|error| match ApiError::from(error) {
        conflict if conflict.code == "conflict" => {
            ApiError::conflict(format!("the project already has a model named `{name}`"))
        }
        other => other,
    })?;
    let saved = store(&mut tx, model_id, 0, &caller.user_id, message, analysed, None, None).await?;
    let detail = serde_json::json!({"name": name, "project": project_id, "version": saved.version,
        "format": analysed.format, "threats": analysed.summary.threats});
    crate::audit::record(&mut tx, caller, action, "model", model_id, detail).await?;
    tx.commit().await?;
    super::statistics::refresh_after_write(db, saved.rows_written).await;
    Ok(saved)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists of ids take few shapes, and never fewer places than ids.
    #[test]
    fn lists_of_ids_are_padded_to_powers_of_two() {
        let shapes: HashSet<usize> = (1..=IDS_PER_LIST).map(padded).collect();
        assert_eq!(shapes.len(), 8, "{shapes:?}");
        assert!((1..=IDS_PER_LIST).all(|count| padded(count) >= count && padded(count) < 2 * count));
        assert_eq!(padded_items(&[1, 2, 3]).copied().collect::<Vec<_>>(), [1, 2, 3, 3]);
    }
}
