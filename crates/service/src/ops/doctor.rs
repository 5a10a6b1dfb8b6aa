//! Why a command gets ExpiredToken, and what to do about it: the shell's
//! `AWS_*` variables and the AWS home read as `status` reads them, the keys
//! Leasekeeper issued (`STATE/issued-keys.json`), this user's running
//! processes (`host::procs`) and, unless offline, AWS's clock through one
//! unsigned STS request; `engine::doctor` decides. [`watch`] runs beside
//! the keeper: about once a minute (scaled) it looks for processes whose
//! keys lapse within the warning lead and hands each one, once, to the
//! shell to tell the person.

use std::collections::HashSet;
use std::time::Duration as StdDuration;

use leasekeeper_engine::doctor::explain::{self, Explanation};
use leasekeeper_engine::doctor::home::{self, HomeInput};
use leasekeeper_engine::doctor::issued::IssuedKeys;
use leasekeeper_engine::doctor::{Finding, Report, process};
use leasekeeper_engine::lease;
use leasekeeper_engine::settings::Settings;
use leasekeeper_host::aws_files::AwsPaths;
use leasekeeper_host::keeper::Connect as _;
use leasekeeper_host::procs::{ProcessTable, SystemProcesses};
use leasekeeper_host::signin::EnvError;
use time::{Duration, OffsetDateTime};
use tokio::sync::mpsc::UnboundedSender;

use crate::ops::snapshot::{self, Moment};
use crate::{Environment, SdkConnect};

/// The shell variables doctor reads (nothing else of the environment).
pub const AWS_VARS: [&str; 7] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
];
/// The lead when the settings name none.
const DEFAULT_LEAD: Duration = Duration::minutes(15);
/// How often [`watch`] looks at the processes (divided by the time scale).
const WATCH_EVERY: StdDuration = StdDuration::from_secs(60);

/// What to check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DoctorRequest {
    /// Only this profile (and what its chain touches).
    pub profile: Option<String>,
    /// No request to AWS (the clock is not checked).
    pub offline: bool,
}

/// What doctor found, and what it could not check.
#[derive(Debug)]
pub struct Diagnosis {
    pub report: Report,
    /// Checks that could not run, each with why (the clock without AWS).
    pub skipped: Vec<String>,
}

/// Why doctor itself failed.
#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    #[error(transparent)]
    Environment(#[from] EnvError),
    #[error("no profile named {0} in the config or credentials file")]
    UnknownProfile(String),
}

impl DoctorError {
    pub fn code(&self) -> &'static str {
        match self {
            DoctorError::Environment(e) => e.code(),
            DoctorError::UnknownProfile(_) => "unknown_profile",
        }
    }
}

/// The shell's variables doctor reads; of the secret key and the session
/// token only whether they are set.
fn aws_vars(env: &Environment) -> Vec<(String, String)> {
    AWS_VARS
        .iter()
        .filter_map(|n| {
            let value = env.var(n)?.to_string_lossy().into_owned();
            let value = match *n {
                "AWS_SECRET_ACCESS_KEY" | "AWS_SESSION_TOKEN" | "AWS_SECURITY_TOKEN"
                    if !value.trim().is_empty() =>
                {
                    "set".to_owned()
                }
                _ => value,
            };
            Some(((*n).to_owned(), value))
        })
        .collect()
}

/// The warning lead: the longest of the settings' leads.
fn lead(settings: &Settings) -> Duration {
    settings
        .warnings
        .leads
        .iter()
        .max()
        .copied()
        .unwrap_or(DEFAULT_LEAD)
}

fn settings(env: &Environment) -> Settings {
    crate::ops::settings::load(env).unwrap_or_default()
}

/// Checks the shell, the home, the processes and (unless offline) the clock.
pub async fn doctor(
    paths: &AwsPaths,
    env: &Environment,
    req: &DoctorRequest,
) -> Result<Diagnosis, DoctorError> {
    let sign_env = crate::sign_in_env(env, paths)?;
    let shown = snapshot::snapshot(paths, env, Moment::now());
    if let Some(p) = &req.profile {
        if shown.snapshot.set.profile(p).is_none() {
            return Err(DoctorError::UnknownProfile(p.clone()));
        }
    }
    let settings = settings(env);
    let lead = lead(&settings);
    let issued = leasekeeper_host::issued::read(&sign_env.state_dir);
    let mut skipped = Vec::new();
    let skew = if req.offline {
        skipped.push("the clock (--offline)".to_owned());
        None
    } else {
        let region = env
            .var("AWS_REGION")
            .or_else(|| env.var("AWS_DEFAULT_REGION"))
            .map(|v| v.to_string_lossy().into_owned())
            .unwrap_or_else(|| "us-east-1".to_owned());
        let connect = SdkConnect {
            files: (paths.config.clone(), paths.credentials.clone()),
            ca_bundle: sign_env.ca_bundle(None),
            proxy: sign_env.proxy.clone(),
        };
        match clock_skew(&connect, &region).await {
            Ok(skew) => skew,
            Err(why) => {
                skipped.push(format!("the clock ({why})"));
                None
            }
        }
    };
    let findings = everything(
        paths,
        env,
        &shown,
        &issued,
        lead,
        skew,
        req.profile.as_deref(),
    );
    Ok(Diagnosis {
        report: Report::new(findings),
        skipped,
    })
}

/// The findings a window or a menu shows without waiting on AWS: the home
/// and the processes, no clock.
pub fn offline_findings(paths: &AwsPaths, env: &Environment, scale: f64) -> Vec<Finding> {
    let Ok(sign_env) = crate::sign_in_env(env, paths) else {
        return Vec::new();
    };
    let shown = snapshot::snapshot(paths, env, Moment::scaled(scale));
    let lead = lead(&settings(env)) / scale.max(1.0);
    let issued = leasekeeper_host::issued::read(&sign_env.state_dir);
    let findings = everything(paths, env, &shown, &issued, lead, None, None);
    Report::new(findings).findings
}

/// The home's findings and the processes'.
fn everything(
    paths: &AwsPaths,
    env: &Environment,
    shown: &snapshot::Shown,
    issued: &IssuedKeys,
    lead: Duration,
    skew: Option<Duration>,
    profile: Option<&str>,
) -> Vec<Finding> {
    let leases = lease::leases(&shown.snapshot, shown.now);
    let env_vars = aws_vars(env);
    let config_file = paths.config.display().to_string();
    let mut findings = home::findings(&HomeInput {
        env: &env_vars,
        snapshot: &shown.snapshot,
        leases: &leases,
        issued,
        now: shown.now,
        lead,
        skew,
        profile,
        config_file: &config_file,
    });
    findings.extend(processes_at_risk(issued, &SystemProcesses, shown.now, lead));
    findings
}

/// [`offline_findings`] looked at again at most every [`FRESH_FOR`] (a menu
/// or a window asks on every change; the processes need not be read as
/// often), or when told something changed.
#[derive(Debug, Default)]
pub struct RecentFindings(std::sync::Mutex<Option<(std::time::Instant, Vec<Finding>)>>);

/// How long [`RecentFindings`] keeps an answer.
pub const FRESH_FOR: StdDuration = StdDuration::from_secs(10);

impl RecentFindings {
    pub fn get(&self, paths: &AwsPaths, env: &Environment, scale: f64) -> Vec<Finding> {
        let mut recent = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((at, findings)) = recent.as_ref() {
            if at.elapsed() < FRESH_FOR {
                return findings.clone();
            }
        }
        let findings = offline_findings(paths, env, scale);
        *recent = Some((std::time::Instant::now(), findings.clone()));
        findings
    }

    /// The next [`RecentFindings::get`] looks again.
    pub fn invalidate(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// AWS's clock minus ours.
async fn clock_skew(connect: &SdkConnect, region: &str) -> Result<Option<Duration>, String> {
    let aws = connect.connect(region).await?;
    let server = aws.sts_server_date().await.map_err(|e| e.to_string())?;
    Ok(server.map(|at| at - OffsetDateTime::now_utc()))
}

/// This user's processes whose keys lapse within `lead`.
pub fn processes_at_risk(
    issued: &IssuedKeys,
    table: &dyn ProcessTable,
    now: OffsetDateTime,
    lead: Duration,
) -> Vec<Finding> {
    process::findings(&table.with_aws_env(), issued, now, lead)
}

/// An error read, with the findings of this home that can cause it.
#[derive(Debug)]
pub struct Explained {
    pub explanation: Option<Explanation>,
    /// The findings behind it (all of them when the error is unknown).
    pub causes: Vec<Finding>,
}

/// Reads an error as the AWS CLI or an SDK prints it.
pub fn explain(text: &str, diagnosis: &Diagnosis) -> Explained {
    let explanation = explain::explain(text);
    let causes = match &explanation {
        Some(e) => {
            let mut causes: Vec<Finding> = diagnosis
                .report
                .findings
                .iter()
                .filter(|f| e.related.contains(&f.code))
                .cloned()
                .collect();
            causes.sort_by_key(|f| e.related.iter().position(|c| *c == f.code));
            causes
        }
        None => diagnosis.report.findings.clone(),
    };
    Explained {
        explanation,
        causes,
    }
}

/// Tells the person about a process on keys about to lapse, in one
/// notification per process.
pub fn notify_process(notifications: &leasekeeper_host::notify::Notifications, f: &Finding) {
    let pid = f.pid.unwrap_or_default();
    let program = f.program.as_deref().unwrap_or("a process");
    notifications.plain(
        Some(&format!("process:{pid}")),
        format!("{program} (pid {pid}) will fail with ExpiredToken"),
        format!("{}. Fix: {}.", f.message, f.fix),
    );
}

/// Beside the keeper: every minute (scaled), this user's processes whose
/// keys lapse within the lead (scaled), each sent to `tell` once (per pid
/// and expiry), unless `[notifications] processes` is off.
pub async fn watch(
    state_dir: std::path::PathBuf,
    env: Environment,
    scale: f64,
    tell: UnboundedSender<Finding>,
) {
    let scale = if scale.is_finite() && scale >= 1.0 {
        scale
    } else {
        1.0
    };
    let every = WATCH_EVERY.div_f64(scale);
    let mut told: HashSet<(u32, Option<OffsetDateTime>)> = HashSet::new();
    loop {
        let settings = settings(&env);
        if settings.notifications.processes {
            let issued = leasekeeper_host::issued::read(&state_dir);
            let lead = lead(&settings) / scale;
            let now = OffsetDateTime::now_utc();
            let found = tokio::task::spawn_blocking(move || {
                processes_at_risk(&issued, &SystemProcesses, now, lead)
            })
            .await
            .unwrap_or_default();
            // Ahead of the lapse: keys already lapsed are doctor's and the
            // window's to list, not a warning.
            for f in found
                .into_iter()
                .filter(|f| f.expires_at.is_some_and(|at| at > now))
            {
                let Some(pid) = f.pid else { continue };
                if told.insert((pid, f.expires_at)) {
                    tracing::info!(pid, program = ?f.program, "a process runs on keys that lapse");
                    if tell.send(f).is_err() {
                        return;
                    }
                }
            }
        }
        tokio::time::sleep(every).await;
    }
}
