use rampart_model::{Authentication, Exposure, Flow, Position, SourceRef};

use super::*;
use crate::{IacImport, SourceFile, import_kubernetes};

fn import(files: &[(&str, &str)]) -> IacImport {
    let files: Vec<SourceFile> = files.iter().map(|(path, text)| SourceFile::new(*path, *text)).collect();
    import_kubernetes("test", &files).unwrap_or_else(|errors| panic!("{errors:#?}"))
}

fn flow<'m>(imported: &'m IacImport, from: &str, to: &str) -> &'m Flow {
    imported
        .model
        .flows
        .iter()
        .find(|flow| flow.from.value == from && flow.to.value == to)
        .unwrap_or_else(|| panic!("no flow {from} -> {to} in {:#?}", imported.model.flows))
}

fn messages(imported: &IacImport) -> Vec<String> {
    imported.warnings.iter().map(ToString::to_string).collect()
}

fn deployment(name: &str, namespace: &str, image: &str, env: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  template:\n    \
         metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n        - name: main\n          \
         image: {image}\n          env:\n{env}"
    )
}

fn service(name: &str, namespace: &str, extra: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\nspec:\n  selector:\n    \
         app: {name}\n{extra}"
    )
}

const NO_ENV: &str = "            - {name: MODE, value: production}\n";

#[test]
fn workloads_get_catalog_types_boundaries_and_sources() {
    let text = format!(
        "{}---\n{}",
        deployment("db", "shop", "postgres:16", NO_ENV),
        deployment("api", "shop", "acme/api:1", NO_ENV)
    );
    let imported = import(&[("shop.yaml", &text)]);
    let ids: Vec<(&str, &str, Option<&str>)> = imported
        .model
        .components
        .iter()
        .map(|c| (c.id.as_str(), c.kind.as_str(), c.boundary.as_ref().map(|b| b.as_str())))
        .collect();
    assert_eq!(ids, [("api", "kubernetes-workload", Some("ns-shop")), ("db", "relational-database", Some("ns-shop"))]);
    let api = &imported.model.components[0];
    assert_eq!(
        api.source,
        Some(SourceRef { file: "shop.yaml".into(), line: Some(18), resource: Some("Deployment/shop/api".into()) })
    );
    assert_eq!(api.technology.as_deref(), Some("acme/api:1"));
    let boundaries: Vec<(&str, Option<&str>)> =
        imported.model.boundaries.iter().map(|b| (b.id.as_str(), b.parent.as_ref().map(|p| p.as_str()))).collect();
    assert_eq!(boundaries, [("cluster", None), ("ns-shop", Some("cluster"))]);
    assert_eq!(imported.summary.components, 2);
}

#[test]
fn selectors_resolve_services_to_the_workloads_of_their_namespace() {
    let text = [
        deployment("web", "shop", "acme/web", NO_ENV),
        deployment("web", "staging", "acme/web", NO_ENV),
        service("web", "shop", "  type: LoadBalancer\n  ports:\n    - {name: https, port: 443}\n"),
        service("gone", "shop", ""),
    ]
    .join("---\n");
    let imported = import(&[("all.yaml", &text)]);
    // Two namespaces share the name, so both ids carry theirs.
    let exposure: Vec<(&str, Exposure)> =
        imported.model.components.iter().map(|c| (c.id.as_str(), c.exposure)).collect();
    assert_eq!(exposure, [("shop-web", Exposure::Internet), ("staging-web", Exposure::Internal)]);
    let from_internet = flow(&imported, "internet", "shop-web");
    assert_eq!(from_internet.protocol.as_str(), "https");
    assert_eq!(imported.model.actors[0].kind.as_str(), "anonymous-visitor");
    assert_eq!(
        messages(&imported),
        ["all.yaml:47:1: warning: Service shop/gone selects no workload in the input (app=gone)"]
    );
}

#[test]
fn environment_urls_become_flows_with_protocol_encryption_and_credentials() {
    let env = "            - {name: CACHE, value: \"rediss://:pw@cache.data.svc.cluster.local:6380\"}\n            \
               - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef: {name: db, key: password}\n            \
               - {name: DATABASE_URL, value: \"postgres://app:$(DB_PASSWORD)@db.data:5432/app?sslmode=require\"}\n            \
               - name: SEARCH_URL\n              valueFrom:\n                configMapKeyRef: {name: urls, key: search}\n            \
               - {name: CORS_ORIGIN, value: \"http://web\"}\n            - {name: BILLING_HOST, value: billing}\n            \
               - {name: LEDGER_URL, value: \"http://ledger.data:8080\"}\n";
    let config = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: urls, namespace: shop}\ndata:\n  search: http://search:9200\n";
    let text = [
        deployment("api", "shop", "acme/api", env),
        deployment("cache", "data", "redis:7", NO_ENV),
        deployment("db", "data", "postgres:16", NO_ENV),
        deployment("search", "shop", "elasticsearch:8.13.0", NO_ENV),
        deployment("web", "shop", "acme/web", NO_ENV),
        service("cache", "data", "  ports: [{port: 6380}]\n"),
        service("db", "data", "  ports: [{port: 5432}]\n"),
        service("search", "shop", ""),
        service("web", "shop", ""),
        config.to_string(),
    ]
    .join("---\n");
    let imported = import(&[("all.yaml", &text)]);
    let cache = flow(&imported, "api", "cache");
    assert_eq!(
        (cache.protocol.as_str(), cache.encrypted, cache.authentication),
        ("redis", Some(true), Authentication::Password)
    );
    let db = flow(&imported, "api", "db");
    assert_eq!((db.protocol.as_str(), db.encrypted, db.authentication), ("sql", Some(true), Authentication::Password));
    assert_eq!(db.data.iter().map(|d| d.as_str()).collect::<Vec<_>>(), ["secret-db"]);
    assert_eq!(db.source.as_ref().and_then(|s| s.line), Some(20));
    let search = flow(&imported, "api", "search");
    assert_eq!((search.protocol.as_str(), search.encrypted), ("http", None));
    // A variable naming the service's own public address draws no flow.
    assert!(!imported.model.flows.iter().any(|f| f.from.value == "api" && f.to.value == "web"));
    assert_eq!(imported.model.data[0].categories[0].as_str(), "credentials");
    assert_eq!(
        messages(&imported),
        [
            "all.yaml:25:15: warning: `BILLING_HOST` of Deployment shop/api names `billing`, which is no Service in the input; no flow was drawn",
            "all.yaml:26:15: warning: `LEDGER_URL` of Deployment shop/api names `ledger.data`, which is no Service in the input; no flow was drawn",
        ]
    );
}

#[test]
fn secret_values_in_the_input_are_read_and_reported() {
    let secret = "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\ndata:\n  url: cG9zdGdyZXM6Ly9kYjo1NDMyL3Nob3A=\n";
    let env = "            - name: DATABASE_URL\n              valueFrom:\n                secretKeyRef: {name: db, key: url}\n";
    let text = [
        deployment("api", "shop", "acme/api", env),
        deployment("db", "shop", "postgres", NO_ENV),
        service("db", "shop", ""),
        secret.to_string(),
    ]
    .join("---\n");
    let imported = import(&[("all.yaml", &text)]);
    assert_eq!(flow(&imported, "api", "db").protocol.as_str(), "sql");
    assert_eq!(
        messages(&imported),
        [
            "all.yaml:49:1: warning: Secret shop/db holds literal values under `data`: anyone who can read these manifests can read them (keep secret values out of the repository: Sealed Secrets, External Secrets, SOPS, or a Secret created at deploy time)"
        ]
    );
}

#[test]
fn ids_do_not_depend_on_file_or_document_order() {
    let a = deployment("api", "shop", "acme/api", "            - {name: DB_URL, value: \"postgres://db:5432/x\"}\n");
    let b = format!("{}---\n{}", deployment("db", "shop", "postgres", NO_ENV), service("db", "shop", ""));
    let c = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: shop, namespace: shop}\nspec:\n  defaultBackend:\n    service: {name: db, port: {number: 5432}}\n";
    let forward = import(&[("a.yaml", &a), ("b.yaml", &b), ("c.yaml", c)]);
    let backward = import(&[("c.yaml", c), ("b.yaml", &b), ("a.yaml", &a)]);
    assert_eq!(forward, backward);
    let again = import(&[("a.yaml", &a), ("b.yaml", &b), ("c.yaml", c)]);
    assert_eq!(serde_saphyr::to_string(&forward.model).unwrap(), serde_saphyr::to_string(&again.model).unwrap());
}

#[test]
fn ingress_draws_the_internet_flow_and_routes_to_backends() {
    let ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: shop\n  namespace: shop\nspec:\n  \
                   ingressClassName: nginx\n  tls:\n    - {hosts: [shop.example.com], secretName: shop-tls}\n  rules:\n    \
                   - host: shop.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            \
                   backend:\n              service: {name: web, port: {name: http}}\n          - path: /old\n            \
                   pathType: Prefix\n            backend:\n              service: {name: legacy, port: {number: 80}}\n";
    let text = [
        deployment("web", "shop", "acme/web", NO_ENV),
        service("web", "shop", "  ports: [{name: http, port: 80}]\n"),
        ingress.to_string(),
    ]
    .join("---\n");
    let imported = import(&[("all.yaml", &text)]);
    let controller = imported.model.components.iter().find(|c| c.id.value == "ingress-nginx").unwrap();
    assert_eq!((controller.kind.as_str(), controller.exposure), ("kubernetes-ingress", Exposure::Internet));
    assert_eq!(flow(&imported, "internet", "ingress-nginx").protocol.as_str(), "https");
    let route = flow(&imported, "ingress-nginx", "web");
    assert_eq!((route.protocol.as_str(), route.source.as_ref().and_then(|s| s.line)), ("http", Some(44)));
    let tls = imported.model.data.iter().find(|d| d.id.value == "secret-shop-tls").unwrap();
    assert_eq!(tls.categories[0].as_str(), "secrets");
    assert_eq!(
        messages(&imported),
        [
            "all.yaml:48:15: warning: Ingress shop/shop routes to Service `legacy`, which is not in the input; no flow was drawn"
        ]
    );
}

#[test]
fn network_policies_pod_security_and_limit_ranges_become_controls() {
    let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: data\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n\
                ---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: data}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n\
                ---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: open, namespace: shop}\nspec:\n  podSelector: {}\n  ingress: [{}]\n\
                ---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api-only, namespace: shop}\nspec:\n  podSelector: {matchLabels: {app: api}}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: web}}}]\n\
                ---\napiVersion: v1\nkind: LimitRange\nmetadata: {name: limits, namespace: shop}\nspec:\n  limits:\n    - type: Container\n      default: {memory: 512Mi}\n---\n";
    let text = format!(
        "{text}{}---\n{}---\n{}",
        deployment("db", "data", "postgres", NO_ENV),
        deployment("api", "shop", "acme/api", NO_ENV),
        deployment("web", "shop", "acme/web", NO_ENV)
    );
    let imported = import(&[("all.yaml", &text)]);
    let controls = |id: &str| -> Vec<String> {
        let boundary = imported.model.boundaries.iter().find(|b| b.id.value == id);
        let component = imported.model.components.iter().find(|c| c.id.value == id);
        boundary
            .map(|b| &b.controls)
            .or(component.map(|c| &c.controls))
            .unwrap()
            .iter()
            .map(|c| c.value.clone())
            .collect()
    };
    assert_eq!(controls("ns-data"), ["pod-security-standards", "kubernetes-network-policies"]);
    assert_eq!(controls("ns-shop"), ["container-resource-limits"]);
    assert_eq!(controls("api"), ["kubernetes-network-policies"]);
    assert!(controls("web").is_empty());
}

#[test]
fn cluster_admin_bindings_draw_the_api_flow_and_warn() {
    let binding = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: ops}\nroleRef: {kind: ClusterRole, name: cluster-admin}\nsubjects:\n  - {kind: ServiceAccount, name: ops, namespace: tools}\n";
    let role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: all, namespace: tools}\nrules:\n  - {apiGroups: [\"*\"], resources: [\"*\"], verbs: [\"*\"]}\n";
    let role_binding = "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: reader, namespace: tools}\nroleRef: {kind: Role, name: all}\nsubjects:\n  - {kind: ServiceAccount, name: default}\n";
    let ops = deployment("ops", "tools", "acme/ops", NO_ENV)
        .replace("    spec:\n      containers:", "    spec:\n      serviceAccountName: ops\n      containers:");
    let text = [
        ops,
        deployment("reporter", "tools", "acme/reporter", NO_ENV),
        binding.to_string(),
        role.to_string(),
        role_binding.to_string(),
    ]
    .join("---\n");
    let imported = import(&[("rbac.yaml", &text)]);
    let api = flow(&imported, "ops", "kubernetes-api");
    assert_eq!((api.protocol.as_str(), api.authentication), ("https", Authentication::Token));
    assert_eq!(api.source.as_ref().and_then(|s| s.resource.as_deref()), Some("ClusterRoleBinding/ops"));
    flow(&imported, "reporter", "kubernetes-api");
    let tags: Vec<(&str, &[String])> =
        imported.model.components.iter().map(|c| (c.id.as_str(), c.tags.as_slice())).collect();
    assert!(tags.contains(&("ops", &["deployment".to_string(), "cluster-admin".to_string()][..])), "{tags:?}");
    let warnings = messages(&imported);
    assert_eq!(warnings.len(), 2, "{warnings:#?}");
    assert!(
        warnings[0].starts_with(
            "rbac.yaml:41:5: warning: ClusterRoleBinding ops gives `cluster-admin` to ServiceAccount `tools/ops`"
        ),
        "{}",
        warnings[0]
    );
    assert!(warnings[1].contains("Role `all`, which allows every verb on every resource"), "{}", warnings[1]);
}

#[test]
fn unknown_kinds_and_non_objects_are_warned_about_not_dropped() {
    let text = "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: tls, namespace: shop}\n---\nreplicaCount: 2\n---\n\
                apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: shop}\n---\napiVersion: v1\nkind: List\nitems:\n  \
                - apiVersion: apiextensions.k8s.io/v1\n    kind: CustomResourceDefinition\n    metadata: {name: widgets.example.com}\n";
    let imported = import(&[("extra.yaml", text)]);
    assert_eq!(
        messages(&imported),
        [
            "extra.yaml:1:1: warning: Certificate shop/tls (cert-manager.io/v1) is a kind Rampart does not model; skipped (if it runs code or routes traffic, add it to the model by hand)",
            "extra.yaml:5:1: warning: this document has no `kind:`, so it is not a Kubernetes object; skipped (Helm values files and other configuration do not belong in a manifest import)",
            "extra.yaml:14:5: warning: CustomResourceDefinition widgets.example.com (apiextensions.k8s.io/v1) is a kind Rampart does not model; skipped (custom resources are not modelled; add what their controller runs by hand)",
        ]
    );
}

#[test]
fn helm_template_output_points_at_the_templates() {
    let text = "---\n# Source: shop/templates/api.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\n\
                spec:\n  template:\n    spec:\n      containers: [{name: api, image: \"acme/api:1\"}]\n---\n# Source: shop/templates/crd.yaml\n\
                apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: shop}\n";
    let imported = import(&[("<stdin>", text)]);
    assert_eq!(
        imported.model.components[0].source,
        Some(SourceRef {
            file: "shop/templates/api.yaml".into(),
            line: None,
            resource: Some("Deployment/shop/api".into())
        })
    );
    // Warnings point at the rendered text the user gave.
    assert!(messages(&imported)[0].starts_with("<stdin>:12:1: warning: Widget shop/w"), "{:?}", messages(&imported));
}

#[test]
fn duplicates_keep_the_first_definition() {
    let one = deployment("api", "shop", "acme/api:1", NO_ENV);
    let two = deployment("api", "shop", "acme/api:2", NO_ENV);
    let imported = import(&[("b.yaml", &two), ("a.yaml", &one)]);
    assert_eq!(imported.model.components[0].technology.as_deref(), Some("acme/api:1"));
    assert_eq!(
        messages(&imported),
        ["b.yaml:1:1: warning: Deployment shop/api is defined twice (first at a.yaml:1); the first is used"]
    );
}

#[test]
fn malformed_files_fail_with_file_line_and_column() {
    let files = [
        SourceFile::new("good.yaml", deployment("api", "shop", "acme/api", NO_ENV)),
        SourceFile::new("bad.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: [web\n"),
        SourceFile::new(
            "chart.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    {{- include \"shop.labels\" . | nindent 4 }}\n",
        ),
    ];
    let errors = import_kubernetes("test", &files).unwrap_err();
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(shown.len(), 2, "{shown:#?}");
    assert!(shown[0].starts_with("bad.yaml:5:1: error: "), "{}", shown[0]);
    assert!(shown[1].starts_with("chart.yaml:6:7: error: "), "{}", shown[1]);
    assert!(
        shown[1].ends_with(
            "(this looks like a Helm template; render it first: `helm template CHART | rampart import kubernetes -`)"
        ),
        "{}",
        shown[1]
    );
    assert!(errors.iter().all(|e| e.is_error() && e.diagnostic.at != Position::UNKNOWN));
}

#[test]
fn kubelet_references_expand_and_base64_decodes() {
    let earlier = vec![
        EnvVar { name: "USER".into(), value: Some("app".into()), secrets: Vec::new(), at: Position::UNKNOWN },
        EnvVar { name: "PASS".into(), value: None, secrets: vec![("ns".into(), "db".into())], at: Position::UNKNOWN },
    ];
    let (value, secrets) = expand_references("pg://$(USER):$(PASS)@db/$(MISSING)$(", &earlier);
    assert_eq!(value, "pg://app:$(PASS)@db/$(MISSING)$(");
    assert_eq!(secrets, [("ns".to_string(), "db".to_string())]);
    assert_eq!(decode_base64("cmVkaXM6Ly9jYWNoZTo2Mzc5").as_deref(), Some("redis://cache:6379"));
    assert_eq!(decode_base64("aGk=\n").as_deref(), Some("hi"));
    assert_eq!(decode_base64("not base64!"), None);
}
