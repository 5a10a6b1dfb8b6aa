//! The sign-in state of the Identity Center instance: registered clients,
//! device authorizations, browser (PKCE) sign-in requests and their codes,
//! sign-in sessions, and the access and refresh tokens each session hands
//! out. Times are whole seconds of sandbox time.

use std::collections::HashMap;

use crate::ids;
use crate::secret::Secret;

/// The scope that makes a client's tokens refreshable (IAM Identity Center
/// User Guide, "Configuring your profile with the aws configure sso wizard":
/// `sso:account:access` grants refresh tokens).
pub(crate) const REFRESH_SCOPE: &str = "sso:account:access";
/// Device and authorization codes last 10 minutes, never compressed by speed
/// (StartDeviceAuthorization returns `expiresIn` 600).
pub(crate) const CODE_LIFETIME_SECS: u64 = 600;
/// Registrations last 90 days (RegisterClient `clientSecretExpiresAt`).
pub(crate) const REGISTRATION_SECS: u64 = 90 * 86400;

/// A registered OIDC client.
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub secret: Secret,
    pub name: String,
    pub scopes: Vec<String>,
    pub grant_types: Vec<String>,
    pub redirect_uris: Vec<String>,
    pub expires: u64,
}

impl Client {
    pub fn refreshable(&self) -> bool {
        self.scopes.iter().any(|s| s == REFRESH_SCOPE)
    }
    /// Clients registered without grant types may use the device code and
    /// refresh grants (the device flow's registration names none).
    pub fn may_use(&self, grant: &str) -> bool {
        if self.grant_types.is_empty() {
            grant != "authorization_code"
        } else {
            self.grant_types.iter().any(|g| g == grant)
        }
    }
}

/// Where a sign-in stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    Pending,
    /// Approved; the session it opened (device) or the code it issued (PKCE).
    Approved(String),
    Denied,
    /// The device code was exchanged for tokens.
    Used,
}

/// A device authorization (StartDeviceAuthorization).
#[derive(Debug, Clone)]
pub(crate) struct DeviceAuth {
    pub client_id: String,
    pub user_code: String,
    pub expires: u64,
    pub status: Status,
    pub last_poll_ms: Option<u128>,
}

/// A browser sign-in started at `/authorize`.
#[derive(Debug, Clone)]
pub(crate) struct AuthRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub challenge: String,
    pub expires: u64,
    pub status: Status,
}

/// An authorization code waiting for CreateToken.
#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub session: String,
    pub expires: u64,
}

/// A sign-in session (the portal session): the hard ceiling of every token.
#[derive(Debug, Clone)]
pub(crate) struct SignInSession {
    pub started: u64,
    pub ends: u64,
    pub ended: bool,
}

/// What an access or refresh token belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub session: String,
    pub client_id: String,
    pub expires: u64,
}

/// All of it. Its `Debug` shows counts only: the maps are keyed by device
/// codes and tokens.
#[derive(Default)]
pub(crate) struct OidcState {
    pub clients: HashMap<String, Client>,
    pub devices: HashMap<String, DeviceAuth>,
    pub requests: HashMap<String, AuthRequest>,
    pub codes: HashMap<String, AuthCode>,
    pub sessions: HashMap<String, SignInSession>,
    pub access: HashMap<String, Grant>,
    pub refresh: HashMap<String, Grant>,
}

impl std::fmt::Debug for OidcState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcState")
            .field("clients", &self.clients.len())
            .field("devices", &self.devices.len())
            .field("requests", &self.requests.len())
            .field("codes", &self.codes.len())
            .field("sessions", &self.sessions.len())
            .field("access_tokens", &self.access.len())
            .field("refresh_tokens", &self.refresh.len())
            .finish()
    }
}

/// A sign-in waiting for a person, as the approval page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignIn {
    /// What to approve or deny: the user code for device sign-ins, the
    /// request id for browser (PKCE) sign-ins.
    pub id: String,
    /// Device code or browser sign-in.
    pub kind: SignInKind,
    /// The client's registered name.
    pub client_name: String,
    /// Seconds left before the code lapses.
    pub expires_in_secs: u64,
}

/// The two sign-in ceremonies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInKind {
    /// Device authorization (RFC 8628).
    DeviceCode,
    /// Authorization code with PKCE through `/authorize`.
    AuthorizationCode,
}

/// A sign-in session, as `/_sandbox/sessions` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SessionInfo {
    /// The session id (for `end_session`).
    pub id: String,
    /// When it began, seconds since the Unix epoch (sandbox time).
    pub started: u64,
    /// When it ends by itself, seconds since the Unix epoch.
    pub ends: u64,
    /// Ended early (logout or the "session ended" fault).
    pub ended: bool,
}

/// The outcome of approving or denying a sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// For browser sign-ins, where the browser goes next: the client's
    /// loopback redirect URI with `code` (or `error`) and `state`.
    pub redirect: Option<String>,
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let sep = if uri.contains('?') { '&' } else { '?' };
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", crate::wire::query_encode(v)))
        .collect();
    format!("{uri}{sep}{}", q.join("&"))
}

impl OidcState {
    /// Opens a sign-in session of `length` seconds starting `now`.
    pub fn open_session(&mut self, now: u64, length: u64) -> String {
        let id = ids::opaque("ssn-", 12);
        self.sessions.insert(
            id.clone(),
            SignInSession {
                started: now,
                ends: now + length,
                ended: false,
            },
        );
        id
    }

    /// The session is neither ended nor past its end.
    pub fn session_alive(&self, id: &str, now: u64) -> bool {
        self.sessions
            .get(id)
            .is_some_and(|s| !s.ended && now < s.ends)
    }

    /// Sign-ins a person could still approve.
    pub fn pending(&self, now: u64) -> Vec<PendingSignIn> {
        let name = |client: &str| {
            self.clients
                .get(client)
                .map(|c| c.name.clone())
                .unwrap_or_default()
        };
        let mut out: Vec<PendingSignIn> = self
            .devices
            .values()
            .filter(|d| d.status == Status::Pending && now < d.expires)
            .map(|d| PendingSignIn {
                id: d.user_code.clone(),
                kind: SignInKind::DeviceCode,
                client_name: name(&d.client_id),
                expires_in_secs: d.expires - now,
            })
            .collect();
        out.extend(
            self.requests
                .iter()
                .filter(|(_, r)| r.status == Status::Pending && now < r.expires)
                .map(|(id, r)| PendingSignIn {
                    id: id.clone(),
                    kind: SignInKind::AuthorizationCode,
                    client_name: name(&r.client_id),
                    expires_in_secs: r.expires - now,
                }),
        );
        out.sort_by_key(|p| std::cmp::Reverse(p.expires_in_secs));
        out
    }

    /// Approves (`allow`) or denies a pending sign-in by user code or request
    /// id; `None` when there is no such pending sign-in.
    pub fn decide(
        &mut self,
        id: &str,
        allow: bool,
        now: u64,
        session_length: u64,
    ) -> Option<Decision> {
        let device_key = self
            .devices
            .iter()
            .find(|(_, d)| {
                d.user_code.eq_ignore_ascii_case(id.trim())
                    && d.status == Status::Pending
                    && now < d.expires
            })
            .map(|(k, _)| k.clone());
        if let Some(key) = device_key {
            let status = if allow {
                Status::Approved(self.open_session(now, session_length))
            } else {
                Status::Denied
            };
            if let Some(d) = self.devices.get_mut(&key) {
                d.status = status;
            }
            return Some(Decision { redirect: None });
        }
        let request = self
            .requests
            .get(id)
            .filter(|r| r.status == Status::Pending && now < r.expires)?
            .clone();
        let state: Vec<(&str, &str)> = request
            .state
            .iter()
            .map(|s| ("state", s.as_str()))
            .collect();
        if !allow {
            if let Some(r) = self.requests.get_mut(id) {
                r.status = Status::Denied;
            }
            let mut pairs = vec![
                ("error", "access_denied"),
                ("error_description", "The user denied the request"),
            ];
            pairs.extend(state);
            return Some(Decision {
                redirect: Some(with_query(&request.redirect_uri, &pairs)),
            });
        }
        let session = self.open_session(now, session_length);
        let code = ids::opaque("", 32);
        self.codes.insert(
            code.clone(),
            AuthCode {
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                challenge: request.challenge.clone(),
                session,
                expires: now + CODE_LIFETIME_SECS,
            },
        );
        if let Some(r) = self.requests.get_mut(id) {
            r.status = Status::Approved(code.clone());
        }
        let mut pairs = vec![("code", code.as_str())];
        pairs.extend(state);
        Some(Decision {
            redirect: Some(with_query(&request.redirect_uri, &pairs)),
        })
    }

    /// Where an approved or denied browser sign-in sends the browser.
    pub fn redirect_for(&self, id: &str) -> Option<String> {
        let r = self.requests.get(id)?;
        let state: Vec<(&str, &str)> = r.state.iter().map(|s| ("state", s.as_str())).collect();
        match &r.status {
            Status::Approved(code) => {
                let mut pairs = vec![("code", code.as_str())];
                pairs.extend(state);
                Some(with_query(&r.redirect_uri, &pairs))
            }
            Status::Denied => {
                let mut pairs = vec![("error", "access_denied")];
                pairs.extend(state);
                Some(with_query(&r.redirect_uri, &pairs))
            }
            _ => None,
        }
    }

    /// Ends one session (or all when `id` is `None`); how many ended.
    pub fn end_sessions(&mut self, id: Option<&str>) -> usize {
        let mut n = 0;
        for (sid, s) in &mut self.sessions {
            if id.is_none_or(|i| i == sid) && !s.ended {
                s.ended = true;
                n += 1;
            }
        }
        n
    }

    /// Drops what can no longer be used, so a long run stays small.
    pub fn prune(&mut self, now: u64) {
        self.devices.retain(|_, d| now < d.expires + 3600);
        self.requests.retain(|_, r| now < r.expires + 3600);
        self.codes.retain(|_, c| now < c.expires);
        self.access.retain(|_, g| now < g.expires);
        let sessions = &self.sessions;
        self.refresh.retain(|_, g| {
            sessions
                .get(&g.session)
                .is_some_and(|s| !s.ended && now < s.ends)
        });
        self.clients.retain(|_, c| now < c.expires);
    }
}
