//! What a person notices of the writer: the exact text of our section, the
//! rest of the file left alone, and each refusal naming its line.

#![allow(clippy::string_slice, reason = "tests slice ASCII fixtures")]

use time::macros::datetime;

use super::*;
use crate::Secret;

fn put(section: &str, n: u32) -> Change {
    Change::Put {
        section: section.to_owned(),
        access_key_id: format!("ASIAEXAMPLE00000000{n}"),
        secret_access_key: Secret::new(format!("secret/{n}+abc")),
        session_token: Secret::new(format!("token{n}//=")),
        expires_at: datetime!(2026-11-22 10:00 UTC) + time::Duration::hours(i64::from(n)),
        take_over: false,
    }
}

fn take_over(change: Change) -> Change {
    match change {
        Change::Put {
            take_over: _,
            section,
            access_key_id,
            secret_access_key,
            session_token,
            expires_at,
        } => Change::Put {
            section,
            access_key_id,
            secret_access_key,
            session_token,
            expires_at,
            take_over: true,
        },
        other => other,
    }
}

fn remove(section: &str) -> Change {
    Change::Remove {
        section: section.to_owned(),
    }
}

/// Our section's text for `put(section, n)`, with `\n` endings.
fn ours(section: &str, n: u32) -> String {
    format!(
        "[{section}]\n# managed by leasekeeper\naws_access_key_id = ASIAEXAMPLE00000000{n}\n\
         aws_secret_access_key = secret/{n}+abc\naws_session_token = token{n}//=\n\
         x_security_token_expires = 2026-11-22T{:02}:00:00Z\n",
        10 + n
    )
}

fn run(file: &str, changes: &[Change]) -> Plan {
    plan(Some(file.as_bytes()), changes).unwrap_or_else(|e| panic!("{e}"))
}

fn text(plan: &Plan) -> &str {
    std::str::from_utf8(plan.bytes()).expect("utf-8")
}

fn actions(plan: &Plan) -> Vec<(&str, Action)> {
    plan.outcomes()
        .iter()
        .map(|o| (o.section.as_str(), o.action))
        .collect()
}

fn refusal(file: &[u8], changes: &[Change]) -> WriteError {
    plan(Some(file), changes).expect_err("refused")
}

#[test]
fn an_absent_or_empty_file_gets_exactly_our_section() {
    let absent = plan(None, &[put("dev", 1)]).expect("plan");
    assert_eq!(text(&absent), ours("dev", 1));
    assert!(absent.changed());
    assert_eq!(actions(&absent), [("dev", Action::Created)]);
    assert_eq!(run("", &[put("dev", 1)]).bytes(), absent.bytes());

    let nothing = plan(None, &[remove("dev")]).expect("plan");
    assert!(nothing.bytes().is_empty() && !nothing.changed());
    assert_eq!(actions(&nothing), [("dev", Action::Unchanged)]);
}

#[test]
fn a_new_section_is_appended_after_one_blank_line() {
    let file = "# my keys\n[default]\naws_access_key_id = AKIAPERSON\n";
    let p = run(file, &[put("dev", 1)]);
    assert_eq!(text(&p), format!("{file}\n{}", ours("dev", 1)));
    let two = run(file, &[put("dev", 1), put("prod", 2)]);
    assert_eq!(
        text(&two),
        format!("{file}\n{}\n{}", ours("dev", 1), ours("prod", 2))
    );
    // A file already ending in a blank line gets no second one.
    let blank_end = format!("{file}\n");
    assert_eq!(
        text(&run(&blank_end, &[put("dev", 1)])),
        format!("{blank_end}{}", ours("dev", 1))
    );
}

#[test]
fn a_missing_final_newline_is_the_only_byte_added_outside_our_sections() {
    let file = "[default]\naws_access_key_id = AKIAPERSON # mine";
    let p = run(file, &[put("dev", 1)]);
    assert_eq!(text(&p), format!("{file}\n\n{}", ours("dev", 1)));
    // A last line of spaces becomes the blank line itself.
    let spaces = "[default]\nregion = x\n  \t";
    assert_eq!(
        text(&run(spaces, &[put("dev", 1)])),
        format!("{spaces}\n{}", ours("dev", 1))
    );
    // Replacing our own last section that lacks a newline changes only it.
    let ours_last = format!("[a]\nx = 1\n\n{}", ours("dev", 1).trim_end());
    assert_eq!(
        text(&run(&ours_last, &[put("dev", 2)])),
        format!("[a]\nx = 1\n\n{}", ours("dev", 2))
    );
}

#[test]
fn crlf_files_get_crlf_lines() {
    let file = "[default]\r\naws_access_key_id = AKIAPERSON\r\n";
    let p = run(file, &[put("dev", 1)]);
    assert_eq!(
        text(&p),
        format!("{file}\r\n{}", ours("dev", 1).replace('\n', "\r\n"))
    );
    // Mostly CRLF, one LF line: CRLF; replacing keeps the other lines as they are.
    let mixed = format!("[a]\r\nx = 1\n\r\n{}", ours("dev", 1).replace('\n', "\r\n"));
    let p = run(&mixed, &[put("dev", 2)]);
    assert_eq!(
        text(&p),
        format!("[a]\r\nx = 1\n\r\n{}", ours("dev", 2).replace('\n', "\r\n"))
    );
}

#[test]
fn renewing_our_section_keeps_its_own_line_endings() {
    // Our CRLF section in a file that is now mostly LF (another tool added
    // LF lines since): writing the same keys changes nothing, new keys keep
    // CRLF, so renewals never flip the section's endings back and forth.
    let crlf = ours("dev", 1).replace('\n', "\r\n");
    let file = format!("[a]\nx = 1\ny = 2\nz = 3\nw = 4\nv = 5\nu = 6\nt = 7\n\n{crlf}");
    let same = run(&file, &[put("dev", 1)]);
    assert!(!same.changed(), "{}", text(&same));
    let renewed = run(&file, &[put("dev", 2)]);
    assert_eq!(
        text(&renewed),
        format!(
            "[a]\nx = 1\ny = 2\nz = 3\nw = 4\nv = 5\nu = 6\nt = 7\n\n{}",
            ours("dev", 2).replace('\n', "\r\n")
        )
    );
}

#[test]
fn replacing_a_section_in_the_middle_keeps_its_place_and_its_neighbours_bytes() {
    let before = "# header comment\r\n\n[default]\naws_access_key_id=AKIAPERSON\t; inline\n   \n";
    let after = "# trailing note about dev\n\n[ other ] # theirs\nregion   =  eu-west-1\ns3 =\n  max_concurrent_requests = 10\n";
    let file = format!("{before}{}{after}", ours("dev", 1));
    let p = run(&file, &[put("dev", 2)]);
    assert_eq!(text(&p), format!("{before}{}{after}", ours("dev", 2)));
    assert_eq!(actions(&p), [("dev", Action::Replaced)]);
    assert!(p.backups().is_empty());
}

#[test]
fn the_same_put_twice_gives_the_same_bytes() {
    let file = "[default]\naws_access_key_id = AKIAPERSON";
    let once = run(file, &[put("dev", 1), put("prod", 2)]);
    let twice = run(text(&once), &[put("dev", 1), put("prod", 2)]);
    assert_eq!(twice.bytes(), once.bytes());
    assert!(!twice.changed());
    assert_eq!(
        actions(&twice),
        [("dev", Action::Unchanged), ("prod", Action::Unchanged)]
    );
}

#[test]
fn changes_apply_in_order_as_if_planned_one_at_a_time() {
    let changes = [
        put("a", 1),
        put("b", 2),
        remove("a"),
        put("a", 3),
        put("b", 4),
    ];
    let together = run("[x]\ny = 1\n", &changes);
    let mut file = "[x]\ny = 1\n".to_owned();
    for c in &changes {
        file = text(&run(&file, std::slice::from_ref(c))).to_owned();
    }
    assert_eq!(text(&together), file);
    assert_eq!(
        text(&together),
        format!("[x]\ny = 1\n\n{}\n{}", ours("b", 4), ours("a", 3))
    );
}

#[test]
fn removing_takes_out_our_section_and_nothing_else() {
    let file = format!("[a]\nx = 1\n\n{}# after\n\n[b]\ny = 2\n", ours("dev", 1));
    let p = run(&file, &[remove("dev"), remove("gone")]);
    assert_eq!(text(&p), "[a]\nx = 1\n\n# after\n\n[b]\ny = 2\n");
    assert_eq!(
        actions(&p),
        [("dev", Action::Removed), ("gone", Action::Unchanged)]
    );
}

#[test]
fn signing_in_and_out_again_and_again_does_not_grow_the_file() {
    let cycle = |file: &str| {
        let signed_in = run(file, &[put("dev", 1), put("prod", 2)]);
        // Removed in the order that leaves `dev`'s separator in the middle.
        text(&run(text(&signed_in), &[remove("dev"), remove("prod")])).to_owned()
    };
    for file in [
        "[x]\ny = 1\n",
        "[x]\ny = 1",
        "[x]\ny = 1\n\n",
        "",
        "# only a comment\n",
    ] {
        let once = cycle(file);
        assert!(once.starts_with(file), "{once:?}");
        assert!(once[file.len()..].bytes().all(|b| b == b'\n'), "{once:?}");
        assert_eq!(cycle(&once), once, "{file:?}");
    }
}

#[test]
fn a_removal_takes_the_blank_line_under_it_only_when_one_is_above_it() {
    let between = format!("[a]\nx = 1\n\n{}\n[b]\ny = 2\n", ours("dev", 1));
    assert_eq!(
        text(&run(&between, &[remove("dev")])),
        "[a]\nx = 1\n\n[b]\ny = 2\n"
    );
    let tight = format!("[a]\nx = 1\n{}\n[b]\ny = 2\n", ours("dev", 1));
    assert_eq!(
        text(&run(&tight, &[remove("dev")])),
        "[a]\nx = 1\n\n[b]\ny = 2\n"
    );
    let first = format!("{}\n\n# b\n[b]\n", ours("dev", 1));
    assert_eq!(text(&run(&first, &[remove("dev")])), "\n# b\n[b]\n");
}

#[test]
fn keys_added_by_hand_into_our_section_are_dropped_and_comments_after_it_stay() {
    let file = format!("{}region = eu-west-1\n# my note\n", ours("dev", 1));
    let p = run(&file, &[put("dev", 2)]);
    assert_eq!(text(&p), format!("{}# my note\n", ours("dev", 2)));
}

mod refusals;
