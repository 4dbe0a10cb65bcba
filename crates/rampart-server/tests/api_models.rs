//! Models over HTTP on each database: the version history with its
//! summaries, a version's document, the diff between versions, rollback,
//! saves analysed only where they changed, the models list, imports in other formats, every report, and the
//! OpenAPI document and its reference page.

#[path = "support/server.rs"]
mod server;

use serde_json::{Value, json};
use server::{Backend, Client, TestServer, backends, fixture, project_with_model, renamed};

/// The model with `controls` declared on the component `component`.
fn with_controls(document: &str, component: &str, controls: &[String]) -> String {
    let marker = format!("  - id: {component}\n");
    assert!(document.contains(&marker), "the fixture declares `{component}`");
    document.replace(&marker, &format!("{marker}    controls: [{}]\n", controls.join(", ")))
}

/// The component with the riskiest threat, and every countermeasure of that threat, as the analysis names them.
async fn countermeasures_of_riskiest(client: &Client, model_id: &str) -> (String, Vec<String>) {
    let threats = client.ok("GET", &format!("/api/v1/models/{model_id}/threats?limit=500"), None).await;
    let threat = threats["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| t["target_kind"] == "element" && ["web", "api", "db"].iter().any(|c| t["target"] == *c))
        .expect("a threat on a component");
    let (threat_id, component) = (threat["id"].as_str().unwrap(), threat["target"].as_str().unwrap());
    let threat = client.ok("GET", &format!("/api/v1/models/{model_id}/threats/{threat_id}"), None).await;
    let ids: Vec<String> = threat["analysis"]["countermeasures"]
        .as_array()
        .expect("countermeasures")
        .iter()
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect();
    assert!(!ids.is_empty(), "{threat}");
    (component.to_string(), ids)
}

/// The model with one more flow, from the API to the database.
fn with_database_flow(document: &str) -> String {
    format!(
        "{document}  - id: api-to-db\n    from: api\n    to: db\n    protocol: sql\n    authentication: password\n    \
         data: [orders]\n"
    )
}

/// The model's current ETag.
async fn etag_of(client: &Client, model_id: &str) -> String {
    let model = client.ok("GET", &format!("/api/v1/models/{model_id}"), None).await;
    model["etag"].as_str().expect("etag").to_string()
}

/// Saves `document` as the next version; returns the save's answer.
async fn save(client: &Client, model_id: &str, document: &str, message: &str) -> Value {
    let etag = etag_of(client, model_id).await;
    let (status, _, body) = client
        .send_with(
            "PUT",
            &format!("/api/v1/models/{model_id}"),
            &[("if-match", &etag)],
            Some(json!({"document": document, "message": message})),
        )
        .await;
    assert_eq!(status, 200, "save {message}: {body}");
    body
}

/// The ids of the threats of a version, sorted, with their statuses.
async fn threats_of(client: &Client, model_id: &str, version: i64) -> Vec<(String, String)> {
    let page = client.ok("GET", &format!("/api/v1/models/{model_id}/threats?version={version}&limit=500"), None).await;
    let mut threats: Vec<(String, String)> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|t| (t["id"].as_str().unwrap().to_string(), t["status"].as_str().unwrap().to_string()))
        .collect();
    threats.sort();
    assert_eq!(threats.len() as i64, page["total"].as_i64().unwrap(), "one page holds every threat");
    // The total is the same on a short page, on a page past the end, and it counts a filter's matches.
    let total = page["total"].clone();
    let first = client.ok("GET", &format!("/api/v1/models/{model_id}/threats?version={version}&limit=2"), None).await;
    assert_eq!(first["total"], total, "{first}");
    let past = format!("/api/v1/models/{model_id}/threats?version={version}&limit=5&offset=100000");
    let past = client.ok("GET", &past, None).await;
    assert_eq!((past["items"].as_array().map(Vec::len), &past["total"]), (Some(0), &total), "{past}");
    let open = threats.iter().filter(|(_, status)| status == "open").count();
    let filtered = client
        .ok("GET", &format!("/api/v1/models/{model_id}/threats?version={version}&status=open&limit=1"), None)
        .await;
    assert_eq!(filtered["total"].as_u64(), Some(open as u64), "{filtered}");
    threats
}

/// The latest version's list (no `version`: read from the open rows) is
/// the head's by number (read by its range), in every order and filter.
async fn latest_is_the_head(client: &Client, model_id: &str, head: i64) {
    let threats = format!("/api/v1/models/{model_id}/threats");
    for query in [
        "sort=-score",
        "sort=score",
        "sort=id",
        "sort=title",
        "sort=target",
        "sort=status",
        "status=open",
        "status=unresolved&min_severity=medium&sort=target",
        "min_severity=high&offset=1",
    ] {
        let latest = client.ok("GET", &format!("{threats}?limit=500&{query}"), None).await;
        let by_number = client.ok("GET", &format!("{threats}?limit=500&{query}&version={head}"), None).await;
        assert_eq!(latest, by_number, "{query}");
        assert!(latest["total"].as_i64().unwrap() > 0, "{query}: {latest}");
    }
}

/// A version near the head is listed from the head's end (its open rows and
/// those closed since) on SQLite, an older one by its range: a model saved
/// with two documents in turn lists the same threats for each document's
/// versions, whichever way they are read.
async fn recent_and_older_versions(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let first = fixture("small.yaml");
    let second = with_database_flow(&first);
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &first).await;
    for version in 2..=10 {
        let document = if version % 2 == 0 { &second } else { &first };
        save(&admin, &model_id, document, &format!("version {version}")).await;
    }
    let (oldest_first, oldest_second) =
        (threats_of(&admin, &model_id, 1).await, threats_of(&admin, &model_id, 2).await);
    assert_ne!(oldest_first, oldest_second, "the documents have different threats");
    for version in [3, 5, 7, 9] {
        assert_eq!(threats_of(&admin, &model_id, version).await, oldest_first, "version {version}");
    }
    for version in [4, 6, 8, 10] {
        assert_eq!(threats_of(&admin, &model_id, version).await, oldest_second, "version {version}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recent_and_older_versions_list_the_threats_they_were_saved_with() {
    for backend in backends() {
        recent_and_older_versions(backend).await;
    }
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().expect("list").iter().map(|v| v.as_str().expect("id").to_string()).collect()
}

async fn history_diff_and_rollback(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let first = fixture("small.yaml");
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &first).await;
    let (component, controls) = countermeasures_of_riskiest(&admin, &model_id).await;
    let second = with_controls(&first, &component, &controls);
    let third = with_database_flow(&second);
    save(&admin, &model_id, &second, "API controls").await;
    let saved = save(&admin, &model_id, &third, "database flow").await;
    assert_eq!(saved["model"]["head_version"], 3, "{saved}");
    assert!(saved["threats_added"].as_u64().unwrap() > 0, "a new flow raises threats: {saved}");

    // The history, newest first, with each version's summary.
    let versions = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions"), None).await;
    assert_eq!(versions["total"], 3, "{versions}");
    let items = versions["items"].as_array().expect("items");
    let numbers: Vec<i64> = items.iter().map(|v| v["version"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [3, 2, 1], "newest first");
    let messages: Vec<&str> = items.iter().map(|v| v["message"].as_str().unwrap()).collect();
    assert_eq!(messages, ["database flow", "API controls", "Created"]);
    assert!(items.iter().all(|v| v["author"] == "alice" && v["source_format"] == "rampart"), "{versions}");
    let (v3, v2, v1) = (&items[0], &items[1], &items[2]);
    assert_eq!((v1["components"].as_i64(), v1["flows"].as_i64()), (Some(3), Some(2)), "{v1}");
    assert_eq!(v3["flows"], 3, "{v3}");
    assert!(
        v2["unresolved"].as_i64().unwrap() < v1["unresolved"].as_i64().unwrap(),
        "controls resolve threats: v1 {v1} v2 {v2}"
    );
    assert!(v2["risk_score"].as_f64().unwrap() < v1["risk_score"].as_f64().unwrap(), "and lower the risk");
    assert!(v3["threats"].as_i64().unwrap() > v2["threats"].as_i64().unwrap(), "a flow adds threats: {v2} {v3}");
    let paged = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions?limit=1&offset=1"), None).await;
    assert_eq!(paged["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(paged["items"][0]["version"], 2);
    assert_eq!(paged["total"], 3);

    // One version: its document as sent and the model read from it.
    let version = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions/2"), None).await;
    assert_eq!(version["version"], 2);
    assert_eq!(version["document"], second.as_str());
    assert_eq!(version["model"]["name"], "Small shop");
    let changed = version["model"]["components"].as_array().unwrap().iter().find(|c| c["id"] == component.as_str());
    assert_eq!(changed.expect("the component")["controls"], json!(controls), "{version}");
    let (status, _, missing) = admin.get(&format!("/api/v1/models/{model_id}/versions/9")).await;
    assert_eq!(status, 404, "{missing}");

    // The diff: elements by id, and the core's threat diff.
    let diff = admin.ok("GET", &format!("/api/v1/models/{model_id}/diff?from=2&to=3"), None).await;
    assert_eq!(ids(&diff["elements"]["added"]), ["api-to-db"], "{diff}");
    assert_eq!(ids(&diff["elements"]["removed"]), Vec::<String>::new());
    assert_eq!(ids(&diff["elements"]["changed"]), Vec::<String>::new());
    let added = diff["threats"]["added"].as_array().expect("threats.added");
    assert!(!added.is_empty(), "{diff}");
    assert!(
        added.iter().any(|t| t["id"].as_str().unwrap().ends_with("@api-to-db")),
        "a threat on the new flow is added: {added:?}"
    );
    assert_eq!(diff["threats"]["summary"]["added"].as_u64(), Some(added.len() as u64));
    let control_diff = admin.ok("GET", &format!("/api/v1/models/{model_id}/diff?from=1&to=2"), None).await;
    assert_eq!(ids(&control_diff["elements"]["changed"]), [component.as_str()], "{control_diff}");
    assert!(control_diff["threats"]["summary"]["changed"].as_u64().unwrap() > 0, "{control_diff}");
    let default_diff = admin.ok("GET", &format!("/api/v1/models/{model_id}/diff"), None).await;
    assert_eq!((default_diff["from"].as_i64(), default_diff["to"].as_i64()), (Some(2), Some(3)));
    let (status, _, bad) = admin.get(&format!("/api/v1/models/{model_id}/diff?from=0&to=3")).await;
    assert_eq!(status, 400, "{bad}");
    assert_eq!(bad["error"]["field"], "from");

    // Rollback: needs If-Match, makes version 4 equal to version 1.
    let rollback = json!({"version": 1, "message": "back to the start"});
    let (status, _, refused) =
        admin.send("POST", &format!("/api/v1/models/{model_id}/rollback"), Some(rollback.clone())).await;
    assert_eq!(status, 428, "{refused}");
    assert_eq!(refused["error"]["code"], "if-match-required");
    let (status, _, stale) = admin
        .send_with(
            "POST",
            &format!("/api/v1/models/{model_id}/rollback"),
            &[("if-match", &saved["model"]["etag"].as_str().unwrap().replace("-v3", "-v2"))],
            Some(rollback.clone()),
        )
        .await;
    assert_eq!(status, 409, "{stale}");
    assert_eq!(
        (stale["error"]["details"]["expected_version"].as_i64(), stale["error"]["details"]["head_version"].as_i64()),
        (Some(2), Some(3)),
        "{stale}"
    );
    let message = stale["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("you edited version 2, the latest is 3"), "{message}");
    // An If-Match that is no ETag of this model (another model's, or not an ETag at all)
    // is refused without guessing which version it was based on.
    let etag = etag_of(&admin, &model_id).await;
    let other_models = format!("\"zzzzzzzz-v{}\"", 3);
    for wrong in [other_models.as_str(), etag.trim_matches('"'), "v3"] {
        let (status, _, refused) = admin
            .send_with(
                "POST",
                &format!("/api/v1/models/{model_id}/rollback"),
                &[("if-match", wrong)],
                Some(rollback.clone()),
            )
            .await;
        assert_eq!(status, 409, "{wrong}: {refused}");
        let message = refused["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("is not an ETag of this model") && message.contains(&etag), "{wrong}: {message}");
        assert_eq!(refused["error"]["details"]["head_version"], 3, "{refused}");
        assert_eq!(refused["error"]["details"]["expected_version"], Value::Null, "{refused}");
    }
    let (status, headers, rolled) = admin
        .send_with("POST", &format!("/api/v1/models/{model_id}/rollback"), &[("if-match", &etag)], Some(rollback))
        .await;
    assert_eq!(status, 200, "{rolled}");
    assert_eq!(rolled["model"]["head_version"], 4);
    assert_eq!(headers.get("etag").and_then(|v| v.to_str().ok()), rolled["model"]["etag"].as_str());
    let v4 = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions/4"), None).await;
    assert_eq!(v4["document"], first.as_str(), "the rolled-back document is version 1's");
    assert_eq!(v4["message"], "back to the start");
    assert_eq!(threats_of(&admin, &model_id, 4).await, threats_of(&admin, &model_id, 1).await);
    assert_ne!(threats_of(&admin, &model_id, 3).await, threats_of(&admin, &model_id, 1).await);
    latest_is_the_head(&admin, &model_id, 4).await;
    let (status, _, no_version) = admin
        .send_with(
            "POST",
            &format!("/api/v1/models/{model_id}/rollback"),
            &[("if-match", "*")],
            Some(json!({"version": 12})),
        )
        .await;
    assert_eq!(status, 400, "{no_version}");
    assert_eq!(no_version["error"]["field"], "version");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_are_listed_diffed_and_rolled_back() {
    for backend in backends() {
        history_diff_and_rollback(backend).await;
    }
}

/// The current rows of a model with their stored details: (threat id, fingerprint, detail), sorted.
async fn current_details(server: &TestServer, model_id: &str) -> Vec<(String, String, String)> {
    let detail = "COALESCE((SELECT d.detail FROM threat_details d \
        WHERE d.model_id = t.model_id AND d.fingerprint = t.fingerprint), 'missing')";
    current(server, model_id, &format!("threat_id, fingerprint, {detail}")).await
}

/// A save after another analyses only what changed since the version this
/// server stored last, and keeps that version's rows for the rest. The
/// rows are checked against a model created from the same document, which
/// is analysed in full: same threats, fingerprints, stored details and
/// summary. A save through a second replica in the middle makes the head a
/// version the first did not analyse, so some rows the first keeps from its
/// last analysis differ from the head's: they are written again, without
/// their details, which are kept already (by fingerprint).
async fn incremental_saves(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let base = fixture("small.yaml");
    let (_, project_id, model_id) = project_with_model(&admin, "Retail", "Shop", &base).await;
    save(&admin, &model_id, &renamed(&base, &[("db", "Order store")]), "v2: the database renamed").await;
    let third = renamed(&base, &[("web", "Storefront")]);
    let saved = save(&admin, &model_id, &third, "v3: the web app renamed, the database's name back").await;
    assert!(saved["threats_changed"].as_u64().unwrap() > 0, "{saved}");
    let replica =
        TestServer::start_on(backend, tempfile::tempdir().expect("directory"), server.database_url.clone(), |_| {})
            .await;
    let on_replica = Client { base: replica.base.clone(), ..admin.clone() };
    save(&on_replica, &model_id, &renamed(&base, &[("db", "Order store")]), "v4: through the replica").await;
    // The detail of one row the next save keeps from version 3 is lost (as a
    // damaged database might): the save must give it from the analysis.
    let db = &server.state().db.pool;
    let lost = sqlx::query(
        "DELETE FROM threat_details WHERE model_id = $1 AND fingerprint = (SELECT fingerprint FROM threats \
         WHERE model_id = $1 AND since_version = 3 AND target = 'db' ORDER BY threat_id LIMIT 1)",
    )
    .bind(&model_id)
    .execute(db)
    .await
    .expect("a detail lost");
    assert_eq!(lost.rows_affected(), 1, "version 3 has a row of the database's");
    let last = renamed(&base, &[("web", "Storefront"), ("api", "Order service")]);
    let saved = save(&admin, &model_id, &last, "v5").await;
    assert_eq!(saved["model"]["head_version"], 5, "{saved}");
    // The save's audit record, written with it, tells what it changed.
    let log = admin.ok("GET", &format!("/api/v1/audit?target={model_id}&action=model.save"), None).await;
    let detail = &log["items"][0]["detail"];
    assert_eq!(detail["version"], 5, "{log}");
    assert_eq!(detail["message"], "v5", "{log}");
    for count in ["added", "changed", "removed"] {
        assert_eq!(detail[count], saved[format!("threats_{count}")], "{count}: {log}");
    }

    let full = admin
        .ok(
            "POST",
            &format!("/api/v1/projects/{project_id}/models"),
            Some(json!({"name": "the same, analysed in full", "document": last})),
        )
        .await;
    let full_id = full["model"]["id"].as_str().expect("model id");
    let (kept, expected) = (current_details(&server, &model_id).await, current_details(&server, full_id).await);
    assert_eq!(kept.len(), expected.len());
    for (kept, expected) in kept.iter().zip(&expected) {
        assert_eq!(kept, expected, "the row of {} differs from a full analysis's", expected.0);
    }
    assert!(expected.iter().any(|(_, _, detail)| detail.contains("Storefront")), "names show in the details");
    let summary = |model: &Value| {
        let head = &model["head"];
        json!([head["threats"], head["unresolved"], head["critical"], head["high"], head["risk_score"]])
    };
    let head = admin.ok("GET", &format!("/api/v1/models/{model_id}"), None).await;
    assert_eq!(summary(&head), summary(&full["model"]), "{head}");
    assert_eq!(threats_of(&admin, &model_id, 5).await, threats_of(&admin, full_id, 1).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_reanalyses_only_what_changed_and_stores_what_a_full_analysis_would() {
    for backend in backends() {
        incremental_saves(backend).await;
    }
}

/// A save this server follows with another stores the second document as
/// a delta against the first (at most 16 deep, then one on its own), and
/// every version reads back as it was saved. The version a delta is taken
/// against need not be the head (another replica may have saved since), but
/// it must be in the database as this server stored it, or the document is
/// stored on its own. A damaged chain is a server error for the versions on
/// it, and no other.
async fn document_deltas(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let base = fixture("small.yaml");
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &base).await;
    let mut documents = vec![base.clone()];
    for n in 2..=19 {
        let document = renamed(&base, &[("db", &format!("Order store {n}"))]);
        save(&admin, &model_id, &document, &format!("v{n}")).await;
        documents.push(document);
    }
    let replica =
        TestServer::start_on(backend, tempfile::tempdir().expect("directory"), server.database_url.clone(), |_| {})
            .await;
    let on_replica = Client { base: replica.base.clone(), ..admin.clone() };
    let document = renamed(&base, &[("web", "Storefront")]);
    save(&on_replica, &model_id, &document, "v20: through the replica").await;
    documents.push(document);
    let document = renamed(&base, &[("api", "Orders")]);
    save(&admin, &model_id, &document, "v21: the first server again").await;
    documents.push(document);
    // Version 21 as the database holds it is not what this server stored
    // (as after a restore under a running server): the next document is
    // compressed again, on its own.
    let db = &server.state().db.pool;
    sqlx::query("UPDATE model_versions SET created_at = created_at + 1 WHERE model_id = $1 AND version = 21")
        .bind(&model_id)
        .execute(db)
        .await
        .expect("another version 21");
    let document = renamed(&base, &[("api", "Order service")]);
    save(&admin, &model_id, &document, "v22").await;
    documents.push(document);

    for (index, document) in documents.iter().enumerate() {
        let version = index + 1;
        let read = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions/{version}"), None).await;
        assert_eq!(read["document"], document.as_str(), "{backend:?}: version {version} reads as saved");
    }
    let bases: Vec<Option<i64>> =
        sqlx::query_scalar("SELECT document_base FROM model_versions WHERE model_id = $1 ORDER BY version")
            .bind(&model_id)
            .fetch_all(db)
            .await
            .expect("bases");
    let mut expected: Vec<Option<i64>> = vec![None];
    expected.extend((1..=16).map(Some));
    expected.extend([None, Some(18), None, Some(19), None]);
    assert_eq!(bases, expected, "{backend:?}: which version each document is stored against");

    // Version 9 is damaged and names itself as its base: it and the versions
    // stored against it (10 to 17) cannot be read, and the others can.
    sqlx::query("UPDATE model_versions SET document_base = 9, document_zstd = $2 WHERE model_id = $1 AND version = 9")
        .bind(&model_id)
        .bind(b"damaged".to_vec())
        .execute(db)
        .await
        .expect("damaged");
    let (status, _, error) = admin.send("GET", &format!("/api/v1/models/{model_id}/versions/12"), None).await;
    assert_eq!(status, 500, "{error}");
    assert_eq!(error["error"]["code"], "internal", "{error}");
    for version in [1, 8, 18, 19, 21, 22] {
        let read = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions/{version}"), None).await;
        assert_eq!(read["document"], documents[version - 1].as_str(), "{backend:?}: version {version}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_stored_as_deltas_and_read_back_whole() {
    for backend in backends() {
        document_deltas(backend).await;
    }
}

/// The current rows of a model: (threat id, since version, fingerprint), sorted.
async fn current_rows(server: &TestServer, model_id: &str) -> Vec<(String, i64, String)> {
    current(server, model_id, "threat_id, since_version, fingerprint").await
}

/// `columns` of the current rows of a model, sorted by threat id.
async fn current<T>(server: &TestServer, model_id: &str, columns: &str) -> Vec<T>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let sql =
        format!("SELECT {columns} FROM threats t WHERE model_id = $1 AND until_version IS NULL ORDER BY threat_id");
    sqlx::query_as(&sql).bind(model_id).fetch_all(&server.state().db.pool).await.expect("current rows")
}

/// How servers before the `m:` scheme fingerprinted a threat: the first 12
/// bytes of the SHA-256 of its stored JSON, in hex.
fn older_fingerprint(detail: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(detail.as_bytes())[..12].iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Gives the current rows of a model the fingerprints an older server wrote,
/// with their details kept under them (and only under them) as the upgrade
/// keeps them; `stale`'s that of a different detail.
/// Queues a `reanalyze` job and waits (30 s at most) until it is done or failed.
async fn reanalyze(admin: &Client) -> Value {
    let job = admin.ok("POST", "/api/v1/jobs", Some(json!({"kind": "reanalyze"}))).await;
    let job_path = format!("/api/v1/jobs/{}", job["id"].as_str().expect("job id"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let job = admin.ok("GET", &job_path, None).await;
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        assert!(std::time::Instant::now() < deadline, "the job did not finish in 30 s: {job}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn set_older_fingerprints(server: &TestServer, model_id: &str, stale: Option<&str>) {
    let pool = &server.state().db.pool;
    let details: Vec<(String, String)> = sqlx::query_as(
        "SELECT t.threat_id, d.detail FROM threats t JOIN threat_details d \
             ON d.model_id = t.model_id AND d.fingerprint = t.fingerprint \
             WHERE t.model_id = $1 AND t.until_version IS NULL",
    )
    .bind(model_id)
    .fetch_all(pool)
    .await
    .expect("details");
    sqlx::query("DELETE FROM threat_details WHERE model_id = $1").bind(model_id).execute(pool).await.expect("deleted");
    for (threat_id, detail) in &details {
        let old = if Some(threat_id.as_str()) == stale { format!("{detail} ") } else { detail.clone() };
        sqlx::query("UPDATE threats SET fingerprint = $1 WHERE model_id = $2 AND threat_id = $3")
            .bind(older_fingerprint(&old))
            .bind(model_id)
            .bind(threat_id)
            .execute(pool)
            .await
            .expect("an older fingerprint");
        sqlx::query(
            "INSERT INTO threat_details (model_id, fingerprint, detail) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(model_id)
        .bind(older_fingerprint(&old))
        .bind(&old)
        .execute(pool)
        .await
        .expect("the detail under the older fingerprint");
    }
}

/// Rows written by a server that fingerprinted the stored JSON (before the
/// `m:` scheme) are compared as they were then: a save of the same document
/// changes no threat and rewrites no row, it only gives the rows the current
/// fingerprint; a row whose old fingerprint does not match its threat any
/// more is a changed threat. Saves that change nothing write nothing.
async fn older_fingerprints(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let document = fixture("small.yaml");
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &document).await;
    let fresh = current_rows(&server, &model_id).await;
    assert!(fresh.len() > 3, "the fixture raises threats: {fresh:?}");
    assert!(fresh.iter().all(|(_, since, fp)| *since == 1 && fp.starts_with("m:")), "{fresh:?}");

    // What an older server wrote: the digest of each row's detail. A
    // re-analysis job finds nothing changed, writes no version, and leaves
    // the rows with the current fingerprints.
    set_older_fingerprints(&server, &model_id, None).await;
    let done = reanalyze(&admin).await;
    assert_eq!((&done["result"]["new_versions"], &done["result"]["unchanged"]), (&json!(0), &json!(1)), "{done}");
    assert_eq!(current_rows(&server, &model_id).await, fresh, "the job only gave the rows their fingerprints back");
    let described = current_details(&server, &model_id).await;
    assert!(described.iter().all(|(_, _, detail)| detail.starts_with('{')), "details under the new fingerprints");

    // Again, and for one threat the digest of a detail that is no longer
    // what it would raise.
    let stale = fresh[0].0.clone();
    set_older_fingerprints(&server, &model_id, Some(&stale)).await;
    // The upgrade starts a new server, which has analysed nothing yet (a
    // running one keeps the last analysis it stored, and would take its rows
    // for the current ones).
    // The stopped server keeps its directory, which holds SQLite's database.
    let mut stopped = server;
    stopped.stop().await;
    let server =
        TestServer::start_on(backend, tempfile::tempdir().expect("directory"), stopped.database_url.clone(), |_| {})
            .await;
    let admin = Client { base: server.base.clone(), ..admin.clone() };
    let saved = save(&admin, &model_id, &document, "after the upgrade").await;
    assert_eq!(
        (&saved["threats_added"], &saved["threats_changed"], &saved["threats_removed"]),
        (&json!(0), &json!(1), &json!(0)),
        "only the threat whose old fingerprint differs is changed: {saved}"
    );
    let after = current_rows(&server, &model_id).await;
    assert_eq!(after.len(), fresh.len());
    for ((id, since, fingerprint), (_, _, was)) in after.iter().zip(&fresh) {
        assert_eq!(fingerprint, was, "{id} has the current fingerprint again");
        assert_eq!(*since, if *id == stale { 2 } else { 1 }, "{id}: only the changed threat has a new row");
    }

    let again = save(&admin, &model_id, &document, "nothing changed").await;
    assert_eq!(
        (&again["threats_added"], &again["threats_changed"], &again["threats_removed"]),
        (&json!(0), &json!(0), &json!(0)),
        "{again}"
    );
    assert_eq!(current_rows(&server, &model_id).await, after, "a save that changes nothing writes no row");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn threats_fingerprinted_by_an_older_server_are_recognised() {
    for backend in backends() {
        older_fingerprints(backend).await;
    }
}

/// Documents are stored compressed: the text column of a new version is
/// empty and the compressed one is far smaller than the document (on
/// PostgreSQL, stored without compressing it again). A version
/// written by an older server (its text in `document`, no compressed bytes)
/// reads back the same, and a re-analysis job and a rollback still work
/// from it.
async fn stored_documents(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let document = fixture("small.yaml");
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &document).await;
    let pool = &server.state().db.pool;
    let (text, compressed): (String, Option<Vec<u8>>) =
        sqlx::query_as("SELECT document, document_zstd FROM model_versions WHERE model_id = $1 AND version = 1")
            .bind(&model_id)
            .fetch_one(pool)
            .await
            .expect("version 1");
    let compressed = compressed.expect("a new version keeps its document compressed");
    assert_eq!(text, "", "and leaves the text column empty");
    assert!(compressed.len() < document.len() / 2, "{} bytes for {}", compressed.len(), document.len());
    if backend == Backend::Postgres {
        // Out of line and as it is: PostgreSQL's own compression is not tried again.
        let storage: String = sqlx::query_scalar(
            "SELECT attstorage::text FROM pg_attribute \
             WHERE attrelid = 'model_versions'::regclass AND attname = 'document_zstd'",
        )
        .fetch_one(pool)
        .await
        .expect("the column's storage");
        assert_eq!(storage, "e", "EXTERNAL storage");
    }
    let version = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions/1"), None).await;
    assert_eq!(version["document"], json!(document), "the document comes back as it was saved");

    // As an older server left it.
    let older = document.replacen("Small shop", "Small shop (stored before compression)", 1);
    assert_ne!(older, document);
    sqlx::query("UPDATE model_versions SET document = $1, document_zstd = NULL WHERE model_id = $2 AND version = 1")
        .bind(&older)
        .bind(&model_id)
        .execute(pool)
        .await
        .expect("an uncompressed version");
    let version = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions/1"), None).await;
    assert_eq!(version["document"], json!(older));
    let done = reanalyze(&admin).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["result"]["failed"], json!([]), "the job read the uncompressed document: {done}");
    save(&admin, &model_id, &document, "second").await;
    let etag = etag_of(&admin, &model_id).await;
    let (status, _, rolled) = admin
        .send_with(
            "POST",
            &format!("/api/v1/models/{model_id}/rollback"),
            &[("if-match", &etag)],
            Some(json!({"version": 1})),
        )
        .await;
    assert_eq!(status, 200, "{rolled}");
    let head = rolled["model"]["head_version"].as_i64().expect("head version");
    let rolled_back = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions/{head}"), None).await;
    assert_eq!(rolled_back["document"], json!(older), "a rollback to it saves its text as a new version");
    let (text, compressed): (String, Option<Vec<u8>>) =
        sqlx::query_as("SELECT document, document_zstd FROM model_versions WHERE model_id = $1 AND version = $2")
            .bind(&model_id)
            .bind(head)
            .fetch_one(pool)
            .await
            .expect("the rolled-back version");
    assert_eq!((text.as_str(), compressed.is_some()), ("", true), "which is stored compressed");
}

/// Line and column (from 1) of the first occurrence of `needle` in `text`.
fn line_and_column(text: &str, needle: &str) -> (u64, u64) {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` is in the document"));
    let line_start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
    (text[..at].matches('\n').count() as u64 + 1, text[line_start..at].chars().count() as u64 + 1)
}

/// A model sent as JSON is kept pretty-printed, one member per line in the
/// order sent, and every position the server reports (threat locations in
/// SARIF, errors) names a line and column of that stored text.
async fn json_models(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &fixture("small.yaml")).await;
    let version = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions/1"), None).await;
    let mut model = version["model"].clone();
    model["description"] = json!("Small shop, sent as JSON");
    let before = admin.ok("GET", &format!("/api/v1/models/{model_id}"), None).await;
    let etag = etag_of(&admin, &model_id).await;
    let (status, _, saved) = admin
        .send_with(
            "PUT",
            &format!("/api/v1/models/{model_id}"),
            &[("if-match", &etag)],
            Some(json!({"model": model, "message": "as JSON"})),
        )
        .await;
    assert_eq!(status, 200, "{saved}");
    // The reply's model, built from what the save wrote, is the model as read back.
    let read_back = admin.ok("GET", &format!("/api/v1/models/{model_id}"), None).await;
    assert_eq!(saved["model"], read_back);
    assert_eq!(read_back["head"]["author"], "alice");
    assert_eq!(read_back["created_at"], before["created_at"], "a model's creation time is not its last save's");
    assert_ne!(read_back["head"]["created_at"], before["head"]["created_at"]);
    let stored = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions/2"), None).await;
    let document = stored["document"].as_str().expect("the stored document").to_string();
    assert_eq!(document, serde_json::to_string_pretty(&model).expect("prints"));

    let (status, _, sarif) = admin.download(&format!("/api/v1/models/{model_id}/reports/sarif")).await;
    assert_eq!(status, 200);
    let sarif: Value = serde_json::from_slice(&sarif).expect("SARIF parses");
    let mut checked = 0;
    for result in sarif["runs"][0]["results"].as_array().expect("results") {
        let location = &result["locations"][0];
        if location["logicalLocations"][0]["kind"] != "element" {
            continue;
        }
        let target = location["logicalLocations"][0]["name"].as_str().expect("a target");
        let (line, column) = line_and_column(&document, &format!("\"id\": \"{target}\""));
        let region = &location["physicalLocation"]["region"];
        assert_eq!((region["startLine"].as_u64(), region["startColumn"].as_u64()), (Some(line), Some(column + 6)));
        checked += 1;
    }
    assert!(checked >= 3, "{checked} element threats located");

    // An error names the line and column of the stored layout: for a JSON
    // model, those of the element's id.
    model["components"][0]["kind"] = json!("teleporter");
    let first = model["components"][0]["id"].as_str().expect("an id").to_string();
    let (status, _, invalid) = admin
        .send_with(
            "PUT",
            &format!("/api/v1/models/{model_id}"),
            &[("if-match", &etag_of(&admin, &model_id).await)],
            Some(json!({"model": model})),
        )
        .await;
    assert_eq!(status, 422, "{invalid}");
    let layout = serde_json::to_string_pretty(&model).expect("prints");
    let (line, column) = line_and_column(&layout, &format!("\"id\": \"{first}\""));
    let message = invalid["error"]["message"].as_str().expect("a message");
    assert!(message.starts_with(&format!("model.json:{line}:{}: ", column + 6)), "{message}");
    assert!(message.contains("teleporter"), "{message}");
    assert_eq!(admin.ok("GET", &format!("/api/v1/models/{model_id}"), None).await["head_version"], 2, "nothing saved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_sent_as_json_is_stored_pretty_printed_and_positions_name_its_lines() {
    for backend in backends() {
        json_models(backend).await;
    }
}

/// `document` analysed as a save would, and the id of alice, its author.
async fn analysed_by_alice(server: &TestServer, document: &str) -> (rampart_server::store::versions::Analysed, String) {
    let state = server.state();
    let prepared = rampart_server::analysis::prepare(&state.kb, "small.yaml", document, None).expect("valid");
    let analysed = rampart_server::store::versions::analyse(state.kb.clone(), prepared).await.expect("analysed");
    let author: String = sqlx::query_scalar("SELECT id FROM users WHERE username = 'alice'")
        .fetch_one(&state.db.pool)
        .await
        .expect("alice");
    (analysed, author)
}

/// A save that reads the head's rows steers PostgreSQL's planner to the
/// indexes for the rest of its transaction, and only there.
async fn planner_settings(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let document = fixture("small.yaml");
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &document).await;
    let state = server.state();
    let (analysed, author) = analysed_by_alice(&server, &document).await;
    let seqscan = "SELECT current_setting('enable_seqscan')";
    let mut tx = state.db.write().await.expect("a write transaction");
    let saved = rampart_server::store::versions::store(&mut tx, &model_id, 1, &author, "test", &analysed, None, None)
        .await
        .expect("stored");
    assert_eq!(saved.version, 2);
    if backend == Backend::Postgres {
        let inside: String = sqlx::query_scalar(seqscan).fetch_one(&mut *tx).await.expect("setting");
        assert_eq!(inside, "off", "after the bump, in the transaction");
    }
    tx.rollback().await.expect("rolled back");
    if backend == Backend::Postgres {
        let outside: String = sqlx::query_scalar(seqscan).fetch_one(&state.db.pool).await.expect("setting");
        assert_eq!(outside, "on", "not beyond it");
    }
    let model = admin.ok("GET", &format!("/api/v1/models/{model_id}"), None).await;
    assert_eq!(model["head_version"], 1, "the rolled-back save left nothing");
}

/// A save whose head moved after it was read writes nothing and answers
/// 409, in the one statement PostgreSQL saves in as in SQLite's steps.
async fn stale_store(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let document = fixture("small.yaml");
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &document).await;
    save(&admin, &model_id, &renamed(&document, &[("db", "Order store")]), "v2").await;
    let state = server.state();
    let (analysed, author) = analysed_by_alice(&server, &renamed(&document, &[("web", "Storefront")])).await;
    let count = |sql: &'static str| {
        let model_id = model_id.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).bind(model_id).fetch_one(&state.db.pool).await.expect(sql) }
    };
    let rows = "SELECT COUNT(*) FROM threats WHERE model_id = $1";
    let closed = "SELECT COUNT(*) FROM threats WHERE model_id = $1 AND until_version IS NOT NULL";
    let (rows_before, closed_before) = (count(rows).await, count(closed).await);
    let record = rampart_server::audit::Entry {
        org_id: None,
        actor_id: None,
        actor: "test",
        remote_addr: "test",
        action: "model.save",
        target_kind: "model",
        target_id: &model_id,
        detail: json!({}),
    };
    let mut tx = state.db.write().await.expect("a write transaction");
    let stale =
        rampart_server::store::versions::store(&mut tx, &model_id, 1, &author, "stale", &analysed, None, Some(record))
            .await
            .err()
            .expect("a save based on version 1 fails");
    assert_eq!((stale.status.as_u16(), stale.code), (409, "conflict"), "{}", stale.message);
    assert!(stale.message.contains('2'), "names the head: {}", stale.message);
    tx.commit().await.expect("committed");
    assert_eq!(count(rows).await, rows_before, "no row written");
    assert_eq!(count(closed).await, closed_before, "no row closed");
    assert_eq!(count("SELECT COUNT(*) FROM model_versions WHERE model_id = $1").await, 2, "no version");
    assert_eq!(count("SELECT COUNT(*) FROM audit_log WHERE target_id = $1 AND actor = 'test'").await, 0, "no record");
    let model = admin.ok("GET", &format!("/api/v1/models/{model_id}"), None).await;
    assert_eq!(model["head_version"], 2, "{model}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_based_on_an_old_head_writes_nothing() {
    for backend in backends() {
        stale_store(backend).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_steers_the_planner_for_its_own_transaction_only() {
    for backend in backends() {
        planner_settings(backend).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_are_stored_compressed_and_older_versions_still_read() {
    for backend in backends() {
        stored_documents(backend).await;
    }
}

/// What the planner knows of the threats table: PostgreSQL's row count at
/// its last analysis (-1 before the first), or on SQLite whether any
/// statistics exist at all.
async fn threat_statistics(server: &TestServer, backend: Backend) -> f64 {
    let pool = &server.state().db.pool;
    match backend {
        Backend::Postgres => sqlx::query_scalar("SELECT reltuples::float8 FROM pg_class WHERE relname = 'threats'")
            .fetch_one(pool)
            .await
            .expect("reltuples"),
        Backend::Sqlite => {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
                .fetch_one(pool)
                .await
                .expect("sqlite_master") as f64
        }
    }
}

async fn threat_rows(server: &TestServer) -> f64 {
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM threats").fetch_one(&server.state().db.pool).await.expect("count");
    count as f64
}

async fn planner_statistics(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let never = match backend {
        Backend::Postgres => -1.0,
        Backend::Sqlite => 0.0,
    };
    assert_eq!(threat_statistics(&server, backend).await, never, "a new database has no statistics");
    // Fewer rows than autovacuum's base threshold (50): left to autovacuum.
    let (_, project_id, _) = project_with_model(&admin, "Retail", "Shop", &fixture("small.yaml")).await;
    let small_rows = threat_rows(&server).await;
    assert!(small_rows > 0.0 && small_rows < 50.0, "{small_rows} rows");
    assert_eq!(threat_statistics(&server, backend).await, never);
    // 71 threats: analysed before the response on PostgreSQL, never on SQLite.
    let models = format!("/api/v1/projects/{project_id}/models");
    let document = server::example("aws-microservices.yaml");
    admin.ok("POST", &models, Some(json!({"name": "Shop on AWS", "document": document}))).await;
    let all_rows = threat_rows(&server).await;
    assert!(all_rows - small_rows > 50.0, "{all_rows} rows");
    let analysed = match backend {
        Backend::Postgres => all_rows,
        Backend::Sqlite => 0.0,
    };
    assert_eq!(threat_statistics(&server, backend).await, analysed, "statistics after a large write");
    if backend == Backend::Postgres {
        // Only the columns that queries filter or look up by are analysed,
        // which keeps each analysis of a long history short.
        let analysed_columns: Vec<String> =
            sqlx::query_scalar("SELECT attname::text FROM pg_stats WHERE tablename = 'threats' ORDER BY attname")
                .fetch_all(&server.state().db.pool)
                .await
                .expect("pg_stats");
        assert_eq!(
            analysed_columns,
            ["model_id", "rule", "severity_rank", "since_version", "target", "threat_id", "title", "until_version"],
            "no statistics of the details, fingerprints or scores"
        );
    }
    // A small write past them waits for autovacuum.
    admin.ok("POST", &models, Some(json!({"name": "Second shop", "document": fixture("small.yaml")}))).await;
    assert!(threat_rows(&server).await > all_rows);
    assert_eq!(threat_statistics(&server, backend).await, analysed, "unchanged by a small write");
    // Small writes that together pass the threshold (50 rows plus a tenth
    // of the table) are analysed in the background, after their responses.
    let mut written = threat_rows(&server).await - all_rows;
    for shop in 3.. {
        if written > 50.0 + 0.1 * all_rows {
            break;
        }
        let name = format!("Shop {shop}");
        admin.ok("POST", &models, Some(json!({"name": name, "document": fixture("small.yaml")}))).await;
        written = threat_rows(&server).await - all_rows;
    }
    let rows = threat_rows(&server).await;
    let expected = match backend {
        Backend::Postgres => rows,
        Backend::Sqlite => 0.0,
    };
    let mut statistics = threat_statistics(&server, backend).await;
    for _ in 0..100 {
        if statistics == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        statistics = threat_statistics(&server, backend).await;
    }
    assert_eq!(statistics, expected, "statistics after small writes past the threshold ({written} rows)");
}

/// On PostgreSQL a write past autovacuum's threshold analyses the threats
/// table at once, so the lists of a new database are planned on facts; small
/// writes that add up to as much analyse it in the background.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_write_refreshes_the_planners_statistics_on_postgres() {
    for backend in backends() {
        planner_statistics(backend).await;
    }
}

async fn model_lists(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let small = fixture("small.yaml");
    let (_, project_id, first_id) = project_with_model(&admin, "Retail", "Shop", &small).await;
    let models = format!("/api/v1/projects/{project_id}/models");
    let (component, controls) = countermeasures_of_riskiest(&admin, &first_id).await;
    for (name, document) in
        [("Billing", with_controls(&small, &component, &controls)), ("Catalogue", with_database_flow(&small))]
    {
        admin.ok("POST", &models, Some(json!({"name": name, "document": document}))).await;
    }
    // `model` (from project_with_model) was saved first; save it again so it is the most recently updated.
    save(&admin, &first_id, &small.replacen("Small shop", "Small shop ", 1), "touch").await;

    let names = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap().to_string()).collect()
    };
    let by_name = admin.ok("GET", &models, None).await;
    assert_eq!(names(&by_name), ["Billing", "Catalogue", "model"], "{by_name}");
    assert_eq!(by_name["total"], 3);
    let recent = admin.ok("GET", &format!("{models}?sort=-updated"), None).await;
    assert_eq!(names(&recent)[0], "model", "{recent}");
    let risky = admin.ok("GET", &format!("{models}?sort=-risk"), None).await;
    let risks: Vec<f64> =
        risky["items"].as_array().unwrap().iter().map(|m| m["head"]["risk_score"].as_f64().unwrap()).collect();
    assert!(risks.windows(2).all(|w| w[0] >= w[1]), "riskiest first: {risks:?}");
    assert_eq!(names(&risky)[2], "Billing", "the model with controls is the least risky: {risky}");
    // Names sort as people read them, on both databases: case does not split the list.
    for unit in ["beta", "Alpha", "zulu", "Delta"] {
        admin.ok("POST", "/api/v1/business-units", Some(json!({"name": unit}))).await;
    }
    let units = admin.ok("GET", "/api/v1/business-units", None).await;
    assert_eq!(names(&units), ["Alpha", "beta", "Delta", "Retail", "zulu"], "{units}");
    let filtered = admin.ok("GET", &format!("{models}?q=CAT"), None).await;
    assert_eq!(names(&filtered), ["Catalogue"]);
    assert_eq!(filtered["total"], 1);
    let paged = admin.ok("GET", &format!("{models}?limit=1&offset=1"), None).await;
    assert_eq!(names(&paged), ["Catalogue"]);
    assert_eq!(
        (paged["total"].as_i64(), paged["limit"].as_i64(), paged["offset"].as_i64()),
        (Some(3), Some(1), Some(1))
    );
    for (query, field) in [("sort=size", "sort"), ("limit=0", "limit"), ("limit=501", "limit"), ("offset=-1", "offset")]
    {
        let (status, _, error) = admin.get(&format!("{models}?{query}")).await;
        assert_eq!(status, 400, "{query}: {error}");
        assert_eq!(error["error"]["field"], field, "{query}: {error}");
    }
    let (status, _, error) = admin.get(&format!("{models}?limit=many")).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["error"]["code"], "invalid-query");
    assert!(error["error"]["message"].as_str().unwrap().contains("limit"), "{error}");
    let (status, _, duplicate) = admin.send("POST", &models, Some(json!({"name": "Billing", "document": small}))).await;
    assert_eq!(status, 409, "{duplicate}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_are_sorted_filtered_and_paged() {
    for backend in backends() {
        model_lists(backend).await;
    }
}

async fn imports(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let (_, project_id, _) = project_with_model(&admin, "Travel", "Bookings", &fixture("small.yaml")).await;
    let imports = format!("/api/v1/projects/{project_id}/imports");

    let (status, headers, threagile) =
        admin.upload(&format!("{imports}?format=auto&file_name=x.yaml"), fixture("threagile.yaml").into_bytes()).await;
    assert_eq!(status, 201, "{threagile}");
    assert!(headers.get("location").is_some());
    assert_eq!(threagile["model"]["name"], "Booking Service", "named after the file's title: {threagile}");
    let model_id = threagile["model"]["id"].as_str().unwrap();
    let version = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions/1"), None).await;
    assert_eq!(version["source_format"], "threagile", "{version}");
    let components: Vec<&str> =
        version["model"]["components"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    for asset in ["booking-web", "booking-api", "booking-db"] {
        assert!(components.contains(&asset), "{asset} is a component: {components:?}");
    }
    assert_eq!(version["model"]["flows"].as_array().map(Vec::len), Some(2), "{version}");
    assert!(version["document"].as_str().unwrap().starts_with("rampart: 1"), "stored as a native document");

    let (status, _, terraform) = admin
        .upload(&format!("{imports}?format=auto&file_name=main.tf&name=Infra"), fixture("bucket.tf").into_bytes())
        .await;
    assert_eq!(status, 201, "{terraform}");
    assert_eq!(terraform["model"]["name"], "Infra");
    let tf_id = terraform["model"]["id"].as_str().unwrap();
    let tf_version = admin.ok("GET", &format!("/api/v1/models/{tf_id}/versions/1"), None).await;
    assert_eq!(tf_version["source_format"], "terraform");
    assert!(tf_version["components"].as_i64().unwrap() >= 2, "a bucket and an instance: {tf_version}");

    // A live account: an AWS Config snapshot, told by its content or named.
    let snapshot = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/iac/aws-config/snapshot.json"))
        .expect("the example snapshot");
    for query in ["format=auto&file_name=snapshot.json", "format=aws-config&file_name=config.json&name=Live"] {
        let (status, _, live) = admin.upload(&format!("{imports}?{query}"), snapshot.clone()).await;
        assert_eq!(status, 201, "{query}: {live}");
        let live_id = live["model"]["id"].as_str().unwrap();
        let live_version = admin.ok("GET", &format!("/api/v1/models/{live_id}/versions/1"), None).await;
        assert_eq!(live_version["source_format"], "aws-config", "{query}: {live_version}");
        assert!(live_version["components"].as_i64().unwrap() >= 3, "{query}: {live_version}");
    }
    // An AWS CLI inventory is a directory of files, which one upload cannot carry.
    let (status, _, inventory) =
        admin.upload(&format!("{imports}?format=aws-inventory&file_name=ec2.json"), b"{}".to_vec()).await;
    assert_eq!(status, 422, "{inventory}");
    let message = inventory["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("directory") && message.contains("aws-config"), "says what to do instead: {message}");

    let (status, _, unknown) =
        admin.upload(&format!("{imports}?format=auto&file_name=notes.txt"), fixture("unknown.txt").into_bytes()).await;
    assert_eq!(status, 422, "{unknown}");
    assert_eq!(unknown["error"]["code"], "unknown-format");

    let (status, _, invalid) =
        admin.upload(&format!("{imports}?file_name=broken.yaml"), fixture("bad-kind.yaml").into_bytes()).await;
    assert_eq!(status, 422, "{invalid}");
    assert_eq!(invalid["error"]["code"], "invalid-model");
    let message = invalid["error"]["message"].as_str().unwrap();
    assert!(message.contains(":6:"), "the message names line 6 (`kind: teleporter`): {message}");
    assert!(message.contains("teleporter"), "{message}");
    assert_eq!(invalid["error"]["field"].as_str().map(|f| f.starts_with("6:")), Some(true), "{invalid}");

    let (status, _, bad_format) =
        admin.upload(&format!("{imports}?format=visio&file_name=x.vsdx"), b"not a model".to_vec()).await;
    assert_eq!(status, 400, "{bad_format}");
    assert_eq!(bad_format["error"]["field"], "format");

    // The same native model through the JSON API: an unknown kind is a 422 with line:column too.
    let (status, _, invalid_json_api) = admin
        .send(
            "POST",
            &format!("/api/v1/projects/{project_id}/models"),
            Some(json!({"name": "Broken", "document": fixture("bad-kind.yaml")})),
        )
        .await;
    assert_eq!(status, 422, "{invalid_json_api}");
    assert!(invalid_json_api["error"]["message"].as_str().unwrap().contains("model.yaml:6:"), "{invalid_json_api}");
}

/// The files under `dir`, paths relative to it, sorted.
fn files_under(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).expect("a directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                found.push((relative, std::fs::read(&path).expect("a file")));
            }
        }
    }
    found.sort();
    found
}

/// A zip of `files`, each under `prefix`.
fn zip_of(files: &[(String, Vec<u8>)], prefix: &str) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in files {
        writer.start_file(format!("{prefix}{name}"), zip::write::SimpleFileOptions::default()).expect("an entry");
        writer.write_all(content).expect("its content");
    }
    writer.finish().expect("the zip").into_inner()
}

/// A gzip-compressed tar of `files`.
fn tar_gz_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default()));
    for (name, content) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(content.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder.append_data(&mut header, name, content.as_slice()).expect("an entry");
    }
    builder.into_inner().expect("the tar").finish().expect("the gzip")
}

/// Directories uploaded as archives, read as `rampart import DIR` reads them.
async fn archives(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let (_, project_id, _) = project_with_model(&admin, "Cloud", "Accounts", &fixture("small.yaml")).await;
    let imports = format!("/api/v1/projects/{project_id}/imports");
    let example =
        |dir: &str| files_under(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/iac").join(dir));
    let source_format = |created: &Value| {
        let id = created["model"]["id"].as_str().expect("a model").to_string();
        let admin = admin.clone();
        async move { admin.ok("GET", &format!("/api/v1/models/{id}/versions/1"), None).await }
    };

    // An AWS CLI inventory, which one file could not carry, under a top folder as `zip -r` makes it.
    let inventory = zip_of(&example("aws-inventory"), "aws-inventory/");
    let (status, _, created) = admin.upload(&format!("{imports}?file_name=tidepool.zip"), inventory).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["model"]["name"], "tidepool", "named after the archive: {created}");
    let version = source_format(&created).await;
    assert_eq!(version["source_format"], "aws-inventory", "{version}");
    assert!(version["components"].as_i64().unwrap() >= 3, "{version}");

    // A folder of Kubernetes manifests as a tar.gz, the format named.
    let manifests = tar_gz_of(&example("kubernetes"));
    let (status, _, created) =
        admin.upload(&format!("{imports}?file_name=k8s.tar.gz&format=kubernetes&name=Cluster"), manifests).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["model"]["name"], "Cluster");
    let version = source_format(&created).await;
    assert_eq!(version["source_format"], "kubernetes", "{version}");
    assert!(version["components"].as_i64().unwrap() >= 3, "{version}");

    // A Terraform root module, its .tf files at the top.
    let module = zip_of(&example("terraform/aws-shop"), "");
    let (status, _, created) = admin.upload(&format!("{imports}?file_name=shop.zip"), module).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(source_format(&created).await["source_format"], "terraform");

    let before = admin.ok("GET", &format!("/api/v1/projects/{project_id}/models"), None).await["total"].clone();
    let escaping = zip_of(&[("../../outside.tf".to_string(), b"resource \"x\" \"y\" {}".to_vec())], "");
    let (status, _, body) = admin.upload(&format!("{imports}?file_name=evil.zip"), escaping).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (422, Some("invalid-archive")), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("../../outside.tf"), "names the entry: {body}");
    let notes = zip_of(&[("README.md".to_string(), b"# notes".to_vec()), ("a.yaml".to_string(), b"x: 1".to_vec())], "");
    let (status, _, body) = admin.upload(&format!("{imports}?file_name=notes.zip"), notes).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (422, Some("unknown-format")), "{body}");
    let (status, _, body) =
        admin.upload(&format!("{imports}?file_name=x.zip&format=threagile"), zip_of(&example("kubernetes"), "")).await;
    assert_eq!((status.as_u16(), body["error"]["field"].as_str()), (400, Some("format")), "{body}");
    let (status, _, body) =
        admin.upload(&format!("{imports}?file_name=cut.zip"), b"PK\x03\x04 cut short".to_vec()).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (422, Some("invalid-archive")), "{body}");
    let after = admin.ok("GET", &format!("/api/v1/projects/{project_id}/models"), None).await["total"].clone();
    assert_eq!(after, before, "no refused archive made a model");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directories_are_imported_from_archives() {
    for backend in backends() {
        archives(backend).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_in_other_formats_are_imported() {
    for backend in backends() {
        imports(backend).await;
    }
}

/// Content types of the report formats (pdf is checked apart: it needs the `pdf` feature).
const REPORTS: [(&str, &str); 14] = [
    ("json", "application/json"),
    ("sarif", "application/sarif+json"),
    ("markdown", "text/markdown"),
    ("html", "text/html"),
    ("csv", "text/csv"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("defectdojo", "application/json"),
    ("gitlab-sast", "application/json"),
    ("otm", "application/json"),
    ("cyclonedx", "application/vnd.cyclonedx+json"),
    ("svg", "image/svg+xml"),
    ("dot", "text/vnd.graphviz"),
    ("mermaid", "text/plain"),
    ("yaml", "application/yaml"),
];

async fn reports(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let document = fixture("small.yaml");
    let (_, _, model_id) = project_with_model(&admin, "Retail", "Shop", &document).await;

    // A decision made over the API: the report must show it.
    let threats = admin.ok("GET", &format!("/api/v1/models/{model_id}/threats?status=open&limit=1"), None).await;
    let threat_id = threats["items"][0]["id"].as_str().expect("an open threat").to_string();
    let (status, _, decided) = admin
        .send_with(
            "PATCH",
            &format!("/api/v1/models/{model_id}/threats/{threat_id}"),
            &[("if-match", "*")],
            Some(json!({"status": "accepted", "justification": "Behind the VPN only"})),
        )
        .await;
    assert_eq!(status, 200, "{decided}");

    for (format, content_type) in REPORTS {
        let (status, headers, body) = admin.download(&format!("/api/v1/models/{model_id}/reports/{format}")).await;
        assert_eq!(status, 200, "{format}: {}", String::from_utf8_lossy(&body));
        let got = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(got.starts_with(content_type), "{format}: content type {got}");
        assert!(body.len() > 200, "{format}: a real report, not {} bytes", body.len());
        let disposition = headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(disposition.contains("model-v1"), "{format}: {disposition}");
        match format {
            "json" => {
                let report: Value = serde_json::from_slice(&body).expect("json report parses");
                let threats = report["threats"].as_array().expect("threats in the json report");
                let ours = threats.iter().find(|t| t["id"] == threat_id.as_str()).expect("the decided threat");
                assert_eq!(ours["status"], "accepted", "{ours}");
            }
            "sarif" => {
                let sarif: Value = serde_json::from_slice(&body).expect("sarif parses");
                assert_eq!(sarif["version"], "2.1.0");
            }
            "html" => assert!(String::from_utf8_lossy(&body).contains("Small shop"), "html names the model"),
            "yaml" => assert_eq!(body, document.as_bytes()),
            "xlsx" => assert_eq!(&body[..2], b"PK", "an xlsx is a zip"),
            "svg" => assert!(String::from_utf8_lossy(&body).contains("<svg")),
            "dot" => assert!(String::from_utf8_lossy(&body).contains("\ndigraph \"Small shop\" {"), "Graphviz"),
            "mermaid" => assert!(String::from_utf8_lossy(&body).contains("\nflowchart LR\n"), "Mermaid"),
            _ => {}
        }
    }
    let (status, headers, body) = admin.download(&format!("/api/v1/models/{model_id}/reports/pdf")).await;
    let got = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if cfg!(feature = "pdf") {
        assert_eq!(status, 200);
        assert_eq!(got, "application/pdf");
        assert_eq!(&body[..4], b"%PDF");
    } else {
        assert_eq!(status, 501, "without the pdf feature the server says so");
    }
    let (status, _, countermeasures) =
        admin.download(&format!("/api/v1/models/{model_id}/reports/csv?table=countermeasures")).await;
    assert_eq!(status, 200);
    assert_ne!(countermeasures, admin.download(&format!("/api/v1/models/{model_id}/reports/csv")).await.2);

    let (status, _, unknown) = admin.get(&format!("/api/v1/models/{model_id}/reports/docx")).await;
    assert_eq!(status, 400, "{unknown}");
    assert_eq!(unknown["error"]["field"], "format");
    let (status, _, table) = admin.get(&format!("/api/v1/models/{model_id}/reports/csv?table=risks")).await;
    assert_eq!(status, 400, "{table}");
    assert_eq!(table["error"]["field"], "table");
    let (status, _, version) = admin.get(&format!("/api/v1/models/{model_id}/reports/json?version=7")).await;
    assert_eq!(status, 404, "{version}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_downloads() {
    for backend in backends() {
        reports(backend).await;
    }
}

/// Every `$ref` in `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", Value::String(reference)) => found.push(reference.clone()),
                    _ => references(item, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_describes_every_endpoint() {
    let server = TestServer::start(Backend::Sqlite).await;
    let anonymous = Client::anonymous(&server.base);
    let (status, headers, document) = anonymous.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(
        headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().starts_with("application/json")
    );
    assert_eq!(document["openapi"], "3.1.0");
    let endpoints = rampart_server::api::endpoints();
    assert!(endpoints.len() > 40, "{} endpoints", endpoints.len());
    let mut operation_ids = std::collections::HashSet::new();
    for endpoint in &endpoints {
        let method = endpoint.method.as_str().to_lowercase();
        let operation = &document["paths"][endpoint.path][&method];
        assert_eq!(operation["operationId"], endpoint.operation_id, "{method} {} in the document", endpoint.path);
        assert!(operation_ids.insert(endpoint.operation_id), "operationId {} is unique", endpoint.operation_id);
        assert!(operation["responses"][endpoint.status.to_string()].is_object(), "{}", endpoint.operation_id);
        let names: Vec<&str> =
            endpoint.path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
        for name in names {
            let parameters = operation["parameters"].as_array().expect("parameters");
            assert!(
                parameters.iter().any(|p| p["name"] == name && p["in"] == "path"),
                "{}: path parameter {name}",
                endpoint.operation_id
            );
        }
    }
    let open: Vec<&str> = endpoints.iter().filter(|e| e.ignores_unknown_fields).map(|e| e.operation_id).collect();
    assert_eq!(open, ["oidcLogin", "oidcCallback"], "only these take fields they do not know");
    let described: usize = document["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(described, endpoints.len(), "the document has no operation the table lacks");
    let mut refs = Vec::new();
    references(&document, &mut refs);
    assert!(!refs.is_empty());
    for reference in refs {
        let name = reference.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{reference}"));
        assert!(document["components"]["schemas"][name].is_object(), "{reference} resolves");
    }

    let (status, headers, page) = anonymous.get("/api/docs").await;
    assert_eq!(status, 200);
    assert!(headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().starts_with("text/html"));
    let page = page.as_str().expect("html");
    for endpoint in &endpoints {
        assert!(
            page.contains(&format!("id=\"{}\"", endpoint.operation_id)),
            "the page lists {}",
            endpoint.operation_id
        );
    }
}

/// The projects list: only what the caller may see, paged after that
/// filtering, with `business_unit` and `q`, and each entry's counts.
async fn projects_list(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let unit = |name: &'static str| {
        let admin = admin.clone();
        async move { admin.ok("POST", "/api/v1/business-units", Some(json!({"name": name}))).await["id"].clone() }
    };
    let (retail, logistics) = (unit("Retail").await, unit("Logistics").await);
    let mut ids = std::collections::HashMap::new();
    for (name, unit) in
        [("alpha", &retail), ("Bravo", &logistics), ("charlie", &retail), ("Delta", &retail), ("echo", &logistics)]
    {
        let project = admin.ok("POST", "/api/v1/projects", Some(json!({"name": name, "business_unit_id": unit}))).await;
        ids.insert(name, project["id"].as_str().unwrap().to_string());
    }
    let model = |project: &str| format!("/api/v1/projects/{project}/models");
    admin.ok("POST", &model(&ids["charlie"]), Some(json!({"name": "shop", "document": fixture("small.yaml")}))).await;
    let dora_id = server.create_user("Acme", "dora", false).await;
    for name in ["Bravo", "charlie", "echo"] {
        let path = format!("/api/v1/projects/{}/members/{dora_id}", ids[name]);
        admin.ok("PUT", &path, Some(json!({"role": "viewer"}))).await;
    }
    let dora = server.login("dora").await;
    let names = |page: &Value| -> Vec<String> {
        page["items"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect()
    };

    let all = admin.ok("GET", "/api/v1/projects", None).await;
    assert_eq!(names(&all), ["alpha", "Bravo", "charlie", "Delta", "echo"], "by name, whatever the case");
    let seen = dora.ok("GET", "/api/v1/projects?limit=2", None).await;
    assert_eq!((names(&seen), seen["total"].as_i64()), (vec!["Bravo".to_string(), "charlie".to_string()], Some(3)));
    let next = dora.ok("GET", "/api/v1/projects?limit=2&offset=2", None).await;
    assert_eq!((names(&next), next["total"].as_i64()), (vec!["echo".to_string()], Some(3)), "{next}");
    let past = dora.ok("GET", "/api/v1/projects?offset=3", None).await;
    assert_eq!((names(&past).len(), past["total"].as_i64()), (0, Some(3)));
    let in_retail = dora.ok("GET", &format!("/api/v1/projects?business_unit={}", retail.as_str().unwrap()), None).await;
    assert_eq!(names(&in_retail), ["charlie"]);
    let matching = admin.ok("GET", "/api/v1/projects?q=ELT", None).await;
    assert_eq!(names(&matching), ["Delta"]);
    let charlie = &seen["items"][1];
    assert_eq!(charlie["models"], 1, "{charlie}");
    assert_eq!(charlie["role"], "viewer", "{charlie}");
    let unresolved = &charlie["unresolved"];
    let counted: i64 = ["critical", "high", "medium", "low"].iter().map(|s| unresolved[s].as_i64().unwrap()).sum();
    assert!(counted > 0, "the model's unresolved threats are counted: {charlie}");
    assert_eq!(seen["items"][0]["models"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projects_are_listed_by_what_the_caller_sees_and_paged() {
    for backend in backends() {
        projects_list(backend).await;
    }
}

/// Business units, projects and accounts carry an ETag: a change sent with
/// a stale one is refused (409) and changes nothing; without one, the last
/// writer wins, as before.
async fn guarded_edits(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let (unit_id, project_id, _) = project_with_model(&admin, "Retail", "Shop", &fixture("small.yaml")).await;
    let bob_id = server.create_user("Acme", "bob", false).await;
    for path in [
        format!("/api/v1/business-units/{unit_id}"),
        format!("/api/v1/projects/{project_id}"),
        format!("/api/v1/users/{bob_id}"),
    ] {
        let is_user = path.contains("/users/");
        let read = if is_user {
            let users = admin.ok("GET", "/api/v1/users", None).await;
            users["items"].as_array().unwrap().iter().find(|u| u["id"] == bob_id.as_str()).cloned().unwrap()
        } else {
            let (status, headers, body) = admin.get(&path).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(headers["etag"].to_str().unwrap(), body["etag"].as_str().unwrap(), "{path}");
            body
        };
        let first = read["etag"].as_str().unwrap().to_string();
        let change = |text: &str| {
            if is_user { json!({"display_name": text}) } else { json!({"description": text}) }
        };
        let field = if is_user { "display_name" } else { "description" };

        let (status, headers, body) =
            admin.send_with("PATCH", &path, &[("if-match", &first)], Some(change("one"))).await;
        assert_eq!(status, 200, "{path}: {body}");
        let second = headers["etag"].to_str().unwrap().to_string();
        assert_ne!(second, first, "{path}: a change gives another ETag");
        assert_eq!(body["etag"], second.as_str());
        let (status, _, body) = admin.send_with("PATCH", &path, &[("if-match", &first)], Some(change("two"))).await;
        assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (409, Some("conflict")), "{path}: {body}");
        let (status, _, body) = admin.send_with("PATCH", &path, &[("if-match", &second)], Some(change("three"))).await;
        assert_eq!((status.as_u16(), body[field].as_str()), (200, Some("three")), "{path}: {body}");
        let (status, _, body) = admin.send("PATCH", &path, Some(change("four"))).await;
        assert_eq!((status.as_u16(), body[field].as_str()), (200, Some("four")), "{path}: without If-Match: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn units_projects_and_accounts_refuse_stale_changes() {
    for backend in backends() {
        guarded_edits(backend).await;
    }
}
