//! docker-compose files → models: what each key becomes.

use rampart_iac::{IacImport, SourceFile, import_compose};
use rampart_model::{Authentication, Exposure, Flow, SourceRef};

fn import(files: &[(&str, &str)]) -> IacImport {
    let files: Vec<SourceFile> = files.iter().map(|(path, text)| SourceFile::new(*path, *text)).collect();
    import_compose("test", &files).unwrap_or_else(|errors| panic!("{errors:#?}"))
}

fn flow<'m>(imported: &'m IacImport, from: &str, to: &str) -> &'m Flow {
    imported
        .model
        .flows
        .iter()
        .find(|flow| flow.from.value == from && flow.to.value == to)
        .unwrap_or_else(|| panic!("no flow {from} -> {to} in {:#?}", imported.model.flows))
}

fn terms(list: &[rampart_model::Located<String>]) -> Vec<&str> {
    list.iter().map(|term| term.as_str()).collect()
}

fn messages(imported: &IacImport) -> Vec<String> {
    imported.warnings.iter().map(ToString::to_string).collect()
}

const SHOP: &str = r#"services:
  proxy:
    image: traefik:v3.0
    ports: ["80:80", "127.0.0.1:8080:8080"]
    depends_on: [app]
  app:
    build: ./app
    environment:
      - DATABASE_URL=postgresql://app:${DB_PASSWORD}@postgres:5432/app?sslmode=require
      - SEARCH=http://${SEARCH_HOST:-search}:9200
    networks: [edge, data]
    links: ["postgres:database"]
    secrets: [db_password]
  postgres:
    image: postgres:16
    networks: [data]
  search:
    image: opensearchproject/opensearch:2
    networks:
      data:
        aliases: [es]
  jobs:
    build:
      context: ./app
    depends_on:
      postgres: {condition: service_healthy}
    environment: {SEARCH_URL: "http://es:9200"}
    networks: [data]
networks:
  edge: {}
  data:
    internal: true
secrets:
  db_password:
    file: ./db_password.txt
"#;

#[test]
fn services_become_typed_components_in_their_first_network() {
    let imported = import(&[("compose.yaml", SHOP)]);
    let components: Vec<(&str, &str, Option<&str>, Option<&str>)> = imported
        .model
        .components
        .iter()
        .map(|c| (c.id.as_str(), c.kind.as_str(), c.boundary.as_ref().map(|b| b.as_str()), c.technology.as_deref()))
        .collect();
    assert_eq!(
        components,
        [
            ("app", "service", Some("network-edge"), Some("built from ./app")),
            ("jobs", "service", Some("network-data"), Some("built from ./app")),
            ("postgres", "relational-database", Some("network-data"), Some("postgres:16")),
            ("proxy", "reverse-proxy", Some("network-default"), Some("traefik:v3.0")),
            ("search", "search-index", Some("network-data"), Some("opensearchproject/opensearch:2")),
        ]
    );
    let boundaries: Vec<&str> = imported.model.boundaries.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(boundaries, ["network-data", "network-default", "network-edge"]);
    let proxy = imported.model.components.iter().find(|c| c.id.value == "proxy").unwrap();
    assert_eq!(
        proxy.source,
        Some(SourceRef { file: "compose.yaml".into(), line: Some(2), resource: Some("services.proxy".into()) })
    );
    // Only on the internal network: nothing gets out.
    let postgres = imported.model.components.iter().find(|c| c.id.value == "postgres").unwrap();
    assert_eq!(terms(&postgres.controls), ["network-egress-filtering"]);
    let app = imported.model.components.iter().find(|c| c.id.value == "app").unwrap();
    assert!(app.controls.is_empty());
    assert_eq!(terms(&app.processes), ["secret-db_password"]);
    assert_eq!(imported.model.data[0].categories[0].as_str(), "credentials");
}

#[test]
fn published_ports_expose_services_unless_bound_to_loopback() {
    let imported = import(&[("compose.yaml", SHOP)]);
    let exposed: Vec<(&str, Exposure)> = imported
        .model
        .components
        .iter()
        .filter(|c| c.exposure != Exposure::Internal)
        .map(|c| (c.id.as_str(), c.exposure))
        .collect();
    assert_eq!(exposed, [("proxy", Exposure::Internet)]);
    let public = flow(&imported, "internet", "proxy");
    assert_eq!((public.protocol.as_str(), public.source.as_ref().and_then(|s| s.line)), ("http", Some(4)));
    assert_eq!(imported.model.flows.iter().filter(|f| f.from.value == "internet").count(), 1);
}

#[test]
fn environment_urls_depends_on_and_links_become_flows() {
    let imported = import(&[("compose.yaml", SHOP)]);
    let database = flow(&imported, "app", "postgres");
    assert_eq!(
        (database.protocol.as_str(), database.encrypted, database.authentication),
        ("sql", Some(true), Authentication::Password)
    );
    assert_eq!(database.source.as_ref().and_then(|s| s.line), Some(9));
    // `${SEARCH_HOST:-search}` takes its default.
    assert_eq!(flow(&imported, "app", "search").protocol.as_str(), "http");
    // The proxy forwards HTTP to a service with no port on record.
    assert_eq!(flow(&imported, "proxy", "app").protocol.as_str(), "http");
    // `depends_on` alone: the protocol of the target's image; `es` is a network alias.
    assert_eq!(flow(&imported, "jobs", "postgres").protocol.as_str(), "sql");
    assert_eq!(flow(&imported, "jobs", "search").protocol.as_str(), "http");
    assert_eq!(imported.model.flows.len(), 6, "{:#?}", imported.model.flows);
    assert!(imported.warnings.is_empty(), "{:#?}", messages(&imported));
}

#[test]
fn risky_service_settings_become_capabilities_and_warnings() {
    let text = r#"services:
  agent:
    image: acme/agent
    privileged: true
    network_mode: host
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - ./config:/config:ro
      - type: bind
        source: /etc
        target: /host/etc
    environment:
      API_TOKEN: hunter2
      DB_PASSWORD_FILE: /run/secrets/db
      OTHER_SECRET: ${FROM_ENV}
  hardened:
    image: acme/api
    read_only: true
    user: "1000:1000"
    security_opt: [no-new-privileges:true]
    cap_add: [NET_BIND_SERVICE]
    deploy:
      resources:
        limits: {memory: 256M}
"#;
    let imported = import(&[("docker-compose.yml", text)]);
    let agent = imported.model.components.iter().find(|c| c.id.value == "agent").unwrap();
    assert_eq!(terms(&agent.capabilities), ["privileged-container", "host-namespaces", "host-path-mount"]);
    assert_eq!(agent.boundary, None);
    let hardened = imported.model.components.iter().find(|c| c.id.value == "hardened").unwrap();
    assert_eq!(terms(&hardened.controls), ["container-runtime-hardening", "container-resource-limits"]);
    let engine = imported.model.components.iter().find(|c| c.id.value == "docker-engine").unwrap();
    assert_eq!(engine.kind.as_str(), "container-runtime");
    assert_eq!(flow(&imported, "agent", "docker-engine").source.as_ref().and_then(|s| s.line), Some(7));
    assert_eq!(
        messages(&imported),
        [
            "docker-compose.yml:4:5: warning: service `agent` runs privileged: it has every capability of the host's root",
            "docker-compose.yml:5:5: warning: service `agent` shares the host's namespace (`network_mode: host`)",
            "docker-compose.yml:7:9: warning: service `agent` mounts the Docker socket `/var/run/docker.sock`: it can start any container on the host, as root (use a socket proxy that allows only the calls it needs, or rootless builds)",
            "docker-compose.yml:13:7: warning: service `agent` sets `API_TOKEN` to a literal value: anyone who can read this file can read it",
        ]
    );
}

#[test]
fn override_files_replace_keys_service_by_service() {
    let base = "services:\n  web:\n    image: acme/web:1\n    ports: [\"8080:8080\"]\n  db:\n    image: mysql:8\n";
    let dev =
        "services:\n  web:\n    ports: [\"127.0.0.1:8080:8080\"]\n    environment: {DB: \"mysql://db:3306/app\"}\n";
    let imported = import(&[("compose.yaml", base), ("compose.override.yaml", dev)]);
    let web = imported.model.components.iter().find(|c| c.id.value == "web").unwrap();
    assert_eq!((web.technology.as_deref(), web.exposure), (Some("acme/web:1"), Exposure::Internal));
    let db = flow(&imported, "web", "db");
    assert_eq!(db.source.as_ref().map(|s| (s.file.as_str(), s.line)), Some(("compose.override.yaml", Some(4))));
}

#[test]
fn unknown_names_and_files_that_are_not_compose_files_are_reported() {
    let text = "services:\n  api:\n    image: acme/api\n    depends_on: [ghost]\n    environment:\n      \
                - MAIL_HOST=mailer\n      - WEBHOOK_URL=https://hooks.example.com/shop\n";
    let imported = import(&[("compose.yaml", text), ("prometheus.yml", "scrape_configs: []\n")]);
    assert_eq!(
        messages(&imported),
        [
            "compose.yaml:4:18: warning: service `api` depends on `ghost`, which is not in the input",
            "compose.yaml:6:9: warning: `MAIL_HOST` of service `api` names `mailer`, which is no service in the input; no flow was drawn",
            "prometheus.yml:1:1: warning: no top-level `services:`, so not a compose file; skipped",
        ]
    );
    let hook = imported.model.components.iter().find(|c| c.id.value == "hooks.example.com").unwrap();
    assert_eq!(hook.kind.as_str(), "third-party-api");
    assert_eq!(flow(&imported, "api", "hooks.example.com").protocol.as_str(), "https");
}

#[test]
fn malformed_compose_files_fail_with_their_position() {
    let files = [SourceFile::new("compose.yaml", "services:\n  web:\n    image: nginx\n   ports: [80]\n")];
    let errors = import_compose("test", &files).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert!(errors[0].to_string().starts_with("compose.yaml:4:"), "{}", errors[0]);
}
