//! What botocore (the Python SDK, and so the AWS CLI v1 and v2) thinks of a
//! file: a faithful re-reading of CPython's `configparser.RawConfigParser._read`
//! (strict mode, the default) followed by botocore's `_parse_nested`.
//!
//! botocore's `configloader.raw_config_parse` hands the file to
//! `RawConfigParser` and turns every exception into `ConfigParseError`, which
//! fails every profile of that file. So each finding here is fatal for
//! botocore. Where CPython stops at its first exception this reading goes on,
//! so a person sees every line to fix at once. The rules, each checked against
//! the real botocore in the cross-check test:
//! - lines break at `\n`, `\r\n` and a lone `\r` (Python's universal newlines);
//!   a line is stripped of Python whitespace (Unicode, plus U+001C..U+001F);
//! - a stripped line starting with `#` or `;` is a comment, also when indented;
//! - a line indented deeper than the option line above continues its value;
//! - `[name]` is a header: the name is everything up to the LAST `]`, untrimmed;
//!   text after that `]` is ignored; `[]` is no header;
//! - a header whose exact name was seen before is a `DuplicateSectionError`
//!   (`[DEFAULT]`, configparser's defaults, may repeat);
//! - an option is split at its first `=` or `:`; a line with neither, or with
//!   an empty key, is a `ParsingError`; a key seen before in the same section
//!   in any letter case (Python `str.lower`) is a `DuplicateOptionError`;
//! - an option line before any header is a `MissingSectionHeaderError`;
//! - a value that starts with a newline (`key =` followed by indented lines) is
//!   split at Python's line boundaries and each non-empty line must hold `=`.
//!
//! Two more refusals are the document's to report, as they concern the bytes
//! rather than a line: Python decodes the file as UTF-8 (the locale's
//! encoding, UTF-8 in practice and under the C locale), so invalid bytes fail
//! it, and it keeps a byte-order mark as a character before the first header,
//! which fails as a missing header. This reading starts after the mark.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::line::Line;
use super::text::{Span, chars_lossy, find_any, python_rstrip, python_strip};

/// A line configparser or botocore cannot read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BotocoreError {
    /// An option line before the first section header.
    MissingSectionHeader,
    /// Neither `=` nor `:` on a line that is no header.
    NoDelimiter,
    /// `= value` or `: value`.
    EmptyKey,
    /// An indented line under `key =` without `=`.
    NestedWithoutEquals,
}

/// One thing botocore refuses, with line indices into the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Finding {
    Line {
        line: usize,
        error: BotocoreError,
    },
    DuplicateSection {
        line: usize,
        name: Span,
        first: usize,
    },
    DuplicateKey {
        line: usize,
        section: Span,
        key: Span,
        first: usize,
    },
}

/// One option as configparser stored it.
struct KeyRec {
    section: usize,
    key: Span,
    line: usize,
}

const DEFAULT_SECTION: &[u8] = b"DEFAULT";

/// Reads the document's `lines` the way botocore does.
pub(crate) fn check(bytes: &[u8], lines: &[Line]) -> Vec<Finding> {
    let mut r = Reader {
        bytes,
        line_idx: 0,
        findings: Vec::new(),
        sections: HashMap::default(),
        keys: Vec::new(),
        section_first_key: vec![0],
        default_nested: Vec::new(),
        cur: None,
        sect_name: Span::default(),
        indent_level: 0,
    };
    for (idx, line) in lines.iter().enumerate() {
        r.line_idx = idx;
        if !line.lone_cr {
            r.read(line.content);
            continue;
        }
        // Python also breaks lines at a lone `\r`. (An empty piece after a
        // final `\r` reads as a blank line, which changes nothing.)
        let mut at = line.content.start;
        for piece in line.content.of(bytes).split(|b| *b == b'\r') {
            r.read(Span::new(at, at + piece.len()));
            at += piece.len() + 1;
        }
    }
    r.check_default_nested();
    r.findings
}

/// Section names hashed with FNV-1a: short keys, no untrusted peer.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    /// Index of the document line being read.
    line_idx: usize,
    findings: Vec<Finding>,
    /// Exact header name -> line index of its first occurrence.
    sections: FastMap<&'a [u8], usize>,
    /// Every option, in order; `section` indexes `section_first_key`.
    keys: Vec<KeyRec>,
    /// For each section occurrence (0 is DEFAULT): its first index in `keys`.
    section_first_key: Vec<usize>,
    /// DEFAULT options whose nested value botocore cannot split: (key, line).
    default_nested: Vec<(Span, usize)>,
    /// configparser's state: the option lines may continue, the current
    /// section's name, the indentation of the last option or header line.
    cur: Option<Current>,
    sect_name: Span,
    indent_level: usize,
}

/// The option whose value the following lines may continue.
#[derive(Clone, Copy)]
struct Current {
    /// Section occurrence index (0 is DEFAULT).
    section: usize,
    /// The option, when its key is not empty (configparser's `optname`).
    option: Option<Span>,
    /// Its value started empty: continuation lines form a nested block.
    nested: bool,
}

impl<'a> Reader<'a> {
    /// One Python line (`content`, without its line break).
    fn read(&mut self, content: Span) {
        let (value, indent) = python_strip(self.bytes, content);
        let text = value.of(self.bytes);
        let Some(&first) = text.first() else {
            // A blank line joins a value as an empty part: nothing to check.
            return;
        };
        if first == b'#' || first == b';' {
            return;
        }
        if let Some(c) = self
            .cur
            .filter(|c| c.option.is_some() && indent > self.indent_level)
        {
            if c.nested {
                self.check_nested(c, value);
            }
            return;
        }
        self.indent_level = indent;
        if let Some(name) = header_name(self.bytes, value) {
            self.sect_name = name;
            self.cur = Some(Current {
                section: self.open_section(name),
                option: None,
                nested: false,
            });
            return;
        }
        let Some(c) = self.cur else {
            self.line_error(BotocoreError::MissingSectionHeader);
            return;
        };
        let Some(eq) = find_any(text, [b'=', b':']) else {
            self.line_error(BotocoreError::NoDelimiter);
            return;
        };
        let key = python_rstrip(self.bytes, Span::new(value.start, value.start + eq));
        if key.is_empty() {
            self.line_error(BotocoreError::EmptyKey);
        }
        self.add_key(c.section, key);
        let rest = python_strip(self.bytes, Span::new(value.start + eq + 1, value.end)).0;
        self.cur = Some(Current {
            section: c.section,
            option: (!key.is_empty()).then_some(key),
            nested: rest.is_empty(),
        });
    }

    fn line_error(&mut self, error: BotocoreError) {
        self.findings.push(Finding::Line {
            line: self.line_idx,
            error,
        });
    }

    /// Starts a section occurrence and returns its index.
    fn open_section(&mut self, name: Span) -> usize {
        let name_bytes = name.of(self.bytes);
        if name_bytes == DEFAULT_SECTION {
            return 0;
        }
        match self.sections.get(name_bytes) {
            Some(first) => self.findings.push(Finding::DuplicateSection {
                line: self.line_idx,
                name,
                first: *first,
            }),
            None => {
                self.sections.insert(name_bytes, self.line_idx);
            }
        }
        self.section_first_key.push(self.keys.len());
        self.section_first_key.len() - 1
    }

    fn add_key(&mut self, section: usize, key: Span) {
        // A regular section's options are contiguous from its start; DEFAULT's
        // may be spread over the file, as `[DEFAULT]` may repeat.
        let from = if section == 0 {
            0
        } else {
            self.section_first_key.get(section).copied().unwrap_or(0)
        };
        let earlier = self
            .keys
            .get(from..)
            .unwrap_or_default()
            .iter()
            .filter(|k| k.section == section)
            .find(|k| same_key(k.key.of(self.bytes), key.of(self.bytes)));
        if let Some(k) = earlier {
            self.findings.push(Finding::DuplicateKey {
                line: self.line_idx,
                section: self.sect_name,
                key,
                first: k.line,
            });
        }
        self.keys.push(KeyRec {
            section,
            key,
            line: self.line_idx,
        });
    }

    /// A continuation of `key =`: every Python line in it must hold `=`.
    fn check_nested(&mut self, c: Current, value: Span) {
        if nested_ok(self.bytes, value) {
            return;
        }
        match (c.section, c.option) {
            (0, Some(key)) => self.default_nested.push((key, self.line_idx)),
            _ => self.line_error(BotocoreError::NestedWithoutEquals),
        }
    }

    /// A DEFAULT option is read through every section that lacks its own
    /// option of that name; with no such section botocore never splits it.
    fn check_default_nested(&mut self) {
        for (key, line) in std::mem::take(&mut self.default_nested) {
            let read_somewhere = (1..self.section_first_key.len()).any(|s| {
                !self
                    .keys
                    .iter()
                    .any(|k| k.section == s && same_key(k.key.of(self.bytes), key.of(self.bytes)))
            });
            if read_somewhere {
                self.findings.push(Finding::Line {
                    line,
                    error: BotocoreError::NestedWithoutEquals,
                });
            }
        }
    }
}

/// configparser's section pattern `\[(?P<header>.+)\]` matched at the start of
/// a stripped line: the name runs to the last `]`.
fn header_name(bytes: &[u8], value: Span) -> Option<Span> {
    let text = value.of(bytes);
    if text.first() != Some(&b'[') {
        return None;
    }
    let close = text.iter().rposition(|b| *b == b']')?;
    (close >= 2).then(|| Span::new(value.start + 1, value.start + close))
}

/// Python's `str.splitlines()` boundaries left inside one line of a file.
fn is_python_break(c: char) -> bool {
    matches!(
        c,
        '\u{0b}' | '\u{0c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// botocore's `_parse_nested` on one part of a value: every piece between
/// Python line breaks, stripped, is empty or holds `=`.
fn nested_ok(bytes: &[u8], span: Span) -> bool {
    let text = span.of(bytes);
    let piece_ok = |start: usize, end: usize| {
        let piece = python_strip(bytes, Span::new(span.start + start, span.start + end)).0;
        piece.is_empty() || piece.of(bytes).contains(&b'=')
    };
    let mut from = 0;
    if text.is_ascii() {
        for (i, b) in text.iter().enumerate() {
            if is_python_break(char::from(*b)) {
                if !piece_ok(from, i) {
                    return false;
                }
                from = i + 1;
            }
        }
    } else {
        for (start, c, end) in chars_lossy(text) {
            if is_python_break(c) {
                if !piece_ok(from, start) {
                    return false;
                }
                from = end;
            }
        }
    }
    piece_ok(from, text.len())
}

/// Python `a.lower() == b.lower()`.
fn same_key(a: &[u8], b: &[u8]) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    String::from_utf8_lossy(a).to_lowercase() == String::from_utf8_lossy(b).to_lowercase()
}
