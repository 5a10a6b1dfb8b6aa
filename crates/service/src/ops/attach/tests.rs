use std::io::{BufRead as _, BufReader as StdReader, Write as _};
use std::os::unix::net::UnixListener;

use leasekeeper_engine::keeper::RenewalState;
use leasekeeper_host::socket::ProfileState;

use super::*;

/// A keeper that answers `hello` and `status` as a keeper would, and any
/// other request with `events`.
fn keeper(dir: &Path, events: Vec<Vec<u8>>) -> io::Result<Remote> {
    let socket = dir.join("keeper.sock");
    let listener = UnixListener::bind(&socket)?;
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut request = String::new();
            if StdReader::new(&stream).read_line(&mut request).is_err() {
                continue;
            }
            let answer: Vec<Vec<u8>> = if request.contains("\"hello\"") {
                vec![protocol::encode(&Response::Hello {
                    pid: 42,
                    version: "9.9.9".into(),
                    program: Some("leasekeeper".into()),
                })]
            } else if request.contains("\"status\"") {
                vec![protocol::encode(&Response::Status {
                    keeper: KeeperView {
                        pid: 42,
                        version: "9.9.9".into(),
                        profiles: vec![
                            view("prod", ProfileState::NeedsLogin),
                            view("new", ProfileState::Unknown),
                        ],
                    },
                })]
            } else {
                events.clone()
            };
            for line in answer {
                // The client may hang up first.
                if stream.write_all(&line).is_err() {
                    break;
                }
            }
        }
    });
    Ok(Remote { socket })
}

fn view(profile: &str, state: ProfileState) -> ProfileView {
    ProfileView {
        profile: profile.into(),
        section: profile.into(),
        state,
        expires_at: None,
        renewed_at: None,
        next_renewal_at: None,
        mfa_session_ends_at: None,
        last_error: None,
        served: false,
    }
}

fn json(value: &serde_json::Value) -> Vec<u8> {
    format!("{value}\n").into_bytes()
}

#[tokio::test]
async fn no_keeper_is_none_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let remote = Remote {
        socket: dir.path().join("keeper.sock"),
    };
    assert_eq!(remote.running().unwrap(), None);
    assert_eq!(remote.view().unwrap(), None);
    assert!(remote.subscribe().await.unwrap().is_none());
}

#[tokio::test]
async fn a_keeper_is_running_with_its_view_as_menu_lines() {
    let dir = tempfile::tempdir().unwrap();
    let remote = keeper(dir.path(), Vec::new()).unwrap();
    let running = tokio::task::spawn_blocking({
        let remote = remote.clone();
        move || (remote.running(), remote.view())
    })
    .await
    .unwrap();
    assert_eq!(
        running.0.unwrap(),
        Some(Running {
            pid: 42,
            version: "9.9.9".into(),
            program: Some("leasekeeper".into()),
        })
    );
    let view = running.1.unwrap().unwrap();
    assert_eq!(view.pid, 42);
    // A state this version does not know is left out.
    assert_eq!(
        lines(&view.profiles),
        vec![KeeperLine {
            profile: "prod".into(),
            state: RenewalState::NeedsLogin,
            failing: false,
            expires_at: None,
            act_by: None,
        }]
    );
}

#[tokio::test]
async fn a_subscription_yields_typed_events_until_another_major_version() {
    let dir = tempfile::tempdir().unwrap();
    let lease_changed = serde_json::json!({
        "response": "event",
        "protocol": {"major": 1, "minor": 4},
        "event": {
            "event": "lease_changed",
            "renewal": {
                "profile": "dev", "section": "dev", "node": "sso-role:corp/1/Admin",
                "state": "retrying", "expires_at": "2026-11-22T11:00:00Z", "renewed_at": null,
                "next_renewal_at": null, "waiting_on": null,
                "mfa_session_ends_at": "2026-11-22T20:00:00Z",
                "last_error": {"code": "Throttling", "message": "rate exceeded", "retryable": true},
                "notes": [], "added_later": 1
            }
        }
    });
    let events = vec![
        protocol::encode(&Response::Subscribed),
        json(&lease_changed),
        json(&serde_json::json!({"response": "event", "event": {
            "event": "clock_skew", "skew_seconds": 60, "message": "off"}})),
        json(&serde_json::json!({"response": "event", "event": {"event": "tea_ready"}})),
        protocol::encode(&Response::error("events_missed", "3 events were missed")),
        // A known event that does not read is an error, never a newer one.
        json(&serde_json::json!({"response": "event", "event": {
            "event": "lease_changed",
            "renewal": {"profile": "dev", "state": "asleep", "last_error": null}
        }})),
        b"not json\n".to_vec(),
        json(&serde_json::json!({"response": "event", "protocol": {"major": 2, "minor": 0}})),
        json(&lease_changed),
    ];
    let remote = keeper(dir.path(), events).unwrap();
    let mut events = remote.subscribe().await.unwrap().unwrap();

    let Some(Ok(WireEvent::Known(event))) = events.next().await else {
        panic!("a lease_changed event");
    };
    assert_eq!(
        line_of_event(&event),
        Some(KeeperLine {
            profile: "dev".into(),
            state: RenewalState::Retrying,
            failing: true,
            expires_at: Some(time::macros::datetime!(2026-11-22 11:00 UTC)),
            act_by: Some(time::macros::datetime!(2026-11-22 20:00 UTC)),
        })
    );
    let Some(Ok(WireEvent::Known(event))) = events.next().await else {
        panic!("a clock_skew event");
    };
    assert_eq!(line_of_event(&event), None);
    assert!(matches!(
        events.next().await,
        Some(Ok(WireEvent::Newer { event })) if event == "tea_ready"
    ));
    let missed = events.next().await.unwrap().unwrap_err();
    assert!(
        matches!(&missed, ClientError::Refused { code, .. } if code == "events_missed"),
        "{missed:?}"
    );
    for _ in 0..2 {
        assert_eq!(
            events.next().await.unwrap().unwrap_err().code(),
            "keeper_bad_answer"
        );
    }
    assert_eq!(
        events.next().await.unwrap().unwrap_err().code(),
        "keeper_protocol_incompatible"
    );
    // Nothing after another major version is read.
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn a_line_too_long_is_refused_unread_and_ends_the_subscription() {
    let dir = tempfile::tempdir().unwrap();
    let mut long = protocol::encode(&Response::Subscribed);
    long.extend(std::iter::repeat_n(b'x', MAX_ANSWER_LINE + 1));
    long.push(b'\n');
    let remote = keeper(dir.path(), vec![long]).unwrap();
    let mut events = remote.subscribe().await.unwrap().unwrap();
    assert_eq!(
        events.next().await.unwrap().unwrap_err().code(),
        "keeper_answer_too_large"
    );
    assert!(events.next().await.is_none());
}

#[tokio::test]
async fn a_refused_subscription_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let busy = protocol::encode(&Response::error("busy", "too many clients"));
    let remote = keeper(dir.path(), vec![busy]).unwrap();
    let e = remote.subscribe().await.unwrap_err();
    assert_eq!(e.code(), "keeper_refused");
}
