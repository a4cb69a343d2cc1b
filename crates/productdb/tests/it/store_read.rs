//! A store is read back exactly: runs, history, reports with details,
//! files, analysis info and statistics.

use crate::common;

use common::*;
use productdb::{
    AnalyzerStatistic, DetectionStatus, ExtendedKind, PathMessage, ReportFilter, ReportQuery,
    ReviewStatus, RunFilter, RunHistoryFilter, Severity, StoreBlame, StoreFile,
};

fn rich_store(t: &TestDb) -> productdb::StoreOutcome {
    let mut run = run(
        "rich",
        &["core.DivideZero", "core.NullDereference"],
        &["deadcode.DeadStores"],
    );
    run.tag = Some("v1".into());
    run.description = Some("first".into());
    run.analyzer_statistics = vec![AnalyzerStatistic {
        analyzer: "clangsa".into(),
        version: Some("clang 18".into()),
        successful: 3,
        failed: 1,
        failed_files: vec!["/src/broken.c".into()],
    }];
    run.analyses[0].conf_files = vec![("skip_file".into(), b"-*/test/*".to_vec())];
    let mut main = file("/src/main.c", "int main() {\n  return 1/0;\n}\n");
    main.blame = Some(StoreBlame {
        info_json: Some(r#"{"commits":{},"blame":[]}"#.into()),
        remote_url: Some("https://git.example/x".into()),
        tracking_branch: Some("main".into()),
    });
    let header = file("/src/lib.h", "#define DIV(a,b) a/b\n");
    let mut r1 = report("/src/main.c", 2, "core.DivideZero", "hash-div");
    r1.events.push(PathMessage {
        range: range("/src/lib.h", 1, 9),
        message: "Division by zero".into(),
    });
    r1.notes = vec![PathMessage {
        range: range("/src/lib.h", 1, 1),
        message: "a note".into(),
    }];
    r1.macros = vec![PathMessage {
        range: range("/src/main.c", 2, 10),
        message: "1/0".into(),
    }];
    r1.annotations = vec![("testcase".into(), "tc1".into())];
    let r2 = reviewed(
        report("/src/lib.h", 1, "core.NullDereference", "hash-null"),
        ReviewStatus::Confirmed,
        "real",
        true,
    );
    // Same path hash as r1: de-duplicated.
    let dup = report("/src/main.c", 2, "core.DivideZero", "hash-div");
    let mut w = t.db.begin_store(run, Default::default()).expect("begin");
    w.add_files(vec![main, header]).expect("files");
    w.add_reports(vec![r1, r2, dup]).expect("reports");
    w.finish().expect("finish")
}

#[test]
fn a_store_reads_back() {
    for t in backends() {
        let out = rich_store(&t);
        assert_eq!(out.reports_stored, 2, "{}", t.label);
        assert_eq!(out.duplicates_skipped, 1, "{}", t.label);
        assert!(!out.updated_existing_run);

        let runs =
            t.db.runs(&RunFilter::default(), None, None, 0)
                .expect("runs");
        assert_eq!(runs.len(), 1);
        let r = &runs[0];
        assert_eq!(r.name, "rich");
        assert_eq!(r.id, out.run_id);
        assert_eq!(
            r.result_count, 2,
            "{}: unreviewed and confirmed reports are open",
            t.label
        );
        assert_eq!(r.detection_status_count, vec![(DetectionStatus::New, 2)]);
        assert_eq!(r.version_tag.as_deref(), Some("v1"));
        assert_eq!(r.cc_version.as_deref(), Some("6.29.1"));
        assert_eq!(r.description.as_deref(), Some("first"));
        assert_eq!(r.duration, 7);
        assert_eq!(r.analyzer_statistics.len(), 1);
        assert_eq!(
            r.analyzer_statistics[0].failed_files,
            vec!["/src/broken.c".to_string()]
        );

        let rows = detailed_reports_of(&t.db, out.run_id);
        assert_eq!(rows.len(), 2);
        let div = by_hash(&rows, "hash-div");
        assert_eq!(div.checker_name, "core.DivideZero");
        assert_eq!(div.analyzer_name, "clangsa");
        assert_eq!(div.severity, Severity::High);
        assert_eq!(div.file_path, "/src/main.c");
        assert_eq!((div.line, div.column), (2, 5));
        assert_eq!(div.bug_path_length, 2);
        assert_eq!(div.detection_status, DetectionStatus::New);
        assert_eq!(div.detected_at, out.stored_at);
        assert_eq!(div.fixed_at, None);
        assert_eq!(div.review.status, ReviewStatus::Unreviewed);
        assert_eq!(div.review.author.as_deref(), Some("alice"));
        assert_eq!(
            div.annotations,
            vec![("testcase".to_string(), "tc1".to_string())]
        );
        let d = div.details.as_ref().expect("details");
        assert_eq!(d.events.len(), 2);
        assert_eq!(d.events[1].message.as_deref(), Some("Division by zero"));
        assert_eq!(d.events[1].file_path, "/src/lib.h");
        assert_eq!(d.positions.len(), 1);
        assert_eq!(d.positions[0].message, None);
        assert_eq!(d.extended.len(), 2);
        assert_eq!(d.extended[0].0, ExtendedKind::Note);
        assert_eq!(d.extended[1].0, ExtendedKind::Macro);
        assert_eq!(d.extended[1].1.message.as_deref(), Some("1/0"));

        let null = by_hash(&rows, "hash-null");
        assert_eq!(null.review.status, ReviewStatus::Confirmed);
        assert_eq!(null.review.message.as_deref(), Some("real"));
        assert!(null.review.in_source);

        let src =
            t.db.source_file(div.file_id, true)
                .expect("file")
                .expect("exists");
        assert_eq!(
            src.content.as_deref(),
            Some(&b"int main() {\n  return 1/0;\n}\n"[..])
        );
        assert!(src.has_blame);
        assert_eq!(src.remote_url.as_deref(), Some("https://git.example/x"));
        assert_eq!(
            t.db.blame_info(div.file_id).expect("blame").as_deref(),
            Some(r#"{"commits":{},"blame":[]}"#)
        );

        let known = sha(b"#define DIV(a,b) a/b\n");
        let missing =
            t.db.missing_content_hashes(&[known.clone(), "nope".into()])
                .expect("missing");
        assert_eq!(missing, vec!["nope".to_string()]);
        let no_blame =
            t.db.missing_blame_hashes(std::slice::from_ref(&known))
                .expect("blame missing");
        assert_eq!(no_blame, vec![known]);

        let infos =
            t.db.analysis_info(Some(out.run_id), None, None, None, 0)
                .expect("info");
        assert_eq!(infos.len(), 1);
        assert_eq!(infos[0].command, "CodeChecker analyze -o reports");
        assert!(infos[0].checkers.contains(&(
            "clangsa".into(),
            "deadcode.DeadStores".into(),
            false
        )));
        assert!(infos[0]
            .checkers
            .contains(&("clangsa".into(), "core.DivideZero".into(), true)));
        let by_report =
            t.db.analysis_info(None, None, Some(div.id), None, 0)
                .expect("info");
        assert_eq!(by_report, infos);

        let hist =
            t.db.run_histories(Some(&[out.run_id]), &RunHistoryFilter::default(), None, 0)
                .expect("hist");
        assert_eq!(hist.len(), 1);
        assert_eq!(hist[0].user, "alice");
        assert_eq!(hist[0].time, out.stored_at);
        assert_eq!(hist[0].analyzer_statistics[0].successful, 3);
    }
}

#[test]
fn restores_update_the_run_and_move_the_tag() {
    for t in backends() {
        let first = rich_store(&t);
        let mut again = run("rich", &["core.DivideZero"], &[]);
        again.tag = Some("v1".into());
        again.description = Some("second".into());
        let second = store(
            &t.db,
            again,
            vec![file("/src/main.c", "int main() {\n  return 1/0;\n}\n")],
            vec![report("/src/main.c", 2, "core.DivideZero", "hash-div")],
        );
        assert!(second.updated_existing_run);
        assert_eq!(second.run_id, first.run_id);
        let hist =
            t.db.run_histories(None, &RunHistoryFilter::default(), None, 0)
                .expect("hist");
        assert_eq!(hist.len(), 2, "{}", t.label);
        assert_eq!(hist[0].id, second.run_history_id);
        assert_eq!(hist[0].version_tag.as_deref(), Some("v1"));
        assert_eq!(
            hist[1].version_tag, None,
            "{}: the older entry loses the tag",
            t.label
        );
        let tagged = RunHistoryFilter {
            tag_names: Some(vec!["v*".into()]),
            ..RunHistoryFilter::default()
        };
        assert_eq!(t.db.run_history_count(None, &tagged).expect("count"), 1);
        let runs =
            t.db.runs(&RunFilter::default(), None, None, 0)
                .expect("runs");
        assert_eq!(runs[0].description.as_deref(), Some("second"));
        assert_eq!(runs[0].date, second.stored_at);
        // Content stored once although uploaded twice.
        let files =
            t.db.missing_content_hashes(&[sha(b"int main() {\n  return 1/0;\n}\n")])
                .expect("m");
        assert!(files.is_empty());
    }
}

#[test]
fn reports_of_files_without_content_are_skipped() {
    for t in backends() {
        let unknown = StoreFile {
            path: "/src/gone.c".into(),
            content_hash: sha(b"never uploaded"),
            content: None,
            blame: None,
        };
        let out = store(
            &t.db,
            run("skips", &["core.X"], &[]),
            vec![unknown, file("/src/ok.c", "ok")],
            vec![
                report("/src/gone.c", 1, "core.X", "h1"),
                report("/src/ok.c", 1, "core.X", "h2"),
            ],
        );
        assert_eq!(
            (out.reports_stored, out.missing_file_skipped),
            (1, 1),
            "{}",
            t.label
        );
        // A later store may reference the content by hash only.
        let known = StoreFile {
            path: "/src/renamed.c".into(),
            content_hash: sha(b"ok"),
            content: None,
            blame: None,
        };
        let out = store(
            &t.db,
            run("skips2", &["core.X"], &[]),
            vec![known],
            vec![report("/src/renamed.c", 1, "core.X", "h3")],
        );
        assert_eq!(out.reports_stored, 1);
        let filter = ReportFilter {
            file_paths: Some(vec!["*renamed*".into()]),
            ..ReportFilter::default()
        };
        assert_eq!(t.db.report_count(None, &filter, None).expect("count"), 1);
        let q = ReportQuery {
            filter,
            ..ReportQuery::default()
        };
        assert_eq!(t.db.reports(&q).expect("reports")[0].bug_hash, "h3");
    }
}

#[derive(diesel::QueryableByName)]
struct Tuples {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// A store of 1,000 reports or more refreshes PostgreSQL's statistics of the
/// reports table (`pg_class.reltuples` stays -1, "never analysed", until
/// then), so that the planner compares a freshly stored run quickly.
#[test]
fn large_stores_refresh_the_planner_statistics() {
    use diesel::{Connection as _, RunQueryDsl as _};
    for t in backends() {
        let label = t.label;
        let files = vec![file("/src/big.c", "int big;\n")];
        let reports: Vec<_> = (0..1_000)
            .map(|i| {
                report(
                    "/src/big.c",
                    i + 1,
                    "core.DivideZero",
                    &format!("big{i:04}"),
                )
            })
            .collect();
        let outcome = store(&t.db, run("big", &["core.DivideZero"], &[]), files, reports);
        assert_eq!(outcome.reports_stored, 1_000, "{label}");
        if label != "postgres" {
            continue;
        }
        let mut conn = diesel::PgConnection::establish(&t.url).expect("connect");
        let rows: Vec<Tuples> = diesel::sql_query(
            "SELECT CAST(reltuples AS BIGINT) AS n FROM pg_class WHERE relname = 'reports'",
        )
        .load(&mut conn)
        .expect("pg_class");
        assert_eq!(rows.first().map(|r| r.n), Some(1_000), "{label}");
    }
}
