//! [`ConnectProxy`]: the corporate proxy of the sandbox's world. A plain
//! HTTP proxy on 127.0.0.1 that opens CONNECT tunnels (how every HTTPS
//! client goes through a proxy) and records each tunnel's target and
//! `Proxy-Authorization` header, so a test can tell which calls went
//! through it and with what credentials.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A running CONNECT proxy; it runs until the process ends.
#[derive(Debug, Clone)]
pub struct ConnectProxy {
    url: String,
    seen: Arc<Mutex<Vec<Tunnel>>>,
}

/// One tunnel asked for.
#[derive(Debug, Clone)]
struct Tunnel {
    target: String,
    authorization: Option<String>,
}

impl ConnectProxy {
    /// Starts one on a free port of 127.0.0.1.
    pub fn start() -> std::io::Result<ConnectProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}", listener.local_addr()?);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::Builder::new()
            .name("connect-proxy".into())
            .spawn(move || {
                for client in listener.incoming() {
                    let Ok(client) = client else { break };
                    let log = Arc::clone(&log);
                    std::thread::spawn(move || tunnel(client, &log));
                }
            })?;
        Ok(ConnectProxy { url, seen })
    }

    /// Its address, `http://127.0.0.1:PORT`, as `HTTPS_PROXY` takes it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `host:port` of every tunnel opened so far, in order.
    pub fn seen(&self) -> Vec<String> {
        self.tunnels().into_iter().map(|t| t.target).collect()
    }

    /// The `Proxy-Authorization` header of every tunnel asked for so far
    /// (`None` where it had none), in order.
    pub fn authorizations(&self) -> Vec<Option<String>> {
        self.tunnels()
            .into_iter()
            .map(|t| t.authorization)
            .collect()
    }

    fn tunnels(&self) -> Vec<Tunnel> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forgets the tunnels seen so far.
    pub fn clear(&self) {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Reads one CONNECT request, records its target and relays both ways.
fn tunnel(mut client: TcpStream, log: &Mutex<Vec<Tunnel>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let Some(target) = head
        .strip_prefix("CONNECT ")
        .and_then(|r| r.split(' ').next())
    else {
        let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n");
        return;
    };
    let authorization = head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("proxy-authorization")
            .then(|| value.trim().to_owned())
    });
    log.lock().unwrap_or_else(|e| e.into_inner()).push(Tunnel {
        target: target.to_owned(),
        authorization,
    });
    let Ok(server) = TcpStream::connect(target) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
        return;
    };
    if client
        .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
        .is_err()
    {
        return;
    }
    let (Ok(mut c2), Ok(mut s2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    std::thread::spawn(move || std::io::copy(&mut s2, &mut c2));
    let mut server = server;
    let _ = std::io::copy(&mut client, &mut server);
}
