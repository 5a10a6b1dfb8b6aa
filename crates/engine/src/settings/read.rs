//! Reading the parsed TOML into [`Settings`](super::Settings): typed values
//! out of spanned ones, every problem recorded with its line and field.

use std::collections::BTreeMap;
use std::ops::Range;

use time::Duration;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::duration::parse_duration;
use super::{
    AwsEnvSettings, CHECK_EVERY_RANGE, DEFAULT_CONCURRENCY, DEFAULT_SESSION_LENGTH,
    MAX_CONCURRENCY, MAX_PORTAL_CALLS_PER_SECOND, MAX_WARNING_LEAD, MFA_SESSION_RANGE, MfaSettings,
    NotificationSettings, Parsed, PortalSettings, ProfileSettings, RenewSettings,
    SESSION_LENGTH_RANGE, SessionSettings, Settings, SettingsError, WarningSettings,
};

/// Reads the settings file's text (see [`Settings::parse_traced`]).
pub(super) fn read(text: &str) -> Parsed {
    let (doc, syntax) = DeTable::parse_recoverable(text);
    let mut r = Reader {
        text,
        errors: Vec::new(),
        lines: BTreeMap::new(),
    };
    for e in syntax {
        let line = e.span().map_or(1, |s| r.line(&s));
        r.errors.push(SettingsError::Syntax {
            line,
            message: e.message().trim_end_matches('.').to_owned(),
        });
    }
    let mut settings = Settings::default();
    for (key, value) in doc.get_ref().iter() {
        let name = key.get_ref().as_ref();
        if ![
            "renew",
            "mfa",
            "warnings",
            "notifications",
            "portal",
            "sso_sessions",
            "profiles",
            "aws",
        ]
        .contains(&name)
        {
            r.unknown(name, key);
            continue;
        }
        let Some(table) = r.table(name, value) else {
            continue;
        };
        match name {
            "renew" => r.renew(table, &mut settings.renew, &mut settings.mfa),
            "mfa" => r.mfa(table, &mut settings.mfa),
            "warnings" => r.warnings(table, &mut settings.warnings),
            "notifications" => r.notifications(table, &mut settings.notifications),
            "portal" => r.portal(table, &mut settings.portal),
            "aws" => r.aws(table, &mut settings.aws),
            "sso_sessions" => r.each(table, name, |r, path, t| {
                let s = r.session(path, t);
                settings.sso_sessions.insert(path_tail(path), s);
            }),
            "profiles" => r.each(table, name, |r, path, t| {
                let p = r.profile(path, t);
                settings.profiles.insert(path_tail(path), p);
            }),
            _ => {}
        }
    }
    let mut problems = r.errors;
    problems.sort_by_key(SettingsError::line);
    Parsed {
        settings,
        problems,
        lines: r.lines,
    }
}

fn path_tail(path: &str) -> String {
    path.split_once('.').map_or(path, |(_, t)| t).to_owned()
}

type Value<'i> = Spanned<DeValue<'i>>;

/// Reads typed values out of the parsed file, recording what is wrong.
struct Reader<'t> {
    text: &'t str,
    errors: Vec<SettingsError>,
    /// The line of every value taken from the file, by field.
    lines: BTreeMap<String, u32>,
}

impl Reader<'_> {
    fn line(&self, span: &Range<usize>) -> u32 {
        let end = span.start.min(self.text.len());
        let newlines = self
            .text
            .as_bytes()
            .iter()
            .take(end)
            .filter(|b| **b == b'\n')
            .count();
        u32::try_from(newlines + 1).unwrap_or(u32::MAX)
    }

    /// Records that `field`'s value comes from the file, at `v`'s line.
    fn took(&mut self, field: &str, v: &Value<'_>) {
        let line = self.line(&v.span());
        self.lines.insert(field.to_owned(), line);
    }

    fn wrong(&mut self, field: &str, v: &Value<'_>, expected: &'static str) {
        let line = self.line(&v.span());
        self.errors.push(SettingsError::WrongType {
            line,
            field: field.to_owned(),
            expected,
        });
    }

    fn unknown(&mut self, field: &str, key: &Spanned<std::borrow::Cow<'_, str>>) {
        let line = self.line(&key.span());
        self.errors.push(SettingsError::UnknownKey {
            line,
            field: field.to_owned(),
        });
    }

    fn table<'a, 'i>(&mut self, field: &str, v: &'a Value<'i>) -> Option<&'a DeTable<'i>> {
        let table = v.get_ref().as_table();
        if table.is_none() {
            self.wrong(field, v, "a table");
        }
        table
    }

    /// Calls `read` for every sub-table of `table` (`[profiles.NAME]`).
    fn each(
        &mut self,
        table: &DeTable<'_>,
        field: &str,
        mut read: impl FnMut(&mut Self, &str, &DeTable<'_>),
    ) {
        for (key, value) in table.iter() {
            let path = format!("{field}.{}", key.get_ref());
            if let Some(t) = self.table(&path, value) {
                read(self, &path, t);
            }
        }
    }

    fn bool(&mut self, field: &str, v: &Value<'_>, into: &mut bool) {
        match v.get_ref().as_bool() {
            Some(b) => {
                *into = b;
                self.took(field, v);
            }
            None => self.wrong(field, v, "true or false"),
        }
    }

    /// A whole number within `range`; `None` (and an error naming the
    /// line) otherwise.
    fn whole(
        &mut self,
        field: &str,
        v: &Value<'_>,
        range: std::ops::RangeInclusive<i64>,
        allowed: &'static str,
        expected: &'static str,
    ) -> Option<i64> {
        let Some(n) = v.get_ref().as_integer() else {
            self.wrong(field, v, expected);
            return None;
        };
        match i64::from_str_radix(n.as_str(), n.radix()) {
            Ok(value) if range.contains(&value) => {
                self.took(field, v);
                Some(value)
            }
            _ => {
                let line = self.line(&v.span());
                self.errors.push(SettingsError::OutOfRange {
                    line,
                    field: field.to_owned(),
                    value: n.as_str().to_owned(),
                    allowed,
                });
                None
            }
        }
    }

    fn duration(
        &mut self,
        field: &str,
        v: &Value<'_>,
        range: (Duration, Duration),
        allowed: &'static str,
    ) -> Option<Duration> {
        let Some(text) = v.get_ref().as_str() else {
            self.wrong(field, v, "a duration in quotes, such as \"15m\"");
            return None;
        };
        let line = self.line(&v.span());
        let Some(d) = parse_duration(text) else {
            self.errors.push(SettingsError::BadDuration {
                line,
                field: field.to_owned(),
                value: text.to_owned(),
            });
            return None;
        };
        if d < range.0 || d > range.1 {
            self.errors.push(SettingsError::OutOfRange {
                line,
                field: field.to_owned(),
                value: format!("{text:?}"),
                allowed,
            });
            return None;
        }
        self.took(field, v);
        Some(d)
    }

    fn notifications(&mut self, table: &DeTable<'_>, into: &mut NotificationSettings) {
        for (key, v) in table.iter() {
            let field = format!("notifications.{}", key.get_ref());
            match key.get_ref().as_ref() {
                "enabled" => self.bool(&field, v, &mut into.enabled),
                "after_sleep" => self.bool(&field, v, &mut into.after_sleep),
                "processes" => self.bool(&field, v, &mut into.processes),
                _ => self.unknown(&field, key),
            }
        }
    }

    fn portal(&mut self, table: &DeTable<'_>, into: &mut PortalSettings) {
        for (key, v) in table.iter() {
            let field = format!("portal.{}", key.get_ref());
            match key.get_ref().as_ref() {
                "calls_per_second" => {
                    let max = i64::from(MAX_PORTAL_CALLS_PER_SECOND);
                    if let Some(n) = self.whole(
                        &field,
                        v,
                        1..=max,
                        "1 to 1000",
                        "a whole number from 1 to 1000",
                    ) {
                        into.calls_per_second = u32::try_from(n).unwrap_or(into.calls_per_second);
                    }
                }
                "check_every" => {
                    if let Some(d) = self.duration(&field, v, CHECK_EVERY_RANGE, "1h to 30d") {
                        into.check_every = d;
                    }
                }
                _ => self.unknown(&field, key),
            }
        }
    }

    fn aws(&mut self, table: &DeTable<'_>, into: &mut AwsEnvSettings) {
        for (key, v) in table.iter() {
            let field = format!("aws.{}", key.get_ref());
            let slot = match key.get_ref().as_ref() {
                "config_file" => &mut into.config_file,
                "credentials_file" => &mut into.credentials_file,
                "ca_bundle" => &mut into.ca_bundle,
                "https_proxy" => &mut into.https_proxy,
                "no_proxy" => &mut into.no_proxy,
                _ => {
                    self.unknown(&field, key);
                    continue;
                }
            };
            let Some(text) = v.get_ref().as_str() else {
                self.wrong(&field, v, "text in quotes");
                continue;
            };
            let text = text.trim();
            if field == "aws.https_proxy" && crate::proxy::check_url(text).is_err() {
                self.wrong(
                    &field,
                    v,
                    "a proxy address such as \"http://proxy.corp:3128\"",
                );
                continue;
            }
            // An empty value is the same as none: the variable applies.
            *slot = (!text.is_empty()).then(|| text.to_owned());
            if slot.is_some() {
                self.took(&field, v);
            } else {
                self.lines.remove(&field);
            }
        }
    }

    fn mfa(&mut self, table: &DeTable<'_>, into: &mut MfaSettings) {
        for (key, v) in table.iter() {
            let field = format!("mfa.{}", key.get_ref());
            match key.get_ref().as_ref() {
                "persist" => self.bool(&field, v, &mut into.persist),
                "session_duration" => {
                    if let Some(d) = self.duration(&field, v, MFA_SESSION_RANGE, "15m to 36h") {
                        into.session_duration = d;
                    }
                }
                _ => self.unknown(&field, key),
            }
        }
    }

    fn renew(&mut self, table: &DeTable<'_>, into: &mut RenewSettings, mfa: &mut MfaSettings) {
        for (key, v) in table.iter() {
            let field = format!("renew.{}", key.get_ref());
            match key.get_ref().as_ref() {
                "silent" => self.bool(&field, v, &mut into.silent),
                "static_keys" => self.bool(&field, v, &mut into.static_keys),
                "remove_on_exit" => self.bool(&field, v, &mut into.remove_on_exit),
                "concurrency" => {
                    let max = MAX_CONCURRENCY as i64;
                    if let Some(n) =
                        self.whole(&field, v, 1..=max, "1 to 64", "a whole number from 1 to 64")
                    {
                        into.concurrency = usize::try_from(n).unwrap_or(DEFAULT_CONCURRENCY);
                    }
                }
                // The older name of `mfa.session_duration`.
                "mfa_session" => {
                    if let Some(d) = self.duration(&field, v, MFA_SESSION_RANGE, "15m to 36h") {
                        mfa.session_duration = d;
                        // The older name sets the newer key.
                        self.lines.remove(&field);
                        self.took("mfa.session_duration", v);
                    }
                }
                _ => self.unknown(&field, key),
            }
        }
    }

    fn warnings(&mut self, table: &DeTable<'_>, into: &mut WarningSettings) {
        for (key, v) in table.iter() {
            let field = format!("warnings.{}", key.get_ref());
            if key.get_ref() != "leads" {
                self.unknown(&field, key);
                continue;
            }
            let Some(items) = v.get_ref().as_array() else {
                self.wrong(&field, v, "a list of durations, such as [\"15m\", \"5m\"]");
                continue;
            };
            let range = (Duration::seconds(1), MAX_WARNING_LEAD);
            let leads: Option<Vec<Duration>> = items
                .iter()
                .map(|item| self.duration(&field, item, range, "1s to 1d"))
                .collect();
            // The list as a whole is the value, on its own line.
            self.lines.remove(&field);
            if let Some(mut leads) = leads {
                self.took(&field, v);
                leads.sort_by(|a, b| b.cmp(a));
                leads.dedup();
                into.leads = leads;
            }
        }
    }

    fn session(&mut self, path: &str, table: &DeTable<'_>) -> SessionSettings {
        let mut out = SessionSettings {
            session_length: DEFAULT_SESSION_LENGTH,
            auto_sync: false,
        };
        for (key, v) in table.iter() {
            let field = format!("{path}.{}", key.get_ref());
            match key.get_ref().as_ref() {
                "session_length" => {
                    if let Some(d) = self.duration(&field, v, SESSION_LENGTH_RANGE, "15m to 90d") {
                        out.session_length = d;
                    }
                }
                "auto_sync" => self.bool(&field, v, &mut out.auto_sync),
                _ => self.unknown(&field, key),
            }
        }
        out
    }

    fn profile(&mut self, path: &str, table: &DeTable<'_>) -> ProfileSettings {
        let mut out = ProfileSettings::default();
        for (key, v) in table.iter() {
            let field = format!("{path}.{}", key.get_ref());
            match key.get_ref().as_ref() {
                "renew" => {
                    let mut b = false;
                    let before = self.errors.len();
                    self.bool(&field, v, &mut b);
                    if self.errors.len() == before {
                        out.renew = Some(b);
                    }
                }
                "take_over" => self.bool(&field, v, &mut out.take_over),
                "section" => match v.get_ref().as_str().map(str::trim) {
                    Some(s) if !s.is_empty() => {
                        out.section = Some(s.to_owned());
                        self.took(&field, v);
                    }
                    _ => self.wrong(&field, v, "a section name in quotes"),
                },
                _ => self.unknown(&field, key),
            }
        }
        out
    }
}
