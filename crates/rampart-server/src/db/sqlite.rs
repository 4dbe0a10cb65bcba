//! What SQLite needs beyond the portable SQL: its connection settings, its
//! one writer connection and the turns for it, and the upkeep of its
//! write-ahead log (checkpoints, and writing the log and the database file
//! back to disk ahead of them).
//!
//! Under a sustained stream of saves of a large model the log grows by
//! about 150 pages (600 KB) a save. Two costs follow, and both fall on the one writer every
//! queued save waits for: copying the log into the database (a checkpoint),
//! and the fsync calls a checkpoint makes, whose time grows with the data
//! the kernel has not yet written back. The upkeep here keeps both off the
//! writer's path as far as SQLite allows.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Executor};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

/// How often the log is copied into the database file, from a reader
/// connection: often enough that a commit seldom has to (see [`configure`]).
pub const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(250);

/// Log frames past which the writer's connection finishes a checkpoint
/// between two transactions, so that the next one starts the log again from
/// its beginning (about 200 MB of log). Without it the log is restarted only
/// by a commit's own checkpoint at 100,000 frames, which took 40-70 ms
/// inside a save every other queued save waits for; this pass, just after
/// the reader's, has a few hundred frames left to copy and took 12-28 ms,
/// between two saves.
pub const RESTART_FRAMES: i64 = 50_000;

/// How often the database file and its log are written back to disk
/// ([`write_back_every`]).
pub const WRITE_BACK_INTERVAL: Duration = Duration::from_millis(20);

/// Which connection is being set up.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Reader,
    Writer,
}

/// The settings of every SQLite connection.
pub async fn configure(connection: &mut AnyConnection, role: Role) -> Result<(), sqlx::Error> {
    // WAL lets readers run beside the one writer; NORMAL synchronisation
    // keeps every committed transaction through a process crash (only a
    // power cut can lose the last ones); writers wait for each other rather
    // than failing at once. A larger page cache keeps a busy model's pages
    // out of read() calls (the default cache is 2 MB).
    //
    // No memory-mapped reads: the checkpoints write into the database file
    // while it is mapped, and the kernel then write-protects the mapped
    // pages and flushes other cores' TLBs. 50 clients saving a
    // 200-component model: 240 saves a second unmapped against 234 mapped,
    // with reads of threats the same (2,645 against 2,706 a second, within
    // the runs' spread).
    //
    // The log is copied into the database file by the server every quarter
    // second ([`checkpoint_every`], which never holds up the writer), and by a
    // commit itself only past 100,000 pages (400 MB; SQLite's default is
    // 1,000), which the server's own restart keeps it below. A checkpoint
    // copies each page once however often it was written, and one run by a
    // commit holds up every save queued behind it: at 10,000 pages that
    // happened every half second, took up to 60 ms, and cost a fifth of the
    // saves. Cutting the file back whenever it restarts (journal_size_limit)
    // cost 6-8 % of saves.
    connection
        .execute(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 15000; \
             PRAGMA cache_size = -32768; PRAGMA mmap_size = 0; \
             PRAGMA wal_autocheckpoint = 100000;",
        )
        .await?;
    if role == Role::Writer {
        // A statement that changes many rows inside a transaction (closing
        // a save's changed threats, inserting their new rows) keeps a
        // journal of its own, to undo just that statement if it fails. In a
        // file, that was a write and a truncation per statement, inside
        // every save: +3-4 % of saves in memory. Readers keep the default,
        // so that a large sort can still spill to disk.
        connection.execute("PRAGMA temp_store = MEMORY").await?;
    }
    Ok(())
}

/// The one writer connection, taken in turn. SQLite lets one transaction
/// write at a time; left to SQLite, waiting writers poll the lock with
/// growing sleeps (busy_timeout), so under load a few wait for seconds while
/// newer ones get in. Here they queue in order (tokio's mutexes are fair).
///
/// Transactions queue for a turn and then take the connection; the
/// checkpointer takes the connection without a turn, so it goes between
/// the transaction that holds it and the next ([`Writer::finish_checkpoint`]).
///
/// It is a connection behind a mutex rather than a pool of one because a
/// pool pings a connection each time it is given back and hands it on from a
/// task of its own: one more trip to SQLite's thread and one more task
/// between two saves. A transaction is begun and ended with plain statements
/// for the same reason: sqlx's begin waits for an acknowledgement and then
/// locks the connection once more.
#[derive(Clone, Debug)]
pub struct Writer {
    turns: Arc<Mutex<()>>,
    connection: Arc<Mutex<WriterConnection>>,
    /// Counts commits and checkpoints that copied pages: what there may be
    /// to write back ([`write_back_every`]).
    pub written: Arc<AtomicU64>,
}

struct WriterConnection {
    connection: AnyConnection,
    options: AnyConnectOptions,
    /// A transaction was begun and is not yet committed or rolled back: a
    /// dropped [`Transaction`] left it, and whoever takes the connection
    /// next rolls it back first.
    open: bool,
}

impl std::fmt::Debug for WriterConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriterConnection").field("open", &self.open).finish_non_exhaustive()
    }
}

impl Writer {
    pub async fn connect(options: AnyConnectOptions) -> Result<Writer, sqlx::Error> {
        let mut connection = options.connect().await?;
        configure(&mut connection, Role::Writer).await?;
        Ok(Writer {
            turns: Arc::new(Mutex::new(())),
            connection: Arc::new(Mutex::new(WriterConnection { connection, options, open: false })),
            written: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Waits for a turn, then begins a write transaction (`BEGIN IMMEDIATE`).
    pub async fn begin(&self) -> Result<Transaction, sqlx::Error> {
        self.begin_within(super::WAIT_FOR_CONNECTION).await
    }

    /// [`Self::begin`], giving up after waiting `patience` for the turn: as
    /// PostgreSQL's pool does for a connection, with the error the API
    /// answers `503 busy`, rather than queueing a request without end.
    pub async fn begin_within(&self, patience: Duration) -> Result<Transaction, sqlx::Error> {
        let turn = tokio::time::timeout(patience, self.turns.clone().lock_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?;
        let mut connection = self.connection.clone().lock_owned().await;
        connection.begin().await?;
        Ok(Transaction { connection, mutex: self.connection.clone(), written: self.written.clone(), _turn: turn })
    }

    /// Checkpoints on the writer's connection, between two transactions:
    /// with no frame added meanwhile, it copies the whole log, and the next
    /// transaction then starts the log again from its beginning (unless a
    /// reader still reads an older snapshot; then a later pass does).
    /// Returns the frames left in the log and those copied.
    pub async fn finish_checkpoint(&self) -> Result<(i64, i64), sqlx::Error> {
        let mut writer = self.connection.lock().await;
        writer.settle().await;
        let (_, frames, copied): (i64, i64, i64) =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&mut writer.connection).await?;
        Ok((frames, copied))
    }
}

impl WriterConnection {
    /// Rolls back what a dropped transaction left open. A failure leaves
    /// the connection to [`Self::begin`], which replaces it if it is broken.
    async fn settle(&mut self) {
        if self.open {
            if let Err(error) = self.connection.execute("ROLLBACK").await {
                tracing::warn!(%error, "cannot roll back an abandoned write transaction");
            }
            self.open = false;
        }
    }

    /// Begins a transaction; if the connection is broken (its thread ended,
    /// or a failed rollback left it inside a transaction), opens it again
    /// once. Waiting for another process's lock past busy_timeout is not a
    /// broken connection: that error is returned as it is.
    async fn begin(&mut self) -> Result<(), sqlx::Error> {
        self.settle().await;
        if let Err(error) = self.connection.execute("BEGIN IMMEDIATE").await {
            if is_busy(&error) {
                return Err(error);
            }
            tracing::warn!(%error, "the SQLite writer connection failed; opening it again");
            self.connection = self.options.connect().await?;
            configure(&mut self.connection, Role::Writer).await?;
            self.connection.execute("BEGIN IMMEDIATE").await?;
        }
        self.open = true;
        Ok(())
    }
}

/// SQLITE_BUSY or SQLITE_LOCKED, in any of their extended codes.
fn is_busy(error: &sqlx::Error) -> bool {
    let code = error.as_database_error().and_then(|error| error.code()).and_then(|code| code.parse::<i64>().ok());
    matches!(code.map(|code| code & 0xff), Some(5 | 6))
}

/// A write transaction on the writer connection, holding the turn until it ends.
pub struct Transaction {
    connection: OwnedMutexGuard<WriterConnection>,
    mutex: Arc<Mutex<WriterConnection>>,
    written: Arc<AtomicU64>,
    _turn: OwnedMutexGuard<()>,
}

impl Transaction {
    pub fn connection(&self) -> &AnyConnection {
        &self.connection.connection
    }

    pub fn connection_mut(&mut self) -> &mut AnyConnection {
        &mut self.connection.connection
    }

    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        // A failed COMMIT leaves `open` set, and the drop rolls back.
        self.connection.connection.execute("COMMIT").await?;
        self.connection.open = false;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        self.connection.connection.execute("ROLLBACK").await?;
        self.connection.open = false;
        Ok(())
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        // Not committed (an error, or the request was dropped): the next
        // transaction rolls this one back before it begins; this task does
        // it when none waits, so that SQLite's write lock is not kept.
        if self.connection.open
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let mutex = self.mutex.clone();
            runtime.spawn(async move { mutex.lock().await.settle().await });
        }
    }
}

/// Copies the log into the database file every `interval` until `stopped`,
/// from a reader connection: a PASSIVE checkpoint never waits for nor blocks
/// the writer or readers. When the log still holds `restart_frames` or more
/// after it, the writer's connection finishes the copy between two
/// transactions ([`Writer::finish_checkpoint`]).
pub async fn checkpoint_every(
    pool: AnyPool,
    writer: Writer,
    interval: Duration,
    restart_frames: i64,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        if let Err(error) = checkpoint_once(&pool, &writer, restart_frames).await {
            tracing::warn!(%error, "cannot checkpoint the write-ahead log");
        }
    }
}

/// One pass of [`checkpoint_every`]; returns the frames left in the log.
pub async fn checkpoint_once(pool: &AnyPool, writer: &Writer, restart_frames: i64) -> Result<i64, sqlx::Error> {
    let (_, frames, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(pool).await?;
    if copied > 0 {
        writer.written.fetch_add(1, Ordering::Relaxed);
    }
    if frames < restart_frames {
        return Ok(frames);
    }
    let (frames, copied) = writer.finish_checkpoint().await?;
    if copied > 0 {
        writer.written.fetch_add(1, Ordering::Relaxed);
    }
    tracing::debug!(frames, copied, "checkpointed the log between two transactions");
    Ok(frames)
}

/// Starts a thread that writes the database file and its log back to disk
/// (fdatasync) every `interval` when `written` moved since it last did,
/// until `stopped`. Returns the thread and the count of its passes that
/// wrote.
///
/// Each checkpoint calls fsync on the log and then on the database file,
/// and a checkpoint that holds up the writer is only as quick as those.
/// Left to the kernel, written pages stay in memory for up to 30 seconds, so
/// a checkpoint found tens of megabytes to write, much of it scattered pages
/// of the database file (random 4 KB writes reach disk at about 300 MB/s
/// here: 16 MB took 35-55 ms). Written back every 20 ms, little is left for
/// it. 50 clients saving a 200-component model: p99 246-260 ms against
/// 285-320 ms, at the same rate of saves; every 50 or 100 ms did less well.
/// The data goes to disk once either way; only the moment changes. An idle
/// server syncs nothing (an fdatasync of an unchanged file can still flush
/// the disk's cache).
pub fn write_back_every(
    database: PathBuf,
    written: Arc<AtomicU64>,
    interval: Duration,
    stopped: watch::Receiver<bool>,
) -> std::io::Result<(std::thread::JoinHandle<()>, Arc<AtomicU64>)> {
    let mut log = database.clone().into_os_string();
    log.push("-wal");
    let files = [database, PathBuf::from(log)];
    let passes = Arc::new(AtomicU64::new(0));
    let counted = passes.clone();
    let thread = std::thread::Builder::new().name("rampart-write-back".into()).spawn(move || {
        // Each file is opened once and never closed. Closing any descriptor
        // of a file drops every POSIX lock this process holds on it, the
        // SQLite connections' included: another process (`rampart admin`
        // while the server runs) then took the database as unused, and
        // checkpointed and removed the log under the server, which read it
        // short (SQLITE_IOERR_SHORT_READ) or worse. See "How To Corrupt An
        // SQLite Database File", 2.2. The log exists while the server's
        // writer connection is open; a file missing at first is opened later.
        let mut open: Vec<Option<std::fs::File>> = files.iter().map(|_| None).collect();
        let mut synced = written.load(Ordering::Relaxed);
        // Ends when the server stops, or when it is gone (the sender dropped).
        while !*stopped.borrow() && stopped.has_changed().is_ok() {
            let now = written.load(Ordering::Relaxed);
            if now != synced {
                synced = now;
                for (path, file) in files.iter().zip(open.iter_mut()) {
                    if file.is_none() {
                        *file = std::fs::File::open(path).ok();
                    }
                    if let Some(file) = file
                        && let Err(error) = file.sync_data()
                    {
                        tracing::debug!(%error, "cannot write the database back to disk");
                    }
                }
                counted.fetch_add(1, Ordering::Relaxed);
            }
            std::thread::sleep(interval);
        }
        // Not closed even now: requests may still be finishing on the
        // connections, whose locks a close would drop. The process ends soon.
        std::mem::forget(open);
    })?;
    Ok((thread, passes))
}
