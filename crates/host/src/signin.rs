//! What a shell needs for the sign-in flows, from its environment: the time
//! scale (`LEASEKEEPER_TIME_SCALE`), the state folder, the browser, the
//! custom CA bundle (`AWS_CA_BUNDLE`, else the profile's `ca_bundle`), and
//! the [`FileStore`] over the SSO token cache and the state folder, and the
//! recorded sign-ins a status estimates sign-in ends from
//! ([`SignInEnv::sign_ins`]).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;

use leasekeeper_engine::ports::{Store, StoreFile};
use leasekeeper_engine::profiles::Profile;
use leasekeeper_engine::profiles::locations::{AwsPaths, expand_home};
use leasekeeper_engine::settings::Settings;
use leasekeeper_engine::signin::TimeScale;
use leasekeeper_engine::signin::policy::MIN_TIME_SCALE;
use leasekeeper_engine::signin::records::SessionRecord;
use leasekeeper_engine::signin::sighting::{Sighting, observe};
use leasekeeper_engine::signin::target::all_targets;
use leasekeeper_engine::snapshot::{SignIns, Snapshot};
use time::OffsetDateTime;

use crate::browser::SystemBrowser;
use leasekeeper_engine::proxy::Proxy;

use crate::state_dir::{STATE_DIR_ENV, state_dir};
use crate::store::FileStore;

/// Divides every policy constant (tests and demos set the sandbox's speed).
pub const TIME_SCALE_ENV: &str = "LEASEKEEPER_TIME_SCALE";
/// A PEM bundle of extra root certificates for every AWS call.
pub const CA_BUNDLE_ENV: &str = "AWS_CA_BUNDLE";

/// Why the environment cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    #[error("{TIME_SCALE_ENV} must be a number of at least {MIN_TIME_SCALE}, got `{0}`")]
    BadTimeScale(String),
    #[error("cannot find the state folder: set {STATE_DIR_ENV}, XDG_STATE_HOME or HOME")]
    NoStateDir,
}

impl EnvError {
    pub fn code(&self) -> &'static str {
        match self {
            EnvError::BadTimeScale(_) => "bad_time_scale",
            EnvError::NoStateDir => "no_state_dir",
        }
    }
}

/// The sign-in's surroundings.
#[derive(Debug, Clone)]
pub struct SignInEnv {
    pub scale: TimeScale,
    pub state_dir: PathBuf,
    pub browser: SystemBrowser,
    /// The proxy for AWS calls: the environment's, unless the shell says
    /// otherwise (the tray app's settings).
    pub proxy: Proxy,
    ca_bundle_env: Option<PathBuf>,
    home: PathBuf,
    sso_cache: PathBuf,
}

impl SignInEnv {
    /// From an environment lookup and the AWS paths in use.
    pub fn from_env(
        env: impl Fn(&str) -> Option<OsString>,
        paths: &AwsPaths,
    ) -> Result<SignInEnv, EnvError> {
        let scale = match env(TIME_SCALE_ENV) {
            None => TimeScale::default(),
            Some(v) => {
                let text = v.to_string_lossy().into_owned();
                TimeScale::parse(&text).ok_or(EnvError::BadTimeScale(text))?
            }
        };
        let state_dir = state_dir(&env).ok_or(EnvError::NoStateDir)?;
        Ok(SignInEnv {
            scale,
            state_dir,
            browser: SystemBrowser::from_env(&env),
            proxy: Proxy::Environment,
            ca_bundle_env: env(CA_BUNDLE_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            home: paths.home.clone(),
            sso_cache: paths.sso_cache.clone(),
        })
    }

    /// The token cache and state files.
    pub fn store(&self) -> FileStore {
        FileStore::new(self.sso_cache.clone(), self.state_dir.clone())
    }

    /// Our sign-in records for the tokens in `snapshot`, the session
    /// lengths `settings` estimate divided by `length_scale` (1 for the
    /// status, whose other leads are unscaled too), and when each sign-in
    /// was first seen at `now`. With `record`, a sighting new or changed is
    /// written to the state folder ([`record_sightings`]); without, only
    /// what is already kept counts. Sightings are decided with the lengths
    /// divided by the time scale, whatever `length_scale` is: every reader
    /// (`status`, the keeper, the tray) writes the same files and must
    /// decide alike. A record that cannot be read counts as absent.
    pub fn sign_ins(
        &self,
        snapshot: &Snapshot,
        settings: &Settings,
        now: OffsetDateTime,
        record: bool,
        length_scale: f64,
    ) -> SignIns {
        let store = self.store();
        let records = snapshot
            .sso_tokens
            .keys()
            .filter_map(|key| {
                let bytes = store.read(&StoreFile::Session(key.clone())).ok()??;
                SessionRecord::parse(&bytes).map(|r| (key.clone(), r))
            })
            .collect();
        let lengths = settings
            .sso_sessions
            .iter()
            .map(|(name, s)| (name.clone(), s.session_length))
            .collect();
        let unscaled = SignIns {
            records,
            lengths,
            ..SignIns::default()
        };
        let deciding = unscaled.clone().scaled(self.scale.factor());
        let sightings = record_sightings(&store, snapshot, &deciding, now, self.scale, record);
        SignIns {
            sightings,
            ..unscaled.scaled(length_scale)
        }
    }

    /// The CA bundle for AWS calls: `AWS_CA_BUNDLE`, else the profile's
    /// `ca_bundle` (a leading `~` is the home folder), as botocore reads them.
    pub fn ca_bundle(&self, profile: Option<&Profile>) -> Option<PathBuf> {
        self.ca_bundle_env.clone().or_else(|| {
            profile
                .and_then(|p| p.get_nonempty("ca_bundle"))
                .map(|p| expand_home(std::path::Path::new(p), &self.home))
        })
    }
}

/// When the sign-in behind each refreshable token in `snapshot` was first
/// seen, at `now`: read from the state folder and, with `record`, brought
/// up to date there ([`observe`] decides whether the token continues the
/// sign-in kept or starts a new one). Only sightings that are kept count:
/// one that could not be written (a read-only or missing state folder, a
/// lock held by another process) is left out, so the registration's expiry
/// is then an upper bound. With `record`, the sighting of a configured
/// session whose token file is gone is removed, so a token file that
/// appears again is a new sign-in. Never fails: reading the token cache
/// goes on whatever happens here.
pub fn record_sightings<S: Store>(
    store: &S,
    snapshot: &Snapshot,
    sign_ins: &SignIns,
    now: OffsetDateTime,
    scale: TimeScale,
    record: bool,
) -> BTreeMap<String, Sighting> {
    let names: BTreeMap<String, String> = all_targets(&snapshot.set)
        .iter()
        .map(|t| (t.cache_key(), t.name().to_owned()))
        .collect();
    let read = |file: &StoreFile| -> Option<Vec<u8>> { store.read(file).ok().flatten() };
    if record {
        for key in names.keys() {
            let gone = !snapshot.sso_tokens.contains_key(key);
            if gone && read(&StoreFile::Sighting(key.clone())).is_some() {
                forget_sighting(store, key);
            }
        }
    }
    let mut out = BTreeMap::new();
    for (key, token) in &snapshot.sso_tokens {
        let Ok(token) = token else { continue };
        let length = sign_ins.length(names.get(key).map_or(key.as_str(), String::as_str));
        let file = StoreFile::Sighting(key.clone());
        let kept = read(&file).and_then(|b| Sighting::parse(&b));
        let ours = sign_ins.records.get(key);
        let Some(seen) = observe(token, ours, kept.as_ref(), length, now, scale) else {
            continue;
        };
        let same_start =
            |k: &Sighting| k.first_seen_at == seen.first_seen_at && k.origin == seen.origin;
        if kept.as_ref() == Some(&seen) {
            out.insert(key.clone(), seen);
            continue;
        }
        let written = if record {
            write_sighting(store, key, token, length, now, scale)
        } else {
            None
        };
        match written {
            Some(s) => {
                out.insert(key.clone(), s);
            }
            // The start kept stands; only the token seen is newer.
            None if kept.as_ref().is_some_and(same_start) => {
                out.insert(key.clone(), seen);
            }
            None => {}
        }
    }
    out
}

/// Removes the sighting of `key` when its token file is still gone under
/// the locks a sighting is written under; a lock held leaves it for a
/// later read.
fn forget_sighting<S: Store>(store: &S, key: &str) {
    let Ok(Some(_session)) = store.try_lock(&StoreFile::Session(key.to_owned())) else {
        return;
    };
    let Ok(Some(lock)) = store.try_lock(&StoreFile::Sighting(key.to_owned())) else {
        return;
    };
    if matches!(store.read(&StoreFile::SsoToken(key.to_owned())), Ok(None)) {
        // Failing leaves it: the next read tries again.
        let _ = store.remove(&lock);
    }
}

/// Writes the sighting of `token` under its lock, decided again on what the
/// files hold under the locks; `None` when it cannot be (a lock held: our
/// own sign-in or refresh is writing this session right now, or another
/// reader is recording; a state folder that cannot be written).
fn write_sighting<S: Store>(
    store: &S,
    key: &str,
    token: &leasekeeper_engine::profiles::sso_cache::SsoToken,
    length: time::Duration,
    now: OffsetDateTime,
    scale: TimeScale,
) -> Option<Sighting> {
    let _session = store.try_lock(&StoreFile::Session(key.to_owned())).ok()??;
    let file = StoreFile::Sighting(key.to_owned());
    let lock = store.try_lock(&file).ok()??;
    let ours = store
        .read(&StoreFile::Session(key.to_owned()))
        .ok()
        .flatten()
        .and_then(|b| SessionRecord::parse(&b));
    let kept = store
        .read(&file)
        .ok()
        .flatten()
        .and_then(|b| Sighting::parse(&b));
    let seen = observe(token, ours.as_ref(), kept.as_ref(), length, now, scale)?;
    if kept.as_ref() != Some(&seen) {
        store.write(&lock, &seen.to_json()).ok()?;
    }
    Some(seen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn paths() -> AwsPaths {
        AwsPaths::from_env(|n| (n == "HOME").then(|| OsString::from("/h"))).unwrap()
    }

    #[test]
    fn the_environment_sets_scale_state_and_ca_bundle() {
        let vars = [
            (TIME_SCALE_ENV, "60"),
            (STATE_DIR_ENV, "/s"),
            (CA_BUNDLE_ENV, "/ca.pem"),
        ];
        let env = |n: &str| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| OsString::from(v))
        };
        let e = SignInEnv::from_env(env, &paths()).unwrap();
        assert_eq!(e.scale.factor(), 60.0);
        assert_eq!(e.state_dir, Path::new("/s"));
        let profile = Profile::from_pairs("p", [("ca_bundle", "~/corp.pem")]);
        assert_eq!(e.ca_bundle(Some(&profile)).unwrap(), Path::new("/ca.pem"));

        let env = |n: &str| (n == "HOME").then(|| OsString::from("/h"));
        let e = SignInEnv::from_env(env, &paths()).unwrap();
        assert_eq!(
            e.ca_bundle(Some(&profile)).unwrap(),
            Path::new("/h/corp.pem")
        );
        assert_eq!(e.ca_bundle(None), None);
        assert_eq!(e.state_dir, Path::new("/h/.local/state/leasekeeper"));

        let env = |n: &str| (n == TIME_SCALE_ENV).then(|| OsString::from("0"));
        let err = SignInEnv::from_env(env, &paths()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "LEASEKEEPER_TIME_SCALE must be a number of at least 0.001, got `0`"
        );
    }

    /// A snapshot of one refreshable token of `corp` in `sso_cache`.
    fn corp_snapshot(sso_cache: &Path, now: OffsetDateTime) -> Snapshot {
        use leasekeeper_engine::load::{CacheFileInput, FileInput, LoadInput, snapshot};
        use leasekeeper_engine::timefmt::format_z;
        let json = format!(
            r#"{{"accessToken":"SECRETaccess","expiresAt":"{}","clientId":"cid","clientSecret":"SECRETcs","refreshToken":"SECRETrt","registrationExpiresAt":"{}"}}"#,
            format_z(now + time::Duration::minutes(50)),
            format_z(now + time::Duration::days(80)),
        );
        let config = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\n[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\n";
        snapshot(&LoadInput {
            config: FileInput {
                path: "config".to_owned(),
                contents: Ok(Some(config.as_bytes().to_vec())),
            },
            credentials: FileInput {
                path: "credentials".to_owned(),
                contents: Ok(None),
            },
            sso_cache_dir: sso_cache.display().to_string(),
            sso_cache: vec![CacheFileInput {
                name: format!(
                    "{}.json",
                    leasekeeper_engine::profiles::sso_cache::cache_key("corp")
                ),
                contents: Ok(json.into_bytes()),
            }],
            cli_cache_dir: "cli".to_owned(),
            cli_cache: Vec::new(),
        })
    }

    #[test]
    fn reading_the_token_cache_records_first_sight_and_never_fails() {
        let dir = tempfile::tempdir().unwrap();
        let now = time::macros::datetime!(2026-11-22 09:00 UTC);
        let sso = dir.path().join("home/.aws/sso/cache");
        let snap = corp_snapshot(&sso, now);
        let key = leasekeeper_engine::profiles::sso_cache::cache_key("corp");
        let scale = TimeScale::default();
        let sign_ins = SignIns::default();

        // Without recording, nothing is known and nothing written.
        let store = FileStore::new(sso.clone(), dir.path().join("state"));
        let seen = record_sightings(&store, &snap, &sign_ins, now, scale, false);
        assert!(seen.is_empty());
        assert!(!dir.path().join("state").exists());

        // Recorded: kept in the state folder, owner-only, no secret in it.
        let seen = record_sightings(&store, &snap, &sign_ins, now, scale, true);
        assert_eq!(seen.get(&key).map(|s| s.first_seen_at), Some(now));
        let file = store.path(&StoreFile::Sighting(key.clone()));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("SECRET") && !text.contains("cid"), "{text}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Read later, the first sight stands.
        let later = now + time::Duration::minutes(5);
        let seen = record_sightings(&store, &snap, &sign_ins, later, scale, true);
        assert_eq!(seen.get(&key).map(|s| s.first_seen_at), Some(now));

        // Another home's token cache has a sighting of its own.
        let other = FileStore::new(dir.path().join("other/sso/cache"), dir.path().join("state"));
        assert_ne!(other.path(&StoreFile::Sighting(key)), file);

        // A state folder that cannot be created: no sighting, no failure.
        std::fs::write(dir.path().join("blocker"), "").unwrap();
        let blocked = FileStore::new(sso, dir.path().join("blocker/state"));
        assert!(record_sightings(&blocked, &snap, &sign_ins, now, scale, true).is_empty());
    }

    #[test]
    fn every_reader_decides_with_the_session_length_the_time_scale_divides() {
        use leasekeeper_engine::signin::sighting::{Origin, client_fingerprint};
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let state = dir.path().join("state");
        let vars = [
            ("HOME", home.as_os_str()),
            (STATE_DIR_ENV, state.as_os_str()),
            (TIME_SCALE_ENV, std::ffi::OsStr::new("60")),
        ];
        let env = |n: &str| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_os_string())
        };
        let paths = AwsPaths::from_env(env).unwrap();
        let signin = SignInEnv::from_env(env, &paths).unwrap();
        let now = time::macros::datetime!(2026-11-22 09:00 UTC);
        let key = leasekeeper_engine::profiles::sso_cache::cache_key("corp");
        // Another token, first seen 30 minutes ago and replaced at its
        // expiry: routine within an 8-hour session, after the end of the
        // 8-minute one the time scale of 60 makes of it.
        let kept = Sighting {
            first_seen_at: now - time::Duration::minutes(30),
            origin: Origin::FirstSeen,
            client_fingerprint: client_fingerprint("cid"),
            token_fingerprint: "0000000000000000".to_owned(),
            token_expires_at: now + time::Duration::seconds(10),
            token_seen_at: now - time::Duration::minutes(1),
        };
        let store = signin.store();
        let snap = corp_snapshot(&paths.sso_cache, now);
        let settings = Settings::parse("").0;
        for length_scale in [1.0, 60.0] {
            let file = StoreFile::Sighting(key.clone());
            let lock = store.lock(&file).unwrap();
            store.write(&lock, &kept.to_json()).unwrap();
            drop(lock);
            let sign_ins = signin.sign_ins(&snap, &settings, now, true, length_scale);
            let seen = sign_ins.sightings.get(&key).unwrap();
            assert_eq!((seen.first_seen_at, seen.origin), (now, Origin::FirstSeen));
            // What is shown keeps the lengths the caller asked for.
            assert_eq!(
                sign_ins.length("corp"),
                leasekeeper_engine::settings::DEFAULT_SESSION_LENGTH / length_scale
            );
        }
    }

    #[test]
    fn a_token_file_gone_takes_its_sighting_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let now = time::macros::datetime!(2026-11-22 09:00 UTC);
        let sso = dir.path().join("home/.aws/sso/cache");
        let snap = corp_snapshot(&sso, now);
        let key = leasekeeper_engine::profiles::sso_cache::cache_key("corp");
        let scale = TimeScale::default();
        let sign_ins = SignIns::default();
        let store = FileStore::new(sso.clone(), dir.path().join("state"));
        record_sightings(&store, &snap, &sign_ins, now, scale, true);
        let file = store.path(&StoreFile::Sighting(key.clone()));
        assert!(file.exists());

        // The token file is gone (`aws sso logout`); only recording removes.
        let mut gone = corp_snapshot(&sso, now);
        gone.sso_tokens.clear();
        let later = now + time::Duration::minutes(5);
        assert!(record_sightings(&store, &gone, &sign_ins, later, scale, false).is_empty());
        assert!(file.exists());
        // A token file the snapshot could not read is still there: kept.
        std::fs::create_dir_all(&sso).unwrap();
        std::fs::write(sso.join(format!("{key}.json")), "{}").unwrap();
        record_sightings(&store, &gone, &sign_ins, later, scale, true);
        assert!(file.exists());
        std::fs::remove_file(sso.join(format!("{key}.json"))).unwrap();
        record_sightings(&store, &gone, &sign_ins, later, scale, true);
        assert!(!file.exists());

        // The same token file back later is new to us: first seen then.
        let back = now + time::Duration::minutes(10);
        let seen = record_sightings(&store, &snap, &sign_ins, back, scale, true);
        assert_eq!(seen.get(&key).map(|s| s.first_seen_at), Some(back));
    }
}
