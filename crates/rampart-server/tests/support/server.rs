//! A real server for API tests: `rampart_server::start` on 127.0.0.1 with a
//! fresh database (SQLite in a temporary directory, or a new PostgreSQL
//! database when `RAMPART_TEST_POSTGRES` names a server), and an HTTP client
//! that signs in like a user or a CI job would.
//!
//! Use from a test file with `#[path = "support/server.rs"] mod server;`.
#![allow(dead_code)]

use std::path::PathBuf;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery staple";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The databases the suite runs on: SQLite always, PostgreSQL when
/// `RAMPART_TEST_POSTGRES` is set. In CI it must be set: a run that quietly
/// skipped PostgreSQL would look like a pass.
pub fn backends() -> Vec<Backend> {
    let postgres = std::env::var("RAMPART_TEST_POSTGRES").is_ok_and(|url| !url.is_empty());
    if !postgres && std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("CI=true but RAMPART_TEST_POSTGRES is not set: run the tests through scripts/with-postgres.sh");
    }
    if postgres { vec![Backend::Sqlite, Backend::Postgres] } else { vec![Backend::Sqlite] }
}

/// A fresh, empty database URL for `backend`.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => rampart_server::db::sqlite_url(dir),
        Backend::Postgres => {
            let admin_url = std::env::var("RAMPART_TEST_POSTGRES").expect("RAMPART_TEST_POSTGRES");
            let name = format!("rt_{}", uuid::Uuid::new_v4().simple());
            sqlx::any::install_default_drivers();
            let mut connection =
                <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url).await.expect("connect to PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut connection).await.expect("create database");
            let mut url = url::Url::parse(&admin_url).expect("postgres URL");
            url.set_path(&format!("/{name}"));
            url.to_string()
        }
    }
}

pub struct TestServer {
    pub backend: Backend,
    pub base: String,
    pub database_url: String,
    pub dir: tempfile::TempDir,
    running: Option<rampart_server::Running>,
}

impl TestServer {
    /// Starts a server on a new database of `backend`.
    pub async fn start(backend: Backend) -> TestServer {
        TestServer::start_with(backend, |_| {}).await
    }

    /// Starts a server, letting the test adjust its configuration first.
    pub async fn start_with(backend: Backend, adjust: impl FnOnce(&mut rampart_server::ServerConfig)) -> TestServer {
        let dir = tempfile::tempdir().expect("temporary directory");
        let database_url = fresh_database(backend, dir.path()).await;
        TestServer::start_on(backend, dir, database_url, adjust).await
    }

    /// Starts a server on an existing database (another replica, or a restart).
    pub async fn start_on(
        backend: Backend,
        dir: tempfile::TempDir,
        database_url: String,
        adjust: impl FnOnce(&mut rampart_server::ServerConfig),
    ) -> TestServer {
        TestServer::try_start_on(backend, dir, database_url, adjust).await.expect("the server starts")
    }

    /// [`TestServer::start_on`], or why the server did not start.
    pub async fn try_start_on(
        backend: Backend,
        dir: tempfile::TempDir,
        database_url: String,
        adjust: impl FnOnce(&mut rampart_server::ServerConfig),
    ) -> Result<TestServer, String> {
        let mut config = rampart_server::ServerConfig::new(PathBuf::from(dir.path()));
        config.database_url = database_url.clone();
        config.listen = "127.0.0.1:0".parse().expect("address");
        config.max_connections = 8;
        adjust(&mut config);
        let running = rampart_server::start(config).await.map_err(|error| error.to_string())?;
        let base = format!("http://{}", running.addr);
        Ok(TestServer { backend, base, database_url, dir, running: Some(running) })
    }

    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
    }

    pub fn state(&self) -> &rampart_server::state::AppState {
        &self.running.as_ref().expect("running").state
    }

    /// Creates an account directly in the database (as `rampart admin create-user` does).
    pub async fn create_user(&self, organisation: &str, username: &str, org_admin: bool) -> String {
        let db = &self.state().db;
        let org_id = rampart_server::api::users::ensure_organisation(db, organisation).await.expect("organisation");
        let request = rampart_server::api::users::NewAccount {
            username: username.to_string(),
            display_name: None,
            email: Some(format!("{username}@example.test")),
            password: PASSWORD.to_string(),
            is_org_admin: org_admin,
        };
        let mut tx = db.write().await.expect("transaction");
        let id = rampart_server::api::users::insert_user(&mut tx, &org_id, &request).await.expect("user");
        tx.commit().await.expect("commit");
        id
    }

    /// A client that is signed in as `username` with a session cookie.
    pub async fn login(&self, username: &str) -> Client {
        self.login_with_password(username, PASSWORD).await
    }

    /// A client signed in as `username` with `password`.
    pub async fn login_with_password(&self, username: &str, password: &str) -> Client {
        let client = Client::anonymous(&self.base);
        let (status, headers, body) =
            client.send("POST", "/api/v1/auth/login", Some(json!({"username": username, "password": password}))).await;
        assert_eq!(status, StatusCode::OK, "login of {username}: {body}");
        let cookie = headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("rampart_session="))
            .and_then(|v| v.split(';').next())
            .expect("session cookie")
            .to_string();
        let csrf = body["csrf_token"].as_str().expect("csrf token").to_string();
        Client { auth: Auth::Session { cookie, csrf }, ..client }
    }

    /// A new organisation with an administrator signed in.
    pub async fn organisation_admin(&self, organisation: &str, username: &str) -> Client {
        self.create_user(organisation, username, true).await;
        self.login(username).await
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // A running server is stopped with its runtime when the test ends.
        self.running.take();
    }
}

#[derive(Clone, Debug)]
pub enum Auth {
    None,
    Session { cookie: String, csrf: String },
    Bearer(String),
}

/// An HTTP client for the API. Cookies are handled by hand so that tests
/// see exactly what the server sets.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub auth: Auth,
}

pub type Reply = (StatusCode, HeaderMap, Value);

impl Client {
    pub fn anonymous(base: &str) -> Client {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Client { http, base: base.to_string(), auth: Auth::None }
    }

    pub fn with_token(&self, token: &str) -> Client {
        Client { auth: Auth::Bearer(token.to_string()), ..self.clone() }
    }

    fn request(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.base));
        match &self.auth {
            Auth::None => {}
            Auth::Session { cookie, csrf } => {
                request = request.header("cookie", cookie);
                if method != reqwest::Method::GET {
                    request = request.header("x-csrf-token", csrf);
                }
            }
            Auth::Bearer(token) => request = request.header("authorization", format!("Bearer {token}")),
        }
        request
    }

    async fn reply(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body");
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, headers, body)
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        Client::reply(request.send().await.expect("request")).await
    }

    /// With extra headers (If-Match).
    pub async fn send_with(&self, method: &str, path: &str, headers: &[(&str, &str)], body: Option<Value>) -> Reply {
        let mut request = self.request(method, path);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Client::reply(request.send().await.expect("request")).await
    }

    /// A raw body (an uploaded file).
    pub async fn upload(&self, path: &str, bytes: Vec<u8>) -> Reply {
        let request = self.request("POST", path).header("content-type", "application/octet-stream").body(bytes);
        Client::reply(request.send().await.expect("request")).await
    }

    /// The raw bytes of a download.
    pub async fn download(&self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let response = self.request("GET", path).send().await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.bytes().await.expect("body").to_vec())
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send("POST", path, Some(body)).await
    }

    /// Asserts success and returns the body.
    pub async fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, _, reply) = self.send(method, path, body).await;
        assert!(status.is_success(), "{method} {path}: {status} {reply}");
        reply
    }
}

/// A file of `tests/fixtures`.
pub fn fixture(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An example model shipped with the repository.
pub fn example(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A business unit, a project in it, and a model from `document`: (unit, project, model) ids.
pub async fn project_with_model(admin: &Client, unit: &str, project: &str, document: &str) -> (String, String, String) {
    let unit = admin.ok("POST", "/api/v1/business-units", Some(json!({"name": unit}))).await;
    let unit_id = unit["id"].as_str().expect("unit id").to_string();
    let project =
        admin.ok("POST", "/api/v1/projects", Some(json!({"name": project, "business_unit_id": unit_id}))).await;
    let project_id = project["id"].as_str().expect("project id").to_string();
    let model = admin
        .ok(
            "POST",
            &format!("/api/v1/projects/{project_id}/models"),
            Some(json!({"name": "model", "document": document})),
        )
        .await;
    let model_id = model["model"]["id"].as_str().expect("model id").to_string();
    (unit_id, project_id, model_id)
}

/// `small.yaml` with components renamed: (id, new name).
pub fn renamed(document: &str, names: &[(&str, &str)]) -> String {
    let mut document = document.to_string();
    for (id, name) in names {
        let declaration = format!("  - id: {id}\n    name: ");
        let start = document.find(&declaration).unwrap_or_else(|| panic!("the fixture declares `{id}`"));
        let value = start + declaration.len();
        let end = value + document[value..].find('\n').expect("a line");
        document.replace_range(value..end, name);
    }
    document
}
