//! The protocol's types read back what they write, on both sides: every
//! request, every answer and every engine event; fields and event kinds
//! of a newer minor version are tolerated, another major version is
//! refused by name, and hostile lines give named errors.

use std::io::{BufRead as _, BufReader, Write as _};
use std::os::unix::net::UnixListener;

use leasekeeper_engine::keeper::{
    EngineEvent, Failure, NodeId, ProfileRenewal, RenewalState, WakeSummary, Warning, WarningKind,
};
use time::macros::datetime;

use super::super::keys::{WireKeys, WireSecret};
use super::super::protocol::{self, ErrorView, LineError, PROTOCOL, ProtocolVersion, decode};
use super::*;

fn node(id: &str) -> NodeId {
    serde_json::from_value(serde_json::json!(id)).unwrap()
}

fn renewal() -> ProfileRenewal {
    ProfileRenewal {
        profile: "dev".into(),
        section: "dev".into(),
        node: node("sso-role:corp/1/Admin"),
        state: RenewalState::Retrying,
        expires_at: Some(datetime!(2026-11-22 11:00 UTC)),
        renewed_at: Some(datetime!(2026-11-22 10:00 UTC)),
        next_renewal_at: None,
        mfa_session_ends_at: Some(datetime!(2026-11-22 20:00 UTC)),
        waiting_on: Some(node("sso:corp")),
        last_error: Some(Failure::new("Throttling", "rate exceeded", true)),
        notes: vec!["role chaining limits this role to one hour".into()],
    }
}

/// One event of every kind.
fn every_event() -> Vec<EngineEvent> {
    let profiles = vec!["dev".to_owned(), "prod".to_owned()];
    vec![
        EngineEvent::LeaseChanged { renewal: renewal() },
        EngineEvent::LoginNeeded {
            session: "corp".into(),
            profiles: profiles.clone(),
            reason: "the refresh token expired".into(),
        },
        EngineEvent::WarningDue(Warning {
            kind: WarningKind::SignInEnding,
            subject: "corp".into(),
            deadline: datetime!(2026-11-22 18:00 UTC),
            lead_seconds: 900,
            seconds_left: 880,
            estimated: true,
            profiles: profiles.clone(),
            mfa_serial: None,
        }),
        EngineEvent::RenewalFailed {
            node: node("assume-role:dev/arn"),
            profiles: profiles.clone(),
            code: "AccessDenied".into(),
            message: "not allowed".into(),
            will_retry: false,
        },
        EngineEvent::DurationRefused {
            node: node("assume-role:dev/arn"),
            profiles: profiles.clone(),
            asked_seconds: 43_200,
            message: "too long".into(),
        },
        EngineEvent::WriteFailed {
            profile: "dev".into(),
            section: "dev".into(),
            code: "foreign_section".into(),
            message: "not ours".into(),
        },
        EngineEvent::MfaCodeNeeded {
            node: node("mfa:base/arn:aws:iam::1:mfa/me"),
            profiles: profiles.clone(),
            mfa_serial: "arn:aws:iam::1:mfa/me".into(),
        },
        EngineEvent::MfaCodeAccepted {
            serial: "arn:aws:iam::1:mfa/me".into(),
            request: 7,
            node: node("mfa:base/arn:aws:iam::1:mfa/me"),
            profiles,
            expires_at: datetime!(2026-11-23 06:00 UTC),
        },
        EngineEvent::MfaCodeRefused {
            serial: "arn:aws:iam::1:mfa/me".into(),
            request: 8,
            code: "mfa_code_reused".into(),
            message: "that code was used already".into(),
        },
        EngineEvent::WokeSummary(WakeSummary {
            slept_seconds: 3_600,
            lapsed: vec!["dev".into()],
            renewed: vec![],
            failing: vec!["prod".into()],
        }),
        EngineEvent::ClockSkew {
            skew_seconds: -1_200,
            message: "your clock is off by 20 minutes".into(),
        },
    ]
}

fn profile_view() -> ProfileView {
    ProfileView {
        profile: "dev".into(),
        section: "dev".into(),
        state: ProfileState::Fresh,
        expires_at: Some(datetime!(2026-11-22 11:00 UTC)),
        renewed_at: Some(datetime!(2026-11-22 10:00 UTC)),
        next_renewal_at: Some(datetime!(2026-11-22 10:30 UTC)),
        mfa_session_ends_at: None,
        last_error: Some(ErrorView {
            code: "Throttling".into(),
            message: "rate exceeded".into(),
        }),
        served: true,
    }
}

fn every_request() -> Vec<Request> {
    vec![
        Request::Hello,
        Request::Status,
        Request::Refresh {
            profile: Some("dev".into()),
            all: false,
        },
        Request::Refresh {
            profile: None,
            all: true,
        },
        Request::SignedOut {
            session: "corp".into(),
        },
        Request::SignedIn {
            session: "corp".into(),
        },
        Request::Subscribe,
        Request::MfaCode {
            serial: "arn:aws:iam::1:mfa/me".into(),
            code: serde_json::from_value::<WireSecret>(serde_json::json!("123456")).unwrap(),
        },
        Request::Credentials {
            profile: "dev".into(),
        },
        Request::NotifyNeedsUser {
            profile: "dev".into(),
            code: "needs_sign_in".into(),
            session: Some("corp".into()),
            mfa_serial: None,
        },
        Request::NotifyNeedsUser {
            profile: "breakglass".into(),
            code: "needs_mfa_code".into(),
            session: None,
            mfa_serial: Some("arn:aws:iam::1:mfa/me".into()),
        },
    ]
}

fn every_response() -> Vec<Response> {
    let mut out = vec![
        Response::Hello {
            pid: 4242,
            version: "0.1.0".into(),
            program: Some("leasekeeper".into()),
        },
        Response::Status {
            keeper: KeeperView {
                pid: 4242,
                version: "0.1.0".into(),
                profiles: vec![profile_view()],
            },
        },
        Response::Refreshed {
            renewed: vec![profile_view()],
            failed: vec![],
        },
        Response::Accepted,
        Response::Subscribed,
        Response::Credentials {
            profile: "dev".into(),
            keys: WireKeys {
                access_key_id: "ASIAEXAMPLE".into(),
                secret_access_key: serde_json::from_value(serde_json::json!("s")).unwrap(),
                session_token: serde_json::from_value(serde_json::json!("t")).unwrap(),
                expiration: datetime!(2026-11-22 11:00 UTC),
            },
        },
        Response::NeedsUser {
            profile: "dev".into(),
            code: "needs_sign_in".into(),
            message: "profile dev needs a sign-in".into(),
            command: "leasekeeper login --sso-session corp".into(),
        },
        Response::error("not_managed", "the keeper does not renew dev"),
        Response::Event {
            event: WireEvent::Newer {
                event: "tea_ready".into(),
            },
        },
    ];
    out.extend(
        every_event()
            .into_iter()
            .map(|e| Response::Event { event: e.into() }),
    );
    out
}

/// A line as written, without its newline.
fn line_of<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut line = protocol::encode(value);
    assert_eq!(line.pop(), Some(b'\n'));
    line
}

/// `line` with `extra` fields added at its top level.
fn with_fields(line: &[u8], extra: serde_json::Value) -> Vec<u8> {
    let mut v: serde_json::Value = serde_json::from_slice(line).unwrap();
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::to_vec(&v).unwrap()
}

#[test]
fn every_event_kind_is_listed_with_its_code() {
    let codes: Vec<&str> = every_event().iter().map(EngineEvent::code).collect();
    assert_eq!(codes, EngineEvent::CODES.to_vec());
}

#[test]
fn every_request_and_answer_reads_back_equal_with_its_version() {
    for request in every_request() {
        let line = line_of(&request);
        let v: serde_json::Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(v["protocol"], serde_json::json!({"major": 1, "minor": 1}));
        assert_eq!(protocol::parse(&line), Ok(request));
    }
    for response in every_response() {
        let line = line_of(&response);
        assert_eq!(decode::<Response>(&line), Ok(response));
    }
}

#[test]
fn every_event_reads_back_equal_on_its_own() {
    for event in every_event() {
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<EngineEvent>(&json).unwrap(), event);
        let wire: WireEvent = serde_json::from_str(&json).unwrap();
        assert_eq!(wire, WireEvent::Known(Box::new(event)));
    }
}

#[test]
fn unknown_fields_newer_minors_and_newer_event_kinds_are_read() {
    let newer = serde_json::json!({"protocol": {"major": 1, "minor": 7}, "mood": "calm"});
    for response in every_response() {
        let line = with_fields(&line_of(&response), newer.clone());
        assert_eq!(decode::<Response>(&line), Ok(response));
    }
    for request in every_request() {
        let line = with_fields(&line_of(&request), newer.clone());
        assert_eq!(protocol::parse(&line), Ok(request));
    }
    // Fields added deep inside: a renewal and a profile view.
    let line = br#"{"response":"event","event":{"event":"lease_changed","colour":"teal","renewal":{
        "profile":"dev","section":"dev","node":"n","state":"fresh","expires_at":null,
        "renewed_at":null,"next_renewal_at":null,"mfa_session_ends_at":null,"waiting_on":null,
        "last_error":null,"notes":[],"shiny":true}}}"#;
    match decode::<Response>(line) {
        Ok(Response::Event {
            event: WireEvent::Known(event),
        }) => match *event {
            EngineEvent::LeaseChanged { renewal } => {
                assert_eq!(renewal.state, RenewalState::Fresh);
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    // A profile state of a newer keeper reads as unknown, never an error.
    let line = br#"{"response":"status","keeper":{"pid":7,"version":"9.0.0","profiles":[{
        "profile":"dev","section":"dev","state":"hibernating","expires_at":null,
        "renewed_at":null,"next_renewal_at":null,"last_error":null}]}}"#;
    match decode::<Response>(line) {
        Ok(Response::Status { keeper }) => {
            let state = keeper.profiles[0].state;
            assert_eq!(state, ProfileState::Unknown);
            assert_eq!((state.renewal(), state.as_str()), (None, "unknown"));
        }
        other => panic!("{other:?}"),
    }
    // A line without a version is 1.0.
    assert_eq!(
        decode::<Response>(br#"{"response":"subscribed"}"#),
        Ok(Response::Subscribed)
    );
    // An event kind of a newer keeper is named and skipped, never an error.
    assert_eq!(
        decode::<Response>(br#"{"response":"event","event":{"event":"tea_ready","cups":2}}"#),
        Ok(Response::Event {
            event: WireEvent::Newer {
                event: "tea_ready".into()
            }
        })
    );
}

#[test]
fn another_major_version_is_refused_by_name_on_both_sides() {
    let v2 = serde_json::json!({"protocol": {"major": 2, "minor": 0}});
    let theirs = ProtocolVersion { major: 2, minor: 0 };
    let answer = with_fields(&line_of(&Response::Accepted), v2.clone());
    assert_eq!(
        decode::<Response>(&answer),
        Err(LineError::Incompatible {
            theirs,
            ours: PROTOCOL
        })
    );
    // Refused before the rest is read: a 2.0 answer this version cannot read.
    let strange = br#"{"protocol":{"major":2,"minor":0},"reply":["accepted"]}"#;
    assert_eq!(
        decode::<Response>(strange).map_err(|e| e.code()),
        Err("protocol_incompatible")
    );
    let request = with_fields(&line_of(&Request::Status), v2);
    match protocol::parse(&request) {
        Err(Response::Error { code, message }) => {
            assert_eq!(code, "protocol_incompatible");
            assert!(message.contains("speaks protocol 2.0"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_client_names_a_keeper_of_another_major_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        reader
            .into_inner()
            .write_all(b"{\"response\":\"status\",\"protocol\":{\"major\":3,\"minor\":1}}\n")
            .unwrap();
    });
    let mut client = Client::connect(&path).unwrap().expect("a keeper listens");
    let err = client.status().unwrap_err();
    server.join().unwrap();
    assert_eq!(err.code(), "keeper_protocol_incompatible");
    assert!(
        err.to_string()
            .contains("speaks protocol 3.1; this leasekeeper speaks 1.1"),
        "{err}"
    );
    assert!(matches!(err, ClientError::Incompatible { .. }));
}

#[test]
fn every_renewal_state_crosses_the_socket_as_itself() {
    for state in [
        RenewalState::Fresh,
        RenewalState::Renewing,
        RenewalState::Retrying,
        RenewalState::Pending,
        RenewalState::Lapsed,
        RenewalState::NeedsLogin,
        RenewalState::NeedsMfaCode,
    ] {
        let wire = ProfileState::from(state);
        assert_eq!(wire.renewal(), Some(state));
        assert_eq!(wire.as_str(), state.as_str());
        assert_eq!(
            serde_json::to_value(wire).unwrap(),
            serde_json::to_value(state).unwrap()
        );
    }
}

/// A fake keeper that answers any request with one line that never ends.
#[test]
fn an_endless_answer_line_is_refused_by_name_without_being_held() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let mut stream = reader.into_inner();
        let chunk = [b' '; 64 * 1024];
        let mut sent = stream
            .write_all(b"{\"response\":\"status\",\"keeper\":")
            .is_ok();
        let mut total = 0usize;
        // Until the client hangs up (or far past the limit, so a client
        // that never stops reading fails the test rather than hangs it).
        while sent && total < 4 * protocol::MAX_ANSWER_LINE {
            sent = stream.write_all(&chunk).is_ok();
            total += chunk.len();
        }
        total
    });
    let mut client = Client::connect(&path).unwrap().expect("a keeper listens");
    let err = client.status().unwrap_err();
    let sent = server.join().unwrap();
    assert_eq!(err.code(), "keeper_answer_too_large", "{err}");
    assert!(
        matches!(err, ClientError::AnswerTooLarge { limit, .. } if limit == protocol::MAX_ANSWER_LINE)
    );
    assert!(sent < 4 * protocol::MAX_ANSWER_LINE, "the client hung up");
    // The connection is shut: nothing more is read from it.
    assert!(client.status().is_err());
}

#[test]
fn hostile_lines_give_named_errors() {
    let hostile: [&[u8]; 12] = [
        b"",
        b"\xff\xfe\x00",
        b"[1,2,3]",
        b"null",
        b"{\"response\":\"event\",\"event\":{\"event\":\"lease_changed\",\"renewal\":7}}",
        b"{\"response\":\"event\",\"event\":{\"event\":\"mfa_code_accepted\",\"expires_at\":\"tomorrow\"}}",
        b"{\"response\":\"event\",\"event\":42}",
        b"{\"response\":\"status\",\"keeper\":{\"pid\":-1}}",
        b"{\"response\":\"hello\",\"pid\":99999999999999999999999}",
        b"{\"protocol\":\"1.0\",\"response\":\"accepted\"}",
        b"{\"protocol\":{\"major\":-1,\"minor\":0},\"response\":\"accepted\"}",
        b"{\"response\":\"accepted\"",
    ];
    for line in hostile {
        match decode::<Response>(line) {
            Err(LineError::Malformed(message)) => assert!(!message.is_empty()),
            other => panic!("{}: {other:?}", String::from_utf8_lossy(line)),
        }
        match protocol::parse(line) {
            Err(Response::Error { code, .. }) => assert_eq!(code, "bad_request"),
            other => panic!("{}: {other:?}", String::from_utf8_lossy(line)),
        }
    }
    // Deep nesting is refused by the reader's own limit, not the stack.
    let mut deep = b"{\"response\":\"event\",\"event\":".to_vec();
    deep.extend(std::iter::repeat_n(b'[', 100_000));
    assert!(matches!(
        decode::<Response>(&deep),
        Err(LineError::Malformed(_))
    ));
}
