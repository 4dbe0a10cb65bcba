//! Secrets at rest (integration tokens): sealed with XChaCha20-Poly1305 under
//! a key from the environment (`RAMPART_SECRET_KEY`, 32 bytes in base64), so
//! the database or a backup alone does not reveal them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

pub const KEY_VARIABLE: &str = "RAMPART_SECRET_KEY";

#[derive(Clone)]
pub struct SecretKey(XChaCha20Poly1305);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    /// Reads the key from base64 text.
    pub fn from_base64(text: &str) -> Result<SecretKey, String> {
        let bytes = STANDARD.decode(text.trim()).map_err(|error| format!("{KEY_VARIABLE} is not base64: {error}"))?;
        if bytes.len() != 32 {
            return Err(format!(
                "{KEY_VARIABLE} must hold 32 bytes (44 base64 characters, `openssl rand -base64 32`), not {}",
                bytes.len()
            ));
        }
        Ok(SecretKey(XChaCha20Poly1305::new_from_slice(&bytes).map_err(|error| error.to_string())?))
    }

    /// The key from the environment, if set.
    pub fn from_env() -> Result<Option<SecretKey>, String> {
        match std::env::var(KEY_VARIABLE) {
            Ok(text) if !text.trim().is_empty() => SecretKey::from_base64(&text).map(Some),
            _ => Ok(None),
        }
    }

    /// `v1.NONCE.CIPHERTEXT`, both base64; `context` (the secret's owner and
    /// name) is bound in, so a sealed value cannot be moved to another record.
    pub fn seal(&self, plaintext: &str, context: &str) -> Result<String, String> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = chacha20poly1305::aead::Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() };
        let sealed = self.0.encrypt(&nonce, payload).map_err(|_| "cannot seal the secret".to_string())?;
        Ok(format!("v1.{}.{}", STANDARD.encode(nonce), STANDARD.encode(sealed)))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<String, String> {
        let mut parts = sealed.split('.');
        let (Some("v1"), Some(nonce), Some(body), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("the sealed secret is not in the v1 format".to_string());
        };
        let nonce = STANDARD.decode(nonce).map_err(|_| "the sealed secret's nonce is not base64".to_string())?;
        let body = STANDARD.decode(body).map_err(|_| "the sealed secret is not base64".to_string())?;
        if nonce.len() != 24 {
            return Err("the sealed secret's nonce has the wrong length".to_string());
        }
        let payload = chacha20poly1305::aead::Payload { msg: &body, aad: context.as_bytes() };
        let plain = self
            .0
            .decrypt(XNonce::from_slice(&nonce), payload)
            .map_err(|_| "the secret cannot be opened with this key (wrong RAMPART_SECRET_KEY?)".to_string())?;
        String::from_utf8(plain).map_err(|_| "the opened secret is not text".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn sealing_round_trips_and_binds_the_context() {
        let key = SecretKey::from_base64(KEY).expect("key");
        let sealed = key.seal("jira-token-123", "org/p1/jira").expect("seal");
        assert!(!sealed.contains("jira-token-123"));
        assert_eq!(key.open(&sealed, "org/p1/jira").expect("open"), "jira-token-123");
        assert!(key.open(&sealed, "org/p2/jira").is_err(), "another record's context must not open it");
        let other = SecretKey::from_base64("HxwdHh8AAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRo=").expect("other key");
        assert!(other.open(&sealed, "org/p1/jira").unwrap_err().contains("wrong RAMPART_SECRET_KEY"));
    }

    #[test]
    fn a_short_key_is_refused_with_its_length() {
        let error = SecretKey::from_base64("AAEC").unwrap_err();
        assert!(error.contains("32 bytes") && error.contains("not 3"), "{error}");
        assert!(SecretKey::from_base64("%%%").unwrap_err().contains("not base64"));
    }
}
