//! Byte-level text helpers shared by the two readings of a file.
//!
//! The parser works on raw bytes so that every position it reports is a
//! position in the file as stored, whatever its encoding. Characters are
//! decoded only where a rule depends on them (Unicode whitespace), and an
//! invalid byte sequence then counts as one U+FFFD, exactly as
//! [`String::from_utf8_lossy`] would show it.

/// A byte range in the document. `Copy`, unlike `Range<usize>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub fn empty_at(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub fn is_empty(self) -> bool {
        self.start >= self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// The bytes of `self` in `bytes` (empty when out of bounds).
    pub fn of(self, bytes: &[u8]) -> &[u8] {
        bytes.get(self.start..self.end).unwrap_or_default()
    }
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// `word` holds the byte `needle` (the classic "has zero byte" test).
fn word_has(word: u64, needle: u8) -> bool {
    let x = word ^ (LO * u64::from(needle));
    x.wrapping_sub(LO) & !x & HI != 0
}

/// The position of the first byte of `hay` that is one of `needles`,
/// looking at eight bytes at a time.
pub(crate) fn find_any<const N: usize>(hay: &[u8], needles: [u8; N]) -> Option<usize> {
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        if needles.iter().any(|n| word_has(word, *n)) {
            return chunk
                .iter()
                .position(|b| needles.contains(b))
                .map(|i| base + i);
        }
        base += 8;
    }
    let rest = chunks.remainder();
    rest.iter()
        .position(|b| needles.contains(b))
        .map(|i| base + i)
}

/// The two characters the cross-SDK specification calls whitespace.
pub(crate) fn is_space_tab(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `#` and `;`, the comment characters of both readers.
pub(crate) fn is_comment_char(b: u8) -> bool {
    b == b'#' || b == b';'
}

/// `span` without leading and trailing spaces and tabs.
pub(crate) fn trim_space_tab(bytes: &[u8], span: Span) -> Span {
    let s = span.of(bytes);
    let lead = s.iter().take_while(|b| is_space_tab(**b)).count();
    let trail = s
        .get(lead..)
        .unwrap_or_default()
        .iter()
        .rev()
        .take_while(|b| is_space_tab(**b))
        .count();
    Span::new(span.start + lead, span.end - trail)
}

/// The characters of `bytes` with their byte offsets, invalid sequences shown
/// as one U+FFFD each (the way [`String::from_utf8_lossy`] shows them).
pub(crate) fn chars_lossy(bytes: &[u8]) -> impl Iterator<Item = (usize, char, usize)> + '_ {
    let mut offset = 0;
    bytes.utf8_chunks().flat_map(move |chunk| {
        let base = offset;
        let valid = chunk.valid();
        let invalid = chunk.invalid();
        offset += valid.len() + invalid.len();
        let valid_chars = valid
            .char_indices()
            .map(move |(i, c)| (base + i, c, base + i + c.len_utf8()));
        let bad_start = base + valid.len();
        let bad = (!invalid.is_empty()).then_some((
            bad_start,
            char::REPLACEMENT_CHARACTER,
            bad_start + invalid.len(),
        ));
        valid_chars.chain(bad)
    })
}

/// Python's `str.isspace()`: Unicode `White_Space` plus the four separators
/// U+001C..U+001F, which Python also counts.
pub(crate) fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python whitespace among ASCII bytes.
fn is_python_space_ascii(b: u8) -> bool {
    matches!(b, b'\t'..=b'\r' | b'\x1c'..=b'\x1f' | b' ')
}

/// Python's `str.strip()` on `span`, returning the stripped span and the
/// number of characters stripped from the front (the line's indentation as
/// configparser measures it).
pub(crate) fn python_strip(bytes: &[u8], span: Span) -> (Span, usize) {
    let s = span.of(bytes);
    let lead = s.iter().take_while(|b| is_python_space_ascii(**b)).count();
    let trail = s
        .get(lead..)
        .unwrap_or_default()
        .iter()
        .rev()
        .take_while(|b| is_python_space_ascii(**b))
        .count();
    let inner = s.get(lead..s.len() - trail).unwrap_or_default();
    // Only a non-ASCII character at either end can be Unicode whitespace.
    if inner.first().is_none_or(u8::is_ascii) && inner.last().is_none_or(u8::is_ascii) {
        let start = span.start + lead;
        return (Span::new(start, start + inner.len()), lead);
    }
    python_strip_unicode(bytes, span)
}

fn python_strip_unicode(bytes: &[u8], span: Span) -> (Span, usize) {
    let mut first = None;
    let mut last_end = span.start;
    let mut indent = 0;
    for (start, c, end) in chars_lossy(span.of(bytes)) {
        if is_python_space(c) {
            if first.is_none() {
                indent += 1;
            }
            continue;
        }
        if first.is_none() {
            first = Some(span.start + start);
        }
        last_end = span.start + end;
    }
    match first {
        Some(start) => (Span::new(start, last_end), indent),
        None => (Span::empty_at(span.end), indent),
    }
}

/// `span` without trailing Python whitespace (`str.rstrip()`).
pub(crate) fn python_rstrip(bytes: &[u8], span: Span) -> Span {
    let s = span.of(bytes);
    let trail = s
        .iter()
        .rev()
        .take_while(|b| is_python_space_ascii(**b))
        .count();
    let end = span.end - trail;
    let kept = s.get(..s.len() - trail).unwrap_or_default();
    if kept.last().is_none_or(u8::is_ascii) {
        return Span::new(span.start, end);
    }
    let mut end = span.start;
    for (_, c, char_end) in chars_lossy(s) {
        if !is_python_space(c) {
            end = span.start + char_end;
        }
    }
    Span::new(span.start, end)
}

/// The character that ends at `at` in `bytes` (as [`chars_lossy`] shows it).
pub(crate) fn char_before(bytes: &[u8], at: usize) -> Option<char> {
    let before = bytes.get(..at)?;
    match before.last() {
        None => None,
        Some(b) if b.is_ascii() => Some(char::from(*b)),
        Some(_) => chars_lossy(before).last().map(|(_, c, _)| c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lossy_chars_match_from_utf8_lossy() {
        let bytes = b"a\xff\xfeb\xe2\x82\xac\xe2\x82";
        let shown: String = chars_lossy(bytes).map(|(_, c, _)| c).collect();
        assert_eq!(shown, String::from_utf8_lossy(bytes));
        let offsets: Vec<_> = chars_lossy(bytes).map(|(s, _, e)| (s, e)).collect();
        assert_eq!(
            offsets,
            vec![(0, 1), (1, 2), (2, 3), (3, 4), (4, 7), (7, 9)]
        );
    }

    #[test]
    fn python_strip_counts_unicode_indent() {
        let line = "\u{a0} \u{1f}key = v \u{3000}".as_bytes();
        let (span, indent) = python_strip(line, Span::new(0, line.len()));
        assert_eq!(span.of(line), b"key = v");
        assert_eq!(indent, 3);
        let blank = "\u{2028} \t".as_bytes();
        assert!(python_strip(blank, Span::new(0, blank.len())).0.is_empty());
    }

    #[test]
    fn fast_and_unicode_paths_agree() {
        for line in [
            "  a b  ",
            "\u{a0}x\u{85}",
            "\x1f \u{e9}t\u{e9} \u{3000}",
            "a\u{2028}",
            "",
            " \t ",
        ] {
            let b = line.as_bytes();
            let all = Span::new(0, b.len());
            assert_eq!(
                python_strip(b, all),
                python_strip_unicode(b, all),
                "{line:?}"
            );
        }
        assert_eq!(char_before("x\u{a0}#".as_bytes(), 3), Some('\u{a0}'));
        assert_eq!(char_before(b"x\xa0#", 2), Some(char::REPLACEMENT_CHARACTER));
        assert_eq!(char_before(b"#", 0), None);
    }

    #[test]
    fn find_any_agrees_with_position() {
        let hay = b"0123456789abcdef#ghij=klmnop;qrstuvwxyz\n";
        for start in 0..hay.len() {
            let h = &hay[start..];
            let want = h.iter().position(|b| b"=#;".contains(b));
            assert_eq!(find_any(h, [b'=', b'#', b';']), want, "from {start}");
        }
        assert_eq!(find_any(b"\x80\xff\x7f\x01abcdefgh", [b'\x01']), Some(3));
        assert_eq!(find_any(b"", [b'a']), None);
    }

    #[test]
    fn trims_only_space_and_tab() {
        let s = b" \t\x0bx\r \t";
        assert_eq!(trim_space_tab(s, Span::new(0, s.len())).of(s), b"\x0bx\r");
    }
}
