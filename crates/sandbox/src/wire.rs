//! Wire helpers shared by every service: percent-decoding of query strings
//! and form bodies, AWS's URI encoding for SigV4, HTML escaping, and response
//! builders (XML, JSON with `x-amzn-ErrorType`, HTML, redirects), each with
//! the `x-amzn-RequestId` header AWS puts on every answer.

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};
use http_body_util::Full;

/// The body type of every response.
pub(crate) type Body = Full<Bytes>;

/// A request as the handlers see it: the body already read (and bounded).
#[derive(Debug)]
pub(crate) struct Req {
    pub method: http::Method,
    pub path: String,
    pub query: String,
    pub headers: http::HeaderMap,
    pub body: Bytes,
}

impl Req {
    /// A header as text; `None` when absent or not visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The query string's parameters, decoded.
    pub fn query_params(&self) -> Vec<(String, String)> {
        parse_form(self.query.as_bytes())
    }

    /// The first value of a query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query_params()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`); bad
/// escapes stay as they are, bad UTF-8 becomes U+FFFD.
pub(crate) fn percent_decode(s: &[u8], plus_is_space: bool) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    while let Some((&first, tail)) = rest.split_first() {
        match (first, tail) {
            (b'%', &[hi, lo, ..]) => match (hex_val(hi), hex_val(lo)) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    rest = tail.get(2..).unwrap_or_default();
                    continue;
                }
                _ => out.push(b'%'),
            },
            (b'+', _) if plus_is_space => out.push(b' '),
            (b, _) => out.push(b),
        }
        rest = tail;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `application/x-www-form-urlencoded` (also query strings).
pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    body.split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (k, v) = match part.iter().position(|b| *b == b'=') {
                Some(i) => {
                    let (k, eq_v) = part.split_at(i);
                    (k, eq_v.get(1..).unwrap_or_default())
                }
                None => (part, &b""[..]),
            };
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// AWS's URI encoding for SigV4: every byte except `A-Za-z0-9-_.~` becomes
/// `%XX` with upper-case hex ("Create a canonical request for Signature
/// Version 4", UriEncode); `/` is kept when `keep_slash`.
pub(crate) fn uri_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Encodes a query component for URLs the sandbox builds (redirects).
pub(crate) fn query_encode(s: &str) -> String {
    uri_encode(s, false)
}

/// Escapes text for HTML and XML content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A response with a body, a content type and the request id.
pub(crate) fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
    request_id: &str,
) -> Response<Body> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        r.headers_mut().insert("x-amzn-requestid", v);
    }
    r
}

/// A restJson success answer.
pub(crate) fn json_ok(value: &serde_json::Value, request_id: &str) -> Response<Body> {
    respond(
        StatusCode::OK,
        "application/json",
        value.to_string(),
        request_id,
    )
}

/// A restJson error: the exception name in `x-amzn-ErrorType` (AWS adds the
/// service namespace after a colon; SDKs split at the colon) and a JSON body.
pub(crate) fn json_error(
    status: StatusCode,
    error_type: &str,
    namespace: &str,
    body: &serde_json::Value,
    request_id: &str,
) -> Response<Body> {
    let mut r = respond(status, "application/json", body.to_string(), request_id);
    if let Ok(v) = HeaderValue::from_str(&format!("{error_type}:{namespace}")) {
        r.headers_mut().insert("x-amzn-errortype", v);
    }
    r
}

/// An HTML page.
pub(crate) fn html(status: StatusCode, body: String, request_id: &str) -> Response<Body> {
    respond(status, "text/html; charset=utf-8", body, request_id)
}

/// A redirect (`302 Found`, or `303 See Other` after a form post).
pub(crate) fn redirect(status: StatusCode, location: &str, request_id: &str) -> Response<Body> {
    let mut r = respond(
        status,
        "text/plain; charset=utf-8",
        Bytes::new(),
        request_id,
    );
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_plus_and_percent_escapes() {
        let p = parse_form(b"Action=AssumeRole&RoleSessionName=a+b%2Fc&Empty=&Flag");
        assert_eq!(p[0], ("Action".into(), "AssumeRole".into()));
        assert_eq!(p[1].1, "a b/c");
        assert_eq!(p[2], ("Empty".into(), String::new()));
        assert_eq!(p[3], ("Flag".into(), String::new()));
    }

    #[test]
    fn bad_escapes_survive_without_panicking() {
        assert_eq!(percent_decode(b"100%", false), "100%");
        assert_eq!(percent_decode(b"%zz%4", false), "%zz%4");
        assert_eq!(percent_decode(b"%41", false), "A");
        assert_eq!(percent_decode(b"%ff", false), "\u{fffd}");
    }

    #[test]
    fn uri_encoding_follows_sigv4() {
        assert_eq!(uri_encode("a b/c~d*", false), "a%20b%2Fc~d%2A");
        assert_eq!(uri_encode("/x y/", true), "/x%20y/");
    }

    #[test]
    fn escape_covers_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
