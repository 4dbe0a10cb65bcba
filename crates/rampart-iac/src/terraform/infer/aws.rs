//! AWS resources: VPCs and subnets, security groups, load balancers, API
//! gateways, CloudFront, event sources, and the controls data stores show.

use std::collections::{BTreeMap, HashMap};

use rampart_model::{Authentication, Exposure};

use super::{Inference, is_anywhere, is_private_range, port_range_protocol, range_covers};
use crate::builder::FlowSpec;
use crate::terraform::resource::Resource;
use crate::terraform::value::Value;

/// Types read here that do not become components.
const READ: &[&str] = &[
    "aws_internet_gateway",
    "aws_egress_only_internet_gateway",
    "aws_nat_gateway",
    "aws_eip",
    "aws_route_table",
    "aws_route",
    "aws_route_table_association",
    "aws_main_route_table_association",
    "aws_security_group",
    "aws_security_group_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_security_group_egress_rule",
    "aws_lb_listener",
    "aws_alb_listener",
    "aws_lb_listener_rule",
    "aws_lb_target_group",
    "aws_alb_target_group",
    "aws_lb_target_group_attachment",
    "aws_autoscaling_attachment",
    "aws_launch_template",
    "aws_launch_configuration",
    "aws_ecs_task_definition",
    "aws_ecs_cluster",
    "aws_eks_node_group",
    "aws_lambda_event_source_mapping",
    "aws_lambda_permission",
    "aws_lambda_function_url",
    "aws_api_gateway_resource",
    "aws_api_gateway_method",
    "aws_api_gateway_integration",
    "aws_api_gateway_deployment",
    "aws_api_gateway_stage",
    "aws_api_gateway_vpc_link",
    "aws_apigatewayv2_integration",
    "aws_apigatewayv2_route",
    "aws_apigatewayv2_stage",
    "aws_apigatewayv2_vpc_link",
    "aws_wafv2_web_acl",
    "aws_wafv2_web_acl_association",
    "aws_db_subnet_group",
    "aws_db_parameter_group",
    "aws_rds_cluster_parameter_group",
    "aws_rds_cluster_instance",
    "aws_elasticache_subnet_group",
    "aws_s3_bucket_public_access_block",
    "aws_s3_account_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_notification",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_website_configuration",
    "aws_sns_topic_subscription",
    "aws_sqs_queue_policy",
    "aws_kms_alias",
    "aws_secretsmanager_secret_version",
    "aws_secretsmanager_secret_rotation",
    "aws_cloudtrail",
    "aws_acm_certificate",
    "aws_shield_protection",
];

/// VPCs and subnets become boundaries; a subnet is public when it gives
/// instances public IPs or routes `0.0.0.0/0` to an internet gateway.
pub(super) fn networks(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    let account = inference.accounts.get("aws").cloned();
    for (index, vpc) in estate.of_kind(&["aws_vpc"]) {
        let cidr = vpc.text("cidr_block").map(|cidr| format!(" ({cidr})")).unwrap_or_default();
        let description = format!("VPC `{}`{cidr}.", vpc.address);
        inference.network_boundary(&[index], "vpc", "vpc", account.clone(), description);
    }
    let gateways: Vec<usize> = estate.of_kind(&["aws_internet_gateway"]).into_iter().map(|(index, _)| index).collect();
    let nat: Vec<usize> = estate.of_kind(&["aws_nat_gateway"]).into_iter().map(|(index, _)| index).collect();
    // Route tables with a default route to an internet gateway (or a NAT gateway).
    let mut internet_tables: HashMap<usize, usize> = HashMap::new();
    let mut nat_tables: HashMap<usize, usize> = HashMap::new();
    let note_route = |table: usize, target: &Value, tables: &mut HashMap<usize, usize>, gateways: &[usize]| {
        if let Some(gateway) = estate.targets(target).into_iter().find(|g| gateways.contains(g)) {
            tables.insert(table, gateway);
        }
    };
    for (index, table) in estate.of_kind(&["aws_route_table"]) {
        for route in table.values.blocks("route") {
            let default = route.get("cidr_block").and_then(Value::literal).is_some_and(is_anywhere)
                || route.get("ipv6_cidr_block").and_then(Value::literal).is_some_and(is_anywhere);
            if default {
                for key in ["gateway_id", "nat_gateway_id"] {
                    if let Some(target) = route.get(key) {
                        note_route(index, target, &mut internet_tables, &gateways);
                        note_route(index, target, &mut nat_tables, &nat);
                    }
                }
            }
        }
    }
    for (_, route) in estate.of_kind(&["aws_route"]) {
        let default = route.text("destination_cidr_block").is_some_and(is_anywhere)
            || route.text("destination_ipv6_cidr_block").is_some_and(is_anywhere);
        let Some(table) =
            route.get("route_table_id").and_then(|v| estate.targets_of(v, &["aws_route_table"]).first().copied())
        else {
            continue;
        };
        if default {
            for key in ["gateway_id", "nat_gateway_id"] {
                if let Some(target) = route.get(key) {
                    note_route(table, target, &mut internet_tables, &gateways);
                    note_route(table, target, &mut nat_tables, &nat);
                }
            }
        }
    }
    let mut subnet_table: HashMap<usize, usize> = HashMap::new();
    for (_, association) in estate.of_kind(&["aws_route_table_association"]) {
        let subnet = association.get("subnet_id").map(|v| estate.targets_of(v, &["aws_subnet"])).unwrap_or_default();
        let table =
            association.get("route_table_id").map(|v| estate.targets_of(v, &["aws_route_table"])).unwrap_or_default();
        if let (Some(subnet), Some(table)) = (subnet.first(), table.first()) {
            subnet_table.insert(*subnet, *table);
        }
    }
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, subnet) in estate.of_kind(&["aws_subnet"]) {
        groups.entry(subnet.base_address()).or_default().push(index);
    }
    for (_, members) in groups {
        let mut reasons: Vec<String> = Vec::new();
        let mut nat_route = None;
        for index in &members {
            let subnet = estate.get(*index);
            let table = subnet_table.get(index);
            if let Some(gateway) = table.and_then(|t| internet_tables.get(t)) {
                inference.public_subnets.insert(*index);
                let reason = format!("routes 0.0.0.0/0 to {}", estate.get(*gateway).address);
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
            if subnet.bool("map_public_ip_on_launch") == Some(true) {
                inference.public_subnets.insert(*index);
                let reason = "gives instances public IP addresses".to_string();
                if !reasons.contains(&reason) {
                    reasons.push(reason);
                }
            }
            if let Some(gateway) = table.and_then(|t| nat_tables.get(t)) {
                nat_route = Some(estate.get(*gateway).address.clone());
            }
        }
        let first = estate.get(members[0]);
        let vpc = first
            .get("vpc_id")
            .and_then(|v| estate.targets(v).into_iter().find_map(|i| inference.boundary_of.get(&i).cloned()))
            .or_else(|| account.clone());
        let cidrs: Vec<&str> = members.iter().filter_map(|i| estate.get(*i).text("cidr_block")).collect();
        let shown = if members.len() > 1 { first.base_address() } else { first.address.as_str() };
        let mut description = if reasons.is_empty() {
            format!("Private subnet `{shown}`: no route to an internet gateway")
        } else {
            format!("Public subnet `{shown}`: {}", reasons.join(" and "))
        };
        if !cidrs.is_empty() {
            description.push_str(&format!(" ({})", cidrs.join(", ")));
        }
        description.push('.');
        if let Some(nat) = nat_route {
            description.push_str(&format!(" Reaches the internet through {nat}."));
        }
        if members.len() > 1 {
            description.push_str(&format!(" One boundary for its {} instances.", members.len()));
        }
        inference.network_boundary(&members, "subnet", "subnet", vpc, description);
    }
    inference.mark_read(&["aws_vpc", "aws_subnet"]);
}

/// Resources that stand for a component: a task definition for its
/// service, a launch template for its group, a listener for its load
/// balancer, a stage for its API.
pub(super) fn aliases(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    let links: &[(&str, &str, &[&str])] = &[
        ("aws_ecs_service", "task_definition", &["aws_ecs_task_definition"]),
        ("aws_autoscaling_group", "launch_template.id", &["aws_launch_template"]),
        ("aws_autoscaling_group", "launch_template.name", &["aws_launch_template"]),
        (
            "aws_autoscaling_group",
            "mixed_instances_policy.launch_template.launch_template_specification.launch_template_id",
            &["aws_launch_template"],
        ),
        ("aws_autoscaling_group", "launch_configuration", &["aws_launch_configuration"]),
    ];
    for (kind, path, targets) in links {
        for (index, resource) in estate.of_kind(&[kind]) {
            let Some(id) = inference.component_of.get(&index).cloned() else { continue };
            if let Some(value) = resource.path(path) {
                for target in estate.targets_of(value, targets) {
                    inference.component_of.entry(target).or_insert_with(|| id.clone());
                    inference.read.insert(target);
                }
            }
        }
    }
    // The other direction: the part names the whole.
    let parts: &[(&str, &str, &[&str])] = &[
        ("aws_rds_cluster_instance", "cluster_identifier", &["aws_rds_cluster"]),
        ("aws_elasticache_cluster", "replication_group_id", &["aws_elasticache_replication_group"]),
        ("aws_secretsmanager_secret_version", "secret_id", &["aws_secretsmanager_secret"]),
        ("aws_api_gateway_stage", "rest_api_id", &["aws_api_gateway_rest_api"]),
        ("aws_api_gateway_deployment", "rest_api_id", &["aws_api_gateway_rest_api"]),
        ("aws_apigatewayv2_stage", "api_id", &["aws_apigatewayv2_api"]),
        ("aws_eks_node_group", "cluster_name", &["aws_eks_cluster"]),
        ("aws_lb_listener", "load_balancer_arn", &["aws_lb", "aws_alb"]),
        ("aws_alb_listener", "load_balancer_arn", &["aws_lb", "aws_alb"]),
        ("aws_kms_alias", "target_key_id", &["aws_kms_key"]),
        ("aws_lambda_function_url", "function_name", &["aws_lambda_function"]),
    ];
    for (kind, path, wholes) in parts {
        for (index, resource) in estate.of_kind(&[kind]) {
            let Some(value) = resource.path(path) else { continue };
            if let Some(id) =
                estate.targets_of(value, wholes).into_iter().find_map(|w| inference.component_of.get(&w).cloned())
            {
                inference.component_of.entry(index).or_insert(id);
                inference.read.insert(index);
            }
        }
    }
}

pub(super) fn infer(inference: &mut Inference<'_>) {
    if !inference.accounts.contains_key("aws") {
        return;
    }
    data_stores(inference);
    let groups = SecurityGroups::new(inference);
    load_balancers(inference, &groups);
    api_gateways(inference);
    cloudfront(inference);
    event_sources(inference);
    compute(inference);
    protections(inference);
    inference.mark_read(READ);
}

/// Flows and exposure from security group rules. They run after every
/// other source of flows: a rule says who *may* connect, so it draws a
/// flow only between components that nothing else connected.
pub(super) fn security_group_flows(inference: &mut Inference<'_>) {
    if inference.accounts.contains_key("aws") {
        SecurityGroups::new(inference).apply(inference);
    }
}

/// Security groups: who is in each, and what each admits.
struct SecurityGroups {
    /// Security group → component ids attached to it.
    members: HashMap<usize, Vec<String>>,
    /// Component → its security groups.
    groups_of: HashMap<String, Vec<usize>>,
    rules: Vec<Rule>,
    /// Security group → positions in `rules` of its rules, so that asking
    /// about one component does not scan every rule.
    rules_of: HashMap<usize, Vec<usize>>,
}

/// One ingress rule.
struct Rule {
    group: usize,
    from: Option<f64>,
    to: Option<f64>,
    ranges: Vec<String>,
    sources: Vec<usize>,
    /// Index of the resource the rule is written in, and the path to it.
    resource: usize,
    path: String,
}

const GROUP_PATHS: &[&str] = &[
    "vpc_security_group_ids",
    "security_groups",
    "security_group_ids",
    "vpc_config.security_group_ids",
    "network_configuration.security_groups",
    "network_interfaces.security_groups",
];

impl SecurityGroups {
    fn new(inference: &Inference<'_>) -> SecurityGroups {
        let estate = inference.estate;
        let mut members: HashMap<usize, Vec<String>> = HashMap::new();
        let mut groups_of: HashMap<String, Vec<usize>> = HashMap::new();
        for id in inference.resource_of.keys() {
            for resource in inference.resources_of(id) {
                for path in GROUP_PATHS {
                    let Some(value) = resource.path(path) else { continue };
                    for group in estate.targets_of(value, &["aws_security_group"]) {
                        let list = members.entry(group).or_default();
                        if !list.contains(id) {
                            list.push(id.clone());
                        }
                        let own = groups_of.entry(id.clone()).or_default();
                        if !own.contains(&group) {
                            own.push(group);
                        }
                    }
                }
            }
        }
        let mut rules = Vec::new();
        let number = |value: Option<&Value>| value.and_then(Value::number);
        let all_ports = |protocol: Option<&str>| matches!(protocol, Some("-1" | "all"));
        for (index, group) in estate.of_kind(&["aws_security_group"]) {
            for (position, block) in group.values.blocks("ingress").into_iter().enumerate() {
                let all = all_ports(block.get("protocol").and_then(Value::literal));
                let mut sources = block
                    .get("security_groups")
                    .map(|v| estate.targets_of(v, &["aws_security_group"]))
                    .unwrap_or_default();
                if block.get("self").and_then(Value::bool) == Some(true) {
                    sources.push(index);
                }
                rules.push(Rule {
                    group: index,
                    from: if all { None } else { number(block.get("from_port")) },
                    to: if all { None } else { number(block.get("to_port")) },
                    ranges: ranges(block, &["cidr_blocks", "ipv6_cidr_blocks"]),
                    sources,
                    resource: index,
                    path: format!("ingress.{position}"),
                });
            }
        }
        for (index, rule) in estate.of_kind(&["aws_security_group_rule"]) {
            if rule.text("type") != Some("ingress") {
                continue;
            }
            let Some(group) = rule
                .get("security_group_id")
                .and_then(|v| estate.targets_of(v, &["aws_security_group"]).first().copied())
            else {
                continue;
            };
            let all = all_ports(rule.text("protocol"));
            let mut sources = rule
                .get("source_security_group_id")
                .map(|v| estate.targets_of(v, &["aws_security_group"]))
                .unwrap_or_default();
            if rule.bool("self") == Some(true) {
                sources.push(group);
            }
            rules.push(Rule {
                group,
                from: if all { None } else { number(rule.get("from_port")) },
                to: if all { None } else { number(rule.get("to_port")) },
                ranges: ranges(&rule.values, &["cidr_blocks", "ipv6_cidr_blocks"]),
                sources,
                resource: index,
                path: String::new(),
            });
        }
        for (index, rule) in estate.of_kind(&["aws_vpc_security_group_ingress_rule"]) {
            let Some(group) = rule
                .get("security_group_id")
                .and_then(|v| estate.targets_of(v, &["aws_security_group"]).first().copied())
            else {
                continue;
            };
            let all = all_ports(rule.text("ip_protocol"));
            rules.push(Rule {
                group,
                from: if all { None } else { number(rule.get("from_port")) },
                to: if all { None } else { number(rule.get("to_port")) },
                ranges: ranges(&rule.values, &["cidr_ipv4", "cidr_ipv6"]),
                sources: rule
                    .get("referenced_security_group_id")
                    .map(|v| estate.targets_of(v, &["aws_security_group"]))
                    .unwrap_or_default(),
                resource: index,
                path: String::new(),
            });
        }
        let mut rules_of: HashMap<usize, Vec<usize>> = HashMap::new();
        for (position, rule) in rules.iter().enumerate() {
            rules_of.entry(rule.group).or_default().push(position);
        }
        SecurityGroups { members, groups_of, rules, rules_of }
    }

    /// Whether a component's security groups admit anyone on `port`
    /// (`None` when it has none in the configuration).
    fn admits_anyone(&self, id: &str, port: Option<f64>) -> Option<bool> {
        let groups = self.groups_of.get(id)?;
        let rules = groups
            .iter()
            .flat_map(|group| self.rules_of.get(group).map(Vec::as_slice).unwrap_or_default())
            .filter_map(|position| self.rules.get(*position));
        Some(rules.into_iter().any(|rule| {
            rule.ranges.iter().any(|range| is_anywhere(range))
                && port.is_none_or(|port| range_covers(rule.from, rule.to, &[port as u16]))
        }))
    }

    fn apply(&self, inference: &mut Inference<'_>) {
        let estate = inference.estate;
        for rule in &self.rules {
            let written = estate.get(rule.resource);
            let group = estate.get(rule.group);
            let members = self.members.get(&rule.group).cloned().unwrap_or_default();
            let ports = match (rule.from, rule.to) {
                (Some(from), Some(to)) if from == to => format!("port {from}"),
                (Some(from), Some(to)) if from >= 0.0 => format!("ports {from}-{to}"),
                _ => "every port".to_string(),
            };
            let anyone = rule.ranges.iter().any(|range| is_anywhere(range));
            let partners = rule.ranges.iter().any(|range| !is_anywhere(range) && !is_private_range(range));
            let (protocol, _) = port_range_protocol(rule.from, rule.to);
            let administration = range_covers(rule.from, rule.to, &[22, 3389]);
            for member in &members {
                let Some(resource) = inference.own_resource(member) else { continue };
                if matches!(resource.kind.as_str(), "aws_lb" | "aws_alb") {
                    continue;
                }
                let reachable = publicly_addressable(inference, member);
                if anyone {
                    if administration {
                        inference.warn(
                            written,
                            &rule.path,
                            format!(
                                "{} admits 0.0.0.0/0 on {ports}, which includes SSH or RDP, to {}",
                                group.address, resource.address
                            ),
                        );
                    }
                    if reachable {
                        if administration {
                            inference.builder.add_capability(member, "remote-administration");
                        }
                        let description = format!("{} admits anyone on {ports}", group.address);
                        let source = written.source_at(&rule.path);
                        let authentication = inference.authentication_to(member);
                        inference.internet_flow(member, protocol, authentication, source, description);
                    }
                } else if partners && reachable {
                    inference.builder.expose(member, Exposure::Partner);
                }
            }
            for source in &rule.sources {
                for from in self.members.get(source).cloned().unwrap_or_default() {
                    for to in &members {
                        // Functions take no connections; a flow between the two already says more.
                        let listens = inference.own_resource(to).is_some_and(|r| r.kind != "aws_lambda_function");
                        if !listens || inference.builder.has_flow(&from, to) {
                            continue;
                        }
                        let (protocol, encrypted) = match port_range_protocol(rule.from, rule.to) {
                            ("tcp", _) => (inference.protocol_of(to), None),
                            known => known,
                        };
                        let authentication = inference.authentication_to(to);
                        let description =
                            format!("{} admits {} on {ports}", group.address, estate.get(*source).address);
                        inference.flow(FlowSpec {
                            from: from.clone(),
                            to: to.clone(),
                            protocol,
                            encrypted,
                            authentication,
                            data: Vec::new(),
                            source: written.source_at(&rule.path),
                            description,
                        });
                    }
                }
            }
        }
    }
}

fn ranges(block: &Value, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .filter_map(|key| block.get(key))
        .flat_map(|value| value.items().into_iter().filter_map(Value::literal).map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// Whether a component has an address on the internet: a public IP in a
/// public subnet, a publicly accessible database, a public ECS task.
fn publicly_addressable(inference: &Inference<'_>, id: &str) -> bool {
    let resources = inference.resources_of(id);
    let Some(own) = resources.first() else { return false };
    let subnets: Vec<usize> = resources.iter().flat_map(|r| inference.subnets_of(r)).collect();
    let in_public_subnet = subnets.is_empty() || subnets.iter().any(|s| inference.public_subnets.contains(s));
    let maps_public = subnets.iter().any(|s| inference.resource(*s).bool("map_public_ip_on_launch") == Some(true));
    match own.kind.as_str() {
        "aws_lb" | "aws_alb" => own.bool("internal") != Some(true),
        "aws_instance" => own.bool("associate_public_ip_address").unwrap_or(maps_public) && in_public_subnet,
        "aws_autoscaling_group" => {
            let template = resources.iter().find_map(|r| r.bool("network_interfaces.associate_public_ip_address"));
            template.unwrap_or(maps_public) && in_public_subnet
        }
        "aws_ecs_service" => own.bool("network_configuration.assign_public_ip") == Some(true) && in_public_subnet,
        "aws_db_instance" => own.bool("publicly_accessible") == Some(true),
        "aws_rds_cluster" => {
            let cluster = inference.resource_of.get(id).copied();
            inference.estate.of_kind(&["aws_rds_cluster_instance"]).into_iter().any(|(index, member)| {
                inference.component_of.get(&index).is_some_and(|c| c == id)
                    && Some(index) != cluster
                    && member.bool("publicly_accessible") == Some(true)
            })
        }
        _ => false,
    }
}

fn load_balancers(inference: &mut Inference<'_>, groups: &SecurityGroups) {
    let estate = inference.estate;
    // Target group → the components registered in it.
    let mut targets: HashMap<usize, Vec<String>> = HashMap::new();
    let tg_kinds = ["aws_lb_target_group", "aws_alb_target_group"];
    let register = |group_value: Option<&Value>, id: Option<String>, targets: &mut HashMap<usize, Vec<String>>| {
        let (Some(value), Some(id)) = (group_value, id) else { return };
        for group in estate.targets_of(value, &tg_kinds) {
            let list = targets.entry(group).or_default();
            if !list.contains(&id) {
                list.push(id.clone());
            }
        }
    };
    for (index, service) in estate.of_kind(&["aws_ecs_service"]) {
        for block in service.values.blocks("load_balancer") {
            register(block.get("target_group_arn"), inference.component_of.get(&index).cloned(), &mut targets);
        }
    }
    for (index, group) in estate.of_kind(&["aws_autoscaling_group"]) {
        register(group.get("target_group_arns"), inference.component_of.get(&index).cloned(), &mut targets);
    }
    for (_, attachment) in estate.of_kind(&["aws_autoscaling_attachment"]) {
        let id = attachment.get("autoscaling_group_name").and_then(|v| inference.components_in(v).into_iter().next());
        register(attachment.get("lb_target_group_arn"), id, &mut targets);
    }
    for (_, attachment) in estate.of_kind(&["aws_lb_target_group_attachment"]) {
        let id = attachment.get("target_id").and_then(|v| inference.components_in(v).into_iter().next());
        register(attachment.get("target_group_arn"), id, &mut targets);
    }
    let mut rule_actions: HashMap<usize, Vec<&Value>> = HashMap::new();
    for (_, rule) in estate.of_kind(&["aws_lb_listener_rule"]) {
        if let Some(listener) = rule.get("listener_arn").and_then(|v| estate.targets(v).into_iter().next()) {
            rule_actions.entry(listener).or_default().extend(rule.values.blocks("action"));
        }
    }
    for (index, listener) in estate.of_kind(&["aws_lb_listener", "aws_alb_listener"]) {
        let Some(lb) = listener.get("load_balancer_arn").and_then(|v| inference.components_in(v).into_iter().next())
        else {
            continue;
        };
        let Some(balancer) = inference.own_resource(&lb) else { continue };
        let port = listener.get("port").and_then(Value::number);
        let protocol_name = listener.text("protocol").unwrap_or("HTTP").to_ascii_uppercase();
        let mut actions: Vec<&Value> = listener.values.blocks("default_action");
        actions.extend(rule_actions.get(&index).cloned().unwrap_or_default());
        let redirect_only = !actions.is_empty()
            && actions.iter().all(|action| {
                action.get("type").and_then(Value::literal) == Some("redirect")
                    && action
                        .path("redirect.protocol")
                        .and_then(Value::literal)
                        .is_some_and(|p| p.eq_ignore_ascii_case("HTTPS"))
            });
        let (protocol, tls) = match protocol_name.as_str() {
            "HTTPS" => ("https", true),
            "TLS" => ("tls", true),
            "HTTP" => ("http", false),
            _ => (port_range_protocol(port, port).0, false),
        };
        let shown_port = port.map_or("?".to_string(), |p| format!("{p}"));
        if balancer.bool("internal") != Some(true) {
            let open = groups.admits_anyone(&lb, port);
            if open == Some(false) {
                inference.builder.expose(&lb, Exposure::Partner);
                inference
                    .note(&lb, format!("Its security groups admit no one from the internet on port {shown_port}."));
            } else if redirect_only {
                inference.builder.expose(&lb, Exposure::Internet);
                inference
                    .note(&lb, format!("The {protocol_name} listener on port {shown_port} only redirects to HTTPS."));
            } else {
                let description = format!("Listener on port {shown_port} ({protocol_name})");
                inference.internet_flow(&lb, protocol, Authentication::None, listener.source(), description);
            }
        }
        if tls {
            let policy = listener.text("ssl_policy").unwrap_or("ELBSecurityPolicy-2016-08");
            if ["TLS13", "TLS-1-2", "FS-1-2"].iter().any(|modern| policy.contains(modern)) {
                inference.builder.add_control(&lb, "tls-configuration-hardening");
            } else {
                inference.builder.add_capability(&lb, "legacy-cryptography");
                inference.warn(
                    listener,
                    "ssl_policy",
                    format!(
                        "{} accepts TLS 1.0 and 1.1 (`ssl_policy` {policy}); choose ELBSecurityPolicy-TLS13-1-2-2021-06",
                        listener.address
                    ),
                );
            }
        }
        let mut target_groups: Vec<usize> = Vec::new();
        for action in &actions {
            let mut values: Vec<&Value> = action.get("target_group_arn").into_iter().collect();
            for forward in action.blocks("forward") {
                for group in forward.blocks("target_group") {
                    values.extend(group.get("arn"));
                }
            }
            for value in values {
                for group in estate.targets_of(value, &tg_kinds) {
                    if !target_groups.contains(&group) {
                        target_groups.push(group);
                    }
                }
            }
        }
        for group_index in target_groups {
            let group = estate.get(group_index);
            let group_port = group.get("port").and_then(Value::number);
            let group_protocol = group.text("protocol").unwrap_or("HTTP").to_ascii_uppercase();
            let (protocol, encrypted) = match group_protocol.as_str() {
                "HTTPS" => ("https", Some(true)),
                "HTTP" => ("http", None),
                "TLS" => ("tls", Some(true)),
                _ => port_range_protocol(group_port, group_port),
            };
            for member in targets.get(&group_index).cloned().unwrap_or_default() {
                let description = format!(
                    "Target group {} ({group_protocol} port {})",
                    group.address,
                    group_port.map_or("?".to_string(), |p| format!("{p}"))
                );
                inference.flow(FlowSpec {
                    from: lb.clone(),
                    to: member,
                    protocol,
                    encrypted,
                    authentication: Authentication::None,
                    data: Vec::new(),
                    source: group.source(),
                    description,
                });
            }
        }
    }
}

fn api_gateways(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    for (index, api) in estate.of_kind(&["aws_api_gateway_rest_api", "aws_apigatewayv2_api"]) {
        let Some(id) = inference.component_of.get(&index).cloned() else { continue };
        let rest = api.kind == "aws_api_gateway_rest_api";
        let (api_key, method_kind, authorization_key, integration_kind, uri_key) = if rest {
            ("rest_api_id", "aws_api_gateway_method", "authorization", "aws_api_gateway_integration", "uri")
        } else {
            (
                "api_id",
                "aws_apigatewayv2_route",
                "authorization_type",
                "aws_apigatewayv2_integration",
                "integration_uri",
            )
        };
        let methods = belonging(inference, method_kind, api_key, &id);
        let mut authorizations: Vec<(String, bool)> = Vec::new();
        for method in methods {
            {
                let authorization = method.text(authorization_key).unwrap_or("NONE").to_ascii_uppercase();
                authorizations.push((authorization, method.bool("api_key_required") == Some(true)));
            }
        }
        let authentication = weakest_authorization(&authorizations);
        let private = api
            .path("endpoint_configuration.types")
            .is_some_and(|types| types.strings().iter().any(|t| t.eq_ignore_ascii_case("PRIVATE")));
        let websocket = api.text("protocol_type").is_some_and(|p| p.eq_ignore_ascii_case("WEBSOCKET"));
        if !private && api.bool("disable_execute_api_endpoint") != Some(true) {
            let protocol = if websocket { "websocket" } else { "https" };
            let description = if authorizations.is_empty() {
                "API endpoint (no methods or routes in the configuration)".to_string()
            } else {
                let shown: Vec<&str> = authorizations.iter().map(|(a, _)| a.as_str()).collect();
                format!("API endpoint; authorization of its methods: {}", shown.join(", "))
            };
            let internet = inference.builder.internet();
            inference.builder.expose(&id, Exposure::Internet);
            inference.flow(FlowSpec {
                from: internet,
                to: id.clone(),
                protocol,
                encrypted: websocket.then_some(true),
                authentication,
                data: Vec::new(),
                source: api.source(),
                description,
            });
        }
        let mut integrations: Vec<(&Resource, &str)> =
            belonging(inference, integration_kind, api_key, &id).into_iter().map(|r| (r, uri_key)).collect();
        if !rest && api.get("target").is_some() {
            integrations.push((api, "target"));
        }
        for (integration, key) in integrations {
            let Some(uri) = integration.get(key) else { continue };
            let mut reached = inference.components_in(uri);
            if let Some(link) = integration.get("connection_id") {
                for vpc_link in estate.targets_of(link, &["aws_api_gateway_vpc_link"]) {
                    if let Some(arns) = estate.get(vpc_link).get("target_arns") {
                        reached.extend(inference.components_in(arns));
                    }
                }
            }
            for target in reached.into_iter().filter(|t| *t != id) {
                let description = format!("Integration {}", integration.address);
                inference.flow_to(&id, &target, integration.source_at(key), description);
            }
        }
    }
    for (_, permission) in estate.of_kind(&["aws_lambda_permission"]) {
        let functions = inference.component_at(permission, "function_name");
        let sources = inference.component_at(permission, "source_arn");
        for function in &functions {
            for source in &sources {
                let description = format!(
                    "{} lets {} invoke it",
                    permission.address,
                    permission.text("principal").unwrap_or("a service")
                );
                inference.flow(FlowSpec {
                    from: source.clone(),
                    to: function.clone(),
                    protocol: "https",
                    encrypted: None,
                    authentication: Authentication::CloudIam,
                    data: Vec::new(),
                    source: permission.source(),
                    description,
                });
            }
        }
    }
    for (_, url) in estate.of_kind(&["aws_lambda_function_url"]) {
        for function in inference.component_at(url, "function_name") {
            let authentication = match url.text("authorization_type") {
                Some("AWS_IAM") => Authentication::CloudIam,
                _ => Authentication::None,
            };
            let description = format!(
                "Function URL {} (authorization {})",
                url.address,
                url.text("authorization_type").unwrap_or("NONE")
            );
            inference.internet_flow(&function, "https", authentication, url.source(), description);
        }
    }
}

/// Resources of `kind` whose `key` points at the component `id`.
fn belonging<'e>(inference: &Inference<'e>, kind: &str, key: &str, id: &str) -> Vec<&'e Resource> {
    let estate = inference.estate;
    inference.pointing_at(kind, key, id).into_iter().map(|index| estate.get(index)).collect()
}

/// The weakest way in among an API's methods: one open method opens the API.
fn weakest_authorization(authorizations: &[(String, bool)]) -> Authentication {
    if authorizations.is_empty() {
        return Authentication::None;
    }
    let rank = |(authorization, key): &(String, bool)| match authorization.as_str() {
        "NONE" if *key => (1, Authentication::ApiKey),
        "NONE" => (0, Authentication::None),
        "AWS_IAM" => (4, Authentication::CloudIam),
        "JWT" | "COGNITO_USER_POOLS" => (3, Authentication::Token),
        _ => (2, Authentication::Token),
    };
    authorizations.iter().map(rank).min_by_key(|(order, _)| *order).map_or(Authentication::None, |(_, a)| a)
}

fn cloudfront(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    for (index, distribution) in estate.of_kind(&["aws_cloudfront_distribution"]) {
        let Some(id) = inference.component_of.get(&index).cloned() else { continue };
        let mut behaviours = distribution.values.blocks("default_cache_behavior");
        behaviours.extend(distribution.values.blocks("ordered_cache_behavior"));
        let allows_http = behaviours
            .iter()
            .any(|b| b.get("viewer_protocol_policy").and_then(Value::literal).is_some_and(|p| p == "allow-all"));
        inference.internet_flow(
            &id,
            "https",
            Authentication::None,
            distribution.source(),
            "Viewers over HTTPS".to_string(),
        );
        if allows_http {
            let source = distribution.source_at("default_cache_behavior");
            inference.internet_flow(
                &id,
                "http",
                Authentication::None,
                source,
                "Viewers over plain HTTP (`viewer_protocol_policy = \"allow-all\"`)".to_string(),
            );
        }
        if distribution.get("web_acl_id").and_then(|v| v.str()).is_some_and(|v| !v.is_empty()) {
            inference.builder.add_control(&id, "web-application-firewall");
        }
        if let Some(minimum) = distribution.text("viewer_certificate.minimum_protocol_version") {
            if minimum.starts_with("TLSv1.2") || minimum.starts_with("TLSv1.3") {
                inference.builder.add_control(&id, "tls-configuration-hardening");
            } else {
                inference.builder.add_capability(&id, "legacy-cryptography");
            }
        }
        for (position, origin) in distribution.values.blocks("origin").into_iter().enumerate() {
            let Some(domain) = origin.get("domain_name") else { continue };
            let path = format!("origin.{position}");
            for target in inference.components_in(domain) {
                let bucket = inference.spec(&target).is_some_and(|s| s.kind == "aws-s3");
                let (protocol, authentication) = if bucket {
                    let signed = origin.get("origin_access_control_id").is_some()
                        || origin.path("s3_origin_config.origin_access_identity").is_some();
                    ("https", if signed { Authentication::CloudIam } else { Authentication::None })
                } else {
                    let policy = origin.path("custom_origin_config.origin_protocol_policy").and_then(Value::literal);
                    let protocol = match policy {
                        Some("http-only") => "http",
                        Some("match-viewer") if allows_http => "http",
                        _ => "https",
                    };
                    (protocol, Authentication::None)
                };
                inference.flow(FlowSpec {
                    from: id.clone(),
                    to: target,
                    protocol,
                    encrypted: None,
                    authentication,
                    data: Vec::new(),
                    source: distribution.source_at(&path),
                    description: format!(
                        "Origin `{}`",
                        origin.get("origin_id").map(Value::display_plain).unwrap_or_default()
                    ),
                });
            }
        }
    }
    for (_, association) in estate.of_kind(&["aws_wafv2_web_acl_association"]) {
        for target in inference.component_at(association, "resource_arn") {
            inference.builder.add_control(&target, "web-application-firewall");
        }
    }
    for (_, protection) in estate.of_kind(&["aws_shield_protection"]) {
        for target in inference.component_at(protection, "resource_arn") {
            inference.builder.add_control(&target, "ddos-protection");
        }
    }
}

/// Queues and streams feeding functions, topics fanning out, bucket notifications.
fn event_sources(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    let event =
        |inference: &mut Inference<'_>, from: &str, to: &str, resource: &Resource, path: &str, description: String| {
            inference.flow(FlowSpec {
                from: from.to_string(),
                to: to.to_string(),
                protocol: "https",
                encrypted: None,
                authentication: Authentication::CloudIam,
                data: Vec::new(),
                source: resource.source_at(path),
                description,
            });
        };
    for (_, mapping) in estate.of_kind(&["aws_lambda_event_source_mapping"]) {
        for source in inference.component_at(mapping, "event_source_arn") {
            for function in inference.component_at(mapping, "function_name") {
                event(inference, &source, &function, mapping, "", format!("Event source mapping {}", mapping.address));
            }
        }
    }
    for (_, subscription) in estate.of_kind(&["aws_sns_topic_subscription"]) {
        for topic in inference.component_at(subscription, "topic_arn") {
            for target in inference.component_at(subscription, "endpoint") {
                let description =
                    format!("Subscription {} ({})", subscription.address, subscription.text("protocol").unwrap_or("?"));
                event(inference, &topic, &target, subscription, "endpoint", description);
            }
        }
    }
    for (_, notification) in estate.of_kind(&["aws_s3_bucket_notification"]) {
        for bucket in inference.component_at(notification, "bucket") {
            for (block, key) in
                [("lambda_function", "lambda_function_arn"), ("queue", "queue_arn"), ("topic", "topic_arn")]
            {
                for (position, entry) in notification.values.blocks(block).into_iter().enumerate() {
                    let Some(value) = entry.get(key) else { continue };
                    for target in inference.components_in(value) {
                        let description = format!("Bucket notification {}", notification.address);
                        event(inference, &bucket, &target, notification, &format!("{block}.{position}"), description);
                    }
                }
            }
        }
    }
}

fn data_stores(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    let kms = |value: Option<&Value>| {
        value.is_some_and(|value| {
            !estate.targets_of(value, &["aws_kms_key", "aws_kms_alias"]).is_empty()
                || value.literal().is_some_and(|text| text.starts_with("arn:aws:kms:") && !text.contains(":alias/aws/"))
        })
    };
    let ids: Vec<(String, usize)> = inference.resource_of.iter().map(|(id, index)| (id.clone(), *index)).collect();
    for (id, index) in &ids {
        let resource = estate.get(*index);
        match resource.kind.as_str() {
            "aws_db_instance" | "aws_rds_cluster" => {
                if resource.bool("storage_encrypted") == Some(true) {
                    inference.builder.add_control(id, "encryption-at-rest");
                    if kms(resource.get("kms_key_id")) {
                        inference.builder.add_control(id, "customer-managed-keys");
                    }
                } else {
                    inference.note(id, "Its storage is not encrypted (`storage_encrypted` is not true).");
                }
                if resource.get("backup_retention_period").and_then(Value::number).is_some_and(|days| days > 0.0) {
                    inference.builder.add_control(id, "data-backups");
                }
                if resource.bool("publicly_accessible") == Some(true) {
                    inference.warn(
                        resource,
                        "publicly_accessible",
                        format!("{} is publicly accessible: it has an address on the internet", resource.address),
                    );
                }
                if resource.bool("iam_database_authentication_enabled") == Some(true) {
                    inference.note(id, "IAM database authentication is enabled.");
                }
                let groups = ["parameter_group_name", "db_cluster_parameter_group_name"];
                for group in groups.iter().filter_map(|key| resource.get(key)) {
                    for parameters in
                        estate.targets_of(group, &["aws_db_parameter_group", "aws_rds_cluster_parameter_group"])
                    {
                        let forces = estate.get(parameters).values.blocks("parameter").iter().any(|p| {
                            let name = p.get("name").and_then(Value::literal).unwrap_or_default();
                            let value =
                                p.get("value").map(Value::display_plain).unwrap_or_default().to_ascii_lowercase();
                            (name == "rds.force_ssl" && value == "1")
                                || (name == "require_secure_transport" && (value == "on" || value == "1"))
                        });
                        if forces {
                            inference.tls_enforced.insert(id.clone());
                            inference.builder.add_control(id, "transport-encryption");
                        }
                    }
                }
            }
            "aws_dynamodb_table" => {
                inference.builder.add_control(id, "encryption-at-rest");
                if resource.bool("server_side_encryption.enabled") == Some(true)
                    && kms(resource.path("server_side_encryption.kms_key_arn"))
                {
                    inference.builder.add_control(id, "customer-managed-keys");
                }
                if resource.bool("point_in_time_recovery.enabled") == Some(true) {
                    inference.builder.add_control(id, "data-backups");
                }
            }
            "aws_sqs_queue" => {
                if resource.bool("sqs_managed_sse_enabled") != Some(false) || kms(resource.get("kms_master_key_id")) {
                    inference.builder.add_control(id, "encryption-at-rest");
                }
                if kms(resource.get("kms_master_key_id")) {
                    inference.builder.add_control(id, "customer-managed-keys");
                }
            }
            "aws_sns_topic" => {
                if resource.get("kms_master_key_id").is_some() {
                    inference.builder.add_control(id, "encryption-at-rest");
                }
                if kms(resource.get("kms_master_key_id")) {
                    inference.builder.add_control(id, "customer-managed-keys");
                }
            }
            "aws_kinesis_stream" if resource.text("encryption_type") == Some("KMS") => {
                inference.builder.add_control(id, "encryption-at-rest");
                if kms(resource.get("kms_key_id")) {
                    inference.builder.add_control(id, "customer-managed-keys");
                }
            }
            "aws_elasticache_cluster" | "aws_elasticache_replication_group" => {
                if resource.bool("at_rest_encryption_enabled") == Some(true) {
                    inference.builder.add_control(id, "encryption-at-rest");
                }
                if resource.bool("transit_encryption_enabled") == Some(true) {
                    inference.tls_enforced.insert(id.clone());
                    inference.builder.add_control(id, "transport-encryption");
                }
                if resource.get("auth_token").is_some() {
                    inference.authentication_of.insert(id.clone(), Authentication::Password);
                }
            }
            "aws_kms_key" if resource.bool("enable_key_rotation") == Some(true) => {
                inference.builder.add_control(id, "key-rotation");
            }
            "aws_secretsmanager_secret" => {
                let name = super::display_name(resource, true);
                let data = inference.builder.secret_asset(
                    &format!("{id}-value"),
                    format!("Secret {name}"),
                    "credentials",
                    format!("The value kept in {}.", resource.address),
                );
                if let Some(component) = inference.builder.component(id) {
                    component.stores.push(crate::builder::located(data));
                }
                if kms(resource.get("kms_key_id")) {
                    inference.builder.add_control(id, "customer-managed-keys");
                }
            }
            "aws_s3_bucket" => bucket(inference, id, resource),
            _ => {}
        }
    }
    for (_, rotation) in estate.of_kind(&["aws_secretsmanager_secret_rotation"]) {
        for secret in inference.component_at(rotation, "secret_id") {
            inference.builder.add_control(&secret, "secret-rotation");
        }
    }
}

fn bucket<'e>(inference: &mut Inference<'e>, id: &str, bucket: &'e Resource) {
    let estate = inference.estate;
    let about =
        |inference: &Inference<'e>, kind: &str| -> Vec<&'e Resource> { belonging(inference, kind, "bucket", id) };
    inference.builder.add_control(id, "encryption-at-rest");
    let mut sse: Vec<&Value> = bucket.values.blocks("server_side_encryption_configuration");
    let configurations = about(inference, "aws_s3_bucket_server_side_encryption_configuration");
    sse.extend(configurations.iter().map(|r| &r.values));
    let customer_key = sse.iter().any(|configuration| {
        configuration.blocks("rule").iter().any(|rule| {
            let default = rule.get("apply_server_side_encryption_by_default");
            let algorithm = default.and_then(|d| d.get("sse_algorithm")).and_then(Value::literal).unwrap_or_default();
            algorithm.starts_with("aws:kms") && default.and_then(|d| d.get("kms_master_key_id")).is_some()
        })
    });
    if customer_key {
        inference.builder.add_control(id, "customer-managed-keys");
    } else {
        inference.note(id, "Encrypted at rest with S3-managed keys (SSE-S3), as every bucket is.");
    }
    let mut blocks: Vec<&Value> =
        about(inference, "aws_s3_bucket_public_access_block").into_iter().map(|r| &r.values).collect();
    blocks.extend(estate.of_kind(&["aws_s3_account_public_access_block"]).into_iter().map(|(_, r)| &r.values));
    let flag = |key: &str| blocks.iter().any(|b| b.get(key).and_then(Value::bool) == Some(true));
    let policy_blocked = flag("block_public_policy") && flag("restrict_public_buckets");
    let acl_blocked = flag("block_public_acls") && flag("ignore_public_acls");
    if policy_blocked && acl_blocked {
        inference.builder.add_control(id, "block-public-storage-access");
    }
    let mut public: Vec<(String, &Resource, String)> = Vec::new();
    let mut policies: Vec<(&Resource, &Value, &str)> = about(inference, "aws_s3_bucket_policy")
        .into_iter()
        .filter_map(|r| r.get("policy").map(|p| (r, p, "policy")))
        .collect();
    if let Some(inline) = bucket.get("policy") {
        policies.push((bucket, inline, "policy"));
    }
    for (resource, policy, path) in policies {
        let document = super::iam::document(policy);
        for (position, statement) in super::iam::statements(&document).into_iter().enumerate() {
            if statement.get("Effect").and_then(Value::literal) == Some("Allow")
                && super::iam::principal_is_anyone(statement)
                && statement.get("Condition").is_none_or(|c| c.map().is_some_and(|m| m.is_empty()))
            {
                let actions: Vec<String> = statement
                    .get("Action")
                    .map(|a| a.strings().iter().map(|s| s.to_string()).collect())
                    .unwrap_or_default();
                let why = format!("{} grants {} to Principal \"*\"", resource.address, actions.join(", "));
                if policy_blocked {
                    inference.note(id, format!("{why}, but the public access block makes Amazon S3 ignore it."));
                } else {
                    public.push((why, resource, format!("{path}.Statement.{position}")));
                }
            }
        }
    }
    let mut acls: Vec<(&Resource, &str)> =
        about(inference, "aws_s3_bucket_acl").into_iter().map(|r| (r, "acl")).collect();
    acls.push((bucket, "acl"));
    for (resource, key) in acls {
        if let Some(acl) = resource.text(key)
            && matches!(acl, "public-read" | "public-read-write" | "authenticated-read")
        {
            let why = format!("{} sets the canned ACL `{acl}`", resource.address);
            if acl_blocked {
                inference.note(id, format!("{why}, but the public access block makes Amazon S3 ignore it."));
            } else {
                public.push((why, resource, key.to_string()));
            }
        }
    }
    for (why, resource, path) in public {
        inference.warn(resource, &path, format!("bucket {} is readable by anyone: {why}", bucket.address));
        inference.internet_flow(
            id,
            "https",
            Authentication::None,
            resource.source_at(&path),
            format!("Anyone on the internet: {why}"),
        );
    }
    if bucket.get("logging").is_some() || !about(inference, "aws_s3_bucket_logging").is_empty() {
        inference.builder.add_control(id, "storage-data-access-logging");
    }
    if !about(inference, "aws_s3_bucket_website_configuration").is_empty() || bucket.get("website").is_some() {
        inference.note(id, "It is configured as a static website.");
    }
}

fn compute(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    let ids: Vec<(String, usize)> = inference.resource_of.iter().map(|(id, index)| (id.clone(), *index)).collect();
    for (id, index) in ids {
        let resource = estate.get(index);
        let resources = inference.resources_of(&id);
        match resource.kind.as_str() {
            "aws_instance" | "aws_autoscaling_group" => {
                let required = resources.iter().any(|r| r.text("metadata_options.http_tokens") == Some("required"));
                if required {
                    inference.builder.add_control(&id, "imds-hardening");
                }
            }
            "aws_ecs_service" => {
                for definition in resources.iter().filter(|r| r.kind == "aws_ecs_task_definition") {
                    let containers = match definition.get("container_definitions") {
                        Some(Value::String(text)) => serde_json::from_str::<serde_json::Value>(text)
                            .map(|json| Value::from_json(&json))
                            .unwrap_or(Value::Unknown),
                        Some(other) => other.clone(),
                        None => Value::Unknown,
                    };
                    let images: Vec<String> = containers
                        .list()
                        .iter()
                        .filter_map(|c| c.get("image").and_then(Value::literal).map(str::to_string))
                        .collect();
                    if let Some(image) = images.first()
                        && let Some(component) = inference.builder.component(&id)
                    {
                        component.technology = Some(format!("Amazon ECS ({image})"));
                    }
                    for (position, container) in containers.list().iter().enumerate() {
                        if container.get("privileged").and_then(Value::bool) == Some(true) {
                            inference.builder.add_capability(&id, "privileged-container");
                            inference.warn(
                                definition,
                                &format!("container_definitions.{position}.privileged"),
                                format!("a container of {} runs privileged", definition.address),
                            );
                        }
                    }
                }
            }
            "aws_eks_cluster" => {
                let public = resource.bool("vpc_config.endpoint_public_access") != Some(false);
                let cidrs = resource
                    .path("vpc_config.public_access_cidrs")
                    .map(|v| v.strings().iter().map(|s| s.to_string()).collect::<Vec<_>>())
                    .unwrap_or_else(|| vec!["0.0.0.0/0".to_string()]);
                inference.kubernetes_api(&id, resource, "vpc_config", public, cidrs.iter().any(|c| is_anywhere(c)));
                if resource.get("encryption_config").is_some() {
                    inference.builder.add_control(&id, "etcd-encryption-at-rest");
                }
            }
            "aws_lambda_function"
                if resource.get("reserved_concurrent_executions").and_then(Value::number).is_some_and(|n| n >= 0.0) =>
            {
                inference.builder.add_control(&id, "serverless-cost-controls");
            }
            _ => {}
        }
    }
}

fn protections(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    if estate.of_kind(&["aws_cloudtrail"]).into_iter().any(|(_, trail)| trail.bool("enable_logging") != Some(false)) {
        inference.model_control("cloud-audit-logging");
    }
}
