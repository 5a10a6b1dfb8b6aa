//! `leasekeeper setup-process`: the new profile is appended to a config file
//! with comments, CRLF line endings, odd spacing and foreign sections, every
//! byte of it kept; botocore loads the new profile; running it again changes
//! nothing; a name already taken is refused and the file left alone.

use super::harness::{bin, botocore_reads, home_with, leasekeeper, run};

const CONFIG: &[u8] = b"# my settings, do not touch\r\n\
[default]\r\n\
region=us-west-2   \r\n\
\r\n\
;  a comment  with odd   spacing\r\n\
[profile dev]\r\n\
sso_session   =   corp\r\n\
sso_account_id = 111122223333\r\n\
sso_role_name = Developer\r\n\
region = eu-central-1\r\n\
\r\n\
[sso-session corp]\r\n\
sso_start_url = https://corp.awsapps.com/start\r\n\
sso_region = eu-central-1\r\n\
\r\n\
[services local]\r\n\
sts =\r\n\
  endpoint_url = http://127.0.0.1:1\r\n\
[profile zz-foreign]   \r\n\
output = json";

/// botocore's own reading of the profile.
const LOAD: &str = r#"
import json, sys
import botocore.session
s = botocore.session.Session(profile=sys.argv[1])
print(json.dumps(s.get_scoped_config()))
"#;

#[test]
fn every_foreign_byte_is_kept_and_botocore_loads_the_profile() {
    let home = home_with(&[(".aws/config", CONFIG)]);
    let config = home.path().join(".aws/config");
    let mut cmd = leasekeeper(home.path());
    cmd.env("LEASEKEEPER_STATE_DIR", home.path().join("state"))
        .args(["setup-process", "--profile", "dev"]);
    let r = run(cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("AWS_PROFILE=dev-leasekeeper"),
        "{}",
        r.stdout
    );

    let after = std::fs::read(&config).unwrap();
    assert_eq!(&after[..CONFIG.len()], CONFIG, "every old byte kept");
    let tail = String::from_utf8(after[CONFIG.len()..].to_vec()).unwrap();
    assert_eq!(
        tail,
        format!(
            "\r\n\r\n[profile dev-leasekeeper]\r\ncredential_process = {bin} credential-process --profile dev\r\nregion = eu-central-1\r\n",
            bin = bin()
        )
    );
    #[cfg(unix)]
    assert_eq!(super::login_harness::mode(&config), 0o600);

    let scoped = botocore_reads(&config, LOAD, "dev-leasekeeper");
    assert_eq!(
        scoped["credential_process"],
        format!("{} credential-process --profile dev", bin())
    );
    assert_eq!(scoped["region"], "eu-central-1");

    // Again: nothing changes.
    let mut cmd = leasekeeper(home.path());
    cmd.env("LEASEKEEPER_STATE_DIR", home.path().join("state"))
        .args(["setup-process", "--profile", "dev"]);
    let r = run(cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("already set up"), "{}", r.stdout);
    assert_eq!(std::fs::read(&config).unwrap(), after);

    // A name taken by another profile: refused, the file untouched.
    let mut cmd = leasekeeper(home.path());
    cmd.env("LEASEKEEPER_STATE_DIR", home.path().join("state"))
        .args(["setup-process", "--profile", "dev", "--as", "zz-foreign"]);
    let r = run(cmd);
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stderr
            .contains("profile zz-foreign is already in the config file (line 19)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("[profile_exists]"), "{}", r.stderr);
    assert_eq!(std::fs::read(&config).unwrap(), after);
}

#[test]
fn a_file_with_a_byte_order_mark_or_an_unknown_profile_is_refused() {
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(b"[profile dev]\nregion = x\n");
    let home = home_with(&[(".aws/config", &bom)]);
    let mut cmd = leasekeeper(home.path());
    cmd.env("LEASEKEEPER_STATE_DIR", home.path().join("state"))
        .args(["setup-process", "--profile", "dev"]);
    let r = run(cmd);
    // botocore refuses such a file, so no profile is read from it at all.
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert_eq!(std::fs::read(home.path().join(".aws/config")).unwrap(), bom);

    let home = home_with(&[(".aws/config", b"[profile dev]\nregion = x\n")]);
    let mut cmd = leasekeeper(home.path());
    cmd.env("LEASEKEEPER_STATE_DIR", home.path().join("state"))
        .args(["setup-process", "--profile", "missing"]);
    let r = run(cmd);
    assert_eq!(r.code, 2, "{}", r.stdout);
    assert!(r.stderr.contains("no profile missing"), "{}", r.stderr);
}
