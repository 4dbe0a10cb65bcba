//! Identity: which role each workload acts with, what its policies allow,
//! and the flows those permissions imply.
//!
//! A policy that allows every action (`"Action": "*"`), or a sensitive or
//! wildcard action on every resource (`"Resource": "*"`), is a warning at
//! the statement's line, and every workload acting with it is tagged
//! `cloud-admin` or `overbroad-iam` (the vocabulary has no capability for
//! cloud permissions, so tags carry it for people and filters). A workload
//! whose policies are all scoped gets the `least-privilege-iam` control.
//! A statement naming another component's ARN draws a flow to it.

use std::collections::BTreeMap;

use rampart_model::Authentication;

use super::Inference;
use crate::builder::FlowSpec;
use crate::terraform::resource::Resource;
use crate::terraform::value::{Value, readable};

const READ: &[&str] = &[
    "aws_iam_role",
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_iam_instance_profile",
    "google_service_account",
    "google_project_iam_member",
    "google_project_iam_binding",
    "azurerm_role_assignment",
    "azurerm_user_assigned_identity",
];

/// Actions that read or change what matters on any resource they reach.
const SENSITIVE_ACTIONS: &[&str] = &[
    "iam:passrole",
    "iam:createaccesskey",
    "iam:attachrolepolicy",
    "iam:putrolepolicy",
    "iam:createuser",
    "sts:assumerole",
    "kms:decrypt",
    "secretsmanager:getsecretvalue",
    "ssm:getparameter",
    "ssm:getparameters",
    "ssm:getparametersbypath",
    "s3:getobject",
    "s3:putobject",
    "s3:deleteobject",
    "s3:putbucketpolicy",
    "dynamodb:scan",
    "dynamodb:getitem",
    "dynamodb:putitem",
    "dynamodb:deleteitem",
    "lambda:updatefunctioncode",
    "ec2:runinstances",
];

/// AWS managed policies that grant (nearly) everything.
const ADMIN_POLICIES: &[&str] = &["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/// A policy document as a value, from a map (`jsonencode`, a policy
/// document data source) or a JSON string (a heredoc, a plan).
pub(super) fn document(policy: &Value) -> Value {
    match policy {
        Value::String(text) => serde_json::from_str::<serde_json::Value>(text.trim())
            .map(|json| Value::from_json(&json))
            .unwrap_or(Value::Unknown),
        other => other.clone(),
    }
}

pub(super) fn statements(document: &Value) -> Vec<&Value> {
    document.get("Statement").map(Value::items).unwrap_or_default()
}

/// `"Principal": "*"` or `{"AWS": "*"}`.
pub(super) fn principal_is_anyone(statement: &Value) -> bool {
    match statement.get("Principal") {
        Some(Value::String(text)) => text == "*",
        Some(Value::Map(map)) => map.values().any(|value| value.strings().contains(&"*")),
        _ => false,
    }
}

/// How broad one statement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Breadth {
    Scoped,
    /// A sensitive or wildcard action on every resource.
    EveryResource,
    /// Every action.
    Everything,
}

fn breadth(statement: &Value) -> (Breadth, Vec<String>) {
    if statement.get("Effect").and_then(Value::literal) != Some("Allow") {
        return (Breadth::Scoped, Vec::new());
    }
    let actions: Vec<String> =
        statement.get("Action").map(|a| a.strings().iter().map(|s| s.to_string()).collect()).unwrap_or_default();
    if actions.iter().any(|action| action == "*" || action == "*:*") || statement.get("NotAction").is_some() {
        return (Breadth::Everything, actions);
    }
    let resources: Vec<&str> = statement.get("Resource").map(Value::strings).unwrap_or_default();
    let every_resource = resources.contains(&"*") || statement.get("NotResource").is_some();
    if every_resource {
        let broad: Vec<String> = actions
            .iter()
            .filter(|action| action.contains('*') || SENSITIVE_ACTIONS.contains(&action.to_ascii_lowercase().as_str()))
            .cloned()
            .collect();
        if !broad.is_empty() {
            return (Breadth::EveryResource, broad);
        }
    }
    (Breadth::Scoped, actions)
}

/// A policy attached to a role, and where it is written.
struct Policy<'e> {
    resource: &'e Resource,
    /// Path of the policy document in the resource (`policy`, `inline_policy.0.policy`).
    path: String,
    document: Value,
    /// For AWS managed policies: the name (`AdministratorAccess`).
    managed: Option<String>,
}

pub(super) fn infer(inference: &mut Inference<'_>) {
    aws(inference);
    gcp(inference);
    inference.mark_read(READ);
}

fn aws(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    // Role → workloads acting with it.
    let mut workloads: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let add = |role: usize, id: &str, workloads: &mut BTreeMap<usize, Vec<String>>| {
        let list = workloads.entry(role).or_default();
        if !list.iter().any(|w| w == id) {
            list.push(id.to_string());
        }
    };
    let ids: Vec<String> = inference.resource_of.keys().cloned().collect();
    for id in &ids {
        for resource in inference.resources_of(id) {
            let mut role_values: Vec<&Value> = Vec::new();
            let mut profile_values: Vec<&Value> = Vec::new();
            match resource.kind.as_str() {
                "aws_lambda_function" => role_values.extend(resource.get("role")),
                "aws_ecs_task_definition" => role_values.extend(resource.get("task_role_arn")),
                "aws_eks_node_group" => role_values.extend(resource.get("node_role_arn")),
                "aws_instance" => profile_values.extend(resource.get("iam_instance_profile")),
                "aws_launch_template" => {
                    profile_values.extend(resource.path("iam_instance_profile.name"));
                    profile_values.extend(resource.path("iam_instance_profile.arn"));
                }
                "aws_launch_configuration" => profile_values.extend(resource.get("iam_instance_profile")),
                _ => {}
            }
            for value in role_values {
                for role in estate.targets_of(value, &["aws_iam_role"]) {
                    add(role, id, &mut workloads);
                }
            }
            for value in profile_values {
                for profile in estate.targets_of(value, &["aws_iam_instance_profile"]) {
                    if let Some(role_value) = estate.get(profile).get("role") {
                        for role in estate.targets_of(role_value, &["aws_iam_role"]) {
                            add(role, id, &mut workloads);
                        }
                    }
                }
            }
        }
    }
    // Role → its policies.
    let mut policies: BTreeMap<usize, Vec<Policy<'_>>> = BTreeMap::new();
    for (index, role) in estate.of_kind(&["aws_iam_role"]) {
        let list = policies.entry(index).or_default();
        for (position, inline) in role.values.blocks("inline_policy").into_iter().enumerate() {
            if let Some(policy) = inline.get("policy") {
                list.push(Policy {
                    resource: role,
                    path: format!("inline_policy.{position}.policy"),
                    document: document(policy),
                    managed: None,
                });
            }
        }
        for arn in role.get("managed_policy_arns").map(Value::items).unwrap_or_default() {
            list.extend(attached_policy(estate, arn, role));
        }
    }
    for (_, role_policy) in estate.of_kind(&["aws_iam_role_policy"]) {
        let (Some(role), Some(policy)) = (role_policy.get("role"), role_policy.get("policy")) else { continue };
        for role in estate.targets_of(role, &["aws_iam_role"]) {
            policies.entry(role).or_default().push(Policy {
                resource: role_policy,
                path: "policy".to_string(),
                document: document(policy),
                managed: None,
            });
        }
    }
    for (_, attachment) in estate.of_kind(&["aws_iam_role_policy_attachment", "aws_iam_policy_attachment"]) {
        let Some(arn) = attachment.get("policy_arn") else { continue };
        let roles_value = attachment.get("role").or_else(|| attachment.get("roles"));
        for role in roles_value.map(|v| estate.targets_of(v, &["aws_iam_role"])).unwrap_or_default() {
            let attached = attached_policy(estate, arn, attachment);
            policies.entry(role).or_default().extend(attached);
        }
    }
    // Every policy, attached or not, is checked once; its workloads are those of the roles it is attached to.
    let mut checked: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (role, list) in &policies {
        let users = workloads.get(role).cloned().unwrap_or_default();
        let mut worst = Breadth::Scoped;
        let mut any = false;
        for policy in list {
            any = true;
            let (policy_worst, _) = policy_breadth(policy);
            worst = worst.max(policy_worst);
            let key = (policy.resource.address.clone(), policy.path.clone());
            let entry = checked.entry(key).or_default();
            for user in &users {
                if !entry.contains(user) {
                    entry.push(user.clone());
                }
            }
            // Flows to what the statements name.
            for statement in statements(&policy.document) {
                if statement.get("Effect").and_then(Value::literal) != Some("Allow") {
                    continue;
                }
                let Some(resources) = statement.get("Resource") else { continue };
                let targets = inference.components_in(resources);
                let actions: Vec<String> = statement
                    .get("Action")
                    .map(|a| a.strings().iter().map(|s| s.to_string()).collect())
                    .unwrap_or_default();
                for user in &users {
                    for target in targets.iter().filter(|t| *t != user) {
                        let data = inference.secret_data_of(target);
                        if let Some(data) = &data {
                            inference.builder.add_processes(user, data);
                        }
                        inference.flow(FlowSpec {
                            from: user.clone(),
                            to: target.clone(),
                            protocol: "https",
                            encrypted: None,
                            authentication: Authentication::CloudIam,
                            data: data.into_iter().collect(),
                            source: policy.resource.source_at(&policy.path),
                            description: format!("{} allows {}", estate.get(*role).address, actions.join(", ")),
                        });
                    }
                }
            }
        }
        for user in &users {
            match worst {
                Breadth::Everything => inference.builder.add_tag(user, "cloud-admin"),
                Breadth::EveryResource => inference.builder.add_tag(user, "overbroad-iam"),
                Breadth::Scoped if any => inference.builder.add_control(user, "least-privilege-iam"),
                Breadth::Scoped => {}
            }
        }
    }
    // Standalone policies attached to nothing in the configuration are still checked.
    for (_, policy) in estate.of_kind(&["aws_iam_policy"]) {
        let key = (policy.address.clone(), "policy".to_string());
        checked.entry(key).or_default();
    }
    for ((address, path), users) in checked {
        let Some(resource) = estate.resolve(&address).first().map(|i| estate.get(*i)) else { continue };
        let policy = if path.starts_with("managed:") {
            let managed = path.trim_start_matches("managed:").to_string();
            Policy { resource, path: "policy_arn".to_string(), document: Value::Null, managed: Some(managed) }
        } else {
            let value = value_at(&resource.values, &path).cloned().unwrap_or(Value::Null);
            Policy { resource, path: path.clone(), document: document(&value), managed: None }
        };
        let (worst, findings) = policy_breadth(&policy);
        if worst == Breadth::Scoped {
            continue;
        }
        let used_by = if users.is_empty() {
            "no workload in the configuration uses it".to_string()
        } else {
            format!("workloads acting with it: {}", users.join(", "))
        };
        let message = match worst {
            Breadth::Everything => {
                format!("{} allows every action ({}); {used_by}", resource.address, findings.join("; "))
            }
            _ => format!("{} allows {} on every resource; {used_by}", resource.address, findings.join(", ")),
        };
        inference.warn(resource, &policy.path, message);
    }
}

/// The value at a dotted path whose numbers index lists: `inline_policy.1.policy`.
fn value_at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.').try_fold(value, |value, part| match (value, part.parse::<usize>()) {
        (Value::List(items), Ok(index)) => items.get(index),
        (Value::Map(map), _) => map.get(part),
        _ => None,
    })
}

fn attached_policy<'e>(
    estate: &'e crate::terraform::resource::Estate,
    arn: &Value,
    written: &'e Resource,
) -> Vec<Policy<'e>> {
    let own: Vec<Policy<'e>> = estate
        .targets_of(arn, &["aws_iam_policy"])
        .into_iter()
        .filter_map(|index| {
            let policy = estate.get(index);
            policy.get("policy").map(|document_value| Policy {
                resource: policy,
                path: "policy".to_string(),
                document: document(document_value),
                managed: None,
            })
        })
        .collect();
    if !own.is_empty() {
        return own;
    }
    match arn.literal().and_then(|text| text.strip_prefix("arn:aws:iam::aws:policy/")) {
        Some(name) => vec![Policy {
            resource: written,
            path: format!("managed:{}", name.rsplit('/').next().unwrap_or(name)),
            document: Value::Null,
            managed: Some(name.rsplit('/').next().unwrap_or(name).to_string()),
        }],
        None => Vec::new(),
    }
}

fn policy_breadth(policy: &Policy<'_>) -> (Breadth, Vec<String>) {
    if let Some(managed) = &policy.managed {
        let breadth = if ADMIN_POLICIES.contains(&managed.as_str()) { Breadth::Everything } else { Breadth::Scoped };
        return (breadth, vec![format!("the AWS managed policy {managed}")]);
    }
    let mut worst = Breadth::Scoped;
    let mut findings = Vec::new();
    for statement in statements(&policy.document) {
        let (breadth, actions) = breadth(statement);
        if breadth > Breadth::Scoped {
            let shown: Vec<String> = actions.iter().map(|a| format!("\"{}\"", readable(a))).collect();
            let finding = match breadth {
                Breadth::Everything if statement.get("NotAction").is_some() => "NotAction".to_string(),
                Breadth::Everything => format!("\"Action\": {}", shown.join(", ")),
                _ => shown.join(", "),
            };
            if !findings.contains(&finding) {
                findings.push(finding);
            }
        }
        worst = worst.max(breadth);
    }
    (worst, findings)
}

/// Google Cloud: `roles/owner` or `roles/editor` granted to a service
/// account that a workload runs as.
fn gcp(inference: &mut Inference<'_>) {
    let estate = inference.estate;
    let mut admin_accounts: Vec<(usize, &Resource, String)> = Vec::new();
    for (_, grant) in estate.of_kind(&["google_project_iam_member", "google_project_iam_binding"]) {
        let role = grant.text("role").unwrap_or_default();
        if !matches!(role, "roles/owner" | "roles/editor") {
            continue;
        }
        let members = grant.get("member").or_else(|| grant.get("members"));
        let accounts = members.map(|m| estate.targets_of(m, &["google_service_account"])).unwrap_or_default();
        let shown = members.map(|m| readable(&m.display_plain())).unwrap_or_default();
        inference.warn(grant, "role", format!("{} grants `{role}` on the project to {shown}", grant.address));
        for account in accounts {
            admin_accounts.push((account, grant, role.to_string()));
        }
    }
    if admin_accounts.is_empty() {
        return;
    }
    let ids: Vec<String> = inference.resource_of.keys().cloned().collect();
    for id in ids {
        let Some(resource) = inference.own_resource(&id) else { continue };
        let mut values: Vec<&Value> = Vec::new();
        values.extend(resource.path("service_account.email"));
        values.extend(resource.path("template.spec.service_account_name"));
        values.extend(resource.path("template.service_account"));
        values.extend(resource.get("service_account_email"));
        values.extend(resource.path("node_config.service_account"));
        for value in values {
            let used: Vec<usize> = estate.targets_of(value, &["google_service_account"]);
            if admin_accounts.iter().any(|(account, ..)| used.contains(account)) {
                inference.builder.add_tag(&id, "cloud-admin");
            }
        }
    }
}
