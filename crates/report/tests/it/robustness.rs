//! No input makes the parsers panic; the public types can cross threads.

use std::path::Path;

use ccreport::{
    parse_plist_partial, Metadata, ParseError, Report, ReviewStatusConfig, SkipList, SourceFile,
};
use proptest::prelude::*;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn types_are_send_and_sync() {
    assert_send_sync::<Report>();
    assert_send_sync::<ParseError>();
    assert_send_sync::<SkipList>();
    assert_send_sync::<ReviewStatusConfig>();
    assert_send_sync::<SourceFile>();
    assert_send_sync::<Metadata>();
}

const PLIST_WORDS: &[&str] = &[
    "<plist>",
    "</plist>",
    "<dict>",
    "</dict>",
    "<array>",
    "</array>",
    "<key>",
    "</key>",
    "<string>",
    "</string>",
    "<integer>",
    "</integer>",
    "<true/>",
    "<real>",
    "</real>",
    "diagnostics",
    "files",
    "path",
    "location",
    "line",
    "col",
    "file",
    "kind",
    "event",
    "control",
    "edges",
    "start",
    "end",
    "ranges",
    "message",
    "notes",
    "0",
    "1",
    "-1",
    "&lt;",
    "&#0;",
    "<![CDATA[x]]>",
    "report-annotation",
    "macro_expansions",
    "expansion",
];

fn plist_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PLIST_WORDS), 0..200).prop_map(|w| w.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn plist_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_plist_partial(&bytes, Path::new("x.plist"));
    }

    #[test]
    fn plist_shaped_input_never_panics(text in plist_like()) {
        let _ = parse_plist_partial(text.as_bytes(), Path::new("d/x.plist"));
    }

    #[test]
    fn text_parsers_never_panic(text in "\\PC{0,300}", line in -3i64..20) {
        let _ = SkipList::parse(&text);
        let _ = ReviewStatusConfig::parse(&text, "r.yaml");
        let _ = Metadata::parse(text.as_bytes());
        let src = SourceFile::new(text.as_bytes());
        let _ = src.review(line, "core.X");
        let _ = src.client_must_upload(&[line]);
    }

    #[test]
    fn review_comments_never_panic(
        lines in prop::collection::vec(
            prop::sample::select(&[
                "// codechecker_suppress [x] a", "/* codechecker_confirmed [all] b", "*/",
                " * codechecker_intentional [x]", "int a;", "", "//", "/*", "codechecker_false_positive [",
            ][..]),
            0..30,
        ),
        line in 0i64..32,
    ) {
        let src = SourceFile::new(lines.join("\n").as_bytes());
        let _ = src.review(line, "x");
    }
}

#[test]
fn hostile_yaml_and_globs() {
    for text in [
        "[".repeat(100_000),
        "{".repeat(100_000),
        "- ".repeat(100_000),
        format!(
            "a: &a [{}]\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
            "1,".repeat(1000)
        ),
    ] {
        assert!(ReviewStatusConfig::parse(&text, "r.yaml").is_err());
    }
    let huge = format!("-{}\n", "[a-z]*?".repeat(200_000));
    let _ = SkipList::parse(&huge);
}

#[test]
fn deep_nesting_is_rejected_not_overflowed() {
    let deep = format!("<plist>{}", "<array>".repeat(100_000));
    let err = ccreport::parse_plist(deep.as_bytes(), Path::new("x.plist"));
    assert!(matches!(err, Err(ParseError::Xml { .. })), "{err:?}");
    // CodeChecker (lxml) accepts 257 nested elements and refuses 258.
    let nested = |n: usize| {
        let doc = format!(
            "<plist><dict><key>diagnostics</key>{}{}</dict></plist>",
            "<array>".repeat(n),
            "</array>".repeat(n)
        );
        ccreport::parse_plist(doc.as_bytes(), Path::new("x.plist"))
    };
    assert!(matches!(nested(255), Err(ParseError::Diagnostic { .. })));
    assert!(matches!(nested(256), Err(ParseError::Xml { .. })));
}
