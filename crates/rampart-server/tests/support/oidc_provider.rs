//! A small but real OpenID provider for tests: discovery, `/authorize` (authorization code with PKCE S256),
//! `/token` (client_secret_basic and client_secret_post, one-time codes) and `/jwks`, signing ID tokens with a fixed
//! test-only RSA key (RS256) or, on request, a P-256 key (ES256). It runs inside the test process on 127.0.0.1.
//!
//! Use from any test file with `#[path = "support/oidc_provider.rs"] mod oidc_provider;` (no other test module is
//! needed). [`TestProvider::misbehave`] makes it issue broken ID tokens, to test that the client refuses them.
//!
//! The keys under tests/support (`oidc_key.pem`, `oidc_ec_key.pem`) were generated for these tests only with
//! `openssl genrsa -out oidc_key.pem 2048` and
//! `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out oidc_ec_key.pem`; they protect nothing.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const RSA_KID: &str = "rampart-test-rsa-1";
const RSA_PRIVATE_KEY_PEM: &str = include_str!("oidc_key.pem");
/// The RSA public modulus, base64url: `openssl rsa -in oidc_key.pem -noout -modulus` (hex), converted to bytes and
/// base64url-encoded without padding.
const RSA_N: &str = "gyk9nKes1G6wovg2Dpe0260Y-U9ld9jjsvoMNlvMcpYLKbn4wZaJvtAzkldAJ1eaw04VtaGuPvwefFBJuNXEl4BaNQcqZbaxo0Tw1Ig_\
5lxDIjA7OYCU9EF6uNK54xt92WACFMF7l2o97omTa_wuTKpxUkJOX2TfHnUA5zvBnxCtChGlR3MBWgQ6DcsNpz3BI6R6srWBgwWgBney9Yep9PTKHGX1pnwe0zMD\
Q2a6HmbeA4BgeBOYdtE-UohCFHxvyFVgNGHuK7Oa7eiA-yxOafS9glDdvatHEtdzbjc2dBby9ypvA59GifsqkzyZrcYaFc2b9GwX7hAHCO3pGZXejw";
/// 65537, base64url.
const RSA_E: &str = "AQAB";

const EC_KID: &str = "rampart-test-ec-1";
const EC_PRIVATE_KEY_PEM: &str = include_str!("oidc_ec_key.pem");
/// The P-256 public point: the last 65 bytes of `openssl pkey -in oidc_ec_key.pem -pubout -outform DER` are
/// 0x04 || x || y; x and y base64url-encoded without padding.
const EC_X: &str = "AWnIB2HPKEOkFwWnx2Y1joZzdoycvt6cTBBPA5E4cps";
const EC_Y: &str = "F9pLUUb_xNhuhIoKp1YOfeTg9DxigooBcGv5Mtwvuak";

/// How long issued ID tokens and authorization codes stay valid.
const TOKEN_LIFETIME_SECS: i64 = 300;
const CODE_LIFETIME_SECS: i64 = 120;

/// A user who can log in at the provider.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub subject: String,
    pub email: String,
    pub name: String,
    /// Chosen with `login_hint=<username>` on `/authorize`; without a hint the first user logs in.
    pub username: String,
}

/// A way to break the ID tokens the provider issues. Stays in force until set back to `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misbehaviour {
    None,
    /// `aud` names another client.
    WrongAudience,
    /// `exp` an hour ago.
    Expired,
    /// A valid token whose signature bytes were altered.
    BadSignature,
    /// `nonce` differs from the one sent to `/authorize`.
    WrongNonce,
    /// `iss` is not the provider's issuer.
    WrongIssuer,
    /// Unsigned token (`alg: none`, empty signature).
    AlgNone,
}

/// Which key signs ID tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestSigningAlg {
    Rs256,
    Es256,
}

/// A running provider; it stops when dropped.
pub struct TestProvider {
    /// `http://127.0.0.1:PORT`, also the discovery document's `issuer`.
    pub issuer: String,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

struct Shared {
    issuer: String,
    client_id: String,
    client_secret: String,
    users: Vec<TestUser>,
    token_requests: AtomicUsize,
    jwks_requests: AtomicUsize,
    settings: Mutex<Settings>,
}

struct Settings {
    codes: HashMap<String, PendingCode>,
    misbehaviour: Misbehaviour,
    signing: TestSigningAlg,
    published: Vec<TestSigningAlg>,
    auth_methods: Vec<String>,
}

/// What `/authorize` granted, waiting to be redeemed once at `/token`.
struct PendingCode {
    user: TestUser,
    redirect_uri: String,
    code_challenge: String,
    nonce: Option<String>,
    issued_at: i64,
}

impl TestProvider {
    /// Starts the provider on 127.0.0.1 with an ephemeral port, for one confidential client.
    pub async fn start(client_id: &str, client_secret: &str, users: Vec<TestUser>) -> TestProvider {
        let listener =
            tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the test OIDC provider on 127.0.0.1");
        let port = listener.local_addr().expect("the test OIDC provider's local address").port();
        let issuer = format!("http://127.0.0.1:{port}");
        let shared = Arc::new(Shared {
            issuer: issuer.clone(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            users,
            token_requests: AtomicUsize::new(0),
            jwks_requests: AtomicUsize::new(0),
            settings: Mutex::new(Settings {
                codes: HashMap::new(),
                misbehaviour: Misbehaviour::None,
                signing: TestSigningAlg::Rs256,
                published: vec![TestSigningAlg::Rs256],
                auth_methods: vec!["client_secret_basic".into(), "client_secret_post".into()],
            }),
        });
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/authorize", get(authorize))
            .route("/token", post(token))
            .route("/jwks", get(jwks))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        TestProvider { issuer, shared, server }
    }

    /// Affects the ID tokens issued from now on, until called again with [`Misbehaviour::None`].
    pub fn misbehave(&self, how: Misbehaviour) {
        self.shared.settings().misbehaviour = how;
    }

    /// How many requests reached `POST /token` (valid or not).
    pub fn token_requests(&self) -> usize {
        self.shared.token_requests.load(Ordering::SeqCst)
    }

    /// How many times `/jwks` was fetched.
    pub fn jwks_requests(&self) -> usize {
        self.shared.jwks_requests.load(Ordering::SeqCst)
    }

    /// Signs the next ID tokens with this key (it is not published in `/jwks` unless [`Self::publish_keys`] says so).
    pub fn sign_with(&self, alg: TestSigningAlg) {
        self.shared.settings().signing = alg;
    }

    /// Which public keys `/jwks` lists (default: the RSA key only), e.g. to simulate a key rotation.
    pub fn publish_keys(&self, keys: &[TestSigningAlg]) {
        self.shared.settings().published = keys.to_vec();
    }

    /// Which client authentication methods discovery advertises and `/token` accepts
    /// (default: client_secret_basic and client_secret_post).
    pub fn advertise_auth_methods(&self, methods: &[&str]) {
        self.shared.settings().auth_methods = methods.iter().map(|m| (*m).to_owned()).collect();
    }
}

impl Drop for TestProvider {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Shared {
    fn settings(&self) -> MutexGuard<'_, Settings> {
        self.settings.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

async fn discovery(State(shared): State<Arc<Shared>>) -> Response {
    let issuer = &shared.issuer;
    let auth_methods = shared.settings().auth_methods.clone();
    axum::Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "scopes_supported": ["openid", "email", "profile"],
        "grant_types_supported": ["authorization_code"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        "token_endpoint_auth_methods_supported": auth_methods,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified", "name",
                             "preferred_username"],
    }))
    .into_response()
}

async fn jwks(State(shared): State<Arc<Shared>>) -> Response {
    shared.jwks_requests.fetch_add(1, Ordering::SeqCst);
    let published = shared.settings().published.clone();
    let keys: Vec<Value> = published
        .iter()
        .map(|alg| match alg {
            TestSigningAlg::Rs256 => json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": RSA_KID,
                                            "n": RSA_N, "e": RSA_E}),
            TestSigningAlg::Es256 => json!({"kty": "EC", "use": "sig", "alg": "ES256", "kid": EC_KID,
                                            "crv": "P-256", "x": EC_X, "y": EC_Y}),
        })
        .collect();
    axum::Json(json!({ "keys": keys })).into_response()
}

/// The browser-facing endpoint: validates the request, "logs in" the hinted (or first) user and redirects back.
async fn authorize(State(shared): State<Arc<Shared>>, Query(params): Query<HashMap<String, String>>) -> Response {
    let param = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
    if param("client_id") != shared.client_id {
        return bad_request(&format!("unknown client_id `{}`", param("client_id")));
    }
    let Ok(mut redirect) = url::Url::parse(param("redirect_uri")) else {
        return bad_request("redirect_uri is missing or not an absolute URL");
    };
    if param("response_type") != "code" {
        return bad_request("response_type must be `code`");
    }
    if !param("scope").split(' ').any(|scope| scope == "openid") {
        return bad_request("scope must include `openid`");
    }
    if param("code_challenge").is_empty() || param("code_challenge_method") != "S256" {
        return bad_request("PKCE is required: code_challenge with code_challenge_method=S256");
    }
    let user = match params.get("login_hint") {
        Some(hint) => shared.users.iter().find(|user| &user.username == hint),
        None => shared.users.first(),
    };
    let Some(user) = user.cloned() else {
        return bad_request("no such user (login_hint names no known username, or the provider has no users)");
    };
    let code = random_token();
    shared.settings().codes.insert(
        code.clone(),
        PendingCode {
            user,
            redirect_uri: param("redirect_uri").to_owned(),
            code_challenge: param("code_challenge").to_owned(),
            nonce: params.get("nonce").cloned(),
            issued_at: now(),
        },
    );
    {
        let mut query = redirect.query_pairs_mut();
        query.append_pair("code", &code);
        if let Some(state) = params.get("state") {
            query.append_pair("state", state);
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, redirect.to_string())]).into_response()
}

/// The back-channel endpoint: authenticates the client, redeems the code once, checks PKCE, issues tokens.
async fn token(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: String) -> Response {
    shared.token_requests.fetch_add(1, Ordering::SeqCst);
    let form: HashMap<String, String> = url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or("");
    if let Err(reason) = authenticate_client(&shared, &headers, &form) {
        return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", &reason);
    }
    if field("grant_type") != "authorization_code" {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "only authorization_code is supported");
    }
    // Removed before any check: a code is good for one attempt only.
    let pending = shared.settings().codes.remove(field("code"));
    let Some(pending) = pending else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "unknown, expired or already used code");
    };
    if now() - pending.issued_at > CODE_LIFETIME_SECS {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "the code has expired");
    }
    if field("redirect_uri") != pending.redirect_uri {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "redirect_uri differs from the authorize request",
        );
    }
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(field("code_verifier").as_bytes()));
    if challenge != pending.code_challenge {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "code_verifier does not match the code_challenge",
        );
    }
    let id_token = issue_id_token(&shared, &pending);
    let body = json!({
        "access_token": random_token(),
        "token_type": "Bearer",
        "expires_in": TOKEN_LIFETIME_SECS,
        "id_token": id_token,
    });
    (StatusCode::OK, [(header::CACHE_CONTROL, "no-store")], axum::Json(body)).into_response()
}

/// Checks client_secret_basic (form-urlencoded id and secret, RFC 6749 §2.3.1) or client_secret_post,
/// whichever is currently advertised.
fn authenticate_client(shared: &Shared, headers: &HeaderMap, form: &HashMap<String, String>) -> Result<(), String> {
    let methods = shared.settings().auth_methods.clone();
    let (client_id, secret, method) = match headers.get(header::AUTHORIZATION) {
        Some(value) => {
            let value = value.to_str().map_err(|_| "Authorization header is not text".to_owned())?;
            let encoded = value.strip_prefix("Basic ").ok_or("Authorization is not Basic")?;
            let decoded = STANDARD.decode(encoded).map_err(|_| "Basic credentials are not base64".to_owned())?;
            let decoded = String::from_utf8(decoded).map_err(|_| "Basic credentials are not UTF-8".to_owned())?;
            let (id, secret) = decoded.split_once(':').ok_or("Basic credentials have no `:`")?;
            (form_decode(id), form_decode(secret), "client_secret_basic")
        }
        None => (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
            "client_secret_post",
        ),
    };
    if !methods.iter().any(|m| m == method) {
        return Err(format!("{method} is not an accepted client authentication method"));
    }
    if client_id != shared.client_id || secret != shared.client_secret {
        return Err("wrong client_id or client_secret".into());
    }
    Ok(())
}

fn issue_id_token(shared: &Shared, pending: &PendingCode) -> String {
    let (misbehaviour, signing) = {
        let settings = shared.settings();
        (settings.misbehaviour, settings.signing)
    };
    let issued = now();
    let mut claims = json!({
        "iss": shared.issuer,
        "sub": pending.user.subject,
        "aud": shared.client_id,
        "azp": shared.client_id,
        "exp": issued + TOKEN_LIFETIME_SECS,
        "iat": issued,
        "auth_time": issued,
        "email": pending.user.email,
        "email_verified": true,
        "name": pending.user.name,
        "preferred_username": pending.user.username,
    });
    if let Some(nonce) = &pending.nonce {
        claims["nonce"] = json!(nonce);
    }
    match misbehaviour {
        Misbehaviour::WrongAudience => {
            claims["aud"] = json!("some-other-client");
            claims["azp"] = json!("some-other-client");
        }
        Misbehaviour::Expired => {
            claims["iat"] = json!(issued - 7200);
            claims["auth_time"] = json!(issued - 7200);
            claims["exp"] = json!(issued - 3600);
        }
        Misbehaviour::WrongNonce => claims["nonce"] = json!("not-the-nonce-you-sent"),
        Misbehaviour::WrongIssuer => claims["iss"] = json!("https://impostor.example"),
        Misbehaviour::None | Misbehaviour::BadSignature | Misbehaviour::AlgNone => {}
    }
    if misbehaviour == Misbehaviour::AlgNone {
        let header = URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string());
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        return format!("{header}.{payload}.");
    }
    let token = sign(&claims, signing);
    if misbehaviour == Misbehaviour::BadSignature { tamper_with_signature(&token) } else { token }
}

fn sign(claims: &Value, alg: TestSigningAlg) -> String {
    let (algorithm, kid, key) = match alg {
        TestSigningAlg::Rs256 => (
            Algorithm::RS256,
            RSA_KID,
            EncodingKey::from_rsa_pem(RSA_PRIVATE_KEY_PEM.as_bytes()).expect("the committed test RSA key parses"),
        ),
        TestSigningAlg::Es256 => (
            Algorithm::ES256,
            EC_KID,
            EncodingKey::from_ec_pem(EC_PRIVATE_KEY_PEM.as_bytes()).expect("the committed test EC key parses"),
        ),
    };
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key).expect("signing a test ID token")
}

/// Flips one bit of the signature, keeping the token well-formed.
fn tamper_with_signature(token: &str) -> String {
    let (signed_part, signature) = token.rsplit_once('.').expect("a signed JWT has a signature part");
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).expect("the signature is base64url");
    if let Some(first) = bytes.first_mut() {
        *first ^= 0x01;
    }
    format!("{signed_part}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (status, axum::Json(json!({"error": error, "error_description": description}))).into_response()
}

fn bad_request(reason: &str) -> Response {
    (StatusCode::BAD_REQUEST, format!("authorization request refused: {reason}")).into_response()
}

fn form_decode(value: &str) -> String {
    url::form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, decoded)| decoded.into_owned())
        .unwrap_or_default()
}

fn random_token() -> String {
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_secs() as i64).unwrap_or(0)
}
