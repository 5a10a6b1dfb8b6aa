//! Keys written in a profile: long-term keys, or temporary keys (with a
//! session token) that another tool wrote, possibly with their expiry.
//!
//! No SDK reads an expiry from the credentials file, but tools that write
//! temporary keys there often leave one beside them. The spellings met in the
//! wild are read in order: `x_security_token_expires`, `aws_expiration`,
//! `expiration`. A value none of the known time formats matches is kept as a
//! [`ChainIssue`] of the profile: the keys are still used.

use super::chain::KeysSource;
use super::error::{ChainIssue, ResolveError};
use crate::Secret;
use crate::profiles::Profile;
use crate::timefmt::parse_timestamp;

pub(crate) const ACCESS_KEY_ID: &str = "aws_access_key_id";
pub(crate) const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";
pub(crate) const SESSION_TOKEN: &str = "aws_session_token";
/// The old name of `aws_session_token`, still read by botocore and the CLI.
pub(crate) const SECURITY_TOKEN: &str = "aws_security_token";
pub(crate) const ACCOUNT_ID: &str = "aws_account_id";

/// Where other tools write the expiry of temporary keys, in the order read.
pub const EXPIRY_KEYS: [&str; 3] = ["x_security_token_expires", "aws_expiration", "expiration"];

/// Reads the profile's keys.
///
/// As in aws-sdk-rust: no key at all is [`ResolveError::NoCredentials`]; one
/// of the pair without the other is [`ResolveError::IncompleteKeys`]. A
/// session token alone counts as "some keys" (the SDK then reports the
/// missing access key id).
pub(crate) fn read(profile: &Profile) -> Result<(KeysSource, Vec<ChainIssue>), ResolveError> {
    let access = profile.get_nonempty(ACCESS_KEY_ID);
    let secret = profile.get_nonempty(SECRET_ACCESS_KEY);
    let (token, token_key) = match profile.get_nonempty(SESSION_TOKEN) {
        Some(t) => (Some(t), SESSION_TOKEN),
        None => (profile.get_nonempty(SECURITY_TOKEN), SECURITY_TOKEN),
    };
    let (access, secret) = match (access, secret, token) {
        (None, None, None) => {
            return Err(ResolveError::NoCredentials {
                profile: profile.name.clone(),
                origin: profile.origin,
            });
        }
        (None, _, _) => {
            let near = if secret.is_some() {
                SECRET_ACCESS_KEY
            } else {
                token_key
            };
            return Err(ResolveError::IncompleteKeys {
                profile: profile.name.clone(),
                missing: ACCESS_KEY_ID,
                origin: profile.origin_of(near),
            });
        }
        (Some(_), None, _) => {
            return Err(ResolveError::IncompleteKeys {
                profile: profile.name.clone(),
                missing: SECRET_ACCESS_KEY,
                origin: profile.origin_of(ACCESS_KEY_ID),
            });
        }
        (Some(a), Some(s), _) => (a, s),
    };

    let mut issues = Vec::new();
    let mut expires_at = None;
    let mut expiry_key = None;
    if token.is_some() {
        for key in EXPIRY_KEYS {
            let Some(value) = profile.get_nonempty(key) else {
                continue;
            };
            match parse_timestamp(value) {
                Some(t) if expires_at.is_none() => {
                    expires_at = Some(t);
                    expiry_key = Some(key);
                }
                Some(_) => {}
                None => issues.push(ChainIssue::UnparseableExpiry {
                    profile: profile.name.clone(),
                    key,
                    value: value.to_owned(),
                    origin: profile.origin_of(key),
                }),
            }
        }
    }

    let keys = KeysSource {
        profile: profile.name.clone(),
        access_key_id: access.to_owned(),
        secret_access_key: Secret::new(secret),
        session_token: token.map(Secret::new),
        account_id: profile.get_nonempty(ACCOUNT_ID).map(str::to_owned),
        expires_at,
        expiry_key,
    };
    Ok((keys, issues))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timefmt::format_z;

    fn keys(pairs: &[(&str, &str)]) -> Result<(KeysSource, Vec<ChainIssue>), ResolveError> {
        read(&Profile::from_pairs("p", pairs.iter().copied()))
    }

    const PAIR: [(&str, &str); 2] = [
        ("aws_access_key_id", "AKIAIOSFODNN7EXAMPLE"),
        ("aws_secret_access_key", "wJalrXUtnFEMI/K7MDENG"),
    ];

    #[test]
    fn long_term_keys_have_no_token_and_no_expiry() {
        let (k, issues) = keys(&PAIR).expect("keys");
        assert!(!k.is_temporary());
        assert_eq!(k.access_key_id, "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(k.secret_access_key.expose(), "wJalrXUtnFEMI/K7MDENG");
        assert_eq!(k.expires_at, None);
        assert!(issues.is_empty());
    }

    #[test]
    fn expiry_without_session_token_is_ignored() {
        let mut pairs = PAIR.to_vec();
        pairs.push(("aws_expiration", "not a time"));
        let (k, issues) = keys(&pairs).expect("keys");
        assert_eq!(k.expires_at, None);
        assert!(issues.is_empty(), "long-term keys do not lapse: {issues:?}");
    }

    #[test]
    fn old_security_token_alias_makes_keys_temporary() {
        let mut pairs = PAIR.to_vec();
        pairs.push(("aws_security_token", "FQoGZXIvYXdzEXAMPLE"));
        let (k, _) = keys(&pairs).expect("keys");
        assert_eq!(
            k.session_token.as_ref().map(Secret::expose),
            Some("FQoGZXIvYXdzEXAMPLE")
        );
    }

    #[test]
    fn each_expiry_spelling_is_read() {
        for key in EXPIRY_KEYS {
            for value in [
                "2026-11-22T10:00:00Z",
                "2026-11-22T10:00:00+00:00",
                "2026-11-22T10:00:00UTC",
                "2026-11-22 10:00:00 UTC",
                "2026-11-22T11:00:00+01:00",
            ] {
                let mut pairs = PAIR.to_vec();
                pairs.push(("aws_session_token", "token"));
                pairs.push((key, value));
                let (k, issues) = keys(&pairs).expect("keys");
                assert_eq!(
                    k.expires_at.map(format_z).as_deref(),
                    Some("2026-11-22T10:00:00Z"),
                    "{key} = {value}"
                );
                assert_eq!(k.expiry_key, Some(key));
                assert!(issues.is_empty());
            }
        }
    }

    #[test]
    fn first_expiry_key_wins() {
        let mut pairs = PAIR.to_vec();
        pairs.push(("aws_session_token", "token"));
        pairs.push(("expiration", "2030-01-01T00:00:00Z"));
        pairs.push(("x_security_token_expires", "2026-11-22T10:00:00Z"));
        let (k, _) = keys(&pairs).expect("keys");
        assert_eq!(k.expiry_key, Some("x_security_token_expires"));
    }

    #[test]
    fn unreadable_expiry_is_an_issue_not_a_failure() {
        let mut pairs = PAIR.to_vec();
        pairs.push(("aws_session_token", "token"));
        pairs.push(("x_security_token_expires", "tomorrow"));
        pairs.push(("aws_expiration", "2026-11-22T10:00:00Z"));
        let (k, issues) = keys(&pairs).expect("keys still usable");
        assert_eq!(k.expiry_key, Some("aws_expiration"));
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].code(), "unparseable_expiry");
        assert!(
            issues[0]
                .to_string()
                .contains("x_security_token_expires `tomorrow`")
        );
    }

    #[test]
    fn partial_keys_name_the_missing_key() {
        let e = keys(&[("aws_access_key_id", "AKIA")]).expect_err("no secret");
        assert_eq!(e.code(), "incomplete_keys");
        assert!(
            e.to_string()
                .contains("profile missing aws_secret_access_key")
        );
        let e = keys(&[("aws_session_token", "t")]).expect_err("token alone");
        assert!(e.to_string().contains("profile missing aws_access_key_id"));
        let e = keys(&[("region", "eu-west-1")]).expect_err("no keys");
        assert_eq!(e.code(), "no_credentials");
    }

    #[test]
    fn debug_never_shows_the_secret_or_the_whole_key_id() {
        let mut pairs = PAIR.to_vec();
        pairs.push(("aws_session_token", "SESSIONTOKENVALUE"));
        let (k, _) = keys(&pairs).expect("keys");
        let shown = format!("{k:?}");
        assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
        assert!(!shown.contains("SESSIONTOKENVALUE"), "{shown}");
        assert!(!shown.contains("AKIAIOSFODNN7EXAMPLE"), "{shown}");
        assert!(shown.contains("…MPLE"), "{shown}");
    }
}
