//! `leasekeeper settings`: every setting in effect with where it came from,
//! what the file gets wrong, and a starting file that reads as the defaults.

use super::harness::{home_with, leasekeeper, run};

fn settings_json(cmd: std::process::Command) -> serde_json::Value {
    let r = run(cmd);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("settings --json prints JSON")
}

fn entry<'a>(doc: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    doc["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == key)
        .unwrap_or_else(|| panic!("no {key}: {doc:#}"))
}

#[test]
fn each_value_says_whether_the_file_the_environment_or_the_default_set_it() {
    let home = home_with(&[(
        ".config/leasekeeper/settings.toml",
        b"[renew]\nconcurrency = 8\nsilent = \"yes\"\n\n[sso_sessions.corp]\nsession_length = \"4h\"\n\n[aws]\nhttps_proxy = \"http://me:hunter2@proxy.corp:3128\"\n",
    )]);
    let mut cmd = leasekeeper(home.path());
    cmd.env("AWS_CONFIG_FILE", "/srv/aws/config");
    cmd.args(["settings", "--json"]);
    let doc = settings_json(cmd);
    let path = home.path().join(".config/leasekeeper/settings.toml");
    assert_eq!(doc["path"], path.display().to_string().as_str());
    assert_eq!(doc["found"], true);
    let concurrency = entry(&doc, "renew.concurrency");
    assert_eq!(concurrency["value"], "8");
    assert_eq!(concurrency["source"]["kind"], "file");
    assert_eq!(concurrency["source"]["line"], 2);
    assert_eq!(
        entry(&doc, "sso_sessions.corp.session_length")["value"],
        "\"4h\""
    );
    let config = entry(&doc, "aws.config_file");
    assert_eq!(config["value"], "\"/srv/aws/config\"");
    assert_eq!(config["source"]["variable"], "AWS_CONFIG_FILE");
    assert_eq!(
        entry(&doc, "mfa.session_duration")["source"]["kind"],
        "default"
    );
    // A wrong value keeps its default and is named with its line and field.
    assert_eq!(entry(&doc, "renew.silent")["value"], "true");
    let problems = doc["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0]["code"], "settings_wrong_type");
    assert_eq!(problems[0]["line"], 3);
    assert_eq!(problems[0]["field"], "renew.silent");
    // The proxy's password is never printed.
    assert!(!doc.to_string().contains("hunter2"), "{doc:#}");

    let mut cmd = leasekeeper(home.path());
    cmd.arg("settings");
    let r = run(cmd);
    assert_eq!(r.code, 0);
    let line = |key: &str| {
        r.stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("no {key} line:\n{}", r.stdout))
            .to_owned()
    };
    assert!(line("renew.concurrency").ends_with("file, line 2"));
    assert!(line("renew.silent").ends_with("default (line 3 is not valid)"));
    assert!(line("aws.https_proxy").contains("\"http://proxy.corp:3128\""));
    assert!(!r.stdout.contains("hunter2"));
    assert!(r.stderr.contains("settings line 3"), "{}", r.stderr);
}

#[test]
fn the_starting_file_reads_back_as_every_default() {
    let home = home_with(&[]);
    let mut cmd = leasekeeper(home.path());
    cmd.args(["settings", "--example"]);
    let example = run(cmd);
    assert_eq!(example.code, 0);

    let mut cmd = leasekeeper(home.path());
    cmd.args(["settings", "--json"]);
    let defaults = settings_json(cmd);
    assert_eq!(defaults["found"], false);

    let folder = home.path().join(".config/leasekeeper");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("settings.toml"), &example.stdout).unwrap();
    let mut cmd = leasekeeper(home.path());
    cmd.args(["settings", "--json"]);
    let from_example = settings_json(cmd);
    assert_eq!(from_example["found"], true);
    assert_eq!(from_example["problems"], serde_json::json!([]));
    let values = |doc: &serde_json::Value| -> Vec<(String, String)> {
        doc["settings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["key"].to_string(), e["value"].to_string()))
            .collect()
    };
    assert_eq!(values(&from_example), values(&defaults));
    // Every key the example sets is now read from it.
    assert_eq!(
        entry(&from_example, "renew.concurrency")["source"]["kind"],
        "file"
    );
    assert_eq!(
        entry(&from_example, "warnings.leads")["source"]["kind"],
        "file"
    );
}

#[test]
fn the_reference_documents_every_key_the_command_lists() {
    let reference = std::fs::read_to_string(super::harness::repo_root().join("docs/SETTINGS.md"))
        .expect("docs/SETTINGS.md");
    let home = home_with(&[(
        ".config/leasekeeper/settings.toml",
        b"[profiles.dev]\nrenew = true\nsection = \"d\"\ntake_over = false\n",
    )]);
    let mut cmd = leasekeeper(home.path());
    cmd.args(["settings", "--json"]);
    let doc = settings_json(cmd);
    let mut cmd = leasekeeper(home.path());
    cmd.args(["settings", "--example"]);
    let example = run(cmd).stdout;
    assert!(
        reference.contains(&example),
        "docs/SETTINGS.md shows the starting file `settings --example` prints"
    );
    for e in doc["settings"].as_array().unwrap() {
        let key = e["key"].as_str().unwrap();
        // `profiles.dev.section` is documented as `profiles.NAME.section`.
        let documented = match key.split('.').collect::<Vec<_>>()[..] {
            [table @ ("profiles" | "sso_sessions"), _, field] => format!("`{table}.NAME.{field}`"),
            _ => format!("`{key}`"),
        };
        assert!(
            reference.contains(&documented),
            "docs/SETTINGS.md does not document {documented}"
        );
    }
}
