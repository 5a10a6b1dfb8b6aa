//! The lease list as the window shows it: the engine's menu model without a
//! limit (grouped by sign-in session or source, most urgent first), each
//! row completed with its lease's details and the keeper's renewal, turned
//! into [`ViewDto`]. Pure but for reading the AWS files.

use std::collections::{BTreeMap, HashMap};

use leasekeeper_engine::lease::{self, Lease, LeaseState, policy::EXPIRING_LEAD};
use leasekeeper_engine::menu::{self, KeeperLine, Left, MenuInput};
use leasekeeper_engine::resolve::StepView;
use leasekeeper_engine::settings::{Settings, format_duration};
use leasekeeper_engine::signin::target::all_targets;
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::socket::ProfileView;
use time::{Duration, OffsetDateTime};

use super::dto::{
    ErrorDto, GroupDto, ProblemDto, RenewalDto, RowAction, RowDto, SessionDto, Tone, ViewDto,
};
use super::hints::hint;

/// What the view is computed from besides the files.
#[derive(Debug)]
pub struct ViewInput<'a> {
    pub paths: &'a AwsPaths,
    /// The files at `paths`, read with the sign-in records
    /// ([`leasekeeper_service::snapshot_now`]).
    pub snapshot: &'a Snapshot,
    pub lines: &'a BTreeMap<String, KeeperLine>,
    /// The keeper's renewals, as its socket tells them.
    pub renewals: &'a BTreeMap<String, ProfileView>,
    pub attached_pid: Option<u32>,
    /// No keeper answers for these files (it stopped, or none runs yet).
    pub keeper_lost: bool,
    pub scale: f64,
    pub settings: &'a Settings,
    pub now: OffsetDateTime,
}

/// What the window says while no keeper answers.
pub const KEEPER_LOST: &str = "No keeper answers for these AWS files: nothing is renewed until \
     Leasekeeper (or `leasekeeper daemon`) runs for them again. Reconnecting…";

/// Milliseconds since the epoch.
pub fn ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The whole view at `input.now`.
pub fn view(input: &ViewInput<'_>) -> ViewDto {
    let snapshot = input.snapshot;
    let leases = lease::leases(snapshot, input.now);
    let keeper: Vec<KeeperLine> = input.lines.values().cloned().collect();
    let lead = EXPIRING_LEAD / input.scale.max(f64::MIN_POSITIVE);
    let model = menu::build(&MenuInput {
        leases: &leases,
        keeper: &keeper,
        now: input.now,
        expiring_lead: lead,
        attached_pid: input.attached_pid,
        limit: usize::MAX,
    });
    let by_name: HashMap<&str, &Lease> = leases.iter().map(|l| (l.profile.as_str(), l)).collect();
    let groups = model
        .groups
        .iter()
        .map(|g| GroupDto {
            header: g.header.clone(),
            rows: g
                .lines
                .iter()
                .filter_map(|line| {
                    let lease = by_name.get(line.profile.as_str())?;
                    Some(row(lease, line.left, input, lead))
                })
                .collect(),
        })
        .collect();
    let sessions = all_targets(&snapshot.set)
        .iter()
        .map(|t| {
            let name = t.name().to_owned();
            let signed_in = leases.iter().any(|l| {
                l.sso.as_ref().is_some_and(|s| {
                    s.session.as_deref().unwrap_or(&s.start_url) == name
                        && (s.refreshable || s.token_expires_at.is_some_and(|e| e > input.now))
                })
            });
            SessionDto {
                session_length: format_duration(input.settings.session_length(&name)),
                name,
                signed_in,
            }
        })
        .collect();
    ViewDto {
        summary: model.summary.clone(),
        attached: model.attached.clone(),
        keeper_lost: input.keeper_lost.then(|| KEEPER_LOST.to_owned()),
        now_ms: ms(input.now),
        scale: input.scale,
        config_found: input.paths.config.exists(),
        config_path: input.paths.config.display().to_string(),
        credentials_path: input.paths.credentials.display().to_string(),
        groups,
        sign_ins: model
            .sign_ins
            .iter()
            .filter_map(|s| match &s.id {
                menu::MenuId::SignIn(n) | menu::MenuId::SignInProfile(n) => Some(n.clone()),
                _ => None,
            })
            .collect(),
        sessions,
        problems: snapshot
            .problems
            .iter()
            .map(|p| ProblemDto {
                severity: format!("{:?}", p.severity).to_lowercase(),
                code: p.code.clone(),
                message: p.message.clone(),
                file: p.file.clone(),
                line: p.line,
            })
            .collect(),
        // Filled by the command (it reads the processes).
        findings: Vec::new(),
        total: leases.len(),
        // Filled by the command from the keeper's record.
        new_roles: Vec::new(),
        add_profiles: None,
    }
}

fn row(lease: &Lease, left: Left, input: &ViewInput<'_>, lead: Duration) -> RowDto {
    let renewal = input.renewals.get(&lease.profile);
    let failing = input.lines.get(&lease.profile).is_some_and(|l| l.failing);
    let tone = match left {
        Left::SignIn | Left::MfaCode | Left::Expired => Tone::NeedsYou,
        Left::Error => Tone::Error,
        _ if failing => Tone::Error,
        l if l.seconds().is_some_and(|s| Duration::seconds(s) <= lead) => Tone::Expiring,
        _ => Tone::Ok,
    };
    let session = lease
        .sso
        .as_ref()
        .map(|s| s.session.clone().unwrap_or_else(|| s.start_url.clone()));
    let action = action(left, tone, session.is_some());
    // An MFA session the keeper renews through (this app's keeper or the
    // daemon it is attached to): the next code is due at its end.
    let mfa_end = input
        .lines
        .get(&lease.profile)
        .and_then(|l| l.act_by)
        .filter(|t| *t > input.now);
    let deadline = mfa_end.or(lease.action_needed_at);
    let span = match (&session, renewal) {
        _ if mfa_end.is_some() => Some(input.settings.mfa.session_duration / input.scale),
        (Some(s), _) => Some(input.settings.session_length(s) / input.scale),
        (None, Some(r)) => match (r.renewed_at, r.expires_at) {
            (Some(a), Some(b)) if b > a => Some(b - a),
            _ => None,
        },
        (None, None) => None,
    }
    .or_else(|| deadline.map(|_| Duration::hours(1) / input.scale));
    let writes = match renewal {
        Some(r) if !r.section.is_empty() => Some(format!(
            "[{}] in {}",
            r.section,
            input.paths.credentials.display()
        )),
        _ => lease.source.iter().find_map(|s| match s {
            StepView::Process { program, .. } => Some(format!("credential_process: {program}")),
            _ => None,
        }),
    };
    RowDto {
        profile: lease.profile.clone(),
        kind: lease.kind.clone(),
        state: match (lease.state, left.seconds().is_some()) {
            (LeaseState::Fresh | LeaseState::Expired, true) if tone == Tone::Expiring => {
                "expiring".to_owned()
            }
            // The keeper holds keys the files do not show: timed, not lapsed.
            (LeaseState::Expired, true) => "fresh".to_owned(),
            // The words follow the colour: under a time scale (the demo) the
            // files' view uses the unscaled lead, the tone the scaled one.
            (LeaseState::Expiring, true) if tone == Tone::Ok => "fresh".to_owned(),
            _ => lease.state.as_str().to_owned(),
        },
        tone,
        action,
        timed: matches!(left, Left::Time(_) | Left::Estimate(_)),
        // An estimate counts down like any time (the `estimated` flag marks
        // it); an upper bound reads `≤ 89d` and never counts down.
        left: match left {
            Left::Estimate(s) => Left::Time(s).to_string(),
            other => other.to_string(),
        },
        deadline_ms: deadline.map(ms),
        span_ms: span.map(|d| i64::try_from(d.whole_milliseconds()).unwrap_or(i64::MAX)),
        estimated: lease.action_needed_estimated,
        upper_bound: lease.action_needed_upper_bound,
        expires_ms: renewal
            .and_then(|r| r.expires_at)
            .or(lease.expires_at)
            .map(ms),
        session,
        chain: lease.description.clone(),
        steps: lease.source.iter().map(step).collect(),
        writes,
        renewal: renewal.map(|r| RenewalDto {
            state: r.state.as_str().to_owned(),
            section: r.section.clone(),
            renewed_ms: r.renewed_at.map(ms),
            next_ms: r.next_renewal_at.map(ms),
            expires_ms: r.expires_at.map(ms),
            last_error: r.last_error.as_ref().map(|f| error(&f.code, &f.message)),
        }),
        errors: lease
            .errors
            .iter()
            .map(|e| error(&e.code, &e.message))
            .collect(),
        unusable_by_botocore: lease.unusable_by_botocore,
    }
}

/// What the person must do for a row whose line says `left`, coloured
/// `tone`, signing in through a session or not ([`menu::Action`]).
pub fn action(left: Left, tone: Tone, has_session: bool) -> RowAction {
    match menu::Action::of(left, tone == Tone::Expiring, has_session) {
        menu::Action::None => RowAction::None,
        menu::Action::Wait => RowAction::Wait,
        menu::Action::SignIn => RowAction::SignIn,
        menu::Action::MfaCode => RowAction::MfaCode,
        menu::Action::Rerun => RowAction::Rerun,
        menu::Action::FixConfig => RowAction::FixConfig,
    }
}

/// An error with its plain-language hint.
pub fn error(code: &str, message: &str) -> ErrorDto {
    ErrorDto {
        code: code.to_owned(),
        message: message.to_owned(),
        hint: hint(code, message),
    }
}

/// One step of a chain in words; key ids only as their last characters.
fn step(s: &StepView) -> String {
    match s {
        StepView::Sso {
            profile,
            sso_session,
            account_id,
            role_name,
            ..
        } => format!(
            "{profile}: SSO {} · account {} · {}",
            sso_session.as_deref().unwrap_or("(legacy)"),
            account_id.as_deref().unwrap_or("?"),
            role_name.as_deref().unwrap_or("?")
        ),
        StepView::StaticKeys {
            profile, key_hint, ..
        } => format!("{profile}: long-term keys {key_hint}"),
        StepView::TemporaryKeys {
            profile, key_hint, ..
        } => format!("{profile}: temporary keys {key_hint}"),
        StepView::Process {
            profile, program, ..
        } => format!("{profile}: credential_process {program}"),
        StepView::WebIdentity {
            profile, role_arn, ..
        } => format!("{profile}: web identity → {role_arn}"),
        StepView::CredentialSource { profile, source } => {
            format!("{profile}: credential_source {source}")
        }
        StepView::Role {
            profile,
            role_arn,
            mfa_serial,
            ..
        } => match mfa_serial {
            Some(_) => format!("{profile}: assume {role_arn} (MFA)"),
            None => format!("{profile}: assume {role_arn}"),
        },
    }
}
