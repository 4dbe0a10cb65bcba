//! OpenID Connect login against an external identity provider (Keycloak, Entra ID, Okta, Google, ...).
//!
//! The server is a confidential client using the authorization-code flow with PKCE (S256):
//!
//! | step | what happens here | why |
//! | --- | --- | --- |
//! | [`OidcClient::discover`] | fetch `ISSUER/.well-known/openid-configuration`, require its `issuer` to equal the configured one | a look-alike issuer cannot redirect logins to its own endpoints |
//! | [`OidcClient::start`] | fresh random `state`, `nonce` and PKCE verifier; build the authorization URL | `state` binds the callback to the browser, `nonce` binds the ID token to the login, PKCE binds the code to this server |
//! | [`OidcClient::finish`] | exchange the code at the token endpoint (client_secret_basic or client_secret_post, as advertised) with the PKCE verifier | only the holder of the client secret and the verifier can redeem the code |
//! | | verify the ID token: signature with the provider's JWKS (RS*, PS*, ES256/384, EdDSA), `iss`, `aud`/`azp`, `exp`/`iat`/`nbf` with 60 s leeway, `nonce` | the token is the only proof of who logged in |
//!
//! Unsigned (`alg: none`) and shared-secret (HS*) ID tokens are refused. The JWKS is cached in the client and
//! fetched again once when a token names a key id the cache does not know (the provider rotated its keys).
//! Every HTTP call has a 10 s timeout. Neither the client secret nor any token is ever logged or put in an error.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rand::RngCore;
use rand::rngs::OsRng;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;
use url::Url;

/// Every call to the provider gives up after this long, so a hung provider cannot hold a login forever.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Clock skew tolerated between this server and the provider for `exp`, `iat` and `nbf`.
const CLOCK_LEEWAY_SECS: i64 = 60;
/// Discovery documents, JWKS and token responses are small; a larger answer is refused rather than buffered.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// Error bodies quoted in messages are cut to this many characters.
const MAX_QUOTED_CHARS: usize = 200;

/// How to reach and authenticate to one OpenID provider.
#[derive(Clone)]
pub struct OidcConfig {
    /// The issuer identifier, exactly as the provider writes it in its tokens (e.g. `https://idp.example/realms/x`).
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// This server's callback URL, registered at the provider.
    pub redirect_url: String,
    /// Scopes to request besides `openid`, which is always requested.
    pub scopes: Vec<String>,
}

/// Written by hand so the client secret never reaches a log through `{:?}`.
impl fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_url", &self.redirect_url)
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// A discovered provider, ready to start and finish logins. Cheap to clone: clones share the JWKS cache.
#[derive(Clone)]
pub struct OidcClient {
    config: Arc<OidcConfig>,
    http: reqwest::Client,
    endpoints: Arc<Endpoints>,
    /// The provider's signing keys, `None` until first needed.
    jwks: Arc<RwLock<Option<Vec<Jwk>>>>,
}

impl fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcClient").field("config", &self.config).field("endpoints", &self.endpoints).finish()
    }
}

/// The provider's endpoints from its discovery document.
#[derive(Debug)]
struct Endpoints {
    authorization: Url,
    token: Url,
    jwks: Url,
    token_auth: TokenAuthMethod,
}

/// How the client authenticates at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenAuthMethod {
    /// HTTP Basic with the form-urlencoded client id and secret (RFC 6749 §2.3.1).
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
}

/// What the browser must be sent to, and what the server must remember (bound to the browser) until the callback.
pub struct AuthRequest {
    /// The provider's authorization URL with all parameters.
    pub url: String,
    /// Must come back unchanged in the callback's `state` parameter.
    pub state: String,
    /// Must be given to [`OidcClient::finish`]; the ID token has to carry it.
    pub nonce: String,
    /// Must be given to [`OidcClient::finish`]; never sent to the browser.
    pub pkce_verifier: String,
}

/// The verified identity from an ID token.
#[derive(Clone, Debug, PartialEq)]
pub struct Identity {
    pub issuer: String,
    /// The provider's stable user id (`sub`); together with `issuer` it identifies the account.
    pub subject: String,
    pub email: Option<String>,
    /// Whether the provider vouches for `email`; an unverified address must not be used to link accounts.
    pub email_verified: bool,
    pub name: Option<String>,
    pub preferred_username: Option<String>,
}

/// Why discovery or a login failed. Messages name the step, the URL and the reason, for a log and an admin;
/// they never contain the client secret or a token.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("OIDC configuration is invalid: {0}")]
    Config(String),
    #[error("could not reach the OIDC provider's {what} at {url}: {reason}")]
    Unreachable { what: &'static str, url: String, reason: String },
    #[error("the OIDC provider's {what} at {url} answered HTTP {status}{detail}")]
    HttpStatus { what: &'static str, url: String, status: u16, detail: String },
    #[error("the OIDC provider's {what} at {url} is not usable: {reason}")]
    BadResponse { what: &'static str, url: String, reason: String },
    #[error(
        "OIDC issuer mismatch: configured `{configured}` but the discovery document says `{discovered}` \
         (they must be identical, including any trailing slash)"
    )]
    IssuerMismatch { configured: String, discovered: String },
    #[error("the OIDC provider refused the authorization code (HTTP {status}, {error}){description}")]
    CodeRejected { status: u16, error: String, description: String },
    #[error("ID token rejected: {0}")]
    InvalidIdToken(String),
    /// The caller passed what no login could have produced (empty code, lost nonce or verifier).
    #[error("invalid login callback: {0}")]
    InvalidCallback(String),
}

impl OidcClient {
    /// Fetches ISSUER/.well-known/openid-configuration, checks its `issuer` equals the configured one.
    pub async fn discover(config: OidcConfig, http: reqwest::Client) -> Result<OidcClient, OidcError> {
        check_config(&config)?;
        let url = format!("{}/.well-known/openid-configuration", config.issuer.trim_end_matches('/'));
        let what = "discovery document";
        let body = get_json(&http, what, &url).await?;
        let document: DiscoveryDocument = serde_json::from_slice(&body).map_err(|e| OidcError::BadResponse {
            what,
            url: url.clone(),
            reason: e.to_string(),
        })?;
        if document.issuer != config.issuer {
            return Err(OidcError::IssuerMismatch { configured: config.issuer, discovered: document.issuer });
        }
        let endpoints = Endpoints {
            authorization: endpoint_url(&url, "authorization_endpoint", &document.authorization_endpoint)?,
            token: endpoint_url(&url, "token_endpoint", &document.token_endpoint)?,
            jwks: endpoint_url(&url, "jwks_uri", &document.jwks_uri)?,
            token_auth: choose_token_auth(&url, document.token_endpoint_auth_methods_supported.as_deref())?,
        };
        tracing::debug!(issuer = %config.issuer, token_auth = ?endpoints.token_auth, "discovered OIDC provider");
        Ok(OidcClient {
            config: Arc::new(config),
            http,
            endpoints: Arc::new(endpoints),
            jwks: Arc::new(RwLock::new(None)),
        })
    }

    /// Authorization-code request with fresh random state, nonce and PKCE (S256).
    pub fn start(&self) -> AuthRequest {
        let state = random_token();
        let nonce = random_token();
        let pkce_verifier = random_token();
        let mut url = self.endpoints.authorization.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &self.config.redirect_url)
            .append_pair("scope", &scope_string(&self.config.scopes))
            .append_pair("state", &state)
            .append_pair("nonce", &nonce)
            .append_pair("code_challenge", &pkce_challenge(&pkce_verifier))
            .append_pair("code_challenge_method", "S256");
        AuthRequest { url: url.into(), state, nonce, pkce_verifier }
    }

    /// Exchanges the code at the token endpoint, then verifies the ID token (signature with the provider's JWKS,
    /// `iss`, `aud`/`azp`, `exp`/`iat`/`nbf` with 60 s leeway, `nonce`) and returns the identity it vouches for.
    pub async fn finish(&self, code: &str, nonce: &str, pkce_verifier: &str) -> Result<Identity, OidcError> {
        if code.is_empty() {
            return Err(OidcError::InvalidCallback("the authorization code is empty".into()));
        }
        if nonce.is_empty() || pkce_verifier.is_empty() {
            return Err(OidcError::InvalidCallback(
                "the nonce and PKCE verifier remembered from `start` are missing".into(),
            ));
        }
        let id_token = self.exchange_code(code, pkce_verifier).await?;
        let claims = self.verify_signature(&id_token).await?;
        identity_from_claims(&claims, &self.config.issuer, &self.config.client_id, nonce, unix_now())
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    /// How this client authenticates at the provider's token endpoint (from the discovery document).
    pub fn token_auth_method(&self) -> TokenAuthMethod {
        self.endpoints.token_auth
    }

    /// Redeems the code; returns the raw ID token.
    async fn exchange_code(&self, code: &str, pkce_verifier: &str) -> Result<String, OidcError> {
        let what = "token endpoint";
        let url = self.endpoints.token.as_str();
        // Built in a block: the serializer is not Send, so it must not live across the await.
        let form_body = {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "authorization_code")
                .append_pair("code", code)
                .append_pair("redirect_uri", &self.config.redirect_url)
                .append_pair("code_verifier", pkce_verifier);
            if let TokenAuthMethod::ClientSecretPost = self.endpoints.token_auth {
                form.append_pair("client_id", &self.config.client_id)
                    .append_pair("client_secret", &self.config.client_secret);
            }
            form.finish()
        };
        let mut request = self
            .http
            .post(self.endpoints.token.clone())
            .timeout(HTTP_TIMEOUT)
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let TokenAuthMethod::ClientSecretBasic = self.endpoints.token_auth {
            let credentials =
                format!("{}:{}", form_urlencode(&self.config.client_id), form_urlencode(&self.config.client_secret));
            request = request.header(AUTHORIZATION, format!("Basic {}", STANDARD.encode(credentials)));
        }
        let response = request.body(form_body).send().await.map_err(|e| unreachable(what, url, &e))?;
        let status = response.status();
        let body = read_limited(response, what, url).await?;
        if !status.is_success() {
            return Err(token_error(status.as_u16(), &body, url));
        }
        let tokens: TokenResponse = serde_json::from_slice(&body).map_err(|e| OidcError::BadResponse {
            what,
            url: url.to_owned(),
            reason: format!("the token response is not the expected JSON: {e}"),
        })?;
        tokens.id_token.filter(|token| !token.is_empty()).ok_or_else(|| OidcError::BadResponse {
            what,
            url: url.to_owned(),
            reason: "the token response has no `id_token` (is the `openid` scope allowed for this client?)".into(),
        })
    }

    /// Checks the ID token's signature against the provider's keys and returns its claims (not yet validated).
    async fn verify_signature(&self, token: &str) -> Result<Map<String, Value>, OidcError> {
        let header = parse_header(token)?;
        let algorithm = accepted_algorithm(&header.alg)?;
        let mut fetched_now = false;
        let keys = loop {
            let cached = {
                let cache = self.jwks.read().await;
                cache.as_deref().map(|keys| candidate_keys(keys, algorithm, header.kid.as_deref()))
            };
            match cached {
                Some(keys) if !keys.is_empty() => break keys,
                _ if !fetched_now => {
                    self.refresh_jwks().await?;
                    fetched_now = true;
                }
                _ => {
                    return Err(OidcError::InvalidIdToken(format!(
                        "the provider's JWKS at {} has no {} key{} (even after fetching it again)",
                        self.endpoints.jwks,
                        header.alg,
                        header.kid.as_deref().map(|kid| format!(" with kid `{kid}`")).unwrap_or_default()
                    )));
                }
            }
        };
        let mut validation = Validation::new(algorithm);
        // Only the signature is checked here; the claims are checked by `identity_from_claims` with clearer messages.
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let mut last_error = None;
        for key in &keys {
            match jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation) {
                Ok(data) => return Ok(data.claims),
                Err(e) => last_error = Some(e),
            }
        }
        let reason = match last_error.as_ref().map(|e| e.kind()) {
            Some(jsonwebtoken::errors::ErrorKind::InvalidSignature) | None => format!(
                "its {} signature does not verify with the provider's key{} (forged or altered token)",
                header.alg,
                header.kid.as_deref().map(|kid| format!(" `{kid}`")).unwrap_or_default()
            ),
            Some(jsonwebtoken::errors::ErrorKind::Json(e)) => format!("its claims are not a JSON object: {e}"),
            Some(other) => format!("it cannot be decoded or its signature checked: {other:?}"),
        };
        Err(OidcError::InvalidIdToken(reason))
    }

    /// Replaces the cached keys with the provider's current JWKS.
    async fn refresh_jwks(&self) -> Result<(), OidcError> {
        let what = "JWKS";
        let url = self.endpoints.jwks.as_str();
        let body = get_json(&self.http, what, url).await?;
        let keys = parse_jwks(&body).map_err(|reason| OidcError::BadResponse { what, url: url.to_owned(), reason })?;
        tracing::debug!(jwks = %url, keys = keys.len(), "fetched the OIDC provider's signing keys");
        *self.jwks.write().await = Some(keys);
        Ok(())
    }
}

/// The fields of the discovery document this client uses.
#[derive(Deserialize)]
struct DiscoveryDocument {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
    #[serde(default)]
    token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    id_token: Option<String>,
}

/// An OAuth error answer (RFC 6749 §5.2).
#[derive(Deserialize)]
struct TokenErrorResponse {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// The parts of the JOSE header needed to pick the key.
struct TokenHeader {
    alg: String,
    kid: Option<String>,
}

fn check_config(config: &OidcConfig) -> Result<(), OidcError> {
    let issuer = Url::parse(&config.issuer)
        .map_err(|e| OidcError::Config(format!("issuer `{}` is not a URL: {e}", config.issuer)))?;
    if !matches!(issuer.scheme(), "https" | "http") || issuer.query().is_some() || issuer.fragment().is_some() {
        return Err(OidcError::Config(format!(
            "issuer `{}` must be an http(s) URL without query or fragment",
            config.issuer
        )));
    }
    if config.client_id.is_empty() {
        return Err(OidcError::Config("client_id is empty".into()));
    }
    let redirect = Url::parse(&config.redirect_url)
        .map_err(|e| OidcError::Config(format!("redirect_url `{}` is not a URL: {e}", config.redirect_url)))?;
    if !matches!(redirect.scheme(), "https" | "http") {
        return Err(OidcError::Config(format!("redirect_url `{}` must be an http(s) URL", config.redirect_url)));
    }
    Ok(())
}

/// Parses one endpoint named in the discovery document.
fn endpoint_url(discovery_url: &str, field: &str, value: &str) -> Result<Url, OidcError> {
    let bad = |reason: String| OidcError::BadResponse {
        what: "discovery document",
        url: discovery_url.to_owned(),
        reason: format!("field `{field}`: {reason}"),
    };
    let url = Url::parse(value).map_err(|e| bad(format!("`{value}` is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(bad(format!("`{value}` is not an http(s) URL")));
    }
    Ok(url)
}

/// Picks client_secret_basic when advertised (the spec's default when nothing is advertised), else client_secret_post.
fn choose_token_auth(discovery_url: &str, advertised: Option<&[String]>) -> Result<TokenAuthMethod, OidcError> {
    let Some(methods) = advertised else {
        return Ok(TokenAuthMethod::ClientSecretBasic);
    };
    if methods.iter().any(|m| m == "client_secret_basic") {
        Ok(TokenAuthMethod::ClientSecretBasic)
    } else if methods.iter().any(|m| m == "client_secret_post") {
        Ok(TokenAuthMethod::ClientSecretPost)
    } else {
        Err(OidcError::BadResponse {
            what: "discovery document",
            url: discovery_url.to_owned(),
            reason: format!(
                "field `token_endpoint_auth_methods_supported`: the provider offers {methods:?} but this client \
                 needs client_secret_basic or client_secret_post"
            ),
        })
    }
}

/// GETs a JSON document, requiring a 2xx status; returns the body.
async fn get_json(http: &reqwest::Client, what: &'static str, url: &str) -> Result<Vec<u8>, OidcError> {
    let response = http
        .get(url)
        .timeout(HTTP_TIMEOUT)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| unreachable(what, url, &e))?;
    let status = response.status();
    let body = read_limited(response, what, url).await?;
    if !status.is_success() {
        return Err(OidcError::HttpStatus {
            what,
            url: url.to_owned(),
            status: status.as_u16(),
            detail: quoted_body(&body),
        });
    }
    Ok(body)
}

/// Reads a response body, refusing one larger than [`MAX_RESPONSE_BYTES`].
async fn read_limited(mut response: reqwest::Response, what: &'static str, url: &str) -> Result<Vec<u8>, OidcError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| unreachable(what, url, &e))? {
        if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
            return Err(OidcError::BadResponse {
                what,
                url: url.to_owned(),
                reason: format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes"),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A transport failure, with the whole cause chain (reqwest's own message alone says little).
fn unreachable(what: &'static str, url: &str, error: &reqwest::Error) -> OidcError {
    let reason = if error.is_timeout() {
        format!("no answer within {} s", HTTP_TIMEOUT.as_secs())
    } else {
        let mut reason = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            reason.push_str(": ");
            reason.push_str(&cause.to_string());
            source = cause.source();
        }
        reason
    };
    OidcError::Unreachable { what, url: url.to_owned(), reason }
}

/// The token endpoint's refusal, with the OAuth error code and description when the body carries them.
fn token_error(status: u16, body: &[u8], url: &str) -> OidcError {
    match serde_json::from_slice::<TokenErrorResponse>(body) {
        Ok(answer) => OidcError::CodeRejected {
            status,
            error: truncate(&answer.error),
            description: answer.error_description.map(|d| format!(": {}", truncate(&d))).unwrap_or_default(),
        },
        Err(_) => {
            OidcError::HttpStatus { what: "token endpoint", url: url.to_owned(), status, detail: quoted_body(body) }
        }
    }
}

fn quoted_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() { String::new() } else { format!(": {}", truncate(text)) }
}

fn truncate(text: &str) -> String {
    let mut cut: String = text.chars().take(MAX_QUOTED_CHARS).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

fn form_urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `openid` first, then the configured scopes without duplicates or blanks.
fn scope_string(scopes: &[String]) -> String {
    let mut all: Vec<&str> = vec!["openid"];
    for scope in scopes.iter().flat_map(|s| s.split_whitespace()) {
        if !all.contains(&scope) {
            all.push(scope);
        }
    }
    all.join(" ")
}

/// 256 random bits from the OS, base64url: unguessable state, nonce and PKCE verifier (43 characters).
fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The S256 code challenge for a PKCE verifier (RFC 7636 §4.2).
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn parse_header(token: &str) -> Result<TokenHeader, OidcError> {
    let bad = |reason: String| OidcError::InvalidIdToken(reason);
    let parts: Vec<&str> = token.split('.').collect();
    let [header, _, _] = parts.as_slice() else {
        return Err(bad(format!("it is not a signed JWT (expected 3 dot-separated parts, found {})", parts.len())));
    };
    let bytes = URL_SAFE_NO_PAD.decode(header).map_err(|e| bad(format!("its header is not base64url: {e}")))?;
    let header: Map<String, Value> =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("its header is not a JSON object: {e}")))?;
    let alg = match header.get("alg") {
        Some(Value::String(alg)) => alg.clone(),
        _ => return Err(bad("its header has no `alg` string".into())),
    };
    let kid = match header.get("kid") {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid.clone()),
        Some(_) => return Err(bad("its header's `kid` is not a string".into())),
    };
    Ok(TokenHeader { alg, kid })
}

/// The signature algorithms accepted for ID tokens: asymmetric ones only.
fn accepted_algorithm(alg: &str) -> Result<Algorithm, OidcError> {
    match alg {
        "RS256" => Ok(Algorithm::RS256),
        "RS384" => Ok(Algorithm::RS384),
        "RS512" => Ok(Algorithm::RS512),
        "PS256" => Ok(Algorithm::PS256),
        "PS384" => Ok(Algorithm::PS384),
        "PS512" => Ok(Algorithm::PS512),
        "ES256" => Ok(Algorithm::ES256),
        "ES384" => Ok(Algorithm::ES384),
        "EdDSA" => Ok(Algorithm::EdDSA),
        _ if alg.eq_ignore_ascii_case("none") => {
            Err(OidcError::InvalidIdToken("it is unsigned (`alg: none`); only signed ID tokens are accepted".into()))
        }
        "HS256" | "HS384" | "HS512" => Err(OidcError::InvalidIdToken(format!(
            "it is signed with {alg}, a shared-secret MAC; only asymmetric signatures checked against the \
             provider's JWKS are accepted (configure the client at the provider for RS256 or ES256)"
        ))),
        _ => Err(OidcError::InvalidIdToken(format!("its signature algorithm `{alg}` is not supported"))),
    }
}

/// Parses a JWKS, keeping the keys this library understands (others, e.g. encryption keys of new types, are skipped).
fn parse_jwks(body: &[u8]) -> Result<Vec<Jwk>, String> {
    let document: Value = serde_json::from_slice(body).map_err(|e| format!("not JSON: {e}"))?;
    let Some(Value::Array(entries)) = document.get("keys") else {
        return Err("no `keys` array".into());
    };
    let keys: Vec<Jwk> = entries.iter().filter_map(|entry| serde_json::from_value(entry.clone()).ok()).collect();
    if keys.is_empty() {
        return Err(format!("none of its {} keys is a usable public key", entries.len()));
    }
    Ok(keys)
}

/// The keys that could have signed a token with this algorithm and key id.
fn candidate_keys(keys: &[Jwk], algorithm: Algorithm, kid: Option<&str>) -> Vec<DecodingKey> {
    keys.iter()
        .filter(|key| kid.is_none() || key.common.key_id.as_deref() == kid)
        .filter(|key| !matches!(key.common.public_key_use, Some(PublicKeyUse::Encryption)))
        .filter(|key| key.common.key_algorithm.is_none_or(|declared| key_algorithm_matches(declared, algorithm)))
        .filter(|key| key_type_fits(&key.algorithm, algorithm))
        .filter_map(|key| DecodingKey::from_jwk(key).ok())
        .collect()
}

fn key_algorithm_matches(declared: KeyAlgorithm, algorithm: Algorithm) -> bool {
    matches!(
        (declared, algorithm),
        (KeyAlgorithm::RS256, Algorithm::RS256)
            | (KeyAlgorithm::RS384, Algorithm::RS384)
            | (KeyAlgorithm::RS512, Algorithm::RS512)
            | (KeyAlgorithm::PS256, Algorithm::PS256)
            | (KeyAlgorithm::PS384, Algorithm::PS384)
            | (KeyAlgorithm::PS512, Algorithm::PS512)
            | (KeyAlgorithm::ES256, Algorithm::ES256)
            | (KeyAlgorithm::ES384, Algorithm::ES384)
            | (KeyAlgorithm::EdDSA, Algorithm::EdDSA)
    )
}

/// Key type (and curve) must suit the algorithm: a P-384 key cannot check an ES256 signature.
fn key_type_fits(parameters: &AlgorithmParameters, algorithm: Algorithm) -> bool {
    match parameters {
        AlgorithmParameters::RSA(_) => matches!(
            algorithm,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::PS256
                | Algorithm::PS384
                | Algorithm::PS512
        ),
        AlgorithmParameters::EllipticCurve(ec) => matches!(
            (&ec.curve, algorithm),
            (EllipticCurve::P256, Algorithm::ES256) | (EllipticCurve::P384, Algorithm::ES384)
        ),
        AlgorithmParameters::OctetKeyPair(okp) => {
            matches!((&okp.curve, algorithm), (EllipticCurve::Ed25519, Algorithm::EdDSA))
        }
        AlgorithmParameters::OctetKey(_) => false,
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Validates the claims of a signature-checked ID token (OpenID Connect Core §3.1.3.7) and extracts the identity.
fn identity_from_claims(
    claims: &Map<String, Value>,
    expected_issuer: &str,
    client_id: &str,
    expected_nonce: &str,
    now: i64,
) -> Result<Identity, OidcError> {
    let reject = |reason: String| Err(OidcError::InvalidIdToken(reason));

    let issuer = required_string(claims, "iss")?;
    if issuer != expected_issuer {
        return reject(format!("its issuer `{issuer}` is not the configured issuer `{expected_issuer}`"));
    }

    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(aud)) => vec![aud.as_str()],
        Some(Value::Array(list)) => {
            let strings: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
            if strings.len() != list.len() {
                return reject("its audience (`aud`) list holds non-string values".into());
            }
            strings
        }
        Some(_) => return reject("its audience (`aud`) is neither a string nor a list of strings".into()),
        None => return reject("it has no audience (`aud`) claim".into()),
    };
    if !audiences.contains(&client_id) {
        return reject(format!("its audience {audiences:?} does not include this client (`{client_id}`)"));
    }
    match claims.get("azp") {
        Some(Value::String(azp)) if azp != client_id => {
            return reject(format!(
                "its authorized party (`azp`) is `{azp}`, not this client (`{client_id}`); the token was issued \
                 for another client"
            ));
        }
        Some(Value::String(_)) => {}
        None if audiences.len() > 1 => {
            return reject(format!(
                "it has several audiences {audiences:?} but no authorized party (`azp`) claim naming this client"
            ));
        }
        None => {}
        Some(_) => return reject("its authorized party (`azp`) is not a string".into()),
    }

    let expires = required_time(claims, "exp")?;
    if now > expires.saturating_add(CLOCK_LEEWAY_SECS) {
        return reject(format!(
            "it expired at {} (now {}, {CLOCK_LEEWAY_SECS} s leeway)",
            describe_time(expires),
            describe_time(now)
        ));
    }
    let issued = required_time(claims, "iat")?;
    if issued > now.saturating_add(CLOCK_LEEWAY_SECS) {
        return reject(format!(
            "it was issued in the future ({}, now {}); check the clocks of this server and the provider",
            describe_time(issued),
            describe_time(now)
        ));
    }
    if claims.contains_key("nbf") {
        let not_before = required_time(claims, "nbf")?;
        if not_before > now.saturating_add(CLOCK_LEEWAY_SECS) {
            return reject(format!(
                "it is not valid before {} (now {})",
                describe_time(not_before),
                describe_time(now)
            ));
        }
    }

    match claims.get("nonce") {
        Some(Value::String(nonce)) if constant_time_eq(nonce.as_bytes(), expected_nonce.as_bytes()) => {}
        Some(Value::String(_)) => {
            return reject(
                "its nonce does not match the one sent with this login request (replayed or mixed-up token)".into(),
            );
        }
        Some(_) => return reject("its nonce is not a string".into()),
        None => return reject("it has no nonce, but this login request sent one".into()),
    }

    let subject = required_string(claims, "sub")?;
    if subject.is_empty() {
        return reject("its subject (`sub`) is empty".into());
    }

    Ok(Identity {
        issuer: issuer.to_owned(),
        subject: subject.to_owned(),
        email: optional_string(claims, "email"),
        email_verified: flag(claims.get("email_verified")),
        name: optional_string(claims, "name"),
        preferred_username: optional_string(claims, "preferred_username"),
    })
}

fn required_string<'a>(claims: &'a Map<String, Value>, name: &str) -> Result<&'a str, OidcError> {
    match claims.get(name) {
        Some(Value::String(value)) => Ok(value),
        Some(_) => Err(OidcError::InvalidIdToken(format!("its `{name}` claim is not a string"))),
        None => Err(OidcError::InvalidIdToken(format!("it has no `{name}` claim"))),
    }
}

/// A NumericDate claim: seconds since the epoch, integer or (rarely) fractional.
fn required_time(claims: &Map<String, Value>, name: &str) -> Result<i64, OidcError> {
    let value = claims.get(name).ok_or_else(|| OidcError::InvalidIdToken(format!("it has no `{name}` claim")))?;
    value
        .as_i64()
        .or_else(|| value.as_f64().filter(|seconds| seconds.is_finite()).map(|seconds| seconds.floor() as i64))
        .ok_or_else(|| OidcError::InvalidIdToken(format!("its `{name}` claim is not a number of seconds")))
}

/// Optional profile claims: a non-string value is treated as absent rather than failing the login.
fn optional_string(claims: &Map<String, Value>, name: &str) -> Option<String> {
    claims.get(name).and_then(Value::as_str).filter(|value| !value.is_empty()).map(str::to_owned)
}

/// `email_verified` is a boolean, but some providers send the string "true".
fn flag(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(flag)) => *flag,
        Some(Value::String(text)) => text.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn describe_time(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|moment| moment.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| format!("{unix} (seconds since 1970)"))
}

/// Compares without an early exit, so timing does not reveal how much of a secret matched.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_800_000_000;

    fn claims(extra: Value) -> Map<String, Value> {
        let mut base = json!({
            "iss": "https://idp.example", "sub": "u-1", "aud": "rampart", "exp": NOW + 300, "iat": NOW,
            "nonce": "n-1", "email": "ada@example.org", "email_verified": true, "name": "Ada",
            "preferred_username": "ada"
        });
        if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
            for (key, value) in extra {
                if value.is_null() {
                    base.remove(&key);
                } else {
                    base.insert(key, value);
                }
            }
        }
        match base {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    fn check(extra: Value) -> Result<Identity, OidcError> {
        identity_from_claims(&claims(extra), "https://idp.example", "rampart", "n-1", NOW)
    }

    fn message(extra: Value) -> String {
        match check(extra) {
            Ok(identity) => format!("unexpectedly accepted: {identity:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn accepts_valid_claims() {
        let identity = check(json!({})).map_err(|e| e.to_string());
        assert_eq!(
            identity,
            Ok(Identity {
                issuer: "https://idp.example".into(),
                subject: "u-1".into(),
                email: Some("ada@example.org".into()),
                email_verified: true,
                name: Some("Ada".into()),
                preferred_username: Some("ada".into()),
            })
        );
    }

    #[test]
    fn several_audiences_need_azp_naming_this_client() {
        assert!(message(json!({"aud": ["rampart", "other"]})).contains("no authorized party (`azp`)"));
        assert!(message(json!({"aud": ["rampart", "other"], "azp": "other"})).contains("`azp`) is `other`"));
        assert!(check(json!({"aud": ["rampart", "other"], "azp": "rampart"})).is_ok());
        assert!(message(json!({"aud": ["other"]})).contains("does not include this client"));
    }

    #[test]
    fn time_claims_use_sixty_seconds_leeway() {
        assert!(check(json!({"exp": NOW - 59})).is_ok());
        assert!(message(json!({"exp": NOW - 61})).contains("expired at 2027-01-15T07:58:59Z"));
        assert!(check(json!({"iat": NOW + 60})).is_ok());
        assert!(message(json!({"iat": NOW + 61})).contains("issued in the future"));
        assert!(message(json!({"nbf": NOW + 120})).contains("not valid before"));
        assert!(check(json!({"exp": (NOW + 10) as f64 + 0.5})).is_ok());
        assert!(message(json!({"exp": "tomorrow"})).contains("`exp` claim is not a number"));
        assert!(message(json!({"iat": null})).contains("no `iat` claim"));
    }

    #[test]
    fn nonce_and_subject_are_required() {
        assert!(message(json!({"nonce": null})).contains("has no nonce"));
        assert!(message(json!({"nonce": "n-2"})).contains("nonce does not match"));
        assert!(message(json!({"sub": ""})).contains("subject (`sub`) is empty"));
        assert!(message(json!({"sub": 7})).contains("`sub` claim is not a string"));
    }

    #[test]
    fn email_verified_accepts_string_form_and_defaults_to_false() {
        assert_eq!(check(json!({"email_verified": "true"})).map(|i| i.email_verified).ok(), Some(true));
        assert_eq!(check(json!({"email_verified": null})).map(|i| i.email_verified).ok(), Some(false));
        assert_eq!(check(json!({"email": 5})).map(|i| i.email).ok(), Some(None));
    }

    #[test]
    fn unsigned_and_shared_secret_algorithms_are_refused() {
        let err = |alg: &str| accepted_algorithm(alg).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err("none").contains("unsigned (`alg: none`)"));
        assert!(err("NONE").contains("unsigned"));
        assert!(err("HS256").contains("shared-secret"));
        assert!(err("XY999").contains("not supported"));
        assert!(accepted_algorithm("ES256").is_ok());
    }

    #[test]
    fn malformed_tokens_are_refused_with_a_reason() {
        let err = |token: &str| parse_header(token).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err("abc").contains("found 1"));
        assert!(err("!!.b.c").contains("not base64url"));
        assert!(err(&format!("{}.b.c", URL_SAFE_NO_PAD.encode("[1]"))).contains("not a JSON object"));
        assert!(err(&format!("{}.b.c", URL_SAFE_NO_PAD.encode("{\"kid\":\"k\"}"))).contains("no `alg`"));
    }

    #[test]
    fn pkce_challenge_is_sha256_base64url() {
        // Computed independently: python3 hashlib.sha256 + base64.urlsafe_b64encode without padding.
        assert_eq!(
            pkce_challenge("rampart-pkce-test-verifier-0123456789-abcdefgh"),
            "iAHPAYChzzPtM-qA-N7kEQZJFe7jEeTWjmQs8KLB1Mg"
        );
    }

    #[test]
    fn scopes_start_with_openid_without_duplicates() {
        let scopes = vec!["email profile".to_owned(), "openid".to_owned(), " ".to_owned(), "email".to_owned()];
        assert_eq!(scope_string(&scopes), "openid email profile");
    }

    #[test]
    fn token_auth_follows_the_advertised_methods() {
        let methods = |list: &[&str]| list.iter().map(|m| m.to_string()).collect::<Vec<_>>();
        let choose = |list: Option<Vec<String>>| choose_token_auth("u", list.as_deref()).ok();
        assert_eq!(choose(None), Some(TokenAuthMethod::ClientSecretBasic));
        assert_eq!(choose(Some(methods(&["client_secret_post"]))), Some(TokenAuthMethod::ClientSecretPost));
        assert_eq!(
            choose(Some(methods(&["client_secret_post", "client_secret_basic"]))),
            Some(TokenAuthMethod::ClientSecretBasic)
        );
        assert!(choose_token_auth("u", Some(&methods(&["private_key_jwt"]))).is_err());
    }

    #[test]
    fn config_debug_hides_the_secret() {
        let config = OidcConfig {
            issuer: "https://idp.example".into(),
            client_id: "rampart".into(),
            client_secret: "s3cr3t-value".into(),
            redirect_url: "https://rampart.example/cb".into(),
            scopes: vec![],
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cr3t-value"));
        assert!(shown.contains("<redacted>"));
    }
}
