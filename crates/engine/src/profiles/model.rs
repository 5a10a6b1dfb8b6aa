//! The merged view of a person's AWS profiles that resolution works on.
//!
//! [`ProfileSet`] is what the config and credentials files say once merged the
//! way the cross-SDK profile specification merges them (credentials win over
//! config for the same key). Every value remembers where it came from
//! ([`Origin`]) so errors can name the file and line to fix.

use std::collections::BTreeMap;
use std::fmt;

/// Which of the two shared files a value was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// `~/.aws/config` (or `AWS_CONFIG_FILE`).
    Config,
    /// `~/.aws/credentials` (or `AWS_SHARED_CREDENTIALS_FILE`).
    Credentials,
}

impl FileKind {
    /// Short name used in messages: `config` or `credentials`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Config => "config",
            FileKind::Credentials => "credentials",
        }
    }
}

/// Where something was written: a file and a 1-based line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    pub file: FileKind,
    pub line: u32,
}

/// One `key = value` of a profile, with its sub-properties when the value was
/// written as an indented block (`s3 =\n  max_concurrent_requests = 10`).
///
/// Its `Debug` never shows the value: a property does not know its key, and
/// the value may be a secret key or a session token. [`Profile`]'s `Debug`
/// shows the values that are not secret.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Property {
    /// The value as the specification defines it (trimmed; continuation lines
    /// joined with `\n`).
    pub value: String,
    /// Sub-properties (lower-cased keys), empty for a plain value.
    pub sub: BTreeMap<String, String>,
    pub origin: Option<Origin>,
}

impl Property {
    /// A property with no sub-properties and no origin (tests and table data).
    pub fn plain(value: impl Into<String>) -> Self {
        Property {
            value: value.into(),
            ..Property::default()
        }
    }
}

impl fmt::Debug for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Property")
            .field("value", &format_args!("<{} bytes>", self.value.len()))
            .field("sub", &self.sub.keys().collect::<Vec<_>>())
            .field("origin", &self.origin)
            .finish()
    }
}

/// Keys whose values are secrets (or may hold one, as a command line may).
pub(crate) const SECRET_KEYS: &[&str] = &[
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "credential_process",
];

/// A profile (or an `[sso-session]` section) after merging.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Profile {
    pub name: String,
    /// Properties by lower-cased key.
    pub props: BTreeMap<String, Property>,
    /// Header line of the first section that defined this profile.
    pub origin: Option<Origin>,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let props: BTreeMap<&str, &str> = self
            .props
            .iter()
            .map(|(k, p)| {
                let shown = if SECRET_KEYS.contains(&k.as_str()) {
                    "<redacted>"
                } else {
                    p.value.as_str()
                };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("Profile")
            .field("name", &self.name)
            .field("props", &props)
            .field("origin", &self.origin)
            .finish()
    }
}

impl Profile {
    /// A profile from plain `(key, value)` pairs (tests and table data).
    pub fn from_pairs<'a>(name: &str, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Profile {
            name: name.to_owned(),
            props: pairs
                .into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), Property::plain(v)))
                .collect(),
            origin: None,
        }
    }

    /// The value of `key` (lower-case), if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.props.get(key).map(|p| p.value.as_str())
    }

    /// The value of `key` if set and not empty after trimming.
    pub fn get_nonempty(&self, key: &str) -> Option<&str> {
        self.get(key).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Where `key` was written, falling back to the profile's header.
    pub fn origin_of(&self, key: &str) -> Option<Origin> {
        self.props.get(key).and_then(|p| p.origin).or(self.origin)
    }
}

/// Every profile and sso-session a person's files define, merged.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileSet {
    pub profiles: BTreeMap<String, Profile>,
    pub sso_sessions: BTreeMap<String, Profile>,
}

impl ProfileSet {
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    pub fn sso_session(&self, name: &str) -> Option<&Profile> {
        self.sso_sessions.get(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_secret_values() {
        let p = Profile::from_pairs(
            "dev",
            [
                ("aws_access_key_id", "AKIAEXAMPLE000000001"),
                ("aws_secret_access_key", "wJalrSECRET"),
                ("aws_session_token", "TOKENSECRET"),
                ("credential_process", "tool --password hunter2"),
                ("region", "eu-west-1"),
            ],
        );
        let mut set = ProfileSet::default();
        set.profiles.insert("dev".into(), p);
        let shown = format!(
            "{set:?} {:?}",
            set.profiles["dev"].props["aws_secret_access_key"]
        );
        for secret in ["wJalrSECRET", "TOKENSECRET", "hunter2"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(
            shown.contains("eu-west-1"),
            "non-secret values help debugging"
        );
    }
}
