//! Threat Dragon's free-text protocols and actor names in Rampart's terms.

/// A protocol written in words, in the knowledge base's terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Protocol {
    pub protocol: &'static str,
    /// `Some(true)` when the words say the channel is secured and the
    /// protocol is not encrypted by default.
    pub encrypted: Option<bool>,
}

/// The protocol that free text such as `HTTP/S`, `TCP+SSL JSON RPC` or
/// `Websocket Secure` names, if any.
pub(super) fn protocol(text: &str) -> Option<Protocol> {
    let lower = text.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |word: &str| words.contains(&word);
    let secured = has("tls") || has("ssl") || has("secure") || has("encrypted");
    let plain = |protocol| Some(Protocol { protocol, encrypted: None });
    let upgraded = |protocol| Some(Protocol { protocol, encrypted: secured.then_some(true) });
    // `HTTP/S` is Threat Dragon's own spelling of HTTPS.
    if has("https") || (has("http") && (has("s") || secured)) {
        return plain("https");
    }
    if has("wss") {
        return Some(Protocol { protocol: "websocket", encrypted: Some(true) });
    }
    if has("websocket") || has("websockets") || has("ws") {
        return upgraded("websocket");
    }
    if has("grpc") {
        return plain("grpc");
    }
    if has("http") || has("rest") {
        return plain("http");
    }
    const EXACT: &[(&[&str], &str)] = &[
        (&["sql", "jdbc", "odbc", "tds", "mysql", "postgres", "postgresql"], "sql"),
        (&["amqp", "amqps"], "amqp"),
        (&["kafka"], "kafka"),
        (&["redis"], "redis"),
        (&["ldaps"], "ldaps"),
        (&["ldap"], "ldap"),
        (&["smtp", "smtps"], "smtp"),
        (&["ssh", "sftp", "scp"], "ssh"),
        (&["ftps"], "ftps"),
        (&["ftp"], "ftp"),
        (&["dns"], "dns"),
        (&["mqtts"], "mqtts"),
        (&["mqtt"], "mqtt"),
        (&["rdp"], "rdp"),
        (&["smb", "cifs"], "smb"),
        (&["nfs"], "nfs"),
        (&["snmp"], "snmp"),
        (&["telnet"], "telnet"),
        (&["vpn", "ipsec", "wireguard"], "vpn"),
        (&["ntp"], "ntp"),
        (&["modbus"], "modbus"),
        (&["coap"], "coap"),
    ];
    if let Some((_, protocol)) = EXACT.iter().find(|(spellings, _)| spellings.iter().any(|spelling| has(spelling))) {
        return upgraded(protocol);
    }
    if has("tls") || has("ssl") {
        return plain("tls");
    }
    if has("tcp") || has("udp") || has("socket") {
        return plain("tcp");
    }
    None
}

/// The catalog actor type that an actor's name suggests; `providesAuthentication`
/// marks an outside system that logs users in.
pub(super) fn actor_kind(name: &str, provides_authentication: bool) -> &'static str {
    const KINDS: &[(&[&str], &str)] = &[
        (&["admin", "admins", "administrator", "administrators", "operator", "operators"], "administrator"),
        (&["developer", "developers", "engineer", "engineers"], "developer"),
        (&["support", "helpdesk"], "support-agent"),
        (&["partner", "partners"], "partner-user"),
        (&["anonymous", "visitor", "visitors", "attacker", "public"], "anonymous-visitor"),
        (&["payment", "payments", "stripe", "paypal", "adyen"], "payment-processor"),
        (&["email", "mail", "smtp"], "email-service"),
        (&["sms"], "sms-gateway"),
        (
            &[
                "system",
                "systems",
                "service",
                "services",
                "api",
                "server",
                "provider",
                "platform",
                "blockchain",
                "external",
                "third",
                "exchange",
                "bank",
                "saas",
                "cloud",
                "idp",
            ],
            "external-system",
        ),
    ];
    if provides_authentication {
        return "external-system";
    }
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    KINDS
        .iter()
        .find(|(spellings, _)| spellings.iter().any(|spelling| words.contains(spelling)))
        .map_or("user", |(_, kind)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_in_words_are_recognised() {
        let named = |text| protocol(text).map(|found| (found.protocol, found.encrypted));
        assert_eq!(named("HTTP/S"), Some(("https", None)));
        assert_eq!(named("HTTP\nJSON RPC"), Some(("http", None)));
        assert_eq!(named("Websocket\nSecure"), Some(("websocket", Some(true))));
        assert_eq!(named("TCP+SSL 50002 JSON RPC"), Some(("tls", None)));
        assert_eq!(named("JDBC"), Some(("sql", None)));
        assert_eq!(named("AMQP over TLS"), Some(("amqp", Some(true))));
        assert_eq!(named("SPV"), None);
    }

    #[test]
    fn actor_names_suggest_kinds() {
        assert_eq!(actor_kind("Browser", false), "user");
        assert_eq!(actor_kind("Site Admin", false), "administrator");
        assert_eq!(actor_kind("Blockchain", false), "external-system");
        assert_eq!(actor_kind("Customer", true), "external-system");
    }
}
