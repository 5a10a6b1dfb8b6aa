//! Problems found in a file, each with its line and what it means for the
//! tools that read the file.
//!
//! Two families of readers disagree. The cross-SDK specification (aws-sdk-rust
//! and the other SDKs that follow it) refuses a file with a syntax error and
//! merges duplicate sections and keys. botocore (boto3, the AWS CLI v1 and v2)
//! accepts some lines the specification refuses (`key : value`, an indented
//! key under a header) but refuses the whole file for a duplicate section, a
//! duplicate key in any letter case, a byte-order mark, bytes that are not
//! UTF-8, and any line configparser cannot read. [`Issue`] says which of the
//! two would refuse the file.

use std::fmt;

use super::botocore::BotocoreError;
use super::syntax::SyntaxError;

/// One problem in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// 1-based line number.
    pub line: u32,
    pub kind: IssueKind,
    pub(crate) botocore_fatal: bool,
}

/// What is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// A line the specification cannot parse (its own wording in `Display`).
    /// [`Issue::rejects_file_for_botocore`] tells whether botocore fails too.
    Syntax(SyntaxError),
    /// A line only botocore cannot read; the specification accepts it.
    Botocore(BotocoreError),
    /// A section header repeating an earlier one of exactly the same name.
    DuplicateSection { name: String, first_line: u32 },
    /// A key repeating an earlier one of the same section, in any letter case.
    DuplicateKey {
        section: String,
        key: String,
        first_line: u32,
    },
    /// The file starts with a UTF-8 byte-order mark.
    ByteOrderMark,
    /// The file holds bytes that are not UTF-8 (the first one is on `line`).
    InvalidUtf8,
}

impl Issue {
    pub(crate) fn new(line: u32, kind: IssueKind, botocore_fatal: bool) -> Self {
        Issue {
            line,
            kind,
            botocore_fatal,
        }
    }

    /// botocore, and so the AWS CLI and boto3, refuses the WHOLE file: none of
    /// its profiles work in those tools until this is fixed.
    pub fn rejects_file_for_botocore(&self) -> bool {
        self.botocore_fatal
    }

    /// The specification's readers (aws-sdk-rust among them) refuse the whole
    /// file, or, for bytes that are not UTF-8, read it as empty. A byte-order
    /// mark counts: their parser reads it as text before the first header.
    pub fn rejects_file_for_spec(&self) -> bool {
        matches!(
            self.kind,
            IssueKind::Syntax(_) | IssueKind::ByteOrderMark | IssueKind::InvalidUtf8
        )
    }

    /// A stable identifier for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match &self.kind {
            IssueKind::Syntax(e) => e.code(),
            IssueKind::Botocore(BotocoreError::MissingSectionHeader) => {
                "botocore_missing_section_header"
            }
            IssueKind::Botocore(BotocoreError::NoDelimiter) => "botocore_no_delimiter",
            IssueKind::Botocore(BotocoreError::EmptyKey) => "botocore_empty_key",
            IssueKind::Botocore(BotocoreError::NestedWithoutEquals) => {
                "botocore_nested_without_equals"
            }
            IssueKind::DuplicateSection { .. } => "duplicate_section",
            IssueKind::DuplicateKey { .. } => "duplicate_key",
            IssueKind::ByteOrderMark => "byte_order_mark",
            IssueKind::InvalidUtf8 => "invalid_utf8",
        }
    }
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.kind)
    }
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IssueKind::Syntax(e) => f.write_str(e.message()),
            IssueKind::Botocore(e) => f.write_str(match e {
                BotocoreError::MissingSectionHeader => {
                    "botocore cannot read a line before the first section header"
                }
                BotocoreError::NoDelimiter => "botocore cannot read a line without '=' or ':'",
                BotocoreError::EmptyKey => "botocore cannot read a line without a key",
                BotocoreError::NestedWithoutEquals => {
                    "botocore cannot read an indented line without '=' under `key =`"
                }
            }),
            IssueKind::DuplicateSection { name, first_line } => write!(
                f,
                "section [{name}] repeats the one on line {first_line}, which botocore refuses"
            ),
            IssueKind::DuplicateKey {
                section,
                key,
                first_line,
            } => write!(
                f,
                "key `{key}` repeats the one on line {first_line} in section [{section}] \
                 (letter case does not count), which botocore refuses"
            ),
            IssueKind::ByteOrderMark => {
                f.write_str("the file starts with a byte-order mark, which botocore refuses")
            }
            IssueKind::InvalidUtf8 => f.write_str("the file is not valid utf-8"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_line_and_keep_the_spec_wording() {
        let spec = Issue::new(
            4,
            IssueKind::Syntax(SyntaxError::PropertyWithoutEquals),
            true,
        );
        assert_eq!(
            spec.to_string(),
            "line 4: Expected an '=' sign defining a property"
        );
        assert!(spec.rejects_file_for_spec() && spec.rejects_file_for_botocore());
        let dup = Issue::new(
            9,
            IssueKind::DuplicateKey {
                section: "profile a".into(),
                key: "REGION".into(),
                first_line: 7,
            },
            true,
        );
        assert_eq!(dup.code(), "duplicate_key");
        assert!(!dup.rejects_file_for_spec());
        assert!(dup.to_string().contains("line 7 in section [profile a]"));
    }
}
