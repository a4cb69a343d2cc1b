//! `metadata.json` versions and errors; the server's review-status order.

use crate::common;

use std::path::Path;

use ccreport::metadata::MetadataVersion;
use ccreport::{
    decide_review_status, parse_plist, Metadata, MetadataError, ReviewStatus, ReviewStatusConfig,
    SourceFile,
};
use common::fixtures;

#[test]
fn v2_typed_fields() {
    let bytes = std::fs::read(fixtures().join("corpus/reports/metadata.json")).expect("fixture");
    let md = Metadata::parse(&bytes).expect("parses");
    assert_eq!(md.version, MetadataVersion::V2);
    let tool = &md.tools[0];
    assert_eq!(tool.name, "codechecker");
    assert_eq!(tool.version.as_deref(), Some("6.29.1"));
    assert_eq!(
        tool.command.as_ref().map(|c| c[1].as_str()),
        Some("analyze")
    );
    assert_eq!(
        tool.result_source_files.as_ref().map(|m| m.0.len()),
        Some(12)
    );
    let ts = tool.timestamps.expect("timestamps");
    assert!(ts.end >= ts.begin);
    let analyzers = tool.analyzers.as_ref().expect("analyzers");
    assert_eq!(
        analyzers.keys().collect::<Vec<_>>(),
        ["clangsa", "clang-tidy"]
    );
    let clangsa = analyzers.get("clangsa").expect("clangsa");
    assert_eq!(clangsa.checkers.get("core.DivideZero"), Some(&true));
    assert_eq!(clangsa.checkers.get("alpha.core.CastSize"), Some(&false));
    let stats = clangsa.analyzer_statistics.as_ref().expect("stats");
    assert_eq!(stats.successful, Some(6));

    let info = md.info();
    assert!(info.enabled_checkers.contains("core.DivideZero"));
    assert!(info.disabled_checkers.contains("alpha.core.CastSize"));
    assert_eq!(
        info.checker_to_analyzer
            .get("misc-redundant-expression")
            .map(String::as_str),
        Some("clang-tidy")
    );
    assert!(info.checker_is_unavailable("core.NotListed"));
    assert!(!info.checker_is_unavailable("clang-diagnostic-foo"));
    assert!(!info.checker_is_unavailable("core.DivideZero"));
}

#[test]
fn v1_is_converted() {
    let md = Metadata::parse(
        br#"{"name": "old", "command": ["CodeChecker", "check"], "versions": {"codechecker": "6.5"},
            "checkers": {"clangsa": ["core.A"], "clang-tidy": {"x": true, "y": false}},
            "timestamps": {"begin": 1, "end": 3}}"#,
    )
    .expect("parses");
    assert_eq!(md.version, MetadataVersion::V1);
    assert_eq!(md.run_name(), Some("old"));
    let tool = &md.tools[0];
    assert_eq!(tool.name, "codechecker");
    assert_eq!(tool.version.as_deref(), Some("6.5"));
    let info = md.info();
    assert_eq!(info.check_commands, ["CodeChecker check"]);
    assert_eq!(info.check_durations, [2.0]);
    assert_eq!(info.cc_version.as_deref(), Some("6.5"));
    assert!(info.enabled_checkers.contains("core.A"));
    assert!(info.disabled_checkers.contains("y"));
}

#[test]
fn unknown_versions_and_bad_files_are_errors() {
    for bad in [
        &br#"{"version": 3, "tools": []}"#[..],
        br#"{"version": "2"}"#,
        br#"{"version": null}"#,
    ] {
        assert!(
            matches!(Metadata::parse(bad), Err(MetadataError::UnknownVersion(_))),
            "{bad:?}"
        );
    }
    assert!(matches!(
        Metadata::parse(b"[]"),
        Err(MetadataError::NotAnObject)
    ));
    assert!(matches!(Metadata::parse(b"{"), Err(MetadataError::Json(_))));
    assert!(matches!(
        Metadata::parse(br#"{"version": 2, "tools": [{"name": "x", "command": 5}]}"#),
        Err(MetadataError::Json(_))
    ));
    assert!(matches!(
        Metadata::parse(br#"{"version": 2, "tools": [{"command": []}]}"#),
        Err(MetadataError::Json(_))
    ));
    // Fields CodeChecker only displays may have any type.
    let md = Metadata::parse(
        br#"{"version": 2, "tools": [{"name": "x", "working_directory": 7, "run_name": ["a"]}]}"#,
    )
    .expect("lenient");
    assert_eq!(md.tools[0].working_directory, None);
    assert_eq!(md.run_name(), None);
    let err = Metadata::parse(br#"{"version": 3}"#)
        .expect_err("fails")
        .to_string();
    assert!(err.contains("version 3"), "{err}");
}

const YAML: &str = "$version: 1\nrules:\n  - filters: {checker_name: core.DivideZero}\n    actions: {review_status: confirmed, reason: from yaml}\n";

fn report_and_source(source: &str) -> (ccreport::Report, SourceFile) {
    let plist = std::fs::read(fixtures().join("handmade/reports/quirks.plist")).expect("fixture");
    let report = parse_plist(&plist, Path::new("reports/quirks.plist"))
        .expect("parses")
        .remove(0);
    (report, SourceFile::new(source.as_bytes()))
}

#[test]
fn source_comment_wins_over_yaml() {
    let config = ReviewStatusConfig::parse(YAML, "review_status.yaml").expect("valid");
    let src = "1\n2\n3\n// codechecker_intentional [core.DivideZero] in source\nreturn x / z;\n";
    let (report, source) = report_and_source(src);
    let d = decide_review_status(Some(&source), "quirks.c", &report, Some(&config));
    assert_eq!(d.status.status, ReviewStatus::Intentional);
    assert!(d.status.in_source);
    assert_eq!(d.status.message, "in source");
    assert_eq!(d.status.bug_hash, "abc123");

    let d = decide_review_status(None, "quirks.c", &report, Some(&config));
    assert_eq!(d.status.status, ReviewStatus::Confirmed);
    assert!(!d.status.in_source);
    assert_eq!(d.status.message, "from yaml");

    let d = decide_review_status(None, "quirks.c", &report, None);
    assert_eq!(d.status.status, ReviewStatus::Unreviewed);
    assert_eq!(d.status.bug_hash, "abc123");
}

#[test]
fn misspelled_comment_falls_back_to_yaml_with_a_warning() {
    let config = ReviewStatusConfig::parse(YAML, "review_status.yaml").expect("valid");
    let (report, source) =
        report_and_source("1\n2\n3\n// codechecker_suppress oops\nreturn x / z;\n");
    let d = decide_review_status(Some(&source), "quirks.c", &report, Some(&config));
    assert_eq!(d.status.status, ReviewStatus::Confirmed);
    let warning = d.warning.expect("warning");
    assert!(
        warning.contains("quirks.c contains misspelled review status comment @4"),
        "{warning}"
    );
    assert!(d.error.is_none());
}

#[test]
fn ambiguous_comments_fail_the_store() {
    let config = ReviewStatusConfig::parse(YAML, "review_status.yaml").expect("valid");
    let (report, source) = report_and_source(
        "1\n2\n// codechecker_suppress [core] a\n// codechecker_confirmed [all] b\nreturn x / z;\n",
    );
    let d = decide_review_status(Some(&source), "quirks.c", &report, Some(&config));
    assert_eq!(d.status.status, ReviewStatus::Unreviewed);
    assert_eq!(
        d.error.as_deref(),
        Some("Multiple source code comments can be found for 'core.DivideZero' checker in 'quirks.c' at line 5.")
    );
}
