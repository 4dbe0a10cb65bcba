//! One error body for every endpoint:
//! `{"error": {"status": 409, "code": "conflict", "message": "...", "field": "...", "details": ...,
//! "request_id": "..."}}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// The request field (or `line:column` of an uploaded document) at fault.
    pub field: Option<String>,
    pub details: Option<serde_json::Value>,
}

/// The JSON body of every error response.
#[derive(Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, schemars::JsonSchema)]
pub struct ErrorDetail {
    /// The HTTP status again, for logs that keep only the body.
    pub status: u16,
    /// A stable, machine-readable code: `not-found`, `forbidden`, `conflict`, `invalid-model`...
    pub code: String,
    /// What went wrong and what was expected, for a person.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    /// The request's id, as in its `X-Request-Id` header and the server's log.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), field: None, details: None }
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-request", message)
    }
    pub fn invalid_field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError { field: Some(field.to_string()), ..ApiError::new(StatusCode::BAD_REQUEST, "invalid-field", message) }
    }
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", message)
    }
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    /// Also what a caller gets for something that exists but that it may not
    /// see: the answer must not reveal that it exists.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", format!("{what} not found"))
    }
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, "conflict", message)
    }
    pub fn with_details(mut self, details: serde_json::Value) -> ApiError {
        self.details = Some(details);
        self
    }
    pub fn internal(context: &str, error: impl std::fmt::Display) -> ApiError {
        tracing::error!("{context}: {error}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("{context}; the server log has details"))
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> ApiError {
        if let sqlx::Error::Database(database) = &error
            && database.is_unique_violation()
        {
            return ApiError::conflict("a record with this name already exists");
        }
        // PostgreSQL's "invalid byte sequence" (22021) and "untranslatable
        // character" (22P05): a NUL that came in some way the request
        // checks do not see (a model document's `"\0"` escape, say). The
        // request is refused as it should be, not answered as our fault.
        if let sqlx::Error::Database(database) = &error
            && matches!(database.code().as_deref(), Some("22021" | "22P05"))
        {
            return ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-text",
                "the request holds text the database cannot store (the NUL character, U+0000); remove it and send \
                 it again",
            );
        }
        if matches!(error, sqlx::Error::PoolTimedOut) {
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "no database connection came free in time: the database is overloaded or unreachable; try again",
            );
        }
        ApiError::internal("database error", error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = crate::request_id::current();
        let message = match &request_id {
            // Where a user sees only the message, it carries what to quote.
            Some(id) if self.status.is_server_error() => format!("{} (request {id})", self.message),
            _ => self.message,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                status: self.status.as_u16(),
                code: self.code.to_string(),
                message,
                field: self.field,
                details: self.details,
                request_id,
            },
        };
        (self.status, axum::Json(body)).into_response()
    }
}
