//! A new `[profile NAME]` or `[sso-session NAME]` section appended to
//! `~/.aws/config`, every other byte kept. Pure: the current bytes in, the new bytes out; the host locks,
//! re-checks and replaces the file.
//!
//! [`plan`] refuses a file it cannot parse (any issue a reader of the file
//! would raise, a byte-order mark), a name or value that would not read back
//! as written, and a profile already there with other contents (the same
//! contents are a no-op). The result is parsed again and checked before it
//! is handed out: the old bytes are its prefix, the new section is there once
//! and holds exactly what was asked.

use crate::ini::{Document, Issue, LineEnding};

#[cfg(test)]
mod tests;

/// The section to add: its kind, its name (without `profile ` or
/// `sso-session `) and its settings in the order they are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProfile {
    pub kind: SectionKind,
    pub name: String,
    pub settings: Vec<(String, String)>,
}

/// Which kind of section [`NewProfile`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SectionKind {
    /// `[profile NAME]`.
    #[default]
    Profile,
    /// `[sso-session NAME]`.
    SsoSession,
}

impl SectionKind {
    /// The header's prefix word.
    pub fn word(self) -> &'static str {
        match self {
            SectionKind::Profile => "profile",
            SectionKind::SsoSession => "sso-session",
        }
    }
}

/// What [`plan`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The section was appended.
    Added,
    /// The same profile was already there: the bytes are unchanged.
    AlreadyThere,
}

/// The new file and what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub bytes: Vec<u8>,
    pub outcome: Outcome,
}

/// Why the config file is not written. Values are not secret here (a
/// command and a region) but are still never echoed: fields are named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigWriteError {
    #[error(
        "the config file starts with a byte-order mark (line 1), which botocore refuses; \
         leasekeeper writes no file it cannot parse: remove the mark first"
    )]
    ByteOrderMark,
    #[error(
        "cannot parse the config file at {issue}; leasekeeper never writes a file it cannot parse"
    )]
    Unparsable { issue: Issue },
    #[error(
        "profile {profile} is already in the config file (line {line}) with other settings; \
         choose another name with --as or edit it yourself"
    )]
    Exists { profile: String, line: u32 },
    #[error("[sso-session {session}] is already in the config file (line {line})")]
    SessionExists { session: String, line: u32 },
    #[error("the start URL {url} is already configured in [{section}] (line {line})")]
    StartUrlExists {
        url: String,
        section: String,
        line: u32,
    },
    #[error("cannot add profile `{}`: the name {reason}", .profile.escape_debug())]
    InvalidName {
        profile: String,
        reason: &'static str,
    },
    #[error("cannot write {field} into profile {profile}: the value {reason}")]
    InvalidValue {
        profile: String,
        field: String,
        reason: &'static str,
    },
    #[error("the planned config file failed its own check ({check}), so it is not written")]
    Internal { check: &'static str },
}

impl ConfigWriteError {
    /// A stable code for scripts and logs.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigWriteError::ByteOrderMark => "config_bom",
            ConfigWriteError::Unparsable { .. } => "config_unparsable",
            ConfigWriteError::Exists { .. } => "profile_exists",
            ConfigWriteError::SessionExists { .. } => "sso_session_exists",
            ConfigWriteError::StartUrlExists { .. } => "start_url_exists",
            ConfigWriteError::InvalidName { .. } => "invalid_profile_name",
            ConfigWriteError::InvalidValue { .. } => "invalid_value",
            ConfigWriteError::Internal { .. } => "internal_check",
        }
    }
}

fn check_name(name: &str) -> Result<(), ConfigWriteError> {
    let reason = if name.is_empty() {
        Some("is empty")
    } else if name.trim() != name {
        Some("starts or ends with white space")
    } else if name.chars().any(|c| c.is_control()) {
        Some("holds a control character")
    } else if name.contains(['[', ']', '#', ';']) {
        Some("holds `[`, `]`, `#` or `;`")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(ConfigWriteError::InvalidName {
            profile: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

fn check_value(profile: &str, key: &str, value: &str) -> Result<(), ConfigWriteError> {
    let bad = |reason| ConfigWriteError::InvalidValue {
        profile: profile.to_owned(),
        field: key.to_owned(),
        reason,
    };
    let key_ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !key_ok {
        return Err(bad("has a key that is not a plain setting name"));
    }
    if value.is_empty() || value.trim() != value {
        return Err(bad("is empty or starts or ends with white space"));
    }
    if value.chars().any(|c| c.is_control()) {
        return Err(bad("holds a control character"));
    }
    Ok(())
}

/// The section's bytes, with `eol` line endings.
fn section_text(p: &NewProfile, eol: LineEnding) -> Vec<u8> {
    let mut out = format!("[{} {}]", p.kind.word(), p.name).into_bytes();
    out.extend_from_slice(eol.as_bytes());
    for (k, v) in &p.settings {
        out.extend_from_slice(format!("{k} = {v}").as_bytes());
        out.extend_from_slice(eol.as_bytes());
    }
    out
}

fn header_matches(section: &str, kind: SectionKind, name: &str) -> bool {
    let section = section.trim();
    match section.strip_prefix(kind.word()) {
        Some(rest) if rest.starts_with([' ', '\t']) => rest.trim() == name,
        _ => kind == SectionKind::Profile && name == "default" && section == "default",
    }
}

/// The bytes of the config file with `profile` appended to `current`
/// (`None`: the file does not exist yet).
pub fn plan(current: Option<&[u8]>, profile: &NewProfile) -> Result<Planned, ConfigWriteError> {
    check_name(&profile.name)?;
    for (k, v) in &profile.settings {
        check_value(&profile.name, k, v)?;
    }
    let original = current.unwrap_or_default();
    let doc = parsed(original)?;
    if profile.kind == SectionKind::SsoSession {
        refuse_taken_session(&doc, profile)?;
    }
    if let Some(existing) = doc
        .sections()
        .find(|s| header_matches(&s.name(), profile.kind, &profile.name))
    {
        let entries: Vec<(String, String)> = existing
            .entries()
            .map(|e| (e.key().into_owned(), e.value().into_owned()))
            .collect();
        if entries == profile.settings {
            return Ok(Planned {
                bytes: original.to_vec(),
                outcome: Outcome::AlreadyThere,
            });
        }
        return Err(ConfigWriteError::Exists {
            profile: profile.name.clone(),
            line: existing.header_line(),
        });
    }
    let eol = line_ending(&doc);
    let mut bytes = original.to_vec();
    if !bytes.is_empty() {
        if !bytes.ends_with(b"\n") && !bytes.ends_with(b"\r") {
            bytes.extend_from_slice(eol.as_bytes());
        }
        bytes.extend_from_slice(eol.as_bytes());
    }
    bytes.extend_from_slice(&section_text(profile, eol));
    verify(original, &bytes, profile)?;
    Ok(Planned {
        bytes,
        outcome: Outcome::Added,
    })
}

/// The config file's bytes parsed, or why a writer must not touch them: a
/// byte-order mark, or anything a reader of the file would refuse.
pub(crate) fn parsed(bytes: &[u8]) -> Result<Document, ConfigWriteError> {
    let doc = Document::parse(bytes);
    if doc.has_bom() {
        return Err(ConfigWriteError::ByteOrderMark);
    }
    if let Some(issue) = doc.issues().first() {
        return Err(ConfigWriteError::Unparsable {
            issue: issue.clone(),
        });
    }
    Ok(doc)
}

/// The file's own line ending (its first line's), LF for a new file.
pub(crate) fn line_ending(doc: &Document) -> LineEnding {
    doc.lines()
        .iter()
        .map(|l| l.ending())
        .find(|e| !e.as_bytes().is_empty())
        .unwrap_or(LineEnding::Lf)
}

/// A new sign-in session takes neither a name nor a start URL that the
/// file already configures (in an `[sso-session]`, or on a legacy profile),
/// whatever the rest of its settings: the line is named.
fn refuse_taken_session(doc: &Document, p: &NewProfile) -> Result<(), ConfigWriteError> {
    if let Some(s) = doc
        .sections()
        .find(|s| header_matches(&s.name(), SectionKind::SsoSession, &p.name))
    {
        return Err(ConfigWriteError::SessionExists {
            session: p.name.clone(),
            line: s.header_line(),
        });
    }
    let wanted = p
        .settings
        .iter()
        .find(|(k, _)| k == "sso_start_url")
        .map(|(_, v)| normalized_url(v));
    let Some(wanted) = wanted else {
        return Ok(());
    };
    for s in doc.sections() {
        if let Some(e) = s
            .entries()
            .find(|e| e.key().eq_ignore_ascii_case("sso_start_url"))
            .filter(|e| normalized_url(&e.value()) == wanted)
        {
            return Err(ConfigWriteError::StartUrlExists {
                url: e.value().into_owned(),
                section: s.name().trim().to_owned(),
                line: e.line(),
            });
        }
    }
    Ok(())
}

/// A start URL as compared: without a trailing `/` or `#`, the scheme and
/// host in lower case (the path is kept as written).
fn normalized_url(url: &str) -> String {
    let url = url.trim().trim_end_matches(['/', '#']);
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
            format!(
                "{}://{}/{path}",
                scheme.to_ascii_lowercase(),
                host.to_ascii_lowercase()
            )
        }
        None => url.to_owned(),
    }
}

/// The result parses cleanly, keeps the file as its prefix and holds the
/// profile once, exactly as asked.
fn verify(original: &[u8], result: &[u8], p: &NewProfile) -> Result<(), ConfigWriteError> {
    let fail = |check| Err(ConfigWriteError::Internal { check });
    if !result.starts_with(original) {
        return fail("the old bytes are not kept");
    }
    let doc = Document::parse(result);
    if doc.has_bom() || !doc.issues().is_empty() {
        return fail("the result does not parse cleanly");
    }
    let found: Vec<_> = doc
        .sections()
        .filter(|s| header_matches(&s.name(), p.kind, &p.name))
        .collect();
    let [s] = found.as_slice() else {
        return fail("the new profile is not there exactly once");
    };
    let entries: Vec<(String, String)> = s
        .entries()
        .map(|e| (e.key().into_owned(), e.value().into_owned()))
        .collect();
    if entries != p.settings {
        return fail("the new profile does not hold its settings");
    }
    Ok(())
}
