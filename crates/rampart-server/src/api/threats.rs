//! The threats of a model and their lifecycle: status with justification,
//! owner, due date and acceptance expiry; comments; countermeasure status.
//! Decisions are kept per model by the threat's stable id, so they carry
//! forward to every later version that still raises the threat.

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rampart_model::{Located, Status, Tracking};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;

use super::common::{Body, Page, PageQuery, Path, Query, contains_pattern, date_field, etag, if_match, text_field};
use super::registry::Api;
use crate::audit;
use crate::auth::{Caller, Role};
use crate::db::{Backend, new_id, now_ms, timestamp};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::details;

pub fn register(api: &mut Api) {
    api.get("/api/v1/models/{model}/threats", "listThreats", "The threats of a version, filtered and sorted")
        .tag("threats")
        .query::<ThreatQuery>()
        .response::<ThreatPage>()
        .add(list_threats);
    api.get(
        "/api/v1/models/{model}/threats/{threat}",
        "getThreat",
        "A threat: explanation, countermeasures, mappings and decision",
    )
    .tag("threats")
    .response::<ThreatDetail>()
    .add(get_threat);
    api.patch(
        "/api/v1/models/{model}/threats/{threat}",
        "updateThreat",
        "Set a threat's status, owner, due date or expiry",
    )
    .tag("threats")
    .describe(
        "Developers may set open, in-progress and mitigated; accepting a risk or marking a false positive \
             needs a security architect, and a developer's request for it is recorded as a proposal (202). Setting an \
             acceptance's expiry, or rewriting an accepted risk's justification, also needs a security architect. \
             Needs If-Match with the threat's ETag.",
    )
    .header("If-Match", "The threat's ETag from the last read, or `*`")
    .request::<ThreatChange>()
    .response::<ThreatDecision>()
    .add(update_threat);
    api.get("/api/v1/models/{model}/threats/{threat}/comments", "listComments", "Comments on a threat, oldest first")
        .tag("threats")
        .query::<PageQuery>()
        .response::<Page<Comment>>()
        .add(list_comments);
    api.post("/api/v1/models/{model}/threats/{threat}/comments", "addComment", "Comment on a threat")
        .tag("threats")
        .status(201)
        .request::<NewComment>()
        .response::<Comment>()
        .add(add_comment);
    api.get(
        "/api/v1/models/{model}/countermeasures",
        "listCountermeasures",
        "The countermeasures of the latest version's threats, with their status",
    )
    .tag("threats")
    .response::<Vec<CountermeasureStatus>>()
    .add(list_countermeasures);
    api.patch(
        "/api/v1/models/{model}/countermeasures/{countermeasure}",
        "updateCountermeasure",
        "Set a countermeasure's status",
    )
    .tag("threats")
    .describe(
        "recommended → required → implemented, or not-applicable. Requiring or waiving one needs a security architect.",
    )
    .header("If-Match", "The countermeasure's ETag from the last read, or `*`")
    .request::<CountermeasureChange>()
    .response::<CountermeasureStatus>()
    .add(update_countermeasure);
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreatQuery {
    /// Which version (default: the latest).
    pub version: Option<i64>,
    /// Only this status: open, in-progress, mitigated, accepted, false-positive; `unresolved` for open and in progress.
    pub status: Option<String>,
    /// Only this current severity or higher: low, medium, high, critical.
    pub min_severity: Option<String>,
    /// Only threats of this rule.
    pub rule: Option<String>,
    /// Only threats on this element, flow or data id.
    pub target: Option<String>,
    /// Only threats whose title contains this (any case).
    pub q: Option<String>,
    /// `-score` (default), `score`, `id`, `title`, `target`, `status`.
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// One page of a version's threats.
#[derive(Serialize, JsonSchema)]
pub struct ThreatPage {
    pub items: Vec<ThreatSummary>,
    /// How many threats match, over all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
    /// The version listed: without `version` in the query, the latest, read
    /// with the page. Asking the next pages for it by number keeps them on
    /// that version while saves land.
    pub version: i64,
}

#[derive(Serialize, JsonSchema)]
pub struct ThreatSummary {
    pub id: String,
    pub rule: String,
    pub title: String,
    pub target: String,
    /// element, flow, data or model.
    pub target_kind: String,
    pub severity: String,
    pub score: f64,
    pub stride: Vec<String>,
    /// The decision if one was made here, else what the analysis says.
    pub status: String,
    pub owner: Option<String>,
    pub due_date: Option<String>,
    /// When an acceptance must be reviewed again (YYYY-MM-DD).
    pub expires: Option<String>,
    /// Accepted until a date that has passed: it counts as unresolved again
    /// (`status=unresolved` lists it), as in the CLI's analysis.
    pub expired: bool,
    /// The version since which the threat is raised as it is now.
    pub since_version: i64,
}

#[derive(Serialize, JsonSchema, Default)]
pub struct ThreatDecision {
    pub status: String,
    pub justification: Option<String>,
    pub owner: Option<String>,
    pub due_date: Option<String>,
    /// When an acceptance must be reviewed again (YYYY-MM-DD).
    pub expires: Option<String>,
    pub ticket: Option<String>,
    /// A status a developer asked for, waiting for a security architect.
    pub proposed_status: Option<String>,
    pub proposed_justification: Option<String>,
    pub proposed_by: Option<String>,
    pub revision: i64,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
    pub etag: String,
}

#[derive(Serialize, JsonSchema)]
pub struct ThreatDetail {
    #[serde(flatten)]
    pub summary: ThreatSummary,
    pub decision: ThreatDecision,
    /// The engine's account: because, risk factors, countermeasures, CWE/CAPEC/ATT&CK mappings.
    pub analysis: Value,
    pub description: String,
    pub references: Vec<String>,
    /// Each countermeasure with its name, description and implementation guidance.
    pub countermeasures: Value,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreatChange {
    /// open, in-progress, mitigated, accepted or false-positive.
    pub status: Option<String>,
    /// Why; required to accept a risk or mark a false positive.
    pub justification: Option<String>,
    pub owner: Option<String>,
    /// YYYY-MM-DD.
    pub due_date: Option<String>,
    /// YYYY-MM-DD: when an acceptance must be reviewed again.
    pub expires: Option<String>,
    pub ticket: Option<String>,
}

impl ThreatChange {
    fn is_empty(&self) -> bool {
        let ThreatChange { status, justification, owner, due_date, expires, ticket } = self;
        [status, justification, owner, due_date, expires, ticket].iter().all(|field| field.is_none())
    }
}

#[derive(Serialize, JsonSchema)]
pub struct Comment {
    pub id: String,
    pub author: String,
    pub body: String,
    pub created_at: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    pub body: String,
}

#[derive(Serialize, JsonSchema)]
pub struct CountermeasureStatus {
    pub id: String,
    pub name: String,
    /// recommended, required, implemented or not-applicable.
    pub status: String,
    /// Whether the latest version's model declares it.
    pub present_in_model: bool,
    /// Threats of the latest version it counters.
    pub threats: i64,
    pub note: Option<String>,
    pub revision: i64,
    pub etag: String,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountermeasureChange {
    pub status: String,
    pub note: Option<String>,
}

const STATUSES: [&str; 5] = ["open", "in-progress", "mitigated", "accepted", "false-positive"];
const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// The threats of a version with their decisions: `$1` the model, `$2` the version.
const THREAT_FROM: &str = "FROM threats t LEFT JOIN threat_states s ON s.model_id = t.model_id AND s.threat_id = t.threat_id \
    WHERE t.model_id = $1 AND t.since_version <= $2 AND (t.until_version IS NULL OR t.until_version >= $2)";
/// The threats of the latest version with their decisions: `$1` the model.
///
/// The rows still open, which `threats_head` holds (and `threats_current`
/// finds): a model's history, however long, is not read.
/// (The version range above reads every row created up to the version.)
/// One statement sees one snapshot, so a save committed meanwhile shows
/// whole or not at all.
const LATEST_THREAT_FROM: &str = "FROM threats t LEFT JOIN threat_states s \
    ON s.model_id = t.model_id AND s.threat_id = t.threat_id WHERE t.model_id = $1 AND t.until_version IS NULL";
/// [`THREAT_FROM`] for a recent version on SQLite: its rows are the open
/// ones and those closed since, found by `threats_current`, where the
/// version's range reads every row created up to the version.
const RECENT_THREAT_FROM: &str = "FROM (SELECT model_id, threat_id, rule, title, target, target_kind, severity, \
    severity_rank, score, stride, analysis_status, since_version, fingerprint FROM threats INDEXED BY threats_current \
    WHERE model_id = $1 AND until_version IS NULL AND since_version <= $2 \
    UNION ALL SELECT model_id, threat_id, rule, title, target, target_kind, severity, severity_rank, score, stride, \
    analysis_status, since_version, fingerprint FROM threats INDEXED BY threats_current \
    WHERE model_id = $1 AND until_version >= $2 AND since_version <= $2) t \
    LEFT JOIN threat_states s ON s.model_id = t.model_id AND s.threat_id = t.threat_id WHERE t.model_id = $1";

/// The FROM and WHERE clauses of a list of `version`'s threats (the
/// latest's when none) in a model whose head is `head`.
///
/// SQLite's planner, without statistics, is told the index. The latest
/// version's rows come from `threats_head`, which holds every listed column
/// of the open rows in score order: a page by score stops once it is full,
/// any other order or count reads the model's open rows and nothing more. An
/// older version's come by its range in `threats_list`, which reads every
/// row created up to the version: a recent version's, from the other end,
/// are the open rows and those closed since, each read from the table.
/// Measured on SQLite with 4,432 versions of a 200-component model (1,663
/// threats), a page of version 4,431 took 13.6 ms by its range and 2.2 ms
/// from the head's end, version 4,232 12.7 and 5.1 ms, version 3,693 11.2
/// and 12.8 ms, version 2,216 7.2 and 37.4 ms: the head's end is taken
/// within the last eighth of the history. PostgreSQL's planner makes the
/// same choice from its statistics.
fn threats_from(backend: Backend, version: Option<i64>, head: i64) -> String {
    match (backend, version) {
        (Backend::Postgres, None) => LATEST_THREAT_FROM.to_string(),
        (Backend::Postgres, Some(_)) => THREAT_FROM.to_string(),
        (Backend::Sqlite, None) => {
            LATEST_THREAT_FROM.replacen("FROM threats t ", "FROM threats t INDEXED BY threats_head ", 1)
        }
        (Backend::Sqlite, Some(version)) if (head - version) * 7 < version => RECENT_THREAT_FROM.to_string(),
        (Backend::Sqlite, Some(_)) => {
            THREAT_FROM.replacen("FROM threats t ", "FROM threats t INDEXED BY threats_list ", 1)
        }
    }
}

/// The columns of a list entry: not the detail, which lists never show.
/// `expires` is the stored decision's, or for a threat the document itself
/// accepts (its `threats:` entries), the document's review date.
fn summary_columns(backend: Backend) -> &'static str {
    static COLUMNS: LazyLock<[String; 2]> = LazyLock::new(|| {
        [Backend::Sqlite, Backend::Postgres].map(|backend| {
            format!(
                "t.threat_id, t.rule, t.title, t.target, t.target_kind, t.severity, t.score, t.stride, \
                 t.since_version, COALESCE(s.status, t.analysis_status) AS status, s.owner, s.due_date, \
                 {} AS expires",
                acceptance_expiry(backend)
            )
        })
    });
    &COLUMNS[backend_index(backend)]
}

/// The `unresolved` filter: open, in progress, or accepted until a day
/// before the parameter `?` (today).
fn unresolved_filter(backend: Backend) -> &'static str {
    static FILTERS: LazyLock<[String; 2]> = LazyLock::new(|| {
        [Backend::Sqlite, Backend::Postgres].map(|backend| {
            format!(
                " AND (COALESCE(s.status, t.analysis_status) IN ('open', 'in-progress') \
                 OR (COALESCE(s.status, t.analysis_status) = 'accepted' AND {} < ?))",
                acceptance_expiry(backend)
            )
        })
    });
    &FILTERS[backend_index(backend)]
}

fn backend_index(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 0,
        Backend::Postgres => 1,
    }
}

/// Until when the threat of row `t` is accepted: the stored decision's
/// date, else the date of the document's own acceptance, read from the
/// row's detail (only for such rows: one lookup by key each).
fn acceptance_expiry(backend: Backend) -> String {
    format!(
        "COALESCE(s.expires, CASE WHEN s.status IS NULL AND t.analysis_status = 'accepted' THEN {} END)",
        details::acceptance_expiry_of_row(backend)
    )
}

/// Today's date in UTC as stored dates are written (YYYY-MM-DD), which
/// compare as text in date order.
fn today() -> String {
    time::OffsetDateTime::now_utc().date().to_string()
}

/// A decision that accepted the threat until a day before `today`.
fn acceptance_expired(status: &str, expires: Option<&str>, today: &str) -> bool {
    status == "accepted" && expires.is_some_and(|date| date < today)
}

fn summary(row: &sqlx::any::AnyRow, today: &str) -> ApiResult<ThreatSummary> {
    let stride: String = row.try_get("stride")?;
    let status: String = row.try_get("status")?;
    let expires: Option<String> = row.try_get("expires")?;
    Ok(ThreatSummary {
        expired: acceptance_expired(&status, expires.as_deref(), today),
        expires,
        id: row.try_get("threat_id")?,
        rule: row.try_get("rule")?,
        title: row.try_get("title")?,
        target: row.try_get("target")?,
        target_kind: row.try_get("target_kind")?,
        severity: row.try_get("severity")?,
        score: row.try_get("score")?,
        stride: stride.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
        status,
        owner: row.try_get("owner")?,
        due_date: row.try_get("due_date")?,
        since_version: row.try_get("since_version")?,
    })
}

async fn list_threats(
    State(state): State<AppState>,
    caller: Caller,
    Path(model_id): Path<String>,
    Query(query): Query<ThreatQuery>,
) -> ApiResult<axum::Json<ThreatPage>> {
    let access = caller.model(&state, &model_id).await?;
    let page = PageQuery { limit: query.limit, offset: query.offset };
    let (limit, offset) = (page.limit()?, page.offset()?);
    let version = query.version.unwrap_or(access.head_version);
    if !(1..=access.head_version).contains(&version) {
        return Err(ApiError::invalid_field(
            "version",
            format!("`version` must be a version from 1 to {}, not {version}", access.head_version),
        ));
    }
    // Without a version, the latest: its open rows. A version asked for by
    // number is read by its range, even when it is the head, so that a save
    // committed meanwhile cannot change what that version lists.
    let latest = query.version.is_none();
    // The FROM and WHERE clauses; the two queries below put their own columns before them.
    let version_asked = (!latest).then_some(version);
    let mut sql = threats_from(state.db.backend, version_asked, access.head_version);
    let mut binds: Vec<String> = Vec::new();
    let mut next = if latest { 2 } else { 3 };
    let today = today();
    let mut condition = |sql: &mut String, clause: &str, value: String| {
        sql.push_str(&clause.replace('?', &format!("${next}")));
        binds.push(value);
        next += 1;
    };
    match query.status.as_deref() {
        None => {}
        // As the CLI counts them: open, in progress, or accepted until a day that has passed.
        Some("unresolved") => condition(&mut sql, unresolved_filter(state.db.backend), today.clone()),
        Some(status) if STATUSES.contains(&status) => {
            condition(&mut sql, " AND COALESCE(s.status, t.analysis_status) = ?", status.to_string())
        }
        Some(other) => {
            return Err(ApiError::invalid_field(
                "status",
                format!("unknown status `{other}`; expected unresolved or one of: {}", STATUSES.join(", ")),
            ));
        }
    }
    if let Some(severity) = &query.min_severity {
        if !SEVERITIES.contains(&severity.as_str()) {
            return Err(ApiError::invalid_field(
                "min_severity",
                format!("unknown severity `{severity}`; expected one of: {}", SEVERITIES.join(", ")),
            ));
        }
        sql.push_str(&format!(" AND t.severity_rank >= {}", crate::analysis::severity_rank(severity)));
    }
    if let Some(rule) = &query.rule {
        condition(&mut sql, " AND t.rule = ?", rule.clone());
    }
    if let Some(target) = &query.target {
        condition(&mut sql, " AND t.target = ?", target.clone());
    }
    if let Some(q) = &query.q {
        condition(&mut sql, " AND LOWER(t.title) LIKE ? ESCAPE '\\'", contains_pattern(q));
    }
    let order = match query.sort.as_deref().unwrap_or("-score") {
        "-score" => "t.score DESC, t.threat_id",
        "score" => "t.score, t.threat_id",
        "id" => "t.threat_id",
        "title" => "t.title, t.threat_id",
        "target" => "t.target, t.threat_id",
        "status" => "status, t.score DESC, t.threat_id",
        other => {
            return Err(ApiError::invalid_field(
                "sort",
                format!("unknown sort `{other}`; expected -score, score, id, title, target or status"),
            ));
        }
    };
    let filtered = !binds.is_empty() || query.status.is_some() || query.min_severity.is_some();
    // The total comes in the page's own statement, which sees one snapshot:
    // read apart, a save landing between them gave a latest list one
    // version's threats and the other's total. Unfiltered, it is the
    // version's threat count, stored with it. (A filtered count as a window,
    // `COUNT(*) OVER ()`, made SQLite carry every match through the sort:
    // 2.0 ms against 0.7 for this subquery, which runs once.)
    let total_sql = if filtered {
        format!("(SELECT COUNT(*) {sql})")
    } else if latest {
        "(SELECT v.threats_total FROM models m JOIN model_versions v ON v.model_id = m.id \
         AND v.version = m.head_version WHERE m.id = $1)"
            .to_string()
    } else {
        "(SELECT threats_total FROM model_versions WHERE model_id = $1 AND version = $2)".to_string()
    };
    // The latest version's number comes the same way, for the next pages
    // to ask for it by number.
    let version_sql = if latest { ", (SELECT head_version FROM models WHERE id = $1) AS list_version" } else { "" };
    let page_sql = format!(
        "SELECT {}, {total_sql} AS list_total{version_sql} {sql} \
         ORDER BY {order} LIMIT {limit} OFFSET {offset}",
        summary_columns(state.db.backend)
    );
    let bind_all = |query| list_query(query, &model_id, version_asked, &binds);
    let rows = bind_all(&page_sql).fetch_all(&state.db.pool).await?;
    // A page past the end has no row to carry them.
    let counted = match rows.first() {
        Some(row) => row,
        None => &bind_all(&format!("SELECT {total_sql} AS list_total{version_sql}")).fetch_one(&state.db.pool).await?,
    };
    let total: Option<i64> = counted.try_get("list_total")?;
    let version = if latest { counted.try_get("list_version")? } else { version };
    let items = rows.iter().map(|row| summary(row, &today)).collect::<ApiResult<Vec<_>>>()?;
    Ok(axum::Json(ThreatPage { items, total: total.unwrap_or(0), limit, offset, version }))
}

/// A list's statement with its parameters: the model, the version unless
/// the latest, then the filters' values.
fn list_query<'q>(
    sql: &'q str,
    model_id: &'q str,
    version: Option<i64>,
    filters: &'q [String],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    let mut query = sqlx::query(sql).bind(model_id);
    if let Some(version) = version {
        query = query.bind(version);
    }
    for value in filters {
        query = query.bind(value);
    }
    query
}

fn threat_etag(threat_id: &str, revision: i64) -> String {
    let digest = crate::auth::secrets::digest(threat_id);
    format!("\"t{}-r{revision}\"", &digest[..8])
}

async fn decision(
    state: &AppState,
    model_id: &str,
    threat_id: &str,
    analysis_status: &str,
) -> ApiResult<ThreatDecision> {
    let row = sqlx::query(
        "SELECT s.*, u.username AS updated_by_name FROM threat_states s LEFT JOIN users u ON u.id = s.updated_by \
         WHERE s.model_id = $1 AND s.threat_id = $2",
    )
    .bind(model_id)
    .bind(threat_id)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(row) = row else {
        return Ok(ThreatDecision {
            status: analysis_status.to_string(),
            etag: threat_etag(threat_id, 0),
            ..Default::default()
        });
    };
    let revision: i64 = row.try_get("revision")?;
    Ok(ThreatDecision {
        status: row.try_get("status")?,
        justification: row.try_get("justification")?,
        owner: row.try_get("owner")?,
        due_date: row.try_get("due_date")?,
        expires: row.try_get("expires")?,
        ticket: row.try_get("ticket")?,
        proposed_status: row.try_get("proposed_status")?,
        proposed_justification: row.try_get("proposed_justification")?,
        proposed_by: row.try_get("proposed_by")?,
        revision,
        updated_by: row.try_get("updated_by_name")?,
        updated_at: Some(timestamp(row.try_get("updated_at")?)),
        etag: threat_etag(threat_id, revision),
    })
}

/// The current row of a threat in the latest version, or "not found".
async fn current_threat(state: &AppState, model_id: &str, threat_id: &str) -> ApiResult<sqlx::any::AnyRow> {
    let columns = summary_columns(state.db.backend);
    sqlx::query(&format!("SELECT {columns}, {} {LATEST_THREAT_FROM} AND t.threat_id = $2", details::OF_ROW))
        .bind(model_id)
        .bind(threat_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or_else(|| ApiError::not_found(&format!("threat `{threat_id}` in the latest version")))
}

async fn get_threat(
    State(state): State<AppState>,
    caller: Caller,
    Path((model_id, threat_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    // The caller may read the model (or this answers 403 or 404).
    caller.model(&state, &model_id).await?;
    let row = current_threat(&state, &model_id, &threat_id).await?;
    let detail = details::read(&row)?;
    let analysis_status = detail["threat"]["status"].as_str().unwrap_or("open").to_string();
    let decision = decision(&state, &model_id, &threat_id, &analysis_status).await?;
    let (description, references, countermeasures) = crate::analysis::explain(&state.kb, &detail);
    let body = ThreatDetail {
        summary: summary(&row, &today())?,
        description,
        references,
        countermeasures,
        analysis: detail["threat"].clone(),
        decision,
    };
    Ok(([etag(&body.decision.etag)], axum::Json(body)).into_response())
}

/// The 409 of a change based on an old revision of a threat's decision.
fn threat_changed(revision: i64) -> ApiError {
    ApiError::conflict(format!(
        "the threat was changed by someone else since you read it (now at revision {revision} or later); read it again"
    ))
    .with_details(json!({"revision": revision}))
}

/// Cleans an optional text field: empty means "clear".
fn optional_text(field: &str, value: &Option<String>, max: usize) -> ApiResult<Option<Option<String>>> {
    match value {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(Some(None)),
        Some(text) => Ok(Some(Some(text_field(field, text, max)?))),
    }
}

async fn update_threat(
    State(state): State<AppState>,
    caller: Caller,
    Path((model_id, threat_id)): Path<(String, String)>,
    headers: HeaderMap,
    Body(change): Body<ThreatChange>,
) -> ApiResult<Response> {
    let access = caller.model(&state, &model_id).await?;
    access.project.require(Role::Developer, "change threats")?;
    let wanted = if_match(&headers)?;
    if change.is_empty() {
        // It would only bump the revision, and make every other editor's ETag stale.
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-body",
            "the change is empty: send at least one of status, justification, owner, due_date, expires, ticket",
        ));
    }
    let row = current_threat(&state, &model_id, &threat_id).await?;
    let detail = details::read(&row)?;
    let analysis_status = detail["threat"]["status"].as_str().unwrap_or("open").to_string();

    if let Some(status) = &change.status
        && !STATUSES.contains(&status.as_str())
    {
        return Err(ApiError::invalid_field(
            "status",
            format!("unknown status `{status}`; expected one of: {}", STATUSES.join(", ")),
        ));
    }
    let justification = optional_text("justification", &change.justification, 4000)?;
    let owner = optional_text("owner", &change.owner, 200)?;
    let ticket = optional_text("ticket", &change.ticket, 500)?;
    let due_date = change.due_date.as_ref().map(|d| date_field("due_date", Some(d.clone()))).transpose()?;
    let expires = change.expires.as_ref().map(|d| date_field("expires", Some(d.clone()))).transpose()?;

    let mut tx = state.db.write().await?;
    let before = sqlx::query("SELECT * FROM threat_states WHERE model_id = $1 AND threat_id = $2")
        .bind(&model_id)
        .bind(&threat_id)
        .fetch_optional(&mut *tx)
        .await?;
    let revision: i64 = match &before {
        Some(row) => row.try_get("revision")?,
        None => 0,
    };
    if !wanted.matches(&threat_etag(&threat_id, revision)) {
        return Err(threat_changed(revision));
    }
    let old = |column: &str| -> Option<String> { before.as_ref().and_then(|row| row.try_get(column).ok()).flatten() };
    let mut status = old("status").unwrap_or_else(|| analysis_status.clone());
    let mut justification_now = justification.clone().unwrap_or_else(|| old("justification"));
    let mut proposed = (old("proposed_status"), old("proposed_justification"), old("proposed_by"));
    let mut accepted_proposal = false;
    let architect = access.project.role >= Role::SecurityArchitect;
    // An accepted risk's reasons and review date are the architect's decision,
    // as the acceptance itself is: a developer may not rewrite or extend them
    // (nor set a review date in a proposal, which has no place to keep one).
    let keeps_status = change.status.as_ref().is_none_or(|wanted| *wanted == status);
    let rewrites_decision =
        keeps_status && matches!(status.as_str(), "accepted" | "false-positive") && change.justification.is_some();
    if !architect && (change.expires.is_some() || rewrites_decision) {
        return Err(ApiError::forbidden(format!(
            "setting an acceptance's expiry, or the justification of a threat marked `{status}`, needs a security \
             architect"
        )));
    }
    // An architect settling a developer's proposal may rely on its justification.
    if architect
        && change.justification.is_none()
        && change.status.is_some()
        && change.status == proposed.0
        && justification_now.is_none()
    {
        justification_now = proposed.1.clone();
    }
    if let Some(wanted_status) = &change.status {
        let needs_architect = matches!(wanted_status.as_str(), "accepted" | "false-positive");
        if needs_architect && justification_now.as_deref().is_none_or(str::is_empty) {
            return Err(ApiError::invalid_field(
                "justification",
                format!("a justification is required to set `{wanted_status}`"),
            ));
        }
        if needs_architect && !architect {
            proposed = (Some(wanted_status.clone()), justification_now.clone(), Some(caller.label.clone()));
            justification_now = old("justification");
            accepted_proposal = true;
        } else {
            status = wanted_status.clone();
            proposed = (None, None, None);
        }
    }
    let new_revision = revision + 1;
    let pick = |given: Option<Option<String>>, column: &str| given.unwrap_or_else(|| old(column));
    let owner = pick(owner, "owner");
    let due = pick(due_date, "due_date");
    let expires = pick(expires, "expires");
    let ticket = pick(ticket, "ticket");
    let written = sqlx::query(
        "INSERT INTO threat_states (model_id, threat_id, status, justification, owner, due_date, expires, ticket, \
         proposed_status, proposed_justification, proposed_by, revision, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (model_id, threat_id) DO UPDATE SET status = excluded.status, justification = excluded.justification, \
         owner = excluded.owner, due_date = excluded.due_date, expires = excluded.expires, ticket = excluded.ticket, \
         proposed_status = excluded.proposed_status, proposed_justification = excluded.proposed_justification, \
         proposed_by = excluded.proposed_by, revision = excluded.revision, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at WHERE threat_states.revision = $15",
    )
    .bind(&model_id)
    .bind(&threat_id)
    .bind(&status)
    .bind(&justification_now)
    .bind(&owner)
    .bind(&due)
    .bind(&expires)
    .bind(&ticket)
    .bind(&proposed.0)
    .bind(&proposed.1)
    .bind(&proposed.2)
    .bind(new_revision)
    .bind(&caller.user_id)
    .bind(now_ms())
    .bind(revision)
    .execute(&mut *tx)
    .await?;
    // Another writer that read the same revision committed first (PostgreSQL
    // runs both transactions side by side; the condition above settles it).
    if written.rows_affected() != 1 {
        return Err(threat_changed(revision + 1));
    }
    let action = if accepted_proposal { "threat.propose" } else { "threat.update" };
    let detail = json!({"model": model_id, "status": status, "proposed_status": proposed.0, "owner": owner,
                        "due_date": due, "expires": expires, "ticket": ticket, "justification": justification_now,
                        "revision": new_revision});
    audit::record(&mut tx, &caller, action, "threat", &threat_id, detail).await?;
    tx.commit().await?;
    let decision = decision(&state, &model_id, &threat_id, &analysis_status).await?;
    let code = if accepted_proposal { StatusCode::ACCEPTED } else { StatusCode::OK };
    Ok((code, [etag(&decision.etag)], axum::Json(decision)).into_response())
}

async fn list_comments(
    State(state): State<AppState>,
    caller: Caller,
    Path((model_id, threat_id)): Path<(String, String)>,
    Query(page): Query<PageQuery>,
) -> ApiResult<axum::Json<Page<Comment>>> {
    caller.model(&state, &model_id).await?;
    let (limit, offset) = (page.limit()?, page.offset()?);
    let rows = sqlx::query(
        "SELECT c.id, u.username, c.body, c.created_at FROM threat_comments c LEFT JOIN users u ON u.id = c.author_id \
         WHERE c.model_id = $1 AND c.threat_id = $2 ORDER BY c.created_at, c.id LIMIT $3 OFFSET $4",
    )
    .bind(&model_id)
    .bind(&threat_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM threat_comments WHERE model_id = $1 AND threat_id = $2")
        .bind(&model_id)
        .bind(&threat_id)
        .fetch_one(&state.db.pool)
        .await?;
    let items = rows
        .iter()
        .map(|row| {
            Ok(Comment {
                id: row.try_get("id")?,
                author: row.try_get::<Option<String>, _>("username")?.unwrap_or_default(),
                body: row.try_get("body")?,
                created_at: timestamp(row.try_get("created_at")?),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(axum::Json(Page { items, total, limit, offset }))
}

async fn add_comment(
    State(state): State<AppState>,
    caller: Caller,
    Path((model_id, threat_id)): Path<(String, String)>,
    Body(request): Body<NewComment>,
) -> ApiResult<Response> {
    let access = caller.model(&state, &model_id).await?;
    access.project.require(Role::Developer, "comment")?;
    current_threat(&state, &model_id, &threat_id).await?;
    let body = text_field("body", &request.body, 10_000)?;
    let id = new_id();
    let now = now_ms();
    let mut tx = state.db.write().await?;
    // Comments are listed oldest first by time: one posted in the same
    // millisecond as the thread's last is stamped a millisecond later, so
    // that the order is the order they were written.
    let created_at: i64 = sqlx::query_scalar(
        "INSERT INTO threat_comments (id, model_id, threat_id, author_id, body, created_at) \
         SELECT $1, $2, $3, $4, $5, CASE WHEN COALESCE(MAX(created_at), 0) >= $6 THEN MAX(created_at) + 1 ELSE $6 END \
         FROM threat_comments WHERE model_id = $2 AND threat_id = $3 RETURNING created_at",
    )
    .bind(&id)
    .bind(&model_id)
    .bind(&threat_id)
    .bind(&caller.user_id)
    .bind(&body)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, &caller, "threat.comment", "threat", &threat_id, json!({"model": model_id, "comment": id}))
        .await?;
    tx.commit().await?;
    let comment = Comment { id, author: caller.label.clone(), body, created_at: timestamp(created_at) };
    Ok((StatusCode::CREATED, axum::Json(comment)).into_response())
}

fn countermeasure_changed() -> ApiError {
    ApiError::conflict("the countermeasure was changed by someone else since you read it; read it again")
}

const COUNTERMEASURE_STATUSES: [&str; 4] = ["recommended", "required", "implemented", "not-applicable"];

fn countermeasure_etag(id: &str, revision: i64) -> String {
    let digest = crate::auth::secrets::digest(id);
    format!("\"c{}-r{revision}\"", &digest[..8])
}

/// Countermeasures of the head's threats: id → (present in the model, number of threats).
async fn head_countermeasures(
    state: &AppState,
    model_id: &str,
) -> ApiResult<std::collections::BTreeMap<String, (bool, i64)>> {
    // The open rows, through `threats_current` (see LATEST_THREAT_FROM).
    let rows = sqlx::query(&format!(
        "SELECT {} FROM threats t WHERE model_id = $1 AND until_version IS NULL",
        details::OF_ROW
    ))
    .bind(model_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut found: std::collections::BTreeMap<String, (bool, i64)> = std::collections::BTreeMap::new();
    for row in rows {
        let detail = details::read(&row)?;
        for countermeasure in detail["threat"]["countermeasures"].as_array().into_iter().flatten() {
            if let Some(id) = countermeasure["id"].as_str() {
                let entry = found.entry(id.to_string()).or_insert((false, 0));
                entry.0 |= countermeasure["present"].as_bool().unwrap_or(false);
                entry.1 += 1;
            }
        }
    }
    Ok(found)
}

async fn countermeasure_status(
    state: &AppState,
    model_id: &str,
    id: &str,
    present: bool,
    threats: i64,
) -> ApiResult<CountermeasureStatus> {
    let row = sqlx::query(
        "SELECT status, note, revision FROM countermeasure_states WHERE model_id = $1 AND countermeasure_id = $2",
    )
    .bind(model_id)
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?;
    let (status, note, revision) = match row {
        Some(row) => (row.try_get("status")?, row.try_get("note")?, row.try_get("revision")?),
        None => ((if present { "implemented" } else { "recommended" }).to_string(), None, 0),
    };
    let name =
        state.kb.countermeasures.iter().find(|c| c.id == id).map(|c| c.name.clone()).unwrap_or_else(|| id.to_string());
    Ok(CountermeasureStatus {
        id: id.to_string(),
        name,
        status,
        present_in_model: present,
        threats,
        note,
        revision,
        etag: countermeasure_etag(id, revision),
    })
}

async fn list_countermeasures(
    State(state): State<AppState>,
    caller: Caller,
    Path(model_id): Path<String>,
) -> ApiResult<axum::Json<Vec<CountermeasureStatus>>> {
    caller.model(&state, &model_id).await?;
    let found = head_countermeasures(&state, &model_id).await?;
    let mut list = Vec::with_capacity(found.len());
    for (id, (present, threats)) in found {
        list.push(countermeasure_status(&state, &model_id, &id, present, threats).await?);
    }
    Ok(axum::Json(list))
}

async fn update_countermeasure(
    State(state): State<AppState>,
    caller: Caller,
    Path((model_id, countermeasure_id)): Path<(String, String)>,
    headers: HeaderMap,
    Body(change): Body<CountermeasureChange>,
) -> ApiResult<Response> {
    let access = caller.model(&state, &model_id).await?;
    access.project.require(Role::Developer, "change countermeasures")?;
    let wanted = if_match(&headers)?;
    if !COUNTERMEASURE_STATUSES.contains(&change.status.as_str()) {
        return Err(ApiError::invalid_field(
            "status",
            format!("unknown status `{}`; expected one of: {}", change.status, COUNTERMEASURE_STATUSES.join(", ")),
        ));
    }
    if matches!(change.status.as_str(), "required" | "not-applicable") {
        access.project.require(Role::SecurityArchitect, &format!("mark a countermeasure {}", change.status))?;
    }
    let found = head_countermeasures(&state, &model_id).await?;
    let Some(&(present, threats)) = found.get(&countermeasure_id) else {
        return Err(ApiError::not_found(&format!(
            "countermeasure `{countermeasure_id}` among the latest version's threats"
        )));
    };
    let note = optional_text("note", &change.note, 4000)?.flatten();
    let mut tx = state.db.write().await?;
    let before = sqlx::query(
        "SELECT status, revision FROM countermeasure_states WHERE model_id = $1 AND countermeasure_id = $2",
    )
    .bind(&model_id)
    .bind(&countermeasure_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (decided, revision): (Option<String>, i64) = match &before {
        Some(row) => (Some(row.try_get("status")?), row.try_get("revision")?),
        None => (None, 0),
    };
    if !wanted.matches(&countermeasure_etag(&countermeasure_id, revision)) {
        return Err(countermeasure_changed());
    }
    // Taking back an architect's decision (back to `recommended`) is the architect's too.
    if change.status == "recommended" && matches!(decided.as_deref(), Some("required" | "not-applicable")) {
        access.project.require(
            Role::SecurityArchitect,
            &format!("take back a countermeasure marked {}", decided.as_deref().unwrap_or_default()),
        )?;
    }
    let written = sqlx::query(
        "INSERT INTO countermeasure_states (model_id, countermeasure_id, status, note, revision, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (model_id, countermeasure_id) DO UPDATE SET \
         status = excluded.status, note = excluded.note, revision = excluded.revision, updated_by = excluded.updated_by, \
         updated_at = excluded.updated_at WHERE countermeasure_states.revision = $8",
    )
    .bind(&model_id)
    .bind(&countermeasure_id)
    .bind(&change.status)
    .bind(&note)
    .bind(revision + 1)
    .bind(&caller.user_id)
    .bind(now_ms())
    .bind(revision)
    .execute(&mut *tx)
    .await?;
    if written.rows_affected() != 1 {
        return Err(countermeasure_changed());
    }
    audit::record(
        &mut tx,
        &caller,
        "countermeasure.update",
        "countermeasure",
        &countermeasure_id,
        json!({"model": model_id, "status": change.status, "note": note}),
    )
    .await?;
    tx.commit().await?;
    let status = countermeasure_status(&state, &model_id, &countermeasure_id, present, threats).await?;
    Ok(([etag(&status.etag)], axum::Json(status)).into_response())
}

/// The model's threat decisions as tracking entries, for reports.
pub async fn tracking_entries(state: &AppState, model_id: &str) -> ApiResult<Vec<Tracking>> {
    let rows = sqlx::query(
        "SELECT threat_id, status, justification, owner, expires, ticket FROM threat_states WHERE model_id = $1",
    )
    .bind(model_id)
    .fetch_all(&state.db.pool)
    .await?;
    let mut entries = Vec::with_capacity(rows.len());
    for row in rows {
        let status: Status = serde_json::from_value(json!(row.try_get::<String, _>("status")?)).unwrap_or_default();
        entries.push(Tracking {
            threat: Located::synthetic(row.try_get("threat_id")?),
            status,
            justification: row.try_get("justification")?,
            ticket: row.try_get("ticket")?,
            expires: row.try_get::<Option<String>, _>("expires")?.map(Located::synthetic),
            owner: row.try_get("owner")?,
        });
    }
    Ok(entries)
}
