//! What the handlers share: extractors that answer malformed requests with
//! the API's error body, pagination, and ETags.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::error::ApiError;

/// A JSON body; a malformed one is a 400 that says where and what was expected.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;
    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(request.headers()) {
            return Err(not_json());
        }
        // Read as bytes first (within the body limit), to look for NULs before parsing.
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|rejection| body_rejection(rejection.status(), rejection.body_text()))?;
        if let Some(at) = escaped_nul(&bytes) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid-body",
                format!(
                    "the JSON body holds the NUL character (\\u0000, at byte {at}), which no text may contain here"
                ),
            ));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Body(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// Whether the request says its body is JSON: `application/json`, or a
/// `+json` type such as `application/merge-patch+json`, as axum's `Json` takes.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let Some((kind, subtype)) = essence.split_once('/') else { return false };
    kind == "application" && (subtype == "json" || subtype.ends_with("+json"))
}

/// Where a JSON text escapes the NUL character (`\u0000`), if it does: a
/// byte offset. PostgreSQL cannot store it in text or JSON, and no name,
/// id or message needs it, so every database refuses it alike, up front.
/// (A backslash escaped itself, `\\u0000`, is the text `\u0000` and fine.)
pub fn escaped_nul(json: &[u8]) -> Option<usize> {
    // memchr's search: a save's body is a whole model, some 200 KB.
    memchr::memmem::find_iter(json, b"\\u0000").find(|&at| {
        let backslashes_before = json[..at].iter().rev().take_while(|&&byte| byte == b'\\').count();
        backslashes_before % 2 == 0
    })
}

/// Refuses a URL that carries the NUL character (`%00`) in its `part`:
/// no id or filter holds one, and PostgreSQL could not even look it up.
fn refuse_nul(text: Option<&str>, code: &'static str, part: &str) -> Result<(), ApiError> {
    if text.is_some_and(|text| text.contains("%00")) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            code,
            format!("the {part} holds the NUL character (%00), which no value may contain"),
        ));
    }
    Ok(())
}

fn not_json() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "the body must be JSON, sent with `Content-Type: application/json`",
    )
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => not_json(),
        JsonRejection::JsonDataError(error) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-body",
            format!("the JSON body does not fit: {}", inner(&error)),
        ),
        JsonRejection::JsonSyntaxError(error) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-json",
            format!("the body is not valid JSON: {}", inner(&error)),
        ),
        JsonRejection::BytesRejection(error) => body_rejection(error.status(), error.body_text()),
        other => ApiError::bad_request(other.body_text()),
    }
}

/// The innermost error (serde's message with its line and column), without axum's prefix.
fn inner(error: &dyn std::error::Error) -> String {
    let mut source: &dyn std::error::Error = error;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

pub fn body_rejection(status: StatusCode, text: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(status, "too-large", "the request body is larger than the server accepts (see --body-limit)")
    } else {
        ApiError::new(status, "bad-body", text)
    }
}

/// Query parameters; a malformed one is a 400 naming it.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        refuse_nul(parts.uri.query(), "invalid-query", "query string")?;
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(error)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid-query",
                format!("a query parameter is invalid: {}", inner(&error)),
            )),
            Err(other) => Err(ApiError::bad_request(other.body_text())),
        }
    }
}

/// Path parameters.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        refuse_nul(Some(parts.uri.path()), "invalid-path", "path")?;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(error)) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid-path",
                format!("a path parameter is invalid: {}", error.body_text()),
            )),
            Err(other) => Err(ApiError::bad_request(other.body_text())),
        }
    }
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 500;

/// `limit` (1 to 500, default 50) and `offset` (default 0).
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// How many items to return (1 to 500; default 50).
    pub limit: Option<i64>,
    /// How many items to skip.
    pub offset: Option<i64>,
}

impl PageQuery {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
            Some(limit) => {
                Err(ApiError::invalid_field("limit", format!("limit must be 1 to {MAX_LIMIT}, not {limit}")))
            }
        }
    }
    pub fn offset(&self) -> Result<i64, ApiError> {
        match self.offset {
            None => Ok(0),
            Some(offset) if offset >= 0 => Ok(offset),
            Some(offset) => Err(ApiError::invalid_field("offset", format!("offset must be 0 or more, not {offset}"))),
        }
    }
}

/// One page of a list.
#[derive(Serialize, JsonSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items match, over all pages.
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// What `If-Match` asked for.
pub enum IfMatch {
    Any,
    Tag(String),
}

/// The `If-Match` header, which every update of a versioned resource needs:
/// without it a client could overwrite a change it never saw.
pub fn if_match(headers: &HeaderMap) -> Result<IfMatch, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "if-match-required",
            "send `If-Match` with the ETag from your last read (or `*` to overwrite whatever is there)",
        ));
    };
    let text = value.to_str().map_err(|_| ApiError::invalid_field("If-Match", "If-Match is not text"))?.trim();
    if text == "*" {
        return Ok(IfMatch::Any);
    }
    Ok(IfMatch::Tag(text.trim_start_matches("W/").to_string()))
}

/// `If-Match` when the client sends it, for resources where going without
/// is allowed (last writer wins): what administrators edit now and then.
pub fn if_match_optional(headers: &HeaderMap) -> Result<IfMatch, ApiError> {
    if headers.contains_key(header::IF_MATCH) { if_match(headers) } else { Ok(IfMatch::Any) }
}

/// The ETag of a resource without a revision number: a digest of its id and
/// of what an update can change, so that every change gives another.
pub fn content_etag(kind: &str, id: &str, fields: &[Option<&str>]) -> String {
    let mut hasher = sha2::Sha256::new();
    for part in std::iter::once(Some(kind)).chain(std::iter::once(Some(id))).chain(fields.iter().copied()) {
        // Each part with its length, and a missing one apart from an empty one.
        match part {
            Some(text) => hasher.update(format!("{}:{text};", text.len())),
            None => hasher.update("-;"),
        }
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(8).map(|byte| format!("{byte:02x}")).collect();
    format!("\"{kind}-{hex}\"")
}

/// The 409 of a change based on a read the resource has moved on from.
pub fn changed_meanwhile(what: &str) -> ApiError {
    ApiError::conflict(format!(
        "the {what} was changed by someone else since you read it: read it again (for its new ETag) and reapply \
         your change; nothing was overwritten"
    ))
}

impl IfMatch {
    /// Whether the client's ETag is `current`.
    pub fn matches(&self, current: &str) -> bool {
        match self {
            IfMatch::Any => true,
            IfMatch::Tag(tag) => tag == current,
        }
    }
}

pub fn etag(value: &str) -> (header::HeaderName, HeaderValue) {
    (header::ETAG, HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_static("\"\"")))
}

/// Checks a required, bounded text field.
pub fn text_field(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ApiError::invalid_field(field, format!("`{field}` must not be empty")));
    }
    if trimmed.chars().count() > max {
        return Err(ApiError::invalid_field(field, format!("`{field}` is longer than {max} characters")));
    }
    if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ApiError::invalid_field(field, format!("`{field}` contains control characters")));
    }
    Ok(trimmed.to_string())
}

/// A `LIKE` pattern that matches `text` anywhere, in lower case, with `%`,
/// `_` and `\` taken literally; use it with `LIKE $n ESCAPE '\'`, which
/// SQLite and PostgreSQL both read the same way.
pub fn contains_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// A `YYYY-MM-DD` date field.
pub fn date_field(field: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    match value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => match rampart_model::Date::parse(&text) {
            Ok(_) => Ok(Some(text)),
            Err(error) => Err(ApiError::invalid_field(field, format!("`{field}` must be a date YYYY-MM-DD: {error}"))),
        },
    }
}
