//! Accounts of an organisation (administrators manage them), and the accounts
//! single sign-on creates on first sign-in.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;

use super::common::{
    Body, IfMatch, Page, PageQuery, Path, Query, changed_meanwhile, contains_pattern, content_etag, etag,
    if_match_optional, text_field,
};
use super::registry::Api;
use crate::audit;
use crate::auth::{Caller, passwords};
use crate::db::{Db, new_id, now_ms, timestamp};
use crate::error::{ApiError, ApiResult};
use crate::oidc::Identity;
use crate::state::AppState;

pub fn register(api: &mut Api) {
    api.get("/api/v1/users", "listUsers", "The organisation's accounts (administrators)")
        .tag("users")
        .query::<UserQuery>()
        .response::<Page<Account>>()
        .add(list_users);
    api.post("/api/v1/users", "createUser", "Create a local account (administrators)")
        .tag("users")
        .status(201)
        .request::<NewAccount>()
        .response::<Account>()
        .add(create_user);
    api.patch(
        "/api/v1/users/{user}",
        "updateUser",
        "Disable, unlock or promote an account, or reset its password (administrators)",
    )
    .tag("users")
    .optional_if_match()
    .request::<AccountChange>()
    .response::<Account>()
    .add(update_user);
}

#[derive(Serialize, JsonSchema)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub is_org_admin: bool,
    pub disabled: bool,
    /// Locked after repeated failed sign-ins, until this time.
    pub locked_until: Option<String>,
    /// Signs in through single sign-on.
    pub single_sign_on: bool,
    pub created_at: String,
    /// For `If-Match` on an update: changes with the display name, the
    /// administrator flag and whether the account is disabled.
    pub etag: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    /// At least 12 characters.
    pub password: String,
    #[serde(default)]
    pub is_org_admin: bool,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    /// Only accounts whose username, display name or e-mail contains this text (any case).
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChange {
    pub display_name: Option<String>,
    pub disabled: Option<bool>,
    pub is_org_admin: Option<bool>,
    /// `true` clears a lockout.
    pub unlock: Option<bool>,
    /// A new password for a local account (at least 12 characters): the
    /// reset for someone who lost theirs. Ends the account's sessions and
    /// clears its lockout; the audit log records that it was set, never the password.
    pub password: Option<String>,
}

const ACCOUNT_COLUMNS: &str =
    "id, username, display_name, email, is_org_admin, disabled, locked_until, oidc_subject, created_at";

/// The ETag of an account: what an administrator's update can change
/// (the lockout and the password are not: unlocking or resetting one
/// does not conflict with another change).
fn account_etag(id: &str, display_name: &str, is_org_admin: bool, disabled: bool) -> String {
    let flags = format!("{is_org_admin}/{disabled}");
    content_etag("user", id, &[Some(display_name), Some(&flags)])
}

fn account(row: &sqlx::any::AnyRow) -> ApiResult<Account> {
    let id: String = row.try_get("id")?;
    let display_name: String = row.try_get("display_name")?;
    let is_org_admin = row.try_get::<i64, _>("is_org_admin")? != 0;
    let disabled = row.try_get::<i64, _>("disabled")? != 0;
    Ok(Account {
        etag: account_etag(&id, &display_name, is_org_admin, disabled),
        id,
        username: row.try_get("username")?,
        display_name,
        email: row.try_get("email")?,
        is_org_admin,
        disabled,
        locked_until: row.try_get::<Option<i64>, _>("locked_until")?.filter(|t| *t > now_ms()).map(timestamp),
        single_sign_on: row.try_get::<Option<String>, _>("oidc_subject")?.is_some(),
        created_at: timestamp(row.try_get("created_at")?),
    })
}

/// Usernames: what people type to sign in, so kept simple.
pub fn check_username(username: &str) -> ApiResult<String> {
    let username = username.trim();
    let valid = !username.is_empty()
        && username.len() <= 64
        && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'));
    if valid {
        Ok(username.to_string())
    } else {
        Err(ApiError::invalid_field("username", "a username is 1 to 64 letters, digits, `.`, `-`, `_` or `@`"))
    }
}

/// The organisation named `name` for `rampart admin create-user`: created
/// when the database has none yet, or when `create` says so; otherwise a
/// name that matches none is a typo to report, not a new organisation.
pub async fn organisation_for_new_user(db: &Db, name: &str, create: bool) -> Result<String, String> {
    let existing: Vec<(String, String)> = sqlx::query_as("SELECT id, name FROM organisations ORDER BY name")
        .fetch_all(&db.pool)
        .await
        .map_err(|e| format!("cannot read the organisations: {e}"))?;
    if let Some((id, _)) = existing.iter().find(|(_, known)| known == name) {
        return Ok(id.clone());
    }
    if existing.is_empty() || create {
        return ensure_organisation(db, name).await.map_err(|e| format!("cannot create the organisation: {e}"));
    }
    let names: Vec<String> = existing.iter().map(|(_, known)| format!("`{known}`")).collect();
    Err(format!(
        "there is no organisation `{name}`; this database has {}. Check the name, or add --new-organisation to \
         create it",
        names.join(", ")
    ))
}

/// The organisation named `name`, created if it does not exist yet.
pub async fn ensure_organisation(db: &Db, name: &str) -> Result<String, sqlx::Error> {
    if let Some(id) = sqlx::query_scalar::<_, String>("SELECT id FROM organisations WHERE name = $1")
        .bind(name)
        .fetch_optional(&db.pool)
        .await?
    {
        return Ok(id);
    }
    let id = new_id();
    sqlx::query("INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(&id)
        .bind(name)
        .bind(now_ms())
        .execute(&db.pool)
        .await?;
    Ok(id)
}

/// Creates a local account; used by the API and by `rampart admin create-user`.
pub async fn insert_user(tx: &mut crate::db::Tx, org_id: &str, request: &NewAccount) -> ApiResult<String> {
    let username = check_username(&request.username)?;
    let display_name = match &request.display_name {
        Some(name) => text_field("display_name", name, 200)?,
        None => username.clone(),
    };
    let hash = new_password_hash("password", &request.password).await?;
    let id = new_id();
    sqlx::query(
        "INSERT INTO users (id, org_id, username, display_name, email, password_hash, is_org_admin, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(org_id)
    .bind(&username)
    .bind(&display_name)
    .bind(request.email.as_deref().map(str::trim).filter(|e| !e.is_empty()))
    .bind(hash)
    .bind(i64::from(request.is_org_admin))
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .map_err(|error| match ApiError::from(error) {
        conflict if conflict.code == "conflict" => ApiError::conflict(format!("the username `{username}` is taken")),
        other => other,
    })?;
    Ok(id)
}

/// The stored hash of a new password, refused (400 naming `field`) when it
/// is too weak. Hashed in turn with the other argon2 work.
async fn new_password_hash(field: &str, password: &str) -> ApiResult<String> {
    if let Some(weakness) = passwords::weakness(password) {
        return Err(ApiError::invalid_field(field, weakness));
    }
    let password = password.to_string();
    passwords::in_turn(move || passwords::hash(&password))
        .await
        .map_err(|error| ApiError::internal("cannot hash the password", error))?
        .map_err(|error| ApiError::internal("cannot hash the password", error))
}

/// Sets the password of the local account `user_id` (checked for strength,
/// a weak one refused naming `field`), clears its lockout and ends its
/// sessions but the one whose digest is `keep`. An account that signs in
/// only through single sign-on has no password to set: 409.
pub async fn set_password(
    tx: &mut crate::db::Tx,
    user_id: &str,
    field: &str,
    password: &str,
    keep: Option<&str>,
) -> ApiResult<()> {
    let hash = new_password_hash(field, password).await?;
    let set = sqlx::query(
        "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL \
         WHERE id = $2 AND password_hash IS NOT NULL",
    )
    .bind(hash)
    .bind(user_id)
    .execute(&mut **tx)
    .await?;
    if set.rows_affected() == 0 {
        return Err(ApiError::conflict("this account signs in through single sign-on and has no password here"));
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or_default())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `rampart admin set-password`: sets the password of the local account
/// `username`, from the command line (audited as such).
pub async fn reset_password(db: &Db, username: &str, password: &str) -> ApiResult<()> {
    let account: Option<(String, String)> = sqlx::query_as("SELECT id, org_id FROM users WHERE username = $1")
        .bind(username.trim())
        .fetch_optional(&db.pool)
        .await?;
    let Some((id, org_id)) = account else {
        return Err(ApiError::not_found(&format!("account `{username}`")));
    };
    let mut tx = db.write().await?;
    set_password(&mut tx, &id, "password", password, None).await?;
    audit::record_as(
        &mut tx,
        Some(&org_id),
        None,
        "rampart admin",
        "command line",
        "user.password-reset",
        "user",
        &id,
        json!({"username": username}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<UserQuery>,
) -> ApiResult<axum::Json<Page<Account>>> {
    caller.require_org_admin()?;
    let page = PageQuery { limit: query.limit, offset: query.offset };
    let (limit, offset) = (page.limit()?, page.offset()?);
    let pattern = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(contains_pattern).unwrap_or_default();
    let filter = "WHERE org_id = $1 AND ($2 = '' OR LOWER(username) LIKE $2 ESCAPE '\\' \
         OR LOWER(display_name) LIKE $2 ESCAPE '\\' OR LOWER(COALESCE(email, '')) LIKE $2 ESCAPE '\\')";
    let rows = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM users {filter} ORDER BY LOWER(username), username LIMIT $3 OFFSET $4"
    ))
    .bind(&caller.org_id)
    .bind(&pattern)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM users {filter}"))
        .bind(&caller.org_id)
        .bind(&pattern)
        .fetch_one(&state.db.pool)
        .await?;
    let items = rows.iter().map(account).collect::<ApiResult<Vec<_>>>()?;
    Ok(axum::Json(Page { items, total, limit, offset }))
}

async fn fetch_account(state: &AppState, org_id: &str, user_id: &str) -> ApiResult<Account> {
    let row = sqlx::query(&format!("SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = $1 AND org_id = $2"))
        .bind(user_id)
        .bind(org_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    account(&row)
}

async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    Body(request): Body<NewAccount>,
) -> ApiResult<(StatusCode, axum::Json<Account>)> {
    caller.require_org_admin()?;
    let mut tx = state.db.write().await?;
    let id = insert_user(&mut tx, &caller.org_id, &request).await?;
    audit::record(
        &mut tx,
        &caller,
        "user.create",
        "user",
        &id,
        json!({"username": request.username, "is_org_admin": request.is_org_admin}),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(fetch_account(&state, &caller.org_id, &id).await?)))
}

async fn update_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    Body(change): Body<AccountChange>,
) -> ApiResult<Response> {
    caller.require_org_admin()?;
    fetch_account(&state, &caller.org_id, &user_id).await?;
    if user_id == caller.user_id && (change.disabled == Some(true) || change.is_org_admin == Some(false)) {
        return Err(ApiError::conflict("you cannot disable or demote yourself; ask another administrator"));
    }
    let wanted = if_match_optional(&headers)?;
    let mut tx = state.db.write().await?;
    if !matches!(wanted, IfMatch::Any) {
        // Locked on PostgreSQL; SQLite's write transaction already excludes other writers.
        let lock = if tx.backend() == crate::db::Backend::Postgres { " FOR UPDATE" } else { "" };
        let (display_name, is_org_admin, disabled): (String, i64, i64) =
            sqlx::query_as(&format!("SELECT display_name, is_org_admin, disabled FROM users WHERE id = $1{lock}"))
                .bind(&user_id)
                .fetch_one(&mut *tx)
                .await?;
        if !wanted.matches(&account_etag(&user_id, &display_name, is_org_admin != 0, disabled != 0)) {
            return Err(changed_meanwhile("account"));
        }
    }
    if let Some(name) = &change.display_name {
        let name = text_field("display_name", name, 200)?;
        sqlx::query("UPDATE users SET display_name = $1 WHERE id = $2")
            .bind(name)
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(disabled) = change.disabled {
        sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disabled))
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(&user_id).execute(&mut *tx).await?;
        }
    }
    if let Some(admin) = change.is_org_admin {
        sqlx::query("UPDATE users SET is_org_admin = $1 WHERE id = $2")
            .bind(i64::from(admin))
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(password) = &change.password {
        // An administrator resetting their own password stays signed in here.
        let keep = (user_id == caller.user_id)
            .then(|| crate::auth::caller::session_cookie(&headers).map(|token| crate::auth::secrets::digest(&token)))
            .flatten();
        set_password(&mut tx, &user_id, "password", password, keep.as_deref()).await?;
    }
    if change.unlock == Some(true) {
        sqlx::query("UPDATE users SET locked_until = NULL, failed_logins = 0 WHERE id = $1")
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
    }
    let detail = json!({"display_name": change.display_name, "disabled": change.disabled,
                        "is_org_admin": change.is_org_admin, "unlock": change.unlock,
                        "password_reset": change.password.is_some()});
    audit::record(&mut tx, &caller, "user.update", "user", &user_id, detail).await?;
    tx.commit().await?;
    let account = fetch_account(&state, &caller.org_id, &user_id).await?;
    Ok(([etag(&account.etag)], axum::Json(account)).into_response())
}

/// The account a single sign-on identity signs in as: the one linked to it,
/// else a local account with the same verified e-mail (linked now), else a
/// new account without roles in the configured organisation.
pub async fn user_for_identity(state: &AppState, identity: &Identity, remote: &str) -> ApiResult<String> {
    let linked: Option<(String, i64)> =
        sqlx::query("SELECT id, disabled FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2")
            .bind(&identity.issuer)
            .bind(&identity.subject)
            .fetch_optional(&state.db.pool)
            .await?
            .map(|row| Ok::<_, sqlx::Error>((row.try_get("id")?, row.try_get("disabled")?)))
            .transpose()?;
    if let Some((id, disabled)) = linked {
        if disabled != 0 {
            return Err(ApiError::unauthorized("this account is disabled"));
        }
        return Ok(id);
    }
    let organisation = state.config.oidc_organisation.clone();
    let org_id: Option<String> = match &organisation {
        Some(name) => {
            sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
                .bind(name)
                .fetch_optional(&state.db.pool)
                .await?
        }
        None => {
            sqlx::query_scalar("SELECT id FROM organisations ORDER BY created_at LIMIT 1")
                .fetch_optional(&state.db.pool)
                .await?
        }
    };
    let org_id =
        org_id.ok_or_else(|| ApiError::unauthorized("the server has no organisation for single sign-on users yet"))?;
    let mut tx = state.db.write().await?;
    let same_email: Option<(String, i64)> = match (&identity.email, identity.email_verified) {
        (Some(email), true) => sqlx::query(
            "SELECT id, disabled FROM users WHERE org_id = $1 AND LOWER(email) = LOWER($2) AND oidc_subject IS NULL \
             ORDER BY disabled, created_at LIMIT 1",
        )
        .bind(&org_id)
        .bind(email)
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| Ok::<_, sqlx::Error>((row.try_get("id")?, row.try_get("disabled")?)))
        .transpose()?,
        _ => None,
    };
    // A person whose account was disabled must not come back as a new account through single sign-on.
    if same_email.as_ref().is_some_and(|(_, disabled)| *disabled != 0) {
        return Err(ApiError::unauthorized("this account is disabled"));
    }
    if let Some((id, _)) = same_email {
        let email = identity.email.clone().unwrap_or_default();
        sqlx::query("UPDATE users SET oidc_issuer = $1, oidc_subject = $2 WHERE id = $3")
            .bind(&identity.issuer)
            .bind(&identity.subject)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        audit::record_as(
            &mut tx,
            Some(&org_id),
            Some(&id),
            &email,
            remote,
            "user.link-sso",
            "user",
            &id,
            json!({"issuer": identity.issuer}),
        )
        .await?;
        tx.commit().await?;
        return Ok(id);
    }
    let wanted = identity
        .preferred_username
        .clone()
        .or_else(|| identity.email.clone())
        .unwrap_or_else(|| format!("sso-{}", identity.subject));
    let base: String =
        wanted.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@')).take(56).collect();
    let base = if base.is_empty() { "sso-user".to_string() } else { base };
    let mut username = base.clone();
    for n in 2.. {
        let taken: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
            .bind(&username)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_none() {
            break;
        }
        username = format!("{base}-{n}");
    }
    let id = new_id();
    sqlx::query(
        "INSERT INTO users (id, org_id, username, display_name, email, oidc_issuer, oidc_subject, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&org_id)
    .bind(&username)
    .bind(identity.name.clone().unwrap_or_else(|| username.clone()))
    .bind(&identity.email)
    .bind(&identity.issuer)
    .bind(&identity.subject)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    audit::record_as(
        &mut tx,
        Some(&org_id),
        Some(&id),
        &username,
        remote,
        "user.create-sso",
        "user",
        &id,
        json!({"issuer": identity.issuer}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}
