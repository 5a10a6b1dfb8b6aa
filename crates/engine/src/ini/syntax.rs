//! The cross-SDK specification's line grammar: what a header, a property and
//! a sub-property line are, and its error messages word for word.
//!
//! The rules follow the specification's reference parser (smithy-rs
//! `env_config/parse.rs`): whitespace is only space and tab; a comment after a
//! section header starts at any `#` or `;`, one after a value only at a `#` or
//! `;` that follows whitespace.

use super::text::{Span, char_before, find_any, trim_space_tab};

/// A line the specification cannot parse. `Display` gives the
/// specification's own message, which the cross-SDK test suite matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyntaxError {
    /// A property or continuation line before any section header.
    ExpectedProfile,
    /// `[name` without its closing bracket.
    HeaderWithoutClosingBracket,
    /// A property line without `=`.
    PropertyWithoutEquals,
    /// A property line that starts with `=`.
    PropertyWithoutName,
    /// An indented line directly under a header, or under a line that could
    /// not be parsed.
    ContinuationWithoutProperty,
    /// An indented line under `key =` (a sub-property block) without `=`.
    SubPropertyWithoutEquals,
    /// An indented line under `key =` that starts with `=`.
    SubPropertyWithoutName,
}

impl SyntaxError {
    /// The specification's message for this error.
    pub fn message(self) -> &'static str {
        match self {
            SyntaxError::ExpectedProfile => "Expected a profile definition",
            SyntaxError::HeaderWithoutClosingBracket => "Profile definition must end with ']'",
            SyntaxError::PropertyWithoutEquals => "Expected an '=' sign defining a property",
            SyntaxError::PropertyWithoutName => "Property did not have a name",
            SyntaxError::ContinuationWithoutProperty => {
                "Expected a property definition, found continuation"
            }
            SyntaxError::SubPropertyWithoutEquals => "Expected an '=' sign defining a sub-property",
            SyntaxError::SubPropertyWithoutName => "Sub-property did not have a name",
        }
    }

    /// A stable identifier for scripts and the UI.
    pub fn code(self) -> &'static str {
        match self {
            SyntaxError::ExpectedProfile => "expected_profile",
            SyntaxError::HeaderWithoutClosingBracket => "header_without_closing_bracket",
            SyntaxError::PropertyWithoutEquals => "property_without_equals",
            SyntaxError::PropertyWithoutName => "property_without_name",
            SyntaxError::ContinuationWithoutProperty => "continuation_without_property",
            SyntaxError::SubPropertyWithoutEquals => "sub_property_without_equals",
            SyntaxError::SubPropertyWithoutName => "sub_property_without_name",
        }
    }
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for SyntaxError {}

/// The specification's `prepare_line`: `span` trimmed, cut at the first
/// comment character, trimmed again. With `comments_need_whitespace` a
/// comment character counts only after a (Unicode) whitespace character.
pub(crate) fn prepare_line(bytes: &[u8], span: Span, comments_need_whitespace: bool) -> Span {
    let line = trim_space_tab(bytes, span);
    let text = line.of(bytes);
    let mut from = 0;
    let mut cut = line.end;
    while let Some(i) =
        find_any(text.get(from..).unwrap_or_default(), [b'#', b';']).map(|i| from + i)
    {
        if !comments_need_whitespace || char_before(text, i).is_some_and(char::is_whitespace) {
            cut = line.start + i;
            break;
        }
        from = i + 1;
    }
    trim_space_tab(bytes, Span::new(line.start, cut))
}

/// A parsed `key = value` line: both sides trimmed, the key as written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct KeyValue {
    pub key: Span,
    pub value: Span,
}

/// Why a line is not `key = value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PropertyError {
    NoEquals,
    NoName,
}

/// The specification's `parse_property_line` on `span`.
pub(crate) fn parse_property(bytes: &[u8], span: Span) -> Result<KeyValue, PropertyError> {
    let line = prepare_line(bytes, span, true);
    let eq = find_any(line.of(bytes), [b'=']).ok_or(PropertyError::NoEquals)?;
    let key = trim_space_tab(bytes, Span::new(line.start, line.start + eq));
    let value = trim_space_tab(bytes, Span::new(line.start + eq + 1, line.end));
    if key.is_empty() {
        return Err(PropertyError::NoName);
    }
    Ok(KeyValue { key, value })
}

/// The name inside a section header line, or why the line is not one.
/// `span` must start with `[`.
pub(crate) fn parse_header(bytes: &[u8], span: Span) -> Result<Span, SyntaxError> {
    let line = prepare_line(bytes, span, false);
    let text = line.of(bytes);
    if text.len() >= 2 && text.ends_with(b"]") {
        Ok(trim_space_tab(
            bytes,
            Span::new(line.start + 1, line.end - 1),
        ))
    } else {
        Err(SyntaxError::HeaderWithoutClosingBracket)
    }
}

/// A `key = value` inside a sub-property block, split as both botocore and
/// the specification's section parser split it: at the first `=`, both sides
/// trimmed, nothing cut as a comment.
pub(crate) fn split_sub_property(bytes: &[u8], span: Span) -> Option<KeyValue> {
    let line = trim_space_tab(bytes, span);
    let eq = find_any(line.of(bytes), [b'='])?;
    Some(KeyValue {
        key: trim_space_tab(bytes, Span::new(line.start, line.start + eq)),
        value: trim_space_tab(bytes, Span::new(line.start + eq + 1, line.end)),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::string_slice, reason = "tests slice ASCII fixtures")]

    use super::*;

    fn prep(s: &str, need_ws: bool) -> &str {
        let span = prepare_line(s.as_bytes(), Span::new(0, s.len()), need_ws);
        &s[span.range()]
    }

    fn kv(s: &str) -> Result<(&str, &str), PropertyError> {
        parse_property(s.as_bytes(), Span::new(0, s.len()))
            .map(|kv| (&s[kv.key.range()], &s[kv.value.range()]))
    }

    #[test]
    fn comments_after_values_need_whitespace_before_them() {
        assert_eq!(
            prep("name = value # Comment with # sign", true),
            "name = value"
        );
        assert_eq!(
            prep("name = value#Comment # sign", true),
            "name = value#Comment"
        );
        assert_eq!(prep("name = value#Comment # sign", false), "name = value");
        assert_eq!(
            prep("name = value\u{a0}# nbsp counts", true),
            "name = value\u{a0}"
        );
    }

    #[test]
    fn property_lines_split_at_the_first_equals() {
        assert_eq!(kv(" a = b 🐱 "), Ok(("a", "b 🐱")));
        assert_eq!(kv("a=b=c"), Ok(("a", "b=c")));
        assert_eq!(kv("ABc = DEF"), Ok(("ABc", "DEF")));
        assert_eq!(kv("a =    "), Ok(("a", "")));
        assert_eq!(kv("a b"), Err(PropertyError::NoEquals));
        assert_eq!(kv("= b"), Err(PropertyError::NoName));
        assert_eq!(kv("a # = b"), Err(PropertyError::NoEquals));
    }

    #[test]
    fn headers_need_a_closing_bracket_before_any_comment() {
        let name = |s: &str| {
            parse_header(s.as_bytes(), Span::new(0, s.len())).map(|n| s[n.range()].to_owned())
        };
        assert_eq!(name("[profile foo]; c"), Ok("profile foo".into()));
        assert_eq!(name("[ profile foo\t] # c"), Ok("profile foo".into()));
        assert_eq!(
            name("[profile foo;x]"),
            Err(SyntaxError::HeaderWithoutClosingBracket)
        );
        assert_eq!(
            name("[profile foo] x"),
            Err(SyntaxError::HeaderWithoutClosingBracket)
        );
        assert_eq!(name("[]"), Ok(String::new()));
        assert_eq!(name("["), Err(SyntaxError::HeaderWithoutClosingBracket));
    }
}
