//! Start at login: an XDG autostart entry,
//! `$XDG_CONFIG_HOME/autostart/leasekeeper-tray.desktop` (else
//! `~/.config/autostart/…`), whose `Exec` line runs the tray. A tray
//! started by the desktop inherits no shell's variables, so the entry names
//! the AWS files the tray was started with. The entry is written and
//! removed as every file Leasekeeper writes ([`locked_edit`]: under its
//! sidecar lock, atomically, owner-only).
//!
//! The `Exec` line follows the Desktop Entry specification: an argument
//! holding a reserved character is quoted in double quotes, `"`, `` ` ``,
//! `$` and `\` escaped within them (and each escape's backslash escaped
//! again, as the value is a string first); `%` is `%%` (a field code
//! otherwise). A value with a line break or another control character
//! cannot be named safely and is refused.

use std::convert::Infallible;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use leasekeeper_host::locked_edit::{self, EditError, Planned};

/// The entry's file name.
pub const ENTRY: &str = "leasekeeper-tray.desktop";

/// The variables the entry names, when set.
pub const VARIABLES: [&str; 3] = [
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CA_BUNDLE",
];

/// Whether the entry is there, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Autostart {
    /// The entry's path; `None` without a home.
    pub path: Option<PathBuf>,
    /// Whether the entry exists (the tray starts at login).
    pub on: bool,
}

/// Why the entry could not be written or removed.
#[derive(Debug, thiserror::Error)]
pub enum AutostartError {
    #[error("no autostart folder: neither XDG_CONFIG_HOME nor HOME is set")]
    NoHome,
    /// A value cannot be named in a desktop entry (a line break or another
    /// control character).
    #[error("{name} holds a line break or a control character: it cannot go in a desktop entry")]
    Unsafe { name: String },
    #[error(transparent)]
    Edit(#[from] EditError<Infallible>),
}

impl AutostartError {
    pub fn code(&self) -> &'static str {
        match self {
            AutostartError::NoHome => "autostart_no_home",
            AutostartError::Unsafe { .. } => "autostart_unsafe_value",
            AutostartError::Edit(e) => e.code(),
        }
    }
}

/// The entry's path in the environment `env`; `None` without a home.
pub fn path(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let nonempty = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let dir = nonempty("XDG_CONFIG_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| nonempty("HOME").map(|h| h.join(".config")))?;
    Some(dir.join("autostart").join(ENTRY))
}

/// Whether the entry exists in the environment `env`.
pub fn get(env: impl Fn(&str) -> Option<OsString>) -> Autostart {
    let path = path(env);
    let on = path.as_deref().is_some_and(Path::exists);
    Autostart { path, on }
}

/// Writes the entry (`on`) running `program` with the [`VARIABLES`] `env`
/// sets, or removes it.
pub fn set(
    env: impl Fn(&str) -> Option<OsString>,
    program: &Path,
    on: bool,
) -> Result<Autostart, AutostartError> {
    let at = path(&env).ok_or(AutostartError::NoHome)?;
    if !on {
        write(&at, false, "")?;
        return Ok(Autostart {
            path: Some(at),
            on: false,
        });
    }
    let vars: Vec<(&str, String)> = VARIABLES
        .iter()
        .filter_map(|name| {
            env(name)
                .filter(|v| !v.is_empty())
                .map(|v| (*name, v.to_string_lossy().into_owned()))
        })
        .collect();
    let text = entry(program, &vars)?;
    write(&at, true, &text)?;
    Ok(Autostart {
        path: Some(at),
        on: true,
    })
}

/// The entry's text for `program`, with `vars` set before it runs.
pub fn entry(program: &Path, vars: &[(&str, String)]) -> Result<String, AutostartError> {
    let mut words = Vec::new();
    if !vars.is_empty() {
        words.push("env".to_owned());
        for (k, v) in vars {
            words.push(exec_word(k, &format!("{k}={v}"))?);
        }
    }
    words.push(exec_word("the program", &program.display().to_string())?);
    let exec = words.join(" ");
    Ok(format!(
        "[Desktop Entry]\nType=Application\nName=Leasekeeper\n\
         Comment=Keeps AWS credential leases alive\nExec={exec}\nIcon=leasekeeper\n\
         Terminal=false\nX-GNOME-Autostart-enabled=true\n"
    ))
}

/// The characters that make an `Exec` argument need quotes.
const RESERVED: [char; 18] = [
    ' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(', ')',
];

/// One argument of an `Exec` line, as the entry's file holds it; `name`
/// names it in the error for a value that cannot be written.
fn exec_word(name: &str, word: &str) -> Result<String, AutostartError> {
    if word.chars().any(char::is_control) {
        return Err(AutostartError::Unsafe {
            name: name.to_owned(),
        });
    }
    let quoted = word.contains(RESERVED) || word.contains('`') || word.is_empty();
    let mut out = String::new();
    if quoted {
        out.push('"');
    }
    for c in word.chars() {
        match c {
            // Escaped inside quotes with a backslash, itself escaped as the
            // value is a string first.
            '"' | '`' | '$' if quoted => {
                out.push_str("\\\\");
                out.push(c);
            }
            '\\' => out.push_str("\\\\\\\\"),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    if quoted {
        out.push('"');
    }
    Ok(out)
}

/// Writes `text` at `at` (`on`), or removes the entry.
fn write(at: &Path, on: bool, text: &str) -> Result<(), AutostartError> {
    if !on && std::fs::symlink_metadata(at).is_err() {
        // Nothing to remove: no folder or lock file is made for it.
        return Ok(());
    }
    locked_edit::edit(at, |current| Ok::<_, Infallible>(plan(current, on, text)))?;
    Ok(())
}

/// The entry's plan: `text` when `on`, else none.
fn plan(current: Option<&[u8]>, on: bool, text: &str) -> Planned<()> {
    match (on, current) {
        (true, Some(bytes)) if bytes == text.as_bytes() => Planned::Unchanged(()),
        (true, _) => Planned::Replace(text.as_bytes().to_vec(), ()),
        (false, Some(_)) => Planned::Remove(()),
        (false, None) => Planned::Unchanged(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec(text: &str) -> &str {
        text.lines().find_map(|l| l.strip_prefix("Exec=")).unwrap()
    }

    #[test]
    fn the_entry_runs_the_program_with_the_files_it_looks_after() {
        let env = |n: &str| (n == "HOME").then(|| OsString::from("/home/me"));
        assert_eq!(
            path(env).unwrap(),
            Path::new("/home/me/.config/autostart/leasekeeper-tray.desktop")
        );
        let text = entry(
            Path::new("/opt/leasekeeper/leasekeeper-tray"),
            &[("AWS_CONFIG_FILE", "/home/me/my aws/config".to_owned())],
        )
        .unwrap();
        assert!(text.starts_with("[Desktop Entry]\n"), "{text}");
        assert_eq!(
            exec(&text),
            "env \"AWS_CONFIG_FILE=/home/me/my aws/config\" /opt/leasekeeper/leasekeeper-tray"
        );
        let plain = entry(Path::new("/usr/bin/leasekeeper-tray"), &[]).unwrap();
        assert_eq!(exec(&plain), "/usr/bin/leasekeeper-tray");
    }

    #[test]
    fn hostile_values_are_escaped_or_refused() {
        // A line break would start a key of its own in the entry.
        let injected = "/tmp/config\nExec=/bin/evil";
        let e = entry(
            Path::new("/usr/bin/leasekeeper-tray"),
            &[("AWS_CONFIG_FILE", injected.to_owned())],
        )
        .unwrap_err();
        assert_eq!(e.code(), "autostart_unsafe_value");
        assert!(e.to_string().contains("AWS_CONFIG_FILE"), "{e}");
        for bad in ["a\rb", "a\tb", "a\u{7}b", "a\u{85}b"] {
            let e = entry(Path::new("/p"), &[("AWS_CA_BUNDLE", bad.to_owned())]).unwrap_err();
            assert_eq!(e.code(), "autostart_unsafe_value", "{bad:?}");
        }
        let e = entry(Path::new("/p\n[x]"), &[]).unwrap_err();
        assert_eq!(e.code(), "autostart_unsafe_value");

        // `%` is a field code unless doubled, quoted or not.
        let text = entry(
            Path::new("/opt/100%/tray"),
            &[("AWS_CONFIG_FILE", "/home/me/%u".to_owned())],
        )
        .unwrap();
        assert_eq!(
            exec(&text),
            "env AWS_CONFIG_FILE=/home/me/%%u /opt/100%%/tray"
        );
        // Quotes, `$`, backticks and backslashes inside quotes.
        let text = entry(
            Path::new("/opt/tray"),
            &[("AWS_CONFIG_FILE", "/h/\"$(rm -rf ~)\"`x`\\ %d".to_owned())],
        )
        .unwrap();
        assert_eq!(
            exec(&text),
            r#"env "AWS_CONFIG_FILE=/h/\\"\\$(rm -rf ~)\\"\\`x\\`\\\\ %%d" /opt/tray"#
        );
        assert_eq!(text.lines().count(), 8, "one line per key: {text}");
    }

    #[test]
    fn set_writes_and_removes_the_entry() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().to_owned();
        let env = move |n: &str| match n {
            "XDG_CONFIG_HOME" => Some(home.clone().into_os_string()),
            "AWS_CONFIG_FILE" => Some(OsString::from("/w/config")),
            _ => None,
        };
        let at = dir.path().join("autostart").join(ENTRY);
        assert!(!get(&env).on);
        let done = set(&env, Path::new("/usr/bin/leasekeeper-tray"), true).unwrap();
        assert_eq!(done.path.as_deref(), Some(at.as_path()));
        assert!(get(&env).on);
        let text = std::fs::read_to_string(&at).unwrap();
        assert!(
            text.contains("\nExec=env AWS_CONFIG_FILE=/w/config /usr/bin/leasekeeper-tray\n"),
            "{text}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&at).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "owner-only");
        }
        set(&env, Path::new("/usr/bin/leasekeeper-tray"), false).unwrap();
        set(&env, Path::new("/usr/bin/leasekeeper-tray"), false).unwrap();
        assert!(!at.exists());
        assert!(!get(&env).on);
        // A hostile value is refused when writing, never when removing.
        let home = dir.path().to_owned();
        let hostile = move |n: &str| match n {
            "XDG_CONFIG_HOME" => Some(home.clone().into_os_string()),
            "AWS_CA_BUNDLE" => Some(OsString::from("/ca.pem\nExec=/bin/evil")),
            _ => None,
        };
        let e = set(&hostile, Path::new("/p"), true).unwrap_err();
        assert_eq!(e.code(), "autostart_unsafe_value");
        assert!(!at.exists(), "nothing written");
        set(&hostile, Path::new("/p"), false).unwrap();
        let nowhere = |_: &str| None;
        let e = set(nowhere, Path::new("/p"), true).unwrap_err();
        assert_eq!(e.code(), "autostart_no_home");
    }
}
