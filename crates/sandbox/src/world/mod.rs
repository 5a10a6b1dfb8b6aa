//! [`World`]: the AWS organisation the sandbox pretends to be: accounts, IAM
//! roles (who may assume them, how long), IAM users with static keys and MFA
//! devices, and the IAM Identity Center instance (start URL, region,
//! permission sets per account, sign-in session length, access-token
//! lifetime).
//!
//! A world is read from a TOML or JSON file ([`World::from_file`], format in
//! docs/SANDBOX.md) or built in ([`World::default`], in `default.rs`), and
//! checked once ([`World::validate`]) so the server never meets an
//! impossible one.

pub(crate) mod default;
mod validate;

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::SandboxError;
use crate::secret::Secret;

/// The whole sandbox world.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct World {
    /// The IAM Identity Center instance.
    pub identity_center: IdentityCenter,
    /// AWS accounts, with the permission sets assigned in each.
    #[serde(default)]
    pub accounts: Vec<Account>,
    /// IAM users with long-term keys.
    #[serde(default)]
    pub users: Vec<User>,
    /// IAM roles that STS AssumeRole can assume.
    #[serde(default)]
    pub roles: Vec<Role>,
}

/// The IAM Identity Center instance and the person signed in to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityCenter {
    /// The AWS access portal URL, e.g. `https://sandbox.awsapps.com/start`.
    pub start_url: String,
    /// The instance's region.
    pub region: String,
    /// The `[sso-session NAME]` written to the config file.
    #[serde(default = "default_session_name")]
    pub session_name: String,
    /// The person who signs in; it becomes the role session name of SSO role
    /// credentials, as at AWS.
    #[serde(default = "default_user_name")]
    pub user_name: String,
    /// Sign-in session length (AWS: 15 minutes to 90 days, default 8 hours).
    #[serde(default = "default_session_secs")]
    pub session_duration_secs: u64,
    /// Lifetime of an access token that comes with a refresh token.
    #[serde(default = "default_access_token_secs")]
    pub access_token_secs: u64,
    /// The access portal's rate limit in calls per second (0: none); the
    /// faults' `portal_calls_per_second` overrides it while the sandbox runs.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub portal_calls_per_second: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// An AWS account and the permission sets the signed-in person has in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// 12 digits.
    pub id: String,
    /// The account name the portal lists; also the first half of SSO profile names.
    pub name: String,
    /// The account's root e-mail the portal lists.
    #[serde(default)]
    pub email: String,
    /// Permission sets assigned to the person in this account.
    #[serde(default)]
    pub permission_sets: Vec<PermissionSet>,
}

/// A permission set assignment: the portal's "role" in an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionSet {
    /// The name (`sso_role_name` in a profile).
    pub name: String,
    /// Role credential lifetime (AWS: 1 to 12 hours).
    #[serde(default = "default_role_secs")]
    pub session_duration_secs: u64,
}

/// An IAM user with long-term access keys.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The account the user lives in.
    pub account: String,
    /// The user name.
    pub name: String,
    /// `AKIA…`, 20 characters.
    pub access_key_id: String,
    /// The 40-character secret.
    pub secret_access_key: Secret,
    /// A virtual MFA device, if the user has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<MfaDevice>,
    /// Profile name written for the user's keys (default: the user name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

/// A virtual (TOTP) MFA device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MfaDevice {
    /// The device ARN, e.g. `arn:aws:iam::111111111111:mfa/alice`.
    pub serial: String,
    /// The TOTP secret in base32, as an authenticator app takes it.
    pub totp_secret: Secret,
}

/// An IAM role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// The account the role lives in.
    pub account: String,
    /// The role name.
    pub name: String,
    /// MaxSessionDuration (AWS: 3600 to 43200, default 3600).
    #[serde(default = "default_role_secs")]
    pub max_session_duration_secs: u64,
    /// Principals that may assume the role: ARNs of users
    /// (`arn:aws:iam::ACCT:user/NAME`), roles (`arn:aws:iam::ACCT:role/NAME`,
    /// which admits sessions of that role), whole accounts
    /// (`arn:aws:iam::ACCT:root`); `*` matches any run of characters.
    pub trust: Vec<String>,
    /// The ExternalId the trust policy demands (`sts:ExternalId`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The trust policy demands MFA (`aws:MultiFactorAuthPresent`).
    #[serde(default)]
    pub require_mfa: bool,
    /// Profile name written for this role (default: the role name in lower case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

fn default_session_name() -> String {
    "sandbox".into()
}
fn default_user_name() -> String {
    "sandbox-user".into()
}
fn default_session_secs() -> u64 {
    8 * 3600
}
fn default_access_token_secs() -> u64 {
    3600
}
fn default_role_secs() -> u64 {
    3600
}

impl World {
    /// Reads and checks a world file: `.json` is JSON, anything else TOML.
    pub fn from_file(path: &Path) -> Result<Self, SandboxError> {
        let text = std::fs::read_to_string(path).map_err(|source| SandboxError::WorldRead {
            path: path.to_owned(),
            source,
        })?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        let world = if is_json {
            serde_json::from_str::<World>(&text).map_err(|e| SandboxError::WorldParse {
                path: path.to_owned(),
                line: e.line(),
                message: e.to_string(),
            })?
        } else {
            toml::from_str::<World>(&text).map_err(|e| SandboxError::WorldParse {
                path: path.to_owned(),
                line: e
                    .span()
                    .map(|s| {
                        text.as_bytes()
                            .iter()
                            .take(s.start)
                            .filter(|b| **b == b'\n')
                            .count()
                            + 1
                    })
                    .unwrap_or(0),
                message: e.message().to_owned(),
            })?
        };
        world.validate().map_err(|e| match e {
            SandboxError::WorldInvalid { field, message, .. } => SandboxError::WorldInvalid {
                path: Some(path.to_owned()),
                field,
                message,
            },
            other => other,
        })?;
        Ok(world)
    }

    /// The world as TOML, the documented file format.
    pub fn to_toml(&self) -> String {
        // Every field of a world serialises; a failure here would be a bug in
        // the types above, and an empty string is the harmless answer.
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// The account with this id.
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// The role with this account and name.
    pub fn role(&self, account: &str, name: &str) -> Option<&Role> {
        self.roles
            .iter()
            .find(|r| r.account == account && r.name == name)
    }

    /// The user whose long-term key id this is.
    pub fn user_by_key(&self, access_key_id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.access_key_id == access_key_id)
    }

    /// The MFA device with this serial and the user who owns it.
    pub fn mfa_device(&self, serial: &str) -> Option<(&User, &MfaDevice)> {
        self.users.iter().find_map(|u| {
            u.mfa
                .as_ref()
                .filter(|m| m.serial == serial)
                .map(|m| (u, m))
        })
    }
}

/// The IAM role name behind a permission set in an account. Identity Center
/// provisions roles named `AWSReservedSSO_<PermissionSetName>_<unique suffix>`
/// (IAM Identity Center User Guide, "Service-linked roles" / "Referencing
/// permission sets in resource policies"); the suffix here is stable per
/// account and permission set.
pub fn sso_role_name(account_id: &str, permission_set: &str) -> String {
    let digest = Sha256::new()
        .chain_update(account_id.as_bytes())
        .chain_update(b"/")
        .chain_update(permission_set.as_bytes())
        .finalize();
    let prefix = digest.get(..8).unwrap_or_default();
    format!("AWSReservedSSO_{permission_set}_{}", hex::encode(prefix))
}

/// Matches a trust-policy principal pattern (with `*` wildcards) against an ARN.
pub fn principal_matches(pattern: &str, arn: &str) -> bool {
    // `arn:aws:iam::ACCT:root` stands for every principal of the account
    // (IAM User Guide, "AWS JSON policy elements: Principal", AWS account principals).
    if let Some(account) = pattern
        .strip_prefix("arn:aws:iam::")
        .and_then(|rest| rest.strip_suffix(":root"))
    {
        return arn.starts_with(&format!("arn:aws:iam::{account}:"));
    }
    glob(pattern.as_bytes(), arn.as_bytes())
}

fn glob(p: &[u8], s: &[u8]) -> bool {
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while let Some(&sc) = s.get(si) {
        let pc = p.get(pi).copied();
        if pc == Some(b'*') {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if pc == Some(sc) {
            pi += 1;
            si += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p.get(pi..).unwrap_or_default().iter().all(|c| *c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principals_match_exactly_by_glob_or_by_account_root() {
        let user = "arn:aws:iam::111111111111:user/alice";
        assert!(principal_matches(user, user));
        assert!(principal_matches("arn:aws:iam::111111111111:root", user));
        assert!(!principal_matches("arn:aws:iam::222222222222:root", user));
        let sso = format!(
            "arn:aws:iam::111111111111:role/{}",
            sso_role_name("111111111111", "Admin")
        );
        assert!(principal_matches(
            "arn:aws:iam::111111111111:role/AWSReservedSSO_Admin_*",
            &sso
        ));
        assert!(!principal_matches(
            "arn:aws:iam::111111111111:role/AWSReservedSSO_ReadOnly_*",
            &sso
        ));
    }

    #[test]
    fn sso_role_names_are_stable_and_distinct() {
        assert_eq!(sso_role_name("1", "Admin"), sso_role_name("1", "Admin"));
        assert_ne!(sso_role_name("1", "Admin"), sso_role_name("2", "Admin"));
        assert!(sso_role_name("1", "Admin").starts_with("AWSReservedSSO_Admin_"));
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn worlds_load_from_toml_and_json_files() {
        let dir = tempfile::tempdir().unwrap();
        let toml_path = dir.path().join("world.toml");
        std::fs::write(&toml_path, World::default().to_toml()).unwrap();
        assert_eq!(World::from_file(&toml_path).unwrap(), World::default());
        let json_path = dir.path().join("world.json");
        std::fs::write(
            &json_path,
            serde_json::to_string(&World::default()).unwrap(),
        )
        .unwrap();
        assert_eq!(World::from_file(&json_path).unwrap(), World::default());
    }

    #[test]
    fn file_errors_name_the_file_line_and_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(
            &path,
            "[identity_center]\nstart_url = \"https://x\"\nregion = \"us-east-1\"\ncolour = 1\n",
        )
        .unwrap();
        let err = World::from_file(&path).unwrap_err();
        assert_eq!(err.code(), "world_parse");
        let text = err.to_string();
        assert!(text.contains("bad.toml line 4"), "{text}");
        let path = dir.path().join("invalid.toml");
        std::fs::write(&path, "[identity_center]\nstart_url = \"https://x\"\nregion = \"us-east-1\"\nsession_duration_secs = 60\n").unwrap();
        let err = World::from_file(&path).unwrap_err();
        assert_eq!(err.code(), "world_invalid");
        assert!(
            err.to_string()
                .contains("identity_center.session_duration_secs"),
            "{err}"
        );
        let err = World::from_file(&dir.path().join("missing.toml")).unwrap_err();
        assert_eq!(err.code(), "world_read");
    }
}
