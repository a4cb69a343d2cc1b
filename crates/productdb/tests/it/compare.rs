//! Comparing runs, tags and dates (`CompareData`), the hashes of a local
//! directory against runs (`getDiffResultsHash`) and the review rules `cmd
//! diff` reads, as CodeChecker's server answers them.

use crate::common;

use common::*;
use productdb::{
    Compare, DetectionStatus as D, DiffHashQuery, DiffKind, ProductDb, ReportFilter, ReportQuery,
    ReportSort, ReviewRuleFilter, ReviewRuleSort, ReviewRuleSortKey, ReviewStatus as R,
};

/// `left` stored twice (tags `t1`: a b c x, then `t2`: a b c y, so x is
/// fixed and y new) and `right` once (b c d x).
struct Data {
    left: i64,
    right: i64,
    t1: i64,
    t2: i64,
}

fn files() -> Vec<productdb::StoreFile> {
    vec![file("/p/a.c", "a"), file("/p/b.c", "b")]
}

fn tagged(name: &str, tag: &str) -> productdb::StoreRun {
    productdb::StoreRun {
        tag: Some(tag.into()),
        ..run(name, &["core.A", "core.D"], &[])
    }
}

fn set_up(db: &ProductDb) -> Data {
    let r = |h: &str, line| report("/p/a.c", line, "core.A", h);
    let first = store(
        db,
        tagged("left", "t1"),
        files(),
        vec![r("a", 1), r("b", 2), r("c", 3), r("x", 4)],
    );
    let second = store(
        db,
        tagged("left", "t2"),
        files(),
        vec![r("a", 1), r("b", 2), r("c", 3), r("y", 5)],
    );
    let right = store(
        db,
        run("right", &["core.A", "core.D"], &[]),
        files(),
        vec![
            r("b", 2),
            r("c", 3),
            report("/p/b.c", 7, "core.D", "d"),
            r("x", 4),
        ],
    );
    Data {
        left: first.run_id,
        right: right.run_id,
        t1: first.run_history_id,
        t2: second.run_history_id,
    }
}

/// `(run name, bug hash)` of the reports `q` selects, sorted; checks that
/// the count agrees.
fn shown(db: &ProductDb, d: &Data, q: ReportQuery) -> Vec<(&'static str, String)> {
    let count = db
        .report_count(q.run_ids.as_deref(), &q.filter, q.compare.as_ref())
        .expect("count");
    let rows = db
        .reports(&ReportQuery {
            sort: Some(Vec::<ReportSort>::new()),
            ..q
        })
        .expect("reports");
    assert_eq!(count, rows.len() as i64, "count and rows agree");
    let mut out: Vec<_> = rows
        .into_iter()
        .map(|r| {
            let run = if r.run_id == d.left { "left" } else { "right" };
            assert!(r.run_id == d.left || r.run_id == d.right);
            (run, r.bug_hash)
        })
        .collect();
    out.sort();
    out
}

fn pairs(v: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut out: Vec<_> = v.iter().map(|(r, h)| (*r, (*h).to_owned())).collect();
    out.sort();
    out
}

fn cmp(
    runs: Option<Vec<i64>>,
    tags: Option<Vec<i64>>,
    date: Option<i64>,
    diff: DiffKind,
) -> Option<Compare> {
    Some(Compare {
        run_ids: runs,
        run_tags: tags,
        open_reports_date: date,
        diff,
    })
}

#[test]
fn run_against_run_tag_against_tag_and_dates() {
    for t in backends() {
        let db = &t.db;
        let d = set_up(db);
        let label = t.label;
        let runs = |base: i64, other: i64, diff, filter: ReportFilter| ReportQuery {
            run_ids: Some(vec![base]),
            filter,
            compare: cmp(Some(vec![other]), None, None, diff),
            ..ReportQuery::default()
        };
        // Open in left: a b c y; open in right: b c d x.
        let all = ReportFilter::default;
        assert_eq!(
            shown(db, &d, runs(d.left, d.right, DiffKind::New, all())),
            pairs(&[("right", "d"), ("right", "x")]),
            "{label}: new"
        );
        assert_eq!(
            shown(db, &d, runs(d.left, d.right, DiffKind::Resolved, all())),
            pairs(&[("left", "a"), ("left", "y")]),
            "{label}: resolved"
        );
        assert_eq!(
            shown(db, &d, runs(d.left, d.right, DiffKind::Unresolved, all())),
            pairs(&[("right", "b"), ("right", "c")]),
            "{label}: unresolved"
        );
        // The filter narrows the reports shown, not the sets compared.
        let checker = ReportFilter {
            checker_names: Some(vec!["core.D".into()]),
            ..all()
        };
        assert_eq!(
            shown(db, &d, runs(d.left, d.right, DiffKind::New, checker)),
            pairs(&[("right", "d")]),
            "{label}: new with a checker filter"
        );
        let unique = ReportFilter {
            is_unique: true,
            ..all()
        };
        assert_eq!(
            shown(db, &d, runs(d.right, d.left, DiffKind::Resolved, unique)),
            pairs(&[("right", "d"), ("right", "x")]),
            "{label}: resolved the other way, unique"
        );
        // An empty comparison is no comparison.
        let empty = ReportQuery {
            run_ids: Some(vec![d.right]),
            compare: cmp(Some(Vec::new()), None, Some(0), DiffKind::New),
            ..ReportQuery::default()
        };
        assert_eq!(shown(db, &d, empty).len(), 4, "{label}: empty comparison");

        // Tag against tag: open at t1 a b c x, at t2 a b c y; the reports
        // shown keep whatever detection status they have now.
        let tags = |diff, filter: ReportFilter| ReportQuery {
            run_ids: Some(vec![d.left]),
            filter: ReportFilter {
                run_tags: Some(vec![d.t1]),
                ..filter
            },
            compare: cmp(Some(vec![d.left]), Some(vec![d.t2]), None, diff),
            ..ReportQuery::default()
        };
        assert_eq!(
            shown(db, &d, tags(DiffKind::New, all())),
            pairs(&[("left", "y")]),
            "{label}: new since t1"
        );
        assert_eq!(
            shown(db, &d, tags(DiffKind::Resolved, all())),
            pairs(&[("left", "x")]),
            "{label}: resolved since t1"
        );
        assert_eq!(
            shown(db, &d, tags(DiffKind::Unresolved, all())),
            pairs(&[("left", "a"), ("left", "b"), ("left", "c")]),
            "{label}: unresolved since t1"
        );
        let open_only = ReportFilter {
            detection_statuses: Some(vec![D::New, D::Unresolved, D::Reopened]),
            ..all()
        };
        assert!(
            shown(db, &d, tags(DiffKind::Resolved, open_only)).is_empty(),
            "{label}: x is resolved now"
        );

        // Against the reports open at a date (far ahead: open now), in every
        // run since the comparison names none: right's and left's x.
        let later = chrono::Utc::now().timestamp() + 3600;
        let date = ReportQuery {
            run_ids: Some(vec![d.left]),
            compare: cmp(None, None, Some(later), DiffKind::New),
            ..ReportQuery::default()
        };
        assert_eq!(
            shown(db, &d, date),
            pairs(&[("left", "x"), ("right", "d"), ("right", "x")]),
            "{label}: new at a date"
        );
        // The base side at a date before anything was stored: all is new.
        let base_date = ReportQuery {
            run_ids: Some(vec![d.left]),
            filter: ReportFilter {
                open_reports_date: Some(1),
                ..all()
            },
            compare: cmp(Some(vec![d.right]), None, None, DiffKind::New),
            ..ReportQuery::default()
        };
        assert_eq!(
            shown(db, &d, base_date).len(),
            4,
            "{label}: base at the epoch"
        );
    }
}

/// The answer, sorted (only `New`'s comes sorted).
fn hashes(db: &ProductDb, q: DiffHashQuery) -> Vec<String> {
    let mut v = db.diff_hashes(&q).expect("diff hashes");
    v.sort();
    v
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn local_hashes_against_runs_and_tags() {
    for t in backends() {
        let db = &t.db;
        let d = set_up(db);
        let label = t.label;
        let q = |diff, tags: Option<Vec<i64>>, old: bool| DiffHashQuery {
            run_ids: Some(vec![d.left]),
            tag_ids: tags,
            hashes: strings(&["a", "b", "z"]),
            diff,
            skip_statuses: Vec::new(),
            before_api_6_50: old,
        };
        assert_eq!(hashes(db, q(DiffKind::New, None, false)), ["z"], "{label}");
        // Fixed reports (x) count as resolved even when listed.
        assert_eq!(
            hashes(db, q(DiffKind::Resolved, None, false)),
            ["c", "x", "y"],
            "{label}"
        );
        assert_eq!(
            hashes(db, q(DiffKind::Unresolved, None, false)),
            ["a", "b"],
            "{label}"
        );
        // At tag t1 (a b c x open).
        let t1 = Some(vec![d.t1]);
        assert_eq!(
            hashes(db, q(DiffKind::New, t1.clone(), false)),
            ["z"],
            "{label}"
        );
        assert_eq!(
            hashes(db, q(DiffKind::Resolved, t1.clone(), false)),
            ["c", "x"],
            "{label}"
        );
        assert_eq!(
            hashes(db, q(DiffKind::Unresolved, t1, false)),
            ["a", "b"],
            "{label}"
        );
        // Clients before API 6.50: only the list decides.
        assert_eq!(
            hashes(db, q(DiffKind::Resolved, None, true)),
            ["c", "x", "y"],
            "{label}"
        );
        let listed_x = DiffHashQuery {
            hashes: strings(&["a", "b", "c", "x", "y"]),
            ..q(DiffKind::Resolved, None, true)
        };
        assert!(hashes(db, listed_x).is_empty(), "{label}");
        // Skipped detection statuses: x (resolved) is absent by default.
        let x_new = DiffHashQuery {
            hashes: strings(&["x"]),
            ..q(DiffKind::New, None, true)
        };
        assert_eq!(hashes(db, x_new.clone()), ["x"], "{label}");
        let x_kept = DiffHashQuery {
            skip_statuses: vec![D::Off],
            ..x_new
        };
        assert!(hashes(db, x_kept).is_empty(), "{label}");
        // An empty list: every report of the run is resolved.
        let none = DiffHashQuery {
            hashes: Vec::new(),
            ..q(DiffKind::Resolved, None, false)
        };
        assert_eq!(hashes(db, none).len(), 5, "{label}");
    }
}

#[test]
fn long_hash_lists_stay_in_one_query() {
    for t in backends() {
        let db = &t.db;
        let d = set_up(db);
        let label = t.label;
        let mut many: Vec<String> = (0..40_000).map(|i| format!("h{i:05}")).collect();
        many.extend(strings(&["a", "b"]));
        let q = |diff| DiffHashQuery {
            run_ids: Some(vec![d.left]),
            tag_ids: None,
            hashes: many.clone(),
            diff,
            skip_statuses: Vec::new(),
            before_api_6_50: false,
        };
        assert_eq!(hashes(db, q(DiffKind::New)).len(), 40_000, "{label}");
        assert_eq!(
            hashes(db, q(DiffKind::Resolved)),
            ["c", "x", "y"],
            "{label}"
        );
        assert_eq!(hashes(db, q(DiffKind::Unresolved)), ["a", "b"], "{label}");
        let filter = ReportFilter {
            report_hashes: Some(many.clone()),
            ..ReportFilter::default()
        };
        let q = ReportQuery {
            run_ids: Some(vec![d.left]),
            filter,
            ..ReportQuery::default()
        };
        assert_eq!(
            shown(db, &d, q),
            pairs(&[("left", "a"), ("left", "b")]),
            "{label}"
        );

        db.set_review_rule("a", R::FalsePositive, "alice", "no")
            .expect("rule");
        db.set_review_rule("zz", R::Intentional, "bob", "later")
            .expect("rule");
        db.set_review_rule("b", R::Confirmed, "bob", "yes")
            .expect("rule");
        let filter =
            |hashes: Vec<String>, statuses: Option<Vec<R>>, authors: Option<Vec<String>>| {
                ReviewRuleFilter {
                    report_hashes: Some(hashes),
                    statuses,
                    authors,
                    no_associated_reports: false,
                }
            };
        let rules = db
            .review_rules(
                &filter(
                    many.clone(),
                    Some(vec![R::FalsePositive, R::Intentional]),
                    None,
                ),
                None,
                None,
                0,
            )
            .expect("rules");
        let found: Vec<_> = rules
            .iter()
            .map(|r| (r.rule.bug_hash.as_str(), r.associated_reports))
            .collect();
        assert_eq!(found, [("a", 1)], "{label}");
        let all = db
            .review_rules(
                &filter(strings(&["*"]), None, Some(strings(&["B*"]))),
                Some(ReviewRuleSort {
                    key: ReviewRuleSortKey::AssociatedReportsCount,
                    descending: true,
                }),
                None,
                0,
            )
            .expect("rules");
        let found: Vec<_> = all
            .iter()
            .map(|r| (r.rule.bug_hash.as_str(), r.associated_reports))
            .collect();
        assert_eq!(found, [("b", 2), ("zz", 0)], "{label}");
        let orphans = db
            .review_rules(
                &ReviewRuleFilter {
                    no_associated_reports: true,
                    ..ReviewRuleFilter::default()
                },
                None,
                None,
                0,
            )
            .expect("rules");
        assert_eq!(orphans.len(), 1, "{label}");
        assert_eq!(orphans[0].rule.bug_hash, "zz", "{label}");
    }
}
