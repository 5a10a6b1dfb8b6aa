//! Renewing a selection now. While a keeper runs for these AWS files it
//! alone renews: the refresh is asked of it over its socket (a keeper that
//! does not answer is an error, never a hang), and a profile it reports
//! waiting for an MFA code is asked a code of when the shell can ask one,
//! the code handed to the keeper and the profile refreshed again. Without
//! a keeper, one pass of the keeper's own engine runs under the same lock,
//! renewing only the profiles selected; for a role with an MFA device a
//! code is asked first (unless `mfa.persist` keeps a session, which is then
//! used instead).

use std::time::Duration;

use leasekeeper_engine::Secret;
use leasekeeper_engine::keeper::{Command, Input, MfaCode};
use leasekeeper_engine::load;
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::keeper::{Keeper, Mode, Report};
use leasekeeper_host::signin::EnvError;
use leasekeeper_host::socket::client::SHORT_TIMEOUT;
use leasekeeper_host::socket::{Client, ClientError, ProfileState, ProfileView, Request, Response};

use super::mfa::{Device, device, persisted};
use super::{KEEPER_WAIT, PassError, keeper_client};
use crate::{Environment, SdkConnect};

/// What to renew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// This profile's chain, whatever the settings say.
    Profile(String),
    /// Every profile that renews by itself.
    All,
}

/// How the refresh went.
#[derive(Debug)]
pub enum Refreshed {
    /// The running keeper (this pid) renewed `renewed`; `failed` are still
    /// not renewed; `codes` says how giving the codes asked went.
    ByKeeper {
        pid: u32,
        renewed: Vec<ProfileView>,
        failed: Vec<ProfileView>,
        codes: Vec<CodeNote>,
    },
    /// No keeper runs: one pass renewed what `report` says.
    OnePass(Report),
}

/// A code given to the keeper that did not go through.
#[derive(Debug)]
pub enum CodeNote {
    /// The keeper answered something else.
    NotTaken(ClientError),
    /// The keeper or AWS refused it.
    Refused { code: String, message: String },
    /// The keeper could not be asked.
    NotGiven(ClientError),
}

/// Why nothing was refreshed.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error("no profile named `{name}` in {config} or {credentials}")]
    UnknownProfile {
        name: String,
        config: String,
        credentials: String,
    },
    #[error(transparent)]
    Environment(#[from] EnvError),
    #[error("cannot reach the keeper: {0}")]
    Reach(ClientError),
    /// The keeper renews only its managed profiles.
    #[error("{message}")]
    NotManaged { pid: u32, message: String },
    /// The running keeper did not answer as it should.
    #[error("{0}")]
    Keeper(ClientError),
    #[error(transparent)]
    Pass(#[from] PassError),
}

impl RefreshError {
    pub fn code(&self) -> &'static str {
        match self {
            RefreshError::UnknownProfile { .. } => "unknown_profile",
            RefreshError::Environment(e) => e.code(),
            RefreshError::Reach(e) | RefreshError::Keeper(e) => e.code(),
            RefreshError::NotManaged { .. } => "not_managed",
            RefreshError::Pass(e) => e.code(),
        }
    }
}

/// Something that may ask the person for a code of an MFA device (`None`:
/// no code given).
pub type AskCode<'a> = &'a mut dyn FnMut(&Device) -> Option<Secret>;

/// Renews `selection` now, within `limit` when no keeper runs. `ask`, when
/// given, is asked for the codes of the MFA devices the selection waits
/// for.
pub async fn refresh(
    paths: &AwsPaths,
    env: &Environment,
    selection: &Selection,
    mut ask: Option<AskCode<'_>>,
    limit: Duration,
) -> Result<Refreshed, RefreshError> {
    known(paths, selection)?;
    let sign_env = crate::sign_in_env(env, paths)?;
    if let Some(client) = keeper_client(&sign_env, paths).map_err(RefreshError::Reach)? {
        return through_keeper(client, paths, selection, ask);
    }
    let (command, only, code) = match selection {
        Selection::All => (Command::RefreshAll, None, None),
        Selection::Profile(p) => {
            let code = match (ask.as_mut(), persisted(env), device(paths, Some(p))) {
                (Some(ask), false, Ok(device)) => ask(&device).map(|code| {
                    Input::MfaCode(MfaCode {
                        serial: device.serial,
                        code,
                        request: 0,
                    })
                }),
                _ => None,
            };
            let command = Command::Refresh { profile: p.clone() };
            (command, Some(vec![p.clone()]), code)
        }
    };
    let report = match only {
        Some(only) => one_pass(paths, env, &only, code, command, limit).await?,
        None => pass(paths, env, None, code, command, limit).await?,
    };
    Ok(Refreshed::OnePass(report))
}

/// Renews `selection` now through the running keeper only, never in a
/// pass of its own: `Ok(None)` when no keeper runs. What a shell that
/// follows a keeper asks (the tray attached to `leasekeeper daemon`).
/// Blocking: the keeper answers once the renewals ended, within its own
/// bound and a little more ([`KEEPER_WAIT`]).
pub fn by_keeper(
    paths: &AwsPaths,
    env: &Environment,
    selection: &Selection,
) -> Result<Option<Refreshed>, RefreshError> {
    known(paths, selection)?;
    let sign_env = crate::sign_in_env(env, paths)?;
    match keeper_client(&sign_env, paths).map_err(RefreshError::Reach)? {
        Some(client) => through_keeper(client, paths, selection, None).map(Some),
        None => Ok(None),
    }
}

/// A profile selected is one of the files'.
fn known(paths: &AwsPaths, selection: &Selection) -> Result<(), RefreshError> {
    if let Selection::Profile(name) = selection {
        let set = load::snapshot(&aws_files::read(paths)).set;
        if set.profile(name).is_none() {
            return Err(RefreshError::UnknownProfile {
                name: name.clone(),
                config: paths.config.display().to_string(),
                credentials: paths.credentials.display().to_string(),
            });
        }
    }
    Ok(())
}

/// One pass of the keeper's engine under the keeper lock, renewing only
/// `only` (every other profile turned off by name, and nothing renewed by
/// default), with `input` given to its first step.
pub(super) async fn one_pass(
    paths: &AwsPaths,
    env: &Environment,
    only: &[String],
    input: Option<Input>,
    command: Command,
    limit: Duration,
) -> Result<Report, PassError> {
    pass(paths, env, Some(only), input, command, limit).await
}

async fn pass(
    paths: &AwsPaths,
    env: &Environment,
    only: Option<&[String]>,
    input: Option<Input>,
    command: Command,
    limit: Duration,
) -> Result<Report, PassError> {
    let (mut keeper, sign_env) = crate::keeper_in(paths, env)?;
    let _lock = crate::take_lock(&sign_env, paths)?;
    if let Some(only) = only {
        renew_only(&mut keeper, paths, only);
    }
    if let Some(input) = input {
        keeper.give(input);
    }
    let (_tx, signals) = tokio::sync::mpsc::unbounded_channel();
    Ok(keeper
        .run(
            Mode::Once { command, limit },
            std::future::pending(),
            signals,
            |_| {},
        )
        .await)
}

/// Renew exactly `wanted`, whatever the settings say: every profile of the
/// files is turned off by name (roles with an MFA device renew by default)
/// and nothing renews by itself.
fn renew_only(keeper: &mut Keeper<SdkConnect>, paths: &AwsPaths, wanted: &[String]) {
    let names: Vec<String> = load::snapshot(&aws_files::read(paths))
        .set
        .profiles
        .keys()
        .cloned()
        .collect();
    let wanted = wanted.to_vec();
    keeper.adjust_settings(move |s| only(s, &names, &wanted));
}

/// The settings `s` changed to renew exactly `wanted` among `names`.
fn only(s: &mut leasekeeper_engine::settings::Settings, names: &[String], wanted: &[String]) {
    s.renew.silent = false;
    s.renew.static_keys = false;
    for name in names {
        s.profiles.entry(name.clone()).or_default();
    }
    for (name, p) in s.profiles.iter_mut() {
        p.renew = Some(wanted.contains(name));
    }
    for name in wanted {
        s.profiles.entry(name.clone()).or_default().renew = Some(true);
    }
}

/// The refresh asked of the running keeper: a liveness check first, then
/// the refresh within the keeper's own bound (and a little more).
fn through_keeper(
    mut client: Client,
    paths: &AwsPaths,
    selection: &Selection,
    ask: Option<AskCode<'_>>,
) -> Result<Refreshed, RefreshError> {
    let pid = match client.ask(&Request::Hello, SHORT_TIMEOUT) {
        Ok(Response::Hello { pid, .. }) => pid,
        Ok(other) => return Err(RefreshError::Keeper(client.unexpected(&other))),
        Err(e) => return Err(RefreshError::Keeper(e)),
    };
    let request = match selection {
        Selection::Profile(p) => Request::Refresh {
            profile: Some(p.clone()),
            all: false,
        },
        Selection::All => Request::Refresh {
            profile: None,
            all: true,
        },
    };
    let (mut renewed, mut failed) = match client.ask(&request, KEEPER_WAIT) {
        Ok(Response::Refreshed { renewed, failed }) => (renewed, failed),
        Ok(other) => return Err(RefreshError::Keeper(client.unexpected(&other))),
        Err(ClientError::Refused { code, message }) if code == "not_managed" => {
            return Err(RefreshError::NotManaged { pid, message });
        }
        Err(e) => return Err(RefreshError::Keeper(e)),
    };
    let mut codes = Vec::new();
    if let Some(ask) = ask {
        let (more, still) = codes_for_the_keeper(&mut client, paths, failed, ask, &mut codes);
        renewed.extend(more);
        failed = still;
    }
    Ok(Refreshed::ByKeeper {
        pid,
        renewed,
        failed,
        codes,
    })
}

/// Asks for a code of each MFA device a `failed` profile waits for, hands
/// it to the keeper and refreshes those profiles again: what was renewed
/// then, and what still failed.
fn codes_for_the_keeper(
    client: &mut Client,
    paths: &AwsPaths,
    failed: Vec<ProfileView>,
    ask: AskCode<'_>,
    notes: &mut Vec<CodeNote>,
) -> (Vec<ProfileView>, Vec<ProfileView>) {
    let (waiting, mut still): (Vec<_>, Vec<_>) = failed
        .into_iter()
        .partition(|p| p.state == ProfileState::NeedsMfaCode);
    let mut renewed = Vec::new();
    let mut asked: Vec<String> = Vec::new();
    for p in waiting {
        let Ok(device) = device(paths, Some(&p.profile)) else {
            still.push(p);
            continue;
        };
        if !asked.contains(&device.serial) {
            asked.push(device.serial.clone());
            if let Some(code) = ask(&device) {
                let request = Request::MfaCode {
                    serial: device.serial.clone(),
                    code: (&code).into(),
                };
                match client.ask(&request, KEEPER_WAIT) {
                    Ok(Response::Accepted) => {}
                    Ok(other) => notes.push(CodeNote::NotTaken(client.unexpected(&other))),
                    Err(ClientError::Refused { code, message }) => {
                        notes.push(CodeNote::Refused { code, message });
                    }
                    Err(e) => notes.push(CodeNote::NotGiven(e)),
                }
            }
        }
        let request = Request::Refresh {
            profile: Some(p.profile.clone()),
            all: false,
        };
        match client.ask(&request, KEEPER_WAIT) {
            Ok(Response::Refreshed {
                renewed: now_renewed,
                failed: now_failed,
            }) => {
                renewed.extend(now_renewed);
                still.extend(now_failed);
            }
            _ => still.push(p),
        }
    }
    (renewed, still)
}

#[cfg(test)]
mod tests {
    use leasekeeper_engine::settings::Settings;

    use super::*;

    #[test]
    fn an_unknown_profile_is_named_before_anything_runs() {
        let dir = tempfile::tempdir().unwrap();
        let aws = dir.path().join(".aws");
        std::fs::create_dir_all(&aws).unwrap();
        std::fs::write(aws.join("config"), "[profile dev]\nregion = eu-west-1\n").unwrap();
        let paths = AwsPaths {
            home: dir.path().to_path_buf(),
            config: aws.join("config"),
            credentials: aws.join("credentials"),
            sso_cache: aws.join("sso/cache"),
            cli_cache: aws.join("cli/cache"),
        };
        let mut env = Environment::process();
        env.set("LEASEKEEPER_STATE_DIR", dir.path().join("state"));
        let selection = Selection::Profile("nope".into());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let e = runtime
            .block_on(refresh(
                &paths,
                &env,
                &selection,
                None,
                Duration::from_secs(1),
            ))
            .unwrap_err();
        assert_eq!(e.code(), "unknown_profile");
        assert!(e.to_string().contains("`nope`"), "{e}");
        assert!(!dir.path().join("state").exists(), "nothing was started");
        assert_eq!(
            by_keeper(&paths, &env, &selection).unwrap_err().code(),
            "unknown_profile"
        );
        // Without a keeper nothing renews: no pass of its own.
        assert!(
            by_keeper(&paths, &env, &Selection::All).unwrap().is_none(),
            "no keeper runs"
        );
        assert!(
            !dir.path().join(".aws/credentials").exists(),
            "nothing was written"
        );
    }

    #[test]
    fn only_the_selection_renews_whatever_the_settings_say() {
        let (mut s, _) = Settings::parse("[profiles.other]\nrenew = true\n");
        let names = ["admin".to_owned(), "other".to_owned(), "base".to_owned()];
        only(&mut s, &names, &["admin".to_owned()]);
        assert!(!s.renew.silent && !s.renew.static_keys);
        for name in &names {
            let renew = s.profiles.get(name).and_then(|p| p.renew);
            assert_eq!(renew, Some(name == "admin"), "{name}");
        }
    }
}
