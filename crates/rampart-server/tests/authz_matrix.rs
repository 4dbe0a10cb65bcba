//! The authorisation matrix: every endpoint × every kind of caller × a
//! target in the caller's grant, another project of the same organisation,
//! and a project of another organisation, on each database.
//!
//! The expectations are this file's own table (keyed by operation id), not
//! derived from the server: the test fails when an endpoint is missing from
//! the table, when the table names one that no longer exists, when an allowed
//! request is refused, and when a denied one is let through. At the end it
//! checks that no change reached another organisation or a project its
//! caller could not see, through the audit log and the rows themselves.

#[path = "support/server.rs"]
mod server;

use std::collections::{BTreeSet, HashMap};

use rampart_server::auth::Role;
use serde_json::{Value, json};
use server::{Backend, Client, PASSWORD, Reply, TestServer, backends, example};

/// Who may call an operation.
#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Anyone, signed in or not.
    Public,
    /// Public, but single sign-on is not configured here: always 404 (tests/oidc_login.rs covers it).
    SingleSignOn,
    /// Any signed-in caller, tokens included.
    Anyone,
    /// A person signed in with a session; API tokens are refused.
    SessionOnly,
    /// An administrator of the organisation (signed in).
    OrgAdmin,
    /// At least this role on the business unit.
    Unit(Role),
    /// At least this role on the project (or the model's project).
    Project(Role),
    /// At least this role on the project, and signed in as a person.
    ProjectSession(Role),
}

/// The expectation table, written by hand from the product's role model.
fn expectations() -> HashMap<&'static str, Rule> {
    use Role::{Admin, Developer, Viewer};
    use Rule::*;
    HashMap::from([
        ("health", Public),
        ("openapi", Public),
        ("apiDocs", Public),
        ("login", Public),
        ("oidcLogin", SingleSignOn),
        ("oidcCallback", SingleSignOn),
        ("logout", SessionOnly),
        ("changePassword", SessionOnly),
        ("getSession", Anyone),
        ("getSignInMethods", Public),
        ("listTokens", SessionOnly),
        ("createToken", SessionOnly),
        ("revokeToken", SessionOnly),
        ("listUsers", OrgAdmin),
        ("createUser", OrgAdmin),
        ("updateUser", OrgAdmin),
        ("listBusinessUnits", Anyone),
        ("createBusinessUnit", OrgAdmin),
        ("getBusinessUnit", Unit(Viewer)),
        ("updateBusinessUnit", Unit(Admin)),
        ("listBusinessUnitMembers", Unit(Admin)),
        ("setBusinessUnitMember", Unit(Admin)),
        ("removeBusinessUnitMember", Unit(Admin)),
        ("listProjects", Anyone),
        ("createProject", Unit(Admin)),
        ("getProject", Project(Viewer)),
        ("updateProject", Project(Admin)),
        ("listProjectMembers", Project(Admin)),
        ("setProjectMember", Project(Admin)),
        ("removeProjectMember", Project(Admin)),
        ("listProjectTokens", Project(Admin)),
        ("createProjectToken", ProjectSession(Admin)),
        ("revokeProjectToken", Project(Admin)),
        ("listModels", Project(Viewer)),
        ("createModel", Project(Developer)),
        ("importModel", Project(Developer)),
        ("getModel", Project(Viewer)),
        ("saveModel", Project(Developer)),
        ("deleteModel", Project(Admin)),
        ("listVersions", Project(Viewer)),
        ("getVersion", Project(Viewer)),
        ("diffVersions", Project(Viewer)),
        ("rollbackModel", Project(Developer)),
        ("downloadReport", Project(Viewer)),
        ("listThreats", Project(Viewer)),
        ("getThreat", Project(Viewer)),
        ("updateThreat", Project(Developer)),
        ("listComments", Project(Viewer)),
        ("addComment", Project(Developer)),
        ("listCountermeasures", Project(Viewer)),
        ("updateCountermeasure", Project(Developer)),
        ("listAudit", OrgAdmin),
        ("listJobs", OrgAdmin),
        ("createJob", OrgAdmin),
        ("getJob", OrgAdmin),
        ("listSecrets", Project(Admin)),
        ("setSecret", Project(Admin)),
        ("deleteSecret", Project(Admin)),
        ("getCatalog", Anyone),
        ("getModelSchema", Anyone),
        ("listTemplates", Anyone),
        ("getTemplate", Anyone),
        ("previewAnalysis", Project(Viewer)),
    ])
}

#[test]
fn every_endpoint_is_in_the_matrix_and_every_entry_is_an_endpoint() {
    let table = expectations();
    let endpoints = rampart_server::api::endpoints();
    let mut problems = Vec::new();
    for endpoint in &endpoints {
        match table.get(endpoint.operation_id) {
            None => problems.push(format!("add {} to the authorisation matrix", endpoint.operation_id)),
            Some(rule) => {
                let public = matches!(rule, Rule::Public | Rule::SingleSignOn);
                if public == endpoint.authenticated {
                    problems.push(format!(
                        "{}: the matrix says public={public}, the endpoint says authenticated={}",
                        endpoint.operation_id, endpoint.authenticated
                    ));
                }
            }
        }
    }
    let known: BTreeSet<&str> = endpoints.iter().map(|e| e.operation_id).collect();
    for operation in table.keys() {
        if !known.contains(operation) {
            problems.push(format!("the authorisation matrix names {operation}, which is no longer an endpoint"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Anonymous,
    Session,
    PersonalToken,
    ProjectToken,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Org {
    A,
    B,
}

/// What a target is: one business unit, project and model, and the ids that go with them.
#[derive(Clone, Debug)]
struct Target {
    label: &'static str,
    org: Org,
    unit: String,
    project: String,
    model: String,
    threat: String,
    countermeasure: String,
    job: String,
    /// A user of the target's organisation that no caller is: members and account changes act on it.
    spare_user: String,
    /// A personal token of that spare user (someone else's token).
    spare_token: String,
}

/// One caller and, by hand, what it may do: its roles per business unit and project.
struct Caller {
    name: &'static str,
    client: Client,
    kind: Kind,
    org: Org,
    org_admin: bool,
    units: HashMap<String, Role>,
    projects: HashMap<String, Role>,
}

/// The fixtures: two organisations, each with an administrator.
struct World {
    admin_a: Client,
    admin_b: Client,
    targets: Vec<Target>,
    callers: Vec<Caller>,
    document: String,
    /// Users of organisation A and B, by id.
    users_a: BTreeSet<String>,
    users_b: BTreeSet<String>,
    /// The administrator of organisation A: the only one who may change its other project.
    admin_a_id: String,
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_else(|| panic!("an id in {value}")).to_string()
}

/// A path segment with the few characters ids may hold that a URL would not take as is.
fn segment(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '-' | '_' | '.' | '~' => c.to_string(),
            other => {
                let mut bytes = [0u8; 4];
                other.encode_utf8(&mut bytes).bytes().map(|b| format!("%{b:02X}")).collect()
            }
        })
        .collect()
}

async fn create_model(admin: &Client, project: &str, name: &str, document: &str) -> String {
    let created = admin
        .ok("POST", &format!("/api/v1/projects/{project}/models"), Some(json!({"name": name, "document": document})))
        .await;
    created["model"]["id"].as_str().expect("model id").to_string()
}

/// A business unit with a project and a model, its first threat and countermeasure, and a job.
async fn target(
    admin: &Client,
    label: &'static str,
    org: Org,
    names: (&str, &str),
    document: &str,
    spare: (&str, &str),
) -> Target {
    let unit = id(&admin.ok("POST", "/api/v1/business-units", Some(json!({"name": names.0}))).await);
    let project =
        id(&admin.ok("POST", "/api/v1/projects", Some(json!({"name": names.1, "business_unit_id": unit}))).await);
    let model = create_model(admin, &project, "model", document).await;
    let threats = admin.ok("GET", &format!("/api/v1/models/{model}/threats?limit=1"), None).await;
    let threat = id(&threats["items"][0]);
    let countermeasures = admin.ok("GET", &format!("/api/v1/models/{model}/countermeasures"), None).await;
    let countermeasure = id(&countermeasures[0]);
    let job = id(&admin.ok("POST", "/api/v1/jobs", Some(json!({"kind": "reanalyze"}))).await);
    admin.ok("PUT", &format!("/api/v1/projects/{project}/secrets/tracker"), Some(json!({"value": "s3cret"}))).await;
    Target {
        label,
        org,
        unit,
        project,
        model,
        threat,
        countermeasure,
        job,
        spare_user: spare.0.to_string(),
        spare_token: spare.1.to_string(),
    }
}

/// A user with a personal token of its own: (user id, token id).
async fn spare_user(server: &TestServer, organisation: &str, username: &str) -> (String, String) {
    let user = server.create_user(organisation, username, false).await;
    let client = server.login(username).await;
    let token = client.ok("POST", "/api/v1/tokens", Some(json!({"name": "own"}))).await;
    (user, id(&token))
}

async fn grant(admin: &Client, scope: &str, scope_id: &str, user: &str, role: Role) {
    admin.ok("PUT", &format!("/api/v1/{scope}/{scope_id}/members/{user}"), Some(json!({"role": role}))).await;
}

async fn world(server: &TestServer) -> World {
    let document = example("ecommerce.yaml");
    let admin_a = server.organisation_admin("Acme", "acme-admin").await;
    let admin_b = server.organisation_admin("Globex", "globex-admin").await;
    let spare_a = spare_user(server, "Acme", "acme-spare").await;
    let spare_b = spare_user(server, "Globex", "globex-spare").await;
    let own = target(&admin_a, "own project", Org::A, ("Retail", "Shop"), &document, (&spare_a.0, &spare_a.1)).await;
    let other = target(
        &admin_a,
        "other project, same organisation",
        Org::A,
        ("Logistics", "Warehouse"),
        &document,
        (&spare_a.0, &spare_a.1),
    )
    .await;
    let foreign = target(
        &admin_b,
        "project of another organisation",
        Org::B,
        ("Research", "Lab"),
        &document,
        (&spare_b.0, &spare_b.1),
    )
    .await;

    let mut users_a = BTreeSet::from([spare_a.0.clone()]);
    let users_b = BTreeSet::from([spare_b.0.clone()]);
    let admin_a_id = session_user(&admin_a).await;
    users_a.insert(admin_a_id.clone());
    let mut callers = vec![
        caller("anonymous", Client::anonymous(&server.base), Kind::Anonymous, Org::A, false, &[], &[]),
        caller(
            "org admin",
            admin_a.clone(),
            Kind::Session,
            Org::A,
            true,
            &[(&own.unit, Role::Admin), (&other.unit, Role::Admin)],
            &[(&own.project, Role::Admin), (&other.project, Role::Admin)],
        ),
    ];
    let roles: [(&'static str, &str, Role); 5] = [
        ("business-unit admin", "business-units", Role::Admin),
        ("project admin", "projects", Role::Admin),
        ("security architect", "projects", Role::SecurityArchitect),
        ("developer", "projects", Role::Developer),
        ("viewer", "projects", Role::Viewer),
    ];
    let mut developer = None;
    for (name, scope, role) in roles {
        let username = name.replace(' ', "-");
        let user = server.create_user("Acme", &username, false).await;
        users_a.insert(user.clone());
        let scope_id = if scope == "projects" { &own.project } else { &own.unit };
        grant(&admin_a, scope, scope_id, &user, role).await;
        let client = server.login(&username).await;
        // A role on a project shows its business unit (as a viewer); a role on the unit covers its projects.
        let unit_role = if scope == "projects" { Role::Viewer } else { role };
        if name == "developer" {
            developer = Some(client.clone());
        }
        callers.push(caller(
            name,
            client,
            Kind::Session,
            Org::A,
            false,
            &[(&own.unit, unit_role)],
            &[(&own.project, role)],
        ));
    }
    let loner = server.create_user("Acme", "no-grant", false).await;
    users_a.insert(loner);
    callers.push(caller(
        "user without a grant",
        server.login("no-grant").await,
        Kind::Session,
        Org::A,
        false,
        &[],
        &[],
    ));

    let developer = developer.expect("the developer");
    for (name, role) in [("developer's token", Role::Developer), ("developer's viewer token", Role::Viewer)] {
        let token = developer.ok("POST", "/api/v1/tokens", Some(json!({"name": name, "role": role}))).await;
        let secret = token["token"].as_str().expect("token").to_string();
        callers.push(caller(
            name,
            developer.with_token(&secret),
            Kind::PersonalToken,
            Org::A,
            false,
            &[(&own.unit, Role::Viewer)],
            &[(&own.project, role)],
        ));
    }
    let project_token = admin_a
        .ok(
            "POST",
            &format!("/api/v1/projects/{}/tokens", own.project),
            Some(json!({"name": "ci", "role": "developer"})),
        )
        .await;
    let secret = project_token["token"].as_str().expect("token").to_string();
    callers.push(caller(
        "project token",
        admin_a.with_token(&secret),
        Kind::ProjectToken,
        Org::A,
        false,
        &[],
        &[(&own.project, Role::Developer)],
    ));
    callers.push(caller(
        "admin of another organisation",
        admin_b.clone(),
        Kind::Session,
        Org::B,
        true,
        &[(&foreign.unit, Role::Admin)],
        &[(&foreign.project, Role::Admin)],
    ));
    let mut users_b = users_b;
    users_b.insert(session_user(&admin_b).await);
    World { admin_a, admin_b, targets: vec![own, other, foreign], callers, document, users_a, users_b, admin_a_id }
}

impl World {
    /// Ids that must appear in no answer to `caller`: what it has no role on, and anything of another organisation.
    fn hidden_from(&self, caller: &Caller) -> Vec<&str> {
        let mut hidden = Vec::new();
        for target in &self.targets {
            if !caller.projects.contains_key(&target.project) {
                hidden.extend([target.project.as_str(), target.model.as_str()]);
            }
            // A project names its business unit, so a role on the project shows the unit's id.
            if !caller.units.contains_key(&target.unit) && !caller.projects.contains_key(&target.project) {
                hidden.push(target.unit.as_str());
            }
            if target.org != caller.org {
                hidden.extend([target.spare_user.as_str(), target.job.as_str()]);
            }
            // Nobody but the spare user sees its personal token.
            hidden.push(target.spare_token.as_str());
        }
        hidden
    }
}

fn caller(
    name: &'static str,
    client: Client,
    kind: Kind,
    org: Org,
    org_admin: bool,
    units: &[(&String, Role)],
    projects: &[(&String, Role)],
) -> Caller {
    Caller {
        name,
        client,
        kind,
        org,
        org_admin,
        units: units.iter().map(|(id, role)| ((*id).clone(), *role)).collect(),
        projects: projects.iter().map(|(id, role)| ((*id).clone(), *role)).collect(),
    }
}

/// Whether the table allows `caller` the operation on `target`. `own_token` says the
/// token named in the path (revokeToken) is the caller's own.
/// An operation that names nothing (`targeted` false) acts on the caller's own organisation.
fn allowed(rule: Rule, caller: &Caller, target: &Target, targeted: bool, own_token: bool) -> bool {
    let at_least = |granted: Option<&Role>, needed: Role| granted.is_some_and(|role| *role >= needed);
    match rule {
        Rule::Public | Rule::SingleSignOn => true,
        _ if caller.kind == Kind::Anonymous => false,
        Rule::Anyone => true,
        Rule::SessionOnly => caller.kind == Kind::Session && own_token,
        Rule::OrgAdmin => caller.kind == Kind::Session && caller.org_admin && (!targeted || caller.org == target.org),
        Rule::Unit(role) => at_least(caller.units.get(&target.unit), role),
        Rule::Project(role) => at_least(caller.projects.get(&target.project), role),
        Rule::ProjectSession(role) => {
            caller.kind == Kind::Session && at_least(caller.projects.get(&target.project), role)
        }
    }
}

/// Whether the operation names something in its path or body, so that each target is a different request.
fn targeted(path: &str, operation: &str) -> bool {
    path.contains('{') || operation == "createProject"
}

struct Request {
    method: &'static str,
    path: String,
    body: Option<Value>,
    upload: Option<Vec<u8>>,
    if_match: bool,
    /// For revokeToken: the token in the path is the caller's.
    own_token: bool,
}

struct Matrix<'a> {
    world: &'a World,
    counter: usize,
    /// Throwaway models and project tokens for DELETE and revoke, by target, until one is used up.
    spare_models: HashMap<String, String>,
    spare_project_tokens: HashMap<String, String>,
}

impl Matrix<'_> {
    fn admin_of(&self, org: Org) -> &Client {
        match org {
            Org::A => &self.world.admin_a,
            Org::B => &self.world.admin_b,
        }
    }

    fn unique(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}-{}", self.counter)
    }

    /// The request for `operation` by `caller` on `target`, creating what it would use up.
    async fn request(&mut self, endpoint: &rampart_server::api::Endpoint, caller: &Caller, target: &Target) -> Request {
        let operation = endpoint.operation_id;
        let admin = self.admin_of(target.org).clone();
        let mut own_token = true;
        let mut params: HashMap<&str, String> = HashMap::from([
            ("unit", target.unit.clone()),
            ("project", target.project.clone()),
            ("model", target.model.clone()),
            ("threat", target.threat.clone()),
            ("countermeasure", target.countermeasure.clone()),
            ("job", target.job.clone()),
            ("user", target.spare_user.clone()),
            ("name", "tracker".to_string()),
            ("format", "json".to_string()),
            ("version", "1".to_string()),
            ("template", "three-tier-web".to_string()),
        ]);
        match operation {
            "deleteModel" => {
                let model = match self.spare_models.get(&target.project) {
                    Some(model) => model.clone(),
                    None => {
                        let name = self.unique("throwaway");
                        let model = create_model(&admin, &target.project, &name, &self.world.document).await;
                        self.spare_models.insert(target.project.clone(), model.clone());
                        model
                    }
                };
                params.insert("model", model);
            }
            "revokeProjectToken" => {
                let token = match self.spare_project_tokens.get(&target.project) {
                    Some(token) => token.clone(),
                    None => {
                        let name = self.unique("throwaway");
                        let path = format!("/api/v1/projects/{}/tokens", target.project);
                        let token = id(&admin.ok("POST", &path, Some(json!({"name": name}))).await);
                        self.spare_project_tokens.insert(target.project.clone(), token.clone());
                        token
                    }
                };
                params.insert("token", token);
            }
            "revokeToken" => {
                // The caller's own fresh token when it can make one and the target is its own; else someone else's.
                if target.label == "own project" && caller.kind == Kind::Session {
                    let name = self.unique("mine");
                    params.insert(
                        "token",
                        id(&caller.client.ok("POST", "/api/v1/tokens", Some(json!({"name": name}))).await),
                    );
                } else {
                    own_token = false;
                    params.insert("token", target.spare_token.clone());
                }
            }
            "removeBusinessUnitMember" => {
                grant(&admin, "business-units", &target.unit, &target.spare_user, Role::Viewer).await
            }
            "removeProjectMember" => grant(&admin, "projects", &target.project, &target.spare_user, Role::Viewer).await,
            "deleteSecret" => {
                let path = format!("/api/v1/projects/{}/secrets/tracker", target.project);
                admin.ok("PUT", &path, Some(json!({"value": "s3cret"}))).await;
            }
            _ => {}
        }
        let mut path = endpoint.path.to_string();
        for (name, value) in &params {
            path = path.replace(&format!("{{{name}}}"), &segment(value));
        }
        assert!(!path.contains('{'), "{operation}: a path parameter has no value: {path}");
        let document = self.world.document.clone();
        let body = match operation {
            "login" => Some(json!({"username": "acme-spare", "password": PASSWORD})),
            // The same password again: allowed, and every caller keeps signing in with it.
            "changePassword" => Some(json!({"current_password": PASSWORD, "new_password": PASSWORD})),
            "createToken" => Some(json!({"name": self.unique("token"), "role": "viewer"})),
            "createUser" => Some(json!({"username": self.unique("new-user"), "password": PASSWORD})),
            "updateUser" => Some(json!({"display_name": "Spare user"})),
            "createBusinessUnit" => Some(json!({"name": self.unique("unit")})),
            "updateBusinessUnit" | "updateProject" => Some(json!({"description": "described"})),
            "setBusinessUnitMember" | "setProjectMember" => Some(json!({"role": "viewer"})),
            "createProject" => Some(json!({"name": self.unique("project"), "business_unit_id": target.unit})),
            "createProjectToken" => Some(json!({"name": self.unique("ci"), "role": "developer"})),
            "createModel" => Some(json!({"name": self.unique("model"), "document": document})),
            "saveModel" => Some(json!({"document": document, "message": "saved again"})),
            "rollbackModel" => Some(json!({"version": 1})),
            "updateThreat" => Some(json!({"owner": "someone"})),
            "addComment" => Some(json!({"body": "a comment"})),
            "updateCountermeasure" => Some(json!({"status": "implemented"})),
            "createJob" => Some(json!({"kind": "reanalyze"})),
            "setSecret" => Some(json!({"value": "s3cret"})),
            "previewAnalysis" => Some(json!({"document": document})),
            _ => None,
        };
        match operation {
            "importModel" => {
                path.push_str(&format!("?name={}&format=auto&file_name=model.yaml", self.unique("import")))
            }
            "diffVersions" => path.push_str("?from=1&to=1"),
            _ => {}
        }
        let upload = (operation == "importModel").then(|| document.into_bytes());
        let if_match = matches!(operation, "saveModel" | "rollbackModel" | "updateThreat" | "updateCountermeasure");
        Request { method: endpoint.method.as_str(), path, body, upload, if_match, own_token }
    }

    async fn send(caller: &Caller, request: &Request) -> Reply {
        if let Some(bytes) = &request.upload {
            return caller.client.upload(&request.path, bytes.clone()).await;
        }
        let headers: &[(&str, &str)] = if request.if_match { &[("if-match", "*")] } else { &[] };
        caller.client.send_with(request.method, &request.path, headers, request.body.clone()).await
    }

    /// Notes what was used up by a request that succeeded.
    fn used(&mut self, operation: &str, target: &Target) {
        match operation {
            "deleteModel" => {
                self.spare_models.remove(&target.project);
            }
            "revokeProjectToken" => {
                self.spare_project_tokens.remove(&target.project);
            }
            _ => {}
        }
    }
}

/// Whether a refusal is one of the refusals the matrix accepts.
/// An administrator of another organisation passes every role check, so what
/// stops it is that the target is not found: it must not learn that it exists.
fn refused_properly(operation: &str, caller: &Caller, target: &Target, targeted: bool, reply: &Reply) -> bool {
    let status = reply.0.as_u16();
    if caller.kind == Kind::Anonymous {
        return status == 401;
    }
    if caller.org_admin && targeted && caller.org != target.org && status == 403 {
        return false;
    }
    // A business unit the caller cannot see is an invalid field of the body; it says no more than 404.
    let invisible_unit = operation == "createProject"
        && status == 400
        && reply.2["error"]["field"] == "business_unit_id"
        && reply.2["error"]["message"] == "no such business unit";
    status == 403 || status == 404 || invisible_unit
}

/// Integration secrets need the server's key, which only the environment gives.
fn set_secret_key() {
    if std::env::var_os(rampart_server::sealed::KEY_VARIABLE).is_none() {
        // SAFETY: set before any server starts, and no other test of this file reads the environment.
        unsafe {
            std::env::set_var(rampart_server::sealed::KEY_VARIABLE, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=")
        };
    }
}

async fn run_matrix(backend: Backend) {
    let server = TestServer::start(backend).await;
    let world = world(&server).await;
    let table = expectations();
    let mut endpoints = rampart_server::api::endpoints();
    // Signing out ends the callers' sessions: last.
    endpoints.sort_by_key(|endpoint| endpoint.operation_id == "logout");
    let mut matrix =
        Matrix { world: &world, counter: 0, spare_models: HashMap::new(), spare_project_tokens: HashMap::new() };
    let mut failures = Vec::new();
    let mut checked = 0;
    for endpoint in &endpoints {
        let operation = endpoint.operation_id;
        let rule = *table.get(operation).unwrap_or_else(|| panic!("add {operation} to the authorisation matrix"));
        let targeted = targeted(endpoint.path, operation);
        let targets: &[Target] = if targeted { &world.targets } else { &world.targets[..1] };
        for caller in &world.callers {
            for target in targets {
                let request = matrix.request(endpoint, caller, target).await;
                let reply = Matrix::send(caller, &request).await;
                checked += 1;
                let status = reply.0.as_u16();
                let expected = allowed(rule, caller, target, targeted, request.own_token);
                let ok = match rule {
                    Rule::SingleSignOn => status == 404,
                    _ if expected => reply.0.is_success(),
                    _ => refused_properly(operation, caller, target, targeted, &reply),
                };
                // Public operations answer the same whoever asks (login names the account it signed in).
                let public = matches!(rule, Rule::Public | Rule::SingleSignOn);
                if reply.0.is_success()
                    && !public
                    && let Some(leak) =
                        world.hidden_from(caller).into_iter().find(|id| reply.2.to_string().contains(id))
                {
                    failures
                        .push(format!("{operation} by {} on {}: the answer names {leak}", caller.name, target.label));
                }
                if reply.0.is_success() {
                    matrix.used(operation, target);
                }
                if !ok {
                    let verdict = if expected { "should be allowed" } else { "should be denied" };
                    failures.push(format!(
                        "{operation} ({} {}) by {} on {}: {verdict}, got {status} {}",
                        request.method, request.path, caller.name, target.label, reply.2
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{backend:?}: {} of {checked} requests broke the matrix:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 500, "the matrix sent only {checked} requests");
    no_change_crossed_a_boundary(&server, &world).await;
}

/// Every recorded change to something of a target was made by someone who
/// may see it: people of its own organisation, and for the project the other
/// callers cannot see, only the organisation's administrator.
async fn no_change_crossed_a_boundary(server: &TestServer, world: &World) {
    let pool = &server.state().db.pool;
    let rows: Vec<(Option<String>, String, String, String)> =
        sqlx::query_as("SELECT actor_id, actor, action, target_id FROM audit_log")
            .fetch_all(pool)
            .await
            .expect("audit");
    let admin_a = &world.admin_a_id;
    let mut problems = Vec::new();
    for target in &world.targets {
        let ids = [&target.unit, &target.project, &target.model, &target.job];
        for (actor_id, actor, action, target_id) in rows.iter().filter(|row| ids.contains(&&row.3)) {
            let permitted = match (target.org, target.label) {
                (Org::B, _) => actor_id.as_ref().is_some_and(|id| world.users_b.contains(id)),
                (Org::A, "own project") => actor_id.as_ref().is_some_and(|id| world.users_a.contains(id)),
                (Org::A, _) => actor_id.as_ref() == Some(admin_a),
            };
            if !permitted {
                problems.push(format!("{action} on {target_id} ({}) by {actor}", target.label));
            }
        }
    }
    assert!(problems.is_empty(), "changes crossed a boundary:\n{}", problems.join("\n"));
    let org_b: String = sqlx::query_scalar("SELECT id FROM organisations WHERE name = 'Globex'")
        .fetch_one(pool)
        .await
        .expect("organisation");
    let projects_in_b: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM projects WHERE org_id = $1")
        .bind(&org_b)
        .fetch_one(pool)
        .await
        .unwrap();
    // Its fixture, and the one its own administrator made in the matrix.
    assert_eq!(projects_in_b, 2, "only the administrator of Globex made projects there");
}

async fn session_user(client: &Client) -> String {
    client.ok("GET", "/api/v1/auth/session", None).await["user"]["id"].as_str().expect("user id").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_allows_exactly_the_callers_the_matrix_names() {
    set_secret_key();
    for backend in backends() {
        run_matrix(backend).await;
    }
}
