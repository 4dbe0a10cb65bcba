//! Saves of one model that wait for each other are written together, in
//! one transaction (group commit), on each database: each is still its own
//! version, checked against its own `If-Match`, with the threats a full
//! analysis of its document gives; and a save that fails in a batch fails
//! alone.

#[path = "support/server.rs"]
mod server;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use server::{Backend, Client, TestServer, backends, fixture, project_with_model, renamed};

/// Holds the lock every save of `model_id` takes, as a batch of another
/// replica would: the writer of the next batch waits for it. Dropping the
/// transaction lets go.
async fn hold_the_models_lock(server: &TestServer, model_id: &str) -> rampart_server::db::Tx {
    let state = server.state();
    let mut tx = state.db.write().await.expect("a write transaction");
    if state.db.backend == rampart_server::db::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(model_id)
            .execute(&mut *tx)
            .await
            .expect("the model's lock");
    }
    tx
}

/// Waits until `waiting` saves of `model_id` queue behind the batch being written.
async fn until_waiting(server: &TestServer, model_id: &str, waiting: usize) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while server.state().saves.waiting(model_id) != Some(waiting) {
        assert!(
            Instant::now() < deadline,
            "{waiting} saves never queued: {:?}",
            server.state().saves.waiting(model_id)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Starts a save of `document` with `if_match`; its answer comes when the task ends.
fn start_save(
    client: &Client,
    model_id: &str,
    if_match: &str,
    document: &str,
    message: &str,
) -> tokio::task::JoinHandle<(u16, Value)> {
    let (client, path, if_match) = (client.clone(), format!("/api/v1/models/{model_id}"), if_match.to_string());
    let body = json!({"document": document, "message": message});
    tokio::spawn(async move {
        let (status, _, body) = client.send_with("PUT", &path, &[("if-match", &if_match)], Some(body)).await;
        (status.as_u16(), body)
    })
}

/// The (threat id, fingerprint) of each threat of `version`, sorted (a
/// row's `until_version` is the last version that has it).
async fn rows_of(server: &TestServer, model_id: &str, version: i64) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT threat_id, fingerprint FROM threats WHERE model_id = $1 AND since_version <= $2 \
         AND (until_version IS NULL OR until_version >= $2) ORDER BY threat_id",
    )
    .bind(model_id)
    .bind(version)
    .fetch_all(&server.state().db.pool)
    .await
    .expect("the version's threats")
}

/// The threats (as [`rows_of`]) of `document` analysed in full: those of
/// a new model made of it, which no earlier analysis can have helped.
async fn analysed_in_full(
    server: &TestServer,
    admin: &Client,
    project_id: &str,
    name: &str,
    document: &str,
) -> Vec<(String, String)> {
    let body = json!({"name": format!("{name}, analysed in full"), "document": document});
    let created = admin.ok("POST", &format!("/api/v1/projects/{project_id}/models"), Some(body)).await;
    rows_of(server, created["model"]["id"].as_str().expect("model id"), 1).await
}

/// The (version, message) of every version of `model_id`, oldest first.
async fn versions(server: &TestServer, model_id: &str) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT version, message FROM model_versions WHERE model_id = $1 ORDER BY version")
        .bind(model_id)
        .fetch_all(&server.state().db.pool)
        .await
        .expect("the versions")
}

/// Seven saves wait while another holds the model's lock; the first waits
/// in the writer, the other six behind it, then go in one batch. Two of
/// those are based on version 1, which the first replaces; the rest on `*`.
async fn saves_written_together(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let base = fixture("small.yaml");
    let (_, project_id, model_id) = project_with_model(&admin, "Retail", "Shop", &base).await;
    let variants = [renamed(&base, &[("db", "Order store")]), renamed(&base, &[("web", "Storefront")]), base.clone()];
    let model = admin.ok("GET", &format!("/api/v1/models/{model_id}"), None).await;
    let first_etag = model["etag"].as_str().expect("an etag").to_string();

    let lock = hold_the_models_lock(&server, &model_id).await;
    let mut saves = vec![(start_save(&admin, &model_id, "*", &variants[0], "save 0"), 0)];
    until_waiting(&server, &model_id, 0).await;
    for n in 1..7 {
        let if_match = if n == 3 || n == 4 { first_etag.as_str() } else { "*" };
        saves.push((start_save(&admin, &model_id, if_match, &variants[n % 3], &format!("save {n}")), n % 3));
        until_waiting(&server, &model_id, n).await;
    }
    drop(lock);

    let mut saved = Vec::new();
    for (n, (save, variant)) in saves.into_iter().enumerate() {
        let (status, body) = save.await.expect("the save's task");
        match n {
            // The writer took save 0 alone, then the rest in order: saves 3
            // and 4 were based on version 1, which by then was long gone.
            3 | 4 => {
                assert_eq!(status, 409, "save {n}: {body}");
                assert_eq!(body["error"]["details"]["expected_version"], 1, "save {n}: {body}");
                assert_eq!(body["error"]["details"]["head_version"], 4, "save {n}: {body}");
            }
            _ => {
                assert_eq!(status, 200, "save {n}: {body}");
                let version = body["model"]["head_version"].as_i64().expect("a version");
                assert_eq!(body["model"]["head"]["message"], format!("save {n}"), "{body}");
                assert_eq!(body["model"]["head"]["author"], "alice", "{body}");
                assert_eq!(body["model"]["name"], model["name"], "{body}");
                saved.push((version, format!("save {n}"), variant));
            }
        }
    }
    let numbers: Vec<i64> = saved.iter().map(|(version, ..)| *version).collect();
    assert_eq!(numbers, [2, 3, 4, 5, 6], "one version each, in the order they queued");
    let mut expected = vec![(1, "Created".to_string())];
    expected.extend(saved.iter().map(|(version, message, _)| (*version, message.clone())));
    let stored = versions(&server, &model_id).await;
    assert_eq!(stored.len(), expected.len(), "{stored:?}");
    assert_eq!(stored[1..], expected[1..], "no version for the refused saves");

    if backend == Backend::Postgres {
        let transactions: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT xmin::text) FROM model_versions WHERE model_id = $1 AND version >= 3",
        )
        .bind(&model_id)
        .fetch_one(&server.state().db.pool)
        .await
        .expect("the versions' transactions");
        assert_eq!(transactions, 1, "the saves queued behind the first were written in one transaction");
    }

    // Each version has the threats a full analysis of its document gives.
    let mut full = Vec::new();
    for (n, document) in variants.iter().enumerate() {
        full.push(analysed_in_full(&server, &admin, &project_id, &format!("variant {n}"), document).await);
    }
    for (version, message, variant) in &saved {
        assert_eq!(rows_of(&server, &model_id, *version).await, full[*variant], "version {version} ({message})");
    }
    let log = admin.ok("GET", &format!("/api/v1/audit?target={model_id}&action=model.save&limit=50"), None).await;
    let mut recorded: Vec<i64> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["detail"]["version"].as_i64().unwrap())
        .collect();
    recorded.sort_unstable();
    assert_eq!(recorded, numbers, "one audit record per version: {log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn saves_that_wait_for_each_other_are_written_together() {
    for backend in backends() {
        saves_written_together(backend).await;
    }
}

/// A save that the database refuses in the middle of a batch fails alone:
/// the batch is rolled back and its saves are written one by one.
async fn a_failure_in_a_batch(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let base = fixture("small.yaml");
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &base).await;
    let pool = &server.state().db.pool;
    // A real refusal by the database, for a version with this message.
    let refuse: &[&str] = match backend {
        Backend::Sqlite => &["CREATE TRIGGER refuse BEFORE INSERT ON model_versions WHEN NEW.message = 'refused' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"],
        Backend::Postgres => &[
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF NEW.message = 'refused' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$",
            "CREATE TRIGGER refuse BEFORE INSERT ON model_versions FOR EACH ROW EXECUTE FUNCTION refuse()",
        ],
    };
    for statement in refuse {
        sqlx::query(statement).execute(pool).await.expect("the trigger");
    }

    let lock = hold_the_models_lock(&server, &model_id).await;
    let documents = [renamed(&base, &[("db", "Order store")]), renamed(&base, &[("web", "Storefront")]), base.clone()];
    let mut saves = vec![start_save(&admin, &model_id, "*", &documents[0], "first")];
    until_waiting(&server, &model_id, 0).await;
    for (n, message) in ["before", "refused", "after"].into_iter().enumerate() {
        saves.push(start_save(&admin, &model_id, "*", &documents[(n + 1) % 3], message));
        until_waiting(&server, &model_id, n + 1).await;
    }
    drop(lock);

    let mut answers = Vec::new();
    for save in saves {
        answers.push(save.await.expect("the save's task"));
    }
    let outcome: Vec<(u16, Option<i64>)> =
        answers.iter().map(|(status, body)| (*status, body["model"]["head_version"].as_i64())).collect();
    assert_eq!(outcome, [(200, Some(2)), (200, Some(3)), (500, None), (200, Some(4))], "{answers:?}");
    let stored: Vec<String> = versions(&server, &model_id).await.into_iter().map(|(_, message)| message).collect();
    assert_eq!(stored, ["Created", "first", "before", "after"]);
    let head = admin.ok("GET", &format!("/api/v1/models/{model_id}"), None).await;
    assert_eq!(head["head_version"], 4, "{head}");
    // "after" saved the document "first" did, which gives the same threats.
    assert_eq!(rows_of(&server, &model_id, 4).await, rows_of(&server, &model_id, 2).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_the_database_refuses_in_a_batch_fails_alone() {
    for backend in backends() {
        a_failure_in_a_batch(backend).await;
    }
}

/// A server keeps the last analysis of the models saved on it, within
/// `--analysis-cache-mib`, so that their next saves analyse only what
/// changed; told to keep none, it analyses each save in full, with the same
/// threats.
async fn kept_analyses(backend: Backend) {
    for cache_bytes in [rampart_server::store::previous::DEFAULT_MIB * 1024 * 1024, 0] {
        let server = TestServer::start_with(backend, |config| config.analysis_cache_bytes = cache_bytes).await;
        let admin = server.organisation_admin("Acme", "alice").await;
        let base = fixture("small.yaml");
        let (_, project_id, model_id) = project_with_model(&admin, "Retail", "Shop", &base).await;
        let edits = [renamed(&base, &[("db", "Order store")]), renamed(&base, &[("web", "Storefront")])];
        for (n, document) in edits.iter().enumerate() {
            let (status, saved) =
                start_save(&admin, &model_id, "*", document, &format!("edit {n}")).await.expect("the save's task");
            assert_eq!(status, 200, "{saved}");
            let version = saved["model"]["head_version"].as_i64().expect("a version");
            let kept = server.state().previous.get(&model_id);
            if cache_bytes == 0 {
                assert!(kept.is_none(), "a server told to keep no analyses kept one");
            } else {
                assert_eq!(kept.map(|kept| kept.version), Some(version), "the saved version's analysis is kept");
            }
            let full =
                analysed_in_full(&server, &admin, &project_id, &format!("edit {n} ({cache_bytes} bytes)"), document)
                    .await;
            assert_eq!(rows_of(&server, &model_id, version).await, full, "version {version}, cache {cache_bytes}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analyses_are_kept_within_the_configured_memory() {
    for backend in backends() {
        kept_analyses(backend).await;
    }
}
