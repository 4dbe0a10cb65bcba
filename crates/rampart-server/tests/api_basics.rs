//! The main path over HTTP on each database: sign in, create a project and
//! a model, read its threats, save a version, and be refused a stale save.

#[path = "support/server.rs"]
mod server;

use serde_json::json;
use server::{Backend, TestServer, backends, example, project_with_model};

async fn main_path(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let document = example("ecommerce.yaml");
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &document).await;

    let threats = admin.ok("GET", &format!("/api/v1/models/{model_id}/threats?limit=5"), None).await;
    assert_eq!(threats["items"].as_array().map(Vec::len), Some(5), "{threats}");
    assert!(threats["total"].as_i64().unwrap_or(0) > 50, "the e-commerce example raises many threats: {threats}");
    let scores: Vec<f64> = threats["items"].as_array().unwrap().iter().map(|t| t["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "sorted by score, highest first: {scores:?}");

    let (status, headers, model) = admin.get(&format!("/api/v1/models/{model_id}")).await;
    assert_eq!(status, 200);
    let etag = headers.get("etag").and_then(|v| v.to_str().ok()).expect("etag").to_string();
    assert_eq!(model["etag"], etag.as_str());

    let edited = document.replacen("name:", "name: ", 1);
    let save = json!({"document": edited, "message": "second"});
    let (status, _, saved) =
        admin.send_with("PUT", &format!("/api/v1/models/{model_id}"), &[("if-match", &etag)], Some(save.clone())).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["model"]["head_version"], 2);
    assert_eq!(saved["threats_added"], 0, "the same model raises the same threats: {saved}");

    let (status, _, stale) =
        admin.send_with("PUT", &format!("/api/v1/models/{model_id}"), &[("if-match", &etag)], Some(save)).await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(stale["error"]["code"], "conflict");
    assert_eq!(stale["error"]["details"]["head_version"], 2);
    let versions = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions"), None).await;
    assert_eq!(versions["total"], 2, "the stale save stored nothing: {versions}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_path_works_on_every_database() {
    for backend in backends() {
        main_path(backend).await;
    }
}

/// How many models the SQLite database file itself holds, read as if the
/// write-ahead log beside it did not exist; `None` while it cannot be read.
async fn models_in_database_file(dir: &std::path::Path) -> Option<i64> {
    let url = format!("sqlite://{}?mode=ro&immutable=true", dir.join("rampart.db").display());
    let mut connection = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await.ok()?;
    sqlx::query_scalar("SELECT COUNT(*) FROM models").fetch_one(&mut connection).await.ok()
}

/// SQLite's commits go to its write-ahead log, and the server copies the
/// log into the database file within seconds rather than letting it grow
/// to its 10,000-page threshold: reads of pages still in the log are slower.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_copies_its_log_into_the_database_file_within_seconds() {
    sqlx::any::install_default_drivers();
    let server = TestServer::start(Backend::Sqlite).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    project_with_model(&admin, "Retail", "Shop", &example("aws-microservices.yaml")).await;
    let wal = server.dir.path().join("rampart.db-wal");
    assert!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0, "commits are in the log first");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if models_in_database_file(server.dir.path()).await == Some(1) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the model is not in the database file after 10 s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
