//! What a pod template says about security, in the vocabulary's terms.

use rampart_model::Position;

use super::objects::Object;
use crate::classify::{is_dangerous_capability, is_runtime_socket};
use crate::yaml::Node;

/// The kinds that run pods, and where each keeps its pod template.
pub(super) fn pod_template<'a>(object: &Object<'a>) -> Option<(&'a Node, Option<&'a Node>)> {
    let template = match object.kind.as_str() {
        "Pod" => return Some((object.get(&["spec"])?, object.get(&["metadata"]))),
        "CronJob" => object.get(&["spec", "jobTemplate", "spec", "template"])?,
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "Job" => {
            object.get(&["spec", "template"])?
        }
        _ => return None,
    };
    Some((template.get("spec")?, template.get("metadata")))
}

/// Every container of the pod, init containers included.
pub(super) fn containers(pod: &Node) -> impl Iterator<Item = &Node> {
    let main = pod.get("containers").map(Node::seq).unwrap_or_default();
    let init = pod.get("initContainers").map(Node::seq).unwrap_or_default();
    main.iter().chain(init)
}

/// Capabilities, controls and warnings found in a pod spec.
#[derive(Debug, Default, PartialEq)]
pub(super) struct PodFacts {
    pub capabilities: Vec<&'static str>,
    pub controls: Vec<&'static str>,
    pub warnings: Vec<(Position, String)>,
    /// Where a container runtime's socket is mounted from the node.
    pub runtime_socket: Option<Position>,
    /// Secrets mounted as files: name and where.
    pub secret_volumes: Vec<(String, Position)>,
}

impl PodFacts {
    fn capability(&mut self, capability: &'static str) {
        if !self.capabilities.contains(&capability) {
            self.capabilities.push(capability);
        }
    }
}

/// Reads the security facts of `pod`. `account_automount` is the
/// ServiceAccount's own `automountServiceAccountToken`, when it is in the input.
pub(super) fn facts(pod: &Node, account_automount: Option<bool>) -> PodFacts {
    let mut facts = PodFacts::default();
    let pod_context = pod.get("securityContext");
    let pod_flag = |key: &str| pod_context.and_then(|c| c.get(key)).and_then(Node::bool);

    let mut hardened = true;
    let mut limited = true;
    let mut any_container = false;
    for container in containers(pod) {
        any_container = true;
        let context = container.get("securityContext");
        let flag = |key: &str| context.and_then(|c| c.get(key)).and_then(Node::bool);
        let name = container.get("name").and_then(Node::text).unwrap_or("?");
        let at = context.map_or(container.at, |c| c.at);
        if flag("privileged") == Some(true) {
            facts.capability("privileged-container");
            facts
                .warnings
                .push((at, format!("container `{name}` runs privileged: it has every capability of the node's root")));
        }
        if flag("allowPrivilegeEscalation") == Some(true) {
            facts.capability("privileged-container");
        }
        let added = context.and_then(|c| c.path(&["capabilities", "add"])).map(Node::seq).unwrap_or_default();
        if let Some(capability) = added.iter().filter_map(Node::text).find(|c| is_dangerous_capability(c)) {
            facts.capability("privileged-container");
            facts.warnings.push((at, format!("container `{name}` adds the kernel capability {capability}")));
        }
        let seccomp = context
            .and_then(|c| c.path(&["seccompProfile", "type"]))
            .or_else(|| pod_context.and_then(|c| c.path(&["seccompProfile", "type"])))
            .and_then(Node::text);
        if seccomp == Some("Unconfined") {
            facts.capability("privileged-container");
        }
        let user_is_set = |c: Option<&Node>| {
            c.and_then(|c| c.get("runAsUser")).and_then(Node::text).and_then(|u| u.parse::<u64>().ok())
        };
        let non_root = match (flag("runAsNonRoot"), user_is_set(context)) {
            (Some(value), _) => value,
            (None, Some(user)) => user > 0,
            (None, None) => pod_flag("runAsNonRoot") == Some(true) || user_is_set(pod_context).is_some_and(|u| u > 0),
        };
        let read_only = flag("readOnlyRootFilesystem") == Some(true);
        let no_escalation = flag("allowPrivilegeEscalation") == Some(false);
        hardened &= non_root && read_only && no_escalation && flag("privileged") != Some(true);

        let resources = container.get("resources");
        let limit = |key: &str| resources.and_then(|r| r.path(&["limits", key])).is_some_and(|n| n.text().is_some());
        let request =
            |key: &str| resources.and_then(|r| r.path(&["requests", key])).is_some_and(|n| n.text().is_some());
        limited &= limit("memory") && (limit("cpu") || request("cpu"));

        for port in container.get("ports").map(Node::seq).unwrap_or_default() {
            if let Some(host_port) = port.get("hostPort").and_then(Node::text) {
                facts.warnings.push((
                    port.at,
                    format!("container `{name}` binds port {host_port} of the node (hostPort), reachable from outside the cluster network; Rampart does not model that exposure"),
                ));
            }
        }
    }

    let mut shares_host = false;
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if let Some((key_node, value)) = pod.entry(key)
            && value.bool() == Some(true)
        {
            shares_host = true;
            facts.capability("host-namespaces");
            facts.warnings.push((key_node.at, format!("the pod shares the node's namespace (`{key}: true`)")));
        }
    }

    let mut mounts_host = false;
    let mut env_secrets = false;
    for volume in pod.get("volumes").map(Node::seq).unwrap_or_default() {
        if let Some(host_path) = volume.get("hostPath") {
            mounts_host = true;
            facts.capability("host-path-mount");
            let path = host_path.get("path").and_then(Node::text).unwrap_or_default();
            if is_runtime_socket(path) {
                facts.runtime_socket.get_or_insert(volume.at);
            }
        }
        if let Some(name) = volume.path(&["secret", "secretName"]).and_then(Node::text) {
            facts.secret_volumes.push((name.to_string(), volume.at));
        }
        for source in volume.path(&["projected", "sources"]).map(Node::seq).unwrap_or_default() {
            if let Some(name) = source.path(&["secret", "name"]).and_then(Node::text) {
                facts.secret_volumes.push((name.to_string(), source.at));
            }
        }
    }
    for container in containers(pod) {
        let from_env = container
            .get("env")
            .map(Node::seq)
            .unwrap_or_default()
            .iter()
            .any(|var| var.path(&["valueFrom", "secretKeyRef"]).is_some());
        let from_env_from = container
            .get("envFrom")
            .map(Node::seq)
            .unwrap_or_default()
            .iter()
            .any(|from| from.get("secretRef").is_some());
        env_secrets |= from_env || from_env_from;
    }

    if any_container && hardened && !shares_host && !mounts_host {
        facts.controls.push("container-runtime-hardening");
    }
    if any_container && limited {
        facts.controls.push("container-resource-limits");
    }
    let automount = pod.get("automountServiceAccountToken").and_then(Node::bool).or(account_automount);
    if automount == Some(false) {
        facts.controls.push("disable-service-account-token-automount");
    }
    if !facts.secret_volumes.is_empty() && !env_secrets {
        // Secrets arrive only as files, never through the environment.
        facts.controls.push("runtime-secret-injection");
    }
    facts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn pod(text: &str) -> Node {
        yaml::parse(text).unwrap().0.remove(0).root
    }

    #[test]
    fn hardened_limited_pods_get_controls() {
        let spec = pod(
            "automountServiceAccountToken: false\nsecurityContext:\n  runAsNonRoot: true\ncontainers:\n  - name: api\n    image: api\n    securityContext:\n      readOnlyRootFilesystem: true\n      allowPrivilegeEscalation: false\n    resources:\n      limits: {memory: 256Mi, cpu: 500m}\n",
        );
        let facts = facts(&spec, None);
        assert_eq!(
            facts.controls,
            ["container-runtime-hardening", "container-resource-limits", "disable-service-account-token-automount"]
        );
        assert!(facts.capabilities.is_empty());
        assert!(facts.warnings.is_empty());
    }

    #[test]
    fn privileged_host_facts_become_capabilities_with_warnings() {
        let spec = pod(
            "hostNetwork: true\ncontainers:\n  - name: agent\n    image: agent\n    securityContext:\n      privileged: true\n      capabilities:\n        add: [NET_ADMIN]\nvolumes:\n  - name: sock\n    hostPath:\n      path: /var/run/docker.sock\n",
        );
        let facts = facts(&spec, Some(false));
        assert_eq!(facts.capabilities, ["privileged-container", "host-namespaces", "host-path-mount"]);
        assert_eq!(facts.controls, ["disable-service-account-token-automount"]);
        assert_eq!(facts.runtime_socket, Some(Position::new(10, 5)));
        let lines: Vec<u32> = facts.warnings.iter().map(|(at, _)| at.line).collect();
        assert_eq!(lines, [6, 6, 1]);
        assert!(facts.warnings[1].1.contains("NET_ADMIN"));
    }

    #[test]
    fn secrets_only_as_files_count_as_runtime_injection() {
        let files = pod("containers:\n  - name: a\nvolumes:\n  - name: creds\n    secret:\n      secretName: db\n");
        let facts_files = facts(&files, None);
        assert_eq!(facts_files.secret_volumes, [("db".to_string(), Position::new(4, 5))]);
        assert!(facts_files.controls.contains(&"runtime-secret-injection"));
        let both = pod(
            "containers:\n  - name: a\n    envFrom:\n      - secretRef: {name: db}\nvolumes:\n  - name: creds\n    secret:\n      secretName: db\n",
        );
        assert!(!facts(&both, None).controls.contains(&"runtime-secret-injection"));
    }
}
