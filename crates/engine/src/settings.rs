//! The keeper's settings: which profiles renew by themselves, where their keys
//! are written, when to warn, and a few limits. [`Settings::parse`] reads the
//! TOML text the host read from the settings file; a bad file never stops
//! the keeper: every problem comes back as a [`SettingsError`] naming its line
//! and field, and whatever could not be read keeps its default.
//!
//! The file, with every default spelled out (and, as [`EXAMPLE`], ready to
//! be written as a starting file):
//!
//! ```toml
//! [renew]
//! silent = true           # renew chains that need nobody (SSO roles, roles over them)
//! static_keys = false     # also chains that start from long-term IAM user keys
//! concurrency = 4         # AWS calls in flight at once, 1 to 64
//! remove_on_exit = false  # remove our credentials-file sections when the keeper exits
//!
//! [mfa]
//! session_duration = "12h" # how long an MFA session (GetSessionToken) lasts, 15m to 36h
//! persist = false          # keep the MFA session in an owner-only file across restarts
//!
//! [warnings]
//! leads = ["15m", "5m"]   # warn this long before something needs you; [] for never
//!
//! [notifications]
//! enabled = true          # desktop notifications; off: events are only logged
//! after_sleep = true      # a quiet summary after a sleep that needs nothing from you
//! processes = true        # warn when a running process's keys are about to lapse
//!
//! [portal]
//! calls_per_second = 10   # listing accounts and roles: access portal calls a second, 1 to 1000
//! check_every = "1d"      # look for new accounts and roles of a signed-in session this often, 1h to 30d
//!
//! [sso_sessions.corp]     # an [sso-session] name, or a legacy start URL in quotes
//! session_length = "8h"   # the sign-in session length set in IAM Identity Center
//! auto_sync = false        # write profiles for new roles without asking
//!
//! [profiles.dev]
//! renew = true            # this profile renews by itself, whatever [renew] says
//! section = "dev"         # the credentials-file section (default: the profile's name)
//! take_over = false       # consent to replace a [dev] section Leasekeeper did not write
//!
//! [aws]                   # for the tray app; each unset key: its environment variable
//! config_file = "~/.aws/config"           # instead of AWS_CONFIG_FILE
//! credentials_file = "~/.aws/credentials" # instead of AWS_SHARED_CREDENTIALS_FILE
//! ca_bundle = "/etc/ssl/corp-ca.pem"      # instead of AWS_CA_BUNDLE
//! https_proxy = "http://proxy.corp:3128"  # instead of HTTPS_PROXY
//! no_proxy = "localhost,.corp"            # instead of NO_PROXY
//! ```
//!
//! `[aws]` is read by the tray app, which a desktop starts without the
//! environment of a shell: there, a key that is set wins over the variable
//! it stands for. The `leasekeeper` command follows the environment, as
//! every AWS tool in the same shell does.
//!
//! Durations are written as a number and a unit (`s`, `m`, `h`, `d`), parts
//! added up: `"90s"`, `"15m"`, `"1h30m"`. No API tells when a sign-in session
//! ends: `session_length` is the estimate warnings are based on (IAM Identity
//! Center's default, 8 hours, when unset). Unknown keys are reported as
//! warnings and ignored. `renew.mfa_session`, the older name of
//! `mfa.session_duration`, is still read.
//!
//! Roles with `mfa_serial` over long-term IAM user keys renew through an MFA
//! session (one code per session) unless their profile says `renew = false`;
//! `static_keys` is about chains that need no code.

mod aws_key;
mod duration;
pub mod effective;
mod read;

use std::collections::BTreeMap;

use serde::Serialize;
use time::Duration;

pub use aws_key::AwsKey;
use duration::{all_as_text, as_text};
pub use duration::{format_duration, parse_duration};

use crate::keeper::policy::DEFAULT_WARNING_LEADS;

/// AWS calls in flight at once, unless set.
pub const DEFAULT_CONCURRENCY: usize = 4;
/// The most calls in flight the setting allows.
pub const MAX_CONCURRENCY: usize = 64;
/// An MFA session's length (GetSessionToken's DurationSeconds), unless set.
pub const DEFAULT_MFA_SESSION: Duration = Duration::hours(12);
/// What GetSessionToken accepts: 900 to 129,600 seconds.
pub const MFA_SESSION_RANGE: (Duration, Duration) = (Duration::minutes(15), Duration::hours(36));
/// IAM Identity Center's default sign-in session length: the estimate used
/// when the settings name none.
pub const DEFAULT_SESSION_LENGTH: Duration = Duration::hours(8);
/// The session lengths IAM Identity Center allows.
pub const SESSION_LENGTH_RANGE: (Duration, Duration) = (Duration::minutes(15), Duration::days(90));
/// How often a signed-in session's accounts and roles are looked at for
/// new ones, by default.
pub const DEFAULT_CHECK_EVERY: Duration = Duration::days(1);
/// `portal.check_every`'s range.
pub const CHECK_EVERY_RANGE: (Duration, Duration) = (Duration::hours(1), Duration::days(30));
/// The longest warning lead accepted.
pub const MAX_WARNING_LEAD: Duration = Duration::days(1);

/// The documented settings file: every default spelled out, the per-session
/// and per-profile tables as comments. A host may write it as a person's
/// first settings file; it reads as exactly [`Settings::default`].
pub const EXAMPLE: &str = r#"# Leasekeeper settings. Durations: a number and a unit (s, m, h, d), e.g. "1h30m".

[renew]
silent = true           # renew chains that need nobody (SSO roles, roles over them)
static_keys = false     # also chains that start from long-term IAM user keys
concurrency = 4         # AWS calls in flight at once, 1 to 64
remove_on_exit = false  # remove our credentials-file sections when the keeper exits

[mfa]
session_duration = "12h" # how long an MFA session (GetSessionToken) lasts, 15m to 36h
persist = false          # keep the MFA session in an owner-only file across restarts

[warnings]
leads = ["15m", "5m"]   # warn this long before something needs you; [] for never

[notifications]
enabled = true          # desktop notifications; off: events are only logged
after_sleep = true      # a quiet summary after a sleep that needs nothing from you
processes = true        # warn when a running process's keys are about to lapse

[portal]
calls_per_second = 10   # listing accounts and roles: access portal calls a second, 1 to 1000
check_every = "1d"      # look for new accounts and roles of a signed-in session this often, 1h to 30d

# [sso_sessions.corp]   # an [sso-session] name, or a legacy start URL in quotes
# session_length = "8h" # the sign-in session length set in IAM Identity Center
# auto_sync = false     # write profiles for new roles without asking

# [profiles.dev]
# renew = true          # this profile renews by itself, whatever [renew] says
# section = "dev"       # the credentials-file section (default: the profile's name)
# take_over = false     # consent to replace a [dev] section Leasekeeper did not write

# [aws]                 # for the tray app; each unset key: its environment variable
# config_file = "~/.aws/config"           # instead of AWS_CONFIG_FILE
# credentials_file = "~/.aws/credentials" # instead of AWS_SHARED_CREDENTIALS_FILE
# ca_bundle = "/etc/ssl/corp-ca.pem"      # instead of AWS_CA_BUNDLE
# https_proxy = "http://proxy.corp:3128"  # instead of HTTPS_PROXY
# no_proxy = "localhost,.corp"            # instead of NO_PROXY
"#;

/// Everything the settings file says, defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Settings {
    pub renew: RenewSettings,
    pub mfa: MfaSettings,
    pub warnings: WarningSettings,
    pub notifications: NotificationSettings,
    pub portal: PortalSettings,
    /// By sso-session name (or legacy start URL).
    pub sso_sessions: BTreeMap<String, SessionSettings>,
    /// By profile name.
    pub profiles: BTreeMap<String, ProfileSettings>,
    pub aws: AwsEnvSettings,
}

/// `[renew]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenewSettings {
    /// Chains that need nobody renew by themselves.
    pub silent: bool,
    /// Chains over long-term IAM user keys renew by themselves too.
    pub static_keys: bool,
    pub concurrency: usize,
    pub remove_on_exit: bool,
}

/// `[mfa]`: MFA sessions (GetSessionToken) over long-term IAM user keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MfaSettings {
    /// GetSessionToken's DurationSeconds.
    #[serde(serialize_with = "as_text")]
    pub session_duration: Duration,
    /// Keep the session's keys in an owner-only file of the state folder, so
    /// a restarted keeper needs no new code; off: they live in memory only.
    pub persist: bool,
}

/// `[warnings]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WarningSettings {
    /// Longest first, no duplicates.
    #[serde(serialize_with = "all_as_text")]
    pub leads: Vec<Duration>,
}

/// `[notifications]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationSettings {
    /// Desktop notifications are shown; off: events are still logged.
    pub enabled: bool,
    /// After a sleep that left nothing for the person to do, one quiet
    /// summary of it (what was renewed); off: none. A sleep that needs the
    /// person is told in the notification asking for it either way.
    pub after_sleep: bool,
    /// A running process whose exported keys lapse within the warning lead
    /// is told about, once (`doctor`'s `process_on_exported_keys`).
    pub processes: bool,
}

/// `[portal]`: how the AWS access portal is listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortalSettings {
    /// Calls a second at most while listing accounts and roles (the portal
    /// refuses about 20).
    pub calls_per_second: u32,
    /// How often the keeper looks at a signed-in session's accounts and
    /// roles for new ones.
    #[serde(serialize_with = "as_text")]
    pub check_every: Duration,
}

/// The highest `portal.calls_per_second` taken.
pub const MAX_PORTAL_CALLS_PER_SECOND: u32 = 1000;

/// `[sso_sessions.NAME]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSettings {
    #[serde(serialize_with = "as_text")]
    pub session_length: Duration,
    /// New roles the session gives are written as profiles by the keeper,
    /// without asking.
    pub auto_sync: bool,
}

/// `[aws]`: what a shell's AWS variables would say, for the tray app (a
/// desktop starts it without them). `None`: the variable, else its default.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct AwsEnvSettings {
    /// Instead of `AWS_CONFIG_FILE` (a leading `~` is the home folder).
    pub config_file: Option<String>,
    /// Instead of `AWS_SHARED_CREDENTIALS_FILE`.
    pub credentials_file: Option<String>,
    /// Instead of `AWS_CA_BUNDLE`.
    pub ca_bundle: Option<String>,
    /// Instead of `HTTPS_PROXY`; it may hold a password, so it is shown
    /// and serialized without its user and password.
    #[serde(serialize_with = "proxy_as_shown")]
    pub https_proxy: Option<String>,
    /// Instead of `NO_PROXY`.
    pub no_proxy: Option<String>,
}

impl std::fmt::Debug for AwsEnvSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsEnvSettings")
            .field("config_file", &self.config_file)
            .field("credentials_file", &self.credentials_file)
            .field("ca_bundle", &self.ca_bundle)
            .field(
                "https_proxy",
                &self.https_proxy.as_deref().map(crate::proxy::shown),
            )
            .field("no_proxy", &self.no_proxy)
            .finish()
    }
}

fn proxy_as_shown<S: serde::Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    v.as_deref().map(crate::proxy::shown).serialize(s)
}

/// `[profiles.NAME]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProfileSettings {
    /// Overrides `[renew]` for this profile.
    pub renew: Option<bool>,
    /// The credentials-file section; `None`: the profile's own name.
    pub section: Option<String>,
    /// Consent to replace a section of that name Leasekeeper did not write.
    pub take_over: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            renew: RenewSettings {
                silent: true,
                static_keys: false,
                concurrency: DEFAULT_CONCURRENCY,
                remove_on_exit: false,
            },
            mfa: MfaSettings {
                session_duration: DEFAULT_MFA_SESSION,
                persist: false,
            },
            warnings: WarningSettings {
                leads: DEFAULT_WARNING_LEADS.to_vec(),
            },
            notifications: NotificationSettings {
                enabled: true,
                after_sleep: true,
                processes: true,
            },
            portal: PortalSettings {
                calls_per_second: crate::available::DEFAULT_CALLS_PER_SECOND,
                check_every: DEFAULT_CHECK_EVERY,
            },
            sso_sessions: BTreeMap::new(),
            profiles: BTreeMap::new(),
            aws: AwsEnvSettings::default(),
        }
    }
}

impl Settings {
    /// Whether `profile` renews by itself; `over_long_term_keys` tells whether
    /// its chain starts from long-term IAM user keys.
    pub fn auto_renew(&self, profile: &str, over_long_term_keys: bool) -> bool {
        let default = if over_long_term_keys {
            self.renew.static_keys
        } else {
            self.renew.silent
        };
        self.profile(profile)
            .and_then(|p| p.renew)
            .unwrap_or(default)
    }

    /// Whether `profile`, a role with `mfa_serial` over long-term IAM user
    /// keys, renews through an MFA session: yes unless its profile says no.
    /// The SDKs would ask for a code at every AssumeRole; the keeper asks
    /// once per session.
    pub fn auto_renew_mfa(&self, profile: &str) -> bool {
        self.profile(profile).and_then(|p| p.renew).unwrap_or(true)
    }

    /// The credentials-file section `profile`'s keys go to.
    pub fn section_for<'a>(&'a self, profile: &'a str) -> &'a str {
        self.profile(profile)
            .and_then(|p| p.section.as_deref())
            .unwrap_or(profile)
    }

    /// Whether the person consented to replacing a foreign section for `profile`.
    pub fn take_over(&self, profile: &str) -> bool {
        self.profile(profile).is_some_and(|p| p.take_over)
    }

    /// The estimated sign-in session length of an sso-session (or legacy start URL).
    pub fn session_length(&self, session: &str) -> Duration {
        self.sso_sessions
            .get(session)
            .map_or(DEFAULT_SESSION_LENGTH, |s| s.session_length)
    }

    /// Whether the keeper writes the new roles of `session` by itself.
    pub fn auto_sync(&self, session: &str) -> bool {
        self.sso_sessions.get(session).is_some_and(|s| s.auto_sync)
    }

    fn profile(&self, name: &str) -> Option<&ProfileSettings> {
        self.profiles.get(name)
    }

    /// Reads the settings file's text. Never fails: problems come back in
    /// file order with the defaults standing for what could not be read.
    pub fn parse(text: &str) -> (Settings, Vec<SettingsError>) {
        let parsed = read::read(text);
        (parsed.settings, parsed.problems)
    }

    /// [`Settings::parse`], also telling which line each value taken from
    /// the file is on ([`effective`] says where every value came from).
    pub fn parse_traced(text: &str) -> Parsed {
        read::read(text)
    }
}

/// The settings file read: the settings, its problems in file order, and
/// the line of every value taken from the file, by field
/// (`renew.concurrency`, `profiles.dev.section`; `mfa.session_duration`
/// also for its older name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parsed {
    pub settings: Settings,
    pub problems: Vec<SettingsError>,
    pub lines: BTreeMap<String, u32>,
}

/// A problem in the settings file. Each names its line; all but
/// [`SettingsError::UnknownKey`] mean a default was used instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("settings line {line}: {message}; the line is ignored")]
    Syntax { line: u32, message: String },
    #[error("settings line {line}: `{field}` must be {expected}; using the default")]
    WrongType {
        line: u32,
        field: String,
        expected: &'static str,
    },
    #[error("settings line {line}: `{field}` = {value} is outside {allowed}; using the default")]
    OutOfRange {
        line: u32,
        field: String,
        value: String,
        allowed: &'static str,
    },
    #[error(
        "settings line {line}: `{field}` = {value:?} is not a duration such as \"15m\", \"8h\" or \"1h30m\"; using the default"
    )]
    BadDuration {
        line: u32,
        field: String,
        value: String,
    },
    #[error("settings line {line}: unknown setting `{field}` is ignored")]
    UnknownKey { line: u32, field: String },
}

impl SettingsError {
    /// A stable identifier for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            SettingsError::Syntax { .. } => "settings_syntax",
            SettingsError::WrongType { .. } => "settings_wrong_type",
            SettingsError::OutOfRange { .. } => "settings_out_of_range",
            SettingsError::BadDuration { .. } => "settings_bad_duration",
            SettingsError::UnknownKey { .. } => "settings_unknown_key",
        }
    }

    /// The 1-based line the problem is on.
    pub fn line(&self) -> u32 {
        match self {
            SettingsError::Syntax { line, .. }
            | SettingsError::WrongType { line, .. }
            | SettingsError::OutOfRange { line, .. }
            | SettingsError::BadDuration { line, .. }
            | SettingsError::UnknownKey { line, .. } => *line,
        }
    }

    /// The field it is about (`aws.https_proxy`); none for a line that
    /// does not parse.
    pub fn field(&self) -> Option<&str> {
        match self {
            SettingsError::Syntax { .. } => None,
            SettingsError::WrongType { field, .. }
            | SettingsError::OutOfRange { field, .. }
            | SettingsError::BadDuration { field, .. }
            | SettingsError::UnknownKey { field, .. } => Some(field),
        }
    }

    /// Only worth knowing: nothing was replaced by a default.
    pub fn is_warning(&self) -> bool {
        matches!(self, SettingsError::UnknownKey { .. })
    }
}

#[cfg(test)]
mod tests;
