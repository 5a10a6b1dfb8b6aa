//! The tray as keeper looks at this user's processes about once a minute
//! (scaled): a job started on keys that lapse within the warning lead gets
//! one notification, before they lapse, naming its pid and the fix.

use std::process::{Command, Stdio};
use std::time::Duration;

use leasekeeper_engine::doctor::issued::IssuedKeys;

use super::app::World;
use super::desk::{Desk, Panel};

#[test]
fn a_job_on_keys_about_to_lapse_is_told_once_before_they_do() {
    // At speed 60 the 15-minute lead is 15 s and the look comes every second.
    let world = World::start(60.0, "");
    let lapse = time::OffsetDateTime::now_utc() + time::Duration::seconds(25);
    // Keys this keeper issued (as `leasekeeper env` would have had them):
    // the job is matched by its key id alone, so no other test's tray,
    // whose record is its own, takes it for one of its processes.
    let mut issued = IssuedKeys::default();
    issued.record(
        "ASIATRAYJOB000000001",
        "alice",
        lapse,
        time::OffsetDateTime::now_utc(),
    );
    let state = std::path::Path::new(world.var("LEASEKEEPER_STATE_DIR")).to_owned();
    std::fs::create_dir_all(&state).expect("the state folder");
    std::fs::write(state.join("issued-keys.json"), issued.to_json()).expect("the record");
    let mut job = Command::new("sleep")
        .arg("600")
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("AWS_ACCESS_KEY_ID", "ASIATRAYJOB000000001")
        .env("AWS_SECRET_ACCESS_KEY", "dHJheWpvYnNlY3JldHRyYXlqb2I")
        .env("AWS_SESSION_TOKEN", "dHJheWpvYnRva2Vu")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sleep runs");
    let pid = job.id();
    let desk = Desk::start(world, Panel::WithHost, &[]);
    let summary = format!("sleep (pid {pid}) will fail with ExpiredToken");
    let told = desk
        .notes
        .wait(40, "the job's warning", |n| n.summary == summary);
    assert!(
        time::OffsetDateTime::now_utc() < lapse,
        "told after the keys lapsed"
    );
    assert_eq!(told.app, "Leasekeeper");
    assert!(
        told.body.contains("leasekeeper exec --profile alice"),
        "{told:?}"
    );
    for secret in [
        "dHJheWpvYnNlY3JldHRyYXlqb2I",
        "dHJheWpvYnRva2Vu",
        "ASIATRAYJOB000000001",
    ] {
        assert!(!told.body.contains(secret), "{told:?}");
    }
    // Once per process.
    std::thread::sleep(Duration::from_secs(3));
    let times = desk
        .notes
        .shown()
        .iter()
        .filter(|n| n.summary == summary)
        .count();
    assert_eq!(times, 1);
    let _ = job.kill();
    let _ = job.wait();
}
