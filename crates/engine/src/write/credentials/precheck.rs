//! Every refusal decided on the file as it was read, before any edit, so
//! each error names a line of that file: the file must parse, names and
//! values must be writable, and each target section must be ours, absent,
//! or taken over with consent.

use std::collections::HashMap;
use std::ops::Range;

use crate::ini::Document;

use super::change::Change;
use super::error::WriteError;
use super::render::{
    ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN, check_section_name, check_value,
};

/// A target section as the changes so far leave it.
#[derive(Clone)]
enum State {
    /// Not in the file.
    Absent,
    /// Ours (marked, or taken over earlier in this plan).
    Ours,
    /// Without our marker, as read: its header line and byte range.
    Foreign { line: u32, range: Range<usize> },
}

/// What the checks found, for the edit and the final verification.
pub(super) struct Checked {
    /// Per change: the header line of the section it takes over.
    pub takes_over: Vec<Option<u32>>,
    /// The byte ranges, in the file as read, of sections taken over.
    pub taken_ranges: Vec<Range<usize>>,
}

/// Refuses the file as a whole: a byte-order mark or anything a reader of
/// the file cannot parse.
pub(super) fn check_file(doc: &Document) -> Result<(), WriteError> {
    if doc.has_bom() {
        return Err(WriteError::ByteOrderMark);
    }
    match doc.issues().first() {
        Some(issue) => Err(WriteError::Unparsable {
            issue: issue.clone(),
        }),
        None => Ok(()),
    }
}

/// Checks every change, in order, against the file as read.
pub(super) fn check_changes(doc: &Document, changes: &[Change]) -> Result<Checked, WriteError> {
    let mut states: HashMap<&str, State> = HashMap::new();
    let mut checked = Checked {
        takes_over: Vec::with_capacity(changes.len()),
        taken_ranges: Vec::new(),
    };
    for change in changes {
        let section = change.section();
        check_section_name(section).map_err(|reason| WriteError::InvalidSectionName {
            section: section.to_owned(),
            reason,
        })?;
        let state = match states.get(section) {
            Some(state) => state.clone(),
            None => initial_state(doc, section)?,
        };
        let mut takes_over = None;
        let next = match (change, state) {
            (
                Change::Put {
                    access_key_id,
                    secret_access_key,
                    session_token,
                    take_over,
                    ..
                },
                state,
            ) => {
                for (field, value) in [
                    (ACCESS_KEY_ID, access_key_id.as_str()),
                    (SECRET_ACCESS_KEY, secret_access_key.expose()),
                    (SESSION_TOKEN, session_token.expose()),
                ] {
                    check_value(value).map_err(|reason| WriteError::InvalidValue {
                        section: section.to_owned(),
                        field,
                        reason,
                    })?;
                }
                if let State::Foreign { line, range } = state {
                    if !take_over {
                        return Err(WriteError::ForeignSection {
                            section: section.to_owned(),
                            line,
                        });
                    }
                    takes_over = Some(line);
                    checked.taken_ranges.push(range);
                }
                State::Ours
            }
            (Change::Remove { .. }, State::Foreign { line, .. }) => {
                return Err(WriteError::ForeignRemoval {
                    section: section.to_owned(),
                    line,
                });
            }
            (Change::Remove { .. }, State::Ours | State::Absent) => State::Absent,
        };
        states.insert(section, next);
        checked.takes_over.push(takes_over);
    }
    Ok(checked)
}

/// The section `name` in the file as read. Sections are matched by the name
/// the specification reads (`[ dev ]` is `dev`); botocore keeps the spaces
/// and would see two sections, the specification one, merged: refused.
fn initial_state(doc: &Document, name: &str) -> Result<State, WriteError> {
    let found: Vec<_> = doc.sections().filter(|s| s.name() == name).collect();
    match found.as_slice() {
        [] => Ok(State::Absent),
        [s] if s.managed() => Ok(State::Ours),
        [s] => Ok(State::Foreign {
            line: s.header_line(),
            range: s.range(),
        }),
        many => Err(WriteError::DuplicateSection {
            section: name.to_owned(),
            lines: many.iter().map(|s| s.header_line()).collect(),
        }),
    }
}
