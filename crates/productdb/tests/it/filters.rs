//! Report filters, unique mode, sorting and paging as CodeChecker's server
//! applies them.

use crate::common;

use common::*;
use productdb::{
    DetectionStatus as D, ReportFilter, ReportQuery, ReportSort, ReportSortKey, ReportStatus,
    ReviewStatus as R, RunFilter, RunSort, RunSortKey, Severity,
};

fn two_runs(db: &productdb::ProductDb) -> (i64, i64) {
    let files = || vec![file("/src/x/a.c", "a"), file("/src/y/b.c", "b")];
    let mut low = report("/src/y/b.c", 3, "style.Low", "shared");
    low.severity = Severity::Low;
    low.annotations = vec![("testcase".into(), "TC-9".into())];
    let mut alpha = run("alpha", &["core.A", "style.Low"], &[]);
    // The checker row (first seen in metadata) decides the severity.
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
        run("beta", &["core.A"], &[]),
        files(),
        vec![
            report("/src/y/b.c", 2, "core.A", "shared"),
            report("/src/x/a.c", 4, "core.A", "only-beta"),
        ],
    );
    (one.run_id, two.run_id)
}

fn query(filter: ReportFilter) -> ReportQuery {
    ReportQuery {
        filter,
        ..ReportQuery::default()
    }
}

#[test]
fn filters_sorting_and_unique_mode() {
    for t in backends() {
        let db = &t.db;
        let (alpha, beta) = two_runs(db);
        let count = |f: ReportFilter| db.report_count(None, &f, None).expect("count");
        assert_eq!(count(ReportFilter::default()), 5, "{}", t.label);
        let unique = ReportFilter {
            is_unique: true,
            ..ReportFilter::default()
        };
        assert_eq!(
            count(unique.clone()),
            3,
            "{}: shared, fp, only-beta",
            t.label
        );
        let rows = db.reports(&query(unique)).expect("unique");
        assert_eq!(rows.len(), 3);
        let shared = rows
            .iter()
            .find(|r| r.bug_hash == "shared")
            .expect("shared");
        assert_eq!(
            shared.run_id, beta,
            "{}: unique mode shows the newest report",
            t.label
        );

        let open = ReportFilter {
            review_statuses: Some(vec![R::Unreviewed, R::Confirmed]),
            detection_statuses: Some(vec![D::New, D::Reopened, D::Unresolved]),
            ..ReportFilter::default()
        };
        assert_eq!(count(open), 4);
        let closed = ReportFilter {
            report_statuses: Some(vec![ReportStatus::Closed]),
            ..ReportFilter::default()
        };
        assert_eq!(count(closed), 1);
        let checkers = ReportFilter {
            checker_names: Some(vec!["style.*".into()]),
            ..ReportFilter::default()
        };
        assert_eq!(count(checkers), 1);
        let sev = ReportFilter {
            severities: Some(vec![Severity::Low]),
            ..ReportFilter::default()
        };
        assert_eq!(count(sev), 1);
        let paths = ReportFilter {
            file_paths: Some(vec!["/src/x/*".into()]),
            ..ReportFilter::default()
        };
        assert_eq!(count(paths), 3);
        let names = ReportFilter {
            run_names: Some(vec!["bet*".into()]),
            ..ReportFilter::default()
        };
        assert_eq!(count(names), 2);
        let hashes = ReportFilter {
            report_hashes: Some(vec!["only*".into(), "fp".into()]),
            ..ReportFilter::default()
        };
        assert_eq!(count(hashes), 2);
        let none = ReportFilter {
            report_hashes: Some(Vec::new()),
            ..ReportFilter::default()
        };
        assert_eq!(count(none), 0, "an empty hash list matches nothing");
        let annotated = ReportFilter {
            annotations: Some(vec![("testcase".into(), "TC-*".into())]),
            ..ReportFilter::default()
        };
        assert_eq!(count(annotated), 1);
        let msg = ReportFilter {
            checker_msgs: Some(vec!["*at 4".into()]),
            ..ReportFilter::default()
        };
        assert_eq!(count(msg), 1);
        assert_eq!(
            db.report_count(Some(&[alpha]), &ReportFilter::default(), None)
                .expect("count"),
            3
        );

        // Default order: severity descending, then id; paging is stable.
        let all = db.reports(&ReportQuery::default()).expect("all");
        assert_eq!(
            all.last().map(|r| r.severity),
            Some(Severity::Low),
            "{}",
            t.label
        );
        let page2 = db
            .reports(&ReportQuery {
                limit: Some(2),
                offset: 2,
                ..ReportQuery::default()
            })
            .expect("page");
        assert_eq!(
            page2.iter().map(|r| r.id).collect::<Vec<_>>(),
            all[2..4].iter().map(|r| r.id).collect::<Vec<_>>()
        );
        let by_file = db
            .reports(&ReportQuery {
                sort: Some(vec![ReportSort {
                    key: ReportSortKey::FileName,
                    descending: false,
                }]),
                ..ReportQuery::default()
            })
            .expect("by file");
        let keys: Vec<(String, i64)> = by_file
            .iter()
            .map(|r| (r.file_path.clone(), r.line))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{}", t.label);
        for key in [
            ReportSortKey::ReviewStatus,
            ReportSortKey::DetectionStatus,
            ReportSortKey::Testcase,
            ReportSortKey::CheckerName,
            ReportSortKey::BugPathLength,
        ] {
            let q = ReportQuery {
                sort: Some(vec![ReportSort {
                    key,
                    descending: true,
                }]),
                filter: ReportFilter {
                    is_unique: key == ReportSortKey::ReviewStatus,
                    ..ReportFilter::default()
                },
                ..ReportQuery::default()
            };
            assert!(
                !db.reports(&q).expect("sorted").is_empty(),
                "{}: {key:?}",
                t.label
            );
        }

        let runs = db
            .runs(
                &RunFilter {
                    names: Some(vec!["*a".into()]),
                    ..RunFilter::default()
                },
                Some(RunSort {
                    key: RunSortKey::Name,
                    descending: false,
                }),
                None,
                0,
            )
            .expect("runs");
        assert_eq!(
            runs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["alpha", "beta"]
        );
        let exact = RunFilter {
            names: Some(vec!["alph".into()]),
            exact_match: true,
            ..RunFilter::default()
        };
        assert_eq!(db.run_count(&exact).expect("count"), 0);
        let newest = db
            .runs(&RunFilter::default(), None, Some(1), 0)
            .expect("runs");
        assert_eq!(
            newest[0].name, "beta",
            "{}: newest first by default",
            t.label
        );
    }
}
