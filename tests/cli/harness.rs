//! Running the built binary on a home folder, with a clean environment so the
//! person's real `~/.aws` and AWS variables never leak into a test.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The built `leasekeeper` binary's path.
pub fn bin() -> &'static str {
    static BIN: OnceLock<String> = OnceLock::new();
    BIN.get_or_init(|| built_binary("leasekeeper").to_string_lossy().into_owned())
}

/// A binary of the workspace, from the target directory this test was built
/// into (`target/<profile>/`, or the same under `CARGO_TARGET_DIR`): the
/// directory above the test's own `deps/`. Cargo builds another package's
/// binaries only for that package's tests, so they are built beforehand;
/// panics naming the binary and the command that builds it when it is missing.
pub fn built_binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own executable");
    let mut dir = exe
        .parent()
        .expect("the test executable is in a directory")
        .to_path_buf();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    let path = dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "the `{name}` binary is not built at {}: run `cargo build --workspace --bins` \
         before the end-to-end tests (scripts/test.sh does)",
        path.display()
    );
    path
}

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package is in the repository's root")
        .to_path_buf()
}

/// The example home shipped in `examples/home`.
pub fn example_home() -> PathBuf {
    repo_root().join("examples/home")
}

/// A command with every AWS variable removed and `HOME` set to `home`.
pub fn leasekeeper(home: &Path) -> Command {
    let mut cmd = Command::new(bin());
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("AWS_") || name == "NO_COLOR" {
            cmd.env_remove(name);
        }
    }
    // The person's own folders never leak in: state and settings follow the
    // test's `HOME` unless a test sets them.
    for name in [
        "LEASEKEEPER_STATE_DIR",
        "LEASEKEEPER_CONFIG_DIR",
        "LEASEKEEPER_TIME_SCALE",
        "XDG_STATE_HOME",
        "XDG_CONFIG_HOME",
    ] {
        cmd.env_remove(name);
    }
    cmd.env("HOME", home);
    if home == example_home() {
        // `status` records sightings in the state folder, which follows
        // `HOME`: runs on the bundled example keep theirs out of the repository.
        cmd.env(
            "LEASEKEEPER_STATE_DIR",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("example-home-state"),
        );
    }
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

/// Runs Python `code` (with botocore) on the config file `config` alone (no
/// credentials file, nothing else of the environment) with `arg`, and parses
/// the JSON it prints.
pub fn botocore_reads(config: &Path, code: &str, arg: &str) -> serde_json::Value {
    let out = Command::new(super::login_harness::World::python())
        .arg("-c")
        .arg(code)
        .arg(arg)
        .env_clear()
        .env("AWS_CONFIG_FILE", config)
        .env("AWS_SHARED_CREDENTIALS_FILE", config.with_file_name("none"))
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("botocore printed JSON")
}
