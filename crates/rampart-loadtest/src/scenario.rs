//! The requests each scenario sends: what a team's dashboards and CI jobs do
//! most (read a model's threats) and the heaviest write (save a large model,
//! which runs the analysis).

use reqwest::{Client, RequestBuilder};
use serde_json::{Value, json};

/// Read: the first page of threats, and every fifth request a filtered and
/// sorted page, as a dashboard's filters would ask.
pub fn read(client: &Client, base: &str, token: &str, model_id: &str, n: u64) -> RequestBuilder {
    let query = if n % 5 == 4 { "status=unresolved&min_severity=medium&sort=target&limit=50" } else { "limit=50" };
    client.get(format!("{base}/api/v1/models/{model_id}/threats?{query}")).bearer_auth(token)
}

/// Save: the generated model with one property changed (a component's name,
/// unique to this client and request), so every save is a new version that
/// the server analyses; `If-Match: *` because clients race each other.
pub fn save(
    client: &Client,
    base: &str,
    token: &str,
    model_id: &str,
    model: &Value,
    client_index: usize,
    n: u64,
) -> RequestBuilder {
    let mut changed = model.clone();
    if let Some(components) = changed["components"].as_array_mut()
        && !components.is_empty()
    {
        let index = (n as usize + client_index) % components.len();
        components[index]["name"] = json!(format!("component changed by client {client_index} save {n}"));
    }
    let body = json!({"model": changed, "message": format!("load test: client {client_index} save {n}")});
    client.put(format!("{base}/api/v1/models/{model_id}")).bearer_auth(token).header("if-match", "*").json(&body)
}

/// The generated model as JSON (the API's `model` field).
pub fn generated_model(components: usize, seed: u64) -> Result<Value, String> {
    serde_json::to_value(rampart_modelgen::generate(components, seed))
        .map_err(|e| format!("cannot serialise the generated model: {e}"))
}

/// Creates a business unit, a project and a model of `model` for the
/// benchmark, and returns the model's id.
pub async fn create_model(client: &Client, base: &str, token: &str, model: Value) -> Result<String, String> {
    let suffix =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or_default();
    let unit =
        post(client, base, token, "/api/v1/business-units", json!({"name": format!("Load test {suffix}")})).await?;
    let project = post(
        client,
        base,
        token,
        "/api/v1/projects",
        json!({"name": format!("Load test {suffix}"), "business_unit_id": unit["id"]}),
    )
    .await?;
    let project_id = project["id"].as_str().ok_or("the project has no id")?;
    let created = post(
        client,
        base,
        token,
        &format!("/api/v1/projects/{project_id}/models"),
        json!({"name": "load test model", "model": model}),
    )
    .await?;
    created["model"]["id"].as_str().map(str::to_string).ok_or_else(|| format!("the model has no id: {created}"))
}

async fn post(client: &Client, base: &str, token: &str, path: &str, body: Value) -> Result<Value, String> {
    let response = client
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("POST {path}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("POST {path}: {e}"))?;
    if !status.is_success() {
        return Err(format!("POST {path}: {status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("POST {path}: not JSON ({e}): {text}"))
}
