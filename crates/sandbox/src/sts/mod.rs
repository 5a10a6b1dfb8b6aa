//! STS over the query protocol: `POST /` with a form body (or `GET /?…`)
//! naming `Action` and `Version=2011-06-15`, SigV4-signed; answers in XML.
//! `auth` decides who calls, `params` checks parameters, `actions` does the
//! work, `xml` shapes answers.

mod actions;
mod auth;
mod params;
pub(crate) mod sigv4;
pub(crate) mod xml;

use http::{Response, StatusCode};

use crate::state::Shared;
use crate::wire::{Body, Req, parse_form};
use params::Params;
pub(crate) use xml::StsError;

/// The only STS API version.
const VERSION: &str = "2011-06-15";

/// Answers one STS request.
pub(crate) fn handle(shared: &Shared, req: &Req, request_id: &str) -> Response<Body> {
    match answer(shared, req) {
        Ok((action, result)) => xml::success(action, &result, request_id),
        Err(e) => e.into_response(request_id),
    }
}

fn answer(shared: &Shared, req: &Req) -> Result<(&'static str, String), StsError> {
    let mut all = parse_form(req.query.as_bytes());
    if req.method == http::Method::POST {
        all.extend(parse_form(&req.body));
    }
    let params = Params(all);
    let caller = auth::authenticate(shared, req)?;
    let Some(action) = params.get("Action") else {
        return Err(StsError::new(
            StatusCode::BAD_REQUEST,
            "MissingAction",
            "Missing Action",
        ));
    };
    let version = params.get("Version").unwrap_or(VERSION);
    let unknown = || {
        StsError::new(
            StatusCode::BAD_REQUEST,
            "InvalidAction",
            format!("Could not find operation {action} for version {version}"),
        )
    };
    if version != VERSION {
        return Err(unknown());
    }
    if matches!(
        action,
        "AssumeRole" | "GetSessionToken" | "GetFederationToken" | "GetCallerIdentity"
    ) {
        *crate::state::lock(&shared.sts_calls)
            .entry(action.to_owned())
            .or_default() += 1;
    }
    match action {
        "AssumeRole" => Ok((
            "AssumeRole",
            actions::assume_role(shared, &caller, &params)?,
        )),
        "GetSessionToken" => Ok((
            "GetSessionToken",
            actions::get_session_token(shared, &caller, &params)?,
        )),
        "GetFederationToken" => Ok((
            "GetFederationToken",
            actions::get_federation_token(shared, &caller, &params)?,
        )),
        "GetCallerIdentity" => Ok(("GetCallerIdentity", actions::get_caller_identity(&caller))),
        _ => Err(unknown()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::string_slice, reason = "tests slice ASCII fixtures")]

    use std::sync::Mutex;

    use super::*;
    use crate::clock::Clock;
    use crate::creds::TokenKey;
    use crate::faults::Faults;
    use crate::oidc::state::OidcState;
    use crate::world::World;
    use crate::world::default::{ALICE_ACCESS_KEY_ID, ALICE_SECRET_ACCESS_KEY};

    fn shared() -> Shared {
        Shared {
            world: World::default(),
            clock: Clock::system(),
            speed: 1.0,
            auto_approve: false,
            base_url: "http://127.0.0.1:1".into(),
            faults: Mutex::new(Faults::default()),
            oidc: Mutex::new(OidcState::default()),
            used_codes: Mutex::new(Default::default()),
            sts_calls: Mutex::new(Default::default()),
            tokens: TokenKey::random(),
            portal_bucket: Mutex::new(Default::default()),
        }
    }

    /// A POST signed with alice's keys, as an SDK would sign it.
    fn signed(body: &str) -> Req {
        let now = time::OffsetDateTime::now_utc();
        let amz_date = sigv4::format_amz_date(now);
        let mut headers = http::HeaderMap::new();
        headers.insert("host", "127.0.0.1:1".parse().unwrap());
        headers.insert(
            "content-type",
            "application/x-www-form-urlencoded".parse().unwrap(),
        );
        headers.insert("x-amz-date", amz_date.parse().unwrap());
        let mut req = Req {
            method: http::Method::POST,
            path: "/".into(),
            query: String::new(),
            headers,
            body: bytes::Bytes::from(body.to_owned()),
        };
        let auth = sigv4::AuthHeader {
            key_id: ALICE_ACCESS_KEY_ID.into(),
            date: amz_date[..8].into(),
            region: "us-east-1".into(),
            service: "sts".into(),
            signed_headers: vec!["content-type".into(), "host".into(), "x-amz-date".into()],
            signature: String::new(),
        };
        let sig = sigv4::expected_signature(&req, &auth, &amz_date, ALICE_SECRET_ACCESS_KEY);
        let value = format!(
            "AWS4-HMAC-SHA256 Credential={}/{}/us-east-1/sts/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature={sig}",
            ALICE_ACCESS_KEY_ID, auth.date
        );
        req.headers.insert("authorization", value.parse().unwrap());
        req
    }

    #[test]
    fn a_signed_request_is_answered() {
        let (action, xml) = answer(
            &shared(),
            &signed("Action=GetCallerIdentity&Version=2011-06-15"),
        )
        .unwrap();
        assert_eq!(action, "GetCallerIdentity");
        assert!(xml.contains("<Arn>arn:aws:iam::111111111111:user/alice</Arn>"));
    }

    #[test]
    fn unknown_and_missing_actions_get_aws_codes() {
        let e = answer(
            &shared(),
            &signed("Action=DeleteEverything&Version=2011-06-15"),
        )
        .unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                "InvalidAction",
                "Could not find operation DeleteEverything for version 2011-06-15"
            )
        );
        let e = answer(&shared(), &signed("Version=2011-06-15")).unwrap_err();
        assert_eq!(e.code, "MissingAction");
        let e = answer(
            &shared(),
            &signed("Action=GetCallerIdentity&Version=1999-01-01"),
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidAction");
    }

    #[test]
    fn missing_parameters_are_validation_errors() {
        let e = answer(&shared(), &signed("Action=AssumeRole&Version=2011-06-15")).unwrap_err();
        assert_eq!(e.code, "ValidationError");
        assert_eq!(
            e.message,
            "2 validation errors detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null; Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"
        );
        let e = answer(&shared(), &signed("Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::222222222222:role/Deploy&RoleSessionName=ok&DurationSeconds=abc")).unwrap_err();
        assert!(
            e.message.contains("Member must be a number"),
            "{}",
            e.message
        );
        let e = answer(&shared(), &signed("Action=AssumeRole&Version=2011-06-15&RoleArn=not-an-arn-but-long-enough&RoleSessionName=ok")).unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("ValidationError", "not-an-arn-but-long-enough is invalid")
        );
    }

    #[test]
    fn a_body_changed_after_signing_fails_the_signature() {
        let mut req = signed("Action=GetCallerIdentity&Version=2011-06-15");
        req.body = bytes::Bytes::from_static(b"Action=GetCallerIdentity&Version=2011-06-15&x=1");
        assert_eq!(
            answer(&shared(), &req).unwrap_err().code,
            "SignatureDoesNotMatch"
        );
    }
}
