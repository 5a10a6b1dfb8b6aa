//! The commit a binary is built from, for `--version` and the window's
//! About: `git rev-parse` when the source is a git checkout and git is
//! installed, else "unknown commit". Shared by the build scripts of
//! `leasekeeper` and `leasekeeper-tray` (included with `#[path]`).
//!
//! Cargo reruns the build script when HEAD moves: it watches HEAD, the
//! branch it points at, and the packed refs (only those that exist: a
//! missing path would rerun it on every build).

use std::path::Path;
use std::process::Command;

/// Sets `LEASEKEEPER_COMMIT` for the crate being built: `commit 0123abcd4567`
/// or `unknown commit`.
pub fn emit() {
    let commit = git(&["rev-parse", "--short=12", "HEAD"])
        .map(|c| format!("commit {c}"))
        .unwrap_or_else(|| "unknown commit".to_owned());
    println!("cargo:rustc-env=LEASEKEEPER_COMMIT={commit}");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=GIT_DIR");
    let mut watched = Vec::new();
    if let Some(head) = git(&["rev-parse", "--path-format=absolute", "--git-path", "HEAD"]) {
        watched.push(head);
        if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
            watched.extend(git(&[
                "rev-parse",
                "--path-format=absolute",
                "--git-path",
                &branch,
            ]));
        }
        watched.extend(git(&[
            "rev-parse",
            "--path-format=absolute",
            "--git-path",
            "packed-refs",
        ]));
    }
    for path in watched {
        if Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
}

/// `git ARGS` run in the crate's folder: its trimmed output, if it succeeded.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}
