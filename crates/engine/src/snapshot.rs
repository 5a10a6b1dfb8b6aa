//! [`Snapshot`]: everything read from a person's AWS setup at one moment,
//! immutable. Built by [`crate::load`] from file bytes the host read; leases
//! are computed from it.

use std::collections::BTreeMap;

use time::Duration;

use crate::profiles::ProfileSet;
use crate::profiles::cli_cache::CachedCredentials;
use crate::profiles::sso_cache::{SsoToken, TokenFileError};
use crate::report::Problem;
use crate::settings::DEFAULT_SESSION_LENGTH;
use crate::signin::records::SessionRecord;
use crate::signin::sighting::Sighting;

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
    /// Our records of sign-ins and the estimated session lengths; empty
    /// unless the host adds them (then SSO leases end at the estimate).
    pub sign_ins: SignIns,
}

/// What estimating a sign-in's end needs beyond the AWS files.
#[derive(Debug, Clone, Default)]
pub struct SignIns {
    /// Leasekeeper's session records, by token cache key.
    pub records: BTreeMap<String, SessionRecord>,
    /// When each sign-in was first seen, by token cache key: only what is
    /// kept in the state folder (a sighting that could not be recorded is
    /// left out, and the registration's expiry is then an upper bound).
    pub sightings: BTreeMap<String, Sighting>,
    /// The estimated session length by sso-session name (or legacy start
    /// URL); `default_length` for any other.
    pub lengths: BTreeMap<String, Duration>,
    /// The length of a session not in `lengths` (`None`:
    /// [`DEFAULT_SESSION_LENGTH`]).
    pub default_length: Option<Duration>,
}

impl SignIns {
    /// The estimated session length of `session`.
    pub fn length(&self, session: &str) -> Duration {
        self.lengths
            .get(session)
            .copied()
            .or(self.default_length)
            .unwrap_or(DEFAULT_SESSION_LENGTH)
    }

    /// Every length divided by `factor` (the time scale the tray and the
    /// demo run at, as their other leads are).
    pub fn scaled(mut self, factor: f64) -> SignIns {
        let factor = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            1.0
        };
        for length in self.lengths.values_mut() {
            *length /= factor;
        }
        self.default_length = Some(self.length_default() / factor);
        self
    }

    fn length_default(&self) -> Duration {
        self.default_length.unwrap_or(DEFAULT_SESSION_LENGTH)
    }
}

#[cfg(test)]
mod sign_ins_tests {
    use super::*;

    #[test]
    fn scaling_divides_every_session_length_and_the_default() {
        let mut lengths = BTreeMap::new();
        lengths.insert("corp".to_owned(), Duration::hours(12));
        let sign_ins = SignIns {
            records: BTreeMap::new(),
            sightings: BTreeMap::new(),
            lengths,
            default_length: None,
        };
        assert_eq!(sign_ins.length("other"), DEFAULT_SESSION_LENGTH);
        let scaled = sign_ins.scaled(60.0);
        assert_eq!(scaled.length("corp"), Duration::minutes(12));
        assert_eq!(scaled.length("other"), DEFAULT_SESSION_LENGTH / 60.0);
        // A nonsense factor leaves the lengths as they are.
        assert_eq!(scaled.scaled(0.0).length("corp"), Duration::minutes(12));
    }
}
