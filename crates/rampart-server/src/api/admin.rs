//! For administrators: the audit log, jobs, and integration secrets.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;

use super::common::{Body, Page, PageQuery, Path, Query, text_field};
use super::registry::Api;
use crate::audit;
use crate::auth::{Caller, Role};
use crate::db::{new_id, now_ms, timestamp};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn register(api: &mut Api) {
    api.get("/api/v1/audit", "listAudit", "The audit log: every change, newest first (administrators)")
        .tag("admin")
        .query::<AuditQuery>()
        .response::<Page<AuditEntry>>()
        .add(list_audit);
    api.get("/api/v1/jobs", "listJobs", "Jobs of the organisation, newest first (administrators)")
        .tag("admin")
        .query::<PageQuery>()
        .response::<Page<Job>>()
        .add(list_jobs);
    api.post("/api/v1/jobs", "createJob", "Queue a job: `reanalyze` analyses every model's latest version again")
        .tag("admin")
        .status(202)
        .request::<NewJob>()
        .response::<Job>()
        .add(create_job);
    api.get("/api/v1/jobs/{job}", "getJob", "A job and its progress (administrators)")
        .tag("admin")
        .response::<Job>()
        .add(get_job);
    api.get("/api/v1/projects/{project}/secrets", "listSecrets", "Integration secrets of a project (names only)")
        .tag("admin")
        .response::<Vec<SecretInfo>>()
        .add(list_secrets);
    api.put(
        "/api/v1/projects/{project}/secrets/{name}",
        "setSecret",
        "Store an integration secret, sealed with the server key",
    )
    .tag("admin")
    .request::<NewSecret>()
    .response::<SecretInfo>()
    .error(503, "The server has no RAMPART_SECRET_KEY to seal secrets with")
    .add(set_secret);
    api.delete("/api/v1/projects/{project}/secrets/{name}", "deleteSecret", "Delete an integration secret")
        .tag("admin")
        .status(204)
        .add(delete_secret);
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this action (`model.save`, `threat.update`...).
    pub action: Option<String>,
    /// Only changes by this user id.
    pub actor: Option<String>,
    /// Only changes to this target id.
    pub target: Option<String>,
    /// Only changes at or after this time: RFC 3339 (an entry's `at`), or a
    /// date (YYYY-MM-DD, from its start in UTC).
    pub since: Option<String>,
    /// Only changes before this time, written as `since` is.
    pub until: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// `since` or `until` as milliseconds since 1970, or a 400 naming the field.
fn moment(field: &str, text: Option<&str>) -> ApiResult<Option<i64>> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    let time = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .or_else(|_| {
            time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]"))
                .map(|date| date.midnight().assume_utc())
        })
        .map_err(|_| {
            ApiError::invalid_field(
                field,
                format!("`{field}` must be a time (RFC 3339, e.g. 2026-11-25T10:00:00Z) or a date (YYYY-MM-DD)"),
            )
        })?;
    Ok(Some((time.unix_timestamp_nanos() / 1_000_000) as i64))
}

#[derive(Serialize, JsonSchema)]
pub struct AuditEntry {
    pub id: String,
    pub at: String,
    pub actor: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub detail: Value,
    /// Where the request came from.
    pub remote_addr: String,
}

async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<AuditQuery>,
) -> ApiResult<axum::Json<Page<AuditEntry>>> {
    caller.require_org_admin()?;
    let page = PageQuery { limit: query.limit, offset: query.offset };
    let (limit, offset) = (page.limit()?, page.offset()?);
    let since = moment("since", query.since.as_deref())?.unwrap_or(i64::MIN);
    let until = moment("until", query.until.as_deref())?.unwrap_or(i64::MAX);
    let filter = "WHERE org_id = $1 AND ($2 = '' OR action = $2) AND ($3 = '' OR actor_id = $3) \
         AND ($4 = '' OR target_id = $4) AND at >= $5 AND at < $6";
    let (action, actor, target) = (
        query.action.clone().unwrap_or_default(),
        query.actor.clone().unwrap_or_default(),
        query.target.clone().unwrap_or_default(),
    );
    let list_sql = format!("SELECT * FROM audit_log {filter} ORDER BY at DESC, id LIMIT {limit} OFFSET {offset}");
    let rows = sqlx::query(&list_sql)
        .bind(&caller.org_id)
        .bind(&action)
        .bind(&actor)
        .bind(&target)
        .bind(since)
        .bind(until)
        .fetch_all(&state.db.pool)
        .await?;
    let count_sql = format!("SELECT COUNT(*) FROM audit_log {filter}");
    let total: i64 = sqlx::query_scalar(&count_sql)
        .bind(&caller.org_id)
        .bind(&action)
        .bind(&actor)
        .bind(&target)
        .bind(since)
        .bind(until)
        .fetch_one(&state.db.pool)
        .await?;
    let items = rows
        .iter()
        .map(|row| {
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at: timestamp(row.try_get("at")?),
                actor: row.try_get("actor")?,
                actor_id: row.try_get("actor_id")?,
                action: row.try_get("action")?,
                target_kind: row.try_get("target_kind")?,
                target_id: row.try_get("target_id")?,
                detail: serde_json::from_str(&row.try_get::<String, _>("detail")?).unwrap_or(Value::Null),
                remote_addr: row.try_get("remote_addr")?,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(axum::Json(Page { items, total, limit, offset }))
}

#[derive(Serialize, JsonSchema)]
pub struct Job {
    pub id: String,
    pub kind: String,
    /// queued, running, done or failed.
    pub status: String,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The replica that took it.
    pub worker: Option<String>,
    pub progress_done: i64,
    pub progress_total: i64,
    pub result: Option<Value>,
    pub error: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewJob {
    /// `reanalyze`.
    pub kind: String,
}

pub(crate) fn job_from_row(row: &sqlx::any::AnyRow) -> ApiResult<Job> {
    Ok(Job {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        status: row.try_get("status")?,
        created_at: timestamp(row.try_get("created_at")?),
        started_at: row.try_get::<Option<i64>, _>("started_at")?.map(timestamp),
        finished_at: row.try_get::<Option<i64>, _>("finished_at")?.map(timestamp),
        worker: row.try_get("worker")?,
        progress_done: row.try_get("progress_done")?,
        progress_total: row.try_get("progress_total")?,
        result: row.try_get::<Option<String>, _>("result")?.and_then(|text| serde_json::from_str(&text).ok()),
        error: row.try_get("error")?,
    })
}

async fn list_jobs(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<PageQuery>,
) -> ApiResult<axum::Json<Page<Job>>> {
    caller.require_org_admin()?;
    let (limit, offset) = (page.limit()?, page.offset()?);
    let rows = sqlx::query("SELECT * FROM jobs WHERE org_id = $1 ORDER BY created_at DESC, id LIMIT $2 OFFSET $3")
        .bind(&caller.org_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&state.db.pool)
        .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE org_id = $1")
        .bind(&caller.org_id)
        .fetch_one(&state.db.pool)
        .await?;
    let items = rows.iter().map(job_from_row).collect::<ApiResult<Vec<_>>>()?;
    Ok(axum::Json(Page { items, total, limit, offset }))
}

async fn create_job(State(state): State<AppState>, caller: Caller, Body(request): Body<NewJob>) -> ApiResult<Response> {
    caller.require_org_admin()?;
    if !crate::jobs::KINDS.contains(&request.kind.as_str()) {
        return Err(ApiError::invalid_field(
            "kind",
            format!("unknown job `{}`; expected one of: {}", request.kind, crate::jobs::KINDS.join(", ")),
        ));
    }
    let id = new_id();
    let mut tx = state.db.write().await?;
    sqlx::query(
        "INSERT INTO jobs (id, org_id, kind, status, created_by, created_at) VALUES ($1, $2, $3, 'queued', $4, $5)",
    )
    .bind(&id)
    .bind(&caller.org_id)
    .bind(&request.kind)
    .bind(&caller.user_id)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, &caller, "job.create", "job", &id, json!({"kind": request.kind})).await?;
    tx.commit().await?;
    let row = sqlx::query("SELECT * FROM jobs WHERE id = $1").bind(&id).fetch_one(&state.db.pool).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(job_from_row(&row)?)).into_response())
}

async fn get_job(
    State(state): State<AppState>,
    caller: Caller,
    Path(job_id): Path<String>,
) -> ApiResult<axum::Json<Job>> {
    caller.require_org_admin()?;
    let row = sqlx::query("SELECT * FROM jobs WHERE id = $1 AND org_id = $2")
        .bind(&job_id)
        .bind(&caller.org_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("job"))?;
    Ok(axum::Json(job_from_row(&row)?))
}

#[derive(Serialize, JsonSchema)]
pub struct SecretInfo {
    pub name: String,
    pub created_at: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSecret {
    /// The secret (an issue tracker's API token, a webhook key). Never returned.
    pub value: String,
}

fn secret_context(org_id: &str, project_id: &str, name: &str) -> String {
    format!("{org_id}/{project_id}/{name}")
}

async fn list_secrets(
    State(state): State<AppState>,
    caller: Caller,
    Path(project_id): Path<String>,
) -> ApiResult<axum::Json<Vec<SecretInfo>>> {
    caller.project(&state, &project_id).await?.require(Role::Admin, "manage integration secrets")?;
    let rows = sqlx::query("SELECT name, created_at FROM secrets WHERE project_id = $1 ORDER BY LOWER(name), name")
        .bind(&project_id)
        .fetch_all(&state.db.pool)
        .await?;
    let items = rows
        .iter()
        .map(|row| Ok(SecretInfo { name: row.try_get("name")?, created_at: timestamp(row.try_get("created_at")?) }))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(axum::Json(items))
}

async fn set_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path((project_id, name)): Path<(String, String)>,
    Body(request): Body<NewSecret>,
) -> ApiResult<axum::Json<SecretInfo>> {
    caller.project(&state, &project_id).await?.require(Role::Admin, "manage integration secrets")?;
    let name = text_field("name", &name, 100)?;
    let Some(key) = &state.secret_key else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no-secret-key",
            "the server has no RAMPART_SECRET_KEY, so it cannot store secrets safely; set it (openssl rand -base64 32) and restart",
        ));
    };
    let sealed = key
        .seal(&request.value, &secret_context(&caller.org_id, &project_id, &name))
        .map_err(|e| ApiError::internal("cannot seal", e))?;
    let now = now_ms();
    let mut tx = state.db.write().await?;
    sqlx::query("DELETE FROM secrets WHERE project_id = $1 AND name = $2")
        .bind(&project_id)
        .bind(&name)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO secrets (id, org_id, project_id, name, sealed, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(new_id())
        .bind(&caller.org_id)
        .bind(&project_id)
        .bind(&name)
        .bind(&sealed)
        .bind(&caller.user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, &caller, "secret.set", "project", &project_id, json!({"name": name})).await?;
    tx.commit().await?;
    Ok(axum::Json(SecretInfo { name, created_at: timestamp(now) }))
}

async fn delete_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path((project_id, name)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.project(&state, &project_id).await?.require(Role::Admin, "manage integration secrets")?;
    let mut tx = state.db.write().await?;
    let done = sqlx::query("DELETE FROM secrets WHERE project_id = $1 AND name = $2")
        .bind(&project_id)
        .bind(&name)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("secret"));
    }
    audit::record(&mut tx, &caller, "secret.delete", "project", &project_id, json!({"name": name})).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Opens a project's secret, for the integrations that will use them.
pub async fn open_secret(state: &AppState, org_id: &str, project_id: &str, name: &str) -> ApiResult<Option<String>> {
    let sealed: Option<String> = sqlx::query_scalar("SELECT sealed FROM secrets WHERE project_id = $1 AND name = $2")
        .bind(project_id)
        .bind(name)
        .fetch_optional(&state.db.pool)
        .await?;
    let (Some(sealed), Some(key)) = (sealed, &state.secret_key) else { return Ok(None) };
    key.open(&sealed, &secret_context(org_id, project_id, name))
        .map(Some)
        .map_err(|e| ApiError::internal("cannot open the secret", e))
}

/// `rampart admin rotate-secret-key`: seals every project secret again,
/// from `old` to `new`, in one transaction. A secret `old` cannot open
/// (sealed under another key) stops it, naming the secret; nothing is
/// changed then. Returns how many secrets were sealed again.
pub async fn reseal_secrets(
    db: &crate::db::Db,
    old: &crate::sealed::SecretKey,
    new: &crate::sealed::SecretKey,
) -> Result<usize, String> {
    let mut tx = db.write().await.map_err(|e| format!("cannot start the rotation: {e}"))?;
    let rows: Vec<(String, String, String, String, String)> =
        sqlx::query_as("SELECT s.id, s.org_id, s.project_id, s.name, s.sealed FROM secrets s ORDER BY s.id")
            .fetch_all(&mut *tx)
            .await
            .map_err(|e| format!("cannot read the secrets: {e}"))?;
    let mut orgs: HashMap<String, usize> = HashMap::new();
    for (id, org_id, project_id, name, sealed) in &rows {
        let context = secret_context(org_id, project_id, name);
        let value = old
            .open(sealed, &context)
            .map_err(|error| format!("secret `{name}` of project {project_id}: {error}; nothing was changed"))?;
        let resealed = new.seal(&value, &context)?;
        sqlx::query("UPDATE secrets SET sealed = $1 WHERE id = $2")
            .bind(resealed)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| format!("cannot store secret `{name}`: {e}"))?;
        *orgs.entry(org_id.clone()).or_default() += 1;
    }
    for (org_id, count) in &orgs {
        audit::record_as(
            &mut tx,
            Some(org_id),
            None,
            "rampart admin",
            "command line",
            "secret.rotate-key",
            "organisation",
            org_id,
            json!({"secrets": count}),
        )
        .await
        .map_err(|e| e.to_string())?;
    }
    tx.commit().await.map_err(|e| format!("cannot commit the rotation: {e}"))?;
    Ok(rows.len())
}
