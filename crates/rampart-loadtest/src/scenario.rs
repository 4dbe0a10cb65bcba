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
    body: &SaveBody,
    client_index: usize,
    n: u64,
) -> RequestBuilder {
    client
        .put(format!("{base}/api/v1/models/{model_id}"))
        .bearer_auth(token)
        .header("if-match", "*")
        .header("content-type", "application/json")
        .body(body.render(client_index, n))
}

/// The body of a save, serialised once and cut at each component's name, so
/// that a request only splices in its changed name. Cloning and serialising
/// the whole model per request cost the load generator almost 4 ms of CPU,
/// taken from the two cores the server under test shares with it.
pub struct SaveBody {
    /// The JSON between the names: one more piece than there are names.
    pieces: Vec<String>,
    /// Each component's name, as a JSON string.
    names: Vec<String>,
}

impl SaveBody {
    pub fn new(model: &Value) -> Result<Self, String> {
        let count = model["components"].as_array().map_or(0, Vec::len);
        let marker = |index: usize| format!("\u{1}rampart-loadtest-name-{index}\u{1}");
        let mut marked = model.clone();
        let mut names = Vec::with_capacity(count);
        for index in 0..count {
            let name = &mut marked["components"][index]["name"];
            names.push(serde_json::to_string(name).map_err(|e| format!("cannot serialise a name: {e}"))?);
            *name = json!(marker(index));
        }
        let text = serde_json::to_string(&json!({"model": marked}))
            .map_err(|e| format!("cannot serialise the generated model: {e}"))?;
        let mut pieces = Vec::with_capacity(count + 1);
        let mut rest = text.as_str();
        for index in 0..count {
            let quoted = serde_json::to_string(&marker(index)).map_err(|e| format!("cannot serialise a name: {e}"))?;
            let (before, after) =
                rest.split_once(&quoted).ok_or_else(|| format!("component {index}'s name is not in the body"))?;
            pieces.push(before.to_string());
            rest = after;
        }
        pieces.push(rest.to_string());
        Ok(SaveBody { pieces, names })
    }

    /// The body of save `n` of client `client_index`: the model with one
    /// component renamed, and a message naming the save.
    pub fn render(&self, client_index: usize, n: u64) -> Vec<u8> {
        let changed = (!self.names.is_empty()).then(|| (n as usize + client_index) % self.names.len());
        let new_name = json!(format!("component changed by client {client_index} save {n}")).to_string();
        let message = json!(format!("load test: client {client_index} save {n}")).to_string();
        let size = self.pieces.iter().chain(&self.names).map(String::len).sum::<usize>() + message.len() + 64;
        let mut body = String::with_capacity(size);
        body.push_str("{\"message\":");
        body.push_str(&message);
        body.push(',');
        // The serialised object's opening brace is replaced by the message.
        body.push_str(self.pieces[0].strip_prefix('{').unwrap_or(&self.pieces[0]));
        for (index, name) in self.names.iter().enumerate() {
            body.push_str(if Some(index) == changed { &new_name } else { name });
            body.push_str(&self.pieces[index + 1]);
        }
        body.into_bytes()
    }
}

/// The generated model as JSON (the API's `model` field).
pub fn generated_model(components: usize, seed: u64) -> Result<Value, String> {
    serde_json::to_value(rampart_modelgen::generate(components, seed))
        .map_err(|e| format!("cannot serialise the generated model: {e}"))
}

/// Creates a business unit and a project for the benchmark, and `count`
/// models of `model` in it; returns the models' ids.
pub async fn create_models(
    client: &Client,
    base: &str,
    token: &str,
    model: &Value,
    count: u32,
) -> Result<Vec<String>, String> {
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
    let mut ids = Vec::with_capacity(count as usize);
    for number in 1..=count {
        let name = if count == 1 { "load test model".to_string() } else { format!("load test model {number}") };
        let created = post(
            client,
            base,
            token,
            &format!("/api/v1/projects/{project_id}/models"),
            json!({"name": name, "model": model}),
        )
        .await?;
        let id = created["model"]["id"].as_str().ok_or_else(|| format!("the model has no id: {created}"))?;
        ids.push(id.to_string());
    }
    Ok(ids)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A rendered body is the model with exactly the expected name changed.
    #[test]
    fn render_changes_one_name() {
        let model = generated_model(12, 1).expect("a model");
        let body = SaveBody::new(&model).expect("a template");
        let sent: Value = serde_json::from_slice(&body.render(3, 5)).expect("JSON");
        assert_eq!(sent["message"], "load test: client 3 save 5");
        let mut expected = model.clone();
        expected["components"][8]["name"] = json!("component changed by client 3 save 5");
        assert_eq!(sent["model"], expected);
    }
}
