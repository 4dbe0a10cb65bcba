//! `terraform show -json` of a plan creating N AWS resources.
//!
//! Like a real plan, `planned_values` leaves out what only `apply` knows
//! (ids, ARNs, anything computed from them), and `configuration` lists the
//! references each argument was written with, so the importer has to join
//! the two. Resources are added dependencies first, so that stopping at
//! exactly N never leaves a reference to a resource that is not there.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use super::names::{OUTSIDE_APIS, app_name, identifier};
use crate::rng::SplitMix64;

const PROVIDER: &str = "registry.terraform.io/hashicorp/aws";
const REGIONS: &[&str] = &["eu_west_1", "eu_central_1", "us_east_1", "us_west_2", "ap_southeast_2"];
/// Apps per region (VPC).
const APPS_PER_REGION: usize = 24;
const AZS: usize = 3;

/// The JSON of `terraform show -json plan.out` for a plan creating exactly
/// `resources` AWS resources (fewer than a region's network only when
/// `resources` is that small). The same arguments always give the same text.
pub fn terraform_plan(resources: usize, seed: u64) -> String {
    let mut plan = PlanWriter::new(resources, seed);
    plan.run();
    plan.finish()
}

/// Where a resource is declared: the root module or an app's module call.
#[derive(Clone)]
struct Scope {
    /// `module.orders`, empty for the root module.
    module: String,
    /// Prefix of resource names in the root module (`orders_`), empty in a module.
    prefix: String,
}

impl Scope {
    fn root() -> Scope {
        Scope { module: String::new(), prefix: String::new() }
    }

    fn name(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }
}

/// The region network an app is placed in, as addresses in the root module.
#[derive(Clone)]
struct Network {
    vpc: String,
    public_subnets: String,
    private_subnets: String,
    kms_key: String,
}

/// What apps expose for others to name in their environment.
struct Published {
    table: Option<String>,
    queue: Option<String>,
}

struct PlanWriter {
    rng: SplitMix64,
    target: usize,
    count: usize,
    /// Planned resources per module address ("" for the root).
    planned: BTreeMap<String, Vec<Json>>,
    /// Configuration resources per module address, keyed by (type, name) to add each once.
    configured: BTreeMap<String, Vec<Json>>,
    /// Module calls of the root module: name → (expressions, source).
    calls: BTreeMap<String, Map<String, Json>>,
    changes: Vec<Json>,
    published: Vec<Published>,
}

/// `{"references": ["aws_vpc.main.id", "aws_vpc.main"]}` for an attribute of an address.
fn refs(address: &str, attribute: &str) -> Json {
    json!({ "references": [format!("{address}.{attribute}"), address] })
}

/// References written with `count.index`: Terraform lists the resource and `count.index`.
fn counted_refs(address: &str) -> Json {
    json!({ "references": [address, "count.index"] })
}

fn var(name: &str) -> Json {
    json!({ "references": [format!("var.{name}")] })
}

impl PlanWriter {
    fn new(target: usize, seed: u64) -> PlanWriter {
        PlanWriter {
            rng: SplitMix64::new(seed),
            target,
            count: 0,
            planned: BTreeMap::new(),
            configured: BTreeMap::new(),
            calls: BTreeMap::new(),
            changes: Vec::new(),
            published: Vec::new(),
        }
    }

    fn full(&self) -> bool {
        self.count >= self.target
    }

    /// Adds `count` instances (or one un-counted instance when `count` is
    /// none) of a resource; returns the address to reference it by from its
    /// own scope, or none when the plan is full.
    fn add(
        &mut self,
        scope: &Scope,
        kind: &str,
        name: &str,
        count: Option<usize>,
        values: Json,
        expressions: Json,
    ) -> Option<String> {
        if self.full() {
            return None;
        }
        let name = scope.name(name);
        let local = format!("{kind}.{name}");
        let module_prefix = if scope.module.is_empty() { String::new() } else { format!("{}.", scope.module) };
        let instances: Vec<Option<usize>> = match count {
            Some(n) => (0..n).map(Some).collect(),
            None => vec![None],
        };
        for index in instances {
            if self.full() {
                break;
            }
            let key = index.map(|i| format!("[{i}]")).unwrap_or_default();
            let address = format!("{module_prefix}{local}{key}");
            let mut planned = json!({
                "address": address,
                "mode": "managed",
                "type": kind,
                "name": name,
                "provider_name": PROVIDER,
                "schema_version": 0,
                "values": values,
                "sensitive_values": {},
            });
            let mut change = json!({
                "address": address,
                "mode": "managed",
                "type": kind,
                "name": name,
                "provider_name": PROVIDER,
                "change": {
                    "actions": ["create"],
                    "before": null,
                    "after": values,
                    "after_unknown": { "id": true, "arn": true, "tags_all": true },
                    "before_sensitive": false,
                    "after_sensitive": {},
                },
            });
            if let Some(i) = index {
                planned["index"] = json!(i);
                change["index"] = json!(i);
            }
            if !scope.module.is_empty() {
                change["module_address"] = json!(scope.module);
            }
            self.planned.entry(scope.module.clone()).or_default().push(planned);
            self.changes.push(change);
            self.count += 1;
        }
        let mut configured = json!({
            "address": local,
            "mode": "managed",
            "type": kind,
            "name": name,
            "provider_config_key": "aws",
            "expressions": expressions,
            "schema_version": 0,
        });
        if let Some(n) = count {
            configured["count_expression"] = json!({ "constant_value": n });
        }
        self.configured.entry(scope.module.clone()).or_default().push(configured);
        Some(local)
    }

    fn run(&mut self) {
        let mut app: usize = 0;
        let mut network: Option<Network> = None;
        while !self.full() {
            if app.is_multiple_of(APPS_PER_REGION) {
                network = self.network(app / APPS_PER_REGION);
            }
            let Some(network) = network.clone() else { break };
            self.app(app, &network);
            app += 1;
        }
    }

    /// A region's VPC, subnets, gateways, routes and data key.
    fn network(&mut self, number: usize) -> Option<Network> {
        let root = Scope::root();
        let region = REGIONS[number % REGIONS.len()];
        let name = if number < REGIONS.len() { region.to_string() } else { format!("{region}_{}", number + 1) };
        let aws_region = region.replace('_', "-");
        let octet = number % 250;
        let tags = |what: &str| json!({ "Name": format!("{name}-{what}"), "ManagedBy": "terraform" });
        let vpc = self.add(
            &root,
            "aws_vpc",
            &name,
            None,
            json!({ "cidr_block": format!("10.{octet}.0.0/16"), "enable_dns_hostnames": true,
                    "enable_dns_support": true, "instance_tenancy": "default", "tags": tags("vpc") }),
            json!({}),
        )?;
        let igw = self.add(
            &root,
            "aws_internet_gateway",
            &name,
            None,
            json!({ "tags": tags("igw") }),
            json!({ "vpc_id": refs(&vpc, "id") }),
        )?;
        let mut subnets = Vec::new();
        for (tier, public, offset) in [("public", true, 0), ("private", false, 10)] {
            let subnet = self.add(
                &root,
                "aws_subnet",
                &format!("{name}_{tier}"),
                Some(AZS),
                json!({ "cidr_block": format!("10.{octet}.{offset}.0/20"), "map_public_ip_on_launch": public,
                        "availability_zone": format!("{aws_region}a"), "tags": tags(tier) }),
                json!({ "vpc_id": refs(&vpc, "id"), "cidr_block": { "references": ["count.index"] } }),
            )?;
            subnets.push(subnet);
        }
        let eip = self.add(&root, "aws_eip", &format!("{name}_nat"), None, json!({ "domain": "vpc" }), json!({}))?;
        let nat = self.add(
            &root,
            "aws_nat_gateway",
            &name,
            None,
            json!({ "connectivity_type": "public", "tags": tags("nat") }),
            json!({ "allocation_id": refs(&eip, "id"), "subnet_id": refs(&format!("{}[0]", subnets[0]), "id") }),
        )?;
        for (tier, gateway_key, gateway) in [("public", "gateway_id", &igw), ("private", "nat_gateway_id", &nat)] {
            let table = self.add(
                &root,
                "aws_route_table",
                &format!("{name}_{tier}"),
                None,
                json!({ "route": [{ "cidr_block": "0.0.0.0/0" }], "tags": tags(tier) }),
                json!({ "vpc_id": refs(&vpc, "id"), "route": [{ gateway_key: refs(gateway, "id") }] }),
            )?;
            let subnet = if tier == "public" { &subnets[0] } else { &subnets[1] };
            self.add(
                &root,
                "aws_route_table_association",
                &format!("{name}_{tier}"),
                Some(AZS),
                json!({}),
                json!({ "subnet_id": counted_refs(subnet), "route_table_id": refs(&table, "id") }),
            )?;
        }
        let kms_key = self.add(
            &root,
            "aws_kms_key",
            &format!("{name}_data"),
            None,
            json!({ "description": format!("Data at rest in {aws_region}"), "enable_key_rotation": true,
                    "deletion_window_in_days": 30, "key_usage": "ENCRYPT_DECRYPT" }),
            json!({}),
        )?;
        self.add(
            &root,
            "aws_kms_alias",
            &format!("{name}_data"),
            None,
            json!({ "name": format!("alias/{}-data", name.replace('_', "-")) }),
            json!({ "target_key_id": refs(&kms_key, "key_id") }),
        )?;
        Some(Network { vpc, public_subnets: subnets[0].clone(), private_subnets: subnets[1].clone(), kms_key })
    }

    /// One application: some of an edge tier, compute, a database, storage
    /// and asynchronous work, in a module call or flat in the root module.
    fn app(&mut self, index: usize, network: &Network) {
        let app = app_name(index);
        let flat = index.is_multiple_of(3);
        let scope = if flat {
            Scope { module: String::new(), prefix: format!("{}_", identifier(&app)) }
        } else {
            Scope { module: format!("module.{}", identifier(&app)), prefix: String::new() }
        };
        // How the app's resources name the network: directly, or through module inputs.
        let net = |what: &str| -> Json {
            let (address, attribute) = match what {
                "vpc_id" => (network.vpc.as_str(), "id"),
                "public_subnet_ids" => (network.public_subnets.as_str(), "id"),
                "private_subnet_ids" => (network.private_subnets.as_str(), "id"),
                _ => (network.kms_key.as_str(), "arn"),
            };
            if flat {
                if attribute == "id" && what.contains("subnet") {
                    json!({ "references": [address] })
                } else {
                    refs(address, attribute)
                }
            } else {
                var(what)
            }
        };
        if !flat {
            let mut expressions = Map::new();
            expressions.insert("name".into(), json!({ "constant_value": app }));
            expressions.insert("vpc_id".into(), refs(&network.vpc, "id"));
            expressions.insert("public_subnet_ids".into(), json!({ "references": [network.public_subnets] }));
            expressions.insert("private_subnet_ids".into(), json!({ "references": [network.private_subnets] }));
            expressions.insert("kms_key_arn".into(), refs(&network.kms_key, "arn"));
            self.calls.insert(identifier(&app), expressions);
        }
        let edge = self.rng.chance(60);
        let lambda = !edge || self.rng.chance(50);
        let database = self.rng.chance(55);
        let storage = self.rng.chance(70);
        let tags = json!({ "App": app, "Team": format!("team-{}", index % 9), "Environment": "production" });

        let app_sg = self.security_group(&scope, "app", &app, &net("vpc_id"));
        let mut published = Published { table: None, queue: None };
        if edge {
            self.edge(&scope, &app, &net, app_sg.as_deref(), &tags);
        }
        if database && let Some(app_sg) = &app_sg {
            self.database(&scope, &app, &net, app_sg, &tags);
        }
        let bucket = if storage { self.storage(&scope, &app, &net) } else { None };
        if lambda {
            let queue_name = format!("{app}-jobs");
            let table_name = format!("{app}-events");
            let queue = self.add(
                &scope,
                "aws_sqs_queue",
                "jobs",
                None,
                json!({ "name": queue_name, "message_retention_seconds": 345_600, "visibility_timeout_seconds": 60,
                        "sqs_managed_sse_enabled": true, "tags": tags }),
                json!({}),
            );
            let table = self.add(
                &scope,
                "aws_dynamodb_table",
                "events",
                None,
                json!({ "name": table_name, "billing_mode": "PAY_PER_REQUEST", "hash_key": "pk", "range_key": "sk",
                        "attribute": [{ "name": "pk", "type": "S" }, { "name": "sk", "type": "S" }],
                        "point_in_time_recovery": [{ "enabled": true }],
                        "server_side_encryption": [{ "enabled": true }], "tags": tags }),
                json!({ "server_side_encryption": [{ "kms_key_arn": net("kms_key_arn") }] }),
            );
            if queue.is_some() {
                published.queue = Some(queue_name.clone());
            }
            if table.is_some() {
                published.table = Some(table_name.clone());
            }
            self.worker(&scope, &app, &net, app_sg.as_deref(), queue.as_deref(), &table_name, bucket.as_deref(), &tags);
        }
        self.published.push(published);
    }

    fn security_group(&mut self, scope: &Scope, role: &str, app: &str, vpc: &Json) -> Option<String> {
        self.add(
            scope,
            "aws_security_group",
            role,
            None,
            json!({ "name": format!("{app}-{role}"), "description": format!("{role} tier of {app}"),
                    "egress": [{ "from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"],
                                 "ipv6_cidr_blocks": [], "prefix_list_ids": [], "security_groups": [],
                                 "self": false, "description": "" }],
                    "tags": { "Name": format!("{app}-{role}") } }),
            json!({ "vpc_id": vpc }),
        )
    }

    /// An ingress rule of `group` from another group or from CIDR ranges.
    fn ingress(&mut self, scope: &Scope, name: &str, group: &str, port: u16, from: Result<&str, &str>) {
        let (values, expressions) = match from {
            Ok(source_group) => (
                json!({ "type": "ingress", "from_port": port, "to_port": port, "protocol": "tcp" }),
                json!({ "security_group_id": refs(group, "id"), "source_security_group_id": refs(source_group, "id") }),
            ),
            Err(cidr) => (
                json!({ "type": "ingress", "from_port": port, "to_port": port, "protocol": "tcp",
                        "cidr_blocks": [cidr] }),
                json!({ "security_group_id": refs(group, "id") }),
            ),
        };
        self.add(scope, "aws_security_group_rule", name, None, values, expressions);
    }

    /// An internet-facing load balancer in front of instances.
    fn edge(&mut self, scope: &Scope, app: &str, net: &dyn Fn(&str) -> Json, app_sg: Option<&str>, tags: &Json) {
        let Some(lb_sg) = self.security_group(scope, "lb", app, &net("vpc_id")) else { return };
        self.ingress(scope, "lb_https", &lb_sg, 443, Err("0.0.0.0/0"));
        self.ingress(scope, "lb_http", &lb_sg, 80, Err("0.0.0.0/0"));
        if let Some(app_sg) = app_sg {
            self.ingress(scope, "app_from_lb", app_sg, 8080, Ok(&lb_sg));
        }
        let internal = self.rng.chance(25);
        let Some(lb) = self.add(
            scope,
            "aws_lb",
            "this",
            None,
            json!({ "name": format!("{app}-alb"), "internal": internal, "load_balancer_type": "application",
                    "drop_invalid_header_fields": true, "idle_timeout": 60, "tags": tags }),
            json!({ "subnets": net(if internal { "private_subnet_ids" } else { "public_subnet_ids" }),
                    "security_groups": { "references": [format!("{lb_sg}.id"), lb_sg] } }),
        ) else {
            return;
        };
        let Some(group) = self.add(
            scope,
            "aws_lb_target_group",
            "app",
            None,
            json!({ "name": format!("{app}-app"), "port": 8080, "protocol": "HTTP", "target_type": "instance",
                    "health_check": [{ "path": "/healthz", "matcher": "200", "protocol": "HTTP" }] }),
            json!({ "vpc_id": net("vpc_id") }),
        ) else {
            return;
        };
        self.add(
            scope,
            "aws_lb_listener",
            "https",
            None,
            json!({ "port": 443, "protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    "default_action": [{ "type": "forward" }] }),
            json!({ "load_balancer_arn": refs(&lb, "arn"),
                    "default_action": [{ "target_group_arn": refs(&group, "arn") }] }),
        );
        self.add(
            scope,
            "aws_lb_listener",
            "http",
            None,
            json!({ "port": 80, "protocol": "HTTP",
                    "default_action": [{ "type": "redirect",
                        "redirect": [{ "port": "443", "protocol": "HTTPS", "status_code": "HTTP_301" }] }] }),
            json!({ "load_balancer_arn": refs(&lb, "arn") }),
        );
        let instances = 1 + self.rng.below(3);
        let mut instance_expressions = json!({ "subnet_id": net("private_subnet_ids") });
        if let Some(app_sg) = app_sg {
            instance_expressions["vpc_security_group_ids"] = json!({ "references": [format!("{app_sg}.id"), app_sg] });
        }
        let instance_type = *self.rng.pick(&["t3.medium", "m6i.large", "c6g.xlarge"]);
        let Some(instance) = self.add(
            scope,
            "aws_instance",
            "app",
            Some(instances),
            json!({ "ami": "ami-0c1a7f89451184c8b", "instance_type": instance_type,
                    "associate_public_ip_address": false, "monitoring": true,
                    "metadata_options": [{ "http_endpoint": "enabled", "http_tokens": "required" }],
                    "root_block_device": [{ "encrypted": true, "volume_size": 30, "volume_type": "gp3" }],
                    "tags": tags }),
            instance_expressions,
        ) else {
            return;
        };
        self.add(
            scope,
            "aws_lb_target_group_attachment",
            "app",
            Some(instances),
            json!({ "port": 8080 }),
            json!({ "target_group_arn": refs(&group, "arn"), "target_id": counted_refs(&instance) }),
        );
    }

    fn database(&mut self, scope: &Scope, app: &str, net: &dyn Fn(&str) -> Json, app_sg: &str, tags: &Json) {
        let Some(db_sg) = self.security_group(scope, "db", app, &net("vpc_id")) else { return };
        self.ingress(scope, "db_from_app", &db_sg, 5432, Ok(app_sg));
        let Some(group) = self.add(
            scope,
            "aws_db_subnet_group",
            "db",
            None,
            json!({ "name": format!("{app}-db"), "description": format!("Private subnets of {app}") }),
            json!({ "subnet_ids": net("private_subnet_ids") }),
        ) else {
            return;
        };
        let iam_auth = self.rng.chance(50);
        self.add(
            scope,
            "aws_db_instance",
            "db",
            None,
            json!({ "identifier": format!("{app}-db"), "engine": "postgres", "engine_version": "16.3",
                    "instance_class": "db.t4g.medium", "allocated_storage": 50, "storage_encrypted": true,
                    "publicly_accessible": false, "backup_retention_period": 7, "multi_az": true,
                    "iam_database_authentication_enabled": iam_auth, "username": "app", "db_name": identifier(app),
                    "manage_master_user_password": true, "deletion_protection": true, "tags": tags }),
            json!({ "db_subnet_group_name": refs(&group, "name"), "kms_key_id": net("kms_key_arn"),
                    "vpc_security_group_ids": { "references": [format!("{db_sg}.id"), db_sg] } }),
        );
    }

    /// A bucket with its satellites; returns the bucket's name.
    fn storage(&mut self, scope: &Scope, app: &str, net: &dyn Fn(&str) -> Json) -> Option<String> {
        let name = format!("{app}-data-{:08x}", self.rng.next_u64() as u32);
        let classification = *self.rng.pick(&["confidential", "internal", "restricted"]);
        let bucket = self.add(
            scope,
            "aws_s3_bucket",
            "data",
            None,
            json!({ "bucket": name, "force_destroy": false, "object_lock_enabled": false,
                    "tags": { "App": app, "Classification": classification } }),
            json!({}),
        )?;
        self.add(
            scope,
            "aws_s3_bucket_public_access_block",
            "data",
            None,
            json!({ "block_public_acls": true, "block_public_policy": true, "ignore_public_acls": true,
                    "restrict_public_buckets": true }),
            json!({ "bucket": refs(&bucket, "id") }),
        )?;
        self.add(
            scope,
            "aws_s3_bucket_server_side_encryption_configuration",
            "data",
            None,
            json!({ "rule": [{ "bucket_key_enabled": true,
                               "apply_server_side_encryption_by_default": [{ "sse_algorithm": "aws:kms" }] }] }),
            json!({ "bucket": refs(&bucket, "id"),
                    "rule": [{ "apply_server_side_encryption_by_default": [{ "kms_master_key_id": net("kms_key_arn") }] }] }),
        )?;
        self.add(
            scope,
            "aws_s3_bucket_versioning",
            "data",
            None,
            json!({ "versioning_configuration": [{ "status": "Enabled" }] }),
            json!({ "bucket": refs(&bucket, "id") }),
        )?;
        Some(name)
    }

    /// A Lambda function fed by the app's queue, with a role and
    /// environment variables naming its table, bucket, other apps' tables
    /// and queues, and an outside API.
    #[allow(clippy::too_many_arguments)]
    fn worker(
        &mut self,
        scope: &Scope,
        app: &str,
        net: &dyn Fn(&str) -> Json,
        app_sg: Option<&str>,
        queue: Option<&str>,
        table_name: &str,
        bucket: Option<&str>,
        tags: &Json,
    ) {
        let assume = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let Some(role) = self.add(
            scope,
            "aws_iam_role",
            "worker",
            None,
            json!({ "name": format!("{app}-worker"), "assume_role_policy": assume, "max_session_duration": 3600 }),
            json!({}),
        ) else {
            return;
        };
        let wildcard = self.rng.chance(15);
        let resource = if wildcard { "*".to_string() } else { format!("arn:aws:dynamodb:*:*:table/{table_name}") };
        let policy = json!({ "Version": "2012-10-17", "Statement": [
            { "Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:Query", "dynamodb:GetItem"], "Resource": resource },
            { "Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
              "Resource": format!("arn:aws:sqs:*:*:{app}-jobs") } ] });
        self.add(
            scope,
            "aws_iam_role_policy",
            "worker",
            None,
            json!({ "name": format!("{app}-worker-data"), "policy": policy.to_string() }),
            json!({ "role": refs(&role, "id") }),
        );
        self.add(
            scope,
            "aws_iam_role_policy_attachment",
            "worker_logs",
            None,
            json!({ "policy_arn": "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }),
            json!({ "role": refs(&role, "name") }),
        );
        let mut variables = Map::new();
        variables.insert("TABLE_NAME".into(), json!(table_name));
        variables.insert("LOG_LEVEL".into(), json!("info"));
        if let Some(bucket) = bucket {
            variables.insert("BUCKET_NAME".into(), json!(bucket));
        }
        // Other apps' tables and queues, by name, as teams wire services together.
        let others = self.published.len();
        if others > 0 {
            for _ in 0..2 {
                let other = &self.published[self.rng.below(others)];
                if let Some(table) = &other.table {
                    variables.insert(format!("{}_TABLE", identifier(table).to_ascii_uppercase()), json!(table));
                }
                if let Some(queue) = &other.queue {
                    variables.insert(format!("{}_QUEUE", identifier(queue).to_ascii_uppercase()), json!(queue));
                }
            }
        }
        if self.rng.chance(40) {
            variables.insert("PARTNER_API_URL".into(), json!(*self.rng.pick(OUTSIDE_APIS)));
        }
        if self.rng.chance(10) {
            variables.insert("PARTNER_API_TOKEN".into(), json!("sk_live_4eC39HqLyjWDarjtT1zdp7dc"));
        }
        let mut expressions = json!({ "role": refs(&role, "arn") });
        if let Some(app_sg) = app_sg {
            expressions["vpc_config"] = json!([{ "subnet_ids": net("private_subnet_ids"),
                                                 "security_group_ids": { "references": [format!("{app_sg}.id"), app_sg] } }]);
        }
        let runtime = *self.rng.pick(&["python3.12", "nodejs20.x", "java21"]);
        let Some(function) = self.add(
            scope,
            "aws_lambda_function",
            "worker",
            None,
            json!({ "function_name": format!("{app}-worker"), "runtime": runtime,
                    "handler": "app.handler", "memory_size": 512, "timeout": 30, "package_type": "Zip",
                    "s3_bucket": "artifacts-build", "s3_key": format!("{app}/worker.zip"),
                    "environment": [{ "variables": variables }], "tracing_config": [{ "mode": "Active" }],
                    "tags": tags }),
            expressions,
        ) else {
            return;
        };
        if let Some(queue) = queue {
            self.add(
                scope,
                "aws_lambda_event_source_mapping",
                "jobs",
                None,
                json!({ "batch_size": 10, "enabled": true, "maximum_batching_window_in_seconds": 5 }),
                json!({ "event_source_arn": refs(queue, "arn"), "function_name": refs(&function, "arn") }),
            );
        }
        self.add(
            scope,
            "aws_cloudwatch_log_group",
            "worker",
            None,
            json!({ "name": format!("/aws/lambda/{app}-worker"), "retention_in_days": 30 }),
            json!({}),
        );
    }

    fn finish(mut self) -> String {
        let root_resources = self.planned.remove("").unwrap_or_default();
        let child_modules: Vec<Json> = self
            .planned
            .into_iter()
            .map(|(address, resources)| json!({ "address": address, "resources": resources }))
            .collect();
        let root_config = self.configured.remove("").unwrap_or_default();
        let mut module_calls = Map::new();
        for (name, expressions) in self.calls {
            let resources = self.configured.remove(&format!("module.{name}")).unwrap_or_default();
            let variables: Map<String, Json> =
                expressions.keys().map(|key| (key.clone(), json!({ "description": key.replace('_', " ") }))).collect();
            module_calls.insert(
                name,
                json!({ "source": "./modules/service", "expressions": expressions,
                        "module": { "resources": resources, "variables": variables } }),
            );
        }
        let configuration = json!({
            "provider_config": { "aws": { "name": "aws", "full_name": PROVIDER,
                "expressions": { "region": { "constant_value": "eu-west-1" } } } },
            "root_module": { "resources": root_config, "module_calls": module_calls },
        });
        let planned = json!({ "root_module": { "resources": root_resources, "child_modules": child_modules } });
        // Top-level keys in Terraform's order (serde_json sorts map keys), so
        // `format_version` comes first as readers expect.
        let sections: [(&str, Json); 6] = [
            ("format_version", json!("1.2")),
            ("terraform_version", json!("1.9.5")),
            ("planned_values", planned),
            ("resource_changes", Json::Array(self.changes)),
            ("configuration", configuration),
            ("timestamp", json!("2026-01-15T09:30:00Z")),
        ];
        let body: Vec<String> = sections
            .iter()
            .map(|(key, value)| format!("  \"{key}\": {}", serde_json::to_string_pretty(value).unwrap_or_default()))
            .collect();
        format!("{{\n{}\n}}\n", body.join(",\n"))
    }
}
