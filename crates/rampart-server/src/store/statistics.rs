//! Planner statistics on PostgreSQL, refreshed as soon as a write makes them
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
//! before its response. SQLite is left alone: the lists name their index
//! (`INDEXED BY`) and need no statistics.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::db::{Backend, Db};

/// Autovacuum's defaults (`autovacuum_analyze_threshold` and
/// `autovacuum_analyze_scale_factor`): a table whose changes since its last
/// analysis pass this many rows plus this share of its size is analysed.
const BASE_THRESHOLD: f64 = 50.0;
const SCALE_FACTOR: f64 = 0.1;

/// One analysis at a time per process: the saves that would start another
/// meanwhile skip it, as the one running already sees their rows or nearly.
static RUNNING: AtomicBool = AtomicBool::new(false);

/// Whether `rows_written` rows written at once make a table that had
/// `rows_at_last_analysis` rows (negative when it was never analysed, as
/// PostgreSQL's `reltuples` says) worth analysing now.
pub fn worth_analysing(rows_written: usize, rows_at_last_analysis: f64) -> bool {
    rows_written as f64 > BASE_THRESHOLD + SCALE_FACTOR * rows_at_last_analysis.max(0.0)
}

/// The one table written in bulk: a save inserts and closes threat rows by
/// the hundreds; every other write touches a row or two.
const TABLE: &str = "threats";

/// Analyses the threats table if the `rows_written` (inserted or closed)
/// by a transaction just committed are past autovacuum's threshold. Never
/// fails the caller's write, which is committed: a failure is logged.
pub async fn refresh_after_write(db: &Db, rows_written: usize) {
    // Below the base threshold no table size makes it worth a query.
    if db.backend != Backend::Postgres || !worth_analysing(rows_written, 0.0) {
        return;
    }
    let Some(_running) = Running::claim() else { return };
    if let Err(error) = analyse_if_stale(db, rows_written).await {
        tracing::warn!(table = TABLE, %error, "cannot refresh the planner's statistics");
    }
}

/// The claim on [`RUNNING`], given back when dropped: also when the request
/// that runs the analysis is cancelled (its client went away) mid-way.
struct Running;

impl Running {
    fn claim() -> Option<Running> {
        (!RUNNING.swap(true, Ordering::AcqRel)).then_some(Running)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.store(false, Ordering::Release);
    }
}

async fn analyse_if_stale(db: &Db, rows_written: usize) -> Result<(), sqlx::Error> {
    let rows: Option<f64> = sqlx::query_scalar("SELECT reltuples::float8 FROM pg_class WHERE oid = to_regclass($1)")
        .bind(TABLE)
        .fetch_optional(&db.pool)
        .await?;
    let Some(rows) = rows else { return Ok(()) };
    if !worth_analysing(rows_written, rows) {
        return Ok(());
    }
    // SKIP_LOCKED: when autovacuum or another replica is analysing or
    // vacuuming the table right now, that is enough; do not queue behind it.
    sqlx::query(&format!("ANALYZE (SKIP_LOCKED) {TABLE}")).execute(&db.pool).await?;
    tracing::debug!(table = TABLE, rows_written, rows_before = rows, "refreshed the planner's statistics");
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
        let first = super::Running::claim().expect("free at first");
        assert!(super::Running::claim().is_none(), "taken while the first runs");
        drop(first);
        assert!(super::Running::claim().is_some(), "free again once the first is dropped");
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
