//! Plist parsing, de-duplication hashes and in-source review decisions
//! compared with CodeChecker's own Python on committed fixtures (see
//! `fixtures/scripts/regen.sh`).

use crate::common;

use std::path::Path;

use ccreport::{parse_plist, parse_plist_file, parse_plist_partial, ParseError};
use common::{compare_with_python, fixtures, load_json};

#[test]
fn generated_corpus_matches_codechecker() {
    let root = fixtures().join("corpus");
    let expected = load_json(&fixtures().join("corpus.expected.json"));
    let result = compare_with_python(&root, &expected, "/tmp/ccreport-fixture");
    assert!(result.mismatches.is_empty(), "{:#?}", result.mismatches);
    assert_eq!(result.plists, 12);
    assert_eq!(result.reports, 30);
}

#[test]
fn handmade_quirks_match_codechecker() {
    let root = fixtures().join("handmade");
    let expected = load_json(&fixtures().join("handmade.expected.json"));
    let result = compare_with_python(&root, &expected, "");
    assert!(result.mismatches.is_empty(), "{:#?}", result.mismatches);
    assert_eq!(result.plists, 5);
    assert_eq!(result.reports, 4);
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixtures().join("handmade/reports").join(name)).expect("fixture")
}

#[test]
fn corrupt_plist_is_an_error_naming_the_file() {
    let path = Path::new("some/dir/corrupt.plist");
    let err = parse_plist(&read("corrupt.plist"), path).expect_err("must fail");
    assert!(matches!(err, ParseError::Xml { .. }), "{err:?}");
    assert_eq!(err.path(), "some/dir/corrupt.plist");
    assert!(err.to_string().contains("some/dir/corrupt.plist"), "{err}");

    let partial = parse_plist_partial(&read("corrupt.plist"), path);
    assert!(partial.reports.is_empty());
}

#[test]
fn bad_diagnostic_keeps_earlier_reports_in_partial_mode() {
    let path = Path::new("reports/partial.plist");
    let partial = parse_plist_partial(&read("partial.plist"), path);
    assert_eq!(partial.reports.len(), 1);
    let Some(ParseError::Diagnostic { index, message, .. }) = &partial.error else {
        panic!("want a diagnostic error, got {:?}", partial.error);
    };
    assert_eq!(*index, 1);
    assert!(message.contains("file index"), "{message}");
    assert!(parse_plist(&read("partial.plist"), path).is_err());
    assert_eq!(partial.reports[0].analyzer_name.as_deref(), Some("clangsa"));
}

#[test]
fn non_dict_root_and_empty_documents() {
    let p = Path::new("x.plist");
    assert!(matches!(
        parse_plist(&read("rootarray.plist"), p),
        Err(ParseError::Structure { .. })
    ));
    assert_eq!(parse_plist(&read("empty.plist"), p).map(|r| r.len()), Ok(0));
    assert_eq!(parse_plist(b"<plist></plist>", p).map(|r| r.len()), Ok(0));
    assert!(parse_plist(b"", p).is_err());
    assert!(parse_plist(b"\x00\x01binary", p).is_err());
    assert!(parse_plist(b"bplist00\xd1\x01\x02", p).is_err());
}

#[test]
fn missing_file_is_an_io_error() {
    let err = parse_plist_file(Path::new("/nonexistent/x.plist")).expect_err("must fail");
    assert!(matches!(err, ParseError::Io { .. }));
    assert_eq!(err.path(), "/nonexistent/x.plist");
}

#[test]
fn relative_sources_resolve_against_the_plist_directory() {
    let reports = parse_plist(
        &read("quirks.plist"),
        Path::new("/data/out/reports/quirks.plist"),
    )
    .expect("parses");
    assert_eq!(reports[0].file.original_path, "/data/out/src/quirks.c");
    assert_eq!(
        reports[0].bug_path_events[1].file.original_path,
        "/abs/include/q.h"
    );
    let bare = parse_plist(&read("quirks.plist"), Path::new("quirks.plist")).expect("parses");
    assert_eq!(bare[0].file.original_path, "../src/quirks.c");
}

#[test]
fn every_truncation_of_a_plist_is_handled() {
    let bytes = read("quirks.plist");
    for cut in (0..bytes.len()).step_by(7) {
        let _ = parse_plist_partial(&bytes[..cut], Path::new("t.plist"));
    }
    let mut flipped = bytes.clone();
    for i in (0..flipped.len()).step_by(13) {
        flipped[i] ^= 0x5a;
        let _ = parse_plist_partial(&flipped, Path::new("t.plist"));
    }
}

#[test]
fn comparison_detects_differences() {
    let root = fixtures().join("handmade");
    let mut expected = load_json(&fixtures().join("handmade.expected.json"));
    let first = &mut expected["plists"]["reports/quirks.plist"][0];
    first["bug_path_positions"][1]["range"]["end_col"] = serde_json::json!(99);
    first["path_hash"] = serde_json::json!("0");
    first["source_review"]["message"] = serde_json::json!("other");
    let result = compare_with_python(&root, &expected, "");
    assert_eq!(result.mismatches.len(), 3, "{:#?}", result.mismatches);
}
