//! Leasekeeper's state folder: `LEASEKEEPER_STATE_DIR` when set (tests,
//! demos), else `$XDG_STATE_HOME/leasekeeper`, else
//! `~/.local/state/leasekeeper`. docs/STATE.md lists every file in it.

use std::ffi::OsString;
use std::path::PathBuf;

/// Moves the state folder (tests and demos).
pub const STATE_DIR_ENV: &str = "LEASEKEEPER_STATE_DIR";

/// The state folder for the environment `env`; `None` without any of the
/// variables (no home folder).
pub fn state_dir(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let nonempty = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = nonempty(STATE_DIR_ENV) {
        return Some(dir);
    }
    // The XDG spec: a relative XDG_STATE_HOME is invalid and ignored.
    if let Some(xdg) = nonempty("XDG_STATE_HOME").filter(|p| p.is_absolute()) {
        return Some(xdg.join("leasekeeper"));
    }
    nonempty("HOME").map(|h| h.join(".local/state/leasekeeper"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn dir(vars: &[(&str, &str)]) -> Option<PathBuf> {
        state_dir(|n| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn the_variable_wins_then_xdg_then_home() {
        let all = [
            (STATE_DIR_ENV, "/tmp/lk"),
            ("XDG_STATE_HOME", "/x"),
            ("HOME", "/h"),
        ];
        assert_eq!(dir(&all).unwrap(), Path::new("/tmp/lk"));
        assert_eq!(dir(&all[1..]).unwrap(), Path::new("/x/leasekeeper"));
        assert_eq!(
            dir(&all[2..]).unwrap(),
            Path::new("/h/.local/state/leasekeeper")
        );
        assert_eq!(
            dir(&[("XDG_STATE_HOME", "rel"), ("HOME", "/h")]).unwrap(),
            Path::new("/h/.local/state/leasekeeper")
        );
        assert_eq!(dir(&[]), None);
    }
}
