//! [`Snapshot`]: everything read from a person's AWS setup at one moment,
//! immutable. Built by [`crate::load`] from file bytes the host read; leases
//! are computed from it.

use std::collections::BTreeMap;

use crate::profiles::ProfileSet;
use crate::profiles::cli_cache::CachedCredentials;
use crate::profiles::sso_cache::{SsoToken, TokenFileError};
use crate::report::Problem;

/// Why botocore and the AWS CLI refuse the shared files, if they do: they
/// refuse every profile when either file has a problem they cannot parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotocoreRefusal {
    /// `path:line: reason` of the first problem found.
    pub reason: String,
}

/// What one moment's read of the AWS files holds.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Profiles and sso-sessions, merged; our own managed sections left out.
    pub set: ProfileSet,
    /// SSO token cache entries by file stem (the sha1 key).
    pub sso_tokens: BTreeMap<String, Result<SsoToken, TokenFileError>>,
    /// AWS CLI role-credential cache entries by file stem.
    pub cli_cache: BTreeMap<String, CachedCredentials>,
    /// Set when botocore and the AWS CLI would refuse the files.
    pub botocore_refusal: Option<BotocoreRefusal>,
    /// File-level problems, in file order.
    pub problems: Vec<Problem>,
}
