//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30-second
//! steps), the codes a virtual MFA device shows. Public so tests and demos can
//! compute the code for a world's MFA device from its documented secret.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// RFC 6238 section 4: the time step X, 30 seconds by default.
pub const TOTP_STEP_SECS: u64 = 30;

/// Decodes RFC 4648 base32 (the form authenticator apps take secrets in);
/// spaces and padding are ignored, letters may be lower case.
pub fn decode_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u64, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => c as u64 - 'A' as u64,
            c @ '2'..='7' => c as u64 - '2' as u64 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The 6-digit code for `secret` (raw bytes) at time step `counter`
/// (RFC 4226 section 5.3, dynamic truncation).
pub fn hotp(secret: &[u8], counter: u64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        // HMAC accepts keys of any length; this arm cannot run.
        return String::from("000000");
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h.last().copied().unwrap_or_default() & 0x0f);
    let Some(&[b0, b1, b2, b3]) = h.get(offset..offset + 4) else {
        // A SHA-1 MAC has 20 bytes and the offset is at most 15: this arm cannot run.
        return String::from("000000");
    };
    let bin =
        (u32::from(b0 & 0x7f) << 24) | (u32::from(b1) << 16) | (u32::from(b2) << 8) | u32::from(b3);
    format!("{:06}", bin % 1_000_000)
}

/// The code a device with base32 `secret` shows at `unix_secs`, or `None`
/// when the secret is not base32.
pub fn totp_code(secret_base32: &str, unix_secs: u64) -> Option<String> {
    let secret = decode_base32(secret_base32)?;
    Some(hotp(&secret, unix_secs / TOTP_STEP_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA1 rows (8 digits there; the last 6 here), with
    // the secret "12345678901234567890" in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn matches_the_rfc_6238_vectors() {
        assert_eq!(totp_code(RFC_SECRET, 59).as_deref(), Some("287082"));
        assert_eq!(
            totp_code(RFC_SECRET, 1_111_111_109).as_deref(),
            Some("081804")
        );
        assert_eq!(
            totp_code(RFC_SECRET, 1_234_567_890).as_deref(),
            Some("005924")
        );
        assert_eq!(
            totp_code(RFC_SECRET, 20_000_000_000).as_deref(),
            Some("353130")
        );
    }

    #[test]
    fn base32_ignores_case_spaces_and_padding() {
        assert_eq!(decode_base32("gezd gnbv===").unwrap(), b"12345");
        assert!(decode_base32("not base32!").is_none());
    }
}
