//! The settings file: `$LEASEKEEPER_CONFIG_DIR/settings.toml`, else
//! `$XDG_CONFIG_HOME/leasekeeper/settings.toml`, else
//! `~/.config/leasekeeper/settings.toml`. Stamped every tick like the AWS
//! files; a missing file is the defaults, a bad one is logged and its
//! defaults used ([`Settings::parse`] never fails).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use leasekeeper_engine::settings::Settings;

use super::watch::{Stamp, stamp};

/// Moves the settings folder (tests, demos).
pub const CONFIG_DIR_ENV: &str = "LEASEKEEPER_CONFIG_DIR";
/// The file's name in the settings folder.
pub const SETTINGS_FILE: &str = "settings.toml";

/// The settings file for the environment `env`; `None` without a home.
pub fn settings_path(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let nonempty = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let dir = nonempty(CONFIG_DIR_ENV)
        .or_else(|| {
            nonempty("XDG_CONFIG_HOME")
                .filter(|p| p.is_absolute())
                .map(|x| x.join("leasekeeper"))
        })
        .or_else(|| nonempty("HOME").map(|h| h.join(".config/leasekeeper")))?;
    Some(dir.join(SETTINGS_FILE))
}

/// The settings file and its stamp at the last read.
#[derive(Debug)]
pub struct SettingsFile {
    path: Option<PathBuf>,
    last: Option<Option<Stamp>>,
}

impl SettingsFile {
    pub fn new(path: Option<PathBuf>) -> SettingsFile {
        SettingsFile { path, last: None }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The settings, read again when the file changed (always on the first call).
    pub fn poll(&mut self) -> Option<Settings> {
        let now = self.path.as_deref().and_then(stamp);
        if self.last == Some(now) {
            return None;
        }
        self.last = Some(now);
        Some(self.read())
    }

    fn read(&self) -> Settings {
        let Some(path) = &self.path else {
            return Settings::default();
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Settings::default(),
            Err(e) => {
                tracing::error!(path = %path.display(), error = %e, "cannot read the settings file; using the defaults");
                return Settings::default();
            }
        };
        let (settings, problems) = Settings::parse(&text);
        for p in problems {
            tracing::error!(path = %path.display(), "{p}");
        }
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_variable_wins_and_a_bad_file_gives_the_defaults() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                vars.iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        assert_eq!(
            settings_path(env(&[(CONFIG_DIR_ENV, "/c"), ("HOME", "/h")])).unwrap(),
            Path::new("/c/settings.toml")
        );
        assert_eq!(
            settings_path(env(&[("XDG_CONFIG_HOME", "/x"), ("HOME", "/h")])).unwrap(),
            Path::new("/x/leasekeeper/settings.toml")
        );
        assert_eq!(
            settings_path(env(&[("HOME", "/h")])).unwrap(),
            Path::new("/h/.config/leasekeeper/settings.toml")
        );

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        let mut file = SettingsFile::new(Some(path.clone()));
        assert_eq!(file.poll().unwrap(), Settings::default());
        assert!(file.poll().is_none());
        std::fs::write(
            &path,
            "[renew]\nconcurrency = \"many\"\nremove_on_exit = true\n",
        )
        .unwrap();
        let s = file.poll().expect("a new file is read");
        assert_eq!(s.renew.concurrency, Settings::default().renew.concurrency);
        assert!(s.renew.remove_on_exit);
    }
}
