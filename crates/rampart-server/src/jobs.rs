//! Long work as jobs in the database, taken by whichever replica asks first.
//! A worker claims a job with one conditional UPDATE (atomic on SQLite and
//! PostgreSQL alike), keeps a heartbeat while it runs, and a job whose
//! worker died (no heartbeat for a minute) is taken again by another.

use std::time::Duration;

use serde_json::json;
use sqlx::Row;

use crate::analysis::{self, Prepared};
use crate::db::now_ms;
use crate::state::AppState;
use crate::store::{documents, versions};

pub const KINDS: [&str; 1] = ["reanalyze"];
/// A running job without a heartbeat for this long is taken over.
const LEASE_MS: i64 = 60_000;
const POLL: Duration = Duration::from_millis(500);

/// Runs jobs until `stop` turns true. A stop is never held up by a
/// database that does not answer: waiting for one to claim a job is given
/// up, and a job in hand stops between two models and goes back to the
/// queue ([`work`]), where another replica takes it at once instead of after
/// its lease runs out.
pub async fn run_worker(state: AppState, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
        if *stop.borrow() {
            return;
        }
        let claimed = tokio::select! {
            claimed = claim(&state) => claimed,
            _ = stop.changed() => return,
        };
        let pause = match claimed {
            Ok(Some(job)) => {
                work(&state, &job, &stop).await;
                continue;
            }
            Ok(None) => POLL,
            Err(error) => {
                tracing::warn!("job queue: {error}");
                POLL * 4
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => {}
        }
    }
}

/// Runs a job this worker claimed and records how it ended: done, failed,
/// or, when `stop` turned true before it was done, handed back to the queue.
pub async fn work(state: &AppState, job: &ClaimedJob, stop: &tokio::sync::watch::Receiver<bool>) {
    let recorded = match run(state, job, stop).await {
        Ok(Some(result)) => finish(state, job, Ok(result)).await,
        Ok(None) => {
            tracing::info!("job {} stopped with the server; it is queued again for any replica", job.id);
            hand_back(state, job).await
        }
        Err(error) => finish(state, job, Err(error)).await,
    };
    if let Err(error) = recorded {
        tracing::error!("cannot record the end of job {}: {error}", job.id);
    }
}

pub struct ClaimedJob {
    pub id: String,
    pub org_id: String,
    pub kind: String,
    pub created_by: String,
}

/// Takes the oldest queued job, or one whose worker stopped renewing its
/// lease, for this worker.
pub async fn claim(state: &AppState) -> Result<Option<ClaimedJob>, sqlx::Error> {
    let now = now_ms();
    let takeable = "(status = 'queued' OR (status = 'running' AND heartbeat_at < $3))";
    let row = sqlx::query(&format!(
        "UPDATE jobs SET status = 'running', worker = $1, started_at = COALESCE(started_at, $2), heartbeat_at = $2 \
         WHERE id = (SELECT id FROM jobs WHERE {takeable} ORDER BY created_at, id LIMIT 1) AND {takeable} \
         RETURNING id, org_id, kind, created_by"
    ))
    .bind(&state.worker_id)
    .bind(now)
    .bind(now - LEASE_MS)
    .fetch_optional(&state.db.pool)
    .await?;
    row.map(|row| {
        Ok(ClaimedJob {
            id: row.try_get("id")?,
            org_id: row.try_get("org_id")?,
            kind: row.try_get("kind")?,
            created_by: row.try_get("created_by")?,
        })
    })
    .transpose()
}

async fn finish(
    state: &AppState,
    job: &ClaimedJob,
    outcome: Result<serde_json::Value, String>,
) -> Result<(), sqlx::Error> {
    let (status, result, error) = match outcome {
        Ok(result) => ("done", Some(result.to_string()), None),
        Err(error) => ("failed", None, Some(error)),
    };
    sqlx::query("UPDATE jobs SET status = $1, result = $2, error = $3, finished_at = $4 WHERE id = $5 AND worker = $6")
        .bind(status)
        .bind(result)
        .bind(error)
        .bind(now_ms())
        .bind(&job.id)
        .bind(&state.worker_id)
        .execute(&state.db.pool)
        .await?;
    Ok(())
}

/// Puts a job this worker holds back in the queue, as it was before it was
/// claimed but for its start time and progress.
async fn hand_back(state: &AppState, job: &ClaimedJob) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE jobs SET status = 'queued', worker = NULL, heartbeat_at = NULL WHERE id = $1 AND worker = $2")
        .bind(&job.id)
        .bind(&state.worker_id)
        .execute(&state.db.pool)
        .await?;
    Ok(())
}

/// The job's result, or None when `stop` turned true before it was done.
async fn run(
    state: &AppState,
    job: &ClaimedJob,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Result<Option<serde_json::Value>, String> {
    match job.kind.as_str() {
        "reanalyze" => reanalyze(state, job, stop).await,
        other => Err(format!("unknown job kind `{other}`")),
    }
}

/// Records progress and renews the lease; false when another worker took the job over.
async fn progress(state: &AppState, job: &ClaimedJob, done: i64, total: i64) -> Result<bool, String> {
    let updated = sqlx::query(
        "UPDATE jobs SET progress_done = $1, progress_total = $2, heartbeat_at = $3 WHERE id = $4 AND worker = $5",
    )
    .bind(done)
    .bind(total)
    .bind(now_ms())
    .bind(&job.id)
    .bind(&state.worker_id)
    .execute(&state.db.pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(updated.rows_affected() == 1)
}

/// Analyses the latest version of every model of the organisation with the
/// server's current knowledge base; a model whose threats change gets a new
/// version (same document), so the change shows in its history.
async fn reanalyze(
    state: &AppState,
    job: &ClaimedJob,
    stop: &tokio::sync::watch::Receiver<bool>,
) -> Result<Option<serde_json::Value>, String> {
    let models = sqlx::query("SELECT id, name, head_version FROM models WHERE org_id = $1 ORDER BY id")
        .bind(&job.org_id)
        .fetch_all(&state.db.pool)
        .await
        .map_err(|e| e.to_string())?;
    let total = models.len() as i64;
    let (mut changed, mut unchanged, mut failed) = (0, 0, Vec::new());
    for (index, row) in models.iter().enumerate() {
        if *stop.borrow() {
            return Ok(None);
        }
        if !progress(state, job, index as i64, total).await? {
            return Err("another worker took this job over".to_string());
        }
        let (model_id, name, head): (String, String, i64) = (
            row.try_get("id").map_err(|e| e.to_string())?,
            row.try_get("name").map_err(|e| e.to_string())?,
            row.try_get("head_version").map_err(|e| e.to_string())?,
        );
        match reanalyze_one(state, job, &model_id, head).await {
            Ok(true) => changed += 1,
            Ok(false) => unchanged += 1,
            Err(error) => failed.push(json!({"model": model_id, "name": name, "error": error})),
        }
    }
    progress(state, job, total, total).await?;
    Ok(Some(json!({"models": total, "new_versions": changed, "unchanged": unchanged, "failed": failed})))
}

async fn reanalyze_one(state: &AppState, job: &ClaimedJob, model_id: &str, head: i64) -> Result<bool, String> {
    let format: String =
        sqlx::query_scalar("SELECT source_format FROM model_versions WHERE model_id = $1 AND version = $2")
            .bind(model_id)
            .bind(head)
            .fetch_one(&state.db.pool)
            .await
            .map_err(|e| e.to_string())?;
    let document = documents::load(&state.db.pool, model_id, head)
        .await
        .map_err(|e| e.message)?
        .ok_or_else(|| format!("version {head} has no document"))?;
    let model = analysis::read_stored(&state.kb, &document).map_err(|e| e.message)?;
    let prepared = Prepared { model, document, format, warnings: Vec::new() };
    let analysed = versions::analyse(state.kb.clone(), prepared).await.map_err(|e| e.message)?;
    let stored = versions::current_fingerprints(&state.db.pool, model_id).await.map_err(|e| e.to_string())?;
    let current = stored.by_threat();
    let changes = versions::changes(&analysed, &current).await.map_err(|e| e.message)?;
    if changes.is_empty() {
        if !changes.refingerprint.is_empty() {
            let mut tx = state.db.write().await.map_err(|e| e.to_string())?;
            versions::refingerprint(&mut tx, model_id, &analysed, &current, &changes.refingerprint)
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
        }
        return Ok(false);
    }
    drop(changes);
    let mut tx = state.db.write().await.map_err(|e| e.to_string())?;
    let message = "Re-analysed with the server's current knowledge base";
    let actor = format!("job:{}", job.id);
    let record = crate::audit::Entry {
        org_id: Some(&job.org_id),
        actor_id: None,
        actor: &actor,
        remote_addr: "server",
        action: "model.reanalyze",
        target_kind: "model",
        target_id: model_id,
        detail: json!({"job": job.id}),
    };
    match versions::store(&mut tx, model_id, head, &job.created_by, message, &analysed, None, Some(record)).await {
        Ok(saved) => {
            tx.commit().await.map_err(|e| e.to_string())?;
            crate::store::statistics::refresh_after_write(&state.db, saved.rows_written).await;
            Ok(true)
        }
        // Saved by someone meanwhile: that save was analysed with this library already.
        Err(error) if error.code == "conflict" => Ok(false),
        Err(error) => Err(error.message),
    }
}
