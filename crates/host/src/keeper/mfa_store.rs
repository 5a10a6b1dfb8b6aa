//! The MFA session on disk, only when the person opts in (`mfa.persist =
//! true`): `STATE/mfa/<key>.json`, owner-only, replaced atomically under
//! its sidecar lock ([`crate::locked_edit`]), so a
//! keeper started again before the session ends needs no new code. Off (the
//! default), the session lives in the keeper's memory only, and a file left
//! from when it was on is removed.
//!
//! `<key>` is 16 hex digits of the SHA-256 of the credentials file's path,
//! the long-term keys' profile and the MFA device, so two AWS homes never
//! share a session. A session is taken back only while it is valid and was
//! obtained with the long-term key the profile holds now; an unreadable
//! file counts as absent.

use std::collections::HashSet;
use std::convert::Infallible;
use std::io;
use std::path::{Path, PathBuf};

use leasekeeper_engine::Secret;
use leasekeeper_engine::keeper::{Finished, Graph, Input, NodeId, NodeKind, Outcome};
use leasekeeper_engine::ports::Credentials;
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_engine::timefmt::{format_z, parse_timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::clock::KeeperClock;
use super::exec::Connect;
use super::run::Keeper;
use crate::atomic;
use crate::locked_edit::{self, Planned};

/// The MFA session files of one AWS home.
#[derive(Debug, Clone)]
pub struct MfaStore {
    dir: PathBuf,
    credentials: PathBuf,
}

/// One file: the session's keys and what they were obtained with.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    profile: String,
    mfa_serial: String,
    /// The long-term access key id the session was obtained with (not a
    /// secret): a session of replaced keys is not taken back.
    source_access_key_id: String,
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
}

impl MfaStore {
    /// The files under `state_dir/mfa` for the credentials file at `credentials`.
    pub fn new(state_dir: &Path, credentials: &Path) -> MfaStore {
        MfaStore {
            dir: state_dir.join("mfa"),
            credentials: credentials.to_owned(),
        }
    }

    /// The file of the session over `profile`'s keys with `serial`.
    pub fn path(&self, profile: &str, serial: &str) -> PathBuf {
        let mut h = Sha256::new();
        h.update(self.credentials.to_string_lossy().as_bytes());
        for part in [profile, serial] {
            h.update([0]);
            h.update(part.as_bytes());
        }
        let key: String = h
            .finalize()
            .iter()
            .take(8)
            .map(|b| format!("{b:02x}"))
            .collect();
        self.dir.join(format!("{key}.json"))
    }

    /// Writes the session, owner-only and atomically.
    pub fn save(
        &self,
        profile: &str,
        serial: &str,
        source_access_key_id: &str,
        keys: &Credentials,
    ) -> io::Result<()> {
        let (Some(token), Some(expiration)) = (&keys.session_token, keys.expiration) else {
            return Err(io::Error::other("an MFA session has a token and an expiry"));
        };
        let record = Record {
            profile: profile.to_owned(),
            mfa_serial: serial.to_owned(),
            source_access_key_id: source_access_key_id.to_owned(),
            access_key_id: keys.access_key_id.clone(),
            secret_access_key: keys.secret_access_key.expose().to_owned(),
            session_token: token.expose().to_owned(),
            expiration: format_z(expiration),
        };
        let bytes = serde_json::to_vec(&record).map_err(io::Error::other)?;
        atomic::create_private_dir(&self.dir)?;
        locked_edit::edit(&self.path(profile, serial), |_| {
            Ok::<_, Infallible>(Planned::Replace(bytes.clone(), ()))
        })
        .map_err(io::Error::other)
    }

    /// The session saved for `profile`'s keys and `serial`, when it was
    /// obtained with `source_access_key_id` and is valid after `now`.
    pub fn load(
        &self,
        profile: &str,
        serial: &str,
        source_access_key_id: &str,
        now: OffsetDateTime,
    ) -> Option<Credentials> {
        let bytes = std::fs::read(self.path(profile, serial)).ok()?;
        let r: Record = serde_json::from_slice(&bytes).ok()?;
        let expiration = parse_timestamp(&r.expiration)?;
        let ours = r.profile == profile
            && r.mfa_serial == serial
            && r.source_access_key_id == source_access_key_id;
        (ours && expiration > now).then(|| Credentials {
            access_key_id: r.access_key_id,
            secret_access_key: Secret::new(r.secret_access_key),
            session_token: Some(Secret::new(r.session_token)),
            expiration: Some(expiration),
        })
    }

    /// Removes the file; `false` when there was none.
    pub fn remove(&self, profile: &str, serial: &str) -> io::Result<bool> {
        let path = self.path(profile, serial);
        if !path.exists() {
            // Nothing to remove: no lock file is made for it either.
            return Ok(false);
        }
        locked_edit::edit(&path, |current| {
            Ok::<_, Infallible>(match current {
                Some(_) => Planned::Remove(true),
                None => Planned::Unchanged(false),
            })
        })
        .map_err(io::Error::other)
    }
}

/// The MFA-session node `id`: its keys' profile and device.
fn session_of(graph: &Graph, id: &NodeId) -> Option<(String, String)> {
    match &graph.node(id)?.kind {
        NodeKind::MfaSession {
            profile,
            mfa_serial,
        } => Some((profile.clone(), mfa_serial.clone())),
        _ => None,
    }
}

/// The long-term access key id `profile` holds.
fn source_key_id(snapshot: &Snapshot, profile: &str) -> Option<String> {
    let p = snapshot.set.profile(profile)?;
    p.get_nonempty("aws_access_key_id").map(str::to_owned)
}

impl<C: Connect, K: KeeperClock> Keeper<C, K> {
    /// Before a step that reads the files: with `mfa.persist`, each MFA
    /// session of the graph they make that is not held yet is taken back
    /// from its file and told to the engine as renewed (in the same step,
    /// so no code is asked for meanwhile); without, its file is removed.
    /// Each node is looked at once per run.
    pub(super) fn mfa_sessions_from_disk(
        &mut self,
        inputs: &mut Vec<Input>,
        seen: &mut HashSet<NodeId>,
    ) {
        let Some(files) = inputs.iter().rev().find_map(|i| match i {
            Input::Files(f) => Some(f.clone()),
            _ => None,
        }) else {
            return;
        };
        let settings = inputs
            .iter()
            .rev()
            .find_map(|i| match i {
                Input::Settings(s) => Some(s.as_ref().clone()),
                _ => None,
            })
            .unwrap_or_else(|| self.state.settings().clone());
        let graph = Graph::build(&files.snapshot, &settings);
        let persist = settings.mfa.persist;
        let nodes: Vec<NodeId> = graph
            .nodes()
            .filter(|n| matches!(n.kind, NodeKind::MfaSession { .. }))
            .map(|n| n.id.clone())
            .filter(|id| !seen.contains(id) && !self.held.contains_key(id))
            .collect();
        for id in nodes {
            seen.insert(id.clone());
            let Some((profile, serial)) = session_of(&graph, &id) else {
                continue;
            };
            if !persist {
                if let Err(e) = self.mfa_store.remove(&profile, &serial) {
                    tracing::warn!(error = %e, "cannot remove the MFA session file");
                }
                continue;
            }
            let Some(source) = source_key_id(&files.snapshot, &profile) else {
                continue;
            };
            let now = self.clock.now();
            if let Some(keys) = self.mfa_store.load(&profile, &serial, &source, now) {
                let expires_at = keys.expiration.unwrap_or(now);
                tracing::info!(serial = %serial, expires_at = %expires_at, "MFA session taken back from its file");
                self.held.insert(id.clone(), keys);
                inputs.push(Input::Finished(Finished {
                    node: id,
                    server_date: None,
                    outcome: Outcome::Renewed { expires_at },
                }));
            }
        }
    }

    /// With `mfa.persist`, writes the MFA session node `id` just obtained.
    pub(super) fn mfa_session_obtained(&self, id: &NodeId) {
        if !self.state.settings().mfa.persist {
            return;
        }
        let graph = self.state.graph();
        let (Some((profile, serial)), Some(keys)) = (session_of(graph, id), self.held.get(id))
        else {
            return;
        };
        let Some(source) = self
            .state
            .snapshot()
            .and_then(|s| source_key_id(s, &profile))
        else {
            return;
        };
        match self.mfa_store.save(&profile, &serial, &source, keys) {
            Ok(()) => {
                tracing::info!(serial = %serial, "MFA session kept in its file (mfa.persist)")
            }
            Err(e) => tracing::warn!(error = %e, "cannot write the MFA session file"),
        }
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;

    fn keys(expiration: OffsetDateTime) -> Credentials {
        Credentials {
            access_key_id: "ASIASESSION".into(),
            secret_access_key: Secret::new("session-secret"),
            session_token: Some(Secret::new("session-token")),
            expiration: Some(expiration),
        }
    }

    #[test]
    fn a_session_is_taken_back_only_while_valid_and_over_the_same_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = MfaStore::new(dir.path(), Path::new("/home/me/.aws/credentials"));
        let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
        let ends = now + Duration::hours(12);
        store
            .save("alice", "arn:mfa/alice", "AKIAALICE", &keys(ends))
            .unwrap();
        let path = store.path("alice", "arn:mfa/alice");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = std::fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
        let back = store
            .load("alice", "arn:mfa/alice", "AKIAALICE", now)
            .expect("taken back");
        assert_eq!(back, keys(ends));
        assert_eq!(
            store.load("alice", "arn:mfa/alice", "AKIANEWKEY", now),
            None,
            "keys replaced"
        );
        assert_eq!(store.load("alice", "arn:mfa/other", "AKIAALICE", now), None);
        assert_eq!(
            store.load("alice", "arn:mfa/alice", "AKIAALICE", ends),
            None,
            "ended"
        );
        let other_home = MfaStore::new(dir.path(), Path::new("/home/you/.aws/credentials"));
        assert_eq!(
            other_home.load("alice", "arn:mfa/alice", "AKIAALICE", now),
            None
        );
        std::fs::write(&path, b"{not json").unwrap();
        assert_eq!(store.load("alice", "arn:mfa/alice", "AKIAALICE", now), None);
        assert!(store.remove("alice", "arn:mfa/alice").unwrap());
        assert!(!store.remove("alice", "arn:mfa/alice").unwrap());
    }
}
