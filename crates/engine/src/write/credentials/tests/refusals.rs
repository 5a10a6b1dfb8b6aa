//! What the writer refuses to do: take over a person's own section without
//! consent, remove it, or write a file it cannot parse; each refusal names
//! its line.

use super::*;

#[test]
fn a_persons_own_section_needs_consent_and_is_backed_up() {
    let theirs =
        "[dev]\naws_access_key_id = AKIAPERSON\n# their note\naws_secret_access_key = theirs\n";
    let file = format!("[default]\nregion = x\n\n{theirs}\n# tail\n");
    let err = refusal(file.as_bytes(), &[put("dev", 1)]);
    assert_eq!(err.code(), "foreign_section");
    assert_eq!(err.line(), Some(4));
    assert_eq!(
        err.to_string(),
        "section [dev] at line 4 holds keys leasekeeper did not write; consent for profile \
         dev to replace them (their bytes are kept as a backup)"
    );

    let p = run(&file, &[take_over(put("dev", 1))]);
    assert_eq!(
        text(&p),
        format!("[default]\nregion = x\n\n{}\n# tail\n", ours("dev", 1))
    );
    assert_eq!(actions(&p), [("dev", Action::TakenOver)]);
    assert_eq!(p.backups().len(), 1);
    let b = &p.backups()[0];
    assert_eq!((b.section.as_str(), b.line), ("dev", 4));
    assert_eq!(b.bytes, theirs.as_bytes());
    assert!(!format!("{p:?}").contains("theirs"), "{p:?}");

    // Once ours, the next write is a plain replacement.
    let again = run(text(&p), &[take_over(put("dev", 2))]);
    assert_eq!(actions(&again), [("dev", Action::Replaced)]);
    assert!(again.backups().is_empty());
}

#[test]
fn a_persons_own_section_is_never_removed() {
    let err = refusal(
        b"[a]\nx = 1\n[dev]\naws_access_key_id = AKIA\n",
        &[remove("dev")],
    );
    assert_eq!(err.code(), "foreign_section_removal");
    assert_eq!(
        err.to_string(),
        "section [dev] at line 3 holds keys leasekeeper did not write; leasekeeper never removes them"
    );
    // After a consented take-over in the same plan it is ours to remove.
    let p = run(
        "[dev]\naws_access_key_id = AKIA\n",
        &[take_over(put("dev", 1)), remove("dev")],
    );
    assert_eq!(text(&p), "");
    assert_eq!(p.backups().len(), 1);
}

#[test]
fn a_file_we_cannot_parse_is_never_written() {
    let err = refusal(b"[default]\nregion = x\nthis is junk\n", &[put("dev", 1)]);
    assert_eq!(err.code(), "unparsable_file");
    assert_eq!(err.line(), Some(3));
    assert_eq!(
        err.to_string(),
        "cannot parse the credentials file at line 3: Expected an '=' sign defining a property; \
         leasekeeper never writes a file it cannot parse"
    );
    // What only botocore refuses is refused as well, even in another section.
    let dup_key = refusal(b"[a]\nregion = x\nREGION = y\n", &[remove("dev")]);
    assert_eq!(
        (dup_key.code(), dup_key.line()),
        ("unparsable_file", Some(3))
    );
    assert!(dup_key.to_string().contains("botocore refuses"));
    let dup_section = refusal(b"[a]\n[b]\n[a]\n", &[put("dev", 1)]);
    assert_eq!(dup_section.line(), Some(3));
    let colon = refusal(b"[a]\nregion : x\n", &[put("dev", 1)]);
    assert_eq!(colon.code(), "unparsable_file");
    let not_utf8 = refusal(b"[a]\nregion = \xff\n", &[put("dev", 1)]);
    assert_eq!(not_utf8.code(), "unparsable_file");
}

#[test]
fn a_byte_order_mark_is_refused() {
    let err = refusal(b"\xef\xbb\xbf[a]\nx = 1\n", &[put("dev", 1)]);
    assert_eq!((err.code(), err.line()), ("byte_order_mark", Some(1)));
    assert!(err.to_string().contains("byte-order mark"));
}

#[test]
fn a_target_section_found_twice_is_refused() {
    // botocore reads `[ dev ]` as another section; the specification merges both.
    let file = format!("{}\n[ dev ]\nregion = x\n", ours("dev", 1));
    let err = refusal(file.as_bytes(), &[put("dev", 2)]);
    assert_eq!(err.code(), "duplicate_section");
    assert_eq!(
        err,
        WriteError::DuplicateSection {
            section: "dev".into(),
            lines: vec![1, 8]
        }
    );
    assert!(err.to_string().contains("(lines 1, 8)"));
    assert_eq!(
        refusal(file.as_bytes(), &[remove("dev")]).code(),
        "duplicate_section"
    );
}

#[test]
fn names_that_are_no_credentials_profile_are_refused() {
    for name in ["", "profile dev", "my dev", "de[v]", "dev;x", "DEFAULT"] {
        let err = plan(None, &[put(name, 1)]).expect_err(name);
        assert_eq!(err.code(), "invalid_section_name", "{name}");
        assert_eq!(
            plan(None, &[remove(name)]).expect_err(name).code(),
            "invalid_section_name"
        );
    }
    let err = plan(None, &[put("profile dev", 1)]).expect_err("prefix");
    assert_eq!(
        err.to_string(),
        "cannot write section [profile dev]: the name starts with `profile `, which only the config file uses"
    );
}

#[test]
fn values_that_would_not_read_back_are_refused_without_showing_them() {
    let Change::Put {
        section,
        access_key_id,
        expires_at,
        ..
    } = put("dev", 1)
    else {
        unreachable!("put builds a Put")
    };
    let bad = Change::Put {
        section,
        access_key_id,
        secret_access_key: Secret::new("hunter2 # not"),
        session_token: Secret::new("tok"),
        expires_at,
        take_over: false,
    };
    let err = plan(None, std::slice::from_ref(&bad)).expect_err("space");
    assert_eq!(err.code(), "invalid_value");
    assert_eq!(
        err.to_string(),
        "cannot write aws_secret_access_key into section [dev]: the value holds whitespace, \
         a control character or a non-ascii character"
    );
    assert!(!format!("{err:?} {bad:?}").contains("hunter2"));
    assert!(format!("{bad:?}").contains("…0001"));
}
