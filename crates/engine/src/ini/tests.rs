//! What a person notices of the parser: profiles survive a bad line, every
//! problem names its line, and what botocore refuses is flagged as such.

#![allow(clippy::string_slice, reason = "tests slice ASCII fixtures")]

use super::*;

fn doc(s: &str) -> Document {
    Document::parse(s.as_bytes())
}

fn names(d: &Document) -> Vec<String> {
    d.sections().map(|s| s.name().into_owned()).collect()
}

fn issue_summary(d: &Document) -> Vec<(u32, &'static str, bool)> {
    d.issues()
        .iter()
        .map(|i| (i.line, i.code(), i.rejects_file_for_botocore()))
        .collect()
}

#[test]
fn a_malformed_line_in_the_middle_keeps_every_profile_and_names_its_line() {
    let d = doc(
        "[profile a]\nregion = eu-west-1\nthis line is junk\noutput = json\n\n[profile b]\nregion = us-east-1\n",
    );
    assert_eq!(names(&d), ["profile a", "profile b"]);
    let a = d.sections().next().unwrap();
    let keys: Vec<_> = a
        .entries()
        .map(|e| (e.key().into_owned(), e.value().into_owned()))
        .collect();
    assert_eq!(
        keys,
        [
            ("region".into(), "eu-west-1".into()),
            ("output".into(), "json".into())
        ]
    );
    assert_eq!(issue_summary(&d), [(3, "property_without_equals", true)]);
    assert_eq!(
        d.issues()[0].to_string(),
        "line 3: Expected an '=' sign defining a property"
    );
    assert_eq!(
        d.lines()[2].kind(),
        LineKind::Invalid(SyntaxError::PropertyWithoutEquals)
    );
    assert_eq!(
        d.first_syntax_error(),
        Some((3, SyntaxError::PropertyWithoutEquals))
    );
}

#[test]
fn a_header_without_its_bracket_never_lends_its_keys_to_the_section_above() {
    let d =
        doc("[profile a]\nregion = a\n[profile b\nrole_arn = arn:aws:iam::1:role/x\n[profile c]\n");
    let a = d.sections().next().unwrap();
    assert_eq!(a.entries().len(), 1);
    let b = d.sections().nth(1).unwrap();
    assert_eq!(
        b.header_error(),
        Some(SyntaxError::HeaderWithoutClosingBracket)
    );
    assert_eq!(b.name(), "profile b");
    assert_eq!(
        issue_summary(&d),
        [(3, "header_without_closing_bracket", true)]
    );
}

#[test]
fn a_bom_file_still_parses_and_is_flagged_for_botocore() {
    let d = Document::parse(b"\xef\xbb\xbf[default]\r\nregion = us-east-1\r\n");
    assert!(d.has_bom());
    assert_eq!(names(&d), ["default"]);
    assert_eq!(
        d.sections().next().unwrap().get("REGION").unwrap().value(),
        "us-east-1"
    );
    assert_eq!(issue_summary(&d), [(1, "byte_order_mark", true)]);
    assert!(d.issues()[0].rejects_file_for_spec());
    assert_eq!(d.lines()[0].range(), 0..14);
}

#[test]
fn duplicate_sections_and_keys_are_fatal_for_botocore_with_both_lines() {
    let d = doc("[profile a]\nregion = x\nREGION = y\n\n[profile b]\n[profile a]\nregion = z\n");
    let issues = d.issues();
    assert_eq!(issues.len(), 2, "{issues:?}");
    assert_eq!(
        issues[0].kind,
        IssueKind::DuplicateKey {
            section: "profile a".into(),
            key: "REGION".into(),
            first_line: 2
        }
    );
    assert_eq!(issues[0].line, 3);
    assert_eq!(
        issues[1].kind,
        IssueKind::DuplicateSection {
            name: "profile a".into(),
            first_line: 1
        }
    );
    assert_eq!(issues[1].line, 6);
    assert!(
        issues
            .iter()
            .all(|i| i.rejects_file_for_botocore() && !i.rejects_file_for_spec())
    );
    assert!(d.rejects_file_for_botocore());
    // configparser stops at the repeated header, so `region` under it is not
    // reported as a repeated key as well. Sections differing in case or
    // spacing are different names to botocore.
    assert!(!doc("[profile a]\nx=1\n[profile A]\nx=1\n[profile a ]\n").rejects_file_for_botocore());
}

#[test]
fn lines_botocore_reads_but_the_spec_does_not_are_not_fatal_for_botocore() {
    let d = doc("[default]\nregion : us-east-1\n  output = json\n");
    assert_eq!(
        issue_summary(&d),
        [
            (2, "property_without_equals", false),
            (3, "continuation_without_property", false)
        ]
    );
    assert!(!d.rejects_file_for_botocore());
}

#[test]
fn lines_only_botocore_refuses_are_reported_as_botocore_issues() {
    let d = doc("[default]\n[]\nname =\n -continued\n");
    assert_eq!(
        issue_summary(&d),
        [
            (2, "botocore_no_delimiter", true),
            (4, "sub_property_without_equals", true)
        ]
    );
    let d = doc("[]\n");
    assert_eq!(
        issue_summary(&d),
        [(1, "botocore_missing_section_header", true)]
    );
    let d = doc("[d]\ns3 =\n  a = 1\x0bjunk\n");
    assert_eq!(
        issue_summary(&d),
        [(3, "botocore_nested_without_equals", true)]
    );
}

#[test]
fn invalid_utf8_is_kept_and_flagged_on_its_line() {
    let bytes = b"[default]\nregion = \xff\xfe\n[profile b]\n";
    let d = Document::parse(bytes);
    assert_eq!(d.as_bytes(), bytes);
    assert!(!d.is_utf8());
    assert_eq!(names(&d), ["default", "profile b"]);
    assert_eq!(
        d.sections()
            .next()
            .unwrap()
            .entries()
            .next()
            .unwrap()
            .value(),
        "\u{fffd}\u{fffd}"
    );
    assert_eq!(issue_summary(&d), [(2, "invalid_utf8", true)]);
}

#[test]
fn sections_know_their_entries_values_and_sub_properties() {
    let text = "# top\n[profile dev] # team\nregion = eu-west-1 # note\nname = a\n  b ; c\ns3 =\n  max_concurrent_requests = 10\n\n  Addressing_Style = path # kept\n";
    let d = doc(text);
    let s = d.sections().next().unwrap();
    assert_eq!((s.name().as_ref(), s.header_line()), ("profile dev", 2));
    let e: Vec<_> = s.entries().collect();
    assert_eq!(e[0].value(), "eu-west-1");
    assert_eq!(e[1].value(), "a\nb ; c");
    assert_eq!(
        (e[2].value().as_ref(), e[2].is_block(), e[2].line()),
        (
            "\nmax_concurrent_requests = 10\nAddressing_Style = path # kept",
            true,
            6
        )
    );
    let subs: Vec<_> = e[2]
        .sub_properties()
        .map(|p| (p.key().into_owned(), p.value().into_owned(), p.line()))
        .collect();
    assert_eq!(
        subs,
        [
            ("max_concurrent_requests".into(), "10".into(), 7),
            ("Addressing_Style".into(), "path # kept".into(), 9)
        ]
    );
    assert_eq!(
        &text[e[2].range()],
        "s3 =\n  max_concurrent_requests = 10\n\n  Addressing_Style = path # kept\n"
    );
    assert_eq!(d.lines()[0].kind(), LineKind::Comment);
    assert_eq!(d.lines()[8].kind(), LineKind::SubProperty);
    assert!(d.issues().is_empty());
}

#[test]
fn a_section_range_stops_before_trailing_comments_and_blanks() {
    let text = "[profile a]\nx = 1\n# about b\n\n[profile b]\ny = 2";
    let d = doc(text);
    let secs: Vec<_> = d.sections().collect();
    assert_eq!(&text[secs[0].range()], "[profile a]\nx = 1\n");
    assert_eq!(&text[secs[0].extent()], "[profile a]\nx = 1\n# about b\n\n");
    assert_eq!(&text[secs[1].range()], "[profile b]\ny = 2");
    assert_eq!(d.preamble(), 0..0);
}

#[test]
fn the_managed_marker_is_the_line_right_under_the_header() {
    let text = "[a]\n  # managed by leasekeeper  \n\n[b]\nx = 1\n# managed by leasekeeper\n[c] # managed by leasekeeper\n";
    let d = doc(text);
    let flags: Vec<_> = d.sections().map(|s| s.managed()).collect();
    assert_eq!(flags, [true, false, false]);
    let a = d.sections().next().unwrap();
    assert_eq!(&text[a.range()], "[a]\n  # managed by leasekeeper  \n");
}

#[test]
fn splice_replaces_one_section_and_keeps_every_other_byte() {
    let text = "# mine\r\n[default]\r\nregion = x\r\n\r\n[profile lk]\n# managed by leasekeeper\naws_access_key_id = OLD\n\n; theirs\n[profile z]\n";
    let d = doc(text);
    let lk = d.sections().find(|s| s.managed()).unwrap();
    let out = d
        .splice(
            lk.range(),
            b"[profile lk]\n# managed by leasekeeper\naws_access_key_id = NEW\n",
        )
        .unwrap();
    let expected = text.replace("OLD", "NEW");
    assert_eq!(String::from_utf8(out).unwrap(), expected);
    #[allow(
        clippy::reversed_empty_ranges,
        reason = "a backwards range must be refused"
    )]
    let backwards = 5..2;
    assert_eq!(d.splice(backwards, b""), None);
    assert_eq!(d.splice(0..text.len() + 1, b""), None);
}

#[test]
fn line_kinds_follow_the_spec() {
    let d = doc("x = 1\n\t\n; c\n[s]\n  indented\nk = v\n\tmore\n");
    let kinds: Vec<_> = d.lines().iter().map(Line::kind).collect();
    assert_eq!(
        kinds,
        [
            LineKind::Invalid(SyntaxError::ExpectedProfile),
            LineKind::Blank,
            LineKind::Comment,
            LineKind::Header,
            LineKind::Invalid(SyntaxError::ContinuationWithoutProperty),
            LineKind::Property,
            LineKind::Continuation,
        ]
    );
    assert_eq!(d.preamble(), 0..12);
    assert_eq!(
        d.line(6).map(|l| d.line_text(l).into_owned()),
        Some("k = v".into())
    );
    assert_eq!(d.line(0), None);
}

#[test]
fn debug_output_never_shows_values() {
    let d = doc("[default]\naws_secret_access_key = wJalrXUtnFEMI\n");
    let shown = format!(
        "{d:?} {:?} {:?}",
        d.sections().next().unwrap(),
        d.sections().next().unwrap().entries().next().unwrap()
    );
    assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
}
