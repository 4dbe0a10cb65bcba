//! Signing in and out (password or single sign-on), the current session,
//! and personal API tokens.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;

use super::common::{Body, Page, PageQuery, Path, Query, text_field};
use super::registry::Api;
use crate::audit;
use crate::auth::caller::{ClientAddr, cookie_named, session_cookie};
use crate::auth::{Caller, CallerKind, Role, passwords, secrets, sessions};
use crate::db::{new_id, now_ms, timestamp};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn register(api: &mut Api) {
    api.post("/api/v1/auth/login", "login", "Sign in with a username and password")
        .tag("auth")
        .public()
        .describe(
            "Sets the session cookie (HttpOnly, Secure, SameSite=Lax) and returns the CSRF token that \
             every write with the cookie must send as X-CSRF-Token. Five failures in a row lock the \
             account for 15 minutes; a locked account is answered as a wrong password is, so that the \
             answer tells a stranger nothing.",
        )
        .request::<LoginRequest>()
        .response::<SessionInfo>()
        .error(401, "Wrong username or password, or a locked or disabled account")
        .add(login);
    api.get("/api/v1/auth/methods", "getSignInMethods", "How one can sign in here: password, single sign-on")
        .tag("auth")
        .public()
        .response::<SignInMethods>()
        .add(methods);
    api.post("/api/v1/auth/logout", "logout", "End the session").tag("auth").status(204).add(logout);
    api.put("/api/v1/auth/password", "changePassword", "Change your own password")
        .tag("auth")
        .describe(
            "Needs the current password, and a session (an API token cannot change it). Ends your other \
             sessions; this one and your API tokens keep working. A wrong current password counts towards \
             the lockout as a failed sign-in does.",
        )
        .request::<PasswordChange>()
        .status(204)
        .error(403, "The current password is wrong, or the request came with an API token")
        .error(409, "The account signs in through single sign-on and has no password")
        .add(change_password);
    api.get("/api/v1/auth/session", "getSession", "Who is signed in, their roles and the CSRF token")
        .tag("auth")
        .response::<SessionInfo>()
        .add(session);
    api.get("/api/v1/auth/oidc/login", "oidcLogin", "Start single sign-on (redirects to the identity provider)")
        .tag("auth")
        .public()
        .query::<OidcLoginQuery>()
        .status(302)
        .error(404, "Single sign-on is not configured")
        .add(oidc_login);
    api.get("/api/v1/auth/oidc/callback", "oidcCallback", "Where the identity provider sends the user back")
        .tag("auth")
        .public()
        .query::<OidcCallbackQuery>()
        .status(302)
        .error(401, "The sign-in was refused or failed")
        .error(404, "Single sign-on is not configured")
        .add(oidc_callback);
    api.get("/api/v1/tokens", "listTokens", "Your personal API tokens")
        .tag("tokens")
        .query::<PageQuery>()
        .response::<Page<TokenInfo>>()
        .add(list_tokens);
    api.post("/api/v1/tokens", "createToken", "Create a personal API token (shown once)")
        .tag("tokens")
        .status(201)
        .request::<NewToken>()
        .response::<CreatedToken>()
        .add(create_token);
    api.delete("/api/v1/tokens/{token}", "revokeToken", "Revoke a personal API token")
        .tag("tokens")
        .status(204)
        .add(revoke_token);
}

#[derive(Serialize, JsonSchema)]
pub struct SignInMethods {
    /// Local accounts with a password.
    pub password: bool,
    /// Single sign-on, when an OpenID provider is configured.
    pub oidc: Option<SingleSignOn>,
}

#[derive(Serialize, JsonSchema)]
pub struct SingleSignOn {
    /// Open this in the browser (add `?return_to=/path`) to sign in at the identity provider.
    pub login_url: String,
}

async fn methods(State(state): State<AppState>) -> axum::Json<SignInMethods> {
    axum::Json(SignInMethods {
        password: true,
        oidc: state.oidc.as_ref().map(|_| SingleSignOn { login_url: "/api/v1/auth/oidc/login".to_string() }),
    })
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, JsonSchema)]
pub struct UserInfo {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub organisation_id: String,
    pub is_org_admin: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct Grant {
    /// `business-unit` or `project`.
    pub scope_kind: String,
    pub scope_id: String,
    pub role: Role,
}

#[derive(Serialize, JsonSchema)]
pub struct SessionInfo {
    pub user: UserInfo,
    pub grants: Vec<Grant>,
    /// Send as `X-CSRF-Token` on every write made with the session cookie.
    pub csrf_token: Option<String>,
    /// How the caller is authenticated: `session`, `personal-token` or `project-token`.
    pub via: String,
}

async fn user_info(state: &AppState, user_id: &str) -> ApiResult<UserInfo> {
    let row = sqlx::query("SELECT id, username, display_name, email, org_id, is_org_admin FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(&state.db.pool)
        .await?;
    Ok(UserInfo {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        email: row.try_get("email")?,
        organisation_id: row.try_get("org_id")?,
        is_org_admin: row.try_get::<i64, _>("is_org_admin")? != 0,
    })
}

async fn grants(state: &AppState, user_id: &str) -> ApiResult<Vec<Grant>> {
    let rows = sqlx::query(
        "SELECT scope_kind, scope_id, role FROM role_grants WHERE user_id = $1 ORDER BY scope_kind, scope_id",
    )
    .bind(user_id)
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Grant {
                scope_kind: row.try_get("scope_kind")?,
                scope_id: row.try_get("scope_id")?,
                role: Role::parse(&row.try_get::<String, _>("role")?).unwrap_or(Role::Viewer),
            })
        })
        .collect()
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(remote): ClientAddr,
    Body(request): Body<LoginRequest>,
) -> ApiResult<Response> {
    // One answer for an unknown name, a wrong password, a disabled account
    // and a locked one, given after the same work (an argon2 check): none
    // tells a stranger that an account exists, or that a guess was right.
    let refused = || {
        ApiError::unauthorized(
            "wrong username or password (after five failed sign-ins in a row, an account is locked for 15 minutes)",
        )
    };
    let row = sqlx::query(
        "SELECT id, org_id, password_hash, failed_logins, locked_until, disabled FROM users WHERE username = $1",
    )
    .bind(request.username.trim())
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(row) = row else {
        check_password(None, request.password).await?;
        return Err(refused());
    };
    let user_id: String = row.try_get("id")?;
    let org_id: String = row.try_get("org_id")?;
    let now = now_ms();
    if row.try_get::<Option<i64>, _>("locked_until")?.is_some_and(|until| until > now) {
        check_password(None, request.password).await?;
        return Err(refused());
    }
    let verified = check_password(row.try_get("password_hash")?, request.password.clone()).await?;
    let mut tx = state.db.write().await?;
    if !verified || row.try_get::<i64, _>("disabled")? != 0 {
        count_failure(&mut tx, &org_id, &user_id, &request.username, &remote).await?;
        tx.commit().await?;
        return Err(refused());
    }
    // Only if no guess made at the same time has locked the account since it was read.
    let unlocked = sqlx::query(
        "UPDATE users SET failed_logins = 0, locked_until = NULL \
         WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2)",
    )
    .bind(&user_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if unlocked.rows_affected() == 0 {
        return Err(refused());
    }
    audit::record_as(
        &mut tx,
        Some(&org_id),
        Some(&user_id),
        &request.username,
        &remote,
        "auth.login",
        "user",
        &user_id,
        json!({"method": "password"}),
    )
    .await?;
    tx.commit().await?;
    signed_in(&state, &user_id, "session").await
}

/// Whether `password` is the one `stored` hashes (false without one, after
/// as long a check). Off the request threads: argon2 takes tens of
/// milliseconds of CPU, and a flood of sign-ins must not stall other requests.
async fn check_password(stored: Option<String>, password: String) -> ApiResult<bool> {
    passwords::in_turn(move || match stored {
        Some(stored) => passwords::verify(&password, &stored),
        None => {
            passwords::dummy_verify(&password);
            false
        }
    })
    .await
    .map_err(|error| ApiError::internal("password check failed", error))
}

/// Starts a session for `user_id` and answers with its cookie and details.
async fn signed_in(state: &AppState, user_id: &str, via: &str) -> ApiResult<Response> {
    let session = sessions::create(&state.db, user_id, state.config.session_hours).await?;
    let info = SessionInfo {
        user: user_info(state, user_id).await?,
        grants: grants(state, user_id).await?,
        csrf_token: Some(session.csrf_token),
        via: via.to_string(),
    };
    let cookie = sessions::set_cookie(&session.token, state.config.secure_cookies, state.config.session_hours);
    Ok(([(header::SET_COOKIE, cookie)], axum::Json(info)).into_response())
}

async fn logout(State(state): State<AppState>, caller: Caller, headers: HeaderMap) -> ApiResult<Response> {
    caller.require_session()?;
    if let Some(token) = session_cookie(&headers) {
        let mut tx = state.db.write().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(secrets::digest(&token))
            .execute(&mut *tx)
            .await?;
        audit::record(&mut tx, &caller, "auth.logout", "user", &caller.user_id, json!({})).await?;
        tx.commit().await?;
    }
    let cookie = sessions::clear_cookie(state.config.secure_cookies);
    Ok((StatusCode::NO_CONTENT, [(header::SET_COOKIE, cookie)]).into_response())
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    /// At least 12 characters.
    pub new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ClientAddr(remote): ClientAddr,
    headers: HeaderMap,
    Body(change): Body<PasswordChange>,
) -> ApiResult<Response> {
    caller.require_session()?;
    // Refused before the current password is checked, so that a weak new
    // one is not counted towards the lockout.
    if let Some(weakness) = passwords::weakness(&change.new_password) {
        return Err(ApiError::invalid_field("new_password", weakness));
    }
    let stored: Option<String> = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(&caller.user_id)
        .fetch_one(&state.db.pool)
        .await?;
    let Some(stored) = stored else {
        return Err(ApiError::conflict(
            "your account signs in through single sign-on and has no password here; change it with your identity \
             provider",
        ));
    };
    if !check_password(Some(stored), change.current_password).await? {
        // A session left open must not become a way to guess the password without the lockout.
        let mut tx = state.db.write().await?;
        count_failure(&mut tx, &caller.org_id, &caller.user_id, &caller.label, &remote).await?;
        tx.commit().await?;
        return Err(ApiError::forbidden("the current password is wrong"));
    }
    let keep = session_cookie(&headers).map(|token| secrets::digest(&token));
    let mut tx = state.db.write().await?;
    crate::api::users::set_password(&mut tx, &caller.user_id, "new_password", &change.new_password, keep.as_deref())
        .await?;
    audit::record(&mut tx, &caller, "user.password-change", "user", &caller.user_id, json!({})).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Counts a failed sign-in against `user_id`, locking the account at the
/// threshold; audited. Counted in the database, so the limit holds across replicas.
async fn count_failure(
    tx: &mut crate::db::Tx,
    org_id: &str,
    user_id: &str,
    username: &str,
    remote: &str,
) -> ApiResult<()> {
    let failures: i64 =
        sqlx::query_scalar("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
            .bind(user_id)
            .fetch_one(&mut **tx)
            .await?;
    if failures >= passwords::LOCKOUT_THRESHOLD {
        sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
            .bind(now_ms() + passwords::LOCKOUT_MS)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        audit::record_as(
            tx,
            Some(org_id),
            Some(user_id),
            username,
            remote,
            "user.locked",
            "user",
            user_id,
            json!({"failures": failures}),
        )
        .await?;
    }
    audit::record_as(tx, Some(org_id), None, username, remote, "auth.login-failed", "user", user_id, json!({})).await?;
    Ok(())
}

async fn session(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> ApiResult<axum::Json<SessionInfo>> {
    let csrf_token = match (&caller.kind, session_cookie(&headers)) {
        (CallerKind::Session, Some(token)) => {
            sqlx::query_scalar("SELECT csrf_token FROM sessions WHERE token_hash = $1")
                .bind(secrets::digest(&token))
                .fetch_optional(&state.db.pool)
                .await?
        }
        _ => None,
    };
    let via = match caller.kind {
        CallerKind::Session => "session",
        CallerKind::PersonalToken { .. } => "personal-token",
        CallerKind::ProjectToken { .. } => "project-token",
    };
    // A project token acts on its project only: its creator's grants are not its own.
    let grants = match &caller.kind {
        CallerKind::ProjectToken { project_id, role, .. } => {
            vec![Grant { scope_kind: "project".to_string(), scope_id: project_id.clone(), role: *role }]
        }
        _ => grants(&state, &caller.user_id).await?,
    };
    Ok(axum::Json(SessionInfo {
        user: user_info(&state, &caller.user_id).await?,
        grants,
        csrf_token,
        via: via.to_string(),
    }))
}

/// Open to fields it does not name: links into sign-in come from other
/// applications, which may add tracking or their own parameters.
#[derive(Deserialize, JsonSchema)]
pub struct OidcLoginQuery {
    /// A path on this server to land on after signing in (default `/`).
    pub return_to: Option<String>,
}

/// Open to fields it does not name, unlike every other request: providers
/// add their own to the redirect (`iss` from RFC 9207, `session_state`).
#[derive(Deserialize, JsonSchema)]
pub struct OidcCallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Logins in progress older than this are refused and cleaned up.
const OIDC_LOGIN_MS: i64 = 10 * 60 * 1000;

async fn oidc_login(State(state): State<AppState>, Query(query): Query<OidcLoginQuery>) -> ApiResult<Response> {
    let Some(client) = &state.oidc else {
        return Err(ApiError::not_found("single sign-on (the server has no --oidc-issuer)"));
    };
    // Only a local path: an open redirect would let a link sign someone in and send them anywhere.
    let return_to = match query.return_to {
        // Control characters would not fit in the Location header of the callback.
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path
        }
        Some(_) => return Err(ApiError::invalid_field("return_to", "return_to must be a path on this server")),
        None => "/".to_string(),
    };
    let request = client.start();
    let now = now_ms();
    sqlx::query("DELETE FROM oidc_logins WHERE created_at < $1")
        .bind(now - OIDC_LOGIN_MS)
        .execute(&state.db.pool)
        .await?;
    sqlx::query(
        "INSERT INTO oidc_logins (state, nonce, pkce_verifier, return_to, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&request.state)
    .bind(&request.nonce)
    .bind(&request.pkce_verifier)
    .bind(&return_to)
    .bind(now)
    .execute(&state.db.pool)
    .await?;
    let cookie = sessions::set_sso_cookie(&request.state, state.config.secure_cookies, OIDC_LOGIN_MS);
    // 302, as the document says (axum's `Redirect::to` would answer 303).
    Ok((StatusCode::FOUND, [(header::LOCATION, request.url), (header::SET_COOKIE, cookie)]).into_response())
}

async fn oidc_callback(
    State(state): State<AppState>,
    ClientAddr(remote): ClientAddr,
    headers: HeaderMap,
    Query(query): Query<OidcCallbackQuery>,
) -> ApiResult<Response> {
    let Some(client) = &state.oidc else {
        return Err(ApiError::not_found("single sign-on (the server has no --oidc-issuer)"));
    };
    if let Some(error) = query.error {
        let description = query.error_description.unwrap_or_default();
        return Err(ApiError::unauthorized(format!(
            "the identity provider refused the sign-in: {error} {description}"
        )));
    }
    let (Some(code), Some(login_state)) = (query.code, query.state) else {
        return Err(ApiError::bad_request("the callback needs `code` and `state` from the identity provider"));
    };
    // Checked before the sign-in is used up, so that a forged link cannot
    // spend the sign-in the browser itself has under way.
    let started_here =
        cookie_named(&headers, sessions::SSO_COOKIE).is_some_and(|cookie| secrets::same_secret(&cookie, &login_state));
    if !started_here {
        return Err(ApiError::unauthorized(
            "this sign-in was not started in this browser (or its cookie was lost); start the sign-in again",
        ));
    }
    // One use only: the row is deleted as it is read.
    let row =
        sqlx::query("DELETE FROM oidc_logins WHERE state = $1 RETURNING nonce, pkce_verifier, return_to, created_at")
            .bind(&login_state)
            .fetch_optional(&state.db.pool)
            .await?
            .ok_or_else(|| ApiError::unauthorized("unknown or used sign-in state; start the sign-in again"))?;
    if row.try_get::<i64, _>("created_at")? < now_ms() - OIDC_LOGIN_MS {
        return Err(ApiError::unauthorized("the sign-in took too long; start it again"));
    }
    let nonce: String = row.try_get("nonce")?;
    let verifier: String = row.try_get("pkce_verifier")?;
    let return_to: String = row.try_get("return_to")?;
    let identity = client.finish(&code, &nonce, &verifier).await.map_err(|error| {
        tracing::warn!("single sign-on failed: {error}");
        ApiError::unauthorized(format!("single sign-on failed: {error}"))
    })?;
    let user_id = crate::api::users::user_for_identity(&state, &identity, &remote).await?;
    let mut response = signed_in(&state, &user_id, "session").await?;
    *response.status_mut() = StatusCode::FOUND;
    let done = sessions::clear_sso_cookie(state.config.secure_cookies);
    response.headers_mut().append(
        header::SET_COOKIE,
        header::HeaderValue::from_str(&done).map_err(|e| ApiError::internal("bad cookie", e))?,
    );
    response.headers_mut().insert(
        header::LOCATION,
        header::HeaderValue::from_str(&return_to).map_err(|e| ApiError::internal("bad return path", e))?,
    );
    Ok(response)
}

#[derive(Serialize, JsonSchema)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    /// The most this token may do (capped by its owner's own roles).
    pub role: Role,
    pub project_id: Option<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    pub name: String,
    /// The most the token may do: `viewer` (default) to `admin`.
    pub role: Option<Role>,
    /// Days until it expires (1 to 366); none for no expiry.
    pub expires_in_days: Option<i64>,
}

#[derive(Serialize, JsonSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    /// The token itself: shown this once, stored only as a digest.
    pub token: String,
}

pub(crate) fn token_info(row: &sqlx::any::AnyRow) -> ApiResult<TokenInfo> {
    Ok(TokenInfo {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        role: Role::parse(&row.try_get::<String, _>("role")?).unwrap_or(Role::Viewer),
        project_id: row.try_get("project_id")?,
        created_at: timestamp(row.try_get("created_at")?),
        expires_at: row.try_get::<Option<i64>, _>("expires_at")?.map(timestamp),
        last_used_at: row.try_get::<Option<i64>, _>("last_used_at")?.map(timestamp),
        revoked: row.try_get::<Option<i64>, _>("revoked_at")?.is_some(),
    })
}

pub(crate) const TOKEN_COLUMNS: &str = "id, name, role, project_id, created_at, expires_at, last_used_at, revoked_at";

async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<PageQuery>,
) -> ApiResult<axum::Json<Page<TokenInfo>>> {
    caller.require_session()?;
    let (limit, offset) = (page.limit()?, page.offset()?);
    let rows = sqlx::query(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"
    ))
    .bind(&caller.user_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE user_id = $1")
        .bind(&caller.user_id)
        .fetch_one(&state.db.pool)
        .await?;
    let items = rows.iter().map(token_info).collect::<ApiResult<Vec<_>>>()?;
    Ok(axum::Json(Page { items, total, limit, offset }))
}

/// Checks a new token's name and expiry; returns (name, expires_at).
pub(crate) fn token_terms(name: &str, days: Option<i64>) -> ApiResult<(String, Option<i64>)> {
    let name = text_field("name", name, 100)?;
    let expires_at = match days {
        None => None,
        Some(days) if (1..=366).contains(&days) => Some(now_ms() + days * 86_400_000),
        Some(days) => {
            return Err(ApiError::invalid_field(
                "expires_in_days",
                format!("expires_in_days must be 1 to 366, not {days}"),
            ));
        }
    };
    Ok((name, expires_at))
}

/// A new token's secret text: a prefix that secret scanners can recognise, and 256 random bits.
pub(crate) fn new_token_secret() -> String {
    format!("rmp_{}", secrets::random_token())
}

async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Body(request): Body<NewToken>,
) -> ApiResult<Response> {
    caller.require_session()?;
    let (name, expires_at) = token_terms(&request.name, request.expires_in_days)?;
    let role = request.role.unwrap_or(Role::Viewer);
    let secret = new_token_secret();
    let id = new_id();
    let now = now_ms();
    let mut tx = state.db.write().await?;
    sqlx::query(
        "INSERT INTO api_tokens (id, org_id, token_hash, name, user_id, project_id, role, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $5, $7, $8)",
    )
    .bind(&id)
    .bind(&caller.org_id)
    .bind(secrets::digest(&secret))
    .bind(&name)
    .bind(&caller.user_id)
    .bind(role.as_str())
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, &caller, "token.create", "token", &id, json!({"name": name, "role": role})).await?;
    tx.commit().await?;
    let info = TokenInfo {
        id,
        name,
        role,
        project_id: None,
        created_at: timestamp(now),
        expires_at: expires_at.map(timestamp),
        last_used_at: None,
        revoked: false,
    };
    Ok((StatusCode::CREATED, axum::Json(CreatedToken { info, token: secret })).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(token_id): Path<String>,
) -> ApiResult<StatusCode> {
    caller.require_session()?;
    let mut tx = state.db.write().await?;
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(&token_id)
            .bind(&caller.user_id)
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("token"));
    }
    audit::record(&mut tx, &caller, "token.revoke", "token", &token_id, json!({})).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
