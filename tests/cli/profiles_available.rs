//! `leasekeeper profiles available` against the sandbox: every account and
//! role the signed-in person has, as JSON and as a table; past the portal's
//! rate limit the refused calls are asked again and the listing completes,
//! at the portal's pace; without
//! a sign-in it says which command signs in.

use leasekeeper_sandbox::Faults;

use super::login_harness::World;

fn signed_in() -> World {
    let w = World::start(|c| c.auto_approve = true);
    let run = w.spawn(&["login", "--use-device-code", "--no-browser"], &[]);
    let (exit, stderr, _) = run.finish(60);
    assert_eq!(exit, 0, "{stderr}");
    w
}

fn available(w: &World, extra: &[&str]) -> (i32, String, String) {
    let out = w
        .command(&["profiles", "available", "--sso-session", "sandbox"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn every_account_and_role_of_the_world_is_listed_as_json_and_as_a_table() {
    let w = signed_in();
    let (code, stdout, stderr) = available(&w, &["--json"]);
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["session"], "sandbox");
    let listed = v["accounts"].as_array().unwrap();
    let world = &w.sb.world().accounts;
    assert_eq!(listed.len(), world.len(), "{v}");
    for (a, want) in listed.iter().zip(world) {
        assert_eq!(a["id"], want.id.as_str());
        assert_eq!(a["name"], want.name.as_str());
        assert_eq!(a["email"], want.email.as_str());
        let roles: Vec<&str> = want
            .permission_sets
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(a["roles"], serde_json::json!(roles), "{}", want.name);
    }
    // Piped: plain progress lines.
    assert!(
        stderr.contains("listing sandbox: 2 of 2 accounts"),
        "{stderr}"
    );

    let (code, table, _) = available(&w, &[]);
    assert_eq!(code, 0);
    let first = table.lines().next().unwrap();
    assert!(
        first.starts_with("ACCOUNT") && first.ends_with("ROLES"),
        "{table}"
    );
    for want in world {
        let line = table
            .lines()
            .find(|l| l.starts_with(&want.id))
            .unwrap_or_else(|| panic!("{} listed:\n{table}", want.id));
        assert!(
            line.contains(&want.name) && line.contains(&want.email),
            "{line}"
        );
    }
}

#[test]
fn past_the_portals_rate_limit_the_calls_are_asked_again_and_the_listing_completes() {
    let w = signed_in();
    w.sb.set_faults(Faults {
        portal_calls_per_second: 1,
        ..Faults::default()
    })
    .unwrap();
    let started = std::time::Instant::now();
    let (code, stdout, stderr) = available(&w, &["--json", "--calls-per-second", "100"]);
    let took = started.elapsed();
    assert_eq!(code, 0, "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let accounts = w.sb.world().accounts.len();
    assert_eq!(v["accounts"].as_array().unwrap().len(), accounts);
    // One call a second passes: the calls past it were refused and asked
    // again (by the SDK's retries or the listing's own) until they passed,
    // so the listing took at least a second per call after the first.
    let calls = 1 + accounts;
    assert!(
        took >= std::time::Duration::from_millis(950 * (calls as u64 - 1)),
        "{calls} calls at 1 a second took {took:?}: {stderr}"
    );
}

#[test]
fn without_a_sign_in_it_says_which_command_signs_in() {
    let w = World::start(|_| {});
    let (code, stdout, stderr) = available(&w, &[]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(": leasekeeper login --sso-session sandbox"),
        "{stderr}"
    );
    let (code, _, stderr) = {
        let out = w
            .command(&["profiles", "available", "--sso-session", "nope"])
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("nope"), "{stderr}");
}
