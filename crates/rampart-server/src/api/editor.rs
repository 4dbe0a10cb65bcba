//! What the browser editor needs beyond models and threats: the catalog for
//! its palette and property lists, the model format's schema for its
//! property panel, starter templates, and the analysis of an unsaved
//! document as the diagram changes. All of it is public API: a script can
//! draw from the same catalog and preview the same threats.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use fixedbitset::FixedBitSet;
use rampart_engine::ThreatInstance;
use rampart_kb::files::ElementCategory;
use rampart_kb::{KnowledgeBase, TermTable};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;

use super::common::{Body, Path, Query};
use super::registry::Api;
use crate::analysis::{self, CountermeasureDetail, VersionSummary};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn register(api: &mut Api) {
    api.get("/api/v1/catalog", "getCatalog", "The component catalog and vocabulary, for palettes and property lists")
        .tag("editor")
        .response::<Catalog>()
        .add(catalog);
    api.get("/api/v1/model-schema", "getModelSchema", "The JSON Schema of the model format (`rampart schema`)")
        .tag("editor")
        .add(model_schema);
    api.get("/api/v1/templates", "listTemplates", "Starter models: web application, serverless, Kubernetes…")
        .tag("editor")
        .response::<TemplateList>()
        .add(list_templates);
    api.get("/api/v1/templates/{template}", "getTemplate", "A starter model, with its diagram layout")
        .tag("editor")
        .response::<Template>()
        .add(get_template);
    api.post(
        "/api/v1/models/{model}/analysis",
        "previewAnalysis",
        "Analyse an unsaved document of a model, with the model's threat decisions applied",
    )
    .tag("editor")
    .describe(
        "Nothing is stored. The editor sends its document as the diagram changes and shows the threats; \
         anyone who can read the model may ask.",
    )
    .query::<PreviewQuery>()
    .request::<PreviewRequest>()
    .response::<Preview>()
    .error(404, "With `threat`: the document does not raise that threat")
    .error(422, "The model does not validate; `details.problems` lists every problem")
    .add(preview);
}

#[derive(Serialize, JsonSchema)]
pub struct Catalog {
    /// What can be placed as a component, with the traits, capabilities and formats it brings.
    pub component_types: Vec<ComponentType>,
    /// What an actor can be (people, and outside systems).
    pub actor_types: Vec<ActorType>,
    /// The palette's groups, in display order.
    pub domains: Vec<Domain>,
    /// Controls an element, flow or boundary may declare.
    pub countermeasures: Vec<Countermeasure>,
    pub protocols: Vec<Protocol>,
    pub capabilities: Vec<Term>,
    pub data_formats: Vec<Term>,
    pub data_categories: Vec<Term>,
}

#[derive(Serialize, JsonSchema)]
pub struct ComponentType {
    pub id: String,
    pub name: String,
    /// process, datastore or external.
    pub category: String,
    pub domain: String,
    pub description: String,
    pub traits: Vec<String>,
    pub capabilities: Vec<String>,
    pub accepts: Vec<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct ActorType {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Serialize, JsonSchema)]
pub struct Domain {
    pub id: String,
    pub name: String,
}

#[derive(Serialize, JsonSchema)]
pub struct Countermeasure {
    pub id: String,
    pub name: String,
    pub description: String,
    /// How to put it in place.
    pub guidance: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub struct Protocol {
    pub id: String,
    pub description: String,
    /// Whether the protocol encrypts by itself.
    pub encrypted: bool,
}

#[derive(Serialize, JsonSchema)]
pub struct Term {
    pub id: String,
    pub description: String,
}

/// The palette's group names; a domain the list does not know is shown by its id.
const DOMAIN_NAMES: &[(&str, &str)] = &[
    ("web", "Web and APIs"),
    ("data", "Data stores"),
    ("identity", "Identity and secrets"),
    ("cloud", "Cloud services"),
    ("containers", "Containers and Kubernetes"),
    ("compute", "Compute"),
    ("network", "Network"),
    ("mobile", "Mobile"),
    ("iot", "IoT"),
    ("ics", "Industrial control (OT)"),
    ("ai", "AI and LLM"),
    ("supply-chain", "Build and supply chain"),
    ("external", "External systems"),
    ("actor", "People"),
];

fn names(table: &TermTable, set: &FixedBitSet) -> Vec<String> {
    set.ones().filter_map(|index| table.names.get(index).cloned()).collect()
}

fn terms(table: &TermTable) -> Vec<Term> {
    table
        .names
        .iter()
        .zip(&table.descriptions)
        .map(|(id, text)| Term { id: id.clone(), description: text.clone() })
        .collect()
}

fn category_name(category: ElementCategory) -> &'static str {
    match category {
        ElementCategory::Process => "process",
        ElementCategory::Datastore => "datastore",
        ElementCategory::External => "external",
        ElementCategory::Actor => "actor",
    }
}

fn build_catalog(kb: &KnowledgeBase) -> Catalog {
    let component_types = kb
        .component_types
        .iter()
        .filter(|t| t.category != ElementCategory::Actor)
        .map(|t| ComponentType {
            id: t.id.clone(),
            name: t.name.clone(),
            category: category_name(t.category).to_string(),
            domain: t.domain.clone(),
            description: t.description.clone(),
            traits: names(&kb.traits, &t.traits),
            capabilities: names(&kb.capabilities, &t.capabilities),
            accepts: names(&kb.data_formats, &t.accepts),
        })
        .collect::<Vec<_>>();
    let actor_types = kb
        .component_types
        .iter()
        .filter(|t| matches!(t.category, ElementCategory::Actor | ElementCategory::External))
        .map(|t| ActorType { id: t.id.clone(), name: t.name.clone(), description: t.description.clone() })
        .collect();
    let mut domains: Vec<Domain> = Vec::new();
    let used: Vec<&str> = kb.component_types.iter().map(|t| t.domain.as_str()).collect();
    for (id, name) in DOMAIN_NAMES.iter().filter(|(id, _)| used.contains(id)) {
        domains.push(Domain { id: id.to_string(), name: name.to_string() });
    }
    for id in used {
        if !domains.iter().any(|d| d.id == id) {
            domains.push(Domain { id: id.to_string(), name: id.to_string() });
        }
    }
    Catalog {
        component_types,
        actor_types,
        domains,
        countermeasures: kb
            .countermeasures
            .iter()
            .map(|c| Countermeasure {
                id: c.id.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                guidance: c.guidance.clone(),
            })
            .collect(),
        protocols: kb
            .protocols
            .names
            .iter()
            .enumerate()
            .map(|(index, id)| Protocol {
                id: id.clone(),
                description: kb.protocols.descriptions.get(index).cloned().unwrap_or_default(),
                encrypted: kb.protocol_encrypted.get(index).copied().unwrap_or(false),
            })
            .collect(),
        capabilities: terms(&kb.capabilities),
        data_formats: terms(&kb.data_formats),
        data_categories: terms(&kb.data_categories),
    }
}

/// The catalog as JSON, written once per process: the server always
/// analyses with the shipped library, which does not change while it runs.
async fn catalog(State(state): State<AppState>, _caller: Caller) -> Response {
    static TEXT: OnceLock<String> = OnceLock::new();
    let text = TEXT.get_or_init(|| serde_json::to_string(&build_catalog(&state.kb)).unwrap_or_default());
    ([(header::CONTENT_TYPE, "application/json")], text.clone()).into_response()
}

async fn model_schema(_caller: Caller) -> Response {
    static TEXT: OnceLock<String> = OnceLock::new();
    let text = TEXT.get_or_init(rampart_model::json_schema);
    ([(header::CONTENT_TYPE, "application/json")], text.clone()).into_response()
}

#[derive(Serialize, JsonSchema)]
pub struct TemplateInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub components: usize,
    pub flows: usize,
}

#[derive(Serialize, JsonSchema)]
pub struct TemplateList {
    pub items: Vec<TemplateInfo>,
}

#[derive(Serialize, JsonSchema)]
pub struct Template {
    #[serde(flatten)]
    pub info: TemplateInfo,
    /// The model, as `createModel` takes it in `model`.
    pub model: Value,
}

mod files {
    include!(concat!(env!("OUT_DIR"), "/templates.rs"));
}

/// The shipped templates, read once. A template that does not read is left
/// out (and logged): the tests check that every shipped one reads.
fn templates(kb: &KnowledgeBase) -> &'static [Template] {
    static TEMPLATES: OnceLock<Vec<Template>> = OnceLock::new();
    TEMPLATES.get_or_init(|| {
        files::TEMPLATE_FILES
            .iter()
            .filter_map(|(file, bytes)| {
                let id = file.trim_end_matches(".yaml").to_string();
                let text = String::from_utf8_lossy(bytes);
                match analysis::read_stored(kb, &text) {
                    Ok(model) => Some(Template {
                        info: TemplateInfo {
                            id,
                            name: model.name.clone(),
                            description: model.description.clone().unwrap_or_default(),
                            components: model.components.len(),
                            flows: model.flows.len(),
                        },
                        model: serde_json::to_value(&model).unwrap_or(Value::Null),
                    }),
                    Err(error) => {
                        tracing::error!(template = %file, error = %error.message, "a shipped template does not read");
                        None
                    }
                }
            })
            .collect()
    })
}

async fn list_templates(State(state): State<AppState>, _caller: Caller) -> axum::Json<TemplateList> {
    let items = templates(&state.kb)
        .iter()
        .map(|t| TemplateInfo {
            id: t.info.id.clone(),
            name: t.info.name.clone(),
            description: t.info.description.clone(),
            components: t.info.components,
            flows: t.info.flows,
        })
        .collect();
    axum::Json(TemplateList { items })
}

async fn get_template(
    State(state): State<AppState>,
    _caller: Caller,
    Path(template): Path<String>,
) -> ApiResult<axum::Json<&'static Template>> {
    templates(&state.kb)
        .iter()
        .find(|t| t.info.id == template)
        .map(axum::Json)
        .ok_or_else(|| ApiError::not_found(&format!("template `{template}`")))
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// The model as a JSON object (what `getVersion` returns in `model`).
    #[schemars(with = "Option<Value>")]
    pub model: Option<Box<serde_json::value::RawValue>>,
    /// Or the document as text: a Rampart model in YAML or JSON.
    pub document: Option<String>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewQuery {
    /// One threat's id: answer only that threat, with its whole account
    /// (description, references, the engine's reasoning, countermeasures).
    /// Without it every threat comes as a list entry, which keeps the answer
    /// small enough to send on every change of a large diagram.
    pub threat: Option<String>,
}

/// One threat of a preview: a list entry, and with `?threat=` its whole account.
#[derive(Serialize, JsonSchema)]
pub struct PreviewThreat<'a, 'k, 'm> {
    pub id: &'a str,
    pub rule: &'k str,
    pub title: &'a str,
    pub target: &'a str,
    /// element, flow, data or model.
    pub target_kind: String,
    pub severity: &'static str,
    pub score: f64,
    pub stride: Vec<String>,
    /// The decision stored for this threat if there is one, else what the analysis says.
    pub status: &'static str,
    pub owner: Option<&'a str>,
    pub due_date: Option<&'a str>,
    /// Whether the model's saved head raises this threat: only then has it a
    /// stored decision and comments to read (`getThreat`).
    pub stored: bool,
    /// The threat was accepted until a date that has passed: it counts as unresolved again.
    pub expired: bool,
    #[serde(flatten)]
    pub account: Option<PreviewAccount<'a, 'k, 'm>>,
}

/// What `?threat=` adds to its threat.
#[derive(Serialize, JsonSchema)]
pub struct PreviewAccount<'a, 'k, 'm> {
    pub description: &'k str,
    pub references: &'k [String],
    /// The engine's account: because, risk factors, countermeasures, CWE/CAPEC/ATT&CK mappings.
    #[schemars(with = "Value")]
    pub analysis: &'a ThreatInstance<'k, 'm>,
    /// Each countermeasure with its name, description and implementation guidance.
    #[schemars(with = "Vec<Value>")]
    pub countermeasures: Vec<CountermeasureDetail<'a, 'k>>,
}

/// Documents the answer; the handler writes the same shape from borrowed parts.
#[derive(Serialize, JsonSchema)]
pub struct Preview {
    pub summary: VersionSummary,
    pub threats: Vec<PreviewThreat<'static, 'static, 'static>>,
    /// What the document means that could surprise: validation warnings.
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
struct PreviewOut<'a, 'k, 'm> {
    summary: VersionSummary,
    threats: Vec<PreviewThreat<'a, 'k, 'm>>,
    warnings: &'a [String],
}

async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    Path(model_id): Path<String>,
    Query(query): Query<PreviewQuery>,
    Body(request): Body<PreviewRequest>,
) -> ApiResult<Response> {
    caller.model(&state, &model_id).await?;
    // Read as a save reads it, so that positions in the preview are those
    // the saved version will have.
    enum Sent {
        Json(Box<serde_json::value::RawValue>),
        Text(String),
    }
    let sent = match (request.model, request.document) {
        (Some(model), None) => Sent::Json(model),
        (None, Some(document)) => Sent::Text(document),
        _ => return Err(ApiError::invalid_field("model", "send either `model` (JSON) or `document` (text)")),
    };
    let rows = sqlx::query("SELECT threat_id, owner, due_date FROM threat_states WHERE model_id = $1")
        .bind(&model_id)
        .fetch_all(&state.db.pool)
        .await?;
    let mut assigned: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
    for row in rows {
        assigned.insert(row.try_get("threat_id")?, (row.try_get("owner")?, row.try_get("due_date")?));
    }
    let stored: HashSet<String> =
        sqlx::query_scalar("SELECT threat_id FROM threats WHERE model_id = $1 AND until_version IS NULL")
            .bind(&model_id)
            .fetch_all(&state.db.pool)
            .await?
            .into_iter()
            .collect();
    let decisions = super::threats::tracking_entries(&state, &model_id).await?;
    let wanted = query.threat;
    let kb = state.kb.clone();
    let body = crate::cpu::run_cpu(move || -> ApiResult<String> {
        let prepared = match &sent {
            Sent::Json(model) => analysis::prepare_json_model(&kb, "model.json", model.get())?,
            Sent::Text(document) => analysis::prepare(&kb, "model.yaml", document, Some("rampart"))?,
        };
        let warnings = prepared.warnings;
        let model = analysis::with_states(&prepared.model, decisions);
        let library = analysis::library_for(&kb, &model);
        let result = rampart_engine::analyze(&model, &library, &analysis::options());
        let countermeasures = analysis::countermeasures_by_id(&library);
        let threats: Vec<PreviewThreat> = result
            .threats
            .iter()
            .filter(|threat| wanted.as_deref().is_none_or(|id| id == threat.id))
            .map(|threat| {
                let rule = &library.threats[threat.rule_index];
                let (owner, due_date) = match assigned.get(&threat.id) {
                    Some((owner, due)) => (owner.as_deref(), due.as_deref()),
                    None => (None, None),
                };
                PreviewThreat {
                    id: &threat.id,
                    rule: threat.rule,
                    title: threat.title,
                    target: &threat.target.id,
                    target_kind: analysis::target_kind_name(threat.target.kind).to_string(),
                    severity: analysis::severity_name(threat.current.severity),
                    score: f64::from(threat.current.score),
                    stride: threat.stride.iter().map(|s| format!("{s:?}").to_lowercase()).collect(),
                    status: rampart_engine::status_label(threat.status),
                    owner,
                    due_date,
                    stored: stored.contains(&threat.id),
                    expired: threat.tracking.as_ref().is_some_and(|t| t.expired),
                    account: wanted.is_some().then(|| PreviewAccount {
                        description: &rule.description,
                        references: &rule.references,
                        analysis: threat,
                        countermeasures: analysis::countermeasure_details(threat, &countermeasures),
                    }),
                }
            })
            .collect();
        if let Some(id) = &wanted
            && threats.is_empty()
        {
            return Err(ApiError::not_found(&format!("threat `{id}` in this document")));
        }
        let out = PreviewOut { summary: analysis::summarize(&model, &result), threats, warnings: &warnings };
        serde_json::to_string(&out).map_err(|error| ApiError::internal("cannot write the analysis", error))
    })
    .await??;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
