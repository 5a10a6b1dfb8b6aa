//! A local container-credentials endpoint: what every AWS SDK fetches keys
//! from when `AWS_CONTAINER_CREDENTIALS_FULL_URI` names it, and fetches again
//! as they near their expiry. [`Endpoint::bind`] listens on 127.0.0.1 only
//! (an IP literal: botocore takes no host name over plain HTTP) with a
//! 256-bit random token made for this run; [`Endpoint::serve`] answers
//! until stopped, after which the token means nothing.
//!
//! A request is answered only when:
//! - it is a `GET` of the endpoint's path;
//! - its `Host` names the loopback address (a page in a browser that
//!   rebinds a name of its own to 127.0.0.1 is refused);
//! - its `Authorization` is the token, compared in constant time.
//!
//! The answer is the container-credentials JSON (`AccessKeyId`,
//! `SecretAccessKey`, `Token`, `Expiration`, `AccountId`) from a
//! [`KeySource`], or `{"code","message"}` with a 4xx or 5xx status. It never
//! waits on a person: a source that needs a sign-in or a code says so at
//! once. No CORS header is ever sent. Keys never reach a log.

use std::convert::Infallible;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use leasekeeper_engine::Secret;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::net::TcpListener;

/// The path the endpoint answers on.
pub const PATH: &str = "/leasekeeper/credentials";

/// How long a client may take to send its request's head.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Keys to serve.
#[derive(Debug, Clone)]
pub struct Served {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    pub expiration: Option<OffsetDateTime>,
    pub account_id: Option<String>,
}

/// What a request gets.
#[derive(Debug, Clone)]
pub enum Answer {
    Keys(Served),
    /// The person must act first (sign in, an MFA code): `message` names
    /// the command.
    MustAct {
        code: String,
        message: String,
    },
    /// Something failed (the network, AWS, the files).
    Failed {
        code: String,
        message: String,
    },
}

/// Where the keys come from.
pub trait KeySource: Send + Sync + 'static {
    fn keys(&self) -> impl Future<Output = Answer> + Send;
}

/// A bound endpoint and its token.
#[derive(Debug)]
pub struct Endpoint {
    listener: TcpListener,
    addr: SocketAddr,
    token: Secret,
}

impl Endpoint {
    /// Listens on 127.0.0.1:`port` (0: any free port) with a new token.
    pub async fn bind(port: u16) -> std::io::Result<Endpoint> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let addr = listener.local_addr()?;
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
        let token = bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        Ok(Endpoint {
            listener,
            addr,
            token: Secret::new(token),
        })
    }

    /// `http://127.0.0.1:PORT/leasekeeper/credentials`.
    pub fn url(&self) -> String {
        format!("http://{}{PATH}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The value clients send as `Authorization`.
    pub fn token(&self) -> &Secret {
        &self.token
    }

    /// Answers requests until `stop` resolves; then the listener closes
    /// and open connections end.
    pub async fn serve(self, source: Arc<impl KeySource>, stop: impl Future<Output = ()>) {
        let gate = Arc::new(Gate {
            token: self.token,
            port: self.addr.port(),
        });
        let mut connections = tokio::task::JoinSet::new();
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                accepted = self.listener.accept() => {
                    let Ok((stream, _)) = accepted else { continue };
                    let (gate, source) = (Arc::clone(&gate), Arc::clone(&source));
                    connections.spawn(async move {
                        let service = hyper::service::service_fn(move |req| {
                            let (gate, source) = (Arc::clone(&gate), Arc::clone(&source));
                            async move { Ok::<_, Infallible>(answer(&gate, source.as_ref(), &req).await) }
                        });
                        let mut builder = hyper::server::conn::http1::Builder::new();
                        builder.timer(TokioTimer::new()).header_read_timeout(HEADER_TIMEOUT);
                        if let Err(e) = builder.serve_connection(TokioIo::new(stream), service).await {
                            tracing::debug!(error = %e, "an endpoint connection ended with an error");
                        }
                    });
                }
                Some(_) = connections.join_next(), if !connections.is_empty() => {}
            }
        }
        connections.shutdown().await;
    }
}

/// What a request must show.
struct Gate {
    token: Secret,
    port: u16,
}

impl Gate {
    /// `Host` names the loopback address (with our port, or none).
    fn host_ok(&self, host: Option<&str>) -> bool {
        let Some(host) = host else { return false };
        let (name, port) = host
            .rsplit_once(':')
            .map_or((host, None), |(name, port)| (name, Some(port)));
        let loopback = matches!(name, "127.0.0.1" | "localhost");
        loopback && port.is_none_or(|p| p == self.port.to_string())
    }

    fn token_ok(&self, given: Option<&[u8]>) -> bool {
        given.is_some_and(|g| same(g, self.token.expose().as_bytes()))
    }
}

/// Equal bytes, in time that depends only on the lengths.
fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn answer(
    gate: &Gate,
    source: &impl KeySource,
    req: &Request<Incoming>,
) -> Response<Full<Bytes>> {
    let header = |name: hyper::header::HeaderName| req.headers().get(name);
    let host = header(hyper::header::HOST).and_then(|h| h.to_str().ok());
    if !gate.host_ok(host) {
        tracing::warn!("a request to the credentials endpoint named another host: refused");
        return error(
            StatusCode::FORBIDDEN,
            "bad_host",
            "this endpoint answers for 127.0.0.1 only",
        );
    }
    if !gate.token_ok(header(hyper::header::AUTHORIZATION).map(|v| v.as_bytes())) {
        tracing::warn!("a request to the credentials endpoint without the right token: refused");
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the Authorization header is not this endpoint's token",
        );
    }
    if req.method() != hyper::Method::GET {
        return error(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "only GET",
        );
    }
    if req.uri().path() != PATH {
        return error(StatusCode::NOT_FOUND, "not_found", "no such path");
    }
    match source.keys().await {
        Answer::Keys(keys) => {
            tracing::debug!("keys served");
            json(StatusCode::OK, &body(&keys))
        }
        Answer::MustAct { code, message } => {
            tracing::info!(code, "keys asked for, but the person must act first");
            error(StatusCode::SERVICE_UNAVAILABLE, &code, &message)
        }
        Answer::Failed { code, message } => {
            tracing::warn!(code, "cannot serve keys: {message}");
            error(StatusCode::BAD_GATEWAY, &code, &message)
        }
    }
}

/// The container-credentials JSON.
pub fn body(keys: &Served) -> serde_json::Value {
    let mut v = serde_json::Map::new();
    v.insert("AccessKeyId".into(), keys.access_key_id.as_str().into());
    v.insert(
        "SecretAccessKey".into(),
        keys.secret_access_key.expose().into(),
    );
    if let Some(t) = &keys.session_token {
        v.insert("Token".into(), t.expose().into());
    }
    if let Some(e) = keys.expiration.and_then(|e| e.replace_nanosecond(0).ok()) {
        if let Ok(text) = e.to_offset(time::UtcOffset::UTC).format(&Rfc3339) {
            v.insert("Expiration".into(), text.into());
        }
    }
    if let Some(a) = &keys.account_id {
        v.insert("AccountId".into(), a.as_str().into());
    }
    serde_json::Value::Object(v)
}

fn error(status: StatusCode, code: &str, message: &str) -> Response<Full<Bytes>> {
    json(
        status,
        &serde_json::json!({ "code": code, "message": message }),
    )
}

fn json(status: StatusCode, value: &serde_json::Value) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(value.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    r.headers_mut().insert(
        hyper::header::CACHE_CONTROL,
        hyper::header::HeaderValue::from_static("no-store"),
    );
    r
}

#[cfg(test)]
#[path = "endpoint_tests.rs"]
mod tests;
