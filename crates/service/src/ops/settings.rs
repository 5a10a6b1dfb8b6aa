//! Read the settings in effect: the settings file where the environment
//! puts it, every value with where it came from, and the file's problems.
//! `leasekeeper settings` prints this; the window reads the same file.
//! [`change()`] makes one change in it (the window's settings), and
//! [`tray`] lays its `[aws]` table over the tray's environment.

mod change;
pub mod tray;

pub use change::{AwsKey, Change, ChangeError, Refused, change, check, load, plan};
pub use tray::{Home, HomeError, tray_environment};

use std::ffi::OsString;
use std::path::PathBuf;

use leasekeeper_engine::settings::effective::{Effective, effective};
use leasekeeper_engine::settings::{Settings, SettingsError};
use leasekeeper_host::keeper::settings_file::settings_path;

/// The settings in effect for an environment.
#[derive(Debug, Clone)]
pub struct SettingsView {
    /// The settings file; `None` without a home folder to put it in.
    pub path: Option<PathBuf>,
    /// Whether that file exists (a missing file is every default).
    pub found: bool,
    /// Every setting in effect, with where its value came from.
    pub entries: Vec<Effective>,
    /// What the file gets wrong, in file order; each stands on its default.
    pub problems: Vec<SettingsError>,
}

/// Why the settings file could not be read at all.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the settings file {}: {source}", path.display())]
pub struct SettingsReadError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

impl SettingsReadError {
    pub fn code(&self) -> &'static str {
        "settings_unreadable"
    }
}

/// The settings in effect for the environment `env` (the settings file
/// from `LEASEKEEPER_CONFIG_DIR`, `XDG_CONFIG_HOME` or `HOME`; the `[aws]`
/// keys' variables).
pub fn read(env: impl Fn(&str) -> Option<OsString>) -> Result<SettingsView, SettingsReadError> {
    let path = settings_path(&env);
    let text = match &path {
        None => None,
        Some(p) => match std::fs::read(p) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(SettingsReadError {
                    path: p.clone(),
                    source,
                });
            }
        },
    };
    let found = text.is_some();
    let parsed = Settings::parse_traced(text.as_deref().unwrap_or(""));
    let entries = effective(&parsed, |name| {
        env(name).map(|v| v.to_string_lossy().into_owned())
    });
    Ok(SettingsView {
        path,
        found,
        entries,
        problems: parsed.problems,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use leasekeeper_engine::settings::effective::Source;

    fn env_of(vars: Vec<(&'static str, OsString)>) -> impl Fn(&str) -> Option<OsString> {
        move |n| vars.iter().find(|(k, _)| *k == n).map(|(_, v)| v.clone())
    }

    #[test]
    fn the_file_the_environment_names_is_read_and_a_missing_one_is_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let env = || {
            env_of(vec![
                ("LEASEKEEPER_CONFIG_DIR", dir.path().into()),
                ("AWS_CA_BUNDLE", "/env/ca.pem".into()),
            ])
        };
        let view = read(env()).unwrap();
        assert!(!view.found);
        assert_eq!(
            view.path.as_deref(),
            Some(dir.path().join("settings.toml").as_path())
        );
        assert!(view.problems.is_empty());

        std::fs::write(
            dir.path().join("settings.toml"),
            "[renew]\nconcurrency = 99\nstatic_keys = true\n",
        )
        .unwrap();
        let view = read(env()).unwrap();
        assert!(view.found);
        let at = |key: &str| view.entries.iter().find(|e| e.key == key).unwrap().clone();
        assert_eq!(at("renew.static_keys").source, Source::File { line: 3 });
        assert_eq!(at("renew.concurrency").source, Source::Default);
        assert_eq!(
            at("aws.ca_bundle").source,
            Source::Environment {
                variable: "AWS_CA_BUNDLE"
            }
        );
        assert_eq!(view.problems.len(), 1);
        assert_eq!(view.problems[0].code(), "settings_out_of_range");
    }

    #[test]
    fn a_file_that_cannot_be_read_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        // A folder where the file should be: reading it fails.
        std::fs::create_dir(dir.path().join("settings.toml")).unwrap();
        let err = read(env_of(vec![("LEASEKEEPER_CONFIG_DIR", dir.path().into())])).unwrap_err();
        assert_eq!(err.code(), "settings_unreadable");
        assert!(err.to_string().contains("settings.toml"), "{err}");
    }
}
