//! The keeper's socket with `leasekeeper daemon` running against the
//! sandbox: `refresh`, `status` and `logout` go through it; it is
//! owner-only; bad lines get error answers and it keeps serving; a socket
//! left by a killed keeper is replaced by the next one.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::daemon_sandbox::{
    config_dir, file_expiry, signal, signed_in_world_at, start_daemon, stop_daemon,
};
use super::login_harness::*;

/// The one `keeper-*.sock` in the world's state folder.
fn socket_file(w: &World) -> PathBuf {
    let state = w.dir.path().join("state");
    let socks: Vec<PathBuf> = std::fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sock"))
        .collect();
    assert_eq!(socks.len(), 1, "one keeper socket: {socks:?}");
    socks[0].clone()
}

/// Sends `bytes` on a fresh connection and reads one answer.
fn raw(path: &PathBuf, bytes: &[u8]) -> serde_json::Value {
    let mut s = UnixStream::connect(path).expect("the keeper listens");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(bytes).unwrap();
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).unwrap();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

fn status_json(w: &World) -> serde_json::Value {
    let out = w.command(&["status", "--json"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}",
            String::from_utf8_lossy(&out.stderr) + String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn credentials(w: &World) -> String {
    std::fs::read_to_string(w.var("AWS_SHARED_CREDENTIALS_FILE").unwrap()).unwrap()
}

#[test]
fn refresh_status_and_logout_go_through_the_running_keeper() {
    let w = signed_in_world_at(60.0);
    let cfg = config_dir(&w);
    let env = [("LEASEKEEPER_CONFIG_DIR", cfg.as_str())];
    let daemon = start_daemon(&w);
    let pid = daemon.child.id();
    let sock = socket_file(&w);
    assert_eq!(mode(&sock), 0o600);

    // status: the files' report unchanged, the keeper's view added.
    let report = status_json(&w);
    assert_eq!(report["schema_version"], 1, "{report}");
    assert!(report["profiles"].as_array().is_some_and(|p| !p.is_empty()));
    let keeper = &report["keeper"];
    assert_eq!(keeper["pid"], pid, "{report}");
    let dev = keeper["profiles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["profile"] == "dev-admin")
        .unwrap_or_else(|| panic!("dev-admin renewed by the keeper: {keeper}"));
    assert_eq!(dev["section"], "dev-admin");
    assert!(dev["expires_at"].is_string(), "{dev}");
    assert!(!keeper.to_string().contains("aws_secret_access_key"));
    let count = keeper["profiles"].as_array().unwrap().len();
    let table = w.command(&["status", "--color", "never"]).output().unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains(&format!(
            "keeper: running (pid {pid}), renewing {count} profiles"
        )),
        "{table}"
    );

    // refresh: through the socket, the section's expiry moves.
    let before = file_expiry(&w, "dev-admin").expect("written");
    // At speed 60 a second of AWS time passes in 1/60 s: wait for a new second.
    std::thread::sleep(Duration::from_millis(1100));
    let (code, stderr, _) = w
        .spawn(&["refresh", "--profile", "dev-admin"], &env)
        .finish(60);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("Renewed [dev-admin]: keys valid until")
            && stderr.contains(&format!("(by the keeper, pid {pid})")),
        "{stderr}"
    );
    let after = file_expiry(&w, "dev-admin").expect("still written");
    assert!(after > before, "expiry moved: {before} then {after}");

    // Bad lines get error answers; the keeper keeps serving.
    let bad = raw(&sock, b"{\"request\": nope}\n");
    assert_eq!(bad["response"], "error");
    assert_eq!(bad["code"], "bad_request", "{bad}");
    let mut big = vec![b'a'; 1024 * 1024];
    big.push(b'\n');
    let big = raw(&sock, &big);
    assert_eq!(big["code"], "request_too_large", "{big}");
    let hello = raw(&sock, b"{\"request\":\"hello\"}\n");
    assert_eq!(hello["response"], "hello");
    assert_eq!(hello["pid"], pid);

    // logout: the keeper removes the SSO session's sections at once.
    let (code, stderr, _) = w
        .spawn(&["logout", "--sso-session", "sandbox"], &env)
        .finish(60);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("The keeper removes the keys it wrote for sandbox"),
        "{stderr}"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while credentials(&w).contains("[dev-admin]") {
        assert!(
            Instant::now() < deadline,
            "[dev-admin] still written after logout:\n{}",
            credentials(&w)
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    stop_daemon(daemon);
    assert!(!sock.exists(), "the socket goes with a clean stop");
    assert!(
        status_json(&w).get("keeper").is_none(),
        "no keeper, no keeper object"
    );
}

#[test]
fn a_socket_left_by_a_killed_keeper_is_replaced_by_the_next() {
    let w = signed_in_world_at(60.0);
    let daemon = start_daemon(&w);
    let sock = socket_file(&w);
    signal(&daemon, "KILL");
    let _ = daemon.finish(20);
    assert!(sock.exists(), "a killed keeper leaves its socket");

    // Nobody listens: status shows the files alone, quietly.
    let out = w.command(&["status", "--json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report.get("keeper").is_none(), "{report}");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("keeper"),
        "a stale socket is no keeper"
    );

    let next = start_daemon(&w);
    assert_eq!(socket_file(&w), sock);
    assert_eq!(mode(&sock), 0o600);
    assert_eq!(status_json(&w)["keeper"]["pid"], next.child.id());
    stop_daemon(next);
}
