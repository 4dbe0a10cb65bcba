//! The sample organisation (`rampart admin load-sample`, `make demo`) on each
//! database: what it creates, that every threat state is there, that it
//! refuses a database that is not empty, and that a server started on it
//! shows the sample users what their roles allow.

#[path = "support/server.rs"]
mod server;

use rampart_server::db::{Db, now_ms};
use rampart_server::sample::{self, DEMO_PASSWORD};
use reqwest::StatusCode;
use serde_json::json;
use server::{Backend, Client, TestServer, backends, fresh_database};

const DAY_MS: i64 = 24 * 3_600_000;

async fn count(db: &Db, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql).fetch_one(&db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Signs in with the demo password, as a person would with the documented logins.
async fn sign_in(server: &TestServer, username: &str) -> Client {
    server.login_with_password(username, DEMO_PASSWORD).await
}

async fn loads_the_sample(backend: Backend) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = fresh_database(backend, dir.path()).await;
    let db = Db::open(&url, 4).await.expect("database");
    let kb = rampart_kb::compile(&rampart_kb::builtin_sources()).expect("knowledge base");

    let summary = sample::load(&db, &kb).await.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
    assert_eq!(summary.organisation, "Northwind Group");
    assert_eq!((summary.business_units, summary.projects, summary.models), (3, 6, 6), "{summary}");
    assert_eq!(summary.versions, 17, "4 + 2 + 3 + 2 + 4 + 2 versions: {summary}");
    assert_eq!(summary.password, DEMO_PASSWORD);
    let usernames: Vec<&str> = summary.users.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(usernames, ["admin", "architect", "developer", "viewer", "payments-lead"]);
    let printed = summary.to_string();
    assert!(
        printed.contains("rampart-demo-password") && printed.contains("security-architect on unit Retail"),
        "{printed}"
    );

    assert_eq!(count(&db, "SELECT COUNT(*) FROM organisations").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM business_units").await, 3);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM projects").await, 6);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM models").await, 6);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM model_versions").await, 17);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM users").await, 5);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM users WHERE is_org_admin = 1").await, 1);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM models WHERE head_version < 2").await, 0, "every model has a history");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM threats WHERE until_version IS NULL").await,
        summary.threats,
        "the summary counts the latest versions' threats"
    );
    assert!(summary.threats > 100, "{summary}");

    // Every state of the lifecycle, with what each needs.
    for status in ["in-progress", "accepted", "false-positive", "mitigated"] {
        let n = count(&db, &format!("SELECT COUNT(*) FROM threat_states WHERE status = '{status}'")).await;
        assert!(n >= 3, "{backend:?}: {n} threats are {status}");
    }
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM threat_states WHERE status = 'in-progress' AND (owner IS NULL OR due_date IS NULL)"
        )
        .await,
        0,
        "work in progress has an owner and a due date"
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM threat_states WHERE status = 'accepted' AND (justification IS NULL OR expires IS NULL)"
        )
        .await,
        0,
        "an accepted risk has a justification and an expiry"
    );
    assert!(count(&db, "SELECT COUNT(*) FROM threat_states WHERE proposed_status = 'accepted'").await >= 1);
    assert!(count(&db, "SELECT COUNT(*) FROM threat_comments").await >= 6);

    // The history is spread over past weeks, oldest version first.
    let now = now_ms();
    let oldest = count(&db, "SELECT MIN(created_at) FROM model_versions").await;
    let newest = count(&db, "SELECT MAX(created_at) FROM model_versions").await;
    assert!(oldest < now - 30 * DAY_MS && newest < now - DAY_MS, "{oldest} {newest} {now}");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM model_versions a JOIN model_versions b ON a.model_id = b.model_id \
             AND a.version < b.version AND a.created_at >= b.created_at"
        )
        .await,
        0,
        "a later version is newer"
    );
    assert!(count(&db, "SELECT COUNT(DISTINCT author_id) FROM model_versions").await >= 3);

    // The audit log tells what was created.
    for (action, expected) in
        [("user.create", 5), ("business-unit.create", 3), ("project.create", 6), ("model.create", 6)]
    {
        let n = count(&db, &format!("SELECT COUNT(*) FROM audit_log WHERE action = '{action}'")).await;
        assert_eq!(n, expected, "audit entries {action}");
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'model.save'").await, 11);
    assert!(count(&db, "SELECT COUNT(*) FROM audit_log WHERE action = 'threat.update'").await >= 12);

    let again = sample::load(&db, &kb).await.expect_err("a second load is refused");
    assert!(again.contains("not empty"), "{again}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM models").await, 6, "the refused load wrote nothing");
    db.pool.close().await;

    // What the sample users meet through the API.
    let server = TestServer::start_on(backend, dir, url, |_| {}).await;
    let viewer = sign_in(&server, "viewer").await;
    let projects = viewer.ok("GET", "/api/v1/projects", None).await;
    let mut names: Vec<&str> =
        projects["items"].as_array().expect("items").iter().filter_map(|p| p["name"].as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Online store", "Security tooling", "Water treatment plant"], "the viewer's grants: {projects}");
    let store = projects["items"].as_array().unwrap().iter().find(|p| p["name"] == "Online store").expect("store");
    assert_eq!(store["role"], "viewer");
    let project_id = store["id"].as_str().expect("id");
    let models = viewer.ok("GET", &format!("/api/v1/projects/{project_id}/models"), None).await;
    let model_id = models["items"][0]["id"].as_str().expect("model id").to_string();
    let history = viewer.ok("GET", &format!("/api/v1/models/{model_id}/versions"), None).await;
    assert_eq!(history["total"], 4, "{history}");
    assert_eq!(history["items"][0]["message"], "Back office uploads product images to the bucket", "{history}");
    let in_progress = viewer.ok("GET", &format!("/api/v1/models/{model_id}/threats?status=in-progress"), None).await;
    assert!(
        in_progress["items"].as_array().is_some_and(|items| items.iter().any(|t| t["owner"] == "developer")),
        "{in_progress}"
    );
    let (status, _, refused) =
        viewer.send("POST", &format!("/api/v1/projects/{project_id}/tokens"), Some(json!({"name": "ci"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a viewer cannot create tokens: {refused}");

    let admin = sign_in(&server, "admin").await;
    let all = admin.ok("GET", "/api/v1/projects", None).await;
    assert_eq!(all["total"], 6, "{all}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_organisation_loads_on_every_database() {
    for backend in backends() {
        loads_the_sample(backend).await;
    }
}
