//! How Threagile's closed vocabularies (technologies, protocols, risk rules)
//! translate into Rampart's terms. One table per vocabulary, so that a new
//! catalog type or protocol in the knowledge base is a one-line change here.

/// How faithfully a Threagile term is carried over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fit {
    /// Same meaning.
    Exact,
    /// The closest Rampart term; the import warns so that the user can refine it.
    Closest,
}

/// Client technologies that are a person's device even when the model does
/// not set `used_as_client_by_human`.
pub(super) fn is_personal_device(technology: &str) -> bool {
    matches!(technology, "browser" | "desktop" | "mobile-app")
}

/// The Rampart catalog type for a Threagile technology of an in-scope asset.
/// `None` for a technology Threagile does not document.
pub(super) fn component_kind(technology: &str) -> Option<(&'static str, Fit)> {
    use Fit::{Closest, Exact};
    let mapped = match technology {
        // Threagile treats all of these as web applications (`IsWebApplication`).
        "web-server" | "web-application" | "application-server" | "cms" | "erp" | "report-engine" => ("web-app", Exact),
        "web-service-rest" => ("rest-api", Exact),
        // SOAP services get `accepts: [xml]` on top (see the converter).
        "web-service-soap" => ("rest-api", Exact),
        // The code of a browser asset that is in scope is the organisation's front end.
        "browser" => ("spa", Exact),
        "database" | "identity-store-database" => ("relational-database", Exact),
        "file-server" => ("file-share", Exact),
        "local-file-system" | "block-storage" => ("file-share", Closest),
        "data-lake" => ("object-storage", Closest),
        "big-data-platform" => ("data-warehouse", Closest),
        "search-index" | "search-engine" => ("search-index", Exact),
        "identity-provider" => ("identity-provider", Exact),
        "identity-store-ldap" | "ldap-server" => ("directory-service", Exact),
        // A queue reached only over MQTT becomes an `mqtt-broker` (see the converter).
        "message-queue" => ("message-queue", Exact),
        "stream-processing" => ("event-stream", Closest),
        "load-balancer" => ("load-balancer", Exact),
        "reverse-proxy" => ("reverse-proxy", Exact),
        "service-mesh" => ("reverse-proxy", Closest),
        "waf" => ("waf", Exact),
        "gateway" => ("api-gateway", Exact),
        "vault" => ("secrets-vault", Exact),
        "hsm" => ("secrets-vault", Closest),
        "batch-processing" | "event-listener" | "scheduler" | "task" => ("background-worker", Exact),
        "ejb" | "function" => ("service", Exact),
        "container-platform" => ("container-platform", Exact),
        // Artifact registries hold images among other build outputs.
        "artifact-registry" => ("container-registry", Closest),
        "mobile-app" => ("mobile-app", Exact),
        "iot-device" => ("iot-device", Exact),
        // No catalog type yet: CI/CD, monitoring, workstations, infrastructure.
        "build-pipeline" | "sourcecode-repository" | "code-inspection-platform" => ("service", Closest),
        "client-system" | "desktop" | "devops-client" => ("service", Closest),
        "monitoring" | "ids" | "ips" | "service-registry" | "mail-server" | "mainframe" => ("service", Closest),
        "ai" | "library" | "tool" | "cli" | "threagile" => ("service", Closest),
        "unknown-technology" => ("service", Closest),
        _ => return None,
    };
    Some(mapped)
}

/// Catalog types of the `datastore` category: they hold data rather than
/// run request-handling code, so links reveal no capabilities of theirs.
pub(super) fn is_datastore_kind(kind: &str) -> bool {
    matches!(
        kind,
        "relational-database"
            | "document-database"
            | "key-value-store"
            | "cache"
            | "object-storage"
            | "file-share"
            | "message-queue"
            | "event-stream"
            | "search-index"
            | "secrets-vault"
            | "data-warehouse"
            | "file-transfer-server"
            | "backup-storage"
            | "mqtt-broker"
            | "container-registry"
    )
}

/// Kinds that pass traffic on rather than handling requests themselves: they
/// get no application capabilities from the links that reach them.
pub(super) fn is_traffic_forwarder(kind: &str) -> bool {
    matches!(kind, "load-balancer" | "reverse-proxy" | "waf" | "cdn")
}

/// A Threagile protocol in Rampart's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Protocol {
    pub protocol: &'static str,
    /// `Some(true)` when Threagile's variant is encrypted and the Rampart
    /// protocol is not encrypted by default; `None` means "as the protocol implies".
    pub encrypted: Option<bool>,
    pub fit: Fit,
}

/// The Rampart protocol for a Threagile protocol; `None` for a protocol
/// Threagile does not document.
pub(super) fn protocol(threagile: &str) -> Option<Protocol> {
    use Fit::{Closest, Exact};
    let (protocol, encrypted, fit) = match threagile {
        "http" | "reverse-proxy-web-protocol" => ("http", None, Exact),
        "https" | "reverse-proxy-web-protocol-encrypted" => ("https", None, Exact),
        "ws" => ("websocket", None, Exact),
        "wss" => ("websocket", Some(true), Exact),
        // Rampart's `sql` is "a database's native wire protocol", NoSQL included.
        "jdbc" | "odbc" | "sql-access-protocol" | "nosql-access-protocol" => ("sql", None, Exact),
        "jdbc-encrypted" | "odbc-encrypted" | "sql-access-protocol-encrypted" | "nosql-access-protocol-encrypted" => {
            ("sql", Some(true), Exact)
        }
        "binary" | "text" => ("tcp", None, Exact),
        "binary-encrypted" | "text-encrypted" => ("tls", None, Exact),
        "ssh" | "ssh-tunnel" | "sftp" | "scp" => ("ssh", None, Exact),
        "smtp" => ("smtp", None, Exact),
        "smtp-encrypted" => ("smtp", Some(true), Exact),
        "ftp" => ("ftp", None, Exact),
        "ftps" => ("ftps", None, Exact),
        "mqtt" => ("mqtt", None, Exact),
        "nfs" => ("nfs", None, Exact),
        "smb" => ("smb", None, Exact),
        "smb-encrypted" => ("smb", Some(true), Exact),
        "ldap" => ("ldap", None, Exact),
        "ldaps" => ("ldaps", None, Exact),
        "jms" | "pop3" | "imap" | "nrpe" | "xmpp" | "iiop" | "jrmp" => ("tcp", None, Closest),
        "pop3-encrypted" | "imap-encrypted" | "iiop-encrypted" | "jrmp-encrypted" => ("tls", None, Closest),
        // Process-local in Threagile: no network channel at all. Rampart has no
        // term for that, so the flow is kept as plain TCP and the warning says so.
        "local-file-access" | "in-process-library-call" | "container-spawning" => ("tcp", None, Closest),
        "unknown-protocol" => ("tcp", None, Closest),
        _ => return None,
    };
    Some(Protocol { protocol, encrypted, fit })
}

/// Threagile protocols that never leave the host.
pub(super) fn is_process_local(threagile: &str) -> bool {
    matches!(threagile, "local-file-access" | "in-process-library-call" | "container-spawning")
}

/// Rampart protocols the knowledge base declares encrypted by default.
pub(super) fn encrypted_by_default(protocol: &str) -> bool {
    matches!(protocol, "https" | "tls" | "ldaps" | "ssh" | "ftps")
}

/// Threagile protocols through which a caller sends SQL (or NoSQL) queries.
pub(super) fn is_sql_protocol(threagile: &str) -> bool {
    matches!(
        threagile,
        "jdbc" | "jdbc-encrypted" | "odbc" | "odbc-encrypted" | "sql-access-protocol" | "sql-access-protocol-encrypted"
    )
}

pub(super) fn is_nosql_protocol(threagile: &str) -> bool {
    matches!(threagile, "nosql-access-protocol" | "nosql-access-protocol-encrypted")
}

pub(super) fn is_ldap_protocol(threagile: &str) -> bool {
    matches!(threagile, "ldap" | "ldaps")
}

pub(super) fn is_web_protocol(threagile: &str) -> bool {
    matches!(
        threagile,
        "http" | "https" | "ws" | "wss" | "reverse-proxy-web-protocol" | "reverse-proxy-web-protocol-encrypted"
    )
}

/// What a Threagile risk id (`rule@part@part...`) must name for the
/// equivalent Rampart threat to exist, and on which element Rampart raises it.
/// Parts may hold `*` wildcards; a part the id leaves out matches anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum RiskTarget {
    /// The first part names a component that has this capability or accepts
    /// this format (the Rampart rule's key fact); `layout` says what the
    /// other parts name. Rampart raises the threat on that component.
    Component { needs: Needs, layout: Layout },
    /// `LINK@SOURCE@TARGET`: Rampart raises the threat on the link's flow.
    Link,
}

/// What the parts after a component's own id name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Layout {
    /// `ASSET`: nothing else.
    Asset,
    /// `CALLER@TARGET@LINK`: a link of the caller to the target, which is a
    /// component of `peer_kind` when given.
    CallerTargetLink { peer_kind: Option<&'static str> },
    /// `ASSET@LINK`: a link into the asset.
    AssetIncomingLink,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Needs {
    Capability(&'static str),
    Accepts(&'static str),
}

/// A Rampart rule equivalent to a Threagile rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RiskRule {
    pub rampart: &'static str,
    pub target: RiskTarget,
}

/// Rampart rules equivalent to a Threagile rule, tried in order; empty when
/// Rampart has none. The layouts of Threagile's ids are those of its rules:
/// `sql-nosql-injection@CALLER@DATABASE@LINK`, `ldap-injection@CALLER@SERVER@LINK`,
/// `xml-external-entity@ASSET`, `untrusted-deserialization@ASSET`,
/// `cross-site-request-forgery@ASSET@LINK`, `unencrypted-communication@LINK@SOURCE@TARGET`.
pub(super) fn risk_rules(threagile: &str) -> &'static [RiskRule] {
    use Needs::{Accepts, Capability};
    use RiskTarget::{Component, Link};
    match threagile {
        "sql-nosql-injection" => &[
            RiskRule {
                rampart: "sql-injection",
                target: Component {
                    needs: Capability("sql-queries"),
                    layout: Layout::CallerTargetLink { peer_kind: Some("relational-database") },
                },
            },
            RiskRule {
                rampart: "nosql-injection",
                target: Component {
                    needs: Capability("nosql-queries"),
                    layout: Layout::CallerTargetLink { peer_kind: Some("document-database") },
                },
            },
        ],
        "ldap-injection" => &[RiskRule {
            rampart: "ldap-injection",
            target: Component {
                needs: Capability("ldap-queries"),
                layout: Layout::CallerTargetLink { peer_kind: None },
            },
        }],
        "xml-external-entity" => &[RiskRule {
            rampart: "xml-external-entities",
            target: Component { needs: Accepts("xml"), layout: Layout::Asset },
        }],
        "untrusted-deserialization" => &[RiskRule {
            rampart: "insecure-deserialization",
            target: Component { needs: Accepts("serialized-objects"), layout: Layout::Asset },
        }],
        "cross-site-request-forgery" => &[RiskRule {
            rampart: "cross-site-request-forgery",
            target: Component { needs: Capability("state-changing-forms"), layout: Layout::AssetIncomingLink },
        }],
        "unencrypted-communication" => &[RiskRule { rampart: "unencrypted-flow", target: Link }],
        _ => &[],
    }
}

/// Threagile's exploitation likelihood on Rampart's 1 to 5 scale.
pub(super) fn likelihood(value: super::format::Likelihood) -> u8 {
    use super::format::Likelihood;
    match value {
        Likelihood::Unlikely => 2,
        Likelihood::Likely => 3,
        Likelihood::VeryLikely => 4,
        Likelihood::Frequent => 5,
    }
}

/// Threagile's exploitation impact on Rampart's 1 to 5 scale.
pub(super) fn impact(value: super::format::Impact) -> u8 {
    use super::format::Impact;
    match value {
        Impact::Low => 2,
        Impact::Medium => 3,
        Impact::High => 4,
        Impact::VeryHigh => 5,
    }
}

/// Likelihood and impact for a risk that gives only a severity: `elevated`
/// sits between medium and high, on the impact side.
pub(super) fn severity_scores(value: super::format::Severity) -> (u8, u8) {
    use super::format::Severity;
    match value {
        Severity::Low => (2, 2),
        Severity::Medium => (3, 3),
        Severity::Elevated => (3, 4),
        Severity::High => (4, 4),
        Severity::Critical => (5, 5),
    }
}

/// Data categories of the knowledge base; a Threagile data-asset tag spelled
/// exactly like one is taken as that category.
pub(super) const DATA_CATEGORY_TAGS: &[&str] = &[
    "pii",
    "credentials",
    "payment-card",
    "health",
    "secrets",
    "source-code",
    "business",
    "telemetry",
    "public",
    "process-control",
    "firmware",
];
