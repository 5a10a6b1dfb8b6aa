//! The settings as the window shows them. Reading and changing them is
//! [`leasekeeper_service::ops::settings`]'s ([`load`](leasekeeper_service::ops::settings::load),
//! [`change`](leasekeeper_service::ops::settings::change())); this only
//! turns the window's input into a change and the settings into what the
//! window shows.

use std::path::Path;

use leasekeeper_engine::lease::Lease;
use leasekeeper_engine::resolve::Kind;
use leasekeeper_engine::resolve::StepView;
use leasekeeper_engine::settings::{Settings, format_duration};
use leasekeeper_service::ops::autostart::Autostart;
use leasekeeper_service::ops::settings::Change;

use super::dto::{ProfileSettingsDto, SessionDto, SettingChange, SettingsDto};

/// The service's change for the window's `change`; `None` for start at
/// login, which is not a setting of the file.
pub fn change_of(change: &SettingChange) -> Option<Change> {
    Some(match change {
        SettingChange::Leads { leads } => Change::Leads(leads.clone()),
        SettingChange::Renew { profile, on } => Change::Renew {
            profile: profile.clone(),
            on: *on,
        },
        SettingChange::Section { profile, section } => Change::Section {
            profile: profile.clone(),
            section: section.clone(),
        },
        SettingChange::SessionLength { session, length } => Change::SessionLength {
            session: session.clone(),
            length: length.clone(),
        },
        SettingChange::Notifications { on } => Change::Notifications(*on),
        SettingChange::Aws { key, value } => Change::Aws {
            key: *key,
            value: value.clone(),
        },
        SettingChange::StartAtLogin { .. } => return None,
    })
}

/// The settings as the window shows them.
pub fn dto(
    path: Option<&Path>,
    settings: &Settings,
    leases: &[Lease],
    sessions: &[SessionDto],
    autostart: &Autostart,
) -> SettingsDto {
    let mut profiles: Vec<ProfileSettingsDto> = leases
        .iter()
        .filter(|l| matches!(l.chain_kind(), Some(Kind::Sso | Kind::Role)))
        .map(|l| {
            let over_keys = l.source.iter().any(|s| {
                matches!(
                    s,
                    StepView::StaticKeys { .. } | StepView::TemporaryKeys { .. }
                )
            });
            ProfileSettingsDto {
                profile: l.profile.clone(),
                renew: settings.auto_renew(&l.profile, over_keys),
                section: settings.section_for(&l.profile).to_owned(),
                can_use_process: true,
            }
        })
        .collect();
    profiles.sort_by(|a, b| a.profile.cmp(&b.profile));
    SettingsDto {
        version: crate::args::VERSION.to_owned(),
        path: path.map(|p| p.display().to_string()),
        leads: settings
            .warnings
            .leads
            .iter()
            .map(|d| format_duration(*d))
            .collect(),
        renew_silent: settings.renew.silent,
        notifications: settings.notifications.enabled,
        profiles,
        sessions: sessions
            .iter()
            .map(|s| super::dto::SessionSettingsDto {
                name: s.name.clone(),
                session_length: format_duration(settings.session_length(&s.name)),
            })
            .collect(),
        start_at_login: autostart.on,
        autostart_path: autostart.path.as_deref().map(|p| p.display().to_string()),
        aws: Vec::new(),
        aws_editable: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::dto::AwsKey;

    #[test]
    fn every_window_change_but_start_at_login_is_a_change_of_the_file() {
        assert_eq!(
            change_of(&SettingChange::Aws {
                key: AwsKey::NoProxy,
                value: ".corp".into(),
            }),
            Some(Change::Aws {
                key: AwsKey::NoProxy,
                value: ".corp".into(),
            })
        );
        assert_eq!(
            change_of(&SettingChange::Notifications { on: false }),
            Some(Change::Notifications(false))
        );
        assert_eq!(change_of(&SettingChange::StartAtLogin { on: true }), None);
    }
}
