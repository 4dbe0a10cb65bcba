//! A directory of AWS CLI outputs → resource instances.
//!
//! Each file is the unmodified output of one read-only call with
//! `--output json`, named after the call: `ec2-describe-vpcs.json`, and
//! for calls about one resource, the resource after `--`:
//! `s3api-get-public-access-block--shop-assets.json`. The name says how to
//! read the file; a name this module does not know is a warning.

use super::object::{Obj, Sink};
use super::translate as aws;
use crate::terraform::value::Value;

/// Calls whose output lists resources to loop over, not facts to model.
const LISTINGS: &[&str] = &[
    "ecs-list-clusters",
    "ecs-list-services",
    "ecs-list-task-definitions",
    "eks-list-clusters",
    "dynamodb-list-tables",
    "iam-list-role-policies",
    "s3api-get-bucket-location",
    "s3api-get-bucket-versioning",
    "ec2-describe-regions",
    "cloudtrail-list-trails",
];

/// The call a file holds and the resource it is about: `s3api-get-bucket-policy--assets.json`
/// → (`s3api-get-bucket-policy`, `assets`).
pub(crate) fn call_of(path: &str) -> (String, String) {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = name.strip_suffix(".json").or_else(|| name.strip_suffix(".error.txt")).unwrap_or(name);
    match stem.split_once("--") {
        Some((call, about)) => (call.to_ascii_lowercase(), about.to_string()),
        None => (stem.to_ascii_lowercase(), String::new()),
    }
}

/// Whether a call is one this module reads (or knowingly skips).
pub(crate) fn is_known_call(call: &str) -> bool {
    LISTINGS.contains(&call) || KNOWN.contains(&call)
}

/// Calls read below; kept in one list so that detection and the reader agree.
const KNOWN: &[&str] = &[
    "sts-get-caller-identity",
    "ec2-describe-vpcs",
    "ec2-describe-subnets",
    "ec2-describe-security-groups",
    "ec2-describe-instances",
    "ec2-describe-internet-gateways",
    "ec2-describe-nat-gateways",
    "ec2-describe-route-tables",
    "elbv2-describe-load-balancers",
    "elbv2-describe-listeners",
    "elbv2-describe-target-groups",
    "elbv2-describe-target-health",
    "rds-describe-db-instances",
    "rds-describe-db-clusters",
    "s3api-list-buckets",
    "s3api-get-public-access-block",
    "s3control-get-public-access-block",
    "s3api-get-bucket-encryption",
    "s3api-get-bucket-policy",
    "s3api-get-bucket-policy-status",
    "s3api-get-bucket-acl",
    "s3api-get-bucket-logging",
    "s3api-get-bucket-tagging",
    "lambda-list-functions",
    "lambda-list-event-source-mappings",
    "lambda-get-function-url-config",
    "dynamodb-describe-table",
    "dynamodb-describe-continuous-backups",
    "sqs-list-queues",
    "sqs-get-queue-attributes",
    "sns-list-topics",
    "sns-list-subscriptions",
    "sns-get-topic-attributes",
    "iam-list-roles",
    "iam-list-instance-profiles",
    "iam-get-account-authorization-details",
    "iam-list-attached-role-policies",
    "kms-list-keys",
    "kms-list-aliases",
    "kms-describe-key",
    "kms-get-key-rotation-status",
    "secretsmanager-list-secrets",
    "ecs-describe-services",
    "ecs-describe-task-definition",
    "eks-describe-cluster",
    "cloudfront-list-distributions",
    "apigateway-get-rest-apis",
    "apigateway-get-resources",
    "apigatewayv2-get-apis",
    "apigatewayv2-get-routes",
    "apigatewayv2-get-integrations",
    "elasticache-describe-cache-clusters",
    "elasticache-describe-replication-groups",
    "elasticache-describe-cache-subnet-groups",
    "wafv2-list-web-acls",
    "wafv2-list-resources-for-web-acl",
    "cloudtrail-describe-trails",
    "cloudtrail-get-trail-status",
    "autoscaling-describe-auto-scaling-groups",
];

/// The items of the list `list` of an output, each with its identifying
/// key `id`; a missing list, a value that is not a list and an item
/// without its id are warnings at their line.
fn listed<'a>(sink: &mut Sink<'_>, root: &Obj<'a>, list: &str, id: &str) -> Vec<Obj<'a>> {
    let Some(value) = root.at(list) else {
        // `DistributionList` without `Items` is how the API says there are none.
        let head = list.split('.').next().unwrap_or(list);
        if root.get(head).is_none() {
            sink.warn(1, format!("no `{head}` in the output; expected a list of objects with `{id}`"));
        }
        return Vec::new();
    };
    if !value.json.is_array() {
        let line = sink.line(&value);
        sink.warn(line, format!("`{list}` is not a list; expected a list of objects with `{id}`"));
        return Vec::new();
    }
    let mut items = Vec::new();
    for item in value.items() {
        if item.text(id).is_some() {
            items.push(item);
        } else {
            let line = sink.line(&item);
            sink.warn(line, format!("an item of `{list}` has no `{id}`; skipped"));
        }
    }
    items
}

/// Reads the output of `call` (about the resource `about`, for per-resource
/// calls) into `sink`. Returns false for a call it does not know.
pub(crate) fn read(sink: &mut Sink<'_>, call: &str, about: &str, root: &Obj<'_>) -> bool {
    let each = |sink: &mut Sink<'_>, list: &str, id: &str, translate: fn(&mut Sink<'_>, &Obj<'_>)| {
        for item in listed(sink, root, list, id) {
            translate(sink, &item);
        }
    };
    match call {
        "sts-get-caller-identity" => sink.account = root.text("Account"),
        "ec2-describe-vpcs" => each(sink, "Vpcs", "VpcId", aws::vpc),
        "ec2-describe-subnets" => each(sink, "Subnets", "SubnetId", aws::subnet),
        "ec2-describe-security-groups" => each(sink, "SecurityGroups", "GroupId", aws::security_group),
        "ec2-describe-instances" => {
            for reservation in listed(sink, root, "Reservations", "ReservationId") {
                for instance in listed(sink, &reservation, "Instances", "InstanceId") {
                    aws::instance(sink, &instance);
                }
            }
        }
        "ec2-describe-internet-gateways" => each(sink, "InternetGateways", "InternetGatewayId", aws::internet_gateway),
        "ec2-describe-nat-gateways" => each(sink, "NatGateways", "NatGatewayId", aws::nat_gateway),
        "ec2-describe-route-tables" => each(sink, "RouteTables", "RouteTableId", aws::route_table),
        "elbv2-describe-load-balancers" => each(sink, "LoadBalancers", "LoadBalancerArn", aws::load_balancer),
        "elbv2-describe-listeners" => each(sink, "Listeners", "ListenerArn", aws::listener),
        "elbv2-describe-target-groups" => each(sink, "TargetGroups", "TargetGroupArn", aws::target_group),
        "elbv2-describe-target-health" => {
            for description in root.list("TargetHealthDescriptions") {
                aws::target(sink, &description, about);
            }
        }
        "rds-describe-db-instances" => each(sink, "DBInstances", "DBInstanceIdentifier", aws::db_instance),
        "rds-describe-db-clusters" => each(sink, "DBClusters", "DBClusterIdentifier", aws::db_cluster),
        "s3api-list-buckets" => {
            for bucket in root.list("Buckets") {
                if let Some(name) = bucket.text("Name") {
                    aws::bucket(sink, &bucket, &name);
                }
            }
        }
        "s3api-get-public-access-block" | "s3control-get-public-access-block" => {
            let bucket = (call.starts_with("s3api")).then_some(about);
            if let Some(block) = root.get("PublicAccessBlockConfiguration") {
                aws::public_access_block(sink, &block, bucket);
            }
        }
        "s3api-get-bucket-encryption" => {
            if let Some(configuration) = root.get("ServerSideEncryptionConfiguration") {
                aws::bucket_encryption(sink, &configuration, about);
            }
        }
        "s3api-get-bucket-policy" => {
            if let Some(policy) = root.get("Policy") {
                aws::bucket_policy(sink, &policy, about);
            }
        }
        "s3api-get-bucket-policy-status" => {
            if root.flag("PolicyStatus.IsPublic") == Some(true) {
                let line = root.get("PolicyStatus").map_or(1, |status| sink.line(&status));
                sink.warn(line, format!("Amazon S3 evaluates the policy of bucket `{about}` as public (`IsPublic`)"));
            }
        }
        "s3api-get-bucket-acl" => aws::bucket_acl(sink, root, about),
        "s3api-get-bucket-logging" => {
            if let Some(logging) = root.get("LoggingEnabled") {
                aws::bucket_logging(sink, &logging, about);
            }
        }
        "s3api-get-bucket-tagging" => {
            let tags: std::collections::BTreeMap<String, Value> = root
                .list("TagSet")
                .iter()
                .filter_map(|tag| Some((tag.text("Key")?, Value::String(tag.text("Value").unwrap_or_default()))))
                .collect();
            if !tags.is_empty() {
                let line = sink.line(root);
                sink.patch("aws_s3_bucket", about, "tags", Value::Map(tags), line);
            }
        }
        "lambda-list-functions" => each(sink, "Functions", "FunctionName", aws::lambda_function),
        "lambda-list-event-source-mappings" => {
            each(sink, "EventSourceMappings", "EventSourceArn", aws::event_source_mapping)
        }
        "lambda-get-function-url-config" => aws::function_url(sink, root),
        "dynamodb-describe-table" => {
            if let Some(table) = root.get("Table") {
                aws::dynamodb_table(sink, &table);
            }
        }
        "dynamodb-describe-continuous-backups" => {
            if let Some(description) = root.get("ContinuousBackupsDescription") {
                aws::continuous_backups(sink, &description, about);
            }
        }
        "sqs-list-queues" => {
            for url in root.texts("QueueUrls") {
                aws::sqs_queue(sink, root, Some(&url));
            }
        }
        "sqs-get-queue-attributes" => {
            if let Some(attributes) = root.get("Attributes") {
                aws::sqs_queue(sink, &attributes, None);
            }
        }
        "sns-list-topics" => each(sink, "Topics", "TopicArn", aws::sns_topic),
        "sns-list-subscriptions" => each(sink, "Subscriptions", "TopicArn", aws::sns_subscription),
        "sns-get-topic-attributes" => {
            if let Some(attributes) = root.get("Attributes") {
                aws::sns_topic(sink, &attributes);
            }
        }
        "iam-list-roles" => each(sink, "Roles", "RoleName", aws::iam_role),
        "iam-list-instance-profiles" => each(sink, "InstanceProfiles", "Arn", aws::instance_profile),
        "iam-get-account-authorization-details" => {
            each(sink, "RoleDetailList", "RoleName", aws::iam_role);
            each(sink, "Policies", "Arn", aws::iam_policy);
        }
        "iam-list-attached-role-policies" => {
            for policy in root.list("AttachedPolicies") {
                aws::role_policy_attachment(sink, &policy, about);
            }
        }
        "kms-list-keys" => each(sink, "Keys", "KeyId", aws::kms_key),
        "kms-list-aliases" => {
            for alias in root.list("Aliases") {
                let (Some(name), Some(key)) = (alias.text("AliasName"), alias.text("TargetKeyId")) else { continue };
                let line = sink.line(&alias);
                let short = name.trim_start_matches("alias/").to_string();
                if short.starts_with("aws/") {
                    sink.patch("aws_kms_key", &key, "key_manager", Value::String("AWS".into()), line);
                } else {
                    sink.patch("aws_kms_key", &key, "@name", Value::String(short), line);
                }
            }
        }
        "kms-describe-key" => {
            if let Some(metadata) = root.get("KeyMetadata") {
                aws::kms_key(sink, &metadata);
            }
        }
        "kms-get-key-rotation-status" => {
            if let Some(enabled) = root.flag("KeyRotationEnabled") {
                let line = sink.line(root);
                sink.patch("aws_kms_key", about, "enable_key_rotation", Value::Bool(enabled), line);
            }
        }
        "secretsmanager-list-secrets" => each(sink, "SecretList", "ARN", aws::secret),
        "ecs-describe-services" => each(sink, "services", "serviceName", aws::ecs_service),
        "ecs-describe-task-definition" => {
            if let Some(definition) = root.get("taskDefinition") {
                aws::task_definition(sink, &definition);
            }
        }
        "eks-describe-cluster" => {
            if let Some(cluster) = root.get("cluster") {
                aws::eks_cluster(sink, &cluster);
            }
        }
        "cloudfront-list-distributions" => each(sink, "DistributionList.Items", "Id", aws::cloudfront_distribution),
        "apigateway-get-rest-apis" => each(sink, "items", "id", aws::rest_api),
        "apigateway-get-resources" => {
            for resource in root.list("items") {
                aws::rest_api_methods(sink, &resource, about);
            }
        }
        "apigatewayv2-get-apis" => each(sink, "Items", "ApiId", aws::http_api),
        "apigatewayv2-get-routes" => {
            for route in root.list("Items") {
                aws::http_api_route(sink, &route, about);
            }
        }
        "apigatewayv2-get-integrations" => {
            for integration in root.list("Items") {
                aws::http_api_integration(sink, &integration, about);
            }
        }
        "elasticache-describe-cache-clusters" => each(sink, "CacheClusters", "CacheClusterId", aws::cache_cluster),
        "elasticache-describe-replication-groups" => {
            each(sink, "ReplicationGroups", "ReplicationGroupId", aws::replication_group)
        }
        "elasticache-describe-cache-subnet-groups" => {
            each(sink, "CacheSubnetGroups", "CacheSubnetGroupName", aws::cache_subnet_group)
        }
        "wafv2-list-web-acls" => each(sink, "WebACLs", "ARN", aws::web_acl),
        "wafv2-list-resources-for-web-acl" => aws::web_acl_associations(sink, root, about),
        "cloudtrail-describe-trails" => each(sink, "trailList", "Name", aws::trail),
        "cloudtrail-get-trail-status" => {
            if let Some(logging) = root.flag("IsLogging") {
                let line = sink.line(root);
                sink.patch("aws_cloudtrail", about, "enable_logging", Value::Bool(logging), line);
            }
        }
        "autoscaling-describe-auto-scaling-groups" => {
            each(sink, "AutoScalingGroups", "AutoScalingGroupName", aws::autoscaling_group)
        }
        _ => return LISTINGS.contains(&call),
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_say_the_call_and_the_resource() {
        assert_eq!(call_of("inv/ec2-describe-vpcs.json"), ("ec2-describe-vpcs".to_string(), String::new()));
        assert_eq!(
            call_of("s3api-get-bucket-policy--shop--assets.json"),
            ("s3api-get-bucket-policy".to_string(), "shop--assets".to_string())
        );
        assert_eq!(call_of("kms-describe-key--1234.error.txt").0, "kms-describe-key");
        assert!(is_known_call("ec2-describe-vpcs") && is_known_call("ecs-list-clusters"));
        assert!(!is_known_call("ec2-describe-volumes"));
    }
}
