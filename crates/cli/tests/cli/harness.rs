//! Running the built binary on a home folder, with a clean environment so the
//! person's real `~/.aws` and AWS variables never leak into a test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_leasekeeper");

/// The example home shipped in `examples/home`.
pub fn example_home() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/home")
}

/// A command with every AWS variable removed and `HOME` set to `home`.
pub fn leasekeeper(home: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") || name == "NO_COLOR" {
            cmd.env_remove(name);
        }
    }
    cmd.env("HOME", home);
    cmd
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(mut cmd: Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the leasekeeper binary runs");
    Run {
        code: status.code().expect("exited normally"),
        stdout: String::from_utf8(stdout).expect("utf-8 output"),
        stderr: String::from_utf8(stderr).expect("utf-8 output"),
    }
}

/// `status --json` at a fixed time, parsed.
pub fn status_json(home: &Path, at: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut cmd = leasekeeper(home);
    cmd.args(["status", "--json", "--at", at]).args(extra);
    let r = run(cmd);
    let json = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("status --json printed JSON ({e}): {}{}", r.stdout, r.stderr));
    (r.code, json)
}

/// The profile object named `name` in a status report.
pub fn profile<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["profiles"]
        .as_array()
        .expect("profiles is an array")
        .iter()
        .find(|p| p["profile"] == name)
        .unwrap_or_else(|| panic!("profile {name} listed in {report:#}"))
}

/// Writes `files` (relative path, contents) under a new temporary home.
pub fn home_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (rel, contents) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }
    dir
}
