//! The STS actions: AssumeRole, GetSessionToken, GetFederationToken and
//! GetCallerIdentity,
//! with the rules of the STS API Reference and the IAM User Guide ("Methods
//! to assume a role", "Role chaining", "Configuring MFA-protected API
//! access"), each noted where it is applied.

use super::auth::{Caller, role_id};
use super::params::{
    EXTERNAL_ID_PATTERN, Params, SERIAL_PATTERN, SESSION_NAME_PATTERN, Violations,
};
use super::xml::{StsError, element};
use crate::creds::{Claims, Issued, Principal};
use crate::state::{Shared, iso8601, lock};
use crate::totp::{TOTP_STEP_SECS, decode_base32, hotp};
use crate::world::principal_matches;

/// AssumeRole's default DurationSeconds (STS API Reference, AssumeRole).
pub(crate) const DEFAULT_ROLE_SECS: u64 = 3600;
/// Role chaining limits a session to one hour (IAM User Guide, "Role chaining").
pub(crate) const CHAINING_MAX_SECS: u64 = 3600;
/// GetSessionToken's default DurationSeconds (STS API Reference, GetSessionToken).
pub(crate) const DEFAULT_SESSION_SECS: u64 = 43200;
/// GetFederationToken's default DurationSeconds (STS API Reference, GetFederationToken).
pub(crate) const DEFAULT_FEDERATION_SECS: u64 = 43200;

/// Federated users' keys call no STS action but GetCallerIdentity (STS API
/// Reference, GetFederationToken: "You cannot call any STS API operations
/// except GetCallerIdentity").
fn federated_refused(caller: &Caller, action: &str) -> Result<(), StsError> {
    if caller.is_federated() {
        return Err(StsError::access_denied(format!(
            "User: {} is not authorized to perform: sts:{action}",
            caller.arn()
        )));
    }
    Ok(())
}

fn not_authorized(caller: &Caller, role_arn: &str) -> StsError {
    StsError::access_denied(format!(
        "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
        caller.arn()
    ))
}

/// Checks an MFA serial and code for the calling IAM user; true when both
/// were given and valid, false when neither was given.
fn check_mfa(
    shared: &Shared,
    caller: &Caller,
    serial: Option<&str>,
    code: Option<&str>,
    action: &str,
) -> Result<bool, StsError> {
    let (serial, code) = match (serial, code) {
        (None, None) => return Ok(false),
        (Some(s), Some(c)) => (s, c),
        _ => {
            return Err(StsError::access_denied(
                "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
            ));
        }
    };
    let unable = || {
        let lead = if action == "GetSessionToken" {
            "GetSessionToken call failed"
        } else {
            "MultiFactorAuthentication failed"
        };
        StsError::access_denied(format!(
            "{lead}, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
        ))
    };
    // The device must belong to the IAM user whose keys sign the call.
    let (owner, device) = shared.world.mfa_device(serial).ok_or_else(unable)?;
    if caller.user_name() != Some(owner.name.as_str()) || caller.account != owner.account {
        return Err(unable());
    }
    let secret = decode_base32(device.totp_secret.expose()).ok_or_else(unable)?;
    let invalid = || {
        StsError::access_denied(
            "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        )
    };
    // RFC 6238 section 5.2: accept one step of drift either way.
    let step = shared.now_unix() / TOTP_STEP_SECS;
    let matched = [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| hotp(&secret, *s) == code)
        .ok_or_else(invalid)?;
    // AWS refuses a code that was already used (IAM User Guide, "Using MFA
    // devices": each code can be used only once).
    let mut used = lock(&shared.used_codes);
    used.retain(|_, s| *s + 2 >= step);
    if used
        .insert((serial.to_owned(), code.to_owned()), matched)
        .is_some()
    {
        return Err(invalid());
    }
    Ok(true)
}

fn credentials_xml(issued: &Issued, expires: u64) -> String {
    let mut x = String::from("    <Credentials>\n");
    x.push_str(&element(6, "AccessKeyId", &issued.access_key_id));
    x.push_str(&element(
        6,
        "SecretAccessKey",
        issued.secret_access_key.expose(),
    ));
    x.push_str(&element(6, "SessionToken", issued.session_token.expose()));
    x.push_str(&element(6, "Expiration", &iso8601(expires)));
    x.push_str("    </Credentials>\n");
    x
}

/// Splits `arn:aws:iam::ACCOUNT:role/[PATH/]NAME` into account and name.
fn parse_role_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let path = resource.strip_prefix("role/")?;
    let name = path.rsplit('/').next()?;
    (!name.is_empty()).then_some((account, name))
}

/// AssumeRole; the XML of `<AssumeRoleResult>`.
pub(crate) fn assume_role(
    shared: &Shared,
    caller: &Caller,
    p: &Params,
) -> Result<String, StsError> {
    let mut v = Violations::default();
    v.string(p.get("RoleArn"), "roleArn", true, 20, 2048, None);
    v.string(
        p.get("RoleSessionName"),
        "roleSessionName",
        true,
        2,
        64,
        Some(SESSION_NAME_PATTERN),
    );
    let duration = v.integer(p.get("DurationSeconds"), "durationSeconds", 900, 43200);
    v.string(
        p.get("ExternalId"),
        "externalId",
        false,
        2,
        1224,
        Some(EXTERNAL_ID_PATTERN),
    );
    v.string(
        p.get("SerialNumber"),
        "serialNumber",
        false,
        9,
        256,
        Some(SERIAL_PATTERN),
    );
    v.token_code(p.get("TokenCode"));
    v.finish()?;
    let (role_arn, session) = (
        p.get("RoleArn").unwrap_or_default(),
        p.get("RoleSessionName").unwrap_or_default(),
    );
    federated_refused(caller, "AssumeRole")?;

    let Some((account, name)) = parse_role_arn(role_arn) else {
        return Err(StsError::validation(format!("{role_arn} is invalid")));
    };
    // AWS answers AccessDenied, not "no such role", for roles that do not
    // exist, so as not to reveal which roles exist.
    let role = shared
        .world
        .role(account, name)
        .ok_or_else(|| not_authorized(caller, role_arn))?;
    let mfa_now = check_mfa(
        shared,
        caller,
        p.get("SerialNumber"),
        p.get("TokenCode"),
        "AssumeRole",
    )?;
    let iam_arn = caller.iam_arn();
    if !role.trust.iter().any(|t| principal_matches(t, &iam_arn)) {
        return Err(not_authorized(caller, role_arn));
    }
    // Trust-policy condition sts:ExternalId (IAM User Guide, "Access to AWS
    // accounts owned by third parties").
    if let Some(expected) = &role.external_id {
        if p.get("ExternalId") != Some(expected.as_str()) {
            return Err(not_authorized(caller, role_arn));
        }
    }
    // Trust-policy condition aws:MultiFactorAuthPresent: a code now, or keys
    // from a session that was itself made with MFA.
    let mfa = mfa_now || caller.mfa;
    if role.require_mfa && !mfa {
        return Err(not_authorized(caller, role_arn));
    }
    let requested = duration.map_or(DEFAULT_ROLE_SECS, |d| d as u64);
    if caller.is_role_session() && requested > CHAINING_MAX_SECS {
        return Err(StsError::validation(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
        ));
    }
    if requested > role.max_session_duration_secs {
        return Err(StsError::validation(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    let expires = shared.now_unix() + shared.scaled_secs(requested);
    let issued = shared.tokens.issue(Claims {
        key_id: String::new(),
        account: role.account.clone(),
        principal: Principal::Role {
            name: role.name.clone(),
            session: session.to_owned(),
        },
        mfa,
        chained: caller.is_role_session(),
        expires,
    });
    let mut x = credentials_xml(&issued, expires);
    x.push_str("    <AssumedRoleUser>\n");
    x.push_str(&element(
        6,
        "AssumedRoleId",
        &format!("{}:{session}", role_id(&role.account, &role.name)),
    ));
    x.push_str(&element(
        6,
        "Arn",
        &format!(
            "arn:aws:sts::{}:assumed-role/{}/{session}",
            role.account, role.name
        ),
    ));
    x.push_str("    </AssumedRoleUser>\n");
    Ok(x)
}

/// GetSessionToken; the XML of `<GetSessionTokenResult>`.
pub(crate) fn get_session_token(
    shared: &Shared,
    caller: &Caller,
    p: &Params,
) -> Result<String, StsError> {
    let mut v = Violations::default();
    let duration = v.integer(p.get("DurationSeconds"), "durationSeconds", 900, 129_600);
    v.string(
        p.get("SerialNumber"),
        "serialNumber",
        false,
        9,
        256,
        Some(SERIAL_PATTERN),
    );
    v.token_code(p.get("TokenCode"));
    v.finish()?;
    // GetSessionToken takes long-term IAM user keys only (STS API Reference,
    // GetSessionToken: "you cannot call GetSessionToken with session credentials").
    if caller.temporary {
        return Err(StsError::access_denied(
            "Cannot call GetSessionToken with session credentials",
        ));
    }
    let Some(user) = caller.user_name() else {
        return Err(StsError::access_denied(
            "Cannot call GetSessionToken with session credentials",
        ));
    };
    let mfa = check_mfa(
        shared,
        caller,
        p.get("SerialNumber"),
        p.get("TokenCode"),
        "GetSessionToken",
    )?;
    let requested = duration.map_or(DEFAULT_SESSION_SECS, |d| d as u64);
    let expires = shared.now_unix() + shared.scaled_secs(requested);
    let issued = shared.tokens.issue(Claims {
        key_id: String::new(),
        account: caller.account.clone(),
        principal: Principal::User {
            name: user.to_owned(),
        },
        mfa,
        chained: false,
        expires,
    });
    Ok(credentials_xml(&issued, expires))
}

/// GetFederationToken; the XML of `<GetFederationTokenResult>`. Long-term
/// IAM user keys only; the session policy is only checked to be JSON (a
/// session without one has no permissions, which the console stand-in says).
pub(crate) fn get_federation_token(
    shared: &Shared,
    caller: &Caller,
    p: &Params,
) -> Result<String, StsError> {
    let mut v = Violations::default();
    v.string(
        p.get("Name"),
        "name",
        true,
        2,
        32,
        Some(SESSION_NAME_PATTERN),
    );
    let duration = v.integer(p.get("DurationSeconds"), "durationSeconds", 900, 129_600);
    v.string(p.get("Policy"), "policy", false, 1, 2048, None);
    v.finish()?;
    let Some(user) = caller.user_name().filter(|_| !caller.temporary) else {
        return Err(StsError::access_denied(
            "Cannot call GetFederationToken with session credentials",
        ));
    };
    let policy = match p.get("Policy") {
        None => false,
        Some(text) => {
            if serde_json::from_str::<serde_json::Value>(text).is_err() {
                return Err(StsError::new(
                    http::StatusCode::BAD_REQUEST,
                    "MalformedPolicyDocument",
                    "The policy is not in the valid JSON format.",
                ));
            }
            true
        }
    };
    let name = p.get("Name").unwrap_or_default();
    let requested = duration.map_or(DEFAULT_FEDERATION_SECS, |d| d as u64);
    let expires = shared.now_unix() + shared.scaled_secs(requested);
    let issued = shared.tokens.issue(Claims {
        key_id: String::new(),
        account: caller.account.clone(),
        principal: Principal::Federated {
            name: name.to_owned(),
            user: user.to_owned(),
            policy,
        },
        mfa: false,
        chained: false,
        expires,
    });
    let mut x = credentials_xml(&issued, expires);
    x.push_str("    <FederatedUser>\n");
    x.push_str(&element(
        6,
        "FederatedUserId",
        &format!("{}:{name}", caller.account),
    ));
    x.push_str(&element(
        6,
        "Arn",
        &format!("arn:aws:sts::{}:federated-user/{name}", caller.account),
    ));
    x.push_str("    </FederatedUser>\n");
    x.push_str(&element(
        4,
        "PackedPolicySize",
        if policy { "6" } else { "0" },
    ));
    Ok(x)
}

/// GetCallerIdentity; the XML of `<GetCallerIdentityResult>`.
pub(crate) fn get_caller_identity(caller: &Caller) -> String {
    let mut x = element(4, "Arn", &caller.arn());
    x.push_str(&element(4, "UserId", &caller.user_id()));
    x.push_str(&element(4, "Account", &caller.account));
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns_split_into_account_and_name() {
        assert_eq!(
            parse_role_arn("arn:aws:iam::111111111111:role/Deploy"),
            Some(("111111111111", "Deploy"))
        );
        assert_eq!(
            parse_role_arn("arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/X"),
            Some(("111111111111", "X"))
        );
        assert_eq!(parse_role_arn("arn:aws:iam::111111111111:user/alice"), None);
        assert_eq!(parse_role_arn("nonsense"), None);
    }
}
