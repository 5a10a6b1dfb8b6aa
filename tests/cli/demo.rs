//! `leasekeeper demo`: the sandbox's world shown with no AWS account, and
//! nothing left behind.

use super::harness::{leasekeeper, run};

#[test]
fn the_demo_shows_the_sandbox_world_and_cleans_up() {
    let home = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = leasekeeper(home.path());
    cmd.env("TMPDIR", tmp.path()).args(["demo", "--once"]);
    let r = run(cmd);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let row = |name: &str| {
        r.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name} listed: {}", r.stdout))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert!(
        row("dev-admin").contains("sign in needs_login"),
        "{}",
        row("dev-admin")
    );
    assert!(
        row("deploy").contains("fresh role deploy ← alice"),
        "{}",
        row("deploy")
    );
    assert!(row("breakglass").contains("(mfa)"));
    // The person's home is untouched and the demo's folder is gone.
    assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
