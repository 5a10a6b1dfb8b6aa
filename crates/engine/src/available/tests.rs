//! The listing against a scripted portal on a manual clock: every page of
//! accounts and of roles followed, throttles and failures asked again (the
//! same page) after a growing backoff, the rate kept, and an error that
//! does not pass, or one that lasts, ends the listing.

use std::collections::VecDeque;
use std::sync::Mutex;

use time::{Duration, OffsetDateTime};

use super::*;
use crate::ports::Service;
use crate::signin::testkit::{FakeRandom, ManualClock, block_on};

/// Pages of accounts and roles, with errors to answer first.
#[derive(Default)]
struct Portal {
    accounts: usize,
    page_size: usize,
    roles_per_account: usize,
    errors: Mutex<VecDeque<AwsError>>,
    calls: Mutex<Vec<String>>,
}

impl Portal {
    fn next_error(&self, call: String) -> Option<AwsError> {
        self.calls.lock().unwrap().push(call);
        self.errors.lock().unwrap().pop_front()
    }
}

fn page_of<T>(all: Vec<T>, next: Option<&str>, size: usize) -> Page<T> {
    let start: usize = next.map_or(0, |n| n.parse().unwrap());
    let items: Vec<T> = all.into_iter().skip(start).take(size).collect();
    let end = start + items.len();
    Page {
        next: (items.len() == size).then(|| end.to_string()),
        items,
    }
}

impl PortalListing for Portal {
    fn list_accounts(
        &self,
        _token: &Secret,
        next: Option<&str>,
    ) -> impl Future<Output = Result<Page<PortalAccount>, AwsError>> + Send {
        let result = match self.next_error(format!("accounts {next:?}")) {
            Some(e) => Err(e),
            None => {
                let all = (0..self.accounts)
                    .map(|i| PortalAccount {
                        id: format!("{:012}", 100 + i),
                        name: format!("team-{i}"),
                        email: format!("team-{i}@example.com"),
                    })
                    .collect();
                Ok(page_of(all, next, self.page_size))
            }
        };
        std::future::ready(result)
    }

    fn list_account_roles(
        &self,
        _token: &Secret,
        account_id: &str,
        next: Option<&str>,
    ) -> impl Future<Output = Result<Page<String>, AwsError>> + Send {
        let result = match self.next_error(format!("roles {account_id} {next:?}")) {
            Some(e) => Err(e),
            None => {
                let all = (0..self.roles_per_account)
                    .map(|r| format!("Role{r}"))
                    .collect();
                Ok(page_of(all, next, 2))
            }
        };
        std::future::ready(result)
    }
}

fn throttled() -> AwsError {
    AwsError::Throttled {
        service: Service::SsoPortal,
    }
}

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
}

#[test]
fn every_page_of_accounts_and_roles_is_followed_and_progress_told() {
    let portal = Portal {
        accounts: 7,
        page_size: 3,
        roles_per_account: 5,
        ..Portal::default()
    };
    let clock = ManualClock::at(t0());
    let ports = Listing {
        portal: &portal,
        clock: &clock,
        random: &FakeRandom,
    };
    let mut seen = Vec::new();
    let mut limit = RateLimit::new(1000);
    let out = block_on(list(&ports, &Secret::new("token"), &mut limit, &mut |p| {
        seen.push(p)
    }))
    .unwrap();
    assert_eq!(out.len(), 7);
    assert_eq!(out[6].account.name, "team-6");
    assert!(out.iter().all(|a| a.roles.len() == 5), "{out:?}");
    // 3 pages of accounts, 3 pages of roles for each of 7 accounts.
    assert_eq!(portal.calls.lock().unwrap().len(), 3 + 7 * 3);
    assert_eq!(seen.last().unwrap().done, 7);
    assert_eq!(seen.last().unwrap().total, 7);
}

#[test]
fn throttles_and_failures_are_asked_again_for_the_same_page_after_a_growing_backoff() {
    let portal = Portal {
        accounts: 2,
        page_size: 100,
        roles_per_account: 1,
        errors: Mutex::new(VecDeque::from([
            throttled(),
            AwsError::ServerError {
                service: Service::SsoPortal,
                code: "InternalServerException".into(),
            },
            throttled(),
        ])),
        ..Portal::default()
    };
    let clock = ManualClock::at(t0());
    let ports = Listing {
        portal: &portal,
        clock: &clock,
        random: &FakeRandom,
    };
    let mut last = None;
    let out = block_on(list(
        &ports,
        &Secret::new("token"),
        &mut RateLimit::new(1000),
        &mut |p| last = Some(p),
    ))
    .unwrap();
    assert_eq!(out.len(), 2);
    let calls = portal.calls.lock().unwrap().clone();
    assert_eq!(
        &calls[..4],
        ["accounts None"; 4],
        "the same first page, asked again"
    );
    assert_eq!(last.unwrap().retries, 3);
    let waits: Vec<Duration> = clock
        .sleeps()
        .into_iter()
        .filter(|d| *d >= Duration::milliseconds(250))
        .collect();
    assert_eq!(waits.len(), 3, "{waits:?}");
    assert!(
        waits[0] < waits[1] && waits[1] < waits[2],
        "the backoff grows: {waits:?}"
    );
    assert!(waits[0] >= Duration::milliseconds(250) && waits[0] <= Duration::milliseconds(500));
}

#[test]
fn an_error_that_does_not_pass_or_one_that_lasts_ends_the_listing() {
    let portal = Portal {
        accounts: 2,
        page_size: 100,
        errors: Mutex::new(VecDeque::from([AwsError::Unauthorized])),
        ..Portal::default()
    };
    let clock = ManualClock::at(t0());
    let ports = Listing {
        portal: &portal,
        clock: &clock,
        random: &FakeRandom,
    };
    let e = block_on(list(
        &ports,
        &Secret::new("t"),
        &mut RateLimit::new(10),
        &mut |_| {},
    ));
    assert_eq!(e.unwrap_err(), AwsError::Unauthorized);
    assert_eq!(portal.calls.lock().unwrap().len(), 1, "never asked again");

    let portal = Portal {
        accounts: 2,
        page_size: 100,
        errors: Mutex::new((0..MAX_TRIES).map(|_| throttled()).collect()),
        ..Portal::default()
    };
    let ports = Listing {
        portal: &portal,
        clock: &clock,
        random: &FakeRandom,
    };
    let e = block_on(list(
        &ports,
        &Secret::new("t"),
        &mut RateLimit::new(10),
        &mut |_| {},
    ));
    assert_eq!(e.unwrap_err(), throttled());
    assert_eq!(portal.calls.lock().unwrap().len() as u32, MAX_TRIES);
}

#[test]
fn the_rate_is_kept_after_the_first_seconds_worth() {
    let portal = Portal {
        accounts: 40,
        page_size: 100,
        roles_per_account: 1,
        ..Portal::default()
    };
    let clock = ManualClock::at(t0());
    let ports = Listing {
        portal: &portal,
        clock: &clock,
        random: &FakeRandom,
    };
    block_on(list(
        &ports,
        &Secret::new("t"),
        &mut RateLimit::new(10),
        &mut |_| {},
    ))
    .unwrap();
    // 41 calls at 10 a second, 10 of them saved up: about 3.1 s.
    let took = clock.now() - t0();
    assert!(
        took >= Duration::milliseconds(3_000) && took <= Duration::milliseconds(3_200),
        "{took}"
    );
}
