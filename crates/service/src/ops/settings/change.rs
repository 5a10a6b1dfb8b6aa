//! Change one setting in the keeper's settings file (`settings.toml`, see
//! [`leasekeeper_engine::settings`]). A change is checked and edited into
//! the file in place (`toml_edit`): every byte it does not change
//! (comments, key order, unknown keys) stays. A file that does not parse is
//! never written. The edit is a plan for [`locked_edit`], as every file
//! Leasekeeper writes: under the file's sidecar lock, re-checked, replaced
//! atomically and owner-only; the keeper, which re-reads the file every
//! tick, applies the change at once.

use std::path::{Path, PathBuf};

use leasekeeper_engine::profiles::locations::expand_home;
use leasekeeper_engine::proxy;
use leasekeeper_engine::settings::{
    MAX_WARNING_LEAD, SESSION_LENGTH_RANGE, Settings, format_duration, parse_duration,
};
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::locked_edit::{self, EditError, Planned, Refusal};
use toml_edit::{Array, DocumentMut, Item, Table, Value};

use crate::Environment;

pub use leasekeeper_engine::settings::AwsKey;

/// One change to the settings.
#[derive(Clone, PartialEq, Eq)]
pub enum Change {
    /// Warning lead times such as `15m`; empty for never.
    Leads(Vec<String>),
    /// Renewal of one profile on or off.
    Renew { profile: String, on: bool },
    /// The credentials-file section of one profile; empty for its own name.
    Section { profile: String, section: String },
    /// The estimated session length of one sso-session, e.g. `8h`.
    SessionLength { session: String, length: String },
    /// Desktop notifications on or off.
    Notifications(bool),
    /// An AWS file, the CA bundle or the proxy; empty: the variable's.
    Aws { key: AwsKey, value: String },
    /// Forget everything set for one profile (`[profiles.NAME]`): it is gone.
    ForgetProfile { profile: String },
}

impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Leads(leads) => f.debug_tuple("Leads").field(leads).finish(),
            Change::Renew { profile, on } => f
                .debug_struct("Renew")
                .field("profile", profile)
                .field("on", on)
                .finish(),
            Change::Section { profile, section } => f
                .debug_struct("Section")
                .field("profile", profile)
                .field("section", section)
                .finish(),
            Change::SessionLength { session, length } => f
                .debug_struct("SessionLength")
                .field("session", session)
                .field("length", length)
                .finish(),
            Change::Notifications(on) => f.debug_tuple("Notifications").field(on).finish(),
            Change::ForgetProfile { profile } => f
                .debug_struct("ForgetProfile")
                .field("profile", profile)
                .finish(),
            // A proxy's user and password are never shown.
            Change::Aws { key, value } => f
                .debug_struct("Aws")
                .field("key", key)
                .field("value", &proxy::shown(value))
                .finish(),
        }
    }
}

/// Why a change was refused, or the file not read.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("{field}: {message}")]
    BadValue { field: String, message: String },
    #[error("line {line}: {message}")]
    Parse { line: usize, message: String },
    #[error("it is not UTF-8 text")]
    NotText,
}

impl Refused {
    pub fn code(&self) -> &'static str {
        match self {
            Refused::BadValue { .. } => "settings_bad_value",
            Refused::Parse { .. } => "settings_parse",
            Refused::NotText => "settings_not_text",
        }
    }
}

impl Refusal for Refused {
    fn code(&self) -> &'static str {
        Refused::code(self)
    }
}

/// Why the settings could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("no settings file: neither LEASEKEEPER_CONFIG_DIR, XDG_CONFIG_HOME nor HOME is set")]
    NoPath,
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file as it is cannot be used (read for showing it).
    #[error("{}: {source}", path.display())]
    Invalid {
        path: PathBuf,
        #[source]
        source: Refused,
    },
    /// The value, checked before the file is touched.
    #[error(transparent)]
    Refused(Refused),
    #[error(transparent)]
    Edit(#[from] EditError<Refused>),
}

impl ChangeError {
    pub fn code(&self) -> &'static str {
        match self {
            ChangeError::NoPath => "settings_no_path",
            ChangeError::Read { .. } => "settings_unreadable",
            ChangeError::Invalid { source, .. } | ChangeError::Refused(source) => source.code(),
            ChangeError::Edit(e) => e.code(),
        }
    }
}

/// The settings file of `env` as the window edits it: the defaults when it
/// is missing; refused when it does not parse.
pub fn load(env: &Environment) -> Result<Settings, ChangeError> {
    let path = settings_path(env.lookup()).ok_or(ChangeError::NoPath)?;
    let text = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(source) => return Err(ChangeError::Read { path, source }),
    };
    match parse(&text) {
        Ok((settings, _)) => Ok(settings),
        Err(source) => Err(ChangeError::Invalid { path, source }),
    }
}

/// Makes `change` in the settings file of `env`. An `[aws]` value is
/// checked where it points first (`~` is `HOME`), and refused in the demo,
/// which looks after its own files only.
pub fn change(env: &Environment, change: &Change) -> Result<(), ChangeError> {
    let path = settings_path(env.lookup()).ok_or(ChangeError::NoPath)?;
    let change = match change {
        Change::Aws { key, value } => {
            if super::tray::is_demo(env) {
                return Err(ChangeError::Refused(bad(
                    key.setting(),
                    "the demo looks after its own files only".into(),
                )));
            }
            let home = super::tray::home_dir(env);
            let checked = check(*key, value, home.as_deref()).map_err(ChangeError::Refused)?;
            Change::Aws {
                key: *key,
                value: checked.unwrap_or_default(),
            }
        }
        other => other.clone(),
    };
    locked_edit::edit(&path, |current| plan(current, &change))?;
    Ok(())
}

/// The value to write for `key`, checked; `None` to remove the key (an
/// empty value: the variable applies again). `home_dir` expands a leading
/// `~`. A path is checked where it points; a CA bundle must hold a
/// certificate; a proxy address is named in errors without its user and
/// password.
pub fn check(key: AwsKey, value: &str, home_dir: Option<&Path>) -> Result<Option<String>, Refused> {
    let value = value.trim();
    if value.is_empty() {
        return Ok(None);
    }
    let field = key.setting();
    let bad = |message: String| bad(field, message);
    if value.chars().any(char::is_control) {
        return Err(bad("it holds a line break or a control character".into()));
    }
    let full = |v: &str| -> Result<PathBuf, Refused> {
        let p = match home_dir {
            Some(h) => expand_home(Path::new(v), h),
            None => PathBuf::from(v),
        };
        if p.is_absolute() {
            Ok(p)
        } else {
            Err(bad(format!(
                "{v:?} is not a full path (such as ~/.aws/config or /etc/ssl/corp.pem)"
            )))
        }
    };
    match key {
        AwsKey::ConfigFile | AwsKey::CredentialsFile => {
            let path = full(value)?;
            if path.is_dir() {
                return Err(bad(format!("{} is a folder, not a file", path.display())));
            }
            let parent = path.parent().unwrap_or(Path::new("/"));
            if !parent.is_dir() {
                return Err(bad(format!(
                    "the folder {} does not exist",
                    parent.display()
                )));
            }
        }
        AwsKey::CaBundle => {
            let path = full(value)?;
            let pem = std::fs::read(&path)
                .map_err(|e| bad(format!("cannot read {}: {e}", path.display())))?;
            let marker = b"-----BEGIN CERTIFICATE-----";
            if !pem.windows(marker.len()).any(|w| w == marker) {
                return Err(bad(format!("{} holds no PEM certificate", path.display())));
            }
        }
        AwsKey::HttpsProxy => proxy::check_url(value).map_err(|e| bad(e.to_string()))?,
        AwsKey::NoProxy => {}
    }
    Ok(Some(value.to_owned()))
}

/// The settings and the document of the file's `bytes`.
fn parse(bytes: &[u8]) -> Result<(Settings, DocumentMut), Refused> {
    let text = std::str::from_utf8(bytes).map_err(|_| Refused::NotText)?;
    let doc = text.parse::<DocumentMut>().map_err(|e| Refused::Parse {
        line: e.span().map_or(0, |s| {
            let before = text.as_bytes().iter().take(s.start);
            before.filter(|b| **b == b'\n').count() + 1
        }),
        message: e.message().to_owned(),
    })?;
    Ok((Settings::parse(text).0, doc))
}

/// The file's new text with `change` made, from its `current` bytes (an
/// `[aws]` value already checked).
pub fn plan(current: Option<&[u8]>, change: &Change) -> Result<Planned<()>, Refused> {
    let (_, mut doc) = parse(current.unwrap_or_default())?;
    let table = doc.as_table_mut();
    match change {
        Change::Leads(leads) => {
            let mut values = Vec::new();
            for lead in leads {
                let d = duration(lead, "warning lead")?;
                if d > MAX_WARNING_LEAD || d.is_zero() {
                    return Err(bad(
                        "warning lead",
                        format!("{lead} is not between 1s and 1d"),
                    ));
                }
                values.push(format_duration(d));
            }
            let leads: Array = values.into_iter().collect();
            set(sub(table, &["warnings"]), "leads", Value::Array(leads));
        }
        Change::Renew { profile, on } => {
            set(
                sub(table, &["profiles", profile]),
                "renew",
                Value::from(*on),
            );
        }
        Change::Section { profile, section } => {
            let section = section.trim();
            if section.contains(['[', ']', '\n', '#', ';']) {
                return Err(bad("section", format!("{section:?} is not a section name")));
            }
            let t = sub(table, &["profiles", profile]);
            if section.is_empty() || section == profile {
                t.remove("section");
            } else {
                set(t, "section", Value::from(section));
            }
        }
        Change::SessionLength { session, length } => {
            let d = duration(length, "session length")?;
            let (lo, hi) = SESSION_LENGTH_RANGE;
            if d < lo || d > hi {
                return Err(bad(
                    "session length",
                    format!("{length} is not between 15m and 90d"),
                ));
            }
            let length = Value::from(format_duration(d));
            set(
                sub(table, &["sso_sessions", session]),
                "session_length",
                length,
            );
        }
        Change::Notifications(on) => {
            set(sub(table, &["notifications"]), "enabled", Value::from(*on));
        }
        Change::ForgetProfile { profile } => {
            let Some(profiles) = table
                .get_mut("profiles")
                .and_then(|t| t.as_table_like_mut())
            else {
                return Ok(Planned::Unchanged(()));
            };
            if profiles.remove(profile).is_none() {
                return Ok(Planned::Unchanged(()));
            }
        }
        Change::Aws { key, value } => {
            let t = sub(table, &["aws"]);
            let value = value.trim();
            if value.is_empty() {
                t.remove(key.setting());
            } else {
                set(t, key.setting(), Value::from(value));
            }
        }
    }
    Ok(Planned::Replace(doc.to_string().into_bytes(), ()))
}

fn duration(text: &str, field: &str) -> Result<time::Duration, Refused> {
    parse_duration(text).ok_or_else(|| {
        bad(
            field,
            format!("{text:?} is not a duration such as \"15m\", \"8h\" or \"1h30m\""),
        )
    })
}

fn bad(field: &str, message: String) -> Refused {
    Refused::BadValue {
        field: field.to_owned(),
        message,
    }
}

/// The table at `keys`, created on the way (a parent made only for its
/// sub-table gets no header of its own); an inline table becomes a table.
fn sub<'a>(table: &'a mut Table, keys: &[&str]) -> &'a mut Table {
    let mut t = table;
    for key in keys {
        let fresh = !t.contains_key(key);
        let entry = t.entry(key).or_insert_with(|| Item::Table(Table::new()));
        if !entry.is_table() {
            let old = std::mem::take(entry);
            *entry = Item::Table(old.into_table().unwrap_or_default());
        }
        let Item::Table(inner) = entry else {
            unreachable!("made a table just above")
        };
        if fresh && key != keys.last().unwrap_or(key) {
            inner.set_implicit(true);
        }
        t = inner;
    }
    t
}

/// Sets `key` to `value`, keeping the comment and spacing around an old value.
fn set(table: &mut Table, key: &str, mut value: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An environment whose settings file is in `dir`.
    fn env_in(dir: &Path) -> Environment {
        let mut env = Environment::process();
        env.set("LEASEKEEPER_CONFIG_DIR", dir);
        env.set("HOME", dir);
        env.unset(crate::demo::DEMO_ENV);
        env
    }

    #[test]
    fn changes_land_in_the_file_the_keeper_reads_and_other_keys_stay() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_in(dir.path());
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "[renew]\nconcurrency = 2\n").unwrap();
        change(&env, &Change::Leads(vec!["30m".into(), "90s".into()])).unwrap();
        change(
            &env,
            &Change::Renew {
                profile: "dev".into(),
                on: false,
            },
        )
        .unwrap();
        change(
            &env,
            &Change::Section {
                profile: "dev".into(),
                section: "dev-keys".into(),
            },
        )
        .unwrap();
        let s = load(&env).unwrap();
        assert_eq!(s.renew.concurrency, 2);
        assert_eq!(
            s.warnings.leads,
            vec![time::Duration::minutes(30), time::Duration::seconds(90)]
        );
        assert!(!s.auto_renew("dev", false));
        assert_eq!(s.section_for("dev"), "dev-keys");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            Settings::parse(&text).1.is_empty(),
            "the keeper reads it cleanly: {text}"
        );
    }

    #[test]
    fn aws_keys_are_checked_set_and_removed_in_their_table() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_in(dir.path());
        std::fs::create_dir(dir.path().join("work")).unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "[aws]\nno_proxy = \"localhost\" # mine\n").unwrap();
        let aws = |key, value: &str| Change::Aws {
            key,
            value: value.into(),
        };
        change(&env, &aws(AwsKey::ConfigFile, "~/work/config")).unwrap();
        change(&env, &aws(AwsKey::NoProxy, "localhost,.corp")).unwrap();
        let s = load(&env).unwrap();
        assert_eq!(s.aws.config_file.as_deref(), Some("~/work/config"));
        assert_eq!(s.aws.no_proxy.as_deref(), Some("localhost,.corp"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("no_proxy = \"localhost,.corp\" # mine"),
            "{text}"
        );
        change(&env, &aws(AwsKey::ConfigFile, " ")).unwrap();
        assert_eq!(load(&env).unwrap().aws.config_file, None, "removed");

        let e = change(&env, &aws(AwsKey::ConfigFile, "~/nope/config")).unwrap_err();
        assert_eq!(e.code(), "settings_bad_value");
        let e = change(&env, &aws(AwsKey::HttpsProxy, "ftp://me:hunter2@proxy")).unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(
            !format!("{:?}", aws(AwsKey::HttpsProxy, "http://me:hunter2@p:1")).contains("hunter2")
        );

        let mut demo = env_in(dir.path());
        demo.set(crate::demo::DEMO_ENV, "1");
        let e = change(&demo, &aws(AwsKey::NoProxy, ".corp")).unwrap_err();
        assert_eq!(e.code(), "settings_bad_value");
        assert!(e.to_string().contains("demo"), "{e}");
    }

    #[test]
    fn values_are_checked_where_they_point_and_errors_name_them() {
        let dir = tempfile::tempdir().unwrap();
        let home = Some(dir.path());
        let ok = |k, v: &str| check(k, v, home).unwrap();
        let err = |k, v: &str| check(k, v, home).unwrap_err().to_string();
        assert_eq!(ok(AwsKey::ConfigFile, "  "), None, "empty: the variable");
        assert_eq!(
            ok(AwsKey::ConfigFile, "~/config"),
            Some("~/config".into()),
            "written as typed, ~ and all"
        );
        assert!(err(AwsKey::ConfigFile, "config").contains("not a full path"));
        assert!(err(AwsKey::ConfigFile, "~/nope/config").contains("does not exist"));
        assert!(err(AwsKey::CredentialsFile, "~").contains("is a folder"));

        let pem = dir.path().join("ca.pem");
        std::fs::write(&pem, "not a certificate").unwrap();
        let e = err(AwsKey::CaBundle, "~/ca.pem");
        assert!(e.contains("ca.pem holds no PEM certificate"), "{e}");
        assert!(err(AwsKey::CaBundle, "~/missing.pem").contains("cannot read"));
        std::fs::write(
            &pem,
            "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        assert!(ok(AwsKey::CaBundle, "~/ca.pem").is_some());

        assert!(ok(AwsKey::HttpsProxy, "http://me:pw@proxy.corp:3128").is_some());
        let e = err(AwsKey::HttpsProxy, "ftp://me:hunter2@proxy.corp");
        assert!(e.contains("http://") && !e.contains("hunter2"), "{e}");
        assert!(err(AwsKey::NoProxy, "a\nb").contains("line break"));
    }

    #[test]
    fn a_bad_value_is_refused_and_the_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_in(dir.path());
        let path = dir.path().join("settings.toml");
        let e = change(&env, &Change::Leads(vec!["soon".into()])).unwrap_err();
        assert_eq!(e.code(), "settings_bad_value");
        assert!(!path.exists());
        let e = change(
            &env,
            &Change::SessionLength {
                session: "corp".into(),
                length: "1m".into(),
            },
        )
        .unwrap_err();
        assert_eq!(e.code(), "settings_bad_value");
    }

    #[test]
    fn a_change_keeps_comments_key_order_and_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_in(dir.path());
        let path = dir.path().join("settings.toml");
        let before = "# my settings\n\n[renew]\nconcurrency = 2  # two at once\nfuture_key = \"kept\"\n\n[warnings]\n# lead times\nleads = [\"15m\"]   # before the end\n\n[profiles.dev]\nsection = \"dev\"\n";
        std::fs::write(&path, before).unwrap();
        change(&env, &Change::Leads(vec!["30m".into()])).unwrap();
        change(&env, &Change::Notifications(false)).unwrap();
        let after = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            after,
            before.replace("[\"15m\"]", "[\"30m\"]") + "\n[notifications]\nenabled = false\n",
            "only the changed value moved"
        );
        let s = load(&env).unwrap();
        assert!(!s.notifications.enabled);
        assert_eq!(s.warnings.leads, vec![time::Duration::minutes(30)]);
        change(&env, &Change::Notifications(true)).unwrap();
        assert!(load(&env).unwrap().notifications.enabled);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "owner-only");
        }
    }

    #[test]
    fn a_broken_file_is_refused_naming_its_line_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_in(dir.path());
        let path = dir.path().join("settings.toml");
        let broken = "# mine\n[renew]\nsilent = yes please\n";
        std::fs::write(&path, broken).unwrap();
        let e = change(&env, &Change::Notifications(false)).unwrap_err();
        assert_eq!(e.code(), "settings_parse");
        let shown = e.to_string();
        assert!(shown.contains("settings.toml"), "{shown}");
        assert!(
            matches!(
                e,
                ChangeError::Edit(EditError::Refused {
                    source: Refused::Parse { line: 3, .. },
                    ..
                })
            ),
            "{e:?}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
        let e = load(&env).unwrap_err();
        assert_eq!(e.code(), "settings_parse");
    }
}
