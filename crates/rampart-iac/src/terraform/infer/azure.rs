//! Azure resources: virtual networks and subnets, network security groups,
//! application gateways, App Service and Functions, AKS, databases,
//! storage accounts, Key Vault and Service Bus.

use rampart_model::{Authentication, Exposure};

use super::{Inference, is_anywhere, is_private_range, parse_port_range, port_range_protocol, range_covers};
use crate::builder::{FlowSpec, located};
use crate::terraform::resource::Resource;
use crate::terraform::value::Value;

const READ: &[&str] = &[
    "azurerm_network_security_group",
    "azurerm_network_security_rule",
    "azurerm_subnet_network_security_group_association",
    "azurerm_network_interface",
    "azurerm_network_interface_security_group_association",
    "azurerm_public_ip",
    "azurerm_service_plan",
    "azurerm_app_service_plan",
    "azurerm_mssql_database",
    "azurerm_mssql_firewall_rule",
    "azurerm_postgresql_flexible_server_firewall_rule",
    "azurerm_postgresql_flexible_server_database",
    "azurerm_postgresql_flexible_server_configuration",
    "azurerm_mysql_flexible_server_firewall_rule",
    "azurerm_mysql_flexible_database",
    "azurerm_storage_container",
    "azurerm_key_vault_secret",
    "azurerm_key_vault_access_policy",
    "azurerm_servicebus_queue",
    "azurerm_servicebus_topic",
    "azurerm_private_endpoint",
    "azurerm_web_application_firewall_policy",
];

/// Whether an application gateway filters traffic as a WAF.
pub(super) fn has_waf(gateway: &Resource) -> bool {
    gateway.text("sku.tier").is_some_and(|tier| tier.starts_with("WAF"))
        || gateway.bool("waf_configuration.enabled") == Some(true)
        || gateway.get("firewall_policy_id").is_some()
}

pub(super) fn networks(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    let subscription = inference.accounts.get("azurerm").cloned();
    for (index, network) in estate.of_kind(&["azurerm_virtual_network"]) {
        let space = network.get("address_space").map(|v| v.strings().join(", ")).unwrap_or_default();
        let description = format!("Virtual network `{}` ({space}).", network.address);
        inference.network_boundary(&[index], "vnet", "vnet", subscription.clone(), description);
    }
    let mut groups: std::collections::BTreeMap<&str, Vec<usize>> = std::collections::BTreeMap::new();
    for (index, subnet) in estate.of_kind(&["azurerm_subnet"]) {
        groups.entry(subnet.base_address()).or_default().push(index);
    }
    for (_, members) in groups {
        let first = estate.get(members[0]);
        let parent = first
            .get("virtual_network_name")
            .and_then(|v| estate.targets(v).into_iter().find_map(|i| inference.boundary_of.get(&i).cloned()))
            .or_else(|| subscription.clone());
        let prefixes = first.get("address_prefixes").map(|v| v.strings().join(", ")).unwrap_or_default();
        let description = format!("Subnet `{}` ({prefixes}).", first.base_address());
        inference.network_boundary(&members, "subnet", "subnet", parent, description);
    }
    inference.mark_read(&["azurerm_virtual_network", "azurerm_subnet"]);
}

/// An inbound rule of a network security group that admits traffic.
struct Rule<'e> {
    group: usize,
    ports: Vec<(Option<f64>, Option<f64>)>,
    anyone: bool,
    partners: bool,
    resource: &'e Resource,
    path: String,
}

pub(super) fn infer(inference: &mut Inference<'_>) {
    if !inference.accounts.contains_key("azurerm") {
        return;
    }
    security_groups(inference);
    let ids: Vec<(String, usize)> = inference.resource_of.iter().map(|(id, index)| (id.clone(), *index)).collect();
    for (id, index) in ids {
        let resource = inference.resource(index);
        match resource.kind.as_str() {
            "azurerm_application_gateway" => application_gateway(inference, &id, resource),
            "azurerm_linux_web_app"
            | "azurerm_windows_web_app"
            | "azurerm_app_service"
            | "azurerm_linux_function_app"
            | "azurerm_windows_function_app"
            | "azurerm_function_app" => web_app(inference, &id, resource),
            "azurerm_kubernetes_cluster" => {
                let private = resource.bool("private_cluster_enabled") == Some(true);
                let ranges = resource
                    .path("api_server_access_profile.authorized_ip_ranges")
                    .or_else(|| resource.get("api_server_authorized_ip_ranges"))
                    .map(|v| v.strings().len())
                    .unwrap_or(0);
                inference.kubernetes_api(&id, resource, "", !private, ranges == 0);
                if resource.bool("workload_identity_enabled") == Some(true) {
                    inference.builder.add_control(&id, "pod-workload-identity");
                }
            }
            "azurerm_mssql_server" | "azurerm_postgresql_flexible_server" | "azurerm_mysql_flexible_server" => {
                database(inference, &id, resource);
            }
            "azurerm_storage_account" => storage_account(inference, &id, resource),
            "azurerm_key_vault" => {
                if resource.bool("public_network_access_enabled") == Some(false)
                    || resource.text("network_acls.default_action") == Some("Deny")
                {
                    inference.builder.add_control(&id, "private-network-access");
                }
                if resource.bool("purge_protection_enabled") == Some(true) {
                    inference.note(&id, "Purge protection is on.");
                }
                let secrets: Vec<&Resource> = inference
                    .estate
                    .of_kind(&["azurerm_key_vault_secret"])
                    .into_iter()
                    .filter(|(_, s)| s.get("key_vault_id").is_some_and(|v| inference.components_in(v).contains(&id)))
                    .map(|(_, s)| s)
                    .collect();
                if !secrets.is_empty() {
                    let names: Vec<String> = secrets.iter().map(|s| super::display_name(s, true)).collect();
                    let data = inference.builder.secret_asset(
                        &format!("{id}-secrets"),
                        format!("Secrets in {}", super::display_name(resource, true)),
                        "credentials",
                        format!("Secrets kept in {}: {}.", resource.address, names.join(", ")),
                    );
                    if let Some(component) = inference.builder.component(&id) {
                        component.stores.push(located(data));
                    }
                }
            }
            "azurerm_servicebus_namespace" | "azurerm_eventhub_namespace" => {
                tls_minimum(inference, &id, resource, "minimum_tls_version");
                if resource.bool("local_auth_enabled") == Some(false) {
                    inference.authentication_of.insert(id.clone(), Authentication::CloudIam);
                }
                if resource.bool("public_network_access_enabled") == Some(false) {
                    inference.builder.add_control(&id, "private-network-access");
                }
            }
            "azurerm_redis_cache" => {
                tls_minimum(inference, &id, resource, "minimum_tls_version");
                if resource.bool("enable_non_ssl_port") == Some(true)
                    || resource.bool("non_ssl_port_enabled") == Some(true)
                {
                    inference.warn(
                        resource,
                        "",
                        format!("{} accepts connections without TLS on port 6379", resource.address),
                    );
                } else {
                    inference.tls_enforced.insert(id.clone());
                }
            }
            _ => {}
        }
    }
    for (_, endpoint) in inference.estate.of_kind(&["azurerm_private_endpoint"]) {
        for target in inference.component_at(endpoint, "private_service_connection.private_connection_resource_id") {
            inference.builder.add_control(&target, "private-network-access");
        }
    }
    inference.mark_read(READ);
}

fn tls_minimum(inference: &mut Inference<'_>, id: &str, resource: &Resource, key: &str) {
    let Some(version) = resource.text(key) else { return };
    let version = version.to_ascii_uppercase().replace(['_', 'T', 'L', 'S', 'V'], "");
    if version.starts_with("1.2")
        || version.starts_with("1.3")
        || version.starts_with("12")
        || version.starts_with("13")
    {
        inference.builder.add_control(id, "tls-configuration-hardening");
    } else if version.starts_with("1.0") || version.starts_with("1.1") || version == "10" || version == "11" {
        inference.builder.add_capability(id, "legacy-cryptography");
        inference.warn(resource, key, format!("{} accepts TLS versions before 1.2 (`{key}`)", resource.address));
    }
}

fn security_groups(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    let mut rules: Vec<Rule<'_>> = Vec::new();
    for (index, group) in estate.of_kind(&["azurerm_network_security_group"]) {
        for (position, rule) in group.values.blocks("security_rule").into_iter().enumerate() {
            rules.extend(nsg_rule(index, rule, group, format!("security_rule.{position}")));
        }
    }
    for (_, rule) in estate.of_kind(&["azurerm_network_security_rule"]) {
        let Some(name) = rule.get("network_security_group_name") else { continue };
        for group in estate.targets_of(name, &["azurerm_network_security_group"]) {
            rules.extend(nsg_rule(group, &rule.values, rule, String::new()));
        }
    }
    // Which groups apply to each virtual machine: its interfaces' and its subnets'.
    let mut subnet_groups: Vec<(usize, usize)> = Vec::new();
    for (_, association) in estate.of_kind(&["azurerm_subnet_network_security_group_association"]) {
        let subnets =
            association.get("subnet_id").map(|v| estate.targets_of(v, &["azurerm_subnet"])).unwrap_or_default();
        let groups = association
            .get("network_security_group_id")
            .map(|v| estate.targets_of(v, &["azurerm_network_security_group"]))
            .unwrap_or_default();
        for subnet in &subnets {
            for group in &groups {
                subnet_groups.push((*subnet, *group));
            }
        }
    }
    let mut nic_groups: Vec<(usize, usize)> = Vec::new();
    for (_, association) in estate.of_kind(&["azurerm_network_interface_security_group_association"]) {
        let nics = association
            .get("network_interface_id")
            .map(|v| estate.targets_of(v, &["azurerm_network_interface"]))
            .unwrap_or_default();
        let groups = association
            .get("network_security_group_id")
            .map(|v| estate.targets_of(v, &["azurerm_network_security_group"]))
            .unwrap_or_default();
        for nic in &nics {
            for group in &groups {
                nic_groups.push((*nic, *group));
            }
        }
    }
    let ids: Vec<(String, usize)> = inference.resource_of.iter().map(|(id, index)| (id.clone(), *index)).collect();
    for (id, index) in ids {
        let machine = estate.get(index);
        if !matches!(machine.kind.as_str(), "azurerm_linux_virtual_machine" | "azurerm_windows_virtual_machine") {
            continue;
        }
        let nics = machine
            .get("network_interface_ids")
            .map(|v| estate.targets_of(v, &["azurerm_network_interface"]))
            .unwrap_or_default();
        let public = nics.iter().any(|nic| estate.get(*nic).path("ip_configuration.public_ip_address_id").is_some());
        let subnets = inference.subnets_of(machine);
        let groups: Vec<usize> = subnet_groups
            .iter()
            .filter(|(subnet, _)| subnets.contains(subnet))
            .chain(nic_groups.iter().filter(|(nic, _)| nics.contains(nic)))
            .map(|(_, group)| *group)
            .collect();
        for rule in rules.iter().filter(|rule| groups.contains(&rule.group)) {
            for (from, to) in &rule.ports {
                let administration = range_covers(*from, *to, &[22, 3389]);
                if rule.anyone && administration {
                    inference.warn(
                        rule.resource,
                        &rule.path,
                        format!(
                            "{} admits the internet on SSH or RDP to {}",
                            estate.get(rule.group).address,
                            machine.address
                        ),
                    );
                }
                if !public {
                    continue;
                }
                if rule.anyone {
                    if administration {
                        inference.builder.add_capability(&id, "remote-administration");
                    }
                    let (protocol, _) = port_range_protocol(*from, *to);
                    let description = format!("{} admits the internet", estate.get(rule.group).address);
                    inference.internet_flow(
                        &id,
                        protocol,
                        Authentication::None,
                        rule.resource.source_at(&rule.path),
                        description,
                    );
                } else if rule.partners {
                    inference.builder.expose(&id, Exposure::Partner);
                }
            }
        }
    }
}

/// An inbound rule that admits traffic; `None` for outbound and deny rules.
fn nsg_rule<'e>(group: usize, rule: &Value, written: &'e Resource, path: String) -> Option<Rule<'e>> {
    let inbound = rule.get("direction").and_then(Value::literal).is_none_or(|d| d.eq_ignore_ascii_case("Inbound"));
    let allow = rule.get("access").and_then(Value::literal).is_none_or(|a| a.eq_ignore_ascii_case("Allow"));
    if !inbound || !allow {
        return None;
    }
    let texts = |key: &str| -> Vec<String> {
        rule.get(key).map(|v| v.strings().iter().map(|s| s.to_string()).collect()).unwrap_or_default()
    };
    let mut sources = texts("source_address_prefix");
    sources.extend(texts("source_address_prefixes"));
    let mut ports: Vec<(Option<f64>, Option<f64>)> = Vec::new();
    for key in ["destination_port_range", "destination_port_ranges"] {
        ports.extend(texts(key).iter().map(|text| parse_port_range(text)));
    }
    if ports.is_empty() {
        ports.push((None, None));
    }
    Some(Rule {
        group,
        ports,
        anyone: sources.iter().any(|s| is_anywhere(s)),
        partners: sources.iter().any(|s| !is_anywhere(s) && !is_private_range(s)),
        resource: written,
        path,
    })
}

fn application_gateway(inference: &mut Inference<'_>, id: &str, gateway: &Resource) {
    if has_waf(gateway) {
        inference.builder.add_control(id, "web-application-firewall");
    }
    let public =
        gateway.values.blocks("frontend_ip_configuration").iter().any(|f| f.get("public_ip_address_id").is_some());
    let ports: Vec<(String, f64)> = gateway
        .values
        .blocks("frontend_port")
        .iter()
        .filter_map(|p| Some((p.get("name")?.literal()?.to_string(), p.get("port")?.number()?)))
        .collect();
    if public {
        for (position, listener) in gateway.values.blocks("http_listener").into_iter().enumerate() {
            let https =
                listener.get("protocol").and_then(Value::literal).is_some_and(|p| p.eq_ignore_ascii_case("Https"));
            let port_name = listener.get("frontend_port_name").and_then(Value::literal).unwrap_or_default();
            let port = ports.iter().find(|(name, _)| name == port_name).map(|(_, port)| *port);
            let description = format!(
                "Listener `{}` on port {}",
                listener.get("name").map(Value::display_plain).unwrap_or_default(),
                port.map_or("?".to_string(), |p| format!("{p}"))
            );
            let source = gateway.source_at(&format!("http_listener.{position}"));
            inference.internet_flow(
                id,
                if https { "https" } else { "http" },
                Authentication::None,
                source,
                description,
            );
        }
    }
    let ssl = gateway.text("ssl_policy.min_protocol_version").unwrap_or_default();
    let policy = gateway.text("ssl_policy.policy_name").unwrap_or_default();
    if ssl.starts_with("TLSv1_2") || ssl.starts_with("TLSv1_3") || policy.starts_with("AppGwSslPolicy2022") {
        inference.builder.add_control(id, "tls-configuration-hardening");
    }
    let https_backend = gateway
        .values
        .blocks("backend_http_settings")
        .iter()
        .all(|s| s.get("protocol").and_then(Value::literal).is_some_and(|p| p.eq_ignore_ascii_case("Https")));
    for (position, pool) in gateway.values.blocks("backend_address_pool").into_iter().enumerate() {
        let mut targets = pool.get("fqdns").map(|v| inference.components_in(v)).unwrap_or_default();
        targets.extend(pool.get("ip_addresses").map(|v| inference.components_in(v)).unwrap_or_default());
        for target in targets {
            inference.flow(FlowSpec {
                from: id.to_string(),
                to: target,
                protocol: if https_backend { "https" } else { "http" },
                encrypted: None,
                authentication: Authentication::None,
                data: Vec::new(),
                source: gateway.source_at(&format!("backend_address_pool.{position}")),
                description: format!(
                    "Backend pool `{}`",
                    pool.get("name").map(Value::display_plain).unwrap_or_default()
                ),
            });
        }
    }
}

fn web_app(inference: &mut Inference<'_>, id: &str, app: &Resource) {
    let function = app.kind.contains("function");
    tls_minimum(inference, id, app, "site_config.minimum_tls_version");
    if app.bool("public_network_access_enabled") == Some(false) {
        inference.builder.add_control(id, "private-network-access");
        return;
    }
    // Function keys are the platform's default authorization level for HTTP triggers.
    let authentication = if function { Authentication::ApiKey } else { Authentication::None };
    let what = if function {
        "HTTP triggers (function keys unless a trigger is anonymous)"
    } else {
        "the app's default host name"
    };
    inference.internet_flow(id, "https", authentication, app.source(), format!("Public endpoint: {what}"));
    if app.bool("https_only") != Some(true) {
        let source = app.source_at("https_only");
        inference.internet_flow(
            id,
            "http",
            authentication,
            source,
            "Plain HTTP is accepted (`https_only` is not true)".to_string(),
        );
    }
}

fn database(inference: &mut Inference<'_>, id: &str, server: &Resource) {
    let estate = inference.estate;
    inference.builder.add_control(id, "encryption-at-rest");
    let postgres = server.kind == "azurerm_postgresql_flexible_server";
    tls_minimum(inference, id, server, "minimum_tls_version");
    if server.kind == "azurerm_mssql_server" {
        inference.tls_enforced.insert(id.to_string());
        if server.bool("azuread_administrator.azuread_authentication_only") == Some(true) {
            inference.authentication_of.insert(id.to_string(), Authentication::CloudIam);
        }
    }
    if postgres {
        let insecure =
            estate.of_kind(&["azurerm_postgresql_flexible_server_configuration"]).into_iter().any(|(_, c)| {
                c.get("server_id").is_some_and(|v| inference.components_in(v).iter().any(|t| t == id))
                    && c.text("name") == Some("require_secure_transport")
                    && c.text("value").is_some_and(|v| v.eq_ignore_ascii_case("off"))
            });
        if insecure {
            inference.warn(
                server,
                "",
                format!("{} accepts connections without TLS (`require_secure_transport` is off)", server.address),
            );
        } else {
            inference.tls_enforced.insert(id.to_string());
        }
    }
    let default_public = !(postgres && server.get("delegated_subnet_id").is_some());
    let public = server.bool("public_network_access_enabled").unwrap_or(default_public);
    if !public {
        inference.builder.add_control(id, "private-network-access");
        return;
    }
    let rule_kinds = [
        "azurerm_mssql_firewall_rule",
        "azurerm_postgresql_flexible_server_firewall_rule",
        "azurerm_mysql_flexible_server_firewall_rule",
    ];
    for (_, rule) in estate.of_kind(&rule_kinds) {
        if !rule.get("server_id").is_some_and(|v| inference.components_in(v).iter().any(|t| t == id)) {
            continue;
        }
        let start = rule.text("start_ip_address").unwrap_or_default();
        let end = rule.text("end_ip_address").unwrap_or_default();
        if start == "0.0.0.0" && end == "255.255.255.255" {
            inference.warn(
                rule,
                "",
                format!("{} admits every address on the internet to {}", rule.address, server.address),
            );
            let description = format!("{} admits 0.0.0.0-255.255.255.255", rule.address);
            let authentication = inference.authentication_to(id);
            inference.internet_flow(id, "sql", authentication, rule.source(), description);
        } else if start == "0.0.0.0" && end == "0.0.0.0" {
            inference.note(id, "Its firewall admits every Azure service (0.0.0.0), including other tenants' ones.");
            inference.builder.expose(id, Exposure::Partner);
        } else if !is_private_range(start) {
            inference.builder.expose(id, Exposure::Partner);
        }
    }
}

fn storage_account(inference: &mut Inference<'_>, id: &str, account: &Resource) {
    let estate = inference.estate;
    inference.builder.add_control(id, "encryption-at-rest");
    if account.get("customer_managed_key").is_some() {
        inference.builder.add_control(id, "customer-managed-keys");
    }
    tls_minimum(inference, id, account, "min_tls_version");
    let https_only = account.bool("https_traffic_only_enabled").or_else(|| account.bool("enable_https_traffic_only"));
    if https_only == Some(false) {
        inference.warn(account, "", format!("{} accepts plain HTTP", account.address));
    }
    if account.bool("public_network_access_enabled") == Some(false)
        || account.text("network_rules.default_action") == Some("Deny")
    {
        inference.builder.add_control(id, "private-network-access");
    }
    let nested_public =
        account.bool("allow_nested_items_to_be_public").or_else(|| account.bool("allow_blob_public_access"));
    if nested_public == Some(false) {
        inference.builder.add_control(id, "block-public-storage-access");
        return;
    }
    for (_, container) in estate.of_kind(&["azurerm_storage_container"]) {
        let belongs = container
            .get("storage_account_id")
            .or_else(|| container.get("storage_account_name"))
            .is_some_and(|v| inference.components_in(v).iter().any(|t| t == id));
        let access = container.text("container_access_type").unwrap_or("private");
        if belongs && matches!(access, "blob" | "container") {
            let why = format!("{} has `container_access_type = \"{access}\"`", container.address);
            inference.warn(
                container,
                "container_access_type",
                format!("storage account {} is readable by anyone: {why}", account.address),
            );
            let source = container.source_at("container_access_type");
            inference.internet_flow(
                id,
                "https",
                Authentication::None,
                source,
                format!("Anyone on the internet: {why}"),
            );
        }
    }
}
