//! [`Announcer`]: the keeper's events as the person reads them, one
//! notification per thing to do. The daemon and the tray feed it every
//! [`EngineEvent`] and show what it returns; it is where "one notification
//! per action" is decided, so both shells behave alike.
//!
//! - Each notification has a [`Topic`]: signing in to a session, an MFA
//!   code for a device, a credentials section that cannot be written, a
//!   renewal that keeps failing. A new notice on an open topic replaces
//!   the one shown (the shell passes the server's id as `replaces_id`), and
//!   a topic whose waiting leases are all fresh again is closed.
//! - A sign-in or MFA notice carries its [`NoticeAction`] and the command
//!   that does the same, for servers without actions.
//! - A renewal failure is told once per streak (until the lease is fresh).
//! - After a wake, one summary (how long, what renewed by itself, what is
//!   still without keys) is merged into the first notice that asks for
//!   the person, or shown alone, quietly; a sleep that needs nothing and
//!   renewed nothing, or `[notifications] after_sleep = false`, shows none.
//! - Durations are spoken in the world's time: under
//!   `LEASEKEEPER_TIME_SCALE` a real second counts as `scale` seconds.

use std::collections::{BTreeMap, BTreeSet};

use time::OffsetDateTime;

use super::event::{EngineEvent, WakeSummary, Warning, WarningKind};
use super::status::RenewalState;

/// What a notification is about: one per thing the person may do.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Topic {
    /// Sign in to this sso-session (or legacy start URL).
    SignIn(String),
    /// Give a code of this MFA device (or for this profile).
    MfaCode(String),
    /// A credentials section that cannot be written.
    File(String),
    /// Renewals of this node keep failing.
    Renewal(String),
    /// Keys another tool wrote for this profile lapse.
    OtherKeys(String),
    /// What happened during a sleep.
    Wake,
    /// Anything else, by its event code and subject.
    Other(String),
}

impl Topic {
    /// Whether a notice on this topic asks the person to do something
    /// that has a button.
    fn asks(&self) -> bool {
        matches!(self, Topic::SignIn(_) | Topic::MfaCode(_))
    }
}

/// What a notification's button does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NoticeAction {
    /// Start a sign-in to this sso-session (the browser opens then).
    SignIn(String),
    /// Start a sign-in for this legacy SSO profile (`sso_start_url` on the
    /// profile, no `[sso-session]`).
    SignInProfile(String),
    /// Ask for a code for this profile's MFA device.
    EnterCode(String),
}

const SIGN_IN_KEY: &str = "sign-in:";
const SIGN_IN_PROFILE_KEY: &str = "sign-in-profile:";
const ENTER_CODE_KEY: &str = "mfa-code:";

impl NoticeAction {
    /// The action's key on the notification server (`sign-in:corp`, the
    /// same as the tray menu's sign-in item).
    pub fn key(&self) -> String {
        match self {
            NoticeAction::SignIn(s) => format!("{SIGN_IN_KEY}{s}"),
            NoticeAction::SignInProfile(p) => format!("{SIGN_IN_PROFILE_KEY}{p}"),
            NoticeAction::EnterCode(p) => format!("{ENTER_CODE_KEY}{p}"),
        }
    }

    /// Reads a key written by [`NoticeAction::key`].
    pub fn parse(key: &str) -> Option<NoticeAction> {
        let named = |prefix: &str| key.strip_prefix(prefix).filter(|rest| !rest.is_empty());
        if let Some(p) = named(SIGN_IN_PROFILE_KEY) {
            return Some(NoticeAction::SignInProfile(p.to_owned()));
        }
        if let Some(s) = named(SIGN_IN_KEY) {
            return Some(NoticeAction::SignIn(s.to_owned()));
        }
        named(ENTER_CODE_KEY).map(|p| NoticeAction::EnterCode(p.to_owned()))
    }

    /// The button's label.
    pub fn label(&self) -> &'static str {
        match self {
            NoticeAction::SignIn(_) | NoticeAction::SignInProfile(_) => "Sign in",
            NoticeAction::EnterCode(_) => "Enter code",
        }
    }

    /// The command that does the same, for a server without buttons.
    pub fn command(&self) -> String {
        match self {
            NoticeAction::SignIn(s) => format!("leasekeeper login --sso-session {}", quoted(s)),
            NoticeAction::SignInProfile(p) => format!("leasekeeper login --profile {}", quoted(p)),
            NoticeAction::EnterCode(p) => format!("leasekeeper mfa --profile {}", quoted(p)),
        }
    }
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub topic: Topic,
    /// The headline: what to do and what waits on it.
    pub summary: String,
    /// The details, plain text.
    pub body: String,
    /// The person must act soon.
    pub urgent: bool,
    /// Its button, if it asks for something.
    pub action: Option<NoticeAction>,
}

/// What to do with the notification server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Announce {
    /// Show this, replacing the notification shown for its topic.
    Show(Notice),
    /// Withdraw the notification of this topic: nothing waits on it now.
    Close(Topic),
}

/// An open topic: its last notice and the profiles still waiting on it.
#[derive(Debug, Clone)]
struct Open {
    notice: Notice,
    /// The body without a wake summary taken in.
    base: String,
    /// Profiles waiting on it; when all are fresh again it is closed.
    /// Empty: it stays until replaced, or closed (a sign-in that ends well).
    waiting: BTreeSet<String>,
}

/// A wake summary shown alone waits this long (world time) to be taken
/// into a notice that asks for the person.
const WAKE_LINE_FOR: i64 = 15 * 60;

/// Turns events into notifications (see the module's documentation).
#[derive(Debug, Clone)]
pub struct Announcer {
    scale: f64,
    after_sleep: bool,
    open: BTreeMap<Topic, Open>,
    /// Profiles whose renewal failure was told in this streak, with its
    /// code and whether it was to be retried (a change is told again).
    failing: BTreeMap<String, (String, bool)>,
    /// The wake line of a summary shown alone, and until when it is taken
    /// into the next notice that asks for the person (which then takes its
    /// place).
    wake_line: Option<(String, OffsetDateTime)>,
}

impl Announcer {
    /// `scale`: world seconds per real second (`LEASEKEEPER_TIME_SCALE`, 1
    /// in real life); `after_sleep`: `[notifications] after_sleep`.
    pub fn new(scale: f64, after_sleep: bool) -> Announcer {
        Announcer {
            scale: if scale.is_finite() && scale > 0.0 {
                scale
            } else {
                1.0
            },
            after_sleep,
            open: BTreeMap::new(),
            failing: BTreeMap::new(),
            wake_line: None,
        }
    }

    /// Follows `[notifications] after_sleep` as the settings change.
    pub fn set_after_sleep(&mut self, on: bool) {
        self.after_sleep = on;
    }

    /// The notices currently shown, by topic.
    pub fn shown(&self) -> impl Iterator<Item = &Notice> {
        self.open.values().map(|o| &o.notice)
    }

    /// A sign-in to `session` ended well: a notice asking for it goes.
    pub fn signed_in(&mut self, session: &str) -> Vec<Announce> {
        self.close(&Topic::SignIn(session.to_owned()))
    }

    /// What `event`, at `now` (the wall clock), changes on the screen.
    pub fn event(&mut self, event: &EngineEvent, now: OffsetDateTime) -> Vec<Announce> {
        if self
            .wake_line
            .as_ref()
            .is_some_and(|(_, until)| now > *until)
        {
            self.wake_line = None;
        }
        match event {
            EngineEvent::LeaseChanged { renewal } => {
                if renewal.state == RenewalState::Fresh {
                    self.fresh(&renewal.profile)
                } else {
                    Vec::new()
                }
            }
            EngineEvent::LoginNeeded {
                session,
                profiles,
                reason,
            } => {
                let mut body = sentence(reason);
                body.push_str(&format!(" Waiting: {}.", list(profiles)));
                self.ask(
                    Notice {
                        topic: Topic::SignIn(session.clone()),
                        summary: format!("Sign in to {session}: {}", waiting(profiles.len())),
                        body,
                        urgent: true,
                        action: Some(sign_in(session, profiles)),
                    },
                    profiles,
                )
            }
            EngineEvent::MfaCodeNeeded {
                node,
                profiles,
                mfa_serial,
            } => {
                let device = if mfa_serial.is_empty() {
                    node.as_str()
                } else {
                    mfa_serial
                };
                let topic = Topic::MfaCode(device.to_owned());
                let mut all: BTreeSet<String> = self
                    .open
                    .get(&topic)
                    .map(|o| o.waiting.clone())
                    .unwrap_or_default();
                all.extend(profiles.iter().cloned());
                let all: Vec<String> = all.into_iter().collect();
                let first = profiles.first().or(all.first()).cloned().unwrap_or_default();
                self.ask(
                    Notice {
                        topic,
                        summary: format!("MFA code needed: {}", waiting(all.len())),
                        body: format!("Enter a code of {device} to renew {}.", list(&all)),
                        urgent: true,
                        action: Some(NoticeAction::EnterCode(first)),
                    },
                    &all,
                )
            }
            EngineEvent::MfaCodeAccepted { serial, .. } => {
                self.close(&Topic::MfaCode(serial.clone()))
            }
            EngineEvent::MfaCodeRefused {
                serial, message, ..
            } => {
                let topic = Topic::MfaCode(serial.clone());
                let open = self.open.get(&topic);
                let waiting: Vec<String> = open
                    .map(|o| o.waiting.iter().cloned().collect())
                    .unwrap_or_default();
                let action = open.and_then(|o| o.notice.action.clone());
                self.ask(
                    Notice {
                        topic,
                        summary: "MFA code refused".to_owned(),
                        body: sentence(message),
                        urgent: true,
                        action,
                    },
                    &waiting,
                )
            }
            EngineEvent::WarningDue(w) => self.warning(w),
            EngineEvent::RenewalFailed {
                profiles,
                code,
                message,
                will_retry,
                ..
            } => {
                let told = (code.clone(), *will_retry);
                let mut new = false;
                for p in profiles {
                    new |= self.failing.insert(p.clone(), told.clone()).as_ref() != Some(&told);
                }
                if !new {
                    return Vec::new();
                }
                let retry = if *will_retry {
                    " Leasekeeper keeps trying."
                } else {
                    ""
                };
                self.show(
                    Notice {
                        topic: Topic::Renewal(profiles.join(",")),
                        summary: format!("Renewal failed: {}", list(profiles)),
                        body: format!("{}{retry}", sentence(message)),
                        urgent: !will_retry,
                        action: None,
                    },
                    profiles,
                )
            }
            EngineEvent::DurationRefused {
                node,
                profiles,
                asked_seconds,
                message,
            } => self.show(
                Notice {
                    topic: Topic::Other(format!("duration:{node}")),
                    summary: "Role duration refused".to_owned(),
                    body: format!(
                        "STS refused duration_seconds = {asked_seconds} for {} ({message}): renewed for one hour instead.",
                        list(profiles)
                    ),
                    urgent: false,
                    action: None,
                },
                &[],
            ),
            EngineEvent::WriteFailed {
                profile,
                section,
                message,
                ..
            } => self.show(
                Notice {
                    topic: Topic::File(section.clone()),
                    summary: format!("Cannot write [{section}]"),
                    body: format!(
                        "{} Fix the credentials file; {profile} renews once it can be written.",
                        sentence(message)
                    ),
                    urgent: true,
                    action: None,
                },
                std::slice::from_ref(profile),
            ),
            EngineEvent::ClockSkew { message, .. } => self.show(
                Notice {
                    topic: Topic::Other("clock".to_owned()),
                    summary: "Clock is off".to_owned(),
                    body: sentence(message),
                    urgent: false,
                    action: None,
                },
                &[],
            ),
            EngineEvent::WokeSummary(s) => self.woke(s, now),
        }
    }

    fn warning(&mut self, w: &Warning) -> Vec<Announce> {
        let left = format!(
            "{}{}",
            if w.estimated { "about " } else { "" },
            self.span(w.seconds_left)
        );
        let first = w.profiles.first().cloned().unwrap_or_default();
        let device = w.mfa_serial.clone().unwrap_or_else(|| w.subject.clone());
        // Warnings about keys that lapse wait on those leases; one ahead
        // of a deadline stays until replaced or its cause goes.
        let waits: &[String] = match w.kind {
            WarningKind::MfaCodeNeeded | WarningKind::RenewalFailing => &w.profiles,
            _ => &[],
        };
        let notice = match w.kind {
            WarningKind::SignInEnding => Notice {
                topic: Topic::SignIn(w.subject.clone()),
                summary: format!("Sign-in to {} ends in {left}", w.subject),
                body: format!("Sign in again to keep {} renewing.", list(&w.profiles)),
                urgent: true,
                action: Some(sign_in(&w.subject, &w.profiles)),
            },
            WarningKind::MfaSessionEnding => Notice {
                topic: Topic::MfaCode(device),
                summary: format!("MFA session ends in {left}"),
                body: format!(
                    "The MFA session of {} ends; {} will need a new code.",
                    w.subject,
                    list(&w.profiles)
                ),
                urgent: false,
                action: Some(NoticeAction::EnterCode(first)),
            },
            WarningKind::MfaCodeNeeded => Notice {
                topic: Topic::MfaCode(device),
                summary: format!("Keys lapse in {left}"),
                body: format!(
                    "Renewing {} needs a code of its MFA device.",
                    list(&w.profiles)
                ),
                urgent: false,
                action: Some(NoticeAction::EnterCode(first)),
            },
            WarningKind::RenewalFailing => Notice {
                topic: Topic::Renewal(w.profiles.join(",")),
                summary: format!("Keys lapse in {left}"),
                body: format!(
                    "Renewals keep failing: the keys of {} lapse.",
                    list(&w.profiles)
                ),
                urgent: true,
                action: None,
            },
            WarningKind::OtherToolKeys => Notice {
                topic: Topic::OtherKeys(w.subject.clone()),
                summary: format!("Keys of {} lapse in {left}", w.subject),
                body: "Another tool wrote them and only it can renew them: run it again."
                    .to_owned(),
                urgent: false,
                action: None,
            },
        };
        // What already waits on the topic keeps waiting.
        let mut all: BTreeSet<String> = self
            .open
            .get(&notice.topic)
            .map(|o| o.waiting.clone())
            .unwrap_or_default();
        all.extend(waits.iter().cloned());
        let all: Vec<String> = all.into_iter().collect();
        self.show(notice, &all)
    }

    /// A notice that asks for the person: it takes in a wake summary
    /// shown alone before it.
    fn ask(&mut self, notice: Notice, waiting: &[String]) -> Vec<Announce> {
        let mut out = Vec::new();
        let line = self.wake_line.take();
        if line.is_some() {
            out.extend(self.close(&Topic::Wake));
        }
        out.extend(self.show_with(notice, waiting, line.map(|(l, _)| l)));
        out
    }

    fn show(&mut self, notice: Notice, waiting: &[String]) -> Vec<Announce> {
        self.show_with(notice, waiting, None)
    }

    /// Shows `notice` (its body, then `wake` on a line of its own).
    fn show_with(
        &mut self,
        mut notice: Notice,
        waiting: &[String],
        wake: Option<String>,
    ) -> Vec<Announce> {
        let base = notice.body.clone();
        if let Some(line) = wake {
            notice.body.push('\n');
            notice.body.push_str(&line);
        }
        let open = Open {
            notice: notice.clone(),
            base,
            waiting: waiting.iter().cloned().collect(),
        };
        self.open.insert(notice.topic.clone(), open);
        vec![Announce::Show(notice)]
    }

    fn close(&mut self, topic: &Topic) -> Vec<Announce> {
        if topic == &Topic::Wake {
            self.wake_line = None;
        }
        match self.open.remove(topic) {
            Some(_) => vec![Announce::Close(topic.clone())],
            None => Vec::new(),
        }
    }

    /// `profile` is fresh: its failure streak ends, and topics nothing
    /// waits on any more are withdrawn.
    fn fresh(&mut self, profile: &str) -> Vec<Announce> {
        self.failing.remove(profile);
        let mut done = Vec::new();
        for (topic, open) in &mut self.open {
            if open.waiting.remove(profile) && open.waiting.is_empty() {
                done.push(topic.clone());
            }
        }
        done.iter().flat_map(|t| self.close(t)).collect()
    }

    fn woke(&mut self, s: &WakeSummary, now: OffsetDateTime) -> Vec<Announce> {
        let covered: BTreeSet<&String> = self
            .open
            .iter()
            .filter(|(t, _)| t.asks())
            .flat_map(|(_, o)| o.waiting.iter())
            .collect();
        let failing: Vec<String> = s
            .failing
            .iter()
            .filter(|p| !covered.contains(p))
            .cloned()
            .collect();
        let mut line = format!("Back after {} asleep", self.span(s.slept_seconds));
        if !s.renewed.is_empty() {
            line.push_str(&format!("; renewed by itself: {}", list(&s.renewed)));
        }
        if !failing.is_empty() {
            line.push_str(&format!("; still without keys: {}", list(&failing)));
        }
        line.push('.');
        // The first notice that asks for the person takes the summary in
        // (in place of an earlier wake's).
        if let Some(topic) = self.open.keys().find(|t| t.asks()).cloned() {
            let Some(open) = self.open.get(&topic) else {
                return Vec::new();
            };
            let mut notice = open.notice.clone();
            notice.body = open.base.clone();
            let waiting: Vec<String> = open.waiting.iter().cloned().collect();
            return self.show_with(notice, &waiting, Some(line));
        }
        if failing.is_empty() && (!self.after_sleep || s.renewed.is_empty()) {
            return Vec::new();
        }
        let summary = if failing.is_empty() {
            "Back from sleep: all renewed".to_owned()
        } else {
            format!("Back from sleep: {} without keys", leases(failing.len()))
        };
        let until = now + time::Duration::seconds((WAKE_LINE_FOR as f64 / self.scale) as i64);
        self.wake_line = Some((line.clone(), until));
        self.show(
            Notice {
                topic: Topic::Wake,
                summary,
                body: line,
                urgent: false,
                action: None,
            },
            &failing,
        )
    }

    /// `seconds` of real time as the world counts it, humanized.
    fn span(&self, seconds: i64) -> String {
        let world = (seconds.max(0) as f64 * self.scale).round();
        // Beyond any lease: saturating is fine.
        span(world.min(i64::MAX as f64) as i64)
    }
}

/// The sign-in a notice offers: to the session, or, for a legacy SSO
/// profile (named by its start URL), through the first profile waiting.
fn sign_in(session: &str, profiles: &[String]) -> NoticeAction {
    match profiles.first() {
        Some(p) if session.contains("://") => NoticeAction::SignInProfile(p.clone()),
        _ => NoticeAction::SignIn(session.to_owned()),
    }
}

/// "under a minute", "12 min", "1 h 20 min", "2 d 3 h".
pub fn span(seconds: i64) -> String {
    let minutes = seconds.max(0).saturating_add(30) / 60;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (d, h, m) {
        (0, 0, 0) => "under a minute".to_owned(),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// "a, b, c, d and 3 more".
pub fn list(names: &[String]) -> String {
    const SHOWN: usize = 4;
    let shown: Vec<&str> = names.iter().take(SHOWN).map(String::as_str).collect();
    match (shown.split_last(), names.len()) {
        (None, _) => "no profile".to_owned(),
        (Some((last, [])), _) => (*last).to_owned(),
        (Some((last, rest)), n) if n <= SHOWN => format!("{} and {last}", rest.join(", ")),
        (_, n) => format!("{} and {} more", shown.join(", "), n - SHOWN),
    }
}

fn leases(n: usize) -> String {
    if n == 1 {
        "1 lease".to_owned()
    } else {
        format!("{n} leases")
    }
}

fn waiting(n: usize) -> String {
    if n == 1 {
        "1 lease waits".to_owned()
    } else {
        format!("{n} leases wait")
    }
}

/// `text` as a sentence: its first letter upper case, a full stop at the end.
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// A name as a shell word: quoted when it holds anything but plain characters.
fn quoted(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.@/:+".contains(c));
    if plain {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
#[path = "announce_tests.rs"]
mod tests;
