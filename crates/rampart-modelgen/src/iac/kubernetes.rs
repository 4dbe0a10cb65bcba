//! Kubernetes manifests of N objects: teams' namespaces holding apps, their
//! data stores and the objects around them, one multi-document file per
//! namespace (as `helm template` or a GitOps repository would have them).

use std::fmt::Write as _;

use super::names::{OUTSIDE_APIS, app_name};
use crate::rng::SplitMix64;

/// Apps per team namespace.
const APPS_PER_NAMESPACE: usize = 8;

/// Manifests of exactly `objects` objects as one multi-document YAML text.
/// The same arguments always give the same text.
pub fn kubernetes_manifests(objects: usize, seed: u64) -> String {
    kubernetes_manifest_files(objects, seed).into_iter().map(|(_, text)| text).collect::<Vec<_>>().join("---\n")
}

/// The same manifests as files, one per namespace: (`team-3.yaml`, text).
pub fn kubernetes_manifest_files(objects: usize, seed: u64) -> Vec<(String, String)> {
    let mut writer =
        ManifestWriter { rng: SplitMix64::new(seed), target: objects, count: 0, files: Vec::new(), apps: Vec::new() };
    writer.run();
    writer.files.into_iter().filter(|(_, text)| !text.is_empty()).collect()
}

/// An app others may call: its Service's name and namespace.
struct Published {
    name: String,
    namespace: String,
}

struct ManifestWriter {
    rng: SplitMix64,
    target: usize,
    count: usize,
    files: Vec<(String, String)>,
    apps: Vec<Published>,
}

impl ManifestWriter {
    fn full(&self) -> bool {
        self.count >= self.target
    }

    /// Appends one object to the current file, unless the set is full.
    fn emit(&mut self, document: String) -> bool {
        if self.full() {
            return false;
        }
        if let Some((_, text)) = self.files.last_mut() {
            if !text.is_empty() {
                text.push_str("---\n");
            }
            text.push_str(&document);
        }
        self.count += 1;
        true
    }

    fn run(&mut self) {
        let mut index: usize = 0;
        while !self.full() {
            if index.is_multiple_of(APPS_PER_NAMESPACE) {
                let team = index / APPS_PER_NAMESPACE;
                self.files.push((format!("team-{team}.yaml"), String::new()));
                self.namespace(&format!("team-{team}"));
            }
            let namespace = format!("team-{}", index / APPS_PER_NAMESPACE);
            self.app(&app_name(index), &namespace);
            index += 1;
        }
    }

    fn namespace(&mut self, namespace: &str) {
        self.emit(format!(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {namespace}\n  labels:\n    \
             pod-security.kubernetes.io/enforce: restricted\n    team: {namespace}\n"
        ));
        self.emit(format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  \
             namespace: {namespace}\nspec:\n  podSelector: {{}}\n  policyTypes:\n    - Ingress\n"
        ));
    }

    fn app(&mut self, app: &str, namespace: &str) {
        let public = self.rng.chance(35);
        let database = self.rng.chance(45);
        let cache = self.rng.chance(30);
        let stateful = !database && self.rng.chance(10);
        let literal_secret = self.rng.chance(20);

        self.emit(format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {app}\n  namespace: {namespace}\n\
             automountServiceAccountToken: false\n"
        ));
        self.emit(format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}-config\n  namespace: {namespace}\ndata:\n  \
             LOG_LEVEL: info\n  FEATURE_FLAGS: \"checkout-v2,fast-search\"\n  TRACING_ENDPOINT: \
             \"http://otel-collector.observability.svc.cluster.local:4318\"\n"
        ));
        let secret_data = if literal_secret {
            "stringData:\n  API_TOKEN: \"tok_7f3a9c21d4e8b6a0\"\n  DB_PASSWORD: \"changeme-in-prod\"\n".to_string()
        } else {
            "data:\n  API_TOKEN: dG9rXzAwMDAwMDAwMDA=\n  DB_PASSWORD: c2VjcmV0LXBhc3N3b3Jk\n".to_string()
        };
        self.emit(format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {app}-credentials\n  namespace: {namespace}\n\
             type: Opaque\n{secret_data}"
        ));
        if database {
            self.postgres(app, namespace);
        }
        if cache {
            self.redis(app, namespace);
        }
        let env = self.environment(app, namespace, database, cache);
        let kind = if stateful { "StatefulSet" } else { "Deployment" };
        let service_name = if stateful { format!("  serviceName: {app}\n") } else { String::new() };
        let replicas = 2 + self.rng.below(3);
        let image = format!(
            "{}/{app}:{}.{}.{}",
            self.rng.pick(&["ghcr.io/acme", "123456789012.dkr.ecr.eu-west-1.amazonaws.com", "registry.acme.io"]),
            1 + self.rng.below(4),
            self.rng.below(20),
            self.rng.below(10)
        );
        let privileged = self.rng.chance(5);
        let security = if privileged {
            "          securityContext:\n            privileged: true\n".to_string()
        } else {
            "          securityContext:\n            runAsNonRoot: true\n            readOnlyRootFilesystem: true\n            \
             allowPrivilegeEscalation: false\n            capabilities:\n              drop: [\"ALL\"]\n"
                .to_string()
        };
        self.emit(format!(
            "apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {app}\n  namespace: {namespace}\n  labels:\n    \
             app.kubernetes.io/name: {app}\nspec:\n{service_name}  replicas: {replicas}\n  selector:\n    matchLabels:\n      \
             app.kubernetes.io/name: {app}\n  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {app}\n        \
             tier: backend\n    spec:\n      serviceAccountName: {app}\n      containers:\n        - name: {app}\n          \
             image: {image}\n          ports:\n            - containerPort: 8080\n              name: http\n{env}          \
             envFrom:\n            - configMapRef:\n                name: {app}-config\n{security}          resources:\n            \
             requests:\n              cpu: 100m\n              memory: 256Mi\n            limits:\n              memory: 512Mi\n"
        ));
        self.emit(format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  namespace: {namespace}\nspec:\n  \
             type: ClusterIP\n  selector:\n    app.kubernetes.io/name: {app}\n  ports:\n    - name: http\n      \
             port: 8080\n      targetPort: http\n"
        ));
        self.emit(format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {app}-ingress\n  \
             namespace: {namespace}\nspec:\n  podSelector:\n    matchLabels:\n      app.kubernetes.io/name: {app}\n  \
             policyTypes:\n    - Ingress\n  ingress:\n    - from:\n        - namespaceSelector: {{}}\n      ports:\n        \
             - port: 8080\n"
        ));
        let role = if self.rng.chance(3) { ("ClusterRole", "cluster-admin") } else { ("ClusterRole", "view") };
        self.emit(format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: {app}-{}\n  \
             namespace: {namespace}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: {}\n  name: {}\nsubjects:\n  \
             - kind: ServiceAccount\n    name: {app}\n    namespace: {namespace}\n",
            role.1, role.0, role.1
        ));
        if public {
            self.emit(format!(
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {app}\n  namespace: {namespace}\n  \
                 annotations:\n    cert-manager.io/cluster-issuer: letsencrypt\nspec:\n  ingressClassName: nginx\n  tls:\n    \
                 - hosts: [\"{app}.acme.example.com\"]\n      secretName: {app}-tls\n  rules:\n    - host: {app}.acme.example.com\n      \
                 http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              \
                 service:\n                name: {app}\n                port:\n                  number: 8080\n"
            ));
        }
        self.apps.push(Published { name: app.to_string(), namespace: namespace.to_string() });
    }

    /// The `env:` list of an app's container: its database, cache, other
    /// apps it calls and an outside API.
    fn environment(&mut self, app: &str, namespace: &str, database: bool, cache: bool) -> String {
        let mut env = String::from("          env:\n");
        let mut var = |name: &str, value: &str| {
            let _ = writeln!(env, "            - name: {name}\n              value: \"{value}\"");
        };
        if database {
            var("DB_USER", "app");
        }
        let mut tail = String::new();
        if database {
            let _ = write!(
                tail,
                "            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  \
                 name: {app}-db\n                  key: password\n            - name: DATABASE_URL\n              \
                 value: \"postgresql://app:$(DB_PASSWORD)@{app}-db:5432/{app}?sslmode=require\"\n"
            );
        }
        if cache {
            let _ =
                writeln!(tail, "            - name: REDIS_URL\n              value: \"redis://{app}-cache:6379/0\"");
        }
        let calls = if self.apps.is_empty() { 0 } else { self.rng.below(4) };
        for _ in 0..calls {
            let other = &self.apps[self.rng.below(self.apps.len())];
            let host = if other.namespace == namespace {
                other.name.clone()
            } else {
                format!("{}.{}.svc.cluster.local", other.name, other.namespace)
            };
            let _ = writeln!(
                tail,
                "            - name: {}_URL\n              value: \"http://{host}:8080\"",
                other.name.replace('-', "_").to_ascii_uppercase()
            );
        }
        if self.rng.chance(30) {
            let url = *self.rng.pick(OUTSIDE_APIS);
            let _ = writeln!(tail, "            - name: PARTNER_API_URL\n              value: \"{url}\"");
            let _ = write!(
                tail,
                "            - name: PARTNER_API_TOKEN\n              valueFrom:\n                secretKeyRef:\n                  \
                 name: {app}-credentials\n                  key: API_TOKEN\n"
            );
        }
        env.push_str(&tail);
        env
    }

    fn postgres(&mut self, app: &str, namespace: &str) {
        let db = format!("{app}-db");
        self.emit(format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {db}\n  namespace: {namespace}\ntype: Opaque\ndata:\n  \
             password: cG9zdGdyZXMtc2VjcmV0\n"
        ));
        self.emit(format!(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: {db}\n  namespace: {namespace}\nspec:\n  \
             serviceName: {db}\n  replicas: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {db}\n  \
             template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {db}\n    spec:\n      containers:\n        \
             - name: postgres\n          image: postgres:16.3\n          ports:\n            - containerPort: 5432\n          \
             env:\n            - name: POSTGRES_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  \
             name: {db}\n                  key: password\n          volumeMounts:\n            - name: data\n              \
             mountPath: /var/lib/postgresql/data\n  volumeClaimTemplates:\n    - metadata:\n        name: data\n      spec:\n        \
             accessModes: [\"ReadWriteOnce\"]\n        resources:\n          requests:\n            storage: 20Gi\n"
        ));
        self.emit(format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {db}\n  namespace: {namespace}\nspec:\n  clusterIP: None\n  \
             selector:\n    app.kubernetes.io/name: {db}\n  ports:\n    - port: 5432\n      name: postgres\n"
        ));
    }

    fn redis(&mut self, app: &str, namespace: &str) {
        let cache = format!("{app}-cache");
        self.emit(format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {cache}\n  namespace: {namespace}\nspec:\n  \
             replicas: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {cache}\n  template:\n    metadata:\n      \
             labels:\n        app.kubernetes.io/name: {cache}\n    spec:\n      containers:\n        - name: redis\n          \
             image: redis:7.2-alpine\n          ports:\n            - containerPort: 6379\n"
        ));
        self.emit(format!(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {cache}\n  namespace: {namespace}\nspec:\n  selector:\n    \
             app.kubernetes.io/name: {cache}\n  ports:\n    - port: 6379\n      name: redis\n"
        ));
    }
}
