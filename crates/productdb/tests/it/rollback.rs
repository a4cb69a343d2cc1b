//! The report limit, cancellation and failures leave the database exactly
//! as it was; the run lock is released.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::*;
use productdb::{Error, ProductDb, ReportQuery, RunFilter, RunHistoryFilter, StoreHooks};

/// Everything a user could see of the database.
fn snapshot(db: &ProductDb) -> String {
    let runs = db.runs(&RunFilter::default(), None, None, 0).expect("runs");
    let hist = db
        .run_histories(None, &RunHistoryFilter::default(), None, 0)
        .expect("hist");
    let reports = db
        .reports(&ReportQuery {
            with_details: true,
            sort: Some(Vec::new()),
            ..ReportQuery::default()
        })
        .expect("reports");
    let missing = db
        .missing_content_hashes(&[sha(b"a"), sha(b"fresh")])
        .expect("hashes");
    format!("{runs:?}\n{hist:?}\n{reports:?}\n{missing:?}")
}

fn base(db: &ProductDb) {
    store(
        db,
        run("limited", &["A"], &[]),
        vec![file("/p/a.c", "a")],
        vec![report("/p/a.c", 1, "A", "x"), report("/p/a.c", 2, "A", "y")],
    );
}

#[test]
fn report_limit_rejects_and_writes_nothing() {
    for t in backends() {
        let db = &t.db;
        base(db);
        let before = snapshot(db);
        let mut r = run("limited", &["A"], &[]);
        r.report_limit = Some(2);
        r.force = true;
        let mut w = db.begin_store(r, StoreHooks::default()).expect("begin");
        w.add_files(vec![file("/p/a.c", "a"), file("/p/fresh.c", "fresh")])
            .expect("files");
        let err = w
            .add_reports(vec![
                report("/p/a.c", 1, "A", "x"),
                report("/p/a.c", 2, "A", "y"),
                report("/p/fresh.c", 3, "A", "z"),
            ])
            .expect_err("over the limit");
        assert!(
            matches!(err, Error::ReportLimitExceeded { limit: 2 }),
            "{}: {err}",
            t.label
        );
        assert!(err.to_string().contains("Report Limit Exceeded"));
        assert!(w.finish().is_err(), "a failed store cannot be committed");
        assert_eq!(snapshot(db), before, "{}", t.label);

        // Exactly at the limit is fine, and the lock was released.
        let mut r = run("limited", &["A"], &[]);
        r.report_limit = Some(2);
        let out = store(
            db,
            r,
            vec![file("/p/a.c", "a")],
            vec![report("/p/a.c", 1, "A", "x"), report("/p/a.c", 5, "A", "w")],
        );
        assert_eq!(out.reports_stored, 2);
    }
}

#[test]
fn cancel_between_batches_rolls_back() {
    for t in backends() {
        let db = &t.db;
        base(db);
        let before = snapshot(db);
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = asked.clone();
        let hooks = StoreHooks {
            // Cancel at the third question (begin, files, then reports).
            should_cancel: Some(Box::new(move || {
                counter.fetch_add(1, Ordering::SeqCst) >= 2
            })),
            progress: None,
        };
        let mut r = run("limited", &["A"], &[]);
        r.force = true;
        let mut w = db.begin_store(r, hooks).expect("begin");
        w.add_files(vec![file("/p/fresh.c", "fresh")])
            .expect("files");
        let err = w
            .add_reports(vec![report("/p/fresh.c", 1, "A", "z")])
            .expect_err("cancelled");
        assert!(matches!(err, Error::Cancelled), "{}: {err}", t.label);
        drop(w);
        assert_eq!(snapshot(db), before, "{}", t.label);
        assert!(db.locked_runs().expect("locks").is_empty());
    }
}

#[test]
fn dropping_or_failing_a_store_rolls_back() {
    for t in backends() {
        let db = &t.db;
        base(db);
        let before = snapshot(db);
        {
            let mut w = db
                .begin_store(run("limited", &["A"], &[]), StoreHooks::default())
                .expect("begin");
            w.add_files(vec![file("/p/fresh.c", "fresh")])
                .expect("files");
            w.add_reports(vec![report("/p/fresh.c", 1, "A", "z")])
                .expect("reports");
            // Dropped without finish.
        }
        assert_eq!(snapshot(db), before, "{}: dropped", t.label);
        {
            let mut w = db
                .begin_store(run("other", &["A"], &[]), StoreHooks::default())
                .expect("begin");
            w.add_files(vec![file("/p/fresh.c", "fresh")])
                .expect("files");
            w.add_reports(vec![report("/p/fresh.c", 1, "A", "z")])
                .expect("reports");
            w.abort();
        }
        assert_eq!(snapshot(db), before, "{}: aborted", t.label);
        let progress = Arc::new(AtomicUsize::new(0));
        let seen = progress.clone();
        let hooks = StoreHooks {
            should_cancel: None,
            progress: Some(Box::new(move |p| {
                seen.store(p.reports_stored as usize, Ordering::SeqCst)
            })),
        };
        let mut w = db
            .begin_store(run("limited", &["A"], &[]), hooks)
            .expect("begin");
        w.add_files(vec![file("/p/a.c", "a")]).expect("files");
        w.add_reports(vec![report("/p/a.c", 1, "A", "x")])
            .expect("reports");
        assert_eq!(progress.load(Ordering::SeqCst), 1);
        w.finish().expect("finish");
        assert_ne!(snapshot(db), before);
    }
}
