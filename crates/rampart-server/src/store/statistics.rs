//! Planner statistics on PostgreSQL, refreshed as soon as writes make them
//! stale instead of up to a minute later.
//!
//! PostgreSQL plans each query from statistics that its autovacuum daemon
//! gathers (`ANALYZE`) once a table has changed by more than 50 rows plus
//! 10 % of its size, checking every minute. Until then the planner guesses.
//! On a new database it guessed that a model had 3 threats, and sorted all
//! 1,663 threats of the load benchmark's model for every page of its list
//! (2.3 ms of PostgreSQL's CPU per read) instead of reading the first 50 from
//! the score index (0.2 ms). A team's first minutes with a fresh server,
//! or the first minute after an import, are when that shows. A write that
//! crosses autovacuum's own threshold therefore analyses the table at once,
//! before its response.
//!
//! Many small writes go stale the same way: after 50 clients' saves had
//! grown a model's history from 1,663 rows to 150,000 in 20 seconds, the
//! statistics still said nearly every row was current, and a filtered list
//! of the head read the whole table (210 ms, and 94 reads a second where a
//! new model had 2,500). This process counts the rows it writes, and once
//! they pass the same threshold it analyses the table in the background,
//! without holding up the save that crossed it. SQLite is left alone: the
//! lists name their index (`INDEXED BY`) and need no statistics.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use crate::db::{Backend, Db};

/// Autovacuum's defaults (`autovacuum_analyze_threshold` and
/// `autovacuum_analyze_scale_factor`): a table whose changes since its last
/// analysis pass this many rows plus this share of its size is analysed.
const BASE_THRESHOLD: f64 = 50.0;
const SCALE_FACTOR: f64 = 0.1;

/// Whether `rows_written` rows written since a table that had
/// `rows_at_last_analysis` rows (negative when it was never analysed, as
/// PostgreSQL's `reltuples` says) was analysed make it worth analysing now.
pub fn worth_analysing(rows_written: usize, rows_at_last_analysis: f64) -> bool {
    rows_written as f64 > BASE_THRESHOLD + SCALE_FACTOR * rows_at_last_analysis.max(0.0)
}

/// The one table written in bulk: a save inserts and closes threat rows by
/// the dozens or hundreds; every other write touches a row or two.
const TABLE: &str = "threats";

/// What one database's pool ([`Db`]) knows of its threats table's statistics.
#[derive(Debug, Default)]
pub struct Pending {
    /// Rows inserted or closed by this process since its last analysis.
    written: AtomicUsize,
    /// The table's size at its last analysis as last read (`f64` bits; 0
    /// until read): the threshold a count is checked against before the
    /// table is asked, so that small saves do not query it each time.
    rows_at_last_analysis: AtomicU64,
    /// One analysis at a time: the writes that would start another meanwhile
    /// skip it, as the one running already sees their rows or nearly.
    running: AtomicBool,
    /// When the last background analysis began (milliseconds of
    /// [`crate::db::now_ms`]): see [`BACKGROUND_INTERVAL_MS`].
    last_background_ms: AtomicU64,
}

/// The least time between two background analyses. Each samples up to
/// 30,000 rows; under a stream of saves the threshold comes round every few
/// hundred saves, and analysing each time cost 50 clients' saves of one
/// model a quarter of their rate (117 a second against 158). Autovacuum
/// itself looks once a minute.
const BACKGROUND_INTERVAL_MS: u64 = 10_000;

/// Counts the `rows_written` (inserted or closed) by a transaction just
/// committed, and analyses the threats table when they, or the rows this
/// process wrote since its last analysis, pass autovacuum's threshold: at
/// once when this write alone does (a model created or imported, whose
/// lists are read next), in the background otherwise. Never fails the
/// caller's write, which is committed: a failure is logged.
pub async fn refresh_after_write(db: &Db, rows_written: usize) {
    if db.backend != Backend::Postgres {
        return;
    }
    let pending = &db.statistics;
    let written = pending.written.fetch_add(rows_written, Ordering::AcqRel) + rows_written;
    let known_rows = f64::from_bits(pending.rows_at_last_analysis.load(Ordering::Acquire));
    if !worth_analysing(written, known_rows) {
        return;
    }
    let at_once = worth_analysing(rows_written, known_rows);
    let now = u64::try_from(crate::db::now_ms()).unwrap_or(0);
    let last = pending.last_background_ms.load(Ordering::Acquire);
    if !at_once && now.saturating_sub(last) < BACKGROUND_INTERVAL_MS {
        return;
    }
    let Some(running) = Running::claim(pending.clone()) else { return };
    if at_once {
        analyse_if_stale(db, written, running).await;
    } else {
        pending.last_background_ms.store(now, Ordering::Release);
        let db = db.clone();
        tokio::spawn(async move { analyse_if_stale(&db, written, running).await });
    }
}

/// The claim on [`Pending::running`], given back when dropped: also when the
/// request that runs the analysis is cancelled (its client went away) mid-way.
struct Running(Arc<Pending>);

impl Running {
    fn claim(pending: Arc<Pending>) -> Option<Running> {
        (!pending.running.swap(true, Ordering::AcqRel)).then_some(Running(pending))
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::Release);
    }
}

/// Analyses the table if `written` rows are still past the threshold for
/// its size at its last analysis (autovacuum or another replica may have
/// analysed it since this process's count began).
async fn analyse_if_stale(db: &Db, written: usize, running: Running) {
    if let Err(error) = try_analyse_if_stale(db, written, &running.0).await {
        tracing::warn!(table = TABLE, %error, "cannot refresh the planner's statistics");
    }
}

/// The table's size as its last analysis (or vacuum) counted it:
/// PostgreSQL's `reltuples`, negative when it was never analysed; `None`
/// when the table is not there.
async fn rows_at_last_analysis(db: &Db) -> Result<Option<f64>, sqlx::Error> {
    sqlx::query_scalar("SELECT reltuples::float8 FROM pg_class WHERE oid = to_regclass($1)")
        .bind(TABLE)
        .fetch_optional(&db.pool)
        .await
}

async fn try_analyse_if_stale(db: &Db, written: usize, pending: &Pending) -> Result<(), sqlx::Error> {
    let Some(rows) = rows_at_last_analysis(db).await? else { return Ok(()) };
    pending.rows_at_last_analysis.store(rows.max(0.0).to_bits(), Ordering::Release);
    if !worth_analysing(written, rows) {
        return Ok(());
    }
    // SKIP_LOCKED: when autovacuum or another replica is analysing or
    // vacuuming the table right now, that is enough; do not queue behind it.
    sqlx::query(&format!("ANALYZE (SKIP_LOCKED) {TABLE}")).execute(&db.pool).await?;
    // The rows counted up to here are in the statistics; those written
    // meanwhile count towards the next analysis.
    pending.written.fetch_sub(written, Ordering::AcqRel);
    let analysed = rows_at_last_analysis(db).await?;
    pending.rows_at_last_analysis.store(analysed.unwrap_or(rows).max(0.0).to_bits(), Ordering::Release);
    tracing::debug!(table = TABLE, written, rows_before = rows, "refreshed the planner's statistics");
    Ok(())
}

/// How many values ANALYZE keeps of each threats column (its statistics
/// target): what the lists filter and the saves look up by (a model, its
/// current rows, a rule, a target, a severity, a title), and nothing of the
/// rest, which no query filters on.
///
/// PostgreSQL samples 300 rows per unit of the largest target, from as
/// many pages. With the default target (100) on every column, analysing the
/// threats left by 20 s of 50 clients' saves of one model (some 90,000
/// rows, 136 MB) took 280-430 ms of the database's CPU. Under a stream of
/// saves that happens every 10 seconds ([`BACKGROUND_INTERVAL_MS`]), and
/// each time the saves of the next second were 50-80 ms slower (p50). With
/// these targets it takes 37-40 ms, and the saves' p99 went from 381-392 ms
/// to 321-342 in alternated 20 s runs. A sample of 6,000 rows still
/// estimates a model's rows and the share of current rows closely, which
/// is what the plans depend on.
const COLUMN_TARGETS: [(&str, i32); 14] = [
    ("model_id", 20),
    ("threat_id", 20),
    ("since_version", 20),
    ("until_version", 20),
    ("rule", 20),
    ("target", 20),
    ("title", 20),
    ("severity_rank", 20),
    ("severity", 0),
    ("target_kind", 0),
    ("score", 0),
    ("stride", 0),
    ("analysis_status", 0),
    ("fingerprint", 0),
];

/// Sets [`COLUMN_TARGETS`] where the table does not have them yet (a
/// PostgreSQL setting, which the migrations both databases run cannot hold).
/// `SET STATISTICS` takes a lock that lets reads and writes go on.
pub async fn set_column_targets(pool: &sqlx::AnyPool) -> Result<(), sqlx::Error> {
    let current: Vec<(String, i32)> = sqlx::query_as(
        "SELECT attname::text, COALESCE(attstattarget, -1)::int4 FROM pg_attribute \
         WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
    )
    .bind(TABLE)
    .fetch_all(pool)
    .await?;
    let changes: Vec<String> = COLUMN_TARGETS
        .iter()
        .filter(|(column, target)| current.iter().any(|(name, now)| name == column && now != target))
        .map(|(column, target)| format!("ALTER COLUMN {column} SET STATISTICS {target}"))
        .collect();
    if !changes.is_empty() {
        sqlx::query(&format!("ALTER TABLE {TABLE} {}", changes.join(", "))).execute(pool).await?;
    }
    Ok(())
}

/// Analyses every table, after a restore has loaded a whole database.
pub async fn refresh_all(db: &Db) -> Result<(), sqlx::Error> {
    if db.backend == Backend::Postgres {
        sqlx::query("ANALYZE").execute(&db.pool).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::worth_analysing;

    #[test]
    fn one_analysis_runs_at_a_time_and_a_dropped_one_lets_the_next_in() {
        let pending = std::sync::Arc::new(super::Pending::default());
        let first = super::Running::claim(pending.clone()).expect("free at first");
        assert!(super::Running::claim(pending.clone()).is_none(), "taken while the first runs");
        let other = std::sync::Arc::new(super::Pending::default());
        assert!(super::Running::claim(other).is_some(), "another database's is its own");
        drop(first);
        assert!(super::Running::claim(pending).is_some(), "free again once the first is dropped");
    }

    #[test]
    fn a_write_is_worth_analysing_past_autovacuums_threshold() {
        // A table never analysed (`reltuples` -1) counts as empty.
        assert!(worth_analysing(71, -1.0));
        assert!(!worth_analysing(50, -1.0));
        // 50 rows plus a tenth of the table.
        assert!(!worth_analysing(150, 1_000.0));
        assert!(worth_analysing(151, 1_000.0));
        // A save's usual few dozen rows on a large table never are.
        assert!(!worth_analysing(50, 1_000_000.0));
    }
}
