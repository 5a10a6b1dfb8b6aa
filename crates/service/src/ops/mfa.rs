//! Giving an MFA code: which device it is of, and handing it over. With a
//! keeper running the code goes to it over its socket: it opens an MFA
//! session (GetSessionToken) held in its memory and renews every role over
//! that device without another code until the session ends. Without one,
//! the code is used for one pass of the keeper's engine (the session, then
//! the roles' keys written), and nobody holds the session afterwards unless
//! the settings keep it (`mfa.persist`).

use std::time::Duration;

use leasekeeper_engine::Secret;
use leasekeeper_engine::keeper::{Command, Input, MfaCode};
use leasekeeper_engine::load;
use leasekeeper_engine::resolve::resolve;
use leasekeeper_engine::settings::Settings;
use leasekeeper_engine::snapshot::Snapshot;
use leasekeeper_host::aws_files::{self, AwsPaths};
use leasekeeper_host::keeper::Report;
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_host::signin::EnvError;
use leasekeeper_host::socket::client::SHORT_TIMEOUT;
use leasekeeper_host::socket::{Client, ClientError, Request, Response};

use super::refresh::one_pass;
use super::{KEEPER_WAIT, PassError, keeper_client};
use crate::Environment;

/// One MFA device and the profiles whose roles use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub serial: String,
    pub profiles: Vec<String>,
}

/// Why no device was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    #[error("there is no profile {0}")]
    UnknownProfile(String),
    #[error("{0} uses no MFA device (no mfa_serial in its chain)")]
    NoDevice(String),
    #[error("no profile uses an MFA device (mfa_serial)")]
    NoDevices,
    #[error("several MFA devices are used ({}): name a profile with --profile P", serials.join(", "))]
    Several { serials: Vec<String> },
}

impl DeviceError {
    pub fn code(&self) -> &'static str {
        match self {
            DeviceError::UnknownProfile(_) => "unknown_profile",
            DeviceError::NoDevice(_) => "no_mfa_device",
            DeviceError::NoDevices => "no_mfa_devices",
            DeviceError::Several { .. } => "several_mfa_devices",
        }
    }
}

/// The device of `profile` in the files at `paths`, or the only one any
/// profile uses.
pub fn device(paths: &AwsPaths, profile: Option<&str>) -> Result<Device, DeviceError> {
    device_in(&load::snapshot(&aws_files::read(paths)), profile)
}

/// The device of `profile` in `snapshot`, or the only one any profile uses.
pub fn device_in(snapshot: &Snapshot, profile: Option<&str>) -> Result<Device, DeviceError> {
    let mut devices: Vec<Device> = Vec::new();
    for name in snapshot.set.profiles.keys() {
        let Ok(chain) = resolve(&snapshot.set, name) else {
            continue;
        };
        let Some(serial) = chain.roles.iter().find_map(|r| r.mfa_serial.clone()) else {
            continue;
        };
        match devices.iter_mut().find(|d| d.serial == serial) {
            Some(d) => d.profiles.push(name.clone()),
            None => devices.push(Device {
                serial,
                profiles: vec![name.clone()],
            }),
        }
    }
    match profile {
        Some(p) => {
            if snapshot.set.profile(p).is_none() {
                return Err(DeviceError::UnknownProfile(p.to_owned()));
            }
            devices
                .into_iter()
                .find(|d| d.profiles.iter().any(|n| n == p))
                .ok_or_else(|| DeviceError::NoDevice(p.to_owned()))
        }
        None => {
            let mut devices = devices.into_iter();
            match (devices.next(), devices.next()) {
                (None, _) => Err(DeviceError::NoDevices),
                (Some(only), None) => Ok(only),
                (Some(first), Some(second)) => Err(DeviceError::Several {
                    serials: [first, second]
                        .into_iter()
                        .chain(devices)
                        .map(|d| d.serial)
                        .collect(),
                }),
            }
        }
    }
}

/// Whether the settings keep MFA sessions on disk (`mfa.persist`).
pub fn persisted(env: &Environment) -> bool {
    let path = settings_path(env.lookup());
    let text = path.and_then(|p| std::fs::read_to_string(p).ok());
    text.is_some_and(|t| Settings::parse(&t).0.mfa.persist)
}

/// How a code was given.
#[derive(Debug)]
pub enum Given {
    /// The running keeper (this pid) accepted it.
    ByKeeper { pid: u32 },
    /// No keeper runs: one pass used it. `persisted` says whether the
    /// settings keep the MFA session for the next keeper.
    OnePass { report: Report, persisted: bool },
}

/// Why a code was not given.
#[derive(Debug, thiserror::Error)]
pub enum MfaError {
    #[error(transparent)]
    Environment(#[from] EnvError),
    #[error("cannot reach the keeper: {0}")]
    Reach(ClientError),
    #[error("no keeper runs for these AWS files")]
    NoKeeper,
    /// The keeper or AWS refused the code (`code`: the refusal's code).
    #[error("the code was refused: {message}")]
    Refused { code: String, message: String },
    /// The running keeper did not answer as it should.
    #[error("{0}")]
    Keeper(ClientError),
    #[error(transparent)]
    Pass(#[from] PassError),
}

impl MfaError {
    pub fn code(&self) -> &str {
        match self {
            MfaError::Environment(e) => e.code(),
            MfaError::Reach(e) | MfaError::Keeper(e) => e.code(),
            MfaError::NoKeeper => "no_keeper",
            MfaError::Refused { code, .. } => code,
            MfaError::Pass(e) => e.code(),
        }
    }
}

/// Gives `code` of the device `serial` to the running keeper;
/// [`MfaError::NoKeeper`] when none runs.
pub fn give_to_keeper(
    paths: &AwsPaths,
    env: &Environment,
    serial: &str,
    code: &Secret,
) -> Result<u32, MfaError> {
    let sign_env = crate::sign_in_env(env, paths)?;
    match keeper_client(&sign_env, paths).map_err(MfaError::Reach)? {
        Some(client) => through_keeper(client, serial, code),
        None => Err(MfaError::NoKeeper),
    }
}

/// Gives `code` of `device`: to the running keeper, else in one pass that
/// renews only the device's roles, within `limit`.
pub async fn give(
    paths: &AwsPaths,
    env: &Environment,
    device: &Device,
    code: Secret,
    limit: Duration,
) -> Result<Given, MfaError> {
    match give_to_keeper(paths, env, &device.serial, &code) {
        Err(MfaError::NoKeeper) => {}
        other => return other.map(|pid| Given::ByKeeper { pid }),
    }
    let input = Input::MfaCode(MfaCode {
        serial: device.serial.clone(),
        code,
        request: 0,
    });
    let report = one_pass(
        paths,
        env,
        &device.profiles,
        Some(input),
        Command::RefreshAll,
        limit,
    )
    .await?;
    Ok(Given::OnePass {
        report,
        persisted: persisted(env),
    })
}

/// A liveness check, then the code within the keeper's own bound.
fn through_keeper(mut client: Client, serial: &str, code: &Secret) -> Result<u32, MfaError> {
    let pid = match client.ask(&Request::Hello, SHORT_TIMEOUT) {
        Ok(Response::Hello { pid, .. }) => pid,
        Ok(other) => return Err(MfaError::Keeper(client.unexpected(&other))),
        Err(e) => return Err(MfaError::Keeper(e)),
    };
    let request = Request::MfaCode {
        serial: serial.to_owned(),
        code: code.into(),
    };
    match client.ask(&request, KEEPER_WAIT) {
        Ok(Response::Accepted) => Ok(pid),
        Ok(other) => Err(MfaError::Keeper(client.unexpected(&other))),
        Err(ClientError::Refused { code, message }) => Err(MfaError::Refused { code, message }),
        Err(e) => Err(MfaError::Keeper(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(config: &str) -> Snapshot {
        use leasekeeper_engine::load::{FileInput, LoadInput};
        let input = LoadInput {
            config: FileInput {
                path: "config".into(),
                contents: Ok(Some(config.as_bytes().to_vec())),
            },
            credentials: FileInput {
                path: "credentials".into(),
                contents: Ok(None),
            },
            sso_cache_dir: "sso/cache".into(),
            sso_cache: Vec::new(),
            cli_cache_dir: "cli/cache".into(),
            cli_cache: Vec::new(),
        };
        load::snapshot(&input)
    }

    const TWO_DEVICES: &str = "\
[profile base]
region = eu-west-1
aws_access_key_id = AKIAEXAMPLEEXAMPLE01
aws_secret_access_key = example

[profile admin]
role_arn = arn:aws:iam::111111111111:role/admin
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/me

[profile audit]
role_arn = arn:aws:iam::111111111111:role/audit
source_profile = base
mfa_serial = arn:aws:iam::111111111111:mfa/me

[profile other]
role_arn = arn:aws:iam::222222222222:role/x
source_profile = base
mfa_serial = arn:aws:iam::222222222222:mfa/key
";

    #[test]
    fn a_profile_finds_its_device_with_every_profile_using_it() {
        let s = snapshot(TWO_DEVICES);
        let d = device_in(&s, Some("audit")).unwrap();
        assert_eq!(d.serial, "arn:aws:iam::111111111111:mfa/me");
        assert_eq!(d.profiles, ["admin", "audit"]);
    }

    #[test]
    fn no_profile_with_several_devices_names_them() {
        let e = device_in(&snapshot(TWO_DEVICES), None).unwrap_err();
        assert_eq!(e.code(), "several_mfa_devices");
        assert!(e.to_string().contains("mfa/me") && e.to_string().contains("mfa/key"));
    }

    #[test]
    fn unknown_and_device_less_profiles_are_told_apart() {
        let s = snapshot(TWO_DEVICES);
        assert_eq!(
            device_in(&s, Some("nope")),
            Err(DeviceError::UnknownProfile("nope".into()))
        );
        assert_eq!(
            device_in(&s, Some("base")),
            Err(DeviceError::NoDevice("base".into()))
        );
        assert_eq!(device_in(&snapshot(""), None), Err(DeviceError::NoDevices));
    }
}
