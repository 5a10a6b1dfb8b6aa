//! `leasekeeper status` on a token another tool signed in (written as the
//! AWS CLI writes it): the sign-in's end is estimated from when it was first
//! seen, kept across routine refreshes and restarted by a new sign-in; with
//! nothing known the registration's expiry is shown as an upper bound only.
//! Runs on the bundled example home leave nothing in the repository.

use std::path::Path;
use std::process::Command;

use leasekeeper_engine::profiles::sso_cache::cache_key;
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime};

use super::harness::{example_home, leasekeeper, profile, run};

const CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
";

/// `YYYY-MM-DDTHH:MM:SSZ`, as botocore writes times.
fn z(t: OffsetDateTime) -> String {
    let t = t.replace_nanosecond(0).expect("zero nanoseconds");
    t.format(&Rfc3339).expect("formats")
}

/// Writes the token file for `corp` as `aws sso login` leaves it.
fn write_token(home: &Path, access: &str, client: &str, expires: OffsetDateTime) {
    let now = OffsetDateTime::now_utc();
    let json = format!(
        "{{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"eu-west-1\", \
         \"accessToken\": \"{access}\", \"expiresAt\": \"{}\", \"clientId\": \"{client}\", \
         \"clientSecret\": \"SECRETclient\", \"registrationExpiresAt\": \"{}\", \
         \"refreshToken\": \"SECRETrefresh\"}}",
        z(expires),
        z(now + Duration::days(80)),
    );
    let dir = home.join(".aws/sso/cache");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{}.json", cache_key("corp"))), json).unwrap();
}

fn home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".aws")).unwrap();
    std::fs::write(dir.path().join(".aws/config"), CONFIG).unwrap();
    dir
}

fn command(home: &Path, state: &Path) -> Command {
    let mut cmd = leasekeeper(home);
    cmd.env("LEASEKEEPER_STATE_DIR", state)
        .env_remove("LEASEKEEPER_CONFIG_DIR")
        .env("XDG_CONFIG_HOME", home.join("xdg-config"));
    cmd
}

fn dev(home: &Path, state: &Path) -> serde_json::Value {
    let mut cmd = command(home, state);
    cmd.args(["status", "--json"]);
    let r = run(cmd);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    profile(&json, "dev").clone()
}

fn time_of(v: &serde_json::Value) -> OffsetDateTime {
    OffsetDateTime::parse(v.as_str().expect("a timestamp"), &Rfc3339).unwrap()
}

fn table_line(home: &Path, state: &Path, name: &str) -> String {
    let mut cmd = command(home, state);
    cmd.args(["status", "--color", "never"]);
    let r = run(cmd);
    r.stdout
        .lines()
        .find(|l| l.starts_with(&format!("{name} ")))
        .unwrap_or_else(|| panic!("{name} in {}", r.stdout))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn another_tools_sign_in_is_estimated_from_first_sight_kept_and_restarted() {
    let home = home();
    let state = home.path().join("state");
    let before = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    // Ten minutes left on the access token: the next replacement is routine.
    write_token(
        home.path(),
        "SECRETaccess1",
        "client-one",
        before + Duration::minutes(10),
    );
    let p = dev(home.path(), &state);
    let seen = time_of(&p["sso"]["first_seen_at"]);
    assert!(seen >= before && seen <= OffsetDateTime::now_utc(), "{p:#}");
    assert_eq!(p["sso"]["signed_in_at"], serde_json::Value::Null);
    assert_eq!(p["action_needed_estimated"], true, "{p:#}");
    assert_eq!(p["action_needed_upper_bound"], false, "{p:#}");
    assert_eq!(time_of(&p["action_needed_at"]) - seen, Duration::hours(8));

    // The table marks the estimate.
    let line = table_line(home.path(), &state, "dev");
    assert!(
        line.starts_with("dev sso 7h59m (est.) fresh")
            || line.starts_with("dev sso 8h00m (est.) fresh"),
        "{line}"
    );

    // Recorded in the state folder, owner-only, without a secret.
    let files: Vec<_> = std::fs::read_dir(state.join("sightings"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(
        !text.contains("SECRET") && !text.contains("client-one"),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A second status a moment later, after the AWS CLI refreshed the
    // token within its window: the first sight stands.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let now = OffsetDateTime::now_utc();
    write_token(
        home.path(),
        "SECRETaccess2",
        "client-one",
        now + Duration::hours(1),
    );
    let p = dev(home.path(), &state);
    assert_eq!(time_of(&p["sso"]["first_seen_at"]), seen, "{p:#}");
    assert_eq!(p["action_needed_estimated"], true);

    // A sign-in with a new client registration restarts it.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    write_token(
        home.path(),
        "SECRETaccess3",
        "client-two",
        now + Duration::hours(1),
    );
    let p = dev(home.path(), &state);
    let again = time_of(&p["sso"]["first_seen_at"]);
    assert!(again > seen && again >= now, "{p:#}");
    assert_eq!(time_of(&p["action_needed_at"]) - again, Duration::hours(8));

    // `--at` reads what is kept and records nothing.
    let at = z(now + Duration::hours(1));
    let mut cmd = command(home.path(), &state);
    cmd.args(["status", "--json", "--at", &at]);
    let r = run(cmd);
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        time_of(&profile(&json, "dev")["sso"]["first_seen_at"]),
        again
    );
}

#[test]
fn with_nothing_known_the_registration_is_only_an_upper_bound() {
    let home = home();
    write_token(
        home.path(),
        "SECRETaccess1",
        "client-one",
        OffsetDateTime::now_utc() + Duration::minutes(50),
    );
    // A state folder that cannot be created: nothing is recorded, and
    // reading the token cache goes on.
    let blocker = home.path().join("not-a-folder");
    std::fs::write(&blocker, "").unwrap();
    let state = blocker.join("state");
    let p = dev(home.path(), &state);
    assert_eq!(p["action_needed_upper_bound"], true, "{p:#}");
    assert_eq!(p["action_needed_estimated"], false, "{p:#}");
    assert_eq!(p["sso"]["first_seen_at"], serde_json::Value::Null);
    assert_eq!(p["action_needed_at"], p["sso"]["registration_expires_at"]);
    let line = table_line(home.path(), &state, "dev");
    assert!(
        line.starts_with("dev sso \u{2264} 79d fresh"),
        "never a countdown: {line}"
    );
}

/// The files under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().filter_map(Result::ok) {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_readme_example_is_what_status_prints_and_leaves_the_example_home_alone() {
    let example = example_home();
    let before = files_under(&example);
    // As the README runs it: `--home` replaces the AWS home only; the state
    // folder stays the person's (here a temporary one), and `--at` records
    // nothing anyway.
    let person = tempfile::tempdir().unwrap();
    let mut cmd = leasekeeper(person.path());
    cmd.env_remove("LEASEKEEPER_STATE_DIR")
        .env_remove("XDG_STATE_HOME")
        .arg("--home")
        .arg(&example)
        .args(["status", "--at", "2026-11-22T09:00:00Z", "--color", "never"]);
    let r = run(cmd);
    let readme = std::fs::read_to_string(super::harness::repo_root().join("README.md")).unwrap();
    let section = readme
        .split("## What `status` shows")
        .nth(1)
        .and_then(|s| s.split("```").nth(1))
        .expect("the README shows a status table");
    let squash = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let printed: Vec<String> = r.stdout.lines().map(squash).collect();
    for line in section.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            printed.contains(&squash(line)),
            "README line `{line}` not printed:\n{}",
            r.stdout
        );
    }
    assert!(
        printed
            .iter()
            .any(|l| l.starts_with("dev sso \u{2264} 89d fresh")),
        "{}",
        r.stdout
    );

    // Without `--at` a sighting is recorded in the person's state folder,
    // never in the home given with `--home`. A copy of the example whose
    // registration is still ahead has one to record whatever today's date.
    let copy = tempfile::tempdir().unwrap();
    copy_tree(&example, copy.path());
    redate_registrations(copy.path(), OffsetDateTime::now_utc() + Duration::days(80));
    let copied = files_under(copy.path());
    for home in [&example, &copy.path().to_path_buf()] {
        let mut cmd = leasekeeper(person.path());
        cmd.env_remove("LEASEKEEPER_STATE_DIR")
            .env_remove("XDG_STATE_HOME")
            .arg("--home")
            .arg(home)
            .args(["status", "--json"]);
        assert!(matches!(run(cmd).code, 0 | 3));
    }
    assert_eq!(
        files_under(&example),
        before,
        "the example home is untouched"
    );
    assert_eq!(files_under(copy.path()), copied, "the copy is untouched");
    assert!(
        person
            .path()
            .join(".local/state/leasekeeper/sightings")
            .is_dir(),
        "recorded under the person's own state folder"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Moves every SSO token's client registration expiry in `home` to `at`.
fn redate_registrations(home: &Path, at: OffsetDateTime) {
    let cache = home.join(".aws/sso/cache");
    for entry in std::fs::read_dir(&cache).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut token: serde_json::Value = serde_json::from_str(&text).unwrap();
        if let Some(fields) = token.as_object_mut() {
            if fields.contains_key("registrationExpiresAt") {
                fields.insert("registrationExpiresAt".into(), z(at).into());
                std::fs::write(&path, token.to_string()).unwrap();
            }
        }
    }
}
