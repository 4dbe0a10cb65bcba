//! `rampart serve` and `rampart admin` as an operator runs them: the real
//! binary as a child process, on SQLite always and on PostgreSQL when
//! `RAMPART_TEST_POSTGRES` names a server (required when `CI=true`, as in
//! the server's own suite). Covers accounts made on the command line, backup
//! and restore between databases, and the crash test: `kill -9` in the middle
//! of a stream of writes, restart, and every acknowledged write is there.
//!
//! HTTP is spoken over `std::net::TcpStream` (one request per connection):
//! the binary is what is under test, and this crate has no HTTP client.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use common::{scratch, stderr};

const PASSWORD: &str = "correct horse battery staple";

// ---------------------------------------------------------------- HTTP

/// A reply: status, headers (lower-case names) and the body as JSON (or as a
/// JSON string when it is not JSON).
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request on a new connection. Transport failures are errors
/// (the crash test tells them apart from replies).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> std::io::Result<Reply> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let payload = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if body.is_some() {
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", payload.len()));
    }
    request.push_str("\r\n");
    request.push_str(&payload);
    stream.write_all(request.as_bytes())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> std::io::Result<Reply> {
    let broken = |what: &str| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, what.to_string());
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or_else(|| broken("no complete reply head"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|line| line.split(' ').nth(1))
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| broken("no status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    if chunked {
        body = dechunk(&body).ok_or_else(|| broken("a truncated chunked body"))?;
    } else if let Some(length) = headers.iter().find(|(n, _)| n == "content-length").and_then(|(_, v)| v.parse().ok())
        && body.len() < length
    {
        return Err(broken("a truncated body"));
    }
    let body = serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into()));
    Ok(Reply { status, headers, body })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// An API client signed in with a bearer token.
#[derive(Clone)]
struct Api {
    addr: String,
    token: String,
}

impl Api {
    fn try_send(
        &self,
        method: &str,
        path: &str,
        extra: &[(&str, &str)],
        body: Option<&Value>,
    ) -> std::io::Result<Reply> {
        let authorization = format!("Bearer {}", self.token);
        let mut headers = vec![("Authorization", authorization.as_str())];
        headers.extend_from_slice(extra);
        http(&self.addr, method, path, &headers, body)
    }

    /// Asserts a 2xx reply and returns its body.
    fn ok(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let reply = self.try_send(method, path, &[], body.as_ref()).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        assert!((200..300).contains(&reply.status), "{method} {path}: {} {}", reply.status, reply.body);
        reply.body
    }
}

// ---------------------------------------------------------------- databases

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL when `RAMPART_TEST_POSTGRES` is set, and it
/// must be in CI, where quietly skipping it would look like a pass.
fn backends() -> Vec<Backend> {
    let postgres = std::env::var("RAMPART_TEST_POSTGRES").is_ok_and(|url| !url.is_empty());
    if !postgres && std::env::var("CI").is_ok_and(|ci| ci == "true") {
        panic!("CI=true but RAMPART_TEST_POSTGRES is not set: run the tests through scripts/with-postgres.sh");
    }
    if postgres { vec![Backend::Sqlite, Backend::Postgres] } else { vec![Backend::Sqlite] }
}

/// Where a server keeps its data: a data directory, and a PostgreSQL URL
/// instead of the embedded database when there is one.
struct Database {
    data_dir: PathBuf,
    url: Option<String>,
}

impl Database {
    /// A new, empty database of `backend`; SQLite's lives in `dir`.
    fn fresh(backend: Backend, dir: &Path) -> Database {
        std::fs::create_dir_all(dir).expect("data directory");
        let url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres => Some(fresh_postgres()),
        };
        Database { data_dir: dir.to_path_buf(), url }
    }

    /// The arguments every `serve` and `admin` command takes.
    fn args(&self) -> Vec<String> {
        let mut args = vec!["--data-dir".to_string(), self.data_dir.display().to_string()];
        if let Some(url) = &self.url {
            args.extend(["--database".to_string(), url.clone()]);
        }
        args
    }

    fn sqlite_file(&self) -> PathBuf {
        self.data_dir.join("rampart.db")
    }
}

/// `psql`, from the PATH or the Debian package's directory (scripts/with-postgres.sh installs it).
fn psql() -> PathBuf {
    let in_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("psql"))
        .find(|path| path.is_file());
    let in_debian = || {
        std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("bin/psql"))
            .find(|path| path.is_file())
    };
    in_path.or_else(in_debian).expect("psql (PostgreSQL's client) is installed")
}

/// Creates a database on the server of `RAMPART_TEST_POSTGRES` and returns its URL.
fn fresh_postgres() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let admin_url = std::env::var("RAMPART_TEST_POSTGRES").expect("RAMPART_TEST_POSTGRES");
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_nanos();
    let name = format!("rt_cli_{}_{nanos}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let output = Command::new(psql())
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", &admin_url, "-c", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql runs");
    assert!(output.status.success(), "CREATE DATABASE {name}: {}", stderr(&output));
    let (without_query, query) = admin_url.split_once('?').map_or((admin_url.as_str(), ""), |(u, q)| (u, q));
    let server = without_query.rsplit_once('/').map_or(without_query, |(server, _)| server);
    if query.is_empty() { format!("{server}/{name}") } else { format!("{server}/{name}?{query}") }
}

// ---------------------------------------------------------------- the binary

fn rampart_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_rampart"));
    // Settings from the environment of whoever runs the tests must not leak in.
    for name in [
        "RAMPART_DATA_DIR",
        "RAMPART_DATABASE_URL",
        "RAMPART_LISTEN",
        "RAMPART_PUBLIC_URL",
        "RAMPART_PASSWORD",
        "RAMPART_SHUTDOWN_TIMEOUT",
        "RAMPART_SECRET_KEY",
        "RAMPART_NEW_SECRET_KEY",
    ] {
        command.env_remove(name);
    }
    command
}

/// `rampart admin create-user`, the password in RAMPART_PASSWORD.
fn create_user(database: &Database, organisation: &str, username: &str) {
    let output = rampart_command()
        .args(["admin", "create-user"])
        .args(database.args())
        .args(["--organisation", organisation, "--username", username, "--admin"])
        .env("RAMPART_PASSWORD", PASSWORD)
        .output()
        .expect("the binary runs");
    assert!(output.status.success(), "create-user: {}", stderr(&output));
    assert!(stderr(&output).contains(&format!("created administrator `{username}`")), "{}", stderr(&output));
}

/// `rampart admin ARGS... <database>` and its output.
fn admin(database: &Database, args: &[&str]) -> std::process::Output {
    rampart_command().arg("admin").args(args).args(database.args()).output().expect("the binary runs")
}

/// A `rampart serve` child process, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    log: PathBuf,
}

/// The address in a server log's "Rampart is listening on http://ADDR" line.
fn listening_address(log: &str) -> Option<String> {
    const SAYS: &str = "Rampart is listening on http://";
    let start = log.find(SAYS)? + SAYS.len();
    let addr: String = log[start..].chars().take_while(|c| !c.is_whitespace()).collect();
    (!addr.is_empty()).then_some(addr)
}

impl Server {
    /// Starts `rampart serve` on `database` and waits (20 s at most) until `/healthz` answers 200.
    fn start(database: &Database, log: &Path) -> Server {
        Server::start_with(database, log, &[])
    }

    /// [`Server::start`] with more `serve` arguments.
    ///
    /// The server picks its own port (`--listen 127.0.0.1:0`) and the test
    /// reads it from the server's "listening on" line: a port found free
    /// beforehand can be taken by another test's connection before the
    /// server binds it (an SSO test failed in CI so).
    fn start_with(database: &Database, log: &Path, extra: &[&str]) -> Server {
        Server::start_with_env(database, log, extra, &[])
    }

    /// [`Server::start_with`] with more environment variables.
    fn start_with_env(database: &Database, log: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
        let log_file = std::fs::File::create(log).expect("log file");
        let child = rampart_command()
            .arg("serve")
            .args(database.args())
            .args(["--listen", "127.0.0.1:0", "--insecure-cookies"])
            .args(extra)
            .envs(env.iter().copied())
            .env("RAMPART_LOG", "info")
            // Its log goes to standard output, its errors to standard error.
            .stdout(log_file.try_clone().expect("log file"))
            .stderr(log_file)
            .spawn()
            .expect("rampart serve starts");
        let mut server = Server { child, addr: String::new(), log: log.to_path_buf() };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = server.child.try_wait().expect("child status") {
                panic!("rampart serve exited ({status}) before it was ready: {}", server.log_text());
            }
            if server.addr.is_empty()
                && let Some(addr) = listening_address(&server.log_text())
            {
                server.addr = addr;
            }
            if !server.addr.is_empty()
                && let Ok(reply) = http(&server.addr, "GET", "/healthz", &[], None)
                && reply.status == 200
            {
                return server;
            }
            assert!(Instant::now() < deadline, "rampart serve not ready in 20 s: {}", server.log_text());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGKILL: the process gets no chance to finish anything.
    fn kill(&mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM, without waiting.
    fn terminate(&self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        assert!(sent.success(), "kill -TERM {pid}");
    }

    /// The exit status, once the process has exited within `limit`.
    fn exit_within(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM and wait for a clean exit (10 s at most).
    fn stop(&mut self) {
        self.terminate();
        let status = self.exit_within(Duration::from_secs(10)).expect("rampart serve did not stop in 10 s on SIGTERM");
        assert!(status.success(), "rampart serve exited with {status} on SIGTERM: {}", self.log_text());
    }

    /// Signs in with the password, then makes an admin API token for the rest.
    fn sign_in(&self, username: &str) -> Api {
        let wrong = json!({"username": username, "password": "not the password"});
        let refused = http(&self.addr, "POST", "/api/v1/auth/login", &[], Some(&wrong)).expect("login");
        assert_eq!(refused.status, 401, "a wrong password is refused: {}", refused.body);
        let login = json!({"username": username, "password": PASSWORD});
        let reply = http(&self.addr, "POST", "/api/v1/auth/login", &[], Some(&login)).expect("login");
        assert_eq!(reply.status, 200, "login of {username}: {}", reply.body);
        let cookie = reply
            .headers
            .iter()
            .filter(|(name, _)| name == "set-cookie")
            .find_map(|(_, value)| value.strip_prefix("rampart_session=").map(|_| value.split(';').next()))
            .flatten()
            .expect("a session cookie")
            .to_string();
        let csrf = reply.body["csrf_token"].as_str().expect("csrf token").to_string();
        let request = json!({"name": "cli test", "role": "admin"});
        let headers = [("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str())];
        let created = http(&self.addr, "POST", "/api/v1/tokens", &headers, Some(&request)).expect("token");
        assert!((200..300).contains(&created.status), "POST /api/v1/tokens: {} {}", created.status, created.body);
        let token = created.body["token"].as_str().expect("the token is shown once").to_string();
        Api { addr: self.addr.clone(), token }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn example(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A business unit, a project and a model of the e-commerce example; the model's id.
fn model_in_new_project(api: &Api) -> String {
    let unit = api.ok("POST", "/api/v1/business-units", Some(json!({"name": "Retail"})));
    let project = api.ok("POST", "/api/v1/projects", Some(json!({"name": "Shop", "business_unit_id": unit["id"]})));
    let project_id = project["id"].as_str().expect("project id");
    let created = api.ok(
        "POST",
        &format!("/api/v1/projects/{project_id}/models"),
        Some(json!({"name": "shop", "document": example("ecommerce.yaml"), "message": "first"})),
    );
    created["model"]["id"].as_str().expect("model id").to_string()
}

/// Version number → message, of every version of a model, and its head.
fn versions(api: &Api, model_id: &str) -> (i64, Vec<(i64, String)>) {
    let model = api.ok("GET", &format!("/api/v1/models/{model_id}"), None);
    let head = model["head_version"].as_i64().expect("head_version");
    let items = every_item(api, &format!("/api/v1/models/{model_id}/versions"));
    let mut found: Vec<(i64, String)> = items
        .iter()
        .map(|v| (v["version"].as_i64().expect("version"), v["message"].as_str().unwrap_or_default().to_string()))
        .collect();
    found.sort();
    (head, found)
}

/// The ids of the first `n` threats of the model's latest version.
fn threat_ids(api: &Api, model_id: &str, n: usize) -> Vec<String> {
    let page = api.ok("GET", &format!("/api/v1/models/{model_id}/threats?limit={n}&sort=id"), None);
    let ids: Vec<String> =
        page["items"].as_array().expect("items").iter().map(|t| t["id"].as_str().expect("id").to_string()).collect();
    assert_eq!(ids.len(), n, "the example raises at least {n} threats: {page}");
    ids
}

fn comment_ids(api: &Api, model_id: &str, threat_id: &str) -> Vec<String> {
    let items = every_item(api, &format!("/api/v1/models/{model_id}/threats/{threat_id}/comments"));
    items.iter().map(|c| c["id"].as_str().expect("id").to_string()).collect()
}

/// Every item of a paged list, page by page (500, the most a page holds): a
/// fast machine acknowledges more than one page of writes before the kill.
fn every_item(api: &Api, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    loop {
        let page = api.ok("GET", &format!("{path}?limit=500&offset={}", items.len()), None);
        let got = page["items"].as_array().expect("items");
        items.extend(got.iter().cloned());
        if got.is_empty() || items.len() as i64 >= page["total"].as_i64().expect("total") {
            return items;
        }
    }
}

/// `PRAGMA integrity_check` of a SQLite file, by Python's standard sqlite3
/// module (this crate does not depend on a SQL driver).
fn sqlite_integrity(file: &Path) -> String {
    let script =
        "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])";
    let output = Command::new("python3").args(["-c", script]).arg(file).output().expect("python3 runs");
    assert!(output.status.success(), "integrity check: {}", stderr(&output));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// The database's write lock, held by another process until dropped: the
/// server's writes wait for it (SQLite's `BEGIN EXCLUSIVE` by Python's
/// sqlite3 module; on PostgreSQL a `LOCK TABLE` of the business units by psql).
struct WriteLock {
    holder: Child,
}

impl WriteLock {
    fn take(database: &Database) -> WriteLock {
        let mut command = match &database.url {
            None => {
                let script = "import sqlite3, sys\n\
                    db = sqlite3.connect(sys.argv[1], isolation_level=None)\n\
                    db.execute('BEGIN EXCLUSIVE')\n\
                    print('locked', flush=True)\n\
                    sys.stdin.read()\n\
                    db.execute('ROLLBACK')\n";
                let mut command = Command::new("python3");
                command.args(["-c", script]).arg(database.sqlite_file());
                command
            }
            Some(url) => {
                let mut command = Command::new(psql());
                command.args(["-X", "-q", "-v", "ON_ERROR_STOP=1", url]);
                command
            }
        };
        let mut holder = command.stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("the lock holder starts");
        if database.url.is_some() {
            let stdin = holder.stdin.as_mut().expect("stdin");
            stdin
                .write_all(b"BEGIN;\nLOCK TABLE business_units IN ACCESS EXCLUSIVE MODE;\n\\echo locked\n")
                .expect("psql takes the lock");
        }
        let mut line = [0u8; 6];
        holder.stdout.as_mut().expect("stdout").read_exact(&mut line).expect("the holder says it has the lock");
        assert_eq!(&line, b"locked");
        WriteLock { holder }
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        // Closing its input ends the holder's transaction, and the holder.
        drop(self.holder.stdin.take());
        let _ = self.holder.wait();
    }
}

/// Starts a request that creates a business unit and will wait on `lock`;
/// gives it time to reach the database.
fn write_waiting_for_the_lock(api: &Api, name: &str) -> std::thread::JoinHandle<std::io::Result<Reply>> {
    let api = api.clone();
    let body = json!({"name": name});
    let waiting = std::thread::spawn(move || api.try_send("POST", "/api/v1/business-units", &[], Some(&body)));
    std::thread::sleep(Duration::from_millis(500));
    if waiting.is_finished() {
        let reply = waiting.join().expect("thread");
        panic!("the write waits for the lock, but it was answered: {:?}", reply.map(|r| (r.status, r.body)));
    }
    waiting
}

// ---------------------------------------------------------------- tests

#[test]
fn serve_help_names_the_database_options() {
    let output = rampart_command().args(["serve", "--help"]).output().expect("the binary runs");
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for option in ["--database", "--data-dir", "--listen", "--analysis-cache-mib"] {
        assert!(help.contains(option), "`rampart serve --help` mentions {option}: {help}");
    }
}

#[test]
fn a_memory_size_that_is_not_a_number_is_refused_by_name() {
    let output = rampart_command().args(["serve", "--analysis-cache-mib", "lots"]).output().expect("the binary runs");
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--analysis-cache-mib") && stderr(&output).contains("lots"),
        "{}",
        stderr(&output)
    );
    let from_environment =
        rampart_command().args(["serve"]).env("RAMPART_ANALYSIS_CACHE_MIB", "-1").output().expect("the binary runs");
    assert_eq!(from_environment.status.code(), Some(2), "{}", stderr(&from_environment));
    assert!(stderr(&from_environment).contains("--analysis-cache-mib"), "{}", stderr(&from_environment));
}

#[test]
fn a_user_made_on_the_command_line_signs_in_to_the_served_api() {
    for backend in backends() {
        let dir = scratch(&format!("sign-in-{backend:?}"));
        let database = Database::fresh(backend, &dir.join("data"));

        let no_password = rampart_command()
            .args(["admin", "create-user", "--username", "bob"])
            .args(database.args())
            .output()
            .expect("the binary runs");
        assert_eq!(no_password.status.code(), Some(2), "{backend:?}: {}", stderr(&no_password));
        assert!(stderr(&no_password).contains("RAMPART_PASSWORD"), "{}", stderr(&no_password));

        create_user(&database, "Acme", "alice");
        let server = Server::start(&database, &dir.join("serve.log"));
        let health = http(&server.addr, "GET", "/healthz", &[], None).expect("healthz");
        assert_eq!(health.status, 200);
        let api = server.sign_in("alice");
        let session = api.ok("GET", "/api/v1/auth/session", None);
        assert_eq!(session["user"]["username"], "alice", "{backend:?}: {session}");
        assert_eq!(session["user"]["is_org_admin"], true, "{backend:?}: --admin: {session}");
        assert_eq!(session["via"], "personal-token", "{backend:?}: {session}");
        let reply = http(&server.addr, "GET", "/api/v1/projects", &[], None).expect("projects");
        assert_eq!(reply.status, 401, "anonymous callers are refused: {}", reply.body);
        assert!(reply.header("content-type").is_some_and(|t| t.contains("json")), "errors are JSON");
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// Two `rampart serve` processes on one PostgreSQL are one service: a
/// token made on one works on the other, saves alternate between them
/// each based on the other's answer (each replica's memory of the last
/// analysis must notice the other's versions), a stale ETag is refused
/// whichever replica holds it, and a job queued on one is seen on both.
#[test]
fn two_server_processes_on_one_postgresql_behave_as_one_service() {
    let Some(Backend::Postgres) = backends().into_iter().find(|b| *b == Backend::Postgres) else {
        eprintln!("no PostgreSQL (RAMPART_TEST_POSTGRES): replicas need one; CI always has it");
        return;
    };
    let dir = scratch("replicas");
    let database = Database::fresh(Backend::Postgres, &dir.join("data"));
    create_user(&database, "Acme", "alice");
    let first = Server::start(&database, &dir.join("first.log"));
    let second = Server::start(&database, &dir.join("second.log"));
    let on_first = first.sign_in("alice");
    let on_second = Api { addr: second.addr.clone(), token: on_first.token.clone() };
    let model_id = model_in_new_project(&on_first);
    let path = format!("/api/v1/models/{model_id}");

    let document = example("ecommerce.yaml");
    let mut etag = on_second.ok("GET", &path, None)["etag"].as_str().expect("etag").to_string();
    let mut stale = etag.clone();
    for n in 0..8 {
        let (api, name) = if n % 2 == 0 { (&on_second, "second") } else { (&on_first, "first") };
        // Each save changes what the last one changed, so an analysis kept from too long ago would show.
        let edited = document.replacen("name: ", &format!("name: edit {n} "), 1 + n % 3);
        let body = json!({"document": edited, "message": format!("save {n} on the {name}")});
        let reply = api.try_send("PUT", &path, &[("If-Match", &etag)], Some(&body)).expect("save");
        assert_eq!(reply.status, 200, "save {n} on the {name}: {}", reply.body);
        stale = std::mem::replace(&mut etag, reply.body["model"]["etag"].as_str().expect("etag").to_string());
    }
    for api in [&on_first, &on_second] {
        let body = json!({"document": document, "message": "from an old read"});
        let refused = api.try_send("PUT", &path, &[("If-Match", &stale)], Some(&body)).expect("save");
        assert_eq!(refused.status, 409, "{}", refused.body);
    }
    let (head, listed) = versions(&on_first, &model_id);
    assert_eq!(head, 9);
    assert_eq!(listed.len(), 9, "{listed:?}");
    assert_eq!(versions(&on_second, &model_id), (head, listed.clone()), "both replicas list the same history");
    // What each version lists is what a fresh analysis of its document raises: the replicas' kept analyses agree.
    for version in [2, 5, 9] {
        let shown = on_first.ok("GET", &format!("{path}/threats?version={version}&limit=500&sort=id"), None);
        let document = on_second.ok("GET", &format!("{path}/versions/{version}"), None)["document"].clone();
        let preview = on_second.ok("POST", &format!("{path}/analysis"), Some(json!({"document": document})));
        let mut expected: Vec<String> = preview["threats"]
            .as_array()
            .expect("threats")
            .iter()
            .map(|t| t["id"].as_str().unwrap().to_string())
            .collect();
        expected.sort();
        let listed: Vec<String> =
            shown["items"].as_array().expect("items").iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
        assert_eq!(listed, expected, "version {version}");
    }

    let job = on_first.ok("POST", "/api/v1/jobs", Some(json!({"kind": "reanalyze"})));
    let job_path = format!("/api/v1/jobs/{}", job["id"].as_str().expect("job id"));
    let deadline = Instant::now() + Duration::from_secs(30);
    let done = loop {
        let seen = on_second.ok("GET", &job_path, None);
        if seen["status"] == "done" {
            break seen;
        }
        assert!(Instant::now() < deadline, "the job was not done in 30 s: {seen}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(done["result"]["models"], 1, "{done}");
    assert_eq!(on_first.ok("GET", &job_path, None)["status"], "done");
    drop((first, second));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `rampart admin rotate-secret-key` seals every secret again under a new
/// key, all or nothing; a server with the new key then opens them.
#[test]
fn secrets_are_sealed_again_under_a_new_key() {
    const KEYS: [&str; 3] = [
        "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=",
        "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=",
    ];
    let dir = scratch("rotate");
    let database = Database::fresh(Backend::Sqlite, &dir.join("data"));
    create_user(&database, "Acme", "alice");
    let server = Server::start_with_env(&database, &dir.join("serve.log"), &[], &[("RAMPART_SECRET_KEY", KEYS[0])]);
    let api = server.sign_in("alice");
    let unit = api.ok("POST", "/api/v1/business-units", Some(json!({"name": "Retail"})));
    let project = api.ok("POST", "/api/v1/projects", Some(json!({"name": "Shop", "business_unit_id": unit["id"]})));
    let project_id = project["id"].as_str().expect("project id");
    for name in ["jira", "webhook"] {
        api.ok("PUT", &format!("/api/v1/projects/{project_id}/secrets/{name}"), Some(json!({"value": "s3cret value"})));
    }
    drop(server);
    let sealed = || {
        let script = "import sqlite3, sys; print(sorted(r[0] for r in sqlite3.connect(sys.argv[1]).execute('SELECT sealed FROM secrets')))";
        let output =
            Command::new("python3").args(["-c", script]).arg(database.sqlite_file()).output().expect("python3");
        String::from_utf8_lossy(&output.stdout).to_string()
    };
    let rotate = |old: &str, new: &str| {
        rampart_command()
            .args(["admin", "rotate-secret-key"])
            .args(database.args())
            .env("RAMPART_SECRET_KEY", old)
            .env("RAMPART_NEW_SECRET_KEY", new)
            .output()
            .expect("the binary runs")
    };

    let missing = rampart_command().args(["admin", "rotate-secret-key"]).args(database.args()).output().expect("runs");
    assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
    assert!(stderr(&missing).contains("RAMPART_NEW_SECRET_KEY"), "{}", stderr(&missing));
    let before = sealed();
    let rotated = rotate(KEYS[0], KEYS[1]);
    assert!(rotated.status.success(), "{}", stderr(&rotated));
    assert!(stderr(&rotated).contains("sealed 2 secret(s)"), "{}", stderr(&rotated));
    let after = sealed();
    assert_ne!(after, before, "sealed anew");
    // The old key no longer opens them: a rotation from it fails, naming a secret, and changes nothing.
    let wrong = rotate(KEYS[0], KEYS[2]);
    assert_eq!(wrong.status.code(), Some(2), "{}", stderr(&wrong));
    assert!(
        stderr(&wrong).contains("secret `") && stderr(&wrong).contains("nothing was changed"),
        "{}",
        stderr(&wrong)
    );
    assert_eq!(sealed(), after);
    // The new key does.
    let again = rotate(KEYS[1], KEYS[2]);
    assert!(again.status.success(), "{}", stderr(&again));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_mistyped_organisation_is_an_error_not_a_new_organisation() {
    let dir = scratch("organisations");
    let database = Database::fresh(Backend::Sqlite, &dir.join("data"));
    create_user(&database, "Acme", "alice");
    let add = |username: &str, organisation: &str, new: bool| {
        let mut command = rampart_command();
        command.args(["admin", "create-user", "--username", username, "--organisation", organisation]);
        if new {
            command.arg("--new-organisation");
        }
        command.args(database.args()).env("RAMPART_PASSWORD", PASSWORD).output().expect("the binary runs")
    };
    let typo = add("bob", "Acme Corp", false);
    assert_eq!(typo.status.code(), Some(2), "{}", stderr(&typo));
    assert!(
        stderr(&typo).contains("no organisation `Acme Corp`") && stderr(&typo).contains("`Acme`"),
        "names the typo and what exists: {}",
        stderr(&typo)
    );
    assert!(stderr(&typo).contains("--new-organisation"), "{}", stderr(&typo));
    let joined = add("bob", "Acme", false);
    assert!(joined.status.success(), "{}", stderr(&joined));
    let other = add("carol", "Globex", true);
    assert!(other.status.success(), "{}", stderr(&other));
    assert!(stderr(&other).contains("in organisation `Globex`"), "{}", stderr(&other));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `rampart admin set-password`, the new password on standard input.
fn set_password(database: &Database, username: &str, password: &str) -> std::process::Output {
    let mut child = rampart_command()
        .args(["admin", "set-password", "--username", username, "--password-stdin"])
        .args(database.args())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().expect("stdin").write_all(format!("{password}\n").as_bytes()).expect("password sent");
    child.wait_with_output().expect("set-password ends")
}

#[test]
fn a_locked_out_account_gets_a_new_password_on_the_command_line() {
    for backend in backends() {
        let dir = scratch(&format!("set-password-{backend:?}"));
        let database = Database::fresh(backend, &dir.join("data"));
        create_user(&database, "Acme", "alice");
        let server = Server::start(&database, &dir.join("serve.log"));
        let login = |password: &str| {
            let body = json!({"username": "alice", "password": password});
            http(&server.addr, "POST", "/api/v1/auth/login", &[], Some(&body)).expect("login").status
        };
        for _ in 0..5 {
            assert_eq!(login("a wrong guess at it"), 401);
        }
        assert_eq!(login(PASSWORD), 401, "{backend:?}: five failures lock the account");

        let new_password = "a new password for alice";
        let weak = set_password(&database, "alice", "short");
        assert_eq!(weak.status.code(), Some(2), "{backend:?}: {}", stderr(&weak));
        assert!(stderr(&weak).contains("12 characters"), "{}", stderr(&weak));
        let unknown = set_password(&database, "nobody", new_password);
        assert_eq!(unknown.status.code(), Some(2), "{}", stderr(&unknown));
        assert!(stderr(&unknown).contains("`nobody` not found"), "{}", stderr(&unknown));
        let reset = set_password(&database, "alice", new_password);
        assert!(reset.status.success(), "{backend:?}: {}", stderr(&reset));
        assert!(stderr(&reset).contains("lockout cleared"), "{}", stderr(&reset));

        assert_eq!(login(PASSWORD), 401, "{backend:?}: the old password is gone");
        assert_eq!(login(new_password), 200, "{backend:?}: unlocked, with the new password: {}", server.log_text());
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn backup_restores_into_a_new_database_of_either_kind() {
    let dir = scratch("backup");
    let source = Database::fresh(Backend::Sqlite, &dir.join("source"));
    create_user(&source, "Acme", "alice");
    let mut server = Server::start(&source, &dir.join("source.log"));
    let api = server.sign_in("alice");
    let model_id = model_in_new_project(&api);
    let saved = api
        .try_send(
            "PUT",
            &format!("/api/v1/models/{model_id}"),
            &[("If-Match", "*")],
            Some(&json!({"document": example("ecommerce.yaml") + "\n# edited\n", "message": "second"})),
        )
        .expect("save");
    assert_eq!(saved.status, 200, "{}", saved.body);
    let threat = threat_ids(&api, &model_id, 1).remove(0);
    let path = format!("/api/v1/models/{model_id}/threats/{threat}");
    let changed =
        api.try_send("PATCH", &path, &[("If-Match", "*")], Some(&json!({"status": "mitigated"}))).expect("patch");
    assert_eq!(changed.status, 200, "{}", changed.body);
    let comment = api.ok("POST", &format!("{path}/comments"), Some(json!({"body": "fixed in 2.3"})));
    let expected_versions = versions(&api, &model_id);
    assert_eq!(expected_versions, (2, vec![(1, "first".to_string()), (2, "second".to_string())]));
    server.stop();

    let file = dir.join("backup.jsonl");
    let file_arg = file.display().to_string();
    let backup = admin(&source, &["backup", "-o", &file_arg]);
    assert!(backup.status.success(), "backup: {}", stderr(&backup));
    assert!(stderr(&backup).contains("1 models, 2 versions"), "{}", stderr(&backup));

    for backend in backends() {
        let target = Database::fresh(backend, &dir.join(format!("restored-{backend:?}")));
        let restore = admin(&target, &["restore", "-i", &file_arg]);
        assert!(restore.status.success(), "restore into {backend:?}: {}", stderr(&restore));
        assert!(stderr(&restore).contains("1 models, 2 versions"), "{}", stderr(&restore));

        let again = admin(&target, &["restore", "-i", &file_arg]);
        assert_eq!(again.status.code(), Some(2), "restoring into a non-empty {backend:?} database fails");
        assert!(stderr(&again).contains("the database is not empty"), "{}", stderr(&again));

        let mut restored = Server::start(&target, &dir.join(format!("restored-{backend:?}.log")));
        let api = restored.sign_in("alice");
        assert_eq!(versions(&api, &model_id), expected_versions, "{backend:?}: the same model and versions");
        let decision = api.ok("GET", &path, None);
        assert_eq!(decision["decision"]["status"], "mitigated", "{backend:?}: {decision}");
        let comments = comment_ids(&api, &model_id, &threat);
        assert_eq!(comments, vec![comment["id"].as_str().expect("comment id").to_string()], "{backend:?}");
        restored.stop();
    }

    let unsupported = Database { data_dir: dir.join("x"), url: Some("mysql://db/x".into()) };
    let bad = admin(&unsupported, &["backup", "-o", &file_arg]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("unsupported database URL `mysql://db/x`"), "{}", stderr(&bad));
    let serve_bad = rampart_command()
        .args(["serve", "--database", "mysql://db/x", "--listen", "127.0.0.1:0"])
        .args(["--data-dir", &dir.join("x").display().to_string()])
        .output()
        .expect("the binary runs");
    assert_eq!(serve_bad.status.code(), Some(2), "{}", stderr(&serve_bad));
    assert!(stderr(&serve_bad).contains("expected sqlite://PATH or postgres://"), "{}", stderr(&serve_bad));
    let _ = std::fs::remove_dir_all(&dir);
}

/// What one writer of the crash test was told, and what it had in flight.
#[derive(Default)]
struct Acknowledged {
    /// (version, message) of each save answered 200.
    saves: Vec<(i64, String)>,
    /// Ids of comments answered 201.
    comments: Vec<String>,
    /// (revision, status) of the last status change answered 200.
    last_status: Option<(i64, String)>,
    /// The status sent by a request that got no answer (the kill).
    unanswered_status: Option<String>,
    /// Replies that were not 2xx before the kill: there should be none.
    failures: Vec<String>,
    /// Saves with `If-Match: *` refused as stale (409): there should be none either.
    stale_saves: Vec<String>,
    /// Whether the request that ended the stream had been sent (connected)
    /// when the server died, rather than refused at connection.
    cut_off_in_flight: bool,
}

const STATUS_CYCLE: [&str; 3] = ["in-progress", "mitigated", "open"];

/// One writer: saves, status changes of its own threat, and comments, in
/// turn, until a request fails to get a reply (the server was killed).
fn write_stream(api: Api, model_id: String, threat_id: String, writer: usize, acked: Arc<AtomicUsize>) -> Acknowledged {
    let mut seen = Acknowledged::default();
    let document = example("ecommerce.yaml");
    let threat_path = format!("/api/v1/models/{model_id}/threats/{threat_id}");
    let deadline = Instant::now() + Duration::from_secs(30);
    for n in 0.. {
        assert!(Instant::now() < deadline, "writer {writer} was never cut off");
        let message = format!("writer {writer} write {n}");
        let result = match n % 3 {
            0 => {
                let body = json!({"document": format!("{document}\n# {message}\n"), "message": message});
                let reply =
                    api.try_send("PUT", &format!("/api/v1/models/{model_id}"), &[("If-Match", "*")], Some(&body));
                if let Ok(reply) = &reply
                    && reply.status == 200
                {
                    let version = reply.body["model"]["head_version"].as_i64().expect("head_version");
                    seen.saves.push((version, message.clone()));
                }
                reply
            }
            1 => {
                let status = STATUS_CYCLE[(n / 3) % STATUS_CYCLE.len()];
                let reply = api.try_send("PATCH", &threat_path, &[("If-Match", "*")], Some(&json!({"status": status})));
                match &reply {
                    Ok(reply) if reply.status == 200 => {
                        let revision = reply.body["revision"].as_i64().expect("revision");
                        seen.last_status = Some((revision, status.to_string()));
                    }
                    Ok(_) => {}
                    Err(_) => seen.unanswered_status = Some(status.to_string()),
                }
                reply
            }
            _ => {
                let body = json!({"body": message});
                let reply = api.try_send("POST", &format!("{threat_path}/comments"), &[], Some(&body));
                if let Ok(reply) = &reply
                    && reply.status == 201
                {
                    seen.comments.push(reply.body["id"].as_str().expect("comment id").to_string());
                }
                reply
            }
        };
        match result {
            Ok(reply) if (200..300).contains(&reply.status) => {
                acked.fetch_add(1, Ordering::Relaxed);
            }
            Ok(reply) if reply.status == 409 && n % 3 == 0 => {
                seen.stale_saves.push(format!("{message}: {}", reply.body))
            }
            Ok(reply) => seen.failures.push(format!("{message}: {} {}", reply.status, reply.body)),
            Err(error) => {
                seen.cut_off_in_flight = error.kind() != std::io::ErrorKind::ConnectionRefused;
                return seen;
            }
        }
    }
    seen
}

fn crash_and_recover(backend: Backend) {
    let dir = scratch(&format!("crash-{backend:?}"));
    let database = Database::fresh(backend, &dir.join("data"));
    create_user(&database, "Acme", "alice");
    let mut server = Server::start(&database, &dir.join("first.log"));
    let api = server.sign_in("alice");
    let model_id = model_in_new_project(&api);
    let threats = threat_ids(&api, &model_id, 4);

    let acked = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = threats
        .iter()
        .enumerate()
        .map(|(writer, threat)| {
            let (api, model_id, threat, acked) = (api.clone(), model_id.clone(), threat.clone(), acked.clone());
            std::thread::spawn(move || write_stream(api, model_id, threat, writer, acked))
        })
        .collect();
    // The kill comes in the middle of the stream: after 1.5 s and once a
    // good number of writes were acknowledged, with the four writers busy.
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(1500) || acked.load(Ordering::Relaxed) < 12 {
        let acknowledged = acked.load(Ordering::Relaxed);
        assert!(started.elapsed() < Duration::from_secs(30), "only {acknowledged} writes acknowledged in 30 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    server.kill();
    let seen: Vec<Acknowledged> = writers.into_iter().map(|w| w.join().expect("writer")).collect();
    for (writer, writes) in seen.iter().enumerate() {
        assert!(writes.failures.is_empty(), "{backend:?} writer {writer}: {:?}", writes.failures);
        // `If-Match: *` saves queue on the model's row: none may be refused as stale.
        assert!(writes.stale_saves.is_empty(), "{backend:?} writer {writer}: {:?}", writes.stale_saves);
    }
    let in_flight = seen.iter().filter(|w| w.cut_off_in_flight).count();
    let comments: usize = seen.iter().map(|w| w.comments.len()).sum();
    let saves: usize = seen.iter().map(|w| w.saves.len()).sum();
    eprintln!(
        "{backend:?}: {} writes acknowledged ({saves} saves, {comments} comments); {in_flight} of 4 writers cut off \
         mid-request by the kill",
        acked.load(Ordering::Relaxed)
    );
    assert!(in_flight >= 1, "{backend:?}: the kill came while requests were in flight");

    let mut restarted = Server::start(&database, &dir.join("second.log"));
    let api = Api { addr: restarted.addr.clone(), token: api.token.clone() };
    let (head, stored) = versions(&api, &model_id);
    let numbers: Vec<i64> = stored.iter().map(|(v, _)| *v).collect();
    assert_eq!(numbers, (1..=head).collect::<Vec<_>>(), "{backend:?}: versions are contiguous 1..={head}");
    assert!(saves >= 1, "{backend:?}: at least one save was acknowledged before the kill");
    for writes in &seen {
        for (reported, message) in &writes.saves {
            // The reply names the version this save created, read in its own transaction.
            assert!(
                stored.contains(&(*reported, message.clone())),
                "{backend:?}: acknowledged save `{message}` as version {reported} is kept"
            );
        }
    }
    for (writer, (threat, writes)) in threats.iter().zip(&seen).enumerate() {
        let comments = comment_ids(&api, &model_id, threat);
        for id in &writes.comments {
            assert!(comments.contains(id), "{backend:?} writer {writer}: acknowledged comment {id} is kept");
        }
        let detail = api.ok("GET", &format!("/api/v1/models/{model_id}/threats/{threat}"), None);
        let revision = detail["decision"]["revision"].as_i64().expect("revision");
        let status = detail["decision"]["status"].as_str().expect("status").to_string();
        let (acked_revision, acked_status) = writes.last_status.clone().unwrap_or((0, status.clone()));
        // The acknowledged value, or the one request that was cut off, if it committed.
        let as_acknowledged = revision == acked_revision && status == acked_status;
        let cut_off_committed =
            revision == acked_revision + 1 && writes.unanswered_status.as_deref() == Some(status.as_str());
        assert!(
            as_acknowledged || cut_off_committed,
            "{backend:?} writer {writer}: threat at revision {revision} `{status}`, acknowledged {acked_revision} \
             `{acked_status}`, unanswered {:?}",
            writes.unanswered_status
        );
    }
    let head_threats = api.ok("GET", &format!("/api/v1/models/{model_id}/threats?limit=50"), None);
    assert!(head_threats["total"].as_i64().unwrap_or(0) > 50, "{backend:?}: the head's threats: {head_threats}");

    match backend {
        Backend::Sqlite => {
            restarted.stop();
            assert_eq!(sqlite_integrity(&database.sqlite_file()), "ok", "{backend:?}: PRAGMA integrity_check");
        }
        Backend::Postgres => {
            let job = api.ok("POST", "/api/v1/jobs", Some(json!({"kind": "reanalyze"})));
            let job_path = format!("/api/v1/jobs/{}", job["id"].as_str().expect("job id"));
            let deadline = Instant::now() + Duration::from_secs(30);
            let finished = loop {
                let job = api.ok("GET", &job_path, None);
                if matches!(job["status"].as_str(), Some("done" | "failed")) {
                    break job;
                }
                assert!(Instant::now() < deadline, "the reanalyze job did not finish in 30 s: {job}");
                std::thread::sleep(Duration::from_millis(100));
            };
            assert_eq!(finished["status"], "done", "{backend:?}: a reanalyze job after the crash: {finished}");
            restarted.stop();
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn acknowledged_writes_survive_kill_9_of_the_server() {
    for backend in backends() {
        crash_and_recover(backend);
    }
}

/// A stop lets the requests in flight finish, but not forever: a request
/// stuck on the database (here waiting for a lock another process holds)
/// is abandoned after `--shutdown-timeout`, or at once on a second signal,
/// and its write is rolled back, not half made.
#[test]
fn a_stop_waits_for_requests_in_flight_only_so_long() {
    for backend in backends() {
        let dir = scratch(&format!("shutdown-{backend:?}"));
        let database = Database::fresh(backend, &dir.join("data"));
        create_user(&database, "Acme", "alice");

        let mut server = Server::start_with(&database, &dir.join("serve-1.log"), &["--shutdown-timeout", "1"]);
        let api = server.sign_in("alice");
        let lock = WriteLock::take(&database);
        let waiting = write_waiting_for_the_lock(&api, "Abandoned at the timeout");
        let stopping = Instant::now();
        server.terminate();
        let status = server.exit_within(Duration::from_secs(8));
        let took = stopping.elapsed();
        assert!(status.is_some_and(|s| s.success()), "{backend:?}: stopped cleanly: {status:?}: {}", server.log_text());
        assert!(took >= Duration::from_millis(900), "{backend:?}: it waited for the request first ({took:?})");
        assert!(
            server.log_text().contains("still in flight after 1 s"),
            "{backend:?}: says why: {}",
            server.log_text()
        );
        assert!(waiting.join().expect("thread").map_or(true, |reply| reply.status >= 500), "no success reported");

        let mut server = Server::start_with(&database, &dir.join("serve-2.log"), &["--shutdown-timeout", "600"]);
        let api = Api { addr: server.addr.clone(), ..api };
        let waiting = write_waiting_for_the_lock(&api, "Abandoned at the second signal");
        server.terminate();
        std::thread::sleep(Duration::from_millis(700));
        assert!(server.exit_within(Duration::ZERO).is_none(), "{backend:?}: it waits for the request in flight");
        server.terminate();
        let status = server.exit_within(Duration::from_secs(8));
        assert!(status.is_some_and(|s| s.success()), "{backend:?}: a second signal stops it: {status:?}");
        assert!(server.log_text().contains("a second signal"), "{backend:?}: {}", server.log_text());
        let _ = waiting.join();
        drop(lock);

        let server = Server::start(&database, &dir.join("serve-3.log"));
        let api = Api { addr: server.addr.clone(), ..api };
        let units = api.ok("GET", "/api/v1/business-units", None);
        let names: Vec<&str> =
            units["items"].as_array().expect("items").iter().filter_map(|u| u["name"].as_str()).collect();
        assert!(names.is_empty(), "{backend:?}: the abandoned writes left nothing: {names:?}");
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
