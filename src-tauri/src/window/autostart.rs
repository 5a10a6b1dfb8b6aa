//! Start at login: an XDG autostart entry,
//! `$XDG_CONFIG_HOME/autostart/leasekeeper-tray.desktop` (else
//! `~/.config/autostart/…`), whose `Exec` line runs this program. A tray
//! started by the desktop inherits no shell's variables, so the entry names
//! the AWS files this app was started with when they are not the defaults.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::error::WindowError;

/// The entry's file name.
pub const ENTRY: &str = "leasekeeper-tray.desktop";

/// The entry's path in the environment `env`; `None` without a home.
pub fn path(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let nonempty = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let dir = nonempty("XDG_CONFIG_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| nonempty("HOME").map(|h| h.join(".config")))?;
    Some(dir.join("autostart").join(ENTRY))
}

/// The entry's text for `program`, with `vars` set before it runs.
pub fn entry(program: &Path, vars: &[(&str, String)]) -> String {
    let mut exec = String::new();
    if !vars.is_empty() {
        exec.push_str("env ");
        for (k, v) in vars {
            exec.push_str(&format!("{k}={} ", quote(v)));
        }
    }
    exec.push_str(&quote(&program.display().to_string()));
    format!(
        "[Desktop Entry]\nType=Application\nName=Leasekeeper\n\
         Comment=Keeps AWS credential leases alive\nExec={exec}\nIcon=leasekeeper\n\
         Terminal=false\nX-GNOME-Autostart-enabled=true\n"
    )
}

/// Quotes a word for a desktop entry's `Exec` line when it needs it.
fn quote(word: &str) -> String {
    if word.contains([' ', '\t', '"', '\'', '\\', '$', '`']) {
        format!(
            "\"{}\"",
            word.replace('\\', "\\\\\\\\")
                .replace('"', "\\\"")
                .replace('$', "\\$")
                .replace('`', "\\`")
        )
    } else {
        word.to_owned()
    }
}

/// Writes or removes the entry at `at`.
pub fn set(at: &Path, on: bool, text: &str) -> Result<(), WindowError> {
    let err = |source| WindowError::Write {
        path: at.to_owned(),
        source,
    };
    if on {
        if let Some(dir) = at.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        std::fs::write(at, text).map_err(err)
    } else {
        match std::fs::remove_file(at) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_entry_runs_this_program_with_the_files_it_looks_after() {
        let env = |n: &str| (n == "HOME").then(|| OsString::from("/home/me"));
        assert_eq!(
            path(env).unwrap(),
            Path::new("/home/me/.config/autostart/leasekeeper-tray.desktop")
        );
        let text = entry(
            Path::new("/opt/leasekeeper/leasekeeper-tray"),
            &[("AWS_CONFIG_FILE", "/home/me/my aws/config".to_owned())],
        );
        assert!(text.starts_with("[Desktop Entry]\n"), "{text}");
        assert!(
            text.contains(
                "\nExec=env AWS_CONFIG_FILE=\"/home/me/my aws/config\" /opt/leasekeeper/leasekeeper-tray\n"
            ),
            "{text}"
        );
        let dir = tempfile::tempdir().unwrap();
        let at = dir.path().join("autostart").join(ENTRY);
        set(&at, true, &text).unwrap();
        assert!(at.exists());
        set(&at, false, &text).unwrap();
        set(&at, false, &text).unwrap();
        assert!(!at.exists());
    }
}
