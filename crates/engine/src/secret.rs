//! [`Secret`]: a string that never shows itself in `Debug` or `Display`.
//!
//! Secret keys, session tokens, access and refresh tokens and client secrets
//! are held in this type from the moment they are read, so a stray `{:?}` in a
//! log line or an error prints `<redacted>` instead of the value.

use std::fmt;

/// A secret value. Read it with [`Secret::expose`], on purpose.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself: call only to send it where it belongs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

/// An access key id shown only by its last four characters (`…WXYZ`), as
/// aws-vault does: enough to tell keys apart, not enough to use one.
pub fn key_hint(access_key_id: &str) -> String {
    let tail: String = access_key_id
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Secret::new("wJalrXUtnFEMI/K7MDENG");
        assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
        assert_eq!(s.expose(), "wJalrXUtnFEMI/K7MDENG");
    }

    #[test]
    fn key_hint_keeps_last_four() {
        assert_eq!(key_hint("AKIAIOSFODNN7EXAMPLE"), "…MPLE");
        assert_eq!(key_hint("AB"), "…AB");
    }
}
