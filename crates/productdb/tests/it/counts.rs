//! The count methods (`cmd sum`, the web UI's sidebar) as CodeChecker's
//! server counts: plain and unique mode, filters, paging.

use crate::common;

use common::*;
use productdb::{
    AnalyzerStatistic, CheckerCountRow, CountQuery, DetectionStatus as D, ReportFilter,
    ReportStatus, ReviewStatus as R, Severity,
};

/// Two runs: `alpha` (core.A at a.c:1 "shared", style.Low at b.c:3
/// "shared" with an annotation, a false positive core.A at a.c:7 "fp") and
/// `beta` (core.A at b.c:2 "shared", at a.c:4 "only-beta").
fn two_runs(db: &productdb::ProductDb) -> (i64, i64) {
    let files = || vec![file("/src/x/a.c", "a"), file("/src/y/b.c", "b")];
    let mut low = report("/src/y/b.c", 3, "style.Low", "shared");
    low.severity = Severity::Low;
    low.annotations = vec![("testcase".into(), "TC-9".into())];
    let mut alpha = run("alpha", &["core.A", "style.Low"], &[]);
    alpha.analyses[0].checkers[1].severity = Severity::Low;
    let one = store(
        db,
        alpha,
        files(),
        vec![
            report("/src/x/a.c", 1, "core.A", "shared"),
            low,
            reviewed(
                report("/src/x/a.c", 7, "core.A", "fp"),
                R::FalsePositive,
                "no",
                true,
            ),
        ],
    );
    let two = store(
        db,
        run("beta", &["core.A"], &["style.Low"]),
        files(),
        vec![
            report("/src/y/b.c", 2, "core.A", "shared"),
            report("/src/x/a.c", 4, "core.A", "only-beta"),
        ],
    );
    (one.run_id, two.run_id)
}

fn q(filter: ReportFilter) -> CountQuery {
    CountQuery {
        filter,
        ..CountQuery::default()
    }
}

fn unique() -> ReportFilter {
    ReportFilter {
        is_unique: true,
        ..ReportFilter::default()
    }
}

fn checker(name: &str, severity: Severity, count: i64) -> CheckerCountRow {
    CheckerCountRow {
        name: name.into(),
        severity,
        count,
    }
}

#[test]
fn counts_per_dimension_plain_and_unique() {
    for t in backends() {
        let db = &t.db;
        let (alpha, beta) = two_runs(db);
        let all = q(ReportFilter::default());
        let uniq = q(unique());
        let label = t.label;

        assert_eq!(
            db.checker_counts(&all).unwrap(),
            vec![
                checker("core.A", Severity::High, 4),
                checker("style.Low", Severity::Low, 1)
            ],
            "{label}"
        );
        // Unique mode: a bug hash counts once, under the greatest checker
        // name and the greatest severity of its reports (CodeChecker's
        // MAX per bug hash).
        assert_eq!(
            db.checker_counts(&uniq).unwrap(),
            vec![
                checker("core.A", Severity::High, 2),
                checker("style.Low", Severity::High, 1)
            ],
            "{label}"
        );
        assert_eq!(
            db.severity_counts(&all).unwrap(),
            vec![(Severity::Low, 1), (Severity::High, 4)],
            "{label}"
        );
        assert_eq!(
            db.severity_counts(&uniq).unwrap(),
            vec![(Severity::High, 3)],
            "{label}"
        );
        assert_eq!(
            db.analyzer_name_counts(&uniq).unwrap(),
            vec![("clangsa".to_owned(), 3)],
            "{label}"
        );
        assert_eq!(
            db.checker_msg_counts(&all).unwrap().len(),
            5,
            "{label}: every message differs"
        );
        // Files count distinct hashes per file: "shared" is in both.
        assert_eq!(
            db.file_counts(&uniq).unwrap(),
            vec![("/src/x/a.c".to_owned(), 3), ("/src/y/b.c".to_owned(), 1)],
            "{label}"
        );
        assert_eq!(
            db.file_counts(&all).unwrap(),
            vec![("/src/x/a.c".to_owned(), 3), ("/src/y/b.c".to_owned(), 2)],
            "{label}"
        );
        assert_eq!(
            db.review_status_counts(&all).unwrap(),
            vec![(R::Unreviewed, 4), (R::FalsePositive, 1)],
            "{label}"
        );
        assert_eq!(
            db.review_status_counts(&uniq).unwrap(),
            vec![(R::Unreviewed, 2), (R::FalsePositive, 1)],
            "{label}"
        );
        assert_eq!(
            db.detection_status_counts(&uniq).unwrap(),
            vec![(D::New, 3)],
            "{label}"
        );
        let mut status = db.report_status_counts(&all).unwrap();
        status.sort_by_key(|(s, _)| *s as i32);
        assert_eq!(
            status,
            vec![(ReportStatus::Outstanding, 4), (ReportStatus::Closed, 1)],
            "{label}"
        );
        let runs = db.run_report_counts(&uniq).unwrap();
        let runs: Vec<(i64, &str, i64)> = runs
            .iter()
            .map(|r| (r.run_id, r.name.as_str(), r.count))
            .collect();
        assert_eq!(
            runs,
            vec![(alpha, "alpha", 2), (beta, "beta", 2)],
            "{label}"
        );
        assert_eq!(
            db.report_annotation_values(&all).unwrap(),
            vec!["TC-9".to_owned()],
            "{label}"
        );

        // Tags: newest first; the false positive was closed at once.
        let tags = db.run_history_tag_counts(&all).unwrap();
        let tags: Vec<(i64, i64)> = tags.iter().map(|t| (t.run_id, t.count)).collect();
        assert_eq!(tags, vec![(beta, 2), (alpha, 2)], "{label}");
    }
}

#[test]
fn filters_runs_and_paging() {
    for t in backends() {
        let db = &t.db;
        let (alpha, beta) = two_runs(db);
        let label = t.label;
        let only_beta = CountQuery {
            run_ids: Some(vec![beta]),
            ..CountQuery::default()
        };
        assert_eq!(
            db.checker_counts(&only_beta).unwrap(),
            vec![checker("core.A", Severity::High, 2)],
            "{label}"
        );
        // The severity filter applies to the severity counts too.
        let low = q(ReportFilter {
            severities: Some(vec![Severity::Low]),
            ..ReportFilter::default()
        });
        assert_eq!(
            db.severity_counts(&low).unwrap(),
            vec![(Severity::Low, 1)],
            "{label}"
        );
        let by_name = q(ReportFilter {
            checker_names: Some(vec!["core.*".into()]),
            run_names: Some(vec!["alp*".into()]),
            ..ReportFilter::default()
        });
        assert_eq!(
            db.file_counts(&by_name).unwrap(),
            vec![("/src/x/a.c".to_owned(), 2)],
            "{label}"
        );
        let paged = CountQuery {
            limit: Some(1),
            offset: 1,
            ..CountQuery::default()
        };
        assert_eq!(
            db.checker_counts(&paged).unwrap(),
            vec![checker("style.Low", Severity::Low, 1)],
            "{label}"
        );
        assert_eq!(
            db.file_counts(&paged).unwrap(),
            vec![("/src/y/b.c".to_owned(), 2)],
            "{label}"
        );
        let tags_of_alpha = CountQuery {
            run_ids: Some(vec![alpha]),
            ..CountQuery::default()
        };
        let tags = db.run_history_tag_counts(&tags_of_alpha).unwrap();
        assert_eq!(tags.len(), 1, "{label}");
        assert_eq!(tags[0].run_name, "alpha", "{label}");
    }
}

#[test]
fn checker_coverage_and_failed_files() {
    for t in backends() {
        let db = &t.db;
        let (alpha, beta) = two_runs(db);
        let label = t.label;
        let rows = db.checker_status_details(None, false).unwrap();
        let core = rows.iter().find(|r| r.checker_name == "core.A").unwrap();
        assert_eq!(core.enabled, vec![alpha, beta], "{label}");
        assert!(core.disabled.is_empty(), "{label}");
        assert_eq!((core.outstanding, core.closed), (3, 1), "{label}");
        let style = rows.iter().find(|r| r.checker_name == "style.Low").unwrap();
        assert_eq!(style.enabled, vec![alpha], "{label}");
        assert_eq!(style.disabled, vec![beta], "{label}");
        assert_eq!(style.severity, Severity::Low, "{label}");
        assert_eq!((style.outstanding, style.closed), (1, 0), "{label}");
        let only_beta = db.checker_status_details(Some(&[beta]), true).unwrap();
        let core = only_beta
            .iter()
            .find(|r| r.checker_name == "core.A")
            .unwrap();
        assert_eq!(core.enabled, vec![beta], "{label}");
        assert_eq!((core.outstanding, core.closed), (2, 0), "{label}");

        assert!(db.failed_files(None).unwrap().is_empty(), "{label}");
        let failing = |failed: &[&str]| {
            let mut r = run("gamma", &["core.A"], &[]);
            r.analyzer_statistics = vec![AnalyzerStatistic {
                analyzer: "clangsa".into(),
                version: None,
                successful: 1,
                failed: i64::try_from(failed.len()).unwrap(),
                failed_files: failed.iter().map(|f| (*f).to_owned()).collect(),
            }];
            r
        };
        let gamma = store(
            db,
            failing(&["/src/z.c", "/src/x/a.c"]),
            Vec::new(),
            Vec::new(),
        );
        let failed = db.failed_files(None).unwrap();
        assert_eq!(
            failed.keys().collect::<Vec<_>>(),
            vec!["/src/x/a.c", "/src/z.c"],
            "{label}"
        );
        assert_eq!(failed["/src/z.c"], vec!["gamma".to_owned()], "{label}");
        assert!(
            db.failed_files(Some(&[alpha])).unwrap().is_empty(),
            "{label}"
        );
        assert_eq!(db.failed_files(Some(&[gamma.run_id])).unwrap().len(), 2);
        // Only the latest store of a run counts.
        store(db, failing(&[]), Vec::new(), Vec::new());
        assert!(db.failed_files(None).unwrap().is_empty(), "{label}");
    }
}
