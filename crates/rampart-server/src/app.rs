//! The server: the router with its layers (security headers, body limit,
//! panic guard), the job worker, and start-up and shutdown.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;

use crate::config::ServerConfig;
use crate::db::Db;
use crate::error::ApiError;
use crate::oidc::OidcClient;
use crate::sealed::SecretKey;
use crate::state::{AppState, Shared};

/// A server running in this process.
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: tokio::sync::watch::Sender<bool>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    worker: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops taking requests, lets those in flight finish, and stops the worker.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.server.await;
        if let Some(worker) = self.worker {
            let _ = worker.await;
        }
    }

    /// Waits until the server stops (on SIGINT or SIGTERM when started by `serve`).
    pub async fn wait(self) -> std::io::Result<()> {
        let result = match self.server.await {
            Ok(result) => result,
            Err(error) => Err(std::io::Error::other(error)),
        };
        let _ = self.stop.send(true);
        if let Some(worker) = self.worker {
            let _ = worker.await;
        }
        result
    }
}

/// Opens the database (migrating it), loads the library, binds, and serves.
pub async fn start(config: ServerConfig) -> Result<Running, String> {
    let db = Db::open(&config.database_url, config.max_connections).await.map_err(|e| e.to_string())?;
    let kb = rampart_kb::compile(&rampart_kb::builtin_sources()).map_err(|errors| {
        format!(
            "the knowledge base has {} error(s): {}",
            errors.len(),
            errors.first().map(ToString::to_string).unwrap_or_default()
        )
    })?;
    let secret_key: Option<SecretKey> = match &config.secret_key {
        Some(text) => Some(SecretKey::from_base64(text)?),
        None => SecretKey::from_env()?,
    };
    let oidc = match &config.oidc {
        Some(oidc) => {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
            Some(OidcClient::discover(oidc.clone(), http).await.map_err(|e| format!("single sign-on: {e}"))?)
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let worker_id = format!("{}-{}", addr, &crate::db::new_id()[..8]);
    let previous = crate::store::previous::PreviousAnalyses::new(config.analysis_cache_bytes);
    let state = AppState(Arc::new(Shared {
        db,
        kb: Arc::new(kb),
        config,
        oidc,
        secret_key,
        worker_id,
        previous,
        saves: Default::default(),
    }));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let worker = state.config.run_jobs.then(|| tokio::spawn(crate::jobs::run_worker(state.clone(), stopped.clone())));
    state.db.maintain(stopped.clone());
    let app = router(state.clone());
    let mut shutdown = stopped;
    let server = tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = shutdown.wait_for(|stop| *stop).await;
            })
            .await
    });
    Ok(Running { addr, state, stop, server, worker })
}

/// Serves until SIGINT or SIGTERM, then finishes the requests in flight
/// for at most `shutdown_timeout`; a second signal stops at once. What is
/// still running then is abandoned: an unfinished transaction is rolled
/// back by the database when the process's connections close.
pub async fn serve(config: ServerConfig) -> Result<(), String> {
    let database = crate::db::redact(&config.database_url);
    let timeout = config.shutdown_timeout;
    let running = start(config).await?;
    tracing::info!("Rampart is listening on http://{} (database: {database})", running.addr);
    let stop = running.stop.clone();
    let (give_up, given_up) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!(
            "shutting down: finishing the requests in flight (for {} s at most; a second signal stops at once)",
            timeout.as_secs()
        );
        let _ = stop.send(true);
        tokio::select! {
            _ = tokio::time::sleep(timeout) => {
                tracing::warn!("requests were still in flight after {} s: stopping without them", timeout.as_secs());
            }
            _ = shutdown_signal() => tracing::warn!("a second signal: stopping without the requests in flight"),
        }
        let _ = give_up.send(());
    });
    tokio::select! {
        result = running.wait() => result.map_err(|error| format!("the server failed: {error}")),
        _ = given_up => Ok(()),
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    crate::api::router()
        .fallback(crate::web::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), security_headers))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server hit a bug; the log has details")
                .into_response()
        }))
        // Outermost, so that even a panic's answer carries the request's id.
        .layer(middleware::from_fn_with_state(state.clone(), crate::request_id::middleware))
        .with_state(state)
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "this endpoint does not take that method; see /api/docs",
    )
}

/// Headers that keep browsers from misusing our responses: no framing, no
/// type sniffing, scripts and connections to this server only, and HSTS when
/// users reach the server over HTTPS.
async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; \
             connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    if state.config.is_https() {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    if is_api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
