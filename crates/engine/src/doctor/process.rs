//! Running processes on keys that lapse: a process whose environment holds
//! temporary keys (matched against the keys Leasekeeper issued, or with
//! `AWS_CREDENTIAL_EXPIRATION`) that have lapsed or lapse within the lead
//! will fail with ExpiredToken. What is shown of it: its pid, its program
//! and a shortened command line with anything that looks like a secret
//! masked; never a key.

use time::{Duration, OffsetDateTime};

use super::issued::IssuedKeys;
use super::{Code, Finding, Severity, when};
use crate::timefmt;

/// The command line is shortened to this many characters.
const COMMAND_MAX: usize = 80;
/// Shown instead of a secret.
const MASK: &str = "***";

/// A process as the host read it: only its `AWS_*` variables were kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInfo {
    pub pid: u32,
    /// Its program name (`comm`).
    pub program: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its `AWS_ACCESS_KEY_ID` and `AWS_CREDENTIAL_EXPIRATION`; nothing
    /// else of its environment is ever kept.
    pub aws: Vec<(String, String)>,
}

impl ProcessInfo {
    fn var(&self, name: &str) -> Option<&str> {
        self.aws
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

/// Names whose values are secrets (`--password x`, `TOKEN=x`).
fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "SECRET",
        "TOKEN",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "KEY",
        "AUTH",
    ]
    .iter()
    .any(|s| upper.contains(s))
}

/// A word that looks like a key, a token or a password: an AWS key id, or a
/// long run of letters and digits (and base64's `+/=`) with both.
fn looks_secret(word: &str) -> bool {
    let id = (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && word.len() >= 16
        && word.chars().all(|c| c.is_ascii_alphanumeric());
    let blob = word.chars().count() >= 20
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c))
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic());
    id || blob
}

/// `scheme://user:password@host…` with the password masked.
fn mask_userinfo(word: &str) -> Option<String> {
    let (scheme, rest) = word.split_once("://")?;
    let (userinfo, host) = rest.split_once('@')?;
    if userinfo.contains('/') {
        return None;
    }
    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
    Some(format!("{scheme}://{user}:{MASK}@{host}"))
}

/// Whether the word after this one is a secret: `--password x`, `-p x`,
/// `Authorization: Bearer x`.
fn masks_next(word: &str) -> bool {
    let flag = word.starts_with('-') && !word.contains('=') && (secret_name(word) || word == "-p");
    let header = word.ends_with(':') && secret_name(word);
    flag || header || word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("basic")
}

/// One word of a command line, masked when it is or holds a secret.
fn shown_word(word: &str, after_secret_flag: bool) -> String {
    if after_secret_flag {
        return MASK.to_owned();
    }
    if let Some(masked) = mask_userinfo(word) {
        return masked;
    }
    // `-pPASSWORD`, as mysql takes it.
    if word.len() > 2 && word.starts_with("-p") && !word.starts_with("--") {
        return format!("-p{MASK}");
    }
    if let Some((name, value)) = word.split_once('=') {
        if secret_name(name) || looks_secret(value) || mask_userinfo(value).is_some() {
            return format!("{name}={MASK}");
        }
        return word.to_owned();
    }
    if looks_secret(word) {
        MASK.to_owned()
    } else {
        word.to_owned()
    }
}

/// The command line, secrets masked, at most [`COMMAND_MAX`] characters.
/// Each argument is read word by word (a program may rename itself to a
/// whole command line), control characters dropped.
pub fn shown_command(program: &str, args: &[String]) -> String {
    let mut words: Vec<String> = Vec::with_capacity(args.len());
    let mut mask_next = false;
    for arg in args {
        let arg: String = arg
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        for word in arg.split_whitespace() {
            words.push(shown_word(word, mask_next));
            mask_next = masks_next(word);
        }
    }
    let text = if words.is_empty() {
        program.chars().filter(|c| !c.is_control()).collect()
    } else {
        words.join(" ")
    };
    if text.chars().count() > COMMAND_MAX {
        let short: String = text.chars().take(COMMAND_MAX - 1).collect();
        format!("{short}…")
    } else {
        text
    }
}

/// Processes whose keys lapsed or lapse within `lead`.
pub fn findings(
    processes: &[ProcessInfo],
    issued: &IssuedKeys,
    now: OffsetDateTime,
    lead: Duration,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in processes {
        let Some(key_id) = p.var("AWS_ACCESS_KEY_ID") else {
            continue;
        };
        let issued_for = issued.lookup(key_id);
        let expires = p
            .var("AWS_CREDENTIAL_EXPIRATION")
            .and_then(timefmt::parse_timestamp)
            .or(issued_for.map(|(_, at)| at));
        let Some(at) = expires.filter(|at| *at - now <= lead) else {
            continue;
        };
        let profile = issued_for.map(|(i, _)| i.profile.clone());
        let command = shown_command(&p.program, &p.args);
        let fate = if at <= now {
            format!(
                "runs on keys that lapsed {}: its AWS calls fail with ExpiredToken",
                when(at, now)
            )
        } else {
            format!(
                "runs on keys that lapse {}; it will fail with ExpiredToken",
                when(at, now)
            )
        };
        let mut f = Finding::new(
            Code::ProcessOnExportedKeys,
            Severity::NeedsYou,
            profile.clone(),
            format!("{command} (pid {}) {fate}", p.pid),
            format!(
                "run it with `leasekeeper exec --profile {} -- …` (its SDKs then renew their keys)",
                profile.as_deref().unwrap_or("PROFILE")
            ),
        );
        f.expires_at = Some(at);
        f.pid = Some(p.pid);
        f.program = Some(p.program.chars().filter(|c| !c.is_control()).collect());
        f.command = Some(command);
        out.push(f);
    }
    out
}
