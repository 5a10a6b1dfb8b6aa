//! `leasekeeper profiles add-session`: the `[sso-session]` is appended to a
//! config file with comments, CRLF line endings and foreign sections, every
//! byte of it kept; botocore reads the session; a name or start URL already
//! configured, a URL or region of the wrong shape, or a file that cannot be
//! parsed is refused with what is wrong, and nothing is written; piped, it
//! never asks to sign in; the session it adds signs in against the sandbox.

use std::process::Command;

use super::harness::{botocore_reads, home_with, leasekeeper, run};
use super::login_harness::World;

const CONFIG: &[u8] = b"# my settings, do not touch\r\n\
[default]\r\n\
region=us-west-2   \r\n\
\r\n\
[sso-session corp]\r\n\
sso_start_url = https://corp.awsapps.com/start\r\n\
sso_region = eu-central-1\r\n\
[profile zz-foreign]   \r\n\
output = json";

/// botocore's own reading of an sso-session.
const LOAD: &str = r#"
import json, sys
import botocore.session
s = botocore.session.Session()
print(json.dumps(s.full_config["sso_sessions"][sys.argv[1]]))
"#;

fn add(home: &std::path::Path, args: &[&str]) -> super::harness::Run {
    let mut cmd = leasekeeper(home);
    cmd.env("LEASEKEEPER_STATE_DIR", home.join("state"))
        .args(["profiles", "add-session"])
        .args(args);
    run(cmd)
}

#[test]
fn the_session_is_appended_every_foreign_byte_kept_and_botocore_reads_it() {
    let home = home_with(&[(".aws/config", CONFIG)]);
    let config = home.path().join(".aws/config");
    let r = add(
        home.path(),
        &[
            "acme",
            "--start-url",
            "https://acme.awsapps.com/start",
            "--region",
            "eu-west-1",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Added [sso-session acme]"),
        "{}",
        r.stdout
    );
    // Piped: no question, the command to sign in instead.
    assert!(
        r.stdout
            .contains("Sign in to it with: leasekeeper login --sso-session acme"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stderr.contains("now?"),
        "never asks when piped: {}",
        r.stderr
    );

    let after = std::fs::read(&config).unwrap();
    assert_eq!(&after[..CONFIG.len()], CONFIG, "every old byte kept");
    assert_eq!(
        String::from_utf8(after[CONFIG.len()..].to_vec()).unwrap(),
        "\r\n\r\n[sso-session acme]\r\nsso_start_url = https://acme.awsapps.com/start\r\n\
         sso_region = eu-west-1\r\nsso_registration_scopes = sso:account:access\r\n"
    );
    #[cfg(unix)]
    assert_eq!(super::login_harness::mode(&config), 0o600);

    let seen = botocore_reads(&config, LOAD, "acme");
    assert_eq!(seen["sso_start_url"], "https://acme.awsapps.com/start");
    assert_eq!(seen["sso_region"], "eu-west-1");
    assert_eq!(seen["sso_registration_scopes"], "sso:account:access");
}

#[test]
fn what_is_taken_or_malformed_is_refused_and_nothing_is_written() {
    let home = home_with(&[(".aws/config", CONFIG)]);
    let config = home.path().join(".aws/config");
    let cases: [(&[&str], &str, &str); 5] = [
        (
            &[
                "corp",
                "--start-url",
                "https://new.awsapps.com/start",
                "--region",
                "eu-west-1",
            ],
            "[sso-session corp] is already in the config file (line 5)",
            "sso_session_exists",
        ),
        (
            &[
                "corp2",
                "--start-url",
                "HTTPS://Corp.awsapps.com/start/",
                "--region",
                "eu-west-1",
            ],
            "is already configured in [sso-session corp] (line 6)",
            "start_url_exists",
        ),
        (
            &[
                "acme",
                "--start-url",
                "http://acme.awsapps.com/start",
                "--region",
                "eu-west-1",
            ],
            "it must start with https://",
            "bad_start_url",
        ),
        (
            &[
                "acme",
                "--start-url",
                "https://acme.awsapps.com/start",
                "--region",
                "Ireland",
            ],
            "is not an AWS region",
            "bad_region",
        ),
        (
            &[
                "my corp",
                "--start-url",
                "https://acme.awsapps.com/start",
                "--region",
                "eu-west-1",
            ],
            "is not usable",
            "bad_session_name",
        ),
    ];
    for (args, says, code) in cases {
        let r = add(home.path(), args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!("[{code}]")),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(
            std::fs::read(&config).unwrap(),
            CONFIG,
            "{args:?}: untouched"
        );
    }

    // A file a reader could not parse is never written.
    let broken: &[u8] = b"[profile a]\nregion = us-east-1\nthis line is no setting\n";
    let home = home_with(&[(".aws/config", broken)]);
    let r = add(
        home.path(),
        &[
            "acme",
            "--start-url",
            "https://acme.awsapps.com/start",
            "--region",
            "eu-west-1",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("line 3"), "{}", r.stderr);
    assert!(r.stderr.contains("[config_unparsable]"), "{}", r.stderr);
    assert_eq!(
        std::fs::read(home.path().join(".aws/config")).unwrap(),
        broken
    );
}

#[test]
fn a_session_added_to_an_empty_home_signs_in_against_the_sandbox() {
    let w = World::start(|c| c.auto_approve = true);
    let config = w.var("AWS_CONFIG_FILE").expect("config").to_owned();
    std::fs::remove_file(&config).expect("an empty home");
    let start_url = w.sb.world().identity_center.start_url.clone();
    let region = w.sb.world().identity_center.region.clone();
    let out = w
        .command(&[
            "profiles",
            "add-session",
            "mine",
            "--start-url",
            &start_url,
            "--region",
            &region,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::path::Path::new(&config).exists(),
        "the config file is created"
    );

    let run = w.spawn(
        &[
            "login",
            "--sso-session",
            "mine",
            "--use-device-code",
            "--no-browser",
        ],
        &[],
    );
    let (exit, stderr, _) = run.finish(60);
    assert_eq!(exit, 0, "{stderr}");
    assert!(stderr.contains("Signed in to mine"), "{stderr}");
    let token: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.token_path("mine")).unwrap()).unwrap();
    assert_eq!(token["startUrl"], start_url.as_str());
    assert!(
        token["refreshToken"].is_string(),
        "the scope it writes brings a refresh token"
    );
}

#[test]
fn on_a_terminal_it_offers_to_sign_in_and_takes_no_for_an_answer() {
    let home = home_with(&[]);
    let exe = super::harness::bin();
    let line = format!(
        "{exe} --home {} profiles add-session acme --start-url https://acme.awsapps.com/start --region eu-west-1",
        home.path().display()
    );
    // script(1) gives the command a terminal; the answer comes on its stdin.
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        // Only this home: never the person's AWS files or settings.
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .env("HOME", home.path())
        .env("LEASEKEEPER_STATE_DIR", home.path().join("state"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script(1) runs");
    {
        use std::io::Write as _;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"n\n").expect("the answer");
    }
    let out = child.wait_with_output().expect("it ends");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("Sign in to acme now? [Y/n]"), "{text}");
    assert!(
        text.contains("Sign in to it later with: leasekeeper login --sso-session acme"),
        "{text}"
    );
    let config = std::fs::read_to_string(home.path().join(".aws/config")).unwrap();
    assert!(config.contains("[sso-session acme]"), "{config}");
}

#[test]
fn a_mistyped_start_url_fails_at_sign_in_with_identity_centers_own_words() {
    let w = World::start(|c| c.auto_approve = true);
    let out = w
        .command(&[
            "profiles",
            "add-session",
            "typo",
            "--start-url",
            "https://typo.awsapps.com/start",
            "--region",
            "us-east-1",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = w.spawn(
        &[
            "login",
            "--sso-session",
            "typo",
            "--use-device-code",
            "--no-browser",
        ],
        &[],
    );
    let (exit, stderr, _) = run.finish(60);
    assert_eq!(exit, 1, "{stderr}");
    assert!(
        stderr.contains("refused a parameter: No IAM Identity Center instance has the start URL https://typo.awsapps.com/start"),
        "{stderr}"
    );
}
