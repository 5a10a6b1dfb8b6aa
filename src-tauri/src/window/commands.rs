//! The window's commands. Each takes its typed input, makes one call, and
//! answers with a [`super::dto`] type or a [`WindowError`] (`{code,
//! message}`); every answer passes [`Shared::reply`]. [`handler`] registers
//! exactly these, and the window's capability grants exactly these.

use std::sync::Arc;

use leasekeeper_engine::lease;
use leasekeeper_host::browser::Browser as _;
use leasekeeper_host::keeper::settings_file::settings_path;
use leasekeeper_service::ops;
use leasekeeper_service::ops::settings::tray::is_demo;
use leasekeeper_service::ops::setup_process::{Outcome, SetupRequest};
use tauri::ipc::Invoke;
use tauri::{Runtime, State};
use time::OffsetDateTime;

use super::dto::{
    ConsoleDto, ProfileArgs, SessionArgs, SettingChange, SettingsDto, SignInArgs, SignInEvent,
    UseProcessArgs, UseProcessDto, ViewDto,
};
use super::error::WindowError;
use super::{Link, Shared, aws_env, mfa, portal, settings, signin, view};

type St<'a> = State<'a, Arc<Shared>>;

/// The commands, for the app's builder.
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        get_view,
        view_painted,
        refresh_all,
        sign_in,
        cancel_sign_in,
        open_sign_in_page,
        sign_out,
        get_settings,
        change_setting,
        use_credential_process,
        submit_mfa_code,
        portal::add_portal,
        portal::list_accounts,
        portal::preview_profiles,
        portal::add_profiles,
        open_console
    ]
}

/// Every lease, grouped and sorted.
#[tauri::command]
pub fn get_view(shared: St<'_>) -> Result<ViewDto, WindowError> {
    tracing::debug!("the window fetches its view");
    let mut view = current_view(&shared);
    view.add_profiles = shared.locked().add_profiles.take();
    shared.reply("get_view", Ok(view))
}

/// The page painted its first list: logged once with the time since the
/// window process started and the wall clock (`scripts/bench-window.sh`
/// measures from the menu's click to it).
#[tauri::command]
pub fn view_painted(shared: St<'_>) -> Result<(), WindowError> {
    if !shared
        .painted
        .swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        let unix_ms = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
        tracing::info!(
            after_ms = shared.started.elapsed().as_millis(),
            unix_ms,
            "first list painted"
        );
    }
    shared.reply("view_painted", Ok(()))
}

fn current_view(shared: &Shared) -> ViewDto {
    let settings = read_settings(shared).unwrap_or_default();
    let home = shared.home();
    let inner = shared.locked();
    let snapshot = leasekeeper_service::snapshot_now(&home.paths, &home.env, shared.scale);
    let mut view = view::view(&view::ViewInput {
        paths: &home.paths,
        snapshot: &snapshot,
        lines: &inner.lines,
        renewals: &inner.renewals,
        attached_pid: inner.attached_pid,
        keeper_lost: inner.keeper == Link::Lost,
        scale: shared.scale,
        settings: &settings,
        now: OffsetDateTime::now_utc(),
    });
    view.new_roles = ops::assignments::pending(&home.paths, &home.env)
        .into_iter()
        .map(|(session, count)| super::dto::NewRolesDto { session, count })
        .collect();
    view.findings = shared
        .findings
        .get(&home.paths, &home.env, shared.scale)
        .iter()
        .map(super::dto::FindingDto::from)
        .collect();
    view
}

/// Renew every managed profile now (the menu's Refresh all), through the
/// keeper the window follows; the renewals show as its events arrive.
#[tauri::command]
pub fn refresh_all(shared: St<'_>) -> Result<(), WindowError> {
    let result = if matches!(shared.locked().keeper, Link::Connected { .. }) {
        let home = shared.home();
        // Answered once the renewals end: the window does not wait for it.
        std::thread::spawn(move || {
            match ops::refresh::by_keeper(&home.paths, &home.env, &ops::refresh::Selection::All) {
                Ok(Some(_)) => tracing::info!("the keeper refreshed"),
                Ok(None) => tracing::warn!("no keeper to refresh"),
                Err(e) => tracing::warn!(error = %e, code = e.code(), "the keeper did not refresh"),
            }
        });
        Ok(())
    } else {
        Err(WindowError::Op {
            code: "no_keeper".into(),
            message: "no keeper runs for these AWS files".into(),
        })
    };
    shared.reply("refresh_all", result)
}

/// Starts a sign-in; its progress comes as `sign-in` events.
#[tauri::command]
pub fn sign_in(args: SignInArgs, shared: St<'_>) -> Result<(), WindowError> {
    let result = start_sign_in(Arc::clone(shared.inner()), args);
    shared.reply("sign_in", result)
}

fn start_sign_in(shared: Arc<Shared>, args: SignInArgs) -> Result<(), WindowError> {
    let mut inner = shared.locked();
    if inner
        .sign_ins
        .get(&args.session)
        .is_some_and(|h| !h.is_finished())
    {
        return Err(WindowError::SignInRunning(args.session));
    }
    let task_shared = shared.clone();
    let session = args.session.clone();
    let task = shared.runtime.spawn(async move {
        let end = signin::sign_in(&task_shared, &session, args.method).await;
        {
            let mut inner = task_shared.locked();
            inner.sign_ins.remove(&session);
            inner.dirty = true;
        }
        task_shared.emit(super::dto::SIGN_IN, &end);
    });
    inner.sign_ins.insert(args.session, task.abort_handle());
    Ok(())
}

/// Stops a running sign-in.
#[tauri::command]
pub fn cancel_sign_in(args: SessionArgs, shared: St<'_>) -> Result<(), WindowError> {
    let handle = shared.locked().sign_ins.remove(&args.session);
    let result = match handle {
        Some(h) => {
            h.abort();
            shared.emit(
                super::dto::SIGN_IN,
                &SignInEvent::Cancelled {
                    session: args.session,
                },
            );
            Ok(())
        }
        None => Err(WindowError::NoSignIn(args.session)),
    };
    shared.reply("cancel_sign_in", result)
}

/// Opens the address a running sign-in asked for in the system browser.
#[tauri::command]
pub fn open_sign_in_page(args: SessionArgs, shared: St<'_>) -> Result<(), WindowError> {
    let result = (|| {
        let url = shared
            .locked()
            .addresses
            .get(&args.session)
            .cloned()
            .ok_or(WindowError::NoAddress)?;
        let home = shared.home();
        let env = home
            .sign_in_env()
            .map_err(|e| WindowError::op(e.code(), &e))?;
        env.browser.open(&url).map_err(WindowError::Browser)
    })();
    shared.reply("open_sign_in_page", result)
}

/// Signs out of a session.
#[tauri::command]
pub async fn sign_out(args: SessionArgs, shared: St<'_>) -> Result<(), WindowError> {
    let owned = Arc::clone(shared.inner());
    let result = signin::sign_out(&owned, &args.session).await;
    shared.reply("sign_out", result)
}

/// The settings the window edits.
#[tauri::command]
pub fn get_settings(shared: St<'_>) -> Result<SettingsDto, WindowError> {
    let result = settings_dto(&shared);
    shared.reply("get_settings", result)
}

fn settings_dto(shared: &Shared) -> Result<SettingsDto, WindowError> {
    let s = read_settings(shared)?;
    let path = settings_path(shared.base().lookup());
    let now = OffsetDateTime::now_utc();
    let home = shared.home();
    let snapshot = leasekeeper_service::snapshot_now(&home.paths, &home.env, shared.scale);
    let leases = lease::leases(&snapshot, now);
    let view = current_view(shared);
    let autostart = ops::autostart::get(shared.base().lookup());
    let mut dto = settings::dto(path.as_deref(), &s, &leases, &view.sessions, &autostart);
    dto.aws = aws_env::fields(shared.base(), &home, &s.aws);
    dto.aws_editable = !is_demo(shared.base());
    Ok(dto)
}

fn read_settings(shared: &Shared) -> Result<leasekeeper_engine::settings::Settings, WindowError> {
    ops::settings::load(shared.base()).map_err(|e| WindowError::op(e.code(), &e))
}

/// Changes one setting; the answer is the settings as they now are. A
/// change of the AWS files, CA bundle or proxy is answered once the keeper
/// runs on them.
#[tauri::command]
pub async fn change_setting(
    change: SettingChange,
    shared: St<'_>,
) -> Result<SettingsDto, WindowError> {
    // Files, a lock and the CA bundle are read: off the async workers.
    let owned = Arc::clone(shared.inner());
    let aws = matches!(change, SettingChange::Aws { .. });
    let mut result = blocking(move || apply_change(&owned, &change)).await;
    if result.is_ok() && aws {
        result = super::follow::moved(&shared, FOLLOW_WAIT).await;
    }
    let result = match result {
        Ok(()) => {
            let owned = Arc::clone(shared.inner());
            blocking(move || settings_dto(&owned)).await
        }
        Err(e) => Err(e),
    };
    shared.reply("change_setting", result)
}

/// Runs `f` on the blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, WindowError> + Send + 'static,
) -> Result<T, WindowError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(e) => Err(WindowError::Task(e.to_string())),
    }
}

/// The longest a change of the AWS files waits for the keeper to move.
const FOLLOW_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

fn apply_change(shared: &Shared, change: &SettingChange) -> Result<(), WindowError> {
    match settings::change_of(change) {
        Some(change) => {
            ops::settings::change(shared.base(), &change).map_err(|e| WindowError::op(e.code(), &e))
        }
        None => {
            let on = matches!(change, SettingChange::StartAtLogin { on: true });
            let program = std::env::current_exe().map_err(|source| WindowError::Read {
                path: "/proc/self/exe".into(),
                source,
            })?;
            ops::autostart::set(shared.base().lookup(), &program, on)
                .map(|_| ())
                .map_err(|e| WindowError::op(e.code(), &e))
        }
    }
}

/// Adds a profile whose `credential_process` is Leasekeeper, as
/// `leasekeeper setup-process` does
/// ([`leasekeeper_service::ops::setup_process`]).
#[tauri::command]
pub async fn use_credential_process(
    args: UseProcessArgs,
    shared: St<'_>,
) -> Result<UseProcessDto, WindowError> {
    // The files are read and one is written under its lock: off the async
    // workers.
    let owned = Arc::clone(shared.inner());
    let result = blocking(move || setup_process(&owned, &args)).await;
    shared.reply("use_credential_process", result)
}

fn setup_process(shared: &Shared, args: &UseProcessArgs) -> Result<UseProcessDto, WindowError> {
    let cli = cli_program().ok_or_else(|| {
        WindowError::SetupProcess("the `leasekeeper` command is not installed".into())
    })?;
    let request = SetupRequest {
        profile: args.profile.clone(),
        name: args.name.clone().filter(|n| !n.trim().is_empty()),
        program: ops::setup_process::program(&cli),
        home: None,
    };
    let done = ops::setup_process::setup_process(&shared.home().paths, &request)
        .map_err(|e| WindowError::op(e.code(), &e))?;
    let (name, config) = (&done.name, done.config.display());
    let message = match done.outcome {
        Outcome::Added => {
            format!("Added [profile {name}] to {config}: use it with AWS_PROFILE={name}")
        }
        Outcome::AlreadyThere => {
            format!(
                "[profile {name}] is already set up in {config}: use it with AWS_PROFILE={name}"
            )
        }
    };
    Ok(UseProcessDto {
        name: done.name,
        message,
    })
}

/// The `leasekeeper` CLI: beside this program, else on `PATH`.
fn cli_program() -> Option<std::path::PathBuf> {
    let beside = std::env::current_exe().ok()?.with_file_name("leasekeeper");
    if beside.is_file() {
        return Some(beside);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("leasekeeper"))
        .find(|p| p.is_file())
}

/// Opens the AWS console signed in as a profile, in the browser. The
/// sign-in URL never reaches the window: only who the session is and what
/// to know about it.
#[tauri::command]
pub async fn open_console(args: ProfileArgs, shared: St<'_>) -> Result<ConsoleDto, WindowError> {
    let home = shared.home();
    let result = async {
        let sign_env = home
            .sign_in_env()
            .map_err(|e| WindowError::op(e.code(), &e))?;
        let req = ops::console::ConsoleRequest {
            profile: args.profile,
            ..Default::default()
        };
        let failed = |e: ops::console::ConsoleError| WindowError::op(e.code(), &e);
        let login = ops::console::open_as(&home.paths, &home.env, &req, &sign_env.browser)
            .await
            .map_err(failed)?;
        Ok(ConsoleDto {
            arn: login.arn,
            notes: login.notes.iter().map(|n| n.message().to_owned()).collect(),
        })
    }
    .await;
    shared.reply("open_console", result)
}

/// Hands an MFA code to the keeper (the code never comes back).
#[tauri::command]
pub async fn submit_mfa_code(args: mfa::MfaArgs, shared: St<'_>) -> Result<(), WindowError> {
    let owned = Arc::clone(shared.inner());
    let result = tokio::task::spawn_blocking(move || mfa::submit(&owned, &args))
        .await
        .unwrap_or_else(|e| Err(WindowError::Task(e.to_string())));
    shared.reply("submit_mfa_code", result)
}
