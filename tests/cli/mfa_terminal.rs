//! MFA codes typed in a terminal (a pseudo-terminal Python drives):
//! `leasekeeper daemon`, when `breakglass` needs a code, asks on its
//! terminal, reads the code typed there without stopping its loop, opens
//! the MFA session and writes the role's keys; `leasekeeper refresh
//! --profile breakglass` asks too, without a keeper and with one waiting
//! for the code (which it then hands over).

use std::time::{SystemTime, UNIX_EPOCH};

use leasekeeper_sandbox::{ALICE_TOTP_SECRET, totp};

use super::daemon_sandbox::config_dir;
use super::harness::bin;
use super::login_harness::World;

/// Runs `argv[1] daemon` on a pseudo-terminal; types `argv[2]` and a
/// newline once "MFA code of" shows; stops it with SIGTERM once
/// `[breakglass]` was written after that (or after `argv[3]` seconds).
/// Prints one JSON line: what happened, and the exit code.
const DRIVER: &str = r#"
import json, os, pty, select, signal, sys, time
binary, code, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    os.execv(binary, [binary, "daemon"])
out, typed, wrote, asked_at = b"", False, False, None
end = time.monotonic() + limit
while time.monotonic() < end and not wrote:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    text = out.decode("utf-8", "replace")
    if not typed and "MFA code of" in text and "): " in text.split("MFA code of", 1)[1]:
        asked_at = len(text)
        os.write(fd, (code + "\n").encode())
        typed = True
    if typed:
        later = text[asked_at:]
        wrote = any("wrote section" in l and "section=breakglass" in l for l in later.splitlines())
os.kill(pid, signal.SIGTERM)
deadline = time.monotonic() + 20
while time.monotonic() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
else:
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
text = out.decode("utf-8", "replace")
prompts = text.count("MFA code of")
prompt = next((l for l in text.splitlines() if "MFA code of" in l), "")
print(json.dumps({"typed": typed, "wrote": wrote, "prompts": prompts, "prompt": prompt,
                  "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1,
                  "stopped": "keeper stopped" in text, "output": text[-4000:]}))
"#;

/// The alice device's TOTP code now.
fn current_code() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    totp::totp_code(ALICE_TOTP_SECRET, now).expect("a base32 secret")
}

/// Runs the Python `driver` with `args` in `w`'s environment (plus
/// `extra`), and the JSON report it prints.
fn drive(w: &World, driver: &str, args: &[&str], extra: &[(&str, &str)]) -> serde_json::Value {
    let cfg = config_dir(w);
    std::fs::create_dir_all(&cfg).unwrap();
    let out = std::process::Command::new(World::python())
        .arg("-c")
        .arg(driver)
        .args(args)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("LANG", "C.UTF-8")
        .envs(w.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("LEASEKEEPER_CONFIG_DIR", &cfg)
        .envs(extra.iter().copied())
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "the driver printed JSON ({e}): {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[test]
fn the_daemon_asks_in_its_terminal_and_uses_the_code_typed() {
    let w = World::start(|c| c.speed = 60.0);
    let code = current_code();
    let report = drive(
        &w,
        DRIVER,
        &[bin(), code.as_str(), "45"],
        &[("LEASEKEEPER_LOG", "info")],
    );
    let output = report["output"].as_str().unwrap_or_default();
    assert_eq!(report["typed"], true, "asked on the terminal: {output}");
    assert_eq!(
        report["wrote"], true,
        "[breakglass] written with the code: {output}"
    );
    assert_eq!(report["prompts"], 1, "asked once: {output}");
    assert!(
        report["prompt"]
            .as_str()
            .unwrap_or_default()
            .contains("MFA code of arn:aws:iam::111111111111:mfa/alice (for breakglass): "),
        "{}",
        report["prompt"]
    );
    assert!(output.contains("mfa_code_accepted"), "{output}");
    assert_eq!(report["exit"], 0, "{output}");
    assert_eq!(report["stopped"], true, "{output}");
    assert_eq!(w.sb.sts_calls("GetSessionToken"), 1);
}

/// Runs `argv[1] refresh --profile breakglass` on a pseudo-terminal, types
/// `argv[2]` once it asks, and prints its exit code and output as JSON.
const REFRESH_DRIVER: &str = r#"
import json, os, pty, select, sys, time
binary, code = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(binary, [binary, "refresh", "--profile", "breakglass"])
out, typed = b"", False
end = time.monotonic() + 60
while time.monotonic() < end:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    text = out.decode("utf-8", "replace")
    if not typed and "MFA code of" in text and "): " in text.split("MFA code of", 1)[1]:
        os.write(fd, (code + "\n").encode())
        typed = True
_, status = os.waitpid(pid, 0)
print(json.dumps({"typed": typed, "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1,
                  "output": out.decode("utf-8", "replace")}))
"#;

#[test]
fn refresh_of_an_mfa_role_asks_for_a_code_in_its_terminal() {
    let w = World::start(|c| c.speed = 60.0);
    let code = current_code();
    let report = drive(&w, REFRESH_DRIVER, &[bin(), code.as_str()], &[]);
    let output = report["output"].as_str().unwrap_or_default();
    assert_eq!(report["typed"], true, "asked on the terminal: {output}");
    assert_eq!(report["exit"], 0, "{output}");
    assert!(
        output.contains("Renewed [breakglass]: keys valid until"),
        "{output}"
    );
    assert_eq!(w.sb.sts_calls("GetSessionToken"), 1);
}

#[test]
fn refresh_through_the_keeper_asks_for_the_code_it_waits_for_and_hands_it_over() {
    let w = World::start(|c| c.speed = 60.0);
    // Its stdin is no terminal: the daemon waits for a code from elsewhere.
    let mut daemon = super::mfa_sandbox::daemon_waiting_for_a_code(&w);
    let code = current_code();
    let report = drive(&w, REFRESH_DRIVER, &[bin(), code.as_str()], &[]);
    let output = report["output"].as_str().unwrap_or_default();
    assert_eq!(report["typed"], true, "asked on the terminal: {output}");
    assert_eq!(report["exit"], 0, "{output}");
    assert!(
        output.contains("Renewed [breakglass]: keys valid until")
            && output.contains("(by the keeper, pid"),
        "renewed by the keeper with the code: {output}"
    );
    assert_eq!(w.sb.sts_calls("GetSessionToken"), 1, "one MFA session");
    daemon.wait_line(30, |l| {
        l.contains("wrote section") && l.contains("section=breakglass")
    });
    super::daemon_sandbox::stop_daemon(daemon);
}
