//! Findings about the shell's `AWS_*` variables and the AWS home.

use time::{Duration, OffsetDateTime};

use super::issued::IssuedKeys;
use super::{Code, Finding, Severity, when};
use crate::keeper::policy::SKEW_WARNING;
use crate::lease::{Lease, LeaseState};
use crate::profiles::ProfileSet;
use crate::profiles::model::{FileKind, SECRET_KEYS};
use crate::report;
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
    /// The config file's path, for the edits a fix names.
    pub config_file: &'a str,
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
    let mut out = unusable_files(input.snapshot);
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
        legacy_sso(&chains, &input.snapshot.set, input.config_file)
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
    // The SDKs' environment provider takes keys only as a pair: a session
    // token or a secret alone shadows nothing.
    let key_id = var(env, "AWS_ACCESS_KEY_ID")?;
    if var(env, "AWS_SECRET_ACCESS_KEY").is_none() {
        // botocore (the AWS CLI, boto3) refuses a key id without its secret.
        return Some(Finding::new(
            Code::ExportedKeys,
            Severity::Misconfigured,
            None,
            "AWS_ACCESS_KEY_ID is set in this shell without AWS_SECRET_ACCESS_KEY: the AWS CLI \
             and boto3 fail with PartialCredentialsError whatever profile is named"
                .to_owned(),
            "unset AWS_ACCESS_KEY_ID AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_CREDENTIAL_EXPIRATION"
                .to_owned(),
        ));
    }
    let token = var(env, "AWS_SESSION_TOKEN").or(var(env, "AWS_SECURITY_TOKEN"));
    let issued = input.issued.lookup(key_id);
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
        None if token.is_some() || key_id.starts_with("ASIA") => {
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
            "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set in this shell{source}: \
             every SDK and the AWS CLI use these keys before any profile, whatever --profile or \
             AWS_PROFILE say; {lapse}"
        ),
        format!(
            "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_CREDENTIAL_EXPIRATION, \
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
                    "set `duration_seconds = 3600` (or less) in {}",
                    config_section(&role.profile)
                ),
            ));
        }
    }
    out
}

/// Sessions whose sign-in has lapsed (or was never made): one finding per
/// session, on its most direct profile (the SSO profile itself before the
/// roles over it).
fn sign_in_needed<'a>(leases: impl Iterator<Item = &'a Lease>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut needing: Vec<&Lease> = leases
        .filter(|l| l.state == LeaseState::NeedsLogin)
        .collect();
    needing.sort_by_key(|l| (l.source.len(), l.profile.as_str()));
    for lease in needing {
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
            if sso.token_expires_at.is_some() {
                format!(
                    "the IAM Identity Center sign-in to {name} has lapsed and cannot be renewed \
                     silently: profiles on it fail (\"Token has expired and refresh failed\", \
                     \"The SSO session associated with this profile has expired\")"
                )
            } else {
                format!(
                    "there is no usable IAM Identity Center sign-in to {name} (none was made, or \
                     its token file cannot be read): profiles on it fail (\"Error loading SSO \
                     Token\")"
                )
            },
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

/// A profile's section header in the config file.
fn config_section(profile: &str) -> String {
    if profile == "default" {
        "[default]".to_owned()
    } else {
        format!("[profile {profile}]")
    }
}

/// Legacy SSO profiles: `sso_start_url` on the profile, no refresh token.
/// The fix reuses an `[sso-session]` already on the same start URL and
/// region; otherwise one new section per start URL and region, printed in
/// the first finding on it and named by the others, so following every fix
/// never writes a section twice. The profile's other config keys are kept.
fn legacy_sso(chains: &[Chain], set: &ProfileSet, config_file: &str) -> Vec<Finding> {
    // Start URL, region, session name, and the profile whose fix prints
    // the new section (`None` for a section already in the file).
    let mut sessions: Vec<(String, String, String, Option<String>)> = Vec::new();
    let mut out = Vec::new();
    for chain in chains {
        let Base::Sso(sso) = &chain.base else {
            continue;
        };
        if !sso.is_legacy() || sso.profile != chain.profile {
            continue;
        }
        let known = sessions
            .iter()
            .find(|(url, region, ..)| *url == sso.start_url && *region == sso.region);
        let (name, mut form, whose) = match known {
            Some((_, _, name, first)) => (name.clone(), String::new(), first.clone()),
            None => {
                let existing = set.sso_sessions.iter().find(|(_, s)| {
                    s.get_nonempty("sso_start_url") == Some(sso.start_url.as_str())
                        && s.get_nonempty("sso_region") == Some(sso.region.as_str())
                });
                let (name, form, first) = match existing {
                    Some((name, _)) => (name.clone(), String::new(), None),
                    None => {
                        let mut name = session_name(&sso.start_url);
                        while set.sso_sessions.contains_key(&name)
                            || sessions.iter().any(|(_, _, n, _)| *n == name)
                        {
                            name.push_str("-sso");
                        }
                        let form = format!(
                            "[sso-session {name}]\nsso_start_url = {}\nsso_region = {}\n\
                             sso_registration_scopes = sso:account:access\n\n",
                            sso.start_url, sso.region
                        );
                        (name, form, Some(sso.profile.clone()))
                    }
                };
                sessions.push((
                    sso.start_url.clone(),
                    sso.region.clone(),
                    name.clone(),
                    first,
                ));
                (name, form, None)
            }
        };
        form.push_str(&format!(
            "{}\nsso_session = {name}\n",
            config_section(&sso.profile)
        ));
        let mut left_as_is: Vec<&str> = Vec::new();
        if let Some(profile) = set.profile(&sso.profile) {
            for (key, prop) in &profile.props {
                let from_config = prop.origin.is_none_or(|o| o.file == FileKind::Config);
                if !from_config
                    || matches!(key.as_str(), "sso_start_url" | "sso_region" | "sso_session")
                {
                    continue;
                }
                if SECRET_KEYS.contains(&key.as_str()) {
                    left_as_is.push(key);
                } else if prop.sub.is_empty() {
                    form.push_str(&format!("{key} = {}\n", prop.value));
                } else {
                    form.push_str(&format!("{key} =\n"));
                    for (k, v) in &prop.sub {
                        form.push_str(&format!("  {k} = {v}\n"));
                    }
                }
            }
        }
        let session_note = match &whose {
            Some(first) => format!("the [sso-session {name}] printed for {first}, added once"),
            None if form.starts_with("[sso-session") => format!("a new [sso-session {name}]"),
            None => format!("the [sso-session {name}] you already have"),
        };
        let keep = if left_as_is.is_empty() {
            String::new()
        } else {
            format!("; keep its {} line(s) as they are", left_as_is.join(", "))
        };
        out.push(Finding::new(
            Code::LegacySso,
            Severity::Misconfigured,
            Some(sso.profile.clone()),
            format!(
                "{} has sso_start_url on the profile (the legacy form): its token cannot be \
                 refreshed, so every sign-in ends with its first access token (about an hour)",
                sso.profile
            ),
            format!(
                "in {config_file}, replace its section with this (sso_start_url and sso_region \
                 move to {session_note}{keep}), then `leasekeeper login --sso-session {name}`:\n{form}"
            ),
        ));
    }
    out
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

/// Files the AWS tools refuse or that cannot be read: every profile in them
/// is affected.
fn unusable_files(snapshot: &Snapshot) -> Vec<Finding> {
    snapshot
        .problems
        .iter()
        // The config and credentials files' own problems: a bad line, or a
        // file that cannot be read. Cache files are another tool's to
        // rewrite, and a lease says what they cost.
        .filter(|p| {
            p.severity == report::Severity::Error
                && (p.line.is_some() || p.code == "file_unreadable")
        })
        .map(|p| {
            let place = match (&p.file, p.line) {
                (Some(file), Some(line)) => format!("{file}, line {line}"),
                (Some(file), None) => file.clone(),
                (None, _) => "a file".to_owned(),
            };
            Finding::new(
                Code::UnusableFile,
                Severity::Misconfigured,
                None,
                format!("{place}: {}", p.message),
                if p.line.is_some() {
                    format!(
                        "edit {place} (`leasekeeper status` lists every problem with its line) [{}]",
                        p.code
                    )
                } else {
                    format!(
                        "make {place} readable to you (its owner and permissions) [{}]",
                        p.code
                    )
                },
            )
        })
        .collect()
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
