//! For administrators, on each database: the audit log, jobs taken by any
//! replica of a shared database (and sessions valid on every replica), and
//! backup and restore across database kinds.

#[path = "support/server.rs"]
mod server;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use server::{Backend, Client, TestServer, backends, fixture, fresh_database, project_with_model};

/// Saves `document` as the model's next version.
async fn save(client: &Client, model_id: &str, document: &str) {
    let model = client.ok("GET", &format!("/api/v1/models/{model_id}"), None).await;
    let (status, _, body) = client
        .send_with(
            "PUT",
            &format!("/api/v1/models/{model_id}"),
            &[("if-match", model["etag"].as_str().unwrap())],
            Some(json!({"document": document, "message": "second"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// Accepts the model's riskiest open threat and comments on it; returns its id.
async fn decide_and_comment(client: &Client, model_id: &str) -> String {
    let open = client.ok("GET", &format!("/api/v1/models/{model_id}/threats?status=open&limit=1"), None).await;
    let threat_id = open["items"][0]["id"].as_str().expect("an open threat").to_string();
    let path = format!("/api/v1/models/{model_id}/threats/{threat_id}");
    let (status, _, body) = client
        .send_with(
            "PATCH",
            &path,
            &[("if-match", "*")],
            Some(json!({"status": "accepted", "justification": "Internal only", "owner": "ops"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = client.send("POST", &format!("{path}/comments"), Some(json!({"body": "Reviewed"}))).await;
    assert_eq!(status, 201, "{body}");
    threat_id
}

/// An API time (RFC 3339), as a number that orders correctly.
fn millis(timestamp: &Value) -> i128 {
    let text = timestamp.as_str().expect("a time");
    let time = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).expect("RFC 3339");
    time.unix_timestamp_nanos() / 1_000_000
}

/// Signs in Acme's administrator alice on `server` and gives her a model of
/// two versions: (alice, project id, model id).
async fn shop_of_two_versions(server: &TestServer) -> (Client, String, String) {
    let admin = server.organisation_admin("Acme", "alice").await;
    let document = fixture("small.yaml");
    let (_, project_id, model_id) = project_with_model(&admin, "Retail", "Shop", &document).await;
    save(&admin, &model_id, &document.replace("name: Small shop", "name: Small shop 2")).await;
    (admin, project_id, model_id)
}

async fn audit(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (admin, project_id, model_id) = shop_of_two_versions(&server).await;
    let threat_id = decide_and_comment(&admin, &model_id).await;

    let log = admin.ok("GET", "/api/v1/audit?limit=500", None).await;
    let items = log["items"].as_array().expect("items");
    assert_eq!(log["total"].as_i64(), Some(items.len() as i64));
    let times: Vec<i128> = items.iter().map(|e| millis(&e["at"])).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");
    let find = |action: &str| -> (usize, &Value) {
        items.iter().enumerate().find(|(_, e)| e["action"] == action).unwrap_or_else(|| panic!("{action} in {log}"))
    };
    let (_, created) = find("model.create");
    let (_, saved) = find("model.save");
    let (_, updated) = find("threat.update");
    let (_, commented) = find("threat.comment");
    let at = |entry: &Value| millis(&entry["at"]);
    assert!(at(created) <= at(saved) && at(saved) <= at(updated) && at(updated) <= at(commented), "{log}");
    for entry in [created, saved, updated, commented] {
        assert_eq!(entry["actor"], "alice", "{entry}");
        assert_eq!(entry["remote_addr"], "127.0.0.1", "{entry}");
        assert!(entry["actor_id"].is_string(), "{entry}");
    }
    assert_eq!((saved["target_kind"].as_str(), saved["target_id"].as_str()), (Some("model"), Some(model_id.as_str())));
    assert_eq!(saved["detail"]["version"], 2, "{saved}");
    assert_eq!(
        (updated["target_kind"].as_str(), updated["target_id"].as_str()),
        (Some("threat"), Some(threat_id.as_str()))
    );
    assert_eq!(updated["detail"]["status"], "accepted", "{updated}");
    assert_eq!(commented["target_id"], threat_id.as_str());

    let filtered = admin.ok("GET", "/api/v1/audit?action=threat.update", None).await;
    assert_eq!(filtered["total"], 1, "{filtered}");
    assert!(filtered["items"].as_array().unwrap().iter().all(|e| e["action"] == "threat.update"));
    let by_target = admin.ok("GET", &format!("/api/v1/audit?target={model_id}"), None).await;
    let actions: Vec<&str> =
        by_target["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["model.save", "model.create"], "{by_target}");
    let (status, _, bad) = admin.get("/api/v1/audit?limit=0").await;
    assert_eq!(status, 400, "{bad}");

    // A time range: `since` includes its moment, `until` does not; an entry's `at` can be given back.
    let save_at = by_target["items"][0]["at"].as_str().unwrap().to_string();
    let encode = |text: &str| text.replace(':', "%3A").replace('+', "%2B");
    let since = admin.ok("GET", &format!("/api/v1/audit?target={model_id}&since={}", encode(&save_at)), None).await;
    assert_eq!(since["items"][0]["action"], "model.save", "{since}");
    assert!(since["items"].as_array().unwrap().iter().all(|e| millis(&e["at"]) >= millis(&json!(save_at))), "{since}");
    let until = admin.ok("GET", &format!("/api/v1/audit?target={model_id}&until={}", encode(&save_at)), None).await;
    assert!(until["items"].as_array().unwrap().iter().all(|e| e["action"] != "model.save"), "{until}");
    assert_eq!(since["total"].as_i64().unwrap() + until["total"].as_i64().unwrap(), 2, "the two split the entries");
    let today = &save_at[..10];
    let by_day = admin.ok("GET", &format!("/api/v1/audit?since={today}&until=2999-01-01"), None).await;
    assert_eq!(by_day["total"], log["total"], "a date is the start of that day: {by_day}");
    let (status, _, bad) = admin.get("/api/v1/audit?since=yesterday").await;
    assert_eq!((status.as_u16(), bad["error"]["field"].as_str()), (400, Some("since")), "{bad}");

    let user_id = server.create_user("Acme", "dev", false).await;
    admin.ok("PUT", &format!("/api/v1/projects/{project_id}/members/{user_id}"), Some(json!({"role": "admin"}))).await;
    let project_admin = server.login("dev").await;
    let (status, _, refused) = project_admin.get("/api/v1/audit").await;
    assert_eq!(status, 403, "a project admin is not an organisation admin: {refused}");
    assert_eq!(refused["error"]["code"], "forbidden");

    // Another organisation's administrator sees none of it.
    let other = server.organisation_admin("Globex", "gina").await;
    let theirs = other.ok("GET", "/api/v1/audit", None).await;
    assert!(theirs["items"].as_array().unwrap().iter().all(|e| e["actor"] != "alice"), "{theirs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_lists_every_change() {
    for backend in backends() {
        audit(backend).await;
    }
}

async fn replicas(backend: Backend) {
    let first = TestServer::start(backend).await;
    let admin = first.organisation_admin("Acme", "alice").await;
    let document = fixture("small.yaml");
    let (_, project_id, _) = project_with_model(&admin, "Retail", "Shop", &document).await;
    admin
        .ok(
            "POST",
            &format!("/api/v1/projects/{project_id}/models"),
            Some(json!({"name": "Second", "document": server::example("ecommerce.yaml")})),
        )
        .await;
    let second =
        TestServer::start_on(backend, tempfile::tempdir().expect("directory"), first.database_url.clone(), |_| {})
            .await;
    // The session made on the first replica is valid on the second.
    let on_second = Client { base: second.base.clone(), ..admin.clone() };
    let me = on_second.ok("GET", &format!("/api/v1/projects/{project_id}/models"), None).await;
    assert_eq!(me["total"], 2, "{me}");

    let (status, _, job) = admin.send("POST", "/api/v1/jobs", Some(json!({"kind": "reanalyze"}))).await;
    assert_eq!(status, 202, "{job}");
    assert!(matches!(job["status"].as_str(), Some("queued" | "running" | "done")), "{job}");
    let job_id = job["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(30);
    let done = loop {
        let job = on_second.ok("GET", &format!("/api/v1/jobs/{job_id}"), None).await;
        if job["status"] == "done" || job["status"] == "failed" {
            break job;
        }
        assert!(Instant::now() < deadline, "the job did not finish in 30 s: {job}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["progress_total"], 2, "two models: {done}");
    assert_eq!(done["progress_done"], 2);
    assert_eq!(done["result"]["models"], 2, "{done}");
    let (new_versions, unchanged) = (done["result"]["new_versions"].as_i64(), done["result"]["unchanged"].as_i64());
    assert_eq!(new_versions.unwrap() + unchanged.unwrap(), 2, "{done}");
    assert_eq!(unchanged, Some(2), "the same library raises the same threats: {done}");
    assert!(done["worker"].is_string() && done["finished_at"].is_string(), "{done}");
    let jobs = on_second.ok("GET", "/api/v1/jobs", None).await;
    assert_eq!(jobs["items"][0]["id"], job_id.as_str());

    let (status, _, unknown) = on_second.send("POST", "/api/v1/jobs", Some(json!({"kind": "defragment"}))).await;
    assert_eq!(status, 400, "{unknown}");
    assert_eq!(unknown["error"]["field"], "kind");
    first.create_user("Acme", "dev", false).await;
    let developer = second.login("dev").await;
    let (status, _, refused) = developer.send("POST", "/api/v1/jobs", Some(json!({"kind": "reanalyze"}))).await;
    assert_eq!(status, 403, "{refused}");
    let (status, _, refused) = developer.get(&format!("/api/v1/jobs/{job_id}")).await;
    assert_eq!(status, 403, "{refused}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_queued_on_one_replica_is_seen_on_another() {
    for backend in backends() {
        replicas(backend).await;
    }
}

/// What a restored server must serve as the original did.
#[derive(Debug, PartialEq)]
struct Snapshot {
    models: Value,
    versions: Value,
    threat: Value,
    comments: Value,
    audit: Value,
}

async fn snapshot(client: &Client, project_id: &str, model_id: &str, threat_id: &str) -> Snapshot {
    let threat = client.ok("GET", &format!("/api/v1/models/{model_id}/threats/{threat_id}"), None).await;
    let comments = client.ok("GET", &format!("/api/v1/models/{model_id}/threats/{threat_id}/comments"), None).await;
    // Sign-ins are logged too, and the restored server is signed in again: compare the changes.
    let audit = client.ok("GET", "/api/v1/audit?limit=500", None).await;
    let changes: Vec<Value> =
        audit["items"].as_array().unwrap().iter().filter(|e| e["action"] != "auth.login").cloned().collect();
    Snapshot {
        models: client.ok("GET", &format!("/api/v1/projects/{project_id}/models"), None).await,
        versions: client.ok("GET", &format!("/api/v1/models/{model_id}/versions"), None).await,
        threat: threat["decision"].clone(),
        comments,
        audit: Value::Array(changes),
    }
}

async fn restored_server(backend: Backend, backup: &[u8]) -> TestServer {
    let dir = tempfile::tempdir().expect("directory");
    let url = fresh_database(backend, dir.path()).await;
    let db = rampart_server::db::Db::open(&url, 2).await.expect("a fresh database");
    let counts = rampart_server::backup::restore(&db, &mut std::io::Cursor::new(backup)).await.expect("restore");
    assert!(counts["model_versions"] >= 2, "{counts:?}");
    if backend == Backend::Postgres {
        // Analysed at once: the planner does not wait for autovacuum to learn the restored rows.
        let threats: f64 = sqlx::query_scalar("SELECT reltuples::float8 FROM pg_class WHERE relname = 'threats'")
            .fetch_one(&db.pool)
            .await
            .expect("reltuples");
        assert_eq!(threats, counts["threats"] as f64, "{counts:?}");
    }
    db.pool.close().await;
    TestServer::start_on(backend, dir, url, |_| {}).await
}

async fn backup_and_restore(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (admin, project_id, model_id) = shop_of_two_versions(&server).await;
    let threat_id = decide_and_comment(&admin, &model_id).await;
    let before = snapshot(&admin, &project_id, &model_id, &threat_id).await;
    assert_eq!(before.threat["status"], "accepted");
    assert!(before.audit.as_array().unwrap().len() >= 5, "{:?}", before.audit);

    let mut backup = Vec::new();
    let counts = rampart_server::backup::backup(&server.state().db, &mut backup).await.expect("backup");
    assert_eq!(counts["models"], 1);
    assert_eq!(counts["model_versions"], 2);
    assert_eq!(counts["threat_comments"], 1);

    let mut targets = vec![backend];
    targets.extend(backends().into_iter().filter(|other| *other != backend));
    for target in targets {
        let mut restored = restored_server(target, &backup).await;
        let alice = restored.login("alice").await;
        let after = snapshot(&alice, &project_id, &model_id, &threat_id).await;
        assert_eq!(after, before, "{backend:?} restored into {target:?} serves the same");
        let threats = alice.ok("GET", &format!("/api/v1/models/{model_id}/threats?limit=500&version=1"), None).await;
        let original = admin.ok("GET", &format!("/api/v1/models/{model_id}/threats?limit=500&version=1"), None).await;
        assert_eq!(threats, original, "the first version's threats are restored too");
        restored.stop().await;
    }

    let error = rampart_server::backup::restore(&server.state().db, &mut std::io::Cursor::new(&backup)).await;
    let message = error.expect_err("restoring into a database in use fails");
    assert!(message.contains("not empty"), "{message}");

    let text = String::from_utf8(backup.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let truncated = lines[..lines.len() / 2].join("\n");
    let dir = tempfile::tempdir().expect("directory");
    let url = fresh_database(backend, dir.path()).await;
    let db = rampart_server::db::Db::open(&url, 2).await.expect("a fresh database");
    let message = rampart_server::backup::restore(&db, &mut std::io::Cursor::new(truncated.as_bytes()))
        .await
        .expect_err("a truncated backup is refused");
    assert!(message.contains("truncated"), "{message}");
    for table in ["organisations", "users", "models", "model_versions", "threats"] {
        let rows: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&db.pool).await.expect("count");
        assert_eq!(rows, 0, "nothing of a truncated backup is restored ({table})");
    }
    let mut corrupt = lines.clone();
    corrupt[3] = "{\"table\": \"models\", \"row\": {\"id\": 5}}";
    let message = rampart_server::backup::restore(&db, &mut std::io::Cursor::new(corrupt.join("\n").as_bytes()))
        .await
        .expect_err("a corrupt line is refused");
    assert!(message.starts_with("line 4:"), "{message}");
    db.pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_restores_into_either_database() {
    for backend in backends() {
        backup_and_restore(backend).await;
    }
}

/// What a backup holds of `model_id`, checked to be one moment's state:
/// versions 1 to the head, no threat row from a later version, and one
/// audit record per save. Returns the head.
fn consistent_head(backup: &[u8], model_id: &str) -> i64 {
    let text = std::str::from_utf8(backup).expect("UTF-8");
    let rows: Vec<Value> = text.lines().map(|line| serde_json::from_str(line).expect("a JSON line")).collect();
    let of = |table: &str| -> Vec<&Value> {
        rows.iter().filter(|r| r["table"] == table && r["row"]["model_id"] == model_id).map(|r| &r["row"]).collect()
    };
    let model = rows.iter().find(|r| r["table"] == "models" && r["row"]["id"] == model_id).expect("the model");
    let head = model["row"]["head_version"].as_i64().expect("a head");
    let mut versions: Vec<i64> = of("model_versions").iter().map(|v| v["version"].as_i64().unwrap()).collect();
    versions.sort();
    assert_eq!(versions, (1..=head).collect::<Vec<_>>(), "the versions are those up to the head");
    let threats = of("threats");
    assert!(threats.iter().all(|t| t["since_version"].as_i64().unwrap() <= head), "no row of a later version");
    assert!(threats.iter().any(|t| t["until_version"].is_null()), "the head's threats are there");
    let saves = rows
        .iter()
        .filter(|r| {
            r["table"] == "audit_log" && r["row"]["action"] == "model.save" && r["row"]["target_id"] == model_id
        })
        .count() as i64;
    assert_eq!(saves, head - 1, "one audit record for each save after the first version");
    head
}

/// A backup taken while saves land is one moment's database, though it
/// reads its tables one after another, row by row.
async fn backup_under_writes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (admin, _, model_id) = shop_of_two_versions(&server).await;
    let saver = {
        let (admin, model_id, document) = (admin.clone(), model_id.clone(), fixture("small.yaml"));
        tokio::spawn(async move {
            for n in 0..40 {
                save(&admin, &model_id, &document.replace("name: Small shop", &format!("name: Small shop {n}"))).await;
            }
        })
    };
    let mut heads = std::collections::BTreeSet::new();
    while !saver.is_finished() {
        let mut backup = Vec::new();
        rampart_server::backup::backup(&server.state().db, &mut backup).await.expect("backup");
        heads.insert(consistent_head(&backup, &model_id));
    }
    saver.await.expect("the saves");
    assert!(heads.len() >= 3, "saves landed between the backups: {heads:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_saves_land_is_consistent() {
    for backend in backends() {
        backup_under_writes(backend).await;
    }
}

/// `backup` as a server before `threat_details` wrote it: each threat row
/// carries its detail, and the schema is the one before.
fn as_older_backup(backup: &[u8]) -> String {
    let text = String::from_utf8(backup.to_vec()).expect("UTF-8");
    let lines: Vec<Value> = text.lines().map(|line| serde_json::from_str(line).expect("JSON line")).collect();
    let details: std::collections::HashMap<(String, String), String> = lines
        .iter()
        .filter(|line| line["table"] == "threat_details")
        .map(|line| {
            let row = &line["row"];
            let key = (row["model_id"].as_str().unwrap().to_string(), row["fingerprint"].as_str().unwrap().to_string());
            (key, row["detail"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(!details.is_empty(), "the backup has threat details");
    let mut older = Vec::new();
    for mut line in lines {
        if line["table"] == "threat_details" {
            continue;
        }
        if line["table"] == "threats" {
            let row = &mut line["row"];
            let key = (row["model_id"].as_str().unwrap().to_string(), row["fingerprint"].as_str().unwrap().to_string());
            row["detail"] = json!(details[&key]);
        }
        if line.get("format").is_some() {
            line["schema_version"] = json!(20261126000001_i64);
        }
        if line["end"] == true {
            line["counts"].as_object_mut().unwrap().remove("threat_details");
        }
        older.push(line.to_string());
    }
    older.join("\n")
}

/// A backup made before details had a table of their own restores with
/// every threat's detail: the threat reads as it did.
async fn older_backup_restores(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (admin, _, model_id) = shop_of_two_versions(&server).await;
    let threats = admin.ok("GET", &format!("/api/v1/models/{model_id}/threats?limit=500"), None).await;
    let ids: Vec<String> =
        threats["items"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_string()).collect();
    let read_all = |client: Client| {
        let (ids, model_id) = (ids.clone(), model_id.clone());
        async move {
            let mut read = Vec::new();
            for id in ids {
                read.push(client.ok("GET", &format!("/api/v1/models/{model_id}/threats/{id}"), None).await);
            }
            read
        }
    };
    let before = read_all(admin.clone()).await;
    assert!(before.iter().all(|t| t["description"].as_str().is_some_and(|d| !d.is_empty())), "{before:?}");
    let mut backup = Vec::new();
    rampart_server::backup::backup(&server.state().db, &mut backup).await.expect("backup");
    let older = as_older_backup(&backup);
    let mut restored = restored_server(backend, older.as_bytes()).await;
    let alice = restored.login("alice").await;
    assert_eq!(read_all(alice).await, before, "every threat reads as before");
    restored.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_from_before_the_details_table_restores() {
    for backend in backends() {
        older_backup_restores(backend).await;
    }
}

/// Upgrading a database written before `threat_details` moves each threat
/// row's detail there, once per model and fingerprint, and loses none.
async fn details_move_on_upgrade(backend: Backend) {
    let dir = tempfile::tempdir().expect("directory");
    let url = fresh_database(backend, dir.path()).await;
    // The schema before: every migration but those from `threat_details` on.
    let older = tempfile::tempdir().expect("directory");
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(&migrations).expect("migrations") {
        let path = entry.expect("entry").path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < "20261127000001" {
            std::fs::copy(&path, older.path().join(&name)).expect("copy");
        }
    }
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.expect("connect");
    sqlx::migrate::Migrator::new(older.path()).await.expect("migrator").run(&pool).await.expect("older schema");
    for statement in [
        "INSERT INTO organisations (id, name, created_at) VALUES ('o', 'Acme', 0)",
        "INSERT INTO business_units (id, org_id, name, created_at) VALUES ('b', 'o', 'Retail', 0)",
        "INSERT INTO projects (id, org_id, business_unit_id, name, created_at) VALUES ('p', 'o', 'b', 'Shop', 0)",
        "INSERT INTO models (id, org_id, project_id, name, head_version, created_at, updated_at) \
         VALUES ('m', 'o', 'p', 'Model', 2, 0, 0)",
    ] {
        sqlx::query(statement).execute(&pool).await.expect(statement);
    }
    // One threat unchanged over two versions (two rows, one detail), one
    // changed (two details), one stored without a detail.
    let rows = [
        ("t1", 1, Some(2), "f1", "{\"threat\":{\"id\":\"t1\"}}"),
        ("t1", 3, None, "f1", "{\"threat\":{\"id\":\"t1\"}}"),
        ("t2", 1, Some(1), "f2", "{\"threat\":{\"id\":\"t2\",\"v\":1}}"),
        ("t2", 2, None, "f3", "{\"threat\":{\"id\":\"t2\",\"v\":2}}"),
        ("t3", 1, None, "f4", ""),
    ];
    for (threat, since, until, fingerprint, detail) in rows {
        sqlx::query(
            "INSERT INTO threats (model_id, threat_id, since_version, until_version, rule, title, target, \
             target_kind, severity, severity_rank, score, stride, analysis_status, fingerprint, detail) \
             VALUES ('m', $1, $2, $3, 'r', 'T', 'web', 'component', 'high', 3, 7.5, 'tampering', 'open', $4, $5)",
        )
        .bind(threat)
        .bind(since)
        .bind(until)
        .bind(fingerprint)
        .bind(detail)
        .execute(&pool)
        .await
        .expect("an older row");
    }
    pool.close().await;

    let db = rampart_server::db::Db::open(&url, 2).await.expect("upgraded");
    let details: Vec<(String, String)> =
        sqlx::query_as("SELECT fingerprint, detail FROM threat_details WHERE model_id = 'm' ORDER BY fingerprint")
            .fetch_all(&db.pool)
            .await
            .expect("details");
    let expected = [("f1", rows[0].4), ("f2", rows[2].4), ("f3", rows[3].4)];
    let expected: Vec<(String, String)> = expected.iter().map(|(f, d)| (f.to_string(), d.to_string())).collect();
    assert_eq!(details, expected, "{backend:?}: one detail per fingerprint, none for a row without");
    let kept: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM threats WHERE model_id = 'm'")
        .fetch_one(&db.pool)
        .await
        .expect("rows");
    assert_eq!(kept, 5, "every row stays");
    let column = sqlx::query("SELECT detail FROM threats").fetch_all(&db.pool).await;
    assert!(column.is_err(), "{backend:?}: the rows no longer carry a detail");
    db.pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upgrade_moves_details_into_their_table() {
    for backend in backends() {
        details_move_on_upgrade(backend).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_backup_covers_every_table_and_column() {
    let dir = tempfile::tempdir().expect("directory");
    let db = rampart_server::db::Db::open(&rampart_server::db::sqlite_url(dir.path()), 1).await.expect("database");
    let tables: Vec<String> = sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .fetch_all(&db.pool)
        .await
        .expect("tables");
    let backed_up = rampart_server::backup::backed_up_tables();
    let mut expected = 0;
    for table in tables.iter().filter(|t| *t != "_sqlx_migrations" && !t.starts_with("sqlite_")) {
        if rampart_server::backup::NOT_BACKED_UP.contains(&table.as_str()) {
            continue;
        }
        expected += 1;
        let (_, columns) = backed_up
            .iter()
            .find(|(name, _)| name == table)
            .unwrap_or_else(|| panic!("table `{table}` is neither backed up nor in NOT_BACKED_UP"));
        let rows = sqlx::query(&format!("PRAGMA table_info({table})")).fetch_all(&db.pool).await.expect("columns");
        let mut schema: Vec<String> =
            rows.iter().map(|row| sqlx::Row::try_get::<String, _>(row, "name").expect("column name")).collect();
        let mut listed: Vec<String> = columns.iter().map(|c| c.to_string()).collect();
        schema.sort();
        listed.sort();
        assert_eq!(listed, schema, "the backup's columns of `{table}`");
    }
    assert_eq!(backed_up.len(), expected, "the backup lists no table the schema lacks");
    for table in rampart_server::backup::NOT_BACKED_UP {
        assert!(tables.iter().any(|t| t == table), "NOT_BACKED_UP names a real table: {table}");
    }
    db.pool.close().await;
}

/// Takes every connection of the server's pool, as a database that is down
/// or overloaded would leave it: nothing else gets one until they are dropped.
async fn hold_every_connection(server: &TestServer) -> Vec<sqlx::pool::PoolConnection<sqlx::Any>> {
    let pool = &server.state().db.pool;
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.expect("a connection of the pool"));
    }
    held
}

async fn without_a_database(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    let health = |base: String| async move {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().expect("client");
        let reply = client.get(format!("{base}/healthz")).send().await.expect("/healthz answers within 10 s");
        (reply.status().as_u16(), reply.json::<Value>().await.expect("a JSON body"))
    };
    let (status, body) = health(server.base.clone()).await;
    assert_eq!(status, 200, "{body}");

    // A load balancer hears that this replica is not ready, in seconds
    // rather than when the pool gives up waiting (30 s).
    let held = hold_every_connection(&server).await;
    let (status, body) = health(server.base.clone()).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "not-ready", "{body}");
    assert!(body["error"]["message"].as_str().unwrap_or_default().contains("did not answer within"), "{body}");

    // Stopping does not wait for the job worker's turn for a connection:
    // by now it has been waiting for one.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let stopped = tokio::time::timeout(Duration::from_secs(10), server.stop()).await;
    assert!(stopped.is_ok(), "{backend:?}: the server did not stop within 10 s while the database gave no connection");
    drop(held);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_says_not_ready_and_the_server_stops_when_the_database_gives_no_connection() {
    for backend in backends() {
        without_a_database(backend).await;
    }
}

async fn handed_back(backend: Backend) {
    // No worker of its own: the test plays a replica's worker.
    let server = TestServer::start_with(backend, |config| config.run_jobs = false).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    project_with_model(&admin, "Retail", "Shop", &fixture("small.yaml")).await;
    let job = admin.ok("POST", "/api/v1/jobs", Some(json!({"kind": "reanalyze"}))).await;
    let job_path = format!("/api/v1/jobs/{}", job["id"].as_str().expect("job id"));
    let state = server.state();

    // The replica stops with the job in hand: the job is queued again,
    // for any replica, rather than left to its lease.
    let claimed = rampart_server::jobs::claim(state).await.expect("claim").expect("the queued job");
    assert_eq!(admin.ok("GET", &job_path, None).await["status"], "running");
    let (_stopped, stop) = tokio::sync::watch::channel(true);
    rampart_server::jobs::work(state, &claimed, &stop).await;
    let job = admin.ok("GET", &job_path, None).await;
    assert_eq!(job["status"], "queued", "{job}");
    assert!(job["worker"].is_null(), "{job}");

    // The next worker takes it at once and finishes it.
    let claimed = rampart_server::jobs::claim(state).await.expect("claim").expect("the job, queued again");
    let (_running, stop) = tokio::sync::watch::channel(false);
    rampart_server::jobs::work(state, &claimed, &stop).await;
    let job = admin.ok("GET", &job_path, None).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["result"]["models"], 1, "{job}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_stopped_with_its_server_is_queued_again() {
    for backend in backends() {
        handed_back(backend).await;
    }
}

/// A replica that dies with a job in hand (no hand-back, no heartbeat):
/// another takes the job once its lease has run out, not before, and the
/// dead one's late writes change nothing.
async fn taken_over(backend: Backend) {
    let dead = TestServer::start_with(backend, |config| config.run_jobs = false).await;
    let admin = dead.organisation_admin("Acme", "alice").await;
    project_with_model(&admin, "Retail", "Shop", &fixture("small.yaml")).await;
    let job = admin.ok("POST", "/api/v1/jobs", Some(json!({"kind": "reanalyze"}))).await;
    let job_id = job["id"].as_str().expect("job id").to_string();
    let job_path = format!("/api/v1/jobs/{job_id}");
    let lost = rampart_server::jobs::claim(dead.state()).await.expect("claim").expect("the queued job");
    let alive =
        TestServer::start_on(backend, tempfile::tempdir().expect("directory"), dead.database_url.clone(), |config| {
            config.run_jobs = false
        })
        .await;
    let taken = rampart_server::jobs::claim(alive.state()).await.expect("claim");
    assert!(taken.is_none(), "a job whose worker still renews its lease is not taken");

    // A minute and more without a heartbeat, as a replica killed mid-job leaves it.
    sqlx::query("UPDATE jobs SET heartbeat_at = heartbeat_at - 61000 WHERE id = $1")
        .bind(&job_id)
        .execute(&alive.state().db.pool)
        .await
        .expect("the lease runs out");
    let claimed =
        rampart_server::jobs::claim(alive.state()).await.expect("claim").expect("the job whose lease ran out");
    assert_eq!(claimed.id, job_id);
    let (_running, stop) = tokio::sync::watch::channel(false);
    rampart_server::jobs::work(alive.state(), &claimed, &stop).await;
    let done = admin.ok("GET", &job_path, None).await;
    assert_eq!((done["status"].as_str(), done["result"]["models"].as_i64()), (Some("done"), Some(1)), "{done}");
    assert_eq!(done["worker"], alive.state().worker_id.as_str(), "{done}");

    // The first replica, back from the dead, finds the job is not its own any more.
    rampart_server::jobs::work(dead.state(), &lost, &stop).await;
    let after = admin.ok("GET", &job_path, None).await;
    assert_eq!(after["worker"], done["worker"], "{after}");
    assert_eq!(after["result"], done["result"], "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_whose_replica_died_is_taken_over_when_its_lease_runs_out() {
    for backend in backends() {
        taken_over(backend).await;
    }
}

/// Integration secrets over HTTP: sealed with the server's key in the
/// database, never answered or audited in the clear, and refused (503)
/// by a server without a key rather than stored unsealed.
async fn sealed_secrets(backend: Backend) {
    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    let value = "tracker-token-Zx81-must-not-leak";
    let server = TestServer::start_with(backend, |config| config.secret_key = Some(KEY.to_string())).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let (_, project_id, _) = project_with_model(&admin, "Retail", "Shop", &fixture("small.yaml")).await;
    let secrets = format!("/api/v1/projects/{project_id}/secrets");
    let (status, _, body) = admin.send("PUT", &format!("{secrets}/tracker"), Some(json!({"value": value}))).await;
    assert!(status.is_success(), "{status}: {body}");
    assert!(!body.to_string().contains(value), "the answer does not repeat it: {body}");
    let listed = admin.ok("GET", &secrets, None).await;
    assert!(listed.to_string().contains("tracker") && !listed.to_string().contains(value), "{listed}");

    let db = &server.state().db.pool;
    let (sealed, org_id): (String, String) =
        sqlx::query_as("SELECT sealed, org_id FROM secrets WHERE project_id = $1 AND name = 'tracker'")
            .bind(&project_id)
            .fetch_one(db)
            .await
            .expect("the stored secret");
    assert!(sealed.starts_with("v1.") && !sealed.contains(value), "sealed at rest: {sealed}");
    let opened =
        rampart_server::api::admin::open_secret(server.state(), &org_id, &project_id, "tracker").await.expect("opened");
    assert_eq!(opened.as_deref(), Some(value), "the integrations get it back");
    let audit = admin.ok("GET", "/api/v1/audit?limit=100", None).await;
    assert!(audit.to_string().contains("secret.set") && !audit.to_string().contains(value), "{audit}");

    let keyless = TestServer::start(backend).await;
    let admin = keyless.organisation_admin("Acme", "alice").await;
    let (_, project_id, _) = project_with_model(&admin, "Retail", "Shop", &fixture("small.yaml")).await;
    let path = format!("/api/v1/projects/{project_id}/secrets/tracker");
    let (status, _, body) = admin.send("PUT", &path, Some(json!({"value": value}))).await;
    assert_eq!((status.as_u16(), body["error"]["code"].as_str()), (503, Some("no-secret-key")), "{body}");
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM secrets").fetch_one(&keyless.state().db.pool).await.expect("count");
    assert_eq!(stored, 0, "nothing is stored without a key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_sealed_at_rest_and_need_the_server_key() {
    assert!(
        std::env::var_os(rampart_server::sealed::KEY_VARIABLE).is_none(),
        "run without RAMPART_SECRET_KEY: the keyless server must have none"
    );
    for backend in backends() {
        sealed_secrets(backend).await;
    }
}

/// The accounts list finds people by part of their username, display name
/// or e-mail, in any case, with `%` and `_` taken literally.
async fn account_search(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    for (username, display_name, email) in [
        ("grace", "Grace Hopper", "grace@navy.example"),
        ("alan_t", "Alan Turing", "alan@bletchley.example"),
        ("ada", "Ada Lovelace", "ada@engines.example"),
    ] {
        let account = json!({"username": username, "display_name": display_name, "email": email,
                             "password": "a long password for tests"});
        admin.ok("POST", "/api/v1/users", Some(account)).await;
    }
    let found = |q: &str| {
        let admin = admin.clone();
        let q = q.to_string();
        async move {
            let page = admin.ok("GET", &format!("/api/v1/users?q={q}"), None).await;
            let names: Vec<String> =
                page["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_string()).collect();
            assert_eq!(page["total"].as_i64(), Some(names.len() as i64), "{page}");
            names
        }
    };
    assert_eq!(found("HOPPER").await, ["grace"], "by display name, any case");
    assert_eq!(found("bletchley").await, ["alan_t"], "by e-mail");
    assert_eq!(found("a").await.len(), 4, "alice, alan_t, ada, grace");
    assert_eq!(found("n_t").await, ["alan_t"], "`_` is taken literally");
    assert_eq!(found("%25").await, Vec::<String>::new(), "`%` is taken literally");
    assert_eq!(found("").await.len(), 4, "an empty q filters nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_are_found_by_name_or_e_mail() {
    for backend in backends() {
        account_search(backend).await;
    }
}
