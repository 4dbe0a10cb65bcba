//! An AWS Config configuration snapshot → resource instances.
//!
//! A snapshot (`aws configservice deliver-config-snapshot` writes it to
//! S3) is one JSON file: `{"fileVersion", "configSnapshotId",
//! "configurationItems": [...]}`. Each item names its `resourceType`
//! (`AWS::EC2::VPC`), `resourceId`, `resourceName`, `ARN`, `awsAccountId`
//! and `awsRegion`, and carries the resource's `configuration` (the API's
//! object in camelCase, or for newer types CloudFormation's properties),
//! `supplementaryConfiguration` (a bucket's public access block, policy
//! and encryption), `relationships` and `tags`. The configuration is read
//! by the same translations as the CLI's output; what the configuration
//! leaves out of an item's identity or placement is taken from the item
//! itself and its relationships (`Is contained in Subnet`, `Is associated
//! with SecurityGroup`).

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::object::{Obj, Res, Sink, embedded_json};
use super::translate as aws;
use crate::terraform::value::Value;

/// Whether `text` looks like a Config snapshot (or a configuration history
/// file, which has the same shape), by a cheap look at its keys.
pub(crate) fn is_snapshot(text: &str) -> bool {
    let head: String = text.chars().take(4096).collect();
    head.trim_start().starts_with('{')
        && head.contains("\"configurationItems\"")
        && (head.contains("\"fileVersion\"")
            || head.contains("\"configSnapshotId\"")
            || head.contains("\"resourceType\""))
}

/// Types with nothing to model: skipped without a warning.
const NOTHING_TO_MODEL: &[&str] = &[
    "AWS::EC2::NetworkInterface",
    "AWS::EC2::Volume",
    "AWS::EC2::EIP",
    "AWS::EC2::NetworkAcl",
    "AWS::EC2::LaunchTemplate",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::Config::ResourceCompliance",
    "AWS::Config::ConformancePackCompliance",
    "AWS::CloudWatch::Alarm",
    "AWS::Logs::LogGroup",
    "AWS::ACM::Certificate",
    "AWS::CloudFormation::Stack",
    "AWS::RDS::DBSubnetGroup",
    "AWS::RDS::DBSnapshot",
    "AWS::RDS::DBClusterSnapshot",
    "AWS::ElastiCache::CacheSubnetGroup",
];

/// How an item's identity reaches the configuration: (configuration key,
/// item key) pairs filled in when the configuration lacks them.
fn identity_keys(resource_type: &str) -> &'static [(&'static str, &'static str)] {
    match resource_type {
        "AWS::EC2::VPC" => &[("VpcId", "resourceId")],
        "AWS::EC2::Subnet" => &[("SubnetId", "resourceId")],
        "AWS::EC2::SecurityGroup" => &[("GroupId", "resourceId"), ("GroupName", "resourceName")],
        "AWS::EC2::Instance" => &[("InstanceId", "resourceId")],
        "AWS::EC2::InternetGateway" => &[("InternetGatewayId", "resourceId")],
        "AWS::EC2::NatGateway" => &[("NatGatewayId", "resourceId")],
        "AWS::EC2::RouteTable" => &[("RouteTableId", "resourceId")],
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            &[("LoadBalancerArn", "ARN"), ("LoadBalancerArn", "resourceId"), ("LoadBalancerName", "resourceName")]
        }
        "AWS::ElasticLoadBalancingV2::Listener" => &[("ListenerArn", "ARN"), ("ListenerArn", "resourceId")],
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            &[("TargetGroupArn", "ARN"), ("TargetGroupArn", "resourceId"), ("TargetGroupName", "resourceName")]
        }
        "AWS::RDS::DBInstance" => &[("DBInstanceIdentifier", "resourceName"), ("DBInstanceArn", "ARN")],
        "AWS::RDS::DBCluster" => &[("DBClusterIdentifier", "resourceName"), ("DBClusterArn", "ARN")],
        "AWS::Lambda::Function" => &[("FunctionName", "resourceName"), ("FunctionArn", "ARN")],
        "AWS::DynamoDB::Table" => &[("TableName", "resourceName"), ("TableArn", "ARN")],
        "AWS::SQS::Queue" => &[("QueueArn", "ARN"), ("QueueUrl", "resourceId")],
        "AWS::SNS::Topic" => &[("TopicArn", "ARN"), ("TopicArn", "resourceId")],
        "AWS::IAM::Role" => &[("RoleName", "resourceName"), ("Arn", "ARN")],
        "AWS::IAM::Policy" => &[("PolicyName", "resourceName"), ("Arn", "ARN")],
        "AWS::KMS::Key" => &[("KeyId", "resourceId"), ("KeyArn", "ARN")],
        "AWS::SecretsManager::Secret" => &[("Name", "resourceName"), ("ARN", "ARN")],
        "AWS::ECS::Service" => &[("ServiceName", "resourceName"), ("ServiceArn", "ARN")],
        "AWS::ECS::TaskDefinition" => &[("TaskDefinitionArn", "ARN"), ("TaskDefinitionArn", "resourceId")],
        "AWS::EKS::Cluster" => &[("Name", "resourceName"), ("Arn", "ARN")],
        "AWS::CloudFront::Distribution" => &[("Id", "resourceId"), ("ARN", "ARN")],
        "AWS::ApiGateway::RestApi" => &[("Id", "resourceId"), ("Name", "resourceName")],
        "AWS::ApiGatewayV2::Api" => &[("ApiId", "resourceId"), ("Name", "resourceName")],
        "AWS::ElastiCache::CacheCluster" => &[("CacheClusterId", "resourceId"), ("ARN", "ARN")],
        "AWS::ElastiCache::ReplicationGroup" => &[("ReplicationGroupId", "resourceId"), ("ARN", "ARN")],
        "AWS::CloudTrail::Trail" => &[("Name", "resourceName"), ("TrailARN", "ARN")],
        "AWS::AutoScaling::AutoScalingGroup" => {
            &[("AutoScalingGroupName", "resourceName"), ("AutoScalingGroupARN", "ARN")]
        }
        _ => &[],
    }
}

/// The translation for a resource type.
fn translation(resource_type: &str) -> Option<fn(&mut Sink<'_>, &Obj<'_>)> {
    let translate: fn(&mut Sink<'_>, &Obj<'_>) = match resource_type {
        "AWS::EC2::VPC" => aws::vpc,
        "AWS::EC2::Subnet" => aws::subnet,
        "AWS::EC2::SecurityGroup" => aws::security_group,
        "AWS::EC2::Instance" => aws::instance,
        "AWS::EC2::InternetGateway" => aws::internet_gateway,
        "AWS::EC2::NatGateway" => aws::nat_gateway,
        "AWS::EC2::RouteTable" => aws::route_table,
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => aws::load_balancer,
        "AWS::ElasticLoadBalancingV2::Listener" => aws::listener,
        "AWS::ElasticLoadBalancingV2::TargetGroup" => target_group,
        "AWS::RDS::DBInstance" => aws::db_instance,
        "AWS::RDS::DBCluster" => aws::db_cluster,
        "AWS::Lambda::Function" => aws::lambda_function,
        "AWS::DynamoDB::Table" => aws::dynamodb_table,
        "AWS::SQS::Queue" => |sink, o| aws::sqs_queue(sink, o, None),
        "AWS::SNS::Topic" => aws::sns_topic,
        "AWS::IAM::Role" => aws::iam_role,
        "AWS::IAM::Policy" => aws::iam_policy,
        "AWS::KMS::Key" => aws::kms_key,
        "AWS::SecretsManager::Secret" => aws::secret,
        "AWS::ECS::Service" => aws::ecs_service,
        "AWS::ECS::TaskDefinition" => aws::task_definition,
        "AWS::EKS::Cluster" => aws::eks_cluster,
        "AWS::CloudFront::Distribution" => aws::cloudfront_distribution,
        "AWS::ApiGateway::RestApi" => aws::rest_api,
        "AWS::ApiGatewayV2::Api" => aws::http_api,
        "AWS::ElastiCache::CacheCluster" => aws::cache_cluster,
        "AWS::ElastiCache::ReplicationGroup" => aws::replication_group,
        "AWS::CloudTrail::Trail" => aws::trail,
        "AWS::AutoScaling::AutoScalingGroup" => aws::autoscaling_group,
        "AWS::S3::AccountPublicAccessBlock" => |sink, o| aws::public_access_block(sink, o, None),
        _ => return None,
    };
    Some(translate)
}

/// Reads every configuration item of a snapshot into `sink`; the regions
/// the items are in are added to `regions`.
pub(crate) fn read(sink: &mut Sink<'_>, root: &Obj<'_>, regions: &mut Vec<String>) {
    let Some(items) = root.get("configurationItems") else {
        sink.warn(1, "no `configurationItems` list: expected an AWS Config configuration snapshot");
        return;
    };
    if !items.json.is_array() {
        let line = sink.line(&items);
        sink.warn(line, "`configurationItems` is not a list: expected an AWS Config configuration snapshot");
        return;
    }
    let mut unsupported: BTreeMap<String, (u32, usize)> = BTreeMap::new();
    for item in items.items() {
        let line = sink.line(&item);
        let Some(resource_type) = item.text("resourceType") else {
            sink.warn(line, "a configuration item without `resourceType`; skipped");
            continue;
        };
        let status = item.text("configurationItemStatus").unwrap_or_default();
        if status.starts_with("ResourceDeleted") || status == "ResourceNotRecorded" {
            continue;
        }
        if sink.account.is_none() {
            sink.account = item.text("awsAccountId");
        }
        if let Some(region) = item.text("awsRegion")
            && !regions.contains(&region)
        {
            regions.push(region);
        }
        if NOTHING_TO_MODEL.contains(&resource_type.as_str()) {
            continue;
        }
        let before = sink.resources.len();
        if resource_type == "AWS::S3::Bucket" {
            bucket(sink, &item);
        } else if let Some(translate) = translation(&resource_type) {
            let configuration = configuration(&item, &resource_type);
            let object = Obj { json: &configuration, path: format!("{}/configuration", item.path) };
            translate(sink, &object);
            if resource_type == "AWS::DynamoDB::Table"
                && let (Some(backups), Some(table)) =
                    (item.at("supplementaryConfiguration.ContinuousBackupsDescription"), item.text("resourceName"))
            {
                aws::continuous_backups(sink, &backups, &table);
            }
        } else {
            let entry = unsupported.entry(resource_type).or_insert((line, 0));
            entry.1 += 1;
            continue;
        }
        if sink.resources.len() == before {
            sink.warn(line, format!("a `{resource_type}` item without its identifier; skipped"));
            continue;
        }
        let tags = item_tags(&item);
        if let Some(resource) = sink.resources.get_mut(before) {
            // The element points at its item, where its type and id are written.
            resource.line = line;
            place(resource, &item);
            if let Some(name) = tags.get("Name").and_then(Value::literal) {
                resource.name = name.to_string();
            }
            if let Value::Map(values) = &mut resource.values
                && !tags.is_empty()
            {
                values.entry("tags".to_string()).or_insert(Value::Map(tags));
            }
        }
    }
    for (resource_type, (line, count)) in unsupported {
        let plural = if count == 1 { "" } else { "s" };
        sink.warn(line, format!("resource type `{resource_type}` is not modelled ({count} item{plural})"));
    }
}

/// The item's configuration (parsed when Config kept it as a JSON string),
/// with the identity the item states and the configuration leaves out.
fn configuration(item: &Obj<'_>, resource_type: &str) -> Json {
    let mut map: Map<String, Json> = match item.get("configuration") {
        Some(Obj { json: Json::Object(map), .. }) => map.clone(),
        Some(Obj { json: Json::String(text), .. }) => match embedded_json(text) {
            Some(Json::Object(map)) => map,
            _ => Map::new(),
        },
        _ => Map::new(),
    };
    for (key, from) in identity_keys(resource_type) {
        let present = map.keys().any(|existing| existing.eq_ignore_ascii_case(key));
        if let (false, Some(value)) = (present, item.text(from)) {
            map.insert((*key).to_string(), Json::String(value));
        }
    }
    Json::Object(map)
}

/// The item's `tags` map (Config's own, beside any in the configuration).
fn item_tags(item: &Obj<'_>) -> BTreeMap<String, Value> {
    item.get("tags")
        .and_then(|tags| tags.json.as_object())
        .map(|map| {
            map.iter()
                .filter_map(|(key, value)| Some((key.clone(), Value::String(value.as_str()?.to_string()))))
                .collect()
        })
        .unwrap_or_default()
}

/// Placement the configuration does not state, from the item's
/// relationships: its subnets, security groups and VPC.
fn place(resource: &mut crate::terraform::resource::Resource, item: &Obj<'_>) {
    let related = |kind: &str| -> Vec<Value> {
        item.list("relationships")
            .iter()
            .filter(|relation| relation.text("resourceType").as_deref() == Some(kind))
            .filter(|relation| {
                let name = relation.text("relationshipName").unwrap_or_default().to_ascii_lowercase();
                name.starts_with("is contained in") || name.starts_with("is associated with") || name.is_empty()
            })
            .filter_map(|relation| relation.text("resourceId").map(Value::String))
            .collect()
    };
    let has_any = |resource: &crate::terraform::resource::Resource, paths: &[&str]| {
        paths.iter().any(|path| resource.path(path).is_some())
    };
    let Value::Map(_) = &resource.values else { return };
    let subnet_paths = ["subnet_id", "subnet_ids", "subnets", "vpc_config.subnet_ids", "network_configuration.subnets"];
    let group_paths = [
        "vpc_security_group_ids",
        "security_groups",
        "security_group_ids",
        "vpc_config.security_group_ids",
        "network_configuration.security_groups",
    ];
    let mut additions: Vec<(&str, Value)> = Vec::new();
    let subnets = related("AWS::EC2::Subnet");
    if !subnets.is_empty() && !has_any(resource, &subnet_paths) && resource.kind != "aws_route_table" {
        additions.push(("subnet_ids", Value::List(subnets)));
    }
    let groups = related("AWS::EC2::SecurityGroup");
    if !groups.is_empty() && !has_any(resource, &group_paths) && resource.kind != "aws_security_group" {
        additions.push(("vpc_security_group_ids", Value::List(groups)));
    }
    if let Some(vpc) = related("AWS::EC2::VPC").into_iter().next()
        && resource.get("vpc_id").is_none()
        && resource.kind != "aws_vpc"
    {
        additions.push(("vpc_id", vpc));
    }
    if let Value::Map(values) = &mut resource.values {
        for (key, value) in additions {
            values.insert(key.to_string(), value);
        }
    }
}

/// An S3 bucket item: the bucket, and its supplementary configuration as
/// the satellites Terraform has (public access block, encryption, policy,
/// ACL, logging).
fn bucket(sink: &mut Sink<'_>, item: &Obj<'_>) {
    let configuration = configuration(item, "AWS::S3::Bucket");
    let name = Obj::root(&configuration).text("Name").or_else(|| item.text("resourceName"));
    let Some(name) = name else {
        let line = sink.line(item);
        sink.warn(line, "an `AWS::S3::Bucket` item without its name; skipped");
        return;
    };
    aws::bucket(sink, item, &name);
    let Some(supplementary) = item.get("supplementaryConfiguration") else { return };
    let parsed = |key: &str| -> Option<(Json, String)> {
        let part = supplementary.get(key)?;
        let json = match part.json {
            Json::String(text) => embedded_json(text)?,
            other => other.clone(),
        };
        Some((json, part.path))
    };
    if let Some((json, path)) = parsed("PublicAccessBlockConfiguration") {
        aws::public_access_block(sink, &Obj { json: &json, path }, Some(&name));
    }
    if let Some((json, path)) = parsed("ServerSideEncryptionConfiguration") {
        aws::bucket_encryption(sink, &Obj { json: &json, path }, &name);
    }
    if let Some((json, path)) = parsed("BucketPolicy") {
        let object = Obj { json: &json, path };
        if let Some(policy) = object.get("PolicyText") {
            aws::bucket_policy(sink, &policy, &name);
        }
    }
    if let Some((json, path)) = parsed("BucketLoggingConfiguration") {
        aws::bucket_logging(sink, &Obj { json: &json, path }, &name);
    }
    if let Some((json, path)) = parsed("AccessControlList") {
        let object = Obj { json: &json, path };
        acl(sink, &object, &name);
    }
}

/// Config's ACL shape: `grantList: [{grantee: "AllUsers" | {id}, permission: "Read"}]`.
fn acl(sink: &mut Sink<'_>, object: &Obj<'_>, bucket: &str) {
    let mut public = None;
    for grant in object.list("grantList") {
        let grantee = grant.get("grantee").map(|g| match g.json {
            Json::String(text) => text.clone(),
            _ => g.text("uri").or_else(|| g.text("URI")).unwrap_or_default(),
        });
        let everyone = grantee.is_some_and(|g| g == "AllUsers" || g.ends_with("/global/AllUsers"));
        if everyone {
            let permission = grant.text("permission").unwrap_or_default().to_ascii_lowercase();
            let writes = permission.contains("write") || permission.contains("full");
            public =
                Some(if writes || public == Some("public-read-write") { "public-read-write" } else { "public-read" });
        }
    }
    let address = format!("{} (acl)", aws::bucket_arn(bucket));
    let mut res = Res::new("aws_s3_bucket_acl", &address, &address, sink.line(object));
    res.text("bucket", Some(bucket.to_string())).text("acl", Some(public.unwrap_or("private").to_string()));
    sink.push(res);
}

/// A target group in CloudFormation's shape, with its `Targets`.
fn target_group(sink: &mut Sink<'_>, o: &Obj<'_>) {
    aws::target_group(sink, o);
    let Some(group) = o.text("TargetGroupArn") else { return };
    for target in o.list("Targets") {
        let Some(id) = target.text("Id") else { continue };
        let address = format!("{group}/{id}");
        let mut res = Res::new("aws_lb_target_group_attachment", &address, &address, sink.line(&target));
        res.text("target_group_arn", Some(group.clone()))
            .text("target_id", Some(id))
            .number("port", target.number("Port"));
        sink.push(res);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_are_recognised_by_their_keys() {
        assert!(is_snapshot(r#"{"fileVersion": "1.0", "configSnapshotId": "x", "configurationItems": []}"#));
        assert!(!is_snapshot(r#"{"Vpcs": []}"#));
    }
}
