//! Our section's text, and what may go into it: section names every reader
//! takes as a profile, values every reader reads back unchanged.

use time::OffsetDateTime;

use crate::Secret;
use crate::ini::{Document, LineEnding, MANAGED_MARKER};
use crate::timefmt::format_z;

pub const ACCESS_KEY_ID: &str = "aws_access_key_id";
pub const SECRET_ACCESS_KEY: &str = "aws_secret_access_key";
pub const SESSION_TOKEN: &str = "aws_session_token";
/// The expiry key other tools already write beside temporary keys; the
/// profile reader understands it too.
pub const EXPIRY_KEY: &str = "x_security_token_expires";

/// configparser's defaults section: botocore lends its keys to every profile.
const CONFIGPARSER_DEFAULTS: &str = "DEFAULT";

/// The keys of one section, borrowed from a `Put`.
#[derive(Clone, Copy)]
pub(super) struct Keys<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a Secret,
    pub session_token: &'a Secret,
    pub expires_at: OffsetDateTime,
}

impl Keys<'_> {
    /// `(key, value)` in the order written.
    pub fn pairs(&self) -> [(&'static str, String); 4] {
        [
            (ACCESS_KEY_ID, self.access_key_id.to_owned()),
            (
                SECRET_ACCESS_KEY,
                self.secret_access_key.expose().to_owned(),
            ),
            (SESSION_TOKEN, self.session_token.expose().to_owned()),
            (EXPIRY_KEY, format_z(self.expires_at)),
        ]
    }
}

/// The line ending new lines get: CRLF when more of the file's lines end in
/// CRLF than in LF, otherwise (also for an empty file) LF.
pub(super) fn line_ending(doc: &Document) -> LineEnding {
    let (mut crlf, mut lf) = (0usize, 0usize);
    for line in doc.lines() {
        match line.ending() {
            LineEnding::CrLf => crlf += 1,
            LineEnding::Lf => lf += 1,
            LineEnding::None => {}
        }
    }
    if crlf > lf {
        LineEnding::CrLf
    } else {
        LineEnding::Lf
    }
}

/// The whole section, every line ended with `eol`.
pub(super) fn section_text(section: &str, keys: Keys<'_>, eol: LineEnding) -> Vec<u8> {
    let eol = eol.as_bytes();
    let mut out = Vec::with_capacity(160 + keys.session_token.expose().len());
    out.push(b'[');
    out.extend_from_slice(section.as_bytes());
    out.push(b']');
    out.extend_from_slice(eol);
    out.extend_from_slice(MANAGED_MARKER.as_bytes());
    out.extend_from_slice(eol);
    for (key, value) in keys.pairs() {
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b" = ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(eol);
    }
    out
}

/// Why `name` cannot be a section of ours, if it cannot.
///
/// It must be an identifier of the cross-SDK specification
/// (`A-Za-z0-9` and `_-/.%@:+`): aws-sdk-rust and the other SDKs that follow
/// it ignore any other credentials section. That rules out whitespace (and
/// so a `profile ` prefix, which the credentials file does not use),
/// brackets and comment characters. `DEFAULT` is refused too: botocore's
/// configparser lends that section's keys to every other profile.
pub(super) fn check_section_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("is empty");
    }
    if let Some(rest) = name.strip_prefix("profile")
        && rest.starts_with(char::is_whitespace)
    {
        return Err("starts with `profile `, which only the config file uses");
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("holds whitespace or a control character");
    }
    if name.contains(['[', ']']) {
        return Err("holds a bracket");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
    {
        return Err("holds a character other than A-Z, a-z, 0-9 and _-/.%@:+");
    }
    if name == CONFIGPARSER_DEFAULTS {
        return Err("is DEFAULT, whose keys botocore applies to every profile");
    }
    Ok(())
}

/// Why `value` would not read back as written, if it would not. Keys and
/// tokens are printable ASCII without spaces; anything else could be cut at
/// a comment, split into lines or trimmed by a reader.
pub(super) fn check_value(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        return Err("is empty");
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("holds whitespace, a control character or a non-ascii character");
    }
    if value.starts_with(['#', ';']) {
        return Err("starts with a comment character");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_every_reader_takes_as_a_profile_pass() {
        for ok in [
            "dev",
            "default",
            "prod-1",
            "a.b_c/d%e@f:g+h",
            "Default",
            "9",
        ] {
            assert_eq!(check_section_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn names_some_reader_would_not_take_as_this_profile_are_refused() {
        let reason = |n: &str| check_section_name(n).expect_err(n);
        assert_eq!(reason(""), "is empty");
        assert!(reason("profile dev").contains("profile "));
        assert!(reason("profile\tdev").contains("profile "));
        assert!(reason("my dev").contains("whitespace"));
        assert!(reason(" dev").contains("whitespace"));
        assert!(reason("dev\u{2028}").contains("whitespace"));
        assert!(reason("dev\u{1c}").contains("control"));
        assert!(reason("de[v").contains("bracket"));
        assert!(reason("dev]").contains("bracket"));
        assert!(reason("dev#1").contains("other than"));
        assert!(reason("dev;1").contains("other than"));
        assert!(reason("dév").contains("other than"));
        assert!(reason("DEFAULT").contains("every profile"));
    }

    #[test]
    fn values_that_would_not_read_back_are_refused() {
        assert_eq!(check_value("wJalrXUtnFEMI/K7MDENG+bPxRfiCY=="), Ok(()));
        assert_eq!(check_value(""), Err("is empty"));
        for bad in ["a b", "a\tb", "a\nb", "a\rb", "ab ", "é"] {
            assert!(check_value(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check_value("#abc"), Err("starts with a comment character"));
        assert_eq!(check_value(";abc"), Err("starts with a comment character"));
        assert_eq!(check_value("a#b;c"), Ok(()));
    }

    #[test]
    fn the_ending_follows_the_majority_of_the_lines() {
        let eol = |s: &[u8]| line_ending(&Document::parse(s));
        assert_eq!(eol(b""), LineEnding::Lf);
        assert_eq!(eol(b"[a]"), LineEnding::Lf);
        assert_eq!(eol(b"[a]\r\nx = 1\r\n"), LineEnding::CrLf);
        assert_eq!(eol(b"[a]\r\nx = 1\r\ny = 2\n"), LineEnding::CrLf);
        assert_eq!(eol(b"[a]\r\nx = 1\n"), LineEnding::Lf);
    }
}
