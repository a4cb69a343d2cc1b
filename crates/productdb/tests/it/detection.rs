//! Detection statuses across stores of a run, exactly as CodeChecker
//! decides them: new, unresolved, resolved, reopened, off, unavailable;
//! fixed-at times; `--force`.

use crate::common;

use common::*;
use productdb::{DetectionStatus as D, ReportFilter, RunFilter, RunHistoryFilter};

fn files() -> Vec<productdb::StoreFile> {
    vec![file("/p/a.c", "a"), file("/p/b.c", "b")]
}

#[test]
fn six_statuses_with_fixed_at_times() {
    for t in backends() {
        let db = &t.db;
        let first = store(
            db,
            run("evolve", &["A", "B", "C", "D"], &[]),
            files(),
            vec![
                report("/p/a.c", 1, "A", "a"),
                report("/p/a.c", 2, "B", "b"),
                report("/p/b.c", 3, "C", "c"),
                report("/p/b.c", 4, "D", "d"),
                report("/p/b.c", 5, "clang-diagnostic-unused", "e"),
                report("/p/a.c", 6, "A", "r"),
            ],
        );
        let rows = reports_of(db, first.run_id);
        assert!(
            rows.iter().all(|r| r.detection_status == D::New),
            "{}",
            t.label
        );

        // B disabled, D not run at all, C/A enabled but their reports gone.
        let second = store(
            db,
            run("evolve", &["A", "C"], &["B"]),
            files(),
            vec![report("/p/a.c", 1, "A", "a"), report("/p/b.c", 9, "A", "n")],
        );
        let rows = reports_of(db, second.run_id);
        let expect = [
            ("a", D::Unresolved),
            ("n", D::New),
            ("b", D::Off),
            ("c", D::Resolved),
            ("d", D::Unavailable),
            ("e", D::Resolved),
            ("r", D::Resolved),
        ];
        for (hash, status) in expect {
            assert_eq!(
                by_hash(&rows, hash).detection_status,
                status,
                "{}: {hash}",
                t.label
            );
        }
        assert_eq!(rows.len(), 7);
        assert_eq!(
            by_hash(&rows, "a").detected_at,
            first.stored_at,
            "kept from the first store"
        );
        assert_eq!(by_hash(&rows, "a").fixed_at, None);
        assert_eq!(by_hash(&rows, "n").detected_at, second.stored_at);
        for hash in ["b", "c", "d", "e", "r"] {
            assert_eq!(
                by_hash(&rows, hash).fixed_at,
                Some(second.stored_at),
                "{}: {hash}",
                t.label
            );
        }

        let third = store(
            db,
            run("evolve", &["A", "B", "C"], &[]),
            files(),
            vec![
                report("/p/a.c", 1, "A", "a"),
                report("/p/a.c", 6, "A", "r"),
                report("/p/a.c", 2, "B", "b"),
            ],
        );
        let rows = reports_of(db, third.run_id);
        assert_eq!(by_hash(&rows, "a").detection_status, D::Unresolved);
        assert_eq!(
            by_hash(&rows, "r").detection_status,
            D::Reopened,
            "{}",
            t.label
        );
        assert_eq!(by_hash(&rows, "r").detected_at, first.stored_at);
        assert_eq!(by_hash(&rows, "r").fixed_at, None);
        assert_eq!(
            by_hash(&rows, "b").detection_status,
            D::Unresolved,
            "off comes back unresolved"
        );
        assert_eq!(by_hash(&rows, "c").detection_status, D::Resolved);
        assert_eq!(
            by_hash(&rows, "c").fixed_at,
            Some(second.stored_at),
            "fixed-at is kept"
        );
        assert_eq!(by_hash(&rows, "n").detection_status, D::Resolved);
        assert_eq!(by_hash(&rows, "n").fixed_at, Some(third.stored_at));
        // D is not enabled in the third store: still unavailable.
        assert_eq!(by_hash(&rows, "d").detection_status, D::Unavailable);

        let run = &db.runs(&RunFilter::default(), None, None, 0).expect("runs")[0];
        assert_eq!(run.result_count, 3, "{}: a, r, b are open", t.label);
        let total: i64 = run.detection_status_count.iter().map(|(_, n)| n).sum();
        assert_eq!(total, 7);

        let only = ReportFilter {
            detection_statuses: Some(vec![D::Resolved]),
            ..ReportFilter::default()
        };
        assert_eq!(
            db.report_count(Some(&[third.run_id]), &only, None)
                .expect("count"),
            3
        );
    }
}

#[test]
fn force_replaces_the_run() {
    for t in backends() {
        let db = &t.db;
        let first = store(
            db,
            run("forced", &["A"], &[]),
            files(),
            vec![report("/p/a.c", 1, "A", "a"), report("/p/a.c", 2, "A", "b")],
        );
        let mut again = run("forced", &["A"], &[]);
        again.force = true;
        let second = store(db, again, files(), vec![report("/p/a.c", 1, "A", "a")]);
        assert!(second.updated_existing_run);
        // The run row is recreated (SQLite may hand out the same id again).
        assert_eq!(db.run_id("forced").expect("id"), Some(second.run_id));
        let rows = reports_of(db, second.run_id);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].detection_status, D::New);
        assert_eq!(rows[0].detected_at, second.stored_at);
        let everything = db
            .report_count(None, &ReportFilter::default(), None)
            .expect("count");
        assert_eq!(everything, 1, "{}: the old results are gone", t.label);
        let _ = first;
        let hist = db
            .run_histories(None, &RunHistoryFilter::default(), None, 0)
            .expect("hist");
        assert_eq!(hist.len(), 1);
        assert_eq!(db.run_count(&RunFilter::default()).expect("count"), 1);
    }
}

#[test]
fn same_bug_hash_twice_and_unknown_checkers() {
    for t in backends() {
        let db = &t.db;
        // Two reports with one bug hash but different paths are both kept;
        // a checker missing from metadata.json gets a row of its own.
        let first = store(
            db,
            run("twins", &["A"], &[]),
            files(),
            vec![
                report("/p/a.c", 1, "A", "same"),
                report("/p/b.c", 7, "Z.unknown", "same"),
            ],
        );
        let rows = reports_of(db, first.run_id);
        assert_eq!(rows.len(), 2, "{}", t.label);
        assert!(rows.iter().any(|r| r.checker_name == "Z.unknown"));
        let second = store(
            db,
            run("twins", &["A"], &[]),
            files(),
            vec![report("/p/a.c", 1, "A", "same")],
        );
        let rows = reports_of(db, second.run_id);
        assert_eq!(
            rows.len(),
            1,
            "{}: both old ones are replaced by hash",
            t.label
        );
        assert_eq!(rows[0].detection_status, D::Unresolved);
    }
}

#[test]
fn removed_runs_leave_no_reports() {
    for t in backends() {
        let db = &t.db;
        let keep = store(
            db,
            run("keep", &["A"], &[]),
            files(),
            vec![report("/p/a.c", 1, "A", "k")],
        );
        let gone = store(
            db,
            run("gone", &["A"], &[]),
            files(),
            vec![report("/p/a.c", 1, "A", "g")],
        );
        let lock = db.acquire_run_lock("gone", "alice").expect("lock");
        assert!(
            matches!(
                db.remove_runs(&[gone.run_id]),
                Err(productdb::Error::RunsLocked { .. })
            ),
            "{}",
            t.label
        );
        db.release_run_lock(&lock).expect("release");
        assert_eq!(db.remove_runs(&[gone.run_id, 999_999]).expect("remove"), 1);
        assert_eq!(db.run_count(&RunFilter::default()).expect("count"), 1);
        assert_eq!(
            db.report_count(None, &ReportFilter::default(), None)
                .expect("count"),
            1
        );
        assert_eq!(reports_of(db, keep.run_id)[0].bug_hash, "k");
        let hist = db
            .run_histories(None, &RunHistoryFilter::default(), None, 0)
            .expect("hist");
        assert_eq!(hist.len(), 1);
    }
}
