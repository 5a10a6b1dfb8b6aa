//! Who is calling: the SigV4 check of an STS request against the secret the
//! sandbox issued (or the world's static keys), the request-time window, and
//! the expiry of temporary keys. The answer is a [`Caller`] or an STS error
//! with AWS's code and message.

use std::time::Duration;

use http::StatusCode;
use sha2::{Digest, Sha256};

use super::sigv4::{self, parse_amz_date, parse_authorization};
use super::xml::StsError;
use crate::creds::{Claims, Principal};
use crate::state::Shared;
use crate::wire::Req;

/// SigV4 accepts requests whose time is within 15 minutes of the server's
/// (AWS General Reference, "Signature Version 4 signing": the request
/// timestamp must be within 15 minutes of the AWS time).
pub(crate) const MAX_REQUEST_SKEW: Duration = Duration::from_secs(15 * 60);

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    pub account: String,
    pub principal: Principal,
    /// Keys are temporary (from STS or the portal), not an IAM user's own.
    pub temporary: bool,
    /// MFA was presented when these keys were made.
    pub mfa: bool,
}

/// A stable IAM-style unique id (`AIDA…` users, `AROA…` roles).
fn unique_id(prefix: &str, account: &str, name: &str) -> String {
    let digest = Sha256::new()
        .chain_update(account.as_bytes())
        .chain_update(b"/")
        .chain_update(name.as_bytes())
        .finalize();
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let tail: String = digest
        .iter()
        .take(17)
        .filter_map(|b| ALPHABET.get(usize::from(*b) % ALPHABET.len()))
        .map(|c| char::from(*c))
        .collect();
    format!("{prefix}{tail}")
}

impl Caller {
    /// The ARN GetCallerIdentity returns.
    pub fn arn(&self) -> String {
        match &self.principal {
            Principal::User { name } => format!("arn:aws:iam::{}:user/{name}", self.account),
            Principal::Role { name, session } => {
                format!(
                    "arn:aws:sts::{}:assumed-role/{name}/{session}",
                    self.account
                )
            }
            Principal::Federated { name, .. } => {
                format!("arn:aws:sts::{}:federated-user/{name}", self.account)
            }
        }
    }

    /// The IAM ARN trust policies are matched against: the user, or the role
    /// a session belongs to.
    pub fn iam_arn(&self) -> String {
        match &self.principal {
            Principal::User { name } => format!("arn:aws:iam::{}:user/{name}", self.account),
            Principal::Role { name, .. } => format!("arn:aws:iam::{}:role/{name}", self.account),
            Principal::Federated { .. } => self.arn(),
        }
    }

    /// GetCallerIdentity's UserId.
    pub fn user_id(&self) -> String {
        match &self.principal {
            Principal::User { name } => unique_id("AIDA", &self.account, name),
            Principal::Role { name, session } => {
                format!("{}:{session}", role_id(&self.account, name))
            }
            Principal::Federated { name, .. } => format!("{}:{name}", self.account),
        }
    }

    /// The user name, for IAM-user callers (static or GetSessionToken keys).
    pub fn user_name(&self) -> Option<&str> {
        match &self.principal {
            Principal::User { name } => Some(name),
            Principal::Role { .. } | Principal::Federated { .. } => None,
        }
    }

    /// Keys that are themselves assumed-role keys (AssumeRole or SSO role
    /// credentials): assuming a role with them is role chaining.
    pub fn is_role_session(&self) -> bool {
        matches!(self.principal, Principal::Role { .. })
    }

    /// GetFederationToken keys: they call no STS action but GetCallerIdentity.
    pub fn is_federated(&self) -> bool {
        matches!(self.principal, Principal::Federated { .. })
    }
}

/// The `AROA…` unique id of a role.
pub(crate) fn role_id(account: &str, role: &str) -> String {
    unique_id("AROA", account, role)
}

/// Authenticates an STS request.
pub(crate) fn authenticate(shared: &Shared, req: &Req) -> Result<Caller, StsError> {
    let auth = parse_authorization(req.header("authorization"))
        .map_err(|m| StsError::new(StatusCode::BAD_REQUEST, "IncompleteSignature", m.0))?
        .ok_or_else(|| {
            StsError::new(
                StatusCode::FORBIDDEN,
                "MissingAuthenticationToken",
                "Request is missing Authentication Token",
            )
        })?;
    let amz_date = req.header("x-amz-date").map(str::to_owned).ok_or_else(|| {
        StsError::new(
            StatusCode::BAD_REQUEST,
            "IncompleteSignature",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
        )
    })?;
    let signed_at = parse_amz_date(&amz_date).ok_or_else(|| {
        StsError::new(
            StatusCode::BAD_REQUEST,
            "IncompleteSignature",
            format!("Date must be in ISO-8601 'basic format'. Got '{amz_date}'."),
        )
    })?;
    if auth.service != "sts" {
        return Err(StsError::new(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "Credential should be scoped to correct service: 'sts'. ",
        ));
    }

    // Who do the keys belong to, and what is their secret?
    let token = req.header("x-amz-security-token");
    let (caller, secret, expires) = if let Some(user) = shared.world.user_by_key(&auth.key_id) {
        let caller = Caller {
            account: user.account.clone(),
            principal: Principal::User {
                name: user.name.clone(),
            },
            temporary: false,
            mfa: false,
        };
        (caller, user.secret_access_key.clone(), None)
    } else {
        let claims: Claims = token
            .and_then(|t| shared.tokens.open(t))
            .filter(|c| c.key_id == auth.key_id)
            .ok_or_else(StsError::invalid_token)?;
        let caller = Caller {
            account: claims.account.clone(),
            principal: claims.principal.clone(),
            temporary: true,
            mfa: claims.mfa,
        };
        (
            caller,
            shared.tokens.secret_for(&auth.key_id),
            Some(claims.expires),
        )
    };

    // The 15-minute window, with AWS's wording.
    let now = time::OffsetDateTime::from(shared.now());
    let window = time::Duration::try_from(MAX_REQUEST_SKEW).unwrap_or(time::Duration::minutes(15));
    if signed_at < now - window {
        return Err(StsError::new(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            format!(
                "Signature expired: {amz_date} is now earlier than {} ({} - 15 min.)",
                sigv4::format_amz_date(now - window),
                sigv4::format_amz_date(now)
            ),
        ));
    }
    if signed_at > now + window {
        return Err(StsError::new(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            format!(
                "Signature not yet current: {amz_date} is still later than {} ({} + 15 min.)",
                sigv4::format_amz_date(now + window),
                sigv4::format_amz_date(now)
            ),
        ));
    }

    let expected = sigv4::expected_signature(req, &auth, &amz_date, secret.expose());
    if !sigv4::same_signature(&expected, &auth.signature) {
        return Err(StsError::new(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
        ));
    }
    if expires.is_some_and(|e| shared.now_unix() >= e) {
        return Err(StsError::new(
            StatusCode::FORBIDDEN,
            "ExpiredToken",
            "The security token included in the request is expired",
        ));
    }
    Ok(caller)
}
