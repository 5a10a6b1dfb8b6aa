//! [`MenuId`]: every tray menu item that does something, as one enum
//! converted to and from the string ids the menu toolkit carries.

use std::fmt;

/// What a menu item does when clicked.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MenuId {
    /// Sign in to this sso-session.
    SignIn(String),
    /// Sign in for this legacy SSO profile (`sso_start_url` on the profile).
    SignInProfile(String),
    /// One lease line: show what is known about this profile.
    Lease(String),
    /// Choose roles of this sso-session to add as profiles (the window).
    AddProfiles(String),
    /// Open the AWS console signed in as this profile.
    Console(String),
    /// The "N more…" line: open the full view.
    More,
    /// The "N problems…" line: the window, where each has its fix.
    Problems,
    /// Renew every managed profile now.
    RefreshAll,
    /// Open Leasekeeper's window (its status, until the window exists).
    Open,
    /// Stop the app.
    Quit,
}

const SIGN_IN: &str = "sign-in:";
const SIGN_IN_PROFILE: &str = "sign-in-profile:";
const LEASE: &str = "lease:";
const ADD_PROFILES: &str = "add-profiles:";
const CONSOLE: &str = "console:";

impl MenuId {
    /// Reads an id written by [`fmt::Display`]; `None` for ids of items
    /// that do nothing (headers, the summary).
    pub fn parse(id: &str) -> Option<MenuId> {
        let named = |prefix: &str| {
            id.strip_prefix(prefix)
                .filter(|rest| !rest.is_empty())
                .map(str::to_owned)
        };
        if let Some(p) = named(SIGN_IN_PROFILE) {
            return Some(MenuId::SignInProfile(p));
        }
        if let Some(s) = named(SIGN_IN) {
            return Some(MenuId::SignIn(s));
        }
        if let Some(p) = named(LEASE) {
            return Some(MenuId::Lease(p));
        }
        if let Some(s) = named(ADD_PROFILES) {
            return Some(MenuId::AddProfiles(s));
        }
        if let Some(p) = named(CONSOLE) {
            return Some(MenuId::Console(p));
        }
        match id {
            "more" => Some(MenuId::More),
            "problems" => Some(MenuId::Problems),
            "refresh-all" => Some(MenuId::RefreshAll),
            "open" => Some(MenuId::Open),
            "quit" => Some(MenuId::Quit),
            _ => None,
        }
    }
}

impl fmt::Display for MenuId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MenuId::SignIn(s) => write!(f, "{SIGN_IN}{s}"),
            MenuId::SignInProfile(p) => write!(f, "{SIGN_IN_PROFILE}{p}"),
            MenuId::Lease(p) => write!(f, "{LEASE}{p}"),
            MenuId::AddProfiles(s) => write!(f, "{ADD_PROFILES}{s}"),
            MenuId::Console(p) => write!(f, "{CONSOLE}{p}"),
            MenuId::More => f.write_str("more"),
            MenuId::Problems => f.write_str("problems"),
            MenuId::RefreshAll => f.write_str("refresh-all"),
            MenuId::Open => f.write_str("open"),
            MenuId::Quit => f.write_str("quit"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_reads_back_as_itself() {
        let ids = [
            MenuId::SignIn("corp".into()),
            MenuId::SignIn("with:colon".into()),
            MenuId::SignInProfile("legacy".into()),
            MenuId::AddProfiles("corp".into()),
            MenuId::Console("dev:admin".into()),
            MenuId::Lease("dev".into()),
            MenuId::More,
            MenuId::Problems,
            MenuId::RefreshAll,
            MenuId::Open,
            MenuId::Quit,
        ];
        for id in ids {
            assert_eq!(MenuId::parse(&id.to_string()), Some(id.clone()), "{id}");
        }
        assert_eq!(MenuId::SignIn("corp".into()).to_string(), "sign-in:corp");
    }

    #[test]
    fn ids_of_inert_items_do_nothing() {
        for id in ["", "7", "sign-in:", "lease:", "quit-now", "header:corp"] {
            assert_eq!(MenuId::parse(id), None, "{id}");
        }
    }
}
