//! How the server answers what it cannot do, on each database: malformed
//! bodies, wrong types, missing content types, bodies over the limit,
//! unknown endpoints and methods — always with the one JSON error body —
//! and the security headers on every response.

#[path = "support/server.rs"]
mod server;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use server::{Auth, Backend, Client, TestServer, backends, fixture, project_with_model};

/// Sends `body` as is, with `content_type` when given, as `client` (session or token).
async fn raw(
    client: &Client,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, HeaderMap, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
    let mut request = client.http.request(method, format!("{}{path}", client.base)).body(body);
    match &client.auth {
        Auth::None => {}
        Auth::Session { cookie, csrf } => request = request.header("cookie", cookie).header("x-csrf-token", csrf),
        Auth::Bearer(token) => request = request.header("authorization", format!("Bearer {token}")),
    }
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let body =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, headers, body)
}

/// The error body every failure carries.
fn assert_error(status: StatusCode, headers: &HeaderMap, body: &Value, code: &str) {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "{status}: a JSON error, not {content_type}: {body}");
    assert_eq!(body["error"]["status"], status.as_u16(), "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(!body["error"]["message"].as_str().unwrap_or_default().is_empty(), "{body}");
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
}

async fn malformed_requests(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let units = "/api/v1/business-units";

    let (status, headers, body) = raw(
        &admin,
        "POST",
        units,
        Some("application/json"),
        b"{\n  \"name\": \"Retail\",\n  \"description\": }".to_vec(),
    )
    .await;
    assert_eq!(status, 400);
    assert_error(status, &headers, &body, "invalid-json");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 3 column"), "says where: {message}");

    let (status, headers, body) =
        raw(&admin, "POST", units, Some("application/json"), br#"{"name": 5}"#.to_vec()).await;
    assert_eq!(status, 400);
    assert_error(status, &headers, &body, "invalid-body");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("expected a string") && message.contains("column"), "{message}");

    let (status, headers, body) = raw(&admin, "POST", units, Some("application/json"), br#"{}"#.to_vec()).await;
    assert_eq!(status, 400);
    assert_error(status, &headers, &body, "invalid-body");
    assert!(body["error"]["message"].as_str().unwrap().contains("name"), "names the missing field: {body}");

    // A field the endpoint does not know is refused by name, with the ones it does know;
    // dropping it quietly would make a typo look like success.
    let (status, headers, body) =
        raw(&admin, "POST", units, Some("application/json"), br#"{"name": "Retail", "descripton": "x"}"#.to_vec())
            .await;
    assert_eq!(status, 400);
    assert_error(status, &headers, &body, "invalid-body");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("unknown field `descripton`") && message.contains("`description`"), "{message}");
    let (status, headers, body) = admin.get("/api/v1/business-units?limt=5").await;
    assert_eq!(status, 400);
    assert_error(status, &headers, &body, "invalid-query");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("unknown field `limt`") && message.contains("`limit`"), "{message}");
    let (_, _, units_now) = admin.get(units).await;
    assert_eq!(units_now["items"].as_array().map(Vec::len), Some(0), "nothing was created: {units_now}");

    let (status, headers, body) = raw(&admin, "POST", units, None, br#"{"name": "Retail"}"#.to_vec()).await;
    assert_eq!(status, 415);
    assert_error(status, &headers, &body, "unsupported-media-type");
    let (status, headers, body) =
        raw(&admin, "POST", units, Some("text/plain"), br#"{"name": "Retail"}"#.to_vec()).await;
    assert_eq!(status, 415);
    assert_error(status, &headers, &body, "unsupported-media-type");

    let (status, headers, body) = admin.get("/api/v1/no-such-thing").await;
    assert_eq!(status, 404);
    assert_error(status, &headers, &body, "no-such-endpoint");
    let (status, headers, body) = admin.send("DELETE", "/api/v1/audit", None).await;
    assert_eq!(status, 405);
    assert_error(status, &headers, &body, "method-not-allowed");
    let (status, headers, body) = admin.get("/api/v1/models/no-such-model").await;
    assert_eq!(status, 404);
    assert_error(status, &headers, &body, "not-found");
    let (status, headers, body) = Client::anonymous(&server.base).get(units).await;
    assert_eq!(status, 401);
    assert_error(status, &headers, &body, "unauthenticated");

    // Security headers, on answers and on errors alike; no HSTS over plain HTTP.
    for path in ["/healthz", "/api/v1/business-units", "/api/v1/no-such-thing", "/api/docs"] {
        let (_, headers, _) = admin.get(path).await;
        let policy = header(&headers, "content-security-policy").unwrap_or_default();
        assert!(policy.contains("frame-ancestors 'none'"), "{path}: {policy}");
        assert!(policy.contains("default-src 'self'"), "{path}: {policy}");
        assert_eq!(header(&headers, "x-content-type-options").as_deref(), Some("nosniff"), "{path}");
        assert_eq!(header(&headers, "strict-transport-security"), None, "{path}: no HSTS without TLS");
    }
    let (_, headers, _) = admin.get("/api/v1/business-units").await;
    assert_eq!(header(&headers, "cache-control").as_deref(), Some("no-store"), "API answers are not cached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_json_errors() {
    for backend in backends() {
        malformed_requests(backend).await;
    }
}

/// The NUL character, which PostgreSQL cannot store in text: refused with
/// a 400 naming where it was, on every database, before anything is stored.
async fn nul_characters(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &fixture("small.yaml")).await;
    let units = "/api/v1/business-units";
    let before = admin.ok("GET", units, None).await["total"].clone();

    let (status, headers, body) = admin.send("POST", units, Some(json!({"name": "Re\u{0}tail"}))).await;
    assert_eq!(status, 400, "{body}");
    assert_error(status, &headers, &body, "invalid-body");
    assert!(body["error"]["message"].as_str().unwrap().contains("NUL"), "{body}");
    let (status, headers, body) = Client::anonymous(&server.base)
        .send("POST", "/api/v1/auth/login", Some(json!({"username": "ali\u{0}ce", "password": "x"})))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_error(status, &headers, &body, "invalid-body");
    // The six characters `\u0000`, written with an escaped backslash, are text like any other.
    let (status, _, body) =
        raw(&admin, "POST", units, Some("application/json"), br#"{"name": "Retail \\u0000"}"#.to_vec()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["name"], "Retail \\u0000");

    for (path, code) in [
        (format!("/api/v1/models/{model_id}%00"), "invalid-path"),
        (format!("/api/v1/models/{model_id}/threats?q=a%00b"), "invalid-query"),
        (format!("/api/v1/models/{model_id}/threats?target=%00"), "invalid-query"),
        ("/api/v1/audit?actor=%00".to_string(), "invalid-query"),
    ] {
        let (status, headers, body) = admin.get(&path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_error(status, &headers, &body, code);
    }
    let after = admin.ok("GET", units, None).await["total"].clone();
    assert_eq!(after.as_i64(), before.as_i64().map(|n| n + 1), "only the unit without a NUL was made");

    // A NUL inside a model document (a YAML escape) stays in the stored
    // document and the threats' details, which keep it escaped: stored alike.
    let document = fixture("small.yaml").replacen("name: Web app", "name: \"Web\\0app\"", 1);
    let path = format!("/api/v1/models/{model_id}");
    let (status, _, body) =
        admin.send_with("PUT", &path, &[("if-match", "*")], Some(json!({"document": document}))).await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = admin.get(&format!("{path}/threats?limit=500")).await;
    assert_eq!(status, 200, "{body}");

    // Should one reach PostgreSQL some other way, its refusal is the
    // request's fault, said so, not a 500.
    if backend == Backend::Postgres {
        let refused = sqlx::query("SELECT $1::text").bind("a\u{0}b").execute(&server.state().db.pool).await;
        let answer = rampart_server::error::ApiError::from(refused.expect_err("PostgreSQL refuses a NUL"));
        assert_eq!((answer.status.as_u16(), answer.code), (422, "invalid-text"), "{}", answer.message);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_characters_are_refused_on_every_database() {
    for backend in backends() {
        nul_characters(backend).await;
    }
}

async fn limits_and_https(backend: Backend) {
    let server = TestServer::start_with(backend, |config| {
        config.body_limit = 4096;
        config.public_url = Some("https://rampart.example.test".to_string());
    })
    .await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let small = fixture("small.yaml");
    let (_, project_id, _) = project_with_model(&admin, "Retail", "Shop", &small).await;
    let padding = format!("# {}\n", "x".repeat(8000));
    let big = format!("{small}{padding}");

    let (status, headers, body) = admin
        .send("POST", &format!("/api/v1/projects/{project_id}/models"), Some(json!({"name": "Big", "document": big})))
        .await;
    assert_eq!(status, 413, "{body}");
    assert_error(status, &headers, &body, "too-large");
    let (status, headers, body) = admin
        .upload(&format!("/api/v1/projects/{project_id}/imports?file_name=big.yaml"), big.clone().into_bytes())
        .await;
    assert_eq!(status, 413, "an upload has the same limit: {body}");
    assert_error(status, &headers, &body, "too-large");
    let (status, _, body) = admin
        .upload(&format!("/api/v1/projects/{project_id}/imports?file_name=small.yaml&name=Fits"), small.into_bytes())
        .await;
    assert_eq!(status, 201, "under the limit: {body}");

    let (_, headers, _) = admin.get("/healthz").await;
    let hsts = header(&headers, "strict-transport-security").unwrap_or_default();
    assert!(hsts.starts_with("max-age="), "HSTS when users reach the server over HTTPS: {hsts}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_are_refused_and_https_gets_hsts() {
    for backend in backends() {
        limits_and_https(backend).await;
    }
}

/// A request's id: in its `X-Request-Id` header and its error body, and in
/// the message of a server error, which is what a user quotes.
async fn request_ids(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let (_, project_id, _) = project_with_model(&admin, "Retail", "Shop", &fixture("small.yaml")).await;

    let (_, first, _) = admin.get("/healthz").await;
    let (_, second, _) = admin.get("/healthz").await;
    let first = header(&first, "x-request-id").expect("an id on every answer");
    assert!(first.len() == 16 && first.bytes().all(|b| b.is_ascii_hexdigit()), "{first}");
    assert_ne!(Some(first), header(&second, "x-request-id"), "each request has its own");

    let (status, headers, body) = admin.get("/api/v1/models/no-such-model").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["request_id"].as_str(), header(&headers, "x-request-id").as_deref(), "{body}");
    // Without --trust-proxy a caller cannot choose the id that the log shows.
    let (_, headers, _) = admin.send_with("GET", "/healthz", &[("x-request-id", "chosen-by-the-caller")], None).await;
    assert_ne!(header(&headers, "x-request-id").as_deref(), Some("chosen-by-the-caller"));

    // A server error: a table gone from under the server.
    sqlx::query("DROP TABLE secrets").execute(&server.state().db.pool).await.expect("drop");
    let (status, headers, body) = admin.get(&format!("/api/v1/projects/{project_id}/secrets")).await;
    assert_eq!(status, 500, "{body}");
    assert_error(status, &headers, &body, "internal");
    let id = header(&headers, "x-request-id").expect("id");
    assert_eq!(body["error"]["request_id"], id.as_str(), "{body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.ends_with(&format!("(request {id})")), "the message says what to quote: {message}");

    // Behind a trusted proxy, the proxy's id is kept, if it is a plain one.
    let proxied = TestServer::start_with(backend, |config| config.trust_proxy = true).await;
    let anonymous = Client::anonymous(&proxied.base);
    let (_, headers, _) =
        anonymous.send_with("GET", "/healthz", &[("x-request-id", "Root=1-6789abcd-0123456789abcdef")], None).await;
    assert_eq!(header(&headers, "x-request-id").as_deref(), Some("Root=1-6789abcd-0123456789abcdef"));
    let (_, headers, _) = anonymous.send_with("GET", "/healthz", &[("x-request-id", "two words")], None).await;
    let replaced = header(&headers, "x-request-id").expect("id");
    assert!(replaced.len() == 16 && replaced != "two words", "{replaced}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_names_its_request() {
    for backend in backends() {
        request_ids(backend).await;
    }
}
