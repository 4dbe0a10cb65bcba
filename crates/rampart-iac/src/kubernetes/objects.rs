//! Kubernetes objects out of YAML documents: kind, name, namespace, and
//! where they were written; `kind: List` unpacked; duplicates reported.

use std::collections::HashMap;

use rampart_model::{Position, SourceRef};

use crate::source::{self, FileDiagnostic, SourceFile};
use crate::yaml::{Document, Node};

/// Kinds that live outside namespaces.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "IngressClass",
    "PriorityClass",
    "RuntimeClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "Node",
    "CSIDriver",
];

/// One Kubernetes object.
#[derive(Clone, Debug)]
pub(super) struct Object<'a> {
    pub file: &'a SourceFile,
    pub document: &'a Document,
    pub node: &'a Node,
    pub kind: String,
    pub api_version: String,
    pub name: String,
    /// `None` for cluster-scoped kinds; `default` when a namespaced object
    /// does not say.
    pub namespace: Option<String>,
}

impl<'a> Object<'a> {
    pub fn ns(&self) -> &str {
        self.namespace.as_deref().unwrap_or_default()
    }

    /// `Deployment/shop/web`, or `ClusterRole/admin` for cluster-scoped kinds.
    pub fn resource(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{}/{namespace}/{}", self.kind, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }

    /// `Deployment shop/web`, for messages.
    pub fn label(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{} {namespace}/{}", self.kind, self.name),
            None => format!("{} {}", self.kind, self.name),
        }
    }

    pub fn at(&self) -> Position {
        self.node.at
    }

    /// Where the object starts.
    pub fn source(&self) -> SourceRef {
        self.source_at(self.node.at)
    }

    /// A line inside the object (an env entry, an ingress path).
    pub fn source_at(&self, at: Position) -> SourceRef {
        source::source_ref(self.file, self.document, at.line, self.resource())
    }

    pub fn warning(&self, at: Position, message: impl Into<String>) -> FileDiagnostic {
        FileDiagnostic::warning(&self.file.path, at, message)
    }

    pub fn get(&self, path: &[&str]) -> Option<&'a Node> {
        self.node.path(path)
    }

    pub fn annotation(&self, key: &str) -> Option<&'a str> {
        self.get(&["metadata", "annotations", key]).and_then(Node::text)
    }
}

/// The entries of a string map (labels, selectors).
pub(super) fn labels(node: Option<&Node>) -> Vec<(String, String)> {
    node.map(|node| {
        node.entries()
            .iter()
            .filter_map(|(key, value)| Some((key.str()?.to_string(), value.str().unwrap_or_default().to_string())))
            .collect()
    })
    .unwrap_or_default()
}

/// Every object in the documents, sorted by kind, namespace and name (then
/// file and line, so the first of two duplicates is always the same one).
pub(super) fn collect<'a>(
    parsed: &'a [(&'a SourceFile, Vec<Document>)],
    warnings: &mut Vec<FileDiagnostic>,
) -> Vec<Object<'a>> {
    let mut objects = Vec::new();
    for (file, documents) in parsed {
        for document in documents {
            let root = &document.root;
            if root.is_null() {
                continue;
            }
            if !root.is_map() {
                warnings.push(FileDiagnostic::warning(
                    &file.path,
                    root.at,
                    "this document is not a mapping, so not a Kubernetes object; skipped",
                ));
                continue;
            }
            let is_list = root.get("kind").and_then(Node::text).is_some_and(|kind| kind.ends_with("List"))
                && root.get("items").is_some_and(Node::is_seq);
            let nodes: Vec<&Node> = if is_list {
                root.get("items").map(|i| i.seq().iter().collect()).unwrap_or_default()
            } else {
                vec![root]
            };
            for node in nodes {
                if let Some(object) = object(file, document, node, warnings) {
                    objects.push(object);
                }
            }
        }
    }
    objects.sort_by(|a, b| {
        (&a.kind, &a.namespace, &a.name, &a.file.path, a.node.at).cmp(&(
            &b.kind,
            &b.namespace,
            &b.name,
            &b.file.path,
            b.node.at,
        ))
    });
    let mut first: HashMap<(String, Option<String>, String), Position> = HashMap::new();
    let mut first_file: HashMap<(String, Option<String>, String), String> = HashMap::new();
    objects.retain(|object| {
        let key = (object.kind.clone(), object.namespace.clone(), object.name.clone());
        match first.get(&key) {
            Some(at) => {
                let file = first_file.get(&key).cloned().unwrap_or_default();
                warnings.push(object.warning(
                    object.at(),
                    format!("{} is defined twice (first at {file}:{}); the first is used", object.label(), at.line),
                ));
                false
            }
            None => {
                first.insert(key.clone(), object.at());
                first_file.insert(key, object.file.path.clone());
                true
            }
        }
    });
    objects
}

fn object<'a>(
    file: &'a SourceFile,
    document: &'a Document,
    node: &'a Node,
    warnings: &mut Vec<FileDiagnostic>,
) -> Option<Object<'a>> {
    let Some(kind) = node.get("kind").and_then(Node::text) else {
        warnings.push(
            FileDiagnostic::warning(
                &file.path,
                node.at,
                "this document has no `kind:`, so it is not a Kubernetes object; skipped",
            )
            .with_help("Helm values files and other configuration do not belong in a manifest import"),
        );
        return None;
    };
    let name =
        node.path(&["metadata", "name"]).or_else(|| node.path(&["metadata", "generateName"])).and_then(Node::text);
    let Some(name) = name else {
        warnings.push(FileDiagnostic::warning(
            &file.path,
            node.at,
            format!("this {kind} has no `metadata.name`; skipped"),
        ));
        return None;
    };
    let namespace = (!CLUSTER_SCOPED.contains(&kind))
        .then(|| node.path(&["metadata", "namespace"]).and_then(Node::text).unwrap_or("default").to_string());
    Some(Object {
        file,
        document,
        node,
        kind: kind.to_string(),
        api_version: node.get("apiVersion").and_then(Node::text).unwrap_or_default().to_string(),
        name: name.to_string(),
        namespace,
    })
}
