//! Models and their versions: create, save (a new immutable version,
//! analysed on save), history, diff, rollback, upload in any format the CLI
//! reads, and every report the CLI writes.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::Row;

use super::common::{Body, Page, PageQuery, Path, Query, body_rejection, contains_pattern, etag, if_match, text_field};
use super::registry::Api;
use super::saves::{SaveRequest, Stored};
use rampart_kb::KnowledgeBase;

use crate::analysis::{self, Prepared};
use crate::audit;
use crate::auth::{Caller, ModelAccess, Role};
use crate::db::{new_id, timestamp};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::statistics;
use crate::store::versions::{self, Analysed};

pub fn register(api: &mut Api) {
    api.get(
        "/api/v1/projects/{project}/models",
        "listModels",
        "The models of a project, with the risk of their latest version",
    )
    .tag("models")
    .query::<ModelQuery>()
    .response::<Page<ModelInfo>>()
    .add(list_models);
    api.post(
        "/api/v1/projects/{project}/models",
        "createModel",
        "Create a model from a document; its first version is analysed",
    )
    .tag("models")
    .status(201)
    .request::<NewModel>()
    .response::<SaveResult>()
    .error(422, "The model does not validate; the message gives line:column")
    .add(create_model);
    api.post(
        "/api/v1/projects/{project}/imports",
        "importModel",
        "Upload a file in any format the CLI reads as a new model",
    )
    .tag("models")
    .describe(
        "The body is the file itself. `format` names it (rampart, threagile, threat-dragon, tmt, pytm, \
             threat-composer, otm, tm-bom, kubernetes, compose, terraform, cloudformation, aws-inventory, \
             aws-config) or is `auto`. A directory (a Terraform root module, a folder of manifests, an AWS CLI \
             inventory) is uploaded as a zip, tar or tar.gz archive and read as `rampart import DIR` reads it; \
             an archive unpacks to 10,000 files and 256 MiB at most, regular files only.",
    )
    .status(201)
    .query::<ImportQuery>()
    .raw_request("application/octet-stream")
    .response::<SaveResult>()
    .error(422, "The model does not validate; the message gives line:column")
    .add(import_model);
    api.get("/api/v1/models/{model}", "getModel", "A model and the summary of its latest version")
        .tag("models")
        .response::<ModelInfo>()
        .add(get_model);
    api.put("/api/v1/models/{model}", "saveModel", "Save a new version (needs If-Match with the model's ETag)")
        .tag("models")
        .header("If-Match", "The ETag of the version the change is based on, or `*`")
        .request::<SaveModel>()
        .response::<SaveResult>()
        .error(422, "The model does not validate; the message gives line:column")
        .add(save_model);
    api.delete("/api/v1/models/{model}", "deleteModel", "Delete a model with its whole history (project admins)")
        .tag("models")
        .status(204)
        .add(delete_model);
    api.get(
        "/api/v1/models/{model}/versions",
        "listVersions",
        "The versions of a model, newest first: its history and trend",
    )
    .tag("versions")
    .query::<PageQuery>()
    .response::<Page<VersionInfo>>()
    .add(list_versions);
    api.get("/api/v1/models/{model}/versions/{version}", "getVersion", "One version: its document and model")
        .tag("versions")
        .response::<VersionDocument>()
        .add(get_version);
    api.get("/api/v1/models/{model}/diff", "diffVersions", "What changed between two versions: elements and threats")
        .tag("versions")
        .query::<DiffQuery>()
        .response::<VersionDiff>()
        .add(diff_versions);
    api.post("/api/v1/models/{model}/rollback", "rollbackModel", "Save an earlier version's document as a new version")
        .tag("versions")
        .header("If-Match", "The ETag of the latest version, or `*`")
        .request::<Rollback>()
        .response::<SaveResult>()
        .error(422, "The model does not validate; the message gives line:column")
        .add(rollback);
    api.get(
        "/api/v1/models/{model}/reports/{format}",
        "downloadReport",
        "A report or export of a version, as the CLI writes it",
    )
    .tag("reports")
    .describe(
        "`format`: json, sarif, markdown, html, pdf, csv, xlsx, defectdojo, gitlab-sast, otm, cyclonedx, \
             svg, dot or mermaid (the diagram, as `rampart diagram` draws it), or yaml (the model document).",
    )
    .query::<ReportQuery>()
    .raw_response("application/octet-stream")
    .add(download_report);
}

#[derive(Serialize, JsonSchema, Clone)]
pub struct VersionInfo {
    pub version: i64,
    pub author: String,
    pub created_at: String,
    pub message: String,
    /// The format the document was sent in.
    pub source_format: String,
    pub components: i64,
    pub flows: i64,
    pub threats: i64,
    pub unresolved: i64,
    pub critical: i64,
    pub high: i64,
    pub medium: i64,
    pub low: i64,
    /// Sum of the scores of unresolved threats.
    pub risk_score: f64,
}

#[derive(Serialize, JsonSchema)]
pub struct ModelInfo {
    pub id: String,
    pub project_id: String,
    pub name: String,
    pub head_version: i64,
    /// The ETag to send as If-Match when saving.
    pub etag: String,
    pub created_at: String,
    pub updated_at: String,
    pub head: Option<VersionInfo>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelQuery {
    /// Only models whose name contains this (any case).
    pub q: Option<String>,
    /// `name` (default), `-updated` (recently saved first) or `-risk` (riskiest first).
    pub sort: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A new model: its name and its content (the fields of `SaveModel`). Not
/// a flattened `Content`: serde's flatten buffers fields and cannot keep the
/// model's JSON as raw text.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewModel {
    pub name: String,
    /// What changed, for the history (default: "Created").
    pub message: Option<String>,
    /// The document: a Rampart model in YAML or JSON, or another format (see `format`).
    pub document: Option<String>,
    /// The model as a JSON object, instead of `document`.
    #[schemars(with = "Option<Value>")]
    pub model: Option<Box<serde_json::value::RawValue>>,
    /// The document's format; `auto` (default) detects it.
    pub format: Option<String>,
    /// The file name the document came from, which helps detection (`main.tf`, `app.tm7`).
    pub file_name: Option<String>,
}

impl NewModel {
    fn into_parts(self) -> (String, Content) {
        let NewModel { name, message, document, model, format, file_name } = self;
        (name, Content { message, document, model, format, file_name })
    }
}

/// A model's content: a document as text in any format, or the model as JSON.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "SaveModel")]
pub struct Content {
    /// What changed, for the history (default: "Saved").
    pub message: Option<String>,
    /// The document: a Rampart model in YAML or JSON, or another format (see `format`).
    pub document: Option<String>,
    /// The model as a JSON object, instead of `document`.
    #[schemars(with = "Option<Value>")]
    pub model: Option<Box<serde_json::value::RawValue>>,
    /// The document's format; `auto` (default) detects it.
    pub format: Option<String>,
    /// The file name the document came from, which helps detection (`main.tf`, `app.tm7`).
    pub file_name: Option<String>,
}

pub type SaveModel = Content;

#[derive(Serialize, JsonSchema)]
pub struct SaveResult {
    pub model: ModelInfo,
    /// Threats new in this version, changed since the last one, and gone.
    pub threats_added: usize,
    pub threats_changed: usize,
    pub threats_removed: usize,
    /// What an import could not carry.
    pub warnings: Vec<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    /// The new model's name (default: the name in the file).
    pub name: Option<String>,
    /// `auto` (default) or a format name.
    pub format: Option<String>,
    /// The uploaded file's name, which helps detection.
    pub file_name: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct VersionDocument {
    #[serde(flatten)]
    pub info: VersionInfo,
    /// The document as stored (native YAML or JSON).
    pub document: String,
    /// The model read from it, as JSON.
    pub model: Value,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// The older version (default: the one before `to`).
    pub from: Option<i64>,
    /// The newer version (default: the latest).
    pub to: Option<i64>,
}

#[derive(Serialize, JsonSchema)]
pub struct ElementChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct VersionDiff {
    pub from: i64,
    pub to: i64,
    /// Boundaries, actors, components, data and flows, by id.
    pub elements: ElementChanges,
    /// The core's threat diff (`rampart diff`'s JSON).
    pub threats: Value,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rollback {
    pub version: i64,
    pub message: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// Which version (default: the latest).
    pub version: Option<i64>,
    /// With csv: `threats` (default) or `countermeasures`.
    pub table: Option<String>,
}

pub fn model_etag(model_id: &str, version: i64) -> String {
    format!("\"{}-v{version}\"", etag_prefix(model_id))
}

fn etag_prefix(model_id: &str) -> &str {
    &model_id[..model_id.len().min(8)]
}

/// The version an ETag of this model names; none for a tag of another model or not one at all.
fn etag_version(model_id: &str, tag: &str) -> Option<i64> {
    let inner = tag.strip_prefix('"')?.strip_suffix('"')?;
    let (prefix, version) = inner.rsplit_once("-v")?;
    if prefix != etag_prefix(model_id) {
        return None;
    }
    version.parse().ok()
}

/// The 409 of a save whose `If-Match: tag` is not the ETag of `head`.
pub(super) fn stale_tag(model_id: &str, tag: &str, head: i64) -> ApiError {
    match etag_version(model_id, tag) {
        Some(based_on) => versions::stale(based_on, head),
        None => not_this_models_etag(model_id, tag, head),
    }
}

/// The 409 of a save whose `If-Match` is no ETag of this model: saying
/// which version it was based on would be a guess.
fn not_this_models_etag(model_id: &str, tag: &str, head: i64) -> ApiError {
    ApiError::conflict(format!(
        "`If-Match: {tag}` is not an ETag of this model (they look like {}); the latest version is {head}: \
         read the model for its ETag, reapply your change and save again (nothing was overwritten)",
        model_etag(model_id, head)
    ))
    .with_details(json!({"head_version": head}))
}

const VERSION_COLUMNS: &str = "v.version, u.username AS author, v.created_at, v.message, v.source_format, v.components, \
    v.flows, v.threats_total, v.unresolved, v.critical, v.high, v.medium, v.low, v.risk_score";

fn version_info(row: &sqlx::any::AnyRow) -> ApiResult<VersionInfo> {
    Ok(VersionInfo {
        version: row.try_get("version")?,
        author: row.try_get::<Option<String>, _>("author")?.unwrap_or_else(|| "rampart".to_string()),
        created_at: timestamp(row.try_get("created_at")?),
        message: row.try_get("message")?,
        source_format: row.try_get("source_format")?,
        components: row.try_get("components")?,
        flows: row.try_get("flows")?,
        threats: row.try_get("threats_total")?,
        unresolved: row.try_get("unresolved")?,
        critical: row.try_get("critical")?,
        high: row.try_get("high")?,
        medium: row.try_get("medium")?,
        low: row.try_get("low")?,
        risk_score: row.try_get("risk_score")?,
    })
}

pub async fn fetch_model(state: &AppState, model_id: &str) -> ApiResult<ModelInfo> {
    fetch_model_with(&state.db.pool, model_id).await
}

/// As [`fetch_model`], inside a transaction (or on any connection).
async fn fetch_model_with<'e, E>(executor: E, model_id: &str) -> ApiResult<ModelInfo>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(&format!(
        "SELECT m.id, m.project_id, m.name, m.head_version, m.created_at AS model_created_at, m.updated_at, {VERSION_COLUMNS} \
         FROM models m LEFT JOIN model_versions v ON v.model_id = m.id AND v.version = m.head_version \
         LEFT JOIN users u ON u.id = v.author_id WHERE m.id = $1"
    ))
    .bind(model_id)
    .fetch_optional(executor)
    .await?
    .ok_or_else(|| ApiError::not_found("model"))?;
    model_from_row(&row)
}

fn model_from_row(row: &sqlx::any::AnyRow) -> ApiResult<ModelInfo> {
    let id: String = row.try_get("id")?;
    let head_version: i64 = row.try_get("head_version")?;
    let head = match row.try_get::<Option<i64>, _>("version")? {
        Some(_) => Some(version_info(row)?),
        None => None,
    };
    Ok(ModelInfo {
        etag: model_etag(&id, head_version),
        id,
        project_id: row.try_get("project_id")?,
        name: row.try_get("name")?,
        head_version,
        created_at: timestamp(row.try_get("model_created_at")?),
        updated_at: timestamp(row.try_get("updated_at")?),
        head,
    })
}

async fn list_models(
    State(state): State<AppState>,
    caller: Caller,
    Path(project_id): Path<String>,
    Query(query): Query<ModelQuery>,
) -> ApiResult<axum::Json<Page<ModelInfo>>> {
    caller.project(&state, &project_id).await?;
    let page = PageQuery { limit: query.limit, offset: query.offset };
    let (limit, offset) = (page.limit()?, page.offset()?);
    let order = match query.sort.as_deref().unwrap_or("name") {
        "name" => "LOWER(m.name), m.name",
        "-updated" => "m.updated_at DESC, LOWER(m.name), m.name",
        "-risk" => "v.risk_score DESC, LOWER(m.name), m.name",
        other => {
            return Err(ApiError::invalid_field(
                "sort",
                format!("unknown sort `{other}`; expected name, -updated or -risk"),
            ));
        }
    };
    let filter = query.q.as_deref().filter(|q| !q.is_empty()).map(contains_pattern).unwrap_or_default();
    let rows = sqlx::query(&format!(
        "SELECT m.id, m.project_id, m.name, m.head_version, m.created_at AS model_created_at, m.updated_at, {VERSION_COLUMNS} \
         FROM models m LEFT JOIN model_versions v ON v.model_id = m.id AND v.version = m.head_version \
         LEFT JOIN users u ON u.id = v.author_id \
         WHERE m.project_id = $1 AND ($2 = '' OR LOWER(m.name) LIKE $2 ESCAPE '\\') \
         ORDER BY {order} LIMIT $3 OFFSET $4"
    ))
    .bind(&project_id)
    .bind(&filter)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM models m WHERE m.project_id = $1 AND ($2 = '' OR LOWER(m.name) LIKE $2 ESCAPE '\\')",
    )
    .bind(&project_id)
    .bind(&filter)
    .fetch_one(&state.db.pool)
    .await?;
    let items = rows.iter().map(model_from_row).collect::<ApiResult<Vec<_>>>()?;
    Ok(axum::Json(Page { items, total, limit, offset }))
}

/// Reads the content of a create or save request and analyses it, in its
/// turn for a CPU slot: reading a large document costs as much as a part of
/// its analysis, and would otherwise hold up the threads serving requests.
/// A save of `model_id` is analysed only where it changed since the model's
/// last analysis, when this server still has it ([`crate::store::previous`]).
async fn analyse_content(state: &AppState, model_id: Option<&str>, content: Content) -> ApiResult<Analysed> {
    let previous = model_id.and_then(|id| state.previous.get(id));
    versions::analyse_with(state.kb.clone(), previous, move |kb| prepare_content(kb, &content)).await
}

/// Reads the content of a create or save request into a prepared model.
fn prepare_content(kb: &KnowledgeBase, content: &Content) -> ApiResult<Prepared> {
    let (text, format) = match (&content.document, &content.model) {
        (Some(document), None) => (document.clone(), content.format.clone()),
        (None, Some(model)) => {
            let file_name = content.file_name.as_deref().unwrap_or("model.json");
            return analysis::prepare_json_model(kb, file_name, model.get());
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid_field("document", "send either `document` or `model`, not both"));
        }
        (None, None) => {
            return Err(ApiError::invalid_field(
                "document",
                "the model is missing: send `document` (text) or `model` (JSON)",
            ));
        }
    };
    let file_name = content.file_name.as_deref().unwrap_or("model.yaml");
    analysis::prepare(kb, file_name, &text, format.as_deref())
}

fn message(given: Option<&str>, default: &str) -> ApiResult<String> {
    match given {
        Some(text) if !text.trim().is_empty() => text_field("message", text, 2000),
        _ => Ok(default.to_string()),
    }
}

async fn create_model(
    State(state): State<AppState>,
    caller: Caller,
    Path(project_id): Path<String>,
    Body(request): Body<NewModel>,
) -> ApiResult<Response> {
    caller.project(&state, &project_id).await?.require(Role::Developer, "create models")?;
    let (name, content) = request.into_parts();
    let name = text_field("name", &name, 200)?;
    let message = message(content.message.as_deref(), "Created")?;
    let analysed = analyse_content(&state, None, content).await?;
    created(&state, &caller, &project_id, &name, &message, analysed, "model.create").await
}

async fn created(
    state: &AppState,
    caller: &Caller,
    project_id: &str,
    name: &str,
    message: &str,
    analysed: Analysed,
    action: &str,
) -> ApiResult<Response> {
    let model_id = new_id();
    let saved =
        versions::create_model(&state.db, caller, project_id, &model_id, name, message, &analysed, action).await?;
    state.previous.put(&model_id, saved.version, saved.stamp, analysed.next.clone());
    let model = fetch_model(state, &model_id).await?;
    let result = SaveResult {
        threats_added: saved.added,
        threats_changed: saved.changed,
        threats_removed: saved.removed,
        warnings: analysed.warnings,
        model,
    };
    let location = format!("/api/v1/models/{model_id}");
    Ok((
        StatusCode::CREATED,
        [
            etag(&result.model.etag),
            (header::LOCATION, HeaderValue::from_str(&location).unwrap_or(HeaderValue::from_static("/"))),
        ],
        axum::Json(result),
    )
        .into_response())
}

async fn import_model(
    State(state): State<AppState>,
    caller: Caller,
    Path(project_id): Path<String>,
    Query(query): Query<ImportQuery>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Response> {
    // Taken as a Result so that a body over the limit gets the API's JSON error, not axum's text.
    let body = body.map_err(|rejection| body_rejection(rejection.status(), rejection.body_text()))?;
    caller.project(&state, &project_id).await?.require(Role::Developer, "import models")?;
    let file_name = query.file_name.clone().unwrap_or_else(|| "upload".to_string());
    let prepared = match crate::archive::Kind::of(&body) {
        // A directory in one file: unpacked to disk, off the request threads.
        Some(kind) => {
            let (kb, name, format) = (state.kb.clone(), file_name.clone(), query.format.clone());
            tokio::task::spawn_blocking(move || analysis::prepare_archive(&kb, &name, kind, &body, format.as_deref()))
                .await
                .map_err(|error| ApiError::internal("cannot read the archive", error))??
        }
        None => {
            let text = String::from_utf8(body.to_vec()).map_err(|error| {
                ApiError::bad_request(format!(
                    "the uploaded file is not UTF-8 text (byte {}), nor a zip or tar archive",
                    error.utf8_error().valid_up_to()
                ))
            })?;
            analysis::prepare(&state.kb, &file_name, &text, query.format.as_deref())?
        }
    };
    let name = match &query.name {
        Some(name) => text_field("name", name, 200)?,
        None => text_field("name", &prepared.model.name, 200)?,
    };
    let message = format!("Imported from {} ({})", file_name, prepared.format);
    let analysed = versions::analyse(state.kb.clone(), prepared).await?;
    created(&state, &caller, &project_id, &name, &message, analysed, "model.import").await
}

async fn get_model(State(state): State<AppState>, caller: Caller, Path(model_id): Path<String>) -> ApiResult<Response> {
    caller.model(&state, &model_id).await?;
    let model = fetch_model(&state, &model_id).await?;
    Ok(([etag(&model.etag)], axum::Json(model)).into_response())
}

/// Saves `analysed` as the next version, if the client's ETag is the head's:
/// through the model's queue, with the other saves of the model waiting
/// then ([`super::saves`]).
async fn save_next(
    state: &AppState,
    caller: &Caller,
    access: &ModelAccess,
    headers: &HeaderMap,
    message: &str,
    mut analysed: Analysed,
    action: &'static str,
) -> ApiResult<Response> {
    let wanted = if_match(headers)?;
    analysed.check_document_base(&state.db.pool, &access.model_id).await?;
    // What the reply shows of the analysis, which goes to the model's writer.
    let warnings = std::mem::take(&mut analysed.warnings);
    let summary = analysed.summary;
    let format = analysed.format.clone();
    let request = SaveRequest {
        caller: caller.clone(),
        model_id: access.model_id.clone(),
        wanted,
        message: message.to_string(),
        action,
        analysed,
    };
    let Stored { saved, project_id, name, created_at, author } = state.saves.submit(state, request).await?;
    let author = match author {
        Some(author) => author,
        None => username(state, &caller.user_id).await?,
    };
    // The model as this save left it: another save could already be the
    // head, and this reply's ETag must be the version just saved.
    let model = ModelInfo {
        etag: model_etag(&access.model_id, saved.version),
        id: access.model_id.clone(),
        project_id,
        name,
        head_version: saved.version,
        created_at: timestamp(created_at),
        updated_at: timestamp(saved.stamp),
        head: Some(VersionInfo {
            version: saved.version,
            author,
            created_at: timestamp(saved.stamp),
            message: message.to_string(),
            source_format: format,
            components: summary.components,
            flows: summary.flows,
            threats: saved.threats as i64,
            unresolved: summary.unresolved,
            critical: summary.critical,
            high: summary.high,
            medium: summary.medium,
            low: summary.low,
            risk_score: summary.risk_score,
        }),
    };
    statistics::refresh_after_write(&state.db, saved.rows_written).await;
    let result = SaveResult {
        threats_added: saved.added,
        threats_changed: saved.changed,
        threats_removed: saved.removed,
        warnings,
        model,
    };
    Ok(([etag(&result.model.etag)], axum::Json(result)).into_response())
}

/// A user's name as versions show their author (`rampart` for none).
async fn username(state: &AppState, user_id: &str) -> ApiResult<String> {
    let name: Option<String> = sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&state.db.pool)
        .await?;
    Ok(name.unwrap_or_else(|| "rampart".to_string()))
}

async fn save_model(
    State(state): State<AppState>,
    caller: Caller,
    Path(model_id): Path<String>,
    headers: HeaderMap,
    Body(request): Body<SaveModel>,
) -> ApiResult<Response> {
    let access = caller.model(&state, &model_id).await?;
    access.project.require(Role::Developer, "save models")?;
    if_match(&headers)?;
    let message = message(request.message.as_deref(), "Saved")?;
    let analysed = analyse_content(&state, Some(&model_id), request).await?;
    save_next(&state, &caller, &access, &headers, &message, analysed, "model.save").await
}

async fn delete_model(
    State(state): State<AppState>,
    caller: Caller,
    Path(model_id): Path<String>,
) -> ApiResult<StatusCode> {
    let access = caller.model(&state, &model_id).await?;
    access.project.require(Role::Admin, "delete models")?;
    let mut tx = state.db.write().await?;
    for table in ["threat_comments", "threat_states", "countermeasure_states", "threats", "model_versions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE model_id = $1")).bind(&model_id).execute(&mut *tx).await?;
    }
    sqlx::query("DELETE FROM models WHERE id = $1").bind(&model_id).execute(&mut *tx).await?;
    state.previous.forget(&model_id);
    audit::record(
        &mut tx,
        &caller,
        "model.delete",
        "model",
        &model_id,
        json!({"name": access.name, "versions": access.head_version}),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(model_id): Path<String>,
    Query(page): Query<PageQuery>,
) -> ApiResult<axum::Json<Page<VersionInfo>>> {
    let access = caller.model(&state, &model_id).await?;
    let (limit, offset) = (page.limit()?, page.offset()?);
    let rows = sqlx::query(&format!(
        "SELECT {VERSION_COLUMNS} FROM model_versions v LEFT JOIN users u ON u.id = v.author_id \
         WHERE v.model_id = $1 ORDER BY v.version DESC LIMIT $2 OFFSET $3"
    ))
    .bind(&model_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(&state.db.pool)
    .await?;
    let items = rows.iter().map(version_info).collect::<ApiResult<Vec<_>>>()?;
    Ok(axum::Json(Page { items, total: access.head_version, limit, offset }))
}

/// A version's summary and document.
pub async fn load_version(state: &AppState, model_id: &str, version: i64) -> ApiResult<(VersionInfo, String)> {
    let not_found = || ApiError::not_found(&format!("version {version}"));
    let row = sqlx::query(&format!(
        "SELECT {VERSION_COLUMNS} FROM model_versions v LEFT JOIN users u ON u.id = v.author_id \
         WHERE v.model_id = $1 AND v.version = $2"
    ))
    .bind(model_id)
    .bind(version)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or_else(not_found)?;
    // Versions are never changed once written, so the document read apart is this version's.
    let document = crate::store::documents::load(&state.db.pool, model_id, version).await?.ok_or_else(not_found)?;
    Ok((version_info(&row)?, document))
}

async fn get_version(
    State(state): State<AppState>,
    caller: Caller,
    Path((model_id, version)): Path<(String, i64)>,
) -> ApiResult<axum::Json<VersionDocument>> {
    caller.model(&state, &model_id).await?;
    let (info, document) = load_version(&state, &model_id, version).await?;
    let model = analysis::read_stored(&state.kb, &document)?;
    let model = serde_json::to_value(&model).map_err(|e| ApiError::internal("cannot write the model", e))?;
    Ok(axum::Json(VersionDocument { info, document, model }))
}

/// The elements of a model by id, each as JSON, to compare versions.
fn elements(model: &rampart_model::Model) -> BTreeMap<String, Value> {
    let mut all = BTreeMap::new();
    let mut add = |id: &str, value: Value| {
        all.insert(id.to_string(), value);
    };
    for b in &model.boundaries {
        add(&b.id, serde_json::to_value(b).unwrap_or(Value::Null));
    }
    for a in &model.actors {
        add(&a.id, serde_json::to_value(a).unwrap_or(Value::Null));
    }
    for c in &model.components {
        add(&c.id, serde_json::to_value(c).unwrap_or(Value::Null));
    }
    for d in &model.data {
        add(&d.id, serde_json::to_value(d).unwrap_or(Value::Null));
    }
    for f in &model.flows {
        add(&f.id(), serde_json::to_value(f).unwrap_or(Value::Null));
    }
    all
}

/// The stored threats of a version, as the core's diff reads them.
async fn threat_refs(
    state: &AppState,
    model_id: &str,
    version: i64,
) -> ApiResult<Vec<rampart_governance::diff::ThreatRef>> {
    let rows = sqlx::query(&format!(
        "SELECT {} FROM threats t WHERE model_id = $1 AND since_version <= $2 \
         AND (until_version IS NULL OR until_version >= $2)",
        crate::store::details::OF_ROW
    ))
    .bind(model_id)
    .bind(version)
    .fetch_all(&state.db.pool)
    .await?;
    let mut refs = Vec::with_capacity(rows.len());
    for row in rows {
        let detail = crate::store::details::read(&row)?;
        let threat = &detail["threat"];
        let status = threat["status"].as_str().unwrap_or("open");
        let score = threat["current"]["score"].as_f64().unwrap_or(0.0) as f32;
        refs.push(rampart_governance::diff::ThreatRef {
            id: threat["id"].as_str().unwrap_or_default().to_string(),
            title: threat["title"].as_str().unwrap_or_default().to_string(),
            severity: rampart_engine::Severity::from_score(score),
            score,
            status: serde_json::from_value(json!(status)).unwrap_or_default(),
            unresolved: matches!(status, "open" | "in-progress"),
            cwe: threat["cwe"]
                .as_array()
                .map(|a| a.iter().filter_map(|c| c.as_u64().map(|c| c as u32)).collect())
                .unwrap_or_default(),
        });
    }
    Ok(refs)
}

async fn diff_versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(model_id): Path<String>,
    Query(query): Query<DiffQuery>,
) -> ApiResult<axum::Json<VersionDiff>> {
    let access = caller.model(&state, &model_id).await?;
    let to = query.to.unwrap_or(access.head_version);
    let from = query.from.unwrap_or(to - 1);
    for (field, version) in [("from", from), ("to", to)] {
        if version < 1 || version > access.head_version {
            return Err(ApiError::invalid_field(
                field,
                format!("`{field}` must be a version from 1 to {}, not {version}", access.head_version),
            ));
        }
    }
    let (_, old_document) = load_version(&state, &model_id, from).await?;
    let (_, new_document) = load_version(&state, &model_id, to).await?;
    let old = elements(&analysis::read_stored(&state.kb, &old_document)?);
    let new = elements(&analysis::read_stored(&state.kb, &new_document)?);
    let changes = ElementChanges {
        added: new.keys().filter(|id| !old.contains_key(*id)).cloned().collect(),
        removed: old.keys().filter(|id| !new.contains_key(*id)).cloned().collect(),
        changed: new
            .iter()
            .filter(|(id, value)| old.get(*id).is_some_and(|before| before != *value))
            .map(|(id, _)| id.clone())
            .collect(),
    };
    let before = threat_refs(&state, &model_id, from).await?;
    let after = threat_refs(&state, &model_id, to).await?;
    let label = |v: i64| format!("{} v{v}", access.name);
    let diff = rampart_governance::diff::diff_refs(&label(from), &label(to), before, after);
    let threats = serde_json::to_value(&diff).map_err(|e| ApiError::internal("cannot write the diff", e))?;
    Ok(axum::Json(VersionDiff { from, to, elements: changes, threats }))
}

async fn rollback(
    State(state): State<AppState>,
    caller: Caller,
    Path(model_id): Path<String>,
    headers: HeaderMap,
    Body(request): Body<Rollback>,
) -> ApiResult<Response> {
    let access = caller.model(&state, &model_id).await?;
    access.project.require(Role::Developer, "roll models back")?;
    if_match(&headers)?;
    let (info, document) = load_version(&state, &model_id, request.version).await.map_err(|_| {
        ApiError::invalid_field(
            "version",
            format!("version {} does not exist (the latest is {})", request.version, access.head_version),
        )
    })?;
    let message = message(request.message.as_deref(), &format!("Rolled back to version {}", request.version))?;
    let model = analysis::read_stored(&state.kb, &document)?;
    let prepared = Prepared { model, document, format: info.source_format, warnings: Vec::new() };
    let analysed = versions::analyse(state.kb.clone(), prepared).await?;
    save_next(&state, &caller, &access, &headers, &message, analysed, "model.rollback").await
}

async fn download_report(
    State(state): State<AppState>,
    caller: Caller,
    Path((model_id, format)): Path<(String, String)>,
    Query(query): Query<ReportQuery>,
) -> ApiResult<Response> {
    let access = caller.model(&state, &model_id).await?;
    let version = query.version.unwrap_or(access.head_version);
    let (_, document) = load_version(&state, &model_id, version).await?;
    let states = super::threats::tracking_entries(&state, &model_id).await?;
    let kb = state.kb.clone();
    let name = access.name.clone();
    let table = query.table.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        crate::reports::render(&kb, &document, states, &format, &name, version, table.as_deref())
    })
    .await
    .map_err(|error| ApiError::internal("the report failed", error))??;
    let disposition = format!("attachment; filename=\"{}\"", rendered.file_name.replace('"', ""));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(rendered.content_type)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
            ),
        ],
        rendered.bytes,
    )
        .into_response())
}
