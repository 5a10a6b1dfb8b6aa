//! What `leasekeeper status` costs in the engine, on a generated home with
//! 1,000 profiles, 100 sso-sessions and 100 cache files (see `home`):
//!
//! - `status/load`: parse both files, merge, read both caches, from bytes;
//! - `status/resolve_lease`: resolve and compute every profile's lease;
//! - `status/pipeline`: load, leases, urgency order and the report;
//! - `status/pipeline_json`: the same and the pretty JSON `status --json`
//!   prints.
//!
//! The `parts` group splits the pipeline further, to show where the time
//! goes: each file's parse, the merge, the caches, resolving alone, the
//! urgency sort and the JSON encoding of a built report.
//!
//! Run: `cargo bench -p leasekeeper-engine --bench status` (all), or
//! `... --bench status -- status/` (the pipeline only).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "a benchmark: a failed setup ends the run with a message"
)]

mod home;

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use leasekeeper_engine::ini::Document;
use leasekeeper_engine::lease::{self, Lease};
use leasekeeper_engine::load::{self, FileInput, LoadInput};
use leasekeeper_engine::profiles::{MergeOptions, merge};
use leasekeeper_engine::report::StatusReport;
use leasekeeper_engine::resolve;
use time::OffsetDateTime;

fn report(input: &LoadInput, now: OffsetDateTime) -> StatusReport {
    let snapshot = load::snapshot(input);
    let mut leases = lease::leases(&snapshot, now);
    lease::urgency::sort(&mut leases);
    StatusReport::new(leases, snapshot.problems, now)
}

/// Fails loudly if the generated home is not what the figures claim.
fn check(input: &LoadInput, now: OffsetDateTime) {
    let snapshot = load::snapshot(input);
    assert_eq!(snapshot.set.profiles.len(), home::PROFILES);
    assert_eq!(snapshot.set.sso_sessions.len(), home::SESSIONS);
    assert_eq!(
        snapshot.sso_tokens.len() + snapshot.cli_cache.len(),
        home::CACHE_FILES
    );
    assert!(snapshot.problems.is_empty(), "{:?}", snapshot.problems);
    let leases = lease::leases(&snapshot, now);
    let by_name: BTreeMap<&str, &Lease> = leases.iter().map(|l| (l.profile.as_str(), l)).collect();
    for cached in [
        "team-000-developer",
        "role-000",
        "role-010",
        "chain-001",
        "mfa-00",
    ] {
        assert!(
            by_name[cached].expires_at.is_some(),
            "{cached}: no cache entry"
        );
    }
    let mut states: BTreeMap<&str, usize> = BTreeMap::new();
    for l in &leases {
        *states.entry(l.state.as_str()).or_default() += 1;
    }
    eprintln!(
        "home: {} profiles, {} sso-sessions, {} cache files, {} bytes; states {states:?}",
        leases.len(),
        snapshot.set.sso_sessions.len(),
        home::CACHE_FILES,
        bytes(input)
    );
}

fn bytes(input: &LoadInput) -> u64 {
    let file = |f: &load::FileInput| {
        f.contents
            .as_ref()
            .map_or(0, |c| c.as_ref().map_or(0, Vec::len))
    };
    let cache = |files: &[load::CacheFileInput]| -> usize {
        files
            .iter()
            .map(|f| f.contents.as_ref().map_or(0, Vec::len))
            .sum()
    };
    (file(&input.config)
        + file(&input.credentials)
        + cache(&input.sso_cache)
        + cache(&input.cli_cache)) as u64
}

fn status(c: &mut Criterion) {
    let input = home::generate().load_input();
    let now = home::now();
    check(&input, now);
    let snapshot = load::snapshot(&input);

    let mut group = c.benchmark_group("status");
    group.throughput(Throughput::Elements(home::PROFILES as u64));
    group.bench_function("load", |b| b.iter(|| load::snapshot(black_box(&input))));
    group.bench_function("resolve_lease", |b| {
        b.iter(|| lease::leases(black_box(&snapshot), now))
    });
    group.bench_function("pipeline", |b| b.iter(|| report(black_box(&input), now)));
    group.bench_function("pipeline_json", |b| {
        b.iter(|| serde_json::to_string_pretty(&report(black_box(&input), now)).expect("encodes"))
    });
    group.finish();
}

fn bytes_of(file: &FileInput) -> &[u8] {
    match &file.contents {
        Ok(Some(bytes)) => bytes,
        _ => &[],
    }
}

fn parts(c: &mut Criterion) {
    let input = home::generate().load_input();
    let now = home::now();
    let config = bytes_of(&input.config);
    let credentials = bytes_of(&input.credentials);
    let (config_doc, credentials_doc) = (Document::parse(config), Document::parse(credentials));
    let caches_only = LoadInput {
        config: FileInput {
            contents: Ok(None),
            ..input.config.clone()
        },
        credentials: FileInput {
            contents: Ok(None),
            ..input.credentials.clone()
        },
        ..input.clone()
    };
    let snapshot = load::snapshot(&input);
    let leases = lease::leases(&snapshot, now);
    let mut sorted = leases.clone();
    lease::urgency::sort(&mut sorted);
    let built = StatusReport::new(sorted, snapshot.problems.clone(), now);

    let mut group = c.benchmark_group("parts");
    group.sample_size(50);
    group.bench_function("parse_config", |b| {
        b.iter(|| Document::parse(black_box(config)))
    });
    group.bench_function("parse_credentials", |b| {
        b.iter(|| Document::parse(black_box(credentials)))
    });
    group.bench_function("merge", |b| {
        b.iter(|| {
            merge(
                Some(black_box(&config_doc)),
                Some(black_box(&credentials_doc)),
                MergeOptions::product(),
            )
        })
    });
    group.bench_function("caches", |b| {
        b.iter(|| load::snapshot(black_box(&caches_only)))
    });
    group.bench_function("resolve_all", |b| {
        b.iter(|| resolve::resolve_all(black_box(&snapshot.set)))
    });
    group.bench_function("urgency_sort", |b| {
        b.iter_batched(
            || leases.clone(),
            |mut l| {
                lease::urgency::sort(&mut l);
                l
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("json", |b| {
        b.iter(|| serde_json::to_string_pretty(black_box(&built)).expect("encodes"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .without_plots();
    targets = status, parts
}
criterion_main!(benches);
