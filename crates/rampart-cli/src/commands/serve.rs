//! `rampart serve`: the platform server (see crates/rampart-server).

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::input::fail;

/// Where the server keeps its data, shared by `serve` and `admin`.
#[derive(clap::Args, Clone, Debug)]
pub struct DatabaseArgs {
    /// The directory of the embedded SQLite database (created on first start).
    #[arg(long, value_name = "DIR", env = "RAMPART_DATA_DIR", default_value = "rampart-data")]
    pub data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://USER:PASSWORD@HOST/DATABASE) to use instead
    /// of the embedded SQLite database.
    #[arg(long, value_name = "URL", env = "RAMPART_DATABASE_URL")]
    pub database: Option<String>,
}

impl DatabaseArgs {
    pub fn url(&self) -> String {
        self.database.clone().unwrap_or_else(|| rampart_server::db::sqlite_url(&self.data_dir))
    }
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The address to listen on.
    #[arg(long, value_name = "ADDR", env = "RAMPART_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// The address users reach the server at, when it differs (behind a
    /// reverse proxy: https://rampart.example.com). An https URL turns HSTS on.
    #[arg(long, value_name = "URL", env = "RAMPART_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Trust X-Forwarded-For for client addresses, and keep the proxy's
    /// X-Request-Id (only behind your own reverse proxy).
    #[arg(long)]
    pub trust_proxy: bool,
    /// Send cookies without `Secure`, for plain HTTP on a host other than
    /// localhost. Not for production: serve HTTPS instead.
    #[arg(long)]
    pub insecure_cookies: bool,
    /// How long a sign-in lasts, in hours.
    #[arg(long, value_name = "HOURS", default_value_t = 12)]
    pub session_hours: i64,
    /// The largest request body accepted, in MiB (uploads of models).
    #[arg(long, value_name = "MIB", default_value_t = 16)]
    pub body_limit_mib: usize,
    /// Memory for the last analysis of recently saved models, in MiB: a
    /// model kept there has its next save analyse only what changed (a
    /// 200-component model takes about 0.85 MiB). 0 keeps none.
    #[arg(long, value_name = "MIB", env = "RAMPART_ANALYSIS_CACHE_MIB", default_value_t = rampart_server::store::previous::DEFAULT_MIB)]
    pub analysis_cache_mib: usize,
    /// Database connections in the pool.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub max_connections: u32,
    /// Do not run queued jobs in this process (another replica will).
    #[arg(long)]
    pub no_jobs: bool,
    /// On SIGTERM or Ctrl-C, how long to let the requests in flight finish
    /// before stopping without them; a second signal stops at once.
    #[arg(long, value_name = "SECONDS", env = "RAMPART_SHUTDOWN_TIMEOUT", default_value_t = 20)]
    pub shutdown_timeout: u64,
    /// Single sign-on: the OpenID Connect issuer URL (its discovery document
    /// is read at start).
    #[arg(long, value_name = "URL", env = "RAMPART_OIDC_ISSUER", requires = "oidc_client_id")]
    pub oidc_issuer: Option<String>,
    #[arg(long, value_name = "ID", env = "RAMPART_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// Prefer the environment variable: a command line is visible to other users.
    #[arg(long, value_name = "SECRET", env = "RAMPART_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// The organisation that new single sign-on users join (default: the first).
    #[arg(long, value_name = "NAME", env = "RAMPART_OIDC_ORGANISATION")]
    pub oidc_organisation: Option<String>,
}

pub fn run(args: Args) -> u8 {
    crate::allocator::tune_for_server();
    init_logging();
    let mut config = rampart_server::ServerConfig::new(args.database.data_dir.clone());
    config.database_url = args.database.url();
    config.listen = args.listen;
    config.public_url = args.public_url.clone();
    config.trust_proxy = args.trust_proxy;
    config.secure_cookies = !args.insecure_cookies;
    config.session_hours = args.session_hours.clamp(1, 24 * 30);
    config.body_limit = args.body_limit_mib.clamp(1, 1024) * 1024 * 1024;
    config.max_connections = args.max_connections.clamp(1, 256);
    config.analysis_cache_bytes = args.analysis_cache_mib.min(1024 * 1024) * 1024 * 1024;
    config.run_jobs = !args.no_jobs;
    config.shutdown_timeout = std::time::Duration::from_secs(args.shutdown_timeout.min(24 * 3600));
    config.oidc_organisation = args.oidc_organisation.clone();
    if let Some(issuer) = &args.oidc_issuer {
        let base = args.public_url.clone().unwrap_or_else(|| format!("http://{}", args.listen));
        config.oidc = Some(rampart_server::oidc::OidcConfig {
            issuer: issuer.clone(),
            client_id: args.oidc_client_id.clone().unwrap_or_default(),
            client_secret: args.oidc_client_secret.clone().unwrap_or_default(),
            redirect_url: format!("{}/api/v1/auth/oidc/callback", base.trim_end_matches('/')),
            scopes: vec!["openid".to_string(), "email".to_string(), "profile".to_string()],
        });
    }
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(message) => return fail(&message),
    };
    let result = runtime.block_on(rampart_server::serve(config));
    // Requests abandoned at the shutdown timeout are not waited for again
    // here, as dropping the runtime would (for its blocking threads).
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => crate::exit::OK,
        Err(message) => fail(&message),
    }
}

pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("RAMPART_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colours only for a terminal: a journal or a log file would keep the escape codes.
    let colours = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_ansi(colours).try_init();
}
