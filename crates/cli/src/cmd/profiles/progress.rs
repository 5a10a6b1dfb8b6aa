//! The portal listing's progress on stderr (a bar rewritten on a terminal,
//! a line now and then when piped), the rate it runs at, and text from the
//! portal made safe for a terminal.

use std::io::IsTerminal as _;

use leasekeeper_engine::available::Progress;
use leasekeeper_service::Environment;
use leasekeeper_service::ops::available;

/// `[######----------]`: the share of accounts done, 20 cells wide.
pub(super) fn bar(done: usize, total: usize) -> String {
    const CELLS: usize = 20;
    let full = (done * CELLS).checked_div(total).unwrap_or(0).min(CELLS);
    format!("[{}{}]", "#".repeat(full), "-".repeat(CELLS - full))
}

/// Clears a progress line left on the terminal, so what follows starts on
/// a line of its own.
pub(super) fn end_progress() {
    if std::io::stderr().is_terminal() {
        eprint!("\r\x1b[K");
    }
}

/// The rate asked for, else the settings', else the default.
pub(super) fn rate(asked: Option<u32>, env: &Environment) -> u32 {
    asked.unwrap_or_else(|| match leasekeeper_service::ops::settings::load(env) {
        Ok(settings) => settings.portal.calls_per_second,
        Err(e) => {
            eprintln!("leasekeeper: {e}; calling the portal at the default rate");
            available::DEFAULT_CALLS_PER_SECOND
        }
    })
}

/// Progress on stderr: one line rewritten on a terminal, a line every
/// [`PIPED_EVERY`] accounts when piped.
pub(super) fn printer(session: &str) -> impl FnMut(Progress) + Send + use<> {
    let terminal = std::io::stderr().is_terminal();
    let session = session.to_owned();
    let mut told = 0;
    move |p: Progress| {
        if p.total == 0 {
            return;
        }
        if terminal {
            eprint!(
                "\r\x1b[KListing {session} {} {} of {} accounts, {} left{}",
                bar(p.done, p.total),
                p.done,
                p.total,
                p.total.saturating_sub(p.done),
                retried(p.retries)
            );
            if p.done == p.total {
                eprintln!();
            }
        } else if p.done == p.total || p.done >= told + PIPED_EVERY {
            told = p.done;
            eprintln!(
                "listing {session}: {} of {} accounts{}",
                p.done,
                p.total,
                retried(p.retries)
            );
        }
    }
}

/// Piped, a progress line every so many accounts.
pub(super) const PIPED_EVERY: usize = 25;

pub(super) fn retried(retries: u32) -> String {
    match retries {
        0 => String::new(),
        n => format!(" ({n} calls asked again after a throttle or a failure)"),
    }
}

/// Text from the portal as a terminal may show it: a control character
/// (an escape sequence would act on the terminal) becomes `\u{FFFD}`.
pub(super) fn shown(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect()
}
