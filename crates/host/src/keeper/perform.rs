//! Carrying out one step's actions: renewals spawned as tasks, the step's
//! writes and removals applied together as one plan of the credentials
//! file, keys forgotten, events told.

use std::sync::Arc;

use leasekeeper_engine::Secret;
use leasekeeper_engine::keeper::{Action, EngineEvent, Input, NodeId, NodeKind, WriteFailure};
use leasekeeper_engine::ports::Credentials;
use leasekeeper_engine::write::credentials::{Action as Did, Change};

use super::clock::KeeperClock;
use super::exec::{self, Connect, Job};
use super::run::{DEFAULT_STS_REGION, Keeper, Report};
use super::write;

impl<C: Connect, K: KeeperClock> Keeper<C, K> {
    /// Carries out `actions`; returns how many renewals were started.
    pub(super) fn perform(
        &mut self,
        actions: Vec<Action>,
        inputs: &mut Vec<Input>,
        report: &mut Report,
        on_event: &mut impl FnMut(&EngineEvent),
    ) -> usize {
        let mut spawned = 0;
        let mut changes = Vec::new();
        for action in actions {
            match action {
                Action::RefreshToken { node, target } => {
                    let region = target.region.clone();
                    self.spawn(Job::Refresh { node, target }, region);
                    spawned += 1;
                }
                Action::Renew {
                    node,
                    parent,
                    call,
                    token_code,
                } => {
                    let region = match &call {
                        leasekeeper_engine::keeper::Call::SsoRole { target, .. } => {
                            target.region.clone()
                        }
                        _ => self.sts_region(&node),
                    };
                    let parent = self.parent_keys(&parent);
                    let job = Job::Renew {
                        node,
                        call,
                        parent,
                        token_code,
                    };
                    self.spawn(job, region);
                    spawned += 1;
                }
                Action::Write {
                    profile,
                    section,
                    node,
                    expires_at,
                    take_over,
                } => match self.held.get(&node) {
                    Some(Credentials {
                        access_key_id,
                        secret_access_key,
                        session_token: Some(token),
                        ..
                    }) => changes.push(Change::Put {
                        section,
                        access_key_id: access_key_id.clone(),
                        secret_access_key: secret_access_key.clone(),
                        session_token: token.clone(),
                        expires_at,
                        take_over,
                    }),
                    _ => inputs.push(Input::WriteFailed(WriteFailure {
                        section,
                        code: "no_keys".to_owned(),
                        message: format!("no temporary keys are held for {profile}"),
                    })),
                },
                Action::Remove { section, reason } => {
                    tracing::info!(section = %section, reason = ?reason, "removing our section");
                    changes.push(Change::Remove { section });
                }
                Action::Forget { node } => {
                    self.held.remove(&node);
                }
                Action::Emit(event) => {
                    on_event(&event);
                    report.events.push(event);
                }
            }
        }
        if !changes.is_empty() {
            self.write_changes(&changes, inputs, report);
        }
        spawned
    }

    /// All changes as one plan; when that is refused, one by one, so one
    /// refused section does not hold back the others.
    fn write_changes(&mut self, changes: &[Change], inputs: &mut Vec<Input>, report: &mut Report) {
        let target = self.config.paths.credentials.clone();
        let backups = self.config.store.state_dir().join("backups");
        let results = match write::apply(&target, changes, &backups) {
            Ok(outcomes) => vec![(changes, Ok(outcomes))],
            Err(_) if changes.len() > 1 => changes
                .chunks(1)
                .map(|one| (one, write::apply(&target, one, &backups)))
                .collect(),
            Err(e) => vec![(changes, Err(e))],
        };
        let mut changed = false;
        for (chunk, result) in results {
            match result {
                Ok(outcomes) => {
                    changed = true;
                    for (change, outcome) in chunk.iter().zip(outcomes) {
                        match (change, outcome.action) {
                            (_, Did::Unchanged) => {}
                            (Change::Put { expires_at, .. }, action) => {
                                tracing::info!(section = %outcome.section, expires_at = %expires_at, action = ?action, "wrote section");
                                report.written.push((outcome.section.clone(), *expires_at));
                            }
                            (Change::Remove { .. }, _) => {
                                tracing::info!(section = %outcome.section, "removed section");
                                report.removed.push(outcome.section.clone());
                            }
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(path = %target.display(), code = e.code(), "cannot write the credentials file: {e}");
                    for change in chunk {
                        inputs.push(Input::WriteFailed(WriteFailure {
                            section: change.section().to_owned(),
                            code: e.code().to_owned(),
                            message: e.to_string(),
                        }));
                    }
                }
            }
        }
        // Our own write is read back at once. A refused write changed
        // nothing: reading the file again would clear the refusal and ask
        // for the same write at once, round after round, until the file
        // changes.
        if changed {
            self.watch.invalidate();
        }
    }

    fn spawn(&mut self, job: Job, region: String) {
        let node = job.node().clone();
        let connect = Arc::clone(&self.connect);
        let clients = Arc::clone(&self.clients);
        let store = self.config.store.clone();
        let scale = self.config.scale;
        let clock = self.clock.clone();
        let task_node = node.clone();
        let handle = self.tasks.spawn(async move {
            let client = {
                let mut map = clients.lock().await;
                match map.get(&region) {
                    Some(c) => Arc::clone(c),
                    None => match connect.connect(&region).await {
                        Ok(c) => {
                            let c = Arc::new(c);
                            map.insert(region.clone(), Arc::clone(&c));
                            c
                        }
                        Err(message) => return exec::setup_failed(task_node, message),
                    },
                }
            };
            exec::run(client, store, clock, scale, job).await
        });
        self.task_nodes.insert(handle.id(), node);
    }

    /// The keys a renewal is made with: written in a profile, or held.
    fn parent_keys(&self, parent: &NodeId) -> Option<Credentials> {
        let node = self.state.graph().node(parent)?;
        match &node.kind {
            NodeKind::Keys { profile, .. } => {
                let p = self.state.snapshot()?.set.profile(profile)?;
                Some(Credentials {
                    access_key_id: p.get_nonempty("aws_access_key_id")?.to_owned(),
                    secret_access_key: Secret::new(p.get_nonempty("aws_secret_access_key")?),
                    session_token: p.get_nonempty("aws_session_token").map(Secret::new),
                    expiration: None,
                })
            }
            _ => self.held.get(parent).cloned(),
        }
    }

    fn sts_region(&self, node: &NodeId) -> String {
        let snapshot = self.state.snapshot();
        self.state
            .graph()
            .node(node)
            .and_then(|n| n.profiles.first())
            .and_then(|p| snapshot?.set.profile(p)?.get_nonempty("region"))
            .unwrap_or(DEFAULT_STS_REGION)
            .to_owned()
    }
}
