//! The merged view of a person's AWS profiles that resolution works on.
//!
//! [`ProfileSet`] is what the config and credentials files say once merged the
//! way the cross-SDK profile specification merges them (credentials win over
//! config for the same key). Every value remembers where it came from
//! ([`Origin`]) so errors can name the file and line to fix.

use std::collections::BTreeMap;

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
#[derive(Debug, Clone, PartialEq, Eq, Default)]
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

/// A profile (or an `[sso-session]` section) after merging.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Profile {
    pub name: String,
    /// Properties by lower-cased key.
    pub props: BTreeMap<String, Property>,
    /// Header line of the first section that defined this profile.
    pub origin: Option<Origin>,
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
