//! [`Document`]: a parsed file that still holds every byte it was made from.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use super::botocore::{self, Finding};
use super::issue::{Issue, IssueKind};
use super::line::{Line, split_lines};
use super::parse::{self, EntryData, Parsed, SectionData, SubData};
use super::section::Section;
use super::syntax::SyntaxError;
use super::text::Span;

const BOM: &[u8] = b"\xef\xbb\xbf";

/// The file's bytes: as a `String` when they are UTF-8 (slicing is then free),
/// as raw bytes otherwise.
enum Repr {
    Utf8(String),
    Bytes(Vec<u8>),
}

/// A shared config or credentials file, parsed without losing a byte.
///
/// [`Document::parse`] accepts any bytes and never fails: lines it cannot read
/// are kept, classified as invalid and reported in [`Document::issues`].
/// Positions are byte ranges into [`Document::as_bytes`], so a writer can
/// replace one section and leave every other byte as it was.
pub struct Document {
    repr: Repr,
    bom: bool,
    lines: Vec<Line>,
    parsed: Parsed,
    issues: Vec<Issue>,
}

impl Document {
    /// Parses `bytes`. Never fails, never panics.
    pub fn parse(bytes: &[u8]) -> Document {
        Document::from_vec(bytes.to_vec())
    }

    /// Parses `bytes`, keeping the buffer (no copy).
    pub fn from_vec(bytes: Vec<u8>) -> Document {
        let repr = match String::from_utf8(bytes) {
            Ok(text) => Repr::Utf8(text),
            Err(e) => Repr::Bytes(e.into_bytes()),
        };
        let raw = match &repr {
            Repr::Utf8(s) => s.as_bytes(),
            Repr::Bytes(b) => b,
        };
        let bom = raw.starts_with(BOM);
        let skip = if bom { BOM.len() } else { 0 };
        let mut lines = split_lines(raw, skip);
        let parsed = parse::classify(raw, &mut lines);
        let findings = botocore::check(raw, &lines);
        let bad_byte = match &repr {
            Repr::Utf8(_) => None,
            Repr::Bytes(b) => std::str::from_utf8(b).err().map(|e| e.valid_up_to()),
        };
        let issues = assemble_issues(raw, &lines, &parsed, &findings, bom, bad_byte);
        Document {
            repr,
            bom,
            lines,
            parsed,
            issues,
        }
    }

    /// Exactly the bytes that were parsed.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.repr {
            Repr::Utf8(s) => s.as_bytes(),
            Repr::Bytes(b) => b,
        }
    }

    /// The file as text, invalid UTF-8 shown as U+FFFD.
    pub fn text(&self) -> Cow<'_, str> {
        match &self.repr {
            Repr::Utf8(s) => Cow::Borrowed(s),
            Repr::Bytes(b) => String::from_utf8_lossy(b),
        }
    }

    /// The bytes are valid UTF-8.
    pub fn is_utf8(&self) -> bool {
        matches!(self.repr, Repr::Utf8(_))
    }

    /// The file starts with a UTF-8 byte-order mark (kept in line 1's range,
    /// left out of its content).
    pub fn has_bom(&self) -> bool {
        self.bom
    }

    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// The line with 1-based `number`.
    pub fn line(&self, number: u32) -> Option<&Line> {
        let idx = usize::try_from(number).ok()?.checked_sub(1)?;
        self.lines.get(idx)
    }

    /// The text of a line, without its ending.
    pub fn line_text(&self, line: &Line) -> Cow<'_, str> {
        self.slice(line.content)
    }

    /// The bytes before the first section header (comments, blank lines and
    /// any invalid lines there).
    pub fn preamble(&self) -> Range<usize> {
        let end = self
            .parsed
            .sections
            .first()
            .map_or(self.as_bytes().len(), |s| self.line_at(s.header).full.start);
        0..end
    }

    /// Every section, in file order, duplicates and broken headers included.
    pub fn sections(&self) -> impl ExactSizeIterator<Item = Section<'_>> + '_ {
        (0..self.parsed.sections.len()).map(move |i| Section::new(self, i))
    }

    /// Problems found, in line order.
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// botocore, and so the AWS CLI and boto3, refuses this whole file.
    pub fn rejects_file_for_botocore(&self) -> bool {
        self.issues.iter().any(Issue::rejects_file_for_botocore)
    }

    /// The first line the specification cannot parse: the error a
    /// specification parser stops at. A byte-order mark is not included here.
    pub fn first_syntax_error(&self) -> Option<(u32, SyntaxError)> {
        self.parsed
            .errors
            .first()
            .map(|(idx, e)| (self.line_at(*idx).number, *e))
    }

    /// The bytes of this document with `range` replaced by `replacement`:
    /// everything outside `range` is kept byte for byte. `None` when `range`
    /// is not inside the document.
    pub fn splice(&self, range: Range<usize>, replacement: &[u8]) -> Option<Vec<u8>> {
        let bytes = self.as_bytes();
        if range.start > range.end || range.end > bytes.len() {
            return None;
        }
        let mut out = Vec::with_capacity(bytes.len() - range.len() + replacement.len());
        out.extend_from_slice(bytes.get(..range.start)?);
        out.extend_from_slice(replacement);
        out.extend_from_slice(bytes.get(range.end..)?);
        Some(out)
    }

    pub(crate) fn slice(&self, span: Span) -> Cow<'_, str> {
        match &self.repr {
            Repr::Utf8(s) => Cow::Borrowed(s.get(span.range()).unwrap_or_default()),
            Repr::Bytes(b) => String::from_utf8_lossy(span.of(b)),
        }
    }

    // The arena lookups below take only indices this document's own parse
    // produced (a section's, entry's or line's position in its vectors),
    // never a number read from the file.
    #[allow(clippy::indexing_slicing, reason = "indices our own parse produced")]
    pub(crate) fn line_at(&self, idx: usize) -> &Line {
        &self.lines[idx]
    }

    #[allow(clippy::indexing_slicing, reason = "indices our own parse produced")]
    pub(crate) fn section_data(&self, i: usize) -> &SectionData {
        &self.parsed.sections[i]
    }

    #[allow(clippy::indexing_slicing, reason = "indices our own parse produced")]
    pub(crate) fn entry_data(&self, i: usize) -> &EntryData {
        &self.parsed.entries[i]
    }

    #[allow(clippy::indexing_slicing, reason = "indices our own parse produced")]
    pub(crate) fn sub_data(&self, i: usize) -> &SubData {
        &self.parsed.subs[i]
    }
}

/// Never prints the contents: a credentials file holds secret keys.
impl fmt::Debug for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Document")
            .field("bytes", &self.as_bytes().len())
            .field("lines", &self.lines.len())
            .field("sections", &self.parsed.sections.len())
            .field("issues", &self.issues)
            .finish()
    }
}

fn assemble_issues(
    bytes: &[u8],
    lines: &[Line],
    parsed: &Parsed,
    findings: &[Finding],
    bom: bool,
    bad_byte: Option<usize>,
) -> Vec<Issue> {
    let number = |idx: usize| lines.get(idx).map_or(1, |l| l.number);
    let text = |span: Span| String::from_utf8_lossy(span.of(bytes)).into_owned();
    let mut boto: Vec<_> = findings
        .iter()
        .filter_map(|f| match f {
            Finding::Line { line, error } => Some((*line, *error)),
            _ => None,
        })
        .collect();
    boto.sort_unstable();
    boto.dedup();
    let mut issues = Vec::new();
    if bom {
        issues.push(Issue::new(1, IssueKind::ByteOrderMark, true));
    }
    if let Some(pos) = bad_byte {
        let idx = lines.partition_point(|l| l.full.end <= pos);
        issues.push(Issue::new(number(idx), IssueKind::InvalidUtf8, true));
    }
    for (idx, error) in &parsed.errors {
        let fatal = boto.binary_search_by_key(idx, |(l, _)| *l).is_ok();
        issues.push(Issue::new(number(*idx), IssueKind::Syntax(*error), fatal));
    }
    for (idx, error) in &boto {
        let spec_error_there = parsed.errors.binary_search_by_key(idx, |(l, _)| *l).is_ok();
        if !spec_error_there {
            issues.push(Issue::new(number(*idx), IssueKind::Botocore(*error), true));
        }
    }
    for f in findings {
        match f {
            Finding::DuplicateSection { line, name, first } => {
                let kind = IssueKind::DuplicateSection {
                    name: text(*name),
                    first_line: number(*first),
                };
                issues.push(Issue::new(number(*line), kind, true));
            }
            Finding::DuplicateKey {
                line,
                section,
                key,
                first,
            } => {
                let kind = IssueKind::DuplicateKey {
                    section: text(*section),
                    key: text(*key),
                    first_line: number(*first),
                };
                issues.push(Issue::new(number(*line), kind, true));
            }
            Finding::Line { .. } => {}
        }
    }
    issues.sort_by_key(|i| i.line);
    issues
}
