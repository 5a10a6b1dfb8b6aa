//! Embeds the app's configuration, icons and front end (`tauri-build`), and
//! declares the window's commands so its capability can grant exactly them;
//! records the commit the app is built from (`--version`, the window's About).

#[path = "../crates/cli/build_commit.rs"]
mod build_commit;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    build_commit::emit();
    let commands = tauri_build::AppManifest::new().commands(&[
        "get_view",
        "view_painted",
        "refresh_all",
        "sign_in",
        "cancel_sign_in",
        "open_sign_in_page",
        "sign_out",
        "get_settings",
        "change_setting",
        "use_credential_process",
        "submit_mfa_code",
        "add_portal",
        "list_accounts",
        "preview_profiles",
        "add_profiles",
        "open_console",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(commands))
        .map_err(|e| format!("cannot embed the app's configuration: {e:#}"))?;
    Ok(())
}
