//! Where CPU-bound work runs: reading, analysing and rendering models.
//!
//! Such work waits for one of a few slots (one per core), then runs from
//! start to end on one of the server's analysis threads. An analysis thread
//! runs one piece of work at a time, at a lower priority than the threads
//! serving requests, and keeps its own single-threaded rayon pool so that
//! the core's parallel steps stay on it when other analyses run too.
//!
//! Why a thread of its own rather than tokio's blocking threads and a pool
//! of rayon threads: a save's model, facts and analysis were allocated on
//! rayon's threads and freed on the blocking thread. Memory freed by another
//! thread goes back to the allocating thread through a shared list that it
//! must later walk block by block, cold in its cache: under 50 clients
//! saving a 200-component model on PostgreSQL, mimalloc's malloc and the
//! collection of those lists took a third of the server's CPU. With work
//! allocated and freed on one thread, the server's CPU per save went from
//! 6.2-7.8 ms to 5.1-5.6 ms in alternated runs on the 2-core test machine.

use std::sync::mpsc;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;

/// Analyses run at most one per core at a time, the others waiting their
/// turn in order. Fifty concurrent saves of a large model would otherwise all
/// run at once, each taking fifty times as long and holding its memory
/// meanwhile, and finish in no particular order.
static SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| Arc::new(Semaphore::new(*CORES)));

static CORES: LazyLock<usize> =
    LazyLock::new(|| std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get));

/// Where work taken alone spreads its parallel steps: every core. (The
/// analysis threads are workers of their own pools, so rayon's global pool
/// is not what they would reach.)
static ALL_CORES: LazyLock<Option<rayon::ThreadPool>> = LazyLock::new(|| {
    rayon::ThreadPoolBuilder::new().num_threads(*CORES).thread_name(|i| format!("rampart-parallel-{i}")).build().ok()
});

/// Analysis threads waiting for work, each reached by its channel.
static IDLE: LazyLock<Mutex<Vec<mpsc::Sender<Work>>>> = LazyLock::new(|| Mutex::new(Vec::new()));

/// How many analysis threads may wait for work; more end when done. A save
/// holds its thread until it has stored its version (the thread serves the
/// threats' details meanwhile), so there are about as many as saves in flight.
const MAX_IDLE: usize = 64;

type Work = Box<dyn FnOnce() + Send>;

/// A turn to use the CPU; dropping it lets the next piece of work in.
pub struct CpuSlot {
    _permit: OwnedSemaphorePermit,
    /// No other slot was taken when this one was.
    alone: bool,
}

impl CpuSlot {
    async fn take() -> Result<CpuSlot, ApiError> {
        let permit = SLOTS
            .clone()
            .acquire_owned()
            .await
            .map_err(|error| ApiError::internal("the analysis queue closed", error))?;
        let alone = SLOTS.available_permits() + 1 >= *CORES;
        Ok(CpuSlot { _permit: permit, alone })
    }

    /// Runs `work`, which may use rayon: on every core when this is the only
    /// work holding a slot, on the calling analysis thread alone otherwise
    /// (with every core busy, spreading only adds hand-offs between threads).
    pub fn install<R: Send>(&self, work: impl FnOnce() -> R + Send) -> R {
        match &*ALL_CORES {
            Some(pool) if self.alone => pool.install(work),
            _ => work(),
        }
    }
}

/// Runs `work` on an analysis thread once a slot is free, and returns its result.
pub async fn run_cpu<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
    let slot = CpuSlot::take().await?;
    let (sender, result) = tokio::sync::oneshot::channel();
    start(Box::new(move || {
        let _ = sender.send(slot.install(work));
    }))?;
    result.await.map_err(|_| ApiError::internal("the analysis failed", "its thread ended without a result"))
}

/// Starts `work` on an analysis thread once a slot is free, and returns at
/// once. For work that outlives its CPU-heavy part: `work` drops the slot
/// when it has done that part, and may then wait on its thread.
pub async fn spawn_cpu(work: impl FnOnce(CpuSlot) + Send + 'static) -> Result<(), ApiError> {
    let slot = CpuSlot::take().await?;
    start(Box::new(move || work(slot)))
}

/// Hands `work` to an idle analysis thread, or to a new one.
fn start(work: Work) -> Result<(), ApiError> {
    let idle = IDLE.lock().unwrap_or_else(PoisonError::into_inner).pop();
    // A listed thread only ends if it died; its work then goes to a new one.
    let work = match idle {
        Some(thread) => match thread.send(work) {
            Ok(()) => return Ok(()),
            Err(mpsc::SendError(work)) => work,
        },
        None => work,
    };
    let (sender, inbox) = mpsc::channel::<Work>();
    sender.send(work).map_err(|_| ApiError::internal("cannot start an analysis thread", "channel closed"))?;
    std::thread::Builder::new()
        .name("rampart-analysis".into())
        .spawn(move || analysis_thread(&sender, &inbox))
        .map_err(|error| ApiError::internal("cannot start an analysis thread", error))?;
    Ok(())
}

/// An analysis thread's life: work as it comes, then back on the idle list.
fn analysis_thread(me: &mpsc::Sender<Work>, inbox: &mpsc::Receiver<Work>) {
    yield_to_requests();
    // The thread is this pool's one worker: the core's parallel steps run
    // here, in order, rather than on threads that would free what it allocated.
    let own = rayon::ThreadPoolBuilder::new().num_threads(1).use_current_thread().build();
    if let Err(error) = &own {
        tracing::debug!(%error, "no rayon pool of its own for an analysis thread");
    }
    while let Ok(work) = inbox.recv() {
        // A panic is the request's failure (its result channel closes), not the thread's.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).is_err() {
            tracing::error!("an analysis panicked");
        }
        let mut idle = IDLE.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() >= MAX_IDLE {
            return;
        }
        idle.push(me.clone());
    }
}

/// Lowers the calling thread's scheduling priority (nice 10), for the threads
/// analyses run on. Those keep every core busy under load, and the threads
/// they then share the cores with are the ones every save waits for: the
/// request handlers and SQLite's, which run a save's transaction while all
/// other saves of the model queue behind it. At equal priority those waited
/// for a time slice at each step; yielding to them raised 50 clients' saves
/// of a 200-component model from 180-189 to about 200 a second. A thread may
/// always lower its own priority; it is not raised back, as that needs a
/// privilege a service may lack.
fn yield_to_requests() {
    // SAFETY: gettid and setpriority act on the calling thread only, with
    // plain integer arguments.
    let failed = unsafe {
        let thread = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, thread as libc::id_t, 10) != 0
    };
    if failed {
        tracing::debug!(error = %std::io::Error::last_os_error(), "cannot lower an analysis thread's priority");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn priority() -> i32 {
        // SAFETY: reads the calling thread's nice value.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
    }

    /// Work runs on an analysis thread, which gives way to request handlers
    /// and SQLite's thread; the caller keeps its priority. (Taken while
    /// other work holds a slot: work alone spreads over the parallel pool.)
    #[tokio::test]
    async fn work_runs_on_an_analysis_thread_at_a_lower_priority() {
        let before = priority();
        let slot = CpuSlot { _permit: Arc::new(Semaphore::new(1)).try_acquire_owned().expect("free"), alone: false };
        let (sender, result) = tokio::sync::oneshot::channel();
        start(Box::new(move || {
            let _ = sender.send(slot.install(|| (priority(), std::thread::current().name().map(str::to_string))));
        }))
        .expect("starts");
        let (inside, name) = result.await.expect("runs");
        assert_eq!(inside, (before + 10).min(19), "the analysis thread's nice value");
        assert_eq!(name.as_deref(), Some("rampart-analysis"));
        assert_eq!(priority(), before, "the caller's priority is left alone");
    }

    /// Parallel steps of work that shares the CPU stay on its thread.
    #[tokio::test]
    async fn parallel_steps_stay_on_the_thread_when_others_run() {
        let slot = CpuSlot { _permit: Arc::new(Semaphore::new(1)).try_acquire_owned().expect("free"), alone: false };
        let (sender, result) = tokio::sync::oneshot::channel();
        start(Box::new(move || {
            let all_here = slot.install(|| {
                use rayon::prelude::*;
                let here = std::thread::current().id();
                (0..64).into_par_iter().all(|_| std::thread::current().id() == here)
            });
            let _ = sender.send(all_here);
        }))
        .expect("starts");
        assert!(result.await.expect("runs"), "every step ran on the analysis thread");
    }

    /// A panic fails that work only: the next work runs.
    #[tokio::test]
    async fn a_panic_fails_only_its_work() {
        let failed = run_cpu(|| -> u8 { panic!("a bug in an analysis") }).await;
        assert!(failed.is_err());
        assert_eq!(run_cpu(|| 7).await.expect("runs"), 7);
    }
}
