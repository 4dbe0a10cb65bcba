//! What a container image is, and what protocol a port or URL scheme speaks,
//! in the knowledge base's terms. Shared by every importer that sees images
//! (Kubernetes, compose, and later ECS task definitions).

/// A well-known image's catalog component type and how clients talk to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Known {
    /// Component type from the catalog (`relational-database`, `cache`...).
    pub kind: &'static str,
    /// Protocol from the vocabulary that clients use by default.
    pub protocol: &'static str,
}

/// Image name words → what the image is. The first entry with a word in the
/// image's name wins; see [`classify_image`] for how names are split.
const IMAGES: &[(&[&str], Known)] = &[
    (
        &["postgres", "postgresql", "postgis", "timescaledb", "mysql", "mariadb", "percona", "mssql", "cockroach"],
        Known { kind: "relational-database", protocol: "sql" },
    ),
    (&["mongo", "mongodb"], Known { kind: "document-database", protocol: "sql" }),
    (&["couchdb"], Known { kind: "document-database", protocol: "http" }),
    (&["redis", "valkey", "keydb", "dragonfly"], Known { kind: "cache", protocol: "redis" }),
    (&["memcached"], Known { kind: "cache", protocol: "tcp" }),
    (&["kafka", "redpanda"], Known { kind: "event-stream", protocol: "kafka" }),
    (&["rabbitmq"], Known { kind: "message-queue", protocol: "amqp" }),
    (&["nats", "activemq", "artemis"], Known { kind: "message-queue", protocol: "tcp" }),
    (&["elasticsearch", "opensearch", "solr", "meilisearch"], Known { kind: "search-index", protocol: "http" }),
    (&["kong", "tyk", "krakend"], Known { kind: "api-gateway", protocol: "http" }),
    (&["nginx", "envoy", "haproxy", "traefik", "caddy"], Known { kind: "reverse-proxy", protocol: "http" }),
    (&["vault", "openbao"], Known { kind: "secrets-vault", protocol: "https" }),
    (&["minio"], Known { kind: "object-storage", protocol: "http" }),
    (&["keycloak"], Known { kind: "identity-provider", protocol: "http" }),
    (&["influxdb", "prometheus"], Known { kind: "time-series-database", protocol: "http" }),
    (&["neo4j"], Known { kind: "graph-database", protocol: "tcp" }),
    (&["etcd"], Known { kind: "key-value-store", protocol: "grpc" }),
];

/// Words that make an image a tool *around* a product rather than the
/// product itself: `postgres-exporter`, `mongo-express`, `kafka-ui`,
/// `redis-operator` are ordinary services.
const TOOL_WORDS: &[&str] =
    &["exporter", "express", "ui", "commander", "admin", "operator", "insight", "backup", "migrate", "client", "cli"];

/// The catalog type of a container image, when the image is a well-known
/// product (`postgres:16`, `bitnami/redis`, `docker.elastic.co/elasticsearch/elasticsearch:8.13`);
/// `None` for the organisation's own images.
///
/// Looks at the last two segments of the repository path (so the registry
/// host, `library/` and tags or digests do not matter), split into words at
/// `-`, `_` and `.`.
pub fn classify_image(image: &str) -> Option<Known> {
    let repository = repository(image);
    let segments: Vec<&str> = repository.rsplit('/').take(2).collect();
    let words: Vec<&str> = segments.iter().flat_map(|segment| segment.split(['-', '_', '.'])).collect();
    if words.iter().any(|word| TOOL_WORDS.contains(word)) {
        return None;
    }
    // The last segment decides when it names a product (`bitnami/redis`);
    // the one before only when the last does not (`mssql/server`).
    let last = segments.first().map(|s| s.split(['-', '_', '.']).collect::<Vec<_>>()).unwrap_or_default();
    let lookup = |words: &[&str]| {
        IMAGES.iter().find(|(names, _)| words.iter().any(|word| names.contains(word))).map(|(_, known)| *known)
    };
    lookup(&last).or_else(|| lookup(&words))
}

/// The repository of an image reference, lower-cased, without the tag or
/// digest: `registry:5000/team/app:1.2@sha256:…` → `registry:5000/team/app`.
pub fn repository(image: &str) -> String {
    let image = image.trim().to_ascii_lowercase();
    let without_digest = image.split('@').next().unwrap_or_default();
    // A `:` after the last `/` starts the tag; one before it is a registry port.
    match without_digest.rfind(':') {
        Some(colon) if !without_digest[colon..].contains('/') => without_digest[..colon].to_string(),
        _ => without_digest.to_string(),
    }
}

/// The protocol a well-known port speaks, and whether it is encrypted by
/// itself (`5671` is AMQP over TLS).
pub fn port_protocol(port: u16) -> Option<(&'static str, bool)> {
    Some(match port {
        5432 | 3306 | 1433 | 1521 | 26257 | 27017 => ("sql", false),
        6379 => ("redis", false),
        6380 => ("redis", true),
        5672 => ("amqp", false),
        5671 => ("amqp", true),
        9092 | 29092 => ("kafka", false),
        9093 => ("kafka", true),
        443 | 8443 | 9443 => ("https", true),
        80 | 8080 | 8000 | 8008 | 8081 | 3000 | 4000 | 5000 | 9000 | 9090 | 9200 => ("http", false),
        50051 => ("grpc", false),
        389 => ("ldap", false),
        636 => ("ldaps", true),
        25 | 587 => ("smtp", false),
        465 => ("smtp", true),
        22 => ("ssh", true),
        21 => ("ftp", false),
        53 => ("dns", false),
        1883 => ("mqtt", false),
        8883 => ("mqtts", true),
        _ => return None,
    })
}

/// The protocol of a named port or Kubernetes `appProtocol` (`https`,
/// `http-metrics`, `grpc-web`, `tcp-postgres`).
pub fn port_name_protocol(name: &str) -> Option<(&'static str, bool)> {
    let name = name.to_ascii_lowercase();
    let first = name.split(['-', '_', '.', '/']).find(|word| !word.is_empty() && *word != "tcp")?;
    Some(match first {
        "https" | "tls" | "h2" => ("https", true),
        "http" | "http2" | "web" | "h2c" => ("http", false),
        "grpc" => ("grpc", false),
        "grpcs" => ("grpc", true),
        "postgres" | "postgresql" | "mysql" | "sql" | "mongo" | "mongodb" => ("sql", false),
        "redis" => ("redis", false),
        "amqp" => ("amqp", false),
        "amqps" => ("amqp", true),
        "kafka" => ("kafka", false),
        _ => return None,
    })
}

/// The protocol of a URL scheme (`postgres`, `rediss`, `jdbc:mysql`), and
/// whether the scheme itself means TLS.
pub fn scheme_protocol(scheme: &str) -> Option<(&'static str, bool)> {
    let scheme = scheme.to_ascii_lowercase();
    let scheme = scheme.strip_prefix("jdbc:").unwrap_or(&scheme);
    Some(match scheme {
        "https" => ("https", true),
        "http" => ("http", false),
        "postgres" | "postgresql" | "mysql" | "mariadb" | "sqlserver" | "mssql" | "oracle" | "cockroachdb" => {
            ("sql", false)
        }
        "mongodb" => ("sql", false),
        // SRV connection strings turn TLS on by default.
        "mongodb+srv" => ("sql", true),
        "redis" => ("redis", false),
        "rediss" => ("redis", true),
        "amqp" => ("amqp", false),
        "amqps" => ("amqp", true),
        "kafka" | "plaintext" => ("kafka", false),
        "kafka+ssl" | "ssl" => ("kafka", true),
        "grpc" => ("grpc", false),
        "grpcs" => ("grpc", true),
        "ws" => ("websocket", false),
        "wss" => ("websocket", true),
        "ldap" => ("ldap", false),
        "ldaps" => ("ldaps", true),
        "smtp" => ("smtp", false),
        "smtps" => ("smtp", true),
        "ssh" | "sftp" => ("ssh", true),
        "ftp" => ("ftp", false),
        "ftps" => ("ftps", true),
        "mqtt" => ("mqtt", false),
        "mqtts" => ("mqtts", true),
        "nats" | "tcp" | "memcached" => ("tcp", false),
        "tls" => ("tls", true),
        _ => return None,
    })
}

/// Facts about containers that the vocabulary names, whatever runs them.
/// Kernel capabilities that make a container as good as privileged.
const DANGEROUS_CAPABILITIES: &[&str] =
    &["ALL", "SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE", "DAC_READ_SEARCH", "SYS_RAWIO", "BPF", "PERFMON"];

/// Sockets of container runtimes: whoever talks to one is root on the node.
pub fn is_runtime_socket(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    ["docker.sock", "containerd.sock", "crio.sock", "podman.sock", "dockershim.sock"]
        .iter()
        .any(|socket| path.ends_with(socket))
        || matches!(path, "/var/run" | "/run" | "/var/run/docker" | "/run/containerd")
}

pub fn is_dangerous_capability(capability: &str) -> bool {
    let capability = capability.trim().to_ascii_uppercase();
    DANGEROUS_CAPABILITIES.contains(&capability.strip_prefix("CAP_").unwrap_or(&capability))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(image: &str) -> Option<&'static str> {
        classify_image(image).map(|known| known.kind)
    }

    #[test]
    fn well_known_images_get_their_catalog_type() {
        assert_eq!(kind("postgres:16.2"), Some("relational-database"));
        assert_eq!(kind("docker.io/library/mariadb:11"), Some("relational-database"));
        assert_eq!(kind("mcr.microsoft.com/mssql/server:2022-latest"), Some("relational-database"));
        assert_eq!(kind("bitnami/mongodb:7.0"), Some("document-database"));
        assert_eq!(kind("redis:7-alpine"), Some("cache"));
        assert_eq!(kind("memcached"), Some("cache"));
        assert_eq!(kind("confluentinc/cp-kafka:7.6.0"), Some("event-stream"));
        assert_eq!(kind("rabbitmq:3-management"), Some("message-queue"));
        assert_eq!(kind("nats:2.10"), Some("message-queue"));
        assert_eq!(kind("docker.elastic.co/elasticsearch/elasticsearch:8.13.0"), Some("search-index"));
        assert_eq!(kind("opensearchproject/opensearch:2"), Some("search-index"));
        assert_eq!(kind("nginxinc/nginx-unprivileged:1.25"), Some("reverse-proxy"));
        assert_eq!(kind("envoyproxy/envoy:v1.30-latest"), Some("reverse-proxy"));
        assert_eq!(kind("traefik:v3.0"), Some("reverse-proxy"));
        assert_eq!(kind("hashicorp/vault:1.16"), Some("secrets-vault"));
        assert_eq!(kind("registry.example.com:5000/postgres@sha256:abcd"), Some("relational-database"));
    }

    #[test]
    fn own_images_and_tools_around_products_are_not_classified() {
        assert_eq!(kind("ghcr.io/acme/shop-api:1.4.2"), None);
        assert_eq!(kind("prometheuscommunity/postgres-exporter:v0.15.0"), None);
        assert_eq!(kind("mongo-express:1.0"), None);
        assert_eq!(kind("provectuslabs/kafka-ui"), None);
        assert_eq!(kind("registry.example.com:5000/team/app"), None);
        assert_eq!(kind(""), None);
    }

    #[test]
    fn repository_drops_tag_and_digest_but_keeps_registry_port() {
        assert_eq!(repository("Registry:5000/Team/App:1.2@sha256:ff"), "registry:5000/team/app");
        assert_eq!(repository("registry:5000/team/app"), "registry:5000/team/app");
        assert_eq!(repository("redis"), "redis");
    }

    #[test]
    fn ports_names_and_schemes_map_to_vocabulary_protocols() {
        assert_eq!(port_protocol(5432), Some(("sql", false)));
        assert_eq!(port_protocol(443), Some(("https", true)));
        assert_eq!(port_protocol(12345), None);
        assert_eq!(port_name_protocol("https"), Some(("https", true)));
        assert_eq!(port_name_protocol("http-metrics"), Some(("http", false)));
        assert_eq!(port_name_protocol("tcp-postgres"), Some(("sql", false)));
        assert_eq!(port_name_protocol("metrics"), None);
        assert_eq!(scheme_protocol("postgresql"), Some(("sql", false)));
        assert_eq!(scheme_protocol("jdbc:mysql"), Some(("sql", false)));
        assert_eq!(scheme_protocol("rediss"), Some(("redis", true)));
        assert_eq!(scheme_protocol("mongodb+srv"), Some(("sql", true)));
        assert_eq!(scheme_protocol("gopher"), None);
    }
}
