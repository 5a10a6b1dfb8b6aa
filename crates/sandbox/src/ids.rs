//! Random identifiers in AWS's shapes: temporary access key ids (`ASIA…`),
//! request ids (UUID v4), device user codes and opaque
//! tokens.
//!
//! Randomness comes from the operating system (`getrandom`). Should that ever
//! fail, a SHA-256 stream over the time and a counter stands in, so issuing a
//! key never panics.

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// Fills `buf` with random bytes.
pub fn fill(buf: &mut [u8]) {
    if getrandom::fill(buf).is_ok() {
        return;
    }
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    for chunk in buf.chunks_mut(32) {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let digest = Sha256::new()
            .chain_update(n.to_le_bytes())
            .chain_update(nanos.to_le_bytes())
            .finalize();
        for (dst, src) in chunk.iter_mut().zip(digest.iter()) {
            *dst = *src;
        }
    }
}

/// A uniformly random `f64` in `[0, 1)`.
pub fn unit() -> f64 {
    let mut b = [0u8; 8];
    fill(&mut b);
    (u64::from_le_bytes(b) >> 11) as f64 / (1u64 << 53) as f64
}

fn from_alphabet(alphabet: &[u8], len: usize) -> String {
    let mut bytes = vec![0u8; len];
    fill(&mut bytes);
    // Alphabets here have 32 or 64 symbols, so the modulo is unbiased.
    bytes
        .iter()
        .filter_map(|b| alphabet.get(usize::from(*b) % alphabet.len().max(1)))
        .map(|c| char::from(*c))
        .collect()
}

const KEY_ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A temporary access key id: `ASIA` and 16 more characters, 20 in all.
pub fn temporary_key_id() -> String {
    format!("ASIA{}", from_alphabet(KEY_ID_ALPHABET, 16))
}

/// A request id in UUID v4 form, as `x-amzn-RequestId` carries.
pub fn request_id() -> String {
    let mut b = [0u8; 16];
    fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut id = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push_str(&hex::encode([*byte]));
    }
    id
}

/// A device-flow user code such as `KQWT-BXZD`: letters a person reads
/// easily, no vowels (so no words) and no look-alikes.
pub fn user_code() -> String {
    const LETTERS: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";
    let mut b = [0u8; 8];
    fill(&mut b);
    let letters = |bytes: &[u8]| -> String {
        bytes
            .iter()
            .filter_map(|x| LETTERS.get(usize::from(*x) % LETTERS.len()))
            .map(|c| char::from(*c))
            .collect()
    };
    let (first, second) = b.split_at(4);
    format!("{}-{}", letters(first), letters(second))
}

/// An opaque token: `prefix` and `bytes` random bytes in URL-safe base64.
pub fn opaque(prefix: &str, bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    fill(&mut b);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::string_slice, reason = "tests slice ASCII fixtures")]

    use super::*;

    #[test]
    fn key_ids_and_secrets_have_aws_shapes() {
        let t = temporary_key_id();
        assert_eq!(t.len(), 20);
        assert!(t.starts_with("ASIA"));
        assert_ne!(temporary_key_id(), temporary_key_id());
    }

    #[test]
    fn request_ids_are_uuid_v4() {
        let id = request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }

    #[test]
    fn user_codes_are_two_groups_of_four() {
        let c = user_code();
        assert_eq!(c.len(), 9);
        assert_eq!(&c[4..5], "-");
    }

    #[test]
    fn unit_stays_in_range() {
        for _ in 0..1000 {
            let x = unit();
            assert!((0.0..1.0).contains(&x));
        }
    }
}
