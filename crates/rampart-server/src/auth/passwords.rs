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

/// Why a new password is refused, if it is.
pub fn weakness(password: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(format!("a password needs at least {MIN_PASSWORD_CHARS} characters"));
    }
    None
}
