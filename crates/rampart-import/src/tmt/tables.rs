//! How the Threat Modeling Tool's stencil types, flow types, threat states,
//! priorities and STRIDE spellings translate into Rampart's terms.
//!
//! Stencil type ids come from the template a model was drawn with: the SDL
//! template (`SE.P.TMCore.WebServer`, `SE.DS.TMCore.SQL`...) and the Azure
//! template (`SE.P.TMCore.AzureAD`, `SE.DS.TMCore.AzurePostgresDB`...). A
//! custom template's ids fall back on the element's generic type (process,
//! data store, external interactor) with a warning naming the type id.

use rampart_model::{Authentication, Status};

/// How faithfully a stencil type is carried over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fit {
    /// Same meaning.
    Exact,
    /// The closest catalog type; the import warns so that the user can refine it.
    Closest,
}

/// Catalog type of a process stencil (generic type `GE.P`, or an Azure
/// template type whose parent is `GE.DS` but whose id says `SE.P`).
pub(super) fn process_kind(type_id: &str) -> Option<(&'static str, Fit)> {
    use Fit::{Closest, Exact};
    let stencil = type_id.rsplit('.').next().unwrap_or(type_id);
    let mapped = match stencil {
        "WebApp" | "WebServer" | "AzureAppServiceWebApp" => ("web-app", Exact),
        "WebAPI" | "AzureAppServiceApiApp" => ("rest-api", Exact),
        "WCF" => ("soap-service", Exact),
        "AzureAppServiceMobileApp" => ("mobile-backend", Exact),
        "BrowserClient" => ("spa", Exact),
        "DynamicsCRM" | "DynamicsCRMPortal" => ("web-app", Closest),
        "AzureAD" => ("azure-entra-id", Exact),
        "ADFS" => ("saml-identity-provider", Exact),
        "IdSrv" => ("oauth-authorization-server", Exact),
        "AzureEventHub" => ("azure-event-hubs", Exact),
        "ADE" => ("data-warehouse", Closest),
        "AzureWebJob" => ("background-worker", Exact),
        "AzureDataFactory" | "AzureStreamAnalytics" => ("background-worker", Closest),
        "AzureTrafficManager" => ("load-balancer", Closest),
        "ALA" | "AzureML" => ("service", Closest),
        "Host" | "VM" => ("virtual-machine", Closest),
        "IoTFieldGateway" => ("iot-gateway", Exact),
        "IoTCloudGateway" => ("iot-platform", Closest),
        "AzureDocumentDB" => ("azure-cosmos-db", Exact),
        "AzureRedis" => ("azure-cache-for-redis", Exact),
        // Code running on a machine, with no more specific catalog type.
        "OSProcess" | "Thread" | "WinApp" | "NetApp" | "ThickClient" | "Win32Service" | "KernelThread" | "PlugIn" => {
            ("service", Closest)
        }
        // The generic process stencil is what the catalog's generic service is.
        "P" if type_id == "GE.P" => ("service", Exact),
        _ => return None,
    };
    Some(mapped)
}

/// Catalog type of a data store stencil (generic type `GE.DS`).
pub(super) fn datastore_kind(type_id: &str) -> Option<(&'static str, Fit)> {
    use Fit::{Closest, Exact};
    let stencil = type_id.rsplit('.').next().unwrap_or(type_id);
    let mapped = match stencil {
        "SQL" | "AzureMySQLDB" | "AzurePostgresDB" => ("relational-database", Exact),
        "AzureSQLDB" => ("azure-sql-database", Exact),
        "AzureSQLDWDB" => ("data-warehouse", Exact),
        "AzureDocumentDB" => ("azure-cosmos-db", Exact),
        "AzureRedis" => ("azure-cache-for-redis", Exact),
        "AzureKeyVault" => ("azure-key-vault", Exact),
        // Azure Storage covers blobs, files, queues and tables; blobs are the common case.
        "AzureStorage" => ("azure-blob-storage", Closest),
        "Cache" => ("cache", Exact),
        "CloudStorage" => ("object-storage", Exact),
        "NoSQL" => ("document-database", Exact),
        "FS" => ("file-share", Closest),
        "ConfigFile" | "Device" => ("file-share", Closest),
        "Registry" | "HTML5LS" | "Cookie" => ("key-value-store", Closest),
        _ => return None,
    };
    Some(mapped)
}

/// Catalog type for the "Storage Type" an Azure Storage stencil is set to.
pub(super) fn azure_storage_kind(storage_type: &str) -> Option<(&'static str, Fit)> {
    let mapped = match storage_type.trim() {
        "Blob" => ("azure-blob-storage", Fit::Exact),
        "File" => ("file-share", Fit::Exact),
        "Queue" => ("message-queue", Fit::Exact),
        "Table" => ("key-value-store", Fit::Exact),
        _ => return None,
    };
    Some(mapped)
}

/// Actor type of an external interactor stencil (generic type `GE.EI`).
pub(super) fn interactor_kind(type_id: &str) -> Option<(&'static str, Fit)> {
    use Fit::{Closest, Exact};
    let stencil = type_id.rsplit('.').next().unwrap_or(type_id);
    let mapped = match stencil {
        // A person's client: the person is the actor.
        "Browser" | "Mobile" | "User" | "DynamicsCRMMobileClient" | "DynamicsCRMOutlookClient" => ("user", Exact),
        "AuthProvider" => ("social-login-provider", Closest),
        "WebSvc" => ("third-party-api", Exact),
        "WebApp" | "IoTdevice" | "CRT" | "NFX" | "WinRT" => ("external-system", Closest),
        _ => return None,
    };
    Some(mapped)
}

/// The actor type a generic or unknown external interactor gets from its name.
pub(super) fn interactor_kind_from_name(name: &str) -> &'static str {
    let name = name.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| name.contains(word));
    if has(&["admin", "operator"]) {
        "administrator"
    } else if has(&["user", "customer", "visitor", "person", "employee", "staff", "member", "browser", "human"]) {
        "user"
    } else {
        "external-system"
    }
}

/// The catalog type a data store of an unknown stencil gets from its name
/// and type id.
pub(super) fn datastore_kind_from_name(name: &str) -> &'static str {
    let name = name.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| name.contains(word));
    if has(&["redis", "cache", "memcache"]) {
        "cache"
    } else if has(&["queue", "bus", "topic"]) {
        "message-queue"
    } else if has(&["mongo", "cosmos", "document", "nosql", "dynamo"]) {
        "document-database"
    } else if has(&["vault", "secret", "keystore"]) {
        "secrets-vault"
    } else if has(&["blob", "bucket", "s3", "object"]) {
        "object-storage"
    } else if has(&["file", "share", "disk"]) {
        "file-share"
    } else {
        "relational-database"
    }
}

/// The catalog type a process of an unknown stencil gets from its name.
pub(super) fn process_kind_from_name(name: &str) -> &'static str {
    let name = name.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| name.contains(word));
    if has(&["api", "rest"]) {
        "rest-api"
    } else if has(&["web", "portal", "site"]) {
        "web-app"
    } else if has(&["worker", "job", "batch"]) {
        "background-worker"
    } else {
        "service"
    }
}

/// The protocol a flow stencil names, if it names one: `(protocol, fit)`.
pub(super) fn flow_protocol(type_id: &str) -> Option<(&'static str, Fit)> {
    use Fit::{Closest, Exact};
    let stencil = type_id.rsplit('.').next().unwrap_or(type_id);
    let mapped = match stencil {
        "HTTP" => ("http", Exact),
        "HTTPS" => ("https", Exact),
        "SMB" => ("smb", Exact),
        "IPsec" => ("tls", Closest),
        "Binary" => ("tcp", Exact),
        // Local inter-process channels have no network protocol in Rampart.
        "UDP" | "ALPC" | "NamedPipe" | "RPC" | "IOCTL" | "ModernAppTransport" => ("tcp", Closest),
        _ => return None,
    };
    Some(mapped)
}

/// A protocol written in a flow's properties (`HTTPS`, `SQL`...).
pub(super) fn protocol_from_text(text: &str) -> Option<&'static str> {
    let text = text.trim().to_ascii_lowercase();
    let protocol = match text.as_str() {
        "https" | "http over tls" | "https/tls" => "https",
        "http" => "http",
        "sql" | "tds" | "jdbc" | "odbc" | "postgresql" | "mysql" => "sql",
        "tls" | "ssl" => "tls",
        "tcp" | "binary" => "tcp",
        "grpc" => "grpc",
        "amqp" | "amqps" => "amqp",
        "mqtt" => "mqtt",
        "mqtts" => "mqtts",
        "smb" => "smb",
        "ldap" => "ldap",
        "ldaps" => "ldaps",
        "ssh" | "sftp" => "ssh",
        "smtp" => "smtp",
        "websocket" | "ws" | "wss" => "websocket",
        _ => return None,
    };
    Some(protocol)
}

/// How a flow's "Source Authenticated" / "Authentication" value authenticates.
pub(super) fn authentication_from_text(text: &str) -> Option<Authentication> {
    let text = text.trim().to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| text.contains(word));
    if has(&["oauth", "openid", "oidc", "azure ad", "entra"]) {
        Some(Authentication::Oauth2)
    } else if has(&["certificate", "mtls", "mutual"]) {
        Some(Authentication::MutualTls)
    } else if has(&["kerberos", "windows", "ntlm"]) {
        Some(Authentication::Kerberos)
    } else if has(&["token", "jwt", "bearer"]) {
        Some(Authentication::Token)
    } else if has(&["api key", "apikey", "shared secret", "sas"]) {
        Some(Authentication::ApiKey)
    } else if has(&["password", "basic", "forms"]) {
        Some(Authentication::Password)
    } else if has(&["managed identity", "iam"]) {
        Some(Authentication::CloudIam)
    } else if text == "yes" || text == "true" {
        Some(Authentication::Other)
    } else {
        None
    }
}

/// Tracking status of a threat state; `None` for a state the tool does not document.
pub(super) fn status(state: &str) -> Option<Status> {
    let status = match state {
        "AutoGenerated" | "NeedsInvestigation" | "NotStarted" => Status::Open,
        "Mitigated" => Status::Mitigated,
        "NotApplicable" => Status::FalsePositive,
        _ => return None,
    };
    Some(status)
}

/// Likelihood and impact for a threat priority.
pub(super) fn priority_scores(priority: &str) -> Option<u8> {
    let score = match priority.trim().to_ascii_lowercase().as_str() {
        "critical" => 5,
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        _ => return None,
    };
    Some(score)
}

/// The STRIDE category a threat category names ("Elevation Of Privilege",
/// "Elevation of Privileges", "Denial Of Service"...).
pub(super) fn stride(category: &str) -> Option<&'static str> {
    let squashed: String = category.chars().filter(char::is_ascii_alphabetic).collect::<String>().to_ascii_lowercase();
    let stride = match squashed.as_str() {
        "spoofing" => "spoofing",
        "tampering" => "tampering",
        "repudiation" => "repudiation",
        "informationdisclosure" => "information-disclosure",
        "denialofservice" => "denial-of-service",
        "elevationofprivilege" | "elevationofprivileges" => "elevation-of-privilege",
        _ => return None,
    };
    Some(stride)
}

/// Boundary trust from its name and stencil: internet and remote user zones
/// hold anyone.
pub(super) fn boundary_is_untrusted(name: &str, type_id: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("internet") || name.contains("untrusted") || type_id.ends_with("RemoteUserTrustBoundary")
}

/// Informative boundary kind from the stencil.
pub(super) fn boundary_kind(type_id: &str) -> Option<&'static str> {
    let stencil = type_id.rsplit('.').next().unwrap_or(type_id);
    let kind = match stencil {
        "AzureTrustBoundary" => "account",
        "AzureIaaSVMTrustBoundary" | "MachineTrustBoundary" => "machine",
        "ServiceFabric" => "cluster",
        "IoTCloudGatewayZone" | "IoTDeviceZone" | "IoTFieldGatewayZone" | "CorpNet" => "network",
        "LocalUserTrustBoundary" | "RemoteUserTrustBoundary" => "network",
        "Sandbox" => "process",
        _ => return None,
    };
    Some(kind)
}

/// Removes HTML tags and collapses white space: the tool stores mitigation
/// text with `<a href>` links.
pub(super) fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stride_spellings_of_the_tool_are_recognised() {
        assert_eq!(stride("Elevation Of Privilege"), Some("elevation-of-privilege"));
        assert_eq!(stride("Elevation of Privileges"), Some("elevation-of-privilege"));
        assert_eq!(stride("Denial Of Service"), Some("denial-of-service"));
        assert_eq!(stride("Information Disclosure"), Some("information-disclosure"));
        assert_eq!(stride("Misc"), None);
    }

    #[test]
    fn mitigation_html_becomes_plain_text() {
        assert_eq!(
            plain_text("Use TLS. Refer: <a href=\"https://x\">https://x</a> now"),
            "Use TLS. Refer: https://x now"
        );
    }
}
