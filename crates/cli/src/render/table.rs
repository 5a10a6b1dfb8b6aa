//! The `leasekeeper status` table: one line a profile, most urgent first,
//! coloured by state on a terminal, plain when piped.

use std::fmt::Write as _;

use leasekeeper_engine::lease::LeaseState;
use leasekeeper_engine::report::{Severity, StatusReport};

use super::duration::{at_most, time_left};

/// ANSI styles, or nothing at all when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub enabled: bool,
}

impl Palette {
    /// Colour on a terminal unless `NO_COLOR` is set.
    pub fn auto() -> Palette {
        use std::io::IsTerminal;
        Palette {
            enabled: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    fn state(self, state: LeaseState, text: &str) -> String {
        let code = match state {
            LeaseState::Fresh | LeaseState::Renewing => "32",
            LeaseState::Expiring => "33",
            LeaseState::Expired | LeaseState::NeedsLogin | LeaseState::Error => "31;1",
            LeaseState::Static | LeaseState::Unknown => "2",
        };
        self.paint(code, text)
    }
}

/// Renders the report as a table followed by problems and per-profile errors.
pub fn render(report: &StatusReport, palette: Palette) -> String {
    let header = ["PROFILE", "KIND", "LEFT", "STATE", "SOURCE"];
    let rows: Vec<[String; 5]> = report
        .profiles
        .iter()
        .map(|p| {
            let mut left = match (p.seconds_left, p.state) {
                (None, LeaseState::NeedsLogin) => "sign in".to_owned(),
                (None, LeaseState::Expired) => "expired".to_owned(),
                (None, LeaseState::Error) => "-".to_owned(),
                // Only an upper bound: its largest unit, no countdown.
                (Some(s), _) if p.action_needed_upper_bound && s > 0 => at_most(s),
                (seconds, _) => time_left(seconds),
            };
            if p.action_needed_estimated && p.seconds_left.is_some() {
                left.push_str(" (est.)");
            }
            [
                p.profile.clone(),
                p.kind.clone(),
                left,
                p.state.as_str().to_owned(),
                p.description.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // Writing to a String cannot fail: each `let _ = writeln!` below drops an Ok.
    let mut out = String::new();
    let line = |cells: [&str; 5], styled: [String; 5]| {
        let mut s = String::new();
        for (i, ((cell, styled), width)) in cells.iter().zip(styled).zip(widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(&styled);
            } else {
                let pad = width.saturating_sub(cell.chars().count()) + 2;
                s.push_str(&styled);
                s.push_str(&" ".repeat(pad));
            }
        }
        s.trim_end().to_owned()
    };
    let _ = writeln!(
        out,
        "{}",
        line(header, header.map(|h| palette.paint("1", h)))
    );
    for (row, p) in rows.iter().zip(&report.profiles) {
        let cells = [
            row[0].as_str(),
            row[1].as_str(),
            row[2].as_str(),
            row[3].as_str(),
            row[4].as_str(),
        ];
        let styled = [
            row[0].clone(),
            palette.paint("2", &row[1]),
            palette.state(p.state, &row[2]),
            palette.state(p.state, &row[3]),
            row[4].clone(),
        ];
        let _ = writeln!(out, "{}", line(cells, styled));
        for e in &p.errors {
            let _ = writeln!(out, "  {} {}", palette.paint("31", "!"), e.message);
        }
    }
    if report.profiles.is_empty() {
        out.push_str("no profiles found\n");
    }
    if !report.problems.is_empty() {
        out.push('\n');
        for pr in &report.problems {
            let label = match pr.severity {
                Severity::Error => palette.paint("31;1", "error"),
                Severity::Warning => palette.paint("33", "warning"),
            };
            let place = match (&pr.file, pr.line) {
                (Some(f), Some(l)) => format!("{f}:{l}: "),
                (Some(f), None) => format!("{f}: "),
                _ => String::new(),
            };
            let _ = writeln!(out, "{label}: {place}{}", pr.message);
        }
    }
    out
}
