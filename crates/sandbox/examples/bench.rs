//! AssumeRole throughput of the sandbox: a server on its own two-thread
//! runtime, and many keep-alive connections sending SigV4-signed AssumeRole
//! requests (each signed afresh, as an SDK would) from a client thread. Run
//! in release: `scripts/bench-sandbox.sh` or
//! `cargo run --release -p leasekeeper-sandbox --example bench -- [CONNECTIONS] [SECONDS]`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "a benchmark tool: a failed setup ends the run with a message"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use leasekeeper_sandbox::{ALICE_ACCESS_KEY_ID, ALICE_SECRET_ACCESS_KEY, Sandbox, SandboxConfig};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("hmac takes any key");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// A SigV4-signed AssumeRole request (AWS's "Create a signed AWS API request").
fn request(host: &str, n: u64) -> Vec<u8> {
    let now = time::OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let amz_date = now.format(fmt).expect("formats");
    let date = &amz_date[..8];
    let body = format!(
        "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2FDeploy&RoleSessionName=bench-{n}&DurationSeconds=900"
    );
    let payload = hex::encode(Sha256::digest(body.as_bytes()));
    let canonical = format!(
        "POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf-8\nhost:{host}\nx-amz-date:{amz_date}\n\ncontent-type;host;x-amz-date\n{payload}"
    );
    let scope = format!("{date}/us-east-1/sts/aws4_request");
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let mut key = hmac(
        format!("AWS4{ALICE_SECRET_ACCESS_KEY}").as_bytes(),
        date.as_bytes(),
    );
    for part in ["us-east-1", "sts", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    let signature = hex::encode(hmac(&key, to_sign.as_bytes()));
    format!(
        "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\nX-Amz-Date: {amz_date}\r\n\
Authorization: AWS4-HMAC-SHA256 Credential={ALICE_ACCESS_KEY_ID}/{scope}, SignedHeaders=content-type;host;x-amz-date, Signature={signature}\r\n\
Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends requests on one connection until `stop`; counts successes and records latencies.
async fn worker(
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    ok: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
    id: u64,
) -> Vec<u32> {
    let host = addr.to_string();
    let stream = TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let mut stream = BufReader::new(stream);
    let mut latencies = Vec::new();
    let mut n = id * 1_000_000;
    let mut line = String::new();
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let started = Instant::now();
        stream
            .get_mut()
            .write_all(&request(&host, n))
            .await
            .expect("write");
        line.clear();
        stream.read_line(&mut line).await.expect("status line");
        let status_ok = line.starts_with("HTTP/1.1 200");
        let mut length = 0usize;
        loop {
            line.clear();
            stream.read_line(&mut line).await.expect("header");
            if line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().expect("length");
                }
            }
        }
        let mut body = vec![0u8; length];
        stream.read_exact(&mut body).await.expect("body");
        latencies.push(started.elapsed().as_micros() as u32);
        if status_ok {
            ok.fetch_add(1, Ordering::Relaxed);
        } else {
            failed.fetch_add(1, Ordering::Relaxed);
        }
    }
    latencies
}

fn main() {
    let mut args = std::env::args().skip(1);
    let connections: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(32);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);

    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("server runtime");
    let sandbox = server_rt
        .block_on(Sandbox::start(SandboxConfig::default()))
        .expect("sandbox starts");
    let addr = sandbox.addr();

    let client_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let (stop, ok, failed) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let started = Instant::now();
    let latencies: Vec<u32> = client_rt.block_on(async {
        let tasks: Vec<_> = (0..connections)
            .map(|i| {
                tokio::spawn(worker(
                    addr,
                    Arc::clone(&stop),
                    Arc::clone(&ok),
                    Arc::clone(&failed),
                    i,
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.expect("worker"));
        }
        all
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut sorted = latencies;
    sorted.sort_unstable();
    let pct = |p: f64| {
        sorted
            .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0) as f64
            / 1000.0
    };
    let done = ok.load(Ordering::Relaxed);
    println!("connections: {connections}, duration: {elapsed:.1} s");
    println!(
        "AssumeRole ok: {done}, failed: {}",
        failed.load(Ordering::Relaxed)
    );
    println!("throughput: {:.0} requests/s", done as f64 / elapsed);
    println!(
        "latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(0.50),
        pct(0.99),
        pct(1.0)
    );
    server_rt.block_on(sandbox.shutdown());
}
