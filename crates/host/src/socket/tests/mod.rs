//! The socket served for real in a temporary folder, with the keeper's loop
//! played by a task on the other ends of the channels.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use leasekeeper_engine::keeper::{Command, EngineEvent, Input};
use time::OffsetDateTime;
use tokio::sync::{broadcast, mpsc, watch};

use super::protocol::{ErrorView, MAX_LINE};
use super::server::Wiring;
use super::*;

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    lock: PathBuf,
    commands: mpsc::UnboundedReceiver<Input>,
    view: watch::Sender<Vec<ProfileView>>,
    events: broadcast::Sender<EngineEvent>,
    served: watch::Sender<ServedMap>,
}

fn renewal(profile: &str, state: ProfileState, renewed_at: Option<i64>) -> ProfileView {
    let at = renewed_at.map(|s| OffsetDateTime::from_unix_timestamp(s).unwrap());
    ProfileView {
        profile: profile.into(),
        section: profile.into(),
        state,
        expires_at: at.map(|t| t + Duration::from_secs(3600)),
        renewed_at: at,
        next_renewal_at: at.map(|t| t + Duration::from_secs(1800)),
        mfa_session_ends_at: None,
        last_error: None,
        served: false,
    }
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    std::fs::create_dir(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o700)).unwrap();
    let lock = state.join("keeper-0011223344556677.lock");
    std::fs::write(&lock, b"").unwrap();
    let (_, commands) = mpsc::unbounded_channel();
    let (view, _) = watch::channel(vec![renewal("dev", ProfileState::Fresh, Some(1_000))]);
    let (events, _) = broadcast::channel(16);
    let (served, _) = watch::channel(ServedMap::new());
    Fixture {
        path: lock.with_extension("sock"),
        lock,
        _dir: dir,
        commands,
        view,
        events,
        served,
    }
}

impl Fixture {
    fn start(&mut self) -> Server {
        let (tx, rx) = mpsc::unbounded_channel();
        self.commands = rx;
        let wiring = Wiring {
            commands: tx,
            view: self.view.subscribe(),
            events: self.events.clone(),
            refresh_wait: Duration::from_secs(2),
            served: self.served.subscribe(),
            reuse_margin: time::Duration::minutes(15),
        };
        Server::start(&self.path, &self.lock, wiring).expect("socket served")
    }
}

/// Writes `bytes` and reads one answer line, on a blocking thread.
async fn raw(path: &Path, bytes: Vec<u8>) -> serde_json::Value {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut s = std::os::unix::net::UnixStream::connect(&path).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(&bytes).unwrap();
        let mut line = String::new();
        BufReader::new(s).read_line(&mut line).unwrap();
        serde_json::from_str(&line).unwrap()
    })
    .await
    .unwrap()
}

async fn ask(path: &Path, request: Request) -> Result<Response, ClientError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || {
        let mut client = Client::connect(&path)?.expect("a keeper listens");
        client.ask(&request, Duration::from_secs(10))
    })
    .await
    .unwrap()
}

mod keys;
mod protocol;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_socket_is_owner_only_answers_hello_and_status_and_goes_on_drop() {
    let mut f = fixture();
    let server = f.start();
    let mode = std::fs::metadata(&f.path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    match ask(&f.path, Request::Hello).await.unwrap() {
        Response::Hello { pid, .. } => assert_eq!(pid, std::process::id()),
        other => panic!("{other:?}"),
    }
    match ask(&f.path, Request::Status).await.unwrap() {
        Response::Status { keeper } => {
            assert_eq!(keeper.profiles.len(), 1);
            assert_eq!(keeper.profiles[0].profile, "dev");
            assert_eq!(keeper.profiles[0].state, ProfileState::Fresh);
        }
        other => panic!("{other:?}"),
    }
    drop(server);
    assert!(!f.path.exists(), "the socket file goes on a clean exit");
    let path = f.path.clone();
    let gone = tokio::task::spawn_blocking(move || Client::connect(&path))
        .await
        .unwrap();
    assert!(matches!(gone, Ok(None)), "no keeper: no client");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_oversized_lines_get_errors_and_the_socket_keeps_serving() {
    let mut f = fixture();
    let _server = f.start();
    let bad = raw(&f.path, b"{\"request\":\"hello\"\n".to_vec()).await;
    assert_eq!(bad["code"], "bad_request", "{bad}");
    let mut big = vec![b'x'; MAX_LINE * 4];
    big.push(b'\n');
    let big = raw(&f.path, big).await;
    assert_eq!(big["code"], "request_too_large", "{big}");
    // Also on one connection: an error, then a good answer.
    let two = raw(&f.path, b"nonsense\n{\"request\":\"hello\"}\n".to_vec()).await;
    assert_eq!(two["code"], "bad_request");
    assert!(matches!(
        ask(&f.path, Request::Hello).await,
        Ok(Response::Hello { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_socket_is_replaced_and_an_open_folder_is_refused() {
    let mut f = fixture();
    std::fs::write(&f.path, b"left by a killed keeper").unwrap();
    let server = f.start();
    assert!(matches!(
        ask(&f.path, Request::Hello).await,
        Ok(Response::Hello { .. })
    ));
    drop(server);
    let folder = f.path.parent().unwrap().to_owned();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (tx, _rx) = mpsc::unbounded_channel();
    let wiring = Wiring {
        commands: tx,
        view: f.view.subscribe(),
        events: f.events.clone(),
        refresh_wait: Duration::from_secs(1),
        served: f.served.subscribe(),
        reuse_margin: time::Duration::minutes(15),
    };
    let err = Server::start(&f.path, &f.lock, wiring).unwrap_err();
    assert_eq!(err.code(), "socket_folder_unsafe", "{err}");
    assert!(!f.path.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_is_answered_once_the_renewal_ended_or_failed() {
    let mut f = fixture();
    let _server = f.start();
    let view = f.view.clone();
    let mut commands = std::mem::replace(&mut f.commands, mpsc::unbounded_channel().1);
    // The loop: renew dev when asked, then fail it when asked again.
    let looped = tokio::spawn(async move {
        let mut seen = Vec::new();
        for round in 0..2 {
            let Some(Input::Command(c)) = commands.recv().await else {
                break;
            };
            seen.push(c);
            view.send_replace(vec![renewal("dev", ProfileState::Renewing, Some(1_000))]);
            tokio::time::sleep(Duration::from_millis(50)).await;
            let mut done = renewal("dev", ProfileState::Fresh, Some(2_000));
            if round == 1 {
                done.state = ProfileState::Retrying;
                done.last_error = Some(ErrorView {
                    code: "throttled".into(),
                    message: "slow down".into(),
                });
            }
            view.send_replace(vec![done]);
        }
        seen
    });
    let one = Request::Refresh {
        profile: Some("dev".into()),
        all: false,
    };
    match ask(&f.path, one.clone()).await.unwrap() {
        Response::Refreshed { renewed, failed } => {
            assert_eq!(renewed.len(), 1, "{renewed:?}");
            assert!(failed.is_empty());
            assert_eq!(
                renewed[0].renewed_at,
                Some(OffsetDateTime::from_unix_timestamp(2_000).unwrap())
            );
        }
        other => panic!("{other:?}"),
    }
    match ask(&f.path, one).await.unwrap() {
        Response::Refreshed { renewed, failed } => {
            assert!(renewed.is_empty());
            assert_eq!(failed[0].last_error.as_ref().unwrap().code, "throttled");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        looped.await.unwrap(),
        vec![
            Command::Refresh {
                profile: "dev".into()
            };
            2
        ]
    );
    let unknown = Request::Refresh {
        profile: Some("nope".into()),
        all: false,
    };
    let err = ask(&f.path, unknown).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Refused { code, .. } if code == "not_managed"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_the_loop_never_answers_times_out_and_signed_out_reaches_the_loop() {
    let mut f = fixture();
    let _server = f.start();
    let all = Request::Refresh {
        profile: None,
        all: true,
    };
    let err = ask(&f.path, all).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Refused { code, .. } if code == "refresh_timed_out"),
        "{err}"
    );
    let out = Request::SignedOut {
        session: "corp".into(),
    };
    assert_eq!(ask(&f.path, out).await.unwrap(), Response::Accepted);
    let mut got = Vec::new();
    while let Ok(Input::Command(c)) = f.commands.try_recv() {
        got.push(c);
    }
    assert_eq!(
        got,
        vec![
            Command::RefreshAll,
            Command::SignedOut {
                session: "corp".into()
            }
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_is_hung_up_on_when_the_keeper_stops_serving() {
    let mut f = fixture();
    let server = f.start();
    let path = f.path.clone();
    let (subscribed, hung_up) = tokio::sync::oneshot::channel();
    let reader = tokio::task::spawn_blocking(move || {
        let mut s = std::os::unix::net::UnixStream::connect(&path).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(b"{\"request\":\"subscribe\"}\n").unwrap();
        let mut reader = BufReader::new(s);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.contains("subscribed"), "{line}");
        subscribed.send(()).unwrap();
        // The next read ends: the keeper hung up (a timeout would be an error).
        let mut rest = String::new();
        reader.read_line(&mut rest).map(|n| (n, rest))
    });
    hung_up.await.unwrap();
    // The keeper stops; its event sender lives on (as the tray's does while
    // it starts its keeper again on other files).
    drop(server);
    let (n, rest) = reader.await.unwrap().expect("the read ends, not times out");
    assert_eq!((n, rest.as_str()), (0, ""), "the end of the stream");
    assert!(f.events.receiver_count() == 0, "no subscription is left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_gets_events_and_a_silent_client_never_blocks_the_sender() {
    let mut f = fixture();
    let _server = f.start();
    let path = f.path.clone();
    let reader = tokio::task::spawn_blocking(move || {
        let mut s = std::os::unix::net::UnixStream::connect(&path).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(b"{\"request\":\"subscribe\"}\n").unwrap();
        let mut lines = BufReader::new(s).lines();
        let first = lines.next().unwrap().unwrap();
        // A reader slower than the sender is told what it missed, then
        // gets the events that follow.
        let mut rest: Vec<serde_json::Value> = Vec::new();
        for line in lines.take(1_000) {
            let line: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let is_event = line["response"] == "event";
            rest.push(line);
            if is_event {
                break;
            }
        }
        (first, rest)
    });
    // A client that subscribes and never reads.
    let _silent = {
        let mut s = std::os::unix::net::UnixStream::connect(&f.path).unwrap();
        s.write_all(b"{\"request\":\"subscribe\"}\n").unwrap();
        s
    };
    let event = EngineEvent::ClockSkew {
        skew_seconds: 400,
        message: "your clock is off by 6 minutes".into(),
    };
    while f.events.receiver_count() < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for _ in 0..1_000 {
        // Never waits, whoever reads slowly.
        let _ = f.events.send(event.clone());
    }
    let (first, rest) = reader.await.unwrap();
    assert_eq!(
        first,
        r#"{"response":"subscribed","protocol":{"major":1,"minor":1}}"#
    );
    let event = rest
        .iter()
        .find(|l| l["response"] == "event")
        .expect("an event line");
    assert_eq!(event["event"]["event"], "clock_skew");
    assert!(
        rest.iter()
            .all(|l| l["response"] == "event" || l["code"] == "events_missed"),
        "{rest:?}"
    );
}
