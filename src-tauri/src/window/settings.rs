//! The settings the window edits, kept in the keeper's settings file
//! (`settings.toml`, see [`leasekeeper_engine::settings`]). A change is
//! checked, written into the file's table (other keys kept; the file is
//! replaced atomically) and the keeper, which re-reads the file every
//! tick, applies it at once.

use std::path::{Path, PathBuf};

use leasekeeper_engine::lease::Lease;
use leasekeeper_engine::resolve::StepView;
use leasekeeper_engine::settings::{
    MAX_WARNING_LEAD, SESSION_LENGTH_RANGE, Settings, format_duration, parse_duration,
};
use toml::{Table, Value};

use super::dto::{ProfileSettingsDto, SessionDto, SettingChange, SettingsDto};
use super::error::WindowError;

/// Reads the settings file (the defaults when it is missing).
pub fn read(path: &Path) -> Result<(Settings, Table), WindowError> {
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
    let table = text.parse::<Table>().map_err(|e| WindowError::Parse {
        path: path.to_owned(),
        line: e
            .span()
            .map_or(0, |s| text[..s.start].matches('\n').count() + 1),
        message: e.message().to_owned(),
    })?;
    Ok((Settings::parse(&text).0, table))
}

/// Applies `change` to the file at `path`.
pub fn apply(path: &Path, change: &SettingChange) -> Result<(), WindowError> {
    let (_, mut table) = read(path)?;
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
                values.push(Value::String(format_duration(d)));
            }
            sub(&mut table, &["warnings"]).insert("leads".into(), Value::Array(values));
        }
        SettingChange::Renew { profile, on } => {
            sub(&mut table, &["profiles", profile]).insert("renew".into(), Value::Boolean(*on));
        }
        SettingChange::Section { profile, section } => {
            let section = section.trim();
            if section.contains(['[', ']', '\n', '#', ';']) {
                return Err(bad("section", format!("{section:?} is not a section name")));
            }
            let t = sub(&mut table, &["profiles", profile]);
            if section.is_empty() || section == profile {
                t.remove("section");
            } else {
                t.insert("section".into(), Value::String(section.to_owned()));
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
            sub(&mut table, &["sso_sessions", session])
                .insert("session_length".into(), Value::String(format_duration(d)));
        }
        SettingChange::StartAtLogin { .. } => return Ok(()),
    }
    write(path, &table.to_string())
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

/// The table at `keys`, created on the way.
fn sub<'a>(table: &'a mut Table, keys: &[&str]) -> &'a mut Table {
    let mut t = table;
    for key in keys {
        let entry = t
            .entry((*key).to_owned())
            .or_insert_with(|| Value::Table(Table::new()));
        if !entry.is_table() {
            *entry = Value::Table(Table::new());
        }
        t = match entry {
            Value::Table(inner) => inner,
            _ => unreachable!("replaced by a table just above"),
        };
    }
    t
}

/// Replaces the file atomically (a temporary file beside it, then a rename).
fn write(path: &Path, text: &str) -> Result<(), WindowError> {
    let err = |source| WindowError::Write {
        path: path.to_owned(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let tmp: PathBuf = dir.join(format!(".settings.toml.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
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
        config_path: String::new(),
        credentials_path: String::new(),
        ca_bundle: None,
        proxy: None,
    }
}

/// A proxy URL without its user and password: `http://user:pw@host:3128`
/// becomes `http://host:3128`.
pub fn proxy_shown(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    if scheme.is_empty() {
        rest.to_owned()
    } else {
        format!("{scheme}://{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_proxy_is_shown_without_its_password() {
        assert_eq!(
            proxy_shown("http://me:s3cret@proxy.corp:3128"),
            "http://proxy.corp:3128"
        );
        assert_eq!(proxy_shown("proxy.corp:3128"), "proxy.corp:3128");
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
}
