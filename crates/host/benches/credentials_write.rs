//! What one section update costs in a credentials file of 1,000 sections
//! (900 written by the keeper, 100 a person's own long-term keys), about
//! 0.9 MB:
//!
//! - `credentials/plan_replace`: the engine's pure `plan` replacing one of
//!   our sections in the middle of the file, from bytes to new bytes
//!   (parse, checks, edit, re-parse and verify);
//! - `credentials/plan_append`: the same, adding a new section at the end;
//! - `credentials/plan_remove`: the same, removing one of our sections;
//! - `credentials/apply_replace`: the keeper's whole write on a temp file:
//!   sidecar lock, read, plan, read again, temp file, fsync, rename, folder
//!   fsync. Each iteration writes different keys, so every one writes.
//!
//! Run: `cargo bench -p leasekeeper-host --bench credentials_write`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "a benchmark: a failed setup ends the run with a message"
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use leasekeeper_engine::Secret;
use leasekeeper_engine::write::credentials::{Change, plan};
use leasekeeper_host::keeper::write::apply;
use time::OffsetDateTime;
use time::macros::datetime;

const SECTIONS: usize = 1_000;
/// Every tenth section is a person's own keys, the rest are ours.
const OWN_EVERY: usize = 10;
/// A realistic session token length (AWS's are 400 to 1,200 characters).
const TOKEN_LEN: usize = 800;
const EXPIRES: OffsetDateTime = datetime!(2026-11-22 10:00:00 UTC);

fn token(seed: usize) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    (0..TOKEN_LEN)
        .map(|i| alphabet[(seed * 31 + i * 7) % alphabet.len()] as char)
        .collect()
}

/// The file: 1,000 sections, each as the keeper (or a person) writes it.
fn file() -> Vec<u8> {
    let mut out = String::new();
    for i in 0..SECTIONS {
        if i % OWN_EVERY == 0 {
            out.push_str(&format!(
                "[user{i:04}]\naws_access_key_id = AKIAOWNKEYS{i:09}\naws_secret_access_key = ownSecretKey{i:028}\n\n"
            ));
        } else {
            out.push_str(&format!(
                "[role{i:04}]\n# managed by leasekeeper\naws_access_key_id = ASIAROLEKEYS{i:08}\naws_secret_access_key = roleSecretKey{i:027}\naws_session_token = {}\nx_security_token_expires = 2026-11-22T09:00:00Z\n\n",
                token(i)
            ));
        }
    }
    out.into_bytes()
}

fn put(section: &str, n: usize) -> Change {
    Change::Put {
        section: section.to_owned(),
        access_key_id: format!("ASIANEWKEYS{n:09}"),
        secret_access_key: Secret::new(format!("newSecretKey{n:028}")),
        session_token: Secret::new(token(n + 7)),
        expires_at: EXPIRES + time::Duration::seconds(i64::try_from(n % 3600).unwrap_or(0)),
        take_over: false,
    }
}

fn credentials(c: &mut Criterion) {
    let current = file();
    // The file really has 1,000 sections and plan accepts it.
    let check = plan(Some(&current), &[put("role0501", 0)]).expect("the file is accepted");
    assert!(check.changed());
    assert_eq!(
        String::from_utf8_lossy(&current)
            .lines()
            .filter(|l| l.starts_with('['))
            .count(),
        SECTIONS
    );

    let mut g = c.benchmark_group("credentials");
    g.throughput(Throughput::Bytes(current.len() as u64));
    let replace = [put("role0501", 1)];
    g.bench_function("plan_replace", |b| {
        b.iter(|| plan(Some(black_box(&current)), black_box(&replace)).expect("planned"))
    });
    let append = [put("role-new", 2)];
    g.bench_function("plan_append", |b| {
        b.iter(|| plan(Some(black_box(&current)), black_box(&append)).expect("planned"))
    });
    let remove = [Change::Remove {
        section: "role0501".to_owned(),
    }];
    g.bench_function("plan_remove", |b| {
        b.iter(|| plan(Some(black_box(&current)), black_box(&remove)).expect("planned"))
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("credentials");
    let backups = dir.path().join("backups");
    std::fs::write(&target, &current).expect("write the file");
    let mut n = 10;
    g.bench_function("apply_replace", |b| {
        b.iter(|| {
            n += 1;
            apply(&target, &[put("role0501", n)], &backups).expect("written")
        })
    });
    g.finish();
    let written = std::fs::read(&target).expect("read back");
    assert_eq!(written.len(), current.len());
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .without_plots();
    targets = credentials
}
criterion_main!(benches);
