//! Password hashing with argon2id (the crate's defaults: 19 MiB, 2 passes),
//! and the account lockout after repeated failures.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

/// Failed logins in a row that lock an account...
pub const LOCKOUT_THRESHOLD: i64 = 5;
/// ...for this long.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;
pub const MIN_PASSWORD_CHARS: usize = 12;

pub fn hash(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| format!("cannot hash the password: {error}"))
}

pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// A hash of nothing in particular, verified when the user does not exist so
/// that a login takes as long for an unknown name as for a wrong password.
pub fn dummy_verify(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let stored = DUMMY.get_or_init(|| hash("not a real password at all").unwrap_or_default());
    let _ = verify(password, stored);
}

/// Password checks and hashes running at once, at most: each takes
/// argon2's 19 MiB and tens of milliseconds of a core. Off the request
/// threads, but not without bound: a flood of sign-ins would otherwise
/// start a blocking thread (and 19 MiB) for each. The others wait in turn.
static AT_ONCE: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
});

/// Runs `work` (argon2) on a blocking thread when its turn comes.
pub async fn in_turn<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    let _turn = AT_ONCE.acquire().await.map_err(|error| error.to_string())?;
    tokio::task::spawn_blocking(work).await.map_err(|error| error.to_string())
}

/// Why a new password is refused, if it is.
pub fn weakness(password: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(format!("a password needs at least {MIN_PASSWORD_CHARS} characters"));
    }
    None
}

#[cfg(test)]
mod turn_tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// However many sign-ins arrive together, only as many argon2 runs as
    /// there are cores go at once; every one of them is done in the end.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn password_work_runs_a_few_at_a_time() {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tasks: Vec<_> = (0..cores * 4)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::spawn(super::in_turn(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(20));
                    running.fetch_sub(1, Ordering::SeqCst);
                }))
            })
            .collect();
        for task in tasks {
            task.await.expect("joined").expect("ran");
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most >= 1 && most <= cores, "{most} at once with {cores} cores");
    }
}
