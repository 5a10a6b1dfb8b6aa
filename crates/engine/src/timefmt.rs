//! Reading and writing the timestamps found in AWS files.
//!
//! Readers meet several spellings of one instant: `2026-11-22T10:00:00Z`,
//! `...+00:00`, fractional seconds, a space instead of `T`, and the
//! `2026-11-22T10:00:00UTC` that older AWS CLI builds wrote. Read them all;
//! write only `Z` (aws-sdk-rust rejects the others).

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// Parses any timestamp spelling the AWS tools write; `None` when it is none.
pub fn parse_timestamp(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let normalized = normalize(text);
    if let Ok(t) = OffsetDateTime::parse(&normalized, &Rfc3339) {
        return Some(t.to_offset(UtcOffset::UTC));
    }
    // No offset at all: the tools that omit it mean UTC.
    let naive = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    PrimitiveDateTime::parse(&normalized, naive)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

fn normalize(text: &str) -> String {
    let mut s = match text.strip_suffix("UTC") {
        Some(stripped) => format!("{}Z", stripped.trim_end()),
        None => text.to_owned(),
    };
    s = s.replacen(' ', "T", 1);
    // `+0000` (no colon) as some tools write it.
    let bytes = s.as_bytes();
    if bytes.len() > 5 {
        let tail = &s[s.len() - 5..];
        let sign = tail.as_bytes()[0];
        if (sign == b'+' || sign == b'-') && tail[1..].bytes().all(|b| b.is_ascii_digit()) {
            s = format!("{}{}:{}", &s[..s.len() - 5], &tail[..3], &tail[3..]);
        }
    }
    if s.ends_with('z') {
        s.pop();
        s.push('Z');
    }
    s
}

/// Epoch seconds to a UTC instant; `None` when out of range.
pub fn from_unix(seconds: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(seconds).ok()
}

/// `YYYY-MM-DDTHH:MM:SSZ`: the one spelling every SDK reads.
pub fn format_z(t: OffsetDateTime) -> String {
    let t = t.to_offset(UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn z(s: &str) -> String {
        format_z(parse_timestamp(s).unwrap_or_else(|| panic!("cannot parse {s}")))
    }

    #[test]
    fn reads_every_spelling_of_one_instant() {
        for s in [
            "2026-11-22T10:00:00Z",
            "2026-11-22T10:00:00z",
            "2026-11-22T10:00:00+00:00",
            "2026-11-22T10:00:00+0000",
            "2026-11-22T10:00:00UTC",
            "2026-11-22T10:00:00 UTC",
            "2026-11-22 10:00:00+00:00",
            "2026-11-22T10:00:00.000Z",
            "2026-11-22T10:00:00.123456+00:00",
            "2026-11-22T10:00:00",
            "2026-11-22T11:00:00+01:00",
        ] {
            assert_eq!(z(s), "2026-11-22T10:00:00Z", "{s}");
        }
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        for s in ["", "soon", "2026-13-01T00:00:00Z", "1700000000"] {
            assert!(parse_timestamp(s).is_none(), "{s}");
        }
    }
}
