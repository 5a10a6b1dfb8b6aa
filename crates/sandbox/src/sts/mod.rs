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
    match action {
        "AssumeRole" => Ok((
            "AssumeRole",
            actions::assume_role(shared, &caller, &params)?,
        )),
        "GetSessionToken" => Ok((
            "GetSessionToken",
            actions::get_session_token(shared, &caller, &params)?,
        )),
        "GetCallerIdentity" => Ok(("GetCallerIdentity", actions::get_caller_identity(&caller))),
        _ => Err(unknown()),
    }
}
