//! What the writer writes, read by the real botocore (the Python SDK, and so
//! the AWS CLI): `Session(profile=...)` with `AWS_SHARED_CREDENTIALS_FILE`
//! pointing at the written file and an empty `AWS_CONFIG_FILE` must load
//! exactly the keys put, and still load a person's own profile beside them.
//! Runs the project's virtualenv or `LEASEKEEPER_PYTHON`; without it the test
//! fails: run `scripts/setup.sh`.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use time::macros::datetime;

use super::*;
use crate::Secret;

const SCRIPT: &str = r#"
import binascii, json, os, sys, tempfile
for k in list(os.environ):
    if k.startswith("AWS_"):
        del os.environ[k]
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
import botocore.session
out = []
with tempfile.TemporaryDirectory() as home:
    config = os.path.join(home, "config")
    open(config, "w").close()
    os.environ["AWS_CONFIG_FILE"] = config
    for case in json.load(sys.stdin):
        path = os.path.join(home, "credentials")
        with open(path, "wb") as f:
            f.write(binascii.unhexlify(case["file"]))
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = path
        try:
            creds = botocore.session.Session(profile=case["profile"]).get_credentials()
            frozen = creds.get_frozen_credentials()
            out.append({"method": creds.method, "keys": [frozen.access_key, frozen.secret_key, frozen.token]})
        except Exception as e:
            out.append({"error": type(e).__name__ + ": " + str(e)})
print(json.dumps(out))
"#;

/// botocore's credentials for each (file, profile).
fn botocore(cases: &[(&[u8], &str)]) -> Vec<Value> {
    let python = crate::test_python::python("read what the writer wrote");
    let mut child = Command::new(&python)
        .args(["-c", SCRIPT])
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e} (run scripts/setup.sh)", python.display()));
    let input: Vec<Value> = cases
        .iter()
        .map(|(file, profile)| json!({"file": hex::encode(file), "profile": profile}))
        .collect();
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(Value::Array(input).to_string().as_bytes())
        .expect("write to python");
    let out = child.wait_with_output().expect("python output");
    assert!(out.status.success(), "python failed (run scripts/setup.sh)");
    serde_json::from_slice(&out.stdout).expect("json from python")
}

fn put(section: &str, n: u32, take_over: bool) -> Change {
    Change::Put {
        section: section.to_owned(),
        access_key_id: format!("ASIABOTOCORE0000000{n}"),
        secret_access_key: Secret::new(format!("secret/{n}+Key")),
        session_token: Secret::new(format!("FwoGZXIvYXdzE{n}//token==")),
        expires_at: datetime!(2026-11-22 10:00 UTC),
        take_over,
    }
}

fn loaded(n: u32) -> Value {
    json!({
        "method": "shared-credentials-file",
        "keys": [
            format!("ASIABOTOCORE0000000{n}"),
            format!("secret/{n}+Key"),
            format!("FwoGZXIvYXdzE{n}//token==")
        ]
    })
}

#[test]
fn botocore_loads_the_keys_written_and_the_persons_own_beside_them() {
    let person = "# my keys\r\n[static]\r\naws_access_key_id=AKIAPERSON0000000001\r\n\
                  aws_secret_access_key =\tpersonal/secret   # rotated in May\r\n\r\n\
                  [ci] ; build box\r\nregion = eu-west-1\r\naws_access_key_id = AKIAPERSON0000000002\r\n\
                  aws_secret_access_key = ci/secret";
    let fresh = plan(None, &[put("dev", 1, false)]).expect("new file");
    let appended = plan(Some(person.as_bytes()), &[put("dev", 2, false)]).expect("append");
    let middle = plan(
        Some(appended.bytes()),
        &[put("dev", 3, false), put("prod", 4, false)],
    )
    .and_then(|p| plan(Some(p.bytes()), &[put("dev", 5, false)]))
    .expect("replace in the middle");
    let taken = plan(Some(person.as_bytes()), &[put("ci", 6, true)]).expect("take over");
    assert!(appended.bytes().windows(2).any(|w| w == b"\r\n"));
    let person_static = json!({
        "method": "shared-credentials-file",
        "keys": ["AKIAPERSON0000000001", "personal/secret   # rotated in May", null]
    });
    let cases: [(&[u8], &str, Value); 7] = [
        (fresh.bytes(), "dev", loaded(1)),
        (appended.bytes(), "dev", loaded(2)),
        (appended.bytes(), "static", person_static.clone()),
        (middle.bytes(), "dev", loaded(5)),
        (middle.bytes(), "prod", loaded(4)),
        (middle.bytes(), "static", person_static),
        (taken.bytes(), "ci", loaded(6)),
    ];
    let asked: Vec<(&[u8], &str)> = cases.iter().map(|(f, p, _)| (*f, *p)).collect();
    let got = botocore(&asked);
    for ((_, profile, want), got) in cases.iter().zip(&got) {
        assert_eq!(got, want, "profile {profile}");
    }
}
