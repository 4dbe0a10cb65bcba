//! Finding the other end of a connection in a configuration value: URLs
//! (`postgres://shop:$(DB_PASSWORD)@db:5432/shop?sslmode=require`), JDBC
//! URLs, key-value connection strings (`Host=db;Port=5432;SSL Mode=Require`),
//! `host:port` pairs and, in variables whose name says so (`DB_HOST`), bare
//! host names.

use rampart_model::Authentication;

use crate::classify::scheme_protocol;

/// Where a configuration value points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The URL scheme, lower-cased, without `jdbc:` (`postgresql`, `rediss`).
    pub scheme: Option<String>,
    /// The host, lower-cased.
    pub host: String,
    pub port: Option<u16>,
    /// Whether the value carries a password (or a placeholder for one).
    pub password: bool,
    /// Whether the value asks for TLS (`https`, `rediss`, `sslmode=require`),
    /// turns it off (`sslmode=disable`), or says nothing.
    pub tls: Option<bool>,
}

impl Endpoint {
    /// The vocabulary protocol the scheme names, if any, and whether the
    /// connection is encrypted as far as the value tells.
    pub fn scheme_protocol(&self) -> Option<(&'static str, Option<bool>)> {
        let (protocol, scheme_tls) = scheme_protocol(self.scheme.as_deref()?)?;
        Some((protocol, if scheme_tls { Some(true) } else { self.tls }))
    }
}

/// Words in a variable name that say the value is where *others* reach this
/// service (its own public URL, allowed origins, OAuth callbacks), not a
/// service it calls.
const SELF_URL_WORDS: &[&str] =
    &["CORS", "ORIGIN", "ORIGINS", "PUBLIC", "CALLBACK", "REDIRECT", "RETURN", "SITE", "HOMEPAGE"];

/// Name endings of variables that hold a bare host name (`DB_HOST=db`).
const HOST_VARIABLE_ENDINGS: &[&str] = &[
    "HOST", "HOSTNAME", "HOSTS", "ADDR", "ADDRESS", "SERVER", "SERVERS", "SERVICE", "ENDPOINT", "URL", "URI", "DSN",
    "BROKERS",
];

/// How a connection authenticates, as a variable beside the one naming it
/// tells: `REDIS_HOST` with `REDIS_PASSWORD`, `BILLING_URL` with
/// `BILLING_API_KEY`.
pub fn sibling_authentication(name: &str, sibling: &str) -> Option<Authentication> {
    let upper = name.to_ascii_uppercase();
    let ending = HOST_VARIABLE_ENDINGS.iter().filter(|ending| upper.ends_with(*ending)).max_by_key(|e| e.len())?;
    let prefix = &upper[..upper.len() - ending.len()];
    if prefix.is_empty() {
        return None;
    }
    match sibling.to_ascii_uppercase().strip_prefix(prefix)? {
        "PASSWORD" | "PASS" | "PASSWD" | "PWD" => Some(Authentication::Password),
        "TOKEN" | "ACCESS_TOKEN" | "AUTH_TOKEN" => Some(Authentication::Token),
        "API_KEY" | "APIKEY" | "KEY" => Some(Authentication::ApiKey),
        _ => None,
    }
}

/// Whether the variable `name` holds this service's own address for others.
pub fn names_own_address(name: &str) -> bool {
    name.to_ascii_uppercase().split(['_', '-', '.']).any(|word| SELF_URL_WORDS.contains(&word))
}

/// The endpoint an environment variable points at, if any.
pub fn parse_variable(name: &str, value: &str) -> Option<Endpoint> {
    if let Some(endpoint) = parse_value(value) {
        return Some(endpoint);
    }
    let upper = name.to_ascii_uppercase();
    let host_variable = HOST_VARIABLE_ENDINGS.iter().any(|ending| upper.ends_with(ending));
    let value = value.trim();
    (host_variable && is_host(value)).then(|| Endpoint {
        scheme: None,
        host: value.to_ascii_lowercase(),
        port: None,
        password: false,
        tls: None,
    })
}

/// The endpoint a value names, if it is a URL, a connection string or a
/// `host:port`.
pub fn parse_value(value: &str) -> Option<Endpoint> {
    let value = value.trim();
    if let Some(separator) = value.find("://") {
        return parse_url(value, separator);
    }
    if value.contains('=') {
        return parse_key_values(value);
    }
    // `kafka-0.kafka:9092,kafka-1.kafka:9092`, `["es:9200"]`: the first one.
    let first = value.split([',', ' ']).next()?.trim_matches(['[', ']', '"', '\'']);
    let (host, port) = first.rsplit_once(':')?;
    let port = port.parse::<u16>().ok()?;
    (is_host(host) && host.chars().any(|c| c.is_ascii_alphabetic())).then(|| Endpoint {
        scheme: None,
        host: host.to_ascii_lowercase(),
        port: Some(port),
        password: false,
        tls: None,
    })
}

fn parse_url(value: &str, separator: usize) -> Option<Endpoint> {
    // The scheme runs back from `://` over scheme characters (`jdbc:postgresql`).
    let scheme_start = value[..separator]
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | ':')))
        .map_or(0, |i| i + 1);
    let scheme = value[scheme_start..separator].to_ascii_lowercase();
    let scheme = scheme.strip_prefix("jdbc:").unwrap_or(&scheme).to_string();
    let rest = &value[separator + 3..];
    let end = rest.find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ']')).unwrap_or(rest.len());
    let rest = &rest[..end];
    let authority_end = rest.find(['/', '?', '#', ';']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => (Some(userinfo), hosts),
        None => (None, authority),
    };
    let (host, port) = split_host_port(hosts.split(',').next().unwrap_or_default())?;
    let password = userinfo.and_then(|u| u.split_once(':')).is_some_and(|(_, password)| !password.is_empty());
    let parameters = tail.split_once(['?', ';']).map_or("", |(_, parameters)| parameters);
    let tls =
        parameters.split(['&', ';']).filter_map(|pair| pair.split_once('=')).find_map(|(k, v)| tls_parameter(k, v));
    Some(Endpoint { scheme: Some(scheme), host, port, password, tls })
}

fn parse_key_values(value: &str) -> Option<Endpoint> {
    // `;` separates ADO.NET and JDBC-style pairs, whose keys may hold spaces
    // (`SSL Mode`); libpq's keyword strings use spaces.
    let pairs: Vec<&str> =
        if value.contains(';') { value.split(';').collect() } else { value.split_whitespace().collect() };
    let (mut host, mut port, mut password, mut tls) = (None, None, false, None);
    for pair in pairs {
        let Some((key, raw)) = pair.split_once('=') else { continue };
        let key: String = key.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        let raw = raw.trim().trim_matches(['\'', '"']);
        match key.as_str() {
            "host" | "hostname" | "server" | "datasource" | "address" | "addr" => {
                // SQL Server writes `tcp:db,1433`.
                let raw = raw.strip_prefix("tcp:").unwrap_or(raw);
                let (name, sql_server_port) = raw.split_once(',').map_or((raw, None), |(h, p)| (h, p.parse().ok()));
                if let Some((name, url_port)) = split_host_port(name) {
                    host = Some(name);
                    port = port.or(sql_server_port).or(url_port);
                }
            }
            "port" => port = raw.parse().ok(),
            "password" | "pwd" => password = !raw.is_empty(),
            _ => tls = tls.or_else(|| tls_parameter(&key, raw)),
        }
    }
    Some(Endpoint { scheme: None, host: host?, port, password, tls })
}

/// What a connection parameter says about TLS.
fn tls_parameter(key: &str, value: &str) -> Option<bool> {
    let key: String = key.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
    let value = value.trim().to_ascii_lowercase();
    match key.as_str() {
        "sslmode" => match value.as_str() {
            "require" | "required" | "verify-ca" | "verify-full" | "verify_ca" | "verify_identity" | "verifyca"
            | "verifyfull" => Some(true),
            "disable" | "disabled" => Some(false),
            _ => None,
        },
        "ssl" | "tls" | "usessl" | "encrypt" | "requiressl" => match value.as_str() {
            "true" | "1" | "yes" | "require" | "strict" | "mandatory" => Some(true),
            "false" | "0" | "no" | "disable" | "optional" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn split_host_port(text: &str) -> Option<(String, Option<u16>)> {
    let text = text.trim();
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let port = match port {
        Some(port) => Some(port.parse::<u16>().ok()?),
        None => None,
    };
    (is_host(host) || host.contains(':')).then(|| (host.to_ascii_lowercase(), port))
}

/// Whether `text` can be a DNS name or an address (no placeholders left).
fn is_host(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 253
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        && !text.starts_with(['-', '.'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(value: &str) -> Endpoint {
        parse_value(value).unwrap_or_else(|| panic!("no endpoint in {value}"))
    }

    #[test]
    fn urls_give_scheme_host_port_password_and_tls() {
        let db = endpoint("postgres://shop:$(DB_PASSWORD)@db:5432/shop?sslmode=disable");
        assert_eq!(
            db,
            Endpoint {
                scheme: Some("postgres".into()),
                host: "db".into(),
                port: Some(5432),
                password: true,
                tls: Some(false)
            }
        );
        let cache = endpoint("rediss://:s3cret@cache.shop.svc.cluster.local:6380/0");
        assert_eq!(
            (cache.host.as_str(), cache.port, cache.password),
            ("cache.shop.svc.cluster.local", Some(6380), true)
        );
        assert_eq!(cache.scheme_protocol(), Some(("redis", Some(true))));
        let api = endpoint("http://api.shop.svc.cluster.local:8080/v1");
        assert_eq!(api.scheme_protocol(), Some(("http", None)));
        assert!(!api.password);
        assert_eq!(endpoint("postgresql://u@db/x?sslmode=verify-full").tls, Some(true));
        assert_eq!(endpoint("postgresql://u@db/x?sslmode=prefer").tls, None);
    }

    #[test]
    fn jdbc_multi_host_and_bracketed_urls_are_understood() {
        let jdbc = endpoint("jdbc:sqlserver://sql:1433;databaseName=shop;encrypt=true");
        assert_eq!(
            (jdbc.scheme.as_deref(), jdbc.host.as_str(), jdbc.port, jdbc.tls),
            (Some("sqlserver"), "sql", Some(1433), Some(true))
        );
        let mongo = endpoint("mongodb://app:pw@mongo-0.mongo:27017,mongo-1.mongo:27017/shop?replicaSet=rs0&tls=true");
        assert_eq!((mongo.host.as_str(), mongo.tls), ("mongo-0.mongo", Some(true)));
        assert_eq!(endpoint("[\"http://es:9200\"]").host, "es");
    }

    #[test]
    fn connection_strings_and_host_port_pairs_are_understood() {
        let npgsql = endpoint("Host=db;Port=5432;Database=shop;Username=shop;Password=x;SSL Mode=Require");
        assert_eq!(
            (npgsql.host.as_str(), npgsql.port, npgsql.password, npgsql.tls),
            ("db", Some(5432), true, Some(true))
        );
        let libpq = endpoint("host=db port=5433 dbname=shop sslmode=disable");
        assert_eq!((libpq.host.as_str(), libpq.port, libpq.tls), ("db", Some(5433), Some(false)));
        let sql_server = endpoint("Server=tcp:sql,1433;Initial Catalog=shop;Encrypt=True");
        assert_eq!((sql_server.host.as_str(), sql_server.port, sql_server.tls), ("sql", Some(1433), Some(true)));
        assert_eq!(endpoint("kafka-0.kafka:9092,kafka-1.kafka:9092").port, Some(9092));
    }

    #[test]
    fn plain_values_are_not_endpoints() {
        for value in ["production", "10:30", "true", "${DB_URL}", "a=b", "https://", "http://${HOST}:80/"] {
            assert_eq!(parse_value(value), None, "{value}");
        }
    }

    #[test]
    fn siblings_tell_how_a_connection_authenticates() {
        assert_eq!(sibling_authentication("REDIS_HOST", "REDIS_PASSWORD"), Some(Authentication::Password));
        assert_eq!(sibling_authentication("billing_url", "BILLING_API_KEY"), Some(Authentication::ApiKey));
        assert_eq!(sibling_authentication("SEARCH_ENDPOINT", "SEARCH_TOKEN"), Some(Authentication::Token));
        assert_eq!(sibling_authentication("REDIS_HOST", "DB_PASSWORD"), None);
        assert_eq!(sibling_authentication("HOST", "PASSWORD"), None);
        assert_eq!(sibling_authentication("REDIS_HOST", "REDIS_PORT"), None);
    }

    #[test]
    fn bare_hosts_count_only_in_host_variables() {
        assert_eq!(parse_variable("DB_HOST", "db").map(|e| e.host), Some("db".into()));
        assert_eq!(parse_variable("REDIS_SERVICE", "cache.shop").map(|e| e.host), Some("cache.shop".into()));
        assert_eq!(parse_variable("LOG_LEVEL", "debug"), None);
        assert!(names_own_address("CORS_ALLOWED_ORIGINS"));
        assert!(names_own_address("PUBLIC_URL"));
        assert!(!names_own_address("DATABASE_URL"));
        assert!(!names_own_address("PAYMENTS_API_BASE_URL"));
    }
}
