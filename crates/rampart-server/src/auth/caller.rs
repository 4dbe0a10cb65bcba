//! The `Caller` extractor: every endpoint but login and health takes one, so
//! a request without valid credentials never reaches a handler.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use sqlx::Row;

use super::roles::Role;
use super::secrets;
use crate::db::now_ms;
use crate::error::ApiError;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "rampart_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Personal tokens are stored with their last use at most this often, so
/// reads by CI do not turn into a write each.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

#[derive(Clone, Debug)]
pub enum CallerKind {
    Session,
    /// A personal token: acts as its user, with at most `cap`.
    PersonalToken {
        token_id: String,
        cap: Role,
    },
    /// A project token: acts on one project only, with `role`.
    ProjectToken {
        token_id: String,
        project_id: String,
        role: Role,
    },
}

#[derive(Clone, Debug)]
pub struct Caller {
    /// The user, or for a project token the user who created it.
    pub user_id: String,
    pub org_id: String,
    /// Who, as the audit log shows it: a username, or `token:NAME`.
    pub label: String,
    pub is_org_admin: bool,
    pub kind: CallerKind,
    pub remote_addr: String,
}

impl Caller {
    /// Whether the caller may act as an organisation administrator.
    pub fn org_admin(&self) -> bool {
        match &self.kind {
            CallerKind::Session => self.is_org_admin,
            CallerKind::PersonalToken { cap, .. } => self.is_org_admin && *cap == Role::Admin,
            CallerKind::ProjectToken { .. } => false,
        }
    }

    pub fn require_org_admin(&self) -> Result<(), ApiError> {
        if self.org_admin() { Ok(()) } else { Err(ApiError::forbidden("this needs an organisation administrator")) }
    }

    /// Only a person signed in (not a token) may manage tokens and sessions.
    pub fn require_session(&self) -> Result<(), ApiError> {
        match self.kind {
            CallerKind::Session => Ok(()),
            _ => Err(ApiError::forbidden("API tokens cannot do this; sign in as a user")),
        }
    }
}

/// The client's address: the socket's, or the first `X-Forwarded-For` hop
/// when the server is configured to trust its proxy.
pub fn remote_addr(parts: &Parts, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(forwarded) = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok())
        && let Some(first) = forwarded.split(',').next()
    {
        return first.trim().to_string();
    }
    parts
        .extensions
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie_named(headers, SESSION_COOKIE)
}

/// The value of the request's cookie `name`, if it sent one.
pub fn cookie_named(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_string())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let remote = remote_addr(parts, state.config.trust_proxy);
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")));
        if let Some(token) = bearer {
            return from_token(state, token.trim(), remote).await;
        }
        let Some(session) = session_cookie(&parts.headers) else {
            return Err(ApiError::unauthorized(
                "sign in first: send the session cookie from POST /api/v1/auth/login, or `Authorization: Bearer TOKEN`",
            ));
        };
        let row = sqlx::query(
            "SELECT s.csrf_token, u.id, u.org_id, u.username, u.is_org_admin, u.disabled FROM sessions s \
             JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2",
        )
        .bind(secrets::digest(&session))
        .bind(now_ms())
        .fetch_optional(&state.db.pool)
        .await?;
        let Some(row) = row else {
            return Err(ApiError::unauthorized("the session has expired or was ended; sign in again"));
        };
        if row.try_get::<i64, _>("disabled")? != 0 {
            return Err(ApiError::unauthorized("this account is disabled"));
        }
        // Cookies are sent by the browser whoever asks, so a write must also
        // carry the session's CSRF token, which only our own pages can read.
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let expected: String = row.try_get("csrf_token")?;
            let given = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !secrets::same_secret(given, &expected) {
                return Err(ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "csrf",
                    "a write with a session cookie needs the X-CSRF-Token header from GET /api/v1/auth/session",
                ));
            }
        }
        Ok(Caller {
            user_id: row.try_get("id")?,
            org_id: row.try_get("org_id")?,
            label: row.try_get("username")?,
            is_org_admin: row.try_get::<i64, _>("is_org_admin")? != 0,
            kind: CallerKind::Session,
            remote_addr: remote,
        })
    }
}

async fn from_token(state: &AppState, token: &str, remote: String) -> Result<Caller, ApiError> {
    let now = now_ms();
    let row = sqlx::query(
        "SELECT t.id, t.org_id, t.name, t.user_id, t.project_id, t.role, t.created_by, t.expires_at, t.revoked_at, \
         t.last_used_at, u.is_org_admin, u.disabled, u.username FROM api_tokens t \
         JOIN users u ON u.id = COALESCE(t.user_id, t.created_by) WHERE t.token_hash = $1",
    )
    .bind(secrets::digest(token))
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(row) = row else {
        return Err(ApiError::unauthorized("unknown API token"));
    };
    if row.try_get::<Option<i64>, _>("revoked_at")?.is_some() {
        return Err(ApiError::unauthorized("this API token was revoked"));
    }
    if row.try_get::<Option<i64>, _>("expires_at")?.is_some_and(|expires| expires <= now) {
        return Err(ApiError::unauthorized("this API token has expired"));
    }
    let token_id: String = row.try_get("id")?;
    let role = Role::parse(&row.try_get::<String, _>("role")?).unwrap_or(Role::Viewer);
    let user_id: Option<String> = row.try_get("user_id")?;
    let project_id: Option<String> = row.try_get("project_id")?;
    if user_id.is_some() && row.try_get::<i64, _>("disabled")? != 0 {
        return Err(ApiError::unauthorized("the account of this token is disabled"));
    }
    let last_used: Option<i64> = row.try_get("last_used_at")?;
    if last_used.is_none_or(|at| now - at > LAST_USED_GRANULARITY_MS) {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&token_id)
            .execute(&state.db.pool)
            .await?;
    }
    let name: String = row.try_get("name")?;
    let kind = match project_id {
        Some(project_id) => CallerKind::ProjectToken { token_id, project_id, role },
        None => CallerKind::PersonalToken { token_id, cap: role },
    };
    let label = match &kind {
        CallerKind::ProjectToken { .. } => format!("token:{name}"),
        _ => format!("{} (token:{name})", row.try_get::<String, _>("username")?),
    };
    Ok(Caller {
        user_id: match user_id {
            Some(id) => id,
            None => row.try_get("created_by")?,
        },
        org_id: row.try_get("org_id")?,
        label,
        is_org_admin: row.try_get::<i64, _>("is_org_admin")? != 0,
        kind,
        remote_addr: remote,
    })
}

/// The client's address, for handlers that record it without a signed-in caller (sign-in itself).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ClientAddr, Self::Rejection> {
        Ok(ClientAddr(remote_addr(parts, state.config.trust_proxy)))
    }
}
