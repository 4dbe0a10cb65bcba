//! Health, the OpenAPI document, and its browsable reference.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use super::registry::Api;
use crate::state::AppState;

pub fn register(api: &mut Api) {
    api.get("/healthz", "health", "Ready: the database answers").tag("meta").public().response::<Health>().add(health);
    api.get("/api/openapi.json", "openapi", "This API's OpenAPI 3.1 document").tag("meta").public().add(openapi);
    api.get("/api/docs", "apiDocs", "This API's reference, as a web page")
        .tag("meta")
        .public()
        .raw_response("text/html")
        .add(docs);
}

#[derive(Serialize, JsonSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// `sqlite` or `postgres`.
    pub database: String,
    /// The schema's latest migration.
    pub schema_version: i64,
    pub version: String,
}

/// How long `/healthz` waits for the database. A load balancer's check
/// gives up after a few seconds; without a bound of its own the answer to a
/// database that is down or out of connections would come only when the
/// pool gives up waiting, 30 s later, long after the balancer stopped
/// listening, and checks would pile up meanwhile.
const HEALTH_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

async fn health(State(state): State<AppState>) -> Response {
    let query =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE").fetch_one(&state.db.pool);
    let version: Result<Option<i64>, String> = match tokio::time::timeout(HEALTH_WAIT, query).await {
        Ok(answer) => answer.map_err(|error| format!("the database does not answer: {error}")),
        Err(_) => Err(format!("the database did not answer within {} s", HEALTH_WAIT.as_secs())),
    };
    match version {
        Ok(version) => axum::Json(Health {
            status: "ok".to_string(),
            database: match state.db.backend {
                crate::db::Backend::Sqlite => "sqlite",
                crate::db::Backend::Postgres => "postgres",
            }
            .to_string(),
            schema_version: version.unwrap_or(0),
            version: env!("CARGO_PKG_VERSION").to_string(),
        })
        .into_response(),
        Err(message) => {
            crate::error::ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "not-ready", message).into_response()
        }
    }
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], super::document().to_string()).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The name of a `$ref`'d schema, or a short description of an inline one.
fn schema_name(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        return reference.rsplit('/').next().unwrap_or(reference).to_string();
    }
    match schema["type"].as_str() {
        Some("array") => format!("array of {}", schema_name(&schema["items"])),
        Some(kind) => kind.to_string(),
        None => "object".to_string(),
    }
}

/// A reference page written from the document itself, so it is always
/// current; server-rendered because the usual viewers (Swagger UI, Redoc)
/// load scripts from the internet or need a download at build time.
async fn docs() -> Html<String> {
    let document = super::document();
    let mut by_tag: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
    for (path, operations) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in operations.as_object().into_iter().flatten() {
            let tag = operation["tags"][0].as_str().unwrap_or("other").to_string();
            let mut html = format!(
                "<section class=op id=\"{id}\"><h3><span class=\"m {method}\">{upper}</span> <code>{path}</code></h3><p>{summary}</p>",
                id = escape(operation["operationId"].as_str().unwrap_or_default()),
                upper = method.to_uppercase(),
                path = escape(path),
                summary = escape(operation["summary"].as_str().unwrap_or_default()),
            );
            if let Some(description) = operation["description"].as_str() {
                html.push_str(&format!("<p class=d>{}</p>", escape(description)));
            }
            let parameters = operation["parameters"].as_array().cloned().unwrap_or_default();
            if !parameters.is_empty() {
                html.push_str("<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>About</th></tr>");
                for parameter in parameters {
                    html.push_str(&format!(
                        "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        escape(parameter["name"].as_str().unwrap_or_default()),
                        if parameter["required"].as_bool() == Some(true) { " *" } else { "" },
                        escape(parameter["in"].as_str().unwrap_or_default()),
                        escape(&schema_name(&parameter["schema"])),
                        escape(parameter["description"].as_str().unwrap_or_default()),
                    ));
                }
                html.push_str("</table>");
            }
            if let Some(body) = operation["requestBody"]["content"].as_object().and_then(|c| c.iter().next()) {
                html.push_str(&format!(
                    "<p>Body ({}): <a href=\"#schema-{name}\">{name}</a></p>",
                    escape(body.0),
                    name = escape(&schema_name(&body.1["schema"]))
                ));
            }
            let mut responses = Vec::new();
            for (code, response) in operation["responses"].as_object().into_iter().flatten() {
                let schema =
                    response["content"].as_object().and_then(|c| c.values().next()).map(|c| schema_name(&c["schema"]));
                responses.push(format!(
                    "<code>{code}</code> {}{}",
                    escape(response["description"].as_str().unwrap_or_default()),
                    schema.map(|s| format!(" — {}", escape(&s))).unwrap_or_default()
                ));
            }
            html.push_str(&format!("<p class=r>{}</p></section>", responses.join("<br>")));
            by_tag.entry(tag).or_default().push(html);
        }
    }
    let mut page = String::from(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>Rampart API reference</title>\
         <meta name=viewport content=\"width=device-width\"><style>\
         body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}\
         code{font-family:ui-monospace,monospace}h2{border-bottom:1px solid #ccd;margin-top:2.5rem}\
         .op{border:1px solid #dde;border-radius:6px;padding:.2rem 1rem;margin:1rem 0}\
         .m{font:bold 12px ui-monospace,monospace;padding:2px 6px;border-radius:3px;color:#fff;background:#555}\
         .get{background:#1f6feb}.post{background:#1a7f37}.put{background:#9a6700}.patch{background:#8250df}.delete{background:#cf222e}\
         table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #dde;padding:2px 8px;text-align:left}\
         .d{color:#444}.r{font-size:14px;color:#333}pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:13px}\
         </style></head><body><h1>Rampart API reference</h1>",
    );
    page.push_str(&format!(
        "<p>{}</p><p>The machine-readable document: <a href=\"/api/openapi.json\">/api/openapi.json</a> (OpenAPI {}).</p><nav><ul>",
        escape(document["info"]["description"].as_str().unwrap_or_default()),
        escape(document["openapi"].as_str().unwrap_or_default()),
    ));
    for tag in by_tag.keys() {
        page.push_str(&format!("<li><a href=\"#tag-{0}\">{0}</a></li>", escape(tag)));
    }
    page.push_str("<li><a href=\"#schemas\">schemas</a></li></ul></nav>");
    for (tag, operations) in &by_tag {
        page.push_str(&format!("<h2 id=\"tag-{0}\">{0}</h2>", escape(tag)));
        for operation in operations {
            page.push_str(operation);
        }
    }
    page.push_str("<h2 id=schemas>Schemas</h2>");
    for (name, schema) in document["components"]["schemas"].as_object().into_iter().flatten() {
        let pretty = serde_json::to_string_pretty(schema).unwrap_or_default();
        page.push_str(&format!("<h3 id=\"schema-{0}\">{0}</h3><pre>{1}</pre>", escape(name), escape(&pretty)));
    }
    page.push_str("</body></html>");
    Html(page)
}
