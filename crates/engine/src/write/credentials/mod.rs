//! The credentials-file writer: the new bytes of `~/.aws/credentials` after
//! putting or removing our sections, computed without touching the disk.
//!
//! Each managed profile's keys go to one section (by default the profile's
//! own name, so `AWS_PROFILE=dev` works for tools that read only this file).
//! [`plan`] writes this exact text, with the file's line ending (CRLF when
//! most of its lines end in CRLF, LF otherwise and for a new file):
//!
//! ```text
//! [dev]
//! # managed by leasekeeper
//! aws_access_key_id = ASIA…
//! aws_secret_access_key = …
//! aws_session_token = …
//! x_security_token_expires = 2026-11-22T10:00:00Z
//! ```
//!
//! The marker comment directly under the header is what makes a section
//! ours. `x_security_token_expires` is the expiry key other tools already
//! write; no SDK reads it, the profile reader and [`list_managed`] do.
//!
//! Rules:
//! - Every byte outside our sections stays identical, with two exceptions,
//!   both blank lines. A new section is appended at the end after one blank
//!   line (none when the file is empty or already ends with a blank line);
//!   when the last line lacks a newline, one is added first. A removed
//!   section takes along the blank line right under it when a blank line (or
//!   the start of the file) is right above it: without that, each sign-in
//!   and sign-out would leave one more blank line behind, forever. Comments
//!   and every other line stay byte for byte, in order.
//! - A replaced section keeps its place. It is replaced whole: from its
//!   header through its last key ([`Section::range`]). Keys a person added
//!   by hand inside our section are dropped on the next write, since keeping
//!   them would let stale or conflicting settings ride along with keys they
//!   were never meant for; comments and blank lines after our last key are
//!   outside the section and stay.
//! - Never a file we cannot parse: a byte-order mark or any [`Issue`] (a line
//!   botocore or the specification cannot read, a duplicate section or key)
//!   is refused, so the result has none either.
//! - Never a duplicate section: a target found more than once is refused.
//! - Never a person's own keys: a section without our marker is replaced only
//!   with consent (`take_over`), its old bytes returned as a [`Backup`], and
//!   never removed.
//! - Names must be profiles to every reader (see [`WriteError::InvalidSectionName`]),
//!   values must read back as written.
//!
//! Changes apply in order, as if planned one at a time; every refusal is
//! decided on the file as read, before any edit, so its line numbers are the
//! file's. The result is then parsed again and checked (it parses cleanly,
//! each touched section holds exactly its keys or is gone, the bytes outside
//! our sections are the file's own); a miss is [`WriteError::Internal`].
//!
//! [`Issue`]: crate::ini::Issue

mod change;
mod error;
mod managed;
mod precheck;
mod render;
mod verify;

#[cfg(test)]
mod botocore_check;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ops::Range;

use crate::ini::{Document, LineEnding, LineKind, Section};

pub use change::{Action, Backup, Change, Outcome, Plan};
pub use error::WriteError;
pub use managed::{ManagedKeys, list_managed};
pub use render::{ACCESS_KEY_ID, EXPIRY_KEY, SECRET_ACCESS_KEY, SESSION_TOKEN};

use render::{Keys, line_ending, section_text};
use verify::{Expected, Final, verify};

/// The credentials file after `changes`, applied in order to `current` (its
/// bytes, or `None` when it does not exist yet). Pure and deterministic.
pub fn plan(current: Option<&[u8]>, changes: &[Change]) -> Result<Plan, WriteError> {
    let original = Document::parse(current.unwrap_or_default());
    precheck::check_file(&original)?;
    let checked = precheck::check_changes(&original, changes)?;

    let mut bytes = original.as_bytes().to_vec();
    let mut outcomes = Vec::with_capacity(changes.len());
    let mut backups = Vec::new();
    let mut eols = Vec::with_capacity(changes.len());
    let (mut created, mut removed) = (0, 0);
    for (change, takes_over) in changes.iter().zip(&checked.takes_over) {
        let doc = Document::from_vec(bytes);
        let eol = own_ending(&doc, change.section()).unwrap_or_else(|| line_ending(&doc));
        eols.push(eol);
        let step = apply(&doc, change, eol)?;
        if let (Some(line), Some(replaced)) = (takes_over, step.replaced) {
            // The backup is the section as the person's file held it: an
            // earlier change of this plan may have added a final newline.
            let bytes = original
                .sections()
                .find(|s| s.header_line() == *line)
                .and_then(|s| original.as_bytes().get(s.range()))
                .map_or(replaced, <[u8]>::to_vec);
            backups.push(Backup {
                section: change.section().to_owned(),
                line: *line,
                bytes,
            });
        }
        let action = match (step.action, takes_over) {
            (Action::Replaced, Some(_)) => Action::TakenOver,
            (action, _) => action,
        };
        created += usize::from(action == Action::Created);
        removed += usize::from(action == Action::Removed);
        outcomes.push(Outcome {
            section: change.section().to_owned(),
            action,
        });
        bytes = step.bytes.unwrap_or_else(|| doc.as_bytes().to_vec());
    }

    let expected = Expected {
        finals: finals(changes, &eols),
        taken_ranges: &checked.taken_ranges,
        created,
        removed,
    };
    verify(&original, &bytes, &expected)?;
    let changed = bytes != original.as_bytes();
    Ok(Plan {
        bytes,
        changed,
        outcomes,
        backups,
    })
}

/// The line ending of our section `name`'s header, when the file holds
/// it: a renewal keeps the endings the section has, so rewriting the same
/// keys changes nothing even where other edits tipped the file's majority.
fn own_ending(doc: &Document, name: &str) -> Option<LineEnding> {
    let section = doc.sections().find(|s| s.managed() && s.name() == name)?;
    let index = usize::try_from(section.header_line())
        .ok()?
        .checked_sub(1)?;
    match doc.lines().get(index)?.ending() {
        LineEnding::None => None,
        eol => Some(eol),
    }
}

/// One change applied to `doc`.
struct Step {
    action: Action,
    /// The new file; `None` when unchanged.
    bytes: Option<Vec<u8>>,
    /// The bytes of the section replaced, when one was.
    replaced: Option<Vec<u8>>,
}

fn apply(doc: &Document, change: &Change, eol: LineEnding) -> Result<Step, WriteError> {
    let name = change.section();
    let found: Vec<_> = doc.sections().filter(|s| s.name() == name).collect();
    let unchanged = Step {
        action: Action::Unchanged,
        bytes: None,
        replaced: None,
    };
    match (change, found.as_slice()) {
        (Change::Remove { .. }, []) => Ok(unchanged),
        (Change::Remove { .. }, [s]) if s.managed() => Ok(Step {
            action: Action::Removed,
            bytes: Some(splice(doc, removal_range(doc, *s), b"", name)?),
            replaced: None,
        }),
        (Change::Put { .. }, []) => {
            let mut bytes = doc.as_bytes().to_vec();
            bytes.extend_from_slice(&append_separator(doc, eol));
            bytes.extend_from_slice(&section_text(name, keys_of(change)?, eol));
            Ok(Step {
                action: Action::Created,
                bytes: Some(bytes),
                replaced: None,
            })
        }
        // A section without our marker gets here only with consent.
        (Change::Put { .. }, [s]) => {
            let text = section_text(name, keys_of(change)?, eol);
            let old = doc.as_bytes().get(s.range()).unwrap_or_default();
            if s.managed() && old == text.as_slice() {
                return Ok(unchanged);
            }
            let bytes = splice(doc, s.range(), &text, name)?;
            Ok(Step {
                action: Action::Replaced,
                bytes: Some(bytes),
                replaced: (!s.managed()).then(|| old.to_vec()),
            })
        }
        _ => Err(WriteError::Internal {
            check: "a target section is not ours or is there more than once",
            section: name.to_owned(),
        }),
    }
}

fn splice(
    doc: &Document,
    range: Range<usize>,
    with: &[u8],
    section: &str,
) -> Result<Vec<u8>, WriteError> {
    doc.splice(range, with).ok_or_else(|| WriteError::Internal {
        check: "a section range lies outside the file",
        section: section.to_owned(),
    })
}

/// What removing `section` takes out: its range, and the blank line right
/// under it when a blank line (or the start of the file) is right above it.
/// The blank line above then keeps separating what was above from what
/// follows, and appending then removing a section leaves no blank line
/// behind each time.
fn removal_range(doc: &Document, section: Section<'_>) -> Range<usize> {
    let range = section.range();
    let lines = doc.lines();
    let header = usize::try_from(section.header_line()).unwrap_or(usize::MAX);
    let blank_above = match header.checked_sub(2) {
        None => true,
        Some(above) => lines
            .get(above)
            .is_some_and(|l| l.kind() == LineKind::Blank),
    };
    let under = lines.partition_point(|l| l.range().start < range.end);
    match lines.get(under) {
        Some(l) if blank_above && l.kind() == LineKind::Blank => range.start..l.range().end,
        _ => range,
    }
}

/// What goes between the end of the file and an appended section: a newline
/// when the last line lacks one, then one blank line unless the file is
/// empty or already ends with a blank line.
fn append_separator(doc: &Document, eol: LineEnding) -> Vec<u8> {
    let Some(last) = doc.lines().last() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if last.ending() == LineEnding::None {
        out.extend_from_slice(eol.as_bytes());
    }
    if last.kind() != LineKind::Blank {
        out.extend_from_slice(eol.as_bytes());
    }
    out
}

fn keys_of(change: &Change) -> Result<Keys<'_>, WriteError> {
    match change {
        Change::Put {
            access_key_id,
            secret_access_key,
            session_token,
            expires_at,
            ..
        } => Ok(Keys {
            access_key_id,
            secret_access_key,
            session_token,
            expires_at: *expires_at,
        }),
        Change::Remove { section } => Err(WriteError::Internal {
            check: "a removal has no keys",
            section: section.clone(),
        }),
    }
}

/// Each touched section's last change (and the line ending it was written
/// with), in order of first touch.
fn finals<'a>(changes: &'a [Change], eols: &[LineEnding]) -> Vec<Final<'a>> {
    let mut out: Vec<Final<'_>> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    for (change, &eol) in changes.iter().zip(eols) {
        let keys = match change {
            Change::Put { .. } => keys_of(change).ok(),
            Change::Remove { .. } => None,
        };
        let section = change.section();
        match at.get(section) {
            Some(&i) => {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Final { section, keys, eol };
                }
            }
            None => {
                at.insert(section, out.len());
                out.push(Final { section, keys, eol });
            }
        }
    }
    out
}
