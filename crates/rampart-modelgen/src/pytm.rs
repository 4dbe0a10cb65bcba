//! Writes a Rampart model as an OWASP pytm script describing the same
//! architecture, so both tools can be timed on identical input.
//!
//! Written against pytm 1.4 (the pydantic rewrite) and only using attributes
//! that older releases also have. The mapping is as close as the two formats
//! allow:
//!
//! - boundaries → `Boundary`, nested with `inBoundary`;
//! - `user` and `administrator` actors → `Actor` (`isAdmin` for the latter),
//!   other actors → `ExternalEntity`;
//! - data stores → `Datastore` (`isSQL`, `type`, `storesPII`...), background
//!   workers → `Lambda`, gRPC and generic services and SPAs → `Process`, every
//!   other process → `Server`;
//! - data assets → `Data` with a `Classification` from the confidentiality
//!   rating and `isPII`/`isCredentials` from the categories;
//! - flows → `Dataflow` with protocol, port, encryption, authentication,
//!   authorization and data. pytm 1.4 copies the sink's `protocol`, `port`
//!   and `controls.isEncrypted` onto every flow into it when it checks the
//!   model, so the sink also gets those of most of its inbound flows;
//! - countermeasures → the pytm controls that mean the same
//!   (`input-validation` → `validatesInput` + `sanitizesInput`,
//!   `parameterized-queries` → `usesParameterizedInput`,
//!   `transport-encryption` → `isEncrypted`); `web-application-firewall` and
//!   exposure have no pytm equivalent.
//!
//! The script ends with `tm.process()` under `if __name__ == "__main__"`, so it
//! is run like any pytm model: `python3 tm.py --json out.json` checks the
//! model, runs the threat analysis (`tm.resolve()`) and writes the findings.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

use rampart_model::{Authentication, Authorization, DataAsset, Model, Rating};

/// Protocols the shipped knowledge base declares encrypted by default.
const ENCRYPTED_PROTOCOLS: &[&str] = &["https", "tls", "ldaps", "ssh"];

fn literal(text: &str) -> String {
    // A JSON string literal is a valid Python string literal.
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

fn classification(rating: Rating) -> &'static str {
    match rating {
        Rating::Low => "Classification.PUBLIC",
        Rating::Medium => "Classification.RESTRICTED",
        Rating::High => "Classification.SENSITIVE",
        Rating::Critical => "Classification.SECRET",
    }
}

fn port(protocol: &str) -> i32 {
    match protocol {
        "https" | "tls" | "websocket" => 443,
        "http" => 80,
        "grpc" => 50051,
        "sql" => 5432,
        "redis" => 6379,
        "amqp" => 5672,
        "kafka" => 9092,
        "ldap" => 389,
        "ldaps" => 636,
        "smtp" => 25,
        "ssh" => 22,
        "ftp" => 21,
        "dns" => 53,
        _ => -1,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Server,
    Process,
    Lambda,
    Datastore,
}

fn class_of(kind: &str) -> Class {
    match kind {
        "relational-database"
        | "document-database"
        | "key-value-store"
        | "cache"
        | "object-storage"
        | "file-share"
        | "message-queue"
        | "event-stream"
        | "search-index"
        | "secrets-vault" => Class::Datastore,
        "background-worker" => Class::Lambda,
        "grpc-service" | "service" | "spa" => Class::Process,
        "web-app" | "rest-api" | "graphql-api" | "identity-provider" | "api-gateway" | "waf" | "reverse-proxy"
        | "load-balancer" | "cdn" => Class::Server,
        other
            if ["database", "store", "storage", "cache", "queue", "stream", "index", "vault", "share"]
                .iter()
                .any(|word| other.contains(word)) =>
        {
            Class::Datastore
        }
        _ => Class::Server,
    }
}

fn authentication_scheme(authentication: Authentication) -> &'static str {
    match authentication {
        Authentication::None => "",
        Authentication::Password => "password",
        Authentication::Session => "session",
        Authentication::ApiKey => "api-key",
        Authentication::Token => "token",
        Authentication::Oauth2 => "oauth2",
        Authentication::MutualTls => "mutual-tls",
        Authentication::CloudIam => "cloud-iam",
        Authentication::Kerberos => "kerberos",
        Authentication::Other => "other",
    }
}

/// What is known of the inbound flows of an element.
#[derive(Default)]
struct Inbound {
    protocols: BTreeMap<String, usize>,
    flows: usize,
    encrypted: usize,
    authenticated: usize,
    authorized: usize,
}

/// Writes `model` as a pytm script.
pub fn to_pytm(model: &Model) -> String {
    let mut out = String::with_capacity(200 * (model.flows.len() + model.components.len()) + 4096);
    let data_by_id: HashMap<&str, &DataAsset> = model.data.iter().map(|data| (data.id.value.as_str(), data)).collect();

    // What each element handles, for `maxClassification`, and what comes in.
    let mut handled: HashMap<&str, Rating> = HashMap::new();
    let mut inbound: HashMap<&str, Inbound> = HashMap::new();
    for component in &model.components {
        for data in component.stores.iter().chain(&component.processes) {
            note(&mut handled, &data_by_id, &component.id.value, &data.value);
        }
    }
    for flow in &model.flows {
        for data in &flow.data {
            note(&mut handled, &data_by_id, &flow.from.value, &data.value);
            note(&mut handled, &data_by_id, &flow.to.value, &data.value);
        }
        let entry = inbound.entry(flow.to.value.as_str()).or_default();
        *entry.protocols.entry(flow.protocol.value.clone()).or_default() += 1;
        entry.flows += 1;
        entry.encrypted += usize::from(encrypted(flow));
        entry.authenticated += usize::from(flow.authentication != Authentication::None);
        entry.authorized += usize::from(flow.authorization != Authorization::None);
    }

    let element_count = model.actors.len() + model.components.len();
    let _ = writeln!(out, "#!/usr/bin/env python3");
    let _ = writeln!(
        out,
        "\"\"\"OWASP pytm version of the Rampart model {}, generated by rampart-modelgen.\n\n\
         {} boundaries, {element_count} elements ({} components), {} data assets, {} flows.\n\n\
         Run it as any pytm model:\n\
         \x20   python3 tm.py --json findings.json   # check, run the threat analysis (tm.resolve()), write findings\n\
         \x20   python3 tm.py --report template.md   # the same, rendered with a report template\n\
         \x20   python3 tm.py                        # build and check the model only\n\"\"\"\n",
        literal(&model.name),
        model.boundaries.len(),
        model.components.len(),
        model.data.len(),
        model.flows.len(),
    );
    let _ = writeln!(
        out,
        "from pytm import TM, Actor, Boundary, Classification, Data, Dataflow, Datastore, DatastoreType, \
         ExternalEntity, Lambda, Process, Server\n"
    );
    let _ = writeln!(out, "tm = TM({})", literal(&model.name));
    let description = model.description.as_deref().unwrap_or("Generated by rampart-modelgen.");
    let _ = writeln!(out, "tm.description = {}\n", literal(description));

    // Boundaries: all first, then their nesting, since a parent may come later.
    let _ = writeln!(out, "b = {{}}");
    for boundary in &model.boundaries {
        let name = boundary.name.as_deref().unwrap_or(&boundary.id.value);
        let _ = writeln!(out, "b[{}] = Boundary({})", literal(&boundary.id.value), literal(name));
    }
    for boundary in &model.boundaries {
        if let Some(parent) = &boundary.parent {
            let _ = writeln!(out, "b[{}].inBoundary = b[{}]", literal(&boundary.id.value), literal(&parent.value));
        }
    }

    // Data.
    let _ = writeln!(out, "\nd = {{}}");
    let stored: HashSet<&str> =
        model.components.iter().flat_map(|c| c.stores.iter().map(|d| d.value.as_str())).collect();
    for data in &model.data {
        let has = |wanted: &[&str]| data.categories.iter().any(|c| wanted.contains(&c.value.as_str()));
        let _ = writeln!(
            out,
            "d[{id}] = Data({name}, description={id}, classification={}, isPII={}, isCredentials={}, isStored={})",
            classification(data.confidentiality),
            py_bool(has(&["pii", "health"])),
            py_bool(has(&["credentials", "secrets"])),
            py_bool(stored.contains(data.id.value.as_str())),
            id = literal(&data.id.value),
            name = literal(data.name.as_deref().unwrap_or(&data.id.value)),
        );
    }

    // Actors and components.
    let _ = writeln!(out, "\ne = {{}}");
    for actor in &model.actors {
        let id = literal(&actor.id.value);
        let name = literal(actor.name.as_deref().unwrap_or(&actor.id.value));
        match actor.kind.value.as_str() {
            "user" => {
                let _ = writeln!(out, "e[{id}] = Actor({name})");
            }
            "administrator" => {
                let _ = writeln!(out, "e[{id}] = Actor({name})\ne[{id}].isAdmin = True");
            }
            _ => {
                let _ = writeln!(out, "e[{id}] = ExternalEntity({name})");
            }
        }
        if let Some(boundary) = &actor.boundary {
            let _ = writeln!(out, "e[{id}].inBoundary = b[{}]", literal(&boundary.value));
        }
        if let Some(rating) = handled.get(actor.id.value.as_str()) {
            let _ = writeln!(out, "e[{id}].maxClassification = {}", classification(*rating));
        }
        if let Some(inbound) = inbound.get(actor.id.value.as_str()) {
            inbound_attributes(&mut out, &id, inbound);
        }
    }
    for component in &model.components {
        let id = literal(&component.id.value);
        let name = literal(component.name.as_deref().unwrap_or(&component.id.value));
        let kind = component.kind.value.as_str();
        let class = class_of(kind);
        let set = |out: &mut String, attribute: &str, value: &str| {
            let _ = writeln!(out, "e[{id}].{attribute} = {value}");
        };
        let constructor = match class {
            Class::Server => "Server",
            Class::Process => "Process",
            Class::Lambda => "Lambda",
            Class::Datastore => "Datastore",
        };
        let _ = writeln!(out, "e[{id}] = {constructor}({name})");
        if let Some(boundary) = &component.boundary {
            set(&mut out, "inBoundary", &format!("b[{}]", literal(&boundary.value)));
        }
        if let Some(technology) = &component.technology {
            set(&mut out, "description", &literal(technology));
        }
        if let Some(rating) = handled.get(component.id.value.as_str()) {
            set(&mut out, "maxClassification", classification(*rating));
        }
        let has_capability = |wanted: &str| component.capabilities.iter().any(|c| c.value == wanted);
        let accepts = |wanted: &str| component.accepts.iter().any(|f| f.value == wanted);
        match class {
            Class::Datastore => {
                let datastore_type = match kind {
                    "relational-database" => "DatastoreType.SQL",
                    "object-storage" => "DatastoreType.AWS_S3",
                    "file-share" => "DatastoreType.FILE_SYSTEM",
                    _ => "DatastoreType.UNKNOWN",
                };
                set(&mut out, "type", datastore_type);
                if kind != "relational-database" {
                    set(&mut out, "isSQL", "False");
                }
                let stores_category = |wanted: &[&str]| {
                    component
                        .stores
                        .iter()
                        .filter_map(|d| data_by_id.get(d.value.as_str()))
                        .any(|asset| asset.categories.iter().any(|c| wanted.contains(&c.value.as_str())))
                };
                if stores_category(&["pii", "health"]) {
                    set(&mut out, "storesPII", "True");
                }
                if stores_category(&["telemetry"]) {
                    set(&mut out, "storesLogData", "True");
                }
                let sensitive = component
                    .stores
                    .iter()
                    .filter_map(|d| data_by_id.get(d.value.as_str()))
                    .any(|asset| asset.confidentiality >= Rating::High);
                if sensitive {
                    set(&mut out, "storesSensitiveData", "True");
                }
            }
            Class::Server => {
                if has_capability("sessions") {
                    set(&mut out, "usesSessionTokens", "True");
                }
                if accepts("xml") {
                    set(&mut out, "usesXMLParser", "True");
                }
            }
            Class::Process | Class::Lambda => {
                if matches!(kind, "grpc-service" | "rest-api" | "graphql-api") || has_capability("verifies-tokens") {
                    set(&mut out, "implementsAPI", "True");
                }
                if kind == "spa" {
                    set(&mut out, "allowsClientSideScripting", "True");
                }
            }
        }
        if let Some(inbound) = inbound.get(component.id.value.as_str()) {
            inbound_attributes(&mut out, &id, inbound);
        }
        for control in &component.controls {
            match control.value.as_str() {
                "input-validation" => {
                    set(&mut out, "controls.validatesInput", "True");
                    set(&mut out, "controls.sanitizesInput", "True");
                }
                "parameterized-queries" => set(&mut out, "controls.usesParameterizedInput", "True"),
                "transport-encryption" => set(&mut out, "controls.isEncrypted", "True"),
                _ => {}
            }
        }
    }

    // Flows: one call each to a helper that sets the attributes a hand-written
    // model would, so that CPython compiles a script of reasonable size.
    let _ = writeln!(
        out,
        "\n\ndef flow(source, sink, name, protocol, port, encrypted, scheme, authorized, sessions, validated, data):\n\
         \x20   f = Dataflow(source, sink, name)\n\
         \x20   f.protocol = protocol\n\
         \x20   if port > 0:\n\
         \x20       f.dstPort = port\n\
         \x20   f.controls.isEncrypted = encrypted\n\
         \x20   if scheme:\n\
         \x20       f.controls.authenticatesSource = True\n\
         \x20       f.controls.implementsAuthenticationScheme = True\n\
         \x20       f.controls.authenticationScheme = scheme\n\
         \x20   if authorized:\n\
         \x20       f.controls.authorizesSource = True\n\
         \x20   if sessions:\n\
         \x20       f.usesSessionTokens = True\n\
         \x20   if validated:\n\
         \x20       f.controls.validatesInput = True\n\
         \x20       f.controls.sanitizesInput = True\n\
         \x20   if data:\n\
         \x20       f.data = data\n\
         \x20   return f\n"
    );
    let node_name: HashMap<&str, &str> = model
        .actors
        .iter()
        .map(|a| (a.id.value.as_str(), a.name.as_deref().unwrap_or(&a.id.value)))
        .chain(model.components.iter().map(|c| (c.id.value.as_str(), c.name.as_deref().unwrap_or(&c.id.value))))
        .collect();
    for flow in &model.flows {
        let name = match &flow.name {
            Some(name) => name.clone(),
            None => format!(
                "{} to {}",
                node_name.get(flow.from.value.as_str()).unwrap_or(&flow.from.value.as_str()),
                node_name.get(flow.to.value.as_str()).unwrap_or(&flow.to.value.as_str())
            ),
        };
        let data: Vec<String> = flow.data.iter().map(|d| format!("d[{}]", literal(&d.value))).collect();
        let validated = flow.controls.iter().any(|c| c.value == "input-validation");
        let _ = writeln!(
            out,
            "flow(e[{}], e[{}], {}, {}, {}, {}, {}, {}, {}, {}, [{}])",
            literal(&flow.from.value),
            literal(&flow.to.value),
            literal(&name),
            literal(&flow.protocol.value.to_ascii_uppercase()),
            port(&flow.protocol.value),
            py_bool(encrypted(flow)),
            literal(authentication_scheme(flow.authentication)),
            py_bool(flow.authorization != Authorization::None),
            py_bool(flow.authentication == Authentication::Session),
            py_bool(validated),
            data.join(", "),
        );
    }

    let _ = writeln!(out, "\nif __name__ == \"__main__\":\n    tm.process()");
    out
}

/// The protocol, port and encryption of most flows into an element, and
/// whether they all authenticate and authorize. pytm copies the sink's
/// protocol, port and encryption onto each flow when it checks the model.
fn inbound_attributes(out: &mut String, id: &str, inbound: &Inbound) {
    let mut set = |attribute: &str, value: &str| {
        let _ = writeln!(out, "e[{id}].{attribute} = {value}");
    };
    let Some((protocol, _)) = inbound.protocols.iter().max_by_key(|(_, count)| **count) else { return };
    set("protocol", &literal(&protocol.to_ascii_uppercase()));
    if port(protocol) > 0 {
        set("port", &port(protocol).to_string());
    }
    if inbound.encrypted * 2 > inbound.flows {
        set("controls.isEncrypted", "True");
    }
    if inbound.authenticated > 0 {
        set("controls.implementsAuthenticationScheme", "True");
    }
    if inbound.authenticated == inbound.flows {
        set("controls.authenticatesSource", "True");
    }
    if inbound.authorized == inbound.flows {
        set("controls.authorizesSource", "True");
        set("controls.hasAccessControl", "True");
    }
}

/// Records that `element` handles `data`, keeping the highest confidentiality.
fn note<'m>(
    handled: &mut HashMap<&'m str, Rating>,
    data_by_id: &HashMap<&str, &DataAsset>,
    element: &'m str,
    data: &str,
) {
    if let Some(asset) = data_by_id.get(data) {
        let entry = handled.entry(element).or_insert(asset.confidentiality);
        *entry = (*entry).max(asset.confidentiality);
    }
}

fn encrypted(flow: &rampart_model::Flow) -> bool {
    flow.encrypted.unwrap_or(ENCRYPTED_PROTOCOLS.contains(&flow.protocol.value.as_str()))
        || flow.controls.iter().any(|c| c.value == "transport-encryption")
}

fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}
