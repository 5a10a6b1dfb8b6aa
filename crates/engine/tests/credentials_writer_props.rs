//! The credentials writer on generated files: comments, odd spacing, tabs,
//! CRLF and LF mixed, nested blocks and continuations, foreign sections and
//! our own in any order. Random sequences of puts and removes must leave
//! every foreign section and every non-blank line outside our sections as it
//! was, in order; blank lines change only as documented (one before an
//! appended section, one taken along by a removal); the result parses with
//! no issue and nothing botocore refuses; our sections hold exactly the last
//! values put; a foreign section is never touched without consent.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

#[path = "credentials_writer_props/generate.rs"]
mod generate;

use generate::{Kind, Model, NAMES, Op, change, expires, file, pairs, put, section_of, steps};
use leasekeeper_engine::ini::{Document, LineEnding, LineKind};
use leasekeeper_engine::write::credentials::{Action, Change, list_managed, plan};
use proptest::prelude::*;

// ---- what must hold --------------------------------------------------------

/// What one plan should do, worked out from the model alone.
struct Expect {
    model: Model,
    actions: Vec<Action>,
    taken: Vec<String>,
    /// Created and still there at the end, in order.
    created: Vec<String>,
    /// Every append and every removal, including those undone later.
    appended: usize,
    removed: usize,
}

/// `Err((code, section))` when the plan must be refused.
fn expect(model: &Model, ops: &[Op]) -> Result<Expect, (&'static str, String)> {
    let mut e = Expect {
        model: model.clone(),
        actions: Vec::new(),
        taken: Vec::new(),
        created: Vec::new(),
        appended: 0,
        removed: 0,
    };
    for op in ops {
        let action = match op {
            Op::Put(i, n, take_over) => {
                let name = NAMES[*i].to_owned();
                let action = match e.model.get(&name) {
                    Some(Kind::Foreign) if !take_over => return Err(("foreign_section", name)),
                    Some(Kind::Foreign) => {
                        e.taken.push(name.clone());
                        Action::TakenOver
                    }
                    Some(Kind::Ours(Some(m))) if m == n => Action::Unchanged,
                    Some(Kind::Ours(_)) => Action::Replaced,
                    None => {
                        e.appended += 1;
                        e.created.push(name.clone());
                        Action::Created
                    }
                };
                e.model.insert(name, Kind::Ours(Some(*n)));
                action
            }
            Op::Remove(i) => {
                let name = NAMES[*i].to_owned();
                let action = match e.model.get(&name) {
                    Some(Kind::Foreign) => return Err(("foreign_section_removal", name)),
                    Some(Kind::Ours(_)) => Action::Removed,
                    None => Action::Unchanged,
                };
                e.removed += usize::from(action == Action::Removed);
                e.created.retain(|c| *c != name);
                e.model.remove(&name);
                action
            }
        };
        e.actions.push(action);
    }
    Ok(e)
}

fn in_ranges(line: &std::ops::Range<usize>, ranges: &[std::ops::Range<usize>]) -> bool {
    ranges
        .iter()
        .any(|r| r.start <= line.start && line.end <= r.end)
}

/// Lines outside our sections and those in `taken`: (non-blank lines with
/// their endings, blank count).
fn outside_lines(doc: &Document, taken: &[String]) -> (Vec<Vec<u8>>, usize) {
    let ours: Vec<_> = doc
        .sections()
        .filter(|s| s.managed() || taken.iter().any(|n| *n == s.name()))
        .map(|s| s.range())
        .collect();
    let mut text = Vec::new();
    let mut blank = 0;
    for line in doc.lines().iter().filter(|l| !in_ranges(&l.range(), &ours)) {
        if line.kind() == LineKind::Blank {
            blank += 1;
        } else {
            text.push(doc.as_bytes()[line.range()].to_vec());
        }
    }
    (text, blank)
}

/// Equal, or `after` is `before` with the newline an unterminated last line gets.
fn same_or_terminated(before: &[Vec<u8>], after: &[Vec<u8>]) -> bool {
    before.len() == after.len()
        && before.iter().zip(after).all(|(b, a)| {
            a == b
                || (!b.ends_with(b"\n")
                    && (*a == [b, &b"\n"[..]].concat() || *a == [b, &b"\r\n"[..]].concat()))
        })
}

fn majority(doc: &Document) -> &'static str {
    let count = |eol| doc.lines().iter().filter(|l| l.ending() == eol).count();
    if count(LineEnding::CrLf) > count(LineEnding::Lf) {
        "\r\n"
    } else {
        "\n"
    }
}

fn names(doc: &Document) -> Vec<String> {
    doc.sections().map(|s| s.name().into_owned()).collect()
}

fn foreign(doc: &Document, skip: &[String]) -> Vec<Vec<u8>> {
    doc.sections()
        .filter(|s| !s.managed() && !skip.iter().any(|n| *n == s.name()))
        .map(|s| [s.name().as_bytes(), b"=", &doc.as_bytes()[s.range()]].concat())
        .collect()
}

fn check_ok(before: &Document, after: &Document, e: &Expect) -> Result<(), TestCaseError> {
    // Parses cleanly and holds nothing botocore refuses, checked on its own too.
    prop_assert!(after.issues().is_empty(), "{:?}", after.issues());
    prop_assert!(!after.has_bom() && !after.rejects_file_for_botocore());
    let all = names(after);
    for (i, s) in after.sections().enumerate() {
        prop_assert!(!all[..i].contains(&all[i]), "section [{}] twice", all[i]);
        let keys: Vec<String> = s.entries().map(|e| e.key().to_lowercase()).collect();
        for (j, k) in keys.iter().enumerate() {
            prop_assert!(!keys[..j].contains(k), "key {k} twice in [{}]", all[i]);
        }
    }
    // Foreign sections, comments and every other non-blank line: as they were.
    prop_assert!(same_or_terminated(
        &foreign(before, &e.taken),
        &foreign(after, &[])
    ));
    let ((b_text, b_blank), (a_text, a_blank)) =
        (outside_lines(before, &e.taken), outside_lines(after, &[]));
    prop_assert!(
        same_or_terminated(&b_text, &a_text),
        "outside lines changed"
    );
    prop_assert!(a_blank + e.removed >= b_blank && a_blank <= b_blank + e.appended);
    // Sections keep their order; new ones come last, in the order created.
    let b_names = names(before);
    let stayed = |n: &&String| !e.created.contains(n);
    let kept: Vec<_> = all
        .iter()
        .filter(|n| b_names.contains(n))
        .filter(stayed)
        .collect();
    let b_kept: Vec<_> = b_names
        .iter()
        .filter(|n| all.contains(n))
        .filter(stayed)
        .collect();
    prop_assert_eq!(kept, b_kept);
    prop_assert_eq!(&all[all.len() - e.created.len()..], e.created.as_slice());
    // Exactly the model's sections; ours hold the last values put.
    // The file's majority line ending (a plan that empties the file first
    // writes into an empty file: then the result's own).
    let eols = [majority(before), majority(after)];
    let mut sorted = all.clone();
    sorted.sort();
    prop_assert_eq!(sorted, e.model.keys().cloned().collect::<Vec<_>>());
    for s in after.sections() {
        let kind = e.model[s.name().as_ref()];
        prop_assert_eq!(s.managed(), kind != Kind::Foreign);
        if let Kind::Ours(Some(n)) = kind {
            let read: Vec<_> = s
                .entries()
                .map(|e| (e.key().into_owned(), e.value().into_owned()))
                .collect();
            prop_assert_eq!(read, pairs(n));
            let text = |eol: &str| {
                let mut text = format!("[{}]{eol}# managed by leasekeeper{eol}", s.name());
                for (k, v) in pairs(n) {
                    text.push_str(&format!("{k} = {v}{eol}"));
                }
                text
            };
            let got = &after.as_bytes()[s.range()];
            // A section of ours keeps its own endings; a new one follows the file.
            let own = before
                .sections()
                .find(|b| b.managed() && b.name() == s.name())
                .and_then(|b| before.lines().get(b.header_line() as usize - 1))
                .map(|header| match header.ending() {
                    LineEnding::CrLf => "\r\n",
                    _ => "\n",
                });
            prop_assert!(
                eols.iter()
                    .chain(own.iter())
                    .any(|eol| got == text(eol).as_bytes()),
                "{}",
                String::from_utf8_lossy(got)
            );
        }
    }
    let listed = list_managed(after);
    let managed: Vec<_> = after
        .sections()
        .filter(|s| s.managed())
        .map(|s| s.name().into_owned())
        .collect();
    prop_assert_eq!(
        listed.iter().map(|m| m.section.clone()).collect::<Vec<_>>(),
        managed
    );
    for m in &listed {
        if let Kind::Ours(Some(n)) = e.model[&m.section] {
            prop_assert_eq!(m.expires_at, Some(expires(n)));
        }
    }
    Ok(())
}

/// `bytes` with `op`'s new section appended: a newline ends an unterminated
/// last line, one blank line separates unless the last line is blank.
fn appended(bytes: &[u8], op: &Op) -> Vec<u8> {
    let eol = majority(&Document::parse(bytes));
    let mut out = bytes.to_vec();
    if let Some(last) = bytes.split_inclusive(|b| *b == b'\n').next_back() {
        if !last.ends_with(b"\n") {
            out.extend_from_slice(eol.as_bytes());
        }
        if !last.iter().all(|b| b" \t\r\n".contains(b)) {
            out.extend_from_slice(eol.as_bytes());
        }
    }
    let Op::Put(i, n, _) = op else { return out };
    out.extend_from_slice(format!("[{}]{eol}# managed by leasekeeper{eol}", NAMES[*i]).as_bytes());
    for (k, v) in pairs(*n) {
        out.extend_from_slice(format!("{k} = {v}{eol}").as_bytes());
    }
    out
}

/// `bytes` with every CRLF inside our managed sections made LF.
fn our_endings_as_lf(bytes: &[u8]) -> Vec<u8> {
    let doc = Document::parse(bytes);
    let ours: Vec<_> = doc
        .sections()
        .filter(|s| s.managed())
        .map(|s| s.range())
        .collect();
    let mut out = Vec::with_capacity(bytes.len());
    for line in doc.lines() {
        let text = &bytes[line.range()];
        match text.strip_suffix(b"\r\n") {
            Some(body) if in_ranges(&line.range(), &ours) => {
                out.extend_from_slice(body);
                out.push(b'\n');
            }
            _ => out.extend_from_slice(text),
        }
    }
    out
}

// ---- the properties ----------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn random_puts_and_removes_keep_every_foreign_byte(file in file(), steps in steps()) {
        let (bytes, mut model) = file;
        let generated = Document::parse(&bytes);
        prop_assert!(generated.issues().is_empty(), "generator: {:?}", generated.issues());
        let mut current = bytes.clone();
        let mut applied: Vec<Change> = Vec::new();
        for ops in &steps {
            let changes: Vec<Change> = ops.iter().map(change).collect();
            let before = Document::parse(&current);
            let result = plan(Some(&current), &changes);
            let e = match expect(&model, ops) {
                Err((code, section)) => {
                    let err = result.expect_err("refused");
                    prop_assert_eq!(err.code(), code);
                    let header = before.sections().find(|s| s.name() == section).map(|s| s.header_line());
                    prop_assert_eq!(err.line(), header);
                    continue;
                }
                Ok(e) => e,
            };
            let p = result.map_err(|err| TestCaseError::fail(err.to_string()))?;
            let after = Document::parse(p.bytes());
            check_ok(&before, &after, &e)?;
            if let ([op], [Action::Created]) = (ops.as_slice(), e.actions.as_slice()) {
                let wanted = appended(&current, op);
                prop_assert_eq!(p.bytes(), wanted.as_slice());
            }
            let outcomes: Vec<_> = p.outcomes().iter().map(|o| (o.section.as_str(), o.action)).collect();
            let wanted: Vec<_> = ops.iter().map(section_of).zip(e.actions.iter().copied()).collect();
            prop_assert_eq!(outcomes, wanted);
            prop_assert_eq!(p.changed(), p.bytes() != current.as_slice());
            // Each take-over hands back the section's exact old bytes.
            let backups: Vec<_> = p.backups().iter().map(|b| (b.section.clone(), b.line, b.bytes.clone())).collect();
            let old: Vec<_> = e.taken.iter().map(|name| {
                let s = before.sections().find(|s| s.name() == *name).expect("taken section");
                (name.clone(), s.header_line(), before.as_bytes()[s.range()].to_vec())
            }).collect();
            prop_assert_eq!(backups, old);
            // Asking for the state the file is now in changes nothing.
            let again: Vec<Change> = e.model.iter().filter_map(|(name, kind)| match kind {
                Kind::Ours(Some(n)) => Some(put(name, *n, true)),
                _ => None,
            }).chain(ops.iter().map(section_of).filter(|n| !e.model.contains_key(*n)).map(|n| Change::Remove { section: n.to_owned() })).collect();
            let same = plan(Some(p.bytes()), &again).map_err(|err| TestCaseError::fail(err.to_string()))?;
            prop_assert_eq!(same.bytes(), p.bytes());
            prop_assert!(!same.changed());
            model = e.model;
            current = p.into_bytes();
            applied.extend(changes);
        }
        // All the steps that went through, planned at once, give the same
        // file, but for the line endings inside our own sections: those
        // follow the file's majority when written, which earlier steps may
        // have tipped, so they depend on the order of the steps.
        let at_once = plan(Some(&bytes), &applied).map_err(|err| TestCaseError::fail(err.to_string()))?;
        prop_assert_eq!(our_endings_as_lf(at_once.bytes()), our_endings_as_lf(&current));
    }

    #[test]
    fn signing_in_and_out_leaves_no_growing_trace(file in file(), n in 0..4u32) {
        let (bytes, _) = file;
        let cycle = |bytes: &[u8]| -> Vec<u8> {
            let changes = [put("new1", n, false), put("new2", n, false)];
            let signed_in = plan(Some(bytes), &changes).expect("sign in");
            let out = [Change::Remove { section: "new1".into() }, Change::Remove { section: "new2".into() }];
            plan(Some(signed_in.bytes()), &out).expect("sign out").into_bytes()
        };
        let once = cycle(&bytes);
        prop_assert!(once.starts_with(&bytes));
        prop_assert!(once[bytes.len()..].iter().all(|b| *b == b'\n' || *b == b'\r'));
        prop_assert!(once.len() - bytes.len() <= 4);
        prop_assert_eq!(cycle(&once), once);
    }
}
