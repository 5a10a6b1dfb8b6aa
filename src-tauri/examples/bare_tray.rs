//! A bare Tauri 2 tray app: one tray icon with one menu item (Quit) and
//! nothing else, no window, no engine. scripts/bench-tray.sh measures it
//! beside `leasekeeper-tray` the same way, as the floor a Tauri tray costs.
//!
//! `cargo run -p leasekeeper-tray --example bare_tray`

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;

fn main() -> Result<(), tauri::Error> {
    let app = tauri::Builder::default()
        .setup(|app| {
            let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
            let menu = Menu::with_items(app, &[&quit])?;
            let icon = app
                .default_window_icon()
                .cloned()
                .ok_or("the bundle configuration names no icon")?;
            TrayIconBuilder::with_id("bare")
                .icon(icon)
                .menu(&menu)
                .on_menu_event(|app, event| {
                    if event.id() == "quit" {
                        app.exit(0);
                    }
                })
                .build(app)?;
            Ok(())
        })
        .build(tauri::generate_context!())?;
    // A tray app runs with no window: only an explicit exit ends it.
    app.run(|_, event| {
        if let tauri::RunEvent::ExitRequested { api, code, .. } = event {
            if code.is_none() {
                api.prevent_exit();
            }
        }
    });
    Ok(())
}
