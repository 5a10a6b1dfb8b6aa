//! The platform's sleep and resume signals for the keeper loop. A
//! [`SleepSignals`] source feeds [`Input::SleepComing`] and
//! [`Input::Resumed`] into the loop's signal channel so it re-evaluates at
//! once after a wake instead of at its next tick (tokio's timers stop while
//! the machine sleeps).
//!
//! On Linux, [`Logind`] listens for `PrepareForSleep(bool)` from
//! `org.freedesktop.login1.Manager` on the system bus
//! (`DBUS_SYSTEM_BUS_ADDRESS`, else the standard socket): `true` is sleep
//! coming, `false` the resume. Without a system bus or logind it logs that
//! once and ends: the loop's wall-against-monotonic check still notices
//! every wake, one tick later.

use std::future::Future;

use futures_util::StreamExt as _;
use leasekeeper_engine::keeper::Input;
use tokio::sync::mpsc;

/// logind's well-known name, object and interface.
pub const LOGIND_NAME: &str = "org.freedesktop.login1";
pub const LOGIND_PATH: &str = "/org/freedesktop/login1";
pub const LOGIND_MANAGER: &str = "org.freedesktop.login1.Manager";

/// A source of sleep and resume signals.
pub trait SleepSignals: Send + 'static {
    /// Sends each signal to `tx` until the source or the loop ends.
    fn watch(self, tx: mpsc::UnboundedSender<Input>) -> impl Future<Output = ()> + Send;
}

/// logind on the system bus.
#[derive(Debug, Clone, Copy, Default)]
pub struct Logind;

impl SleepSignals for Logind {
    async fn watch(self, tx: mpsc::UnboundedSender<Input>) {
        match prepare_for_sleep(&tx).await {
            Ok(()) => tracing::debug!("logind's signals ended"),
            Err(e) => tracing::info!(
                error = %e,
                "no sleep signals from logind (no system bus?): wakes are noticed on the next tick"
            ),
        }
    }
}

/// The input a `PrepareForSleep(start)` signal means.
pub fn input_for(start: bool) -> Input {
    if start {
        Input::SleepComing {
            at: time::OffsetDateTime::now_utc(),
        }
    } else {
        Input::Resumed
    }
}

async fn prepare_for_sleep(tx: &mpsc::UnboundedSender<Input>) -> zbus::Result<()> {
    let conn = zbus::Connection::system().await?;
    let proxy: zbus::Proxy<'_> = zbus::proxy::Builder::new(&conn)
        .destination(LOGIND_NAME)
        .path(LOGIND_PATH)
        .interface(LOGIND_MANAGER)
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await?;
    let mut signals = proxy.receive_signal("PrepareForSleep").await?;
    tracing::info!("listening for logind's sleep signals");
    while let Some(message) = signals.next().await {
        let Ok(start) = message.body().deserialize::<bool>() else {
            tracing::debug!("PrepareForSleep without a boolean ignored");
            continue;
        };
        if start {
            tracing::info!("the system is going to sleep");
        } else {
            tracing::info!("the system resumed: re-evaluating now");
        }
        if tx.send(input_for(start)).is_err() {
            break;
        }
    }
    Ok(())
}
