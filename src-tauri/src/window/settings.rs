//! The settings the window edits, kept in the keeper's settings file
//! (`settings.toml`, see [`leasekeeper_engine::settings`]). A change is
//! checked and edited into the file in place: every byte it does not change
//! (comments, key order, unknown keys) stays. A file that does not parse is
//! never written. The edit is made under the file's sidecar lock and the
//! file replaced atomically, owner-only, as every file Leasekeeper writes;
//! the keeper, which re-reads it every tick, applies the change at once.

use std::path::Path;

use leasekeeper_engine::lease::Lease;
use leasekeeper_engine::resolve::StepView;
use leasekeeper_engine::settings::{
    MAX_WARNING_LEAD, SESSION_LENGTH_RANGE, Settings, format_duration, parse_duration,
};
use leasekeeper_host::atomic;
use leasekeeper_host::lock::FileLock;
use toml_edit::{Array, DocumentMut, Item, Table, Value};

use super::dto::{ProfileSettingsDto, SessionDto, SettingChange, SettingsDto};
use super::error::WindowError;

/// Reads the settings file (the defaults when it is missing).
pub fn read(path: &Path) -> Result<(Settings, DocumentMut), WindowError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(WindowError::Read {
                path: path.to_owned(),
                source,
            });
        }
    };
    let doc = text
        .parse::<DocumentMut>()
        .map_err(|e| WindowError::Parse {
            path: path.to_owned(),
            line: e.span().map_or(0, |s| {
                let before = text.as_bytes().iter().take(s.start);
                before.filter(|b| **b == b'\n').count() + 1
            }),
            message: e.message().to_owned(),
        })?;
    Ok((Settings::parse(&text).0, doc))
}

/// The longest an edit waits for another writer of the file.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Applies `change` to the file at `path`.
pub fn apply(path: &Path, change: &SettingChange) -> Result<(), WindowError> {
    let _lock = FileLock::acquire(path, LOCK_WAIT).map_err(|e| WindowError::Lock {
        message: e.to_string(),
    })?;
    let (_, mut doc) = read(path)?;
    let table = doc.as_table_mut();
    match change {
        SettingChange::Leads { leads } => {
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
        SettingChange::Renew { profile, on } => {
            set(
                sub(table, &["profiles", profile]),
                "renew",
                Value::from(*on),
            );
        }
        SettingChange::Section { profile, section } => {
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
        SettingChange::SessionLength { session, length } => {
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
        SettingChange::Notifications { on } => {
            set(sub(table, &["notifications"]), "enabled", Value::from(*on));
        }
        SettingChange::Aws { key, value } => {
            // Checked by the caller (`aws_env::check`), which knows the home folder.
            let t = sub(table, &["aws"]);
            let value = value.trim();
            if value.is_empty() {
                t.remove(key.setting());
            } else {
                set(t, key.setting(), Value::from(value));
            }
        }
        SettingChange::StartAtLogin { .. } => return Ok(()),
    }
    write(path, &doc.to_string())
}

fn duration(text: &str, field: &str) -> Result<time::Duration, WindowError> {
    parse_duration(text).ok_or_else(|| {
        bad(
            field,
            format!("{text:?} is not a duration such as \"15m\", \"8h\" or \"1h30m\""),
        )
    })
}

fn bad(field: &str, message: String) -> WindowError {
    WindowError::BadValue {
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
            *entry = Item::Table(match old.into_table() {
                Ok(inner) => inner,
                Err(_) => Table::new(),
            });
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

/// Replaces the file atomically (a temporary file beside it, then a rename).
fn write(path: &Path, text: &str) -> Result<(), WindowError> {
    atomic::write_atomic(path, text.as_bytes()).map_err(|source| WindowError::Write {
        path: path.to_owned(),
        source,
    })
}

/// The settings as the window shows them.
pub fn dto(
    path: Option<&Path>,
    settings: &Settings,
    leases: &[Lease],
    sessions: &[SessionDto],
    autostart: Option<&Path>,
) -> SettingsDto {
    let mut profiles: Vec<ProfileSettingsDto> = leases
        .iter()
        .filter(|l| matches!(l.kind.as_str(), "sso" | "role"))
        .map(|l| {
            let over_keys = l.source.iter().any(|s| {
                matches!(
                    s,
                    StepView::StaticKeys { .. } | StepView::TemporaryKeys { .. }
                )
            });
            ProfileSettingsDto {
                profile: l.profile.clone(),
                renew: settings.auto_renew(&l.profile, over_keys),
                section: settings.section_for(&l.profile).to_owned(),
                can_use_process: true,
            }
        })
        .collect();
    profiles.sort_by(|a, b| a.profile.cmp(&b.profile));
    SettingsDto {
        path: path.map(|p| p.display().to_string()),
        leads: settings
            .warnings
            .leads
            .iter()
            .map(|d| format_duration(*d))
            .collect(),
        renew_silent: settings.renew.silent,
        notifications: settings.notifications.enabled,
        profiles,
        sessions: sessions
            .iter()
            .map(|s| super::dto::SessionSettingsDto {
                name: s.name.clone(),
                session_length: format_duration(settings.session_length(&s.name)),
            })
            .collect(),
        start_at_login: autostart.is_some_and(Path::exists),
        autostart_path: autostart.map(|p| p.display().to_string()),
        aws: Vec::new(),
        aws_editable: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::window::dto::AwsKey;

    #[test]
    fn changes_land_in_the_file_the_keeper_reads_and_other_keys_stay() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "[renew]\nconcurrency = 2\n").unwrap();
        apply(
            &path,
            &SettingChange::Leads {
                leads: vec!["30m".into(), "90s".into()],
            },
        )
        .unwrap();
        apply(
            &path,
            &SettingChange::Renew {
                profile: "dev".into(),
                on: false,
            },
        )
        .unwrap();
        apply(
            &path,
            &SettingChange::Section {
                profile: "dev".into(),
                section: "dev-keys".into(),
            },
        )
        .unwrap();
        let (s, _) = read(&path).unwrap();
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
    fn aws_keys_are_set_and_removed_in_their_table() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "[aws]\nno_proxy = \"localhost\" # mine\n").unwrap();
        let aws = |key, value: &str| SettingChange::Aws {
            key,
            value: value.into(),
        };
        apply(&path, &aws(AwsKey::ConfigFile, "~/work/config")).unwrap();
        apply(&path, &aws(AwsKey::NoProxy, "localhost,.corp")).unwrap();
        let (s, _) = read(&path).unwrap();
        assert_eq!(s.aws.config_file.as_deref(), Some("~/work/config"));
        assert_eq!(s.aws.no_proxy.as_deref(), Some("localhost,.corp"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("no_proxy = \"localhost,.corp\" # mine"),
            "{text}"
        );
        apply(&path, &aws(AwsKey::ConfigFile, " ")).unwrap();
        assert_eq!(read(&path).unwrap().0.aws.config_file, None, "removed");
    }

    #[test]
    fn a_bad_value_is_refused_and_the_file_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        let e = apply(
            &path,
            &SettingChange::Leads {
                leads: vec!["soon".into()],
            },
        )
        .unwrap_err();
        assert_eq!(e.code(), "window_bad_value");
        assert!(!path.exists());
        let e = apply(
            &path,
            &SettingChange::SessionLength {
                session: "corp".into(),
                length: "1m".into(),
            },
        )
        .unwrap_err();
        assert_eq!(e.code(), "window_bad_value");
    }

    #[test]
    fn a_change_keeps_comments_key_order_and_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.toml");
        let before = "# my settings\n\n[renew]\nconcurrency = 2  # two at once\nfuture_key = \"kept\"\n\n[warnings]\n# lead times\nleads = [\"15m\"]   # before the end\n\n[profiles.dev]\nsection = \"dev\"\n";
        std::fs::write(&path, before).unwrap();
        apply(
            &path,
            &SettingChange::Leads {
                leads: vec!["30m".into()],
            },
        )
        .unwrap();
        apply(&path, &SettingChange::Notifications { on: false }).unwrap();
        let after = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            after,
            before.replace("[\"15m\"]", "[\"30m\"]") + "\n[notifications]\nenabled = false\n",
            "only the changed value moved"
        );
        let (s, _) = read(&path).unwrap();
        assert!(!s.notifications.enabled);
        assert_eq!(s.warnings.leads, vec![time::Duration::minutes(30)]);
        apply(&path, &SettingChange::Notifications { on: true }).unwrap();
        assert!(read(&path).unwrap().0.notifications.enabled);
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
        let path = dir.path().join("settings.toml");
        let broken = "# mine\n[renew]\nsilent = yes please\n";
        std::fs::write(&path, broken).unwrap();
        let e = apply(&path, &SettingChange::Notifications { on: false }).unwrap_err();
        assert_eq!(e.code(), "window_settings_parse");
        let shown = e.to_string();
        assert!(shown.contains("settings.toml"), "{shown}");
        assert!(matches!(e, WindowError::Parse { line: 3, .. }), "{e:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), broken);
    }
}
