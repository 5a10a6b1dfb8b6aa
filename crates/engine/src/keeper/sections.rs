//! Our sections of the credentials file: writing each managed profile's
//! keys when its node renewed, and removing sections whose keys lapsed
//! unrenewed (stale keys must never shadow a working chain), on sign-out,
//! when a profile's section moves, and on exit when the settings ask.
//!
//! A section the writer refused (a person's own `[dev]` without consent) is
//! not asked again for the same keys until the file changes, and the
//! refusal is told once.

use std::collections::{BTreeMap, BTreeSet};

use time::{Duration, OffsetDateTime};

use super::action::{Action, RemoveReason};
use super::event::EngineEvent;
use super::graph::NodeId;
use super::input::WriteFailure;
use super::state::KeeperState;
use crate::write::credentials::ManagedKeys;

#[derive(Debug, Clone, Default)]
pub(super) struct SectionState {
    /// Sections written since the start, by section.
    written: BTreeMap<String, Written>,
    /// Our sections in the file as last read, with their expiry.
    in_file: BTreeMap<String, Option<OffsetDateTime>>,
    /// Writes refused, by section, until the file is read again.
    refused: BTreeMap<String, (NodeId, u64)>,
    /// Refusals told, by section: told once.
    told: BTreeMap<String, String>,
    /// Removals asked since the file was last read.
    removing: BTreeSet<String>,
}

#[derive(Debug, Clone)]
struct Written {
    profile: String,
    node: NodeId,
    generation: u64,
    expires_at: OffsetDateTime,
}

impl SectionState {
    /// The credentials file was read again.
    pub fn file_read(&mut self, managed: &[ManagedKeys]) {
        self.in_file = managed
            .iter()
            .map(|m| (m.section.clone(), m.expires_at))
            .collect();
        self.removing.clear();
        self.refused.clear();
        let in_file = &self.in_file;
        self.told.retain(|s, _| !in_file.contains_key(s));
        // A section of ours someone removed is written again.
        self.written.retain(|s, _| in_file.contains_key(s));
    }

    fn all(&self) -> BTreeSet<String> {
        self.written
            .keys()
            .chain(self.in_file.keys())
            .cloned()
            .collect()
    }
}

impl KeeperState {
    /// Writes for renewed keys and removals for lapsed ones; the time until
    /// the next kept section lapses.
    pub(super) fn section_actions(
        &mut self,
        now: OffsetDateTime,
    ) -> (Vec<Action>, Option<Duration>) {
        let mut actions = Vec::new();
        let mut keep = BTreeSet::new();
        for m in self.graph.managed().values() {
            let Some(held) = self.nodes.get(&m.node).and_then(|s| s.held) else {
                continue;
            };
            if held.expires_at <= now {
                continue;
            }
            keep.insert(m.section.clone());
            let s = &mut self.sections;
            let done = |n: &NodeId, g: u64| n == &m.node && g == held.generation;
            if s.written
                .get(&m.section)
                .is_some_and(|w| done(&w.node, w.generation))
                || s.refused.get(&m.section).is_some_and(|(n, g)| done(n, *g))
            {
                continue;
            }
            s.written.insert(
                m.section.clone(),
                Written {
                    profile: m.profile.clone(),
                    node: m.node.clone(),
                    generation: held.generation,
                    expires_at: held.expires_at,
                },
            );
            s.removing.remove(&m.section);
            actions.push(Action::Write {
                profile: m.profile.clone(),
                section: m.section.clone(),
                node: m.node.clone(),
                expires_at: held.expires_at,
                take_over: m.take_over,
            });
        }
        let mut next: Option<Duration> = None;
        for section in self.sections.all() {
            if keep.contains(&section) || self.sections.removing.contains(&section) {
                continue;
            }
            let written = self.sections.written.get(&section);
            let moved = written.is_some_and(|w| {
                self.graph
                    .managed()
                    .get(&w.profile)
                    .is_some_and(|m| m.section != section)
            });
            let expiry = written
                .map(|w| w.expires_at)
                .max(self.sections.in_file.get(&section).copied().flatten());
            let reason = match expiry {
                _ if moved => RemoveReason::Moved,
                Some(t) if t > now => {
                    next = Some(next.map_or(t - now, |n| n.min(t - now)));
                    continue;
                }
                _ => RemoveReason::Lapsed,
            };
            actions.push(self.remove(&section, reason));
        }
        (actions, next)
    }

    fn remove(&mut self, section: &str, reason: RemoveReason) -> Action {
        self.sections.written.remove(section);
        self.sections.removing.insert(section.to_owned());
        Action::Remove {
            section: section.to_owned(),
            reason,
        }
    }

    /// Removes the sections of the managed profiles whose chains go through
    /// `node` (a signed-out session's token) and forgets their keys.
    pub(super) fn remove_under(&mut self, node: &NodeId, reason: RemoveReason) -> Vec<Action> {
        let mut actions = Vec::new();
        let managed: Vec<(String, NodeId)> = self
            .graph
            .profiles_under(node)
            .map(|m| (m.section.clone(), m.node.clone()))
            .collect();
        for (section, _) in &managed {
            if self.sections.all().contains(section) {
                actions.push(self.remove(section, reason));
            }
        }
        let under: BTreeSet<NodeId> = self
            .graph
            .nodes()
            .filter(|n| n.id != *node && self.graph.lineage(&n.id).iter().any(|a| a.id == *node))
            .map(|n| n.id.clone())
            .collect();
        for id in under {
            if self.st_mut(&id).held.take().is_some() {
                actions.push(Action::Forget { node: id });
            }
        }
        actions
    }

    /// Every section of ours, removed (on exit).
    pub(super) fn remove_all(&mut self, reason: RemoveReason) -> Vec<Action> {
        let sections = self.sections.all();
        sections.iter().map(|s| self.remove(s, reason)).collect()
    }

    /// The writer refused a section: not asked again for the same keys
    /// until the file changes; told once.
    pub(super) fn write_refused(&mut self, f: &WriteFailure) -> Option<EngineEvent> {
        let s = &mut self.sections;
        let written = s.written.remove(&f.section)?;
        s.refused
            .insert(f.section.clone(), (written.node, written.generation));
        if s.told.get(&f.section) == Some(&f.code) {
            return None;
        }
        s.told.insert(f.section.clone(), f.code.clone());
        Some(EngineEvent::WriteFailed {
            profile: written.profile,
            section: f.section.clone(),
            code: f.code.clone(),
            message: f.message.clone(),
        })
    }
}
