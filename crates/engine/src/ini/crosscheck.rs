//! Every claim this module makes about botocore, checked against the real
//! botocore: each case's verdict is written down here (what botocore was
//! seen to do) and compared both with our reading and with botocore run now
//! (`botocore.configloader.raw_config_parse`, in the project's virtualenv or
//! `LEASEKEEPER_PYTHON`). Without that interpreter the test fails: run
//! `scripts/setup.sh`.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::Document;
use crate::profiles::{MergeOptions, Mode, merge};

/// (name, file bytes, the configparser exception botocore raises or `None`).
#[rustfmt::skip]
const CASES: &[(&str, &[u8], Option<&str>)] = &[
    ("plain", b"[default]\nregion = us-east-1\n", None),
    ("crlf", b"[default]\r\nregion = us-east-1\r\n", None),
    ("bom before a header", b"\xef\xbb\xbf[default]\nregion = x\n", Some("MissingSectionHeaderError")),
    ("bom before a blank line", b"\xef\xbb\xbf\n[default]\n", Some("MissingSectionHeaderError")),
    ("duplicate section", b"[profile a]\nx=1\n[profile a]\ny=2\n", Some("DuplicateSectionError")),
    ("duplicate section, comment after ]", b"[a]\n[a] # again\n", Some("DuplicateSectionError")),
    ("sections differing in case", b"[profile a]\nx=1\n[profile A]\ny=2\n", None),
    ("sections differing in spacing", b"[profile a]\nx=1\n[profile a ]\ny=2\n", None),
    ("sections differing in a bracket", b"[a]\n[a]]\n", None),
    ("duplicate key in another case", b"[default]\nregion=1\nREGION=2\n", Some("DuplicateOptionError")),
    ("duplicate non-ascii key", "[d]\n\u{c4}=1\n\u{e4}=2\n".as_bytes(), Some("DuplicateOptionError")),
    ("same key in two sections", b"[a]\nx=1\n[b]\nx=2\n", None),
    ("junk line", b"[default]\nregion=1\njunk line\nb=2\n", Some("ParsingError")),
    ("colon as delimiter", b"[default]\nregion : us\n", None),
    ("empty key", b"[default]\n= value\n", Some("ParsingError")),
    ("two empty keys", b"[d]\n= 1\n= 2\n", Some("DuplicateOptionError")),
    ("option before any header", b"region = 1\n[default]\n", Some("MissingSectionHeaderError")),
    ("comments before the first header", b"# c\n; d\n  # e\n\n[default]\n", None),
    ("not utf-8", b"[default]\nregion = \xff\n", Some("UnicodeDecodeError")),
    ("empty brackets", b"[default]\n[]\n", Some("ParsingError")),
    ("header without ]", b"[default]\n[profile foo\nx=1\n", Some("ParsingError")),
    ("header without ] read as an option", b"[default]\n[profile foo:bar\n", None),
    ("indented key under a header", b"[default]\n  region = x\n", None),
    ("indented header continues a value", b"  [a]\nx=1\n  [a]\n", None),
    ("text after ]", b"[profile foo] x\na=1\n", None),
    ("nested line without =", b"[default]\ns3 =\n  bad\n", Some("ValueError")),
    ("continuation of an empty value", b"[default]\nname =\n -continued\n", Some("ValueError")),
    ("continuation of a value", b"[default]\nname = v\n -continued\n", None),
    ("indented comment in a nested block", b"[d]\ns3 =\n  a = 1\n  # c\n  b = 2\n", None),
    ("vertical tab splits a nested line", b"[d]\ns3 =\n  a = 1\x0bbad\n", Some("ValueError")),
    ("DEFAULT twice", b"[DEFAULT]\na=1\n[DEFAULT]\nb=2\n[x]\n", None),
    ("duplicate key across DEFAULTs", b"[DEFAULT]\na=1\n[DEFAULT]\nA=2\n", Some("DuplicateOptionError")),
    ("bad nested DEFAULT value, read by a section", b"[DEFAULT]\na=\n  bad\n[x]\n", Some("ValueError")),
    ("bad nested DEFAULT value, no section", b"[DEFAULT]\na=\n  bad\n", None),
    ("bad nested DEFAULT value, overridden", b"[DEFAULT]\na=\n  bad\n[x]\na=1\n", None),
    ("lone carriage returns", b"[default]\ra=1\rb=2\r", None),
    ("lone carriage return splits a key", b"[default]\na=1\rjunk\n", Some("ParsingError")),
    ("no-break space line", "[default]\na=1\n\u{a0}\n".as_bytes(), None),
    ("percent sign", b"[d]\na = 100%\n", None),
];

const SCRIPT: &str = r#"
import binascii, json, os, sys, tempfile
from botocore.configloader import raw_config_parse, load_config
for hexed in json.load(sys.stdin):
    fd, path = tempfile.mkstemp()
    os.write(fd, binascii.unhexlify(hexed)); os.close(fd)
    try:
        raw_config_parse(path)
        loaded = load_config(path)
        out = {"ok": True, "profiles": sorted(loaded["profiles"]), "sso_sessions": sorted(loaded["sso_sessions"])}
    except Exception as e:
        cause = getattr(e, "kwargs", {}).get("error", e)
        lines = [n for n, _ in getattr(cause, "errors", [])]
        if getattr(cause, "lineno", None) is not None:
            lines.append(cause.lineno)
        out = {"ok": False, "error": type(cause).__name__, "lines": lines}
    os.unlink(path)
    print(json.dumps(out))
"#;

/// botocore's verdict on each file.
fn botocore(files: &[Vec<u8>]) -> Vec<Value> {
    let python = crate::test_python::python("check these claims");
    let mut child = Command::new(&python)
        .args(["-c", SCRIPT])
        .env("LC_ALL", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {}: {e} (run scripts/setup.sh)", python.display()));
    let input: Vec<String> = files.iter().map(hex::encode).collect();
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(serde_json::to_string(&input).expect("json").as_bytes())
        .expect("write to python");
    let out = child.wait_with_output().expect("python output");
    assert!(out.status.success(), "python failed (run scripts/setup.sh)");
    let results: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(results.len(), files.len());
    results
}

#[test]
fn botocore_refuses_exactly_the_files_we_say_it_refuses() {
    let files: Vec<Vec<u8>> = CASES.iter().map(|(_, bytes, _)| bytes.to_vec()).collect();
    let verdicts = botocore(&files);
    let mut failures = Vec::new();
    for ((name, bytes, seen), got) in CASES.iter().zip(&verdicts) {
        let doc = Document::parse(bytes);
        let live = got["error"].as_str();
        if live != *seen {
            failures.push(format!(
                "{name}: botocore now says {got}, the table says {seen:?}"
            ));
        }
        if doc.rejects_file_for_botocore() != seen.is_some() {
            failures.push(format!(
                "{name}: we say rejected={}, issues {:?}",
                doc.rejects_file_for_botocore(),
                doc.issues()
            ));
        }
        let fatal_lines: Vec<u32> = doc
            .issues()
            .iter()
            .filter(|i| i.rejects_file_for_botocore())
            .map(|i| i.line)
            .collect();
        let same_numbering = !bytes.windows(2).any(|w| w[0] == b'\r' && w[1] != b'\n');
        for line in got["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_u64)
        {
            if same_numbering && !fatal_lines.contains(&(line as u32)) {
                failures.push(format!(
                    "{name}: botocore names line {line}, we flag {fatal_lines:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/data/botocore/tests/unit/cfg"
);

/// On botocore's own fixtures: the same verdict, and the same profile names
/// except those botocore reads from a quoted header (`[profile "x"]`), which
/// the specification does not accept.
#[test]
fn botocore_fixtures_get_the_same_verdict_and_profile_names() {
    let mut names: Vec<String> = std::fs::read_dir(FIXTURES)
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let files: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(format!("{FIXTURES}/{n}")).expect("fixture"))
        .collect();
    let verdicts = botocore(&files);
    let recover = MergeOptions {
        mode: Mode::Recover,
        skip_managed: false,
    };
    let mut compared = 0;
    for ((name, bytes), got) in names.iter().zip(&files).zip(&verdicts) {
        let doc = Document::parse(bytes);
        let ok = got["ok"].as_bool().expect("ok");
        assert_eq!(
            doc.rejects_file_for_botocore(),
            !ok,
            "{name}: {got} vs {:?}",
            doc.issues()
        );
        if !ok {
            continue;
        }
        // Every fixture is read as a config file.
        let set = merge(Some(&doc), None, recover).expect("recovering merge");
        let text = String::from_utf8_lossy(bytes);
        for (ours, key) in [
            (set.profiles.keys(), "profiles"),
            (set.sso_sessions.keys(), "sso_sessions"),
        ] {
            let ours: Vec<&str> = ours.map(String::as_str).collect();
            let theirs: Vec<&str> = got[key]
                .as_array()
                .expect(key)
                .iter()
                .filter_map(Value::as_str)
                .collect();
            for n in &ours {
                assert!(theirs.contains(n), "{name}: {n} is ours only ({theirs:?})");
            }
            for n in theirs.iter().filter(|n| !ours.contains(n)) {
                assert!(
                    text.contains(&format!("\"{n}\"")),
                    "{name}: botocore reads {n}, we do not"
                );
            }
        }
        compared += 1;
    }
    assert!(compared >= 8, "only {compared} fixtures compared");
}

/// Line fragments that exercise every rule above, in any order.
#[rustfmt::skip]
const FRAGMENTS: &[&str] = &[
    "[a]", "[a] # c", "[A]", "[ a ]", "[DEFAULT]", "[]", "[b", "[c]]", "x=1", "X = 2", "y:3", "=4",
    ":5", "junk", "  z=6", "  bad", "\tk = v", "  # c", "# c", "; c", "", "  ", "s3 =", "s3 = ",
    "\u{a0}", "\u{a0}w=1", "k\u{b}=1", "  p = 1\u{b}q", "\u{c4}=1", "\u{e4}=2",
];

/// A small deterministic generator (xorshift), so a failure is reproducible.
fn generated_files(count: usize) -> Vec<Vec<u8>> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    (0..count)
        .map(|_| {
            let endings = ["\n", "\r\n", "\r"];
            let ending = if next(6) == 0 { endings[next(3)] } else { "\n" };
            let mut file = String::new();
            for _ in 0..next(9) {
                file.push_str(FRAGMENTS[next(FRAGMENTS.len())]);
                file.push_str(ending);
            }
            let mut bytes = file.into_bytes();
            if next(20) == 0 {
                bytes.splice(0..0, *b"\xef\xbb\xbf");
            }
            bytes
        })
        .collect()
}

#[test]
fn generated_files_get_the_verdict_botocore_gives() {
    let files = generated_files(600);
    let verdicts = botocore(&files);
    let wrong: Vec<String> = files
        .iter()
        .zip(&verdicts)
        .filter_map(|(bytes, got)| {
            let doc = Document::parse(bytes);
            let ok = got["ok"].as_bool().expect("ok");
            (doc.rejects_file_for_botocore() == ok).then(|| {
                format!(
                    "{:?}: botocore {got}, ours {:?}",
                    String::from_utf8_lossy(bytes),
                    doc.issues()
                )
            })
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of 600 differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
