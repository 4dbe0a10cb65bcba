//! Google Cloud resources: VPC networks and subnetworks, firewall rules,
//! Compute Engine, GKE, Cloud Run, Cloud Functions, Cloud SQL, Cloud
//! Storage, Pub/Sub, Cloud KMS and Secret Manager.

use std::collections::BTreeMap;

use rampart_model::{Authentication, Exposure};

use super::{Inference, is_anywhere, is_private_range, parse_port_range, port_range_protocol, range_covers};
use crate::builder::{FlowSpec, located};
use crate::terraform::resource::Resource;
use crate::terraform::value::Value;

const READ: &[&str] = &[
    "google_project",
    "google_compute_firewall",
    "google_compute_address",
    "google_compute_global_address",
    "google_compute_router",
    "google_compute_router_nat",
    "google_sql_database",
    "google_sql_user",
    "google_storage_bucket_iam_member",
    "google_storage_bucket_iam_binding",
    "google_storage_bucket_access_control",
    "google_storage_default_object_access_control",
    "google_cloud_run_service_iam_member",
    "google_cloud_run_service_iam_binding",
    "google_cloud_run_v2_service_iam_member",
    "google_cloud_run_v2_service_iam_binding",
    "google_cloudfunctions_function_iam_member",
    "google_cloudfunctions_function_iam_binding",
    "google_pubsub_subscription",
    "google_kms_key_ring",
    "google_secret_manager_secret_version",
    "google_container_node_pool",
];

const PUBLIC_MEMBERS: &[&str] = &["allUsers", "allAuthenticatedUsers"];

pub(super) fn networks(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    let project = inference.accounts.get("google").cloned();
    for (index, network) in estate.of_kind(&["google_compute_network"]) {
        let description = format!("VPC network `{}`.", network.address);
        inference.network_boundary(&[index], "network", "vpc", project.clone(), description);
    }
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, subnet) in estate.of_kind(&["google_compute_subnetwork"]) {
        groups.entry(subnet.base_address()).or_default().push(index);
    }
    for (_, members) in groups {
        let first = estate.get(members[0]);
        let parent = first
            .get("network")
            .and_then(|v| estate.targets(v).into_iter().find_map(|i| inference.boundary_of.get(&i).cloned()))
            .or_else(|| project.clone());
        let range = first.text("ip_cidr_range").map(|r| format!(" ({r})")).unwrap_or_default();
        let description = format!("Subnetwork `{}`{range}.", first.base_address());
        inference.network_boundary(&members, "subnet", "subnet", parent, description);
    }
    inference.mark_read(&["google_compute_network", "google_compute_subnetwork"]);
}

pub(super) fn infer(inference: &mut Inference<'_>) {
    if !inference.accounts.contains_key("google") {
        return;
    }
    firewalls(inference);
    let ids: Vec<(String, usize)> = inference.resource_of.iter().map(|(id, index)| (id.clone(), *index)).collect();
    for (id, index) in ids {
        let resource = inference.resource(index);
        match resource.kind.as_str() {
            "google_container_cluster" => {
                let private_endpoint = resource.bool("private_cluster_config.enable_private_endpoint") == Some(true);
                let authorized = resource.get("master_authorized_networks_config").is_some();
                inference.kubernetes_api(&id, resource, "", !private_endpoint, !authorized);
                if resource.get("workload_identity_config").is_some() {
                    inference.builder.add_control(&id, "pod-workload-identity");
                }
                if resource.text("database_encryption.state") == Some("ENCRYPTED") {
                    inference.builder.add_control(&id, "etcd-encryption-at-rest");
                }
            }
            "google_cloud_run_service" | "google_cloud_run_v2_service" => {
                let ingress = if resource.kind == "google_cloud_run_service" {
                    resource
                        .path("metadata")
                        .and_then(|m| m.get("annotations"))
                        .and_then(|a| a.get("run.googleapis.com/ingress"))
                        .and_then(Value::literal)
                        .unwrap_or("all")
                        .to_string()
                } else {
                    resource.text("ingress").unwrap_or("INGRESS_TRAFFIC_ALL").to_string()
                };
                let open = matches!(ingress.as_str(), "all" | "INGRESS_TRAFFIC_ALL");
                let kinds = [
                    "google_cloud_run_service_iam_member",
                    "google_cloud_run_service_iam_binding",
                    "google_cloud_run_v2_service_iam_member",
                    "google_cloud_run_v2_service_iam_binding",
                ];
                invocation(inference, &id, resource, open, &kinds, &["service", "name"], "roles/run.invoker");
            }
            "google_cloudfunctions_function" => {
                let http = resource.bool("trigger_http") == Some(true);
                let open = http && resource.text("ingress_settings").is_none_or(|s| s == "ALLOW_ALL");
                let kinds = ["google_cloudfunctions_function_iam_member", "google_cloudfunctions_function_iam_binding"];
                if http {
                    invocation(
                        inference,
                        &id,
                        resource,
                        open,
                        &kinds,
                        &["cloud_function"],
                        "roles/cloudfunctions.invoker",
                    );
                }
                if let Some(source) = resource.path("event_trigger.resource") {
                    for from in inference.components_in(source) {
                        event(inference, &from, &id, resource, "event_trigger");
                    }
                }
            }
            "google_cloudfunctions2_function" => {
                if let Some(topic) = resource.path("event_trigger.pubsub_topic") {
                    for from in inference.components_in(topic) {
                        event(inference, &from, &id, resource, "event_trigger");
                    }
                }
            }
            "google_sql_database_instance" => sql(inference, &id, resource),
            "google_storage_bucket" => bucket(inference, &id, resource),
            "google_pubsub_topic" => {
                inference.builder.add_control(&id, "encryption-at-rest");
                if resource.get("kms_key_name").is_some() {
                    inference.builder.add_control(&id, "customer-managed-keys");
                }
            }
            "google_kms_crypto_key" if resource.get("rotation_period").is_some() => {
                inference.builder.add_control(&id, "key-rotation");
            }
            "google_secret_manager_secret" => {
                let data = inference.builder.secret_asset(
                    &format!("{id}-value"),
                    format!("Secret {}", super::display_name(resource, true)),
                    "credentials",
                    format!("The value kept in {}.", resource.address),
                );
                if let Some(component) = inference.builder.component(&id) {
                    component.stores.push(located(data));
                }
            }
            _ => {}
        }
    }
    for (_, subscription) in inference.estate.of_kind(&["google_pubsub_subscription"]) {
        let Some(endpoint) = subscription.path("push_config.push_endpoint") else { continue };
        let signed = subscription.path("push_config.oidc_token").is_some();
        for topic in inference.component_at(subscription, "topic") {
            for target in inference.components_in(endpoint) {
                inference.flow(FlowSpec {
                    from: topic.clone(),
                    to: target,
                    protocol: "https",
                    encrypted: None,
                    authentication: if signed { Authentication::Token } else { Authentication::None },
                    data: Vec::new(),
                    source: subscription.source_at("push_config"),
                    description: format!("Push subscription {}", subscription.address),
                });
            }
        }
    }
    inference.mark_read(READ);
}

fn event(inference: &mut Inference<'_>, from: &str, to: &str, resource: &Resource, path: &str) {
    inference.flow(FlowSpec {
        from: from.to_string(),
        to: to.to_string(),
        protocol: "https",
        encrypted: None,
        authentication: Authentication::CloudIam,
        data: Vec::new(),
        source: resource.source_at(path),
        description: format!("Event trigger of {}", resource.address),
    });
}

/// Members of IAM grants on a component with `role`: `allUsers` means anyone.
fn public_grant<'e>(
    inference: &Inference<'e>,
    id: &str,
    kinds: &[&str],
    keys: &[&str],
    role: &str,
) -> Option<&'e Resource> {
    inference.estate.of_kind(kinds).into_iter().map(|(_, grant)| grant).find(|grant| {
        let on_it =
            keys.iter().any(|key| grant.get(key).is_some_and(|v| inference.components_in(v).iter().any(|t| t == id)));
        let role_matches = grant
            .text("role")
            .is_none_or(|r| r == role || r == "roles/run.invoker" || r == "roles/cloudfunctions.invoker");
        let members = grant.get("member").or_else(|| grant.get("members")).map(|m| m.strings()).unwrap_or_default();
        on_it && role_matches && members.iter().any(|m| PUBLIC_MEMBERS.contains(m))
    })
}

fn invocation(
    inference: &mut Inference<'_>,
    id: &str,
    resource: &Resource,
    open: bool,
    kinds: &[&str],
    keys: &[&str],
    role: &str,
) {
    let public = public_grant(inference, id, kinds, keys, role);
    if let Some(grant) = public {
        inference.warn(grant, "", format!("{} lets anyone on the internet invoke {}", grant.address, resource.address));
    }
    if !open {
        return;
    }
    match public {
        Some(grant) => inference.internet_flow(
            id,
            "https",
            Authentication::None,
            grant.source(),
            format!("Anyone may invoke it ({})", grant.address),
        ),
        None => inference.internet_flow(
            id,
            "https",
            Authentication::CloudIam,
            resource.source(),
            "Public endpoint; invocation needs IAM".to_string(),
        ),
    }
}

fn sql(inference: &mut Inference<'_>, id: &str, instance: &Resource) {
    inference.builder.add_control(id, "encryption-at-rest");
    if instance.get("encryption_key_name").is_some() {
        inference.builder.add_control(id, "customer-managed-keys");
    }
    if instance.bool("settings.backup_configuration.enabled") == Some(true) {
        inference.builder.add_control(id, "data-backups");
    }
    let ssl_mode = instance.text("settings.ip_configuration.ssl_mode").unwrap_or_default();
    if instance.bool("settings.ip_configuration.require_ssl") == Some(true)
        || matches!(ssl_mode, "ENCRYPTED_ONLY" | "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
    {
        inference.tls_enforced.insert(id.to_string());
        inference.builder.add_control(id, "transport-encryption");
    } else {
        inference.note(id, "It accepts connections without TLS (neither `require_ssl` nor an encrypted `ssl_mode`).");
    }
    let public_ip = instance.bool("settings.ip_configuration.ipv4_enabled") != Some(false);
    if !public_ip {
        inference.builder.add_control(id, "private-network-access");
        return;
    }
    let networks: Vec<String> = instance
        .path("settings.ip_configuration")
        .map(|c| c.blocks("authorized_networks"))
        .unwrap_or_default()
        .iter()
        .filter_map(|n| n.get("value").and_then(Value::literal).map(str::to_string))
        .collect();
    if networks.iter().any(|n| is_anywhere(n)) {
        inference.warn(instance, "settings", format!("{} admits 0.0.0.0/0 to its public IP address", instance.address));
        let authentication = inference.authentication_to(id);
        let source = instance.source_at("settings");
        inference.internet_flow(id, "sql", authentication, source, "Authorized network 0.0.0.0/0".to_string());
    } else if networks.iter().any(|n| !is_private_range(n)) {
        inference.builder.expose(id, Exposure::Partner);
    }
}

fn bucket(inference: &mut Inference<'_>, id: &str, bucket: &Resource) {
    inference.builder.add_control(id, "encryption-at-rest");
    if bucket.path("encryption.default_kms_key_name").is_some() {
        inference.builder.add_control(id, "customer-managed-keys");
    }
    if bucket.get("logging").is_some() {
        inference.builder.add_control(id, "storage-data-access-logging");
    }
    let prevented = bucket.text("public_access_prevention") == Some("enforced");
    if prevented {
        inference.builder.add_control(id, "block-public-storage-access");
    }
    if bucket.bool("uniform_bucket_level_access") == Some(true) {
        inference.note(id, "Access is decided by IAM alone (uniform bucket-level access).");
    }
    let iam = ["google_storage_bucket_iam_member", "google_storage_bucket_iam_binding"];
    let mut grants: Vec<&Resource> = inference
        .estate
        .of_kind(&iam)
        .into_iter()
        .map(|(_, grant)| grant)
        .filter(|grant| {
            let on_it = grant.get("bucket").is_some_and(|v| inference.components_in(v).iter().any(|t| t == id));
            let members = grant.get("member").or_else(|| grant.get("members")).map(|m| m.strings()).unwrap_or_default();
            on_it && members.iter().any(|m| PUBLIC_MEMBERS.contains(m))
        })
        .collect();
    grants.extend(
        inference
            .estate
            .of_kind(&["google_storage_bucket_access_control", "google_storage_default_object_access_control"])
            .into_iter()
            .map(|(_, grant)| grant)
            .filter(|grant| {
                grant.get("bucket").is_some_and(|v| inference.components_in(v).iter().any(|t| t == id))
                    && grant.text("entity").is_some_and(|e| PUBLIC_MEMBERS.contains(&e))
            }),
    );
    for grant in grants {
        let why = format!("{} grants {} to allUsers", grant.address, grant.text("role").unwrap_or("access"));
        if prevented {
            inference.note(id, format!("{why}, but public access prevention blocks it."));
            continue;
        }
        inference.warn(grant, "", format!("bucket {} is readable by anyone: {why}", bucket.address));
        inference.internet_flow(
            id,
            "https",
            Authentication::None,
            grant.source(),
            format!("Anyone on the internet: {why}"),
        );
    }
}

/// One ingress firewall rule.
struct Rule<'e> {
    resource: &'e Resource,
    network: Vec<usize>,
    anyone: bool,
    partners: bool,
    source_tags: Vec<String>,
    target_tags: Vec<String>,
    ports: Vec<(Option<f64>, Option<f64>)>,
}

fn firewalls(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    let mut rules = Vec::new();
    for (_, firewall) in estate.of_kind(&["google_compute_firewall"]) {
        if firewall.text("direction").is_some_and(|d| d != "INGRESS") || firewall.bool("disabled") == Some(true) {
            continue;
        }
        let texts = |key: &str| -> Vec<String> {
            firewall.get(key).map(|v| v.strings().iter().map(|s| s.to_string()).collect()).unwrap_or_default()
        };
        let source_tags = texts("source_tags");
        let mut ranges = texts("source_ranges");
        if ranges.is_empty() && source_tags.is_empty() && firewall.get("source_service_accounts").is_none() {
            ranges.push("0.0.0.0/0".to_string());
        }
        let mut ports = Vec::new();
        for allow in firewall.values.blocks("allow") {
            let listed: Vec<String> =
                allow.get("ports").map(|v| v.strings().iter().map(|s| s.to_string()).collect()).unwrap_or_default();
            if listed.is_empty() {
                ports.push((None, None));
            }
            ports.extend(listed.iter().map(|p| parse_port_range(p)));
        }
        if ports.is_empty() {
            continue;
        }
        rules.push(Rule {
            resource: firewall,
            network: firewall.get("network").map(|v| estate.targets(v)).unwrap_or_default(),
            anyone: ranges.iter().any(|r| is_anywhere(r)),
            partners: ranges.iter().any(|r| !is_anywhere(r) && !is_private_range(r)),
            source_tags,
            target_tags: texts("target_tags"),
            ports,
        });
    }
    let instances: Vec<(String, &Resource)> = inference
        .resource_of
        .iter()
        .filter_map(|(id, index)| {
            let resource = estate.get(*index);
            (resource.kind == "google_compute_instance").then(|| (id.clone(), resource))
        })
        .collect();
    let tags_of = |instance: &Resource| -> Vec<String> {
        instance.get("tags").map(|v| v.strings().iter().map(|s| s.to_string()).collect()).unwrap_or_default()
    };
    let network_of = |instance: &Resource| -> Vec<usize> {
        let mut found = Vec::new();
        for interface in instance.values.blocks("network_interface") {
            if let Some(network) = interface.get("network") {
                found.extend(estate.targets(network));
            }
            if let Some(subnetwork) = interface.get("subnetwork") {
                for subnet in estate.targets(subnetwork) {
                    found.extend(estate.get(subnet).get("network").map(|n| estate.targets(n)).unwrap_or_default());
                }
            }
        }
        found
    };
    for rule in &rules {
        let applies = |instance: &Resource| {
            let in_network = rule.network.is_empty() || network_of(instance).iter().any(|n| rule.network.contains(n));
            let tags = tags_of(instance);
            in_network && (rule.target_tags.is_empty() || rule.target_tags.iter().any(|t| tags.contains(t)))
        };
        for (id, instance) in instances.iter().filter(|(_, instance)| applies(instance)) {
            let public = instance.values.blocks("network_interface").iter().any(|i| i.get("access_config").is_some());
            for (from, to) in &rule.ports {
                let administration = range_covers(*from, *to, &[22, 3389]);
                if rule.anyone && administration {
                    inference.warn(
                        rule.resource,
                        "",
                        format!("{} admits 0.0.0.0/0 on SSH or RDP to {}", rule.resource.address, instance.address),
                    );
                }
                if !public {
                    continue;
                }
                if rule.anyone {
                    if administration {
                        inference.builder.add_capability(id, "remote-administration");
                    }
                    let (protocol, _) = port_range_protocol(*from, *to);
                    let description = format!("{} admits 0.0.0.0/0", rule.resource.address);
                    inference.internet_flow(id, protocol, Authentication::None, rule.resource.source(), description);
                } else if rule.partners {
                    inference.builder.expose(id, Exposure::Partner);
                }
            }
            for (source_id, source) in &instances {
                let tags = tags_of(source);
                if source_id == id || !rule.source_tags.iter().any(|t| tags.contains(t)) {
                    continue;
                }
                let (from, to) = rule.ports.first().copied().unwrap_or((None, None));
                let (protocol, encrypted) = port_range_protocol(from, to);
                inference.flow(FlowSpec {
                    from: source_id.clone(),
                    to: id.clone(),
                    protocol,
                    encrypted,
                    authentication: Authentication::None,
                    data: Vec::new(),
                    source: rule.resource.source(),
                    description: format!(
                        "{} admits instances tagged {}",
                        rule.resource.address,
                        rule.source_tags.join(", ")
                    ),
                });
            }
        }
    }
}
