//! [`Graph::build`]: resolving each profile and adding the nodes of its
//! chain, sharing every node two chains have in common.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};

use super::consumers::served_profiles;
use super::{Graph, ManagedProfile, NeedsPerson, Node, NodeId, NodeKind, RoleCall, Skip};
use crate::keeper::policy::CHAINED_ROLE_MAX_SECONDS;
use crate::profiles::ProfileSet;
use crate::resolve::{Base, Chain, SourceKeys, SsoSource, resolve};
use crate::settings::Settings;
use crate::signin::SsoTarget;
use crate::signin::target::session_target;
use crate::snapshot::Snapshot;

impl Graph {
    /// The graph of every profile in `snapshot` under `settings`.
    pub fn build(snapshot: &Snapshot, settings: &Settings) -> Graph {
        let mut b = Builder {
            set: &snapshot.set,
            settings,
            graph: Graph::default(),
            sections: BTreeMap::new(),
            consumed: served_profiles(&snapshot.set),
        };
        for name in snapshot.set.profiles.keys() {
            match resolve(&snapshot.set, name) {
                Ok(chain) => b.profile(&chain),
                Err(e) => b.skip(
                    name,
                    Skip::Unresolved {
                        code: e.code().to_owned(),
                    },
                ),
            }
        }
        let mut graph = b.graph;
        let mut order: Vec<&Node> = graph.nodes.values().collect();
        order.sort_by(|a, b| (a.depth, &a.id).cmp(&(b.depth, &b.id)));
        graph.order = order.into_iter().map(|n| n.id.clone()).collect();
        graph
    }
}

struct Builder<'a> {
    set: &'a ProfileSet,
    settings: &'a Settings,
    graph: Graph,
    /// Sections claimed so far, and by which profile.
    sections: BTreeMap<String, String>,
    /// Profiles a `leasekeeper credential-process` line asks for.
    consumed: BTreeSet<String>,
}

impl Builder<'_> {
    fn skip(&mut self, profile: &str, why: Skip) {
        self.graph.skipped.insert(profile.to_owned(), why);
    }

    fn profile(&mut self, chain: &Chain) {
        let name = chain.profile.as_str();
        let over_long_term = matches!(&chain.base, Base::Keys(k) if !k.is_temporary());
        // The first role's MFA over long-term keys is carried by an MFA
        // session: one code per session instead of one per AssumeRole.
        let mfa_session =
            over_long_term && chain.roles.first().is_some_and(|r| r.mfa_serial.is_some());
        let enabled = if mfa_session {
            self.settings.auto_renew_mfa(name)
        } else {
            self.settings.auto_renew(name, over_long_term)
        };
        // Left out of the file by `[renew]` alone (not by the profile's own
        // `renew = false`) but asked for by credential_process: served only.
        let serve_only = !enabled
            && self.consumed.contains(name)
            && self.settings.profiles.get(name).and_then(|p| p.renew) != Some(false);
        let enabled = enabled || serve_only;
        let mut node = match &chain.base {
            Base::Sso(sso) => {
                if !enabled {
                    return self.skip(name, Skip::Disabled);
                }
                let token = self.sso_token(sso, name);
                if !sso.has_role() {
                    return self.skip(name, Skip::TokenOnly);
                }
                self.sso_role(sso, token, name)
            }
            Base::Keys(k) => {
                // Another tool's temporary keys are watched (their lapse is
                // warned about) unless the person turned the profile off.
                let watched = k.is_temporary()
                    && self.settings.profiles.get(name).and_then(|p| p.renew) != Some(false);
                if chain.roles.is_empty() || !enabled {
                    if watched && k.expires_at.is_some() {
                        self.keys(k.profile.as_str(), true, k.expires_at, name);
                    }
                    let why = if chain.roles.is_empty() {
                        Skip::NothingToRenew
                    } else {
                        Skip::Disabled
                    };
                    return self.skip(name, why);
                }
                self.keys(&k.profile, k.is_temporary(), k.expires_at, name)
            }
            Base::Process(_) => return self.skip(name, unsupported("credential_process")),
            Base::WebIdentity(_) => return self.skip(name, unsupported("web_identity")),
            Base::CredentialSource(c) => return self.skip(name, unsupported(c.source.as_str())),
        };
        // Only the first role can be assumed with long-term keys.
        let mut over_keys = over_long_term;
        for (i, role) in chain.roles.iter().enumerate() {
            let mut mfa_serial = role.mfa_serial.clone();
            let mut needs = None;
            if let Some(serial) = &role.mfa_serial {
                if over_keys {
                    // An MFA session over the keys carries the MFA: the role
                    // itself is then assumed without a code.
                    node = self.mfa_session(&node, serial, name);
                    mfa_serial = None;
                } else {
                    needs = Some(NeedsPerson::MfaCodeEachRenewal);
                }
            }
            let chained = if i == 0 {
                chain.first_role_source_keys() == Some(SourceKeys::AssumedRole)
            } else {
                true
            };
            let call = RoleCall {
                profile: role.profile.clone(),
                role_arn: role.role_arn.clone(),
                external_id: role.external_id.clone(),
                role_session_name: role.role_session_name.clone(),
                duration_seconds: role.duration_seconds,
                mfa_serial,
            };
            node = self.role(&node, call, chained, needs, name);
            over_keys = false;
        }
        if serve_only {
            self.skip(name, Skip::ServedOnly);
            self.graph.served.insert(
                name.to_owned(),
                ManagedProfile {
                    profile: name.to_owned(),
                    node,
                    section: String::new(),
                    take_over: false,
                },
            );
            return;
        }
        let section = self.settings.section_for(name).to_owned();
        if let Some(by) = self.sections.get(&section) {
            let by = by.clone();
            return self.skip(name, Skip::SectionTaken { section, by });
        }
        self.sections.insert(section.clone(), name.to_owned());
        self.graph.managed.insert(
            name.to_owned(),
            ManagedProfile {
                profile: name.to_owned(),
                node,
                section,
                take_over: self.settings.take_over(name),
            },
        );
    }

    /// Adds the node unless present; records `profile` as going through it.
    fn add(&mut self, node: Node, profile: &str) -> NodeId {
        let id = node.id.clone();
        let entry = self.graph.nodes.entry(id.clone()).or_insert(node);
        if !entry.profiles.iter().any(|p| p == profile) {
            entry.profiles.push(profile.to_owned());
        }
        id
    }

    fn depth(&self, parent: &NodeId) -> u32 {
        self.graph.nodes.get(parent).map_or(0, |p| p.depth + 1)
    }

    fn leaf(id: String, kind: NodeKind, parent: Option<&NodeId>, depth: u32) -> Node {
        Node {
            id: NodeId::new(id),
            kind,
            parent: parent.cloned(),
            depth,
            duration_seconds: None,
            chained: false,
            capped_from: None,
            needs: None,
            profiles: Vec::new(),
        }
    }

    fn sso_token(&mut self, sso: &SsoSource, profile: &str) -> NodeId {
        let target = self.target(sso);
        let id = format!("sso-token:{}", target.name());
        self.add(Self::leaf(id, NodeKind::SsoToken(target), None, 0), profile)
    }

    fn sso_role(&mut self, sso: &SsoSource, token: NodeId, profile: &str) -> NodeId {
        let target = self.target(sso);
        let account_id = sso.account_id.clone().unwrap_or_default();
        let role_name = sso.role_name.clone().unwrap_or_default();
        let id = format!("sso-role:{}/{account_id}/{role_name}", target.name());
        let kind = NodeKind::SsoRole {
            target,
            account_id,
            role_name,
        };
        let depth = self.depth(&token);
        self.add(Self::leaf(id, kind, Some(&token), depth), profile)
    }

    /// The sign-in target, with the sso-session's registration scopes when
    /// it reads cleanly (resolution already checked start URL and region).
    fn target(&self, sso: &SsoSource) -> SsoTarget {
        sso.session
            .as_deref()
            .and_then(|s| session_target(self.set, s).ok())
            .unwrap_or_else(|| SsoTarget {
                session: sso.session.clone(),
                start_url: sso.start_url.clone(),
                region: sso.region.clone(),
                configured_scopes: Vec::new(),
            })
    }

    fn keys(
        &mut self,
        key_profile: &str,
        temporary: bool,
        expires_at: Option<time::OffsetDateTime>,
        profile: &str,
    ) -> NodeId {
        let kind = NodeKind::Keys {
            profile: key_profile.to_owned(),
            temporary,
            expires_at,
        };
        self.add(
            Self::leaf(format!("keys:{key_profile}"), kind, None, 0),
            profile,
        )
    }

    fn mfa_session(&mut self, keys: &NodeId, serial: &str, profile: &str) -> NodeId {
        let key_profile = keys.as_str().trim_start_matches("keys:").to_owned();
        let id = format!("mfa-session:{key_profile}/{serial}");
        let kind = NodeKind::MfaSession {
            profile: key_profile,
            mfa_serial: serial.to_owned(),
        };
        let mut node = Self::leaf(id, kind, Some(keys), self.depth(keys));
        node.duration_seconds =
            u32::try_from(self.settings.mfa.session_duration.whole_seconds()).ok();
        node.needs = Some(NeedsPerson::MfaCodeForSession);
        self.add(node, profile)
    }

    fn role(
        &mut self,
        parent: &NodeId,
        call: RoleCall,
        chained: bool,
        needs: Option<NeedsPerson>,
        profile: &str,
    ) -> NodeId {
        let mut h = Sha256::new();
        for part in [
            Some(parent.as_str()),
            call.external_id.as_deref(),
            call.role_session_name.as_deref(),
            call.duration_seconds.map(|d| d.to_string()).as_deref(),
            call.mfa_serial.as_deref(),
        ] {
            h.update(part.unwrap_or("-").as_bytes());
            h.update([0]);
        }
        let id = format!(
            "role:{}~{}",
            call.role_arn,
            hex::encode(h.finalize().get(..6).unwrap_or_default())
        );
        let capped = chained
            && call
                .duration_seconds
                .is_some_and(|d| d > CHAINED_ROLE_MAX_SECONDS);
        let mut node = Self::leaf(
            id,
            NodeKind::AssumeRole(call.clone()),
            Some(parent),
            self.depth(parent),
        );
        node.duration_seconds = if capped {
            Some(CHAINED_ROLE_MAX_SECONDS)
        } else {
            call.duration_seconds
        };
        node.capped_from = call.duration_seconds.filter(|_| capped);
        node.chained = chained;
        node.needs = needs;
        self.add(node, profile)
    }
}

fn unsupported(source: &str) -> Skip {
    Skip::Unsupported {
        source: source.to_owned(),
    }
}
