//! The parser keeps every byte: any input round-trips and never panics, and
//! the positions it reports tile the file, so a writer can replace one
//! section without touching another byte. Also on generated realistic files
//! and on botocore's own test fixtures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::string_slice,
    clippy::indexing_slicing,
    reason = "test code panics to fail a test and indexes fixtures of a known shape"
)]

use leasekeeper_engine::ini::{Document, IssueKind, LineKind, SyntaxError};
use proptest::prelude::*;

/// Lines, preamble, section extents, ranges and entries fit together.
fn assert_tiles(doc: &Document, input: &[u8]) {
    assert_eq!(doc.as_bytes(), input);
    let mut at = 0;
    for (i, line) in doc.lines().iter().enumerate() {
        assert_eq!(line.number() as usize, i + 1);
        assert_eq!(
            line.range().start,
            at,
            "line {} starts where the last ended",
            i + 1
        );
        at = line.range().end;
    }
    assert_eq!(at, input.len(), "lines cover the input");
    let mut at = doc.preamble().end;
    assert_eq!(doc.preamble().start, 0);
    for s in doc.sections() {
        let (extent, range) = (s.extent(), s.range());
        assert_eq!(
            extent.start,
            at,
            "section {} starts where the last ended",
            s.index()
        );
        assert!(range.start == extent.start && range.end <= extent.end);
        for line in s.lines().iter().filter(|l| l.range().start >= range.end) {
            assert!(
                matches!(line.kind(), LineKind::Blank | LineKind::Comment),
                "only blank lines and comments trail a section"
            );
        }
        let mut entry_end = range.start;
        for e in s.entries() {
            assert!(e.range().start >= entry_end && e.range().end <= range.end);
            entry_end = e.range().end;
        }
        at = extent.end;
    }
    assert_eq!(at, input.len(), "sections cover the rest of the input");
    let count = doc.lines().len() as u32;
    assert!(
        doc.issues()
            .iter()
            .all(|i| i.line >= 1 && i.line <= count.max(1))
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let doc = Document::parse(&bytes);
        assert_tiles(&doc, &bytes);
    }

    #[test]
    fn ini_like_bytes_round_trip(bytes in prop::collection::vec(
        prop::sample::select(b"[]=:#; \t\r\n\xef\xbb\xbfab".to_vec()), 0..300)
    ) {
        let doc = Document::parse(&bytes);
        assert_tiles(&doc, &bytes);
    }

    #[test]
    fn realistic_files_round_trip_and_parse_as_written(file in realistic_file()) {
        let (bytes, model) = file;
        let doc = Document::parse(&bytes);
        assert_tiles(&doc, &bytes);
        let got: Vec<(String, Vec<(String, String)>)> = doc
            .sections()
            .map(|s| {
                let entries = s.entries().map(|e| (e.key().into_owned(), e.value().into_owned())).collect();
                (s.name().into_owned(), entries)
            })
            .collect();
        prop_assert_eq!(got, model.sections);
        let syntax_lines: Vec<u32> = doc
            .issues()
            .iter()
            .filter(|i| matches!(i.kind, IssueKind::Syntax(_)))
            .map(|i| i.line)
            .collect();
        prop_assert_eq!(syntax_lines, model.junk_lines);
        prop_assert_eq!(doc.has_bom(), model.bom);
    }
}

/// What a generated file should parse to.
#[derive(Debug, Clone)]
struct Model {
    sections: Vec<(String, Vec<(String, String)>)>,
    junk_lines: Vec<u32>,
    bom: bool,
}

#[derive(Debug, Clone)]
enum Item {
    Header {
        name: String,
        pad: String,
        comment: String,
    },
    Prop {
        key: String,
        value: String,
        around_eq: (String, String),
        comment: String,
    },
    Block {
        key: String,
        subs: Vec<(String, String)>,
        indent: String,
    },
    Continued {
        key: String,
        value: String,
        more: Vec<String>,
    },
    Comment(String),
    Blank(String),
    Junk(String),
}

fn ws() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", " ", "\t", "  \t", "   "]).prop_map(str::to_owned)
}

fn key() -> BoxedStrategy<String> {
    "[a-zA-Z_][a-zA-Z0-9_]{0,8}".boxed()
}

fn value() -> BoxedStrategy<String> {
    "[A-Za-z0-9:/._-]{1,6}( [A-Za-z0-9:/._-]{1,6}){0,2}".boxed()
}

fn item() -> impl Strategy<Value = Item> {
    let name = prop::sample::select(vec![
        "default",
        "profile dev",
        "profile prod-1",
        "sso-session corp",
        "services s3local",
        "foreign",
        "Credentials",
        "profile\tname",
    ]);
    prop_oneof![
        (
            name,
            ws(),
            prop::sample::select(vec!["", " # c", "; c", "#"])
        )
            .prop_map(|(n, pad, c)| Item::Header {
                name: n.into(),
                pad,
                comment: c.into()
            }),
        (
            key(),
            value(),
            (ws(), ws()),
            prop::sample::select(vec!["", " # note", "\t; x"])
        )
            .prop_map(|(key, value, around_eq, c)| Item::Prop {
                key,
                value,
                around_eq,
                comment: c.into()
            }),
        (
            key(),
            prop::collection::vec((key(), value()), 1..4),
            prop::sample::select(vec![" ", "\t", "    "])
        )
            .prop_map(|(key, subs, indent)| Item::Block {
                key,
                subs,
                indent: indent.into()
            }),
        (key(), value(), prop::collection::vec(value(), 1..3))
            .prop_map(|(key, value, more)| Item::Continued { key, value, more }),
        "[#;][ a-z#;=]{0,10}".prop_map(Item::Comment),
        ws().prop_map(Item::Blank),
        "junk[ a-z]{0,8}".prop_map(Item::Junk),
    ]
}

fn realistic_file() -> impl Strategy<Value = (Vec<u8>, Model)> {
    (
        prop::collection::vec(item(), 0..40),
        prop::sample::select(vec!["\n", "\r\n"]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(items, nl, bom, final_newline)| render(&items, nl, bom, final_newline))
}

fn render(items: &[Item], nl: &str, bom: bool, final_newline: bool) -> (Vec<u8>, Model) {
    let mut lines: Vec<String> = Vec::new();
    let mut model = Model {
        sections: Vec::new(),
        junk_lines: Vec::new(),
        bom,
    };
    for item in items {
        let in_section = !model.sections.is_empty();
        let entry = |model: &mut Model, k: &str, v: String| {
            if let Some(s) = model.sections.last_mut() {
                s.1.push((k.to_owned(), v));
            }
        };
        match item {
            Item::Header { name, pad, comment } => {
                lines.push(format!("[{pad}{name}{pad}]{comment}"));
                model.sections.push((name.clone(), Vec::new()));
            }
            Item::Prop {
                key,
                value,
                around_eq: (a, b),
                comment,
            } => {
                lines.push(format!("{key}{a}={b}{value}{comment}"));
                entry(&mut model, key, value.clone());
            }
            Item::Block { key, subs, indent } => {
                lines.push(format!("{key} ="));
                let mut joined = String::new();
                for (k, v) in subs {
                    lines.push(format!("{indent}{k} = {v}"));
                    joined.push_str(&format!("\n{k} = {v}"));
                }
                entry(&mut model, key, joined);
            }
            Item::Continued { key, value, more } => {
                lines.push(format!("{key} = {value}"));
                let mut joined = value.clone();
                for m in more {
                    lines.push(format!("\t {m}  "));
                    joined.push_str(&format!("\n{m}"));
                }
                entry(&mut model, key, joined);
            }
            Item::Comment(c) => lines.push(c.clone()),
            Item::Blank(b) => lines.push(b.clone()),
            Item::Junk(j) => lines.push(j.clone()),
        }
        let n = lines.len();
        let junk = matches!(item, Item::Junk(_));
        let orphan = !in_section
            && !matches!(
                item,
                Item::Header { .. } | Item::Comment(_) | Item::Blank(_)
            );
        if junk || orphan {
            // Every line of a property before any header is an error.
            let first = n - item_lines(item) + 1;
            model.junk_lines.extend((first..=n).map(|l| l as u32));
        }
    }
    let mut text = lines.join(nl);
    if final_newline && !lines.is_empty() {
        text.push_str(nl);
    }
    let mut bytes = if bom {
        b"\xef\xbb\xbf".to_vec()
    } else {
        Vec::new()
    };
    bytes.extend_from_slice(text.as_bytes());
    (bytes, model)
}

fn item_lines(item: &Item) -> usize {
    match item {
        Item::Block { subs, .. } => 1 + subs.len(),
        Item::Continued { more, .. } => 1 + more.len(),
        _ => 1,
    }
}

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/botocore/tests/unit/cfg"
);

fn fixture(name: &str) -> (Vec<u8>, Document) {
    let path = format!("{FIXTURES}/{name}");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let doc = Document::parse(&bytes);
    (bytes, doc)
}

#[test]
fn every_botocore_fixture_round_trips() {
    let names: Vec<_> = std::fs::read_dir(FIXTURES)
        .expect("fixtures folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.len() >= 14, "{names:?}");
    for name in names {
        let (bytes, doc) = fixture(&name);
        assert_tiles(&doc, &bytes);
    }
}

#[test]
fn botocore_fixtures_parse_as_botocore_documents_them() {
    let (_, nested) = fixture("aws_config_nested");
    let default = nested.sections().next().expect("default");
    let s3 = default.get("s3").expect("s3");
    let subs: Vec<_> = s3
        .sub_properties()
        .map(|p| (p.key().into_owned(), p.value().into_owned()))
        .collect();
    assert_eq!(
        subs,
        [
            ("signature_version".into(), "s3v4".into()),
            ("addressing_style".into(), "path".into())
        ]
    );
    assert_eq!(default.get("region").expect("region").value(), "us-west-2");
    assert!(nested.issues().is_empty());

    let (_, bad) = fixture("aws_config_nested_bad");
    let issues: Vec<_> = bad
        .issues()
        .iter()
        .map(|i| (i.line, i.code(), i.rejects_file_for_botocore()))
        .collect();
    assert_eq!(issues, [(5, "sub_property_without_equals", true)]);

    let (_, no_header) = fixture("aws_config_bad");
    assert_eq!(
        no_header.first_syntax_error(),
        Some((1, SyntaxError::ExpectedProfile))
    );
    assert!(no_header.rejects_file_for_botocore());

    let (_, services) = fixture("aws_services_config");
    let names: Vec<_> = services.sections().map(|s| s.name().into_owned()).collect();
    assert_eq!(names, ["default", "services my-services"]);
}

#[test]
fn a_thousand_profiles_parse() {
    let mut text = String::from("# generated\n");
    for i in 0..1000 {
        text.push_str(&format!(
            "[profile p{i}]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/r{i}\nsource_profile = base\ns3 =\n  max_concurrent_requests = 10\n\n"
        ));
    }
    let doc = Document::parse(text.as_bytes());
    assert_eq!(doc.sections().len(), 1000);
    assert!(doc.issues().is_empty());
    assert_tiles(&doc, text.as_bytes());
}
