//! Saving a version: analyse outside the transaction, then in one short
//! transaction bump the head (only if it is still the one the writer read),
//! store the document and summary, and write the threat rows that changed.

use std::collections::{HashMap, HashSet};

use rampart_kb::KnowledgeBase;
use sqlx::Row;

use crate::analysis::{self, Prepared, ThreatRow, VersionSummary};
use crate::auth::Caller;
use crate::db::{Db, Tx, now_ms};
use crate::error::ApiError;

/// Rows per multi-row INSERT: few round trips to PostgreSQL, well under
/// either database's limit on bound parameters.
const ROWS_PER_INSERT: usize = 200;

/// A version analysed and ready to store.
pub struct Analysed {
    pub prepared: Prepared,
    pub rows: Vec<ThreatRow>,
    pub summary: VersionSummary,
}

/// Runs the core's analysis of a prepared model, in its turn for a CPU slot.
pub async fn analyse(kb: std::sync::Arc<KnowledgeBase>, prepared: Prepared) -> Result<Analysed, ApiError> {
    analysis::run_cpu(move || analyse_now(&kb, prepared)).await
}

/// The analysis itself, on the calling thread.
pub fn analyse_now(kb: &KnowledgeBase, prepared: Prepared) -> Analysed {
    let library = analysis::library_for(kb, &prepared.model);
    let result = rampart_engine::analyze(&prepared.model, &library, &analysis::options());
    let rows = analysis::threat_rows(&result, &library, kb.threats.len());
    let summary = analysis::summarize(&prepared.model, &result);
    drop(result);
    drop(library);
    Analysed { prepared, rows, summary }
}

pub struct Saved {
    pub version: i64,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

/// Stores `analysed` as version `expected_head + 1` of `model_id`, or fails
/// with 409 when another save came first. `expected_head` 0 is a new model
/// (its row must already exist with head 0, inserted in the same transaction).
pub async fn store(
    tx: &mut Tx,
    model_id: &str,
    expected_head: i64,
    author_id: &str,
    message: &str,
    analysed: &Analysed,
) -> Result<Saved, ApiError> {
    let version = expected_head + 1;
    let now = now_ms();
    let bumped =
        sqlx::query("UPDATE models SET head_version = $1, updated_at = $2 WHERE id = $3 AND head_version = $4")
            .bind(version)
            .bind(now)
            .bind(model_id)
            .bind(expected_head)
            .execute(&mut **tx)
            .await?;
    if bumped.rows_affected() == 0 {
        let head: Option<i64> = sqlx::query_scalar("SELECT head_version FROM models WHERE id = $1")
            .bind(model_id)
            .fetch_optional(&mut **tx)
            .await?;
        return Err(stale(expected_head, head.unwrap_or(0)));
    }
    let summary = &analysed.summary;
    // What a version's threat list holds: one row per threat id. Its count
    // is stored as `threats_total`, which lists answer as their unfiltered
    // total instead of counting rows.
    let mut seen = HashSet::new();
    let unique: Vec<&ThreatRow> = analysed.rows.iter().filter(|row| seen.insert(row.threat_id.as_str())).collect();
    sqlx::query(
        "INSERT INTO model_versions (model_id, version, author_id, created_at, message, source_format, document, \
         components, flows, threats_total, unresolved, critical, high, medium, low, risk_score) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(model_id)
    .bind(version)
    .bind(author_id)
    .bind(now)
    .bind(message)
    .bind(&analysed.prepared.format)
    .bind(&analysed.prepared.document)
    .bind(summary.components)
    .bind(summary.flows)
    .bind(unique.len() as i64)
    .bind(summary.unresolved)
    .bind(summary.critical)
    .bind(summary.high)
    .bind(summary.medium)
    .bind(summary.low)
    .bind(summary.risk_score)
    .execute(&mut **tx)
    .await?;

    let current: HashMap<String, String> =
        sqlx::query("SELECT threat_id, fingerprint FROM threats WHERE model_id = $1 AND until_version IS NULL")
            .bind(model_id)
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .filter_map(|row| Some((row.try_get("threat_id").ok()?, row.try_get("fingerprint").ok()?)))
            .collect();
    let mut to_close: Vec<&str> = Vec::new();
    let mut to_insert: Vec<&ThreatRow> = Vec::new();
    let (mut added, mut changed) = (0, 0);
    for row in unique {
        match current.get(&row.threat_id) {
            Some(fingerprint) if *fingerprint == row.fingerprint => {}
            Some(_) => {
                changed += 1;
                to_close.push(&row.threat_id);
                to_insert.push(row);
            }
            None => {
                added += 1;
                to_insert.push(row);
            }
        }
    }
    let removed: Vec<&str> = current.keys().map(String::as_str).filter(|id| !seen.contains(id)).collect();
    let removed_count = removed.len();
    to_close.extend(removed);
    for chunk in to_close.chunks(ROWS_PER_INSERT) {
        let placeholders: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "UPDATE threats SET until_version = $1 WHERE model_id = $2 AND until_version IS NULL AND threat_id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(expected_head).bind(model_id);
        for id in chunk {
            query = query.bind(*id);
        }
        query.execute(&mut **tx).await?;
    }
    for chunk in to_insert.chunks(ROWS_PER_INSERT) {
        insert_rows(tx, model_id, version, chunk).await?;
    }
    Ok(Saved { version, added, removed: removed_count, changed })
}

const THREAT_COLUMNS: usize = 14;

async fn insert_rows(tx: &mut Tx, model_id: &str, version: i64, rows: &[&ThreatRow]) -> Result<(), sqlx::Error> {
    let tuples: Vec<String> = (0..rows.len())
        .map(|r| {
            let params: Vec<String> = (1..=THREAT_COLUMNS).map(|c| format!("${}", r * THREAT_COLUMNS + c)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let sql = format!(
        "INSERT INTO threats (model_id, threat_id, since_version, rule, title, target, target_kind, severity, \
         severity_rank, score, stride, analysis_status, fingerprint, detail) VALUES {}",
        tuples.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for row in rows {
        query = query
            .bind(model_id)
            .bind(&row.threat_id)
            .bind(version)
            .bind(&row.rule)
            .bind(&row.title)
            .bind(&row.target)
            .bind(&row.target_kind)
            .bind(row.severity)
            .bind(analysis::severity_rank(row.severity))
            .bind(row.score)
            .bind(&row.stride)
            .bind(&row.analysis_status)
            .bind(&row.fingerprint)
            .bind(&row.detail);
    }
    query.execute(&mut **tx).await?;
    Ok(())
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
    let saved = store(&mut tx, model_id, 0, &caller.user_id, message, analysed).await?;
    let detail = serde_json::json!({"name": name, "project": project_id, "version": saved.version,
        "format": analysed.prepared.format, "threats": analysed.summary.threats});
    crate::audit::record(&mut tx, caller, action, "model", model_id, detail).await?;
    tx.commit().await?;
    Ok(saved)
}
