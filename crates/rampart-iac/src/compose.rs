//! docker-compose files → Rampart model.
//!
//! Services become components (typed by image), networks become boundaries,
//! published ports expose a service to the internet, and `depends_on`,
//! `links` and URLs in the environment become flows. Several files merge as
//! `docker compose -f a.yml -f b.yml` does, at the level of each service's
//! keys: a later file's `ports:` replaces an earlier one's.

use std::collections::{BTreeMap, BTreeSet};

use rampart_model::{Authentication, Boundary, Component, Exposure, Position, SourceRef};

use crate::IacImport;
use crate::builder::{FlowSpec, ModelBuilder, external_kind, located};
use crate::classify::{self, Known};
use crate::endpoint::{self, Endpoint};
use crate::kubernetes::encryption;
use crate::source::{self, FileDiagnostic, SourceFile};
use crate::yaml::Node;

const DESCRIPTION: &str = "Imported from docker-compose files by `rampart import compose`. Add what the files \
                           cannot say (the data each service handles, how callers authenticate) and re-run the analysis.";

/// A service's key, its value, and the file it was written in.
type Field<'a> = (&'a Node, &'a Node, &'a SourceFile);

struct Service<'a> {
    name: String,
    id: String,
    file: &'a SourceFile,
    /// The `web:` key under `services:`.
    key: &'a Node,
    fields: BTreeMap<String, Field<'a>>,
    known: Option<Known>,
    /// Network names, in the order written.
    networks: Vec<String>,
}

impl<'a> Service<'a> {
    fn get(&self, key: &str) -> Option<&'a Node> {
        self.fields.get(key).map(|(_, value, _)| *value)
    }

    fn field(&self, key: &str) -> Option<Field<'a>> {
        self.fields.get(key).copied()
    }

    fn source(&self) -> SourceRef {
        SourceRef {
            file: self.file.path.clone(),
            line: Some(self.key.at.line),
            resource: Some(format!("services.{}", self.name)),
        }
    }

    fn source_at(&self, file: &SourceFile, at: Position) -> SourceRef {
        SourceRef { file: file.path.clone(), line: Some(at.line), resource: Some(format!("services.{}", self.name)) }
    }
}

pub(crate) fn import(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let mut roots: Vec<(&SourceFile, Node)> = Vec::new();
    for file in files {
        match source::parse_file(file, &mut warnings) {
            Ok(documents) => {
                let mut documents = documents.into_iter().filter(|d| !d.root.is_null());
                match documents.next() {
                    Some(document) if document.root.get("services").is_some_and(Node::is_map) => {
                        roots.push((file, document.root));
                    }
                    Some(document) => warnings.push(FileDiagnostic::warning(
                        &file.path,
                        document.root.at,
                        "no top-level `services:`, so not a compose file; skipped",
                    )),
                    None => warnings.push(FileDiagnostic::warning(
                        &file.path,
                        Position::UNKNOWN,
                        "the file is empty; skipped",
                    )),
                }
                if let Some(extra) = documents.next() {
                    warnings.push(FileDiagnostic::warning(
                        &file.path,
                        extra.root.at,
                        "compose files hold one document; the others are skipped",
                    ));
                }
            }
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        errors.append(&mut warnings);
        source::sort(&mut errors);
        return Err(errors);
    }
    let mut importer = Importer { builder: ModelBuilder::new(warnings), ..Importer::default() };
    importer.run(&roots);
    Ok(importer.builder.finish(name, DESCRIPTION.to_string(), files.len()))
}

#[derive(Default)]
struct Importer {
    builder: ModelBuilder,
    /// Network name → boundary id.
    networks: BTreeMap<String, String>,
    /// Networks declared `internal: true`.
    internal_networks: BTreeSet<String>,
    secrets: BTreeMap<String, String>,
    externals: BTreeMap<String, String>,
    runtime: Option<String>,
}

impl Importer {
    fn run<'a>(&mut self, roots: &'a [(&'a SourceFile, Node)]) {
        let mut services = self.collect_services(roots);
        self.create_boundaries(roots, &services);
        for service in &mut services {
            self.create_component(service);
        }
        for service in &services {
            self.expose(service);
            self.environment_flows(service, &services);
            self.dependency_flows(service, &services);
        }
    }

    fn warn(&mut self, file: &SourceFile, at: Position, message: impl Into<String>) {
        self.builder.warnings.push(FileDiagnostic::warning(&file.path, at, message));
    }

    /// Services merged across files, in name order, with their ids.
    fn collect_services<'a>(&mut self, roots: &'a [(&'a SourceFile, Node)]) -> Vec<Service<'a>> {
        let mut merged: BTreeMap<String, Service<'a>> = BTreeMap::new();
        for (file, root) in roots {
            for (key, _) in root.entries() {
                if key.str() == Some("include") {
                    self.warn(file, key.at, "`include:` is not followed; import the included files too");
                }
            }
            for (key, body) in root.get("services").map(Node::entries).unwrap_or_default() {
                let Some(name) = key.str() else { continue };
                let service = merged.entry(name.to_string()).or_insert_with(|| Service {
                    name: name.to_string(),
                    id: String::new(),
                    file,
                    key,
                    fields: BTreeMap::new(),
                    known: None,
                    networks: Vec::new(),
                });
                for (field, value) in body.entries() {
                    if let Some(field_name) = field.str() {
                        service.fields.insert(field_name.to_string(), (field, value, file));
                    }
                }
            }
        }
        // `extends:` within the same files: the base's keys, unless overridden.
        let bases: BTreeMap<String, BTreeMap<String, Field<'a>>> =
            merged.iter().map(|(name, service)| (name.clone(), service.fields.clone())).collect();
        for service in merged.values_mut() {
            let Some((key, value, file)) = service.field("extends") else { continue };
            let base_name = value.get("service").and_then(Node::text).or_else(|| value.text());
            let other_file = value.get("file").is_some();
            match base_name.and_then(|base| bases.get(base)).filter(|_| !other_file) {
                Some(base) => {
                    for (field, entry) in base {
                        service.fields.entry(field.clone()).or_insert(*entry);
                    }
                }
                None => self.builder.warnings.push(FileDiagnostic::warning(
                    &file.path,
                    key.at,
                    format!(
                        "service `{}` extends a service that is not in the input; its keys are not merged",
                        service.name
                    ),
                )),
            }
        }
        let mut services: Vec<Service<'a>> = merged.into_values().collect();
        for service in &mut services {
            let image = service.get("image").and_then(Node::text);
            service.known = image.and_then(classify::classify_image);
            service.networks = match service.get("networks") {
                Some(networks) if networks.is_seq() => {
                    networks.seq().iter().filter_map(|n| n.text().map(str::to_string)).collect()
                }
                Some(networks) => networks.entries().iter().filter_map(|(k, _)| k.str().map(str::to_string)).collect(),
                None => Vec::new(),
            };
            service.id = self.builder.ids.allocate(&service.name, "service");
        }
        services
    }

    fn create_boundaries(&mut self, roots: &[(&SourceFile, Node)], services: &[Service<'_>]) {
        let mut declared: BTreeMap<String, (&SourceFile, &Node, &Node)> = BTreeMap::new();
        for (file, root) in roots {
            for (key, body) in root.get("networks").map(Node::entries).unwrap_or_default() {
                if let Some(name) = key.str() {
                    declared.insert(name.to_string(), (file, key, body));
                }
            }
        }
        let mut used: BTreeSet<String> = declared.keys().cloned().collect();
        for service in services {
            if service.networks.is_empty() && uses_default_network(service) {
                used.insert("default".to_string());
            }
            used.extend(service.networks.iter().cloned());
        }
        for network in used {
            let id = self.builder.ids.allocate(&format!("network-{network}"), "boundary");
            let declaration = declared.get(&network);
            let internal = declaration.and_then(|(_, _, body)| body.get("internal")).and_then(Node::bool) == Some(true);
            let external = declaration.and_then(|(_, _, body)| body.get("external")).and_then(Node::bool) == Some(true);
            let mut description = format!("Docker network `{network}`.");
            if internal {
                description.push_str(" Internal: no route to the outside.");
                self.internal_networks.insert(network.clone());
            }
            if external {
                description.push_str(" Created outside this project.");
            }
            self.builder.boundaries.push(Boundary {
                id: located(id.clone()),
                name: Some(network.clone()),
                kind: Some("network".to_string()),
                description: Some(description),
                source: declaration.map(|(file, key, _)| SourceRef {
                    file: file.path.clone(),
                    line: Some(key.at.line),
                    resource: Some(format!("networks.{network}")),
                }),
                ..Boundary::default()
            });
            self.networks.insert(network, id);
        }
    }

    fn create_component(&mut self, service: &mut Service<'_>) {
        let image = service.get("image").and_then(Node::text);
        let build = service.get("build").and_then(|b| b.text().or_else(|| b.get("context").and_then(Node::text)));
        let technology = image.map(str::to_string).or_else(|| build.map(|context| format!("built from {context}")));
        let network_mode = service.get("network_mode").and_then(Node::text);
        let boundary = match network_mode {
            Some(_) => None,
            None if service.networks.is_empty() => self.networks.get("default").cloned(),
            None => self.networks.get(&service.networks[0]).cloned(),
        };
        let mut component = Component {
            id: located(service.id.clone()),
            name: Some(service.name.clone()),
            kind: located(service.known.map_or("service", |known| known.kind)),
            technology,
            boundary: boundary.map(located),
            description: Some(format!("Compose service `{}`.", service.name)),
            source: Some(service.source()),
            ..Component::default()
        };
        if service.networks.len() > 1 {
            let others = service.networks[1..].join("`, `");
            component.description = Some(format!(
                "Compose service `{}`, also on network `{others}` (a model element sits in one boundary).",
                service.name
            ));
        }
        self.builder.components.push(component);
        self.security_facts(service);
        self.secrets(service);
    }

    fn security_facts(&mut self, service: &Service<'_>) {
        let id = service.id.clone();
        let label = format!("service `{}`", service.name);
        let mut hardening = true;
        if let Some((key, value, file)) = service.field("privileged")
            && value.bool() == Some(true)
        {
            hardening = false;
            self.builder.add_capability(&id, "privileged-container");
            self.warn(file, key.at, format!("{label} runs privileged: it has every capability of the host's root"));
        }
        if let Some((_, value, file)) = service.field("cap_add")
            && let Some(capability) =
                value.seq().iter().find(|c| c.text().is_some_and(classify::is_dangerous_capability))
        {
            hardening = false;
            self.builder.add_capability(&id, "privileged-container");
            let name = capability.text().unwrap_or_default();
            self.warn(file, capability.at, format!("{label} adds the kernel capability {name}"));
        }
        let security_options: Vec<&str> =
            service.get("security_opt").map(Node::seq).unwrap_or_default().iter().filter_map(Node::text).collect();
        if security_options.iter().any(|option| option.contains("unconfined")) {
            hardening = false;
            self.builder.add_capability(&id, "privileged-container");
        }
        for key in ["network_mode", "pid", "ipc"] {
            if let Some((key_node, value, file)) = service.field(key)
                && value.text() == Some("host")
            {
                hardening = false;
                self.builder.add_capability(&id, "host-namespaces");
                self.warn(file, key_node.at, format!("{label} shares the host's namespace (`{key}: host`)"));
            }
        }
        for volume in service.get("volumes").map(Node::seq).unwrap_or_default() {
            let Some(host_path) = bind_source(volume) else { continue };
            hardening = false;
            self.builder.add_capability(&id, "host-path-mount");
            if classify::is_runtime_socket(&host_path) {
                let file = service.field("volumes").map_or(service.file, |(_, _, file)| file);
                self.builder.warnings.push(
                    FileDiagnostic::warning(
                        &file.path,
                        volume.at,
                        format!("{label} mounts the Docker socket `{host_path}`: it can start any container on the host, as root"),
                    )
                    .with_help("use a socket proxy that allows only the calls it needs, or rootless builds"),
                );
                let runtime = self.runtime(service);
                self.builder.add_flow(FlowSpec {
                    from: id.clone(),
                    to: runtime,
                    protocol: "http",
                    encrypted: None,
                    authentication: Authentication::None,
                    data: Vec::new(),
                    source: service.source_at(file, volume.at),
                    description: format!("The Docker Engine API, through `{host_path}` mounted into {label}."),
                });
            }
        }
        let user = service.get("user").and_then(Node::text);
        let non_root = user.is_some_and(|user| {
            let name = user.split(':').next().unwrap_or_default();
            !matches!(name, "root" | "0" | "")
        });
        let read_only = service.get("read_only").and_then(Node::bool) == Some(true);
        let no_new_privileges = security_options
            .iter()
            .any(|o| o.replace(' ', "") == "no-new-privileges:true" || *o == "no-new-privileges");
        if hardening && non_root && read_only && no_new_privileges {
            self.builder.add_control(&id, "container-runtime-hardening");
        }
        let memory_limit = service.get("mem_limit").is_some()
            || service.get("deploy").and_then(|d| d.path(&["resources", "limits", "memory"])).is_some();
        if memory_limit {
            self.builder.add_control(&id, "container-resource-limits");
        }
        // Only internal networks: nothing can leave.
        let internal_only = !service.networks.is_empty()
            && service.networks.iter().all(|network| self.internal_networks.contains(network));
        if internal_only {
            self.builder.add_control(&id, "network-egress-filtering");
        }
        for (key, value) in environment(service) {
            if looks_secret(&key.name) && !value.is_empty() && !value.contains("${") && !key.name.ends_with("_FILE") {
                self.warn(
                    key.file,
                    key.at,
                    format!(
                        "{label} sets `{}` to a literal value: anyone who can read this file can read it",
                        key.name
                    ),
                );
            }
        }
    }

    fn runtime(&mut self, service: &Service<'_>) -> String {
        if let Some(id) = &self.runtime {
            return id.clone();
        }
        let id = self.builder.ids.allocate("docker-engine", "component");
        let boundary = self.builder.component(&service.id).and_then(|c| c.boundary.clone());
        self.builder.components.push(Component {
            id: located(id.clone()),
            name: Some("Docker Engine".to_string()),
            kind: located("container-runtime"),
            boundary,
            description: Some("The Docker Engine of the host, reached through its socket.".to_string()),
            source: Some(service.source()),
            ..Component::default()
        });
        self.runtime = Some(id.clone());
        id
    }

    fn secrets(&mut self, service: &Service<'_>) {
        for secret in service.get("secrets").map(Node::seq).unwrap_or_default() {
            let Some(name) = secret.text().or_else(|| secret.get("source").and_then(Node::text)) else { continue };
            let asset = match self.secrets.get(name) {
                Some(id) => id.clone(),
                None => {
                    let id = self.builder.secret_asset(
                        &format!("secret-{name}"),
                        format!("Secret {name}"),
                        "credentials",
                        format!("The compose secret `{name}`."),
                    );
                    self.secrets.insert(name.to_string(), id.clone());
                    id
                }
            };
            self.builder.add_processes(&service.id, &asset);
        }
    }

    fn expose(&mut self, service: &Service<'_>) {
        let Some((_, ports, file)) = service.field("ports") else { return };
        for port in ports.seq() {
            let Some(published) = published_port(port) else { continue };
            if published.localhost {
                continue;
            }
            self.builder.expose(&service.id, Exposure::Internet);
            let internet = self.builder.internet();
            let (protocol, port_tls) = published
                .target
                .and_then(classify::port_protocol)
                .or_else(|| service.known.map(|k| (k.protocol, false)))
                .unwrap_or(("tcp", false));
            self.builder.add_flow(FlowSpec {
                from: internet,
                to: service.id.clone(),
                protocol,
                encrypted: encryption(protocol, None, port_tls),
                authentication: Authentication::None,
                data: Vec::new(),
                source: service.source_at(file, port.at),
                description: format!("Published port `{}`.", published.text),
            });
        }
    }

    fn environment_flows(&mut self, service: &Service<'_>, services: &[Service<'_>]) {
        let vars = environment(service);
        for (var, value) in &vars {
            if endpoint::names_own_address(&var.name) {
                continue;
            }
            let Some(endpoint) = endpoint::parse_variable(&var.name, value) else { continue };
            let sibling = vars.iter().find_map(|(other, _)| endpoint::sibling_authentication(&var.name, &other.name));
            let authentication =
                if endpoint.password { Authentication::Password } else { sibling.unwrap_or(Authentication::None) };
            self.connect(service, services, var, &endpoint, authentication);
        }
    }

    fn connect(
        &mut self,
        service: &Service<'_>,
        services: &[Service<'_>],
        var: &EnvKey<'_>,
        endpoint: &Endpoint,
        authentication: Authentication,
    ) {
        let host = endpoint.host.as_str();
        if matches!(host, "localhost" | "::1" | "0.0.0.0") || host.starts_with("127.") {
            return;
        }
        let description = format!("`{}` of service `{}`.", var.name, service.name);
        let source = service.source_at(var.file, var.at);
        let (protocol, encrypted, target) = match find_service(services, host) {
            Some(target) => {
                let (protocol, encrypted) = protocol_to(Some(endpoint), target);
                (protocol, encrypted, target.id.clone())
            }
            None if !host.contains('.') || host.chars().all(|c| c.is_ascii_digit() || c == '.') => {
                self.warn(
                    var.file,
                    var.at,
                    format!(
                        "`{}` of service `{}` names `{host}`, which is no service in the input; no flow was drawn",
                        var.name, service.name
                    ),
                );
                return;
            }
            None => {
                let (protocol, encrypted) = match endpoint.scheme_protocol() {
                    Some(found) => found,
                    None => {
                        let (protocol, port_tls) =
                            endpoint.port.and_then(classify::port_protocol).unwrap_or(("tcp", false));
                        (protocol, encryption(protocol, endpoint.tls, port_tls))
                    }
                };
                let target = match self.externals.get(host) {
                    Some(id) => id.clone(),
                    None => {
                        let id = self.builder.ids.allocate(host, "external");
                        self.builder.components.push(Component {
                            id: located(id.clone()),
                            name: Some(host.to_string()),
                            kind: located(external_kind(host, protocol)),
                            description: Some(format!("Outside the compose files. Named by {description}")),
                            source: Some(source.clone()),
                            ..Component::default()
                        });
                        self.externals.insert(host.to_string(), id.clone());
                        id
                    }
                };
                (protocol, encrypted, target)
            }
        };
        self.builder.add_flow(FlowSpec {
            from: service.id.clone(),
            to: target,
            protocol,
            encrypted,
            authentication,
            data: Vec::new(),
            source,
            description,
        });
    }

    /// `depends_on` and `links` that no environment variable explained.
    fn dependency_flows(&mut self, service: &Service<'_>, services: &[Service<'_>]) {
        let mut dependencies: Vec<(String, Position, &SourceFile)> = Vec::new();
        if let Some((_, value, file)) = service.field("depends_on") {
            for item in value.seq() {
                if let Some(name) = item.text() {
                    dependencies.push((name.to_string(), item.at, file));
                }
            }
            for (key, _) in value.entries() {
                if let Some(name) = key.str() {
                    dependencies.push((name.to_string(), key.at, file));
                }
            }
        }
        if let Some((_, value, file)) = service.field("links") {
            for item in value.seq() {
                if let Some(link) = item.text() {
                    let name = link.split(':').next().unwrap_or(link);
                    dependencies.push((name.to_string(), item.at, file));
                }
            }
        }
        for (name, at, file) in dependencies {
            let Some(target) = services.iter().find(|s| s.name == name) else {
                self.warn(
                    file,
                    at,
                    format!("service `{}` depends on `{name}`, which is not in the input", service.name),
                );
                continue;
            };
            if self.builder.has_flow(&service.id, &target.id) {
                continue;
            }
            let (mut protocol, encrypted) = protocol_to(None, target);
            // A proxy in front of a service with no port on record speaks HTTP to it.
            let forwards = service.known.is_some_and(|k| matches!(k.kind, "reverse-proxy" | "api-gateway"));
            if protocol == "tcp" && forwards {
                protocol = "http";
            }
            self.builder.add_flow(FlowSpec {
                from: service.id.clone(),
                to: target.id.clone(),
                protocol,
                encrypted,
                authentication: Authentication::None,
                data: Vec::new(),
                source: service.source_at(file, at),
                description: format!("Service `{}` depends on `{name}`.", service.name),
            });
        }
    }
}

/// Whether a service without `networks:` joins the project's default network.
fn uses_default_network(service: &Service<'_>) -> bool {
    service.get("network_mode").is_none()
}

/// The service that `host` names: its name, `container_name`, `hostname`,
/// a network alias, or a `links` alias.
fn find_service<'s, 'a>(services: &'s [Service<'a>], host: &str) -> Option<&'s Service<'a>> {
    services
        .iter()
        .find(|s| s.name.eq_ignore_ascii_case(host))
        .or_else(|| {
            services.iter().find(|service| {
                let named = ["container_name", "hostname"]
                    .iter()
                    .any(|key| service.get(key).and_then(Node::text).is_some_and(|n| n.eq_ignore_ascii_case(host)));
                let aliased =
                    service.get("networks").map(Node::entries).unwrap_or_default().iter().any(|(_, network)| {
                        network.get("aliases").map(Node::seq).unwrap_or_default().iter().any(|a| a.text() == Some(host))
                    });
                named || aliased
            })
        })
        .or_else(|| {
            services.iter().find_map(|service| {
                service.get("links").map(Node::seq).unwrap_or_default().iter().filter_map(Node::text).find_map(|link| {
                    let (name, alias) = link.split_once(':')?;
                    (alias == host).then(|| services.iter().find(|s| s.name == name)).flatten()
                })
            })
        })
}

/// The protocol of a connection to `target`: the URL scheme, else the port
/// named or the target's first `expose`/`ports` port, else its image's.
fn protocol_to(endpoint: Option<&Endpoint>, target: &Service<'_>) -> (&'static str, Option<bool>) {
    if let Some(found) = endpoint.and_then(Endpoint::scheme_protocol) {
        return found;
    }
    let tls = endpoint.and_then(|e| e.tls);
    let declared_port = || {
        let expose = target.get("expose").map(Node::seq).unwrap_or_default();
        let ports = target.get("ports").map(Node::seq).unwrap_or_default();
        expose
            .iter()
            .filter_map(|p| p.text().and_then(|t| t.split('/').next()?.parse().ok()))
            .chain(ports.iter().filter_map(|p| published_port(p)?.target))
            .next()
    };
    let (protocol, port_tls) = endpoint
        .and_then(|e| e.port)
        .and_then(classify::port_protocol)
        .or_else(|| target.known.map(|k| (k.protocol, false)))
        .or_else(|| declared_port().and_then(classify::port_protocol))
        .unwrap_or(("tcp", false));
    (protocol, encryption(protocol, tls, port_tls))
}

struct Published {
    text: String,
    target: Option<u16>,
    /// Bound to the loopback interface only.
    localhost: bool,
}

/// A `ports:` entry: `"8080:80"`, `"127.0.0.1:5432:5432"`, `"443:443/tcp"`,
/// `80` (a random host port), or the long syntax.
fn published_port(port: &Node) -> Option<Published> {
    if port.is_map() {
        let target = port.get("target").and_then(Node::text).and_then(|t| t.parse().ok());
        let host_ip = port.get("host_ip").and_then(Node::text).unwrap_or_default();
        return Some(Published {
            text: format!("{}:{}", port.get("published").and_then(Node::text).unwrap_or("?"), target.unwrap_or(0)),
            target,
            localhost: is_loopback(host_ip),
        });
    }
    let text = port.text()?;
    let without_protocol = text.split('/').next().unwrap_or(text);
    let parts: Vec<&str> = match without_protocol.strip_prefix('[') {
        // `[::1]:8080:80`
        Some(bracketed) => {
            let (address, rest) = bracketed.split_once(']')?;
            std::iter::once(address).chain(rest.trim_start_matches(':').split(':')).collect()
        }
        None => without_protocol.split(':').collect(),
    };
    let target = parts.last().and_then(|t| t.split('-').next()?.parse().ok());
    let localhost = parts.len() == 3 && is_loopback(parts[0]);
    Some(Published { text: text.to_string(), target, localhost })
}

fn is_loopback(address: &str) -> bool {
    address.starts_with("127.") || address == "::1" || address == "localhost"
}

/// Where a `volumes:` entry binds a host path (absolute, or in the home
/// directory); relative paths into the project are not reported.
fn bind_source(volume: &Node) -> Option<String> {
    let source = if volume.is_map() {
        if volume.get("type").and_then(Node::text) != Some("bind") {
            return None;
        }
        volume.get("source").and_then(Node::text)?.to_string()
    } else {
        volume.text()?.split(':').next()?.to_string()
    };
    (source.starts_with('/') || source.starts_with('~')).then_some(source)
}

/// Variable names that hold secrets.
fn looks_secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY"]
        .iter()
        .any(|word| upper.contains(word))
}

/// An environment variable's name and where it was written.
struct EnvKey<'a> {
    name: String,
    at: Position,
    file: &'a SourceFile,
}

/// A service's `environment:` (list or mapping), with `${VAR:-default}`
/// replaced by its default; values the files do not give stay as written.
fn environment<'a>(service: &Service<'a>) -> Vec<(EnvKey<'a>, String)> {
    let Some((_, environment, file)) = service.field("environment") else { return Vec::new() };
    let mut vars = Vec::new();
    for item in environment.seq() {
        let Some(text) = item.str() else { continue };
        let (name, value) = text.split_once('=').unwrap_or((text, ""));
        vars.push((EnvKey { name: name.trim().to_string(), at: item.at, file }, interpolate(value)));
    }
    for (key, value) in environment.entries() {
        let Some(name) = key.str() else { continue };
        vars.push((EnvKey { name: name.to_string(), at: key.at, file }, interpolate(value.str().unwrap_or_default())));
    }
    vars
}

/// Compose interpolation with what the file itself says: `${VAR:-default}`
/// and `${VAR-default}` become the default, `$$` a `$`; other references
/// stay.
fn interpolate(value: &str) -> String {
    let mut result = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find('$') {
        result.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            result.push('$');
            rest = stripped;
        } else if let Some(body) = after.strip_prefix('{')
            && let Some(end) = body.find('}')
        {
            let expression = &body[..end];
            match expression.split_once(":-").or_else(|| expression.split_once('-')) {
                Some((_, default)) => result.push_str(default),
                None => result.push_str(&rest[start..start + end + 3]),
            }
            rest = &body[end + 1..];
        } else {
            result.push('$');
            rest = after;
        }
    }
    result.push_str(rest);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_uses_defaults_and_keeps_the_rest() {
        assert_eq!(
            interpolate("postgres://app:${DB_PASSWORD}@${DB_HOST:-db}:5432/app"),
            "postgres://app:${DB_PASSWORD}@db:5432/app"
        );
        assert_eq!(interpolate("${PORT-8080} $$HOME"), "8080 $HOME");
        assert_eq!(interpolate("plain"), "plain");
        assert_eq!(interpolate("${UNCLOSED"), "${UNCLOSED");
    }

    #[test]
    fn published_ports_in_every_syntax() {
        let parse = |text: &str| crate::yaml::parse(text).unwrap().0.remove(0).root;
        let short = parse("\"127.0.0.1:5432:5432\"");
        let published = published_port(&short).unwrap();
        assert_eq!((published.target, published.localhost), (Some(5432), true));
        let plain = published_port(&parse("\"8443:443/tcp\"")).unwrap();
        assert_eq!((plain.target, plain.localhost), (Some(443), false));
        let long = published_port(&parse("{target: 80, published: 8080, host_ip: 0.0.0.0}")).unwrap();
        assert_eq!((long.target, long.localhost), (Some(80), false));
        assert_eq!(published_port(&parse("80")).unwrap().target, Some(80));
    }
}
