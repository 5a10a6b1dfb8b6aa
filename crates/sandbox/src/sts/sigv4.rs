//! SigV4 verification, following AWS's "Elements of an AWS API request
//! signature", "Create a canonical request for Signature Version 4" and
//! "Create a signed AWS API request" (IAM User Guide). The server recomputes
//! the signature from the request it received and the secret it issued, and
//! compares.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::macros::format_description;

use crate::wire::{Req, parse_form, uri_encode};

type HmacSha256 = Hmac<Sha256>;

/// The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct AuthHeader {
    pub key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// Why an `Authorization` header cannot be used; the text is AWS's
/// `IncompleteSignature` message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Malformed(pub String);

/// Parses the header; `Ok(None)` when there is no SigV4 authorization at all.
pub(crate) fn parse_authorization(value: Option<&str>) -> Result<Option<AuthHeader>, Malformed> {
    let Some(value) = value else { return Ok(None) };
    let Some(rest) = value.trim().strip_prefix("AWS4-HMAC-SHA256") else {
        return Err(Malformed(format!(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={}",
            value.split_whitespace().next().unwrap_or("")
        )));
    };
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let missing = |what: &str| {
        Malformed(format!(
            "Authorization header requires '{what}' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."
        ))
    };
    let credential = credential.ok_or_else(|| missing("Credential"))?;
    let signed = signed.ok_or_else(|| missing("SignedHeaders"))?;
    let signature = signature.ok_or_else(|| missing("Signature"))?;
    let scope: Vec<&str> = credential.split('/').collect();
    let [key_id, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(Malformed(format!(
            "Credential should be scoped to a valid region. Credential={credential}"
        )));
    };
    if key_id.is_empty() {
        return Err(Malformed(format!(
            "Credential should be scoped to a valid region. Credential={credential}"
        )));
    }
    Ok(Some(AuthHeader {
        key_id: (*key_id).to_owned(),
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        service: (*service).to_owned(),
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature: signature.to_ascii_lowercase(),
    }))
}

/// Parses `X-Amz-Date` (`YYYYMMDD'T'HHMMSS'Z'`).
pub(crate) fn parse_amz_date(s: &str) -> Option<OffsetDateTime> {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    time::PrimitiveDateTime::parse(s, fmt)
        .ok()
        .map(|t| t.assume_utc())
}

/// Formats a time as `X-Amz-Date` does.
pub(crate) fn format_amz_date(t: OffsetDateTime) -> String {
    let fmt = format_description!("[year][month][day]T[hour][minute][second]Z");
    t.format(fmt).unwrap_or_default()
}

/// Collapses runs of spaces and trims, as the canonical headers demand.
fn trim_all(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The canonical request for `req` under the header's signed headers.
pub(crate) fn canonical_request(req: &Req, auth: &AuthHeader) -> String {
    // CanonicalURI: the URI-encoded path; for services other than S3 the
    // path segments are encoded a second time.
    let path = if req.path.is_empty() {
        "/"
    } else {
        req.path.as_str()
    };
    let canonical_uri = uri_encode(path, true);
    // CanonicalQueryString: decoded then encoded names and values, sorted.
    let mut pairs: Vec<(String, String)> = parse_form(req.query.as_bytes())
        .into_iter()
        .map(|(k, v)| (uri_encode(&k, false), uri_encode(&v, false)))
        .collect();
    pairs.sort();
    let canonical_query = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    // CanonicalHeaders: each signed header, lower-cased name, trimmed values
    // joined by commas, in the order of SignedHeaders.
    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        let values: Vec<String> = req
            .headers
            .get_all(name.as_str())
            .iter()
            .map(|v| trim_all(&String::from_utf8_lossy(v.as_bytes())))
            .collect();
        canonical_headers.push_str(name);
        canonical_headers.push(':');
        canonical_headers.push_str(&values.join(","));
        canonical_headers.push('\n');
    }
    // HashedPayload: the hex SHA-256 of the body as received.
    let payload = hex::encode(Sha256::digest(&req.body));
    format!(
        "{}\n{canonical_uri}\n{canonical_query}\n{canonical_headers}\n{}\n{payload}",
        req.method.as_str(),
        auth.signed_headers.join(";"),
    )
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut m = HmacSha256::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// The signature a client holding `secret` would have sent.
pub(crate) fn expected_signature(
    req: &Req,
    auth: &AuthHeader,
    amz_date: &str,
    secret: &str,
) -> String {
    let scope = format!(
        "{}/{}/{}/aws4_request",
        auth.date, auth.region, auth.service
    );
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical_request(req, auth).as_bytes()))
    );
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), auth.date.as_bytes());
    let k_region = hmac(&k_date, auth.region.as_bytes());
    let k_service = hmac(&k_region, auth.service.as_bytes());
    let k_signing = hmac(&k_service, b"aws4_request");
    hex::encode(hmac(&k_signing, string_to_sign.as_bytes()))
}

/// Compares signatures in time independent of where they differ.
pub(crate) fn same_signature(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The GET example of the IAM User Guide's SigV4 pages (the
    /// `iam ListUsers` request signed with the documentation's example keys).
    #[test]
    fn reproduces_aws_documented_signature() {
        let mut headers = http::HeaderMap::new();
        headers.insert("host", "iam.amazonaws.com".parse().unwrap());
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8"
                .parse()
                .unwrap(),
        );
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        let req = Req {
            method: http::Method::GET,
            path: "/".into(),
            query: "Action=ListUsers&Version=2010-05-08".into(),
            headers,
            body: bytes::Bytes::new(),
        };
        let auth = AuthHeader {
            key_id: "AKIDEXAMPLE".into(),
            date: "20150830".into(),
            region: "us-east-1".into(),
            service: "iam".into(),
            signed_headers: vec!["content-type".into(), "host".into(), "x-amz-date".into()],
            signature: String::new(),
        };
        let sig = expected_signature(
            &req,
            &auth,
            "20150830T123600Z",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        );
        assert_eq!(
            sig,
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
        );
    }

    #[test]
    fn parses_an_sdk_authorization_header() {
        let a = parse_authorization(Some(
            "AWS4-HMAC-SHA256 Credential=ASIAXXX/20240101/eu-west-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=ABCDEF",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(a.key_id, "ASIAXXX");
        assert_eq!(a.region, "eu-west-1");
        assert_eq!(a.signed_headers, vec!["host", "x-amz-date"]);
        assert_eq!(a.signature, "abcdef");
        assert_eq!(parse_authorization(None), Ok(None));
        assert!(parse_authorization(Some("AWS4-HMAC-SHA256 Credential=x")).is_err());
        assert!(parse_authorization(Some("Bearer abc")).is_err());
    }

    #[test]
    fn amz_dates_round_trip() {
        let t = parse_amz_date("20150830T123600Z").unwrap();
        assert_eq!(format_amz_date(t), "20150830T123600Z");
        assert!(parse_amz_date("2015-08-30").is_none());
    }
}
