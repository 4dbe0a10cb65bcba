//! The browser app (`web/`), compiled into the binary so that `rampart
//! serve` needs no separate web server. Any GET outside `/api/` that is not
//! a file of the app answers with the app's page, whose router shows the
//! right screen for the path.

use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

use crate::error::ApiError;

mod files {
    include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));
}

/// Shown when the binary was built before the app (`cargo build` alone).
const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Rampart</title></head>\
<body><h1>Rampart</h1><p>This build of Rampart has no browser app: it was compiled before <code>web/</code> was built. \
Run <code>make build</code> (or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then build Rampart again).</p>\
<p>The API works: see <a href=\"/api/docs\">/api/docs</a>.</p></body></html>";

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" | "map" => "application/json",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn asset(path: &str) -> Option<&'static [u8]> {
    files::WEB_ASSETS.iter().find(|(name, _)| *name == path).map(|(_, bytes)| *bytes)
}

/// Whether this build carries the app.
pub fn is_built() -> bool {
    asset("index.html").is_some()
}

/// The router's fallback: the app for pages, JSON errors for the API.
pub async fn fallback(method: Method, uri: Uri) -> Response {
    let path = uri.path();
    let is_page_request = method == Method::GET || method == Method::HEAD;
    if path.starts_with("/api/") || path == "/api" || !is_page_request {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "no-such-endpoint",
            "no such endpoint; the API is described at /api/openapi.json",
        )
        .into_response();
    }
    let relative = path.trim_start_matches('/');
    if let Some(bytes) = asset(relative).filter(|_| !relative.is_empty()) {
        // Vite names built files by their content hash, so they never change.
        let cache = if relative.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
        return (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type(relative))),
                (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            ],
            bytes,
        )
            .into_response();
    }
    if relative.starts_with("assets/") {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    }
    match asset("index.html") {
        Some(page) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
            page,
        )
            .into_response(),
        None => Html(NOT_BUILT).into_response(),
    }
}
