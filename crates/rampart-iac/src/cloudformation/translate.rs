//! CloudFormation resources → the resource instances the Terraform
//! inference reads.
//!
//! The two languages describe the same AWS resources, so rather than infer
//! everything twice, each CloudFormation type is rewritten as the Terraform
//! type that stands for it (`AWS::RDS::DBInstance` → `aws_db_instance`),
//! its properties renamed to that type's arguments (`StorageEncrypted` →
//! `storage_encrypted`) and shaped as Terraform nests them (security group
//! ingress rules, listener actions, container definitions). What
//! CloudFormation writes inside one resource and Terraform in a resource of
//! its own (a bucket's public access block, a topic's subscriptions, an API
//! method's integration) becomes an extra instance named
//! `LogicalId.Part`. The address of every instance is the logical id, so
//! `source.resource` and references (`!Ref`, `!GetAtt`) name it.
//!
//! Types read only for their facts are translated too; types with nothing
//! to model are dropped here; any other type keeps its CloudFormation name
//! and is reported by the inference as not modelled, once per type.

use std::collections::BTreeMap;

use super::template::Declared;
use crate::terraform::resource::Resource;
use crate::terraform::value::{Value, reference};

/// Types with nothing to model: skipped without a warning.
const NOTHING_TO_MODEL: &[&str] = &[
    "AWS::CloudFormation::WaitCondition",
    "AWS::CloudFormation::WaitConditionHandle",
    "AWS::CloudFormation::Stack",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::Logs::LogGroup",
    "AWS::Logs::SubscriptionFilter",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::EIP",
    "AWS::ApiGateway::Account",
    "AWS::ApiGateway::Model",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::AutoScaling::ScalingPolicy",
    "AWS::CertificateManager::Certificate",
    "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::SSM::Parameter",
];

/// The Terraform instances a CloudFormation resource stands for.
pub(crate) fn translate(declared: &Declared) -> Vec<Resource> {
    if NOTHING_TO_MODEL.contains(&declared.kind.as_str()) {
        return Vec::new();
    }
    let mut out = Out::new(declared);
    let kind = match declared.kind.as_str() {
        "AWS::EC2::VPC" => {
            out.copy("CidrBlock", "cidr_block");
            "aws_vpc"
        }
        "AWS::EC2::Subnet" => {
            out.copy("VpcId", "vpc_id");
            out.copy("CidrBlock", "cidr_block");
            out.copy("MapPublicIpOnLaunch", "map_public_ip_on_launch");
            "aws_subnet"
        }
        "AWS::EC2::InternetGateway" => "aws_internet_gateway",
        "AWS::EC2::NatGateway" => {
            out.copy("SubnetId", "subnet_id");
            "aws_nat_gateway"
        }
        "AWS::EC2::RouteTable" => {
            out.copy("VpcId", "vpc_id");
            "aws_route_table"
        }
        "AWS::EC2::Route" => {
            out.copy("RouteTableId", "route_table_id");
            out.copy("DestinationCidrBlock", "destination_cidr_block");
            out.copy("DestinationIpv6CidrBlock", "destination_ipv6_cidr_block");
            out.copy("GatewayId", "gateway_id");
            out.copy("NatGatewayId", "nat_gateway_id");
            "aws_route"
        }
        "AWS::EC2::SubnetRouteTableAssociation" => {
            out.copy("SubnetId", "subnet_id");
            out.copy("RouteTableId", "route_table_id");
            "aws_route_table_association"
        }
        "AWS::EC2::SecurityGroup" => {
            out.copy("VpcId", "vpc_id");
            out.copy("GroupName", "name");
            let rules = declared.get("SecurityGroupIngress").map(Value::items).unwrap_or_default();
            let blocks: Vec<Value> = rules.into_iter().map(ingress_rule).collect();
            out.set_list("ingress", blocks, "SecurityGroupIngress");
            "aws_security_group"
        }
        "AWS::EC2::SecurityGroupIngress" => {
            out.set("type", text("ingress"), "");
            out.copy("GroupId", "security_group_id");
            if let Value::Map(rule) = ingress_rule(&declared.properties) {
                for (key, value) in rule {
                    let key = if key == "security_groups" { "source_security_group_id".to_string() } else { key };
                    out.values.insert(key, value);
                }
            }
            "aws_security_group_rule"
        }
        "AWS::EC2::Instance" => {
            out.copy("InstanceType", "instance_type");
            out.copy("SubnetId", "subnet_id");
            out.copy("SecurityGroupIds", "vpc_security_group_ids");
            out.copy("SecurityGroups", "security_groups");
            out.copy("IamInstanceProfile", "iam_instance_profile");
            if let Some(interface) = declared.get("NetworkInterfaces") {
                if let Some(subnet) = interface.get("SubnetId") {
                    out.set("subnet_id", subnet.clone(), "NetworkInterfaces.0.SubnetId");
                }
                if let Some(public) = interface.get("AssociatePublicIpAddress") {
                    out.set("associate_public_ip_address", public.clone(), "NetworkInterfaces.0");
                }
                if let Some(groups) = interface.get("GroupSet") {
                    out.set("vpc_security_group_ids", groups.clone(), "NetworkInterfaces.0.GroupSet");
                }
            }
            "aws_instance"
        }
        "AWS::AutoScaling::AutoScalingGroup" => {
            out.copy("VPCZoneIdentifier", "vpc_zone_identifier");
            out.copy("TargetGroupARNs", "target_group_arns");
            out.copy("LaunchTemplate.LaunchTemplateId", "launch_template.id");
            out.copy("LaunchConfigurationName", "launch_configuration");
            "aws_autoscaling_group"
        }
        "AWS::EC2::LaunchTemplate" => {
            out.copy("LaunchTemplateData.MetadataOptions.HttpTokens", "metadata_options.http_tokens");
            out.copy("LaunchTemplateData.IamInstanceProfile.Arn", "iam_instance_profile.arn");
            out.copy("LaunchTemplateData.IamInstanceProfile.Name", "iam_instance_profile.name");
            "aws_launch_template"
        }
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            out.copy("Name", "name");
            let internal = declared.get("Scheme").and_then(Value::literal).map(|scheme| scheme == "internal");
            out.set("internal", internal.map_or(Value::Unknown, Value::Bool), "Scheme");
            let kind = declared.get("Type").and_then(Value::literal).unwrap_or("application");
            out.set("load_balancer_type", text(kind), "Type");
            out.copy("SecurityGroups", "security_groups");
            out.copy("Subnets", "subnets");
            if declared.get("Subnets").is_none()
                && let Some(mappings) = declared.get("SubnetMappings")
            {
                let subnets: Vec<Value> = mappings.items().iter().filter_map(|m| m.get("SubnetId").cloned()).collect();
                out.set("subnets", Value::List(subnets), "SubnetMappings");
            }
            "aws_lb"
        }
        "AWS::ElasticLoadBalancingV2::Listener" => {
            out.copy("LoadBalancerArn", "load_balancer_arn");
            out.copy("Port", "port");
            out.copy("Protocol", "protocol");
            out.copy("SslPolicy", "ssl_policy");
            let actions = declared.get("DefaultActions").map(Value::items).unwrap_or_default();
            out.set_list("default_action", actions.into_iter().map(action).collect(), "DefaultActions");
            "aws_lb_listener"
        }
        "AWS::ElasticLoadBalancingV2::ListenerRule" => {
            out.copy("ListenerArn", "listener_arn");
            let actions = declared.get("Actions").map(Value::items).unwrap_or_default();
            out.set_list("action", actions.into_iter().map(action).collect(), "Actions");
            "aws_lb_listener_rule"
        }
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            out.copy("Port", "port");
            out.copy("Protocol", "protocol");
            out.copy("VpcId", "vpc_id");
            "aws_lb_target_group"
        }
        "AWS::ApiGateway::RestApi" | "AWS::Serverless::Api" => {
            out.copy("Name", "name");
            out.copy("EndpointConfiguration.Types", "endpoint_configuration.types");
            if let Some(kind) = declared.path("EndpointConfiguration.Type") {
                out.set("endpoint_configuration.types", Value::List(vec![kind.clone()]), "EndpointConfiguration");
            }
            out.copy("DisableExecuteApiEndpoint", "disable_execute_api_endpoint");
            "aws_api_gateway_rest_api"
        }
        "AWS::ApiGateway::Method" => {
            out.copy("RestApiId", "rest_api_id");
            out.copy("AuthorizationType", "authorization");
            out.copy("ApiKeyRequired", "api_key_required");
            let mut extra = Vec::new();
            if let Some(uri) = declared.path("Integration.Uri") {
                let mut integration = Out::new(declared);
                integration.copy("RestApiId", "rest_api_id");
                integration.set("uri", uri.clone(), "Integration.Uri");
                integration.copy("Integration.ConnectionId", "connection_id");
                extra.push(integration.finish("aws_api_gateway_integration", Some("Integration")));
            }
            let mut all = vec![out.finish("aws_api_gateway_method", None)];
            all.extend(extra);
            return all;
        }
        "AWS::ApiGateway::Stage" => {
            out.copy("RestApiId", "rest_api_id");
            "aws_api_gateway_stage"
        }
        "AWS::ApiGateway::Deployment" => {
            out.copy("RestApiId", "rest_api_id");
            "aws_api_gateway_deployment"
        }
        "AWS::ApiGateway::Resource" => "aws_api_gateway_resource",
        "AWS::ApiGateway::VpcLink" => {
            out.copy("TargetArns", "target_arns");
            "aws_api_gateway_vpc_link"
        }
        "AWS::ApiGatewayV2::Api" | "AWS::Serverless::HttpApi" => {
            out.copy("Name", "name");
            out.copy("ProtocolType", "protocol_type");
            out.copy("Target", "target");
            out.copy("DisableExecuteApiEndpoint", "disable_execute_api_endpoint");
            "aws_apigatewayv2_api"
        }
        "AWS::ApiGatewayV2::Route" => {
            out.copy("ApiId", "api_id");
            out.copy("AuthorizationType", "authorization_type");
            out.copy("Target", "target");
            "aws_apigatewayv2_route"
        }
        "AWS::ApiGatewayV2::Integration" => {
            out.copy("ApiId", "api_id");
            out.copy("IntegrationUri", "integration_uri");
            out.copy("ConnectionId", "connection_id");
            "aws_apigatewayv2_integration"
        }
        "AWS::ApiGatewayV2::Stage" => {
            out.copy("ApiId", "api_id");
            "aws_apigatewayv2_stage"
        }
        "AWS::ApiGatewayV2::VpcLink" => "aws_apigatewayv2_vpc_link",
        "AWS::CloudFront::Distribution" => {
            cloudfront(&mut out, declared);
            "aws_cloudfront_distribution"
        }
        "AWS::WAFv2::WebACL" => "aws_wafv2_web_acl",
        "AWS::WAFv2::WebACLAssociation" => {
            out.copy("ResourceArn", "resource_arn");
            out.copy("WebACLArn", "web_acl_arn");
            "aws_wafv2_web_acl_association"
        }
        "AWS::Shield::Protection" => {
            out.copy("ResourceArn", "resource_arn");
            "aws_shield_protection"
        }
        "AWS::ECS::Cluster" => "aws_ecs_cluster",
        "AWS::ECS::Service" => {
            out.copy("ServiceName", "name");
            out.copy("Cluster", "cluster");
            out.copy("TaskDefinition", "task_definition");
            let balancers = declared.get("LoadBalancers").map(Value::items).unwrap_or_default();
            let blocks = balancers
                .into_iter()
                .map(|b| rename(b, &[("TargetGroupArn", "target_group_arn"), ("ContainerPort", "container_port")]))
                .collect();
            out.set_list("load_balancer", blocks, "LoadBalancers");
            let vpc = "NetworkConfiguration.AwsvpcConfiguration";
            out.copy(&format!("{vpc}.Subnets"), "network_configuration.subnets");
            out.copy(&format!("{vpc}.SecurityGroups"), "network_configuration.security_groups");
            if let Some(public) = declared.path(&format!("{vpc}.AssignPublicIp")).and_then(Value::literal) {
                out.set(
                    "network_configuration.assign_public_ip",
                    Value::Bool(public == "ENABLED"),
                    &format!("{vpc}.AssignPublicIp"),
                );
            }
            "aws_ecs_service"
        }
        "AWS::ECS::TaskDefinition" => {
            out.copy("TaskRoleArn", "task_role_arn");
            let containers = declared.get("ContainerDefinitions").map(Value::items).unwrap_or_default();
            for (c, definition) in containers.iter().enumerate() {
                for (key, value_key, out_key, out_value) in
                    [("Environment", "Value", "environment", "value"), ("Secrets", "ValueFrom", "secrets", "valueFrom")]
                {
                    for i in 0..definition.get(key).map_or(0, |entries| entries.items().len()) {
                        let line = declared.line_of(&format!("ContainerDefinitions.{c}.{key}.{i}.{value_key}"));
                        out.lines.insert(format!("container_definitions.{c}.{out_key}.{i}.{out_value}"), line);
                    }
                }
            }
            let definitions = containers.into_iter().map(container).collect();
            out.set("container_definitions", Value::List(definitions), "ContainerDefinitions");
            "aws_ecs_task_definition"
        }
        "AWS::EKS::Cluster" => {
            out.copy("Name", "name");
            let vpc = "ResourcesVpcConfig";
            out.copy(&format!("{vpc}.SubnetIds"), "vpc_config.subnet_ids");
            out.copy(&format!("{vpc}.SecurityGroupIds"), "vpc_config.security_group_ids");
            out.copy(&format!("{vpc}.EndpointPublicAccess"), "vpc_config.endpoint_public_access");
            out.copy(&format!("{vpc}.PublicAccessCidrs"), "vpc_config.public_access_cidrs");
            out.copy("EncryptionConfig", "encryption_config");
            "aws_eks_cluster"
        }
        "AWS::EKS::Nodegroup" => {
            out.copy("ClusterName", "cluster_name");
            out.copy("NodeRole", "node_role_arn");
            "aws_eks_node_group"
        }
        "AWS::Lambda::Function" | "AWS::Serverless::Function" => return function(out, declared),
        "AWS::Lambda::EventSourceMapping" => {
            out.copy("EventSourceArn", "event_source_arn");
            out.copy("FunctionName", "function_name");
            "aws_lambda_event_source_mapping"
        }
        "AWS::Lambda::Url" => {
            out.copy("TargetFunctionArn", "function_name");
            out.copy("AuthType", "authorization_type");
            "aws_lambda_function_url"
        }
        "AWS::Lambda::Permission" => {
            out.copy("FunctionName", "function_name");
            out.copy("SourceArn", "source_arn");
            out.copy("Principal", "principal");
            "aws_lambda_permission"
        }
        "AWS::RDS::DBInstance" => {
            if declared.get("DBClusterIdentifier").is_some() {
                out.copy("DBClusterIdentifier", "cluster_identifier");
                out.copy("PubliclyAccessible", "publicly_accessible");
                "aws_rds_cluster_instance"
            } else {
                database(&mut out, declared);
                out.copy("DBInstanceIdentifier", "identifier");
                out.copy("PubliclyAccessible", "publicly_accessible");
                out.copy("DBParameterGroupName", "parameter_group_name");
                "aws_db_instance"
            }
        }
        "AWS::RDS::DBCluster" => {
            database(&mut out, declared);
            out.copy("DBClusterIdentifier", "cluster_identifier");
            out.copy("DBClusterParameterGroupName", "db_cluster_parameter_group_name");
            "aws_rds_cluster"
        }
        "AWS::RDS::DBSubnetGroup" => {
            out.copy("SubnetIds", "subnet_ids");
            "aws_db_subnet_group"
        }
        "AWS::RDS::DBParameterGroup" | "AWS::RDS::DBClusterParameterGroup" => {
            let parameters: Vec<Value> = declared
                .get("Parameters")
                .and_then(Value::map)
                .map(|map| {
                    map.iter()
                        .map(|(name, value)| {
                            Value::Map(BTreeMap::from([
                                ("name".to_string(), text(name)),
                                ("value".to_string(), value.clone()),
                            ]))
                        })
                        .collect()
                })
                .unwrap_or_default();
            out.set("parameter", Value::List(parameters), "Parameters");
            if declared.kind == "AWS::RDS::DBParameterGroup" {
                "aws_db_parameter_group"
            } else {
                "aws_rds_cluster_parameter_group"
            }
        }
        "AWS::DynamoDB::Table" | "AWS::Serverless::SimpleTable" => {
            out.copy("TableName", "name");
            out.copy("SSESpecification.SSEEnabled", "server_side_encryption.enabled");
            out.copy("SSESpecification.KMSMasterKeyId", "server_side_encryption.kms_key_arn");
            out.copy("PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled", "point_in_time_recovery.enabled");
            "aws_dynamodb_table"
        }
        "AWS::S3::Bucket" => return bucket(out, declared),
        "AWS::S3::BucketPolicy" => {
            out.copy("Bucket", "bucket");
            out.copy("PolicyDocument", "policy");
            "aws_s3_bucket_policy"
        }
        "AWS::SQS::Queue" => {
            out.copy("QueueName", "name");
            out.copy("SqsManagedSseEnabled", "sqs_managed_sse_enabled");
            out.copy("KmsMasterKeyId", "kms_master_key_id");
            "aws_sqs_queue"
        }
        "AWS::SQS::QueuePolicy" => {
            out.copy("Queues", "queue_url");
            out.copy("PolicyDocument", "policy");
            "aws_sqs_queue_policy"
        }
        "AWS::SNS::Topic" => {
            out.copy("TopicName", "name");
            out.copy("KmsMasterKeyId", "kms_master_key_id");
            let mut all = Vec::new();
            for (position, subscription) in
                declared.get("Subscription").map(Value::items).unwrap_or_default().into_iter().enumerate()
            {
                let mut part = Out::new(declared);
                part.set("topic_arn", Value::String(reference(&declared.logical_id, "Ref")), "");
                let at = format!("Subscription.{position}");
                for (from, to) in [("Endpoint", "endpoint"), ("Protocol", "protocol")] {
                    if let Some(value) = subscription.get(from) {
                        part.set(to, value.clone(), &at);
                    }
                }
                all.push(part.finish("aws_sns_topic_subscription", Some(&at)));
            }
            all.insert(0, out.finish("aws_sns_topic", None));
            return all;
        }
        "AWS::SNS::Subscription" => {
            out.copy("TopicArn", "topic_arn");
            out.copy("Endpoint", "endpoint");
            out.copy("Protocol", "protocol");
            "aws_sns_topic_subscription"
        }
        "AWS::Kinesis::Stream" => {
            out.copy("Name", "name");
            out.copy("StreamEncryption.EncryptionType", "encryption_type");
            out.copy("StreamEncryption.KeyId", "kms_key_id");
            "aws_kinesis_stream"
        }
        "AWS::ElastiCache::ReplicationGroup" | "AWS::ElastiCache::CacheCluster" => {
            out.copy("Engine", "engine");
            out.copy("EngineVersion", "engine_version");
            out.copy("AtRestEncryptionEnabled", "at_rest_encryption_enabled");
            out.copy("TransitEncryptionEnabled", "transit_encryption_enabled");
            out.copy("AuthToken", "auth_token");
            out.copy("CacheSubnetGroupName", "subnet_group_name");
            out.copy("SecurityGroupIds", "security_group_ids");
            out.copy("VpcSecurityGroupIds", "security_group_ids");
            out.copy("ReplicationGroupId", "replication_group_id");
            if declared.kind.ends_with("ReplicationGroup") {
                "aws_elasticache_replication_group"
            } else {
                "aws_elasticache_cluster"
            }
        }
        "AWS::ElastiCache::SubnetGroup" => {
            out.copy("SubnetIds", "subnet_ids");
            "aws_elasticache_subnet_group"
        }
        "AWS::IAM::Role" => {
            out.copy("RoleName", "name");
            out.copy("AssumeRolePolicyDocument", "assume_role_policy");
            out.copy("ManagedPolicyArns", "managed_policy_arns");
            let policies = declared.get("Policies").map(Value::items).unwrap_or_default();
            let blocks = policies
                .into_iter()
                .map(|p| rename(p, &[("PolicyName", "name"), ("PolicyDocument", "policy")]))
                .collect();
            out.set_list("inline_policy", blocks, "Policies");
            for position in 0..declared.get("Policies").map_or(0, |p| p.items().len()) {
                out.copy_lines(
                    &format!("Policies.{position}.PolicyDocument"),
                    &format!("inline_policy.{position}.policy"),
                );
            }
            "aws_iam_role"
        }
        "AWS::IAM::Policy" | "AWS::IAM::RolePolicy" => {
            out.copy("PolicyName", "name");
            out.copy("PolicyDocument", "policy");
            out.copy("Roles", "role");
            out.copy("RoleName", "role");
            "aws_iam_role_policy"
        }
        "AWS::IAM::ManagedPolicy" => {
            out.copy("ManagedPolicyName", "name");
            out.copy("PolicyDocument", "policy");
            let mut all = Vec::new();
            if let Some(roles) = declared.get("Roles") {
                let mut attachment = Out::new(declared);
                attachment.set("roles", roles.clone(), "Roles");
                attachment.set("policy_arn", Value::String(reference(&declared.logical_id, "Ref")), "Roles");
                all.push(attachment.finish("aws_iam_policy_attachment", Some("Roles")));
            }
            all.insert(0, out.finish("aws_iam_policy", None));
            return all;
        }
        "AWS::IAM::InstanceProfile" => {
            out.copy("Roles", "role");
            "aws_iam_instance_profile"
        }
        "AWS::KMS::Key" => {
            out.copy("EnableKeyRotation", "enable_key_rotation");
            "aws_kms_key"
        }
        "AWS::KMS::Alias" => {
            out.copy("TargetKeyId", "target_key_id");
            "aws_kms_alias"
        }
        "AWS::SecretsManager::Secret" => {
            out.copy("Name", "name");
            out.copy("KmsKeyId", "kms_key_id");
            "aws_secretsmanager_secret"
        }
        "AWS::SecretsManager::RotationSchedule" => {
            out.copy("SecretId", "secret_id");
            "aws_secretsmanager_secret_rotation"
        }
        "AWS::ECR::Repository" => {
            out.copy("RepositoryName", "name");
            "aws_ecr_repository"
        }
        "AWS::CloudTrail::Trail" => {
            out.copy("IsLogging", "enable_logging");
            "aws_cloudtrail"
        }
        // Not modelled: keeps its own name, and the inference warns once per type.
        other => other,
    };
    vec![out.finish(kind, None)]
}

/// A Lambda function (or a Serverless one, whose `Events` become event
/// source mappings and whose `FunctionUrlConfig` becomes a function URL).
fn function(mut out: Out<'_>, declared: &Declared) -> Vec<Resource> {
    out.copy("FunctionName", "function_name");
    out.copy("Runtime", "runtime");
    out.copy("Role", "role");
    out.copy("Environment.Variables", "environment.variables");
    // The inference looks variables up as Terraform nests them.
    out.copy_lines("Environment.Variables", "environment.0.variables");
    out.copy("VpcConfig.SubnetIds", "vpc_config.subnet_ids");
    out.copy("VpcConfig.SecurityGroupIds", "vpc_config.security_group_ids");
    out.copy("ReservedConcurrentExecutions", "reserved_concurrent_executions");
    let own = Value::String(reference(&declared.logical_id, "Ref"));
    let mut all = vec![out.finish("aws_lambda_function", None)];
    if let Some(events) = declared.get("Events").and_then(Value::map) {
        for (name, event) in events {
            let at = format!("Events.{name}");
            let kind = event.get("Type").and_then(Value::literal).unwrap_or_default();
            let source = match kind {
                "SQS" => event.path("Properties.Queue"),
                "Kinesis" | "DynamoDB" => event.path("Properties.Stream"),
                "SNS" => event.path("Properties.Topic"),
                _ => None,
            };
            let mut part = Out::new(declared);
            match (kind, source) {
                ("SNS", Some(topic)) => {
                    part.set("topic_arn", topic.clone(), &at);
                    part.set("endpoint", own.clone(), &at);
                    part.set("protocol", text("lambda"), &at);
                    all.push(part.finish("aws_sns_topic_subscription", Some(&at)));
                }
                (_, Some(source)) => {
                    part.set("event_source_arn", source.clone(), &at);
                    part.set("function_name", own.clone(), &at);
                    all.push(part.finish("aws_lambda_event_source_mapping", Some(&at)));
                }
                ("Api" | "HttpApi", None) => {
                    let (api_key, method_kind, integration_kind, auth_key, uri_key) = if kind == "Api" {
                        ("rest_api_id", "aws_api_gateway_method", "aws_api_gateway_integration", "authorization", "uri")
                    } else {
                        (
                            "api_id",
                            "aws_apigatewayv2_route",
                            "aws_apigatewayv2_integration",
                            "authorization_type",
                            "integration_uri",
                        )
                    };
                    let Some(api) = event.path(if kind == "Api" { "Properties.RestApiId" } else { "Properties.ApiId" })
                    else {
                        continue;
                    };
                    let mut method = Out::new(declared);
                    method.set(api_key, api.clone(), &at);
                    let open = event.path("Properties.Auth.Authorizer").and_then(Value::literal);
                    method.set(auth_key, text(open.unwrap_or("NONE")), &at);
                    all.push(method.finish(method_kind, Some(&format!("{at}.Method"))));
                    part.set(api_key, api.clone(), &at);
                    part.set(uri_key, own.clone(), &at);
                    all.push(part.finish(integration_kind, Some(&format!("{at}.Integration"))));
                }
                _ => {}
            }
        }
    }
    if let Some(url) = declared.get("FunctionUrlConfig") {
        let mut part = Out::new(declared);
        part.set("function_name", own, "FunctionUrlConfig");
        part.set("authorization_type", url.get("AuthType").cloned().unwrap_or(Value::Null), "FunctionUrlConfig");
        all.push(part.finish("aws_lambda_function_url", Some("FunctionUrlConfig")));
    }
    all
}

/// An S3 bucket, with its public access block, encryption and
/// notifications as the separate instances Terraform reads.
fn bucket(mut out: Out<'_>, declared: &Declared) -> Vec<Resource> {
    out.copy("BucketName", "bucket");
    out.copy("LoggingConfiguration", "logging");
    out.copy("WebsiteConfiguration", "website");
    if let Some(acl) = declared.get("AccessControl").and_then(Value::literal) {
        out.set("acl", text(&canned_acl(acl)), "AccessControl");
    }
    let own = Value::String(reference(&declared.logical_id, "Ref"));
    let mut all = vec![out.finish("aws_s3_bucket", None)];
    if let Some(block) = declared.get("PublicAccessBlockConfiguration") {
        let mut part = Out::new(declared);
        part.set("bucket", own.clone(), "PublicAccessBlockConfiguration");
        for (from, to) in [
            ("BlockPublicAcls", "block_public_acls"),
            ("BlockPublicPolicy", "block_public_policy"),
            ("IgnorePublicAcls", "ignore_public_acls"),
            ("RestrictPublicBuckets", "restrict_public_buckets"),
        ] {
            if let Some(value) = block.get(from) {
                part.set(to, value.clone(), &format!("PublicAccessBlockConfiguration.{from}"));
            }
        }
        all.push(part.finish("aws_s3_bucket_public_access_block", Some("PublicAccessBlockConfiguration")));
    }
    let rules = declared.path("BucketEncryption.ServerSideEncryptionConfiguration").map(Value::items);
    if let Some(rules) = rules {
        let mut part = Out::new(declared);
        part.set("bucket", own.clone(), "BucketEncryption");
        let blocks = rules
            .into_iter()
            .map(|rule| {
                let default = rule
                    .get("ServerSideEncryptionByDefault")
                    .map(|d| rename(d, &[("SSEAlgorithm", "sse_algorithm"), ("KMSMasterKeyID", "kms_master_key_id")]));
                Value::Map(BTreeMap::from([(
                    "apply_server_side_encryption_by_default".to_string(),
                    default.unwrap_or(Value::Null),
                )]))
            })
            .collect();
        part.set("rule", Value::List(blocks), "BucketEncryption");
        all.push(part.finish("aws_s3_bucket_server_side_encryption_configuration", Some("BucketEncryption")));
    }
    if let Some(notifications) = declared.get("NotificationConfiguration") {
        let mut part = Out::new(declared);
        part.set("bucket", own, "NotificationConfiguration");
        for (from, inner, to, key) in [
            ("LambdaConfigurations", "Function", "lambda_function", "lambda_function_arn"),
            ("QueueConfigurations", "Queue", "queue", "queue_arn"),
            ("TopicConfigurations", "Topic", "topic", "topic_arn"),
        ] {
            let blocks: Vec<Value> = notifications
                .get(from)
                .map(Value::items)
                .unwrap_or_default()
                .into_iter()
                .filter_map(|c| c.get(inner).cloned())
                .map(|target| Value::Map(BTreeMap::from([(key.to_string(), target)])))
                .collect();
            part.set(to, Value::List(blocks), &format!("NotificationConfiguration.{from}"));
        }
        all.push(part.finish("aws_s3_bucket_notification", Some("NotificationConfiguration")));
    }
    all
}

/// `PublicRead` → `public-read`.
fn canned_acl(acl: &str) -> String {
    let mut out = String::new();
    for (i, c) in acl.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('-');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn database(out: &mut Out<'_>, declared: &Declared) {
    out.copy("Engine", "engine");
    out.copy("EngineVersion", "engine_version");
    out.copy("StorageEncrypted", "storage_encrypted");
    out.copy("KmsKeyId", "kms_key_id");
    out.copy("DBSubnetGroupName", "db_subnet_group_name");
    out.copy("VPCSecurityGroups", "vpc_security_group_ids");
    out.copy("VpcSecurityGroupIds", "vpc_security_group_ids");
    out.copy("EnableIAMDatabaseAuthentication", "iam_database_authentication_enabled");
    out.copy("MasterUserPassword", "password");
    // CloudFormation keeps one day of automated backups unless told otherwise.
    match declared.get("BackupRetentionPeriod") {
        Some(_) => out.copy("BackupRetentionPeriod", "backup_retention_period"),
        None => out.set("backup_retention_period", text("1"), ""),
    }
}

fn cloudfront(out: &mut Out<'_>, declared: &Declared) {
    let config = "DistributionConfig";
    let behaviour = |b: &Value| rename(b, &[("ViewerProtocolPolicy", "viewer_protocol_policy")]);
    if let Some(default) = declared.path(&format!("{config}.DefaultCacheBehavior")) {
        out.set("default_cache_behavior", behaviour(default), &format!("{config}.DefaultCacheBehavior"));
    }
    let ordered = declared.path(&format!("{config}.CacheBehaviors")).map(Value::items).unwrap_or_default();
    out.set_list(
        "ordered_cache_behavior",
        ordered.into_iter().map(behaviour).collect(),
        &format!("{config}.CacheBehaviors"),
    );
    out.copy(&format!("{config}.WebACLId"), "web_acl_id");
    out.copy(
        &format!("{config}.ViewerCertificate.MinimumProtocolVersion"),
        "viewer_certificate.minimum_protocol_version",
    );
    let origins = declared.path(&format!("{config}.Origins")).map(Value::items).unwrap_or_default();
    let blocks = origins
        .into_iter()
        .map(|origin| {
            let mut map = match rename(
                origin,
                &[
                    ("DomainName", "domain_name"),
                    ("Id", "origin_id"),
                    ("OriginAccessControlId", "origin_access_control_id"),
                ],
            ) {
                Value::Map(map) => map,
                _ => BTreeMap::new(),
            };
            if let Some(identity) = origin.path("S3OriginConfig.OriginAccessIdentity") {
                map.insert(
                    "s3_origin_config".to_string(),
                    Value::Map(BTreeMap::from([("origin_access_identity".to_string(), identity.clone())])),
                );
            }
            if let Some(policy) = origin.path("CustomOriginConfig.OriginProtocolPolicy") {
                map.insert(
                    "custom_origin_config".to_string(),
                    Value::Map(BTreeMap::from([("origin_protocol_policy".to_string(), policy.clone())])),
                );
            }
            Value::Map(map)
        })
        .collect();
    out.set_list("origin", blocks, &format!("{config}.Origins"));
}

/// A security group rule as a Terraform `ingress` block.
fn ingress_rule(rule: &Value) -> Value {
    let mut map = BTreeMap::new();
    for (from, to) in [("IpProtocol", "protocol"), ("FromPort", "from_port"), ("ToPort", "to_port")] {
        if let Some(value) = rule.get(from) {
            map.insert(to.to_string(), value.clone());
        }
    }
    for (from, to) in
        [("CidrIp", "cidr_blocks"), ("CidrIpv6", "ipv6_cidr_blocks"), ("SourceSecurityGroupId", "security_groups")]
    {
        if let Some(value) = rule.get(from) {
            map.insert(to.to_string(), Value::List(vec![value.clone()]));
        }
    }
    Value::Map(map)
}

/// A listener action as a Terraform `default_action` block.
fn action(action: &Value) -> Value {
    let mut map = match rename(action, &[("TargetGroupArn", "target_group_arn")]) {
        Value::Map(map) => map,
        _ => BTreeMap::new(),
    };
    if let Some(kind) = action.get("Type").and_then(Value::literal) {
        map.insert("type".to_string(), text(&kind.to_ascii_lowercase()));
    }
    if let Some(protocol) = action.path("RedirectConfig.Protocol") {
        map.insert("redirect".to_string(), Value::Map(BTreeMap::from([("protocol".to_string(), protocol.clone())])));
    }
    let groups: Vec<Value> = action
        .path("ForwardConfig.TargetGroups")
        .map(Value::items)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|group| group.get("TargetGroupArn").cloned())
        .map(|arn| Value::Map(BTreeMap::from([("arn".to_string(), arn)])))
        .collect();
    if !groups.is_empty() {
        map.insert(
            "forward".to_string(),
            Value::Map(BTreeMap::from([("target_group".to_string(), Value::List(groups))])),
        );
    }
    Value::Map(map)
}

/// An ECS container definition with the keys of the task definition JSON.
fn container(definition: &Value) -> Value {
    let pairs = |key: &str, value_key: &str, out_key: &str| {
        Value::List(
            definition
                .get(key)
                .map(Value::items)
                .unwrap_or_default()
                .into_iter()
                .map(|entry| rename(entry, &[("Name", "name"), (value_key, out_key)]))
                .collect(),
        )
    };
    let mut map = match rename(definition, &[("Name", "name"), ("Image", "image"), ("Privileged", "privileged")]) {
        Value::Map(map) => map,
        _ => BTreeMap::new(),
    };
    map.insert("environment".to_string(), pairs("Environment", "Value", "value"));
    map.insert("secrets".to_string(), pairs("Secrets", "ValueFrom", "valueFrom"));
    Value::Map(map)
}

/// The keys of a map renamed; keys not listed are left out.
fn rename(value: &Value, names: &[(&str, &str)]) -> Value {
    let mut map = BTreeMap::new();
    for (from, to) in names {
        if let Some(item) = value.get(from) {
            map.insert(to.to_string(), item.clone());
        }
    }
    Value::Map(map)
}

fn text(value: &str) -> Value {
    Value::String(value.to_string())
}

/// The readable name an id is made from: the logical id in words
/// (`OrdersDatabase` → `orders-db`), so that ids read like the template.
pub(crate) fn id_name(logical_id: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let chars: Vec<char> = logical_id.chars().collect();
    let mut current = String::new();
    for (i, c) in chars.iter().enumerate() {
        let boundary = c.is_ascii_uppercase()
            && !current.is_empty()
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(char::is_ascii_lowercase));
        if boundary || !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            if !c.is_ascii_alphanumeric() {
                continue;
            }
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    let joined = words.join("-");
    let shortened = joined.replace("load-balancer", "lb").replace("database", "db");
    if shortened.is_empty() { "resource".to_string() } else { shortened }
}

/// The values and lines of one Terraform instance being built.
struct Out<'d> {
    declared: &'d Declared,
    values: BTreeMap<String, Value>,
    lines: BTreeMap<String, u32>,
}

impl<'d> Out<'d> {
    fn new(declared: &'d Declared) -> Out<'d> {
        let mut out = Out { declared, values: BTreeMap::new(), lines: BTreeMap::new() };
        // Tags read as Terraform's `tags` map (`Name`, `DataClassification`).
        if let Some(tags) = declared.get("Tags") {
            let map: BTreeMap<String, Value> = match tags {
                Value::List(items) => items
                    .iter()
                    .filter_map(|tag| Some((tag.get("Key")?.literal()?.to_string(), tag.get("Value")?.clone())))
                    .collect(),
                Value::Map(map) => map.clone(),
                _ => BTreeMap::new(),
            };
            out.set("tags", Value::Map(map), "Tags");
        }
        out
    }

    /// Copies the property at `from` (dotted) to the argument at `to` (dotted).
    fn copy(&mut self, from: &str, to: &str) {
        if let Some(value) = self.declared.properties.path(from) {
            self.set(to, value.clone(), from);
            self.copy_lines(from, to);
        }
    }

    /// The lines inside a property (a policy statement's, a variable's),
    /// under the argument's path.
    fn copy_lines(&mut self, from: &str, to: &str) {
        let prefix = format!("{from}.");
        for (path, line) in self.declared.lines.range(prefix.clone()..) {
            let Some(rest) = path.strip_prefix(&prefix) else { break };
            self.lines.insert(format!("{to}.{rest}"), *line);
        }
    }

    /// Sets the argument at `to` (dotted: nested blocks become maps), its
    /// line from the property at `from`.
    fn set(&mut self, to: &str, value: Value, from: &str) {
        let line = self.declared.line_of(from);
        let mut keys: Vec<&str> = to.split('.').collect();
        let last = keys.pop().unwrap_or_default();
        let mut map = &mut self.values;
        for key in keys {
            let entry = map.entry(key.to_string()).or_insert_with(|| Value::Map(BTreeMap::new()));
            if !matches!(entry, Value::Map(_)) {
                *entry = Value::Map(BTreeMap::new());
            }
            let Value::Map(inner) = entry else { return };
            map = inner;
        }
        map.insert(last.to_string(), value);
        self.lines.insert(to.to_string(), line);
    }

    /// Sets a list of nested blocks, each with the line of its item.
    fn set_list(&mut self, to: &str, blocks: Vec<Value>, from: &str) {
        for position in 0..blocks.len() {
            let line = self.declared.line_of(&format!("{from}.{position}"));
            self.lines.insert(format!("{to}.{position}"), line);
        }
        if !blocks.is_empty() {
            self.set(to, Value::List(blocks), from);
        }
    }

    /// The instance: the logical id as its address, or `LogicalId.part`
    /// for a part written inside the resource.
    fn finish(self, kind: &str, part: Option<&str>) -> Resource {
        let declared = self.declared;
        let address = match part {
            Some(part) => format!("{}.{part}", declared.logical_id),
            None => declared.logical_id.clone(),
        };
        let line = part.map_or(declared.line, |part| declared.line_of(part));
        Resource {
            address,
            kind: kind.to_string(),
            name: id_name(&declared.logical_id),
            module: String::new(),
            values: Value::Map(self.values),
            file: declared.file.clone(),
            line,
            lines: self.lines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_become_readable_names() {
        assert_eq!(id_name("OrdersDatabase"), "orders-db");
        assert_eq!(id_name("PublicSubnet1"), "public-subnet1");
        assert_eq!(id_name("ALBListener"), "alb-listener");
        assert_eq!(id_name("WebLoadBalancer"), "web-lb");
        assert_eq!(canned_acl("PublicReadWrite"), "public-read-write");
    }
}
