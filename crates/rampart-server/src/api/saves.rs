//! Saves of one model written together: group commit.
//!
//! Saves of a model are serial: each becomes the version after the head,
//! and while one is written the others wait for the model's lock (an
//! advisory lock on PostgreSQL, the one writer connection on SQLite). Each
//! transaction used to pay for taking the lock, reading the head and
//! committing (on PostgreSQL, waiting for the log to reach the disk) with
//! every other save of the model waiting: under 50 clients saving one
//! model on PostgreSQL, some 2 ms of the 5 ms each save held the lock.
//!
//! So a save joins its model's queue, and one task per model (on this
//! server) writes what is queued: each save in turn, as the version after
//! the one before it, in one transaction and one commit. Each save is still
//! its own version with its own author, message and audit record, checked
//! against its `If-Match` in turn; it is answered only once the commit is
//! done. When a save of a batch fails, the batch is rolled back and its
//! saves are written again one by one, so that one bad save fails alone.
//!
//! A replica queues its own saves; the lock still orders the replicas'
//! batches. Nothing is kept here beyond the saves waiting.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::{Mutex, PoisonError};

use serde_json::json;
use tokio::sync::oneshot;

use super::common::IfMatch;
use crate::audit;
use crate::auth::Caller;
use crate::db::Backend;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::previous::Previous;
use crate::store::versions::{self, Analysed, Saved};

/// Saves written in one transaction at most. The first of a batch is
/// answered after the last is written, so this bounds how long a save can
/// wait on the others (each takes about 3 ms on the 2-core test machine).
const MAX_BATCH: usize = 32;

/// A save to write as the model's next version.
pub struct SaveRequest {
    pub caller: Caller,
    pub model_id: String,
    pub wanted: IfMatch,
    pub message: String,
    /// `model.save`, `model.rollback`...: the audit record's action.
    pub action: &'static str,
    pub analysed: Analysed,
}

/// A save as stored, with what its reply shows of the model.
pub struct Stored {
    pub saved: Saved,
    pub project_id: String,
    pub name: String,
    pub created_at: i64,
    /// The author's username, when the batch read it (see [`write_together`]).
    pub author: Option<String>,
}

struct Waiting {
    request: SaveRequest,
    reply: oneshot::Sender<ApiResult<Stored>>,
}

/// The saves waiting, by model. A model is listed while its writer task runs.
#[derive(Default)]
pub struct SaveQueues {
    waiting: Mutex<HashMap<String, Vec<Waiting>>>,
}

impl SaveQueues {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<Waiting>>> {
        // Each change is one push, take or removal: a panic cannot leave one half-done.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many saves of `model_id` wait for the batch its writer is
    /// writing; none when no writer runs for it.
    pub fn waiting(&self, model_id: &str) -> Option<usize> {
        self.lock().get(model_id).map(Vec::len)
    }

    /// Queues `request` and waits until it is stored (or refused).
    pub async fn submit(&self, state: &AppState, request: SaveRequest) -> ApiResult<Stored> {
        let model_id = request.model_id.clone();
        let (reply, answer) = oneshot::channel();
        let start_writer = match self.lock().entry(model_id.clone()) {
            Entry::Occupied(mut queue) => {
                queue.get_mut().push(Waiting { request, reply });
                false
            }
            Entry::Vacant(queue) => {
                queue.insert(vec![Waiting { request, reply }]);
                true
            }
        };
        if start_writer {
            // A task of its own, not the request's: a client that hangs up
            // must not take the saves of the others down with its request.
            tokio::spawn(write_queue(state.clone(), model_id));
        }
        answer
            .await
            .map_err(|_| ApiError::internal("the save was not answered", "its writer stopped before answering"))?
    }

    /// The next saves to write for `model_id`, in arrival order; none when
    /// its queue is empty, which then ends the writer (under the same lock
    /// that [`SaveQueues::submit`] decides to start one under).
    fn next_batch(&self, model_id: &str) -> Vec<Waiting> {
        let mut waiting = self.lock();
        let Some(queue) = waiting.get_mut(model_id) else { return Vec::new() };
        if queue.is_empty() {
            waiting.remove(model_id);
            return Vec::new();
        }
        let take = queue.len().min(MAX_BATCH);
        queue.drain(..take).collect()
    }
}

/// Ends a model's queue if its writer stops without emptying it (a panic):
/// the saves waiting are answered with an error rather than never, and the
/// next save starts a new writer.
struct WriterGuard<'s> {
    queues: &'s SaveQueues,
    model_id: &'s str,
    done: bool,
}

impl Drop for WriterGuard<'_> {
    fn drop(&mut self) {
        if !self.done {
            // Their reply senders go with them, which answers each an error.
            self.queues.lock().remove(self.model_id);
        }
    }
}

/// A model's writer: writes batches until its queue is empty.
async fn write_queue(state: AppState, model_id: String) {
    let mut guard = WriterGuard { queues: &state.saves, model_id: &model_id, done: false };
    loop {
        let batch = state.saves.next_batch(&model_id);
        if batch.is_empty() {
            guard.done = true;
            return;
        }
        write_batch(&state, &model_id, batch).await;
    }
}

/// Writes `batch` in one transaction and answers each save; when that
/// fails before its commit, writes each save in a transaction of its own.
async fn write_batch(state: &AppState, model_id: &str, batch: Vec<Waiting>) {
    let requests: Vec<&SaveRequest> = batch.iter().map(|waiting| &waiting.request).collect();
    let outcomes = match write_together(state, model_id, &requests).await {
        Ok(outcomes) => outcomes,
        Err(Failed::Writing(error)) if batch.len() == 1 => vec![Err(error)],
        Err(Failed::Writing(error)) => {
            tracing::warn!(%model_id, saves = batch.len(), error = %error.message, "a batch of saves failed: writing them one by one");
            let mut outcomes = Vec::with_capacity(batch.len());
            for request in &requests {
                outcomes.push(match write_together(state, model_id, &[request]).await {
                    Ok(mut alone) => alone.pop().unwrap_or_else(|| Err(not_stored("no outcome"))),
                    Err(Failed::Writing(error)) => Err(error),
                    Err(Failed::Committing(error)) => Err(may_be_stored(&error)),
                });
            }
            outcomes
        }
        // The commit may have been done all the same (the connection was
        // lost on its way back, say): writing the saves again could store
        // them twice, so each is told its save may or may not be stored.
        Err(Failed::Committing(error)) => batch.iter().map(|_| Err(may_be_stored(&error))).collect(),
    };
    for (waiting, outcome) in batch.into_iter().zip(outcomes) {
        // The request may have gone (its client hung up); its save stands.
        let _ = waiting.reply.send(outcome);
    }
}

/// How a batch failed: before its commit (nothing is stored), or in it.
enum Failed {
    Writing(ApiError),
    Committing(sqlx::Error),
}

impl<E: Into<ApiError>> From<E> for Failed {
    fn from(error: E) -> Failed {
        Failed::Writing(error.into())
    }
}

fn not_stored(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal("the save was not stored", error)
}

fn may_be_stored(error: &sqlx::Error) -> ApiError {
    ApiError::internal("the save's commit failed: read the model's versions to see whether it was stored", error)
}

/// Writes `requests` in order as the model's next versions, in one
/// transaction, and commits it. A save whose `If-Match` does not name the
/// version before it is refused (409) and writes nothing; any other error
/// fails the whole batch, which is then rolled back.
async fn write_together(
    state: &AppState,
    model_id: &str,
    requests: &[&SaveRequest],
) -> Result<Vec<ApiResult<Stored>>, Failed> {
    let Some(first) = requests.first() else { return Ok(Vec::new()) };
    let mut tx = state.db.write().await?;
    // Saves of one model queue here. SQLite's BEGIN IMMEDIATE already
    // serialises writers (through the one writer connection, in order). On
    // PostgreSQL a transaction-scoped advisory lock on the model orders the
    // replicas' batches: its waiters are granted in turn, while the waiters
    // on a row lock all wake at each commit and race for it, which left
    // some saves waiting seconds (p99 2.3 s against a p50 of 1.0 s).
    if state.db.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))").bind(model_id).execute(&mut *tx).await?;
    }
    // With what the replies show of the model (built from this and from
    // what the saves write, rather than read back in the transaction). The
    // author is read for the first save's user: most batches have one.
    let (mut head, mut stamp, project_id, name, created_at, author): (i64, i64, String, String, i64, Option<String>) =
        sqlx::query_as(
            "SELECT m.head_version, m.updated_at, m.project_id, m.name, m.created_at, u.username \
             FROM models m LEFT JOIN users u ON u.id = $2 WHERE m.id = $1",
        )
        .bind(model_id)
        .bind(&first.caller.user_id)
        .fetch_one(&mut *tx)
        .await?;
    let mut previous = state.previous.head(model_id, head, stamp);
    let mut outcomes = Vec::with_capacity(requests.len());
    for request in requests {
        if let IfMatch::Tag(tag) = &request.wanted
            && *tag != super::models::model_etag(model_id, head)
        {
            outcomes.push(Err(super::models::stale_tag(model_id, tag, head)));
            continue;
        }
        let analysed = &request.analysed;
        // Recorded with the version, which completes its detail.
        let record = audit::Entry::by(
            &request.caller,
            request.action,
            "model",
            model_id,
            json!({"message": request.message, "format": analysed.format}),
        );
        let saved = versions::store(
            &mut tx,
            model_id,
            head,
            &request.caller.user_id,
            &request.message,
            analysed,
            previous.as_ref(),
            Some(record),
        )
        .await?;
        // The next save of the batch follows this one, whose rows it knows.
        (head, stamp) = (saved.version, saved.stamp);
        previous = Some(Previous { version: head, stamp, analysis: analysed.next.clone() });
        let author = (request.caller.user_id == first.caller.user_id).then(|| author.clone()).flatten();
        outcomes.push(Ok(Stored { saved, project_id: project_id.clone(), name: name.clone(), created_at, author }));
    }
    tx.commit().await.map_err(Failed::Committing)?;
    if let Some(previous) = previous {
        state.previous.put(model_id, previous.version, previous.stamp, previous.analysis);
    }
    Ok(outcomes)
}
