//! Computing each profile's [`Lease`] from a [`Snapshot`] at a given "now".

use std::collections::HashMap;

use time::OffsetDateTime;

use super::policy::EXPIRING_LEAD;
use super::sign_in::sign_in_end;
use super::{Lease, LeaseError, LeaseState, Renewal, SsoLease};
use crate::profiles::cli_cache::{AssumeRoleArgs, SsoKey, assume_role_key, sso_role_key};
use crate::profiles::sso_cache::cache_key;
use crate::resolve::{Base, Chain, KeysSource, ResolveError, SsoSource, resolve};
use crate::snapshot::Snapshot;

/// Every profile's lease at `now`, in profile-name order.
pub fn leases(snapshot: &Snapshot, now: OffsetDateTime) -> Vec<Lease> {
    let mut keys = TokenKeys::default();
    snapshot
        .set
        .profiles
        .keys()
        .map(|name| lease_with(snapshot, name, now, &mut keys))
        .collect()
}

/// One profile's lease at `now`.
pub fn lease(snapshot: &Snapshot, profile: &str, now: OffsetDateTime) -> Lease {
    lease_with(snapshot, profile, now, &mut TokenKeys::default())
}

/// SSO token cache keys (sha1 of an sso-session name or a legacy start URL),
/// each computed once: many profiles share one sso-session.
#[derive(Default)]
struct TokenKeys(HashMap<String, String>);

impl TokenKeys {
    fn of(&mut self, sso: &SsoSource) -> &str {
        let name = sso.session.as_deref().unwrap_or(&sso.start_url);
        if !self.0.contains_key(name) {
            self.0.insert(name.to_owned(), cache_key(name));
        }
        self.0.get(name).map_or("", String::as_str)
    }
}

fn lease_with(
    snapshot: &Snapshot,
    profile: &str,
    now: OffsetDateTime,
    keys: &mut TokenKeys,
) -> Lease {
    let mut lease = match resolve(&snapshot.set, profile) {
        Ok(chain) => from_chain(snapshot, &chain, now, keys),
        Err(_) if settings_only(snapshot, profile) => settings_only_lease(profile),
        Err(err) => unresolved(profile, &err),
    };
    if let Some(refusal) = &snapshot.botocore_refusal {
        lease.unusable_by_botocore = true;
        lease.errors.push(LeaseError::new(
            "refused_by_botocore",
            format!(
                "botocore and the AWS CLI refuse every profile until this is fixed: {}",
                refusal.reason
            ),
        ));
    }
    lease
}

/// Keys that make a profile a source of credentials.
const CREDENTIAL_KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "web_identity_token_file",
    "sso_session",
    "sso_start_url",
    "sso_account_id",
    "sso_role_name",
    "login_session",
];

/// A profile with settings only (a `[default]` holding just `region`): not a
/// broken credential profile, nothing to renew.
fn settings_only(snapshot: &Snapshot, profile: &str) -> bool {
    snapshot
        .set
        .profile(profile)
        .is_some_and(|p| !CREDENTIAL_KEYS.iter().any(|k| p.props.contains_key(*k)))
}

fn settings_only_lease(profile: &str) -> Lease {
    Lease {
        kind: "none".to_owned(),
        state: LeaseState::Unknown,
        description: "settings only, no credentials".to_owned(),
        errors: Vec::new(),
        ..unresolved_base(profile)
    }
}

fn unresolved(profile: &str, err: &ResolveError) -> Lease {
    Lease {
        errors: vec![LeaseError::new(err.code(), err.to_string())],
        ..unresolved_base(profile)
    }
}

fn unresolved_base(profile: &str) -> Lease {
    Lease {
        profile: profile.to_owned(),
        kind: "unknown".to_owned(),
        state: LeaseState::Error,
        renewal: Renewal::Never,
        expires_at: None,
        action_needed_at: None,
        action_needed_estimated: false,
        action_needed_upper_bound: false,
        sso: None,
        description: "cannot be resolved".to_owned(),
        source: Vec::new(),
        unusable_by_botocore: false,
        errors: Vec::new(),
    }
}

/// The state a deadline gives: past it `lapsed`, within the lead `Expiring`,
/// otherwise `Fresh`.
fn by_deadline(at: OffsetDateTime, now: OffsetDateTime, lapsed: LeaseState) -> LeaseState {
    if at <= now {
        lapsed
    } else if at - now <= EXPIRING_LEAD {
        LeaseState::Expiring
    } else {
        LeaseState::Fresh
    }
}

/// What renewing needs, and by when the person must act.
struct Outlook {
    state: LeaseState,
    renewal: Renewal,
    action_needed_at: Option<OffsetDateTime>,
    /// Whether `action_needed_at` is an estimate (a sign-in's end).
    estimated: bool,
    /// Whether `action_needed_at` is only an upper bound.
    upper_bound: bool,
    sso: Option<SsoLease>,
}

fn from_chain(
    snapshot: &Snapshot,
    chain: &Chain,
    now: OffsetDateTime,
    keys: &mut TokenKeys,
) -> Lease {
    let mut errors: Vec<LeaseError> = chain
        .issues
        .iter()
        .map(|i| LeaseError::new(i.code(), i.to_string()))
        .collect();
    let expires_at = current_expiry(snapshot, chain, keys);
    let outlook = match &chain.base {
        Base::Sso(sso) => sso_outlook(snapshot, sso, now, &mut errors, keys),
        Base::Keys(k) => keys_outlook(chain, k, expires_at, now),
        Base::Process(_) | Base::WebIdentity(_) | Base::CredentialSource(_) => Outlook {
            state: LeaseState::Unknown,
            renewal: Renewal::Never,
            action_needed_at: None,
            estimated: false,
            upper_bound: false,
            sso: None,
        },
    };
    // A role with `mfa_serial` needs a fresh code for every AssumeRole unless
    // its source is long-term keys (an MFA session can then carry it).
    let renewal = if chain.has_mfa() && outlook.renewal == Renewal::Silent {
        Renewal::NeedsUser
    } else {
        outlook.renewal
    };
    Lease {
        profile: chain.profile.clone(),
        kind: chain.kind().as_str().to_owned(),
        state: outlook.state,
        renewal,
        expires_at,
        action_needed_at: outlook.action_needed_at,
        action_needed_estimated: outlook.estimated,
        action_needed_upper_bound: outlook.upper_bound,
        sso: outlook.sso,
        description: chain.describe(),
        source: chain.steps(),
        unusable_by_botocore: false,
        errors,
    }
}

fn sso_outlook(
    snapshot: &Snapshot,
    sso: &SsoSource,
    now: OffsetDateTime,
    errors: &mut Vec<LeaseError>,
    keys: &mut TokenKeys,
) -> Outlook {
    let key = keys.of(sso);
    let mut info = SsoLease {
        session: sso.session.clone(),
        start_url: sso.start_url.clone(),
        token_expires_at: None,
        refreshable: false,
        registration_expires_at: None,
        signed_in_at: None,
        first_seen_at: None,
    };
    let token = match snapshot.sso_tokens.get(key) {
        Some(Ok(token)) => token,
        Some(Err(err)) => {
            errors.push(LeaseError::new(
                err.code(),
                format!("the SSO token cache file {key}.json cannot be used: {err}"),
            ));
            return needs_login(info);
        }
        None => return needs_login(info),
    };
    info.token_expires_at = Some(token.expires_at);
    info.registration_expires_at = token.registration_expires_at;
    // Only sso-session tokens are refreshed; legacy tokens last their ~8 h.
    info.refreshable = !sso.is_legacy() && token.refreshable_at(now);
    if info.refreshable {
        let record = snapshot.sign_ins.records.get(key);
        let sighting = snapshot.sign_ins.sightings.get(key);
        let length = snapshot
            .sign_ins
            .length(sso.session.as_deref().unwrap_or(&sso.start_url));
        let end = sign_in_end(token, false, record, sighting, length, now);
        info.signed_in_at = end.and_then(|e| e.signed_in_at);
        info.first_seen_at = end.and_then(|e| e.first_seen_at);
        // A refreshable token always has a registration expiry, so an end is
        // known; past an estimate the sign-in may end at any moment.
        Outlook {
            state: end.map_or(LeaseState::Fresh, |e| {
                by_deadline(e.at, now, LeaseState::Expiring)
            }),
            renewal: Renewal::Silent,
            action_needed_at: end.map(|e| e.at),
            estimated: end.is_some_and(|e| e.estimated),
            upper_bound: end.is_some_and(|e| e.upper_bound),
            sso: Some(info),
        }
    } else {
        Outlook {
            state: by_deadline(token.expires_at, now, LeaseState::NeedsLogin),
            renewal: Renewal::NeedsUser,
            action_needed_at: Some(token.expires_at),
            estimated: false,
            upper_bound: false,
            sso: Some(info),
        }
    }
}

fn needs_login(info: SsoLease) -> Outlook {
    Outlook {
        state: LeaseState::NeedsLogin,
        renewal: Renewal::NeedsUser,
        action_needed_at: None,
        estimated: false,
        upper_bound: false,
        sso: Some(info),
    }
}

/// `current` is the chain's [`current_expiry`].
fn keys_outlook(
    chain: &Chain,
    keys: &KeysSource,
    current: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Outlook {
    if !keys.is_temporary() {
        if chain.roles.is_empty() {
            return Outlook {
                state: LeaseState::Static,
                renewal: Renewal::Never,
                action_needed_at: None,
                estimated: false,
                upper_bound: false,
                sso: None,
            };
        }
        if !chain.has_mfa() {
            // Long-term keys renew the roles over them forever: nothing is
            // needed from the person, however long ago the role was last used.
            return Outlook {
                state: LeaseState::Fresh,
                renewal: Renewal::Silent,
                action_needed_at: None,
                estimated: false,
                upper_bound: false,
                sso: None,
            };
        }
        // Each new set of role keys needs an MFA code: the person acts when
        // the current ones lapse.
        let at = current;
        return Outlook {
            state: at.map_or(LeaseState::Expired, |t| {
                by_deadline(t, now, LeaseState::Expired)
            }),
            renewal: Renewal::NeedsUser,
            action_needed_at: at,
            estimated: false,
            upper_bound: false,
            sso: None,
        };
    }
    // Another tool's temporary keys: only that tool can renew them.
    let renewal = if chain.roles.is_empty() {
        Renewal::Never
    } else {
        Renewal::Silent
    };
    Outlook {
        state: keys.expires_at.map_or(LeaseState::Unknown, |t| {
            by_deadline(t, now, LeaseState::Expired)
        }),
        renewal,
        action_needed_at: keys.expires_at,
        estimated: false,
        upper_bound: false,
        sso: None,
    }
}

/// When the profile's current credentials expire, as the files tell: the
/// AWS CLI's cache for roles and SSO role credentials, the keys' own expiry
/// for temporary keys, the token for a token-only SSO profile.
fn current_expiry(
    snapshot: &Snapshot,
    chain: &Chain,
    keys: &mut TokenKeys,
) -> Option<OffsetDateTime> {
    // An empty AWS CLI cache holds no entry: its keys need not be computed.
    let no_cli_cache = snapshot.cli_cache.is_empty();
    let cached = |key: String| snapshot.cli_cache.get(&key).map(|c| c.expires_at);
    if let Some(role) = chain.roles.last() {
        if no_cli_cache {
            return None;
        }
        return cached(assume_role_key(&AssumeRoleArgs {
            role_arn: &role.role_arn,
            role_session_name: role.role_session_name.as_deref(),
            duration_seconds: role.duration_seconds,
            external_id: role.external_id.as_deref(),
            serial_number: role.mfa_serial.as_deref(),
        }));
    }
    match &chain.base {
        Base::Keys(k) => k.expires_at,
        Base::Sso(s) => match (&s.account_id, &s.role_name) {
            (Some(_), Some(_)) if no_cli_cache => None,
            (Some(account), Some(role)) => {
                let key = match &s.session {
                    Some(session) => SsoKey::Session(session),
                    None => SsoKey::StartUrl(&s.start_url),
                };
                cached(sso_role_key(account, role, key))
            }
            _ => match snapshot.sso_tokens.get(keys.of(s)) {
                Some(Ok(token)) => Some(token.expires_at),
                _ => None,
            },
        },
        _ => None,
    }
}
