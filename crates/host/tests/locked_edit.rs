//! [`locked_edit::edit`] from two processes at once: every update of each
//! is in the file at the end.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code panics to fail a test"
)]

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use leasekeeper_host::locked_edit::{self, Planned};

const ROUNDS: u64 = 150;

/// One more in the counter file at `target`.
fn increment(target: &Path) {
    locked_edit::edit(target, |current| {
        let n = current
            .map(|b| String::from_utf8_lossy(b).trim().parse::<u64>().unwrap())
            .unwrap_or(0);
        Ok::<_, Infallible>(Planned::Replace(format!("{}\n", n + 1).into_bytes(), ()))
    })
    .unwrap();
}

/// A writer process: [`ROUNDS`] increments.
#[test]
fn counter_child() {
    let Some(target) = std::env::var_os("LEASEKEEPER_COUNTER_TARGET") else {
        return;
    };
    for _ in 0..ROUNDS {
        increment(&PathBuf::from(&target));
    }
}

#[test]
fn two_processes_editing_one_file_lose_no_update() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("counter");
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "counter_child", "--test-threads=1"])
                .env("LEASEKEEPER_COUNTER_TARGET", &target)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("writer runs")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        format!("{}\n", 2 * ROUNDS)
    );
}
