//! Fakes of every port and a manual clock, for the flows' tests. The fakes
//! never block, so a future is driven to its end by polling it in a loop.

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use time::{Duration, OffsetDateTime};

use crate::Secret;
use crate::ports::*;

/// Runs a future whose ports never wait.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("a fake port never became ready")
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A clock that moves only when slept on (or told).
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<OffsetDateTime>,
    pub slept: Mutex<Vec<Duration>>,
}

impl ManualClock {
    pub fn at(now: OffsetDateTime) -> Self {
        ManualClock {
            now: Mutex::new(now),
            slept: Mutex::new(Vec::new()),
        }
    }
    pub fn advance(&self, by: Duration) {
        *lock(&self.now) += by;
    }
    pub fn sleeps(&self) -> Vec<Duration> {
        lock(&self.slept).clone()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *lock(&self.now)
    }
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        lock(&self.slept).push(duration);
        self.advance(duration);
        std::future::ready(())
    }
}

/// Files another process writes.
pub type Writes = Vec<(StoreFile, Vec<u8>)>;

/// Files in memory, with locks.
#[derive(Debug, Default)]
pub struct MemStore {
    pub files: Mutex<HashMap<StoreFile, Vec<u8>>>,
    locks: Arc<Mutex<HashSet<StoreFile>>>,
    /// Locks "another process" holds for so many more `try_lock`s, and the
    /// files it writes when it lets go.
    others: Mutex<HashMap<StoreFile, (u32, Writes)>>,
}

#[derive(Debug)]
pub struct MemLock {
    file: StoreFile,
    locks: Arc<Mutex<HashSet<StoreFile>>>,
}

impl Drop for MemLock {
    fn drop(&mut self) {
        lock(&self.locks).remove(&self.file);
    }
}

impl MemStore {
    pub fn put(&self, file: StoreFile, bytes: &[u8]) {
        lock(&self.files).insert(file, bytes.to_vec());
    }
    pub fn get(&self, file: &StoreFile) -> Option<Vec<u8>> {
        lock(&self.files).get(file).cloned()
    }
    /// Another process holds `file`'s lock for `attempts` more `try_lock`s,
    /// then writes `then` and lets go.
    pub fn held_by_other(&self, file: StoreFile, attempts: u32, then: Writes) {
        lock(&self.others).insert(file, (attempts, then));
    }
}

impl Store for MemStore {
    type Lock = MemLock;
    fn lock(&self, file: &StoreFile) -> Result<MemLock, StoreError> {
        self.try_lock(file)?.ok_or(StoreError::Locked {
            path: file.describe(),
            waited_ms: 0,
        })
    }
    fn try_lock(&self, file: &StoreFile) -> Result<Option<MemLock>, StoreError> {
        let mut others = lock(&self.others);
        if let Some((left, _)) = others.get_mut(file) {
            if *left > 0 {
                *left -= 1;
                return Ok(None);
            }
            if let Some((_, then)) = others.remove(file) {
                for (f, bytes) in then {
                    self.put(f, &bytes);
                }
            }
        }
        drop(others);
        if !lock(&self.locks).insert(file.clone()) {
            return Ok(None);
        }
        Ok(Some(MemLock {
            file: file.clone(),
            locks: Arc::clone(&self.locks),
        }))
    }
    fn read(&self, file: &StoreFile) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.get(file))
    }
    fn write(&self, l: &MemLock, bytes: &[u8]) -> Result<(), StoreError> {
        self.put(l.file.clone(), bytes);
        Ok(())
    }
    fn remove(&self, l: &MemLock) -> Result<bool, StoreError> {
        Ok(lock(&self.files).remove(&l.file).is_some())
    }
}

/// Scripted OIDC answers; every call is recorded.
#[derive(Debug, Default)]
pub struct FakeOidc {
    pub calls: Mutex<Vec<String>>,
    pub device_polls: Mutex<VecDeque<Result<TokenResponse, AwsError>>>,
    pub code_exchange: Mutex<Option<Result<TokenResponse, AwsError>>>,
    pub refreshes: Mutex<VecDeque<Result<TokenResponse, AwsError>>>,
    pub refresh_tokens_seen: Mutex<Vec<String>>,
    /// `expiresIn` of device authorizations.
    pub device_expires_in: Mutex<Option<Duration>>,
    pub registration_expires_at: Mutex<Option<OffsetDateTime>>,
}

impl FakeOidc {
    pub fn calls(&self) -> Vec<String> {
        lock(&self.calls).clone()
    }
    pub fn count(&self, prefix: &str) -> usize {
        self.calls()
            .iter()
            .filter(|c| c.starts_with(prefix))
            .count()
    }
}

pub fn token(access: &str, refresh: Option<&str>, secs: i64) -> TokenResponse {
    TokenResponse {
        access_token: Secret::new(access),
        refresh_token: refresh.map(Secret::new),
        expires_in: Duration::seconds(secs),
    }
}

impl SsoOidc for FakeOidc {
    fn register_client(
        &self,
        request: &RegisterClientRequest,
    ) -> impl Future<Output = Result<Dated<ClientRegistration>, AwsError>> + Send {
        let n = self.count("register");
        lock(&self.calls).push(format!(
            "register {} {}",
            request.kind.as_str(),
            request.scopes.join(",")
        ));
        let expires_at = lock(&self.registration_expires_at)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH + Duration::days(30000));
        std::future::ready(Ok(Dated::undated(ClientRegistration {
            client_id: format!("client-{n}"),
            client_secret: Secret::new(format!("secret-{n}")),
            expires_at,
        })))
    }

    fn start_device_authorization(
        &self,
        client: &ClientRegistration,
        start_url: &str,
    ) -> impl Future<Output = Result<Dated<DeviceAuthorization>, AwsError>> + Send {
        lock(&self.calls).push(format!("device {} {start_url}", client.client_id));
        let expires_in = lock(&self.device_expires_in).unwrap_or(Duration::seconds(600));
        std::future::ready(Ok(Dated::undated(DeviceAuthorization {
            device_code: Secret::new("DEVICECODE"),
            user_code: "ABCD-EFGH".into(),
            verification_uri: "https://device.example/".into(),
            verification_uri_complete: Some("https://device.example/?user_code=ABCD-EFGH".into()),
            expires_in,
            interval: Some(Duration::seconds(1)),
        })))
    }

    fn create_token(
        &self,
        client: &ClientRegistration,
        grant: TokenGrant<'_>,
    ) -> impl Future<Output = Result<Dated<TokenResponse>, AwsError>> + Send {
        let result = match grant {
            TokenGrant::DeviceCode { .. } => {
                lock(&self.calls).push(format!("poll {}", client.client_id));
                lock(&self.device_polls)
                    .pop_front()
                    .unwrap_or(Err(AwsError::AuthorizationPending))
            }
            TokenGrant::AuthorizationCode {
                code,
                code_verifier,
                redirect_uri,
            } => {
                lock(&self.calls).push(format!(
                    "code {} {} {} {redirect_uri}",
                    client.client_id,
                    code.expose(),
                    super::pkce::challenge_of(code_verifier.expose())
                ));
                lock(&self.code_exchange).clone().unwrap_or(Ok(token(
                    "AT-browser",
                    Some("RT-browser"),
                    3600,
                )))
            }
            TokenGrant::RefreshToken { refresh_token } => {
                lock(&self.calls).push(format!("refresh {}", client.client_id));
                lock(&self.refresh_tokens_seen).push(refresh_token.expose().to_owned());
                lock(&self.refreshes)
                    .pop_front()
                    .unwrap_or(Err(AwsError::InvalidGrant {
                        description: "no scripted answer".into(),
                    }))
            }
        };
        std::future::ready(result.map(Dated::undated))
    }

    fn authorize_url(&self, r: &AuthorizeRequest<'_>) -> Result<String, AwsError> {
        Ok(format!(
            "https://oidc.example/authorize?client_id={}&redirect_uri={}&state={}&code_challenge={}",
            r.client_id, r.redirect_uri, r.state, r.code_challenge
        ))
    }
}

/// Records what the person would see.
#[derive(Debug, Default)]
pub struct FakeUi {
    pub events: Mutex<Vec<String>>,
    pub no_browser: bool,
}

impl FakeUi {
    pub fn events(&self) -> Vec<String> {
        lock(&self.events).clone()
    }
}

impl Interaction for FakeUi {
    fn show_device_code(&self, p: &DeviceCodePrompt<'_>) {
        lock(&self.events).push(format!("code {} {}", p.user_code, p.verification_uri));
    }
    fn continue_in_browser(&self, _target: &str, url: &str) {
        lock(&self.events).push(format!("continue {url}"));
    }
    fn show_sign_in_url(&self, _target: &str, url: &str) {
        lock(&self.events).push(format!("url {url}"));
    }
    fn open_url(&self, url: &str) -> Result<(), String> {
        if self.no_browser {
            lock(&self.events).push(format!("open failed {url}"));
            return Err("no display".into());
        }
        lock(&self.events).push(format!("open {url}"));
        Ok(())
    }
    fn notice(&self, n: &Notice) {
        lock(&self.events).push(format!("notice {n:?}"));
    }
}

/// Counting bytes.
#[derive(Debug, Default)]
pub struct FakeRandom;

impl Random for FakeRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), String> {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = i as u8;
        }
        Ok(())
    }
}

/// A loopback listener whose browser answers with a scripted result; it
/// records the state it was asked to expect.
#[derive(Debug, Clone)]
pub struct FakeLoopback {
    pub answer: Result<Secret, LoopbackError>,
    pub expected: Arc<Mutex<Option<String>>>,
    pub bind_fails: bool,
}

impl Default for FakeLoopback {
    fn default() -> Self {
        FakeLoopback {
            answer: Ok(Secret::new("THECODE")),
            expected: Arc::default(),
            bind_fails: false,
        }
    }
}

impl Loopback for FakeLoopback {
    fn redirect_uri(&self) -> &str {
        "http://127.0.0.1:4242/oauth/callback"
    }
    fn wait_for_code(
        &self,
        expected_state: &str,
        _timeout: Duration,
    ) -> impl Future<Output = Result<Secret, LoopbackError>> + Send {
        *lock(&self.expected) = Some(expected_state.to_owned());
        std::future::ready(self.answer.clone())
    }
}

impl LoopbackFactory for FakeLoopback {
    type Listener = FakeLoopback;
    fn bind(&self) -> impl Future<Output = Result<FakeLoopback, LoopbackError>> + Send {
        std::future::ready(if self.bind_fails {
            Err(LoopbackError::Io("address in use".into()))
        } else {
            Ok(self.clone())
        })
    }
}

/// A portal with scripted answers to GetRoleCredentials.
#[derive(Debug, Default)]
pub struct FakePortal {
    pub answers: Mutex<VecDeque<Result<Credentials, AwsError>>>,
    pub tokens_seen: Mutex<Vec<String>>,
    pub logouts: Mutex<Vec<String>>,
    pub logout_answer: Mutex<Option<AwsError>>,
}

impl SsoPortal for FakePortal {
    fn get_role_credentials(
        &self,
        access_token: &Secret,
        _account_id: &str,
        _role_name: &str,
    ) -> impl Future<Output = Result<Dated<Credentials>, AwsError>> + Send {
        lock(&self.tokens_seen).push(access_token.expose().to_owned());
        let a = lock(&self.answers)
            .pop_front()
            .unwrap_or(Err(AwsError::Unauthorized));
        std::future::ready(a.map(Dated::undated))
    }
    fn logout(
        &self,
        access_token: &Secret,
    ) -> impl Future<Output = Result<Dated<()>, AwsError>> + Send {
        lock(&self.logouts).push(access_token.expose().to_owned());
        let a = match lock(&self.logout_answer).clone() {
            Some(e) => Err(e),
            None => Ok(Dated::undated(())),
        };
        std::future::ready(a)
    }
}
