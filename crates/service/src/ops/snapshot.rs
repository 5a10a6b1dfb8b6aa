//! The files as shown to a person: the parsed AWS files plus Leasekeeper's
//! sign-in records and the session-length estimates from the settings, so
//! an SSO lease ends at the estimated end of its sign-in rather than at the
//! client registration's expiry. `status`, the tray's menu, a clicked
//! lease's notification and the window all read the files through
//! [`snapshot`].

use leasekeeper_engine::lease::{self, Lease};
use leasekeeper_engine::load;
use leasekeeper_engine::report::Problem;
use leasekeeper_engine::settings::Settings;
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::socket::{ClientError, KeeperView};
use time::OffsetDateTime;

use crate::Environment;

/// When the files are looked at, and how the session lengths are scaled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moment {
    /// `None`: now, and sightings of new sign-ins are recorded; a time
    /// given is looked at without recording anything.
    pub at: Option<OffsetDateTime>,
    /// The session lengths are divided by this: 1 for `status` (whose
    /// other leads are unscaled too), the time scale for the tray.
    pub length_scale: f64,
}

impl Moment {
    /// Now, with real session lengths (`status`).
    pub fn now() -> Moment {
        Moment {
            at: None,
            length_scale: 1.0,
        }
    }

    /// Now, with the session lengths divided by `scale` (the tray's leads).
    pub fn scaled(scale: f64) -> Moment {
        Moment {
            at: None,
            length_scale: scale,
        }
    }
}

/// The files read, and the moment they are shown at.
#[derive(Debug)]
pub struct Shown {
    pub snapshot: Snapshot,
    pub now: OffsetDateTime,
}

/// Reads the files at `paths` now, with the sign-in records from the state
/// folder `env` names and the session lengths `moment` says. Reading the
/// token cache records when each sign-in was first seen (the estimate of a
/// sign-in another tool made counts from then), unless `moment` is a given
/// time. Without a state folder the registration's expiry is an upper
/// bound; with an unreadable settings file the default session length is
/// used.
pub fn snapshot(paths: &AwsPaths, env: &Environment, moment: Moment) -> Shown {
    let now = moment.at.unwrap_or_else(|| {
        leasekeeper_engine::ports::Clock::now(&leasekeeper_host::clock::SystemClock)
    });
    let mut snapshot = load::snapshot(&aws_files::read(paths));
    if let Ok(signin) = SignInEnv::from_env(env.lookup(), paths) {
        let text = settings_path(env.lookup()).and_then(|p| std::fs::read_to_string(p).ok());
        let settings = Settings::parse(text.as_deref().unwrap_or("")).0;
        snapshot.sign_ins = signin.sign_ins(
            &snapshot,
            &settings,
            now,
            moment.at.is_none(),
            moment.length_scale,
        );
    }
    Shown { snapshot, now }
}

/// One profile's lease as shown to a person (a clicked menu line).
pub fn lease(paths: &AwsPaths, env: &Environment, moment: Moment, profile: &str) -> Lease {
    let shown = snapshot(paths, env, moment);
    lease::compute::lease(&shown.snapshot, profile, shown.now)
}

/// What `status` shows: the leases of the profiles asked for (all when
/// none), most urgent first, the files' problems, and the running keeper's
/// view.
#[derive(Debug)]
pub struct Status {
    pub leases: Vec<Lease>,
    pub problems: Vec<Problem>,
    pub now: OffsetDateTime,
    /// `Ok(None)`: no keeper runs; `Err`: one runs and did not answer.
    pub keeper: Result<Option<KeeperView>, ClientError>,
}

/// Why `status` shows nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusError {
    #[error("no profile named `{name}` in {config} or {credentials}")]
    UnknownProfile {
        name: String,
        config: String,
        credentials: String,
    },
}

impl StatusError {
    pub fn code(&self) -> &'static str {
        match self {
            StatusError::UnknownProfile { .. } => "unknown_profile",
        }
    }
}

/// The leases of `profiles` (every profile when empty) at `moment`, most
/// urgent first, with the keeper's view when one runs.
pub fn status(
    paths: &AwsPaths,
    env: &Environment,
    moment: Moment,
    profiles: &[String],
) -> Result<Status, StatusError> {
    let Shown { mut snapshot, now } = snapshot(paths, env, moment);
    if let Some(missing) = profiles
        .iter()
        .find(|p| !snapshot.set.profiles.contains_key(*p))
    {
        return Err(StatusError::UnknownProfile {
            name: missing.clone(),
            config: paths.config.display().to_string(),
            credentials: paths.credentials.display().to_string(),
        });
    }
    let mut leases = lease::leases(&snapshot, now);
    if !profiles.is_empty() {
        leases.retain(|l| profiles.contains(&l.profile));
    }
    lease::urgency::sort(&mut leases);
    let problems = std::mem::take(&mut snapshot.problems);
    // The process usually ends soon after: freeing thousands of small
    // allocations one by one would only delay it.
    std::mem::forget(snapshot);
    Ok(Status {
        leases,
        problems,
        now,
        keeper: keeper_view(paths, env),
    })
}

/// The running keeper's view; `Ok(None)` when none runs.
fn keeper_view(paths: &AwsPaths, env: &Environment) -> Result<Option<KeeperView>, ClientError> {
    let Some(state_dir) = leasekeeper_host::state_dir::state_dir(env.lookup()) else {
        return Ok(None);
    };
    let path = leasekeeper_host::socket::socket_path(&state_dir, paths);
    leasekeeper_host::socket::Client::connect(&path)
        .and_then(|c| c.map(|mut c| c.status()).transpose())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use leasekeeper_engine::profiles::sso_cache::cache_key;
    use time::Duration;
    use time::format_description::well_known::Rfc3339;

    use super::*;

    const CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Developer
";

    fn z(t: OffsetDateTime) -> String {
        t.replace_nanosecond(0).unwrap().format(&Rfc3339).unwrap()
    }

    /// A home with `corp` signed in by another tool (a refreshable token,
    /// its registration valid 80 days), and an environment naming it.
    fn home(dir: &Path) -> (AwsPaths, Environment) {
        let now = OffsetDateTime::now_utc();
        let aws = dir.join(".aws");
        std::fs::create_dir_all(aws.join("sso/cache")).unwrap();
        std::fs::write(aws.join("config"), CONFIG).unwrap();
        let token = format!(
            "{{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"eu-west-1\", \
             \"accessToken\": \"a\", \"expiresAt\": \"{}\", \"clientId\": \"c\", \
             \"clientSecret\": \"s\", \"registrationExpiresAt\": \"{}\", \
             \"refreshToken\": \"r\"}}",
            z(now + Duration::hours(1)),
            z(now + Duration::days(80)),
        );
        let file = aws.join(format!("sso/cache/{}.json", cache_key("corp")));
        std::fs::write(file, token).unwrap();
        let paths = AwsPaths {
            home: dir.to_path_buf(),
            config: aws.join("config"),
            credentials: aws.join("credentials"),
            sso_cache: aws.join("sso/cache"),
            cli_cache: aws.join("cli/cache"),
        };
        let mut env = Environment::process();
        env.set("HOME", dir);
        env.set("LEASEKEEPER_STATE_DIR", dir.join("state"));
        env.set("XDG_CONFIG_HOME", dir.join("xdg-config"));
        env.unset("LEASEKEEPER_CONFIG_DIR");
        env.unset("LEASEKEEPER_TIME_SCALE");
        (paths, env)
    }

    fn action_needed_in(shown: &Shown) -> Duration {
        let lease = lease::compute::lease(&shown.snapshot, "dev", shown.now);
        lease.action_needed_at.unwrap() - shown.now
    }

    #[test]
    fn the_sign_in_ends_at_the_estimate_not_the_registration() {
        let dir = tempfile::tempdir().unwrap();
        let (paths, env) = home(dir.path());
        let shown = snapshot(&paths, &env, Moment::now());
        let left = action_needed_in(&shown);
        assert!(
            left > Duration::hours(7) && left <= Duration::hours(8),
            "{left}"
        );
        // The scaled view (the tray's) divides the session length.
        let scaled = snapshot(&paths, &env, Moment::scaled(60.0));
        let left = action_needed_in(&scaled);
        assert!(left <= Duration::minutes(8), "{left}");
        // The raw files alone know only the registration's expiry.
        let raw = load::snapshot(&aws_files::read(&paths));
        let lease = lease::compute::lease(&raw, "dev", shown.now);
        assert!(lease.action_needed_at.unwrap() - shown.now > Duration::days(79));
    }

    #[test]
    fn a_given_time_records_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (paths, env) = home(dir.path());
        let at = OffsetDateTime::now_utc() + Duration::hours(1);
        let moment = Moment {
            at: Some(at),
            length_scale: 1.0,
        };
        let shown = snapshot(&paths, &env, moment);
        assert_eq!(shown.now, at);
        assert!(!dir.path().join("state/sightings").exists());
        assert!(
            snapshot(&paths, &env, Moment::now())
                .snapshot
                .sign_ins
                .sightings
                .len()
                == 1
        );
    }

    #[test]
    fn status_names_an_unknown_profile() {
        let dir = tempfile::tempdir().unwrap();
        let (paths, env) = home(dir.path());
        let e = status(&paths, &env, Moment::now(), &["nope".to_owned()]).unwrap_err();
        assert_eq!(e.code(), "unknown_profile");
        assert!(e.to_string().contains("`nope`"), "{e}");
        let s = status(&paths, &env, Moment::now(), &["dev".to_owned()]).unwrap();
        assert_eq!(s.leases.len(), 1);
        assert!(matches!(s.keeper, Ok(None)));
    }
}
