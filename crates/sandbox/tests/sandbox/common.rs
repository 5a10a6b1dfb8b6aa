//! Shared test plumbing: starting a sandbox, aws-sdk-rust clients pointed at
//! it, a raw HTTP/1.1 exchange for what no SDK would send, and error
//! metadata in one shape.

#![allow(dead_code)]

use std::time::SystemTime;

use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sts::error::ProvideErrorMetadata;
use leasekeeper_sandbox::{
    ALICE_ACCESS_KEY_ID, ALICE_SECRET_ACCESS_KEY, Clock, RunningSandbox, Sandbox, SandboxConfig,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const DEPLOY: &str = "arn:aws:iam::222222222222:role/Deploy";
pub const AUDITOR: &str = "arn:aws:iam::222222222222:role/Auditor";
pub const BREAK_GLASS: &str = "arn:aws:iam::111111111111:role/BreakGlass";
pub const VENDOR: &str = "arn:aws:iam::222222222222:role/Vendor";

/// Starts a sandbox with the default world and `adjust` applied.
pub async fn start(adjust: impl FnOnce(&mut SandboxConfig)) -> RunningSandbox {
    let mut config = SandboxConfig::default();
    adjust(&mut config);
    Sandbox::start(config).await.expect("sandbox starts")
}

/// A manual clock standing at the real time, so SDK signatures stay inside
/// the 15-minute window while the test moves the sandbox's time.
pub fn manual_clock() -> Clock {
    Clock::manual(SystemTime::now())
}

/// An STS client with the given keys, no retries.
pub fn sts(
    sb: &RunningSandbox,
    key: &str,
    secret: &str,
    token: Option<&str>,
) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(sb.base_url())
        .credentials_provider(Credentials::new(
            key,
            secret,
            token.map(str::to_owned),
            None,
            "sandbox-test",
        ))
        .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

/// An STS client with alice's static keys.
pub fn alice(sb: &RunningSandbox) -> aws_sdk_sts::Client {
    sts(sb, ALICE_ACCESS_KEY_ID, ALICE_SECRET_ACCESS_KEY, None)
}

/// An STS client with temporary credentials.
pub fn with(sb: &RunningSandbox, c: &aws_sdk_sts::types::Credentials) -> aws_sdk_sts::Client {
    sts(
        sb,
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token()),
    )
}

/// AssumeRole, expecting success.
pub async fn assume(
    client: &aws_sdk_sts::Client,
    role: &str,
    secs: Option<i32>,
) -> aws_sdk_sts::types::Credentials {
    client
        .assume_role()
        .role_arn(role)
        .role_session_name("test-session")
        .set_duration_seconds(secs)
        .send()
        .await
        .expect("assume role")
        .credentials
        .expect("credentials")
}

/// The code and message of a failed call.
pub fn code<E: ProvideErrorMetadata>(e: &E) -> (String, String) {
    (
        e.code().unwrap_or_default().to_owned(),
        e.message().unwrap_or_default().to_owned(),
    )
}

/// An SSO OIDC client.
pub fn oidc(sb: &RunningSandbox) -> aws_sdk_ssooidc::Client {
    let config = aws_sdk_ssooidc::Config::builder()
        .behavior_version(aws_sdk_ssooidc::config::BehaviorVersion::latest())
        .region(aws_sdk_ssooidc::config::Region::new("us-east-1"))
        .endpoint_url(sb.base_url())
        .retry_config(aws_sdk_ssooidc::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_ssooidc::Client::from_conf(config)
}

/// An SSO portal client.
pub fn portal(sb: &RunningSandbox) -> aws_sdk_sso::Client {
    let config = aws_sdk_sso::Config::builder()
        .behavior_version(aws_sdk_sso::config::BehaviorVersion::latest())
        .region(aws_sdk_sso::config::Region::new("us-east-1"))
        .endpoint_url(sb.base_url())
        .retry_config(aws_sdk_sso::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sso::Client::from_conf(config)
}

/// A raw HTTP answer.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Raw {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `bytes` as they are and reads until the server closes.
pub async fn raw_bytes(sb: &RunningSandbox, bytes: &[u8]) -> Option<Raw> {
    let mut s = tokio::net::TcpStream::connect(sb.addr())
        .await
        .expect("connect");
    s.write_all(bytes).await.ok()?;
    let mut out = Vec::new();
    let read =
        tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut out)).await;
    if !matches!(read, Ok(Ok(_))) || out.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Some(Raw {
        status,
        headers,
        body: body.to_owned(),
    })
}

/// One HTTP/1.1 request with `Connection: close`.
pub async fn raw(
    sb: &RunningSandbox,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Raw {
    let mut req = format!(
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n",
        sb.addr(),
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    raw_bytes(sb, &bytes).await.expect("an answer")
}

/// A JSON POST.
pub async fn post_json(sb: &RunningSandbox, path: &str, json: &str) -> Raw {
    raw(
        sb,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        json.as_bytes(),
    )
    .await
}
