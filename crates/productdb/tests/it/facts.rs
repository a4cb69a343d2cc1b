//! The in-memory report facts (`read::facts`) answer every count and page
//! exactly as SQL does: one SQLite database opened twice, once with the
//! facts and once without, asked the same questions over several stores,
//! review changes and comparisons.

use crate::common;

use common::*;
use productdb::{
    Compare, CountQuery, DetectionStatus as D, DiffKind, OpenOptions, ProductDb, ReportFilter,
    ReportQuery, ReportSort, ReportSortKey as K, ReportStatus, ReviewRuleChange, ReviewStatus as R,
    RunHistoryFilter, Severity, StoreReport, TimeInterval,
};

const FILES: [&str; 4] = ["/src/a/x.c", "/src/a/y.c", "/src/b/z.c", "/lib/w.c"];
const CHECKERS: [(&str, &str, Severity); 5] = [
    ("clangsa", "core.DivideZero", Severity::High),
    ("clangsa", "core.NullDereference", Severity::High),
    ("clangsa", "deadcode.DeadStores", Severity::Low),
    ("clang-tidy", "bugprone-branch-clone", Severity::Medium),
    ("clang-tidy", "misc-unused", Severity::Style),
];

/// A small deterministic generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// `count` reports drawn from a pool of `pool` bug hashes.
fn reports(rng: &mut Lcg, count: usize, pool: u64) -> Vec<StoreReport> {
    (0..count)
        .map(|_| {
            let h = rng.next(pool);
            // Mostly one checker per hash, sometimes another one, so that
            // "the greatest value per hash" matters in unique mode.
            let (analyzer, checker, severity) = CHECKERS[((h + rng.next(2)) % 5) as usize];
            let path = FILES[rng.next(4) as usize];
            let mut r = report(
                path,
                1 + rng.next(50) as i64,
                checker,
                &format!("hash{h:02}"),
            );
            r.analyzer = analyzer.into();
            r.severity = severity;
            r.message = format!("message {}", (h + rng.next(2)) % 7);
            for _ in 0..rng.next(3) {
                r.events.push(r.events[0].clone());
            }
            match rng.next(9) {
                0 => reviewed(r, R::FalsePositive, "fp", true),
                1 => reviewed(r, R::Intentional, "on purpose", true),
                2 => reviewed(r, R::Confirmed, "yes", true),
                _ => r,
            }
        })
        .collect()
}

fn store_run(db: &ProductDb, name: &str, tag: &str, rng: &mut Lcg, count: usize, pool: u64) {
    let names: Vec<&str> = CHECKERS.iter().map(|c| c.1).collect();
    let mut input = run(name, &names, &[]);
    for (i, c) in input.analyses[0].checkers.iter_mut().enumerate() {
        c.analyzer = CHECKERS[i].0.into();
        c.severity = CHECKERS[i].2;
    }
    input.tag = Some(tag.into());
    let files = FILES.iter().map(|p| file(p, &format!("// {p}"))).collect();
    store(db, input, files, reports(rng, count, pool));
}

fn filters(tags: &[i64], some_time: i64) -> Vec<ReportFilter> {
    let f = ReportFilter::default;
    let strings = |v: &[&str]| Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let outstanding = ReportFilter {
        review_statuses: Some(vec![R::Unreviewed, R::Confirmed]),
        detection_statuses: Some(vec![D::New, D::Reopened, D::Unresolved]),
        ..f()
    };
    let mut out = vec![
        f(),
        outstanding.clone(),
        ReportFilter {
            severities: Some(vec![Severity::High, Severity::Style]),
            ..f()
        },
        ReportFilter {
            checker_names: strings(&["core.*"]),
            ..f()
        },
        ReportFilter {
            analyzer_names: strings(&["clang-tidy"]),
            ..f()
        },
        ReportFilter {
            file_paths: strings(&["*/a/*", "/lib/w.c"]),
            ..f()
        },
        ReportFilter {
            run_names: strings(&["first"]),
            ..f()
        },
        ReportFilter {
            run_names: strings(&["sec*", "nothing"]),
            is_unique: true,
            ..f()
        },
        ReportFilter {
            report_statuses: Some(vec![ReportStatus::Outstanding]),
            ..f()
        },
        ReportFilter {
            report_statuses: Some(vec![ReportStatus::Closed]),
            ..f()
        },
        ReportFilter {
            detection_statuses: Some(vec![D::Resolved, D::New]),
            ..f()
        },
        ReportFilter {
            report_hashes: strings(&["hash01", "hash07", "hash12"]),
            ..f()
        },
        ReportFilter {
            report_hashes: Some(Vec::new()),
            ..f()
        },
        ReportFilter {
            bug_path_length: Some((Some(2), Some(3))),
            ..f()
        },
        ReportFilter {
            run_tags: Some(tags.to_vec()),
            ..f()
        },
        ReportFilter {
            open_reports_date: Some(some_time),
            ..f()
        },
        ReportFilter {
            detected: Some(TimeInterval {
                before: Some(some_time),
                after: None,
            }),
            fixed: Some(TimeInterval {
                before: None,
                after: Some(some_time - 3600),
            }),
            ..f()
        },
        ReportFilter {
            first_detection_date: Some(some_time - 1),
            ..f()
        },
    ];
    let uniques: Vec<ReportFilter> = out
        .iter()
        .map(|x| ReportFilter {
            is_unique: true,
            ..x.clone()
        })
        .collect();
    out.extend(uniques);
    out
}

fn sorts() -> Vec<Option<Vec<ReportSort>>> {
    let s = |key, descending| ReportSort { key, descending };
    vec![
        None,
        Some(Vec::new()),
        Some(vec![s(K::FileName, false)]),
        Some(vec![s(K::CheckerName, true), s(K::Severity, false)]),
        Some(vec![s(K::ReviewStatus, false), s(K::DetectionStatus, true)]),
        Some(vec![s(K::BugPathLength, true)]),
    ]
}

/// Every answer of `db` to one scope, as text.
fn answers(
    db: &ProductDb,
    run_ids: &[i64],
    filter: &ReportFilter,
    compare: Option<&Compare>,
) -> String {
    let q = CountQuery {
        run_ids: Some(run_ids.to_vec()),
        filter: filter.clone(),
        compare: compare.cloned(),
        limit: Some(3),
        offset: 1,
    };
    let all = CountQuery {
        limit: None,
        offset: 0,
        ..q.clone()
    };
    let mut out = format!(
        "count {}\n",
        db.report_count(Some(run_ids), filter, compare).unwrap()
    );
    out += &format!("checkers {:?}\n", db.checker_counts(&all).unwrap());
    out += &format!("checkers paged {:?}\n", db.checker_counts(&q).unwrap());
    out += &format!("severities {:?}\n", db.severity_counts(&all).unwrap());
    out += &format!("analyzers {:?}\n", db.analyzer_name_counts(&all).unwrap());
    out += &format!("messages {:?}\n", db.checker_msg_counts(&q).unwrap());
    out += &format!("files {:?}\n", db.file_counts(&all).unwrap());
    out += &format!("files paged {:?}\n", db.file_counts(&q).unwrap());
    out += &format!("file summary {:?}\n", db.file_count_summary(&all).unwrap());
    out += &format!(
        "file summary paged {:?}\n",
        db.file_count_summary(&q).unwrap()
    );
    out += &format!(
        "detection {:?}\n",
        db.detection_status_counts(&all).unwrap()
    );
    out += &format!("review {:?}\n", db.review_status_counts(&all).unwrap());
    out += &format!("status {:?}\n", db.report_status_counts(&all).unwrap());
    out += &format!("tags {:?}\n", db.run_history_tag_counts(&all).unwrap());
    out += &format!("runs {:?}\n", db.run_report_counts(&all).unwrap());
    out += &format!("runs paged {:?}\n", db.run_report_counts(&q).unwrap());
    out += &format!("tags paged {:?}\n", db.run_history_tag_counts(&q).unwrap());
    if compare.is_none() {
        out += &format!(
            "verification {:?}\n",
            db.checker_status_details(Some(run_ids), filter.is_unique)
                .unwrap()
        );
    }
    for sort in sorts() {
        for (limit, offset) in [(None, 0), (Some(4), 3)] {
            let rows = db
                .reports(&ReportQuery {
                    run_ids: Some(run_ids.to_vec()),
                    filter: filter.clone(),
                    sort: sort.clone(),
                    limit,
                    offset,
                    with_details: false,
                    compare: compare.cloned(),
                })
                .unwrap();
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            out += &format!("page {sort:?} {limit:?} {offset}: {ids:?}\n");
        }
    }
    out
}

fn assert_same(facts: &ProductDb, sql: &ProductDb, runs: &[Vec<i64>], tags: &[i64], time: i64) {
    let run_list = |db: &ProductDb| {
        let by_count = productdb::RunSort {
            key: productdb::RunSortKey::UnresolvedReports,
            descending: true,
        };
        format!(
            "{:?}\n{:?}",
            db.runs(&productdb::RunFilter::default(), None, None, 0)
                .unwrap(),
            db.runs(&productdb::RunFilter::default(), Some(by_count), None, 0)
                .unwrap()
        )
    };
    assert_eq!(run_list(facts), run_list(sql), "the run list");
    let compares = [
        None,
        Some((DiffKind::New, runs[1].clone(), None)),
        Some((DiffKind::Resolved, runs[1].clone(), None)),
        Some((DiffKind::Unresolved, runs[1].clone(), None)),
        Some((DiffKind::Resolved, Vec::new(), Some(tags[1..].to_vec()))),
    ];
    for scope in runs {
        for filter in filters(tags, time) {
            // Without run ids only a run name filter lets the facts answer.
            if scope.is_empty() && filter.run_names.is_none() {
                continue;
            }
            for cmp in &compares {
                if scope.is_empty() && cmp.is_some() {
                    continue;
                }
                let compare = cmp.as_ref().map(|(diff, run_ids, run_tags)| Compare {
                    run_ids: Some(run_ids.clone()),
                    run_tags: run_tags.clone(),
                    open_reports_date: None,
                    diff: *diff,
                });
                let (filter, scope) = match cmp {
                    // Tag against tag: the base is the first tag.
                    Some((_, _, Some(_))) => (
                        ReportFilter {
                            run_tags: Some(tags[..1].to_vec()),
                            ..filter.clone()
                        },
                        Vec::new(),
                    ),
                    _ => (filter.clone(), scope.clone()),
                };
                let expected = answers(sql, &scope, &filter, compare.as_ref());
                let got = answers(facts, &scope, &filter, compare.as_ref());
                assert_eq!(
                    got, expected,
                    "runs {scope:?}, filter {filter:?}, compare {compare:?}"
                );
            }
        }
    }
    // Now with every run's facts in memory.
    assert_eq!(run_list(facts), run_list(sql), "the run list");
}

#[test]
fn facts_answer_as_sql_does_and_follow_every_write_sqlite() {
    facts_agree_with_sql(&sqlite(OpenOptions::default()));
}

#[test]
fn facts_answer_as_sql_does_and_follow_every_write_postgres() {
    // Skipped only where PostgreSQL is unreachable outside CI (`common`).
    if let Some(t) = postgres(OpenOptions::default()) {
        facts_agree_with_sql(&t);
    }
}

fn facts_agree_with_sql(t: &TestDb) {
    let facts = &t.db;
    let sql = ProductDb::open_with(
        &t.url,
        OpenOptions {
            facts_cache: false,
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let mut rng = Lcg(7);
    store_run(facts, "first", "v1", &mut rng, 40, 30);
    store_run(facts, "first", "v2", &mut rng, 40, 30);
    store_run(facts, "second", "s1", &mut rng, 30, 40);
    let id = |name: &str| {
        facts
            .run_ids_matching(&productdb::RunFilter {
                names: Some(vec![name.into()]),
                exact_match: true,
                ..productdb::RunFilter::default()
            })
            .unwrap()[0]
    };
    let (first, second) = (id("first"), id("second"));
    let histories = facts
        .run_histories(Some(&[first]), &RunHistoryFilter::default(), None, 0)
        .unwrap();
    let mut tags: Vec<i64> = histories.iter().map(|h| h.id).collect();
    tags.sort_unstable();
    let time = histories[0].time.timestamp();
    // No run ids at all: every run, or those a run name filter names (as
    // the web UI asks for its per-run counts).
    let runs = vec![vec![second], vec![first, second, first], Vec::new()];

    let before = facts.facts_answered();
    assert_same(facts, &sql, &runs, &tags, time);
    assert!(
        facts.facts_answered() > before + 1000,
        "{}: the facts answered only {} questions",
        t.label,
        facts.facts_answered() - before
    );
    assert_eq!(sql.facts_answered(), 0);

    // A review status changed through the other handle, then a new store
    // through this one: the facts see both.
    sql.add_review_rule(&ReviewRuleChange {
        bug_hash: "hash03".into(),
        status: R::FalsePositive,
        message: Some("not a bug".into()),
        author: "bob".into(),
        date: None,
    })
    .unwrap();
    assert_same(facts, &sql, &runs, &tags, time);
    store_run(&sql, "second", "s2", &mut rng, 20, 40);
    assert_same(facts, &sql, &runs, &tags, time);
}
