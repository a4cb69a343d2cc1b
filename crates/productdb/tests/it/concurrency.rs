//! Run locks: concurrent stores of one run serialize, a stale lock expires,
//! different runs store side by side.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use productdb::{DetectionStatus, Error, OpenOptions, StoreHooks};

#[test]
fn a_second_store_of_a_run_is_refused_or_waits() {
    for t in backends() {
        let db = t.db.clone();
        let mut a = db
            .begin_store(run("shared", &["A"], &[]), StoreHooks::default())
            .expect("begin a");
        a.add_files(vec![file("/p/a.c", "a")]).expect("files");
        a.add_reports(vec![report("/p/a.c", 1, "A", "x")])
            .expect("reports");

        // Refused at once, naming the holder.
        let err = db
            .begin_store(run("shared", &["A"], &[]), StoreHooks::default())
            .expect_err("locked");
        match &err {
            Error::RunLocked {
                holder, run_name, ..
            } => {
                assert_eq!(
                    (holder.as_str(), run_name.as_str()),
                    ("alice", "shared"),
                    "{}",
                    t.label
                )
            }
            other => panic!("{}: expected RunLocked, got {other}", t.label),
        }

        // A waiting store runs after the first one commits.
        let db2 = db.clone();
        let waiter = std::thread::spawn(move || {
            let mut r = run("shared", &["A"], &[]);
            r.lock_wait = Duration::from_secs(30);
            let started = Instant::now();
            let out = store(
                &db2,
                r,
                vec![file("/p/a.c", "a")],
                vec![report("/p/a.c", 1, "A", "x")],
            );
            (out, started.elapsed())
        });
        std::thread::sleep(Duration::from_millis(400));
        let first = a.finish().expect("finish a");
        let (second, waited) = waiter.join().expect("waiter");
        assert!(
            waited >= Duration::from_millis(300),
            "{}: waited {waited:?}",
            t.label
        );
        assert_eq!(second.run_id, first.run_id);
        assert!(second.stored_at > first.stored_at);
        let rows = reports_of(&db, second.run_id);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].detection_status,
            DetectionStatus::Unresolved,
            "{}",
            t.label
        );
        assert!(db.locked_runs().expect("locks").is_empty());
    }
}

#[test]
fn a_stale_lock_expires() {
    let opts = || OpenOptions {
        run_lock_timeout: Duration::from_millis(800),
        ..OpenOptions::default()
    };
    for t in backends_with(opts) {
        // A store that died: its lock stays behind.
        let lock = t.db.acquire_run_lock("crashed", "mallory").expect("lock");
        assert_eq!(
            t.db.locked_runs().expect("locks"),
            vec!["crashed".to_string()]
        );
        let err =
            t.db.begin_store(run("crashed", &["A"], &[]), StoreHooks::default())
                .expect_err("fresh lock");
        assert!(
            matches!(err, Error::RunLocked { ref holder, .. } if holder == "mallory"),
            "{}",
            t.label
        );
        std::thread::sleep(Duration::from_millis(1000));
        assert!(t.db.locked_runs().expect("locks").is_empty());
        let out = store(
            &t.db,
            run("crashed", &["A"], &[]),
            vec![file("/p/a.c", "a")],
            vec![report("/p/a.c", 1, "A", "x")],
        );
        assert_eq!(out.reports_stored, 1, "{}", t.label);
        // The dead store's late release does not disturb anyone.
        t.db.release_run_lock(&lock).expect("release");
    }
}

#[test]
fn a_lock_taken_early_is_used_by_the_store() {
    for t in backends() {
        let lock = t.db.acquire_run_lock("early", "alice").expect("lock");
        assert!(
            t.db.acquire_run_lock("early", "bob").is_err(),
            "{}",
            t.label
        );
        let mut r = run("early", &["A"], &[]);
        r.run_lock = Some(lock);
        store(
            &t.db,
            r,
            vec![file("/p/a.c", "a")],
            vec![report("/p/a.c", 1, "A", "x")],
        );
        assert!(t.db.locked_runs().expect("locks").is_empty(), "{}", t.label);
    }
}

#[test]
fn different_runs_store_concurrently() {
    for t in backends() {
        let handles: Vec<_> = (0..3)
            .map(|i| {
                let db = t.db.clone();
                std::thread::spawn(move || {
                    let name = format!("run{i}");
                    let reports = (0..200)
                        .map(|n| report("/p/shared.c", n, "A", &format!("{name}-{n}")))
                        .collect();
                    store(
                        &db,
                        run(&name, &["A"], &[]),
                        vec![file("/p/shared.c", "shared")],
                        reports,
                    )
                })
            })
            .collect();
        for h in handles {
            let out = h.join().expect("store thread");
            assert_eq!(out.reports_stored, 200, "{}", t.label);
        }
        assert_eq!(t.db.run_count(&Default::default()).expect("count"), 3);
    }
}

#[test]
fn a_retried_store_takes_over_the_lock_its_killed_attempt_left() {
    for t in backends() {
        // The first attempt died holding a fresh lock with the store's token.
        t.db.acquire_run_lock_as("retried", "alice", Some("store-7"))
            .expect("lock");
        let mut other = run("retried", &["A"], &[]);
        other.store_key = Some("store-8".into());
        let err =
            t.db.begin_store(other, StoreHooks::default())
                .expect_err("another store waits for the fresh lock");
        assert!(matches!(err, Error::RunLocked { .. }), "{}", t.label);
        let mut again = run("retried", &["A"], &[]);
        again.store_key = Some("store-7".into());
        let out = store(
            &t.db,
            again,
            vec![file("/p/a.c", "a")],
            vec![report("/p/a.c", 1, "A", "x")],
        );
        assert_eq!(out.reports_stored, 1, "{}", t.label);
        assert!(t.db.locked_runs().expect("locks").is_empty(), "{}", t.label);
    }
}

#[test]
fn a_store_that_committed_is_not_applied_again_by_a_later_attempt() {
    for t in backends() {
        let keyed = |key: &str| {
            let mut r = run("once", &["A"], &[]);
            r.store_key = Some(key.into());
            r
        };
        let first = store(
            &t.db,
            keyed("store-1"),
            vec![file("/p/a.c", "a")],
            vec![report("/p/a.c", 1, "A", "x")],
        );
        assert!(!first.from_receipt, "{}", t.label);
        // The attempt re-run after its worker died between the commit and
        // recording the task's end: refused, with the first outcome.
        let err =
            t.db.begin_store(keyed("store-1"), StoreHooks::default())
                .expect_err("already stored");
        match err {
            Error::AlreadyStored(outcome) => assert_eq!(
                *outcome,
                productdb::StoreOutcome {
                    from_receipt: true,
                    ..first.clone()
                },
                "{}",
                t.label
            ),
            other => panic!("{}: {other}", t.label),
        }
        assert!(t.db.locked_runs().expect("locks").is_empty(), "{}", t.label);
        let history =
            t.db.run_history_count(Some(&[first.run_id]), &Default::default())
                .expect("history");
        assert_eq!(history, 1, "{}: one store, one history entry", t.label);
        let rows = reports_of(&t.db, first.run_id);
        assert_eq!(rows.len(), 1, "{}", t.label);
        assert_eq!(
            rows[0].detection_status,
            DetectionStatus::New,
            "{}",
            t.label
        );
        // Another store of the run is applied as usual.
        let next = store(
            &t.db,
            keyed("store-2"),
            vec![file("/p/a.c", "a")],
            vec![report("/p/a.c", 1, "A", "x")],
        );
        assert!(!next.from_receipt, "{}", t.label);
        let rows = reports_of(&t.db, first.run_id);
        assert_eq!(
            rows[0].detection_status,
            DetectionStatus::Unresolved,
            "{}",
            t.label
        );
    }
}

#[test]
fn an_attempt_whose_twin_commits_while_it_begins_is_refused() {
    // PostgreSQL only: on SQLite the beginning attempt holds the write lock,
    // so its twin cannot commit meanwhile.
    for t in backends().into_iter().filter(|t| t.label == "postgres") {
        let keyed = || {
            let mut r = run("twins", &["A"], &[]);
            r.store_key = Some("store-9".into());
            r
        };
        // The late attempt has taken the lock and opened its transaction
        // when its twin (same key, so the same lock) stores and commits.
        let db = t.db.clone();
        let mut twin_ran = false;
        let hooks = StoreHooks {
            should_cancel: Some(Box::new(move || {
                if !std::mem::replace(&mut twin_ran, true) {
                    store(
                        &db,
                        keyed(),
                        vec![file("/p/a.c", "a")],
                        vec![report("/p/a.c", 1, "A", "x")],
                    );
                }
                false
            })),
            ..StoreHooks::default()
        };
        let err = t.db.begin_store(keyed(), hooks).expect_err("twin stored");
        assert!(matches!(err, Error::AlreadyStored(_)), "{err}");
        let runs = t.db.run_count(&Default::default()).expect("runs");
        let history =
            t.db.run_history_count(None, &Default::default())
                .expect("history");
        assert_eq!((runs, history), (1, 1));
        assert!(t.db.locked_runs().expect("locks").is_empty());
    }
}
