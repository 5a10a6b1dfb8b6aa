//! The MFA code prompt: a code typed in the window goes to the keeper over
//! its socket, as `leasekeeper mfa` sends it; the keeper opens an MFA
//! session with it and renews every role over that device without another
//! code until the session ends. The code comes in as [`MfaCode`], whose
//! `Debug` is redacted, and never goes back to the window.

use leasekeeper_engine::Secret;
use leasekeeper_service::ops::mfa::{self, DeviceError, MfaError};
use serde::Deserialize;

use super::Shared;
use super::error::WindowError;

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
    let device = mfa::device(&home.paths, Some(&args.profile))
        .map_err(|e: DeviceError| WindowError::op(e.code(), &e))?;
    mfa::give_to_keeper(&home.paths, &home.env, &device.serial, &Secret::new(code))
        .map(|_pid| ())
        .map_err(refusal)
}

/// `give_to_keeper`'s error as the window gets it: its own code, unchanged.
fn refusal(e: MfaError) -> WindowError {
    match e {
        MfaError::Refused { code, message } => WindowError::MfaRefused { code, message },
        e => WindowError::op(e.code(), &e),
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

    #[test]
    fn the_services_codes_cross_unchanged() {
        let json = serde_json::to_value(refusal(MfaError::NoKeeper)).unwrap();
        assert_eq!(json["code"], "no_keeper");
        assert_eq!(json["message"], "no keeper runs for these AWS files");
        let e = DeviceError::UnknownProfile("nope".into());
        let json = serde_json::to_value(WindowError::op(e.code(), &e)).unwrap();
        assert_eq!(json["code"], "unknown_profile");
        let json = serde_json::to_value(refusal(MfaError::Refused {
            code: "mfa_code_reused".into(),
            message: "used already".into(),
        }))
        .unwrap();
        assert_eq!(json["code"], "mfa_code_reused");
    }
}
