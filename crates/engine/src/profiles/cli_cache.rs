//! The AWS CLI's role-credential cache (`~/.aws/cli/cache/<key>.json`).
//!
//! Information only: it tells when the credentials the AWS CLI last obtained
//! for a profile expire. File names are sha1 digests of the call's arguments,
//! serialised exactly as botocore does ([`sso_role_key`], [`assume_role_key`]),
//! so the entry belonging to a profile can be found without guessing.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Deserialize;
use sha1::{Digest, Sha1};
use time::OffsetDateTime;

use crate::timefmt::{from_unix, parse_timestamp};

/// The arguments botocore hashes for an AssumeRole cache entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssumeRoleArgs<'a> {
    pub role_arn: &'a str,
    /// Only when the profile sets `role_session_name` (a generated name is
    /// left out of the key).
    pub role_session_name: Option<&'a str>,
    pub duration_seconds: Option<u32>,
    pub external_id: Option<&'a str>,
    pub serial_number: Option<&'a str>,
}

/// Cache key of SSO role credentials: sha1 of the compact sorted JSON of
/// `accountId`, `roleName` and `sessionName` (or `startUrl` for legacy
/// profiles), as botocore's `SSOCredentialFetcher._create_cache_key`.
pub fn sso_role_key(account_id: &str, role_name: &str, session_or_start_url: SsoKey<'_>) -> String {
    let (name, value) = match session_or_start_url {
        SsoKey::Session(s) => ("sessionName", s),
        SsoKey::StartUrl(u) => ("startUrl", u),
    };
    let mut fields = BTreeMap::new();
    fields.insert("accountId", JsonValue::Str(account_id));
    fields.insert("roleName", JsonValue::Str(role_name));
    fields.insert(name, JsonValue::Str(value));
    sha1_hex(&python_json(&fields, ",", ":"))
}

/// Which identity an SSO role-credential key is built from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoKey<'a> {
    Session(&'a str),
    StartUrl(&'a str),
}

/// Cache key of AssumeRole credentials: sha1 of `json.dumps(args,
/// sort_keys=True)` (Python's default separators `, ` and `: `), as
/// botocore's `AssumeRoleCredentialFetcher._create_cache_key`, made file-safe.
pub fn assume_role_key(args: &AssumeRoleArgs<'_>) -> String {
    let mut fields = BTreeMap::new();
    fields.insert("RoleArn", JsonValue::Str(args.role_arn));
    if let Some(v) = args.role_session_name {
        fields.insert("RoleSessionName", JsonValue::Str(v));
    }
    if let Some(v) = args.duration_seconds {
        fields.insert("DurationSeconds", JsonValue::Int(v));
    }
    if let Some(v) = args.external_id {
        fields.insert("ExternalId", JsonValue::Str(v));
    }
    if let Some(v) = args.serial_number {
        fields.insert("SerialNumber", JsonValue::Str(v));
    }
    sha1_hex(&python_json(&fields, ", ", ": "))
}

fn sha1_hex(text: &str) -> String {
    hex::encode(Sha1::digest(text.as_bytes()))
}

enum JsonValue<'a> {
    Str(&'a str),
    Int(u32),
}

/// A flat JSON object as Python's `json.dumps` writes it (ASCII only:
/// everything else as `\uXXXX`, surrogate pairs included).
fn python_json(fields: &BTreeMap<&str, JsonValue<'_>>, item_sep: &str, key_sep: &str) -> String {
    let mut out = String::from("{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str(item_sep);
        }
        crate::pyjson::push_str(&mut out, k);
        out.push_str(key_sep);
        match v {
            JsonValue::Str(s) => crate::pyjson::push_str(&mut out, s),
            JsonValue::Int(n) => {
                let _ = write!(out, "{n}"); // writing to a String cannot fail
            }
        }
    }
    out.push('}');
    out
}

/// What a cache entry says about its credentials (never the keys themselves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedCredentials {
    pub expires_at: OffsetDateTime,
    pub sso: bool,
}

#[derive(Deserialize)]
struct RawEntry {
    #[serde(rename = "ProviderType")]
    provider_type: Option<String>,
    #[serde(rename = "Credentials")]
    credentials: Option<RawCredentials>,
}

#[derive(Deserialize)]
struct RawCredentials {
    #[serde(rename = "Expiration")]
    expiration: Option<serde_json::Value>,
}

/// Reads the expiry of one cache entry; `None` for a file that is not one.
pub fn parse_entry(bytes: &[u8]) -> Option<CachedCredentials> {
    let raw: RawEntry = serde_json::from_slice(bytes).ok()?;
    let expires_at = match raw.credentials?.expiration? {
        serde_json::Value::String(s) => parse_timestamp(&s)?,
        // Some writers keep epoch milliseconds, as the SSO portal returns.
        serde_json::Value::Number(n) => from_unix(n.as_i64()? / 1000)?,
        _ => return None,
    };
    Some(CachedCredentials {
        expires_at,
        sso: raw.provider_type.as_deref() == Some("sso"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_json_matches_json_dumps() {
        let mut f = BTreeMap::new();
        f.insert("b", JsonValue::Str("é/\"x\""));
        f.insert("a", JsonValue::Int(3600));
        assert_eq!(
            python_json(&f, ", ", ": "),
            r#"{"a": 3600, "b": "\u00e9/\"x\""}"#
        );
        let mut f = BTreeMap::new();
        f.insert("k", JsonValue::Str("😀"));
        assert_eq!(python_json(&f, ",", ":"), r#"{"k":"\ud83d\ude00"}"#);
    }

    /// Keys computed by botocore 1.44's own fetchers for the same arguments.
    #[test]
    fn keys_match_botocore() {
        let args = AssumeRoleArgs {
            role_arn: "arn:aws:iam::123456789012:role/Dev",
            duration_seconds: Some(3600),
            external_id: Some("ext"),
            serial_number: Some("arn:aws:iam::123:mfa/u"),
            ..AssumeRoleArgs::default()
        };
        assert_eq!(
            assume_role_key(&args),
            "31fbaa8cbf3ef2fc51ce93d7d18e4e4612eeb3c4"
        );
        let args = AssumeRoleArgs {
            role_arn: "arn:aws:iam::123456789012:role/Dév",
            role_session_name: Some("me"),
            ..AssumeRoleArgs::default()
        };
        assert_eq!(
            assume_role_key(&args),
            "2a5d0d106d5bb15166b1ec881642957a4041608d"
        );
        assert_eq!(
            sso_role_key("123456789012", "Admin", SsoKey::Session("my-sso")),
            "c30b99aca80d8f5b3178e353f05b2abcc9a4ccd3"
        );
        assert_eq!(
            sso_role_key(
                "123456789012",
                "Admin",
                SsoKey::StartUrl("https://x.awsapps.com/start")
            ),
            "243185b3287804d23760113d179c4c72e67b4061"
        );
    }

    #[test]
    fn reads_expiry_and_provider() {
        let e = parse_entry(
            br#"{"ProviderType":"sso","Credentials":{"AccessKeyId":"A","SecretAccessKey":"S",
            "SessionToken":"T","Expiration":"2026-11-22T10:00:00Z"}}"#,
        )
        .unwrap();
        assert!(e.sso);
        assert_eq!(e.expires_at.unix_timestamp(), 1_795_341_600);
        let e =
            parse_entry(br#"{"Credentials":{"Expiration":"2026-11-22T10:00:00+00:00"}}"#).unwrap();
        assert!(!e.sso);
        assert!(parse_entry(b"{not json").is_none());
        assert!(parse_entry(br#"{"Credentials":{}}"#).is_none());
    }
}
