//! Generates large synthetic but realistic Rampart models, deterministically,
//! for tests and benchmarks, and writes the same architecture as an OWASP
//! pytm script so the two tools can be timed on identical input.
//!
//! The architecture looks like a company's estate of services: users and
//! partner systems at the edge, an edge tier (CDN, WAF, load balancers, API
//! gateways) in per-region DMZs, service clusters (an API or web app, maybe a
//! worker, and the data stores it owns) in application zones with restricted
//! data zones nested inside, shared identity providers, secrets vaults and
//! telemetry streams, and a mesh of service-to-service calls on top. It only
//! uses catalog and vocabulary terms of the shipped knowledge base that are
//! stable, so the model validates without errors.

mod iac;
mod pytm;
mod rng;

use std::collections::HashSet;

use rampart_model::{
    Actor, Authentication, Authorization, Boundary, Component, DataAsset, Exposure, FORMAT_VERSION, Flow, Located,
    Model, Rating, Trust,
};

pub use iac::{kubernetes_manifest_files, kubernetes_manifests, terraform_plan};
pub use pytm::to_pytm;
use rng::SplitMix64;

/// Generates a model with exactly `components` components and about five
/// flows per component. The same arguments always give the same model.
pub fn generate(components: usize, seed: u64) -> Model {
    Generator::new(components, seed).run()
}

/// A business domain a service cluster works on, and what its data is.
struct Domain {
    id: &'static str,
    title: &'static str,
    categories: &'static [&'static str],
    /// 0 (nice to have) to 3 (the business stops without it): drives integrity and availability.
    criticality: u8,
}

const DOMAINS: &[Domain] = &[
    Domain { id: "orders", title: "Orders", categories: &["business", "pii"], criticality: 3 },
    Domain { id: "payments", title: "Payments", categories: &["payment-card", "pii"], criticality: 3 },
    Domain { id: "customers", title: "Customers", categories: &["pii"], criticality: 2 },
    Domain { id: "accounts", title: "Accounts", categories: &["pii", "credentials"], criticality: 3 },
    Domain { id: "catalog", title: "Catalog", categories: &["public", "business"], criticality: 2 },
    Domain { id: "inventory", title: "Inventory", categories: &["business"], criticality: 2 },
    Domain { id: "shipping", title: "Shipping", categories: &["pii", "business"], criticality: 2 },
    Domain { id: "invoices", title: "Invoices", categories: &["business", "pii"], criticality: 2 },
    Domain { id: "patients", title: "Patients", categories: &["health", "pii"], criticality: 3 },
    Domain { id: "claims", title: "Claims", categories: &["health", "business"], criticality: 2 },
    Domain { id: "reviews", title: "Reviews", categories: &["public", "pii"], criticality: 0 },
    Domain { id: "notifications", title: "Notifications", categories: &["pii"], criticality: 1 },
    Domain { id: "analytics", title: "Analytics", categories: &["telemetry", "business"], criticality: 0 },
    Domain { id: "reporting", title: "Reporting", categories: &["business"], criticality: 1 },
    Domain { id: "ledger", title: "Ledger", categories: &["business"], criticality: 3 },
    Domain { id: "fraud", title: "Fraud detection", categories: &["payment-card", "pii"], criticality: 2 },
    Domain { id: "audit", title: "Audit", categories: &["telemetry"], criticality: 2 },
    Domain { id: "builds", title: "Builds", categories: &["source-code", "secrets"], criticality: 1 },
    Domain { id: "documents", title: "Documents", categories: &["business", "pii"], criticality: 1 },
    Domain { id: "media", title: "Media", categories: &["public"], criticality: 0 },
    Domain { id: "pricing", title: "Pricing", categories: &["business"], criticality: 2 },
    Domain { id: "loyalty", title: "Loyalty", categories: &["pii", "business"], criticality: 1 },
    Domain { id: "support", title: "Support", categories: &["pii"], criticality: 1 },
    Domain { id: "scheduling", title: "Scheduling", categories: &["business"], criticality: 1 },
    Domain { id: "search", title: "Search", categories: &["public"], criticality: 1 },
    Domain { id: "payroll", title: "Payroll", categories: &["pii", "business"], criticality: 2 },
    Domain { id: "contracts", title: "Contracts", categories: &["business"], criticality: 1 },
    Domain { id: "telemetry", title: "Telemetry", categories: &["telemetry"], criticality: 0 },
];

/// How a service cluster is reached.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flavor {
    /// Behind the edge tier, used by people on the internet.
    Public,
    /// Called by partners over allow-listed connections.
    Partner,
    /// Only called by other services.
    Internal,
}

/// A node that flows can start or end at: an actor or a component.
struct Node {
    id: String,
    name: String,
    kind: &'static str,
    /// Index into `Model::components`, or none for actors.
    component: Option<usize>,
    region: usize,
    /// Index into `Generator::clusters` for cluster primaries.
    cluster: Option<usize>,
}

/// One service and the data stores it owns.
struct Cluster {
    title: String,
    region: usize,
    zone: usize,
    flavor: Flavor,
    primary: usize,
    spa: Option<usize>,
    worker: Option<usize>,
    db: Option<usize>,
    db_kind: &'static str,
    cache: Option<usize>,
    queue: Option<usize>,
    bucket: Option<usize>,
    share: Option<usize>,
    search: Option<usize>,
    records: String,
    events: Option<String>,
    documents: Option<String>,
}

/// The protocol and security properties of a flow to add.
struct FlowSpec {
    protocol: &'static str,
    authentication: Authentication,
    authorization: Authorization,
    encrypted: Option<bool>,
    data: Vec<String>,
    controls: Vec<&'static str>,
    name: Option<String>,
}

impl FlowSpec {
    fn new(protocol: &'static str, authentication: Authentication) -> Self {
        FlowSpec {
            protocol,
            authentication,
            authorization: Authorization::None,
            encrypted: None,
            data: Vec::new(),
            controls: Vec::new(),
            name: None,
        }
    }

    fn authorization(mut self, authorization: Authorization) -> Self {
        self.authorization = authorization;
        self
    }

    fn encrypted(mut self, encrypted: Option<bool>) -> Self {
        self.encrypted = encrypted;
        self
    }

    fn data<I: IntoIterator<Item = String>>(mut self, data: I) -> Self {
        self.data.extend(data);
        self
    }

    fn named(mut self, name: String) -> Self {
        self.name = Some(name);
        self
    }
}

struct Generator {
    rng: SplitMix64,
    target: usize,
    model: Model,
    nodes: Vec<Node>,
    pairs: HashSet<(usize, usize)>,
    regions: usize,
    /// Per app zone: its region.
    zone_region: Vec<usize>,
    /// Per app zone: the cluster primaries in it.
    zone_services: Vec<Vec<usize>>,
    /// Per region: edge components, vault, telemetry stream.
    region_edge: Vec<Vec<usize>>,
    region_vault: Vec<Option<usize>>,
    region_telemetry: Vec<Option<usize>>,
    idps: Vec<usize>,
    clusters: Vec<Cluster>,
    users: Vec<usize>,
    admins: Vec<usize>,
    partners: Vec<usize>,
    outside_systems: Vec<usize>,
    mail_relay: Option<usize>,
}

fn located(value: &str) -> Located<String> {
    Located::synthetic(value.to_string())
}

fn located_all(values: &[&str]) -> Vec<Located<String>> {
    values.iter().map(|value| located(value)).collect()
}

/// Technologies by component kind, matched by threat intelligence.
fn technologies(kind: &str) -> &'static [&'static str] {
    match kind {
        "web-app" => &["django 5", "ruby on rails 7", "spring mvc 6", "php 8 laravel", "asp.net core mvc 8"],
        "spa" => &["react 18", "angular 17", "vue 3", "svelte 4"],
        "rest-api" => &["spring boot 3", "express 4", "fastapi 0.110", "asp.net core 8", "go net/http", "flask 3"],
        "graphql-api" => &["apollo server 4", "graphql-java 21", "hot chocolate 13", "strawberry 0.220"],
        "grpc-service" => &["grpc-go 1.62", "grpc-java 1.62", "tonic 0.11", "grpc-dotnet 2.61"],
        "service" => &["spring boot 3", "node.js 20", "go 1.22", "python 3.12", ".net 8"],
        "background-worker" => &["celery 5", "sidekiq 7", "spring batch 5", "hangfire 1.8", "go 1.22"],
        "identity-provider" => &["keycloak 24", "okta", "microsoft entra id", "aws cognito"],
        "api-gateway" => &["kong 3", "aws api gateway", "apigee x", "azure api management"],
        "waf" => &["aws waf", "cloudflare waf", "modsecurity 3", "azure front door waf"],
        "reverse-proxy" => &["nginx 1.25", "envoy 1.29", "haproxy 2.9", "traefik 3"],
        "load-balancer" => &["aws alb", "f5 big-ip", "haproxy 2.9", "gcp cloud load balancing"],
        "cdn" => &["cloudflare", "akamai", "aws cloudfront", "fastly"],
        "relational-database" => &["postgresql 16", "mysql 8", "sql server 2022", "oracle 19c", "mariadb 11"],
        "document-database" => &["mongodb 7", "couchdb 3", "azure cosmos db"],
        "key-value-store" => &["aws dynamodb", "etcd 3.5", "foundationdb 7"],
        "cache" => &["redis 7", "memcached 1.6", "valkey 7"],
        "object-storage" => &["aws s3", "azure blob storage", "google cloud storage", "minio"],
        "file-share" => &["nfs v4", "smb 3", "aws efs"],
        "message-queue" => &["rabbitmq 3.13", "aws sqs", "azure service bus", "activemq 6"],
        "event-stream" => &["kafka 3.7", "aws kinesis", "azure event hubs", "redpanda 23"],
        "search-index" => &["elasticsearch 8", "opensearch 2", "solr 9"],
        "secrets-vault" => &["hashicorp vault 1.16", "aws secrets manager", "azure key vault"],
        _ => &["in-house"],
    }
}

/// Capabilities a component of `kind` may have on top of its type's.
fn capability_pool(kind: &str) -> &'static [&'static str] {
    match kind {
        "web-app" => &[
            "render-templates",
            "render-html",
            "file-upload",
            "redirects",
            "sessions",
            "state-changing-forms",
            "user-login",
            "password-reset",
            "object-identifiers",
            "logging",
            "fetch-urls",
        ],
        "spa" => &["render-html", "redirects", "logging"],
        "rest-api" | "graphql-api" => &[
            "object-identifiers",
            "bulk-binding",
            "verifies-tokens",
            "fetch-urls",
            "file-upload",
            "logging",
            "payment-processing",
            "file-access",
            "xpath-queries",
        ],
        "grpc-service" | "service" => &[
            "verifies-tokens",
            "os-commands",
            "fetch-urls",
            "file-access",
            "logging",
            "ldap-queries",
            "xpath-queries",
            "object-identifiers",
        ],
        "background-worker" => &["os-commands", "file-access", "fetch-urls", "logging", "render-templates"],
        "identity-provider" => &["password-reset", "sessions", "redirects", "logging", "ldap-queries"],
        "api-gateway" => &["verifies-tokens", "logging"],
        _ => &[],
    }
}

/// Formats a component of `kind` may accept on top of its type's.
fn format_pool(kind: &str) -> &'static [&'static str] {
    match kind {
        "web-app" => &["multipart", "json", "xml"],
        "rest-api" => &["xml", "multipart", "yaml", "form", "serialized-objects", "binary"],
        "graphql-api" => &["multipart"],
        "grpc-service" => &["json"],
        "service" => &["json", "xml", "protobuf", "serialized-objects", "yaml"],
        "background-worker" => &["json", "xml", "serialized-objects", "binary", "yaml"],
        "identity-provider" => &["form", "json", "xml"],
        "api-gateway" => &["json", "xml", "graphql"],
        _ => &[],
    }
}

fn rating(level: u8) -> Rating {
    match level {
        0 => Rating::Low,
        1 => Rating::Medium,
        2 => Rating::High,
        _ => Rating::Critical,
    }
}

/// Base confidentiality of a data category, 0 (low) to 3 (critical).
fn category_confidentiality(category: &str) -> u8 {
    match category {
        "public" => 0,
        "telemetry" | "business" => 1,
        "pii" | "source-code" => 2,
        _ => 3, // health, payment-card, credentials, secrets
    }
}

impl Generator {
    fn new(target: usize, seed: u64) -> Self {
        // App zones of about 40 components, grouped eight to a region (VPC).
        let zones = (target / 40).max(1);
        let regions = zones.div_ceil(8);
        Generator {
            rng: SplitMix64::new(seed),
            target,
            model: Model {
                rampart: Located::synthetic(FORMAT_VERSION),
                name: format!("Synthetic estate ({target} components, seed {seed})"),
                description: Some(format!(
                    "Generated by rampart-modelgen: {target} components in {zones} application zones over \
                     {regions} regions, with about {} flows.",
                    target * 5
                )),
                ..Model::default()
            },
            nodes: Vec::new(),
            pairs: HashSet::new(),
            regions,
            zone_region: (0..zones).map(|zone| zone / 8).collect(),
            zone_services: vec![Vec::new(); zones],
            region_edge: vec![Vec::new(); regions],
            region_vault: vec![None; regions],
            region_telemetry: vec![None; regions],
            idps: Vec::new(),
            clusters: Vec::new(),
            users: Vec::new(),
            admins: Vec::new(),
            partners: Vec::new(),
            outside_systems: Vec::new(),
            mail_relay: None,
        }
    }

    fn run(mut self) -> Model {
        self.boundaries();
        self.shared_data();
        self.actors();
        self.shared_components();
        while self.room() {
            self.cluster();
        }
        self.edge_flows();
        self.cluster_flows();
        self.mesh_flows();
        self.model
    }

    fn room(&self) -> bool {
        self.model.components.len() < self.target
    }

    // ----- boundaries, actors, data -------------------------------------------------

    fn boundary(&mut self, id: String, name: String, kind: &str, trust: Trust, parent: Option<&str>) {
        self.model.boundaries.push(Boundary {
            id: Located::synthetic(id),
            name: Some(name),
            kind: Some(kind.to_string()),
            trust,
            parent: parent.map(located),
            controls: Vec::new(),
            description: None,
            source: None,
        });
    }

    fn boundaries(&mut self) {
        self.boundary("internet".into(), "Internet".into(), "network", Trust::Untrusted, None);
        self.boundary("browser".into(), "Users' browsers".into(), "process", Trust::Untrusted, Some("internet"));
        let partner_zones = (self.target / 250).max(1);
        for partner in 1..=partner_zones {
            self.boundary(
                format!("partner-net-{partner}"),
                format!("Partner network {partner}"),
                "network",
                Trust::Partner,
                None,
            );
        }
        self.boundary("org".into(), "Organisation cloud account".into(), "account", Trust::Internal, None);
        self.boundary("office".into(), "Office network".into(), "network", Trust::Internal, Some("org"));
        for region in 1..=self.regions {
            let vpc = format!("vpc-{region}");
            self.boundary(vpc.clone(), format!("Region {region} VPC"), "vpc", Trust::Internal, Some("org"));
            self.boundary(
                format!("dmz-{region}"),
                format!("Region {region} DMZ"),
                "subnet",
                Trust::Internal,
                Some(&vpc),
            );
            // Everything in a DMZ sits behind the region's web application firewall.
            let dmz = self.model.boundaries.len() - 1;
            self.model.boundaries[dmz].controls.push(located("web-application-firewall"));
        }
        for zone in 0..self.zone_region.len() {
            let region = self.zone_region[zone] + 1;
            let app = format!("app-{region}-{}", zone + 1);
            let kind = if zone % 3 == 0 { "cluster" } else { "namespace" };
            let vpc = format!("vpc-{region}");
            self.boundary(app.clone(), format!("Application zone {}", zone + 1), kind, Trust::Internal, Some(&vpc));
            self.boundary(
                format!("data-{region}-{}", zone + 1),
                format!("Data zone {}", zone + 1),
                "subnet",
                Trust::Restricted,
                Some(&app),
            );
        }
    }

    fn data_asset(
        &mut self,
        id: String,
        name: String,
        categories: &[&str],
        confidentiality: u8,
        domain_criticality: u8,
    ) {
        // Jitter so that equal categories do not always give equal ratings.
        let jitter = |rng: &mut SplitMix64, level: u8| -> u8 {
            match rng.below(6) {
                0 => level.saturating_sub(1),
                1 => (level + 1).min(3),
                _ => level,
            }
        };
        let confidentiality = jitter(&mut self.rng, confidentiality);
        let integrity = jitter(&mut self.rng, domain_criticality.max(1));
        let availability = jitter(&mut self.rng, domain_criticality);
        self.model.data.push(DataAsset {
            id: Located::synthetic(id),
            name: Some(name),
            categories: located_all(categories),
            confidentiality: rating(confidentiality),
            integrity: rating(integrity),
            availability: rating(availability),
            description: None,
        });
    }

    fn shared_data(&mut self) {
        self.data_asset("user-credentials".into(), "User credentials".into(), &["credentials", "pii"], 3, 3);
        self.data_asset("session-tokens".into(), "Session cookies".into(), &["credentials"], 3, 2);
        self.data_asset("access-tokens".into(), "OAuth access tokens".into(), &["credentials"], 2, 2);
        self.data_asset("service-secrets".into(), "Service secrets and keys".into(), &["secrets"], 3, 3);
        self.data_asset("application-logs".into(), "Application logs".into(), &["telemetry"], 1, 1);
        self.data_asset("audit-trail".into(), "Audit trail".into(), &["telemetry", "pii"], 2, 2);
        self.data_asset("static-content".into(), "Static web content".into(), &["public"], 0, 1);
    }

    fn add_node(
        &mut self,
        id: String,
        name: String,
        kind: &'static str,
        component: Option<usize>,
        region: usize,
    ) -> usize {
        self.nodes.push(Node { id, name, kind, component, region, cluster: None });
        self.nodes.len() - 1
    }

    fn actor(&mut self, id: String, name: String, kind: &'static str, boundary: &str) -> usize {
        self.model.actors.push(Actor {
            id: Located::synthetic(id.clone()),
            name: Some(name.clone()),
            kind: located(kind),
            boundary: Some(located(boundary)),
            controls: Vec::new(),
            description: None,
        });
        self.add_node(id, name, kind, None, 0)
    }

    fn actors(&mut self) {
        let scale = (self.target / 100).max(1);
        for index in 1..=scale.min(40) {
            let node = self.actor(format!("customer-{index}"), format!("Customer segment {index}"), "user", "internet");
            self.users.push(node);
        }
        let visitor = self.actor("visitor".into(), "Anonymous visitor".into(), "user", "internet");
        self.users.push(visitor);
        for index in 1..=(scale / 4).clamp(1, 10) {
            let admin =
                self.actor(format!("admin-{index}"), format!("Operations team {index}"), "administrator", "office");
            self.admins.push(admin);
            let support = self.actor(format!("support-{index}"), format!("Support desk {index}"), "user", "office");
            self.users.push(support);
        }
        let partner_zones = (self.target / 250).max(1);
        for index in 1..=(scale / 2).clamp(1, 60) {
            let zone = format!("partner-net-{}", (index - 1) % partner_zones + 1);
            let node =
                self.actor(format!("partner-{index}"), format!("Partner system {index}"), "external-system", &zone);
            self.partners.push(node);
        }
        for (id, name) in [("payment-processor", "Payment processor"), ("shipping-carrier", "Shipping carrier")] {
            let node = self.actor(id.into(), name.into(), "external-system", "partner-net-1");
            self.outside_systems.push(node);
        }
        self.mail_relay = Some(self.actor("mail-relay".into(), "Mail relay".into(), "external-system", "internet"));
    }

    // ----- components ----------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    fn component(
        &mut self,
        id: String,
        name: String,
        kind: &'static str,
        boundary: String,
        exposure: Exposure,
        region: usize,
        tags: Vec<String>,
    ) -> usize {
        let technology = Some(self.rng.pick(technologies(kind)).to_string());
        let capabilities: Vec<&str> = self.rng.subset(capability_pool(kind), 3);
        let accepts: Vec<&str> = self.rng.subset(format_pool(kind), 2);
        let mut controls = Vec::new();
        let is_process = !capability_pool(kind).is_empty();
        if is_process && self.rng.chance(40) {
            controls.push("input-validation");
        }
        if exposure == Exposure::Internet && is_process && self.rng.chance(30) {
            controls.push("web-application-firewall");
        }
        self.model.components.push(Component {
            id: Located::synthetic(id.clone()),
            name: Some(name.clone()),
            kind: located(kind),
            technology,
            boundary: Some(Located::synthetic(boundary)),
            exposure,
            accepts: located_all(&accepts),
            capabilities: located_all(&capabilities),
            controls: located_all(&controls),
            stores: Vec::new(),
            processes: Vec::new(),
            tags,
            description: None,
            source: None,
        });
        let index = self.model.components.len() - 1;
        self.add_node(id, name, kind, Some(index), region)
    }

    fn component_mut(&mut self, node: usize) -> &mut Component {
        let index = self.nodes[node].component.expect("a component node");
        &mut self.model.components[index]
    }

    fn add_capability(&mut self, node: usize, capability: &str) {
        let component = self.component_mut(node);
        if !component.capabilities.iter().any(|c| c.value == capability) {
            component.capabilities.push(located(capability));
        }
    }

    fn stores(&mut self, node: usize, data: &str) {
        self.component_mut(node).stores.push(located(data));
    }

    fn processes(&mut self, node: usize, data: &str) {
        let component = self.component_mut(node);
        if !component.processes.iter().any(|d| d.value == data) && !component.stores.iter().any(|d| d.value == data) {
            component.processes.push(located(data));
        }
    }

    /// Edge tier, identity providers, a secrets vault and a telemetry stream
    /// per region: a fixed share of the components.
    fn shared_components(&mut self) {
        let edge = (self.target / 25).max(1);
        let idps = (self.target / 150).max(1);
        let mut order = Vec::new();
        // Interleave so that a small target still gets one of each essential.
        for index in 0..edge.max(idps).max(self.regions) {
            if index < edge {
                order.push(("edge", index));
            }
            if index < idps {
                order.push(("idp", index));
            }
            if index < self.regions {
                order.push(("vault", index));
                order.push(("telemetry", index));
            }
        }
        // Keep at least a third of the budget for service clusters.
        let budget = self.target - self.target / 3;
        for (what, index) in order.into_iter().take(budget) {
            match what {
                "edge" => {
                    let region = index % self.regions;
                    let kinds = ["api-gateway", "waf", "load-balancer", "cdn", "reverse-proxy", "api-gateway"];
                    let kind = kinds[(index / self.regions) % kinds.len()];
                    let short = match kind {
                        "api-gateway" => "gateway",
                        "load-balancer" => "lb",
                        "reverse-proxy" => "proxy",
                        other => other,
                    };
                    let title = match kind {
                        "api-gateway" => "API gateway",
                        "waf" => "WAF",
                        "load-balancer" => "Load balancer",
                        "cdn" => "CDN",
                        _ => "Reverse proxy",
                    };
                    let node = self.component(
                        format!("edge-{short}-{}", index + 1),
                        format!("{title} {}", index + 1),
                        kind,
                        format!("dmz-{}", region + 1),
                        Exposure::Internet,
                        region,
                        vec!["tier-edge".into()],
                    );
                    if kind == "cdn" {
                        self.stores(node, "static-content");
                    } else {
                        self.processes(node, "session-tokens");
                    }
                    self.region_edge[region].push(node);
                }
                "idp" => {
                    let region = index % self.regions;
                    let zone = self.zone_in_region(region);
                    let node = self.component(
                        format!("idp-{}", index + 1),
                        format!("Identity provider {}", index + 1),
                        "identity-provider",
                        format!("app-{}-{}", region + 1, zone + 1),
                        if index == 0 { Exposure::Internet } else { Exposure::Internal },
                        region,
                        vec!["tier-identity".into()],
                    );
                    self.stores(node, "user-credentials");
                    self.processes(node, "access-tokens");
                    self.processes(node, "session-tokens");
                    self.idps.push(node);
                }
                "vault" => {
                    let zone = self.zone_in_region(index);
                    let node = self.component(
                        format!("vault-{}", index + 1),
                        format!("Secrets vault {}", index + 1),
                        "secrets-vault",
                        format!("data-{}-{}", index + 1, zone + 1),
                        Exposure::Internal,
                        index,
                        vec!["tier-platform".into()],
                    );
                    self.stores(node, "service-secrets");
                    self.region_vault[index] = Some(node);
                }
                _ => {
                    let zone = self.zone_in_region(index);
                    let node = self.component(
                        format!("telemetry-{}", index + 1),
                        format!("Telemetry stream {}", index + 1),
                        "event-stream",
                        format!("data-{}-{}", index + 1, zone + 1),
                        Exposure::Internal,
                        index,
                        vec!["tier-platform".into()],
                    );
                    self.stores(node, "application-logs");
                    self.stores(node, "audit-trail");
                    self.region_telemetry[index] = Some(node);
                }
            }
        }
    }

    /// A random app zone of `region`.
    fn zone_in_region(&mut self, region: usize) -> usize {
        let first = region * 8;
        let count = (self.zone_region.len() - first).min(8);
        first + self.rng.below(count)
    }

    fn cluster(&mut self) {
        let number = self.clusters.len();
        let domain = &DOMAINS[number % DOMAINS.len()];
        let round = number / DOMAINS.len();
        let (key, title) = if round == 0 {
            (domain.id.to_string(), domain.title.to_string())
        } else {
            (format!("{}-{}", domain.id, round + 1), format!("{} {}", domain.title, round + 1))
        };
        let zone = (number + self.rng.below(3)) % self.zone_region.len();
        let region = self.zone_region[zone];
        let app = format!("app-{}-{}", region + 1, zone + 1);
        let data_zone = format!("data-{}-{}", region + 1, zone + 1);
        let flavor = self.rng.weighted(&[(Flavor::Public, 25), (Flavor::Partner, 10), (Flavor::Internal, 65)]);
        let team = format!("team-{}", number / 3 + 1);

        let records = format!("{key}-records");
        let confidentiality = domain.categories.iter().map(|c| category_confidentiality(c)).max().unwrap_or(1);
        self.data_asset(
            records.clone(),
            format!("{title} records"),
            domain.categories,
            confidentiality,
            domain.criticality,
        );

        let (kind, short, noun): (&'static str, &str, &str) = match flavor {
            Flavor::Public => self.rng.weighted(&[
                (("web-app", "web", "web app"), 40),
                (("rest-api", "api", "API"), 40),
                (("graphql-api", "graphql", "GraphQL API"), 20),
            ]),
            Flavor::Partner => self
                .rng
                .weighted(&[(("rest-api", "api", "partner API"), 70), (("grpc-service", "rpc", "gRPC service"), 30)]),
            Flavor::Internal => self.rng.weighted(&[
                (("rest-api", "api", "API"), 30),
                (("grpc-service", "rpc", "gRPC service"), 30),
                (("service", "svc", "service"), 25),
                (("graphql-api", "graphql", "GraphQL API"), 5),
                (("web-app", "web", "back-office app"), 10),
            ]),
        };
        let exposure = match flavor {
            Flavor::Public => Exposure::Internet,
            Flavor::Partner => Exposure::Partner,
            Flavor::Internal => Exposure::Internal,
        };
        let tags = vec![team.clone(), "tier-app".to_string()];
        let primary = self.component(
            format!("{key}-{short}"),
            format!("{title} {noun}"),
            kind,
            app.clone(),
            exposure,
            region,
            tags,
        );
        self.processes(primary, &records);
        self.nodes[primary].cluster = Some(number);
        if self.rng.chance(25) {
            let description = format!("Owns the {} domain; maintained by {team}.", domain.title.to_lowercase());
            self.component_mut(primary).description = Some(description);
        }
        self.zone_services[zone].push(primary);

        let mut cluster = Cluster {
            title: title.clone(),
            region,
            zone,
            flavor,
            primary,
            spa: None,
            worker: None,
            db: None,
            db_kind: "",
            cache: None,
            queue: None,
            bucket: None,
            share: None,
            search: None,
            records: records.clone(),
            events: None,
            documents: None,
        };
        let data_tags = || vec![team.clone(), "tier-data".to_string()];

        if flavor == Flavor::Public && kind != "web-app" && self.room() && self.rng.chance(35) {
            let spa = self.component(
                format!("{key}-spa"),
                format!("{title} single-page app"),
                "spa",
                "browser".into(),
                Exposure::Internet,
                region,
                vec![team.clone(), "tier-client".into()],
            );
            self.processes(spa, "session-tokens");
            cluster.spa = Some(spa);
        }
        if self.room() {
            let (db_kind, db_short, db_noun) = self.rng.weighted(&[
                (("relational-database", "db", "database"), 50),
                (("document-database", "docdb", "document database"), 20),
                (("key-value-store", "kv", "key-value store"), 15),
                (("search-index", "index", "search index"), 5),
                (("object-storage", "store", "object store"), 10),
            ]);
            let db = self.component(
                format!("{key}-{db_short}"),
                format!("{title} {db_noun}"),
                db_kind,
                data_zone.clone(),
                Exposure::Internal,
                region,
                data_tags(),
            );
            self.stores(db, &records);
            match db_kind {
                "relational-database" => {
                    self.add_capability(primary, "sql-queries");
                    if self.rng.chance(50) {
                        self.component_mut(primary).controls.push(located("parameterized-queries"));
                    }
                }
                "document-database" => self.add_capability(primary, "nosql-queries"),
                _ => {}
            }
            cluster.db = Some(db);
            cluster.db_kind = db_kind;
        }
        if self.room() && self.rng.chance(50) {
            let worker = self.component(
                format!("{key}-worker"),
                format!("{title} worker"),
                "background-worker",
                app.clone(),
                Exposure::Internal,
                region,
                vec![team.clone(), "tier-app".into()],
            );
            self.processes(worker, &records);
            cluster.worker = Some(worker);
            if self.room() {
                let events = format!("{key}-events");
                self.data_asset(events.clone(), format!("{title} events"), &["business"], 1, domain.criticality);
                let (queue_kind, queue_short, queue_noun) = self.rng.weighted(&[
                    (("message-queue", "queue", "queue"), 70),
                    (("event-stream", "stream", "event stream"), 30),
                ]);
                let queue = self.component(
                    format!("{key}-{queue_short}"),
                    format!("{title} {queue_noun}"),
                    queue_kind,
                    data_zone.clone(),
                    Exposure::Internal,
                    region,
                    data_tags(),
                );
                self.stores(queue, &events);
                self.processes(primary, &events);
                self.processes(worker, &events);
                cluster.queue = Some(queue);
                cluster.events = Some(events);
            }
        }
        if self.room() && self.rng.chance(40) {
            let cache = self.component(
                format!("{key}-cache"),
                format!("{title} cache"),
                "cache",
                data_zone.clone(),
                Exposure::Internal,
                region,
                data_tags(),
            );
            self.stores(cache, &records);
            if flavor == Flavor::Public {
                self.stores(cache, "session-tokens");
            }
            cluster.cache = Some(cache);
        }
        if self.room() && self.rng.chance(25) {
            let documents = format!("{key}-documents");
            let categories: &[&str] =
                if domain.categories.contains(&"pii") { &["pii", "business"] } else { &["business"] };
            self.data_asset(documents.clone(), format!("{title} documents"), categories, 2, domain.criticality);
            let (bucket_kind, bucket_short, bucket_noun) = if self.rng.chance(80) {
                ("object-storage", "bucket", "document bucket")
            } else {
                ("file-share", "share", "file share")
            };
            let bucket = self.component(
                format!("{key}-{bucket_short}"),
                format!("{title} {bucket_noun}"),
                bucket_kind,
                data_zone.clone(),
                Exposure::Internal,
                region,
                data_tags(),
            );
            self.stores(bucket, &documents);
            self.processes(primary, &documents);
            self.add_capability(primary, "file-upload");
            if bucket_kind == "file-share" {
                cluster.share = Some(bucket);
            } else {
                cluster.bucket = Some(bucket);
            }
            cluster.documents = Some(documents);
        }
        if self.room() && self.rng.chance(8) {
            let search = self.component(
                format!("{key}-search"),
                format!("{title} search index"),
                "search-index",
                data_zone.clone(),
                Exposure::Internal,
                region,
                data_tags(),
            );
            self.stores(search, &records);
            cluster.search = Some(search);
        }
        self.clusters.push(cluster);
    }

    // ----- flows ---------------------------------------------------------------------

    /// Adds a flow unless it would duplicate an existing pair or loop.
    fn flow(&mut self, from: usize, to: usize, spec: FlowSpec) -> bool {
        if from == to || !self.pairs.insert((from, to)) {
            return false;
        }
        let mut controls = spec.controls;
        let encrypted = spec.encrypted.unwrap_or(matches!(spec.protocol, "https" | "tls" | "ldaps" | "ssh"));
        if encrypted && self.rng.chance(35) {
            controls.push("transport-encryption");
        }
        self.model.flows.push(Flow {
            id: None,
            name: spec.name,
            from: Located::synthetic(self.nodes[from].id.clone()),
            to: Located::synthetic(self.nodes[to].id.clone()),
            protocol: located(spec.protocol),
            authentication: spec.authentication,
            authorization: spec.authorization,
            encrypted: spec.encrypted,
            data: spec.data.into_iter().map(Located::synthetic).collect(),
            controls: located_all(&controls),
            description: None,
            source: None,
        });
        true
    }

    fn random_authorization(&mut self) -> Authorization {
        self.rng.weighted(&[
            (Authorization::None, 35),
            (Authorization::RoleBased, 45),
            (Authorization::ObjectLevel, 20),
        ])
    }

    /// Encryption declared on an internal link: often left implicit, sometimes
    /// explicitly on or off.
    fn internal_encryption(&mut self) -> Option<bool> {
        self.rng.weighted(&[(None, 35), (Some(true), 45), (Some(false), 20)])
    }

    /// Where traffic from the internet enters `region`: its edge components,
    /// or any region's when it has none.
    fn entry_points(&self, region: usize, kinds: &[&str]) -> Vec<usize> {
        let pick = |edge: &Vec<usize>| -> Vec<usize> {
            edge.iter().copied().filter(|&node| kinds.contains(&self.nodes[node].kind)).collect()
        };
        let local = pick(&self.region_edge[region]);
        if !local.is_empty() {
            return local;
        }
        self.region_edge.iter().flat_map(pick).collect()
    }

    /// Users reach the CDN and WAFs, which forward to gateways, load
    /// balancers and proxies.
    fn edge_flows(&mut self) {
        for region in 0..self.regions {
            let edge = self.region_edge[region].clone();
            for &node in &edge {
                let kind = self.nodes[node].kind;
                let front = matches!(kind, "cdn" | "waf");
                let forwarders = self.entry_points(region, &["cdn", "waf"]);
                if front || forwarders.is_empty() {
                    for _ in 0..2 {
                        let user = *self.rng.pick(&self.users);
                        let authentication = self.rng.weighted(&[
                            (Authentication::None, 40),
                            (Authentication::Session, 35),
                            (Authentication::Oauth2, 15),
                            (Authentication::Token, 10),
                        ]);
                        let protocol = if self.rng.chance(10) { "http" } else { "https" };
                        let mut data = vec!["static-content".to_string()];
                        if authentication != Authentication::None {
                            data.push("session-tokens".into());
                        }
                        let spec = FlowSpec::new(protocol, authentication).data(data);
                        self.flow(user, node, spec);
                    }
                } else {
                    let from = *self.rng.pick(&forwarders);
                    let protocol = if self.rng.chance(20) { "http" } else { "https" };
                    let spec = FlowSpec::new(protocol, Authentication::None).data(["session-tokens".to_string()]);
                    self.flow(from, node, spec);
                }
            }
        }
        // People log in at the internet-facing identity provider.
        if let Some(&idp) = self.idps.first() {
            for user in self.users.clone() {
                let spec = FlowSpec::new("https", Authentication::Password)
                    .data(["user-credentials".to_string()])
                    .named(format!("{} logs in", self.nodes[user].name));
                self.flow(user, idp, spec);
            }
        }
        for idp in self.idps.clone() {
            if let Some(vault) = self.region_vault[self.nodes[idp].region] {
                let spec = FlowSpec::new("https", Authentication::CloudIam).data(["service-secrets".to_string()]);
                self.flow(idp, vault, spec);
            }
        }
    }

    fn cluster_flows(&mut self) {
        for index in 0..self.clusters.len() {
            self.one_cluster_flows(index);
        }
    }

    fn one_cluster_flows(&mut self, index: usize) {
        let c = &self.clusters[index];
        let (primary, worker, region, flavor) = (c.primary, c.worker, c.region, c.flavor);
        let (records, events, documents) = (c.records.clone(), c.events.clone(), c.documents.clone());
        let title = c.title.clone();
        let stores = [
            (c.db, c.db_kind),
            (c.cache, "cache"),
            (c.queue, ""),
            (c.bucket, "object-storage"),
            (c.share, "file-share"),
            (c.search, "search-index"),
        ];
        let spa = c.spa;
        let queue = c.queue;

        // The way in.
        match flavor {
            Flavor::Public => {
                let entries = self.entry_points(region, &["api-gateway", "load-balancer", "reverse-proxy"]);
                if !entries.is_empty() {
                    for _ in 0..2 {
                        let entry = *self.rng.pick(&entries);
                        let protocol = if self.rng.chance(25) { "http" } else { "https" };
                        let authentication = self.rng.weighted(&[
                            (Authentication::None, 30),
                            (Authentication::Session, 25),
                            (Authentication::Token, 30),
                            (Authentication::Oauth2, 15),
                        ]);
                        let authorization = self.random_authorization();
                        let mut spec = FlowSpec::new(protocol, authentication)
                            .authorization(authorization)
                            .data([records.clone(), "session-tokens".to_string()]);
                        if self.rng.chance(15) {
                            spec.controls.push("input-validation");
                        }
                        self.flow(entry, primary, spec);
                    }
                } else {
                    let user = *self.rng.pick(&self.users);
                    let spec = FlowSpec::new("https", Authentication::Session).data([records.clone()]);
                    self.flow(user, primary, spec);
                }
                if let Some(spa) = spa {
                    let user = *self.rng.pick(&self.users);
                    let spec = FlowSpec::new("https", Authentication::None).data(["static-content".to_string()]);
                    self.flow(user, spa, spec);
                    let protocol = if self.rng.chance(15) { "websocket" } else { "https" };
                    let spec = FlowSpec::new(protocol, Authentication::Token)
                        .authorization(self.random_authorization())
                        .data([records.clone(), "access-tokens".to_string()])
                        .named(format!("{title} app calls its API"));
                    self.flow(spa, primary, spec);
                }
            }
            Flavor::Partner => {
                for _ in 0..2 {
                    let partner = *self.rng.pick(&self.partners);
                    let authentication = self.rng.weighted(&[
                        (Authentication::MutualTls, 45),
                        (Authentication::ApiKey, 40),
                        (Authentication::Oauth2, 10),
                        (Authentication::None, 5),
                    ]);
                    let protocol = self.rng.weighted(&[("https", 80), ("ssh", 10), ("ftp", 10)]);
                    let spec = FlowSpec::new(protocol, authentication)
                        .authorization(self.random_authorization())
                        .data([records.clone()]);
                    self.flow(partner, primary, spec);
                }
            }
            Flavor::Internal => {}
        }

        // Token verification at an identity provider.
        if !self.idps.is_empty() && self.rng.chance(60) {
            let idp = *self.rng.pick(&self.idps);
            let protocol = self.rng.weighted(&[("https", 75), ("ldaps", 15), ("ldap", 10)]);
            let spec = FlowSpec::new(protocol, Authentication::MutualTls).data(["access-tokens".to_string()]);
            self.flow(primary, idp, spec);
            self.add_capability(primary, "verifies-tokens");
        }

        // The cluster's own stores.
        for (store, kind) in stores {
            let Some(store) = store else { continue };
            let kind = if kind.is_empty() { self.nodes[store].kind } else { kind };
            let data = match kind {
                "object-storage" | "file-share" => documents.clone().unwrap_or_else(|| records.clone()),
                "message-queue" | "event-stream" => events.clone().unwrap_or_else(|| records.clone()),
                _ => records.clone(),
            };
            let spec = self.store_flow(kind, data.clone());
            self.flow(primary, store, spec);
            if let Some(worker) = worker
                && self.rng.chance(if queue == Some(store) { 100 } else { 50 })
            {
                let spec = self.store_flow(kind, data);
                self.flow(worker, store, spec);
            }
        }

        // Secrets and telemetry.
        for node in std::iter::once(primary).chain(worker) {
            if let Some(vault) = self.region_vault[region]
                && self.rng.chance(70)
            {
                let authentication = if self.rng.chance(70) { Authentication::CloudIam } else { Authentication::Token };
                let spec = FlowSpec::new("https", authentication).data(["service-secrets".to_string()]);
                self.flow(node, vault, spec);
            }
            if let Some(telemetry) = self.region_telemetry[region]
                && self.rng.chance(80)
            {
                let spec = FlowSpec::new("kafka", *self.rng.pick(&[Authentication::None, Authentication::MutualTls]))
                    .encrypted(self.internal_encryption())
                    .data(["application-logs".to_string(), "audit-trail".to_string()]);
                self.flow(node, telemetry, spec);
            }
        }

        // Operators.
        if !self.admins.is_empty() && self.rng.chance(15) {
            let admin = *self.rng.pick(&self.admins);
            let protocol = if self.rng.chance(50) { "ssh" } else { "https" };
            let authentication = if protocol == "ssh" { Authentication::Other } else { Authentication::Oauth2 };
            let spec = FlowSpec::new(protocol, authentication)
                .authorization(Authorization::RoleBased)
                .data([records.clone()])
                .named(format!("Operators manage {title}"));
            self.flow(admin, primary, spec);
        }
    }

    /// The flow from a service to one of its stores of `kind`.
    fn store_flow(&mut self, kind: &str, data: String) -> FlowSpec {
        let encrypted = self.internal_encryption();
        let spec = match kind {
            "relational-database" => FlowSpec::new(
                "sql",
                self.rng.weighted(&[
                    (Authentication::Password, 65),
                    (Authentication::CloudIam, 20),
                    (Authentication::Kerberos, 5),
                    (Authentication::None, 10),
                ]),
            )
            .encrypted(encrypted),
            "document-database" => {
                let protocol = if self.rng.chance(50) { "tls" } else { "tcp" };
                FlowSpec::new(protocol, Authentication::Password).encrypted(if protocol == "tls" {
                    None
                } else {
                    encrypted
                })
            }
            "key-value-store" => FlowSpec::new("https", Authentication::CloudIam),
            "cache" => FlowSpec::new("redis", *self.rng.pick(&[Authentication::Password, Authentication::None]))
                .encrypted(encrypted),
            "object-storage" => FlowSpec::new("https", Authentication::CloudIam),
            "file-share" => FlowSpec::new("tcp", Authentication::Kerberos).encrypted(Some(false)),
            "search-index" => {
                let protocol = if self.rng.chance(70) { "https" } else { "http" };
                FlowSpec::new(protocol, *self.rng.pick(&[Authentication::ApiKey, Authentication::None]))
            }
            "message-queue" => FlowSpec::new(
                "amqp",
                *self.rng.pick(&[Authentication::Password, Authentication::MutualTls, Authentication::None]),
            )
            .encrypted(encrypted),
            "event-stream" => FlowSpec::new(
                "kafka",
                *self.rng.pick(&[Authentication::MutualTls, Authentication::CloudIam, Authentication::None]),
            )
            .encrypted(encrypted),
            _ => FlowSpec::new("tcp", Authentication::None).encrypted(encrypted),
        };
        spec.data([data])
    }

    /// Service-to-service calls, shared databases, outbound calls to
    /// partners, until there are about five flows per component.
    fn mesh_flows(&mut self) {
        let goal = self.target * 5;
        let services: Vec<usize> = self.clusters.iter().map(|c| c.primary).collect();
        if services.is_empty() {
            return;
        }
        let workers: Vec<usize> = self.clusters.iter().filter_map(|c| c.worker).collect();
        let mut attempts = 0;
        while self.model.flows.len() < goal && attempts < goal * 20 {
            attempts += 1;
            let caller_cluster = self.rng.below(self.clusters.len());
            let from = if !workers.is_empty() && self.rng.chance(20) {
                *self.rng.pick(&workers)
            } else {
                self.clusters[caller_cluster].primary
            };
            match self.rng.below(100) {
                // A call to another service, usually nearby.
                0..=69 => {
                    let zone = self.clusters[caller_cluster].zone;
                    let region = self.clusters[caller_cluster].region;
                    let to = match self.rng.below(10) {
                        0..=4 => *self.rng.pick(&self.zone_services[zone]),
                        5..=7 => {
                            let first = region * 8;
                            let zones = (self.zone_region.len() - first).min(8);
                            let zone = first + self.rng.below(zones);
                            if self.zone_services[zone].is_empty() {
                                continue;
                            }
                            *self.rng.pick(&self.zone_services[zone])
                        }
                        _ => *self.rng.pick(&services),
                    };
                    let target_cluster = self.nodes[to].cluster.unwrap_or(caller_cluster);
                    let records = self.clusters[target_cluster].records.clone();
                    let protocol = match self.nodes[to].kind {
                        "grpc-service" => "grpc",
                        "web-app" if self.rng.chance(20) => "websocket",
                        _ => self.rng.weighted(&[("https", 60), ("http", 25), ("grpc", 15)]),
                    };
                    let authentication = self.rng.weighted(&[
                        (Authentication::Token, 35),
                        (Authentication::MutualTls, 25),
                        (Authentication::ApiKey, 15),
                        (Authentication::None, 25),
                    ]);
                    let encrypted = if protocol == "https" { None } else { self.internal_encryption() };
                    let mut data = vec![records];
                    if authentication == Authentication::Token {
                        data.push("access-tokens".into());
                    }
                    let spec = FlowSpec::new(protocol, authentication)
                        .authorization(self.random_authorization())
                        .encrypted(encrypted)
                        .data(data);
                    self.flow(from, to, spec);
                }
                // Reading another team's database directly.
                70..=79 => {
                    let other = self.rng.below(self.clusters.len());
                    let (Some(db), kind) = (self.clusters[other].db, self.clusters[other].db_kind) else { continue };
                    let records = self.clusters[other].records.clone();
                    let spec = self.store_flow(kind, records);
                    if self.flow(from, db, spec) && kind == "relational-database" {
                        self.add_capability(from, "sql-queries");
                    }
                }
                // Publishing to another team's queue.
                80..=89 => {
                    let other = self.rng.below(self.clusters.len());
                    let Some(queue) = self.clusters[other].queue else { continue };
                    let kind = self.nodes[queue].kind;
                    let data = self.clusters[other].events.clone().unwrap_or_default();
                    let spec = self.store_flow(kind, data);
                    self.flow(from, queue, spec);
                }
                // Calling a partner or an outside service.
                90..=96 => {
                    let mut outside = self.partners.clone();
                    outside.extend(&self.outside_systems);
                    let to = *self.rng.pick(&outside);
                    let records = self.clusters[caller_cluster].records.clone();
                    let protocol = self.rng.weighted(&[("https", 80), ("ssh", 8), ("ftp", 6), ("http", 6)]);
                    let authentication = self.rng.weighted(&[
                        (Authentication::ApiKey, 45),
                        (Authentication::Oauth2, 30),
                        (Authentication::MutualTls, 20),
                        (Authentication::None, 5),
                    ]);
                    let spec = FlowSpec::new(protocol, authentication).data([records]);
                    if self.flow(from, to, spec) && protocol == "https" {
                        self.add_capability(from, "fetch-urls");
                    }
                }
                // Sending mail.
                _ => {
                    let Some(relay) = self.mail_relay else { continue };
                    let records = self.clusters[caller_cluster].records.clone();
                    let spec = FlowSpec::new("smtp", Authentication::Password)
                        .encrypted(Some(self.rng.chance(60)))
                        .data([records]);
                    self.flow(from, relay, spec);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_component_count_and_about_five_flows_each() {
        for n in [1, 5, 30, 100, 1000] {
            let model = generate(n, 1);
            assert_eq!(model.components.len(), n, "n = {n}");
            if n >= 100 {
                let flows = model.flows.len();
                assert!(flows >= n * 45 / 10 && flows <= n * 55 / 10, "n = {n}: {flows} flows");
            }
        }
    }

    #[test]
    fn deterministic_and_seed_dependent() {
        assert_eq!(generate(300, 42), generate(300, 42));
        assert_ne!(generate(300, 42), generate(300, 43));
    }
}
