//! The built-in world: two accounts reached through Identity Center, an IAM
//! user with static keys and a TOTP device, and roles for every way a profile
//! can reach AWS (over static keys, chained from an SSO role, behind MFA,
//! behind an ExternalId). docs/SANDBOX.md lists it; its keys are for the
//! sandbox only and are published on purpose.

use super::{Account, IdentityCenter, MfaDevice, PermissionSet, Role, User, World};
use crate::secret::Secret;

/// The development account.
pub const DEV_ACCOUNT: &str = "111111111111";
/// The production account.
pub const PROD_ACCOUNT: &str = "222222222222";
/// The built-in IAM user's access key id.
pub const ALICE_ACCESS_KEY_ID: &str = "AKIASANDBOXALICE0001";
/// The built-in IAM user's secret access key.
pub const ALICE_SECRET_ACCESS_KEY: &str = "sandboxAliceSecretKey0000000000000000000";
/// The built-in MFA device.
pub const ALICE_MFA_SERIAL: &str = "arn:aws:iam::111111111111:mfa/alice";
/// The built-in MFA device's TOTP secret (base32; `totp::totp_code` computes its codes).
pub const ALICE_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXP";
/// The ExternalId the built-in `Vendor` role demands.
pub const VENDOR_EXTERNAL_ID: &str = "sandbox-external-id";

impl Default for World {
    fn default() -> Self {
        World {
            identity_center: IdentityCenter {
                start_url: "https://sandbox.awsapps.com/start".into(),
                region: "us-east-1".into(),
                session_name: "sandbox".into(),
                user_name: "sandbox-user".into(),
                session_duration_secs: 8 * 3600,
                access_token_secs: 3600,
                portal_calls_per_second: 0,
            },
            accounts: vec![
                Account {
                    id: DEV_ACCOUNT.into(),
                    name: "dev".into(),
                    email: "dev@example.com".into(),
                    permission_sets: vec![
                        PermissionSet {
                            name: "Admin".into(),
                            session_duration_secs: 3600,
                        },
                        PermissionSet {
                            name: "ReadOnly".into(),
                            session_duration_secs: 4 * 3600,
                        },
                    ],
                },
                Account {
                    id: PROD_ACCOUNT.into(),
                    name: "prod".into(),
                    email: "prod@example.com".into(),
                    permission_sets: vec![PermissionSet {
                        name: "ReadOnly".into(),
                        session_duration_secs: 3600,
                    }],
                },
            ],
            users: vec![User {
                account: DEV_ACCOUNT.into(),
                name: "alice".into(),
                access_key_id: ALICE_ACCESS_KEY_ID.into(),
                secret_access_key: Secret::new(ALICE_SECRET_ACCESS_KEY),
                mfa: Some(MfaDevice {
                    serial: ALICE_MFA_SERIAL.into(),
                    totp_secret: Secret::new(ALICE_TOTP_SECRET),
                }),
                profile: None,
            }],
            roles: vec![
                // A role over static keys.
                Role {
                    account: PROD_ACCOUNT.into(),
                    name: "Deploy".into(),
                    max_session_duration_secs: 43200,
                    trust: vec!["arn:aws:iam::111111111111:user/alice".into()],
                    external_id: None,
                    require_mfa: false,
                    profile: None,
                },
                // A role chained from an SSO role profile.
                Role {
                    account: PROD_ACCOUNT.into(),
                    name: "Auditor".into(),
                    max_session_duration_secs: 43200,
                    trust: vec!["arn:aws:iam::111111111111:role/AWSReservedSSO_Admin_*".into()],
                    external_id: None,
                    require_mfa: false,
                    profile: None,
                },
                // An MFA-protected role.
                Role {
                    account: DEV_ACCOUNT.into(),
                    name: "BreakGlass".into(),
                    max_session_duration_secs: 3600,
                    trust: vec!["arn:aws:iam::111111111111:user/alice".into()],
                    external_id: None,
                    require_mfa: true,
                    profile: None,
                },
                // A role behind an ExternalId.
                Role {
                    account: PROD_ACCOUNT.into(),
                    name: "Vendor".into(),
                    max_session_duration_secs: 3600,
                    trust: vec!["arn:aws:iam::111111111111:root".into()],
                    external_id: Some(VENDOR_EXTERNAL_ID.into()),
                    require_mfa: false,
                    profile: None,
                },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_world_is_valid() {
        World::default().validate().unwrap();
    }

    #[test]
    fn the_default_world_round_trips_through_toml() {
        let w = World::default();
        let back: World = toml::from_str(&w.to_toml()).unwrap();
        assert_eq!(back, w);
    }
}

#[cfg(test)]
mod secrecy {
    use super::*;

    #[test]
    fn the_built_in_keys_have_aws_lengths_and_never_show_in_debug() {
        assert_eq!(ALICE_ACCESS_KEY_ID.len(), 20);
        assert_eq!(ALICE_SECRET_ACCESS_KEY.len(), 40);
        let shown = format!("{:?}", World::default());
        assert!(!shown.contains(ALICE_SECRET_ACCESS_KEY));
        assert!(!shown.contains(ALICE_TOTP_SECRET));
    }
}
