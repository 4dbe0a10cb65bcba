//! Single sign-on end to end: a real server configured with the in-process
//! OpenID Connect provider, and a client playing the browser through every
//! redirect, on each database.

#[path = "support/oidc_provider.rs"]
mod oidc_provider;
#[path = "support/server.rs"]
mod server;

use oidc_provider::{Misbehaviour, TestProvider, TestUser};
use rampart_server::oidc::OidcConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use server::{Auth, Backend, Client, PASSWORD, TestServer, backends};

const CLIENT_ID: &str = "rampart-server";
const CLIENT_SECRET: &str = "a server's secret";

fn users() -> Vec<TestUser> {
    vec![
        TestUser {
            subject: "sub-grace".into(),
            email: "grace@example.org".into(),
            name: "Grace Hopper".into(),
            username: "grace".into(),
        },
        TestUser {
            subject: "sub-alan".into(),
            email: "alan@example.org".into(),
            name: "Alan Turing".into(),
            username: "alan".into(),
        },
        TestUser {
            subject: "sub-ada".into(),
            email: "ada@example.org".into(),
            name: "Ada Lovelace".into(),
            username: "ada".into(),
        },
    ]
}

/// A port that is free now, so the redirect URL can name it before the server starts.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("address").port()
}

/// A server whose redirect URL names its own port, chosen before it starts.
/// Another test can take that port in between (CI failed once so: "Address
/// already in use"), so a start that finds it taken tries another.
async fn server_with_sso(backend: Backend, provider: &TestProvider) -> TestServer {
    let mut attempts = 0;
    loop {
        let port = free_port();
        let config = OidcConfig {
            issuer: provider.issuer.clone(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_url: format!("http://127.0.0.1:{port}/api/v1/auth/oidc/callback"),
            scopes: vec!["email".into(), "profile".into()],
        };
        let dir = tempfile::tempdir().expect("temporary directory");
        let database_url = server::fresh_database(backend, dir.path()).await;
        let started = TestServer::try_start_on(backend, dir, database_url, |settings| {
            settings.listen = format!("127.0.0.1:{port}").parse().expect("address");
            settings.oidc = Some(config);
        })
        .await;
        attempts += 1;
        match started {
            Ok(server) => return server,
            Err(error) if error.contains("Address already in use") && attempts < 5 => continue,
            Err(error) => panic!("the server starts: {error}"),
        }
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").and_then(|v| v.to_str().ok()).expect("a Location header").to_string()
}

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rampart_session=") && !v.starts_with("rampart_session=;"))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

/// Where the provider sends the browser back, and the cookie the server
/// gave the browser when the sign-in started.
struct Callback {
    url: String,
    cookie: String,
}

impl Callback {
    /// The browser that started the sign-in follows the redirect back.
    async fn follow(&self) -> reqwest::Response {
        http().get(&self.url).header("cookie", &self.cookie).send().await.expect("callback")
    }
}

/// Starts the sign-in, lets the provider sign `who` in, and returns where it sends the browser back.
async fn through_the_provider(server: &TestServer, who: &str, return_to: &str) -> Callback {
    let start = http()
        .get(format!("{}/api/v1/auth/oidc/login", server.base))
        .query(&[("return_to", return_to)])
        .send()
        .await
        .expect("login");
    assert_eq!(start.status(), StatusCode::FOUND, "{:?}", start.text().await);
    let set_cookie = start
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rampart_sso="))
        .expect("the sign-in's cookie")
        .to_string();
    for attribute in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/api/v1/auth/oidc/callback"] {
        assert!(set_cookie.contains(attribute), "{attribute}: {set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap_or_default().to_string();
    let mut authorize = url::Url::parse(&location(&start)).expect("authorization URL");
    assert!(authorize.path().ends_with("/authorize"), "{authorize}");
    authorize.query_pairs_mut().append_pair("login_hint", who);
    let granted = http().get(authorize).send().await.expect("authorize");
    assert_eq!(granted.status(), StatusCode::FOUND, "{:?}", granted.text().await);
    let url = location(&granted);
    assert!(url.starts_with(&format!("{}/api/v1/auth/oidc/callback?", server.base)), "{url}");
    Callback { url, cookie }
}

/// A whole sign-in: the session client and where the server sent the browser.
async fn sso_login(server: &TestServer, who: &str, return_to: &str) -> (Client, String) {
    let callback = through_the_provider(server, who, return_to).await;
    let back = callback.follow().await;
    assert_eq!(back.status(), StatusCode::FOUND, "{:?}", back.text().await);
    let cookie = session_cookie(&back).expect("a session cookie");
    let landing = location(&back);
    let anonymous = Client::anonymous(&server.base);
    let probe = Client { auth: Auth::Session { cookie: cookie.clone(), csrf: String::new() }, ..anonymous.clone() };
    let info = probe.ok("GET", "/api/v1/auth/session", None).await;
    let csrf = info["csrf_token"].as_str().expect("csrf token").to_string();
    (Client { auth: Auth::Session { cookie, csrf }, ..anonymous }, landing)
}

async fn single_sign_on(backend: Backend) {
    let provider = TestProvider::start(CLIENT_ID, CLIENT_SECRET, users()).await;
    let server = server_with_sso(backend, &provider).await;
    let admin = server.organisation_admin("Acme", "root").await;

    // First sign-in: a new account named after preferred_username, landing where asked.
    let (grace, landing) = sso_login(&server, "grace", "/x").await;
    assert_eq!(landing, "/x");
    let info = grace.ok("GET", "/api/v1/auth/session", None).await;
    assert_eq!(info["user"]["username"], "grace", "{info}");
    assert_eq!(info["user"]["email"], "grace@example.org");
    assert_eq!(info["user"]["display_name"], "Grace Hopper");
    assert_eq!(info["grants"], json!([]), "a new account has no roles yet");
    let grace_id = info["user"]["id"].clone();
    let account = find_account(&admin, "grace").await;
    assert_eq!(account["single_sign_on"], true, "{account}");

    // Second sign-in: the same account.
    let (again, landing) = sso_login(&server, "grace", "/").await;
    assert_eq!(landing, "/");
    assert_eq!(again.ok("GET", "/api/v1/auth/session", None).await["user"]["id"], grace_id);
    let users = admin.ok("GET", "/api/v1/users", None).await;
    assert_eq!(users["total"], 2, "root and grace only: {users}");

    // A local account with the same verified e-mail is linked, not duplicated.
    let local = admin
        .ok(
            "POST",
            "/api/v1/users",
            Some(json!({"username": "aturing", "email": "Alan@example.org", "password": PASSWORD})),
        )
        .await;
    let (alan, _) = sso_login(&server, "alan", "/").await;
    let info = alan.ok("GET", "/api/v1/auth/session", None).await;
    assert_eq!(info["user"]["id"], local["id"], "{info}");
    assert_eq!(info["user"]["username"], "aturing");
    assert_eq!(find_account(&admin, "aturing").await["single_sign_on"], true);

    // Only a path on this server to return to.
    for evil in ["https://evil.example", "//evil.example", "/\\evil.example", "/x\r\nSet-Cookie: a=b"] {
        let response = http()
            .get(format!("{}/api/v1/auth/oidc/login", server.base))
            .query(&[("return_to", evil)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "return_to={evil}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["field"], "return_to", "{body}");
    }

    // The callback is good once: replaying it is refused.
    let callback = through_the_provider(&server, "grace", "/").await;
    assert_eq!(callback.follow().await.status(), StatusCode::FOUND);
    let replay = callback.follow().await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&replay).is_none());

    // A callback belongs to the browser that started the sign-in. Followed
    // by another one (a link someone sent it, login CSRF), it signs nobody
    // in, and the sign-in stays good for the browser that started it.
    let callback = through_the_provider(&server, "grace", "/").await;
    let elsewhere = http().get(&callback.url).send().await.unwrap();
    assert_eq!(elsewhere.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&elsewhere).is_none());
    let other = through_the_provider(&server, "grace", "/").await;
    let mixed = http().get(&callback.url).header("cookie", &other.cookie).send().await.unwrap();
    assert_eq!(mixed.status(), StatusCode::UNAUTHORIZED, "another sign-in's cookie does not do");
    assert!(session_cookie(&mixed).is_none());
    let back = callback.follow().await;
    assert_eq!(back.status(), StatusCode::FOUND);
    assert!(session_cookie(&back).is_some());
    let cleared = back
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("rampart_sso=;") && v.contains("Max-Age=0"));
    assert!(cleared, "the finished sign-in's cookie is cleared: {:?}", back.headers());

    // A provider that gets it wrong signs nobody in.
    provider.misbehave(Misbehaviour::WrongAudience);
    let callback = through_the_provider(&server, "grace", "/").await;
    let refused = callback.follow().await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&refused).is_none(), "no session after a token for another client");
    provider.misbehave(Misbehaviour::None);
    let (_, landing) = sso_login(&server, "grace", "/after").await;
    assert_eq!(landing, "/after", "well-behaved again");

    // An account made by single sign-on has no password to sign in with.
    let (status, _, body) = Client::anonymous(&server.base)
        .send("POST", "/api/v1/auth/login", Some(json!({"username": "grace", "password": PASSWORD})))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // A disabled account cannot come back through single sign-on.
    let grace_id = grace_id.as_str().expect("grace's id");
    // Nor is one set for it: its password is the identity provider's.
    let (status, _, body) = admin
        .send("PATCH", &format!("/api/v1/users/{grace_id}"), Some(json!({"password": "a long password to set"})))
        .await;
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{body}");
    admin.ok("PATCH", &format!("/api/v1/users/{grace_id}"), Some(json!({"disabled": true}))).await;
    assert_eq!(grace.get("/api/v1/auth/session").await.0, StatusCode::UNAUTHORIZED, "signed out when disabled");
    let callback = through_the_provider(&server, "grace", "/").await;
    let refused = callback.follow().await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&refused).is_none(), "no session for a disabled account");

    // Nor can a person whose local account (same e-mail, not yet linked) was disabled.
    let ada = admin
        .ok(
            "POST",
            "/api/v1/users",
            Some(json!({"username": "alovelace", "email": "ada@example.org", "password": PASSWORD})),
        )
        .await;
    let ada_id = ada["id"].as_str().expect("id");
    admin.ok("PATCH", &format!("/api/v1/users/{ada_id}"), Some(json!({"disabled": true}))).await;
    let before = admin.ok("GET", "/api/v1/users", None).await["total"].clone();
    let callback = through_the_provider(&server, "ada", "/").await;
    let refused = callback.follow().await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&refused).is_none());
    assert_eq!(admin.ok("GET", "/api/v1/users", None).await["total"], before, "no new account was made");
}

async fn find_account(admin: &Client, username: &str) -> Value {
    let users = admin.ok("GET", "/api/v1/users?limit=100", None).await;
    users["items"].as_array().unwrap().iter().find(|u| u["username"] == username).cloned().unwrap_or(Value::Null)
}

async fn without_single_sign_on(backend: Backend) {
    let server = TestServer::start(backend).await;
    for path in ["/api/v1/auth/oidc/login?return_to=/x", "/api/v1/auth/oidc/callback?code=c&state=s"] {
        let (status, _, body) = Client::anonymous(&server.base).get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_sign_on_creates_links_and_signs_in_accounts() {
    for backend in backends() {
        single_sign_on(backend).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_identity_provider_single_sign_on_is_not_found() {
    for backend in backends() {
        without_single_sign_on(backend).await;
    }
}
