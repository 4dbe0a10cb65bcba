//! The server's settings, from `rampart serve`'s options and environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::oidc::OidcConfig;

#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    /// Where the embedded database (and nothing else yet) is kept.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// The address users reach the server at (`https://rampart.example.com`),
    /// when it differs from `listen`: single sign-on redirects and HSTS use it.
    pub public_url: Option<String>,
    /// Whether cookies carry `Secure`. On by default; off only for plain HTTP
    /// on a host other than localhost, which the documentation advises against.
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` for the client address in the audit log
    /// (behind a reverse proxy only).
    pub trust_proxy: bool,
    pub session_hours: i64,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    pub max_connections: u32,
    pub oidc: Option<OidcConfig>,
    /// The organisation that new single sign-on users join (default: the first one).
    pub oidc_organisation: Option<String>,
    /// The key that seals integration secrets (base64 of 32 bytes); when
    /// none is given, `RAMPART_SECRET_KEY` is read.
    pub secret_key: Option<String>,
    /// Run the job worker in this process.
    pub run_jobs: bool,
    /// How long a stop waits for the requests in flight before it stops
    /// without them (a request can wait 30 s for a database that does not
    /// answer, and a service manager kills a process that takes too long).
    pub shutdown_timeout: std::time::Duration,
    /// The memory for the last analysis of recently saved models, in bytes,
    /// which lets their next saves analyse only what changed
    /// ([`crate::store::previous`]); 0 keeps none.
    pub analysis_cache_bytes: usize,
}

impl ServerConfig {
    pub fn new(data_dir: PathBuf) -> ServerConfig {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: crate::db::sqlite_url(&data_dir),
            data_dir,
            public_url: None,
            secure_cookies: true,
            trust_proxy: false,
            session_hours: 12,
            body_limit: 16 * 1024 * 1024,
            max_connections: 16,
            oidc: None,
            oidc_organisation: None,
            secret_key: None,
            run_jobs: true,
            shutdown_timeout: std::time::Duration::from_secs(20),
            analysis_cache_bytes: crate::store::previous::DEFAULT_MIB * 1024 * 1024,
        }
    }

    /// Whether the server is reached over TLS (directly or through a proxy), so HSTS applies.
    pub fn is_https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|url| url.starts_with("https://"))
    }
}
