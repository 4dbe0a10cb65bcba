//! AWS API objects → the Terraform resource instances that stand for them.
//!
//! One function per kind of object, shared by the AWS CLI inventory and the
//! AWS Config snapshot (whose `configuration` is the same object in
//! camelCase, see `object`). Each writes the arguments the Terraform
//! inference reads, under Terraform's names: `VpcId` → `vpc_id`,
//! `IpPermissions[].IpRanges[].CidrIp` → `ingress[].cidr_blocks`,
//! `Scheme: internet-facing` → `internal = false`. References between
//! objects stay literal ids and ARNs, which the inference matches to the
//! resource that has them, as it does in a Terraform state.

use std::collections::BTreeMap;

use super::object::{Obj, Res, Sink};
use crate::terraform::value::Value;

/// A change to a resource that another file describes (a key's rotation,
/// a table's backups), applied once every file is read.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Patch {
    pub kind: &'static str,
    /// The id, ARN or name of the resource to change.
    pub key: String,
    /// The argument to set; `@name` renames the resource.
    pub path: &'static str,
    pub value: Value,
    pub file: String,
    pub line: u32,
}

fn text(value: String) -> Value {
    Value::String(value)
}

/// The Name tag, else `fallback`.
fn name_of(tags: &BTreeMap<String, Value>, fallback: &str) -> String {
    tags.get("Name").and_then(Value::literal).filter(|name| !name.is_empty()).unwrap_or(fallback).to_string()
}

/// `https://sqs.eu-west-1.amazonaws.com/123456789012/orders` →
/// `arn:aws:sqs:eu-west-1:123456789012:orders`.
pub(crate) fn queue_arn_from_url(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let (host, path) = rest.split_once('/')?;
    let region = host.strip_prefix("sqs.")?.split('.').next()?;
    let (account, name) = path.trim_end_matches('/').split_once('/')?;
    Some(format!("arn:aws:sqs:{region}:{account}:{name}"))
}

/// The function an API integration invokes: the Lambda ARN inside
/// `arn:aws:apigateway:...:lambda:path/2015-03-31/functions/ARN/invocations`.
fn integration_target(uri: &str) -> String {
    match uri.split_once("/functions/") {
        Some((_, rest)) => rest.trim_end_matches("/invocations").to_string(),
        None => uri.to_string(),
    }
}

pub(crate) fn vpc(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("VpcId") else { return };
    let tags = o.tags();
    let mut res = Res::new("aws_vpc", &id, name_of(&tags, &id), sink.line(o));
    res.text("id", Some(id)).text("cidr_block", o.text("CidrBlock")).tags(tags);
    sink.push(res);
}

pub(crate) fn subnet(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("SubnetId") else { return };
    let tags = o.tags();
    let mut res = Res::new("aws_subnet", &id, name_of(&tags, &id), sink.line(o));
    res.text("id", Some(id))
        .text("arn", o.text("SubnetArn"))
        .text("vpc_id", o.text("VpcId"))
        .text("cidr_block", o.text("CidrBlock"))
        .text("availability_zone", o.text("AvailabilityZone"))
        .flag("map_public_ip_on_launch", o.flag("MapPublicIpOnLaunch"))
        .tags(tags);
    sink.push(res);
}

/// A security group with its rules as `ingress` and `egress` blocks.
pub(crate) fn security_group(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("GroupId") else { return };
    let tags = o.tags();
    let group_name = o.text("GroupName");
    let name = name_of(&tags, group_name.as_deref().unwrap_or(&id));
    let mut res = Res::new("aws_security_group", &id, name, sink.line(o));
    res.text("id", Some(id)).text("name", group_name).text("vpc_id", o.text("VpcId")).tags(tags);
    for (from, to) in [("IpPermissions", "ingress"), ("IpPermissionsEgress", "egress")] {
        let rules = o.list(from);
        let mut blocks = Vec::new();
        for (position, rule) in rules.iter().enumerate() {
            res.line_at(&format!("{to}.{position}"), sink.line(rule));
            blocks.push(permission(rule));
        }
        if !blocks.is_empty() {
            res.set(to, Value::List(blocks));
        }
    }
    sink.push(res);
}

/// One `IpPermission` as a Terraform rule block.
fn permission(rule: &Obj<'_>) -> Value {
    let mut block = BTreeMap::new();
    block.insert("protocol".to_string(), text(rule.text("IpProtocol").unwrap_or_else(|| "-1".to_string())));
    for (from, to) in [("FromPort", "from_port"), ("ToPort", "to_port")] {
        if let Some(port) = rule.number(from) {
            block.insert(to.to_string(), Value::Number(port));
        }
    }
    // The API lists `IpRanges: [{CidrIp}]`; Config has both `ipRanges: ["..."]` and `ipv4Ranges: [{cidrIp}]`.
    let mut ipv4: Vec<String> = Vec::new();
    for range in o_ranges(rule, "IpRanges", "CidrIp").into_iter().chain(o_ranges(rule, "Ipv4Ranges", "CidrIp")) {
        if !ipv4.contains(&range) {
            ipv4.push(range);
        }
    }
    let ipv6 = o_ranges(rule, "Ipv6Ranges", "CidrIpv6");
    let groups = rule.each("UserIdGroupPairs", "GroupId");
    for (key, list) in [("cidr_blocks", ipv4), ("ipv6_cidr_blocks", ipv6), ("security_groups", groups)] {
        if !list.is_empty() {
            block.insert(key.to_string(), Value::List(list.into_iter().map(Value::String).collect()));
        }
    }
    Value::Map(block)
}

fn o_ranges(rule: &Obj<'_>, key: &str, inner: &str) -> Vec<String> {
    rule.list(key)
        .iter()
        .filter_map(|range| range.json.as_str().map(str::to_string).or_else(|| range.text(inner)))
        .collect()
}

pub(crate) fn instance(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("InstanceId") else { return };
    if matches!(o.text("State.Name").as_deref(), Some("terminated" | "shutting-down")) {
        return;
    }
    let tags = o.tags();
    let mut res = Res::new("aws_instance", &id, name_of(&tags, &id), sink.line(o));
    let groups = o.each("SecurityGroups", "GroupId");
    res.text("id", Some(id))
        .text("instance_type", o.text("InstanceType"))
        .text("subnet_id", o.text("SubnetId"))
        .text("vpc_id", o.text("VpcId"))
        .texts("vpc_security_group_ids", groups)
        .flag("associate_public_ip_address", Some(o.text("PublicIpAddress").is_some()))
        .text("public_ip", o.text("PublicIpAddress"))
        .text("iam_instance_profile", o.text("IamInstanceProfile.Arn"))
        .text("metadata_options.http_tokens", o.text("MetadataOptions.HttpTokens"))
        .tags(tags);
    sink.push(res);
}

pub(crate) fn internet_gateway(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("InternetGatewayId") else { return };
    let tags = o.tags();
    let mut res = Res::new("aws_internet_gateway", &id, name_of(&tags, &id), sink.line(o));
    res.text("id", Some(id)).texts("vpc_id", o.each("Attachments", "VpcId")).tags(tags);
    sink.push(res);
}

pub(crate) fn nat_gateway(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("NatGatewayId") else { return };
    if matches!(o.text("State").as_deref(), Some("deleted" | "deleting" | "failed")) {
        return;
    }
    let tags = o.tags();
    let mut res = Res::new("aws_nat_gateway", &id, name_of(&tags, &id), sink.line(o));
    res.text("id", Some(id)).text("subnet_id", o.text("SubnetId")).text("vpc_id", o.text("VpcId")).tags(tags);
    sink.push(res);
}

/// A route table, its routes as blocks, and one association per subnet
/// it is explicitly associated with (the main table's subnets are found
/// once every file is read).
pub(crate) fn route_table(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("RouteTableId") else { return };
    let tags = o.tags();
    let mut res = Res::new("aws_route_table", &id, name_of(&tags, &id), sink.line(o));
    let routes: Vec<Value> = o
        .list("Routes")
        .iter()
        .map(|route| {
            let mut block = BTreeMap::new();
            for (from, to) in [
                ("DestinationCidrBlock", "cidr_block"),
                ("DestinationIpv6CidrBlock", "ipv6_cidr_block"),
                ("GatewayId", "gateway_id"),
                ("NatGatewayId", "nat_gateway_id"),
            ] {
                if let Some(value) = route.text(from) {
                    block.insert(to.to_string(), text(value));
                }
            }
            Value::Map(block)
        })
        .collect();
    let main = o.list("Associations").iter().any(|association| association.flag("Main") == Some(true));
    res.text("id", Some(id.clone())).text("vpc_id", o.text("VpcId")).flag("main", Some(main)).tags(tags);
    if !routes.is_empty() {
        res.set("route", Value::List(routes));
    }
    sink.push(res);
    for association in o.list("Associations") {
        let Some(subnet) = association.text("SubnetId") else { continue };
        let address = association.text("RouteTableAssociationId").unwrap_or_else(|| format!("{id}/{subnet}"));
        let mut part = Res::new("aws_route_table_association", &address, &address, sink.line(&association));
        part.text("route_table_id", Some(id.clone())).text("subnet_id", Some(subnet));
        sink.push(part);
    }
}

pub(crate) fn load_balancer(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(arn) = o.text("LoadBalancerArn") else { return };
    let name = o.text("LoadBalancerName").unwrap_or_else(|| arn.clone());
    let internal = o.text("Scheme").map(|scheme| scheme == "internal");
    let mut subnets = o.each("AvailabilityZones", "SubnetId");
    subnets.extend(o.texts("Subnets"));
    let mut res = Res::new("aws_lb", &arn, &name, sink.line(o));
    res.text("arn", Some(arn))
        .text("name", Some(name))
        .flag("internal", internal)
        .text("load_balancer_type", o.text("Type"))
        .text("dns_name", o.text("DNSName"))
        .text("vpc_id", o.text("VpcId"))
        .texts("security_groups", o.texts("SecurityGroups"))
        .texts("subnets", subnets)
        .tags(o.tags());
    sink.push(res);
}

pub(crate) fn listener(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(arn) = o.text("ListenerArn") else { return };
    let mut res = Res::new("aws_lb_listener", &arn, &arn, sink.line(o));
    res.text("arn", Some(arn))
        .text("load_balancer_arn", o.text("LoadBalancerArn"))
        .number("port", o.number("Port"))
        .text("protocol", o.text("Protocol"))
        .text("ssl_policy", o.text("SslPolicy"));
    let actions: Vec<Value> = o.list("DefaultActions").iter().map(action).collect();
    if !actions.is_empty() {
        res.set("default_action", Value::List(actions));
    }
    sink.push(res);
}

/// A listener action as a Terraform `default_action` block.
fn action(o: &Obj<'_>) -> Value {
    let mut block = BTreeMap::new();
    if let Some(kind) = o.text("Type") {
        block.insert("type".to_string(), text(kind.to_ascii_lowercase()));
    }
    if let Some(group) = o.text("TargetGroupArn") {
        block.insert("target_group_arn".to_string(), text(group));
    }
    if let Some(protocol) = o.text("RedirectConfig.Protocol") {
        block.insert("redirect".to_string(), Value::Map(BTreeMap::from([("protocol".to_string(), text(protocol))])));
    }
    let groups: Vec<Value> = o
        .each("ForwardConfig.TargetGroups", "TargetGroupArn")
        .into_iter()
        .map(|arn| Value::Map(BTreeMap::from([("arn".to_string(), text(arn))])))
        .collect();
    if !groups.is_empty() {
        let forward = BTreeMap::from([("target_group".to_string(), Value::List(groups))]);
        block.insert("forward".to_string(), Value::Map(forward));
    }
    Value::Map(block)
}

pub(crate) fn target_group(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(arn) = o.text("TargetGroupArn") else { return };
    let name = o.text("TargetGroupName").unwrap_or_else(|| arn.clone());
    let mut res = Res::new("aws_lb_target_group", &arn, &name, sink.line(o));
    res.text("arn", Some(arn))
        .text("name", Some(name))
        .number("port", o.number("Port"))
        .text("protocol", o.text("Protocol"))
        .text("target_type", o.text("TargetType"))
        .text("vpc_id", o.text("VpcId"));
    sink.push(res);
}

/// A target registered in the target group `group` (its name or ARN).
pub(crate) fn target(sink: &mut Sink<'_>, o: &Obj<'_>, group: &str) {
    let Some(target) = o.text("Target.Id") else { return };
    let address = format!("{group}/{target}");
    let mut res = Res::new("aws_lb_target_group_attachment", &address, &address, sink.line(o));
    res.text("target_group_arn", Some(group.to_string()))
        .text("target_id", Some(target))
        .number("port", o.number("Target.Port"));
    sink.push(res);
}

pub(crate) fn db_instance(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(identifier) = o.text("DBInstanceIdentifier") else { return };
    let arn = o.text("DBInstanceArn");
    let address = arn.clone().unwrap_or_else(|| identifier.clone());
    let groups = o.each("VpcSecurityGroups", "VpcSecurityGroupId");
    let cluster = o.text("DBClusterIdentifier");
    let kind = if cluster.is_some() { "aws_rds_cluster_instance" } else { "aws_db_instance" };
    let mut res = Res::new(kind, address, &identifier, sink.line(o));
    res.text("identifier", Some(identifier.clone()))
        .text("id", Some(identifier))
        .text("arn", arn)
        .text("cluster_identifier", cluster)
        .text("engine", o.text("Engine"))
        .text("engine_version", o.text("EngineVersion"))
        .flag("storage_encrypted", o.flag("StorageEncrypted"))
        .text("kms_key_id", o.text("KmsKeyId"))
        .flag("publicly_accessible", o.flag("PubliclyAccessible"))
        .number("backup_retention_period", o.number("BackupRetentionPeriod"))
        .flag("iam_database_authentication_enabled", o.flag("IAMDatabaseAuthenticationEnabled"))
        .texts("vpc_security_group_ids", groups)
        .text("db_subnet_group_name", o.text("DBSubnetGroup.DBSubnetGroupName"))
        .texts("subnet_ids", o.each("DBSubnetGroup.Subnets", "SubnetIdentifier"))
        .texts("parameter_group_name", o.each("DBParameterGroups", "DBParameterGroupName"))
        .tags(o.tags());
    sink.push(res);
}

pub(crate) fn db_cluster(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(identifier) = o.text("DBClusterIdentifier") else { return };
    let arn = o.text("DBClusterArn");
    let address = arn.clone().unwrap_or_else(|| identifier.clone());
    let mut res = Res::new("aws_rds_cluster", address, &identifier, sink.line(o));
    res.text("cluster_identifier", Some(identifier))
        .text("arn", arn)
        .text("engine", o.text("Engine"))
        .text("engine_version", o.text("EngineVersion"))
        .flag("storage_encrypted", o.flag("StorageEncrypted"))
        .text("kms_key_id", o.text("KmsKeyId"))
        .number("backup_retention_period", o.number("BackupRetentionPeriod"))
        .flag("iam_database_authentication_enabled", o.flag("IAMDatabaseAuthenticationEnabled"))
        .texts("vpc_security_group_ids", o.each("VpcSecurityGroups", "VpcSecurityGroupId"))
        .text("db_subnet_group_name", o.text("DBSubnetGroup"))
        .tags(o.tags());
    sink.push(res);
}

pub(crate) fn bucket_arn(name: &str) -> String {
    format!("arn:aws:s3:::{name}")
}

pub(crate) fn bucket(sink: &mut Sink<'_>, o: &Obj<'_>, name: &str) {
    let tags = o.tags();
    let mut res = Res::new("aws_s3_bucket", bucket_arn(name), name_of(&tags, name), sink.line(o));
    res.text("bucket", Some(name.to_string())).text("arn", Some(bucket_arn(name))).tags(tags);
    sink.push(res);
}

/// A bucket's (or with `bucket` `None`, the account's) public access block.
pub(crate) fn public_access_block(sink: &mut Sink<'_>, o: &Obj<'_>, bucket: Option<&str>) {
    let (kind, address) = match bucket {
        Some(bucket) => ("aws_s3_bucket_public_access_block", format!("{} (public access block)", bucket_arn(bucket))),
        None => ("aws_s3_account_public_access_block", "account public access block".to_string()),
    };
    let mut res = Res::new(kind, &address, &address, sink.line(o));
    res.text("bucket", bucket.map(str::to_string));
    for (from, to) in [
        ("BlockPublicAcls", "block_public_acls"),
        ("IgnorePublicAcls", "ignore_public_acls"),
        ("BlockPublicPolicy", "block_public_policy"),
        ("RestrictPublicBuckets", "restrict_public_buckets"),
    ] {
        res.flag(to, o.flag(from));
    }
    sink.push(res);
}

/// `ServerSideEncryptionConfiguration` (its `Rules`) of a bucket.
pub(crate) fn bucket_encryption(sink: &mut Sink<'_>, o: &Obj<'_>, bucket: &str) {
    let address = format!("{} (encryption)", bucket_arn(bucket));
    let mut res = Res::new("aws_s3_bucket_server_side_encryption_configuration", &address, &address, sink.line(o));
    let rules: Vec<Value> = o
        .list("Rules")
        .iter()
        .map(|rule| {
            let mut default = BTreeMap::new();
            if let Some(algorithm) = rule.text("ApplyServerSideEncryptionByDefault.SSEAlgorithm") {
                default.insert("sse_algorithm".to_string(), text(algorithm));
            }
            if let Some(key) = rule.text("ApplyServerSideEncryptionByDefault.KMSMasterKeyID") {
                default.insert("kms_master_key_id".to_string(), text(key));
            }
            let by_default = ("apply_server_side_encryption_by_default".to_string(), Value::Map(default));
            Value::Map(BTreeMap::from([by_default]))
        })
        .collect();
    res.text("bucket", Some(bucket.to_string())).set("rule", Value::List(rules));
    sink.push(res);
}

/// A bucket policy: the JSON document (or the JSON text holding it).
pub(crate) fn bucket_policy(sink: &mut Sink<'_>, o: &Obj<'_>, bucket: &str) {
    let address = format!("{} (policy)", bucket_arn(bucket));
    let mut res = Res::new("aws_s3_bucket_policy", &address, &address, sink.line(o));
    res.text("bucket", Some(bucket.to_string())).set("policy", o.value());
    sink.push(res);
}

/// A bucket ACL's grants as the canned ACL they amount to, when they
/// grant anything to everyone.
pub(crate) fn bucket_acl(sink: &mut Sink<'_>, o: &Obj<'_>, bucket: &str) {
    let mut everyone = Vec::new();
    let mut authenticated = false;
    for grant in o.list("Grants") {
        let uri = grant.text("Grantee.URI").unwrap_or_default();
        let permission = grant.text("Permission").unwrap_or_default();
        if uri.ends_with("/global/AllUsers") {
            everyone.push(permission);
        } else if uri.ends_with("/global/AuthenticatedUsers") {
            authenticated = true;
        }
    }
    let acl = if everyone.iter().any(|p| p == "WRITE" || p == "FULL_CONTROL") {
        "public-read-write"
    } else if !everyone.is_empty() {
        "public-read"
    } else if authenticated {
        "authenticated-read"
    } else {
        "private"
    };
    let address = format!("{} (acl)", bucket_arn(bucket));
    let mut res = Res::new("aws_s3_bucket_acl", &address, &address, sink.line(o));
    res.text("bucket", Some(bucket.to_string())).text("acl", Some(acl.to_string()));
    sink.push(res);
}

pub(crate) fn bucket_logging(sink: &mut Sink<'_>, o: &Obj<'_>, bucket: &str) {
    let Some(target) = o.text("TargetBucket").or_else(|| o.text("DestinationBucketName")) else { return };
    let address = format!("{} (logging)", bucket_arn(bucket));
    let mut res = Res::new("aws_s3_bucket_logging", &address, &address, sink.line(o));
    res.text("bucket", Some(bucket.to_string())).text("target_bucket", Some(target));
    sink.push(res);
}

pub(crate) fn lambda_function(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(name) = o.text("FunctionName") else { return };
    let arn = o.text("FunctionArn").or_else(|| o.text("Arn"));
    let address = arn.clone().unwrap_or_else(|| name.clone());
    let tags = o.tags();
    let mut res = Res::new("aws_lambda_function", address, name_of(&tags, &name), sink.line(o));
    res.text("function_name", Some(name))
        .text("arn", arn)
        .text("runtime", o.text("Runtime"))
        .text("role", o.text("Role"))
        .texts("vpc_config.subnet_ids", o.texts("VpcConfig.SubnetIds"))
        .texts("vpc_config.security_group_ids", o.texts("VpcConfig.SecurityGroupIds"))
        .text("vpc_config.vpc_id", o.text("VpcConfig.VpcId"))
        .tags(tags);
    if let Some(variables) = o.at("Environment.Variables") {
        res.set("environment.variables", variables.value());
        res.line_at("environment.0.variables", sink.line(&variables));
    }
    sink.push(res);
}

pub(crate) fn event_source_mapping(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let (Some(source), Some(function)) = (o.text("EventSourceArn"), o.text("FunctionArn")) else { return };
    let address = o.text("UUID").unwrap_or_else(|| format!("{source}->{function}"));
    let mut res = Res::new("aws_lambda_event_source_mapping", &address, &address, sink.line(o));
    res.text("event_source_arn", Some(source)).text("function_name", Some(function));
    sink.push(res);
}

pub(crate) fn function_url(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(function) = o.text("FunctionArn") else { return };
    let address = o.text("FunctionUrl").unwrap_or_else(|| format!("{function} (URL)"));
    let mut res = Res::new("aws_lambda_function_url", &address, &address, sink.line(o));
    res.text("function_name", Some(function)).text("authorization_type", o.text("AuthType"));
    sink.push(res);
}

pub(crate) fn dynamodb_table(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(name) = o.text("TableName") else { return };
    let mut res = Res::new("aws_dynamodb_table", &name, &name, sink.line(o));
    let sse = o.text("SSEDescription.Status").map(|status| status == "ENABLED" || status == "ENABLING");
    res.text("name", Some(name))
        .text("arn", o.text("TableArn"))
        .flag("server_side_encryption.enabled", sse)
        .text("server_side_encryption.kms_key_arn", o.text("SSEDescription.KMSMasterKeyArn"))
        .tags(o.tags());
    sink.push(res);
}

/// `ContinuousBackupsDescription` of a table: point-in-time recovery.
pub(crate) fn continuous_backups(sink: &mut Sink<'_>, o: &Obj<'_>, table: &str) {
    let Some(status) = o.text("PointInTimeRecoveryDescription.PointInTimeRecoveryStatus") else { return };
    let line = sink.line(o);
    sink.patch("aws_dynamodb_table", table, "point_in_time_recovery.enabled", Value::Bool(status == "ENABLED"), line);
}

/// A queue from its URL, or from its attributes (`QueueArn`, encryption).
pub(crate) fn sqs_queue(sink: &mut Sink<'_>, o: &Obj<'_>, url: Option<&str>) {
    let arn = o.text("QueueArn").or_else(|| url.and_then(queue_arn_from_url));
    let url = url.map(str::to_string).or_else(|| o.text("QueueUrl"));
    let Some(address) = arn.clone().or_else(|| url.clone()) else { return };
    let name = address.rsplit([':', '/']).next().unwrap_or(&address).to_string();
    let mut res = Res::new("aws_sqs_queue", &address, &name, sink.line(o));
    res.text("name", Some(name))
        .text("arn", arn)
        .text("url", url)
        .text("kms_master_key_id", o.text("KmsMasterKeyId"))
        .flag("sqs_managed_sse_enabled", o.flag("SqsManagedSseEnabled"));
    sink.push(res);
}

pub(crate) fn sns_topic(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(arn) = o.text("TopicArn") else { return };
    let name = arn.rsplit(':').next().unwrap_or(&arn).to_string();
    let mut res = Res::new("aws_sns_topic", &arn, &name, sink.line(o));
    res.text("arn", Some(arn)).text("name", Some(name)).text("kms_master_key_id", o.text("KmsMasterKeyId"));
    sink.push(res);
}

pub(crate) fn sns_subscription(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let (Some(topic), Some(endpoint)) = (o.text("TopicArn"), o.text("Endpoint")) else { return };
    let address = o
        .text("SubscriptionArn")
        .filter(|arn| arn.starts_with("arn:"))
        .unwrap_or_else(|| format!("{topic}->{endpoint}"));
    let mut res = Res::new("aws_sns_topic_subscription", &address, &address, sink.line(o));
    res.text("topic_arn", Some(topic)).text("protocol", o.text("Protocol")).text("endpoint", Some(endpoint));
    sink.push(res);
}

/// A role: from `iam list-roles`, or with its policies from
/// `iam get-account-authorization-details` (and AWS Config, which uses
/// the same shape).
pub(crate) fn iam_role(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(name) = o.text("RoleName") else { return };
    let arn = o.text("Arn");
    let mut res = Res::new("aws_iam_role", arn.clone().unwrap_or_else(|| name.clone()), &name, sink.line(o));
    res.text("name", Some(name))
        .text("arn", arn)
        .texts("managed_policy_arns", o.each("AttachedManagedPolicies", "PolicyArn"));
    let inline: Vec<Value> = o
        .list("RolePolicyList")
        .iter()
        .enumerate()
        .filter_map(|(position, policy)| {
            let document = policy.get("PolicyDocument")?.value();
            res.line_at(&format!("inline_policy.{position}"), sink.line(policy));
            let mut block = BTreeMap::from([("policy".to_string(), document)]);
            if let Some(name) = policy.text("PolicyName") {
                block.insert("name".to_string(), text(name));
            }
            Some(Value::Map(block))
        })
        .collect();
    if !inline.is_empty() {
        res.set("inline_policy", Value::List(inline));
    }
    sink.push(res);
    for profile in o.list("InstanceProfileList") {
        instance_profile(sink, &profile);
    }
}

/// A customer managed policy with its default version's document.
pub(crate) fn iam_policy(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(arn) = o.text("Arn") else { return };
    let name = o.text("PolicyName").unwrap_or_else(|| arn.clone());
    let versions = o.list("PolicyVersionList");
    let default = versions.iter().find(|version| version.flag("IsDefaultVersion") == Some(true)).or(versions.first());
    let mut res = Res::new("aws_iam_policy", &arn, &name, sink.line(o));
    res.text("arn", Some(arn)).text("name", Some(name));
    if let Some(document) = default.and_then(|version| version.get("Document")) {
        res.set("policy", document.value());
    }
    sink.push(res);
}

pub(crate) fn instance_profile(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(arn) = o.text("Arn") else { return };
    let name = o.text("InstanceProfileName").unwrap_or_else(|| arn.clone());
    let mut res = Res::new("aws_iam_instance_profile", &arn, &name, sink.line(o));
    let role = o.list("Roles").first().and_then(|role| role.text("Arn").or_else(|| role.text("RoleName")));
    res.text("arn", Some(arn)).text("name", Some(name)).text("role", role);
    sink.push(res);
}

/// A managed policy attached to the role `role` (`iam list-attached-role-policies`).
pub(crate) fn role_policy_attachment(sink: &mut Sink<'_>, o: &Obj<'_>, role: &str) {
    let Some(policy) = o.text("PolicyArn") else { return };
    let address = format!("{role}/{policy}");
    let mut res = Res::new("aws_iam_role_policy_attachment", &address, &address, sink.line(o));
    res.text("role", Some(role.to_string())).text("policy_arn", Some(policy));
    sink.push(res);
}

/// A KMS key; `KeyManager: AWS` keys (`aws/s3`...) are left out later.
pub(crate) fn kms_key(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("KeyId") else { return };
    // Config knows no aliases; a short description names the key better than its id.
    let name = o.text("Description").filter(|d| d.len() <= 40).unwrap_or_else(|| id.clone());
    let mut res = Res::new("aws_kms_key", &id, name, sink.line(o));
    res.text("id", Some(id))
        .text("arn", o.text("KeyArn").or_else(|| o.text("Arn")))
        .text("description", o.text("Description"))
        .text("key_manager", o.text("KeyManager"))
        .flag("enable_key_rotation", o.flag("KeyRotationEnabled"))
        .tags(o.tags());
    sink.push(res);
}

pub(crate) fn secret(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(arn) = o.text("ARN").or_else(|| o.text("Arn")) else { return };
    let name = o.text("Name").unwrap_or_else(|| arn.clone());
    let mut res = Res::new("aws_secretsmanager_secret", &arn, &name, sink.line(o));
    res.text("arn", Some(arn.clone())).text("name", Some(name)).text("kms_key_id", o.text("KmsKeyId")).tags(o.tags());
    sink.push(res);
    if o.flag("RotationEnabled") == Some(true) {
        let address = format!("{arn} (rotation)");
        let mut rotation = Res::new("aws_secretsmanager_secret_rotation", &address, &address, sink.line(o));
        rotation.text("secret_id", Some(arn));
        sink.push(rotation);
    }
}

pub(crate) fn ecs_service(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(name) = o.text("ServiceName") else { return };
    let arn = o.text("ServiceArn");
    let mut res = Res::new("aws_ecs_service", arn.clone().unwrap_or_else(|| name.clone()), &name, sink.line(o));
    let network = "NetworkConfiguration.AwsvpcConfiguration";
    let balancers: Vec<Value> = o
        .each("LoadBalancers", "TargetGroupArn")
        .into_iter()
        .map(|arn| Value::Map(BTreeMap::from([("target_group_arn".to_string(), text(arn))])))
        .collect();
    res.text("name", Some(name))
        .text("arn", arn)
        .text("cluster", o.text("ClusterArn").or_else(|| o.text("Cluster")))
        .text("task_definition", o.text("TaskDefinition"))
        .texts("network_configuration.subnets", o.texts(&format!("{network}.Subnets")))
        .texts("network_configuration.security_groups", o.texts(&format!("{network}.SecurityGroups")))
        .flag("network_configuration.assign_public_ip", o.flag(&format!("{network}.AssignPublicIp")));
    if !balancers.is_empty() {
        res.set("load_balancer", Value::List(balancers));
    }
    sink.push(res);
}

/// A task definition, its containers in the shape of the task definition JSON.
pub(crate) fn task_definition(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(arn) = o.text("TaskDefinitionArn") else { return };
    let name = o.text("Family").unwrap_or_else(|| arn.clone());
    let mut res = Res::new("aws_ecs_task_definition", &arn, &name, sink.line(o));
    let pairs = |container: &Obj<'_>, key: &str, value_key: &str, out_key: &str| -> Value {
        Value::List(
            container
                .list(key)
                .iter()
                .filter_map(|entry| {
                    let pair = [
                        ("name".to_string(), text(entry.text("Name")?)),
                        (out_key.to_string(), text(entry.text(value_key)?)),
                    ];
                    Some(Value::Map(BTreeMap::from(pair)))
                })
                .collect(),
        )
    };
    let mut containers = Vec::new();
    for (position, container) in o.list("ContainerDefinitions").iter().enumerate() {
        res.line_at(&format!("container_definitions.{position}"), sink.line(container));
        let mut map = BTreeMap::new();
        for (from, to) in [("Name", "name"), ("Image", "image")] {
            if let Some(value) = container.text(from) {
                map.insert(to.to_string(), text(value));
            }
        }
        if let Some(privileged) = container.flag("Privileged") {
            map.insert("privileged".to_string(), Value::Bool(privileged));
        }
        map.insert("environment".to_string(), pairs(container, "Environment", "Value", "value"));
        map.insert("secrets".to_string(), pairs(container, "Secrets", "ValueFrom", "valueFrom"));
        containers.push(Value::Map(map));
    }
    res.text("arn", Some(arn)).text("family", Some(name)).text("task_role_arn", o.text("TaskRoleArn"));
    res.set("container_definitions", Value::List(containers));
    sink.push(res);
}

pub(crate) fn eks_cluster(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(name) = o.text("Name") else { return };
    let arn = o.text("Arn");
    let mut res = Res::new("aws_eks_cluster", arn.clone().unwrap_or_else(|| name.clone()), &name, sink.line(o));
    let config = "ResourcesVpcConfig";
    let mut groups = o.texts(&format!("{config}.SecurityGroupIds"));
    groups.extend(o.text(&format!("{config}.ClusterSecurityGroupId")));
    res.text("name", Some(name))
        .text("arn", arn)
        .texts("vpc_config.subnet_ids", o.texts(&format!("{config}.SubnetIds")))
        .texts("vpc_config.security_group_ids", groups)
        .text("vpc_config.vpc_id", o.text(&format!("{config}.VpcId")))
        .flag("vpc_config.endpoint_public_access", o.flag(&format!("{config}.EndpointPublicAccess")))
        .texts("vpc_config.public_access_cidrs", o.texts(&format!("{config}.PublicAccessCidrs")));
    if !o.list("EncryptionConfig").is_empty() {
        res.set("encryption_config", o.get("EncryptionConfig").map(|c| c.value()).unwrap_or(Value::Null));
    }
    res.line_at("vpc_config", o.get(config).map_or(0, |c| sink.line(&c)));
    sink.push(res);
}

/// A CloudFront distribution: from `list-distributions` (the settings at
/// the top) or from Config (under `distributionConfig`).
pub(crate) fn cloudfront_distribution(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("Id") else { return };
    let config = o.get("DistributionConfig").unwrap_or_else(|| o.clone());
    let arn = o.text("ARN").or_else(|| o.text("Arn"));
    let mut res = Res::new("aws_cloudfront_distribution", arn.clone().unwrap_or_else(|| id.clone()), &id, sink.line(o));
    let behaviour = |b: &Obj<'_>| {
        let policy = b.text("ViewerProtocolPolicy").unwrap_or_default();
        Value::Map(BTreeMap::from([("viewer_protocol_policy".to_string(), text(policy))]))
    };
    let mut origins = Vec::new();
    for (position, origin) in config.list("Origins.Items").iter().enumerate() {
        res.line_at(&format!("origin.{position}"), sink.line(origin));
        let mut map = BTreeMap::new();
        for (from, to) in
            [("DomainName", "domain_name"), ("Id", "origin_id"), ("OriginAccessControlId", "origin_access_control_id")]
        {
            if let Some(value) = origin.text(from) {
                map.insert(to.to_string(), text(value));
            }
        }
        if let Some(identity) = origin.text("S3OriginConfig.OriginAccessIdentity") {
            let inner = BTreeMap::from([("origin_access_identity".to_string(), text(identity))]);
            map.insert("s3_origin_config".to_string(), Value::Map(inner));
        }
        if let Some(policy) = origin.text("CustomOriginConfig.OriginProtocolPolicy") {
            let inner = BTreeMap::from([("origin_protocol_policy".to_string(), text(policy))]);
            map.insert("custom_origin_config".to_string(), Value::Map(inner));
        }
        origins.push(Value::Map(map));
    }
    res.text("id", Some(id)).text("arn", arn).text("domain_name", o.text("DomainName"));
    if let Some(default) = config.get("DefaultCacheBehavior") {
        res.set("default_cache_behavior", behaviour(&default));
        res.line_at("default_cache_behavior", sink.line(&default));
    }
    let ordered: Vec<Value> = config.list("CacheBehaviors.Items").iter().map(behaviour).collect();
    if !ordered.is_empty() {
        res.set("ordered_cache_behavior", Value::List(ordered));
    }
    if !origins.is_empty() {
        res.set("origin", Value::List(origins));
    }
    res.text("web_acl_id", config.text("WebACLId"))
        .text("viewer_certificate.minimum_protocol_version", config.text("ViewerCertificate.MinimumProtocolVersion"));
    sink.push(res);
}

pub(crate) fn rest_api(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("Id").or_else(|| o.text("RestApiId")) else { return };
    let name = o.text("Name").unwrap_or_else(|| id.clone());
    let mut res = Res::new("aws_api_gateway_rest_api", &id, &name, sink.line(o));
    res.text("id", Some(id))
        .text("name", Some(name))
        .texts("endpoint_configuration.types", o.texts("EndpointConfiguration.Types"))
        .flag("disable_execute_api_endpoint", o.flag("DisableExecuteApiEndpoint"))
        .tags(o.tags());
    sink.push(res);
}

/// The methods of one resource of a REST API (`get-resources --embed methods`).
pub(crate) fn rest_api_methods(sink: &mut Sink<'_>, o: &Obj<'_>, api: &str) {
    let resource = o.text("Id").unwrap_or_default();
    let path = o.text("Path").unwrap_or_default();
    let Some(methods) = o.get("ResourceMethods") else { return };
    let verbs: Vec<String> = methods.json.as_object().map(|map| map.keys().cloned().collect()).unwrap_or_default();
    for verb in verbs {
        let Some(method) = methods.get(&verb) else { continue };
        let address = format!("{api}/{resource}/{verb}");
        let mut res = Res::new("aws_api_gateway_method", &address, format!("{verb} {path}"), sink.line(&method));
        res.text("rest_api_id", Some(api.to_string()))
            .text("http_method", Some(verb.clone()))
            .text("authorization", method.text("AuthorizationType"))
            .flag("api_key_required", method.flag("ApiKeyRequired"));
        sink.push(res);
        if let Some(uri) = method.text("MethodIntegration.Uri") {
            let address = format!("{address} (integration)");
            let mut res = Res::new("aws_api_gateway_integration", &address, &address, sink.line(&method));
            res.text("rest_api_id", Some(api.to_string())).text("uri", Some(integration_target(&uri)));
            sink.push(res);
        }
    }
}

pub(crate) fn http_api(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("ApiId") else { return };
    let name = o.text("Name").unwrap_or_else(|| id.clone());
    let mut res = Res::new("aws_apigatewayv2_api", &id, &name, sink.line(o));
    res.text("id", Some(id))
        .text("name", Some(name))
        .text("protocol_type", o.text("ProtocolType"))
        .flag("disable_execute_api_endpoint", o.flag("DisableExecuteApiEndpoint"))
        .tags(o.tags());
    sink.push(res);
}

pub(crate) fn http_api_route(sink: &mut Sink<'_>, o: &Obj<'_>, api: &str) {
    let route = o.text("RouteId").unwrap_or_default();
    let address = format!("{api}/routes/{route}");
    let mut res = Res::new("aws_apigatewayv2_route", &address, o.text("RouteKey").unwrap_or_default(), sink.line(o));
    res.text("api_id", Some(api.to_string()))
        .text("route_key", o.text("RouteKey"))
        .text("authorization_type", o.text("AuthorizationType"));
    sink.push(res);
}

pub(crate) fn http_api_integration(sink: &mut Sink<'_>, o: &Obj<'_>, api: &str) {
    let Some(uri) = o.text("IntegrationUri") else { return };
    let address = format!("{api}/integrations/{}", o.text("IntegrationId").unwrap_or_default());
    let mut res = Res::new("aws_apigatewayv2_integration", &address, &address, sink.line(o));
    res.text("api_id", Some(api.to_string())).text("integration_uri", Some(integration_target(&uri)));
    sink.push(res);
}

pub(crate) fn cache_cluster(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("CacheClusterId") else { return };
    let mut res = Res::new("aws_elasticache_cluster", o.text("ARN").unwrap_or_else(|| id.clone()), &id, sink.line(o));
    cache_settings(&mut res, o);
    res.text("id", Some(id))
        .text("engine", o.text("Engine"))
        .text("engine_version", o.text("EngineVersion"))
        .text("replication_group_id", o.text("ReplicationGroupId"))
        .texts("security_group_ids", o.each("SecurityGroups", "SecurityGroupId"))
        .text("subnet_group_name", o.text("CacheSubnetGroupName"));
    sink.push(res);
}

pub(crate) fn replication_group(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(id) = o.text("ReplicationGroupId") else { return };
    let mut res =
        Res::new("aws_elasticache_replication_group", o.text("ARN").unwrap_or_else(|| id.clone()), &id, sink.line(o));
    cache_settings(&mut res, o);
    res.text("id", Some(id))
        .text("engine", o.text("Engine").or_else(|| Some("redis".to_string())))
        .texts("member_clusters", o.texts("MemberClusters"));
    sink.push(res);
}

fn cache_settings(res: &mut Res, o: &Obj<'_>) {
    res.text("arn", o.text("ARN"))
        .flag("at_rest_encryption_enabled", o.flag("AtRestEncryptionEnabled"))
        .flag("transit_encryption_enabled", o.flag("TransitEncryptionEnabled"));
    if o.flag("AuthTokenEnabled") == Some(true) {
        // The token itself is never in the API's answer; that there is one is what matters.
        res.set("auth_token", Value::Unknown);
    }
}

pub(crate) fn cache_subnet_group(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(name) = o.text("CacheSubnetGroupName") else { return };
    let mut res = Res::new("aws_elasticache_subnet_group", &name, &name, sink.line(o));
    res.text("name", Some(name)).texts("subnet_ids", o.each("Subnets", "SubnetIdentifier"));
    sink.push(res);
}

pub(crate) fn web_acl(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(arn) = o.text("ARN") else { return };
    let name = o.text("Name").unwrap_or_else(|| arn.clone());
    let mut res = Res::new("aws_wafv2_web_acl", &arn, &name, sink.line(o));
    res.text("arn", Some(arn)).text("name", Some(name));
    sink.push(res);
}

/// The resources a web ACL (named `acl`) protects.
pub(crate) fn web_acl_associations(sink: &mut Sink<'_>, o: &Obj<'_>, acl: &str) {
    let line = sink.line(o);
    for resource in o.texts("ResourceArns") {
        let address = format!("{acl} -> {resource}");
        // An API is protected through its stages: `arn:aws:apigateway:REGION::/restapis/ID/stages/NAME`.
        let resource = match resource.split_once("/restapis/") {
            Some((_, rest)) => rest.split('/').next().unwrap_or(rest).to_string(),
            None => resource,
        };
        let mut res = Res::new("aws_wafv2_web_acl_association", &address, &address, line);
        res.text("web_acl_arn", Some(acl.to_string())).text("resource_arn", Some(resource));
        sink.push(res);
    }
}

pub(crate) fn trail(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(name) = o.text("Name") else { return };
    let arn = o.text("TrailARN").or_else(|| o.text("Arn"));
    let mut res = Res::new("aws_cloudtrail", arn.clone().unwrap_or_else(|| name.clone()), &name, sink.line(o));
    res.text("name", Some(name)).text("arn", arn).flag("enable_logging", o.flag("IsLogging"));
    sink.push(res);
}

pub(crate) fn autoscaling_group(sink: &mut Sink<'_>, o: &Obj<'_>) {
    let Some(name) = o.text("AutoScalingGroupName") else { return };
    let arn = o.text("AutoScalingGroupARN");
    let subnets: Vec<String> = o
        .text("VPCZoneIdentifier")
        .map(|zones| zones.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let mut res = Res::new("aws_autoscaling_group", arn.clone().unwrap_or_else(|| name.clone()), &name, sink.line(o));
    res.text("name", Some(name))
        .text("arn", arn)
        .texts("vpc_zone_identifier", subnets)
        .texts("target_group_arns", o.texts("TargetGroupARNs"))
        .text("launch_template.id", o.text("LaunchTemplate.LaunchTemplateId"))
        .text("launch_configuration", o.text("LaunchConfigurationName"));
    sink.push(res);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_urls_give_arns() {
        assert_eq!(
            queue_arn_from_url("https://sqs.eu-west-1.amazonaws.com/111122223333/orders").as_deref(),
            Some("arn:aws:sqs:eu-west-1:111122223333:orders")
        );
        assert_eq!(queue_arn_from_url("not a url"), None);
        assert_eq!(
            integration_target(
                "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/\
                 arn:aws:lambda:eu-west-1:1:function:f/invocations"
            ),
            "arn:aws:lambda:eu-west-1:1:function:f"
        );
    }
}
