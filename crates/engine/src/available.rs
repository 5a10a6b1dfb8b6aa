//! What the signed-in person may use: every account the access portal
//! lists and every role in each, every page followed (the portal answers at
//! most 100 a page), within a rate the caller sets. Calls go through a
//! token bucket ([`RateLimit`]: `calls_per_second`, one second's worth
//! saved) on the clock port, so a large organisation is listed below the
//! portal's limit (about 20 calls a second); a call the portal throttles
//! (429 `TooManyRequestsException`) or fails with a 5xx or no answer is
//! asked again, the same page, after a backoff that doubles from half a
//! second up to [`MAX_BACKOFF`], with jitter, at most [`MAX_TRIES`] times.
//! Progress is told after every account.

use std::time::Duration as StdDuration;

use time::{Duration, OffsetDateTime};

use crate::Secret;
use crate::ports::{AwsError, Clock, Page, PortalAccount, PortalListing, Random};

/// The tries of one call before its error is the listing's.
pub const MAX_TRIES: u32 = 8;
/// The longest wait between two tries of one call.
pub const MAX_BACKOFF: StdDuration = StdDuration::from_secs(20);
/// The rate the portal is called at unless the person says otherwise.
pub const DEFAULT_CALLS_PER_SECOND: u32 = 10;

/// An account and the roles the person has in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Available {
    pub account: PortalAccount,
    pub roles: Vec<String>,
}

/// How far a listing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Accounts whose roles are listed.
    pub done: usize,
    /// Accounts known so far (all of them once the account pages ended).
    pub total: usize,
    /// Calls asked again after a throttle or a failure so far.
    pub retries: u32,
}

/// A token bucket of `rate` calls a second on the clock port.
#[derive(Debug)]
pub struct RateLimit {
    rate: u32,
    tokens: f64,
    last: Option<OffsetDateTime>,
}

impl RateLimit {
    /// `rate` calls a second (at least one).
    pub fn new(rate: u32) -> RateLimit {
        let rate = rate.max(1);
        RateLimit {
            rate,
            tokens: f64::from(rate),
            last: None,
        }
    }

    /// Waits until a call may be made, and takes it.
    pub async fn acquire<C: Clock>(&mut self, clock: &C) {
        let rate = f64::from(self.rate);
        loop {
            let now = clock.now();
            if let Some(last) = self.last {
                let elapsed = (now - last).as_seconds_f64().max(0.0);
                self.tokens = (self.tokens + elapsed * rate).min(rate);
            }
            self.last = Some(now);
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                return;
            }
            let wait = (1.0 - self.tokens) / rate;
            clock.sleep(Duration::seconds_f64(wait)).await;
        }
    }
}

/// The ports a listing uses.
pub struct Listing<'a, P: PortalListing, C: Clock, R: Random> {
    pub portal: &'a P,
    pub clock: &'a C,
    pub random: &'a R,
}

impl<P: PortalListing, C: Clock, R: Random> std::fmt::Debug for Listing<'_, P, C, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing").finish_non_exhaustive()
    }
}

/// Every account and its roles, in the portal's order.
pub async fn list<P: PortalListing, C: Clock, R: Random>(
    ports: &Listing<'_, P, C, R>,
    token: &Secret,
    limit: &mut RateLimit,
    progress: &mut (dyn FnMut(Progress) + Send),
) -> Result<Vec<Available>, AwsError> {
    let mut retries = 0;
    let mut accounts = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let page = call(ports, limit, &mut retries, || {
            ports.portal.list_accounts(token, next.as_deref())
        })
        .await?;
        accounts.extend(page.items);
        next = page.next;
        progress(Progress {
            done: 0,
            total: accounts.len(),
            retries,
        });
        if next.is_none() {
            break;
        }
    }
    let total = accounts.len();
    let mut out = Vec::with_capacity(total);
    for account in accounts {
        let mut roles = Vec::new();
        let mut next: Option<String> = None;
        loop {
            let page: Page<String> = call(ports, limit, &mut retries, || {
                ports
                    .portal
                    .list_account_roles(token, &account.id, next.as_deref())
            })
            .await?;
            roles.extend(page.items);
            next = page.next;
            if next.is_none() {
                break;
            }
        }
        out.push(Available { account, roles });
        progress(Progress {
            done: out.len(),
            total,
            retries,
        });
    }
    Ok(out)
}

/// One call within the rate, asked again after a throttle or a failure
/// that may pass.
async fn call<P, C, R, T, F, Fut>(
    ports: &Listing<'_, P, C, R>,
    limit: &mut RateLimit,
    retries: &mut u32,
    mut make: F,
) -> Result<T, AwsError>
where
    P: PortalListing,
    C: Clock,
    R: Random,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AwsError>>,
{
    let mut tries = 0;
    loop {
        limit.acquire(ports.clock).await;
        tries += 1;
        match make().await {
            Ok(v) => return Ok(v),
            Err(e) if passes(&e) && tries < MAX_TRIES => {
                *retries += 1;
                ports.clock.sleep(backoff(tries, ports.random)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// A throttle, a 5xx or no answer: worth asking again.
fn passes(e: &AwsError) -> bool {
    matches!(
        e,
        AwsError::Throttled { .. } | AwsError::ServerError { .. } | AwsError::Network { .. }
    )
}

/// Half a second doubled per try, capped, then between half and all of it
/// ("equal jitter"), so clients throttled together do not return together.
fn backoff<R: Random>(tries: u32, random: &R) -> Duration {
    let cap = MAX_BACKOFF.as_secs_f64();
    let full = (0.5 * 2f64.powi(i32::try_from(tries.saturating_sub(1)).unwrap_or(30))).min(cap);
    let mut byte = [0u8; 1];
    let share = match random.fill(&mut byte) {
        Ok(()) => {
            let [b] = byte;
            f64::from(b) / 255.0
        }
        Err(_) => 0.5,
    };
    Duration::seconds_f64(full / 2.0 + full / 2.0 * share)
}

#[cfg(test)]
mod tests;
