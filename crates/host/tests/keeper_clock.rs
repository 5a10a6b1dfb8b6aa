//! The keeper loop on tokio's paused clock: hours of renewals in
//! milliseconds, the same every run. The loop reads wall and monotonic time
//! from a [`KeeperClock`] and sleeps through it; here the wall clock is the
//! paused clock plus jumps (a laptop's sleep moves the wall clock and not
//! the monotonic one), and a fake STS answers at once, its `Date` and
//! expiries on AWS's clock (which may be ahead of this machine's).
//!
//! What is checked is what a person relies on: the keys in the credentials
//! file are never expired when read, each renewal lands before its
//! deadline, a wake renews at once, failures back off, an MFA session asks
//! for one code and its roles' keys outlive it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

use std::collections::VecDeque;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use leasekeeper_engine::Secret;
use leasekeeper_engine::keeper::{EngineEvent, Input, MfaCode, WarningKind};
use leasekeeper_engine::ports::{
    AssumeRoleRequest, AuthorizeRequest, AwsError, CallerIdentity, ClientRegistration, Clock,
    Credentials, Dated, DeviceAuthorization, RegisterClientRequest, Service, SessionTokenRequest,
    SsoOidc, SsoPortal, Sts, TokenGrant, TokenResponse,
};
use leasekeeper_engine::profiles::locations::AwsPaths;
use leasekeeper_host::keeper::{Connect, Keeper, KeeperClock, KeeperConfig, Mode};
use leasekeeper_host::store::FileStore;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use tokio::sync::{mpsc, oneshot};

const SERIAL: &str = "arn:aws:iam::111111111111:mfa/me";

/// Wall time: a fixed start plus the paused clock's progress plus jumps.
#[derive(Debug, Clone)]
struct TestClock {
    wall_start: OffsetDateTime,
    mono_start: tokio::time::Instant,
    jumped: Arc<Mutex<Duration>>,
}

impl TestClock {
    fn new() -> TestClock {
        TestClock {
            wall_start: datetime!(2026-12-07 09:00 UTC),
            mono_start: tokio::time::Instant::now(),
            jumped: Arc::new(Mutex::new(Duration::ZERO)),
        }
    }

    /// The machine slept `d`: the wall clock moves, the monotonic one not.
    fn sleep_machine(&self, d: Duration) {
        *self.jumped.lock().unwrap() += d;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        let ran = tokio::time::Instant::now() - self.mono_start;
        self.wall_start + ran + *self.jumped.lock().unwrap()
    }

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send {
        tokio::time::sleep(duration.try_into().unwrap_or_default())
    }
}

impl KeeperClock for TestClock {
    fn monotonic(&self) -> std::time::Instant {
        tokio::time::Instant::now().into_std()
    }
}

/// One AWS call as the fake saw it.
#[derive(Debug, Clone)]
struct Call {
    op: &'static str,
    /// This machine's wall time when it was made.
    at: OffsetDateTime,
    ok: bool,
}

#[derive(Debug)]
struct FakeState {
    clock: TestClock,
    /// AWS's clock minus this machine's.
    aws_ahead: Duration,
    role_lifetime: Duration,
    /// Answers given before any success, in order.
    failures: VecDeque<AwsError>,
    /// Fail only once this many role calls succeeded.
    fail_after: usize,
    calls: Vec<Call>,
}

/// STS answering at once; role keys last `role_lifetime` on AWS's clock.
#[derive(Debug, Clone)]
struct FakeAws(Arc<Mutex<FakeState>>);

impl FakeAws {
    fn new(clock: &TestClock) -> FakeAws {
        FakeAws(Arc::new(Mutex::new(FakeState {
            clock: clock.clone(),
            aws_ahead: Duration::ZERO,
            role_lifetime: Duration::HOUR,
            failures: VecDeque::new(),
            fail_after: 0,
            calls: Vec::new(),
        })))
    }

    fn calls(&self, op: &str) -> Vec<Call> {
        let s = self.0.lock().unwrap();
        s.calls.iter().filter(|c| c.op == op).cloned().collect()
    }

    fn aws_now(&self) -> OffsetDateTime {
        let s = self.0.lock().unwrap();
        s.clock.now() + s.aws_ahead
    }

    fn answer(&self, op: &'static str, lifetime: Duration) -> Result<Dated<Credentials>, AwsError> {
        let mut s = self.0.lock().unwrap();
        let at = s.clock.now();
        let succeeded = s.calls.iter().filter(|c| c.op == op && c.ok).count();
        let failure = if succeeded >= s.fail_after {
            s.failures.pop_front()
        } else {
            None
        };
        s.calls.push(Call {
            op,
            at,
            ok: failure.is_none(),
        });
        if let Some(e) = failure {
            return Err(e);
        }
        let aws_now = at + s.aws_ahead;
        let n = s.calls.len();
        Ok(Dated {
            value: Credentials {
                access_key_id: format!("ASIA{n:016}"),
                secret_access_key: Secret::new(format!("secret-{n}")),
                session_token: Some(Secret::new(format!("token-{n}"))),
                expiration: Some(aws_now + lifetime),
            },
            server_date: Some(aws_now),
        })
    }
}

fn unused<T>() -> Result<Dated<T>, AwsError> {
    Err(AwsError::Setup {
        service: Service::SsoOidc,
        detail: "not in these tests".into(),
    })
}

impl SsoOidc for FakeAws {
    async fn register_client(
        &self,
        _: &RegisterClientRequest,
    ) -> Result<Dated<ClientRegistration>, AwsError> {
        unused()
    }
    async fn start_device_authorization(
        &self,
        _: &ClientRegistration,
        _: &str,
    ) -> Result<Dated<DeviceAuthorization>, AwsError> {
        unused()
    }
    async fn create_token(
        &self,
        _: &ClientRegistration,
        _: TokenGrant<'_>,
    ) -> Result<Dated<TokenResponse>, AwsError> {
        unused()
    }
    fn authorize_url(&self, _: &AuthorizeRequest<'_>) -> Result<String, AwsError> {
        Err(AwsError::Setup {
            service: Service::SsoOidc,
            detail: "not in these tests".into(),
        })
    }
}

impl SsoPortal for FakeAws {
    async fn get_role_credentials(
        &self,
        _: &Secret,
        _: &str,
        _: &str,
    ) -> Result<Dated<Credentials>, AwsError> {
        unused()
    }
    async fn logout(&self, _: &Secret) -> Result<Dated<()>, AwsError> {
        unused()
    }
}

impl Sts for FakeAws {
    async fn assume_role(
        &self,
        _: &Credentials,
        _: &AssumeRoleRequest,
    ) -> Result<Dated<Credentials>, AwsError> {
        let lifetime = self.0.lock().unwrap().role_lifetime;
        self.answer("AssumeRole", lifetime)
    }
    async fn get_session_token(
        &self,
        _: &Credentials,
        request: &SessionTokenRequest,
    ) -> Result<Dated<Credentials>, AwsError> {
        assert!(
            request.token_code.is_some(),
            "a session is asked with a code"
        );
        let seconds = request.duration_seconds.unwrap_or(43_200);
        self.answer("GetSessionToken", Duration::seconds(seconds.into()))
    }
    async fn get_caller_identity(
        &self,
        _: &Credentials,
    ) -> Result<Dated<CallerIdentity>, AwsError> {
        unused()
    }
}

struct FakeConnect(FakeAws);

impl Connect for FakeConnect {
    type Client = FakeAws;
    async fn connect(&self, _region: &str) -> Result<FakeAws, String> {
        Ok(self.0.clone())
    }
}

/// An AWS home with long-term keys `keys` and the role `dev` over them.
struct Home {
    _dir: tempfile::TempDir,
    paths: AwsPaths,
    state: PathBuf,
    settings: PathBuf,
}

const KEYS: &str = "[profile keys]\naws_access_key_id = AKIAEXAMPLEEXAMPLE01\n\
                    aws_secret_access_key = longtermsecret\nregion = eu-west-1\n";

fn home(role_extra: &str, settings: &str) -> Home {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_owned();
    let paths = AwsPaths {
        home: root.clone(),
        config: root.join("config"),
        credentials: root.join("credentials"),
        sso_cache: root.join("sso-cache"),
        cli_cache: root.join("cli-cache"),
    };
    std::fs::write(
        &paths.config,
        format!(
            "{KEYS}\n[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Dev\n\
             source_profile = keys\n{role_extra}"
        ),
    )
    .unwrap();
    let settings_path = root.join("settings.toml");
    std::fs::write(&settings_path, settings).unwrap();
    Home {
        state: root.join("state"),
        settings: settings_path,
        paths,
        _dir: dir,
    }
}

/// The expiry written under `[section]`, if the section is there.
fn file_expiry(path: &Path, section: &str) -> Option<OffsetDateTime> {
    let text = std::fs::read_to_string(path).ok()?;
    let header = format!("[{section}]");
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == header;
        } else if inside && let Some(v) = line.strip_prefix("x_security_token_expires") {
            let v = v.trim_start_matches([' ', '=']).trim();
            return OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).ok();
        }
    }
    None
}

/// A keeper of `home` on `clock`, running while `script` runs; the events
/// it told, with this machine's wall time.
async fn run_with<F: Future<Output = ()>>(
    home: &Home,
    clock: &TestClock,
    aws: &FakeAws,
    script: impl FnOnce(mpsc::UnboundedSender<Input>) -> F,
) -> Vec<(OffsetDateTime, EngineEvent)> {
    let config = KeeperConfig {
        paths: home.paths.clone(),
        store: FileStore::new(home.paths.sso_cache.clone(), home.state.clone()),
        scale: Default::default(),
        settings_path: Some(home.settings.clone()),
        seed: 7,
    };
    let keeper = Keeper::with_clock(config, FakeConnect(aws.clone()), clock.clone());
    let (inputs_tx, inputs) = mpsc::unbounded_channel();
    let (stop_tx, stop) = oneshot::channel::<()>();
    let mut events = Vec::new();
    let keeper_clock = clock.clone();
    let run = keeper.run(
        Mode::Daemon,
        async move {
            let _ = stop.await;
        },
        inputs,
        |e| events.push((keeper_clock.now(), e.clone())),
    );
    let script = async move {
        script(inputs_tx).await;
        stop_tx.send(()).unwrap();
    };
    tokio::join!(run, script);
    events
}

/// Reads the file every `every` for `how_long`, asserting the keys in
/// `[dev]` are valid on AWS's clock each time; returns the expiries seen.
async fn read_dev_for(
    home: &Home,
    aws: &FakeAws,
    how_long: Duration,
    every: Duration,
) -> Vec<OffsetDateTime> {
    let mut seen: Vec<OffsetDateTime> = Vec::new();
    let mut left = how_long;
    while left > Duration::ZERO {
        tokio::time::sleep(every.try_into().unwrap()).await;
        left -= every;
        let aws_now = aws.aws_now();
        let expiry = file_expiry(&home.paths.credentials, "dev").expect("[dev] is written");
        assert!(
            expiry > aws_now,
            "[dev] read at {aws_now} (AWS's clock) holds keys that expired at {expiry}"
        );
        if seen.last() != Some(&expiry) {
            seen.push(expiry);
        }
    }
    seen
}

fn gaps(calls: &[Call]) -> Vec<Duration> {
    calls.windows(2).map(|w| w[1].at - w[0].at).collect()
}

const STATIC_KEYS: &str = "[renew]\nstatic_keys = true\n";

#[tokio::test(start_paused = true)]
async fn renewals_come_at_half_life_and_the_file_never_holds_expired_keys() {
    let h = home("", STATIC_KEYS);
    let clock = TestClock::new();
    let aws = FakeAws::new(&clock);
    run_with(&h, &clock, &aws, |_| async {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        read_dev_for(&h, &aws, Duration::hours(6), Duration::seconds(20)).await;
    })
    .await;
    let calls = aws.calls("AssumeRole");
    // An hour's keys are replaced after half an hour, at most a minute
    // early (the jitter), never late.
    for gap in gaps(&calls) {
        assert!(
            gap >= Duration::minutes(29) && gap <= Duration::minutes(30) + Duration::seconds(2),
            "renewed {gap} after the last: {calls:?}"
        );
    }
    assert!(calls.len() >= 12, "six hours of renewals: {calls:?}");
}

#[tokio::test(start_paused = true)]
async fn a_wake_from_sleep_renews_at_once_and_is_summed_up_once() {
    let h = home("", STATIC_KEYS);
    let clock = TestClock::new();
    let aws = FakeAws::new(&clock);
    let sleep_clock = clock.clone();
    let (hr, ar) = (&h, &aws);
    let events = run_with(&h, &clock, &aws, |_| async move {
        read_dev_for(hr, ar, Duration::minutes(10), Duration::seconds(10)).await;
        // The lid closes for three hours: the keys lapse meanwhile.
        sleep_clock.sleep_machine(Duration::hours(3));
        let woke = sleep_clock.now();
        // Within one tick of waking, the file holds fresh keys again.
        tokio::time::sleep(std::time::Duration::from_secs(31)).await;
        let expiry = file_expiry(&hr.paths.credentials, "dev").unwrap();
        assert!(
            expiry > woke + Duration::minutes(55),
            "renewed after the wake: {expiry}"
        );
        read_dev_for(hr, ar, Duration::hours(2), Duration::seconds(20)).await;
    })
    .await;
    let summaries: Vec<_> = events
        .iter()
        .filter_map(|(_, e)| match e {
            EngineEvent::WokeSummary(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(summaries.len(), 1, "{summaries:?}");
    let summary = &summaries[0];
    assert!((summary.slept_seconds - 3 * 3600).abs() < 60, "{summary:?}");
    assert_eq!(summary.lapsed, ["dev"], "{summary:?}");
}

#[tokio::test(start_paused = true)]
async fn failing_renewals_back_off_and_still_land_before_the_keys_expire() {
    let h = home("", STATIC_KEYS);
    let clock = TestClock::new();
    let aws = FakeAws::new(&clock);
    {
        let mut s = aws.0.lock().unwrap();
        s.fail_after = 1;
        s.failures = (0..5)
            .map(|_| AwsError::Throttled {
                service: Service::Sts,
            })
            .collect();
    }
    let events = run_with(&h, &clock, &aws, |_| async {
        read_dev_for(&h, &aws, Duration::hours(3), Duration::seconds(5)).await;
    })
    .await;
    let calls = aws.calls("AssumeRole");
    let failed: Vec<&Call> = calls.iter().filter(|c| !c.ok).collect();
    assert_eq!(failed.len(), 5, "{calls:?}");
    // From the first failure to the success after the last one, each wait
    // is longer than the one before.
    let first_failure = calls.iter().position(|c| !c.ok).unwrap();
    let streak = &calls[first_failure..=first_failure + 5];
    assert!(streak[5].ok, "{calls:?}");
    let waits = gaps(streak);
    assert!(waits[0] >= Duration::seconds(8), "{waits:?}");
    for w in waits.windows(2) {
        assert!(w[1] > w[0], "backing off: {waits:?}");
    }
    let told: Vec<_> = events
        .iter()
        .filter(|(_, e)| matches!(e, EngineEvent::RenewalFailed { .. }))
        .collect();
    assert_eq!(told.len(), 1, "one failure streak told once: {told:?}");
}

#[tokio::test(start_paused = true)]
async fn an_mfa_session_asks_one_code_and_its_roles_keys_outlive_it() {
    let h = home(
        &format!("mfa_serial = {SERIAL}\n"),
        "[mfa]\nsession_duration = \"3h\"\n",
    );
    let clock = TestClock::new();
    let aws = FakeAws::new(&clock);
    let script_clock = clock.clone();
    let (hr, ar) = (&h, &aws);
    let session_end = Arc::new(Mutex::new(None));
    let end_seen = Arc::clone(&session_end);
    let events = run_with(&h, &clock, &aws, |inputs| async move {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        assert!(
            file_expiry(&hr.paths.credentials, "dev").is_none(),
            "nothing is written before the code"
        );
        inputs
            .send(Input::MfaCode(MfaCode {
                serial: SERIAL.to_owned(),
                code: Secret::new("123456"),
                request: 1,
            }))
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let end = script_clock.now() + Duration::hours(3);
        *end_seen.lock().unwrap() = Some(end);
        // While the session lasts and one role lifetime after it ends.
        read_dev_for(
            hr,
            ar,
            Duration::hours(3) + Duration::minutes(55),
            Duration::seconds(20),
        )
        .await;
    })
    .await;
    let end = session_end.lock().unwrap().unwrap();
    assert_eq!(
        aws.calls("GetSessionToken").len(),
        1,
        "one code, one session"
    );
    let roles = aws.calls("AssumeRole");
    assert!(
        roles.iter().all(|c| c.at < end),
        "no role is assumed over an ended session: {roles:?}"
    );
    assert!(
        roles.last().unwrap().at > end - Duration::minutes(5),
        "the last renewal comes just before the session ends: {roles:?}"
    );
    let needed: Vec<OffsetDateTime> = events
        .iter()
        .filter(|(_, e)| matches!(e, EngineEvent::MfaCodeNeeded { .. }))
        .map(|(at, _)| *at)
        .collect();
    assert!(
        needed
            .first()
            .is_some_and(|at| *at < end - Duration::hours(2)),
        "a code is asked for at the start: {needed:?}"
    );
    assert!(
        needed.iter().any(|at| *at >= end - Duration::seconds(1)),
        "and again once the session ended: {needed:?}"
    );
    let warned: Vec<i64> = events
        .iter()
        .filter_map(|(_, e)| match e {
            EngineEvent::WarningDue(w) if w.kind == WarningKind::MfaSessionEnding => {
                Some(w.lead_seconds)
            }
            _ => None,
        })
        .collect();
    assert_eq!(warned, [900, 300], "warned 15 and 5 minutes ahead");
    assert!(
        events
            .iter()
            .any(|(_, e)| matches!(e, EngineEvent::MfaCodeAccepted { request: 1, .. }))
    );
}

#[tokio::test(start_paused = true)]
async fn a_clock_far_behind_aws_is_told_once_and_renewals_follow_aws_time() {
    let h = home("", STATIC_KEYS);
    let clock = TestClock::new();
    let aws = FakeAws::new(&clock);
    // This machine's clock is 90 minutes behind AWS's: keys of an hour
    // look like keys of two and a half hours. Renewing at half of what
    // they look like would leave the file with expired keys.
    aws.0.lock().unwrap().aws_ahead = Duration::minutes(90);
    let events = run_with(&h, &clock, &aws, |_| async {
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        read_dev_for(&h, &aws, Duration::hours(4), Duration::seconds(20)).await;
    })
    .await;
    for gap in gaps(&aws.calls("AssumeRole")) {
        assert!(gap <= Duration::minutes(31), "renewed {gap} after the last");
    }
    let skews: Vec<i64> = events
        .iter()
        .filter_map(|(_, e)| match e {
            EngineEvent::ClockSkew { skew_seconds, .. } => Some(*skew_seconds),
            _ => None,
        })
        .collect();
    assert_eq!(skews.len(), 1, "told once: {skews:?}");
    assert!((skews[0].abs() - 90 * 60).abs() < 60, "{skews:?}");
}

#[tokio::test(start_paused = true)]
async fn a_resume_signal_renews_at_once_not_at_the_next_tick() {
    let h = home("", STATIC_KEYS);
    let clock = TestClock::new();
    let aws = FakeAws::new(&clock);
    let sleep_clock = clock.clone();
    let (hr, ar) = (&h, &aws);
    run_with(&h, &clock, &aws, |inputs| async move {
        read_dev_for(hr, ar, Duration::minutes(10), Duration::seconds(10)).await;
        inputs
            .send(Input::SleepComing {
                at: sleep_clock.now(),
            })
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        sleep_clock.sleep_machine(Duration::hours(3));
        inputs.send(Input::Resumed).unwrap();
        let resumed = sleep_clock.now();
        // A second later, far inside the 30-second tick.
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let expiry = file_expiry(&hr.paths.credentials, "dev").unwrap();
        assert!(
            expiry > resumed + Duration::minutes(55),
            "renewed after the resume: {expiry}"
        );
    })
    .await;
}
