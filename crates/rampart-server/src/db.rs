//! The database: SQLite in the data directory by default, PostgreSQL when a
//! `postgres://` URL is given. Both are reached through sqlx's `Any` driver
//! with the same portable SQL, so every query is written once.

mod sqlite;

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::MigrateError;
use sqlx::{AnyConnection, AnyPool};

/// The schema's migrations, applied in order at start-up and recorded in
/// `_sqlx_migrations`; on PostgreSQL an advisory lock lets only one replica
/// migrate at a time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections and which database is behind it.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    /// Where write transactions run.
    writer: Writer,
    pub backend: Backend,
    /// The threat rows this process wrote since it last refreshed the
    /// planner's statistics ([`crate::store::statistics`]).
    pub(crate) statistics: std::sync::Arc<crate::store::statistics::Pending>,
}

#[derive(Clone, Debug)]
enum Writer {
    /// PostgreSQL: any connection of the pool (row and advisory locks order writers).
    Pool(AnyPool),
    /// SQLite: its one writer connection, and the database file.
    Sqlite(sqlite::Writer, PathBuf),
}

/// A write transaction ([`Db::write`]). Its statements run on the connection
/// it derefs to: `&mut **tx`, or `&mut *tx` when it is owned. Dropped without
/// [`Tx::commit`], it is rolled back.
pub struct Tx(TxInner);

enum TxInner {
    /// PostgreSQL's: a transaction on any connection of the pool.
    Pooled(sqlx::Transaction<'static, sqlx::Any>),
    Sqlite(sqlite::Transaction),
}

impl Tx {
    /// The database this transaction runs on.
    pub fn backend(&self) -> Backend {
        match self.0 {
            TxInner::Pooled(_) => Backend::Postgres,
            TxInner::Sqlite(_) => Backend::Sqlite,
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self.0 {
            TxInner::Pooled(transaction) => transaction.commit().await,
            TxInner::Sqlite(transaction) => transaction.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.0 {
            TxInner::Pooled(transaction) => transaction.rollback().await,
            TxInner::Sqlite(transaction) => transaction.rollback().await,
        }
    }
}

impl Deref for Tx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        match &self.0 {
            TxInner::Pooled(transaction) => transaction,
            TxInner::Sqlite(transaction) => transaction.connection(),
        }
    }
}

impl DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        match &mut self.0 {
            TxInner::Pooled(transaction) => transaction,
            TxInner::Sqlite(transaction) => transaction.connection_mut(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL `{0}`: expected sqlite://PATH or postgres://USER@HOST/DATABASE")]
    Unsupported(String),
    #[error("cannot create the data directory `{path}`: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot connect to the database: {0}")]
    Connect(sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(sqlx::migrate::MigrateError),
}

/// The URL of the embedded database in `data_dir`.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("rampart.db").display())
}

impl Db {
    /// Connects without migrating (backup and restore check the schema version themselves).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, DbError> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(DbError::Unsupported(redact(url)));
        };
        if backend == Backend::Sqlite
            && let Some(parent) = sqlite_path(url).and_then(|path| Path::new(path).parent().map(Path::to_path_buf))
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(&parent)
                .map_err(|source| DbError::DataDir { path: parent.display().to_string(), source })?;
        }
        let options = AnyConnectOptions::from_str(url).map_err(DbError::Connect)?;
        let pool = connect_pool(&options, backend, max_connections).await?;
        let writer = match backend {
            Backend::Sqlite => {
                let file = PathBuf::from(sqlite_path(url).unwrap_or_default());
                Writer::Sqlite(sqlite::Writer::connect(options).await.map_err(DbError::Connect)?, file)
            }
            Backend::Postgres => Writer::Pool(pool.clone()),
        };
        Ok(Db { pool, writer, backend, statistics: Default::default() })
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &str, max_connections: u32) -> Result<Db, DbError> {
        let db = Db::connect(url, max_connections).await?;
        MIGRATOR.run(&db.pool).await.map_err(DbError::Migrate)?;
        if db.backend == Backend::Postgres {
            let settings = async {
                postgres_column_storage(&db.pool).await?;
                crate::store::statistics::set_column_targets(&db.pool).await
            };
            settings.await.map_err(|error| DbError::Migrate(MigrateError::Execute(error)))?;
        }
        Ok(db)
    }

    /// A transaction that will write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): a transaction that reads first and writes
    /// later could otherwise fail with "database is locked" instead of waiting.
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        match &self.writer {
            Writer::Pool(pool) => Ok(Tx(TxInner::Pooled(pool.begin().await?))),
            Writer::Sqlite(writer, _) => Ok(Tx(TxInner::Sqlite(writer.begin().await?))),
        }
    }

    /// Starts the upkeep of SQLite's write-ahead log until `stopped`: its
    /// checkpoints, and writing it and the database file back to disk ahead
    /// of them (see [`sqlite`]). Nothing to do on PostgreSQL.
    pub fn maintain(&self, stopped: tokio::sync::watch::Receiver<bool>) {
        let Writer::Sqlite(writer, file) = &self.writer else { return };
        tokio::spawn(sqlite::checkpoint_every(
            self.pool.clone(),
            writer.clone(),
            sqlite::CHECKPOINT_INTERVAL,
            sqlite::RESTART_FRAMES,
            stopped.clone(),
        ));
        if let Err(error) =
            sqlite::write_back_every(file.clone(), writer.written.clone(), sqlite::WRITE_BACK_INTERVAL, stopped)
        {
            tracing::warn!(%error, "cannot start the thread that writes the database back to disk");
        }
    }
}

/// Column settings that only PostgreSQL has, so that the migrations, which
/// both databases run, cannot hold them: set after the migrations, and only
/// where not set yet (`ALTER TABLE` locks the table out of every reader).
///
/// A version's document is compressed with zstd already
/// ([`crate::store::documents`]), but PostgreSQL tried its own compression
/// (pglz) on the 32 KB of each save's document, inside the save's statement,
/// and kept nothing of it: 6 % of the database's CPU under a stream of saves.
/// `EXTERNAL` stores the column out of line as it is. In alternated 15 s
/// runs the database's CPU per save went from 3.27-3.45 ms to 2.94-3.13.
async fn postgres_column_storage(pool: &AnyPool) -> Result<(), sqlx::Error> {
    let storage: Option<String> = sqlx::query_scalar(
        "SELECT attstorage::text FROM pg_attribute \
         WHERE attrelid = 'model_versions'::regclass AND attname = 'document_zstd'",
    )
    .fetch_optional(pool)
    .await?;
    if storage.as_deref() != Some("e") {
        sqlx::query("ALTER TABLE model_versions ALTER COLUMN document_zstd SET STORAGE EXTERNAL").execute(pool).await?;
    }
    Ok(())
}

/// How long a request waits for a database connection (or, on SQLite, for
/// its turn to write) before it is answered `503 busy`.
pub const WAIT_FOR_CONNECTION: Duration = Duration::from_secs(30);

async fn connect_pool(options: &AnyConnectOptions, backend: Backend, max_connections: u32) -> Result<AnyPool, DbError> {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(WAIT_FOR_CONNECTION)
        // A PostgreSQL connection can be cut (a restart, a proxy's timeout),
        // so it is tested before use. An SQLite connection is a file opened
        // in this process: the test was only one more round trip to its
        // thread, at the head of every save's turn for the one writer.
        .test_before_acquire(backend == Backend::Postgres)
        .after_connect(move |connection, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    sqlite::configure(connection, sqlite::Role::Reader).await?;
                }
                Ok(())
            })
        })
        .connect_with(options.clone())
        .await
        .map_err(DbError::Connect)
}

fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    Some(rest.split('?').next().unwrap_or(rest))
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_string(),
    }
}

/// Milliseconds since the Unix epoch, the time unit of every column.
pub fn now_ms() -> i64 {
    let now = time::OffsetDateTime::now_utc();
    (now.unix_timestamp_nanos() / 1_000_000) as i64
}

/// A new random id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// RFC 3339 text of a time in milliseconds, as the API shows times.
pub fn timestamp(ms: i64) -> String {
    let time = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    time.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn sqlite_db(dir: &Path) -> Db {
        Db::open(&sqlite_url(dir), 4).await.expect("the database opens")
    }

    async fn pragma(connection: &mut AnyConnection, name: &str) -> i64 {
        sqlx::query_scalar(&format!("PRAGMA {name}")).fetch_one(connection).await.expect("a PRAGMA answers")
    }

    /// Every SQLite connection, the writer's and the readers', gets the
    /// settings the server's throughput was measured with.
    #[tokio::test]
    async fn sqlite_connections_log_ahead_and_checkpoint_late() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = sqlite_db(dir.path()).await;
        let mut writer = db.write().await.expect("the writer");
        let mut reader = db.pool.acquire().await.expect("a reader");
        for connection in [&mut *writer, &mut *reader] {
            let mode: String =
                sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *connection).await.expect("mode");
            assert_eq!(mode, "wal");
            assert_eq!(pragma(connection, "wal_autocheckpoint").await, 100_000);
            assert_eq!(pragma(connection, "synchronous").await, 1, "NORMAL");
            assert_eq!(pragma(connection, "mmap_size").await, 0);
        }
        assert_eq!(pragma(&mut writer, "temp_store").await, 2, "the writer's statement journals in memory");
        assert_eq!(pragma(&mut reader, "temp_store").await, 0, "readers' sorts may spill to disk");
        // Built without memory-use statistics (`.cargo/config.toml`).
        let options: Vec<String> =
            sqlx::query_scalar("PRAGMA compile_options").fetch_all(&mut *reader).await.expect("options");
        assert!(options.iter().any(|option| option == "DEFAULT_MEMSTATUS=0"), "compiled with {options:?}");
    }

    /// A write transaction dropped without a commit (an error, or a request
    /// the client gave up on) is rolled back, and the next one proceeds.
    #[tokio::test]
    async fn an_abandoned_sqlite_write_is_rolled_back_and_the_next_one_proceeds() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = sqlite_db(dir.path()).await;
        let mut tx = db.write().await.expect("a write");
        sqlx::query("INSERT INTO organisations (id, name, created_at) VALUES ('abandoned', 'Abandoned', 0)")
            .execute(&mut *tx)
            .await
            .expect("an insert");
        drop(tx);
        let mut tx = db.write().await.expect("the next write begins");
        sqlx::query("INSERT INTO organisations (id, name, created_at) VALUES ('kept', 'Kept', 0)")
            .execute(&mut *tx)
            .await
            .expect("an insert");
        tx.commit().await.expect("the commit");
        let names: Vec<String> =
            sqlx::query_scalar("SELECT name FROM organisations ORDER BY name").fetch_all(&db.pool).await.expect("read");
        assert_eq!(names, ["Kept"]);
        // Dropped with no writer waiting, it is rolled back by a task of its
        // own: SQLite's write lock is free again for another connection.
        let tx = db.write().await.expect("a write");
        drop(tx);
        let mut other = db.pool.acquire().await.expect("a reader");
        sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *other).await.expect("a timeout");
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *other).await.expect("the write lock is free");
        sqlx::query("ROLLBACK").execute(&mut *other).await.expect("a rollback");
    }

    /// A write that waits too long for the writer is answered busy, as one
    /// waiting for a PostgreSQL connection is, instead of queueing for ever.
    #[tokio::test]
    async fn a_write_kept_waiting_too_long_for_its_turn_is_told_the_server_is_busy() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = sqlite_db(dir.path()).await;
        let Writer::Sqlite(writer, _) = &db.writer else { panic!("an SQLite database") };
        let held = db.write().await.expect("a write");
        let waited = writer.begin_within(Duration::from_millis(50)).await.err().expect("no turn while one is held");
        assert!(matches!(waited, sqlx::Error::PoolTimedOut), "{waited}");
        let answer = crate::error::ApiError::from(waited);
        assert_eq!((answer.status.as_u16(), answer.code), (503, "busy"));
        drop(held);
        writer.begin_within(Duration::from_secs(5)).await.expect("the turn is free again");
    }

    async fn insert_organisation(tx: &mut Tx, name: &str) {
        sqlx::query("INSERT INTO organisations (id, name, created_at) VALUES ($1, $1, 0)")
            .bind(name)
            .execute(&mut **tx)
            .await
            .expect("an insert");
    }

    /// Past the threshold, a checkpoint is finished on the writer's
    /// connection between the transaction that holds it and the next one
    /// queued, which then starts the log again: it holds only that write's
    /// frames, not everything written before.
    #[tokio::test]
    async fn a_long_log_is_started_again_after_a_checkpoint_between_writes() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = sqlite_db(dir.path()).await;
        let Writer::Sqlite(writer, _) = &db.writer else { panic!("an SQLite writer") };
        for index in 0..40 {
            let mut tx = db.write().await.expect("a write");
            insert_organisation(&mut tx, &format!("organisation {index}")).await;
            tx.commit().await.expect("the commit");
        }
        // A write in progress; the checkpoint and then another write wait for it.
        let mut first = db.write().await.expect("a write");
        insert_organisation(&mut first, "first").await;
        let checkpoint = {
            let (pool, writer) = (db.pool.clone(), writer.clone());
            tokio::spawn(async move { sqlite::checkpoint_once(&pool, &writer, 1).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        let next = {
            let db = db.clone();
            tokio::spawn(async move {
                let mut tx = db.write().await.expect("a write");
                insert_organisation(&mut tx, "next").await;
                tx.commit().await.expect("the commit");
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!checkpoint.is_finished() && !next.is_finished(), "both wait for the write in progress");
        first.commit().await.expect("the commit");
        let frames = checkpoint.await.expect("joined").expect("the checkpoint");
        assert!(frames >= 40, "each write added frames: {frames}");
        next.await.expect("the next write");
        // Had the next write come before the checkpoint, or had the reader's
        // pass alone run (it could not copy the write then in progress), the
        // log would still hold every frame.
        let left = sqlite::checkpoint_once(&db.pool, writer, i64::MAX).await.expect("a reader's checkpoint");
        assert!(left < 10, "the log began again: {left} frames after {frames}");
    }

    /// The thread that writes the database back to disk does so after
    /// writes, not while the server is idle, and ends when the server stops.
    #[tokio::test]
    async fn the_write_back_thread_writes_after_writes_and_ends_when_the_server_stops() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = sqlite_db(dir.path()).await;
        let Writer::Sqlite(writer, file) = &db.writer else { panic!("an SQLite writer") };
        assert!(file.exists(), "the database file is known: {}", file.display());
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let (thread, passes) =
            sqlite::write_back_every(file.clone(), writer.written.clone(), Duration::from_millis(1), stopped)
                .expect("a thread");
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(passes.load(std::sync::atomic::Ordering::Relaxed), 0, "nothing written, nothing synced");
        let mut tx = db.write().await.expect("a write");
        insert_organisation(&mut tx, "written").await;
        tx.commit().await.expect("the commit");
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(passes.load(std::sync::atomic::Ordering::Relaxed), 1, "one commit, one pass");
        assert!(!thread.is_finished(), "it runs while the server does");
        stop.send(true).expect("the stop is sent");
        tokio::task::spawn_blocking(move || thread.join()).await.expect("joined").expect("it ended without a panic");
    }
}
