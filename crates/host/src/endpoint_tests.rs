use super::*;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// Answers `Keys`, or what it is told.
struct Fixed(Answer);

impl KeySource for Fixed {
    async fn keys(&self) -> Answer {
        self.0.clone()
    }
}

fn keys() -> Answer {
    Answer::Keys(Served {
        access_key_id: "ASIAEXAMPLEEXAMPLE01".into(),
        secret_access_key: Secret::new("secret/secret/secret"),
        session_token: Some(Secret::new("session-token")),
        expiration: OffsetDateTime::from_unix_timestamp(1_800_000_000).ok(),
        account_id: Some("111122223333".into()),
    })
}

/// One request over a fresh connection: (status, head, body).
async fn get(
    addr: SocketAddr,
    method: &str,
    path: &str,
    host: &str,
    auth: Option<&str>,
) -> (u16, String, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nConnection: close\r\n"
    );
    if let Some(a) = auth {
        req.push_str(&format!("Authorization: {a}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).await.expect("read");
    let (head, body) = out.split_once("\r\n\r\n").expect("a response");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("a status");
    (status, head.to_owned(), body.to_owned())
}

async fn started(
    answer: Answer,
) -> (
    SocketAddr,
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let endpoint = Endpoint::bind(0).await.expect("bind");
    assert!(endpoint.addr().ip().is_loopback());
    assert!(endpoint.url().starts_with("http://127.0.0.1:"));
    let (addr, token) = (endpoint.addr(), endpoint.token().expose().to_owned());
    assert_eq!(token.len(), 64, "256 bits, in hex");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(endpoint.serve(Arc::new(Fixed(answer)), async move {
        let _ = rx.await;
    }));
    (addr, token, tx, task)
}

#[tokio::test]
async fn the_token_and_a_loopback_host_get_the_keys_as_the_sdks_read_them() {
    let (addr, token, stop, task) = started(keys()).await;
    let host = format!("127.0.0.1:{}", addr.port());
    let (status, head, body) = get(addr, "GET", PATH, &host, Some(&token)).await;
    assert_eq!(status, 200, "{head}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["AccessKeyId"], "ASIAEXAMPLEEXAMPLE01");
    assert_eq!(v["SecretAccessKey"], "secret/secret/secret");
    assert_eq!(v["Token"], "session-token");
    assert_eq!(v["Expiration"], "2027-01-15T08:00:00Z");
    assert_eq!(v["AccountId"], "111122223333");
    assert!(
        !head.to_lowercase().contains("access-control"),
        "no CORS: {head}"
    );
    let (status, _, _) = get(
        addr,
        "GET",
        PATH,
        &format!("localhost:{}", addr.port()),
        Some(&token),
    )
    .await;
    assert_eq!(status, 200, "localhost is loopback too");

    stop.send(()).expect("stop");
    task.await.expect("ended");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "nothing answers once the run ended"
    );
}

#[tokio::test]
async fn a_wrong_token_another_host_method_or_path_is_refused_and_never_shown_keys() {
    let (addr, token, _stop, _task) = started(keys()).await;
    let host = format!("127.0.0.1:{}", addr.port());
    let mut wrong = token.clone();
    wrong.replace_range(..1, if token.starts_with('0') { "1" } else { "0" });
    for (method, path, host, auth, want) in [
        ("GET", PATH, host.as_str(), None, 401),
        ("GET", PATH, host.as_str(), Some(wrong.as_str()), 401),
        ("GET", PATH, host.as_str(), Some("short"), 401),
        ("GET", PATH, "attacker.example", Some(token.as_str()), 403),
        ("GET", PATH, "127.0.0.1:1", Some(token.as_str()), 403),
        ("POST", PATH, host.as_str(), Some(token.as_str()), 405),
        ("GET", "/", host.as_str(), Some(token.as_str()), 404),
    ] {
        let (status, head, body) = get(addr, method, path, host, auth).await;
        assert_eq!(status, want, "{method} {path} Host {host} {auth:?}: {head}");
        assert!(!body.contains("secret/secret"), "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert!(v["code"].is_string() && v["message"].is_string(), "{body}");
        assert!(
            !head.to_lowercase().contains("access-control"),
            "no CORS: {head}"
        );
    }
}

#[tokio::test]
async fn a_lease_that_needs_the_person_answers_at_once_naming_the_command() {
    let must = Answer::MustAct {
        code: "needs_login".into(),
        message: "run `leasekeeper login --sso-session corp`".into(),
    };
    let (addr, token, _stop, _task) = started(must).await;
    let (status, _, body) = get(
        addr,
        "GET",
        PATH,
        &format!("127.0.0.1:{}", addr.port()),
        Some(&token),
    )
    .await;
    assert_eq!(status, 503);
    let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(v["code"], "needs_login");
    assert!(
        v["message"]
            .as_str()
            .is_some_and(|m| m.contains("leasekeeper login"))
    );
}

#[test]
fn comparing_tokens_depends_on_every_byte() {
    assert!(same(b"abc", b"abc"));
    assert!(!same(b"abc", b"abd"));
    assert!(!same(b"abc", b"abcd"));
    assert!(!same(b"", b"a"));
}
