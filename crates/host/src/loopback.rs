//! The PKCE redirect listener: 127.0.0.1 on a port the system picks, one
//! path (`/oauth/callback`), a friendly page for the browser, and a bounded
//! wait. The engine's [`Loopback`] port.
//!
//! A callback whose `state` is not this sign-in's ends the sign-in with an
//! error (as the AWS CLI does): a forged redirect must never be accepted,
//! and the person is told to start again.

use std::future::Future;
use std::time::Duration as StdDuration;

use leasekeeper_engine::Secret;
use leasekeeper_engine::ports::{Loopback, LoopbackError, LoopbackFactory};
use time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The path the browser comes back to.
pub const CALLBACK_PATH: &str = "/oauth/callback";
/// A request head larger than this is not a browser's redirect.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// Binds loopback listeners.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoopbackBinder;

/// A bound listener.
#[derive(Debug)]
pub struct LoopbackListener {
    listener: TcpListener,
    redirect_uri: String,
}

impl LoopbackFactory for LoopbackBinder {
    type Listener = LoopbackListener;

    async fn bind(&self) -> Result<LoopbackListener, LoopbackError> {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .map_err(|e| LoopbackError::Io(format!("cannot listen on 127.0.0.1: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| LoopbackError::Io(e.to_string()))?
            .port();
        Ok(LoopbackListener {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
        })
    }
}

/// What one request to the listener carried.
#[derive(Debug, PartialEq, Eq)]
enum Callback {
    /// Not the callback path (a favicon): answered 404, the wait goes on.
    Other,
    Code {
        code: String,
        state: Option<String>,
    },
    Error {
        error: String,
        state: Option<String>,
    },
    /// The callback path without code or error.
    Empty,
}

fn parse_request(head: &str) -> Callback {
    let target = head
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("GET "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        return Callback::Other;
    }
    let mut code = None;
    let mut state = None;
    let mut error = None;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = form_decode(v);
        match k {
            "code" => code = Some(v),
            "state" => state = Some(v),
            "error" => error = Some(v),
            _ => {}
        }
    }
    match (code, error) {
        (_, Some(error)) => Callback::Error { error, state },
        (Some(code), None) => Callback::Code { code, state },
        (None, None) => Callback::Empty,
    }
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space).
fn form_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .unwrap_or("zz");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn page(title: &str, message: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:32em;margin:4em auto;color:#222}}</style>\
         </head><body><h1>{title}</h1><p>{message}</p></body></html>"
    )
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser may have gone; the sign-in's outcome does not depend on it.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    let read = async {
        loop {
            let n = stream.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
            if buf.windows(4).any(|w| w == b"\r\n\r\n") {
                return Some(());
            }
            if buf.len() > MAX_HEAD {
                return None;
            }
        }
    };
    tokio::time::timeout(READ_TIMEOUT, read).await.ok()??;
    Some(String::from_utf8_lossy(&buf).into_owned())
}

impl LoopbackListener {
    async fn serve(&self, expected_state: &str) -> Result<Secret, LoopbackError> {
        loop {
            let (mut stream, _) = self
                .listener
                .accept()
                .await
                .map_err(|e| LoopbackError::Io(e.to_string()))?;
            let Some(head) = read_head(&mut stream).await else {
                continue;
            };
            match parse_request(&head) {
                Callback::Other => {
                    respond(
                        &mut stream,
                        "404 Not Found",
                        &page("Not found", "Nothing here."),
                    )
                    .await
                }
                Callback::Empty => {
                    respond(
                        &mut stream,
                        "400 Bad Request",
                        &page(
                            "Not a sign-in",
                            "This address only receives IAM Identity Center sign-ins.",
                        ),
                    )
                    .await;
                }
                Callback::Code { state, .. } | Callback::Error { state, .. }
                    if state.as_deref() != Some(expected_state) =>
                {
                    respond(
                        &mut stream,
                        "400 Bad Request",
                        &page(
                            "Sign-in not accepted",
                            "This sign-in link is not the one Leasekeeper was waiting for, so it was refused. Run <code>leasekeeper login</code> again.",
                        ),
                    )
                    .await;
                    return Err(LoopbackError::StateMismatch);
                }
                Callback::Error { error, .. } => {
                    respond(
                        &mut stream,
                        "200 OK",
                        &page(
                            "Sign-in cancelled",
                            "The sign-in was not approved. You can close this tab.",
                        ),
                    )
                    .await;
                    return Err(LoopbackError::Denied { error });
                }
                Callback::Code { code, .. } => {
                    respond(
                        &mut stream,
                        "200 OK",
                        &page(
                            "Signed in",
                            "Leasekeeper is signed in. You can close this tab.",
                        ),
                    )
                    .await;
                    return Ok(Secret::new(code));
                }
            }
        }
    }
}

impl Loopback for LoopbackListener {
    fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    fn wait_for_code(
        &self,
        expected_state: &str,
        timeout: Duration,
    ) -> impl Future<Output = Result<Secret, LoopbackError>> + Send {
        let wait = StdDuration::try_from(timeout).unwrap_or_default();
        async move {
            match tokio::time::timeout(wait, self.serve(expected_state)).await {
                Ok(result) => result,
                Err(_) => Err(LoopbackError::TimedOut {
                    redirect_uri: self.redirect_uri.clone(),
                    waited_secs: timeout.whole_seconds(),
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(uri: &str, path_and_query: &str) -> String {
        let addr = uri
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
            .to_owned();
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(format!("GET {path_and_query} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        out
    }

    #[test]
    fn requests_are_parsed_and_decoded() {
        assert_eq!(
            parse_request("GET /oauth/callback?code=a%2Bb+c&state=s1 HTTP/1.1\r\n"),
            Callback::Code {
                code: "a+b c".into(),
                state: Some("s1".into())
            }
        );
        assert_eq!(
            parse_request("GET /favicon.ico HTTP/1.1\r\n"),
            Callback::Other
        );
        assert_eq!(
            parse_request("GET /oauth/callback?error=access_denied&state=s HTTP/1.1\r\n"),
            Callback::Error {
                error: "access_denied".into(),
                state: Some("s".into())
            }
        );
        assert_eq!(form_decode("%zz%4"), "%zz%4");
    }

    #[tokio::test]
    async fn the_right_state_yields_the_code_and_a_friendly_page() {
        let l = LoopbackBinder.bind().await.unwrap();
        assert!(l.redirect_uri().starts_with("http://127.0.0.1:"));
        let uri = l.redirect_uri().to_owned();
        let browser = tokio::spawn(async move {
            assert!(get(&uri, "/favicon.ico").await.starts_with("HTTP/1.1 404"));
            get(&uri, "/oauth/callback?code=C0DE&state=good").await
        });
        let code = l.wait_for_code("good", Duration::seconds(5)).await.unwrap();
        assert_eq!(code.expose(), "C0DE");
        let page = browser.await.unwrap();
        assert!(
            page.starts_with("HTTP/1.1 200 OK") && page.contains("You can close this tab"),
            "{page}"
        );
    }

    #[tokio::test]
    async fn a_tampered_state_is_refused_and_the_wait_is_bounded() {
        let l = LoopbackBinder.bind().await.unwrap();
        let uri = l.redirect_uri().to_owned();
        let browser =
            tokio::spawn(async move { get(&uri, "/oauth/callback?code=C&state=evil").await });
        let e = l
            .wait_for_code("good", Duration::seconds(5))
            .await
            .unwrap_err();
        assert_eq!(e, LoopbackError::StateMismatch);
        assert!(browser.await.unwrap().starts_with("HTTP/1.1 400"));
        let e = l
            .wait_for_code("good", Duration::milliseconds(50))
            .await
            .unwrap_err();
        assert!(matches!(e, LoopbackError::TimedOut { .. }), "{e:?}");
    }
}
