//! The tray's desktop notifications: the host's [`Notifications`] (one per
//! thing the person must do, the same as the daemon's; see
//! `leasekeeper_host::notify`), whose clicks come back to the controller as
//! the menu clicks they stand for: "Sign in" as the menu's sign-in item,
//! "Enter code" and a click on the body as "Open Leasekeeper" (the window
//! takes MFA codes).

use leasekeeper_engine::keeper::NoticeAction;
use leasekeeper_engine::menu::MenuId;
use leasekeeper_host::notify::{Click, Desktop, Notifications, Offer};
use tokio::sync::mpsc;

use crate::controller::Msg;

/// Starts sending on `runtime`; clicks go to `controller`. Durations are
/// spoken at time scale `scale`; the settings file at `settings` is read
/// for each event.
pub fn spawn(
    runtime: &tokio::runtime::Handle,
    controller: mpsc::UnboundedSender<Msg>,
    scale: f64,
    settings: Option<std::path::PathBuf>,
) -> Notifications {
    let (clicks, mut clicked) = mpsc::unbounded_channel();
    let offer = Offer {
        open: true,
        sign_in: true,
        enter_code: true,
    };
    let notifications =
        Notifications::spawn(runtime, Desktop::default(), scale, settings, offer, clicks);
    runtime.spawn(async move {
        while let Some(click) = clicked.recv().await {
            // The controller ends only with the app.
            let _ = controller.send(Msg::Click(menu_click(click)));
        }
    });
    notifications
}

/// The menu click a notification's click stands for.
pub fn menu_click(click: Click) -> MenuId {
    match click {
        Click::Action(NoticeAction::SignIn(session)) => MenuId::SignIn(session),
        Click::Action(NoticeAction::SignInProfile(profile)) => MenuId::SignInProfile(profile),
        Click::Action(NoticeAction::EnterCode(_)) | Click::Open => MenuId::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_button_is_the_menus_sign_in_and_the_rest_open_the_window() {
        assert_eq!(
            menu_click(Click::Action(NoticeAction::SignIn("corp".into()))),
            MenuId::SignIn("corp".into())
        );
        assert_eq!(
            menu_click(Click::Action(NoticeAction::EnterCode("dev".into()))),
            MenuId::Open
        );
        assert_eq!(menu_click(Click::Open), MenuId::Open);
    }
}
