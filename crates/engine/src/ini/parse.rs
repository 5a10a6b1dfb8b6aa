//! The specification's reading of a document, line by line, with recovery.
//!
//! Up to the first error this is exactly the specification's parser (so its
//! first error is the one the specification reports). After an error it goes
//! on: a bad line is skipped, a continuation under a skipped line is reported
//! as having no property, and a header without its `]` still starts a section,
//! marked broken, so the lines under it are never taken for the section above.

use super::line::{Line, LineKind};
use super::syntax::{
    PropertyError, SyntaxError, parse_header, parse_property, prepare_line, split_sub_property,
};
use super::text::{Span, is_comment_char, is_space_tab, trim_space_tab};

/// The comment line that marks a section as written by Leasekeeper.
pub const MANAGED_MARKER: &str = "# managed by leasekeeper";

/// A section as stored: indices into the document's lines and entries.
#[derive(Debug, Clone)]
pub(crate) struct SectionData {
    pub header: usize,
    pub name: Span,
    pub error: Option<SyntaxError>,
    pub entries: (usize, usize),
    /// The last line that belongs to the section (trailing blank lines and
    /// comments before the next header do not).
    pub last_line: usize,
    /// One past the last line before the next header.
    pub end_line: usize,
    pub managed: bool,
}

/// An entry's value: a slice of the file, or lines joined with `\n`.
#[derive(Clone)]
pub(crate) enum Value {
    Span(Span),
    Joined(String),
}

#[derive(Clone)]
pub(crate) struct EntryData {
    pub key: Span,
    pub value: Value,
    pub line: usize,
    pub last_line: usize,
    pub subs: (usize, usize),
    /// `key =` with nothing after it: indented lines are sub-properties.
    pub block: bool,
}

#[derive(Clone)]
pub(crate) struct SubData {
    pub key: Span,
    pub value: Span,
    pub line: usize,
}

#[derive(Default)]
pub(crate) struct Parsed {
    pub sections: Vec<SectionData>,
    pub entries: Vec<EntryData>,
    pub subs: Vec<SubData>,
    /// Syntax errors by line index, in line order.
    pub errors: Vec<(usize, SyntaxError)>,
}

/// Classifies every line of `lines` (setting its kind) and collects sections.
pub(crate) fn classify(bytes: &[u8], lines: &mut [Line]) -> Parsed {
    let mut p = Parsed::default();
    p.entries.reserve(lines.len() / 2);
    let mut cur_entry: Option<usize> = None;
    for idx in 0..lines.len() {
        let Some(content) = lines.get(idx).map(|l| l.content) else {
            break;
        };
        let kind = classify_line(bytes, lines, idx, content, &mut p, &mut cur_entry);
        if let LineKind::Invalid(e) = kind {
            p.errors.push((idx, e));
        }
        if let Some(line) = lines.get_mut(idx) {
            line.kind = kind;
        }
        if let Some(s) = p.sections.last_mut() {
            let belongs = !matches!(kind, LineKind::Blank | LineKind::Comment)
                || (s.managed && idx == s.header + 1);
            if belongs {
                s.last_line = idx;
            }
        }
    }
    if let Some(s) = p.sections.last_mut() {
        s.end_line = lines.len();
    }
    p
}

fn classify_line(
    bytes: &[u8],
    lines: &[Line],
    idx: usize,
    content: Span,
    p: &mut Parsed,
    cur_entry: &mut Option<usize>,
) -> LineKind {
    let text = content.of(bytes);
    let Some(&first) = text.first() else {
        return LineKind::Blank;
    };
    if trim_space_tab(bytes, content).is_empty() {
        return LineKind::Blank;
    }
    if is_comment_char(first) {
        return LineKind::Comment;
    }
    if first == b'[' {
        *cur_entry = None;
        return open_section(bytes, lines, idx, content, p);
    }
    if p.sections.is_empty() {
        return LineKind::Invalid(SyntaxError::ExpectedProfile);
    }
    if is_space_tab(first) {
        return continuation(bytes, idx, content, p, *cur_entry);
    }
    match parse_property(bytes, content) {
        Ok(kv) => {
            let value = kv.value;
            p.entries.push(EntryData {
                key: kv.key,
                value: Value::Span(value),
                line: idx,
                last_line: idx,
                subs: (p.subs.len(), p.subs.len()),
                block: value.is_empty(),
            });
            if let Some(s) = p.sections.last_mut() {
                s.entries.1 = p.entries.len();
            }
            *cur_entry = Some(p.entries.len() - 1);
            LineKind::Property
        }
        Err(e) => {
            *cur_entry = None;
            LineKind::Invalid(match e {
                PropertyError::NoEquals => SyntaxError::PropertyWithoutEquals,
                PropertyError::NoName => SyntaxError::PropertyWithoutName,
            })
        }
    }
}

fn open_section(
    bytes: &[u8],
    lines: &[Line],
    idx: usize,
    content: Span,
    p: &mut Parsed,
) -> LineKind {
    if let Some(prev) = p.sections.last_mut() {
        prev.end_line = idx;
    }
    let (name, error) = match parse_header(bytes, content) {
        Ok(name) => (name, None),
        Err(e) => {
            let rest = prepare_line(bytes, content, false);
            let after_bracket = Span::new((rest.start + 1).min(rest.end), rest.end);
            (trim_space_tab(bytes, after_bracket), Some(e))
        }
    };
    let managed = lines
        .get(idx + 1)
        .is_some_and(|l| l.content.of(bytes).trim_ascii() == MANAGED_MARKER.as_bytes());
    p.sections.push(SectionData {
        header: idx,
        name,
        error,
        entries: (p.entries.len(), p.entries.len()),
        last_line: idx,
        end_line: lines.len(),
        managed,
    });
    error.map_or(LineKind::Header, LineKind::Invalid)
}

fn continuation(
    bytes: &[u8],
    idx: usize,
    content: Span,
    p: &mut Parsed,
    cur_entry: Option<usize>,
) -> LineKind {
    let Some(entry) = cur_entry.and_then(|e| p.entries.get_mut(e)) else {
        return LineKind::Invalid(SyntaxError::ContinuationWithoutProperty);
    };
    entry.last_line = idx;
    let kind = if entry.block {
        match parse_property(bytes, content) {
            Err(PropertyError::NoEquals) => {
                return LineKind::Invalid(SyntaxError::SubPropertyWithoutEquals);
            }
            Err(PropertyError::NoName) => {
                return LineKind::Invalid(SyntaxError::SubPropertyWithoutName);
            }
            Ok(_) => {
                if let Some(kv) = split_sub_property(bytes, content) {
                    p.subs.push(SubData {
                        key: kv.key,
                        value: kv.value,
                        line: idx,
                    });
                    entry.subs.1 = p.subs.len();
                }
                LineKind::SubProperty
            }
        }
    } else {
        LineKind::Continuation
    };
    let piece = trim_space_tab(bytes, content).of(bytes);
    if let Value::Span(span) = entry.value {
        entry.value = Value::Joined(String::from_utf8_lossy(span.of(bytes)).into_owned());
    }
    if let Value::Joined(joined) = &mut entry.value {
        joined.push('\n');
        joined.push_str(&String::from_utf8_lossy(piece));
    }
    kind
}
