//! Business units and projects, who works on them and with which role, and
//! the API tokens of a project.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::Row;

use super::auth::{CreatedToken, TOKEN_COLUMNS, TokenInfo, new_token_secret, token_info, token_terms};
use super::common::{
    Body, IfMatch, Page, PageQuery, Path, Query, changed_meanwhile, content_etag, etag, if_match_optional, text_field,
};
use super::registry::Api;
use crate::audit;
use crate::auth::{Caller, CallerKind, Role, secrets};
use crate::db::{new_id, now_ms, timestamp};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn register(api: &mut Api) {
    api.get("/api/v1/business-units", "listBusinessUnits", "Business units you can see")
        .tag("organisation")
        .query::<PageQuery>()
        .response::<Page<BusinessUnit>>()
        .add(list_units);
    api.post("/api/v1/business-units", "createBusinessUnit", "Create a business unit (administrators)")
        .tag("organisation")
        .status(201)
        .request::<NewBusinessUnit>()
        .response::<BusinessUnit>()
        .add(create_unit);
    api.get("/api/v1/business-units/{unit}", "getBusinessUnit", "A business unit")
        .tag("organisation")
        .response::<BusinessUnit>()
        .add(get_unit);
    api.patch("/api/v1/business-units/{unit}", "updateBusinessUnit", "Rename or describe a business unit")
        .tag("organisation")
        .optional_if_match()
        .request::<Rename>()
        .response::<BusinessUnit>()
        .add(update_unit);
    api.get("/api/v1/business-units/{unit}/members", "listBusinessUnitMembers", "Who has a role on a business unit")
        .tag("organisation")
        .response::<Vec<Member>>()
        .add(unit_members);
    api.put(
        "/api/v1/business-units/{unit}/members/{user}",
        "setBusinessUnitMember",
        "Give a user a role on a business unit",
    )
    .tag("organisation")
    .request::<RoleRequest>()
    .response::<Member>()
    .add(set_unit_member);
    api.delete(
        "/api/v1/business-units/{unit}/members/{user}",
        "removeBusinessUnitMember",
        "Take a user's role on a business unit away",
    )
    .tag("organisation")
    .status(204)
    .add(remove_unit_member);
    api.get("/api/v1/projects", "listProjects", "Projects you can see, with their models' risk")
        .tag("projects")
        .query::<ProjectQuery>()
        .response::<Page<Project>>()
        .add(list_projects);
    api.post("/api/v1/projects", "createProject", "Create a project in a business unit (its administrators)")
        .tag("projects")
        .status(201)
        .request::<NewProject>()
        .response::<Project>()
        .add(create_project);
    api.get("/api/v1/projects/{project}", "getProject", "A project")
        .tag("projects")
        .response::<Project>()
        .add(get_project);
    api.patch("/api/v1/projects/{project}", "updateProject", "Rename or describe a project")
        .tag("projects")
        .optional_if_match()
        .request::<Rename>()
        .response::<Project>()
        .add(update_project);
    api.get("/api/v1/projects/{project}/members", "listProjectMembers", "Who has a role on a project")
        .tag("projects")
        .response::<Vec<Member>>()
        .add(project_members);
    api.put("/api/v1/projects/{project}/members/{user}", "setProjectMember", "Give a user a role on a project")
        .tag("projects")
        .request::<RoleRequest>()
        .response::<Member>()
        .add(set_project_member);
    api.delete(
        "/api/v1/projects/{project}/members/{user}",
        "removeProjectMember",
        "Take a user's role on a project away",
    )
    .tag("projects")
    .status(204)
    .add(remove_project_member);
    api.get("/api/v1/projects/{project}/tokens", "listProjectTokens", "A project's API tokens (for CI)")
        .tag("tokens")
        .response::<Vec<TokenInfo>>()
        .add(list_project_tokens);
    api.post("/api/v1/projects/{project}/tokens", "createProjectToken", "Create a project API token (shown once)")
        .tag("tokens")
        .status(201)
        .request::<NewProjectToken>()
        .response::<CreatedToken>()
        .add(create_project_token);
    api.delete("/api/v1/projects/{project}/tokens/{token}", "revokeProjectToken", "Revoke a project API token")
        .tag("tokens")
        .status(204)
        .add(revoke_project_token);
}

#[derive(Serialize, JsonSchema)]
pub struct BusinessUnit {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Your role on it (`viewer` when you only work on one of its projects).
    pub role: Role,
    pub projects: i64,
    pub created_at: String,
    /// For `If-Match` on an update: changes with its name and description.
    pub etag: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBusinessUnit {
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rename {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct Member {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    pub role: Role,
}

#[derive(Serialize, JsonSchema)]
pub struct Project {
    pub id: String,
    pub business_unit_id: String,
    pub name: String,
    pub description: String,
    /// Your role on it.
    pub role: Role,
    pub models: i64,
    /// Unresolved threats over the latest versions of its models, by severity.
    pub unresolved: SeverityCounts,
    pub created_at: String,
    /// For `If-Match` on an update: changes with its name and description.
    pub etag: String,
}

#[derive(Serialize, JsonSchema, Default, Clone, Copy)]
pub struct SeverityCounts {
    pub critical: i64,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectQuery {
    /// Only the projects of this business unit.
    pub business_unit: Option<String>,
    /// Only projects whose name contains this text (any case).
    pub q: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProject {
    pub business_unit_id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProjectToken {
    pub name: String,
    /// `viewer` (default; reads for dashboards) or `developer` (CI that saves models). At most `developer`.
    pub role: Option<Role>,
    pub expires_in_days: Option<i64>,
}

/// The caller's grants: (scope kind, id) → role.
async fn caller_grants(state: &AppState, caller: &Caller) -> ApiResult<HashMap<(String, String), Role>> {
    let rows = sqlx::query("SELECT scope_kind, scope_id, role FROM role_grants WHERE user_id = $1")
        .bind(&caller.user_id)
        .fetch_all(&state.db.pool)
        .await?;
    let mut grants = HashMap::new();
    for row in rows {
        if let Some(role) = Role::parse(&row.try_get::<String, _>("role")?) {
            grants.insert((row.try_get("scope_kind")?, row.try_get("scope_id")?), role);
        }
    }
    Ok(grants)
}

fn unit_from_row(row: &sqlx::any::AnyRow, role: Role) -> ApiResult<BusinessUnit> {
    let (id, name, description): (String, String, String) =
        (row.try_get("id")?, row.try_get("name")?, row.try_get("description")?);
    Ok(BusinessUnit {
        etag: content_etag("unit", &id, &[Some(&name), Some(&description)]),
        id,
        name,
        description,
        role,
        projects: row.try_get("projects")?,
        created_at: timestamp(row.try_get("created_at")?),
    })
}

const UNIT_SELECT: &str = "SELECT b.id, b.name, b.description, b.created_at, \
    (SELECT COUNT(*) FROM projects p WHERE p.business_unit_id = b.id) AS projects FROM business_units b";

async fn list_units(
    State(state): State<AppState>,
    caller: Caller,
    Query(page): Query<PageQuery>,
) -> ApiResult<axum::Json<Page<BusinessUnit>>> {
    let (limit, offset) = (page.limit()?, page.offset()?);
    if let CallerKind::ProjectToken { .. } = caller.kind {
        return Ok(axum::Json(Page { items: Vec::new(), total: 0, limit, offset }));
    }
    let rows = sqlx::query(&format!("{UNIT_SELECT} WHERE b.org_id = $1 ORDER BY LOWER(b.name), b.name"))
        .bind(&caller.org_id)
        .fetch_all(&state.db.pool)
        .await?;
    let grants = caller_grants(&state, &caller).await?;
    let project_units: Vec<String> = sqlx::query_scalar(
        "SELECT p.business_unit_id FROM role_grants g JOIN projects p ON p.id = g.scope_id \
         WHERE g.user_id = $1 AND g.scope_kind = 'project'",
    )
    .bind(&caller.user_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut visible = Vec::new();
    for row in &rows {
        let id: String = row.try_get("id")?;
        let role = caller
            .capped(grants.get(&("business-unit".to_string(), id.clone())).copied())
            .or_else(|| project_units.contains(&id).then_some(Role::Viewer));
        if let Some(role) = role {
            visible.push(unit_from_row(row, role)?);
        }
    }
    let total = visible.len() as i64;
    let items = visible.into_iter().skip(offset as usize).take(limit as usize).collect();
    Ok(axum::Json(Page { items, total, limit, offset }))
}

async fn fetch_unit(state: &AppState, caller: &Caller, unit_id: &str) -> ApiResult<BusinessUnit> {
    let (_, role) = caller.business_unit(state, unit_id).await?;
    let row = sqlx::query(&format!("{UNIT_SELECT} WHERE b.id = $1 AND b.org_id = $2"))
        .bind(unit_id)
        .bind(&caller.org_id)
        .fetch_one(&state.db.pool)
        .await?;
    unit_from_row(&row, role)
}

async fn create_unit(
    State(state): State<AppState>,
    caller: Caller,
    Body(request): Body<NewBusinessUnit>,
) -> ApiResult<Response> {
    caller.require_org_admin()?;
    let name = text_field("name", &request.name, 200)?;
    let id = new_id();
    let mut tx = state.db.write().await?;
    sqlx::query("INSERT INTO business_units (id, org_id, name, description, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&id)
        .bind(&caller.org_id)
        .bind(&name)
        .bind(request.description.trim())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    audit::record(&mut tx, &caller, "business-unit.create", "business-unit", &id, json!({"name": name})).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(fetch_unit(&state, &caller, &id).await?)).into_response())
}

async fn get_unit(State(state): State<AppState>, caller: Caller, Path(unit_id): Path<String>) -> ApiResult<Response> {
    let unit = fetch_unit(&state, &caller, &unit_id).await?;
    Ok(([etag(&unit.etag)], axum::Json(unit)).into_response())
}

/// Checks `wanted` against what `table`'s row `id` holds now, inside the
/// update's transaction (its row locked on PostgreSQL; SQLite's write
/// transaction already excludes other writers).
async fn check_unchanged(tx: &mut crate::db::Tx, kind: &str, table: &str, id: &str, wanted: &IfMatch) -> ApiResult<()> {
    if matches!(wanted, IfMatch::Any) {
        return Ok(());
    }
    let lock = if tx.backend() == crate::db::Backend::Postgres { " FOR UPDATE" } else { "" };
    let (name, description): (String, String) =
        sqlx::query_as(&format!("SELECT name, description FROM {table} WHERE id = $1{lock}"))
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    if wanted.matches(&content_etag(kind, id, &[Some(&name), Some(&description)])) {
        Ok(())
    } else {
        Err(changed_meanwhile(if kind == "unit" { "business unit" } else { kind }))
    }
}

fn require_admin(role: Role, what: &str) -> ApiResult<()> {
    if role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::forbidden(format!("this needs the admin role on the {what}; you have {role}")))
    }
}

async fn update_unit(
    State(state): State<AppState>,
    caller: Caller,
    Path(unit_id): Path<String>,
    headers: HeaderMap,
    Body(change): Body<Rename>,
) -> ApiResult<Response> {
    let (_, role) = caller.business_unit(&state, &unit_id).await?;
    require_admin(role, "business unit")?;
    let wanted = if_match_optional(&headers)?;
    let mut tx = state.db.write().await?;
    check_unchanged(&mut tx, "unit", "business_units", &unit_id, &wanted).await?;
    if let Some(name) = &change.name {
        let name = text_field("name", name, 200)?;
        sqlx::query("UPDATE business_units SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(&unit_id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(description) = &change.description {
        sqlx::query("UPDATE business_units SET description = $1 WHERE id = $2")
            .bind(description.trim())
            .bind(&unit_id)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        &caller,
        "business-unit.update",
        "business-unit",
        &unit_id,
        json!({"name": change.name, "description": change.description}),
    )
    .await?;
    tx.commit().await?;
    let unit = fetch_unit(&state, &caller, &unit_id).await?;
    Ok(([etag(&unit.etag)], axum::Json(unit)).into_response())
}

async fn members(state: &AppState, kind: &str, scope_id: &str) -> ApiResult<Vec<Member>> {
    let rows = sqlx::query(
        "SELECT u.id, u.username, u.display_name, g.role FROM role_grants g JOIN users u ON u.id = g.user_id \
         WHERE g.scope_kind = $1 AND g.scope_id = $2 ORDER BY LOWER(u.username), u.username",
    )
    .bind(kind)
    .bind(scope_id)
    .fetch_all(&state.db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Member {
                user_id: row.try_get("id")?,
                username: row.try_get("username")?,
                display_name: row.try_get("display_name")?,
                role: Role::parse(&row.try_get::<String, _>("role")?).unwrap_or(Role::Viewer),
            })
        })
        .collect()
}

async fn set_member(
    state: &AppState,
    caller: &Caller,
    kind: &str,
    scope_id: &str,
    user_id: &str,
    role: Role,
) -> ApiResult<Member> {
    let user = sqlx::query("SELECT username, display_name FROM users WHERE id = $1 AND org_id = $2")
        .bind(user_id)
        .bind(&caller.org_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let mut tx = state.db.write().await?;
    sqlx::query(
        "INSERT INTO role_grants (user_id, scope_kind, scope_id, role, granted_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (user_id, scope_kind, scope_id) DO UPDATE SET role = excluded.role, granted_at = excluded.granted_at",
    )
    .bind(user_id)
    .bind(kind)
    .bind(scope_id)
    .bind(role.as_str())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    audit::record(&mut tx, caller, "member.set", kind, scope_id, json!({"user": user_id, "role": role})).await?;
    tx.commit().await?;
    Ok(Member {
        user_id: user_id.to_string(),
        username: user.try_get("username")?,
        display_name: user.try_get("display_name")?,
        role,
    })
}

async fn remove_member(
    state: &AppState,
    caller: &Caller,
    kind: &str,
    scope_id: &str,
    user_id: &str,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.write().await?;
    let done = sqlx::query("DELETE FROM role_grants WHERE user_id = $1 AND scope_kind = $2 AND scope_id = $3")
        .bind(user_id)
        .bind(kind)
        .bind(scope_id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("member"));
    }
    audit::record(&mut tx, caller, "member.remove", kind, scope_id, json!({"user": user_id})).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn unit_members(
    State(state): State<AppState>,
    caller: Caller,
    Path(unit_id): Path<String>,
) -> ApiResult<axum::Json<Vec<Member>>> {
    let (_, role) = caller.business_unit(&state, &unit_id).await?;
    require_admin(role, "business unit")?;
    Ok(axum::Json(members(&state, "business-unit", &unit_id).await?))
}

async fn set_unit_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((unit_id, user_id)): Path<(String, String)>,
    Body(request): Body<RoleRequest>,
) -> ApiResult<axum::Json<Member>> {
    let (_, role) = caller.business_unit(&state, &unit_id).await?;
    require_admin(role, "business unit")?;
    Ok(axum::Json(set_member(&state, &caller, "business-unit", &unit_id, &user_id, request.role).await?))
}

async fn remove_unit_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((unit_id, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (_, role) = caller.business_unit(&state, &unit_id).await?;
    require_admin(role, "business unit")?;
    remove_member(&state, &caller, "business-unit", &unit_id, &user_id).await
}

const PROJECT_SELECT: &str = "SELECT p.id, p.business_unit_id, p.name, p.description, p.created_at, \
    (SELECT COUNT(*) FROM models m WHERE m.project_id = p.id) AS models, \
    (SELECT CAST(COALESCE(SUM(v.critical), 0) AS BIGINT) FROM models m JOIN model_versions v ON v.model_id = m.id AND v.version = m.head_version WHERE m.project_id = p.id) AS critical, \
    (SELECT CAST(COALESCE(SUM(v.high), 0) AS BIGINT) FROM models m JOIN model_versions v ON v.model_id = m.id AND v.version = m.head_version WHERE m.project_id = p.id) AS high, \
    (SELECT CAST(COALESCE(SUM(v.medium), 0) AS BIGINT) FROM models m JOIN model_versions v ON v.model_id = m.id AND v.version = m.head_version WHERE m.project_id = p.id) AS medium, \
    (SELECT CAST(COALESCE(SUM(v.low), 0) AS BIGINT) FROM models m JOIN model_versions v ON v.model_id = m.id AND v.version = m.head_version WHERE m.project_id = p.id) AS low \
    FROM projects p";

fn project_from_row(row: &sqlx::any::AnyRow, role: Role) -> ApiResult<Project> {
    let (id, name, description): (String, String, String) =
        (row.try_get("id")?, row.try_get("name")?, row.try_get("description")?);
    Ok(Project {
        etag: content_etag("project", &id, &[Some(&name), Some(&description)]),
        id,
        business_unit_id: row.try_get("business_unit_id")?,
        name,
        description,
        role,
        models: row.try_get("models")?,
        unresolved: SeverityCounts {
            critical: row.try_get("critical")?,
            high: row.try_get("high")?,
            medium: row.try_get("medium")?,
            low: row.try_get("low")?,
        },
        created_at: timestamp(row.try_get("created_at")?),
    })
}

async fn list_projects(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ProjectQuery>,
) -> ApiResult<axum::Json<Page<Project>>> {
    let page = PageQuery { limit: query.limit, offset: query.offset };
    let (limit, offset) = (page.limit()?, page.offset()?);
    // Which projects the caller sees is decided here, from its grants; only
    // the page's projects are then counted (their models and unresolved
    // threats), not every project of the organisation.
    let candidates: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.id, p.business_unit_id FROM projects p WHERE p.org_id = $1 \
         AND ($2 = '' OR p.business_unit_id = $2) AND ($3 = '' OR LOWER(p.name) LIKE $3 ESCAPE '\\') \
         ORDER BY LOWER(p.name), p.name",
    )
    .bind(&caller.org_id)
    .bind(query.business_unit.clone().unwrap_or_default())
    .bind(query.q.as_deref().filter(|q| !q.is_empty()).map(super::common::contains_pattern).unwrap_or_default())
    .fetch_all(&state.db.pool)
    .await?;
    let grants = caller_grants(&state, &caller).await?;
    let visible: Vec<(String, Role)> = candidates
        .into_iter()
        .filter_map(|(id, unit)| {
            let role = match &caller.kind {
                CallerKind::ProjectToken { project_id, role, .. } => (*project_id == id).then_some(*role),
                _ => caller.capped(
                    grants
                        .get(&("project".to_string(), id.clone()))
                        .copied()
                        .max(grants.get(&("business-unit".to_string(), unit)).copied()),
                ),
            };
            role.map(|role| (id, role))
        })
        .collect();
    let total = visible.len() as i64;
    let page: Vec<(String, Role)> = visible.into_iter().skip(offset as usize).take(limit as usize).collect();
    if page.is_empty() {
        return Ok(axum::Json(Page { items: Vec::new(), total, limit, offset }));
    }
    let placeholders: Vec<String> = (1..=page.len()).map(|n| format!("${n}")).collect();
    let sql = format!("{PROJECT_SELECT} WHERE p.id IN ({})", placeholders.join(", "));
    let mut counted = sqlx::query(&sql);
    for (id, _) in &page {
        counted = counted.bind(id);
    }
    let mut rows: HashMap<String, sqlx::any::AnyRow> = HashMap::new();
    for row in counted.fetch_all(&state.db.pool).await? {
        rows.insert(row.try_get("id")?, row);
    }
    // In the list's order; a project deleted since it was read is left out.
    let items = page
        .iter()
        .filter_map(|(id, role)| rows.get(id).map(|row| project_from_row(row, *role)))
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(axum::Json(Page { items, total, limit, offset }))
}

async fn fetch_project(state: &AppState, caller: &Caller, project_id: &str) -> ApiResult<Project> {
    let access = caller.project(state, project_id).await?;
    let row =
        sqlx::query(&format!("{PROJECT_SELECT} WHERE p.id = $1")).bind(project_id).fetch_one(&state.db.pool).await?;
    project_from_row(&row, access.role)
}

async fn create_project(
    State(state): State<AppState>,
    caller: Caller,
    Body(request): Body<NewProject>,
) -> ApiResult<Response> {
    let (_, role) =
        caller.business_unit(&state, &request.business_unit_id).await.map_err(|error| match error.code {
            "not-found" => ApiError::invalid_field("business_unit_id", "no such business unit"),
            _ => error,
        })?;
    require_admin(role, "business unit")?;
    let name = text_field("name", &request.name, 200)?;
    let id = new_id();
    let mut tx = state.db.write().await?;
    sqlx::query("INSERT INTO projects (id, org_id, business_unit_id, name, description, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&id)
        .bind(&caller.org_id)
        .bind(&request.business_unit_id)
        .bind(&name)
        .bind(request.description.trim())
        .bind(now_ms())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        &caller,
        "project.create",
        "project",
        &id,
        json!({"name": name, "business_unit": request.business_unit_id}),
    )
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(fetch_project(&state, &caller, &id).await?)).into_response())
}

async fn get_project(
    State(state): State<AppState>,
    caller: Caller,
    Path(project_id): Path<String>,
) -> ApiResult<Response> {
    let project = fetch_project(&state, &caller, &project_id).await?;
    Ok(([etag(&project.etag)], axum::Json(project)).into_response())
}

async fn update_project(
    State(state): State<AppState>,
    caller: Caller,
    Path(project_id): Path<String>,
    headers: HeaderMap,
    Body(change): Body<Rename>,
) -> ApiResult<Response> {
    caller.project(&state, &project_id).await?.require(Role::Admin, "change the project")?;
    let wanted = if_match_optional(&headers)?;
    let mut tx = state.db.write().await?;
    check_unchanged(&mut tx, "project", "projects", &project_id, &wanted).await?;
    if let Some(name) = &change.name {
        let name = text_field("name", name, 200)?;
        sqlx::query("UPDATE projects SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(&project_id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(description) = &change.description {
        sqlx::query("UPDATE projects SET description = $1 WHERE id = $2")
            .bind(description.trim())
            .bind(&project_id)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(
        &mut tx,
        &caller,
        "project.update",
        "project",
        &project_id,
        json!({"name": change.name, "description": change.description}),
    )
    .await?;
    tx.commit().await?;
    let project = fetch_project(&state, &caller, &project_id).await?;
    Ok(([etag(&project.etag)], axum::Json(project)).into_response())
}

async fn project_members(
    State(state): State<AppState>,
    caller: Caller,
    Path(project_id): Path<String>,
) -> ApiResult<axum::Json<Vec<Member>>> {
    caller.project(&state, &project_id).await?.require(Role::Admin, "see the project's members")?;
    Ok(axum::Json(members(&state, "project", &project_id).await?))
}

async fn set_project_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((project_id, user_id)): Path<(String, String)>,
    Body(request): Body<RoleRequest>,
) -> ApiResult<axum::Json<Member>> {
    caller.project(&state, &project_id).await?.require(Role::Admin, "change the project's members")?;
    Ok(axum::Json(set_member(&state, &caller, "project", &project_id, &user_id, request.role).await?))
}

async fn remove_project_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((project_id, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.project(&state, &project_id).await?.require(Role::Admin, "change the project's members")?;
    remove_member(&state, &caller, "project", &project_id, &user_id).await
}

async fn list_project_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(project_id): Path<String>,
) -> ApiResult<axum::Json<Vec<TokenInfo>>> {
    caller.project(&state, &project_id).await?.require(Role::Admin, "manage the project's tokens")?;
    let rows =
        sqlx::query(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE project_id = $1 ORDER BY created_at DESC"))
            .bind(&project_id)
            .fetch_all(&state.db.pool)
            .await?;
    Ok(axum::Json(rows.iter().map(token_info).collect::<ApiResult<Vec<_>>>()?))
}

async fn create_project_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(project_id): Path<String>,
    Body(request): Body<NewProjectToken>,
) -> ApiResult<Response> {
    caller.require_session()?;
    caller.project(&state, &project_id).await?.require(Role::Admin, "manage the project's tokens")?;
    let (name, expires_at) = token_terms(&request.name, request.expires_in_days)?;
    let role = request.role.unwrap_or(Role::Viewer);
    if role > Role::Developer {
        return Err(ApiError::invalid_field(
            "role",
            "a project token is at most `developer`: it must not accept risks or manage the project",
        ));
    }
    let secret = new_token_secret();
    let id = new_id();
    let now = now_ms();
    let mut tx = state.db.write().await?;
    sqlx::query(
        "INSERT INTO api_tokens (id, org_id, token_hash, name, user_id, project_id, role, created_by, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(&caller.org_id)
    .bind(secrets::digest(&secret))
    .bind(&name)
    .bind(&project_id)
    .bind(role.as_str())
    .bind(&caller.user_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &caller,
        "token.create",
        "project",
        &project_id,
        json!({"token": id, "name": name, "role": role}),
    )
    .await?;
    tx.commit().await?;
    let info = TokenInfo {
        id,
        name,
        role,
        project_id: Some(project_id),
        created_at: timestamp(now),
        expires_at: expires_at.map(timestamp),
        last_used_at: None,
        revoked: false,
    };
    Ok((StatusCode::CREATED, axum::Json(CreatedToken { info, token: secret })).into_response())
}

async fn revoke_project_token(
    State(state): State<AppState>,
    caller: Caller,
    Path((project_id, token_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.project(&state, &project_id).await?.require(Role::Admin, "manage the project's tokens")?;
    let mut tx = state.db.write().await?;
    let done =
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND project_id = $3 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(&token_id)
            .bind(&project_id)
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 0 {
        return Err(ApiError::not_found("token"));
    }
    audit::record(&mut tx, &caller, "token.revoke", "project", &project_id, json!({"token": token_id})).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
