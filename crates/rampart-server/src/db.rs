//! The database: SQLite in the data directory by default, PostgreSQL when a
//! `postgres://` URL is given. Both are reached through sqlx's `Any` driver
//! with the same portable SQL, so every query is written once.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

/// The schema's migrations, applied in order at start-up and recorded in
/// `_sqlx_migrations`; on PostgreSQL an advisory lock lets only one replica
/// migrate at a time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub type Tx = sqlx::Transaction<'static, sqlx::Any>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections and which database is behind it.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    /// Where write transactions run: on SQLite a pool of one connection.
    writer: AnyPool,
    pub backend: Backend,
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
        // SQLite has one writer at a time. Left to SQLite, waiting writers
        // poll the lock with growing sleeps (busy_timeout), so under load a
        // few wait for seconds while newer ones get in; one pooled writer
        // connection queues them in order instead. PostgreSQL has row locks.
        let writer = match backend {
            Backend::Sqlite => connect_pool(&options, backend, 1).await?,
            Backend::Postgres => pool.clone(),
        };
        Ok(Db { pool, writer, backend })
    }

    /// Connects and brings the schema up to date.
    pub async fn open(url: &str, max_connections: u32) -> Result<Db, DbError> {
        let db = Db::connect(url, max_connections).await?;
        MIGRATOR.run(&db.pool).await.map_err(DbError::Migrate)?;
        Ok(db)
    }

    /// A transaction that will write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`): a transaction that reads first and writes
    /// later could otherwise fail with "database is locked" instead of waiting.
    pub async fn write(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.writer.begin().await,
        }
    }

    /// On SQLite, copies the write-ahead log into the database file every
    /// `interval` until `stopped`, from a reader connection (a PASSIVE
    /// checkpoint never waits for nor blocks the writer or readers). Pages
    /// still in the log are read with read() calls instead of from the
    /// memory-mapped file: left to the commits' threshold, a model saved and
    /// then only read was read from the log (15 % fewer reads a second).
    pub async fn checkpoint_every(self, interval: Duration, mut stopped: tokio::sync::watch::Receiver<bool>) {
        if self.backend != Backend::Sqlite {
            return;
        }
        loop {
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = stopped.wait_for(|stop| *stop) => return,
            }
            if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&self.pool).await {
                tracing::warn!(%error, "cannot checkpoint the write-ahead log");
            }
        }
    }
}

async fn connect_pool(options: &AnyConnectOptions, backend: Backend, max_connections: u32) -> Result<AnyPool, DbError> {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(30))
        // A PostgreSQL connection can be cut (a restart, a proxy's timeout),
        // so it is tested before use. An SQLite connection is a file opened
        // in this process: the test was only one more round trip to its
        // thread, at the head of every save's turn for the one writer.
        .test_before_acquire(backend == Backend::Postgres)
        .after_connect(move |connection, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run beside the one writer; NORMAL
                    // synchronisation keeps every committed transaction
                    // through a process crash (only a power cut can lose
                    // the last ones); writers wait for each other rather
                    // than failing at once. A larger page cache and
                    // memory-mapped reads keep a busy model's pages out
                    // of read() system calls (the default cache is 2 MB).
                    //
                    // The log is copied into the database file by the
                    // server every quarter second ([`Db::checkpoint_every`],
                    // which never holds up the writer), and by a commit
                    // itself only once the log holds 100,000 pages (400 MB;
                    // SQLite's default is 1,000). A save of a large model
                    // writes about 140 pages, mostly the same index pages
                    // from one save to the next; a checkpoint copies each
                    // page once however often it was written, and one run
                    // by a commit holds up every save queued behind it. At
                    // 10,000 pages that happened every half second, took
                    // up to 60 ms, and cost a fifth of the saves (50
                    // clients: 155-161 saves a second against 183-191).
                    // So the log file can reach 400 MB; it is then reused
                    // from its start, not grown. Cutting it back whenever it
                    // restarts (journal_size_limit) cost 6-8 % of saves.
                    connection
                        .execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 15000; \
                             PRAGMA cache_size = -32768; PRAGMA mmap_size = 268435456; \
                             PRAGMA wal_autocheckpoint = 100000;",
                        )
                        .await?;
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

    /// Every SQLite connection, the writer's and the readers', gets the
    /// settings the server's throughput was measured with.
    #[tokio::test]
    async fn sqlite_connections_log_ahead_and_checkpoint_late() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = Db::open(&sqlite_url(dir.path()), 4).await.expect("the database opens");
        for pool in [&db.pool, &db.writer] {
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(pool).await.expect("mode");
            assert_eq!(mode, "wal");
            let pages: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint").fetch_one(pool).await.expect("pages");
            assert_eq!(pages, 100_000);
            let synchronous: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(pool).await.expect("sync");
            assert_eq!(synchronous, 1, "NORMAL");
        }
    }
}
