//! The engine's ports: the traits through which its flows reach the world.
//!
//! The engine never reads a clock, a file, a socket or the environment. The
//! sign-in flows in [`crate::signin`] are written against these traits; the
//! real implementations live in `leasekeeper-host` (clock, files, loopback
//! listener, browser, randomness) and `leasekeeper-aws` (the AWS SDK), and the
//! engine's tests use fakes and a manual clock.
//!
//! - [`Clock`]: "now" and sleeping, so polling is testable without real time.
//! - [`SsoOidc`], [`SsoPortal`], [`Sts`]: the AWS APIs, each answer [`Dated`]
//!   with the server's `Date` so clock skew can be measured; failures are
//!   [`AwsError`]s with a stable [`AwsError::code`].
//! - [`Interaction`]: what the person sees (a device code, "continue in your
//!   browser") and the one way a browser is opened.
//! - [`LoopbackFactory`]/[`Loopback`]: the PKCE redirect listener.
//! - [`Store`]: the token cache and Leasekeeper's own state, written under a
//!   lock, atomically.
//! - [`Random`]: bytes from the operating system.
//!
//! Async methods return `impl Future + Send` so flows can run on any
//! executor (the shells use tokio; tests poll them by hand).

use std::future::Future;

use time::{Duration, OffsetDateTime};

use crate::Secret;

mod aws_error;
mod store;

pub use aws_error::{AwsError, Service};
pub use store::{Store, StoreError, StoreFile};

/// Wall-clock time and sleeping.
pub trait Clock: Send + Sync {
    /// The current wall-clock time (UTC).
    fn now(&self) -> OffsetDateTime;
    /// Waits `duration` (a manual clock advances instead).
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

/// An answer with the `Date` header the server sent, when it sent one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dated<T> {
    pub value: T,
    pub server_date: Option<OffsetDateTime>,
}

impl<T> Dated<T> {
    /// An answer without a server date (fakes, tests).
    pub fn undated(value: T) -> Self {
        Dated {
            value,
            server_date: None,
        }
    }
}

/// Which grant a client registration is for: the AWS CLI registers
/// separately for the two sign-in ceremonies, and so do we.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegistrationKind {
    /// Device authorization (RFC 8628).
    DeviceCode,
    /// Authorization code with PKCE through a loopback redirect.
    AuthorizationCode,
}

impl RegistrationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationKind::DeviceCode => "device_code",
            RegistrationKind::AuthorizationCode => "authorization_code",
        }
    }
}

/// RegisterClient's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterClientRequest {
    pub client_name: String,
    pub kind: RegistrationKind,
    /// Scopes to ask for; empty asks for the service's default.
    pub scopes: Vec<String>,
    /// The start URL, sent as `issuerUrl` for authorization-code clients.
    pub issuer_url: Option<String>,
    /// The redirect URI registered for authorization-code clients.
    pub redirect_uri: Option<String>,
}

/// A registered OIDC client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRegistration {
    pub client_id: String,
    pub client_secret: Secret,
    pub expires_at: OffsetDateTime,
}

/// StartDeviceAuthorization's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorization {
    pub device_code: Secret,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: Duration,
    /// The polling interval the service asks for.
    pub interval: Option<Duration>,
}

/// The three CreateToken grants.
#[derive(Debug, Clone, Copy)]
pub enum TokenGrant<'a> {
    DeviceCode {
        device_code: &'a Secret,
    },
    AuthorizationCode {
        code: &'a Secret,
        code_verifier: &'a Secret,
        redirect_uri: &'a str,
    },
    RefreshToken {
        refresh_token: &'a Secret,
    },
}

/// CreateToken's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenResponse {
    pub access_token: Secret,
    /// Only for clients registered with `sso:account:access`.
    pub refresh_token: Option<Secret>,
    pub expires_in: Duration,
}

/// What the `/authorize` URL carries.
#[derive(Debug, Clone, Copy)]
pub struct AuthorizeRequest<'a> {
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub state: &'a str,
    pub code_challenge: &'a str,
    pub scopes: &'a [String],
}

/// IAM Identity Center's OIDC service.
pub trait SsoOidc: Send + Sync {
    fn register_client(
        &self,
        request: &RegisterClientRequest,
    ) -> impl Future<Output = Result<Dated<ClientRegistration>, AwsError>> + Send;

    fn start_device_authorization(
        &self,
        client: &ClientRegistration,
        start_url: &str,
    ) -> impl Future<Output = Result<Dated<DeviceAuthorization>, AwsError>> + Send;

    fn create_token(
        &self,
        client: &ClientRegistration,
        grant: TokenGrant<'_>,
    ) -> impl Future<Output = Result<Dated<TokenResponse>, AwsError>> + Send;

    /// The browser's `/authorize` URL, on the endpoint the OIDC calls use.
    fn authorize_url(&self, request: &AuthorizeRequest<'_>) -> Result<String, AwsError>;
}

/// AWS credentials: long-term keys, or temporary ones with an expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    pub expiration: Option<OffsetDateTime>,
}

/// The SSO portal: role credentials and sign-out.
pub trait SsoPortal: Send + Sync {
    fn get_role_credentials(
        &self,
        access_token: &Secret,
        account_id: &str,
        role_name: &str,
    ) -> impl Future<Output = Result<Dated<Credentials>, AwsError>> + Send;

    fn logout(
        &self,
        access_token: &Secret,
    ) -> impl Future<Output = Result<Dated<()>, AwsError>> + Send;
}

/// The access portal's listing of what the signed-in person may use.
pub trait PortalListing: Send + Sync {
    /// One page of the accounts (`next`: the page token of the previous).
    fn list_accounts(
        &self,
        access_token: &Secret,
        next: Option<&str>,
    ) -> impl Future<Output = Result<Page<PortalAccount>, AwsError>> + Send;

    /// One page of the role names in `account_id`.
    fn list_account_roles(
        &self,
        access_token: &Secret,
        account_id: &str,
        next: Option<&str>,
    ) -> impl Future<Output = Result<Page<String>, AwsError>> + Send;
}

/// One page of a listing and the token of the next, if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

/// An account as the portal lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalAccount {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// AssumeRole's input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssumeRoleRequest {
    pub role_arn: String,
    pub role_session_name: String,
    pub duration_seconds: Option<i32>,
    pub external_id: Option<String>,
    pub serial_number: Option<String>,
    pub token_code: Option<Secret>,
}

/// GetSessionToken's input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionTokenRequest {
    pub duration_seconds: Option<i32>,
    pub serial_number: Option<String>,
    pub token_code: Option<Secret>,
}

/// GetCallerIdentity's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// AWS STS, called with the credentials given.
pub trait Sts: Send + Sync {
    fn assume_role(
        &self,
        credentials: &Credentials,
        request: &AssumeRoleRequest,
    ) -> impl Future<Output = Result<Dated<Credentials>, AwsError>> + Send;

    fn get_session_token(
        &self,
        credentials: &Credentials,
        request: &SessionTokenRequest,
    ) -> impl Future<Output = Result<Dated<Credentials>, AwsError>> + Send;

    fn get_caller_identity(
        &self,
        credentials: &Credentials,
    ) -> impl Future<Output = Result<Dated<CallerIdentity>, AwsError>> + Send;
}

/// A device code for the person to enter.
#[derive(Debug, Clone, Copy)]
pub struct DeviceCodePrompt<'a> {
    /// The sso-session (or legacy start URL) being signed in to.
    pub target: &'a str,
    pub user_code: &'a str,
    pub verification_uri: &'a str,
    pub verification_uri_complete: Option<&'a str>,
    pub expires_at: OffsetDateTime,
}

/// Things worth telling the person while a flow runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// The browser could not be opened; the flow goes on without it.
    BrowserFailed { reason: String },
    /// No browser: the device code flow is used instead of PKCE.
    UsingDeviceCode { reason: String },
    /// A poll failed for a reason that may pass; polling goes on.
    StillWaiting { error_code: String },
    /// Another process is signing in to the same session; this one waits.
    JoiningOther {
        target: String,
        holder: String,
        user_code: Option<String>,
        verification_uri: Option<String>,
    },
}

/// What the person sees and does. The engine never opens a browser except
/// through [`Interaction::open_url`], and only during a sign-in the person
/// started.
pub trait Interaction: Send + Sync {
    fn show_device_code(&self, prompt: &DeviceCodePrompt<'_>);
    /// The browser was opened at `url`: "continue in your browser".
    fn continue_in_browser(&self, target: &str, url: &str);
    /// No browser will be opened: the person opens `url` themselves.
    fn show_sign_in_url(&self, target: &str, url: &str);
    /// Opens `url` in a browser; `Err` with the reason when none can be.
    fn open_url(&self, url: &str) -> Result<(), String>;
    fn notice(&self, notice: &Notice);
}

/// How a browser sign-in came back to the loopback listener.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoopbackError {
    #[error("no browser came back to {redirect_uri} within {waited_secs} s")]
    TimedOut {
        redirect_uri: String,
        waited_secs: i64,
    },
    #[error("the sign-in was refused in the browser ({error})")]
    Denied { error: String },
    #[error(
        "the browser came back with a `state` that is not this sign-in's (a forged or stale redirect); nothing was accepted"
    )]
    StateMismatch,
    #[error("the loopback listener failed: {0}")]
    Io(String),
}

/// The PKCE redirect listener: bound on 127.0.0.1 at a random port.
pub trait Loopback: Send + Sync {
    /// `http://127.0.0.1:PORT/oauth/callback`.
    fn redirect_uri(&self) -> &str;
    /// Serves callbacks until one carries `expected_state` (answering a
    /// friendly page) or an error, at most `timeout`.
    fn wait_for_code(
        &self,
        expected_state: &str,
        timeout: Duration,
    ) -> impl Future<Output = Result<Secret, LoopbackError>> + Send;
}

/// Starts loopback listeners.
pub trait LoopbackFactory: Send + Sync {
    type Listener: Loopback;
    fn bind(&self) -> impl Future<Output = Result<Self::Listener, LoopbackError>> + Send;
}

/// Random bytes from the operating system.
pub trait Random: Send + Sync {
    fn fill(&self, buf: &mut [u8]) -> Result<(), String>;
}
