//! Serve-only leases: a role over long-term keys that `[renew]` leaves out
//! of the credentials file is still renewed in memory when a profile's
//! `credential_process` asks `leasekeeper credential-process` for it, and
//! nothing is written for it; its own `renew = false` is obeyed.

use time::Duration;

use super::kit::{Harness, started, writes};
use crate::keeper::{RenewalState, Skip};

const CONFIG: &str = "[profile alice]\naws_access_key_id = AKIAEXAMPLEALICE\n\
                      aws_secret_access_key = not-a-real-secret\n\n\
                      [profile deploy]\nrole_arn = arn:aws:iam::222222222222:role/Deploy\n\
                      source_profile = alice\n\n\
                      [profile deploy-leasekeeper]\n\
                      credential_process = leasekeeper credential-process --profile deploy\n";

#[test]
fn a_role_asked_for_by_credential_process_is_renewed_but_never_written() {
    let mut h = Harness::new(CONFIG, Vec::new(), "");
    let out = h.start();
    let graph = h.state.graph();
    assert!(
        graph.managed().is_empty(),
        "static_keys is off: nothing written"
    );
    let served = &graph.served()["deploy"];
    assert_eq!(served.section, "");
    assert_eq!(graph.skipped()["deploy"], Skip::ServedOnly);
    let node = served.node.clone();
    assert_eq!(started(&out), std::slice::from_ref(&node));
    let out = h.step(vec![h.ok(&node, Duration::HOUR)]);
    assert!(
        writes(&out).is_empty(),
        "no section for a served-only lease"
    );
    let renewals = h.state.served_renewals(h.wall);
    assert_eq!(renewals.len(), 1);
    assert_eq!(renewals[0].profile, "deploy");
    assert_eq!(renewals[0].state, RenewalState::Fresh);
    assert!(h.state.renewals(h.wall).is_empty(), "not among the written");
    // Renewed again at half life, like any lease.
    let later = h.run_until(h.wall + Duration::minutes(40), Duration::HOUR);
    assert!(later.iter().any(|(_, n)| n == &node), "{later:?}");
}

#[test]
fn the_profiles_own_renew_false_is_obeyed() {
    let mut h = Harness::new(CONFIG, Vec::new(), "[profiles.deploy]\nrenew = false\n");
    let out = h.start();
    assert!(started(&out).is_empty());
    assert!(h.state.graph().served().is_empty());
    assert_eq!(h.state.graph().skipped()["deploy"], Skip::Disabled);
}

#[test]
fn with_static_keys_on_the_role_is_written_as_before() {
    let mut h = Harness::new(CONFIG, Vec::new(), "[renew]\nstatic_keys = true\n");
    h.start();
    assert!(h.state.graph().served().is_empty());
    assert_eq!(h.state.graph().managed()["deploy"].section, "deploy");
}
