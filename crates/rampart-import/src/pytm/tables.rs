//! How pytm's element classes, enums, protocols, controls and severities
//! translate into Rampart's terms.

use rampart_model::{Authentication, Rating, Status};

use super::format::Element;

/// What a pytm element becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    Actor(&'static str),
    Component(&'static str),
}

/// How faithfully an element's class is carried over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Fit {
    Exact,
    /// The closest catalog type; the import warns.
    Closest,
    /// A class pytm does not document; the import warns.
    Unknown,
}

/// The role and type of an actor or asset.
pub(super) fn role(element: &Element) -> (Role, Fit) {
    use Fit::{Closest, Exact, Unknown};
    let class = element.class.as_ref().map(|class| class.value.as_str()).unwrap_or("Asset");
    let on_aws = element.on_aws == Some(true);
    match class {
        "Actor" if element.is_admin == Some(true) => (Role::Actor("administrator"), Exact),
        "Actor" => (Role::Actor("user"), Exact),
        "ExternalEntity" => (Role::Actor("external-system"), Exact),
        "Server" => (Role::Component("web-app"), Exact),
        "Lambda" if on_aws => (Role::Component("aws-lambda"), Exact),
        "Lambda" => (Role::Component("service"), Closest),
        "Process" | "SetOfProcesses" if element.implements_api == Some(true) => (Role::Component("rest-api"), Exact),
        "Process" | "SetOfProcesses" | "Asset" => (Role::Component("service"), Exact),
        "Datastore" => datastore(element),
        _ => (Role::Component("service"), Unknown),
    }
}

fn datastore(element: &Element) -> (Role, Fit) {
    use Fit::{Closest, Exact};
    let kind = element.datastore_type.as_deref().unwrap_or("DatastoreType.UNKNOWN");
    let kind = kind.strip_prefix("DatastoreType.").unwrap_or(kind);
    let relational = if element.on_rds == Some(true) { "aws-rds" } else { "relational-database" };
    let (kind, fit) = match kind {
        "SQL" => (relational, Exact),
        "LDAP" => ("directory-service", Exact),
        "AWS_S3" => ("aws-s3", Exact),
        "BUCKET" => ("object-storage", Exact),
        "FILE_SYSTEM" => ("file-share", Exact),
        "NOSQL" => ("document-database", Exact),
        // pytm's default: `isSQL` is true unless the model says otherwise.
        _ if element.is_sql != Some(false) => (relational, Exact),
        _ => ("document-database", Closest),
    };
    (Role::Component(kind), fit)
}

/// A Rampart protocol for what pytm's free-text `protocol` says.
pub(super) fn protocol(text: &str) -> Option<&'static str> {
    let text = text.trim().to_ascii_lowercase();
    let protocol = match text.as_str() {
        "https" | "http/2" | "h2" | "https/tls" => "https",
        "http" => "http",
        "sql" | "postgresql" | "postgres" | "mysql" | "mariadb" | "mssql" | "tds" | "jdbc" | "odbc" | "oracle"
        | "mongodb" | "mongo" => "sql",
        "tls" | "ssl" => "tls",
        "tcp" | "udp" | "binary" => "tcp",
        "grpc" => "grpc",
        "ws" | "wss" | "websocket" | "websockets" => "websocket",
        "amqp" | "amqps" => "amqp",
        "kafka" => "kafka",
        "redis" => "redis",
        "mqtt" => "mqtt",
        "mqtts" => "mqtts",
        "ldap" => "ldap",
        "ldaps" => "ldaps",
        "ssh" | "sftp" | "scp" => "ssh",
        "smtp" | "smtps" => "smtp",
        "ftp" => "ftp",
        "ftps" => "ftps",
        "dns" => "dns",
        "smb" => "smb",
        "nfs" => "nfs",
        _ => return None,
    };
    Some(protocol)
}

/// Authentication from a flow's `authenticationScheme` text.
pub(super) fn authentication(scheme: &str) -> Authentication {
    let scheme = scheme.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|word| scheme.contains(word));
    if has(&["oauth", "openid", "oidc"]) {
        Authentication::Oauth2
    } else if has(&["mtls", "mutual", "client cert", "certificate"]) {
        Authentication::MutualTls
    } else if has(&["kerberos", "ntlm"]) {
        Authentication::Kerberos
    } else if has(&["jwt", "bearer", "token"]) {
        Authentication::Token
    } else if has(&["api key", "apikey", "api-key"]) {
        Authentication::ApiKey
    } else if has(&["basic", "password", "digest"]) {
        Authentication::Password
    } else if has(&["session", "cookie"]) {
        Authentication::Session
    } else if has(&["iam", "sigv4"]) {
        Authentication::CloudIam
    } else {
        Authentication::Other
    }
}

/// Rampart countermeasures for pytm's control flags on elements and flows.
/// Flags that only say something about a flow's channel (`isEncrypted`,
/// `authenticatesSource`...) are read by the converter instead.
pub(super) fn control(flag: &str) -> Option<&'static str> {
    let control = match flag {
        "isEncryptedAtRest" => "encryption-at-rest",
        "usesMFA" => "multi-factor-authentication",
        "usesParameterizedInput" => "parameterized-queries",
        "sanitizesInput" | "validatesInput" | "implementsServerSideValidation" => "input-validation",
        "encodesOutput" => "output-encoding",
        "implementsCSRFToken" => "anti-csrf-tokens",
        "disablesDTD" => "secure-xml-parser",
        "checksInputBounds" => "request-size-limits",
        "handlesResourceConsumption" => "api-rate-limiting",
        "encodesHeaders" => "crlf-safe-header-values",
        "disablesiFrames" => "security-headers",
        "invokesScriptFilters" => "web-application-firewall",
        "validatesContentType" => "upload-validation",
        "checksDestinationRevocation" => "certificate-revocation-checking",
        "authenticatesDestination" => "strict-certificate-validation",
        "implementsPOLP" => "least-privilege-data-access",
        "usesStrongSessionIdentifiers" | "verifySessionIdentifiers" => "session-regeneration",
        "encryptsCookies" => "secure-session-cookies",
        "definesConnectionTimeout" => "outbound-call-resilience",
        "tracksExecutionFlow" => "security-logging",
        _ => return None,
    };
    Some(control)
}

/// Flags the converter reads itself, or that describe the element rather
/// than a control, so they are not reported as unmapped.
pub(super) fn is_read_elsewhere(flag: &str) -> bool {
    matches!(flag, "isEncrypted" | "authenticatesSource" | "authorizesSource" | "hasAccessControl" | "usesVPN")
}

/// Likelihood and impact for pytm's severity words.
pub(super) fn severity_scores(severity: &str) -> Option<u8> {
    let score = match severity.trim().to_ascii_lowercase().as_str() {
        "critical" | "very high" => 5,
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        "very low" | "info" | "informational" => 1,
        _ => return None,
    };
    Some(score)
}

/// Tracking status for a finding's `response` (or `status`), with the
/// justification pytm's meaning implies for states that need one.
pub(super) fn status(response: &str) -> Option<(Status, Option<&'static str>)> {
    let status = match response.trim().to_ascii_lowercase().as_str() {
        "open" | "identified" | "" => (Status::Open, None),
        "in progress" | "in-progress" | "inprogress" => (Status::InProgress, None),
        "mitigated" | "resolved" => (Status::Mitigated, None),
        // The asset or flow was removed from the system: nothing left to attack.
        "avoided" => (Status::Mitigated, None),
        "accepted" => (Status::Accepted, Some("Marked accepted in pytm")),
        "transferred" => (Status::Accepted, Some("Transferred to the system's users (pytm response `transferred`)")),
        "not applicable" | "not-applicable" | "false positive" | "false-positive" | "not useful" => {
            (Status::FalsePositive, Some("Marked not applicable in pytm"))
        }
        _ => return None,
    };
    Some(status)
}

/// Confidentiality for pytm's `Classification` enum.
pub(super) fn classification(text: &str) -> Option<Rating> {
    let text = text.strip_prefix("Classification.").unwrap_or(text);
    let rating = match text {
        "UNKNOWN" | "PUBLIC" => Rating::Low,
        "RESTRICTED" => Rating::Medium,
        "SENSITIVE" => Rating::High,
        "SECRET" | "TOP_SECRET" => Rating::Critical,
        _ => return None,
    };
    Some(rating)
}

/// Numbers of the CWE and CAPEC pages a finding's references link to.
pub(super) fn weakness_numbers(references: &str) -> (Vec<u32>, Vec<u32>) {
    let mut cwe = Vec::new();
    let mut capec = Vec::new();
    for reference in references.split([',', ' ', '\n']) {
        let reference = reference.trim().to_ascii_lowercase();
        let number = || {
            let digits = reference.rsplit("definitions/").next().unwrap_or_default();
            digits.trim_end_matches(".html").trim_end_matches('/').parse::<u32>().ok()
        };
        let list = if reference.contains("cwe.mitre.org") {
            &mut cwe
        } else if reference.contains("capec.mitre.org") {
            &mut capec
        } else {
            continue;
        };
        if let Some(number) = number()
            && !list.contains(&number)
        {
            list.push(number);
        }
    }
    (cwe, capec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_links_give_cwe_and_capec_numbers() {
        let references = "https://capec.mitre.org/data/definitions/28.html, http://cwe.mitre.org/data/definitions/20.html, \
                          https://example.org/x";
        assert_eq!(weakness_numbers(references), (vec![20], vec![28]));
    }

    #[test]
    fn severities_and_responses_map() {
        assert_eq!(severity_scores("Very High"), Some(5));
        assert_eq!(severity_scores("Medium"), Some(3));
        assert_eq!(severity_scores("urgent"), None);
        assert_eq!(status("accepted").map(|(status, _)| status), Some(Status::Accepted));
        assert_eq!(status("mitigated").map(|(status, _)| status), Some(Status::Mitigated));
        assert_eq!(status("ignored"), None);
    }
}
