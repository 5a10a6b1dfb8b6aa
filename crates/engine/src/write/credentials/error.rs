//! [`WriteError`]: why a credentials file is not written.

use crate::ini::Issue;

/// Why [`plan`](super::plan) refuses to produce new bytes. Nothing in a
/// message is secret: sections and fields are named, values never.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// The file starts with a UTF-8 byte-order mark.
    #[error(
        "the credentials file starts with a byte-order mark (line 1), which botocore refuses; \
         leasekeeper writes no file it cannot parse: remove the mark first"
    )]
    ByteOrderMark,
    /// A line that a reader of the file cannot parse (the first one).
    #[error(
        "cannot parse the credentials file at {issue}; leasekeeper never writes a file it \
         cannot parse"
    )]
    Unparsable { issue: Issue },
    /// The target section is in the file more than once.
    #[error(
        "section [{section}] is in the credentials file more than once (lines {}); \
         leasekeeper will not choose between them",
        join(.lines)
    )]
    DuplicateSection { section: String, lines: Vec<u32> },
    /// A `Put` over a section without our marker, without consent.
    #[error(
        "section [{section}] at line {line} holds keys leasekeeper did not write; \
         consent for profile {section} to replace them (their bytes are kept as a backup)"
    )]
    ForeignSection { section: String, line: u32 },
    /// A `Remove` of a section without our marker.
    #[error(
        "section [{section}] at line {line} holds keys leasekeeper did not write; \
         leasekeeper never removes them"
    )]
    ForeignRemoval { section: String, line: u32 },
    /// A section name the credentials file cannot hold for every reader.
    #[error("cannot write section [{}]: the name {reason}", .section.escape_debug())]
    InvalidSectionName {
        section: String,
        reason: &'static str,
    },
    /// A value that would not read back as written.
    #[error("cannot write {field} into section [{section}]: the value {reason}")]
    InvalidValue {
        section: String,
        field: &'static str,
        reason: &'static str,
    },
    /// The computed file failed a check made before handing it out. A bug:
    /// the bytes are withheld rather than risk the person's file.
    #[error(
        "the planned credentials file failed its own check ({check}{}), so it is not written",
        in_section(.section)
    )]
    Internal {
        check: &'static str,
        /// The section concerned; empty when the check is about the file.
        section: String,
    },
}

impl WriteError {
    /// A stable identifier for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            WriteError::ByteOrderMark => "byte_order_mark",
            WriteError::Unparsable { .. } => "unparsable_file",
            WriteError::DuplicateSection { .. } => "duplicate_section",
            WriteError::ForeignSection { .. } => "foreign_section",
            WriteError::ForeignRemoval { .. } => "foreign_section_removal",
            WriteError::InvalidSectionName { .. } => "invalid_section_name",
            WriteError::InvalidValue { .. } => "invalid_value",
            WriteError::Internal { .. } => "internal_check_failed",
        }
    }

    /// The line of the file the error is about, when there is one.
    pub fn line(&self) -> Option<u32> {
        match self {
            WriteError::ByteOrderMark => Some(1),
            WriteError::Unparsable { issue } => Some(issue.line),
            WriteError::DuplicateSection { lines, .. } => lines.first().copied(),
            WriteError::ForeignSection { line, .. } | WriteError::ForeignRemoval { line, .. } => {
                Some(*line)
            }
            WriteError::InvalidSectionName { .. }
            | WriteError::InvalidValue { .. }
            | WriteError::Internal { .. } => None,
        }
    }
}

fn in_section(section: &str) -> String {
    if section.is_empty() {
        String::new()
    } else {
        format!(", section [{section}]")
    }
}

fn join(lines: &[u32]) -> String {
    let parts: Vec<String> = lines.iter().map(u32::to_string).collect();
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_name_the_check_and_the_section_when_there_is_one() {
        let file = WriteError::Internal {
            check: "bytes outside our sections changed",
            section: String::new(),
        };
        assert_eq!(
            file.to_string(),
            "the planned credentials file failed its own check (bytes outside our sections \
             changed), so it is not written"
        );
        let one = WriteError::Internal {
            check: "a section does not hold its text",
            section: "dev".into(),
        };
        assert!(one.to_string().contains("text, section [dev])"));
        assert_eq!(one.code(), "internal_check_failed");
        assert_eq!(one.line(), None);
    }
}
