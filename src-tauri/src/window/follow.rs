//! The window's link to the keeper of its AWS files, over the keeper's
//! socket as any other client ([`leasekeeper_service::ops::attach`]): its
//! events first (so none is missed), then who it is and its renewals; each
//! event updates what the window shows. When the keeper hangs up or does
//! not answer, the window says so ([`super::Link::Lost`]) and asks again
//! every [`ATTACH_RETRY`]. The settings' `[aws]` table is read on every
//! tick: when it names other AWS files or another connection, the window
//! moves with it and follows the keeper there.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use leasekeeper_engine::keeper::policy::ATTACH_RETRY;
use leasekeeper_engine::menu::KeeperLine;
use leasekeeper_engine::settings::AwsEnvSettings;
use leasekeeper_host::socket::{ClientError, ProfileView, WireEvent};
use leasekeeper_service::ops::attach::{self, Events, Remote};
use leasekeeper_service::ops::settings::tray::{self as homes, Home};
use tauri::{AppHandle, Runtime};

use super::error::WindowError;
use super::{Link, Shared};

/// How often the settings are read and the page is told what changed.
const TICK: Duration = Duration::from_millis(500);

/// Follows the keeper for as long as the window process runs.
pub async fn run<R: Runtime>(app: AppHandle<R>, shared: Arc<Shared>) {
    let mut settings = Settings::default();
    loop {
        settings.follow(&shared);
        let home = shared.home();
        match connect(&home).await {
            Ok(Some((link, lines, renewals, events))) => {
                tracing::info!(?link, "following the keeper");
                super::connected(&shared, link, lines, renewals);
                super::retell(&app, &shared);
                let why = follow(&app, &shared, events, &mut settings).await;
                tracing::info!(why, "stopped following the keeper");
                if why == MOVED {
                    continue;
                }
            }
            Ok(None) => tracing::debug!("no keeper answers for these AWS files"),
            Err(e) => tracing::warn!(error = %e, code = e.code(), "cannot follow the keeper"),
        }
        super::lost(&shared);
        super::retell(&app, &shared);
        let until = Instant::now() + ATTACH_RETRY;
        while Instant::now() < until {
            tokio::time::sleep(TICK.min(ATTACH_RETRY)).await;
            if settings.follow(&shared) {
                break;
            }
            super::retell(&app, &shared);
        }
    }
}

const MOVED: &str = "the settings moved the window to other AWS files";

/// What a keeper that answered said: who it is, its renewals as lines and
/// as views, and its events from then on.
type Answered = (
    Link,
    BTreeMap<String, KeeperLine>,
    BTreeMap<String, ProfileView>,
    Events,
);

/// Subscribes, then asks who keeps the home and its renewals: `None` when
/// no keeper answers.
async fn connect(home: &Home) -> Result<Option<Answered>, ClientError> {
    let sign_env = home.sign_in_env().map_err(|e| ClientError::Refused {
        code: e.code().to_owned(),
        message: e.to_string(),
    })?;
    let remote = Remote::of(&sign_env, &home.paths);
    let Some(events) = remote.subscribe().await? else {
        return Ok(None);
    };
    let asked = tokio::task::spawn_blocking(move || {
        let running = remote.running()?;
        let view = remote.view()?;
        Ok::<_, ClientError>(running.zip(view))
    })
    .await
    .map_err(|e| ClientError::Refused {
        code: "window_task".into(),
        message: e.to_string(),
    })??;
    Ok(asked.map(|(running, view)| {
        let link = Link::Connected {
            pid: running.pid,
            program: running.program,
        };
        let lines = attach::lines(&view.profiles)
            .into_iter()
            .map(|l| (l.profile.clone(), l))
            .collect();
        let renewals = view
            .profiles
            .into_iter()
            .map(|p| (p.profile.clone(), p))
            .collect();
        (link, lines, renewals, events)
    }))
}

/// Takes the keeper's events until it hangs up or the settings move the
/// window; says which. The events are read on a task of their own (a line
/// half read is never dropped by the tick) and end with it.
async fn follow<R: Runtime>(
    app: &AppHandle<R>,
    shared: &Shared,
    mut events: Events,
    settings: &mut Settings,
) -> &'static str {
    let (tx, mut heard) = tokio::sync::mpsc::channel(64);
    let reader = tokio::spawn(async move {
        while let Some(event) = events.next().await {
            if tx.send(event).await.is_err() {
                return;
            }
        }
    });
    let mut tick = tokio::time::interval(TICK);
    let why = loop {
        tokio::select! {
            event = heard.recv() => match event {
                None => break "the keeper hung up",
                Some(Ok(WireEvent::Known(event))) => super::engine_event(shared, &event),
                Some(Ok(WireEvent::Newer { event })) => {
                    tracing::debug!(event, "an event of a newer keeper, skipped");
                }
                Some(Err(e)) => {
                    tracing::debug!(error = %e, code = e.code(), "not an event of the keeper");
                }
            },
            _ = tick.tick() => {
                if settings.follow(shared) {
                    break MOVED;
                }
                super::retell(app, shared);
            }
        }
    };
    reader.abort();
    why
}

/// The `[aws]` table the window last followed, and one it could not.
#[derive(Debug, Default)]
struct Settings {
    refused: Option<AwsEnvSettings>,
}

impl Settings {
    /// Moves the window's home when the settings' `[aws]` table changed;
    /// `true` when it moved to other AWS files or another connection. A
    /// file mid-edit or unreadable changes nothing; a table that names
    /// files that cannot be used is said once.
    fn follow(&mut self, shared: &Shared) -> bool {
        let Some(aws) = homes::aws_settings(shared.base()) else {
            return false;
        };
        let current = shared.home();
        if aws == current.aws || self.refused.as_ref() == Some(&aws) {
            return false;
        }
        match homes::home(shared.base(), &aws) {
            Ok(home) => {
                self.refused = None;
                let moved = !current.same_connection(&home);
                super::rehomed(shared, &home, moved);
                moved
            }
            Err(e) => {
                tracing::warn!(error = %e, "the settings name AWS files that cannot be used");
                self.refused = Some(aws);
                false
            }
        }
    }
}

/// After the window changed the settings' `[aws]` table: waits, at most
/// `wait`, until the window has moved and a keeper answers for the files
/// the settings now name.
pub async fn moved(shared: &Shared, wait: Duration) -> Result<(), WindowError> {
    let Some(aws) = homes::aws_settings(shared.base()) else {
        return Ok(());
    };
    let deadline = Instant::now() + wait;
    loop {
        let home = shared.home();
        if home.aws == aws && matches!(shared.locked().keeper, Link::Connected { .. }) {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(WindowError::Busy);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
