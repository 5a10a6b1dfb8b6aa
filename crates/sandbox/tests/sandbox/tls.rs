//! `--tls`: aws-sdk-rust trusts the sandbox only with its CA, as with a
//! corporate CA; the CA is written beside the config files.

use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use leasekeeper_sandbox::{ALICE_ACCESS_KEY_ID, ALICE_SECRET_ACCESS_KEY};

use crate::common::*;

fn client(sb: &leasekeeper_sandbox::RunningSandbox, trust: Option<&str>) -> aws_sdk_sts::Client {
    let mut store = TrustStore::empty();
    if let Some(pem) = trust {
        store = store.with_pem_certificate(pem.as_bytes().to_vec());
    }
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(
            TlsContext::builder()
                .with_trust_store(store)
                .build()
                .unwrap(),
        )
        .build_https();
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(sb.base_url())
        .http_client(http)
        .credentials_provider(Credentials::new(
            ALICE_ACCESS_KEY_ID,
            ALICE_SECRET_ACCESS_KEY,
            None,
            None,
            "tls-test",
        ))
        .retry_config(aws_sdk_sts::config::retry::RetryConfig::disabled())
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

#[tokio::test]
async fn the_rust_sdk_reaches_the_https_sandbox_through_its_ca_only() {
    let sb = start(|c| c.tls = true).await;
    assert!(sb.base_url().starts_with("https://127.0.0.1:"));
    let pem = sb.ca_pem().expect("a CA").to_owned();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let who = client(&sb, Some(&pem))
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(who.arn(), Some("arn:aws:iam::111111111111:user/alice"));
    let err = client(&sb, None)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert!(
        err.raw_response().is_none(),
        "an untrusted certificate must fail the handshake: {err:?}"
    );

    let dir = tempfile::tempdir().unwrap();
    let lines = sb.write_config(dir.path()).unwrap();
    let bundle = lines
        .iter()
        .find_map(|l| l.strip_prefix("export AWS_CA_BUNDLE="))
        .unwrap();
    assert_eq!(std::fs::read_to_string(bundle).unwrap(), pem);
}
