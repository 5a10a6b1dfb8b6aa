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

use std::collections::HashMap;

use super::line::Line;
use super::text::{Span, chars_lossy, python_rstrip, python_strip};

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

/// Reads `bytes` from `start` (after a byte-order mark) the way botocore does.
pub(crate) fn check(bytes: &[u8], start: usize, lines: &[Line]) -> Vec<Finding> {
    let mut r = Reader {
        bytes,
        lines,
        line_idx: 0,
        findings: Vec::new(),
        sections: HashMap::new(),
        keys: Vec::new(),
        section_first_key: Vec::new(),
        default_nested: Vec::new(),
    };
    r.run(start);
    r.findings
}

struct Reader<'a> {
    bytes: &'a [u8],
    lines: &'a [Line],
    /// Index of the document line holding the current Python line.
    line_idx: usize,
    findings: Vec<Finding>,
    /// Exact header name -> line index of its first occurrence.
    sections: HashMap<&'a [u8], usize>,
    /// Every option, in order; `section` indexes `section_first_key`.
    keys: Vec<KeyRec>,
    /// For each section occurrence (0 is DEFAULT): its first index in `keys`.
    section_first_key: Vec<usize>,
    /// DEFAULT options whose nested value botocore cannot split: (key, line).
    default_nested: Vec<(Span, usize)>,
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
    fn run(&mut self, start: usize) {
        self.section_first_key.push(0);
        let mut cur: Option<Current> = None;
        let mut sect_name = Span::default();
        let mut indent_level = 0usize;
        let mut pos = start;
        while pos < self.bytes.len() {
            let (content, next) = python_line(self.bytes, pos);
            self.seek_line(pos);
            pos = next;
            let (value, indent) = python_strip(self.bytes, content);
            let text = value.of(self.bytes);
            if text.first().is_some_and(|b| *b == b'#' || *b == b';') || value.is_empty() {
                // Comments are skipped; blank lines join a value as empty parts,
                // which change nothing botocore checks.
                continue;
            }
            if let Some(c) = cur.filter(|c| c.option.is_some() && indent > indent_level) {
                if c.nested {
                    self.check_nested(c, value);
                }
                continue;
            }
            indent_level = indent;
            if let Some(name) = header_name(self.bytes, value) {
                sect_name = name;
                cur = Some(Current {
                    section: self.open_section(name),
                    option: None,
                    nested: false,
                });
                continue;
            }
            let Some(c) = cur else {
                self.line_error(BotocoreError::MissingSectionHeader);
                continue;
            };
            let Some(eq) = text.iter().position(|b| *b == b'=' || *b == b':') else {
                self.line_error(BotocoreError::NoDelimiter);
                continue;
            };
            let key = python_rstrip(self.bytes, Span::new(value.start, value.start + eq));
            if key.is_empty() {
                self.line_error(BotocoreError::EmptyKey);
            }
            self.add_key(c.section, sect_name, key);
            let rest = python_strip(self.bytes, Span::new(value.start + eq + 1, value.end)).0;
            cur = Some(Current {
                section: c.section,
                option: (!key.is_empty()).then_some(key),
                nested: rest.is_empty(),
            });
        }
        self.check_default_nested();
    }

    /// Moves `line_idx` to the document line holding byte `pos`.
    fn seek_line(&mut self, pos: usize) {
        while self.line_idx + 1 < self.lines.len() && self.lines[self.line_idx].full.end <= pos {
            self.line_idx += 1;
        }
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

    fn add_key(&mut self, section: usize, section_name: Span, key: Span) {
        // A regular section's options are contiguous from its start; DEFAULT's
        // may be spread over the file, as `[DEFAULT]` may repeat.
        let from = if section == 0 {
            0
        } else {
            self.section_first_key[section]
        };
        let earlier = self.keys[from..]
            .iter()
            .filter(|k| k.section == section)
            .find(|k| same_key(k.key.of(self.bytes), key.of(self.bytes)));
        if let Some(k) = earlier {
            self.findings.push(Finding::DuplicateKey {
                line: self.line_idx,
                section: section_name,
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
        let bad = python_splitlines(self.bytes, value)
            .any(|piece| !piece.is_empty() && !piece.of(self.bytes).contains(&b'='));
        if !bad {
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

/// The Python line starting at `pos`: its text and where the next one starts.
fn python_line(bytes: &[u8], pos: usize) -> (Span, usize) {
    match bytes[pos..].iter().position(|b| *b == b'\n' || *b == b'\r') {
        None => (Span::new(pos, bytes.len()), bytes.len()),
        Some(i) => {
            let end = pos + i;
            let next = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                end + 2
            } else {
                end + 1
            };
            (Span::new(pos, end), next)
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

/// Python's `str.splitlines()` pieces of `span`, each stripped.
fn python_splitlines(bytes: &[u8], span: Span) -> impl Iterator<Item = Span> + '_ {
    let mut cuts = vec![span.start];
    for (start, c, end) in chars_lossy(span.of(bytes)) {
        if matches!(
            c,
            '\u{0b}'
                | '\u{0c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        ) {
            cuts.push(span.start + start);
            cuts.push(span.start + end);
        }
    }
    cuts.push(span.end);
    (0..cuts.len() / 2).map(move |i| python_strip(bytes, Span::new(cuts[2 * i], cuts[2 * i + 1])).0)
}

/// Python `a.lower() == b.lower()`.
fn same_key(a: &[u8], b: &[u8]) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    String::from_utf8_lossy(a).to_lowercase() == String::from_utf8_lossy(b).to_lowercase()
}
