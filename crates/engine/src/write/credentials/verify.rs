//! The computed file, parsed again and checked before anyone may write it:
//! it parses without an issue, each section touched holds exactly what was
//! asked (or is gone), and every byte outside our sections is the file's
//! own but for the blank lines removals and appends may take or bring. Any
//! miss is [`WriteError::Internal`]: a bug withholds the bytes instead of
//! damaging the person's file.

use std::ops::Range;

use crate::ini::{Document, LineEnding};

use super::error::WriteError;
use super::render::{Keys, section_text};

/// What a touched section must be at the end.
pub(super) struct Final<'a> {
    pub section: &'a str,
    /// `None`: the section must be absent.
    pub keys: Option<Keys<'a>>,
    /// The line ending its lines were written with.
    pub eol: LineEnding,
}

/// What the result is checked against.
pub(super) struct Expected<'a> {
    pub finals: Vec<Final<'a>>,
    /// Ranges of the file as read that were taken over with consent.
    pub taken_ranges: &'a [Range<usize>],
    /// How many sections were appended, and removed.
    pub created: usize,
    pub removed: usize,
}

fn internal(check: &'static str, section: &str) -> WriteError {
    WriteError::Internal {
        check,
        section: section.to_owned(),
    }
}

pub(super) fn verify(
    original: &Document,
    result: &[u8],
    exp: &Expected<'_>,
) -> Result<(), WriteError> {
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
                let expected_text = section_text(f.section, *keys, f.eol);
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
    if !preserved(&before, &after, exp.removed, exp.created) {
        return Err(internal("bytes outside our sections changed", ""));
    }
    Ok(())
}

/// `after` is `before` with at most `max_deleted` blank lines left out, a
/// newline added to an unterminated last line, and at most `max_added` more
/// line endings at the end: what removing and appending sections may do
/// outside them. Deletions only: a greedy subsequence match is exact.
fn preserved(before: &[u8], after: &[u8], max_deleted: usize, max_added: usize) -> bool {
    let before: Vec<&[u8]> = before.split_inclusive(|b| *b == b'\n').collect();
    let after: Vec<&[u8]> = after.split_inclusive(|b| *b == b'\n').collect();
    let (mut j, mut deleted) = (0, 0);
    for line in &before {
        let next = after.get(j).copied();
        let terminated = next.is_some_and(|a| {
            !line.ends_with(b"\n")
                && a.strip_prefix(*line)
                    .is_some_and(|eol| eol == b"\n" || eol == b"\r\n")
        });
        if next == Some(*line) || terminated {
            j += 1;
        } else if is_blank(line) && deleted < max_deleted {
            deleted += 1;
        } else {
            return false;
        }
    }
    let added = after.get(j..).unwrap_or_default();
    added.len() <= max_added && added.iter().all(|a| *a == b"\n" || *a == b"\r\n")
}

/// Spaces and tabs only, then the line's ending.
fn is_blank(line: &[u8]) -> bool {
    let text = line
        .strip_suffix(b"\r\n")
        .or_else(|| line.strip_suffix(b"\n"))
        .unwrap_or(line);
    text.iter().all(|b| matches!(b, b' ' | b'\t'))
}

/// The bytes of `bytes` outside `ranges`, in order.
pub(super) fn outside(bytes: &[u8], mut ranges: Vec<Range<usize>>) -> Vec<u8> {
    ranges.sort_by_key(|r| r.start);
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    for r in ranges {
        if r.start > at {
            out.extend_from_slice(bytes.get(at..r.start).unwrap_or_default());
        }
        at = at.max(r.end);
    }
    out.extend_from_slice(bytes.get(at..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;
    use crate::Secret;

    fn with_dev(before: &[u8], keys: Keys<'_>, eol: LineEnding) -> Vec<u8> {
        [before, &section_text("dev", keys, eol)].concat()
    }

    #[test]
    fn bytes_that_break_a_rule_are_withheld() {
        let original = Document::parse(b"[a]\nx = 1\n");
        let (secret, token) = (Secret::new("s"), Secret::new("t"));
        let keys = Keys {
            access_key_id: "ASIA1",
            secret_access_key: &secret,
            session_token: &token,
            expires_at: datetime!(2026-11-22 10:00 UTC),
        };
        let expected = Expected {
            finals: vec![Final {
                section: "dev",
                keys: Some(keys),
                eol: LineEnding::Lf,
            }],
            taken_ranges: &[],
            created: 1,
            removed: 0,
        };
        let lf = LineEnding::Lf;
        let good = with_dev(b"[a]\nx = 1\n\n", keys, lf);
        assert_eq!(verify(&original, &good, &expected), Ok(()));
        let check = |bytes: &[u8]| match verify(&original, bytes, &expected) {
            Err(WriteError::Internal { check, .. }) => check,
            other => panic!("{other:?}"),
        };
        let changed = "bytes outside our sections changed";
        assert_eq!(check(&with_dev(b"[a]\nx = 2\n\n", keys, lf)), changed);
        assert_eq!(check(&with_dev(b"[a]\nx = 1\n\n\n", keys, lf)), changed);
        assert_eq!(
            check(&with_dev(b"# new\n[a]\nx = 1\n\n", keys, lf)),
            changed
        );
        let twice = with_dev(&[good.as_slice(), b"\n"].concat(), keys, lf);
        assert_eq!(check(&twice), "the result does not parse cleanly");
        assert_eq!(
            check(b"[a]\nx = 1\n"),
            "a section is not there exactly once"
        );
        let crlf = with_dev(b"[a]\nx = 1\n\n", keys, LineEnding::CrLf);
        assert_eq!(check(&crlf), "a section does not hold its text");
    }

    #[test]
    fn a_blank_line_may_go_only_with_a_removed_section() {
        let gapped = Document::parse(b"[a]\nx = 1\n\n\n[b]\n");
        let none = Expected {
            finals: Vec::new(),
            taken_ranges: &[],
            created: 0,
            removed: 0,
        };
        let one_fewer = b"[a]\nx = 1\n\n[b]\n";
        assert!(verify(&gapped, one_fewer, &none).is_err());
        let one_removed = Expected { removed: 1, ..none };
        assert_eq!(verify(&gapped, one_fewer, &one_removed), Ok(()));
        assert!(verify(&gapped, b"[a]\nx = 1\n[b]\n", &one_removed).is_err());
        assert!(verify(&gapped, b"[a]\ny = 1\n\n\n[b]\n", &one_removed).is_err());
    }

    #[test]
    fn an_unterminated_last_line_may_gain_its_newline() {
        assert!(preserved(b"[a]\nx = 1", b"[a]\nx = 1\n\n", 0, 1));
        assert!(preserved(b"[a]\r\nx = 1", b"[a]\r\nx = 1\r\n\r\n", 0, 1));
        assert!(!preserved(b"[a]\nx = 1", b"[a]\nx = 1 \n", 0, 1));
        assert!(!preserved(b"[a]\nx = 1\n", b"[a]\nx = 1\n\n\n", 0, 1));
    }
}
