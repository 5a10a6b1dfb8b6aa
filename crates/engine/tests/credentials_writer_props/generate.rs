//! Generated credentials files and change sequences, and what the test
//! knows of each section ([`Model`]).

use std::collections::BTreeMap;

use leasekeeper_engine::Secret;
use leasekeeper_engine::write::credentials::Change;
use proptest::prelude::*;
use time::OffsetDateTime;
use time::macros::datetime;

pub const NAMES: &[&str] = &[
    "default", "dev", "prod", "ci", "team-a", "x.y@z", "new1", "new2",
];
const KEYS: &[&str] = &[
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "region",
    "output",
    "x_note",
    "Role_Arn",
    "s3",
];

pub fn expires(n: u32) -> OffsetDateTime {
    datetime!(2026-11-22 10:00 UTC) + time::Duration::minutes(i64::from(n) * 7)
}

/// The four key lines of `put(_, n)` (without endings).
pub fn pairs(n: u32) -> Vec<(String, String)> {
    let exp = expires(n);
    vec![
        ("aws_access_key_id".into(), format!("ASIA{n:016}")),
        ("aws_secret_access_key".into(), format!("sec/{n}+Xk")),
        ("aws_session_token".into(), format!("tok{n}//Q==")),
        (
            "x_security_token_expires".into(),
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:00Z",
                exp.year(),
                u8::from(exp.month()),
                exp.day(),
                exp.hour(),
                exp.minute()
            ),
        ),
    ]
}

pub fn put(section: &str, n: u32, take_over: bool) -> Change {
    let p = pairs(n);
    Change::Put {
        section: section.to_owned(),
        access_key_id: p[0].1.clone(),
        secret_access_key: Secret::new(p[1].1.clone()),
        session_token: Secret::new(p[2].1.clone()),
        expires_at: expires(n),
        take_over,
    }
}

/// What the test knows of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Foreign,
    /// Ours; `Some(n)` once this test put `n` into it.
    Ours(Option<u32>),
}

pub type Model = BTreeMap<String, Kind>;

#[derive(Debug, Clone)]
struct Sect {
    name: String,
    ours: bool,
    header: usize,
    first_comment: usize,
    keys: Vec<(String, usize, String, usize)>,
    extra_key: bool,
    expiry: bool,
    after: Vec<usize>,
}

const INTERSTITIAL: &[&str] = &[
    "",
    " ",
    "\t",
    "# between",
    "; note",
    "#managed by leasekeeper",
];

fn sect(name: &'static str) -> impl Strategy<Value = Sect> {
    let keys = prop::sample::subsequence(KEYS.to_vec(), 0..=5)
        .prop_shuffle()
        .prop_flat_map(|ks| {
            let n = ks.len();
            (
                Just(ks),
                prop::collection::vec((0..7usize, "[A-Za-z0-9/+=]{1,10}", 0..8usize), n..=n),
            )
        })
        .prop_map(|(ks, styles)| {
            ks.into_iter()
                .zip(styles)
                .map(|(k, (s, v, c))| (k.to_owned(), s, v, c))
                .collect()
        });
    (
        any::<bool>(),
        0..5usize,
        0..4usize,
        keys,
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(0..INTERSTITIAL.len(), 0..3),
    )
        .prop_map(
            move |(ours, header, first_comment, keys, extra_key, expiry, after)| Sect {
                name: name.to_owned(),
                ours,
                header,
                first_comment,
                keys,
                extra_key,
                expiry,
                after,
            },
        )
}

fn sect_lines(s: &Sect, out: &mut Vec<String>) {
    let n = &s.name;
    if s.ours {
        out.push(format!("[{n}]{}", ["", "  # lk", "", "", ""][s.header]));
        out.push(["# managed by leasekeeper", "# managed by leasekeeper  "][s.header % 2].into());
        let mut p = pairs(1000 + s.header as u32);
        if !s.expiry {
            p.pop();
        }
        out.extend(p.into_iter().map(|(k, v)| format!("{k} = {v}")));
        if s.extra_key {
            out.push("region = eu-west-1".into());
        }
    } else {
        let header = ["[{}]", "[ {} ]", "[{}] # c", "[{}]\t; c", "[\t{}]"][s.header];
        out.push(header.replace("{}", n));
        match s.first_comment {
            1 => out.push("# my own keys".into()),
            2 => out.push("#managed by leasekeeper".into()),
            3 => out.push("# managed by leasekeeper, not".into()),
            _ => {}
        }
        for (k, style, v, comment) in &s.keys {
            match style {
                0 => out.push(format!("{k} = {v}")),
                1 => out.push(format!("{k}={v}")),
                2 => out.push(format!("{k}\t=  {v}   ")),
                3 => out.push(format!("{k} = {v} # note")),
                4 => out.extend([
                    format!("{k} ="),
                    "  sub_a = 1".into(),
                    format!("\tsub_b = {v}"),
                ]),
                5 => out.extend([format!("{k} = {v}"), format!("\t  more {v}")]),
                _ => out.push(format!("{k}= {v}\t; c")),
            }
            // The marker text, but not directly under the header.
            let c = ["", "# c", ";c", "# managed by leasekeeper", "  ", "\t"];
            if let Some(line) = c.get(*comment) {
                out.push((*line).to_owned());
            }
        }
    }
    out.extend(s.after.iter().map(|i| INTERSTITIAL[*i].to_owned()));
}

pub fn file() -> impl Strategy<Value = (Vec<u8>, Model)> {
    let sections = prop::sample::subsequence(NAMES[..6].to_vec(), 0..=6)
        .prop_shuffle()
        .prop_flat_map(|names| names.into_iter().map(sect).collect::<Vec<_>>());
    (
        prop::collection::vec(prop::sample::select(vec!["# top", "", "; x", "  "]), 0..3),
        sections,
        0..3u8,
        prop::collection::vec(any::<bool>(), 64),
        any::<bool>(),
    )
        .prop_map(|(preamble, sections, eol_mode, coin, final_newline)| {
            let mut lines: Vec<String> = preamble.into_iter().map(str::to_owned).collect();
            let mut model = Model::new();
            for s in &sections {
                sect_lines(s, &mut lines);
                let kind = if s.ours {
                    Kind::Ours(None)
                } else {
                    Kind::Foreign
                };
                model.insert(s.name.clone(), kind);
            }
            let mut bytes = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                bytes.extend_from_slice(line.as_bytes());
                if i + 1 < lines.len() || final_newline {
                    let crlf = eol_mode == 1 || (eol_mode == 2 && coin[i % coin.len()]);
                    bytes.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
                }
            }
            (bytes, model)
        })
}

#[derive(Debug, Clone)]
pub enum Op {
    Put(usize, u32, bool),
    Remove(usize),
}

pub fn change(op: &Op) -> Change {
    match op {
        Op::Put(i, n, take_over) => put(NAMES[*i], *n, *take_over),
        Op::Remove(i) => Change::Remove {
            section: NAMES[*i].to_owned(),
        },
    }
}

pub fn steps() -> impl Strategy<Value = Vec<Vec<Op>>> {
    let op = prop_oneof![
        3 => (0..NAMES.len(), 0..4u32, prop::bool::weighted(0.3)).prop_map(|(i, n, t)| Op::Put(i, n, t)),
        2 => (0..NAMES.len()).prop_map(Op::Remove),
    ];
    prop::collection::vec(prop::collection::vec(op, 1..4), 1..7)
}

pub fn section_of(op: &Op) -> &'static str {
    match op {
        Op::Put(i, ..) | Op::Remove(i) => NAMES[*i],
    }
}
