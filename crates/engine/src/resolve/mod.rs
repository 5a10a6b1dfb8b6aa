//! Resolving a profile to its source chain, as the AWS SDKs' profile
//! credential provider does.
//!
//! [`resolve`] walks `source_profile` links from the selected profile until
//! it reaches a base source and returns a [`Chain`]: the [`Base`] (SSO, keys,
//! `credential_process`, web identity or `credential_source`) then the
//! [`RoleStep`]s in the order they are assumed. Failures are
//! [`ResolveError`]s of that one profile (a cycle, a missing source, an
//! incomplete setting); [`resolve_all`] resolves every profile so one broken
//! profile never hides the others.
//!
//! Precedence follows aws-sdk-rust (`aws-config`'s profile `repr.rs`), checked
//! against its cross-SDK case table:
//! - a role is followed through `source_profile` even when the selected
//!   profile also has keys;
//! - after the first profile, a profile with complete keys is used as the
//!   base even when it also names a role;
//! - `source_profile` naming the profile itself uses that profile's own
//!   base source; `source_profile` with `credential_source` is an error;
//! - coming back to a profile already on the path is a cycle.

mod chain;
mod error;
mod keys;
mod sources;
mod sso;
mod view;

#[cfg(test)]
mod scenarios;

use std::collections::BTreeMap;

pub use chain::{
    Base, Chain, CredentialSource, KeysSource, NamedSource, ProcessSource, RoleStep, SourceKeys,
    SsoSource, WebIdentitySource,
};
pub use error::{ChainIssue, ResolveError};
pub use keys::EXPIRY_KEYS;
pub use sources::{MAX_DURATION_SECONDS, MIN_DURATION_SECONDS};
pub use view::{Kind, StepView};

use crate::profiles::ProfileSet;
use sources::NextProfile;

/// Resolves `profile` in `set` to its source chain.
pub fn resolve(set: &ProfileSet, profile: &str) -> Result<Chain, ResolveError> {
    let mut current = profile;
    let mut visited: Vec<&str> = Vec::new();
    let mut roles = Vec::new();
    let mut issues = Vec::new();
    let base = loop {
        let Some(p) = set.profile(current) else {
            return Err(match visited.last() {
                None => ResolveError::MissingProfile {
                    profile: current.to_owned(),
                },
                Some(from) => ResolveError::MissingSourceProfile {
                    profile: (*from).to_owned(),
                    source_profile: current.to_owned(),
                    origin: set.profile(from).and_then(sources::source_profile_origin),
                },
            });
        };
        if visited.contains(&current) {
            let closing = visited.last().and_then(|last| set.profile(last));
            let mut path: Vec<String> = visited.iter().map(|s| (*s).to_owned()).collect();
            path.push(current.to_owned());
            return Err(ResolveError::Cycle {
                profile: profile.to_owned(),
                path,
                origin: closing.and_then(sources::source_profile_origin),
            });
        }
        visited.push(current);

        // Past the first profile, complete keys win over anything else the
        // profile says (aws-sdk-rust and botocore agree on this).
        if visited.len() > 1 {
            if let Ok((k, found)) = keys::read(p) {
                issues.extend(found);
                break Base::Keys(k);
            }
        }

        let Some(role) = sources::role_step(p)? else {
            break sources::base(set, p, &mut issues)?;
        };
        let next = sources::next_profile(p)?;
        roles.push(role);
        match next {
            NextProfile::SelfReference => break sources::base(set, p, &mut issues)?,
            NextProfile::Named(name) => current = name,
        }
    };
    roles.reverse();
    Ok(Chain {
        profile: profile.to_owned(),
        base,
        roles,
        issues,
    })
}

/// Resolves every profile in `set`, each on its own.
pub fn resolve_all(set: &ProfileSet) -> BTreeMap<String, Result<Chain, ResolveError>> {
    set.profiles
        .keys()
        .map(|name| (name.clone(), resolve(set, name)))
        .collect()
}
