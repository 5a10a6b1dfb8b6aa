//! `leasekeeper console` against the sandbox's federation endpoint: the
//! URL `--print` gives signs in at the sandbox's `login` as an SSO role, a
//! chained role and an IAM user (through a federation token), with what
//! the person should know on stderr; MFA-session keys and destinations off
//! the console's hosts are refused; the browser is given a one-shot
//! loopback address, never the URL; no log line at trace level holds the
//! URL, the sign-in token or a key.

use std::path::Path;

use super::login_harness::{World, http_get};

/// World seconds a real second counts for (keys outlive the test).
const SPEED: f64 = 1.0;

fn signed_in() -> World {
    let w = World::start(|c| {
        c.auto_approve = true;
        c.speed = SPEED;
    });
    let (code, stderr, _) = w
        .spawn(&["login", "--use-device-code", "--no-browser"], &[])
        .finish(60);
    assert_eq!(code, 0, "{stderr}");
    w
}

/// `console ARGS` at trace level: (exit code, stderr, stdout).
fn console(w: &World, args: &[&str], extra: &[(&str, &str)]) -> (i32, String, String) {
    let mut all = vec!["console"];
    all.extend_from_slice(args);
    let mut env = vec![("LEASEKEEPER_LOG", "trace")];
    env.extend_from_slice(extra);
    w.spawn(&all, &env).finish(60)
}

fn query_param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| decode(v))
    })
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match bytes.get(i + 1..i + 3) {
            Some(hex) if b == b'%' => {
                out.push(u8::from_str_radix(std::str::from_utf8(hex).unwrap(), 16).unwrap());
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// Follows a login URL as a browser would: the sandbox's `login`
/// redirects to its console stand-in; the page's text.
fn follow(url: &str) -> String {
    let (status, location, body) = http_get(url);
    assert_eq!(status, 302, "login refused: {body}");
    let location = location.expect("a redirect");
    let (status, _, page) = http_get(&location);
    assert_eq!(status, 200, "{page}");
    page
}

/// Every secret in the world's credentials file and token cache.
fn secrets_of(w: &World) -> Vec<String> {
    let mut out = Vec::new();
    let home = w.home();
    let creds = std::fs::read_to_string(w.var("AWS_SHARED_CREDENTIALS_FILE").unwrap()).unwrap();
    for line in creds.lines() {
        if let Some((k, v)) = line.split_once('=') {
            if k.trim() != "aws_access_key_id" && !v.trim().is_empty() {
                out.push(v.trim().to_owned());
            }
        }
    }
    let cache = home.join(".aws/sso/cache");
    for entry in std::fs::read_dir(cache).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        for key in ["accessToken", "refreshToken", "clientSecret"] {
            if let Some(v) = json[key].as_str() {
                out.push(v.to_owned());
            }
        }
    }
    // The role keys credential-process cached: the keys the console used.
    let process = Path::new(w.var("LEASEKEEPER_STATE_DIR").unwrap()).join("process");
    for entry in std::fs::read_dir(process).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        for key in ["secretAccessKey", "sessionToken"] {
            if let Some(v) = json[key].as_str() {
                out.push(v.to_owned());
            }
        }
    }
    out
}

fn assert_clean_log(stderr: &str, url: &str, w: &World) {
    let token = query_param(url, "SigninToken").expect("a sign-in token");
    assert!(token.len() > 40);
    for needle in [
        url,
        token.as_str(),
        "SigninToken",
        "getSigninToken",
        "sessionKey",
    ] {
        assert!(!stderr.contains(needle), "the log holds {needle:.30}…");
    }
    let secrets = secrets_of(w);
    assert!(
        secrets.len() >= 5,
        "the secrets were found: {}",
        secrets.len()
    );
    for secret in secrets {
        assert!(
            !stderr.contains(&secret),
            "the log holds a secret from the files"
        );
    }
    assert!(
        stderr.lines().count() > 20,
        "trace logging was on: {stderr}"
    );
}

#[test]
fn print_gives_a_url_the_sandbox_signs_in_as_an_sso_role_a_chained_role_and_an_iam_user() {
    let w = signed_in();
    let cases = [
        (
            "dev-admin",
            "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_",
            None,
        ),
        (
            "auditor",
            "arn:aws:sts::222222222222:assumed-role/Auditor/",
            Some("one hour"),
        ),
        (
            "alice",
            "arn:aws:sts::111111111111:federated-user/lk-alice",
            Some("no MFA context"),
        ),
    ];
    for (profile, arn, note) in cases {
        let (code, stderr, stdout) = console(&w, &["--profile", profile, "--print"], &[]);
        assert_eq!(code, 0, "{profile}: {stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(
            lines.len(),
            1,
            "stdout holds the URL and nothing else: {stdout}"
        );
        let url = lines[0];
        let base = w.var("AWS_ENDPOINT_URL_SIGNIN").unwrap();
        assert!(
            url.starts_with(&format!("{base}/federation?Action=login&")),
            "{url:.80}"
        );
        assert_eq!(
            query_param(url, "Destination").as_deref(),
            Some("https://us-east-1.console.aws.amazon.com/console/home?region=us-east-1")
        );
        let page = follow(url);
        assert!(page.contains(arn), "{profile}: {page}");
        assert!(!page.contains("no permissions"), "{page}");
        match note {
            Some(n) => assert!(stderr.contains(n), "{profile}: {stderr}"),
            None => assert!(!stderr.contains("one hour") && !stderr.contains("MFA context")),
        }
        assert_clean_log(&stderr, url, &w);
    }
}

#[test]
fn mfa_session_keys_are_refused_naming_a_role_to_use_instead() {
    let w = signed_in();
    let (ok, out, err) = w.python_run(
        "import boto3, json\n\
         c = boto3.Session(profile_name='alice').client('sts').get_session_token()['Credentials']\n\
         print(json.dumps(c, default=str))",
        &[],
    );
    assert!(ok, "{err}");
    let keys: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let path = w.var("AWS_SHARED_CREDENTIALS_FILE").unwrap().to_owned();
    let mut creds = std::fs::read_to_string(&path).unwrap();
    creds.push_str(&format!(
        "\n[alice-mfa]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
        keys["AccessKeyId"].as_str().unwrap(),
        keys["SecretAccessKey"].as_str().unwrap(),
        keys["SessionToken"].as_str().unwrap()
    ));
    std::fs::write(&path, creds).unwrap();
    let (code, stderr, stdout) = console(&w, &["--profile", "alice-mfa", "--print"], &[]);
    assert_eq!(code, 4, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("MFA session (GetSessionToken) cannot open the console"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`deploy`"),
        "a role to use instead: {stderr}"
    );
    assert!(stderr.contains("[mfa_session_keys]"), "{stderr}");
    assert!(!stderr.contains(keys["SecretAccessKey"].as_str().unwrap()));
    assert!(!stderr.contains(keys["SessionToken"].as_str().unwrap()));

    // A profile that does not exist is a usage error, as for `status`.
    let (code, stderr, stdout) = console(&w, &["--profile", "nosuch", "--print"], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("nosuch"), "{stderr}");
}

#[test]
fn destinations_are_a_service_or_the_console_hosts_and_nothing_else() {
    let w = signed_in();
    let (code, stderr, stdout) = console(
        &w,
        &[
            "--profile",
            "dev-admin",
            "--print",
            "--destination",
            "s3",
            "--region",
            "eu-west-1",
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    let url = stdout.trim();
    assert_eq!(
        query_param(url, "Destination").as_deref(),
        Some("https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1")
    );
    assert!(follow(url).contains("eu-west-1.console.aws.amazon.com/s3/home"));
    assert!(!stderr.contains("names the console's region"), "{stderr}");
    // A URL names its own region: --region is said to choose only the
    // sign-in endpoint.
    let page = "https://us-west-2.console.aws.amazon.com/ec2/home?region=us-west-2";
    let (code, stderr, stdout) = console(
        &w,
        &[
            "--profile",
            "dev-admin",
            "--print",
            "-d",
            page,
            "-r",
            "eu-west-1",
        ],
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        query_param(stdout.trim(), "Destination").as_deref(),
        Some(page)
    );
    assert!(
        stderr.contains("names the console's region itself"),
        "{stderr}"
    );
    for bad in [
        "https://evil.example/",
        "https://console.aws.amazon.com.evil.example/",
        "http://console.aws.amazon.com/",
        "https://console.amazonaws.cn/",
    ] {
        let (code, stderr, stdout) =
            console(&w, &["--profile", "dev-admin", "--print", "-d", bad], &[]);
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(stdout.is_empty());
        assert!(stderr.contains("[bad_destination]"), "{stderr}");
    }
}

#[test]
fn without_a_sign_in_the_person_is_told_to_sign_in() {
    let w = World::start(|c| c.auto_approve = true);
    let (code, stderr, stdout) = console(&w, &["--profile", "dev-admin", "--print"], &[]);
    assert_eq!(code, 3, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("leasekeeper login"), "{stderr}");
}

#[test]
fn the_browser_gets_a_one_shot_loopback_address_never_the_url() {
    let w = signed_in();
    let dir = w.dir.path();
    // A browser: records its command line, then fetches what it was given
    // and follows every redirect, as a browser does.
    let browser = dir.join("browser.sh");
    std::fs::write(
        &browser,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > {argv}\ntr '\\0' ' ' < /proc/$$/cmdline >> {argv}\n\
             {py} -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).read().decode())' \"$1\" > {page} 2>&1 &\n",
            argv = dir.join("argv").display(),
            page = dir.join("page").display(),
            py = World::python().display(),
        ),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&browser)
        .status()
        .unwrap();
    let (code, stderr, stdout) = console(
        &w,
        &["--profile", "dev-admin"],
        &[("LEASEKEEPER_BROWSER", browser.to_str().unwrap())],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("opened the console as arn:aws:sts::111111111111:assumed-role/"));
    let argv = std::fs::read_to_string(dir.join("argv")).unwrap();
    assert!(argv.starts_with("http://127.0.0.1:"), "{argv}");
    for needle in ["SigninToken", "federation", "Session", "Action="] {
        assert!(
            !argv.contains(needle),
            "the browser's command line holds {needle}: {argv}"
        );
    }
    // The browser reads the page after the redirect was served.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let page = loop {
        let page = std::fs::read_to_string(dir.join("page")).unwrap_or_default();
        if page.contains("</html>") || std::time::Instant::now() > deadline {
            break page;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(
        page.contains("arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_"),
        "{page}"
    );
    // One shot: the address is dead once used.
    let address = argv.lines().next().unwrap();
    let authority = address
        .strip_prefix("http://")
        .and_then(|r| r.split('/').next())
        .unwrap();
    assert!(std::net::TcpStream::connect(authority).is_err());
}
