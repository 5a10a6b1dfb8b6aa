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

/// Names whose values are secrets (`--password x`, `TOKEN=x`, `-pass x`).
fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["SECRET", "TOKEN", "PASS", "CREDENTIAL", "KEY", "AUTH"]
        .iter()
        .any(|s| upper.contains(s))
}

/// A word that looks like a key, a token or a password: an AWS key id, or a
/// long run of letters and digits (and base64's `+/=`, a JWT's `.`) with
/// both.
fn looks_secret(word: &str) -> bool {
    let id = (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && word.len() >= 16
        && word.chars().all(|c| c.is_ascii_alphanumeric());
    let blob = word.chars().count() >= 20
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=_-.".contains(c))
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().any(|c| c.is_ascii_alphabetic());
    id || blob
}

/// `scheme://user:password@host…` with the password masked, or the whole
/// user part when it is a token (`https://ghp_…@github.com`); `None` when
/// the word holds no user part or nothing secret.
fn mask_userinfo(word: &str) -> Option<String> {
    let (scheme, rest) = word.split_once("://")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = (rest.get(..authority_end)?, rest.get(authority_end..)?);
    let (userinfo, host) = authority.rsplit_once('@')?;
    match userinfo.split_once(':') {
        Some((user, _)) => Some(format!("{scheme}://{user}:{MASK}@{host}{path}")),
        None if looks_secret(userinfo) || secret_name(userinfo) => {
            Some(format!("{scheme}://{MASK}@{host}{path}"))
        }
        None => None,
    }
}

/// What an argument's words make of the words after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hide {
    Nothing,
    /// The next word (`--password x`, `-p x`, `Bearer x`).
    Next,
    /// Every word left in this argument (`Authorization: Token x`,
    /// `PASSWORD=a b`).
    RestOfArg,
}

/// A flag or a header whose value follows.
fn hides_after(word: &str) -> Hide {
    let flag = word.starts_with('-') && !word.contains('=') && (secret_name(word) || word == "-p");
    if word.ends_with(':') && secret_name(word) {
        Hide::RestOfArg
    } else if flag || word.eq_ignore_ascii_case("bearer") || word.eq_ignore_ascii_case("basic") {
        Hide::Next
    } else {
        Hide::Nothing
    }
}

/// One word, masked when it is or holds a secret; with what it hides after
/// it.
fn shown_word(word: &str) -> (String, Hide) {
    // `NAME=value` and `Name:value`: a secret name hides its value, and the
    // rest of the argument (`PASSWORD="a b"` is one argument).
    for sep in ['=', ':'] {
        if let Some((name, value)) = word.split_once(sep) {
            if !value.starts_with("//") && secret_name(name) {
                return (format!("{name}{sep}{MASK}"), Hide::RestOfArg);
            }
        }
    }
    if let Some(masked) = mask_userinfo(word) {
        return (masked, Hide::Nothing);
    }
    // `-pPASSWORD`, as mysql takes it; not `-path` or `-print`.
    if let Some(value) = word.strip_prefix("-p") {
        let flag_like = value.chars().all(|c| c.is_ascii_lowercase());
        if !value.is_empty() && !word.starts_with("--") && !flag_like {
            return (format!("-p{MASK}"), Hide::Nothing);
        }
    }
    if let Some((name, value)) = word.split_once('=') {
        if looks_secret(value) {
            return (format!("{name}={MASK}"), Hide::Nothing);
        }
    }
    if looks_secret(word) {
        (MASK.to_owned(), Hide::Nothing)
    } else {
        (word.to_owned(), hides_after(word))
    }
}

/// The command line, secrets masked, at most [`COMMAND_MAX`] characters.
/// Each argument is read word by word (a program may rename itself to a
/// whole command line), control characters dropped. The value after a
/// secret flag is masked whole, whatever spaces it holds.
pub fn shown_command(program: &str, args: &[String]) -> String {
    let mut words: Vec<String> = Vec::with_capacity(args.len());
    let mut hide_next_arg = false;
    for arg in args {
        let arg: String = arg
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if std::mem::take(&mut hide_next_arg) {
            words.push(MASK.to_owned());
            continue;
        }
        let mut hide = Hide::Nothing;
        let mut last = Hide::Nothing;
        for word in arg.split_whitespace() {
            match hide {
                Hide::RestOfArg => break,
                Hide::Next => {
                    words.push(MASK.to_owned());
                    hide = Hide::Nothing;
                    last = Hide::Nothing;
                    continue;
                }
                Hide::Nothing => {}
            }
            let (shown, after) = shown_word(word);
            words.push(shown);
            hide = after;
            last = after;
        }
        // A flag ending its argument hides the whole next one.
        hide_next_arg = last == Hide::Next;
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
