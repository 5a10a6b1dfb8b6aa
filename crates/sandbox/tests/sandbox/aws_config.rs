//! aws-sdk-rust's own config loader reads the files `write_config` wrote:
//! profiles, regions, the `[services sandbox]` endpoints, and an assume-role
//! chain over static keys resolved by aws-config's default provider chain.

use aws_config::BehaviorVersion;
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};

use crate::common::*;

async fn caller(dir: &std::path::Path, profile: &str) -> String {
    let files = EnvConfigFiles::builder()
        .include_default_config_file(false)
        .include_default_credentials_file(false)
        .with_file(EnvConfigFileKind::Config, dir.join("config"))
        .with_file(EnvConfigFileKind::Credentials, dir.join("credentials"))
        .build();
    let conf = aws_config::defaults(BehaviorVersion::latest())
        .profile_files(files)
        .profile_name(profile)
        .load()
        .await;
    assert_eq!(conf.region().map(|r| r.as_ref()), Some("us-east-1"));
    let who = aws_sdk_sts::Client::new(&conf)
        .get_caller_identity()
        .send()
        .await
        .unwrap_or_else(|e| panic!("{profile}: {e:?}"));
    who.arn().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn aws_config_resolves_the_written_profiles_through_the_services_section() {
    // The default chain reads the process environment first: these would
    // outrank the profiles or send the calls to real AWS.
    for name in [
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "AWS_ACCESS_KEY_ID",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_STS",
    ] {
        assert!(
            std::env::var_os(name).is_none(),
            "unset {name} to run the sandbox tests"
        );
    }
    let sb = start(|_| {}).await;
    let dir = tempfile::tempdir().unwrap();
    sb.write_config(dir.path()).unwrap();
    assert_eq!(
        caller(dir.path(), "alice").await,
        "arn:aws:iam::111111111111:user/alice"
    );
    let deploy = caller(dir.path(), "deploy").await;
    assert!(
        deploy.starts_with("arn:aws:sts::222222222222:assumed-role/Deploy/"),
        "{deploy}"
    );
    let vendor = caller(dir.path(), "vendor").await;
    assert!(
        vendor.starts_with("arn:aws:sts::222222222222:assumed-role/Vendor/"),
        "{vendor}"
    );
}
