//! Every request's id: in the `X-Request-Id` response header, in every
//! error body, and on the log lines written while the request is handled,
//! so that a user's "I got a 500" can be found in the server's log.
//!
//! A reverse proxy's own id is kept when the server trusts the proxy
//! (`--trust-proxy`), so one id follows the request through both logs;
//! otherwise an id is made here. Failed requests (5xx) are logged with
//! their method, path, status and time; the others only at debug level,
//! because an access log of thousands of reads a second is the proxy's job.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::state::AppState;

pub const HEADER: &str = "x-request-id";

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being handled by this task, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// An id a proxy may hand on: short, and only characters that are safe in
/// a header and a log line.
fn acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:=+/".contains(&b))
}

fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_string()
}

/// The middleware: names the request, runs it in that name, and logs it.
pub async fn middleware(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let forwarded = state
        .config
        .trust_proxy
        .then(|| request.headers().get(HEADER).and_then(|v| v.to_str().ok()).filter(|id| acceptable(id)))
        .flatten()
        .map(str::to_string);
    let id = forwarded.unwrap_or_else(new_id);
    // At error level, so that it is there whenever an error is logged, also
    // when the log is filtered to warnings and errors.
    let span = tracing::error_span!("request", id = %id, method = %request.method(), path = %request.uri().path());
    let started = Instant::now();
    let mut response = CURRENT.scope(id.clone(), next.run(request).instrument(span.clone())).await;
    let status = response.status();
    let elapsed_ms = (started.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::error!(status = status.as_u16(), elapsed_ms, "request failed");
        } else {
            tracing::debug!(status = status.as_u16(), elapsed_ms, "request");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::{acceptable, new_id};

    #[test]
    fn only_short_plain_ids_are_taken_from_a_proxy() {
        assert!(acceptable("3f2a9c0e-77b1-4d2e-9a51-0c6f1e2d3b4a"));
        assert!(acceptable("Root=1-67891233-abcdef012345678912345678"));
        assert!(!acceptable(""));
        assert!(!acceptable(&"a".repeat(129)));
        assert!(!acceptable("id with spaces"));
        assert!(!acceptable("line\nbreak"));
    }

    #[test]
    fn made_ids_are_sixteen_hex_digits_and_differ() {
        let (a, b) = (new_id(), new_id());
        assert_eq!(a.len(), 16);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, b);
    }
}
