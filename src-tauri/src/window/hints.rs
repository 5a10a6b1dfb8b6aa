//! What an error code means in plain words, for the window's details. The
//! message itself (from the engine or AWS) stays beside it; a hint only
//! says what to do. Clock messages already say by how much the clock is
//! off ("your clock is off by 17 minutes (ahead of AWS's)…"): they are
//! their own hint.

/// The plain-language hint for `code`, if there is one.
pub fn hint(code: &str, message: &str) -> Option<String> {
    if message.contains("your clock is") {
        return message
            .split_once("your clock is")
            .map(|(_, rest)| format!("your clock is{}", rest.split(':').next().unwrap_or(rest)));
    }
    let text = match code {
        "ExpiredToken" | "expired_token" => {
            "the keys this role is assumed with have lapsed; they are renewed first"
        }
        "SignatureDoesNotMatch" | "signature_expired" => {
            "AWS refused the request's signature: check this machine's clock"
        }
        "AccessDenied" | "access_denied" => {
            "AWS refused the role: the trust policy or your permissions do not allow it"
        }
        "Throttling" | "ThrottlingException" | "throttled" => {
            "AWS asks to slow down; the keeper retries a little later"
        }
        "invalid_grant" | "UnauthorizedException" | "needs_login" => {
            "the sign-in ended: sign in again"
        }
        "needs_mfa_code" | "mfa_code_needed" => "enter a code of your MFA device",
        "network" | "dispatch" | "timeout" | "connect" => {
            "AWS could not be reached: check the network, proxy or VPN"
        }
        "ValidationError" => "AWS refused a setting of this profile, such as duration_seconds",
        "write_refused" | "section_not_ours" => {
            "the credentials file already has a section of that name Leasekeeper did not write: choose another target section in Settings"
        }
        _ => return None,
    };
    Some(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::hint;

    #[test]
    fn a_clock_message_becomes_the_hint_and_unknown_codes_have_none() {
        let h = hint(
            "signature_expired",
            "Signature expired: your clock is off by 17 minutes (ahead of AWS's): AWS refuses",
        );
        assert_eq!(
            h.as_deref(),
            Some("your clock is off by 17 minutes (ahead of AWS's)")
        );
        assert!(hint("AccessDenied", "no").unwrap().contains("trust policy"));
        assert_eq!(hint("something_new", "whatever"), None);
    }
}
