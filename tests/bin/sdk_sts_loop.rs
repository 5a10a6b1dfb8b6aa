//! A long-lived AWS SDK for Rust client, as a job under `leasekeeper exec`
//! or beside `leasekeeper serve` runs one: one STS client on the default
//! credential chain (here: the container-credentials endpoint), calling
//! GetCallerIdentity every INTERVAL_MS milliseconds for SECS seconds.
//! Prints `calls=N` at the end; at the first failed call it says why and
//! exits 1.
//!
//! Usage: sdk-sts-loop SECS INTERVAL_MS

use std::process::ExitCode;
use std::time::{Duration, Instant};

use aws_config::BehaviorVersion;
use aws_sdk_sts::error::DisplayErrorContext;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let [secs, interval_ms] = args[..] else {
        eprintln!("usage: sdk-sts-loop SECS INTERVAL_MS");
        return ExitCode::from(2);
    };
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let sts = aws_sdk_sts::Client::new(&config);
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < Duration::from_secs(secs) {
        if let Err(e) = sts.get_caller_identity().send().await {
            eprintln!(
                "sdk-sts-loop: call {} failed after {:?}: {}",
                calls + 1,
                start.elapsed(),
                DisplayErrorContext(&e)
            );
            return ExitCode::from(1);
        }
        calls += 1;
        tokio::time::sleep(Duration::from_millis(interval_ms)).await;
    }
    println!("calls={calls}");
    ExitCode::SUCCESS
}
