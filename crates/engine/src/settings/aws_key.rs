//! The `[aws]` settings, each standing for one of a shell's AWS variables.

use serde::{Deserialize, Serialize};

use super::AwsEnvSettings;

/// One of the `[aws]` settings, which stand for a shell's AWS variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AwsKey {
    ConfigFile,
    CredentialsFile,
    CaBundle,
    HttpsProxy,
    NoProxy,
}

impl AwsKey {
    pub const ALL: [AwsKey; 5] = [
        AwsKey::ConfigFile,
        AwsKey::CredentialsFile,
        AwsKey::CaBundle,
        AwsKey::HttpsProxy,
        AwsKey::NoProxy,
    ];

    /// Its key in the settings file's `[aws]` table.
    pub fn setting(self) -> &'static str {
        match self {
            AwsKey::ConfigFile => "config_file",
            AwsKey::CredentialsFile => "credentials_file",
            AwsKey::CaBundle => "ca_bundle",
            AwsKey::HttpsProxy => "https_proxy",
            AwsKey::NoProxy => "no_proxy",
        }
    }

    /// The variable it stands for.
    pub fn variable(self) -> &'static str {
        self.variables().first().copied().unwrap_or_default()
    }

    /// The variables read for it when the file leaves it unset, the first
    /// set one used. Every AWS call is HTTPS: `ALL_PROXY` applies when
    /// `HTTPS_PROXY` is not set, as the HTTP client reads them.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            AwsKey::ConfigFile => &["AWS_CONFIG_FILE"],
            AwsKey::CredentialsFile => &["AWS_SHARED_CREDENTIALS_FILE"],
            AwsKey::CaBundle => &["AWS_CA_BUNDLE"],
            AwsKey::HttpsProxy => &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"],
            AwsKey::NoProxy => &["NO_PROXY", "no_proxy"],
        }
    }

    /// What applies when neither the file nor a variable sets it.
    pub fn fallback(self) -> Option<&'static str> {
        match self {
            AwsKey::ConfigFile => Some("~/.aws/config"),
            AwsKey::CredentialsFile => Some("~/.aws/credentials"),
            AwsKey::CaBundle | AwsKey::HttpsProxy | AwsKey::NoProxy => None,
        }
    }

    /// Its value in the settings file's `[aws]` table, if set.
    pub fn value_in(self, aws: &AwsEnvSettings) -> Option<&str> {
        match self {
            AwsKey::ConfigFile => aws.config_file.as_deref(),
            AwsKey::CredentialsFile => aws.credentials_file.as_deref(),
            AwsKey::CaBundle => aws.ca_bundle.as_deref(),
            AwsKey::HttpsProxy => aws.https_proxy.as_deref(),
            AwsKey::NoProxy => aws.no_proxy.as_deref(),
        }
    }
}
