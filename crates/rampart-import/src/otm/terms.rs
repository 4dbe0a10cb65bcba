//! Terms shared by the interchange formats (OTM and CycloneDX TM-BOM): the
//! knowledge base's catalog types and protocols as this crate knows them,
//! other tools' element types and protocol names mapped onto them, and the
//! 0-100 scales of those formats mapped onto Rampart's steps.
//!
//! The importer has no knowledge base at hand (no IO), so the catalog and
//! protocol ids are listed here; a type that is not listed falls back to the
//! generic `service` with a warning, and validation against the real
//! knowledge base stays the caller's final check.

use rampart_model::{Rating, Status, Trust};

/// Catalog types of the shipped knowledge base that components may have.
const COMPONENT_KINDS: &[&str] = &[
    "llm-model-endpoint",
    "hosted-llm-api",
    "llm-chat-app",
    "llm-agent",
    "llm-tool",
    "rag-vector-store",
    "embedding-service",
    "training-pipeline",
    "training-dataset-store",
    "model-registry",
    "model-hub",
    "virtual-machine",
    "aws-ec2",
    "azure-vm",
    "gcp-compute-engine",
    "aws-lambda",
    "azure-functions",
    "gcp-cloud-functions",
    "gcp-cloud-run",
    "container-platform",
    "aws-ecs",
    "aws-eks",
    "azure-aks",
    "gcp-gke",
    "container-registry",
    "aws-ecr",
    "azure-container-registry",
    "gcp-artifact-registry",
    "aws-rds",
    "azure-sql-database",
    "gcp-cloud-sql",
    "aws-dynamodb",
    "azure-cosmos-db",
    "gcp-firestore",
    "gcp-bigquery",
    "aws-elasticache",
    "azure-cache-for-redis",
    "gcp-memorystore",
    "aws-opensearch",
    "aws-s3",
    "azure-blob-storage",
    "gcp-cloud-storage",
    "aws-sqs",
    "aws-sns",
    "aws-kinesis",
    "aws-msk",
    "azure-service-bus",
    "azure-event-hubs",
    "gcp-pubsub",
    "aws-iam",
    "azure-entra-id",
    "gcp-iam",
    "aws-kms",
    "azure-key-vault",
    "gcp-cloud-kms",
    "aws-secrets-manager",
    "gcp-secret-manager",
    "cloud-instance-metadata",
    "aws-vpc",
    "azure-virtual-network",
    "gcp-vpc",
    "aws-security-group",
    "azure-network-security-group",
    "gcp-firewall-rules",
    "aws-elb",
    "aws-api-gateway",
    "azure-api-management",
    "gcp-api-gateway",
    "aws-route53",
    "azure-dns",
    "gcp-cloud-dns",
    "kubernetes-api-server",
    "etcd",
    "kubernetes-secret-store",
    "admission-controller",
    "kubernetes-node",
    "container-runtime",
    "kubernetes-workload",
    "kubernetes-ingress",
    "service-mesh-control-plane",
    "sidecar-proxy",
    "gitops-operator",
    "cluster-dashboard",
    "public-container-registry",
    "relational-database",
    "document-database",
    "key-value-store",
    "cache",
    "object-storage",
    "file-share",
    "message-queue",
    "event-stream",
    "search-index",
    "data-warehouse",
    "graph-database",
    "time-series-database",
    "file-transfer-server",
    "backup-storage",
    "payment-processor",
    "email-service",
    "sms-gateway",
    "third-party-api",
    "social-login-provider",
    "plc",
    "rtu",
    "safety-instrumented-system",
    "iot-device",
    "iot-gateway",
    "hmi",
    "scada-server",
    "historian",
    "engineering-workstation",
    "ot-jump-host",
    "industrial-firewall",
    "mqtt-broker",
    "iot-platform",
    "firmware-update-service",
    "mobile-app",
    "lorawan-network-server",
    "building-management-system",
    "protocol-gateway",
    "identity-provider",
    "secrets-vault",
    "external-system",
    "directory-service",
    "oauth-authorization-server",
    "saml-identity-provider",
    "hsm",
    "certificate-authority",
    "password-manager",
    "ios-app",
    "android-app",
    "deep-link-handler",
    "mobile-sdk",
    "mobile-backend",
    "push-notification-service",
    "app-store",
    "source-repository",
    "ci-pipeline",
    "self-hosted-runner",
    "artifact-registry",
    "package-registry",
    "package-dependencies",
    "code-signing-service",
    "deployment-pipeline",
    "developer-workstation",
    "web-app",
    "spa",
    "rest-api",
    "graphql-api",
    "grpc-service",
    "api-gateway",
    "waf",
    "reverse-proxy",
    "load-balancer",
    "cdn",
    "background-worker",
    "service",
    "soap-service",
    "websocket-server",
    "static-website",
    "backend-for-frontend",
    "cms",
    "scheduler",
];

/// Catalog types that only actors may have: people.
const PERSON_KINDS: &[&str] =
    &["anonymous-visitor", "partner-user", "support-agent", "developer", "user", "administrator"];

/// Protocols of the shipped vocabulary.
const PROTOCOLS: &[&str] = &[
    "telnet",
    "rdp",
    "vnc",
    "snmp",
    "smb",
    "nfs",
    "ftps",
    "vpn",
    "https",
    "http",
    "grpc",
    "websocket",
    "sql",
    "tls",
    "tcp",
    "amqp",
    "kafka",
    "redis",
    "ldap",
    "ldaps",
    "smtp",
    "ssh",
    "ftp",
    "dns",
    "modbus",
    "dnp3",
    "s7",
    "opc-ua",
    "ethernet-ip",
    "iec-104",
    "bacnet",
    "mqtt",
    "mqtts",
    "coap",
    "coaps",
    "ble",
    "zigbee",
    "lorawan",
    "upnp",
    "ntp",
];

/// The protocol Rampart assumes when a flow names none.
pub(crate) const DEFAULT_PROTOCOL: &str = "https";

/// Whether `kind` is a catalog type for people (actors only).
pub(crate) fn is_person_kind(kind: &str) -> bool {
    PERSON_KINDS.contains(&kind)
}

/// Whether `kind` is a catalog type an actor may have: people and outside parties.
pub(crate) fn is_actor_kind(kind: &str) -> bool {
    is_person_kind(kind)
        || matches!(
            kind,
            "external-system"
                | "payment-processor"
                | "email-service"
                | "sms-gateway"
                | "third-party-api"
                | "social-login-provider"
                | "hosted-llm-api"
                | "model-hub"
                | "public-container-registry"
                | "push-notification-service"
                | "app-store"
                | "package-registry"
                | "package-dependencies"
        )
}

/// How faithfully another tool's term is carried over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Same meaning.
    Exact,
    /// The closest Rampart term; the import warns so that the user can refine it.
    Closest,
}

/// What an element type of another tool becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ElementKind {
    Actor(&'static str, Fit),
    Component(&'static str, Fit),
    /// A network container (VPC, subnet): a boundary in Rampart.
    Boundary,
}

/// Lower-cases and turns `_`, spaces and dots into `-`, so `Web_Service`,
/// `web service` and `web-service` read alike.
pub(crate) fn normalise(term: &str) -> String {
    crate::ids::slugify(term)
}

/// What an element type (OTM component `type`, IriusRisk component
/// definitions, pytm element classes) becomes. `None` for a type no table
/// knows: the caller falls back to `service` and warns.
pub(crate) fn element_kind(raw: &str) -> Option<ElementKind> {
    use ElementKind::{Actor, Boundary, Component};
    use Fit::{Closest, Exact};
    let term = normalise(raw);
    let term = term.as_str();
    if let Some(kind) = PERSON_KINDS.iter().find(|kind| **kind == term) {
        return Some(Actor(kind, Exact));
    }
    // Also a component type, but in a model of another tool an outside system.
    if term == "external-system" {
        return Some(Actor("external-system", Exact));
    }
    if let Some(kind) = COMPONENT_KINDS.iter().find(|kind| **kind == term) {
        return Some(Component(kind, Exact));
    }
    let mapped = match term {
        "web-client" | "browser" | "web-browser" | "human" | "actor" | "end-user" => Actor("user", Exact),
        "admin" | "operator" => Actor("administrator", Exact),
        "generic-client" | "client" | "external-entity" | "externalentity" | "external-service" | "third-party" => {
            Actor("external-system", Closest)
        }
        "vpc"
        | "subnet"
        | "aws-subnet"
        | "network"
        | "virtual-network"
        | "vnet"
        | "boundary"
        | "trust-zone"
        | "trust-boundary"
        | "namespace"
        | "kubernetes-namespace" => Boundary,
        "web-service"
        | "web-application"
        | "web-application-server-side"
        | "web-server"
        | "server"
        | "application-server"
        | "webapp" => Component("web-app", Exact),
        "rest-service" | "rest-full-web-service" | "restful-web-service" | "api" | "web-api" => {
            Component("rest-api", Exact)
        }
        "soap-web-service" => Component("soap-service", Exact),
        "database" | "sql-database" | "rdbms" | "mysql" | "postgresql" | "postgres" | "sql-server" | "oracle"
        | "mariadb" => Component("relational-database", Exact),
        "nosql-database" | "mongodb" | "couchdb" => Component("document-database", Exact),
        "datastore" | "data-store" => Component("relational-database", Closest),
        "redis" | "memcached" => Component("cache", Exact),
        "elasticsearch" | "opensearch" => Component("search-index", Exact),
        "kafka" => Component("event-stream", Exact),
        "rabbitmq" | "message-broker" | "queue" => Component("message-queue", Exact),
        "rds" | "aurora" => Component("aws-rds", Exact),
        "dynamodb" => Component("aws-dynamodb", Exact),
        "s3" | "aws-s3-bucket" => Component("aws-s3", Exact),
        "sqs" => Component("aws-sqs", Exact),
        "sns" => Component("aws-sns", Exact),
        "kinesis" | "kinesis-data-streams" => Component("aws-kinesis", Exact),
        "lambda" | "aws-lambda-function" => Component("aws-lambda", Exact),
        "ec2" => Component("aws-ec2", Exact),
        "elastic-container-service" | "ecs" => Component("aws-ecs", Exact),
        "elastic-kubernetes-service" | "eks" => Component("aws-eks", Exact),
        "elastic-container-registry" | "ecr" => Component("aws-ecr", Exact),
        "elasticache" => Component("aws-elasticache", Exact),
        "kms" => Component("aws-kms", Exact),
        "secrets-manager" => Component("aws-secrets-manager", Exact),
        "cognito" => Component("identity-provider", Closest),
        "cloudfront" => Component("cdn", Exact),
        "route-53" | "route53" => Component("aws-route53", Exact),
        "elastic-load-balancing" | "elb" | "alb" | "nlb" => Component("aws-elb", Exact),
        "api-gateway-aws" => Component("aws-api-gateway", Exact),
        "docker-container" | "container" | "kubernetes-pod" | "pod" => Component("kubernetes-workload", Closest),
        "kubernetes" | "kubernetes-cluster" => Component("container-platform", Exact),
        "function" | "serverless-function" => Component("aws-lambda", Closest),
        "process" | "set-of-processes" | "setofprocesses" | "microservice" => Component("service", Exact),
        "worker" | "batch" => Component("background-worker", Exact),
        "mobile-client" | "android-device-client" | "ios-device-client" => Component("mobile-app", Exact),
        "single-page-application" => Component("spa", Exact),
        "ldap" | "active-directory" => Component("directory-service", Exact),
        "vault" => Component("secrets-vault", Exact),
        "oauth-server" | "authorization-server" => Component("oauth-authorization-server", Exact),
        "firewall" => Component("waf", Closest),
        "proxy" | "nginx" => Component("reverse-proxy", Exact),
        "git-repository" | "repository" => Component("source-repository", Exact),
        "ci-cd" | "build-server" | "jenkins" => Component("ci-pipeline", Exact),
        _ => return None,
    };
    Some(mapped)
}

/// The protocol a flow's tag or protocol field names, if it names one Rampart knows.
pub(crate) fn protocol(raw: &str) -> Option<&'static str> {
    let term = normalise(raw);
    if let Some(known) = PROTOCOLS.iter().find(|protocol| **protocol == term) {
        return Some(known);
    }
    let mapped = match term.as_str() {
        "mysql" | "postgresql" | "postgres" | "jdbc" | "odbc" | "tds" | "sql-server" | "oracle-net" => "sql",
        "https-tls" | "http-tls" | "rest" | "soap" | "https-rest" => "https",
        "ws" | "wss" | "websockets" => "websocket",
        "smtps" => "smtp",
        "sftp" | "scp" => "ssh",
        "mongodb" | "nosql" => "tcp",
        "rabbitmq" => "amqp",
        "rdp-tls" => "rdp",
        // Well-known ports, as infrastructure-derived models tag their flows.
        "443" | "8443" => "https",
        "80" | "8080" => "http",
        "22" => "ssh",
        "3306" | "5432" | "1433" | "1521" => "sql",
        "6379" => "redis",
        "5672" => "amqp",
        "9092" => "kafka",
        "1883" => "mqtt",
        "8883" => "mqtts",
        "389" => "ldap",
        "636" => "ldaps",
        "25" | "587" => "smtp",
        "53" => "dns",
        "502" => "modbus",
        _ => return None,
    };
    Some(mapped)
}

/// A 0-100 trust rating (OTM `trustRating`) on Rampart's four steps.
pub(crate) fn trust_from_rating(rating: f64) -> Trust {
    match rating {
        r if r < 25.0 => Trust::Untrusted,
        r if r < 50.0 => Trust::Partner,
        r if r < 85.0 => Trust::Internal,
        _ => Trust::Restricted,
    }
}

#[cfg(test)]
/// The 0-100 rating written for a trust level; reads back as the same level.
/// (rampart-report's `otm` and `cyclonedx` exports write these values.)
pub(crate) fn rating_from_trust(trust: Trust) -> u8 {
    match trust {
        Trust::Untrusted => 10,
        Trust::Partner => 35,
        Trust::Internal => 70,
        Trust::Restricted => 100,
    }
}

/// A 0-100 confidentiality, integrity or availability value on Rampart's four steps.
pub(crate) fn rating_from_score(score: f64) -> Rating {
    match score {
        s if s < 25.0 => Rating::Low,
        s if s < 55.0 => Rating::Medium,
        s if s < 85.0 => Rating::High,
        _ => Rating::Critical,
    }
}

#[cfg(test)]
/// The 0-100 value written for a rating; reads back as the same rating.
pub(crate) fn score_from_rating(rating: Rating) -> u8 {
    match rating {
        Rating::Low => 0,
        Rating::Medium => 40,
        Rating::High => 70,
        Rating::Critical => 100,
    }
}

/// A 0-100 likelihood or impact on the 1-5 scale: 0, 25, 50, 75 and 100 are
/// the steps, values in between round to the nearest. `None` outside 0-100.
pub(crate) fn step_from_percent(percent: f64) -> Option<u8> {
    if !(0.0..=100.0).contains(&percent) {
        return None;
    }
    // In range, so the cast cannot truncate: 0.0..=4.0 plus one.
    Some((percent / 25.0).round() as u8 + 1)
}

#[cfg(test)]
/// The 0-100 value written for a 1-5 step (fractional once controls apply).
pub(crate) fn percent_from_step(step: f32) -> u8 {
    let clamped = step.clamp(1.0, 5.0);
    ((clamped - 1.0) * 25.0).round() as u8
}

/// The STRIDE category a threat category names (`Spoofing`, `Information
/// Disclosure`, `denial-of-service`, `EoP`...).
pub(crate) fn stride_category(raw: &str) -> Option<&'static str> {
    let mapped = match normalise(raw).as_str() {
        "spoofing" | "s" | "spoofing-identity" => "spoofing",
        "tampering" | "t" | "tampering-with-data" => "tampering",
        "repudiation" | "r" => "repudiation",
        "information-disclosure" | "i" | "info-disclosure" | "disclosure" => "information-disclosure",
        "denial-of-service" | "d" | "dos" => "denial-of-service",
        "elevation-of-privilege" | "e" | "eop" | "elevation-of-privileges" | "privilege-escalation" => {
            "elevation-of-privilege"
        }
        _ => return None,
    };
    Some(mapped)
}

/// A CWE reference (`CWE-79`, `cwe 79`, `79`) as its number.
pub(crate) fn cwe_number(raw: &str) -> Option<u32> {
    let trimmed = raw.trim();
    let digits = trimmed
        .get(..3)
        .filter(|prefix| prefix.eq_ignore_ascii_case("cwe"))
        .map_or(trimmed, |_| trimmed.get(3..).unwrap_or_default().trim_start_matches([' ', '-', ':']));
    digits.parse().ok()
}

/// A threat state or status (`exposed`, `Mitigated`, `not-applicable`,
/// `in_triage`...) as a Rampart status.
pub(crate) fn status(raw: &str) -> Option<Status> {
    let mapped = match normalise(raw).as_str() {
        "open" | "exposed" | "expose" | "identified" | "new" | "required" | "recommended" | "exploitable"
        | "not-mitigated" | "unmitigated" => Status::Open,
        "in-progress" | "partly-mitigated" | "partially-mitigated" | "in-triage" | "implementing" => Status::InProgress,
        "mitigated" | "resolved" | "implemented" | "closed" | "fixed" | "resolved-with-pedigree" => Status::Mitigated,
        "accepted" | "accept" | "risk-accepted" => Status::Accepted,
        "not-applicable" | "notapplicable" | "na" | "n-a" | "not-useful" | "false-positive" | "not-affected"
        | "rejected" => Status::FalsePositive,
        _ => return None,
    };
    Some(mapped)
}

/// Whether `text` contains a UUID (`8-4-4-4-12` hex digits): such ids are
/// generated, and an element's name makes a better Rampart id.
pub(crate) fn contains_uuid(text: &str) -> bool {
    let bytes = text.as_bytes();
    let shape = [8usize, 4, 4, 4, 12];
    (0..bytes.len()).any(|start| {
        let mut at = start;
        for (index, length) in shape.iter().enumerate() {
            let Some(group) = bytes.get(at..at + length) else { return false };
            if !group.iter().all(u8::is_ascii_hexdigit) {
                return false;
            }
            at += length;
            if index < shape.len() - 1 {
                if bytes.get(at) != Some(&b'-') {
                    return false;
                }
                at += 1;
            }
        }
        true
    })
}

/// Whether `id` is already a tidy Rampart id: lowercase letters, digits and `-`.
pub(crate) fn is_tidy_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The id an element should get: its own when tidy and not generated, else
/// the slug of its name, else the slug of its id.
pub(crate) fn wanted_id(source_id: &str, name: Option<&str>) -> String {
    if is_tidy_id(source_id) && !contains_uuid(source_id) {
        return source_id.to_string();
    }
    let from_name = name.map(crate::ids::slugify).unwrap_or_default();
    if !from_name.is_empty() {
        return from_name;
    }
    crate::ids::slugify(source_id)
}

/// A model enum (`mutual-tls`, `role-based`) from its spelling in model files.
pub(crate) fn model_term<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(text)).ok()
}

pub(crate) fn quoted<T: std::fmt::Display>(items: Vec<T>) -> String {
    items.iter().map(|item| format!("`{item}`")).collect::<Vec<_>>().join(", ")
}

pub(crate) fn join_text(first: Option<&str>, second: &str) -> String {
    match first.map(str::trim).filter(|text| !text.is_empty()) {
        Some(first) => format!("{first}\n\n{second}"),
        None => second.to_string(),
    }
}

/// Threats of an exported file that are one threat rule: Rampart's exports
/// write one threat per rule and target, marked with `rampart:rule`; they
/// come back as one custom threat with every target (scored as the first).
pub(crate) struct RuleGroup<'d, T> {
    pub(crate) rule: Option<String>,
    pub(crate) members: Vec<&'d T>,
}

/// `items` grouped by the rule `rule_of` reads from each, in the order of
/// their first member; an item without a rule is a group of its own.
pub(crate) fn rule_groups<T>(items: &[T], rule_of: impl Fn(&T) -> Option<String>) -> Vec<RuleGroup<'_, T>> {
    let mut groups: Vec<RuleGroup<T>> = Vec::new();
    let mut by_rule: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for item in items {
        let rule = rule_of(item);
        match rule.as_ref().and_then(|rule| by_rule.get(rule)).and_then(|&index| groups.get_mut(index)) {
            Some(group) => group.members.push(item),
            None => {
                if let Some(rule) = &rule {
                    by_rule.insert(rule.clone(), groups.len());
                }
                groups.push(RuleGroup { rule, members: vec![item] });
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_round_trip() {
        for trust in [Trust::Untrusted, Trust::Partner, Trust::Internal, Trust::Restricted] {
            assert_eq!(trust_from_rating(f64::from(rating_from_trust(trust))), trust);
        }
        for rating in [Rating::Low, Rating::Medium, Rating::High, Rating::Critical] {
            assert_eq!(rating_from_score(f64::from(score_from_rating(rating))), rating);
        }
        for step in 1..=5u8 {
            assert_eq!(step_from_percent(f64::from(percent_from_step(f32::from(step)))), Some(step));
        }
        assert_eq!(step_from_percent(101.0), None);
        assert_eq!(step_from_percent(60.0), Some(3));
    }

    #[test]
    fn terms_are_recognised() {
        assert_eq!(cwe_number("CWE-79"), Some(79));
        assert_eq!(cwe_number("cwe 787"), Some(787));
        assert_eq!(cwe_number("89"), Some(89));
        assert_eq!(cwe_number("CWE-x"), None);
        assert_eq!(stride_category("Information Disclosure"), Some("information-disclosure"));
        assert_eq!(stride_category("EoP"), Some("elevation-of-privilege"));
        assert_eq!(protocol("MySQL"), Some("sql"));
        assert_eq!(protocol("HTTPS"), Some("https"));
        assert_eq!(protocol("carrier pigeon"), None);
        assert_eq!(status("Not Applicable"), Some(Status::FalsePositive));
        assert_eq!(status("in_triage"), Some(Status::InProgress));
        assert_eq!(element_kind("Web_Service"), Some(ElementKind::Component("web-app", Fit::Exact)));
        assert_eq!(element_kind("rds"), Some(ElementKind::Component("aws-rds", Fit::Exact)));
        assert_eq!(element_kind("vpc"), Some(ElementKind::Boundary));
        assert_eq!(element_kind("user"), Some(ElementKind::Actor("user", Fit::Exact)));
        assert_eq!(element_kind("code-class"), None);
    }

    #[test]
    fn generated_ids_give_way_to_names() {
        assert!(contains_uuid("f0ba7722-39b6-4c81-8290-a30a248bb8d9.db"));
        assert!(!contains_uuid("web-service"));
        assert_eq!(wanted_id("f0ba7722-39b6-4c81-8290-a30a248bb8d9", Some("Internet")), "internet");
        assert_eq!(wanted_id("web-service", Some("Web Service")), "web-service");
        assert_eq!(wanted_id("Web_Service", None), "web-service");
    }
}
