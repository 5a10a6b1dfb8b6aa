//! The MFA code prompt: a code typed in the window goes to the keeper over
//! its socket, as `leasekeeper mfa` sends it; the keeper opens an MFA
//! session with it and renews every role over that device without another
//! code until the session ends. The code comes in as [`MfaCode`], whose
//! `Debug` is redacted, and never goes back to the window.

use std::time::Duration;

use leasekeeper_engine::Secret;
use leasekeeper_engine::load;
use leasekeeper_engine::resolve::resolve;
use leasekeeper_host::aws_files;
use leasekeeper_host::signin::SignInEnv;
use leasekeeper_host::socket::{self, Client, ClientError, Request, Response};
use serde::Deserialize;

use super::Shared;
use super::error::WindowError;

/// How long the keeper may take to check a code with AWS.
const ANSWER_WAIT: Duration = Duration::from_secs(90);

/// An MFA code from the window; redacted in `Debug`.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct MfaCode(String);

impl std::fmt::Debug for MfaCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `submit_mfa_code`'s input.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MfaArgs {
    pub profile: String,
    pub code: MfaCode,
}

/// Hands the code to the keeper for the MFA device of `args.profile`.
pub fn submit(shared: &Shared, args: &MfaArgs) -> Result<(), WindowError> {
    let code = args.code.0.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WindowError::BadValue {
            field: "MFA code".into(),
            message: "an MFA code is six digits".into(),
        });
    }
    let home = shared.home();
    let snapshot = load::snapshot(&aws_files::read(&home.paths));
    let chain = resolve(&snapshot.set, &args.profile)
        .map_err(|_| WindowError::UnknownProfile(args.profile.clone()))?;
    let serial = chain
        .roles
        .iter()
        .find_map(|r| r.mfa_serial.clone())
        .ok_or_else(|| WindowError::BadValue {
            field: "profile".into(),
            message: format!(
                "{} uses no MFA device (no mfa_serial in its chain)",
                args.profile
            ),
        })?;
    let env = SignInEnv::from_env(home.env.lookup(), &home.paths)
        .map_err(|e| WindowError::Mfa(format!("{e} [{}]", e.code())))?;
    let path = socket::socket_path(&env.state_dir, &home.paths);
    let keeper = |e: ClientError| WindowError::Mfa(format!("{e} [{}]", e.code()));
    let mut client = Client::connect(&path)
        .map_err(keeper)?
        .ok_or_else(|| WindowError::Mfa("no keeper runs for these AWS files".into()))?;
    let request = Request::MfaCode {
        serial,
        code: (&Secret::new(code)).into(),
    };
    match client.ask(&request, ANSWER_WAIT) {
        Ok(Response::Accepted) => Ok(()),
        Ok(other) => Err(keeper(client.unexpected(&other))),
        Err(ClientError::Refused { code, message }) => Err(WindowError::Mfa(format!(
            "the code was refused: {message} [{code}]"
        ))),
        Err(e) => Err(keeper(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_code_is_read_but_never_shown() {
        let a: MfaArgs =
            serde_json::from_str(r#"{"profile":"breakglass","code":"123456"}"#).unwrap();
        assert_eq!(a.code.0, "123456");
        assert!(!format!("{a:?}").contains("123456"));
    }
}
