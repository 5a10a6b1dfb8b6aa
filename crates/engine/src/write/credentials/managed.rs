//! The sections Leasekeeper wrote into a credentials file and when their
//! keys expire, so the keeper can remove those that lapsed unrenewed.

use time::OffsetDateTime;

use crate::ini::Document;
use crate::timefmt::parse_timestamp;

use super::render::EXPIRY_KEY;

/// One section carrying our marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedKeys {
    /// The section's name (the profile it serves in this file).
    pub section: String,
    /// Line of its header.
    pub line: u32,
    /// Its `x_security_token_expires`, in any spelling the AWS tools write;
    /// `None` when the key is missing or unreadable.
    pub expires_at: Option<OffsetDateTime>,
}

impl ManagedKeys {
    /// The keys are expired at `now`. A section whose expiry cannot be read
    /// counts as lapsed: nothing says its keys still work, and stale keys
    /// would shadow a working chain.
    pub fn lapsed(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_none_or(|t| t <= now)
    }
}

/// Every section of `doc` carrying our marker, in file order.
pub fn list_managed(doc: &Document) -> Vec<ManagedKeys> {
    doc.sections()
        .filter(|s| s.managed() && s.header_error().is_none())
        .map(|s| ManagedKeys {
            section: s.name().into_owned(),
            line: s.header_line(),
            expires_at: s.get(EXPIRY_KEY).and_then(|e| parse_timestamp(&e.value())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn lists_our_sections_with_their_expiry_and_skips_the_rest() {
        let doc = Document::parse(
            b"[mine]\naws_access_key_id = AKIA\n\n\
              [dev]\n# managed by leasekeeper\naws_access_key_id = ASIA\n\
              x_security_token_expires = 2026-11-22T10:00:00Z\n\n\
              [old]\n# managed by leasekeeper\nX_Security_Token_Expires = 2026-11-22T09:00:00+00:00\n\n\
              [odd]\n# managed by leasekeeper\naws_access_key_id = ASIA\n",
        );
        let found = list_managed(&doc);
        let summary: Vec<_> = found
            .iter()
            .map(|m| (m.section.as_str(), m.line, m.expires_at))
            .collect();
        assert_eq!(
            summary,
            [
                ("dev", 4, Some(datetime!(2026-11-22 10:00 UTC))),
                ("old", 9, Some(datetime!(2026-11-22 09:00 UTC))),
                ("odd", 13, None),
            ]
        );
        let now = datetime!(2026-11-22 09:30 UTC);
        let lapsed: Vec<_> = found
            .iter()
            .filter(|m| m.lapsed(now))
            .map(|m| m.section.as_str())
            .collect();
        assert_eq!(lapsed, ["old", "odd"]);
        assert!(found[0].lapsed(datetime!(2026-11-22 10:00 UTC)));
    }
}
