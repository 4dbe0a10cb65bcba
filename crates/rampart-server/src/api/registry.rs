//! The table of endpoints. Each one is registered once, with its handler and
//! what the OpenAPI document says about it, so the router and the document
//! cannot disagree, and tests can list every endpoint (the authorisation
//! matrix fails when one is added without being listed there).
//!
//! Written here rather than with an OpenAPI macro crate because the request
//! and response types already derive `schemars::JsonSchema` (2020-12, which
//! OpenAPI 3.1 uses as is), and a table is what the tests need to iterate.

use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodFilter, on};
use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};
use serde_json::{Map, Value, json};

use crate::state::AppState;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
    fn filter(self) -> MethodFilter {
        match self {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
            Method::Patch => MethodFilter::PATCH,
            Method::Delete => MethodFilter::DELETE,
        }
    }
}

/// Whether an object schema lets through properties it does not name
/// (serde without `deny_unknown_fields`).
fn is_open(schema: &Value) -> bool {
    schema["type"] == "object" && schema["additionalProperties"] != Value::Bool(false)
}

/// One endpoint as the document and the tests see it.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub method: Method,
    /// In axum's syntax, which is OpenAPI's: `/api/v1/models/{model}`.
    pub path: &'static str,
    pub operation_id: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub tag: &'static str,
    /// False for the few endpoints anyone may call (health, login, the document).
    pub authenticated: bool,
    pub status: u16,
    /// Whether its body or query takes fields it does not know. Only the
    /// single sign-on callback should: identity providers add their own
    /// (`iss`, `session_state`). Anywhere else a misspelt field would be
    /// dropped without a word and the request would seem to succeed.
    pub ignores_unknown_fields: bool,
    request: Option<Value>,
    request_type: &'static str,
    response: Option<Value>,
    response_type: &'static str,
    query: Vec<Value>,
    headers: Vec<(&'static str, &'static str)>,
    /// `If-Match` may be left out (last writer wins); a stale one is still refused.
    if_match_optional: bool,
    /// Error answers particular to this endpoint (422 for a model that does not validate...).
    errors: Vec<(u16, &'static str)>,
}

impl Endpoint {
    fn new(method: Method, path: &'static str, operation_id: &'static str, summary: &'static str) -> Endpoint {
        Endpoint {
            method,
            path,
            operation_id,
            summary,
            description: "",
            tag: "",
            authenticated: true,
            status: 200,
            ignores_unknown_fields: false,
            request: None,
            request_type: "application/json",
            response: None,
            response_type: "application/json",
            query: Vec::new(),
            headers: Vec::new(),
            if_match_optional: false,
            errors: Vec::new(),
        }
    }
}

/// Builds the router and the table together.
pub struct Api {
    router: Router<AppState>,
    endpoints: Vec<Endpoint>,
    generator: SchemaGenerator,
}

/// What one registration says; finished by [`Api::add`].
pub struct Spec<'a> {
    api: &'a mut Api,
    endpoint: Endpoint,
}

impl Default for Api {
    fn default() -> Self {
        Api::new()
    }
}

impl Api {
    pub fn new() -> Api {
        let settings = SchemaSettings::draft2020_12().with(|settings| {
            settings.definitions_path = "/components/schemas".into();
        });
        Api { router: Router::new(), endpoints: Vec::new(), generator: settings.into_generator() }
    }

    pub fn get(&mut self, path: &'static str, operation_id: &'static str, summary: &'static str) -> Spec<'_> {
        self.spec(Method::Get, path, operation_id, summary)
    }
    pub fn post(&mut self, path: &'static str, operation_id: &'static str, summary: &'static str) -> Spec<'_> {
        self.spec(Method::Post, path, operation_id, summary)
    }
    pub fn put(&mut self, path: &'static str, operation_id: &'static str, summary: &'static str) -> Spec<'_> {
        self.spec(Method::Put, path, operation_id, summary)
    }
    pub fn patch(&mut self, path: &'static str, operation_id: &'static str, summary: &'static str) -> Spec<'_> {
        self.spec(Method::Patch, path, operation_id, summary)
    }
    pub fn delete(&mut self, path: &'static str, operation_id: &'static str, summary: &'static str) -> Spec<'_> {
        self.spec(Method::Delete, path, operation_id, summary)
    }

    fn spec(&mut self, method: Method, path: &'static str, id: &'static str, summary: &'static str) -> Spec<'_> {
        Spec { api: self, endpoint: Endpoint::new(method, path, id, summary) }
    }

    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// The router, the endpoint table and the OpenAPI 3.1 document.
    pub fn finish(mut self) -> (Router<AppState>, Vec<Endpoint>, Value) {
        let document = self.document();
        (self.router, self.endpoints, document)
    }

    fn document(&mut self) -> Value {
        let error = self.generator.subschema_for::<crate::error::ErrorBody>();
        let mut paths: Map<String, Value> = Map::new();
        for endpoint in &self.endpoints {
            let mut parameters: Vec<Value> = path_parameters(endpoint.path);
            parameters.extend(endpoint.query.iter().cloned());
            for (name, description) in &endpoint.headers {
                parameters.push(json!({"name": name, "in": "header", "description": description,
                                       "schema": {"type": "string"}}));
            }
            let mut responses = Map::new();
            let success = match (&endpoint.response, endpoint.response_type) {
                (Some(schema), kind) => json!({"description": "Success", "content": {kind: {"schema": schema}}}),
                (None, _) => json!({"description": "Success"}),
            };
            responses.insert(endpoint.status.to_string(), success);
            let error_response = |description: &str| json!({"description": description, "content": {"application/json": {"schema": error.clone()}}});
            responses.insert("400".into(), error_response("The request is malformed; the body says which field"));
            if endpoint.authenticated {
                responses.insert("401".into(), error_response("Not signed in, or the token is invalid"));
                responses.insert("403".into(), error_response("Signed in, but the role does not allow this"));
                responses.insert("404".into(), error_response("Not found, or not visible to the caller"));
            }
            if matches!(endpoint.method, Method::Put | Method::Patch | Method::Post | Method::Delete) {
                responses.insert("409".into(), error_response("Conflict: a stale If-Match, or a duplicate name"));
            }
            if endpoint.request.is_some() {
                responses.insert("413".into(), error_response("The body is larger than the server accepts"));
                if endpoint.request_type == "application/json" {
                    responses.insert("415".into(), error_response("The body is not sent as application/json"));
                }
            }
            if endpoint.headers.iter().any(|(name, _)| *name == "If-Match") && !endpoint.if_match_optional {
                responses.insert("428".into(), error_response("If-Match is missing"));
            }
            for (code, description) in &endpoint.errors {
                responses.insert(code.to_string(), error_response(description));
            }
            let mut operation = json!({
                "operationId": endpoint.operation_id,
                "summary": endpoint.summary,
                "tags": [endpoint.tag],
                "parameters": parameters,
                "responses": responses,
            });
            if !endpoint.description.is_empty() {
                operation["description"] = json!(endpoint.description);
            }
            if !endpoint.authenticated {
                operation["security"] = json!([]);
            }
            if let Some(schema) = &endpoint.request {
                operation["requestBody"] =
                    json!({"required": true, "content": {endpoint.request_type: {"schema": schema}}});
            }
            let entry = paths.entry(endpoint.path.to_string()).or_insert_with(|| json!({}));
            entry[endpoint.method.as_str().to_lowercase()] = operation;
        }
        let schemas = self.generator.take_definitions(true);
        json!({
            "openapi": "3.1.0",
            "info": {
                "title": "Rampart API",
                "version": env!("CARGO_PKG_VERSION"),
                "description": "Threat models, their versions and threats, for an organisation. \
                    Every list takes `limit` and `offset`; writes to a model or threat take `If-Match` \
                    with the ETag of what was read. Sign in with POST /api/v1/auth/login (a session cookie, \
                    plus the X-CSRF-Token header on writes) or send `Authorization: Bearer TOKEN`.",
            },
            "servers": [{"url": "/"}],
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::caller::SESSION_COOKIE},
                    "token": {"type": "http", "scheme": "bearer"},
                },
            },
            "security": [{"session": []}, {"token": []}],
        })
    }
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

impl Spec<'_> {
    pub fn tag(mut self, tag: &'static str) -> Self {
        self.endpoint.tag = tag;
        self
    }
    pub fn describe(mut self, description: &'static str) -> Self {
        self.endpoint.description = description;
        self
    }
    pub fn public(mut self) -> Self {
        self.endpoint.authenticated = false;
        self
    }
    pub fn status(mut self, status: u16) -> Self {
        self.endpoint.status = status;
        self
    }
    pub fn request<T: JsonSchema>(mut self) -> Self {
        self.endpoint.request = Some(self.api.generator.subschema_for::<T>().to_value());
        let schema = self.api.generator.root_schema_for::<T>().to_value();
        self.endpoint.ignores_unknown_fields |= is_open(&schema);
        self
    }
    /// A request body that is not JSON (an uploaded file).
    pub fn raw_request(mut self, content_type: &'static str) -> Self {
        self.endpoint.request = Some(json!({"type": "string", "format": "binary"}));
        self.endpoint.request_type = content_type;
        self
    }
    pub fn response<T: JsonSchema>(mut self) -> Self {
        self.endpoint.response = Some(self.api.generator.subschema_for::<T>().to_value());
        self
    }
    pub fn raw_response(mut self, content_type: &'static str) -> Self {
        self.endpoint.response = Some(json!({"type": "string"}));
        self.endpoint.response_type = content_type;
        self
    }
    /// An error answer particular to this endpoint, for the document.
    pub fn error(mut self, status: u16, description: &'static str) -> Self {
        self.endpoint.errors.push((status, description));
        self
    }
    pub fn header(mut self, name: &'static str, description: &'static str) -> Self {
        self.endpoint.headers.push((name, description));
        self
    }
    /// `If-Match` that the client may leave out ([`super::common::if_match_optional`]).
    pub fn optional_if_match(mut self) -> Self {
        self.endpoint.headers.push((
            "If-Match",
            "The ETag from your last read: the change is refused (409) if the resource changed since. \
             Without it, the change is made whatever changed meanwhile.",
        ));
        self.endpoint.if_match_optional = true;
        self
    }
    /// Query parameters: the properties of `T`.
    pub fn query<T: JsonSchema>(mut self) -> Self {
        let schema = self.api.generator.root_schema_for::<T>().to_value();
        self.endpoint.ignores_unknown_fields |= is_open(&schema);
        let required: Vec<&str> = schema["required"]
            .as_array()
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if let Some(properties) = schema["properties"].as_object() {
            for (name, property) in properties {
                let mut property = property.clone();
                let description = property.as_object_mut().and_then(|p| p.remove("description"));
                let mut parameter = json!({"name": name, "in": "query", "required": required.contains(&name.as_str()),
                                           "schema": property});
                if let Some(description) = description {
                    parameter["description"] = description;
                }
                self.endpoint.query.push(parameter);
            }
        }
        self
    }

    /// Registers the endpoint with its handler.
    pub fn add<H, T>(self, handler: H)
    where
        H: Handler<T, AppState> + Clone + Send + Sync + 'static,
        T: 'static,
    {
        let Spec { api, endpoint } = self;
        let router = std::mem::take(&mut api.router);
        api.router = router.route(endpoint.path, on(endpoint.method.filter(), handler));
        api.endpoints.push(endpoint);
    }
}
