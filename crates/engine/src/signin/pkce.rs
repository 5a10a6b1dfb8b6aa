//! PKCE (RFC 7636) and the `state` parameter, from random bytes handed in.
//!
//! The verifier is 64 characters of base64url (48 random bytes), as the AWS
//! CLI sends; the challenge is `BASE64URL(SHA256(verifier))` (method S256).
//! `state` is 32 characters of base64url (24 random bytes).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::Secret;

/// Random bytes behind a verifier.
pub const VERIFIER_BYTES: usize = 48;
/// Random bytes behind a `state`.
pub const STATE_BYTES: usize = 24;

/// A code verifier and its S256 challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    pub verifier: Secret,
    pub challenge: String,
}

impl Pkce {
    /// From 48 random bytes: a 64-character verifier.
    pub fn from_random(bytes: &[u8; VERIFIER_BYTES]) -> Pkce {
        Pkce::from_verifier(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// From a verifier already made (RFC 7636 appendix B's test vector).
    pub fn from_verifier(verifier: String) -> Pkce {
        let challenge = challenge_of(&verifier);
        Pkce {
            verifier: Secret::new(verifier),
            challenge,
        }
    }
}

/// `BASE64URL(SHA256(ASCII(verifier)))`.
pub fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The `state` parameter from 24 random bytes.
pub fn state_from_random(bytes: &[u8; STATE_BYTES]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b_test_vector() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned());
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn verifier_is_64_url_safe_characters_and_state_32() {
        let p = Pkce::from_random(&[0xfb; VERIFIER_BYTES]);
        assert_eq!(p.verifier.expose().len(), 64);
        assert!(
            p.verifier
                .expose()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_eq!(p.challenge, challenge_of(p.verifier.expose()));
        assert_eq!(p.challenge.len(), 43);
        let s = state_from_random(&[7; STATE_BYTES]);
        assert_eq!(s.len(), 32);
        assert_ne!(s, state_from_random(&[8; STATE_BYTES]));
    }
}
