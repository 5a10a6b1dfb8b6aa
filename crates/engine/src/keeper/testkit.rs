//! Test helpers: snapshots from file text, tokens, and a manual clock that
//! drives [`step`](super::step) the way the host's loop does.

use std::sync::Arc;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::load::{CacheFileInput, FileInput, LoadInput, snapshot as load};
use crate::profiles::sso_cache::cache_key;
use crate::snapshot::Snapshot;
use crate::timefmt::format_z;

pub const T0: OffsetDateTime = datetime!(2026-11-22 10:00 UTC);

/// A token cache file for `name` (sso-session or legacy start URL).
#[derive(Debug, Clone)]
pub struct TokenFile {
    pub name: String,
    pub expires_at: OffsetDateTime,
    pub refreshable: bool,
    pub registration_expires_at: OffsetDateTime,
    pub access_token: String,
}

impl TokenFile {
    pub fn new(name: &str, expires_at: OffsetDateTime) -> TokenFile {
        TokenFile {
            name: name.to_owned(),
            expires_at,
            refreshable: true,
            registration_expires_at: expires_at + Duration::days(60),
            access_token: format!("AT-{}", expires_at.unix_timestamp()),
        }
    }

    fn json(&self) -> String {
        let mut s = format!(
            r#"{{"startUrl":"https://x.awsapps.com/start","region":"eu-west-1","accessToken":"{}","expiresAt":"{}""#,
            self.access_token,
            format_z(self.expires_at)
        );
        if self.refreshable {
            s.push_str(&format!(
                r#","clientId":"cid","clientSecret":"CLIENTSECRETVALUE","refreshToken":"REFRESHTOKENVALUE","registrationExpiresAt":"{}""#,
                format_z(self.registration_expires_at)
            ));
        }
        s.push('}');
        s
    }
}

/// A snapshot of these files.
pub fn snapshot(config: &str, credentials: &str, tokens: &[TokenFile]) -> Arc<Snapshot> {
    let input = LoadInput {
        config: FileInput {
            path: "config".into(),
            contents: Ok(Some(config.as_bytes().to_vec())),
        },
        credentials: FileInput {
            path: "credentials".into(),
            contents: Ok(Some(credentials.as_bytes().to_vec())),
        },
        sso_cache_dir: "sso/cache".into(),
        sso_cache: tokens
            .iter()
            .map(|t| CacheFileInput {
                name: format!("{}.json", cache_key(&t.name)),
                contents: Ok(t.json().into_bytes()),
            })
            .collect(),
        cli_cache_dir: "cli/cache".into(),
        cli_cache: Vec::new(),
    };
    Arc::new(load(&input))
}

/// The config of one sso-session `corp` with an SSO profile `sso` and
/// `roles` role profiles `r00`, `r01`, … over it.
pub fn sso_config(roles: usize) -> String {
    let mut s = String::from(
        "[sso-session corp]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n\n\
         [profile sso]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n",
    );
    for i in 0..roles {
        s.push_str(&format!(
            "\n[profile r{i:02}]\nrole_arn = arn:aws:iam::222222222222:role/R{i:02}\nsource_profile = sso\n"
        ));
    }
    s
}
