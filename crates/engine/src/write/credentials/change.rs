//! What [`plan`](super::plan) is asked to do ([`Change`]) and what it did
//! ([`Plan`], [`Outcome`], [`Backup`]).

use std::fmt;

use time::OffsetDateTime;

use crate::Secret;
use crate::secret::key_hint;

/// One edit of the credentials file, applied in list order.
#[derive(Clone, PartialEq, Eq)]
pub enum Change {
    /// Write temporary keys into `section`: replace our section of that name
    /// in place, or append a new one. A section of that name without our
    /// marker is replaced only with `take_over` (the person's consent for
    /// that profile); its old bytes then come back in [`Plan::backups`].
    Put {
        section: String,
        access_key_id: String,
        secret_access_key: Secret,
        session_token: Secret,
        expires_at: OffsetDateTime,
        take_over: bool,
    },
    /// Remove our section `section` (lapsed, signed out, exiting). Absent is
    /// no change; a section without our marker is never removed.
    Remove { section: String },
}

impl Change {
    /// The section this change is about.
    pub fn section(&self) -> &str {
        match self {
            Change::Put { section, .. } | Change::Remove { section } => section,
        }
    }
}

/// Key ids only by their last four characters; secrets never.
impl fmt::Debug for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Put {
                section,
                access_key_id,
                expires_at,
                take_over,
                ..
            } => f
                .debug_struct("Put")
                .field("section", section)
                .field("access_key_id", &key_hint(access_key_id))
                .field("expires_at", expires_at)
                .field("take_over", take_over)
                .finish_non_exhaustive(),
            Change::Remove { section } => {
                f.debug_struct("Remove").field("section", section).finish()
            }
        }
    }
}

/// What one [`Change`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A new section was appended at the end of the file.
    Created,
    /// Our section was rewritten in place.
    Replaced,
    /// A section without our marker was replaced with the person's consent;
    /// its old bytes are in [`Plan::backups`].
    TakenOver,
    /// Our section was removed.
    Removed,
    /// Nothing to do: the section already held exactly these keys, or a
    /// section to remove was not there.
    Unchanged,
}

/// One change's section and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub section: String,
    pub action: Action,
}

/// The exact bytes of a section taken over, for the host to keep before it
/// writes. They may hold the person's own secret keys.
#[derive(Clone, PartialEq, Eq)]
pub struct Backup {
    pub section: String,
    /// The header's line in the file as it was read.
    pub line: u32,
    /// From the header through the section's last line, endings included.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Backup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Backup")
            .field("section", &self.section)
            .field("line", &self.line)
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// The computed file and a report of what it changes.
#[derive(Clone, PartialEq, Eq)]
pub struct Plan {
    pub(super) bytes: Vec<u8>,
    pub(super) changed: bool,
    pub(super) outcomes: Vec<Outcome>,
    pub(super) backups: Vec<Backup>,
}

impl Plan {
    /// The new file, whole.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The bytes differ from the file as read. `false` also when the file was
    /// absent and nothing is to be written into it: then do not create it.
    pub fn changed(&self) -> bool {
        self.changed
    }

    /// One per change, in order.
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// One per section taken over, in order: keep them before writing.
    pub fn backups(&self) -> &[Backup] {
        &self.backups
    }
}

/// The file holds secrets: only its size shows.
impl fmt::Debug for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Plan")
            .field("bytes", &self.bytes.len())
            .field("changed", &self.changed)
            .field("outcomes", &self.outcomes)
            .field("backups", &self.backups)
            .finish()
    }
}
