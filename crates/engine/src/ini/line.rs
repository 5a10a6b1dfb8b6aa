//! One physical line of a document: its number, its bytes and what it is.

use std::ops::Range;

use super::syntax::SyntaxError;
use super::text::{Span, find_any};

/// How a line ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineEnding {
    /// `\n`.
    Lf,
    /// `\r\n`.
    CrLf,
    /// The last line of a file that does not end with a newline.
    None,
}

impl LineEnding {
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Lf => b"\n",
            LineEnding::CrLf => b"\r\n",
            LineEnding::None => b"",
        }
    }
}

/// What a line is, as the cross-SDK specification reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineKind {
    /// Empty or only spaces and tabs.
    Blank,
    /// Starts with `#` or `;` in the first column.
    Comment,
    /// `[...]`, a section header (one without its `]` is [`LineKind::Invalid`]).
    Header,
    /// `key = value` in the first column.
    Property,
    /// An indented line that continues the value above it.
    Continuation,
    /// An indented `key = value` in the block under `key =`.
    SubProperty,
    /// A line the specification cannot parse; the product skips it.
    Invalid(SyntaxError),
}

/// One line: 1-based number, byte range including its ending, kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub(crate) number: u32,
    /// From the first byte of the line through its ending.
    pub(crate) full: Span,
    /// The line without its ending (and, on line 1, without a byte-order mark).
    pub(crate) content: Span,
    pub(crate) ending: LineEnding,
    pub(crate) kind: LineKind,
    /// The content holds a `\r` not followed by `\n`: a line break to Python.
    pub(crate) lone_cr: bool,
}

impl Line {
    /// 1-based line number.
    pub fn number(&self) -> u32 {
        self.number
    }

    /// Byte range of the whole line, its ending included.
    pub fn range(&self) -> Range<usize> {
        self.full.range()
    }

    /// Byte range of the line's text: no ending, no byte-order mark.
    pub fn content_range(&self) -> Range<usize> {
        self.content.range()
    }

    pub fn ending(&self) -> LineEnding {
        self.ending
    }

    pub fn kind(&self) -> LineKind {
        self.kind
    }
}

/// Splits `bytes` into lines at `\n` (a `\r` right before it belongs to the
/// ending). A final line without a newline is a line; an empty file has none.
/// The first `skip` bytes (a byte-order mark) belong to line 1 but not to its
/// content.
pub(crate) fn split_lines(bytes: &[u8], skip: usize) -> Vec<Line> {
    // AWS files average 20 to 40 bytes a line.
    let mut lines = Vec::with_capacity(bytes.len() / 24 + 1);
    let mut start = 0;
    while start < bytes.len() {
        let mut lone_cr = false;
        let mut at = start;
        let (content_end, full_end, ending) = loop {
            let rest = bytes.get(at..).unwrap_or_default();
            match find_any(rest, [b'\n', b'\r']).map(|i| at + i) {
                None => break (bytes.len(), bytes.len(), LineEnding::None),
                Some(nl) if bytes.get(nl) == Some(&b'\n') => break (nl, nl + 1, LineEnding::Lf),
                Some(cr) if bytes.get(cr + 1) == Some(&b'\n') => {
                    break (cr, cr + 2, LineEnding::CrLf);
                }
                Some(cr) => {
                    lone_cr = true;
                    at = cr + 1;
                }
            }
        };
        let content_start = if start == 0 {
            skip.min(content_end)
        } else {
            start
        };
        lines.push(Line {
            number: u32::try_from(lines.len() + 1).unwrap_or(u32::MAX),
            full: Span::new(start, full_end),
            content: Span::new(content_start, content_end),
            ending,
            kind: LineKind::Blank,
            lone_cr,
        });
        start = full_end;
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_tile_the_input_with_their_endings() {
        let text = b"a\r\nb\n\nc\r";
        let lines = split_lines(text, 0);
        let parts: Vec<_> = lines
            .iter()
            .map(|l| {
                (
                    l.number,
                    &text[l.range()],
                    &text[l.content_range()],
                    l.ending,
                )
            })
            .collect();
        assert_eq!(
            parts,
            vec![
                (1, &b"a\r\n"[..], &b"a"[..], LineEnding::CrLf),
                (2, b"b\n", b"b", LineEnding::Lf),
                (3, b"\n", b"", LineEnding::Lf),
                (4, b"c\r", b"c\r", LineEnding::None),
            ]
        );
        assert!(split_lines(b"", 0).is_empty());
    }

    #[test]
    fn a_byte_order_mark_is_in_line_one_but_not_its_content() {
        let text = b"\xef\xbb\xbf[default]\n";
        let lines = split_lines(text, 3);
        assert_eq!(lines[0].range(), 0..13);
        assert_eq!(&text[lines[0].content_range()], b"[default]");
    }
}
