//! What the browser editor calls, over HTTP on each database: the catalog,
//! the model schema, templates (and a model created from one), the analysis
//! of an unsaved document with the model's decisions applied, the sign-in
//! methods, and the app's pages beside the API.

#[path = "support/server.rs"]
mod server;

use serde_json::{Value, json};
use server::{Backend, TestServer, backends, example, project_with_model};

async fn editor_support(backend: Backend) {
    let server = TestServer::start(backend).await;
    let admin = server.organisation_admin("Acme", "alice").await;
    let (_, project_id, model_id) = project_with_model(&admin, "Retail", "Shop", &example("ecommerce.yaml")).await;

    // The catalog lists what the palette and the property lists offer.
    let catalog = admin.ok("GET", "/api/v1/catalog", None).await;
    let types = catalog["component_types"].as_array().expect("component types");
    let web_app = types.iter().find(|t| t["id"] == "web-app").expect("web-app in the catalog");
    assert_eq!(web_app["category"], "process");
    assert!(web_app["traits"].as_array().is_some_and(|t| !t.is_empty()), "{web_app}");
    assert!(types.iter().all(|t| t["category"] != "actor"), "people are actor types, not components");
    assert!(catalog["actor_types"].as_array().unwrap().iter().any(|a| a["id"] == "user"));
    let domains: Vec<&str> = catalog["domains"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert!(types.iter().all(|t| domains.contains(&t["domain"].as_str().unwrap())), "every type has its group");
    let https = catalog["protocols"].as_array().unwrap().iter().find(|p| p["id"] == "https").expect("https");
    assert_eq!(https["encrypted"], true);
    let http = catalog["protocols"].as_array().unwrap().iter().find(|p| p["id"] == "http").expect("http");
    assert_eq!(http["encrypted"], false);
    assert!(catalog["countermeasures"].as_array().unwrap().iter().any(|c| c["id"] == "input-validation"));

    let schema = admin.ok("GET", "/api/v1/model-schema", None).await;
    assert_eq!(schema["title"], "Rampart system model");
    assert!(schema["properties"]["layout"].is_object(), "the schema documents the editor's layout");

    // Every template reads and makes a model with a drawn layout.
    let templates = admin.ok("GET", "/api/v1/templates", None).await;
    let items = templates["items"].as_array().expect("templates");
    assert!(!items.is_empty());
    for item in items {
        let id = item["id"].as_str().unwrap();
        let template = admin.ok("GET", &format!("/api/v1/templates/{id}"), None).await;
        assert_eq!(template["components"], item["components"]);
        assert!(template["model"]["layout"].as_object().is_some_and(|l| !l.is_empty()), "{id} has a layout");
        let created = admin
            .ok(
                "POST",
                &format!("/api/v1/projects/{project_id}/models"),
                Some(json!({"name": format!("From {id}"), "model": template["model"]})),
            )
            .await;
        assert!(created["model"]["head"]["threats"].as_i64().unwrap_or(0) > 0, "{id}: {created}");
    }
    let (status, _, missing) = admin.get("/api/v1/templates/no-such-template").await;
    assert_eq!(status, 404, "{missing}");

    // The analysis of an unsaved change: one more internet-facing web app raises
    // threats on it, and nothing is stored.
    let version = admin.ok("GET", &format!("/api/v1/models/{model_id}/versions/1"), None).await;
    let mut model = version["model"].clone();
    model["components"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "promo-site", "kind": "web-app", "exposure": "internet"}));
    let preview = admin.ok("POST", &format!("/api/v1/models/{model_id}/analysis"), Some(json!({"model": model}))).await;
    let threats = preview["threats"].as_array().expect("threats");
    let on_promo: Vec<&Value> = threats.iter().filter(|t| t["target"] == "promo-site").collect();
    assert!(!on_promo.is_empty(), "the new component has threats");
    // The list is compact: entries without the accounts, which `?threat=` gives one at a time.
    let first = on_promo[0];
    for key in ["id", "rule", "title", "severity", "score", "status", "stored", "expired"] {
        assert!(!first[key].is_null(), "a preview threat has `{key}`: {first}");
    }
    for key in ["description", "analysis", "countermeasures", "references"] {
        assert!(first.get(key).is_none(), "a list entry leaves out `{key}`: {first}");
    }
    assert_eq!(first["stored"], false, "the new component's threat is not saved: {first}");
    assert!(
        threats.iter().any(|t| t["target"] != "promo-site" && t["stored"] == true),
        "threats of the saved head are marked stored"
    );
    let first_id = first["id"].as_str().unwrap();
    let one = admin
        .ok(
            "POST",
            &format!("/api/v1/models/{model_id}/analysis?threat={}", encode(first_id)),
            Some(json!({"model": model})),
        )
        .await;
    let detailed = one["threats"].as_array().expect("threats");
    assert_eq!(detailed.len(), 1, "{one}");
    assert_eq!(detailed[0]["id"], first["id"]);
    assert_eq!(detailed[0]["severity"], first["severity"]);
    assert!(detailed[0]["analysis"]["because"].as_array().is_some_and(|b| !b.is_empty()), "{one}");
    assert!(detailed[0]["description"].as_str().is_some_and(|d| !d.is_empty()), "{one}");
    assert_eq!(one["summary"], preview["summary"]);
    let (status, _, missing) = admin
        .send(
            "POST",
            &format!("/api/v1/models/{model_id}/analysis?threat=no-such-rule%40promo-site"),
            Some(json!({"model": model})),
        )
        .await;
    assert_eq!(status, 404, "{missing}");
    assert_eq!(preview["summary"]["components"], version["components"].as_i64().unwrap() + 1, "{}", preview["summary"]);
    let head = admin.ok("GET", &format!("/api/v1/models/{model_id}"), None).await;
    assert_eq!(head["head_version"], 1, "a preview stores nothing");

    // A saved threat reads back with the same explanation the preview gave:
    // the library's words are added when it is read, not stored per threat.
    let saved = admin
        .ok("POST", &format!("/api/v1/models/{model_id}/analysis"), Some(json!({"model": version["model"]})))
        .await;
    for listed in saved["threats"].as_array().unwrap().iter().take(5) {
        let id = listed["id"].as_str().unwrap();
        let one = admin
            .ok(
                "POST",
                &format!("/api/v1/models/{model_id}/analysis?threat={}", encode(id)),
                Some(json!({"model": version["model"]})),
            )
            .await;
        let previewed = &one["threats"][0];
        let read = admin.ok("GET", &format!("/api/v1/models/{model_id}/threats/{}", encode(id)), None).await;
        assert_eq!(read["description"], previewed["description"], "{id}");
        assert!(!read["description"].as_str().unwrap_or("").is_empty(), "{id}: {read}");
        assert_eq!(read["references"], previewed["references"], "{id}");
        assert_eq!(read["countermeasures"], previewed["countermeasures"], "{id}");
        let first = &read["countermeasures"][0];
        assert!(first["name"].is_string() && first["state"]["id"].is_string(), "{id}: {read}");
    }

    // A model's own threat keeps its own words.
    let mut own = version["model"].clone();
    own["custom_threats"] = json!([{"id": "badge-cloning", "title": "Cloned staff badges open the back office",
        "description": "Badges use a legacy proximity card that can be copied from a metre away.",
        "targets": ["back-office"], "likelihood": 3, "impact": 4}]);
    let own_model = admin
        .ok("POST", &format!("/api/v1/projects/{project_id}/models"), Some(json!({"name": "Own threat", "model": own})))
        .await;
    let own_id = own_model["model"]["id"].as_str().unwrap();
    let read = admin.ok("GET", &format!("/api/v1/models/{own_id}/threats/badge-cloning%40back-office"), None).await;
    assert_eq!(read["description"], "Badges use a legacy proximity card that can be copied from a metre away.");

    // A decision on a saved threat shows in the preview.
    let threat_id = threats.iter().find(|t| t["target"] != "promo-site").unwrap()["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/models/{model_id}/threats/{}", encode(&threat_id));
    let (status, _, decided) = admin
        .send_with(
            "PATCH",
            &path,
            &[("if-match", "*")],
            Some(json!({"status": "accepted", "justification": "compensated by the WAF", "owner": "alice"})),
        )
        .await;
    assert_eq!(status, 200, "{decided}");
    let preview = admin.ok("POST", &format!("/api/v1/models/{model_id}/analysis"), Some(json!({"model": model}))).await;
    let same = preview["threats"].as_array().unwrap().iter().find(|t| t["id"] == threat_id.as_str()).expect("kept");
    assert_eq!(same["status"], "accepted", "{same}");
    assert_eq!(same["owner"], "alice");

    // An invalid document: 422 with every problem, nothing stored.
    model["flows"].as_array_mut().unwrap().push(json!({"from": "promo-site", "to": "nowhere", "protocol": "https"}));
    let (status, _, invalid) =
        admin.send("POST", &format!("/api/v1/models/{model_id}/analysis"), Some(json!({"model": model}))).await;
    assert_eq!(status, 422, "{invalid}");
    assert_eq!(invalid["error"]["code"], "invalid-model");
    let problems = invalid["error"]["details"]["problems"].as_array().expect("problems");
    assert!(problems.iter().any(|p| p["message"].as_str().unwrap_or("").contains("nowhere")), "{invalid}");
    let (status, _, neither) =
        admin.send("POST", &format!("/api/v1/models/{model_id}/analysis"), Some(json!({}))).await;
    assert_eq!(status, 400, "{neither}");
    assert_eq!(neither["error"]["field"], "model");

    // Another organisation's model is not found, even for a preview.
    let stranger = server.organisation_admin("Globex", "gina").await;
    let (status, _, _) =
        stranger.send("POST", &format!("/api/v1/models/{model_id}/analysis"), Some(json!({"model": model}))).await;
    assert_eq!(status, 404);

    // Sign-in methods are public: the sign-in page asks before anyone is signed in.
    let anonymous = server::Client::anonymous(&server.base);
    let methods = anonymous.ok("GET", "/api/v1/auth/methods", None).await;
    assert_eq!(methods, json!({"password": true, "oidc": null}));

    // Pages outside /api/ are the browser app (or, in a build without it, a
    // page that says how to build it); the API keeps answering JSON errors.
    let (status, headers, page) = anonymous.download("/models/anything").await;
    assert_eq!(status, 200);
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("Rampart"), "{page}");
    if rampart_server::web::is_built() {
        assert!(page.contains("<script"), "the app's page loads its script: {page}");
    } else {
        assert!(page.contains("npm run build"), "{page}");
    }
    let (status, _, unknown) = anonymous.get("/api/v1/no-such-thing").await;
    assert_eq!(status, 404);
    assert_eq!(unknown["error"]["code"], "no-such-endpoint");
    let (status, _, posted) = anonymous.send("POST", "/models/anything", Some(json!({}))).await;
    assert_eq!(status, 404, "{posted}");
}

/// A threat id as a path segment (`@` and `>` encoded).
fn encode(id: &str) -> String {
    id.replace('@', "%40").replace('>', "%3E")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_support_endpoints_work_on_every_database() {
    for backend in backends() {
        editor_support(backend).await;
    }
}
