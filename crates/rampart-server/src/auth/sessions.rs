//! Browser sessions: a random id in an HttpOnly, Secure, SameSite=Lax cookie,
//! stored as a digest with its CSRF token and expiry. Lax rather than Strict
//! so that the redirect back from single sign-on arrives signed in; writes
//! are protected by the CSRF token instead.

use cookie::{Cookie, SameSite};

use super::caller::SESSION_COOKIE;
use super::secrets;
use crate::db::{Db, now_ms};

pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

pub async fn create(db: &Db, user_id: &str, hours: i64) -> Result<NewSession, sqlx::Error> {
    let token = secrets::random_token();
    let csrf_token = secrets::random_token();
    let now = now_ms();
    let expires_at = now + hours * 3_600_000;
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(secrets::digest(&token))
    .bind(user_id)
    .bind(&csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(&db.pool)
    .await?;
    // Expired sessions go now and then, by whichever replica signs someone in.
    sqlx::query("DELETE FROM sessions WHERE expires_at < $1").bind(now).execute(&db.pool).await?;
    Ok(NewSession { token, csrf_token, expires_at })
}

/// A cookie of ours: HttpOnly, SameSite=Lax, Secure unless the server is
/// told it is reached over plain HTTP; an empty value and no age clear it.
fn cookie(
    name: &'static str,
    value: &str,
    path: &'static str,
    secure: bool,
    max_age: cookie::time::Duration,
) -> String {
    Cookie::build((name, value.to_string()))
        .path(path)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Lax)
        .max_age(max_age)
        .build()
        .to_string()
}

pub fn set_cookie(token: &str, secure: bool, max_age_hours: i64) -> String {
    cookie(SESSION_COOKIE, token, "/", secure, cookie::time::Duration::hours(max_age_hours))
}

/// The cookie that ties a single sign-on to the browser that started it:
/// it holds the sign-in's `state`, which the callback must find in it as
/// well as in its URL. Without it, a callback URL made by someone else's
/// sign-in would sign this browser in as them (login CSRF). SameSite=Lax,
/// not Strict: the provider's redirect back is a navigation from its site.
pub const SSO_COOKIE: &str = "rampart_sso";
/// Where the browser sends it: the callback only.
const SSO_COOKIE_PATH: &str = "/api/v1/auth/oidc/callback";

pub fn set_sso_cookie(state: &str, secure: bool, max_age_ms: i64) -> String {
    cookie(SSO_COOKIE, state, SSO_COOKIE_PATH, secure, cookie::time::Duration::milliseconds(max_age_ms))
}

pub fn clear_sso_cookie(secure: bool) -> String {
    cookie(SSO_COOKIE, "", SSO_COOKIE_PATH, secure, cookie::time::Duration::ZERO)
}

pub fn clear_cookie(secure: bool) -> String {
    cookie(SESSION_COOKIE, "", "/", secure, cookie::time::Duration::ZERO)
}
