//! Findings about the shell's `AWS_*` variables and the AWS home.

use time::{Duration, OffsetDateTime};

use super::issued::IssuedKeys;
use super::{Code, Finding, Severity, when};
use crate::keeper::policy::SKEW_WARNING;
use crate::lease::{Lease, LeaseState};
use crate::resolve::{self, Base, Chain};
use crate::snapshot::Snapshot;
use crate::timefmt;

/// STS refuses a chained role more than this many seconds.
const CHAINED_MAX: u32 = 3600;

/// What the home findings are made from.
#[derive(Debug, Clone, Copy)]
pub struct HomeInput<'a> {
    /// The `AWS_*` variables of the shell doctor runs in.
    pub env: &'a [(String, String)],
    pub snapshot: &'a Snapshot,
    pub leases: &'a [Lease],
    pub issued: &'a IssuedKeys,
    pub now: OffsetDateTime,
    /// Keys lapsing within this lead need the person.
    pub lead: Duration,
    /// AWS's clock minus ours, when measured.
    pub skew: Option<Duration>,
    /// Only this profile (and what its chain touches), when given.
    pub profile: Option<&'a str>,
}

fn var<'a>(env: &'a [(String, String)], name: &str) -> Option<&'a str> {
    env.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// Every home finding.
pub fn findings(input: &HomeInput<'_>) -> Vec<Finding> {
    let chains: Vec<Chain> = input
        .snapshot
        .set
        .profiles
        .keys()
        .filter_map(|p| resolve::resolve(&input.snapshot.set, p).ok())
        .collect();
    let wanted = |profile: &str| match input.profile {
        None => true,
        Some(p) => {
            p == profile
                || chains
                    .iter()
                    .find(|c| c.profile == p)
                    .is_some_and(|c| c.profiles().contains(&profile))
        }
    };
    let mut out = Vec::new();
    out.extend(exported_keys(input));
    out.extend(profile_not_found(input));
    out.extend(
        chained_duration(&chains)
            .into_iter()
            .filter(|f| f.profile.as_deref().is_some_and(wanted)),
    );
    out.extend(sign_in_needed(
        input.leases.iter().filter(|l| wanted(&l.profile)),
    ));
    out.extend(
        legacy_sso(&chains)
            .into_iter()
            .filter(|f| f.profile.as_deref().is_some_and(wanted)),
    );
    out.extend(
        file_keys_expired(&chains, input.now)
            .into_iter()
            .filter(|f| f.profile.as_deref().is_some_and(wanted)),
    );
    out.extend(clock_skew(input.skew));
    out
}

/// Keys exported in the shell: every profile is shadowed.
fn exported_keys(input: &HomeInput<'_>) -> Option<Finding> {
    let env = input.env;
    let key_id = var(env, "AWS_ACCESS_KEY_ID");
    if key_id.is_none()
        && var(env, "AWS_SECRET_ACCESS_KEY").is_none()
        && var(env, "AWS_SESSION_TOKEN").is_none()
    {
        return None;
    }
    let issued = key_id.and_then(|k| input.issued.lookup(k));
    let expires = var(env, "AWS_CREDENTIAL_EXPIRATION")
        .and_then(timefmt::parse_timestamp)
        .or(issued.map(|(_, at)| at));
    let profile = issued.map(|(i, _)| i.profile.clone());
    let source = match &profile {
        Some(p) => format!(" (keys Leasekeeper issued for {p})"),
        None => String::new(),
    };
    let lapse = match expires {
        Some(at) if at <= input.now => format!(
            "they lapsed at {} ({}): every AWS call from this shell fails with ExpiredToken",
            timefmt::format_z(at),
            when(at, input.now)
        ),
        Some(at) => format!(
            "they lapse at {} ({}) and nothing renews them",
            timefmt::format_z(at),
            when(at, input.now)
        ),
        None if var(env, "AWS_SESSION_TOKEN").is_some() => {
            "they are temporary and nothing tells when they lapse".to_owned()
        }
        None => "they are long-term keys".to_owned(),
    };
    let severity = match expires {
        Some(at) if at - input.now <= input.lead => Severity::NeedsYou,
        _ => Severity::Misconfigured,
    };
    let use_profile = profile.as_deref().unwrap_or("PROFILE");
    let mut f = Finding::new(
        Code::ExportedKeys,
        severity,
        profile.clone(),
        format!(
            "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or AWS_SESSION_TOKEN is set in this shell{source}: \
             every SDK and the AWS CLI use these keys before any profile, whatever --profile or \
             AWS_PROFILE say; {lapse}"
        ),
        format!(
            "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION, \
             or run the command with `leasekeeper exec --profile {use_profile} -- COMMAND`"
        ),
    );
    f.expires_at = expires;
    Some(f)
}

/// `AWS_PROFILE` or `AWS_DEFAULT_PROFILE` naming no profile.
fn profile_not_found(input: &HomeInput<'_>) -> Vec<Finding> {
    ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]
        .into_iter()
        .filter_map(|name| {
            let value = var(input.env, name)?;
            if input.snapshot.set.profile(value).is_some() {
                return None;
            }
            Some(Finding::new(
                Code::ProfileNotFound,
                Severity::Misconfigured,
                Some(value.to_owned()),
                format!(
                    "{name} names the profile {value:?}, which neither the config nor the \
                     credentials file defines: every AWS command in this shell fails with \
                     ProfileNotFound"
                ),
                format!("`unset {name}`, or set it to a profile `leasekeeper status` lists"),
            ))
        })
        .collect()
}

/// A chained role asking STS for more than an hour.
fn chained_duration(chains: &[Chain]) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for chain in chains {
        let first_chained = chain.first_role_is_chained();
        for (i, role) in chain.roles.iter().enumerate() {
            let chained = i > 0 || first_chained;
            let Some(asked) = role.duration_seconds.filter(|d| *d > CHAINED_MAX) else {
                continue;
            };
            if !chained
                || out
                    .iter()
                    .any(|f| f.profile.as_deref() == Some(&role.profile))
            {
                continue;
            }
            out.push(Finding::new(
                Code::ChainedDuration,
                Severity::Misconfigured,
                Some(role.profile.clone()),
                format!(
                    "{} is assumed with another role's keys (role chaining) and asks for \
                     duration_seconds = {asked}: AWS refuses chained roles more than 3600 seconds \
                     (the AWS CLI and the SDKs fail with ValidationError)",
                    role.profile
                ),
                format!(
                    "set `duration_seconds = 3600` (or less) in [profile {}]",
                    role.profile
                ),
            ));
        }
    }
    out
}

/// Sessions whose sign-in has lapsed: one finding per session.
fn sign_in_needed<'a>(leases: impl Iterator<Item = &'a Lease>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for lease in leases.filter(|l| l.state == LeaseState::NeedsLogin) {
        let Some(sso) = &lease.sso else { continue };
        let name = sso.session.clone().unwrap_or_else(|| sso.start_url.clone());
        if out
            .iter()
            .any(|f| f.session.as_deref() == Some(name.as_str()))
        {
            continue;
        }
        let fix = match &sso.session {
            Some(s) => format!("leasekeeper login --sso-session {s}"),
            None => format!("leasekeeper login --profile {}", lease.profile),
        };
        let mut f = Finding::new(
            Code::SignInNeeded,
            Severity::NeedsYou,
            Some(lease.profile.clone()),
            format!(
                "the IAM Identity Center sign-in to {name} has lapsed and cannot be renewed \
                 silently: profiles on it fail (\"Token has expired and refresh failed\", \
                 \"The SSO session associated with this profile has expired\")"
            ),
            fix,
        );
        f.session = Some(name);
        out.push(f);
    }
    out
}

/// The `[sso-session]` name suggested for a legacy start URL: the portal's
/// host name up to its first dot.
fn session_name(start_url: &str) -> String {
    let host = start_url
        .split("://")
        .nth(1)
        .unwrap_or(start_url)
        .split(['.', '/'])
        .next()
        .unwrap_or_default();
    let clean: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if clean.is_empty() {
        "main".to_owned()
    } else {
        clean
    }
}

/// Legacy SSO profiles: `sso_start_url` on the profile, no refresh token.
fn legacy_sso(chains: &[Chain]) -> Vec<Finding> {
    chains
        .iter()
        .filter_map(|chain| {
            let Base::Sso(sso) = &chain.base else {
                return None;
            };
            if !sso.is_legacy() || sso.profile != chain.profile {
                return None;
            }
            let name = session_name(&sso.start_url);
            let mut form = format!(
                "[sso-session {name}]\nsso_start_url = {}\nsso_region = {}\n\
                 sso_registration_scopes = sso:account:access\n\n[profile {}]\nsso_session = {name}\n",
                sso.start_url, sso.region, sso.profile
            );
            if let (Some(account), Some(role)) = (&sso.account_id, &sso.role_name) {
                form.push_str(&format!("sso_account_id = {account}\nsso_role_name = {role}\n"));
            }
            Some(Finding::new(
                Code::LegacySso,
                Severity::Misconfigured,
                Some(sso.profile.clone()),
                format!(
                    "{} has sso_start_url on the profile (the legacy form): its token cannot be \
                     refreshed, so every sign-in ends with its first access token (about an hour)",
                    sso.profile
                ),
                format!(
                    "replace its sso_start_url and sso_region with an [sso-session] in ~/.aws/config, then `leasekeeper login --sso-session {name}`:\n{form}"
                ),
            ))
        })
        .collect()
}

/// Temporary keys in the files that lapsed, which nothing renews.
fn file_keys_expired(chains: &[Chain], now: OffsetDateTime) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for chain in chains {
        let Base::Keys(keys) = &chain.base else {
            continue;
        };
        let Some(at) = keys
            .expires_at
            .filter(|at| *at <= now && keys.is_temporary())
        else {
            continue;
        };
        if out
            .iter()
            .any(|f| f.profile.as_deref() == Some(&keys.profile))
        {
            continue;
        }
        let mut f = Finding::new(
            Code::FileKeysExpired,
            Severity::NeedsYou,
            Some(keys.profile.clone()),
            format!(
                "[{}] holds temporary keys that lapsed at {} ({}); another tool wrote them and \
                 nothing renews them: every call with {} (and the roles over it) fails with \
                 ExpiredToken",
                keys.profile,
                timefmt::format_z(at),
                when(at, now),
                keys.profile
            ),
            format!(
                "run the tool that wrote [{}] again, or use a profile Leasekeeper renews \
                 (`leasekeeper profiles sync` for IAM Identity Center roles)",
                keys.profile
            ),
        );
        f.expires_at = Some(at);
        out.push(f);
    }
    out
}

/// The local clock off AWS's by more than the keeper's warning.
fn clock_skew(skew: Option<Duration>) -> Option<Finding> {
    let skew = skew?;
    if skew.abs() <= SKEW_WARNING {
        return None;
    }
    let direction = if skew.is_positive() {
        "behind"
    } else {
        "ahead of"
    };
    Some(Finding::new(
        Code::ClockSkew,
        Severity::Misconfigured,
        None,
        format!(
            "this machine's clock is {} min {direction} AWS's: signed requests more than 15 min \
             off are refused (SignatureDoesNotMatch, \"Signature expired\"), and expiries are \
             read wrong",
            // To the nearest minute: the server's Date has whole seconds.
            (skew.whole_seconds().unsigned_abs() + 30) / 60
        ),
        "sync the clock: `sudo timedatectl set-ntp true`".to_owned(),
    ))
}
