//! The computed file, parsed again and checked before anyone may write it:
//! it parses without an issue, each section touched holds exactly what was
//! asked (or is gone), and every byte outside our sections is the file's
//! own. Any miss is [`WriteError::Internal`]: a bug withholds the bytes
//! instead of damaging the person's file.

use std::ops::Range;

use crate::ini::{Document, LineEnding};

use super::error::WriteError;
use super::render::{Keys, section_text};

/// What a touched section must be at the end.
pub(super) struct Final<'a> {
    pub section: &'a str,
    /// `None`: the section must be absent.
    pub keys: Option<Keys<'a>>,
}

/// What the result is checked against.
pub(super) struct Expected<'a> {
    pub finals: Vec<Final<'a>>,
    /// Ranges of the file as read that were taken over with consent.
    pub taken_ranges: &'a [Range<usize>],
    /// How many sections were appended.
    pub created: usize,
    pub eol: LineEnding,
}

fn internal(check: &'static str, section: &str) -> WriteError {
    WriteError::Internal {
        check,
        section: section.to_owned(),
    }
}

pub(super) fn verify(original: &Document, result: &[u8], exp: &Expected<'_>) -> Result<(), WriteError> {
    let doc = Document::parse(result);
    if doc.has_bom() || !doc.issues().is_empty() {
        return Err(internal("the result does not parse cleanly", ""));
    }
    for f in &exp.finals {
        let found: Vec<_> = doc.sections().filter(|s| s.name() == f.section).collect();
        match (&f.keys, found.as_slice()) {
            (None, []) => {}
            (None, _) => return Err(internal("a removed section is still there", f.section)),
            (Some(keys), [s]) => {
                let expected_text = section_text(f.section, *keys, exp.eol);
                if !s.managed() || result.get(s.range()) != Some(expected_text.as_slice()) {
                    return Err(internal("a section does not hold its text", f.section));
                }
                let read: Vec<_> = s
                    .entries()
                    .map(|e| (e.key().into_owned(), e.value().into_owned()))
                    .collect();
                let wanted: Vec<_> = keys
                    .pairs()
                    .into_iter()
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect();
                if read != wanted {
                    return Err(internal("a section does not read back its keys", f.section));
                }
            }
            (Some(_), _) => {
                return Err(internal("a section is not there exactly once", f.section));
            }
        }
    }
    let mut before_ranges: Vec<Range<usize>> = original
        .sections()
        .filter(|s| s.managed())
        .map(|s| s.range())
        .collect();
    before_ranges.extend(exp.taken_ranges.iter().cloned());
    let after_ranges: Vec<Range<usize>> = doc
        .sections()
        .filter(|s| s.managed())
        .map(|s| s.range())
        .collect();
    let before = outside(original.as_bytes(), before_ranges);
    let after = outside(result, after_ranges);
    let Some(added) = after.strip_prefix(before.as_slice()) else {
        return Err(internal("bytes outside our sections changed", ""));
    };
    if !only_line_endings(added, exp.created + usize::from(exp.created > 0)) {
        return Err(internal("bytes were added outside our sections", ""));
    }
    Ok(())
}

/// The bytes of `bytes` outside `ranges`, in order.
pub(super) fn outside(bytes: &[u8], mut ranges: Vec<Range<usize>>) -> Vec<u8> {
    ranges.sort_by_key(|r| r.start);
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for r in ranges {
        if r.start > at {
            out.extend_from_slice(&bytes[at..r.start]);
        }
        at = at.max(r.end);
    }
    out.extend_from_slice(&bytes[at.min(bytes.len())..]);
    out
}

/// `bytes` is at most `max` line endings (`\n` or `\r\n`) and nothing else.
fn only_line_endings(bytes: &[u8], max: usize) -> bool {
    let mut rest = bytes;
    let mut count = 0;
    while !rest.is_empty() {
        rest = match rest {
            [b'\n', tail @ ..] | [b'\r', b'\n', tail @ ..] => tail,
            _ => return false,
        };
        count += 1;
    }
    count <= max
}
