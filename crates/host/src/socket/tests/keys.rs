//! `credentials` and `notify_needs_user` over the real socket: keys handed
//! out only while they outlast the reuse margin, the person's action
//! passed on, the rest refused with stable codes; a request to tell the
//! person reaches the loop as the engine's command; and no key or token in
//! the server's logs at trace level.

use std::sync::{Arc, Mutex};

use leasekeeper_engine::Secret;
use leasekeeper_engine::keeper::PersonNeed;
use leasekeeper_engine::ports::Credentials;

use super::*;
use crate::socket::keys::{NEEDS_SIGN_IN, Served};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLESECRET";
const TOKEN: &str = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";

fn keys(minutes_left: i64) -> Credentials {
    Credentials {
        access_key_id: "ASIAKEEPEREXAMPLE001".into(),
        secret_access_key: Secret::new(SECRET),
        session_token: Some(Secret::new(TOKEN)),
        expiration: Some(OffsetDateTime::now_utc() + time::Duration::minutes(minutes_left)),
    }
}

fn publish(f: &Fixture) {
    let mut map = ServedMap::new();
    map.insert("dev".into(), Served::Keys(keys(50)));
    map.insert("stale".into(), Served::Keys(keys(10)));
    map.insert(
        "blocked".into(),
        Served::NeedsUser {
            code: NEEDS_SIGN_IN,
            message: "profile blocked needs a sign-in: run `leasekeeper login --sso-session corp`"
                .into(),
            command: "leasekeeper login --sso-session corp".into(),
        },
    );
    map.insert(
        "starting".into(),
        Served::NotYet {
            state: "pending".into(),
        },
    );
    f.served.send_replace(map);
}

fn credentials(profile: &str) -> Request {
    Request::Credentials {
        profile: profile.into(),
    }
}

fn refused(r: Result<Response, ClientError>) -> String {
    match r {
        Err(ClientError::Refused { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_are_served_while_they_outlast_the_margin_and_the_rest_is_told_apart() {
    let mut f = fixture();
    let _server = f.start();
    publish(&f);
    let answer = ask(&f.path, credentials("dev")).await.unwrap();
    let Response::Credentials { profile, keys: got } = &answer else {
        panic!("{answer:?}");
    };
    assert_eq!(profile, "dev");
    let got = got.to_credentials();
    assert_eq!(got.access_key_id, "ASIAKEEPEREXAMPLE001");
    assert_eq!(got.secret_access_key.expose(), SECRET);
    assert_eq!(got.session_token.as_ref().map(Secret::expose), Some(TOKEN));
    // The answer's Debug (what a client would log) hides the secrets.
    let shown = format!("{answer:?}");
    assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");

    match ask(&f.path, credentials("blocked")).await.unwrap() {
        Response::NeedsUser { code, command, .. } => {
            assert_eq!(code, "needs_sign_in");
            assert_eq!(command, "leasekeeper login --sso-session corp");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        refused(ask(&f.path, credentials("stale")).await),
        "not_renewed_yet",
        "ten minutes left is inside the SDKs' refresh window"
    );
    assert_eq!(
        refused(ask(&f.path, credentials("starting")).await),
        "not_renewed_yet"
    );
    assert_eq!(
        refused(ask(&f.path, credentials("nope")).await),
        "not_managed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_to_notify_reaches_the_loop_as_the_engines_command() {
    let mut f = fixture();
    let _server = f.start();
    let notify = Request::NotifyNeedsUser {
        profile: "dev".into(),
        code: "needs_sign_in".into(),
        session: Some("corp".into()),
        mfa_serial: None,
    };
    assert_eq!(ask(&f.path, notify).await.unwrap(), Response::Accepted);
    let mfa = Request::NotifyNeedsUser {
        profile: "guarded".into(),
        code: "needs_mfa_code".into(),
        session: None,
        mfa_serial: Some("arn:aws:iam::3:mfa/me".into()),
    };
    assert_eq!(ask(&f.path, mfa).await.unwrap(), Response::Accepted);
    let half = Request::NotifyNeedsUser {
        profile: "dev".into(),
        code: "needs_sign_in".into(),
        session: None,
        mfa_serial: None,
    };
    assert_eq!(refused(ask(&f.path, half).await), "bad_request");
    let mut got = Vec::new();
    while let Ok(Input::Command(c)) = f.commands.try_recv() {
        got.push(c);
    }
    assert_eq!(
        got,
        vec![
            Command::PersonNeeded {
                profile: "dev".into(),
                need: PersonNeed::Login {
                    session: "corp".into()
                }
            },
            Command::PersonNeeded {
                profile: "guarded".into(),
                need: PersonNeed::MfaCode {
                    mfa_serial: "arn:aws:iam::3:mfa/me".into()
                }
            },
        ]
    );
}

/// A writer the test reads back.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn serving_keys_logs_no_secret_at_trace_level() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // The server's tasks run on this thread (a current-thread runtime), so
    // the subscriber set for it sees everything they log.
    let _guard = tracing::subscriber::set_default(subscriber);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut f = fixture();
        let _server = f.start();
        publish(&f);
        tracing::trace!("capture works");
        for profile in ["dev", "stale", "blocked", "nope"] {
            let _ = ask(&f.path, credentials(profile)).await;
        }
        let line = raw(
            &f.path,
            b"{\"request\":\"credentials\",\"profile\":\"dev\"}\n".to_vec(),
        )
        .await;
        assert_eq!(
            line["keys"]["secret_access_key"], SECRET,
            "the JSON carries it"
        );
    });
    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("capture works"), "{text}");
    assert!(text.contains("credentials asked for"), "{text}");
    assert!(!text.contains(SECRET), "a secret key in the logs:\n{text}");
    assert!(
        !text.contains(TOKEN),
        "a session token in the logs:\n{text}"
    );
}
