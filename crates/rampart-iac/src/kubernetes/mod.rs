//! Kubernetes manifests → Rampart model.
//!
//! Runs in passes over the objects, sorted by kind, namespace and name so
//! the result does not depend on file order: workloads get ids first (their
//! names, prefixed with the namespace only when two namespaces share one),
//! then boundaries, components with the facts of their pod specs, Services
//! (selectors resolved to workloads, exposure), Ingresses, connections named
//! in environment variables, RBAC bindings, and Secrets committed with
//! values. `docs/importing-iac.md` lists every rule.

mod objects;
mod pod;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use rampart_model::{Authentication, Boundary, Component, Exposure, Position};

use crate::IacImport;
use crate::builder::{FlowSpec, ModelBuilder, external_kind, located};
use crate::classify::{self, Known};
use crate::endpoint::{self, Endpoint};
use crate::source::{self, FileDiagnostic, SourceFile};
use crate::yaml::Node;
use objects::{Object, labels};

const WORKLOAD_KINDS: &[&str] =
    &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Pod", "Job", "CronJob"];

/// Kinds read for what they tell about workloads and namespaces.
const MODELLED_KINDS: &[&str] = &[
    "Namespace",
    "Service",
    "Ingress",
    "ConfigMap",
    "Secret",
    "NetworkPolicy",
    "ServiceAccount",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "LimitRange",
];

/// Kinds with nothing to model (storage, scaling, scheduling): skipped
/// without a warning. `docs/importing-iac.md` lists them.
const IGNORED_KINDS: &[&str] = &[
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "HorizontalPodAutoscaler",
    "PodDisruptionBudget",
    "ResourceQuota",
    "IngressClass",
    "PriorityClass",
    "RuntimeClass",
    "Endpoints",
    "EndpointSlice",
];

const DESCRIPTION: &str = "Imported from Kubernetes manifests by `rampart import kubernetes`. Add what manifests \
                           cannot say (the data each workload handles, how callers authenticate) and re-run the analysis.";

pub(crate) fn import(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for file in files {
        match source::parse_file(file, &mut warnings) {
            Ok(documents) => parsed.push((file, documents)),
            Err(error) => errors.push(error),
        }
    }
    if !errors.is_empty() {
        errors.append(&mut warnings);
        source::sort(&mut errors);
        return Err(errors);
    }
    let objects = objects::collect(&parsed, &mut warnings);
    let mut importer = Importer::new(objects, warnings);
    importer.run();
    Ok(importer.builder.finish(name, DESCRIPTION.to_string(), files.len()))
}

#[derive(Clone)]
struct Workload<'a> {
    object: Object<'a>,
    id: String,
    pod: &'a Node,
    labels: Vec<(String, String)>,
    account: String,
    known: Option<Known>,
}

#[derive(Clone, Debug)]
struct ServicePort {
    name: Option<String>,
    port: Option<u16>,
    target_port: Option<String>,
    app_protocol: Option<String>,
    at: Position,
}

#[derive(Clone)]
struct Service<'a> {
    object: Object<'a>,
    /// Indices into the workloads.
    targets: Vec<usize>,
    ports: Vec<ServicePort>,
    /// `spec.externalName` of an ExternalName Service.
    external: Option<String>,
}

/// An environment variable with what it was resolved to.
#[derive(Clone, Debug)]
struct EnvVar {
    name: String,
    value: Option<String>,
    /// Secrets (namespace, name) its value came from, directly or through `$(VAR)`.
    secrets: Vec<(String, String)>,
    at: Position,
}

/// (kind, namespace, name) of an object, for [`Importer::find`].
type ObjectKey = (String, Option<String>, String);

struct Importer<'a> {
    objects: Vec<Object<'a>>,
    /// Each (kind, namespace, name) → the first object with it: lookups by
    /// name happen per workload and per environment variable.
    object_index: HashMap<ObjectKey, usize>,
    builder: ModelBuilder,
    workloads: Vec<Workload<'a>>,
    services: BTreeMap<(String, String), Service<'a>>,
    /// Namespace → boundary id.
    namespaces: BTreeMap<String, String>,
    cluster: String,
    /// (namespace, Secret name) → data asset id.
    secret_assets: HashMap<(String, String), String>,
    /// Host name → component id of elements outside the manifests.
    externals: BTreeMap<String, String>,
    api_server: Option<String>,
    runtime: Option<String>,
    ingress_controllers: BTreeMap<String, String>,
}

impl<'a> Importer<'a> {
    fn new(objects: Vec<Object<'a>>, warnings: Vec<FileDiagnostic>) -> Self {
        let mut object_index = HashMap::new();
        for (position, object) in objects.iter().enumerate() {
            let key = (object.kind.clone(), object.namespace.clone(), object.name.clone());
            object_index.entry(key).or_insert(position);
        }
        Importer {
            objects,
            object_index,
            builder: ModelBuilder::new(warnings),
            workloads: Vec::new(),
            services: BTreeMap::new(),
            namespaces: BTreeMap::new(),
            cluster: String::new(),
            secret_assets: HashMap::new(),
            externals: BTreeMap::new(),
            api_server: None,
            runtime: None,
            ingress_controllers: BTreeMap::new(),
        }
    }

    fn run(&mut self) {
        self.warn_unmodelled_kinds();
        self.collect_workloads();
        self.create_boundaries();
        self.create_workload_components();
        self.collect_services();
        self.expose_services();
        self.ingresses();
        self.environment_flows();
        self.rbac();
        self.literal_secrets();
    }

    fn of_kind(&self, kind: &str) -> Vec<Object<'a>> {
        self.objects.iter().filter(|object| object.kind == kind).cloned().collect()
    }

    fn find(&self, kind: &str, namespace: Option<&str>, name: &str) -> Option<&Object<'a>> {
        let key = (kind.to_string(), namespace.map(str::to_string), name.to_string());
        self.object_index.get(&key).and_then(|position| self.objects.get(*position))
    }

    /// Workload indices per namespace, in order.
    fn workloads_by_namespace(&self) -> HashMap<String, Vec<usize>> {
        let mut by_namespace: HashMap<String, Vec<usize>> = HashMap::new();
        for (position, workload) in self.workloads.iter().enumerate() {
            by_namespace.entry(workload.object.ns().to_string()).or_default().push(position);
        }
        by_namespace
    }

    fn warn(&mut self, warning: FileDiagnostic) {
        self.builder.warnings.push(warning);
    }

    fn warn_unmodelled_kinds(&mut self) {
        let mut warnings = Vec::new();
        for object in &self.objects {
            let kind = object.kind.as_str();
            if WORKLOAD_KINDS.contains(&kind) || MODELLED_KINDS.contains(&kind) || IGNORED_KINDS.contains(&kind) {
                continue;
            }
            let warning = object.warning(
                object.at(),
                format!("{} ({}) is a kind Rampart does not model; skipped", object.label(), object.api_version),
            );
            let help = match kind {
                "CustomResourceDefinition" => {
                    "custom resources are not modelled; add what their controller runs by hand"
                }
                "Kustomization" => "render the overlay with `kubectl kustomize DIR` and import the output",
                "Gateway" | "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" => {
                    "Gateway API objects are not imported yet; add the gateway and its routes to the model by hand"
                }
                _ => "if it runs code or routes traffic, add it to the model by hand",
            };
            warnings.push(warning.with_help(help));
        }
        self.builder.warnings.extend(warnings);
    }

    fn collect_workloads(&mut self) {
        let mut workloads = Vec::new();
        for object in self.objects.iter().filter(|o| WORKLOAD_KINDS.contains(&o.kind.as_str())) {
            // A ReplicaSet of a Deployment, a Pod of a Job: its owner in the
            // input stands for it (as in `kubectl get all -o yaml` dumps).
            let owned = object.get(&["metadata", "ownerReferences"]).is_some_and(|owners| {
                owners.seq().iter().any(|owner| {
                    owner.get("kind").and_then(Node::text).is_some_and(|kind| WORKLOAD_KINDS.contains(&kind))
                })
            });
            // `helm test` pods only check a release; they are not part of the system.
            let helm_test = object.annotation("helm.sh/hook").is_some_and(|hooks| hooks.contains("test"));
            if owned || helm_test {
                continue;
            }
            let Some((pod, metadata)) = pod::pod_template(object) else {
                self.builder
                    .warnings
                    .push(object.warning(object.at(), format!("{} has no pod template; skipped", object.label())));
                continue;
            };
            let image = pod::containers(pod).find_map(|c| c.get("image").and_then(Node::text));
            let account = pod
                .get("serviceAccountName")
                .or_else(|| pod.get("serviceAccount"))
                .and_then(Node::text)
                .unwrap_or("default")
                .to_string();
            workloads.push(Workload {
                object: object.clone(),
                id: String::new(),
                pod,
                labels: labels(metadata.and_then(|m| m.get("labels"))),
                account,
                known: image.and_then(classify::classify_image),
            });
        }
        workloads.sort_by(|a, b| {
            (a.object.ns(), &a.object.name, &a.object.kind).cmp(&(b.object.ns(), &b.object.name, &b.object.kind))
        });
        let mut namespaces_per_name: HashMap<String, BTreeSet<String>> = HashMap::new();
        for workload in &workloads {
            namespaces_per_name
                .entry(workload.object.name.clone())
                .or_default()
                .insert(workload.object.ns().to_string());
        }
        for workload in &mut workloads {
            let shared = namespaces_per_name.get(&workload.object.name).is_some_and(|namespaces| namespaces.len() > 1);
            let wanted = if shared {
                format!("{}-{}", workload.object.ns(), workload.object.name)
            } else {
                workload.object.name.clone()
            };
            workload.id = self.builder.ids.allocate(&wanted, &workload.object.kind.to_ascii_lowercase());
        }
        self.workloads = workloads;
    }

    fn create_boundaries(&mut self) {
        let mut namespaces: BTreeSet<String> = self.of_kind("Namespace").into_iter().map(|ns| ns.name).collect();
        for object in &self.objects {
            let element =
                WORKLOAD_KINDS.contains(&object.kind.as_str()) || matches!(object.kind.as_str(), "Service" | "Ingress");
            if let (true, Some(namespace)) = (element, &object.namespace) {
                namespaces.insert(namespace.clone());
            }
        }
        if namespaces.is_empty() {
            return;
        }
        self.cluster = self.builder.ids.allocate("cluster", "boundary");
        self.builder.boundaries.push(Boundary {
            id: located(self.cluster.clone()),
            name: Some("Kubernetes cluster".to_string()),
            kind: Some("cluster".to_string()),
            description: Some("The cluster the manifests are applied to.".to_string()),
            ..Boundary::default()
        });
        // Namespaces with a default-deny policy, or a LimitRange giving memory limits.
        let denying: HashSet<String> = self
            .of_kind("NetworkPolicy")
            .iter()
            .filter(|policy| network_policy(policy).default_deny)
            .map(|policy| policy.ns().to_string())
            .collect();
        let limiting: HashSet<String> = self
            .of_kind("LimitRange")
            .iter()
            .filter(|range| limits_memory_by_default(range))
            .map(|range| range.ns().to_string())
            .collect();
        for namespace in namespaces {
            let id = self.builder.ids.allocate(&format!("ns-{namespace}"), "boundary");
            let declared = self.find("Namespace", None, &namespace).cloned();
            let mut controls = Vec::new();
            let enforced = declared
                .as_ref()
                .and_then(|ns| ns.get(&["metadata", "labels", "pod-security.kubernetes.io/enforce"]))
                .and_then(Node::text);
            if matches!(enforced, Some("restricted" | "baseline")) {
                controls.push(located("pod-security-standards"));
            }
            if denying.contains(&namespace) {
                controls.push(located("kubernetes-network-policies"));
            }
            if limiting.contains(&namespace) {
                controls.push(located("container-resource-limits"));
            }
            self.builder.boundaries.push(Boundary {
                id: located(id.clone()),
                name: Some(namespace.clone()),
                kind: Some("namespace".to_string()),
                parent: Some(located(self.cluster.clone())),
                controls,
                description: Some(format!("Namespace `{namespace}`.")),
                source: declared.map(|ns| ns.source()),
                ..Boundary::default()
            });
            self.namespaces.insert(namespace, id);
        }
    }

    fn create_workload_components(&mut self) {
        // Per namespace, the selectors of the policies that isolate the pods they select.
        let mut isolating: HashMap<String, Vec<Vec<(String, String)>>> = HashMap::new();
        for policy in self.of_kind("NetworkPolicy") {
            let facts = network_policy(&policy);
            if facts.isolates_ingress && !facts.selector.is_empty() {
                isolating.entry(policy.ns().to_string()).or_default().push(facts.selector);
            }
        }
        for workload in self.workloads.clone() {
            let object = &workload.object;
            let account = self.find("ServiceAccount", Some(object.ns()), &workload.account);
            let account_automount = account.and_then(|a| a.get(&["automountServiceAccountToken"])).and_then(Node::bool);
            let facts = pod::facts(workload.pod, account_automount);
            let image = pod::containers(workload.pod).find_map(|c| c.get("image").and_then(Node::text));
            let mut controls: Vec<&str> = facts.controls.clone();
            let isolated = isolating
                .get(object.ns())
                .is_some_and(|selectors| selectors.iter().any(|selector| selects(selector, &workload.labels)));
            if isolated {
                controls.push("kubernetes-network-policies");
            }
            let kind = workload.known.map_or("kubernetes-workload", |known| known.kind);
            self.builder.components.push(Component {
                id: located(workload.id.clone()),
                name: Some(object.name.clone()),
                kind: located(kind),
                technology: image.map(str::to_string),
                boundary: self.namespaces.get(object.ns()).map(|id| located(id.clone())),
                capabilities: facts.capabilities.iter().map(|c| located(*c)).collect(),
                controls: controls.iter().map(|c| located(*c)).collect(),
                tags: vec![object.kind.to_ascii_lowercase()],
                description: Some(format!("{} `{}` in namespace `{}`.", object.kind, object.name, object.ns())),
                source: Some(object.source()),
                ..Component::default()
            });
            for (at, message) in &facts.warnings {
                self.warn(object.warning(*at, format!("{}: {message}", object.label())));
            }
            if let Some(at) = facts.runtime_socket {
                let runtime = self.runtime_component(&workload);
                self.warn(
                    object
                        .warning(at, format!("{} mounts the container runtime's socket: it can start any container on its node", object.label()))
                        .with_help("give the workload its own API (a CI runner with rootless builds, a read-only metrics agent) instead of the socket"),
                );
                self.builder.add_flow(FlowSpec {
                    from: workload.id.clone(),
                    to: runtime,
                    protocol: "http",
                    encrypted: None,
                    authentication: Authentication::None,
                    data: Vec::new(),
                    source: object.source_at(at),
                    description: "The container runtime's API, through the socket mounted from the node.".to_string(),
                });
            }
            let mut secrets: Vec<String> = facts.secret_volumes.iter().map(|(name, _)| name.clone()).collect();
            for container in pod::containers(workload.pod) {
                for var in container.get("env").map(Node::seq).unwrap_or_default() {
                    if let Some(name) = var.path(&["valueFrom", "secretKeyRef", "name"]).and_then(Node::text) {
                        secrets.push(name.to_string());
                    }
                }
                for from in container.get("envFrom").map(Node::seq).unwrap_or_default() {
                    if let Some(name) = from.path(&["secretRef", "name"]).and_then(Node::text) {
                        secrets.push(name.to_string());
                    }
                }
            }
            for secret in secrets {
                let asset = self.secret_asset(object.ns(), &secret, false);
                self.builder.add_processes(&workload.id, &asset);
            }
        }
    }

    /// The data asset for the Secret `namespace/name`: `secrets` (keys and
    /// certificates) for TLS Secrets, `credentials` for the others.
    fn secret_asset(&mut self, namespace: &str, name: &str, tls: bool) -> String {
        let key = (namespace.to_string(), name.to_string());
        if let Some(id) = self.secret_assets.get(&key) {
            return id.clone();
        }
        let secret_type = self
            .find("Secret", Some(namespace), name)
            .and_then(|secret| secret.get(&["type"]))
            .and_then(Node::text)
            .unwrap_or_default();
        let category = if tls || secret_type == "kubernetes.io/tls" { "secrets" } else { "credentials" };
        let id = self.builder.secret_asset(
            &format!("secret-{name}"),
            format!("Secret {namespace}/{name}"),
            category,
            format!("The values of the Kubernetes Secret `{name}` in namespace `{namespace}`."),
        );
        self.secret_assets.insert(key, id.clone());
        id
    }

    /// The node's container runtime, created on first use, in the boundary
    /// of the first workload that mounts its socket.
    fn runtime_component(&mut self, workload: &Workload<'a>) -> String {
        if let Some(id) = &self.runtime {
            return id.clone();
        }
        let id = self.builder.ids.allocate("container-runtime", "component");
        self.builder.components.push(Component {
            id: located(id.clone()),
            name: Some("Container runtime".to_string()),
            kind: located("container-runtime"),
            boundary: self.namespaces.get(workload.object.ns()).map(|b| located(b.clone())),
            description: Some("The runtime of the nodes (containerd, Docker), reached through its socket.".to_string()),
            source: Some(workload.object.source()),
            ..Component::default()
        });
        self.runtime = Some(id.clone());
        id
    }

    fn collect_services(&mut self) {
        let by_namespace = self.workloads_by_namespace();
        for object in self.of_kind("Service") {
            let spec = object.get(&["spec"]);
            let service_type = spec.and_then(|s| s.get("type")).and_then(Node::text).unwrap_or("ClusterIP");
            let selector = labels(spec.and_then(|s| s.get("selector")));
            let external = (service_type == "ExternalName")
                .then(|| spec.and_then(|s| s.get("externalName")).and_then(Node::text))
                .flatten()
                .map(|host| host.trim_end_matches('.').to_ascii_lowercase());
            let targets: Vec<usize> = if selector.is_empty() {
                Vec::new()
            } else {
                by_namespace
                    .get(object.ns())
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .copied()
                    .filter(|&i| self.workloads.get(i).is_some_and(|w| selects(&selector, &w.labels)))
                    .collect()
            };
            if targets.is_empty() && external.is_none() {
                let message = if selector.is_empty() {
                    format!("{} has no selector; its endpoints are not modelled", object.label())
                } else {
                    let wanted: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    format!("{} selects no workload in the input ({})", object.label(), wanted.join(", "))
                };
                self.warn(object.warning(object.at(), message));
            }
            let ports = spec
                .and_then(|s| s.get("ports"))
                .map(Node::seq)
                .unwrap_or_default()
                .iter()
                .map(|port| ServicePort {
                    name: port.get("name").and_then(Node::text).map(str::to_string),
                    port: port.get("port").and_then(Node::text).and_then(|p| p.parse().ok()),
                    target_port: port.get("targetPort").and_then(Node::text).map(str::to_string),
                    app_protocol: port.get("appProtocol").and_then(Node::text).map(str::to_string),
                    at: port.at,
                })
                .collect();
            let key = (object.ns().to_string(), object.name.clone());
            self.services.insert(key, Service { object, targets, ports, external });
        }
    }

    fn expose_services(&mut self) {
        for service in self.services.values().cloned().collect::<Vec<_>>() {
            let object = &service.object;
            let service_type = object.get(&["spec", "type"]).and_then(Node::text).unwrap_or("ClusterIP");
            if !matches!(service_type, "LoadBalancer" | "NodePort") {
                continue;
            }
            let internal = object.get(&["metadata", "annotations"]).is_some_and(|annotations| {
                annotations.entries().iter().any(|(key, value)| {
                    let key = key.str().unwrap_or_default();
                    let value = value.str().unwrap_or_default().to_ascii_lowercase();
                    (key.contains("load-balancer-internal") && value == "true")
                        || (key.ends_with("load-balancer-type") && value == "internal")
                        || (key.ends_with("aws-load-balancer-scheme") && value == "internal")
                })
            });
            if service_type == "LoadBalancer" && internal {
                continue;
            }
            let ranges: Vec<&str> = object
                .get(&["spec", "loadBalancerSourceRanges"])
                .map(Node::seq)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::text)
                .collect();
            let restricted = !ranges.is_empty() && !ranges.iter().any(|r| matches!(*r, "0.0.0.0/0" | "::/0"));
            let tls_at_load_balancer = object
                .get(&["metadata", "annotations"])
                .is_some_and(|a| a.entries().iter().any(|(key, _)| key.str().is_some_and(|k| k.ends_with("ssl-cert"))));
            for &target in &service.targets {
                let target_id = self.workloads[target].id.clone();
                if restricted {
                    self.builder.expose(&target_id, Exposure::Partner);
                    continue;
                }
                self.builder.expose(&target_id, Exposure::Internet);
                let internet = self.builder.internet();
                let ports: Vec<Option<&ServicePort>> =
                    if service.ports.is_empty() { vec![None] } else { service.ports.iter().map(Some).collect() };
                for port in ports {
                    let (protocol, encrypted) = if tls_at_load_balancer {
                        ("https", None)
                    } else {
                        connection_protocol(None, port, self.workloads[target].known)
                    };
                    let at = port.map_or(object.at(), |p| p.at);
                    self.builder.add_flow(FlowSpec {
                        from: internet.clone(),
                        to: target_id.clone(),
                        protocol,
                        encrypted,
                        authentication: Authentication::None,
                        data: Vec::new(),
                        source: object.source_at(at),
                        description: format!("Through the {service_type} Service `{}`.", object.name),
                    });
                }
            }
        }
    }

    /// The component for the ingress controller of `class`.
    fn ingress_controller(&mut self, class: Option<&str>, ingress: &Object<'a>) -> String {
        let class_key = class.unwrap_or_default().to_string();
        if let Some(id) = self.ingress_controllers.get(&class_key) {
            return id.clone();
        }
        let wanted = match class {
            Some(class) if class.starts_with("ingress") => class.to_string(),
            Some(class) => format!("ingress-{class}"),
            None => "ingress-controller".to_string(),
        };
        let id = self.builder.ids.allocate(&wanted, "controller");
        let name = match class {
            Some(class) => format!("Ingress controller ({class})"),
            None => "Ingress controller".to_string(),
        };
        self.builder.components.push(Component {
            id: located(id.clone()),
            name: Some(name),
            kind: located("kubernetes-ingress"),
            technology: class.map(str::to_string),
            boundary: (!self.cluster.is_empty()).then(|| located(self.cluster.clone())),
            exposure: Exposure::Internet,
            description: Some(
                "Routes outside traffic to the Services the Ingress objects name; installed outside these manifests."
                    .to_string(),
            ),
            source: Some(ingress.source()),
            ..Component::default()
        });
        self.ingress_controllers.insert(class_key, id.clone());
        id
    }

    fn ingresses(&mut self) {
        for ingress in self.of_kind("Ingress") {
            let spec = ingress.get(&["spec"]);
            let class = spec
                .and_then(|s| s.get("ingressClassName"))
                .and_then(Node::text)
                .or_else(|| ingress.annotation("kubernetes.io/ingress.class"));
            let controller = self.ingress_controller(class, &ingress);
            let tls = spec.and_then(|s| s.get("tls")).map(Node::seq).unwrap_or_default();
            let hosts: Vec<&str> = spec
                .and_then(|s| s.get("rules"))
                .map(Node::seq)
                .unwrap_or_default()
                .iter()
                .filter_map(|rule| rule.get("host").and_then(Node::text))
                .collect();
            let internet = self.builder.internet();
            let shown_hosts = if hosts.is_empty() { String::new() } else { format!(" for {}", hosts.join(", ")) };
            self.builder.add_flow(FlowSpec {
                from: internet,
                to: controller.clone(),
                protocol: if tls.is_empty() { "http" } else { "https" },
                encrypted: None,
                authentication: Authentication::None,
                data: Vec::new(),
                source: ingress.source(),
                description: format!("Ingress `{}`{shown_hosts}.", ingress.name),
            });
            for entry in tls {
                if let Some(secret) = entry.get("secretName").and_then(Node::text) {
                    let asset = self.secret_asset(ingress.ns(), secret, true);
                    self.builder.add_processes(&controller, &asset);
                }
            }
            for (backend, at) in ingress_backends(spec) {
                self.route(&ingress, &controller, &backend, at);
            }
        }
    }

    /// A flow from the ingress controller to the workloads behind a backend.
    fn route(&mut self, ingress: &Object<'a>, controller: &str, backend: &Backend, at: Position) {
        let key = (ingress.ns().to_string(), backend.service.clone());
        let Some(service) = self.services.get(&key).cloned() else {
            self.warn(ingress.warning(
                at,
                format!(
                    "{} routes to Service `{}`, which is not in the input; no flow was drawn",
                    ingress.label(),
                    backend.service
                ),
            ));
            return;
        };
        let port = service.ports.iter().find(|port| match &backend.port {
            Some(wanted) => {
                port.port.map(|p| p.to_string()).as_ref() == Some(wanted) || port.name.as_ref() == Some(wanted)
            }
            None => true,
        });
        let declared = ingress
            .annotation("nginx.ingress.kubernetes.io/backend-protocol")
            .or_else(|| ingress.annotation("traefik.ingress.kubernetes.io/service.serversscheme"))
            .map(str::to_ascii_uppercase);
        let description = format!("Ingress `{}` → Service `{}`.", ingress.name, backend.service);
        let targets: Vec<(String, Option<Known>)> = match &service.external {
            Some(host) => vec![(self.external(host, "https", ingress, at, &description), None)],
            None => service.targets.iter().map(|&t| (self.workloads[t].id.clone(), self.workloads[t].known)).collect(),
        };
        for (target, known) in targets {
            let (protocol, encrypted) = match declared.as_deref() {
                Some("HTTPS") => ("https", None),
                Some("GRPCS") => ("grpc", Some(true)),
                Some("GRPC") => ("grpc", None),
                Some(_) => ("http", None),
                None => {
                    let (protocol, encrypted) = connection_protocol(None, port, known);
                    // An ingress speaks HTTP to its backends unless told otherwise.
                    if matches!(protocol, "https" | "grpc") { (protocol, encrypted) } else { ("http", None) }
                }
            };
            self.builder.add_flow(FlowSpec {
                from: controller.to_string(),
                to: target,
                protocol,
                encrypted,
                authentication: Authentication::None,
                data: Vec::new(),
                source: ingress.source_at(at),
                description: description.clone(),
            });
        }
    }

    /// A component for a host outside the manifests, created on first use.
    fn external(&mut self, host: &str, protocol: &str, named_by: &Object<'a>, at: Position, why: &str) -> String {
        if let Some(id) = self.externals.get(host) {
            return id.clone();
        }
        let id = self.builder.ids.allocate(host, "external");
        self.builder.components.push(Component {
            id: located(id.clone()),
            name: Some(host.to_string()),
            kind: located(external_kind(host, protocol)),
            description: Some(format!("Outside the manifests. {why}")),
            source: Some(named_by.source_at(at)),
            ..Component::default()
        });
        self.externals.insert(host.to_string(), id.clone());
        id
    }

    fn environment_flows(&mut self) {
        for workload in self.workloads.clone() {
            for container in pod::containers(workload.pod) {
                let vars = self.environment(&workload.object, container);
                for var in &vars {
                    if endpoint::names_own_address(&var.name) {
                        continue;
                    }
                    let Some(endpoint) =
                        var.value.as_deref().and_then(|value| endpoint::parse_variable(&var.name, value))
                    else {
                        continue;
                    };
                    // `REDIS_PASSWORD` beside `REDIS_HOST`: how the connection authenticates, and with which Secret.
                    let mut var = var.clone();
                    let mut authentication = endpoint.password.then_some(Authentication::Password);
                    for sibling in &vars {
                        if let Some(found) = endpoint::sibling_authentication(&var.name, &sibling.name) {
                            authentication = authentication.or(Some(found));
                            var.secrets.extend(sibling.secrets.iter().cloned());
                        }
                    }
                    var.secrets.sort();
                    var.secrets.dedup();
                    self.connect(&workload, &var, &endpoint, authentication.unwrap_or(Authentication::None));
                }
            }
        }
    }

    /// A container's environment as Kubernetes builds it: `envFrom` first,
    /// then `env` (later entries win), with `$(VAR)` references to earlier
    /// variables expanded and ConfigMap and Secret keys looked up when those
    /// objects are in the input.
    fn environment(&self, object: &Object<'a>, container: &Node) -> Vec<EnvVar> {
        let namespace = object.ns();
        let mut vars: Vec<EnvVar> = Vec::new();
        let set = |vars: &mut Vec<EnvVar>, var: EnvVar| match vars.iter_mut().find(|v| v.name == var.name) {
            Some(existing) => *existing = var,
            None => vars.push(var),
        };
        for from in container.get("envFrom").map(Node::seq).unwrap_or_default() {
            let prefix = from.get("prefix").and_then(Node::text).unwrap_or_default();
            if let Some(name) = from.path(&["configMapRef", "name"]).and_then(Node::text) {
                for (key, value) in self.config_map_data(namespace, name) {
                    set(
                        &mut vars,
                        EnvVar { name: format!("{prefix}{key}"), value: Some(value), secrets: Vec::new(), at: from.at },
                    );
                }
            }
            if let Some(name) = from.path(&["secretRef", "name"]).and_then(Node::text) {
                let secret = vec![(namespace.to_string(), name.to_string())];
                for (key, value) in self.secret_data(namespace, name) {
                    set(
                        &mut vars,
                        EnvVar {
                            name: format!("{prefix}{key}"),
                            value: Some(value),
                            secrets: secret.clone(),
                            at: from.at,
                        },
                    );
                }
            }
        }
        for entry in container.get("env").map(Node::seq).unwrap_or_default() {
            let Some(name) = entry.get("name").and_then(Node::text) else { continue };
            let mut var = EnvVar { name: name.to_string(), value: None, secrets: Vec::new(), at: entry.at };
            if let Some(value) = entry.get("value").and_then(Node::str) {
                let (expanded, secrets) = expand_references(value, &vars);
                var.value = Some(expanded);
                var.secrets = secrets;
            } else if let Some(reference) = entry.path(&["valueFrom", "configMapKeyRef"]) {
                let (map, key) =
                    (reference.get("name").and_then(Node::text), reference.get("key").and_then(Node::text));
                if let (Some(map), Some(key)) = (map, key) {
                    var.value =
                        self.config_map_data(namespace, map).into_iter().find(|(k, _)| k == key).map(|(_, v)| v);
                }
            } else if let Some(reference) = entry.path(&["valueFrom", "secretKeyRef"]) {
                let (secret, key) =
                    (reference.get("name").and_then(Node::text), reference.get("key").and_then(Node::text));
                if let (Some(secret), Some(key)) = (secret, key) {
                    var.secrets = vec![(namespace.to_string(), secret.to_string())];
                    var.value = self.secret_data(namespace, secret).into_iter().find(|(k, _)| k == key).map(|(_, v)| v);
                }
            }
            set(&mut vars, var);
        }
        vars
    }

    fn config_map_data(&self, namespace: &str, name: &str) -> Vec<(String, String)> {
        let Some(map) = self.find("ConfigMap", Some(namespace), name) else { return Vec::new() };
        string_map(map.get(&["data"]))
    }

    /// A Secret's values when the manifests hold them (`stringData`, or
    /// base64 `data`).
    fn secret_data(&self, namespace: &str, name: &str) -> Vec<(String, String)> {
        let Some(secret) = self.find("Secret", Some(namespace), name) else { return Vec::new() };
        let mut values: Vec<(String, String)> = string_map(secret.get(&["data"]))
            .into_iter()
            .filter_map(|(key, value)| Some((key, decode_base64(&value)?)))
            .collect();
        for (key, value) in string_map(secret.get(&["stringData"])) {
            values.retain(|(k, _)| *k != key);
            values.push((key, value));
        }
        values
    }

    /// The Service `host` names, as seen from `namespace`: `db`, `db.shop`,
    /// `db.shop.svc.cluster.local`, or a StatefulSet pod's
    /// `db-0.db.shop.svc.cluster.local`.
    fn resolve(&self, host: &str, namespace: &str) -> Option<(String, String)> {
        let labels: Vec<&str> = host.trim_end_matches('.').split('.').collect();
        let candidates: Vec<(&str, &str)> = match labels.iter().position(|label| *label == "svc") {
            Some(svc) if svc >= 2 => vec![(labels[svc - 1], labels[svc - 2])],
            Some(_) => Vec::new(),
            None => match labels.as_slice() {
                [name] => vec![(namespace, name)],
                [first, second] => vec![(second, first), (namespace, second)],
                _ => Vec::new(),
            },
        };
        candidates
            .into_iter()
            .map(|(ns, name)| (ns.to_string(), name.to_string()))
            .find(|key| self.services.contains_key(key))
    }

    /// A flow from a workload to what an environment variable names.
    fn connect(&mut self, workload: &Workload<'a>, var: &EnvVar, endpoint: &Endpoint, authentication: Authentication) {
        let object = &workload.object;
        let host = endpoint.host.as_str();
        if matches!(host, "localhost" | "::1" | "0.0.0.0") || host.starts_with("127.") {
            return; // Another container of the same pod.
        }
        let data: Vec<String> = var.secrets.iter().map(|(ns, name)| self.secret_asset(ns, name, false)).collect();
        let description = format!("`{}` of {}.", var.name, object.label());
        let source = object.source_at(var.at);
        let Some(key) = self.resolve(host, object.ns()) else {
            // `billing`, `billing.shop` (a namespace of the input), `billing.shop.svc…`.
            let namespace_qualified = host.split_once('.').is_some_and(|(_, rest)| self.namespaces.contains_key(rest));
            let in_cluster =
                !host.contains('.') || namespace_qualified || host.contains(".svc") || host.ends_with(".cluster.local");
            let address = host.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ':');
            if in_cluster || address {
                self.warn(object.warning(
                    var.at,
                    format!(
                        "`{}` of {} names `{host}`, which is no Service in the input; no flow was drawn",
                        var.name,
                        object.label()
                    ),
                ));
                return;
            }
            let (protocol, encrypted) = connection_protocol(Some(endpoint), None, None);
            let target = self.external(host, protocol, object, var.at, &format!("Named by {description}"));
            self.builder.add_flow(FlowSpec {
                from: workload.id.clone(),
                to: target,
                protocol,
                encrypted,
                authentication,
                data,
                source,
                description,
            });
            return;
        };
        let service = self.services[&key].clone();
        let port = match endpoint.port {
            Some(wanted) => service.ports.iter().find(|p| p.port == Some(wanted)),
            None => service.ports.first(),
        };
        let targets: Vec<(String, Option<Known>)> = match &service.external {
            Some(external) => {
                let (protocol, _) = connection_protocol(Some(endpoint), port, None);
                let why = format!("The ExternalName Service `{}` points at it.", service.object.name);
                vec![(self.external(external, protocol, &service.object, service.object.at(), &why), None)]
            }
            None => service.targets.iter().map(|&t| (self.workloads[t].id.clone(), self.workloads[t].known)).collect(),
        };
        for (target, known) in targets {
            let (protocol, encrypted) = connection_protocol(Some(endpoint), port, known);
            self.builder.add_flow(FlowSpec {
                from: workload.id.clone(),
                to: target,
                protocol,
                encrypted,
                authentication,
                data: data.clone(),
                source: source.clone(),
                description: description.clone(),
            });
        }
    }

    /// Workloads whose service account is bound to a role call the API
    /// server; bindings to `cluster-admin` or to roles with `*` verbs on `*`
    /// resources are flagged.
    fn rbac(&mut self) {
        let by_namespace = self.workloads_by_namespace();
        let bindings: Vec<Object<'a>> = self
            .objects
            .iter()
            .filter(|o| matches!(o.kind.as_str(), "RoleBinding" | "ClusterRoleBinding"))
            .cloned()
            .collect();
        for binding in bindings {
            let role_kind = binding.get(&["roleRef", "kind"]).and_then(Node::text).unwrap_or("ClusterRole");
            let Some(role_name) = binding.get(&["roleRef", "name"]).and_then(Node::text) else { continue };
            let role_namespace = (role_kind == "Role").then(|| binding.ns());
            let wildcard = matches!(role_kind, "Role" | "ClusterRole")
                && self.find(role_kind, role_namespace, role_name).is_some_and(grants_everything);
            let power = if role_name == "cluster-admin" {
                Some("`cluster-admin`".to_string())
            } else if wildcard {
                Some(format!("{role_kind} `{role_name}`, which allows every verb on every resource"))
            } else {
                None
            };
            for subject in binding.get(&["subjects"]).map(Node::seq).unwrap_or_default() {
                if subject.get("kind").and_then(Node::text) != Some("ServiceAccount") {
                    continue;
                }
                let Some(account) = subject.get("name").and_then(Node::text) else { continue };
                let default_namespace = if binding.namespace.is_some() { binding.ns() } else { "default" };
                let namespace = subject.get("namespace").and_then(Node::text).unwrap_or(default_namespace);
                let users: Vec<Workload<'a>> = by_namespace
                    .get(namespace)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|&i| self.workloads.get(i))
                    .filter(|w| w.account == account)
                    .cloned()
                    .collect();
                for user in users {
                    let api = self.api_server(&binding);
                    self.builder.add_flow(FlowSpec {
                        from: user.id.clone(),
                        to: api,
                        protocol: "https",
                        encrypted: None,
                        authentication: Authentication::Token,
                        data: Vec::new(),
                        source: binding.source_at(subject.at),
                        description: format!(
                            "As ServiceAccount `{namespace}/{account}`, bound by {} to {role_kind} `{role_name}`.",
                            binding.label()
                        ),
                    });
                    if let Some(power) = &power {
                        self.builder.add_tag(&user.id, "cluster-admin");
                        self.warn(
                            binding
                                .warning(
                                    subject.at,
                                    format!(
                                        "{} gives {power} to ServiceAccount `{namespace}/{account}`, which {} runs as: code running in it controls the whole cluster",
                                        binding.label(),
                                        user.object.label()
                                    ),
                                )
                                .with_help("bind a namespaced Role with only the verbs and resources the workload uses"),
                        );
                    }
                }
            }
        }
    }

    fn api_server(&mut self, first_binding: &Object<'a>) -> String {
        if let Some(id) = &self.api_server {
            return id.clone();
        }
        let id = self.builder.ids.allocate("kubernetes-api", "component");
        self.builder.components.push(Component {
            id: located(id.clone()),
            name: Some("Kubernetes API server".to_string()),
            kind: located("kubernetes-api-server"),
            boundary: (!self.cluster.is_empty()).then(|| located(self.cluster.clone())),
            description: Some(
                "The cluster's API, called by the workloads whose service accounts are bound to roles.".to_string(),
            ),
            source: Some(first_binding.source()),
            ..Component::default()
        });
        self.api_server = Some(id.clone());
        id
    }

    fn literal_secrets(&mut self) {
        for secret in self.of_kind("Secret") {
            let literal = ["stringData", "data"].into_iter().find_map(|key| {
                secret.node.entry(key).filter(|(_, values)| values.entries().iter().any(|(_, v)| v.text().is_some()))
            });
            if let Some((key, _)) = literal {
                self.warn(
                    secret
                        .warning(
                            key.at,
                            format!(
                                "{} holds literal values under `{}`: anyone who can read these manifests can read them",
                                secret.label(),
                                key.str().unwrap_or_default()
                            ),
                        )
                        .with_help("keep secret values out of the repository: Sealed Secrets, External Secrets, SOPS, or a Secret created at deploy time"),
                );
            }
        }
    }
}

/// A Service an Ingress routes to.
struct Backend {
    service: String,
    /// A port number or name, when given.
    port: Option<String>,
}

/// Every backend of an Ingress (networking.k8s.io/v1 and v1beta1 shapes),
/// with the line it is written on.
fn ingress_backends(spec: Option<&Node>) -> Vec<(Backend, Position)> {
    let Some(spec) = spec else { return Vec::new() };
    let mut nodes: Vec<&Node> = Vec::new();
    nodes.extend(spec.get("defaultBackend").or_else(|| spec.get("backend")));
    for rule in spec.get("rules").map(Node::seq).unwrap_or_default() {
        for path in rule.path(&["http", "paths"]).map(Node::seq).unwrap_or_default() {
            nodes.extend(path.get("backend"));
        }
    }
    nodes
        .into_iter()
        .filter_map(|backend| {
            let (service, port) = match backend.get("service") {
                Some(service) => (
                    service.get("name").and_then(Node::text)?,
                    service.path(&["port", "number"]).or_else(|| service.path(&["port", "name"])).and_then(Node::text),
                ),
                None => {
                    (backend.get("serviceName").and_then(Node::text)?, backend.get("servicePort").and_then(Node::text))
                }
            };
            Some((Backend { service: service.to_string(), port: port.map(str::to_string) }, backend.at))
        })
        .collect()
}

/// The protocol and encryption of a connection to a Service port: the URL
/// scheme first, then the port's name or `appProtocol`, its number, the
/// workload's image, and plain TCP when nothing says more.
fn connection_protocol(
    endpoint: Option<&Endpoint>,
    port: Option<&ServicePort>,
    known: Option<Known>,
) -> (&'static str, Option<bool>) {
    if let Some((protocol, encrypted)) = endpoint.and_then(Endpoint::scheme_protocol) {
        return (protocol, encrypted);
    }
    let tls = endpoint.and_then(|e| e.tls);
    let named = port.and_then(|p| {
        p.app_protocol
            .as_deref()
            .and_then(classify::port_name_protocol)
            .or_else(|| p.name.as_deref().and_then(classify::port_name_protocol))
    });
    let numbered = port
        .and_then(|p| p.port)
        .or_else(|| endpoint.and_then(|e| e.port))
        .and_then(classify::port_protocol)
        .or_else(|| {
            port.and_then(|p| p.target_port.as_deref()).and_then(|t| t.parse().ok()).and_then(classify::port_protocol)
        });
    let (protocol, port_tls) =
        named.or(numbered).or_else(|| known.map(|k| (k.protocol, false))).unwrap_or(("tcp", false));
    (protocol, encryption(protocol, tls, port_tls))
}

/// What to write in a flow's `encrypted`: nothing when the protocol implies
/// it (`https`), else what the connection says.
pub(crate) fn encryption(protocol: &str, tls: Option<bool>, port_tls: bool) -> Option<bool> {
    let inherent = matches!(protocol, "https" | "ldaps" | "ssh" | "tls" | "mqtts" | "ftps" | "coaps");
    match tls {
        Some(false) => Some(false),
        _ if inherent => None,
        Some(true) => Some(true),
        None => port_tls.then_some(true),
    }
}

/// Whether every `selector` label is among `labels`.
fn selects(selector: &[(String, String)], labels: &[(String, String)]) -> bool {
    !selector.is_empty() && selector.iter().all(|wanted| labels.contains(wanted))
}

/// What a NetworkPolicy does.
struct PolicyFacts {
    selector: Vec<(String, String)>,
    /// Selected pods accept only the listed ingress.
    isolates_ingress: bool,
    /// Selects every pod and lists no ingress rule.
    default_deny: bool,
}

fn network_policy(policy: &Object<'_>) -> PolicyFacts {
    let spec = policy.get(&["spec"]);
    let selector_node = spec.and_then(|s| s.get("podSelector"));
    let selector = labels(selector_node.and_then(|s| s.get("matchLabels")));
    let has_expressions = selector_node.and_then(|s| s.get("matchExpressions")).is_some_and(|e| !e.seq().is_empty());
    let types: Vec<&str> = spec
        .and_then(|s| s.get("policyTypes"))
        .map(Node::seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::text)
        .collect();
    let ingress_type = types.is_empty() || types.contains(&"Ingress");
    let rules = spec.and_then(|s| s.get("ingress")).map(Node::seq).unwrap_or_default();
    // `ingress: [{}]` allows everything.
    let allows_all = rules.iter().any(|rule| rule.entries().is_empty());
    let isolates_ingress = ingress_type && !allows_all;
    PolicyFacts {
        default_deny: isolates_ingress && selector.is_empty() && !has_expressions && rules.is_empty(),
        selector,
        isolates_ingress,
    }
}

/// Whether a LimitRange gives containers a memory limit by default.
fn limits_memory_by_default(range: &Object<'_>) -> bool {
    range.get(&["spec", "limits"]).map(Node::seq).unwrap_or_default().iter().any(|limit| {
        limit.get("type").and_then(Node::text) == Some("Container") && limit.path(&["default", "memory"]).is_some()
    })
}

/// Whether a Role or ClusterRole allows every verb on every resource.
fn grants_everything(role: &Object<'_>) -> bool {
    role.get(&["rules"]).map(Node::seq).unwrap_or_default().iter().any(|rule| {
        let has_star =
            |key: &str| rule.get(key).map(Node::seq).unwrap_or_default().iter().any(|v| v.str() == Some("*"));
        has_star("verbs") && has_star("resources")
    })
}

/// A mapping of strings (ConfigMap `data`).
fn string_map(node: Option<&Node>) -> Vec<(String, String)> {
    node.map(|node| {
        node.entries()
            .iter()
            .filter_map(|(key, value)| Some((key.str()?.to_string(), value.str()?.to_string())))
            .collect()
    })
    .unwrap_or_default()
}

/// Expands `$(NAME)` references to earlier variables, as the kubelet does;
/// unknown references stay as written. Returns the Secrets the expanded
/// values came from.
fn expand_references(value: &str, earlier: &[EnvVar]) -> (String, Vec<(String, String)>) {
    let mut result = String::with_capacity(value.len());
    let mut secrets = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find("$(") {
        result.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find(')') {
            Some(end) => {
                let name = &after[..end];
                match earlier.iter().find(|var| var.name == name) {
                    Some(var) if var.value.is_some() => {
                        result.push_str(var.value.as_deref().unwrap_or_default());
                        secrets.extend(var.secrets.iter().cloned());
                    }
                    Some(var) => {
                        // The value is unknown (a Secret not in the input), but where it comes from is not.
                        result.push_str(&rest[start..start + end + 3]);
                        secrets.extend(var.secrets.iter().cloned());
                    }
                    None => result.push_str(&rest[start..start + end + 3]),
                }
                rest = &after[end + 1..];
            }
            None => {
                result.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    result.push_str(rest);
    (result, secrets)
}

/// Standard base64 (Secret `data`), when it decodes to UTF-8 text.
fn decode_base64(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests;
