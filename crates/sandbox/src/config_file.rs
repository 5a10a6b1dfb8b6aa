//! The AWS files for a world and the shell lines that point clients at the
//! sandbox: `DIR/config` (an `[sso-session]` with a profile per account and
//! permission set, a profile for each IAM user's static keys, and a profile
//! for each role over the source its trust policy admits: static keys, an SSO
//! role (role chaining), MFA, ExternalId), `DIR/credentials`, `DIR/home` for
//! `HOME` (the SSO token cache follows `HOME`, so a sandbox sign-in never
//! touches the person's `~/.aws`), and with TLS the CA as
//! `DIR/sandbox-ca.pem`. Endpoints come from the `AWS_ENDPOINT_URL_*` lines,
//! which every SDK honours, and from a `[services sandbox]` section the
//! profiles refer to, so the config file also works on its own.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::error::SandboxError;
use crate::world::{World, principal_matches, sso_role_name};

/// What to write the files for.
#[derive(Debug, Clone, Copy)]
pub struct ConfigTarget<'a> {
    /// The world.
    pub world: &'a World,
    /// The sandbox's base URL.
    pub base_url: &'a str,
    /// The CA's PEM, when the sandbox serves HTTPS.
    pub ca_pem: Option<&'a str>,
    /// The speed factor (exported as `LEASEKEEPER_TIME_SCALE` unless 1).
    pub speed: f64,
}

/// One profile: its name and its settings in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileSpec {
    /// The profile name.
    pub name: String,
    /// `key = value` settings for `[profile NAME]` in the config file.
    pub settings: Vec<(String, String)>,
    /// Static keys for `[NAME]` in the credentials file.
    pub keys: Option<(String, String)>,
}

/// The name of the SSO profile for a permission set in an account.
pub fn sso_profile_name(account_name: &str, permission_set: &str) -> String {
    format!("{account_name}-{permission_set}").to_ascii_lowercase()
}

/// The profiles written for a world, in file order.
pub fn profiles(world: &World) -> Vec<ProfileSpec> {
    let ic = &world.identity_center;
    let region = ("region".to_owned(), ic.region.clone());
    let mut out = Vec::new();
    // SSO role ARN -> profile, for chained roles.
    let mut sso = Vec::new();
    for a in &world.accounts {
        for ps in &a.permission_sets {
            let name = sso_profile_name(&a.name, &ps.name);
            sso.push((
                format!(
                    "arn:aws:iam::{}:role/{}",
                    a.id,
                    sso_role_name(&a.id, &ps.name)
                ),
                name.clone(),
            ));
            out.push(ProfileSpec {
                name,
                settings: vec![
                    ("sso_session".into(), ic.session_name.clone()),
                    ("sso_account_id".into(), a.id.clone()),
                    ("sso_role_name".into(), ps.name.clone()),
                    region.clone(),
                ],
                keys: None,
            });
        }
    }
    let user_profile = |u: &crate::world::User| u.profile.clone().unwrap_or_else(|| u.name.clone());
    for u in &world.users {
        out.push(ProfileSpec {
            name: user_profile(u),
            settings: vec![region.clone()],
            keys: Some((
                u.access_key_id.clone(),
                u.secret_access_key.expose().to_owned(),
            )),
        });
    }
    let role_profile = |r: &crate::world::Role| {
        r.profile
            .clone()
            .unwrap_or_else(|| r.name.to_ascii_lowercase())
    };
    for r in &world.roles {
        // The first principal of the trust policy that has a profile is the source.
        let source = r.trust.iter().find_map(|t| {
            if let Some(u) = world.users.iter().find(|u| {
                principal_matches(t, &format!("arn:aws:iam::{}:user/{}", u.account, u.name))
            }) {
                return Some((user_profile(u), u.mfa.as_ref().map(|m| m.serial.clone())));
            }
            if let Some((_, p)) = sso.iter().find(|(arn, _)| principal_matches(t, arn)) {
                return Some((p.clone(), None));
            }
            world
                .roles
                .iter()
                .filter(|o| !(o.account == r.account && o.name == r.name))
                .find(|o| {
                    principal_matches(t, &format!("arn:aws:iam::{}:role/{}", o.account, o.name))
                })
                .map(|o| (role_profile(o), None))
        });
        let Some((source, mfa)) = source else {
            continue;
        };
        let mut settings = vec![
            (
                "role_arn".to_owned(),
                format!("arn:aws:iam::{}:role/{}", r.account, r.name),
            ),
            ("source_profile".to_owned(), source),
        ];
        if r.require_mfa {
            if let Some(serial) = mfa {
                settings.push(("mfa_serial".into(), serial));
            }
        }
        if let Some(x) = &r.external_id {
            settings.push(("external_id".into(), x.clone()));
        }
        settings.push(region.clone());
        out.push(ProfileSpec {
            name: role_profile(r),
            settings,
            keys: None,
        });
    }
    out
}

/// The `[services NAME]` section written beside the profiles.
pub const SERVICES_SECTION: &str = "sandbox";

/// The config file's text. With `base_url`, a `[services sandbox]` section
/// names the sandbox as the STS, SSO and SSO OIDC endpoint and every profile
/// refers to it (`services = sandbox`), so the file works on its own too
/// (AWS SDKs and Tools Reference Guide, "Service-specific endpoints":
/// service identifiers `sts`, `sso`, `sso_oidc`).
pub fn config_text(world: &World, base_url: Option<&str>) -> String {
    let ic = &world.identity_center;
    let mut s = String::from(
        "# Written by `leasekeeper sandbox` for its world. The AWS_ENDPOINT_URL_*\n\
         # variables it prints point at it too, and take precedence.\n\n",
    );
    s.push_str(&format!(
        "[sso-session {}]\nsso_start_url = {}\nsso_region = {}\nsso_registration_scopes = sso:account:access\n",
        ic.session_name, ic.start_url, ic.region
    ));
    if let Some(url) = base_url {
        s.push_str(&format!("\n[services {SERVICES_SECTION}]\n"));
        for service in ["sts", "sso", "sso_oidc", "signin"] {
            s.push_str(&format!("{service} =\n  endpoint_url = {url}\n"));
        }
    }
    for p in profiles(world) {
        s.push_str(&format!("\n[profile {}]\n", p.name));
        for (k, v) in &p.settings {
            s.push_str(&format!("{k} = {v}\n"));
        }
        if base_url.is_some() {
            s.push_str(&format!("services = {SERVICES_SECTION}\n"));
        }
    }
    s
}

/// The credentials file's text.
pub fn credentials_text(world: &World) -> String {
    let mut s =
        String::from("# Written by `leasekeeper sandbox`: keys of the sandbox's IAM users.\n");
    for p in profiles(world) {
        if let Some((id, secret)) = &p.keys {
            s.push_str(&format!(
                "\n[{}]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n",
                p.name
            ));
        }
    }
    s
}

/// Quotes a value for a POSIX shell when it needs it.
fn shell_quote(v: &str) -> String {
    if !v.is_empty()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-:+=@,".contains(&b))
    {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

fn format_speed(speed: f64) -> String {
    if speed.fract() == 0.0 {
        format!("{}", speed as u64)
    } else {
        format!("{speed}")
    }
}

/// Shell lines pointing the SDKs at `base_url`: the four
/// `AWS_ENDPOINT_URL_*` exports (STS, SSO, SSO OIDC and the console's
/// sign-in endpoint), unsetting `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`
/// (which would send every call to real AWS) and the credential variables
/// that would outrank the profiles.
pub fn endpoint_lines(base_url: &str) -> Vec<String> {
    let mut lines: Vec<String> = [
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_SSO",
        "AWS_ENDPOINT_URL_SSO_OIDC",
        "AWS_ENDPOINT_URL_SIGNIN",
    ]
    .iter()
    .map(|n| format!("export {n}={}", shell_quote(base_url)))
    .collect();
    for name in [
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
    ] {
        lines.push(format!("unset {name}"));
    }
    lines
}

fn write_file(path: &Path, text: &str) -> Result<(), SandboxError> {
    let err = |source| SandboxError::WriteConfig {
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(err)?;
    f.write_all(text.as_bytes()).map_err(err)?;
    f.sync_all().map_err(err)
}

/// Writes the files into `dir` (created if missing) and returns the shell lines.
pub fn write_config(dir: &Path, target: &ConfigTarget<'_>) -> Result<Vec<String>, SandboxError> {
    let err = |path: PathBuf| move |source| SandboxError::WriteConfig { path, source };
    std::fs::create_dir_all(dir).map_err(err(dir.to_owned()))?;
    let dir = std::fs::canonicalize(dir).map_err(err(dir.to_owned()))?;
    let home = dir.join("home");
    std::fs::create_dir_all(&home).map_err(err(home.clone()))?;
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    write_file(&config, &config_text(target.world, Some(target.base_url)))?;
    write_file(&credentials, &credentials_text(target.world))?;
    let path = |p: &Path| shell_quote(&p.to_string_lossy());
    let mut lines = vec![
        format!("export AWS_CONFIG_FILE={}", path(&config)),
        format!("export AWS_SHARED_CREDENTIALS_FILE={}", path(&credentials)),
    ];
    lines.extend(endpoint_lines(target.base_url));
    lines.push(format!("export HOME={}", path(&home)));
    if let Some(pem) = target.ca_pem {
        let ca = dir.join("sandbox-ca.pem");
        write_file(&ca, pem)?;
        lines.push(format!("export AWS_CA_BUNDLE={}", path(&ca)));
    }
    if target.speed != 1.0 {
        lines.push(format!(
            "export LEASEKEEPER_TIME_SCALE={}",
            format_speed(target.speed)
        ));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_world_gets_every_kind_of_profile() {
        let w = World::default();
        let text = config_text(&w, None);
        assert!(text.contains(
            "[sso-session sandbox]\nsso_start_url = https://sandbox.awsapps.com/start\n"
        ));
        assert!(text.contains("[profile dev-admin]\nsso_session = sandbox\nsso_account_id = 111111111111\nsso_role_name = Admin\n"));
        assert!(text.contains("[profile prod-readonly]"));
        assert!(text.contains("[profile deploy]\nrole_arn = arn:aws:iam::222222222222:role/Deploy\nsource_profile = alice\n"));
        assert!(text.contains("[profile auditor]\nrole_arn = arn:aws:iam::222222222222:role/Auditor\nsource_profile = dev-admin\n"));
        assert!(text.contains("mfa_serial = arn:aws:iam::111111111111:mfa/alice\n"));
        assert!(text.contains("external_id = sandbox-external-id\n"));
        let with_services = config_text(&w, Some("http://127.0.0.1:9"));
        assert!(
            with_services.contains(
                "[services sandbox]\nsts =\n  endpoint_url = http://127.0.0.1:9\nsso =\n"
            )
        );
        assert!(with_services.contains("sso_oidc =\n  endpoint_url = http://127.0.0.1:9\n"));
        assert!(with_services.contains("region = us-east-1\nservices = sandbox\n"));
        let creds = credentials_text(&w);
        assert!(creds.contains("[alice]\naws_access_key_id = AKIASANDBOXALICE0001\n"));
    }

    #[test]
    fn values_that_need_quotes_get_them() {
        assert_eq!(shell_quote("/tmp/a b"), "'/tmp/a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("http://127.0.0.1:80"), "http://127.0.0.1:80");
        assert_eq!(format_speed(60.0), "60");
        assert_eq!(format_speed(2.5), "2.5");
    }
}
