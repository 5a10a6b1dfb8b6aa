//! An error as the AWS CLI or an SDK prints it, read for its cause, and the
//! finding codes that can be behind it.

use serde::Serialize;

use super::Code;

/// What an error says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// Temporary keys lapsed (ExpiredToken, ExpiredTokenException).
    ExpiredKeys,
    /// Keys AWS does not know: revoked, mistyped, from another partition.
    UnknownKeys,
    /// The SSO token lapsed and its refresh failed.
    SsoRefreshFailed,
    /// The IAM Identity Center session ended.
    SsoSessionEnded,
    /// The clock is off AWS's by more than 15 minutes.
    ClockSkew,
    /// A wrong secret key for the key id.
    WrongSecret,
    /// A chained role asked for more than an hour.
    ChainedDuration,
}

/// An error read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub cause: Cause,
    /// What the error means, in a sentence.
    pub meaning: &'static str,
    /// The findings that can cause it, most likely first.
    pub related: &'static [Code],
}

const KEYS_LAPSED: &[Code] = &[
    Code::ExportedKeys,
    Code::ProcessOnExportedKeys,
    Code::FileKeysExpired,
    Code::SignInNeeded,
    Code::ClockSkew,
];
const SSO: &[Code] = &[Code::SignInNeeded, Code::LegacySso, Code::ExportedKeys];

/// Reads `text`; `None` when it is no error doctor knows.
pub fn explain(text: &str) -> Option<Explanation> {
    let has = |s: &str| text.contains(s);
    let e = |cause, meaning, related| {
        Some(Explanation {
            cause,
            meaning,
            related,
        })
    };
    if has("Token has expired and refresh failed") {
        return e(
            Cause::SsoRefreshFailed,
            "the IAM Identity Center token lapsed and could not be refreshed: the sign-in ended, or the profile is a legacy one without a refresh token",
            SSO,
        );
    }
    if has("SSO session associated with this profile has expired")
        || has("SSO session associated with this profile is invalid")
    {
        return e(
            Cause::SsoSessionEnded,
            "the IAM Identity Center sign-in session ended: sign in again",
            SSO,
        );
    }
    if has("Signature expired") || has("Signature not yet current") {
        return e(
            Cause::ClockSkew,
            "the request was signed with a time more than 15 minutes off AWS's: this machine's clock is wrong",
            &[Code::ClockSkew],
        );
    }
    if has("session limit for roles assumed by role chaining") {
        return e(
            Cause::ChainedDuration,
            "a role assumed with another role's keys asked for more than one hour, which AWS refuses",
            &[Code::ChainedDuration],
        );
    }
    if has("ExpiredToken") || has("security token included in the request is expired") {
        return e(
            Cause::ExpiredKeys,
            "the temporary keys the command used have lapsed",
            KEYS_LAPSED,
        );
    }
    if has("InvalidClientTokenId") || has("security token included in the request is invalid") {
        return e(
            Cause::UnknownKeys,
            "AWS does not know the keys the command used: exported or written keys that were revoked, mistyped or belong to another partition",
            &[
                Code::ExportedKeys,
                Code::FileKeysExpired,
                Code::ProfileNotFound,
            ],
        );
    }
    if has("SignatureDoesNotMatch") {
        return e(
            Cause::WrongSecret,
            "the secret key does not belong to the key id: a mismatched pair is exported or written",
            &[Code::ExportedKeys, Code::ClockSkew],
        );
    }
    None
}
