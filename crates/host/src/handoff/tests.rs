use std::process::Command;

use super::*;

/// A peer owner that says every peer is `theirs`, and this process `mine`.
struct Owners {
    theirs: u32,
    mine: u32,
}

impl PeerOwner for Owners {
    fn uid(&self, _local: SocketAddr, _peer: SocketAddr) -> Option<u32> {
        Some(self.theirs)
    }
    fn me(&self) -> Option<u32> {
        Some(self.mine)
    }
}

async fn get(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (addr, path) = rest.split_once('/').unwrap();
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET /{path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    out
}

fn secret() -> Secret {
    Secret::new("https://signin.example/federation?Action=login&SigninToken=abc")
}

#[test]
fn the_socket_table_names_the_owner_of_the_peer_port() {
    let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n\
   0: 0100007F:A1B2 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 1\n\
   1: 0100007F:1F90 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 2\n";
    assert_eq!(socket_owner(table, 0xA1B2, 0x1F90), Some(1000));
    assert_eq!(socket_owner(table, 0x1F90, 0xA1B2), Some(0));
    assert_eq!(socket_owner(table, 1, 2), None);
    assert_eq!(socket_owner("", 1, 2), None);
    assert_eq!(socket_owner("h\n x 0:1", 1, 2), None);
}

#[tokio::test]
async fn one_get_of_the_path_is_redirected_and_everything_else_refused() {
    let handoff = Handoff::bind().await.unwrap();
    let url = handoff.local_url();
    assert!(!url.contains("SigninToken"));
    let base = url.rsplit_once('/').unwrap().0.to_owned();
    let owner = Owners { theirs: 7, mine: 7 };
    let server = tokio::spawn(async move {
        handoff
            .serve(&secret(), &owner, Duration::from_secs(10))
            .await
    });
    let wrong = get(&format!("{base}/not-the-token")).await;
    assert!(wrong.starts_with("HTTP/1.1 404"), "{wrong}");
    let right = get(&url).await;
    assert!(right.starts_with("HTTP/1.1 302"), "{right}");
    assert!(right.contains(&format!("Location: {}\r\n", secret().expose())));
    assert!(right.contains("Cache-Control: no-store"));
    server.await.unwrap().unwrap();
    // Served once: the listener is gone.
    let addr = base.strip_prefix("http://").unwrap().to_owned();
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn another_users_request_is_refused_and_the_wait_ends_unserved() {
    let handoff = Handoff::bind().await.unwrap();
    let url = handoff.local_url();
    let owner = Owners {
        theirs: 65534,
        mine: 0,
    };
    let server = tokio::spawn(async move {
        handoff
            .serve(&secret(), &owner, Duration::from_millis(700))
            .await
    });
    let answer = get(&url).await;
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer}");
    assert!(!answer.contains("SigninToken"));
    let e = server.await.unwrap().unwrap_err();
    assert_eq!(e.code(), "browser_did_not_come");
}

/// The real socket table: a request of this user is served; one made by
/// another uid (`setpriv`, which needs root, as CI has) is refused.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn on_linux_the_peer_uid_comes_from_proc_net_tcp() {
    let me = ProcNet.me().unwrap();
    let handoff = Handoff::bind().await.unwrap();
    let url = handoff.local_url();
    let server = tokio::spawn(async move {
        handoff
            .serve(&secret(), &ProcNet, Duration::from_secs(20))
            .await
    });
    if me == 0 {
        // bash's /dev/tcp: a client any uid can run.
        let rest = url.strip_prefix("http://").unwrap();
        let (addr, path) = rest.split_once('/').unwrap();
        let (host, port) = addr.split_once(':').unwrap();
        let fetch = format!(
            "exec 3<>/dev/tcp/{host}/{port}; printf 'GET /{path} HTTP/1.1\\r\\n\\r\\n' >&3; head -c 12 <&3"
        );
        let out = tokio::task::spawn_blocking(move || {
            Command::new("setpriv")
                .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .args(["/bin/bash", "-c", &fetch])
                .output()
                .expect("setpriv and bash run")
        })
        .await
        .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "HTTP/1.1 403",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let answer = get(&url).await;
    assert!(answer.starts_with("HTTP/1.1 302"), "{answer}");
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_connection_that_sends_nothing_delays_no_other() {
    let handoff = Handoff::bind().await.unwrap();
    let url = handoff.local_url();
    let owner = Owners { theirs: 7, mine: 7 };
    // Shorter than the time one connection is given to send its request.
    let server = tokio::spawn(async move {
        handoff
            .serve(&secret(), &owner, Duration::from_secs(3))
            .await
    });
    let addr = url
        .strip_prefix("http://")
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_owned();
    let _idle = TcpStream::connect(&addr).await.unwrap();
    let answer = get(&url).await;
    assert!(answer.starts_with("HTTP/1.1 302"), "{answer}");
    server.await.unwrap().unwrap();
}
