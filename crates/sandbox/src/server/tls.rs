//! HTTPS for `--tls`: a certificate authority made at start and a server
//! certificate for `127.0.0.1` and `localhost` signed by it, served with
//! rustls on the aws-lc-rs provider. Clients trust the CA's PEM
//! (`AWS_CA_BUNDLE` for botocore and the AWS CLI, a custom trust store for
//! aws-sdk-rust), as they would a corporate CA.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};

use crate::error::SandboxError;

fn tls_err(what: &str, e: impl std::fmt::Display) -> SandboxError {
    SandboxError::Tls {
        message: format!("{what}: {e}"),
    }
}

/// A CA certificate (PEM) and an acceptor serving a certificate it signed.
pub(crate) struct TlsSetup {
    pub ca_pem: String,
    pub acceptor: TlsAcceptor,
}

impl std::fmt::Debug for TlsSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSetup").finish_non_exhaustive()
    }
}

/// Makes the CA, the server certificate and the acceptor.
pub(crate) fn setup() -> Result<TlsSetup, SandboxError> {
    let now = time::OffsetDateTime::now_utc();
    let (from, until) = (
        now - time::Duration::days(1),
        now + time::Duration::days(365),
    );

    let mut ca =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_err("ca parameters", e))?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Leasekeeper sandbox CA");
    ca.distinguished_name
        .push(DnType::OrganizationName, "Leasekeeper sandbox");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    ca.not_before = from;
    ca.not_after = until;
    let ca_key = KeyPair::generate().map_err(|e| tls_err("ca key", e))?;
    let ca_cert = ca
        .self_signed(&ca_key)
        .map_err(|e| tls_err("ca certificate", e))?;
    let issuer = Issuer::new(ca, ca_key);

    let mut leaf = CertificateParams::new(vec!["localhost".to_owned()])
        .map_err(|e| tls_err("server parameters", e))?;
    leaf.subject_alt_names
        .push(SanType::IpAddress(std::net::IpAddr::V4(
            std::net::Ipv4Addr::LOCALHOST,
        )));
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    leaf.use_authority_key_identifier_extension = true;
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf.not_before = from;
    leaf.not_after = until;
    let leaf_key = KeyPair::generate().map_err(|e| tls_err("server key", e))?;
    let leaf_cert = leaf
        .signed_by(&leaf_key, &issuer)
        .map_err(|e| tls_err("server certificate", e))?;

    let key = pki_types::PrivateKeyDer::Pkcs8(pki_types::PrivatePkcs8KeyDer::from(
        leaf_key.serialize_der(),
    ));
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err("protocol versions", e))?
        .with_no_client_auth()
        .with_single_cert(vec![leaf_cert.der().clone()], key)
        .map_err(|e| tls_err("server certificate", e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsSetup {
        ca_pem: ca_cert.pem(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
    })
}
