//! [`World::validate`]: the limits AWS itself enforces on the things a world
//! describes, each with the document it comes from, checked once at load.

use std::collections::HashSet;

use super::World;
use crate::error::SandboxError;

fn invalid(field: String, message: impl Into<String>) -> SandboxError {
    SandboxError::WorldInvalid {
        path: None,
        field,
        message: message.into(),
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Names that go into ARNs and profile names: IAM names are
/// `[\w+=,.@-]+` (IAM API Reference, CreateRole `RoleName`, CreateUser `UserName`).
fn is_iam_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

impl World {
    /// Checks every limit; the first broken one is the error.
    pub fn validate(&self) -> Result<(), SandboxError> {
        let ic = &self.identity_center;
        if !(ic.start_url.starts_with("https://") || ic.start_url.starts_with("http://")) {
            return Err(invalid(
                "identity_center.start_url".into(),
                "must be an http(s) url",
            ));
        }
        if ic.region.is_empty()
            || !ic
                .region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(invalid(
                "identity_center.region".into(),
                "must be a region name such as us-east-1",
            ));
        }
        if !is_iam_name(&ic.session_name) || !is_iam_name(&ic.user_name) {
            return Err(invalid(
                "identity_center.session_name".into(),
                "session and user names must be plain names",
            ));
        }
        // IAM Identity Center User Guide, "Configure the duration of the AWS
        // access portal and IAM Identity Center integrated applications
        // sessions": 15 minutes to 90 days.
        if !(900..=90 * 86400).contains(&ic.session_duration_secs) {
            return Err(invalid(
                "identity_center.session_duration_secs".into(),
                "must be between 900 (15 minutes) and 7776000 (90 days)",
            ));
        }
        if !(60..=ic.session_duration_secs).contains(&ic.access_token_secs) {
            return Err(invalid(
                "identity_center.access_token_secs".into(),
                "must be at least 60 and at most the session duration",
            ));
        }
        let mut ids = HashSet::new();
        for (i, a) in self.accounts.iter().enumerate() {
            if !is_account_id(&a.id) {
                return Err(invalid(format!("accounts[{i}].id"), "must be 12 digits"));
            }
            if !ids.insert(a.id.as_str()) {
                return Err(invalid(format!("accounts[{i}].id"), "appears twice"));
            }
            if !is_iam_name(&a.name) {
                return Err(invalid(
                    format!("accounts[{i}].name"),
                    "must be a plain name",
                ));
            }
            let mut names = HashSet::new();
            for (j, ps) in a.permission_sets.iter().enumerate() {
                let field = format!("accounts[{i}].permission_sets[{j}]");
                // Permission set names: 1-32 characters of [\w+=,.@-]
                // (IAM Identity Center API Reference, CreatePermissionSet `Name`).
                if !is_iam_name(&ps.name) || ps.name.len() > 32 {
                    return Err(invalid(
                        format!("{field}.name"),
                        "must be 1 to 32 characters of [A-Za-z0-9_+=,.@-]",
                    ));
                }
                if !names.insert(ps.name.as_str()) {
                    return Err(invalid(
                        format!("{field}.name"),
                        "appears twice in the account",
                    ));
                }
                // CreatePermissionSet `SessionDuration`: 1 to 12 hours.
                if !(3600..=43200).contains(&ps.session_duration_secs) {
                    return Err(invalid(
                        format!("{field}.session_duration_secs"),
                        "must be between 3600 and 43200",
                    ));
                }
            }
        }
        let mut keys = HashSet::new();
        for (i, u) in self.users.iter().enumerate() {
            let field = format!("users[{i}]");
            if !ids.contains(u.account.as_str()) {
                return Err(invalid(
                    format!("{field}.account"),
                    format!("no account {}", u.account),
                ));
            }
            if !is_iam_name(&u.name) {
                return Err(invalid(format!("{field}.name"), "must be a plain name"));
            }
            // IAM API Reference, AccessKey: AccessKeyId 16 to 128 characters.
            if !(16..=128).contains(&u.access_key_id.len()) || !u.access_key_id.starts_with("AKIA")
            {
                return Err(invalid(
                    format!("{field}.access_key_id"),
                    "must start with AKIA and have 16 to 128 characters",
                ));
            }
            if !keys.insert(u.access_key_id.as_str()) {
                return Err(invalid(format!("{field}.access_key_id"), "appears twice"));
            }
            if u.secret_access_key.expose().len() < 16 {
                return Err(invalid(
                    format!("{field}.secret_access_key"),
                    "must have at least 16 characters",
                ));
            }
            if let Some(m) = &u.mfa {
                // STS API Reference, AssumeRole `SerialNumber`: 9 to 256 characters of [\w+=/:,.@-].
                if !(9..=256).contains(&m.serial.len()) {
                    return Err(invalid(
                        format!("{field}.mfa.serial"),
                        "must have 9 to 256 characters",
                    ));
                }
                if crate::totp::decode_base32(m.totp_secret.expose()).is_none_or(|s| s.is_empty()) {
                    return Err(invalid(
                        format!("{field}.mfa.totp_secret"),
                        "must be base32",
                    ));
                }
            }
        }
        let mut roles = HashSet::new();
        for (i, r) in self.roles.iter().enumerate() {
            let field = format!("roles[{i}]");
            if !ids.contains(r.account.as_str()) {
                return Err(invalid(
                    format!("{field}.account"),
                    format!("no account {}", r.account),
                ));
            }
            if !is_iam_name(&r.name) {
                return Err(invalid(format!("{field}.name"), "must be a plain name"));
            }
            if !roles.insert((r.account.as_str(), r.name.as_str())) {
                return Err(invalid(
                    format!("{field}.name"),
                    "appears twice in the account",
                ));
            }
            // IAM API Reference, CreateRole `MaxSessionDuration`: 3600 to 43200.
            if !(3600..=43200).contains(&r.max_session_duration_secs) {
                return Err(invalid(
                    format!("{field}.max_session_duration_secs"),
                    "must be between 3600 and 43200",
                ));
            }
            if r.trust.is_empty() {
                return Err(invalid(
                    format!("{field}.trust"),
                    "must name at least one principal",
                ));
            }
            if let Some(x) = &r.external_id {
                // STS API Reference, AssumeRole `ExternalId`: 2 to 1224 characters.
                if !(2..=1224).contains(&x.len()) {
                    return Err(invalid(
                        format!("{field}.external_id"),
                        "must have 2 to 1224 characters",
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_longer_than_aws_allows_is_refused_with_its_field() {
        let mut w = World::default();
        w.roles[1].max_session_duration_secs = 50_000;
        let err = w.validate().unwrap_err();
        assert_eq!(err.code(), "world_invalid");
        assert!(
            err.to_string()
                .contains("roles[1].max_session_duration_secs"),
            "{err}"
        );
    }

    #[test]
    fn a_user_in_an_unknown_account_is_refused() {
        let mut w = World::default();
        w.users[0].account = "999999999999".into();
        assert!(
            w.validate()
                .unwrap_err()
                .to_string()
                .contains("users[0].account")
        );
    }
}
