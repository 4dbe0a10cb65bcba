//! Resource instances → a Rampart model: components with catalog types,
//! boundaries (cloud account, network, subnet), exposure, flows, controls
//! and the data assets the code names.
//!
//! The provider modules (`aws`, `azure`, `gcp`) know their resource types;
//! this one holds what they share: the type table, ids, placement in
//! boundaries, flows from environment variables, data from tags, and the
//! warning for every resource type nothing here reads.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rampart_model::{Authentication, Boundary, Component, DataAsset, Exposure, Rating, SourceRef};

use super::resource::{Estate, Resource};
use super::value::{Value, readable, with_references_as};
use crate::IacImport;
use crate::builder::{FlowSpec, ModelBuilder, external_kind, located};
use crate::classify;
use crate::endpoint;
use crate::ids::slugify;
use crate::source::FileDiagnostic;

mod aws;
mod azure;
mod gcp;
mod iam;

/// How clients reach a kind of component when nothing more specific says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Through the cloud provider's API, signed with the caller's cloud identity.
    CloudApi,
    /// A database's wire protocol with a password.
    Password,
    /// Nothing the configuration shows.
    Open,
}

/// What a resource type becomes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spec {
    /// Catalog component type.
    pub kind: &'static str,
    /// The word appended to the resource name in ids (`orders-db`).
    pub noun: &'static str,
    pub technology: &'static str,
    /// The vocabulary protocol clients use by default.
    pub protocol: &'static str,
    pub access: Access,
}

const fn spec(
    kind: &'static str,
    noun: &'static str,
    technology: &'static str,
    protocol: &'static str,
    access: Access,
) -> Spec {
    Spec { kind, noun, technology, protocol, access }
}

/// Resource types that become components. A type may appear once.
const COMPONENT_TYPES: &[(&str, Spec)] = &[
    // AWS
    ("aws_instance", spec("aws-ec2", "vm", "Amazon EC2", "http", Access::Open)),
    ("aws_autoscaling_group", spec("aws-ec2", "asg", "Amazon EC2 Auto Scaling group", "http", Access::Open)),
    ("aws_ecs_service", spec("aws-ecs", "service", "Amazon ECS service", "http", Access::Open)),
    ("aws_eks_cluster", spec("aws-eks", "eks", "Amazon EKS", "https", Access::Open)),
    ("aws_lambda_function", spec("aws-lambda", "function", "AWS Lambda", "https", Access::CloudApi)),
    ("aws_db_instance", spec("aws-rds", "db", "Amazon RDS", "sql", Access::Password)),
    ("aws_rds_cluster", spec("aws-rds", "db", "Amazon Aurora", "sql", Access::Password)),
    ("aws_dynamodb_table", spec("aws-dynamodb", "table", "Amazon DynamoDB", "https", Access::CloudApi)),
    ("aws_s3_bucket", spec("aws-s3", "bucket", "Amazon S3", "https", Access::CloudApi)),
    ("aws_sqs_queue", spec("aws-sqs", "queue", "Amazon SQS", "https", Access::CloudApi)),
    ("aws_sns_topic", spec("aws-sns", "topic", "Amazon SNS", "https", Access::CloudApi)),
    ("aws_kinesis_stream", spec("aws-kinesis", "stream", "Amazon Kinesis Data Streams", "https", Access::CloudApi)),
    ("aws_msk_cluster", spec("aws-msk", "kafka", "Amazon MSK", "kafka", Access::Open)),
    ("aws_elasticache_cluster", spec("aws-elasticache", "cache", "Amazon ElastiCache", "redis", Access::Open)),
    (
        "aws_elasticache_replication_group",
        spec("aws-elasticache", "cache", "Amazon ElastiCache (replication group)", "redis", Access::Open),
    ),
    ("aws_opensearch_domain", spec("aws-opensearch", "search", "Amazon OpenSearch Service", "https", Access::CloudApi)),
    ("aws_ecr_repository", spec("aws-ecr", "registry", "Amazon ECR", "https", Access::CloudApi)),
    ("aws_lb", spec("aws-elb", "lb", "Elastic Load Balancing", "http", Access::Open)),
    ("aws_alb", spec("aws-elb", "lb", "Application Load Balancer", "http", Access::Open)),
    ("aws_api_gateway_rest_api", spec("aws-api-gateway", "api", "Amazon API Gateway (REST)", "https", Access::Open)),
    ("aws_apigatewayv2_api", spec("aws-api-gateway", "api", "Amazon API Gateway (HTTP)", "https", Access::Open)),
    ("aws_cloudfront_distribution", spec("cdn", "cdn", "Amazon CloudFront", "https", Access::Open)),
    ("aws_kms_key", spec("aws-kms", "key", "AWS KMS key", "https", Access::CloudApi)),
    (
        "aws_secretsmanager_secret",
        spec("aws-secrets-manager", "secret", "AWS Secrets Manager", "https", Access::CloudApi),
    ),
    // Azure
    ("azurerm_linux_web_app", spec("web-app", "app", "Azure App Service (Linux)", "https", Access::Open)),
    ("azurerm_windows_web_app", spec("web-app", "app", "Azure App Service (Windows)", "https", Access::Open)),
    ("azurerm_app_service", spec("web-app", "app", "Azure App Service", "https", Access::Open)),
    (
        "azurerm_linux_function_app",
        spec("azure-functions", "function", "Azure Functions (Linux)", "https", Access::Open),
    ),
    (
        "azurerm_windows_function_app",
        spec("azure-functions", "function", "Azure Functions (Windows)", "https", Access::Open),
    ),
    ("azurerm_function_app", spec("azure-functions", "function", "Azure Functions", "https", Access::Open)),
    ("azurerm_kubernetes_cluster", spec("azure-aks", "aks", "Azure Kubernetes Service", "https", Access::Open)),
    ("azurerm_linux_virtual_machine", spec("azure-vm", "vm", "Azure virtual machine (Linux)", "http", Access::Open)),
    (
        "azurerm_windows_virtual_machine",
        spec("azure-vm", "vm", "Azure virtual machine (Windows)", "http", Access::Open),
    ),
    ("azurerm_mssql_server", spec("azure-sql-database", "sql", "Azure SQL Database", "sql", Access::Password)),
    (
        "azurerm_postgresql_flexible_server",
        spec("relational-database", "db", "Azure Database for PostgreSQL", "sql", Access::Password),
    ),
    (
        "azurerm_mysql_flexible_server",
        spec("relational-database", "db", "Azure Database for MySQL", "sql", Access::Password),
    ),
    ("azurerm_storage_account", spec("azure-blob-storage", "storage", "Azure Storage", "https", Access::CloudApi)),
    ("azurerm_key_vault", spec("azure-key-vault", "vault", "Azure Key Vault", "https", Access::CloudApi)),
    ("azurerm_servicebus_namespace", spec("azure-service-bus", "bus", "Azure Service Bus", "amqp", Access::CloudApi)),
    ("azurerm_eventhub_namespace", spec("azure-event-hubs", "hub", "Azure Event Hubs", "amqp", Access::CloudApi)),
    ("azurerm_cosmosdb_account", spec("azure-cosmos-db", "cosmos", "Azure Cosmos DB", "https", Access::CloudApi)),
    ("azurerm_redis_cache", spec("azure-cache-for-redis", "cache", "Azure Cache for Redis", "redis", Access::Password)),
    ("azurerm_api_management", spec("azure-api-management", "apim", "Azure API Management", "https", Access::Open)),
    (
        "azurerm_application_gateway",
        spec("load-balancer", "gateway", "Azure Application Gateway", "http", Access::Open),
    ),
    // Google Cloud
    ("google_compute_instance", spec("gcp-compute-engine", "vm", "Compute Engine", "http", Access::Open)),
    ("google_container_cluster", spec("gcp-gke", "gke", "Google Kubernetes Engine", "https", Access::Open)),
    ("google_cloud_run_service", spec("gcp-cloud-run", "run", "Cloud Run", "https", Access::Open)),
    ("google_cloud_run_v2_service", spec("gcp-cloud-run", "run", "Cloud Run", "https", Access::Open)),
    (
        "google_cloudfunctions_function",
        spec("gcp-cloud-functions", "function", "Cloud Functions", "https", Access::Open),
    ),
    (
        "google_cloudfunctions2_function",
        spec("gcp-cloud-functions", "function", "Cloud Functions (2nd gen)", "https", Access::Open),
    ),
    ("google_sql_database_instance", spec("gcp-cloud-sql", "sql", "Cloud SQL", "sql", Access::Password)),
    ("google_storage_bucket", spec("gcp-cloud-storage", "bucket", "Cloud Storage", "https", Access::CloudApi)),
    ("google_pubsub_topic", spec("gcp-pubsub", "topic", "Pub/Sub", "https", Access::CloudApi)),
    ("google_kms_crypto_key", spec("gcp-cloud-kms", "key", "Cloud KMS key", "https", Access::CloudApi)),
    ("google_secret_manager_secret", spec("gcp-secret-manager", "secret", "Secret Manager", "https", Access::CloudApi)),
    ("google_redis_instance", spec("gcp-memorystore", "cache", "Memorystore for Redis", "redis", Access::Open)),
    ("google_bigquery_dataset", spec("gcp-bigquery", "dataset", "BigQuery", "https", Access::CloudApi)),
];

/// Types with nothing to model: bookkeeping, generated values, monitoring.
/// Skipped without a warning (every other type is read or warned about).
const NOTHING_TO_MODEL: &[&str] = &[
    "null_resource",
    "terraform_data",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_metric_alarm",
    "aws_cloudwatch_dashboard",
    "aws_appautoscaling_target",
    "aws_appautoscaling_policy",
    "aws_autoscaling_policy",
    "aws_ecr_lifecycle_policy",
    "aws_acm_certificate_validation",
    "aws_resourcegroups_group",
    "azurerm_resource_group",
    "azurerm_log_analytics_workspace",
    "azurerm_monitor_metric_alert",
    "google_project_service",
    "google_monitoring_alert_policy",
];

const NOTHING_TO_MODEL_PREFIXES: &[&str] = &["random_", "time_", "tls_", "local_", "archive_"];

const DESCRIPTION: &str = "Imported from Terraform by `rampart import terraform`. Add what the configuration cannot \
                           say (the data each component handles, how callers authenticate) and re-run the analysis.";

pub(crate) fn spec_of(kind: &str) -> Option<Spec> {
    COMPONENT_TYPES.iter().find(|(name, _)| *name == kind).map(|(_, spec)| *spec)
}

/// Component id → resource indices, in address order.
type ResourcesByComponent = HashMap<String, Vec<usize>>;

/// Lets a provider module say that it reads a resource type.
pub(crate) struct Inference<'e> {
    pub estate: &'e Estate,
    pub builder: ModelBuilder,
    /// Resource → the component it is (or stands for: a task definition,
    /// a launch template, an Aurora instance).
    pub component_of: HashMap<usize, String>,
    /// Component id → its own resource.
    pub resource_of: BTreeMap<String, usize>,
    pub specs: HashMap<String, Spec>,
    /// Network and subnet resources → their boundary.
    pub boundary_of: HashMap<usize, String>,
    /// Provider (`aws`, `azurerm`, `google`) → its account boundary.
    pub accounts: BTreeMap<String, String>,
    /// Subnets with a route to an internet gateway or public IPs on launch.
    pub public_subnets: HashSet<usize>,
    /// Components whose server refuses connections without TLS.
    pub tls_enforced: HashSet<String>,
    /// How callers authenticate to a component, where its configuration
    /// says more than its kind (an ElastiCache `auth_token`).
    pub authentication_of: HashMap<String, Authentication>,
    /// Sentences added to a component's description, in order.
    pub notes: BTreeMap<String, Vec<String>>,
    /// Resources some rule read; the others get the unsupported-type warning.
    pub read: HashSet<usize>,
    externals: BTreeMap<String, String>,
    providers: Vec<(String, Value)>,
    model_controls: BTreeSet<&'static str>,
    /// Component id → the resources that stand for it, in address order:
    /// `component_of` inverted once it is complete (after aliases), so that
    /// [`Inference::resources_of`] does not scan every resource per component.
    members: Option<ResourcesByComponent>,
    /// (resource type, attribute) → component id → the resources of that
    /// type whose attribute points at the component, in address order. Filled
    /// on first use by [`Inference::pointing_at`], after `component_of` is complete.
    pointing: RefCell<HashMap<(String, String), ResourcesByComponent>>,
}

pub(crate) fn infer(
    name: &str,
    estate: &Estate,
    providers: Vec<(String, Value)>,
    warnings: Vec<FileDiagnostic>,
    files: usize,
) -> IacImport {
    infer_described(name, estate, providers, warnings, files, DESCRIPTION)
}

/// [`infer`] with the model's description chosen by the caller: the
/// CloudFormation importer translates its resources into these instances
/// and says where the model came from.
pub(crate) fn infer_described(
    name: &str,
    estate: &Estate,
    providers: Vec<(String, Value)>,
    warnings: Vec<FileDiagnostic>,
    files: usize,
    description: &str,
) -> IacImport {
    let mut inference = Inference {
        estate,
        builder: ModelBuilder::new(warnings),
        component_of: HashMap::new(),
        resource_of: BTreeMap::new(),
        specs: HashMap::new(),
        boundary_of: HashMap::new(),
        accounts: BTreeMap::new(),
        public_subnets: HashSet::new(),
        tls_enforced: HashSet::new(),
        authentication_of: HashMap::new(),
        notes: BTreeMap::new(),
        read: HashSet::new(),
        externals: BTreeMap::new(),
        providers,
        model_controls: BTreeSet::new(),
        members: None,
        pointing: RefCell::new(HashMap::new()),
    };
    inference.run();
    let notes = std::mem::take(&mut inference.notes);
    for (id, sentences) in notes {
        if let Some(component) = inference.builder.component(&id) {
            let description = component.description.get_or_insert_with(String::new);
            for sentence in sentences {
                if !description.contains(&sentence) {
                    description.push(' ');
                    description.push_str(&sentence);
                }
            }
        }
    }
    let controls: Vec<&'static str> = inference.model_controls.iter().copied().collect();
    let mut imported = inference.builder.finish(name, description.to_string(), files);
    imported.model.controls = controls.into_iter().map(located).collect();
    imported
}

impl<'e> Inference<'e> {
    fn run(&mut self) {
        self.accounts();
        aws::networks(self);
        azure::networks(self);
        gcp::networks(self);
        self.components();
        aws::infer(self);
        azure::infer(self);
        gcp::infer(self);
        iam::infer(self);
        self.environment();
        aws::security_group_flows(self);
        self.literal_passwords();
        self.classified_data();
        self.unsupported();
    }

    pub fn resource(&self, index: usize) -> &'e Resource {
        self.estate.get(index)
    }

    pub fn warn(&mut self, resource: &Resource, path: &str, message: impl Into<String>) {
        self.builder.warnings.push(FileDiagnostic::warning(&resource.file, resource.position(path), message));
    }

    pub fn note(&mut self, id: &str, sentence: impl Into<String>) {
        let sentence = sentence.into();
        let notes = self.notes.entry(id.to_string()).or_default();
        if !notes.contains(&sentence) {
            notes.push(sentence);
        }
    }

    pub fn model_control(&mut self, control: &'static str) {
        self.model_controls.insert(control);
    }

    /// Marks resources of these types as read.
    pub fn mark_read(&mut self, kinds: &[&str]) {
        let indices: Vec<usize> = self.estate.of_kind(kinds).into_iter().map(|(index, _)| index).collect();
        self.read.extend(indices);
    }

    /// The resources of type `kind` whose `key` points at the component `id`,
    /// in address order. Valid once `component_of` is complete (provider
    /// rules run after [`Inference::components`]); the index of each
    /// (type, key) is built on first use, so a rule asking for every
    /// component does not scan every resource each time.
    pub fn pointing_at(&self, kind: &str, key: &str, id: &str) -> Vec<usize> {
        let mut cache = self.pointing.borrow_mut();
        let index = cache.entry((kind.to_string(), key.to_string())).or_insert_with(|| {
            let mut index: ResourcesByComponent = HashMap::new();
            for (resource_index, resource) in self.estate.of_kind(&[kind]) {
                let Some(value) = resource.get(key) else { continue };
                for component in self.components_in(value) {
                    index.entry(component).or_default().push(resource_index);
                }
            }
            index
        });
        index.get(id).cloned().unwrap_or_default()
    }

    /// The components a value points at (through resources that stand for one).
    pub fn components_in(&self, value: &Value) -> Vec<String> {
        let mut found: Vec<String> = Vec::new();
        for index in self.estate.targets(value) {
            if let Some(id) = self.component_of.get(&index)
                && !found.contains(id)
            {
                found.push(id.clone());
            }
        }
        found
    }

    pub fn component_at(&self, resource: &Resource, path: &str) -> Vec<String> {
        resource.path(path).map(|value| self.components_in(value)).unwrap_or_default()
    }

    pub fn spec(&self, id: &str) -> Option<Spec> {
        self.specs.get(id).copied()
    }

    /// The component's own resource.
    pub fn own_resource(&self, id: &str) -> Option<&'e Resource> {
        self.resource_of.get(id).map(|index| self.estate.get(*index))
    }

    /// The resources that stand for a component: its own, then any that
    /// were attached to it (task definition, launch template).
    pub fn resources_of(&self, id: &str) -> Vec<&'e Resource> {
        let mut indices: Vec<usize> = match &self.members {
            Some(members) => members.get(id).cloned().unwrap_or_default(),
            None => self
                .component_of
                .iter()
                .filter(|(_, component)| component.as_str() == id)
                .map(|(index, _)| *index)
                .collect(),
        };
        indices.sort_unstable();
        let own = self.resource_of.get(id).copied();
        if let Some(own) = own {
            indices.retain(|index| *index != own);
            indices.insert(0, own);
        }
        indices.into_iter().map(|index| self.estate.get(index)).collect()
    }

    /// Adds a flow, encrypted when the receiver refuses cleartext.
    pub fn flow(&mut self, mut flow: FlowSpec) {
        if flow.encrypted.is_none() && self.tls_enforced.contains(&flow.to) {
            flow.encrypted = Some(true);
        }
        self.builder.add_flow(flow);
    }

    /// A flow to a component the way its kind is reached: the cloud API with
    /// the caller's identity, or a database's protocol with a password.
    pub fn flow_to(&mut self, from: &str, to: &str, source: SourceRef, description: String) {
        if self.spec(to).is_none() {
            return;
        }
        let authentication = self.authentication_to(to);
        let protocol = self.protocol_of(to);
        self.flow(FlowSpec {
            from: from.to_string(),
            to: to.to_string(),
            protocol,
            encrypted: None,
            authentication,
            data: Vec::new(),
            source,
            description,
        });
    }

    /// How callers authenticate to a component: what its configuration
    /// says, else what its kind implies.
    pub fn authentication_to(&self, id: &str) -> Authentication {
        if let Some(authentication) = self.authentication_of.get(id) {
            return *authentication;
        }
        match self.spec(id).map(|spec| spec.access) {
            Some(Access::CloudApi) => Authentication::CloudIam,
            Some(Access::Password) => Authentication::Password,
            _ => Authentication::None,
        }
    }

    /// The protocol clients use to reach a component.
    pub fn protocol_of(&self, id: &str) -> &'static str {
        let Some(spec) = self.spec(id) else { return "tcp" };
        if spec.protocol == "redis"
            && self.own_resource(id).and_then(|r| r.text("engine")).is_some_and(|engine| engine == "memcached")
        {
            return "tcp";
        }
        spec.protocol
    }

    /// A managed Kubernetes cluster's API endpoint (EKS, AKS, GKE): open to
    /// the whole internet, it is remote administration anyone can try (a
    /// warning at `path` and an internet flow); public but limited to listed
    /// networks, partner exposure; private, nothing.
    pub fn kubernetes_api(&mut self, id: &str, resource: &Resource, path: &str, public: bool, open_to_all: bool) {
        if public && open_to_all {
            self.builder.add_capability(id, "remote-administration");
            self.warn(
                resource,
                path,
                format!("the Kubernetes API of {} is reachable from the whole internet", resource.address),
            );
            let source = resource.source_at(path);
            self.internet_flow(id, "https", Authentication::Token, source, "Kubernetes API endpoint".to_string());
        } else if public {
            self.builder.expose(id, Exposure::Partner);
        }
    }

    /// A flow from the internet actor, making the target internet-exposed.
    pub fn internet_flow(
        &mut self,
        to: &str,
        protocol: &'static str,
        authentication: Authentication,
        source: SourceRef,
        description: String,
    ) {
        let internet = self.builder.internet();
        self.builder.expose(to, Exposure::Internet);
        self.flow(FlowSpec {
            from: internet,
            to: to.to_string(),
            protocol,
            encrypted: None,
            authentication,
            data: Vec::new(),
            source,
            description,
        });
    }

    fn accounts(&mut self) {
        let providers: BTreeSet<&str> = self
            .estate
            .resources
            .iter()
            .filter(|resource| spec_of(&resource.kind).is_some() || is_network(&resource.kind))
            .map(Resource::provider)
            .collect();
        for provider in providers {
            let configured = |key: &str| {
                self.providers
                    .iter()
                    .filter(|(name, _)| name == provider || (provider == "azurerm" && name == "azurerm"))
                    .find_map(|(_, values)| values.get(key).and_then(Value::literal).map(str::to_string))
            };
            let (id, name, kind, description) = match provider {
                "aws" => {
                    let region = configured("region").map(|region| format!(" ({region})")).unwrap_or_default();
                    (
                        "aws-account",
                        format!("AWS account{region}"),
                        "cloud-account",
                        "The AWS account the configuration deploys to.",
                    )
                }
                "azurerm" => (
                    "azure-subscription",
                    "Azure subscription".to_string(),
                    "cloud-subscription",
                    "The Azure subscription the configuration deploys to.",
                ),
                "google" => {
                    let project = configured("project").map(|project| format!(" {project}")).unwrap_or_default();
                    (
                        "gcp-project",
                        format!("Google Cloud project{project}"),
                        "cloud-project",
                        "The Google Cloud project the configuration deploys to.",
                    )
                }
                _ => continue,
            };
            let id = self.builder.ids.allocate(id, "boundary");
            self.builder.boundaries.push(Boundary {
                id: located(id.clone()),
                name: Some(name),
                kind: Some(kind.to_string()),
                description: Some(description.to_string()),
                ..Boundary::default()
            });
            self.accounts.insert(provider.to_string(), id);
        }
    }

    /// A boundary for a network or subnet resource; `group` shares one
    /// boundary among the instances of a counted resource.
    pub fn network_boundary(
        &mut self,
        indices: &[usize],
        noun: &str,
        kind: &str,
        parent: Option<String>,
        description: String,
    ) -> Option<String> {
        let first = self.resource(*indices.first()?);
        let id = self.builder.ids.allocate(&readable_id(first, noun, false), "boundary");
        let name = if indices.len() > 1 {
            format!("{} ({} instances)", first.name, indices.len())
        } else {
            display_name(first, false)
        };
        self.builder.boundaries.push(Boundary {
            id: located(id.clone()),
            name: Some(name),
            kind: Some(kind.to_string()),
            parent: parent.map(located),
            description: Some(description),
            source: Some(SourceRef {
                file: first.file.clone(),
                line: (first.line > 0).then_some(first.line),
                resource: Some(if indices.len() > 1 {
                    first.base_address().to_string()
                } else {
                    first.address.clone()
                }),
            }),
            ..Boundary::default()
        });
        for index in indices {
            self.boundary_of.insert(*index, id.clone());
            self.read.insert(*index);
        }
        Some(id)
    }

    fn components(&mut self) {
        for (index, resource) in self.estate.resources.iter().enumerate() {
            let Some(mut spec) = spec_of(&resource.kind) else { continue };
            if resource.kind == "azurerm_application_gateway" && azure::has_waf(resource) {
                spec.kind = "waf";
            }
            if resource.kind.starts_with("aws_elasticache")
                && resource.text("engine").is_some_and(|engine| engine == "memcached")
            {
                spec.technology = "Amazon ElastiCache (Memcached)";
            }
            // A cluster member of a replication group is the group.
            if resource.kind == "aws_elasticache_cluster" && resource.get("replication_group_id").is_some() {
                continue;
            }
            let id =
                self.builder.ids.allocate(&readable_id(resource, spec.noun, true), &resource.kind.replace('_', "-"));
            let technology = technology(resource, spec.technology);
            self.builder.components.push(Component {
                id: located(id.clone()),
                name: Some(display_name(resource, true)),
                kind: located(spec.kind),
                technology: Some(technology),
                description: Some(format!("{} `{}`.", spec.technology, resource.address)),
                source: Some(resource.source()),
                ..Component::default()
            });
            self.component_of.insert(index, id.clone());
            self.resource_of.insert(id.clone(), index);
            self.specs.insert(id, spec);
            self.read.insert(index);
        }
        // Elements whose place comes after aliases are known.
        aws::aliases(self);
        // `component_of` is complete from here on: index it by component.
        let mut members: ResourcesByComponent = HashMap::new();
        for (index, id) in &self.component_of {
            members.entry(id.clone()).or_default().push(*index);
        }
        self.members = Some(members);
        let ids: Vec<String> = self.resource_of.keys().cloned().collect();
        for id in ids {
            let boundary = self.placement(&id);
            if let Some(component) = self.builder.component(&id) {
                component.boundary = boundary.map(located);
            }
        }
    }

    /// The boundary a component sits in: its first subnet's, else its
    /// network's, else its cloud account's.
    fn placement(&mut self, id: &str) -> Option<String> {
        let resources = self.resources_of(id);
        let mut subnets: Vec<usize> = Vec::new();
        for resource in &resources {
            for index in self.subnets_of(resource) {
                if !subnets.contains(&index) {
                    subnets.push(index);
                }
            }
        }
        let boundaries: Vec<String> =
            subnets.iter().filter_map(|index| self.boundary_of.get(index).cloned()).collect::<Vec<_>>();
        let mut unique: Vec<String> = Vec::new();
        for boundary in boundaries {
            if !unique.contains(&boundary) {
                unique.push(boundary);
            }
        }
        if unique.len() > 1 {
            let others: Vec<String> = unique[1..].iter().map(|b| format!("`{b}`")).collect();
            self.note(id, format!("Also in {} (a model element sits in one boundary).", others.join(", ")));
        }
        if let Some(first) = unique.into_iter().next() {
            return Some(first);
        }
        for resource in &resources {
            for key in [
                "vpc_id",
                "network",
                "virtual_network_id",
                "vpc_config.vpc_id",
                "settings.ip_configuration.private_network",
            ] {
                if let Some(value) = resource.path(key)
                    && let Some(boundary) =
                        self.estate.targets(value).into_iter().find_map(|i| self.boundary_of.get(&i))
                {
                    return Some(boundary.clone());
                }
            }
        }
        let own = resources.first()?;
        self.accounts.get(own.provider()).cloned()
    }

    /// The subnet (or network) resources a resource is attached to.
    pub fn subnets_of(&self, resource: &Resource) -> Vec<usize> {
        const PATHS: &[&str] = &[
            "subnet_id",
            "subnet_ids",
            "subnets",
            "vpc_zone_identifier",
            "vpc_config.subnet_ids",
            "network_configuration.subnets",
            "network_interfaces.subnet_id",
            "virtual_network_subnet_id",
            "delegated_subnet_id",
            "default_node_pool.vnet_subnet_id",
            "gateway_ip_configuration.subnet_id",
            "network_interface.subnetwork",
            "subnetwork",
        ];
        let mut found = Vec::new();
        for path in PATHS {
            if let Some(value) = resource.path(path) {
                found.extend(self.estate.targets(value).into_iter().filter(|i| self.boundary_of.contains_key(i)));
            }
        }
        // Subnet groups and network interfaces name their subnets.
        for (key, group_kinds, inner) in [
            ("db_subnet_group_name", &["aws_db_subnet_group"][..], "subnet_ids"),
            ("subnet_group_name", &["aws_elasticache_subnet_group"][..], "subnet_ids"),
            ("network_interface_ids", &["azurerm_network_interface"][..], "ip_configuration.subnet_id"),
        ] {
            if let Some(value) = resource.path(key) {
                for group in self.estate.targets_of(value, group_kinds) {
                    if let Some(subnets) = self.resource(group).path(inner) {
                        found.extend(
                            self.estate.targets(subnets).into_iter().filter(|i| self.boundary_of.contains_key(i)),
                        );
                    }
                }
            }
        }
        found
    }

    /// Flows from the environment variables of `id`'s containers or
    /// function: every variable whose value names another resource (by
    /// reference or URL) or a host outside the configuration.
    fn environment(&mut self) {
        let ids: Vec<String> = self.resource_of.keys().cloned().collect();
        for id in ids {
            let mut variables: Vec<(String, Value, &'e Resource, String)> = Vec::new();
            for resource in self.resources_of(&id) {
                variables.extend(environment_variables(resource).into_iter().map(|(n, v, p)| (n, v, resource, p)));
            }
            let names: Vec<String> = variables.iter().map(|(name, ..)| name.clone()).collect();
            for (name, value, resource, path) in &variables {
                self.variable_flow(&id, name, value, resource, path, &names);
            }
        }
    }

    fn variable_flow(
        &mut self,
        id: &str,
        name: &str,
        value: &Value,
        resource: &Resource,
        path: &str,
        names: &[String],
    ) {
        if endpoint::names_own_address(name) {
            return;
        }
        let text = value.str().map(|text| with_references_as(text, "ref.invalid")).unwrap_or_default();
        let parsed = endpoint::parse_variable(name, &text);
        let sibling = names.iter().find_map(|other| endpoint::sibling_authentication(name, other));
        let source = resource.source_at(path);
        let targets: Vec<String> = self.components_in(value).into_iter().filter(|target| target != id).collect();
        if targets.is_empty() {
            self.literal_secret(name, value, resource, path);
            let Some(endpoint) = parsed.filter(|e| e.host.contains('.') && value.literal().is_some()) else { return };
            if endpoint.host == "ref.invalid" || is_local_host(&endpoint.host) {
                return;
            }
            let (protocol, encrypted) = endpoint_protocol(&endpoint, None);
            let target = self.external(&endpoint.host, protocol);
            let authentication = if endpoint.password { Authentication::Password } else { sibling.unwrap_or_default() };
            self.flow(FlowSpec {
                from: id.to_string(),
                to: target,
                protocol,
                encrypted,
                authentication,
                data: Vec::new(),
                source,
                description: format!("`{name}` = `{}`", readable(value.str().unwrap_or_default())),
            });
            return;
        }
        for target in targets {
            let default = self.protocol_of(&target);
            let (protocol, encrypted) = match &parsed {
                Some(endpoint) => endpoint_protocol(endpoint, Some(default)),
                None => (default, None),
            };
            let authentication = match (&parsed, self.authentication_to(&target)) {
                (Some(endpoint), _) if endpoint.password => Authentication::Password,
                (_, Authentication::None) => sibling.unwrap_or_default(),
                (_, known) => known,
            };
            let data = self.secret_data_of(&target);
            if let Some(data) = &data {
                self.builder.add_processes(id, data);
            }
            self.flow(FlowSpec {
                from: id.to_string(),
                to: target,
                protocol,
                encrypted,
                authentication,
                data: data.into_iter().collect(),
                source: source.clone(),
                description: format!("`{name}` = `{}`", readable(&value.display_plain())),
            });
        }
    }

    /// The data asset a secret store keeps, when it keeps one.
    pub fn secret_data_of(&self, id: &str) -> Option<String> {
        let component = self.builder.components.iter().find(|component| component.id.value == id)?;
        let kind = component.kind.value.as_str();
        matches!(kind, "aws-secrets-manager" | "gcp-secret-manager" | "azure-key-vault")
            .then(|| component.stores.first().map(|data| data.value.clone()))
            .flatten()
    }

    fn literal_secret(&mut self, name: &str, value: &Value, resource: &Resource, path: &str) {
        let upper = name.to_ascii_uppercase();
        let secret_like = ["PASSWORD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "ACCESS_KEY"]
            .iter()
            .any(|word| upper.contains(word))
            && !upper.ends_with("_FILE")
            && !upper.ends_with("_ARN")
            && !upper.ends_with("_NAME")
            && !upper.ends_with("_ID");
        if secret_like && value.literal().is_some_and(|text| !text.is_empty()) {
            self.warn(
                resource,
                path,
                format!(
                    "`{name}` of {} is a literal value in the configuration: anyone who can read the code or the \
                     state can read it",
                    resource.address
                ),
            );
        }
    }

    /// A component for a host outside the configuration.
    fn external(&mut self, host: &str, protocol: &str) -> String {
        if let Some(id) = self.externals.get(host) {
            return id.clone();
        }
        let id = self.builder.ids.allocate(host, "external");
        self.builder.components.push(Component {
            id: located(id.clone()),
            name: Some(host.to_string()),
            kind: located(external_kind(host, protocol)),
            description: Some(format!(
                "`{host}`, named in an environment variable and not defined in the configuration."
            )),
            ..Component::default()
        });
        self.externals.insert(host.to_string(), id.clone());
        id
    }

    /// Data assets from tags that classify what a resource holds:
    /// `DataClassification = "confidential"` and, optionally,
    /// `DataCategory = "pii,payment-card"`.
    fn classified_data(&mut self) {
        let ids: Vec<String> = self.resource_of.keys().cloned().collect();
        for id in ids {
            let Some(resource) = self.own_resource(&id) else { continue };
            let tags = resource
                .get("tags")
                .or_else(|| resource.get("labels"))
                .or_else(|| resource.path("settings.user_labels"));
            let Some(tags) = tags.and_then(Value::map) else {
                continue;
            };
            let normalized =
                |key: &str| key.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
            let mut classification = None;
            let mut categories: Vec<String> = Vec::new();
            let mut category_key = String::new();
            for (key, value) in tags {
                let Some(text) = value.literal() else { continue };
                match normalized(key).as_str() {
                    "dataclassification" | "classification" | "confidentiality" | "datasensitivity" | "sensitivity" => {
                        classification = Some((key.clone(), text.to_string()));
                    }
                    "datacategory" | "datacategories" => {
                        category_key = key.clone();
                        categories = text
                            .split([',', ';', ' ', '/'])
                            .filter(|c| !c.is_empty())
                            .map(|c| c.trim().to_ascii_lowercase())
                            .collect();
                    }
                    _ => {}
                }
            }
            let Some((key, level)) = classification else { continue };
            let rating = match normalized(&level).as_str() {
                "public" => Rating::Low,
                "internal" | "private" => Rating::Medium,
                "confidential"
                | "restricted"
                | "secret"
                | "sensitive"
                | "highlyconfidential"
                | "strictlyconfidential" => Rating::High,
                _ => {
                    self.warn(
                        resource,
                        &format!("tags.{key}"),
                        format!("`{key} = \"{level}\"` is not a classification Rampart knows (public, internal, confidential, restricted); no data asset is made"),
                    );
                    continue;
                }
            };
            let mut known = Vec::new();
            for category in categories {
                if DATA_CATEGORIES.contains(&category.as_str()) {
                    known.push(located(category));
                } else {
                    self.warn(
                        resource,
                        &format!("tags.{category_key}"),
                        format!(
                            "`{category}` is not a data category of the vocabulary ({})",
                            DATA_CATEGORIES.join(", ")
                        ),
                    );
                }
            }
            let data_id = self.builder.ids.allocate(&format!("{id}-data"), "data");
            let component_name = display_name(resource, true);
            self.builder.data.push(DataAsset {
                id: located(data_id.clone()),
                name: Some(format!("Data in {component_name}")),
                categories: known,
                confidentiality: rating,
                integrity: Rating::Medium,
                availability: Rating::Medium,
                description: Some(format!("From the tag `{key} = \"{level}\"` on {}.", resource.address)),
            });
            let datastore =
                self.builder.components.iter().any(|c| c.id.value == id && is_datastore_kind(&c.kind.value));
            if let Some(component) = self.builder.component(&id) {
                let list = if datastore { &mut component.stores } else { &mut component.processes };
                list.push(located(data_id));
            }
        }
    }

    /// Passwords written into the configuration end up in the state and the repository.
    fn literal_passwords(&mut self) {
        const KEYS: &[&str] =
            &["password", "master_password", "administrator_login_password", "admin_password", "auth_token"];
        for resource in &self.estate.resources {
            for key in KEYS {
                if resource.get(key).and_then(Value::literal).is_some_and(|text| !text.is_empty()) {
                    self.warn(
                        resource,
                        key,
                        format!(
                            "`{key}` of {} is a literal value in the configuration: anyone who can read the code or \
                             the state can read it",
                            resource.address
                        ),
                    );
                }
            }
        }
    }

    fn unsupported(&mut self) {
        let mut by_type: BTreeMap<&str, Vec<&Resource>> = BTreeMap::new();
        for (index, resource) in self.estate.resources.iter().enumerate() {
            let kind = resource.kind.as_str();
            if self.read.contains(&index)
                || NOTHING_TO_MODEL.contains(&kind)
                || NOTHING_TO_MODEL_PREFIXES.iter().any(|prefix| kind.starts_with(prefix))
            {
                continue;
            }
            by_type.entry(kind).or_default().push(resource);
        }
        for (kind, mut resources) in by_type {
            resources.sort_by(|a, b| (&a.file, a.line, &a.address).cmp(&(&b.file, b.line, &b.address)));
            let first = resources[0];
            let count = resources.len();
            let listed: Vec<&str> = resources.iter().take(3).map(|r| r.address.as_str()).collect();
            let more = if count > 3 { format!(", and {} more", count - 3) } else { String::new() };
            let message = format!(
                "resource type `{kind}` is not modelled ({count} resource{}: {}{more})",
                if count == 1 { "" } else { "s" },
                listed.join(", ")
            );
            self.warn(first, "", message);
        }
    }
}

/// Data categories of the vocabulary, for tags that name them.
const DATA_CATEGORIES: &[&str] = &[
    "pii",
    "credentials",
    "payment-card",
    "health",
    "secrets",
    "source-code",
    "business",
    "telemetry",
    "public",
    "training-data",
    "model-weights",
    "prompts",
    "process-control",
    "firmware",
];

fn is_datastore_kind(kind: &str) -> bool {
    matches!(
        kind,
        "aws-rds"
            | "aws-dynamodb"
            | "aws-s3"
            | "aws-sqs"
            | "aws-sns"
            | "aws-kinesis"
            | "aws-msk"
            | "aws-elasticache"
            | "aws-opensearch"
            | "aws-ecr"
            | "aws-kms"
            | "aws-secrets-manager"
            | "azure-sql-database"
            | "relational-database"
            | "azure-blob-storage"
            | "azure-key-vault"
            | "azure-service-bus"
            | "azure-event-hubs"
            | "azure-cosmos-db"
            | "azure-cache-for-redis"
            | "gcp-cloud-sql"
            | "gcp-cloud-storage"
            | "gcp-pubsub"
            | "gcp-cloud-kms"
            | "gcp-secret-manager"
            | "gcp-memorystore"
            | "gcp-bigquery"
    )
}

fn is_network(kind: &str) -> bool {
    matches!(
        kind,
        "aws_vpc"
            | "aws_subnet"
            | "azurerm_virtual_network"
            | "azurerm_subnet"
            | "google_compute_network"
            | "google_compute_subnetwork"
    )
}

fn is_local_host(host: &str) -> bool {
    host == "localhost" || host.starts_with("127.") || host == "::1" || host.ends_with(".localhost")
}

/// The protocol of a connection a value describes, and its encryption.
fn endpoint_protocol(endpoint: &endpoint::Endpoint, default: Option<&'static str>) -> (&'static str, Option<bool>) {
    if let Some((protocol, encrypted)) = endpoint.scheme_protocol() {
        return (protocol, encrypted);
    }
    if let Some((protocol, tls)) = endpoint.port.and_then(classify::port_protocol) {
        return (protocol, if tls { Some(true) } else { endpoint.tls });
    }
    (default.unwrap_or("tcp"), endpoint.tls)
}

/// Environment variables of a resource: name, value and the path of the
/// value (for its line).
fn environment_variables(resource: &Resource) -> Vec<(String, Value, String)> {
    let mut variables = Vec::new();
    let mut map_at = |path: &str, prefix: &str| {
        if let Some(map) = resource.path(path).and_then(Value::map) {
            for (name, value) in map {
                variables.push((name.clone(), value.clone(), format!("{prefix}.{name}")));
            }
        }
    };
    match resource.kind.as_str() {
        "aws_lambda_function" => map_at("environment.variables", "environment.0.variables"),
        "azurerm_linux_web_app"
        | "azurerm_windows_web_app"
        | "azurerm_app_service"
        | "azurerm_linux_function_app"
        | "azurerm_windows_function_app"
        | "azurerm_function_app" => map_at("app_settings", "app_settings"),
        "google_cloudfunctions_function" => map_at("environment_variables", "environment_variables"),
        "google_cloudfunctions2_function" => {
            map_at("service_config.environment_variables", "service_config.0.environment_variables");
        }
        _ => {}
    }
    match resource.kind.as_str() {
        "aws_ecs_task_definition" => {
            let containers = match resource.get("container_definitions") {
                Some(Value::String(text)) => serde_json::from_str::<serde_json::Value>(text)
                    .map(|json| Value::from_json(&json))
                    .unwrap_or(Value::Unknown),
                Some(other) => other.clone(),
                None => Value::Unknown,
            };
            for (c, container) in containers.list().iter().enumerate() {
                for (key, value_key) in [("environment", "value"), ("secrets", "valueFrom")] {
                    for (i, entry) in container.get(key).map(Value::list).unwrap_or_default().iter().enumerate() {
                        if let (Some(name), Some(value)) =
                            (entry.get("name").and_then(Value::literal), entry.get(value_key))
                        {
                            variables.push((
                                name.to_string(),
                                value.clone(),
                                format!("container_definitions.{c}.{key}.{i}.{value_key}"),
                            ));
                        }
                    }
                }
            }
        }
        "azurerm_linux_web_app" | "azurerm_windows_web_app" | "azurerm_app_service" => {
            for (i, block) in resource.values.blocks("connection_string").iter().enumerate() {
                if let (Some(name), Some(value)) = (block.get("name").and_then(Value::literal), block.get("value")) {
                    variables.push((name.to_string(), value.clone(), format!("connection_string.{i}.value")));
                }
            }
        }
        "google_cloud_run_service" | "google_cloud_run_v2_service" => {
            let containers = resource.path("template.spec.containers").or_else(|| resource.path("template.containers"));
            let spec_path = if resource.kind == "google_cloud_run_service" {
                "template.0.spec.0.containers"
            } else {
                "template.0.containers"
            };
            for (c, container) in containers.map(Value::items).unwrap_or_default().iter().enumerate() {
                for (i, entry) in container.blocks("env").iter().enumerate() {
                    let value =
                        entry.get("value").or_else(|| entry.get("value_source")).or_else(|| entry.get("value_from"));
                    if let (Some(name), Some(value)) = (entry.get("name").and_then(Value::literal), value) {
                        variables.push((name.to_string(), value.clone(), format!("{spec_path}.{c}.env.{i}.value")));
                    }
                }
            }
        }
        _ => {}
    }
    variables
}

/// A readable, stable id for a resource: its name, with the kind's noun
/// when the name does not already say it, the module path before it and
/// the instance key after it: `aws_db_instance.orders` → `orders-db`,
/// `module.network.aws_subnet.private` → `network-private-subnet`.
pub(crate) fn readable_id(resource: &Resource, noun: &str, with_key: bool) -> String {
    let name = resource.name.replace('_', "-").to_ascii_lowercase();
    let words: Vec<&str> = name.split('-').collect();
    let mut id =
        if words.contains(&noun) || name == noun || noun.is_empty() { name.clone() } else { format!("{name}-{noun}") };
    let modules: Vec<String> = resource
        .module
        .split("module.")
        .filter(|part| !part.is_empty())
        .map(|part| part.trim_end_matches('.').replace(['[', ']', '"'], "-"))
        .collect();
    if !modules.is_empty() {
        id = format!("{}-{id}", modules.join("-"));
    }
    if with_key && let Some(key) = resource.instance_key() {
        id = format!("{id}-{}", key.trim_matches('"'));
    }
    slugify(&id.replace('_', "-"))
}

/// The name a person knows the resource by: its `Name` tag, its name
/// attribute, or its name in the configuration.
pub(crate) fn display_name(resource: &Resource, with_key: bool) -> String {
    let named = resource
        .path("tags.Name")
        .or_else(|| resource.get("name"))
        .or_else(|| resource.get("bucket"))
        .or_else(|| resource.get("identifier"))
        .or_else(|| resource.get("function_name"))
        .or_else(|| resource.get("cluster_identifier"))
        .and_then(Value::literal)
        .filter(|name| !name.is_empty());
    match named {
        Some(name) => name.to_string(),
        None if with_key => resource.address.rsplit_once('.').map_or(resource.address.as_str(), |(_, n)| n).to_string(),
        None => resource.name.clone(),
    }
}

fn technology(resource: &Resource, base: &str) -> String {
    let detail = match resource.kind.as_str() {
        "aws_db_instance" | "aws_rds_cluster" | "aws_elasticache_cluster" | "aws_elasticache_replication_group" => {
            let engine = resource.text("engine").unwrap_or_default();
            let version = resource.text("engine_version").unwrap_or_default();
            format!("{engine} {version}").trim().to_string()
        }
        "aws_lambda_function" => resource.text("runtime").unwrap_or_default().to_string(),
        "aws_instance" => resource.text("instance_type").unwrap_or_default().to_string(),
        "aws_lb" | "aws_alb" => resource.text("load_balancer_type").unwrap_or("application").to_string(),
        "google_sql_database_instance" => resource.text("database_version").unwrap_or_default().to_string(),
        "azurerm_postgresql_flexible_server" | "azurerm_mssql_server" | "azurerm_mysql_flexible_server" => {
            resource.text("version").map(|v| format!("version {v}")).unwrap_or_default()
        }
        _ => String::new(),
    };
    if detail.is_empty() { base.to_string() } else { format!("{base} ({detail})") }
}

impl Value {
    /// The value as a person reads it in a description: text as written,
    /// other values as `display`.
    pub(crate) fn display_plain(&self) -> String {
        match self {
            Value::String(text) => text.clone(),
            other => other.display(),
        }
    }
}

/// CIDR ranges meaning anywhere.
pub(crate) fn is_anywhere(range: &str) -> bool {
    matches!(range.trim(), "0.0.0.0/0" | "::/0" | "*" | "Internet" | "internet" | "Any" | "any" | "0.0.0.0")
}

/// A range of private addresses (RFC 1918, unique local, link local).
pub(crate) fn is_private_range(range: &str) -> bool {
    let range = range.trim();
    let first: Option<u8> = range.split(['.', '/']).next().and_then(|octet| octet.parse().ok());
    let second: Option<u8> = range.split(['.', '/']).nth(1).and_then(|octet| octet.parse().ok());
    match (first, second) {
        (Some(10), _) | (Some(192), Some(168)) | (Some(127), _) | (Some(169), Some(254)) => true,
        (Some(172), Some(second)) => (16..32).contains(&second),
        _ => {
            let lower = range.to_ascii_lowercase();
            lower.starts_with("fd")
                || lower.starts_with("fc")
                || lower.starts_with("fe80")
                || matches!(lower.as_str(), "virtualnetwork" | "azureloadbalancer" | "vnet")
        }
    }
}

/// The protocol of a port range when it is one port, else `tcp`.
pub(crate) fn port_range_protocol(from: Option<f64>, to: Option<f64>) -> (&'static str, Option<bool>) {
    match (from, to) {
        (Some(from), Some(to)) if from == to && (0.0..=65535.0).contains(&from) => {
            match classify::port_protocol(from as u16) {
                Some((protocol, true)) => (protocol, Some(true)),
                Some((protocol, false)) => (protocol, None),
                None => ("tcp", None),
            }
        }
        _ => ("tcp", None),
    }
}

/// Whether a port range includes one of `ports`.
pub(crate) fn range_covers(from: Option<f64>, to: Option<f64>, ports: &[u16]) -> bool {
    let (from, to) = match (from, to) {
        (Some(from), Some(to)) => (from, to),
        (Some(from), None) => (from, from),
        _ => (0.0, 65535.0),
    };
    // `-1` and `0`-`0` mean every port in security group rules.
    let (from, to) = if from < 0.0 || (from == 0.0 && to == 0.0) { (0.0, 65535.0) } else { (from, to) };
    ports.iter().any(|port| (from..=to).contains(&f64::from(*port)))
}

/// `22`, `80-443`, `*` as (from, to).
pub(crate) fn parse_port_range(text: &str) -> (Option<f64>, Option<f64>) {
    let text = text.trim();
    if text == "*" || text.is_empty() {
        return (Some(0.0), Some(65535.0));
    }
    match text.split_once('-') {
        Some((from, to)) => (from.trim().parse().ok(), to.trim().parse().ok()),
        None => {
            let port = text.parse().ok();
            (port, port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(address: &str, module: &str) -> Resource {
        let base = super::super::resource::base_address(address);
        let (kind, name) =
            base.rsplit_once('.').map(|(head, name)| (head.rsplit('.').next().unwrap_or(head), name)).unwrap();
        Resource {
            address: address.into(),
            kind: kind.into(),
            name: name.into(),
            module: module.into(),
            values: Value::Map(BTreeMap::new()),
            file: "main.tf".into(),
            line: 1,
            lines: BTreeMap::new(),
        }
    }

    #[test]
    fn ids_read_like_the_resource() {
        assert_eq!(readable_id(&resource("aws_db_instance.orders", ""), "db", true), "orders-db");
        assert_eq!(readable_id(&resource("aws_db_instance.orders_db", ""), "db", true), "orders-db");
        assert_eq!(readable_id(&resource("aws_subnet.private[1]", ""), "subnet", true), "private-subnet-1");
        assert_eq!(
            readable_id(&resource("module.network.aws_subnet.private[0]", "module.network"), "subnet", false),
            "network-private-subnet"
        );
        assert_eq!(readable_id(&resource("aws_s3_bucket.logs[\"eu\"]", ""), "bucket", true), "logs-bucket-eu");
    }

    #[test]
    fn address_ranges_and_ports() {
        assert!(is_anywhere("0.0.0.0/0") && is_anywhere("::/0") && is_anywhere("Internet"));
        assert!(
            is_private_range("10.0.0.0/16") && is_private_range("172.20.1.0/24") && !is_private_range("203.0.113.0/24")
        );
        assert!(range_covers(Some(0.0), Some(65535.0), &[22]));
        assert!(range_covers(Some(-1.0), Some(-1.0), &[3389]));
        assert!(!range_covers(Some(443.0), Some(443.0), &[22]));
        assert_eq!(port_range_protocol(Some(5432.0), Some(5432.0)), ("sql", None));
        assert_eq!(port_range_protocol(Some(443.0), Some(443.0)), ("https", Some(true)));
        assert_eq!(parse_port_range("8000-8080"), (Some(8000.0), Some(8080.0)));
    }
}
