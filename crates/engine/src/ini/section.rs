//! Views into a [`Document`]: a [`Section`], its [`Entry`]s and their
//! [`SubProperty`]s. They borrow the document; text is sliced from it without
//! copying when the file is UTF-8.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use super::document::Document;
use super::line::Line;
use super::parse::Value;
use super::syntax::SyntaxError;
use super::text::Span;

/// A `[name]` header and the lines under it.
#[derive(Clone, Copy)]
pub struct Section<'a> {
    doc: &'a Document,
    index: usize,
}

impl<'a> Section<'a> {
    pub(crate) fn new(doc: &'a Document, index: usize) -> Self {
        Section { doc, index }
    }

    /// Position among the document's sections (0-based).
    pub fn index(&self) -> usize {
        self.index
    }

    /// Line number of the header.
    pub fn header_line(&self) -> u32 {
        self.doc.line_at(self.data().header).number
    }

    /// The text inside the brackets, trimmed, without a comment after `]`
    /// (`profile dev` for `[profile dev] # team`). For a header without its
    /// `]`, the text after `[`.
    pub fn name(&self) -> Cow<'a, str> {
        self.doc.slice(self.data().name)
    }

    /// Why the header cannot be parsed; such a section is never read.
    pub fn header_error(&self) -> Option<SyntaxError> {
        self.data().error
    }

    /// The line right under the header is `# managed by leasekeeper`.
    pub fn managed(&self) -> bool {
        self.data().managed
    }

    /// From the header through the last line that belongs to the section,
    /// line ending included. Blank lines and comments between it and the next
    /// header are left out: they usually introduce what follows. The marker
    /// line of a managed section is always in.
    pub fn range(&self) -> Range<usize> {
        let d = self.data();
        self.doc.line_at(d.header).full.start..self.doc.line_at(d.last_line).full.end
    }

    /// From the header up to the next header (or the end of the file). The
    /// preamble and every section's extent tile the file.
    pub fn extent(&self) -> Range<usize> {
        let d = self.data();
        let start = self.doc.line_at(d.header).full.start;
        let end = d
            .end_line
            .checked_sub(1)
            .map_or(start, |last| self.doc.line_at(last).full.end);
        start..end
    }

    /// The lines of [`Section::extent`].
    pub fn lines(&self) -> &'a [Line] {
        let d = self.data();
        self.doc
            .lines()
            .get(d.header..d.end_line)
            .unwrap_or_default()
    }

    /// The properties, in file order (duplicates included).
    pub fn entries(&self) -> impl ExactSizeIterator<Item = Entry<'a>> + 'a {
        let doc = self.doc;
        let (start, end) = self.data().entries;
        (start..end).map(move |index| Entry { doc, index })
    }

    /// The last entry whose key equals `key` in ASCII letter case.
    pub fn get(&self, key: &str) -> Option<Entry<'a>> {
        self.entries()
            .filter(|e| e.key().eq_ignore_ascii_case(key))
            .last()
    }

    fn data(&self) -> &'a super::parse::SectionData {
        self.doc.section_data(self.index)
    }
}

impl fmt::Debug for Section<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Section")
            .field("name", &self.name())
            .field("header_line", &self.header_line())
            .field("range", &self.range())
            .field("managed", &self.managed())
            .finish()
    }
}

/// One `key = value` of a section, with its continuation lines.
#[derive(Clone, Copy)]
pub struct Entry<'a> {
    doc: &'a Document,
    index: usize,
}

impl<'a> Entry<'a> {
    /// The key as written (trimmed, letter case kept).
    pub fn key(&self) -> Cow<'a, str> {
        self.doc.slice(self.data().key)
    }

    /// The value as the specification defines it: trimmed, a comment after
    /// whitespace removed, continuation lines trimmed and joined with `\n`.
    pub fn value(&self) -> Cow<'a, str> {
        match &self.data().value {
            Value::Span(span) => self.doc.slice(*span),
            Value::Joined(s) => Cow::Borrowed(s),
        }
    }

    /// Line number of the `key = value` line.
    pub fn line(&self) -> u32 {
        self.doc.line_at(self.data().line).number
    }

    /// From the key's line through its last continuation line, ending included.
    pub fn range(&self) -> Range<usize> {
        let d = self.data();
        self.doc.line_at(d.line).full.start..self.doc.line_at(d.last_line).full.end
    }

    /// Written as `key =` with indented `name = value` lines under it.
    pub fn is_block(&self) -> bool {
        self.data().block
    }

    /// The indented `name = value` lines of a block, in file order.
    pub fn sub_properties(&self) -> impl ExactSizeIterator<Item = SubProperty<'a>> + 'a {
        let doc = self.doc;
        let (start, end) = self.data().subs;
        (start..end).map(move |index| SubProperty { doc, index })
    }

    fn data(&self) -> &'a super::parse::EntryData {
        self.doc.entry_data(self.index)
    }
}

/// Shows the key and line only: values may be secrets.
impl fmt::Debug for Entry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("key", &self.key())
            .field("line", &self.line())
            .finish_non_exhaustive()
    }
}

/// One `name = value` line inside a block.
#[derive(Clone, Copy)]
pub struct SubProperty<'a> {
    doc: &'a Document,
    index: usize,
}

impl<'a> SubProperty<'a> {
    /// The name as written, trimmed.
    pub fn key(&self) -> Cow<'a, str> {
        self.doc.slice(self.span().0)
    }

    /// Everything after the first `=`, trimmed (a `#` stays part of it, as
    /// botocore reads it).
    pub fn value(&self) -> Cow<'a, str> {
        self.doc.slice(self.span().1)
    }

    pub fn line(&self) -> u32 {
        self.doc.line_at(self.doc.sub_data(self.index).line).number
    }

    fn span(&self) -> (Span, Span) {
        let d = self.doc.sub_data(self.index);
        (d.key, d.value)
    }
}

impl fmt::Debug for SubProperty<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubProperty")
            .field("key", &self.key())
            .field("line", &self.line())
            .finish_non_exhaustive()
    }
}
