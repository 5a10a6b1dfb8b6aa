//! Choosing what to start: every renewable node, parents before children,
//! due at half its credentials' life (on AWS's clock), started when its
//! parent's credentials are fresh, nothing else is in flight for it, its
//! retry delay has passed and fewer than `concurrency` calls are running.
//! A node whose chain needs the person is not attempted at all.

use time::{Duration, OffsetDateTime};

use super::action::{Action, Call};
use super::graph::{Node, NodeKind};
use super::state::{InFlight, KeeperState, Mono};

/// What one pass decided.
#[derive(Debug, Default)]
pub(super) struct Pass {
    pub actions: Vec<Action>,
    /// Renewals due now that are running or waiting their turn.
    pub pending: usize,
    /// The time until the next node falls due or a retry may start.
    pub next: Option<Duration>,
}

impl Pass {
    fn wake_in(&mut self, d: Duration) {
        self.next = Some(self.next.map_or(d, |n| n.min(d)));
    }
}

impl KeeperState {
    pub(super) fn schedule(&mut self, now: OffsetDateTime, mono: Mono) -> Pass {
        let mut pass = Pass::default();
        let holding = self.wake.holding(mono) || self.shutting_down;
        let mut running = self.in_flight();
        let cap = self.settings.renew.concurrency;
        let order: Vec<Node> = self
            .graph
            .nodes()
            .filter(|n| n.renewable())
            .cloned()
            .collect();
        for node in &order {
            let st = self.st(&node.id);
            if st.in_flight.is_some() {
                pass.pending += 1;
                continue;
            }
            if self.person_block(node, now).is_some() && !st.forced {
                continue;
            }
            let Some(due) = self.due_at(node, now) else {
                continue;
            };
            if due > now {
                pass.wake_in(due - now);
                continue;
            }
            if let Some(retry) = st.retry_at.filter(|r| *r > mono && !st.forced) {
                pass.pending += 1;
                pass.wake_in(retry - mono);
                continue;
            }
            if let Some(parent) = node.parent.as_ref().and_then(|p| self.graph.node(p)) {
                let pst = self.st(&parent.id);
                // Parents first: a parent running, or due and free to start,
                // goes before its children.
                let parent_due = self.person_block(parent, now).is_none()
                    && self.due_at(parent, now).is_some_and(|d| d <= now)
                    && pst.retry_at.is_none_or(|r| r <= mono);
                if pst.in_flight.is_some() || parent_due {
                    pass.pending += 1;
                    continue;
                }
                if !self.usable(parent, now) {
                    continue;
                }
            }
            pass.pending += 1;
            if holding || running >= cap {
                continue;
            }
            let action = self.start(node);
            pass.actions.push(action);
            running += 1;
        }
        pass
    }

    /// Marks `node` in flight and builds its action.
    fn start(&mut self, node: &Node) -> Action {
        let drop_duration = self.st(&node.id).drop_duration;
        let duration = node.duration_seconds.filter(|_| !drop_duration);
        let parent = node.parent.clone().unwrap_or_else(|| node.id.clone());
        let (mut action, asked) = match &node.kind {
            NodeKind::SsoToken(target) => (
                Action::RefreshToken {
                    node: node.id.clone(),
                    target: target.clone(),
                },
                None,
            ),
            NodeKind::SsoRole {
                target,
                account_id,
                role_name,
            } => (
                Action::Renew {
                    node: node.id.clone(),
                    parent,
                    token_code: None,
                    call: Call::SsoRole {
                        target: target.clone(),
                        account_id: account_id.clone(),
                        role_name: role_name.clone(),
                    },
                },
                None,
            ),
            NodeKind::MfaSession { mfa_serial, .. } => (
                Action::Renew {
                    node: node.id.clone(),
                    parent,
                    token_code: None,
                    call: Call::SessionToken {
                        mfa_serial: mfa_serial.clone(),
                        duration_seconds: duration,
                    },
                },
                duration,
            ),
            NodeKind::AssumeRole(role) => (
                Action::Renew {
                    node: node.id.clone(),
                    parent,
                    token_code: None,
                    call: Call::AssumeRole {
                        role_arn: role.role_arn.clone(),
                        external_id: role.external_id.clone(),
                        role_session_name: role.role_session_name.clone(),
                        duration_seconds: duration,
                        mfa_serial: role.mfa_serial.clone(),
                    },
                },
                duration,
            ),
            // Keys in files are not renewable: the pass never gets here.
            NodeKind::Keys { .. } => (
                Action::Forget {
                    node: node.id.clone(),
                },
                None,
            ),
        };
        if let Action::Renew { token_code, .. } = &mut action {
            *token_code = self.take_code(&node.id);
        }
        let jumps_at_start = self.clock.jumps;
        let st = self.st_mut(&node.id);
        st.in_flight = Some(InFlight {
            asked_duration: asked,
            jumps_at_start,
        });
        st.forced = false;
        action
    }
}
