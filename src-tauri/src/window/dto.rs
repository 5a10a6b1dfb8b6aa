//! Everything that crosses between the window and the app: each command's
//! input and output and each event's payload, typed. Nothing here can hold
//! a secret: names, times (milliseconds since the epoch), states, error
//! codes and messages, and access key ids at most as their last four
//! characters (`…ABCD`). The IPC layer accepts and returns only these.

use serde::{Deserialize, Serialize};

/// The name of the event telling the window to fetch the view again.
pub const VIEW_CHANGED: &str = "view-changed";
/// The name of the event carrying a sign-in's progress ([`SignInEvent`]).
pub const SIGN_IN: &str = "sign-in";

/// Everything the lease list shows.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewDto {
    /// `All 6 leases fresh`, `1 needs you · 6 leases`.
    pub summary: String,
    /// `Attached to leasekeeper daemon (pid N)` when a daemon renews.
    pub attached: Option<String>,
    /// Set while no keeper answers: the window says so and reconnects.
    pub keeper_lost: Option<String>,
    /// When this view was computed.
    pub now_ms: i64,
    /// The time scale (1 except in tests and the demo).
    pub scale: f64,
    /// Whether the AWS config file exists.
    pub config_found: bool,
    pub config_path: String,
    pub credentials_path: String,
    pub groups: Vec<GroupDto>,
    /// Sessions that need a sign-in, most urgent first.
    pub sign_ins: Vec<String>,
    /// Every sso-session with a token or profiles, for sign-out.
    pub sessions: Vec<SessionDto>,
    pub problems: Vec<ProblemDto>,
    /// What `leasekeeper doctor` finds (without the clock check): each
    /// with its fix, processes on keys about to lapse among them.
    pub findings: Vec<FindingDto>,
    pub total: usize,
    /// New roles the keeper found, by sso-session, that no profile uses.
    pub new_roles: Vec<NewRolesDto>,
    /// Open on the roles of this session (asked once, when the window was
    /// opened for it).
    pub add_profiles: Option<String>,
}

/// `3 new roles available in corp`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewRolesDto {
    pub session: String,
    pub count: usize,
}

/// The leases of one sign-in session or source.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupDto {
    pub header: String,
    pub rows: Vec<RowDto>,
}

/// One profile's lease, for its row and its details.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RowDto {
    pub profile: String,
    /// `sso`, `role`, `static`, `temporary`, `process`, …
    pub kind: String,
    /// The lease state (`fresh`, `needs_login`, …).
    pub state: String,
    /// The row's colour.
    pub tone: Tone,
    /// What the person must do for it: the window branches on this (which
    /// form or button to show), never on `left`.
    pub action: RowAction,
    /// `left` is a time that counts down to `deadline_ms`.
    pub timed: bool,
    /// `42m`, `sign in`, `MFA code`, `expired`, `error`, `no expiry`, or
    /// `≤ 89d` for a deadline that is only an upper bound: words to show,
    /// never compared.
    pub left: String,
    /// When the person must act; the countdown runs to it.
    pub deadline_ms: Option<i64>,
    /// The span the countdown bar shows in full.
    pub span_ms: Option<i64>,
    /// The deadline is an estimate (a sign-in session's end).
    pub estimated: bool,
    /// The deadline is only an upper bound (a client registration's
    /// expiry; the sign-in may end any time before).
    pub upper_bound: bool,
    /// When the current keys expire.
    pub expires_ms: Option<i64>,
    /// The sso-session (or legacy start URL) it signs in through.
    pub session: Option<String>,
    /// `role dev ← base (sso)`.
    pub chain: String,
    /// The chain step by step, nothing secret.
    pub steps: Vec<String>,
    /// Where its keys go: `[dev] in /home/me/.aws/credentials`, or
    /// `credential_process: leasekeeper`.
    pub writes: Option<String>,
    pub renewal: Option<RenewalDto>,
    pub errors: Vec<ErrorDto>,
    pub unusable_by_botocore: bool,
}

/// How urgent a row is: its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tone {
    Ok,
    /// Its deadline is within the warning lead.
    Expiring,
    /// Nothing renews until the person acts.
    NeedsYou,
    /// The profile cannot be used as written, or its renewals fail.
    Error,
}

impl Tone {
    pub fn as_str(self) -> &'static str {
        match self {
            Tone::Ok => "ok",
            Tone::Expiring => "expiring",
            Tone::NeedsYou => "needs_you",
            Tone::Error => "error",
        }
    }
}

/// What the person must do for a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    /// Nothing, ever: the lease never ends (long-term keys, a process).
    None,
    /// Nothing yet: it renews by itself, or needs the person only at its
    /// deadline.
    Wait,
    /// Sign in to the row's session (needed now, or soon).
    SignIn,
    /// Give a code of the chain's MFA device.
    MfaCode,
    /// Keys another tool wrote lapsed: only that tool renews them.
    Rerun,
    /// The profile cannot be used as written: fix the AWS files.
    FixConfig,
}

/// The keeper's renewal of a profile.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalDto {
    /// `fresh`, `renewing`, `retrying`, `pending`, `lapsed`, `needs_login`,
    /// `needs_mfa_code`.
    pub state: String,
    pub section: String,
    pub renewed_ms: Option<i64>,
    pub next_ms: Option<i64>,
    pub expires_ms: Option<i64>,
    pub last_error: Option<ErrorDto>,
}

/// An error as the window shows it: a stable code, the message and what it
/// means in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDto {
    pub code: String,
    pub message: String,
    pub hint: Option<String>,
}

/// A problem with a whole file.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProblemDto {
    pub severity: String,
    pub code: String,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
}

/// One of doctor's findings, as the window lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingDto {
    pub code: &'static str,
    /// `needs_you` or `misconfigured`.
    pub severity: &'static str,
    pub profile: Option<String>,
    pub message: String,
    pub fix: String,
    pub pid: Option<u32>,
}

impl From<&leasekeeper_engine::doctor::Finding> for FindingDto {
    fn from(f: &leasekeeper_engine::doctor::Finding) -> FindingDto {
        FindingDto {
            code: f.code.as_str(),
            severity: match f.severity {
                leasekeeper_engine::doctor::Severity::NeedsYou => "needs_you",
                leasekeeper_engine::doctor::Severity::Misconfigured => "misconfigured",
            },
            profile: f.profile.clone(),
            message: f.message.clone(),
            fix: f.fix.clone(),
            pid: f.pid,
        }
    }
}

/// An sso-session and whether it is signed in.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionDto {
    pub name: String,
    pub signed_in: bool,
    /// The estimated sign-in session length, e.g. `8h`.
    pub session_length: String,
}

/// Which sign-in ceremony to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    /// The browser on this machine (PKCE).
    Browser,
    /// A code entered on any device.
    DeviceCode,
}

/// `sign_in`'s input.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInArgs {
    pub session: String,
    pub method: SignInMethod,
}

/// A sign-in's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    tag = "step"
)]
pub enum SignInEvent {
    /// The browser was opened: continue there.
    Browser {
        session: String,
    },
    /// Open `uri` (on any device) and enter `user_code`.
    DeviceCode {
        session: String,
        user_code: String,
        uri: String,
    },
    /// No browser could be opened: open this address on this machine.
    OpenUrl {
        session: String,
        url: String,
    },
    /// Something worth knowing while waiting.
    Note {
        session: String,
        message: String,
    },
    Done {
        session: String,
    },
    Failed {
        session: String,
        error: ErrorDto,
    },
    Cancelled {
        session: String,
    },
}

/// The settings the window edits.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsDto {
    /// Where they are kept.
    pub path: Option<String>,
    /// Warning lead times, e.g. `["15m", "5m"]`.
    pub leads: Vec<String>,
    pub renew_silent: bool,
    /// Desktop notifications are shown.
    pub notifications: bool,
    pub profiles: Vec<ProfileSettingsDto>,
    pub sessions: Vec<SessionSettingsDto>,
    pub start_at_login: bool,
    /// The autostart entry's path.
    pub autostart_path: Option<String>,
    /// The AWS files, CA bundle and proxy: in force, and as set.
    pub aws: Vec<AwsFieldDto>,
    /// Whether they can be changed here (not in the demo).
    pub aws_editable: bool,
    /// This build, for the About: `0.1.0 (commit 1a2b3c4d5e6f)`, or
    /// `0.1.0 (unknown commit)` when built outside a git checkout.
    pub version: String,
}

pub use leasekeeper_engine::settings::AwsKey;

/// Where a value in force comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum AwsSource {
    /// The settings' `[aws]` table.
    Settings,
    /// The app's environment (the variable).
    Environment,
    /// The AWS default (`~/.aws/...`).
    Default,
    /// Nothing: no CA bundle, no proxy.
    Unset,
}

/// One AWS file, the CA bundle or the proxy, as the settings show it. A
/// proxy address is only ever shown without its user and password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AwsFieldDto {
    pub key: AwsKey,
    /// The variable it stands for, e.g. `AWS_CONFIG_FILE`.
    pub variable: String,
    /// What the app uses now; `None`: nothing.
    pub in_effect: Option<String>,
    pub source: AwsSource,
    /// What the settings say; empty when they say nothing.
    pub setting: String,
}

/// One profile's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSettingsDto {
    pub profile: String,
    /// Whether it renews by itself (the setting or the default).
    pub renew: bool,
    /// The credentials-file section its keys go to.
    pub section: String,
    /// Whether it can be given a `credential_process` profile.
    pub can_use_process: bool,
}

/// One sso-session's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionSettingsDto {
    pub name: String,
    pub session_length: String,
}

/// One settings change. Its `Debug` shows a proxy address without its
/// user and password.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", tag = "change")]
pub enum SettingChange {
    /// Warning lead times such as `15m`; empty for never.
    Leads { leads: Vec<String> },
    /// Renewal of one profile on or off.
    Renew { profile: String, on: bool },
    /// The credentials-file section of one profile; empty for its own name.
    Section { profile: String, section: String },
    /// The estimated session length of one sso-session, e.g. `8h`.
    SessionLength { session: String, length: String },
    /// An XDG autostart entry, on or off.
    StartAtLogin { on: bool },
    /// Desktop notifications on or off.
    Notifications { on: bool },
    /// An AWS file, the CA bundle or the proxy; empty: the variable's.
    Aws { key: AwsKey, value: String },
}

impl std::fmt::Debug for SettingChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SettingChange::Leads { leads } => {
                f.debug_struct("Leads").field("leads", leads).finish()
            }
            SettingChange::Renew { profile, on } => f
                .debug_struct("Renew")
                .field("profile", profile)
                .field("on", on)
                .finish(),
            SettingChange::Section { profile, section } => f
                .debug_struct("Section")
                .field("profile", profile)
                .field("section", section)
                .finish(),
            SettingChange::SessionLength { session, length } => f
                .debug_struct("SessionLength")
                .field("session", session)
                .field("length", length)
                .finish(),
            SettingChange::StartAtLogin { on } => {
                f.debug_struct("StartAtLogin").field("on", on).finish()
            }
            SettingChange::Notifications { on } => {
                f.debug_struct("Notifications").field("on", on).finish()
            }
            SettingChange::Aws { key, value } => f
                .debug_struct("Aws")
                .field("key", key)
                .field("value", &leasekeeper_engine::proxy::shown(value))
                .finish(),
        }
    }
}

/// `use_credential_process`'s input: add `[profile NAME]` running
/// `leasekeeper credential-process --profile PROFILE`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UseProcessArgs {
    pub profile: String,
    /// The new profile's name; default `PROFILE-leasekeeper`.
    pub name: Option<String>,
}

/// What `use_credential_process` did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UseProcessDto {
    pub name: String,
    pub message: String,
}

/// `open_console`'s input.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileArgs {
    pub profile: String,
}

/// A console opened: who it is signed in as, and what to know (the sign-in
/// URL itself never crosses to the window).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsoleDto {
    pub arn: String,
    pub notes: Vec<String>,
}

/// `sign_out` and `cancel_sign_in`'s input.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionArgs {
    pub session: String,
}
