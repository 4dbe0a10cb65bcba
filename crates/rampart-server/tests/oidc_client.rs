//! The OpenID Connect client against the in-process test provider: the full authorization-code login, and each way
//! a provider or an attacker can get a login wrong.

#[path = "support/oidc_provider.rs"]
mod oidc_provider;

use oidc_provider::{Misbehaviour, TestProvider, TestSigningAlg, TestUser};
use rampart_server::oidc::{AuthRequest, Identity, OidcClient, OidcConfig, OidcError, TokenAuthMethod};

const CLIENT_ID: &str = "rampart-web";
const CLIENT_SECRET: &str = "test-secret with spaces&symbols:=";
const REDIRECT_URL: &str = "http://127.0.0.1:9/api/v1/auth/oidc/callback";

fn users() -> Vec<TestUser> {
    vec![
        TestUser {
            subject: "f1d2c3b4-0001".into(),
            email: "grace@example.org".into(),
            name: "Grace Hopper".into(),
            username: "grace".into(),
        },
        TestUser {
            subject: "f1d2c3b4-0002".into(),
            email: "alan@example.org".into(),
            name: "Alan Turing".into(),
            username: "alan".into(),
        },
    ]
}

fn config(issuer: &str) -> OidcConfig {
    OidcConfig {
        issuer: issuer.to_owned(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        redirect_url: REDIRECT_URL.into(),
        scopes: vec!["email".into(), "profile".into()],
    }
}

/// A client that does not follow redirects, like the one a test uses to play the browser.
fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("build reqwest client")
}

async fn provider() -> TestProvider {
    TestProvider::start(CLIENT_ID, CLIENT_SECRET, users()).await
}

async fn discover(provider: &TestProvider) -> OidcClient {
    match OidcClient::discover(config(&provider.issuer), http()).await {
        Ok(client) => client,
        Err(e) => panic!("discovery failed: {e}"),
    }
}

/// Plays the browser: follows the authorization URL (with an optional login hint) and takes `code` and `state` from
/// the redirect back to the callback.
async fn authorize(request: &AuthRequest, login_hint: Option<&str>) -> (String, String) {
    let mut url = url::Url::parse(&request.url).expect("authorization URL parses");
    if let Some(hint) = login_hint {
        url.query_pairs_mut().append_pair("login_hint", hint);
    }
    let response = http().get(url).send().await.expect("GET /authorize");
    assert_eq!(response.status(), reqwest::StatusCode::FOUND, "authorize answered {:?}", response.text().await);
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .expect("a Location header")
        .to_owned();
    assert!(location.starts_with(&format!("{REDIRECT_URL}?")), "redirected to {location}");
    let callback = url::Url::parse(&location).expect("callback URL parses");
    let param = |name: &str| callback.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned());
    (param("code").expect("code in callback"), param("state").expect("state in callback"))
}

/// A complete login; returns what `finish` returned.
async fn login(client: &OidcClient, login_hint: Option<&str>) -> Result<Identity, OidcError> {
    let request = client.start();
    let (code, state) = authorize(&request, login_hint).await;
    assert_eq!(state, request.state, "state must come back unchanged");
    client.finish(&code, &request.nonce, &request.pkce_verifier).await
}

fn expect_error(result: Result<Identity, OidcError>) -> OidcError {
    match result {
        Ok(identity) => panic!("login unexpectedly succeeded as {identity:?}"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn full_login_returns_the_hinted_users_identity() {
    let provider = provider().await;
    let client = discover(&provider).await;
    assert_eq!(client.config().client_id, CLIENT_ID);
    assert_eq!(client.token_auth_method(), TokenAuthMethod::ClientSecretBasic);

    let identity = login(&client, Some("alan")).await.expect("login succeeds");
    assert_eq!(
        identity,
        Identity {
            issuer: provider.issuer.clone(),
            subject: "f1d2c3b4-0002".into(),
            email: Some("alan@example.org".into()),
            email_verified: true,
            name: Some("Alan Turing".into()),
            preferred_username: Some("alan".into()),
        }
    );
    assert_eq!(provider.token_requests(), 1);
    assert_eq!(provider.jwks_requests(), 1);

    // Keys are cached: a second login does not fetch the JWKS again. Without a hint the first user logs in.
    let identity = login(&client, None).await.expect("second login succeeds");
    assert_eq!(identity.preferred_username.as_deref(), Some("grace"));
    assert_eq!(provider.token_requests(), 2);
    assert_eq!(provider.jwks_requests(), 1);
}

#[tokio::test]
async fn authorization_request_carries_fresh_state_nonce_and_pkce() {
    let provider = provider().await;
    let client = discover(&provider).await;
    let first = client.start();
    let second = client.start();
    assert_ne!(first.state, second.state);
    assert_ne!(first.nonce, second.nonce);
    assert_ne!(first.pkce_verifier, second.pkce_verifier);
    assert!(first.pkce_verifier.len() >= 43, "RFC 7636 wants at least 43 characters");

    let url = url::Url::parse(&first.url).expect("URL parses");
    assert!(first.url.starts_with(&format!("{}/authorize?", provider.issuer)));
    let params: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    let param = |name: &str| params.get(name).map(String::as_str);
    assert_eq!(param("response_type"), Some("code"));
    assert_eq!(param("client_id"), Some(CLIENT_ID));
    assert_eq!(param("redirect_uri"), Some(REDIRECT_URL));
    assert_eq!(param("scope"), Some("openid email profile"));
    assert_eq!(param("state"), Some(first.state.as_str()));
    assert_eq!(param("nonce"), Some(first.nonce.as_str()));
    assert_eq!(param("code_challenge_method"), Some("S256"));
    let challenge = rampart_server::oidc::pkce_challenge(&first.pkce_verifier);
    assert_eq!(param("code_challenge"), Some(challenge.as_str()));
    assert!(!first.url.contains(&first.pkce_verifier), "the verifier must never reach the browser");
}

/// Logs in while the provider misbehaves; the exchange must happen and `finish` must name the problem.
async fn assert_rejected(how: Misbehaviour, expected: &[&str]) {
    let provider = provider().await;
    let client = discover(&provider).await;
    provider.misbehave(how);
    let error = expect_error(login(&client, None).await);
    assert_eq!(provider.token_requests(), 1, "the code exchange happened");
    assert!(matches!(error, OidcError::InvalidIdToken(_)), "{how:?}: unexpected error {error:?}");
    let message = error.to_string();
    for part in expected {
        assert!(message.contains(part), "{how:?}: message `{message}` does not mention `{part}`");
    }
    // Back to normal, the same client logs in.
    provider.misbehave(Misbehaviour::None);
    assert!(login(&client, None).await.is_ok(), "{how:?}: login after recovery");
}

#[tokio::test]
async fn token_for_another_audience_is_rejected() {
    assert_rejected(Misbehaviour::WrongAudience, &["audience", "some-other-client", CLIENT_ID]).await;
}

#[tokio::test]
async fn expired_token_is_rejected() {
    assert_rejected(Misbehaviour::Expired, &["expired at", "60 s leeway"]).await;
}

#[tokio::test]
async fn token_with_altered_signature_is_rejected() {
    assert_rejected(Misbehaviour::BadSignature, &["RS256 signature does not verify", "rampart-test-rsa-1"]).await;
}

#[tokio::test]
async fn token_with_another_nonce_is_rejected() {
    assert_rejected(Misbehaviour::WrongNonce, &["nonce does not match"]).await;
}

#[tokio::test]
async fn token_from_another_issuer_is_rejected() {
    assert_rejected(Misbehaviour::WrongIssuer, &["issuer `https://impostor.example`", "configured issuer"]).await;
}

#[tokio::test]
async fn unsigned_token_is_rejected() {
    assert_rejected(Misbehaviour::AlgNone, &["unsigned", "alg: none"]).await;
}

#[tokio::test]
async fn discovery_with_a_different_issuer_fails() {
    let provider = provider().await;
    // Same provider, but the configured issuer has a trailing slash the provider does not use.
    let configured = format!("{}/", provider.issuer);
    let error = OidcClient::discover(config(&configured), http()).await.expect_err("discovery must fail");
    assert!(matches!(error, OidcError::IssuerMismatch { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("issuer mismatch"), "{message}");
    assert!(message.contains(&format!("configured `{configured}`")), "{message}");
    assert!(message.contains(&format!("says `{}`", provider.issuer)), "{message}");
}

#[tokio::test]
async fn unreachable_issuer_fails_with_a_clear_error() {
    // A port that was just free: nothing listens there.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    let issuer = format!("http://127.0.0.1:{port}");
    let error = OidcClient::discover(config(&issuer), http()).await.expect_err("discovery must fail");
    assert!(matches!(error, OidcError::Unreachable { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("could not reach the OIDC provider's discovery document"), "{message}");
    assert!(message.contains(&format!("{issuer}/.well-known/openid-configuration")), "{message}");
    assert!(message.to_lowercase().contains("connect"), "the cause is given: {message}");
}

#[tokio::test]
async fn issuer_without_discovery_document_reports_the_http_status() {
    let provider = provider().await;
    let issuer = format!("{}/realms/missing", provider.issuer);
    let error = OidcClient::discover(config(&issuer), http()).await.expect_err("discovery must fail");
    let message = error.to_string();
    assert!(message.contains("answered HTTP 404"), "{message}");
    assert!(message.contains("/realms/missing/.well-known/openid-configuration"), "{message}");
}

#[tokio::test]
async fn invalid_configuration_is_refused_before_any_request() {
    let mut bad = config("not a url");
    let error = OidcClient::discover(bad.clone(), http()).await.expect_err("must fail");
    assert!(error.to_string().contains("issuer `not a url` is not a URL"), "{error}");
    bad.issuer = "http://127.0.0.1:9".into();
    bad.redirect_url = "/relative/callback".into();
    let error = OidcClient::discover(bad, http()).await.expect_err("must fail");
    assert!(error.to_string().contains("redirect_url `/relative/callback` is not a URL"), "{error}");
}

#[tokio::test]
async fn wrong_pkce_verifier_is_refused_by_the_provider() {
    let provider = provider().await;
    let client = discover(&provider).await;
    let request = client.start();
    let (code, _) = authorize(&request, None).await;
    let other_verifier = client.start().pkce_verifier;
    let error = expect_error(client.finish(&code, &request.nonce, &other_verifier).await);
    assert!(matches!(error, OidcError::CodeRejected { status: 400, .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("refused the authorization code"), "{message}");
    assert!(message.contains("invalid_grant"), "{message}");
    assert!(message.contains("code_verifier does not match"), "{message}");
    assert_eq!(provider.token_requests(), 1);
}

#[tokio::test]
async fn a_code_cannot_be_used_twice() {
    let provider = provider().await;
    let client = discover(&provider).await;
    let request = client.start();
    let (code, _) = authorize(&request, None).await;
    client.finish(&code, &request.nonce, &request.pkce_verifier).await.expect("first use succeeds");
    let error = expect_error(client.finish(&code, &request.nonce, &request.pkce_verifier).await);
    let message = error.to_string();
    assert!(message.contains("invalid_grant"), "{message}");
    assert!(message.contains("already used"), "{message}");
    assert_eq!(provider.token_requests(), 2);
}

#[tokio::test]
async fn client_secret_post_is_used_when_it_is_the_only_advertised_method() {
    let provider = provider().await;
    provider.advertise_auth_methods(&["client_secret_post"]);
    let client = discover(&provider).await;
    assert_eq!(client.token_auth_method(), TokenAuthMethod::ClientSecretPost);
    let identity = login(&client, Some("grace")).await.expect("login with client_secret_post");
    assert_eq!(identity.subject, "f1d2c3b4-0001");
}

#[tokio::test]
async fn wrong_client_secret_is_reported_as_invalid_client() {
    let provider = provider().await;
    let mut wrong = config(&provider.issuer);
    wrong.client_secret = "not-the-secret".into();
    let client = OidcClient::discover(wrong, http()).await.expect("discovery does not need the secret");
    let error = expect_error(login(&client, None).await);
    let message = error.to_string();
    assert!(message.contains("HTTP 401, invalid_client"), "{message}");
    assert!(!message.contains("not-the-secret"), "the secret must not appear in errors: {message}");
}

#[tokio::test]
async fn rotated_key_is_found_by_fetching_the_jwks_once_more() {
    let provider = provider().await;
    let client = discover(&provider).await;
    login(&client, None).await.expect("login with the RSA key");
    assert_eq!(provider.jwks_requests(), 1);

    // The provider rotates to an ES256 key the client has not seen yet.
    provider.publish_keys(&[TestSigningAlg::Rs256, TestSigningAlg::Es256]);
    provider.sign_with(TestSigningAlg::Es256);
    let identity = login(&client, Some("alan")).await.expect("login with the new EC key");
    assert_eq!(identity.subject, "f1d2c3b4-0002");
    assert_eq!(provider.jwks_requests(), 2, "one refetch for the unknown kid");

    // Clones share the cache.
    login(&client.clone(), None).await.expect("login through a clone");
    assert_eq!(provider.jwks_requests(), 2);
}

#[tokio::test]
async fn token_signed_with_an_unpublished_key_is_rejected_after_one_refetch() {
    let provider = provider().await;
    let client = discover(&provider).await;
    login(&client, None).await.expect("login with the RSA key");
    provider.sign_with(TestSigningAlg::Es256);
    let error = expect_error(login(&client, None).await);
    let message = error.to_string();
    assert!(message.contains("has no ES256 key with kid `rampart-test-ec-1`"), "{message}");
    assert!(message.contains("/jwks"), "{message}");
    assert_eq!(provider.jwks_requests(), 2, "exactly one refetch");
}

#[tokio::test]
async fn empty_code_or_missing_login_state_is_refused_without_calling_the_provider() {
    let provider = provider().await;
    let client = discover(&provider).await;
    let request = client.start();
    let error = expect_error(client.finish("", &request.nonce, &request.pkce_verifier).await);
    assert_eq!(error.to_string(), "invalid login callback: the authorization code is empty");
    let error = expect_error(client.finish("some-code", "", &request.pkce_verifier).await);
    assert!(error.to_string().contains("nonce and PKCE verifier remembered from `start` are missing"), "{error}");
    assert_eq!(provider.token_requests(), 0);
}
