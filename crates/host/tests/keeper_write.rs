//! The keeper's write path ([`apply`]) under pressure: a foreign tool
//! editing another section in place (no lock, the way the AWS CLI does) at
//! the worst moment for 1,000 rounds, checked by botocore after every
//! round; and the writer SIGKILLed at random moments 200 times.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use leasekeeper_engine::Secret;
use leasekeeper_engine::write::credentials::{Change, plan};
use leasekeeper_host::atomic::TEMP_PREFIX;
use leasekeeper_host::keeper::write::{apply, apply_with};

const FOREIGN: &str = "[mine]\naws_access_key_id = AKIAOWN\n\n[other]\nregion = r0\n";

fn put(key: &str) -> Change {
    Change::Put {
        section: "dev".into(),
        access_key_id: key.into(),
        secret_access_key: Secret::new("s3cr3t"),
        session_token: Secret::new("t0ken"),
        expires_at: time::macros::datetime!(2030-01-01 00:00 UTC),
        take_over: false,
    }
}

/// Sets `region` in `[other]` the way the AWS CLI edits a file: read,
/// change the line, write the file back in place, no lock.
fn foreign_edit(path: &Path, region: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let edited: String = text
        .split_inclusive('\n')
        .map(|l| {
            if l.starts_with("region = r") {
                format!("region = {region}\n")
            } else {
                l.to_owned()
            }
        })
        .collect();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(path)
        .unwrap();
    f.write_all(edited.as_bytes()).unwrap();
}

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("LEASEKEEPER_PYTHON") {
        return p.into();
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(
        p.exists(),
        "no Python with botocore at {}: run scripts/setup.sh (or set LEASEKEEPER_PYTHON)",
        p.display()
    );
    p
}

/// For each line on stdin, botocore parses the file and prints the two values.
const CHECKER: &str = r#"
import json, sys
import botocore.configloader
for _ in sys.stdin:
    c = botocore.configloader.raw_config_parse(sys.argv[1])
    print(json.dumps([c["dev"]["aws_access_key_id"], c["other"]["region"], c["mine"]["aws_access_key_id"]]), flush=True)
"#;

#[test]
fn a_foreign_in_place_edit_at_the_worst_moment_is_never_lost_over_1000_rounds() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("credentials");
    std::fs::write(&target, FOREIGN).unwrap();
    let mut checker = Command::new(python())
        .arg("-c")
        .arg(CHECKER)
        .arg(&target)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python runs");
    let mut ask = checker.stdin.take().unwrap();
    let mut answers = BufReader::new(checker.stdout.take().unwrap()).lines();
    for round in 0..1000 {
        let key = format!("ASIAROUND{round:04}");
        let region = format!("r{round}");
        // Every third round the other tool writes before we read; the rest,
        // between our plan and our replace.
        if round % 3 == 0 {
            foreign_edit(&target, &region);
            apply(&target, &[put(&key)], dir.path()).unwrap();
        } else {
            let mut edited = false;
            apply_with(&target, &[put(&key)], dir.path(), || {
                if !edited {
                    edited = true;
                    foreign_edit(&target, &region);
                }
            })
            .unwrap();
        }
        writeln!(ask, "check").unwrap();
        let line = answers.next().expect("an answer").expect("stdout");
        let seen: Vec<String> = serde_json::from_str(&line).unwrap();
        assert_eq!(seen, [key.as_str(), &region, "AKIAOWN"], "round {round}");
    }
    drop(ask);
    assert!(checker.wait().unwrap().success());
}

/// A writer that never stops: `[dev]` gets new keys as fast as it can.
#[test]
fn writer_child() {
    let Some(target) = std::env::var_os("LEASEKEEPER_WRITER_TARGET") else {
        return;
    };
    let target = PathBuf::from(target);
    let backups = target.with_file_name("backups");
    for round in 0u64.. {
        apply(&target, &[put(&format!("ASIAKILL{round:08}"))], &backups).unwrap();
    }
}

fn temp_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX))
        .count()
}

fn random_below(n: u64) -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).unwrap();
    u64::from_le_bytes(b) % n
}

#[test]
fn a_writer_killed_at_random_moments_200_times_leaves_a_whole_file_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("credentials");
    std::fs::write(&target, FOREIGN).unwrap();
    let mut orphans = 0;
    for kill in 0..200 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "writer_child", "--test-threads=1"])
            .env("LEASEKEEPER_WRITER_TARGET", &target)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("writer runs");
        std::thread::sleep(Duration::from_micros(2_000 + random_below(30_000)));
        // Ours to stop: SIGKILL on Unix.
        child.kill().unwrap();
        child.wait().unwrap();

        let bytes = std::fs::read(&target).unwrap();
        let whole = plan(Some(&bytes), &[]);
        assert!(whole.is_ok(), "kill {kill}: the file does not parse");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(FOREIGN), "kill {kill}: {text}");
        let dev = text.split("[dev]\n").nth(1);
        assert!(
            dev.is_none_or(|d| d.contains("aws_access_key_id = ASIAKILL")
                && d.contains("x_security_token_expires = ")),
            "kill {kill}: a partial section: {text}"
        );
        orphans += temp_files(dir.path());
    }
    // The next run sweeps what the killed writers left.
    apply(&target, &[put("ASIAAFTER")], &dir.path().join("backups")).unwrap();
    assert_eq!(temp_files(dir.path()), 0, "no temp file of ours is left");
    eprintln!("temp files left by killed writers along the way: {orphans}");
}
