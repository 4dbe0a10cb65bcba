//! Signing in and what proves who a caller is, over HTTP on each database:
//! passwords and the lockout, disabled accounts, the session cookie and its
//! CSRF token, signing out, and personal and project API tokens.

#[path = "support/server.rs"]
mod server;

use reqwest::StatusCode;
use serde_json::{Value, json};
use server::{Auth, Backend, Client, PASSWORD, Reply, TestServer, backends, example, project_with_model};
use sqlx::Row;

async fn login_as(server: &TestServer, username: &str, password: &str) -> Reply {
    Client::anonymous(&server.base)
        .send("POST", "/api/v1/auth/login", Some(json!({"username": username, "password": password})))
        .await
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

async fn user_id(admin: &Client, username: &str) -> String {
    let users = admin.ok("GET", "/api/v1/users?limit=200", None).await;
    let user = users["items"].as_array().unwrap().iter().find(|u| u["username"] == username);
    user.unwrap_or_else(|| panic!("{username} in {users}"))["id"].as_str().unwrap().to_string()
}

async fn passwords_lockout_and_disabled_accounts(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    server.create_user("Acme", "bob", false).await;

    let (status, _, unknown) = login_as(&server, "nobody", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{unknown}");
    let (status, _, wrong) = login_as(&server, "bob", "not the password at all").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{wrong}");
    assert_eq!(
        wrong["error"]["message"], unknown["error"]["message"],
        "a wrong password must not reveal the user exists"
    );

    // Four more failures make five in a row: the account locks, and even the right password is refused.
    for attempt in 2..=5 {
        let (status, _, body) = login_as(&server, "bob", "still not the password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "failure {attempt}: {body}");
    }
    // Locked, it answers as for a wrong guess: a stranger learns neither
    // that the account exists nor that a guess was right.
    let (status, _, locked) = login_as(&server, "bob", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{locked}");
    assert_eq!(locked["error"]["message"], unknown["error"]["message"]);
    assert!(locked["error"]["message"].as_str().unwrap().contains("locked for 15 minutes"), "{locked}");
    let bob = user_id(&admin, "bob").await;
    // Fifteen minutes on, the lock has run out by itself.
    sqlx::query("UPDATE users SET locked_until = locked_until - 15 * 60 * 1000 WHERE id = $1")
        .bind(&bob)
        .execute(&server.state().db.pool)
        .await
        .expect("the lock's time passes");
    let (status, _, body) = login_as(&server, "bob", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "the lock ran out: {body}");
    for _ in 0..5 {
        login_as(&server, "bob", "not the password again").await;
    }
    assert_eq!(login_as(&server, "bob", PASSWORD).await.0, StatusCode::UNAUTHORIZED, "locked again");
    let account = admin.ok("PATCH", &format!("/api/v1/users/{bob}"), Some(json!({"unlock": true}))).await;
    assert_eq!(account["locked_until"], Value::Null, "{account}");
    let (status, _, body) = login_as(&server, "bob", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "unlocked: {body}");

    // Disabling ends bob's session at once and refuses his next sign-in, with the usual message.
    let session = server.login("bob").await;
    assert_eq!(session.get("/api/v1/auth/session").await.0, StatusCode::OK);
    let token = session.ok("POST", "/api/v1/tokens", Some(json!({"name": "laptop"}))).await;
    let bearer = session.with_token(token["token"].as_str().unwrap());
    let account = admin.ok("PATCH", &format!("/api/v1/users/{bob}"), Some(json!({"disabled": true}))).await;
    assert_eq!(account["disabled"], true);
    let (status, _, body) = session.get("/api/v1/auth/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the disabled user's session ended: {body}");
    let (status, _, body) = bearer.get("/api/v1/auth/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the disabled user's token stopped working: {body}");
    let (status, _, body) = login_as(&server, "bob", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error"]["message"], unknown["error"]["message"]);
    let (status, _, body) =
        admin.send("PATCH", &format!("/api/v1/users/{bob}"), Some(json!({"disabled": false, "unlock": true}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(login_as(&server, "bob", PASSWORD).await.0, StatusCode::OK, "enabled again");
}

async fn session_cookie_csrf_and_logout(backend: Backend) {
    let server = TestServer::start(backend).await;
    server.create_user("Acme", "alice", true).await;
    let (status, headers, body) = login_as(&server, "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let set_cookie = headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("rampart_session="))
        .expect("a session cookie")
        .to_string();
    let attributes: Vec<String> = set_cookie.split(';').skip(1).map(|a| a.trim().to_ascii_lowercase()).collect();
    for wanted in ["httponly", "secure", "samesite=lax", "path=/"] {
        assert!(attributes.iter().any(|a| a == wanted), "{wanted} in {set_cookie}");
    }
    let csrf = body["csrf_token"].as_str().expect("csrf token").to_string();
    let cookie = set_cookie.split(';').next().unwrap().to_string();

    // GET /auth/session: the user, the grants and the same CSRF token.
    let admin = Client {
        auth: Auth::Session { cookie: cookie.clone(), csrf: csrf.clone() },
        ..Client::anonymous(&server.base)
    };
    let unit = admin.ok("POST", "/api/v1/business-units", Some(json!({"name": "Retail"}))).await;
    let bob = server.create_user("Acme", "bob", false).await;
    let unit_id = unit["id"].as_str().unwrap();
    admin
        .ok("PUT", &format!("/api/v1/business-units/{unit_id}/members/{bob}"), Some(json!({"role": "developer"})))
        .await;
    let info = admin.ok("GET", "/api/v1/auth/session", None).await;
    assert_eq!(info["csrf_token"], csrf.as_str());
    assert_eq!(info["user"]["username"], "alice");
    assert_eq!(info["via"], "session");
    let bob_session = server.login("bob").await;
    let info = bob_session.ok("GET", "/api/v1/auth/session", None).await;
    assert_eq!(
        info["grants"],
        json!([{"scope_kind": "business-unit", "scope_id": unit_id, "role": "developer"}]),
        "{info}"
    );
    assert!(info["csrf_token"].as_str().is_some_and(|t| t.len() >= 32), "{info}");

    // A write with the cookie needs the CSRF token.
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let url = format!("{}/api/v1/business-units", server.base);
    for (header, expected) in [(None, 403), (Some("wrong-token"), 403), (Some(csrf.as_str()), 201)] {
        let mut request = http.post(&url).header("cookie", &cookie).json(&json!({"name": format!("Unit {header:?}")}));
        if let Some(token) = header {
            request = request.header("x-csrf-token", token);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, expected, "X-CSRF-Token {header:?}: {body}");
        if expected == 403 {
            assert_eq!(error_code(&body), "csrf", "{body}");
        }
    }
    // A bearer token needs none.
    let token = admin.ok("POST", "/api/v1/tokens", Some(json!({"name": "ci", "role": "admin"}))).await;
    let response = http
        .post(&url)
        .bearer_auth(token["token"].as_str().unwrap())
        .json(&json!({"name": "By token"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);

    // Signing out ends the session; the cookie is cleared.
    let (status, headers, body) = admin.send("POST", "/api/v1/auth/logout", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let cleared = headers.get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    assert!(cleared.starts_with("rampart_session=;") && cleared.contains("max-age=0"), "{cleared}");
    let (status, _, body) = admin.get("/api/v1/auth/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(bob_session.get("/api/v1/auth/session").await.0, StatusCode::OK, "other sessions go on");
}

async fn personal_and_project_tokens(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let document = example("ecommerce.yaml");
    let (_, project, _) = project_with_model(&admin, "Retail", "Shop", &document).await;
    let (_, other_project, other_model) = project_with_model(&admin, "Logistics", "Warehouse", &document).await;

    let (status, _, created) =
        admin.send("POST", "/api/v1/tokens", Some(json!({"name": "read only", "role": "viewer"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["token"].as_str().expect("the token, shown once").to_string();
    let token_id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["role"], "viewer");
    let listed = admin.ok("GET", "/api/v1/tokens", None).await;
    assert_eq!(listed["total"], 1);
    assert!(listed["items"][0].get("token").is_none(), "never shown again: {listed}");

    // The database keeps only a digest: no column holds the token.
    let pool = &server.state().db.pool;
    let row = sqlx::query("SELECT * FROM api_tokens WHERE id = $1").bind(&token_id).fetch_one(pool).await.unwrap();
    let hash: String = row.try_get("token_hash").unwrap();
    assert_ne!(hash, secret);
    assert_eq!(hash.len(), 64, "a SHA-256 digest: {hash}");
    for column in 0..row.len() {
        if let Ok(Some(value)) = row.try_get::<Option<String>, _>(column) {
            assert!(!value.contains(&secret), "column {column} holds the token");
        }
    }

    // It works as a bearer token, with at most its role: a viewer cannot create a model even for an admin.
    let viewer = admin.with_token(&secret);
    let info = viewer.ok("GET", "/api/v1/auth/session", None).await;
    assert_eq!(info["via"], "personal-token");
    assert_eq!(info["csrf_token"], Value::Null);
    assert_eq!(viewer.get(&format!("/api/v1/projects/{project}")).await.0, StatusCode::OK);
    let (status, _, body) = viewer
        .send("POST", &format!("/api/v1/projects/{project}/models"), Some(json!({"name": "m2", "document": document})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // Tokens cannot make tokens.
    for path in ["/api/v1/tokens".to_string(), format!("/api/v1/projects/{project}/tokens")] {
        let full = admin.ok("POST", "/api/v1/tokens", Some(json!({"name": "full", "role": "admin"}))).await;
        let as_admin = admin.with_token(full["token"].as_str().unwrap());
        let (status, _, body) = as_admin.send("POST", &path, Some(json!({"name": "child"}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    // Revoked: refused.
    assert_eq!(admin.send("DELETE", &format!("/api/v1/tokens/{token_id}"), None).await.0, StatusCode::NO_CONTENT);
    let (status, _, body) = viewer.get("/api/v1/auth/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // Expired: refused.
    let expiring = admin.ok("POST", "/api/v1/tokens", Some(json!({"name": "soon", "expires_in_days": 1}))).await;
    let expiring_client = admin.with_token(expiring["token"].as_str().unwrap());
    assert_eq!(expiring_client.get("/api/v1/auth/session").await.0, StatusCode::OK);
    sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE id = $2")
        .bind(rampart_server::db::now_ms() - 1000)
        .bind(expiring["id"].as_str().unwrap())
        .execute(pool)
        .await
        .unwrap();
    let (status, _, body) = expiring_client.get("/api/v1/auth/session").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // A project token: at most developer, and only on its project.
    let tokens = format!("/api/v1/projects/{project}/tokens");
    let (status, _, body) = admin.send("POST", &tokens, Some(json!({"name": "too much", "role": "admin"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "role");
    let (status, _, created) = admin.send("POST", &tokens, Some(json!({"name": "ci", "role": "developer"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let ci = admin.with_token(created["token"].as_str().unwrap());
    let info = ci.ok("GET", "/api/v1/auth/session", None).await;
    assert_eq!(info["via"], "project-token");
    assert_eq!(
        info["grants"],
        json!([{"scope_kind": "project", "scope_id": project, "role": "developer"}]),
        "a project token has its own grant, not its creator's: {info}"
    );
    let (status, _, body) = ci
        .send(
            "POST",
            &format!("/api/v1/projects/{project}/models"),
            Some(json!({"name": "from CI", "document": document})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "a developer token saves models on its project: {body}");
    assert_eq!(ci.get(&format!("/api/v1/projects/{other_project}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(ci.get(&format!("/api/v1/models/{other_model}")).await.0, StatusCode::NOT_FOUND);
    let visible = ci.ok("GET", "/api/v1/projects", None).await;
    assert_eq!(visible["total"], 1, "{visible}");
    assert_eq!(visible["items"][0]["id"], project.as_str());
    let (status, _, body) = ci.get(&format!("/api/v1/projects/{project}/members")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a project token does not manage the project: {body}");
    let listed = admin.ok("GET", &tokens, None).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    let ci_id = created["id"].as_str().unwrap();
    assert_eq!(admin.send("DELETE", &format!("{tokens}/{ci_id}"), None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(ci.get(&format!("/api/v1/projects/{project}")).await.0, StatusCode::UNAUTHORIZED);
}

/// A person changes their own password; an administrator resets a lost one.
async fn changed_and_reset_passwords(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    server.create_user("Acme", "bob", false).await;
    let (here, elsewhere) = (server.login("bob").await, server.login("bob").await);
    let token = here.ok("POST", "/api/v1/tokens", Some(json!({"name": "ci"}))).await;
    let bearer = here.with_token(token["token"].as_str().unwrap());
    let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let new_password = "bob's brand new password";

    let (status, _, body) = here.send("PUT", "/api/v1/auth/password", Some(change(PASSWORD, "short"))).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("new_password")), "{body}");
    let (status, _, body) = bearer.send("PUT", "/api/v1/auth/password", Some(change(PASSWORD, new_password))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an API token cannot change the password: {body}");
    let (status, _, body) =
        here.send("PUT", "/api/v1/auth/password", Some(change("a guess at the password", new_password))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(login_as(&server, "bob", PASSWORD).await.0, StatusCode::OK, "nothing changed yet");

    let (status, _, body) = here.send("PUT", "/api/v1/auth/password", Some(change(PASSWORD, new_password))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(here.get("/api/v1/auth/session").await.0, StatusCode::OK, "this session stays");
    assert_eq!(elsewhere.get("/api/v1/auth/session").await.0, StatusCode::UNAUTHORIZED, "the others end");
    assert_eq!(bearer.get("/api/v1/auth/session").await.0, StatusCode::OK, "API tokens keep working");
    assert_eq!(login_as(&server, "bob", PASSWORD).await.0, StatusCode::UNAUTHORIZED, "the old password is gone");
    assert_eq!(login_as(&server, "bob", new_password).await.0, StatusCode::OK);

    // Guessing the current password through a session left open runs into the lockout.
    for _ in 0..5 {
        let (status, _, _) =
            here.send("PUT", "/api/v1/auth/password", Some(change("another guess at it", "whatever it is now"))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(login_as(&server, "bob", new_password).await.0, StatusCode::UNAUTHORIZED, "locked out");

    // The administrator's reset: a weak one changes nothing (not even the rest of the request)...
    let bob = user_id(&admin, "bob").await;
    let path = format!("/api/v1/users/{bob}");
    let (status, _, body) =
        admin.send("PATCH", &path, Some(json!({"display_name": "Robert", "password": "short"}))).await;
    assert_eq!((status, body["error"]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("password")), "{body}");
    let users = admin.ok("GET", "/api/v1/users", None).await;
    let bob_now = users["items"].as_array().unwrap().iter().find(|u| u["username"] == "bob").cloned().unwrap();
    assert_eq!(bob_now["display_name"], "bob", "the request was refused whole: {bob_now}");
    // ...a good one unlocks the account and ends its sessions.
    let reset_password = "set by the administrator";
    let account = admin.ok("PATCH", &path, Some(json!({"password": reset_password}))).await;
    assert_eq!(account["locked_until"], Value::Null, "{account}");
    assert_eq!(here.get("/api/v1/auth/session").await.0, StatusCode::UNAUTHORIZED, "bob's sessions end");
    assert_eq!(login_as(&server, "bob", new_password).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(login_as(&server, "bob", reset_password).await.0, StatusCode::OK);

    // An administrator resetting their own password this way stays signed in here.
    let alice = user_id(&admin, "alice").await;
    let own = "alice's own new password";
    admin.ok("PATCH", &format!("/api/v1/users/{alice}"), Some(json!({"password": own}))).await;
    assert_eq!(admin.get("/api/v1/auth/session").await.0, StatusCode::OK, "the session that reset it stays");
    assert_eq!(login_as(&server, "alice", own).await.0, StatusCode::OK);

    // Audited, without the password.
    let audit = admin.ok("GET", "/api/v1/audit?limit=200", None).await.to_string();
    assert!(audit.contains("user.password-change") && audit.contains("\"password_reset\":true"), "{audit}");
    assert!(
        !audit.contains(new_password) && !audit.contains(reset_password) && !audit.contains(own),
        "no password in the audit log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_change_their_passwords_and_administrators_reset_them() {
    for backend in backends() {
        changed_and_reset_passwords(backend).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_lock_after_five_failures_and_disabled_users_are_signed_out() {
    for backend in backends() {
        passwords_lockout_and_disabled_accounts(backend).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_is_protected_and_writes_need_the_csrf_token() {
    for backend in backends() {
        session_cookie_csrf_and_logout(backend).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_tokens_are_stored_hashed_capped_revocable_and_scoped() {
    for backend in backends() {
        personal_and_project_tokens(backend).await;
    }
}
