//! No secret ever leaves the keeper: not in an action, an event, or the
//! state's debug output, whatever happens.

use time::Duration;

use super::kit::{Harness, corp_token};
use crate::keeper::testkit::{T0, sso_config};
use crate::keeper::{Action, Command, Input};

const SECRETS: [&str; 5] = [
    "LONGTERMSECRETVALUE",
    "OTHERTOOLSESSIONTOKEN",
    "ACCESSTOKENVALUE",
    "REFRESHTOKENVALUE",
    "CLIENTSECRETVALUE",
];

#[test]
fn no_secret_appears_in_actions_events_or_state() {
    let config = format!(
        "{}\n[profile keys]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = LONGTERMSECRETVALUE\n\
         [profile direct]\nrole_arn = arn:aws:iam::3:role/D\nsource_profile = keys\n",
        sso_config(2)
    );
    let mut token = corp_token(Duration::minutes(20));
    token.access_token = "ACCESSTOKENVALUE".into();
    let mut h = Harness::new(&config, vec![token], "[renew]\nstatic_keys = true\n");
    h.credentials = "[temp]\naws_access_key_id = ASIAEXAMPLE\naws_secret_access_key = OTHERTOOLSECRET\n\
                     aws_session_token = OTHERTOOLSESSIONTOKEN\nx_security_token_expires = 2026-11-22T10:20:00Z\n"
        .into();
    let mut actions: Vec<Action> = Vec::new();
    let out = h.start();
    actions.extend(
        h.settle(out, Duration::HOUR)
            .into_iter()
            .flat_map(|o| o.actions),
    );
    actions.extend(
        h.run(T0 + Duration::hours(2), Duration::HOUR)
            .into_iter()
            .map(|(_, a)| a),
    );
    let direct = h.node("direct");
    actions.extend(
        h.step(vec![h.fail(
            &direct,
            "throttled",
            "STS is throttling requests",
            true,
        )])
        .actions,
    );
    let out = h.step(vec![Input::Command(Command::SignedOut {
        session: "corp".into(),
    })]);
    actions.extend(out.actions);
    assert!(actions.len() > 20, "a real run: {}", actions.len());
    let shown = format!("{actions:?}{:?}", h.state);
    let events: Vec<String> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Emit(e) => Some(serde_json::to_string(e).expect("events serialise")),
            _ => None,
        })
        .collect();
    for secret in SECRETS {
        assert!(!shown.contains(secret), "{secret} in debug output");
        assert!(
            events.iter().all(|e| !e.contains(secret)),
            "{secret} in an event"
        );
    }
    assert!(
        !shown.contains("AKIAIOSFODNN7EXAMPLE"),
        "key ids only by their last four characters"
    );
}
