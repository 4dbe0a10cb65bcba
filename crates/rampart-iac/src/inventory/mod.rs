//! A live AWS account → Rampart model, from either of two snapshots of its
//! resources: a directory of AWS CLI outputs (`scripts/collect-aws-inventory.sh`
//! writes one), or an AWS Config configuration snapshot.
//!
//! Like the CloudFormation importer, this one does not infer anything
//! itself: each AWS object is translated (`translate`) into the Terraform
//! resource instance that stands for it, and the Terraform inference
//! builds the model, exactly as it does from a Terraform state, where ids
//! and ARNs are literal and match the resource that has them.
//!
//! | AWS (CLI call / Config type) | Terraform instance | Rampart |
//! |---|---|---|
//! | `ec2 describe-vpcs` / `AWS::EC2::VPC` | `aws_vpc` | boundary `vpc` in the account boundary |
//! | `ec2 describe-subnets` / `AWS::EC2::Subnet` | `aws_subnet` | boundary `subnet`, public when routed to an internet gateway or `MapPublicIpOnLaunch` |
//! | `ec2 describe-route-tables`, `-internet-gateways`, `-nat-gateways` | `aws_route_table` (+ associations, main table included), `aws_internet_gateway`, `aws_nat_gateway` | which subnets are public |
//! | `ec2 describe-security-groups` / `AWS::EC2::SecurityGroup` | `aws_security_group` with `ingress`/`egress` | flows between members, exposure from `0.0.0.0/0` |
//! | `ec2 describe-instances` / `AWS::EC2::Instance` | `aws_instance` (`PublicIpAddress` → public address) | component `aws-ec2` |
//! | `autoscaling describe-auto-scaling-groups` | `aws_autoscaling_group` (its instances are left out) | component `aws-ec2` |
//! | `elbv2 describe-load-balancers`, `-listeners`, `-target-groups`, `-target-health` | `aws_lb`, `aws_lb_listener`, `aws_lb_target_group`, `_attachment` | component `aws-elb`, internet flows per listener, flows to targets |
//! | `rds describe-db-instances`, `-db-clusters` / `AWS::RDS::*` | `aws_db_instance`, `aws_rds_cluster(_instance)` | component `aws-rds`, encryption, backups, public access |
//! | `s3api list-buckets` + per bucket `get-public-access-block`, `get-bucket-encryption`, `get-bucket-policy`, `get-bucket-acl`, `get-bucket-logging` / `AWS::S3::Bucket` with its supplementary configuration | `aws_s3_bucket` and its satellites | component `aws-s3`, public access, controls |
//! | `lambda list-functions`, `list-event-source-mappings`, `get-function-url-config` | `aws_lambda_function`, `_event_source_mapping`, `_function_url` | component `aws-lambda`, event flows |
//! | `dynamodb describe-table`, `describe-continuous-backups` | `aws_dynamodb_table` | component `aws-dynamodb` |
//! | `sqs list-queues`, `get-queue-attributes`; `sns list-topics`, `list-subscriptions` | `aws_sqs_queue`, `aws_sns_topic`, `_subscription` | components, fan-out flows |
//! | `iam get-account-authorization-details` (or `list-roles`, `list-instance-profiles`, `list-attached-role-policies`) | `aws_iam_role` with inline and managed policies, `aws_iam_policy`, `aws_iam_instance_profile` | over-broad permissions, flows to what policies name |
//! | `kms list-keys`, `list-aliases`, `describe-key`, `get-key-rotation-status` | `aws_kms_key` (customer managed only) | component `aws-kms`, `key-rotation` |
//! | `secretsmanager list-secrets` | `aws_secretsmanager_secret` (+ rotation) | component, credentials data |
//! | `ecs describe-services`, `describe-task-definition`; `eks describe-cluster` | `aws_ecs_service` + task definition, `aws_eks_cluster` | components |
//! | `cloudfront list-distributions`; `apigateway get-rest-apis`, `get-resources`; `apigatewayv2 get-apis`, `get-routes`, `get-integrations` | `aws_cloudfront_distribution`, `aws_api_gateway_*`, `aws_apigatewayv2_*` | internet-facing components and their origins/integrations |
//! | `elasticache describe-cache-clusters`, `-replication-groups`, `-cache-subnet-groups` | `aws_elasticache_*` | component `aws-elasticache` |
//! | `wafv2 list-web-acls`, `list-resources-for-web-acl`; `cloudtrail describe-trails`, `get-trail-status`; `s3control get-public-access-block` | `aws_wafv2_web_acl_association`, `aws_cloudtrail`, `aws_s3_account_public_access_block` | controls |
//! | `sts get-caller-identity` | | the account boundary's name |
//!
//! Every element's `source:` names the JSON file, the line of the object
//! and its id or ARN. A file this importer does not know, a call that
//! failed for lack of permission (`NAME.error.txt`), and a Config resource
//! type it does not model are warnings; a file that is not JSON fails the
//! import with its line and column.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::path::Path;

use rampart_model::Position;

use crate::IacImport;
use crate::source::{FileDiagnostic, SourceFile, sort};
use crate::terraform::infer;
use crate::terraform::resource::{Estate, Resource};
use crate::terraform::value::Value;

mod cli;
mod config;
mod json;
mod object;
mod translate;

use object::{Obj, Sink};
use translate::Patch;

const CLI_DESCRIPTION: &str = "Imported from a live AWS account (AWS CLI outputs) by `rampart import aws-inventory`. \
                               Add what the API cannot say (the data each component handles, how callers \
                               authenticate) and re-run the analysis.";

const CONFIG_DESCRIPTION: &str = "Imported from an AWS Config configuration snapshot by `rampart import aws-config`. \
                                  Add what the snapshot cannot say (the data each component handles, how callers \
                                  authenticate) and re-run the analysis.";

/// Whether a file is the JSON output of an AWS CLI call this importer reads.
pub(crate) fn is_cli_output(path: &str, text: &str) -> bool {
    let (call, _) = cli::call_of(path);
    path.ends_with(".json") && cli::is_known_call(&call) && text.trim_start().starts_with('{')
}

/// Whether a file is an AWS Config configuration snapshot.
pub(crate) fn is_config_snapshot(text: &str) -> bool {
    config::is_snapshot(text)
}

/// What the files of either input give before inference.
#[derive(Default)]
struct Read {
    resources: Vec<Resource>,
    patches: Vec<Patch>,
    warnings: Vec<FileDiagnostic>,
    errors: Vec<FileDiagnostic>,
    account: Option<String>,
    regions: Vec<String>,
}

impl Read {
    fn take(&mut self, sink: Sink<'_>) {
        self.resources.extend(sink.resources);
        self.patches.extend(sink.patches);
        self.warnings.extend(sink.warnings);
        if self.account.is_none() {
            self.account = sink.account;
        }
    }
}

/// Imports a directory of AWS CLI outputs.
pub(crate) fn import_cli(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    let mut read = Read::default();
    for file in files {
        let (call, about) = cli::call_of(&file.path);
        if file.path.ends_with(".error.txt") {
            failed_call(&mut read.warnings, file, &call, &about);
            continue;
        }
        if !file.path.ends_with(".json") || !cli::is_known_call(&call) {
            read.warnings.push(FileDiagnostic::warning(
                &file.path,
                Position::new(1, 1),
                format!(
                    "`{}` is not the output of an AWS CLI call this importer reads; skipped (files are named after \
                     the call, such as `ec2-describe-vpcs.json`)",
                    file.path
                ),
            ));
            continue;
        }
        let expected = format!("the unmodified output of `aws {}` with `--output json`", call.replacen('-', " ", 1));
        let (json, lines) = match json::parse(file, &expected) {
            Ok(parsed) => parsed,
            Err(error) => {
                read.errors.push(error);
                continue;
            }
        };
        let mut sink = Sink::new(&file.path, &lines);
        let root = Obj::root(&json);
        if !json.is_object() {
            read.errors.push(FileDiagnostic {
                file: file.path.clone(),
                diagnostic: rampart_model::Diagnostic::error(
                    Position::new(1, 1),
                    format!("the file holds a JSON {}; expected an object: {expected}", kind_of(&json)),
                ),
            });
            continue;
        }
        cli::read(&mut sink, &call, &about, &root);
        read.take(sink);
    }
    finish(name, read, files.len(), CLI_DESCRIPTION)
}

/// Imports AWS Config configuration snapshots (usually one file).
pub(crate) fn import_config(name: &str, files: &[SourceFile]) -> Result<IacImport, Vec<FileDiagnostic>> {
    let mut read = Read::default();
    for file in files {
        let expected = "an AWS Config configuration snapshot (`{\"fileVersion\", \"configurationItems\": [...]}`)";
        let (json, lines) = match json::parse(file, expected) {
            Ok(parsed) => parsed,
            Err(error) => {
                read.errors.push(error);
                continue;
            }
        };
        if !json.is_object() {
            read.errors.push(FileDiagnostic {
                file: file.path.clone(),
                diagnostic: rampart_model::Diagnostic::error(
                    Position::new(1, 1),
                    format!("the file holds a JSON {}; expected {expected}", kind_of(&json)),
                ),
            });
            continue;
        }
        let mut sink = Sink::new(&file.path, &lines);
        let mut regions = Vec::new();
        config::read(&mut sink, &Obj::root(&json), &mut regions);
        read.take(sink);
        for region in regions {
            if !read.regions.contains(&region) {
                read.regions.push(region);
            }
        }
    }
    finish(name, read, files.len(), CONFIG_DESCRIPTION)
}

fn kind_of(json: &serde_json::Value) -> &'static str {
    match json {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "list",
        serde_json::Value::Object(_) => "object",
    }
}

/// A call that failed when the inventory was collected: a denied call
/// leaves a hole in the model and is a warning; `NoSuch...` answers (no
/// public access block, no bucket policy) are facts, not failures.
fn failed_call(warnings: &mut Vec<FileDiagnostic>, file: &SourceFile, call: &str, about: &str) {
    let message = file.text.lines().map(str::trim).find(|line| !line.is_empty()).unwrap_or("no message");
    let absent = ["NoSuch", "NotFound", "does not exist", "ServerSideEncryptionConfigurationNotFoundError"]
        .iter()
        .any(|marker| message.contains(marker));
    if absent {
        return;
    }
    let subject = if about.is_empty() { String::new() } else { format!(" for `{about}`") };
    warnings.push(FileDiagnostic::warning(
        &file.path,
        Position::new(1, 1),
        format!(
            "`aws {}`{subject} failed when the inventory was collected ({message}); what it lists is missing from \
             the model",
            call.replacen('-', " ", 1)
        ),
    ));
}

fn finish(name: &str, mut read: Read, files: usize, description: &str) -> Result<IacImport, Vec<FileDiagnostic>> {
    if !read.errors.is_empty() {
        sort(&mut read.errors);
        return Err(read.errors);
    }
    let mut resources = merge_duplicates(read.resources);
    apply_patches(&mut resources, &read.patches, &mut read.warnings);
    link(&mut resources);
    dangling_references(&resources, &mut read.warnings);
    let region = read.regions.first().cloned().or_else(|| region_of(&resources));
    let mut shown: Vec<String> = region.into_iter().collect();
    if let Some(account) = &read.account {
        shown.push(format!("account {account}"));
    }
    let providers = if shown.is_empty() {
        Vec::new()
    } else {
        vec![("aws".to_string(), Value::Map(BTreeMap::from([("region".to_string(), Value::String(shown.join(", ")))])))]
    };
    let estate = Estate::new(resources);
    Ok(infer::infer_described(name, &estate, providers, read.warnings, files, description))
}

/// The same AWS object read from two files (`kms list-keys` and
/// `describe-key`, `sqs list-queues` and `get-queue-attributes`) is one
/// resource: the first one read keeps its values, the others add theirs.
fn merge_duplicates(mut resources: Vec<Resource>) -> Vec<Resource> {
    resources.sort_by(|a, b| (&a.kind, &a.address, &a.file, a.line).cmp(&(&b.kind, &b.address, &b.file, b.line)));
    let mut merged: Vec<Resource> = Vec::with_capacity(resources.len());
    for resource in resources {
        match merged.last_mut() {
            Some(last) if last.kind == resource.kind && last.address == resource.address => {
                if let (Value::Map(into), Value::Map(from)) = (&mut last.values, resource.values) {
                    for (key, value) in from {
                        into.entry(key).or_insert(value);
                    }
                }
                if last.name == last.address && resource.name != resource.address {
                    last.name = resource.name;
                }
            }
            _ => merged.push(resource),
        }
    }
    merged
}

/// Whether `resource` is the one `key` names: its id, ARN or name.
fn is_named(resource: &Resource, key: &str) -> bool {
    resource.address == key
        || ["id", "arn", "name", "bucket", "function_name", "identifier"]
            .iter()
            .any(|attribute| resource.text(attribute) == Some(key))
}

fn apply_patches(resources: &mut [Resource], patches: &[Patch], warnings: &mut Vec<FileDiagnostic>) {
    for patch in patches {
        let Some(resource) = resources.iter_mut().find(|r| r.kind == patch.kind && is_named(r, &patch.key)) else {
            warnings.push(FileDiagnostic::warning(
                &patch.file,
                Position::new(patch.line.max(1), 1),
                format!("`{}` is not among the resources the other files list; this file is not used", patch.key),
            ));
            continue;
        };
        let Value::Map(values) = &mut resource.values else { continue };
        if patch.path == "@name" {
            if let Some(name) = patch.value.literal() {
                resource.name = name.to_string();
                values.insert("name".to_string(), patch.value.clone());
            }
            continue;
        }
        match patch.path.split_once('.') {
            Some((block, key)) => {
                let entry = values.entry(block.to_string()).or_insert_with(|| Value::Map(BTreeMap::new()));
                if let Value::Map(inner) = entry {
                    inner.insert(key.to_string(), patch.value.clone());
                }
            }
            None => {
                values.insert(patch.path.to_string(), patch.value.clone());
            }
        }
    }
}

/// What only the whole inventory tells: subnets that use their VPC's main
/// route table, AWS managed keys and Auto Scaling instances to leave out,
/// a replication group's network from its clusters, and CloudFront origins
/// named by the DNS name of a resource of the inventory.
fn link(resources: &mut Vec<Resource>) {
    // AWS managed keys (`aws/s3`) are the service's, not the account's.
    resources.retain(|r| !(r.kind == "aws_kms_key" && r.text("key_manager") == Some("AWS")));
    // Instances an Auto Scaling group launched are the group.
    let groups: Vec<String> = resources
        .iter()
        .filter(|r| r.kind == "aws_autoscaling_group")
        .filter_map(|r| r.text("name"))
        .map(str::to_string)
        .collect();
    resources.retain(|r| {
        r.kind != "aws_instance"
            || r.text("tags.aws:autoscaling:groupName").is_none_or(|group| !groups.iter().any(|g| g == group))
    });
    main_route_tables(resources);
    replication_groups(resources);
    cloudfront_origins(resources);
}

fn main_route_tables(resources: &mut Vec<Resource>) {
    let associated: Vec<String> = resources
        .iter()
        .filter(|r| r.kind == "aws_route_table_association")
        .filter_map(|r| r.text("subnet_id").map(str::to_string))
        .collect();
    let mains: HashMap<String, &Resource> = resources
        .iter()
        .filter(|r| r.kind == "aws_route_table" && r.bool("main") == Some(true))
        .filter_map(|r| Some((r.text("vpc_id")?.to_string(), r)))
        .collect();
    let mut added = Vec::new();
    for subnet in resources.iter().filter(|r| r.kind == "aws_subnet") {
        let (Some(id), Some(vpc)) = (subnet.text("id"), subnet.text("vpc_id")) else { continue };
        if associated.iter().any(|s| s == id) {
            continue;
        }
        let Some(table) = mains.get(vpc) else { continue };
        let table_id = table.text("id").unwrap_or_default();
        let address = format!("{table_id}/{id} (main)");
        let values = BTreeMap::from([
            ("route_table_id".to_string(), Value::String(table_id.to_string())),
            ("subnet_id".to_string(), Value::String(id.to_string())),
        ]);
        added.push(Resource {
            address: address.clone(),
            kind: "aws_route_table_association".to_string(),
            name: address,
            module: String::new(),
            values: Value::Map(values),
            file: table.file.clone(),
            line: table.line,
            lines: BTreeMap::new(),
        });
    }
    resources.extend(added);
}

fn replication_groups(resources: &mut [Resource]) {
    let clusters: Vec<(String, Value, Value)> = resources
        .iter()
        .filter(|r| r.kind == "aws_elasticache_cluster")
        .filter_map(|r| {
            Some((
                r.text("replication_group_id")?.to_string(),
                r.get("security_group_ids").cloned().unwrap_or(Value::Null),
                r.get("subnet_group_name").cloned().unwrap_or(Value::Null),
            ))
        })
        .collect();
    for group in resources.iter_mut().filter(|r| r.kind == "aws_elasticache_replication_group") {
        let Some(id) = group.text("id").map(str::to_string) else { continue };
        let Some((_, groups, subnets)) = clusters.iter().find(|(owner, ..)| *owner == id) else { continue };
        if let Value::Map(values) = &mut group.values {
            values.entry("security_group_ids".to_string()).or_insert_with(|| groups.clone());
            values.entry("subnet_group_name".to_string()).or_insert_with(|| subnets.clone());
        }
    }
}

/// `shop-assets.s3.eu-west-1.amazonaws.com` → the bucket's name; a load
/// balancer's DNS name → its ARN; `abc123.execute-api...` → the API's id.
fn cloudfront_origins(resources: &mut [Resource]) {
    let balancers: HashMap<String, String> = resources
        .iter()
        .filter(|r| r.kind == "aws_lb")
        .filter_map(|r| Some((r.text("dns_name")?.to_ascii_lowercase(), r.text("arn")?.to_string())))
        .collect();
    for distribution in resources.iter_mut().filter(|r| r.kind == "aws_cloudfront_distribution") {
        let Value::Map(values) = &mut distribution.values else { continue };
        let Some(Value::List(origins)) = values.get_mut("origin") else { continue };
        for origin in origins {
            let Value::Map(origin) = origin else { continue };
            let Some(domain) = origin.get("domain_name").and_then(Value::literal).map(str::to_ascii_lowercase) else {
                continue;
            };
            let target = if let Some(arn) = balancers.get(&domain) {
                Some(arn.clone())
            } else if let Some((bucket, _)) = domain.split_once(".s3.").or_else(|| domain.split_once(".s3-")) {
                Some(bucket.to_string())
            } else {
                domain.split_once(".execute-api.").map(|(api, _)| api.to_string())
            };
            if let Some(target) = target {
                origin.insert("domain_name".to_string(), Value::String(target));
            }
        }
    }
}

/// Arguments that name another resource of the inventory by its id, and
/// the id prefixes that make a value such a name.
const REFERENCES: &[(&str, &str)] = &[
    ("vpc_id", "vpc-"),
    ("subnet_id", "subnet-"),
    ("subnet_ids", "subnet-"),
    ("subnets", "subnet-"),
    ("vpc_config.subnet_ids", "subnet-"),
    ("vpc_security_group_ids", "sg-"),
    ("security_groups", "sg-"),
    ("vpc_config.security_group_ids", "sg-"),
    ("load_balancer_arn", "arn:aws:elasticloadbalancing:"),
    ("target_id", "i-"),
];

/// A reference to an id the inventory does not hold (a subnet whose
/// `ec2 describe-subnets` was not collected) leaves an element outside its
/// boundary or a flow undrawn: a warning at the referring object.
fn dangling_references(resources: &[Resource], warnings: &mut Vec<FileDiagnostic>) {
    let mut known: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for resource in resources {
        known.insert(resource.address.as_str());
        for attribute in ["id", "arn"] {
            if let Some(value) = resource.text(attribute) {
                known.insert(value);
            }
        }
    }
    for resource in resources {
        if resource.kind == "aws_route_table_association" {
            continue;
        }
        for (path, prefix) in REFERENCES {
            let Some(value) = resource.path(path) else { continue };
            for name in value.strings() {
                if name.starts_with(prefix) && !known.contains(name) {
                    warnings.push(FileDiagnostic::warning(
                        &resource.file,
                        Position::new(resource.line.max(1), 1),
                        format!(
                            "{} names `{name}` (`{path}`), which is not in the inventory; collect it for the model \
                             to place and connect {}",
                            resource.address, resource.name
                        ),
                    ));
                }
            }
        }
    }
}

/// The region in the ARNs of the inventory (`arn:aws:SERVICE:REGION:...`).
fn region_of(resources: &[Resource]) -> Option<String> {
    resources.iter().filter_map(|r| r.text("arn")).find_map(|arn| {
        let region = arn.split(':').nth(3)?;
        (!region.is_empty()).then(|| region.to_string())
    })
}

/// Reads an inventory directory: the `.json` outputs and `.error.txt`
/// failures under `root` (recursively, skipping hidden directories),
/// sorted by path. A file is read on its own.
pub(crate) fn read_cli_dir(root: &Path) -> io::Result<Vec<SourceFile>> {
    read_files(root, |name, _| name.ends_with(".json") || name.ends_with(".error.txt"))
}

/// Reads the Config snapshots under `root` (`.json` files that look like
/// one), or the file `root` itself.
pub(crate) fn read_config_dir(root: &Path) -> io::Result<Vec<SourceFile>> {
    read_files(root, |name, text| name.ends_with(".json") && config::is_snapshot(text))
}

fn read_files(root: &Path, wanted: impl Fn(&str, &str) -> bool) -> io::Result<Vec<SourceFile>> {
    crate::source::read_tree(root, &[".json", ".error.txt"], |relative, text| {
        let name = relative.rsplit('/').next().unwrap_or(relative);
        wanted(name, text)
    })
}

/// Whether a directory holds an AWS CLI inventory: an output of a call
/// this importer reads at its top.
pub(crate) fn is_cli_dir(root: &Path) -> bool {
    std::fs::read_dir(root)
        .map(|entries| {
            entries.filter_map(Result::ok).any(|entry| {
                let name = entry.file_name().to_string_lossy().to_string();
                name.ends_with(".json") && cli::is_known_call(&cli::call_of(&name).0)
            })
        })
        .unwrap_or(false)
}
