//! Operating the queue on both backends: per-kind concurrency limits,
//! the bound of waiting tasks per product, periodic tasks taking their turn
//! once, and the retention of finished tasks (under a manual clock).

use crate::common;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};
use std::time::Duration;

use configdb::{
    Error, KindLimit, NewTask, Periodic, ProductSpec, QueueBound, Submission, TaskStatus,
};

const LEASE: Duration = Duration::from_secs(30);
const DAY: Duration = Duration::from_secs(86_400);

fn store(machine: &str) -> NewTask {
    let mut t = NewTask::new("Store", "a store", machine);
    t.input_path = Some(format!("/tasks/{machine}"));
    t
}

#[test]
fn a_kind_at_its_limit_waits_while_other_kinds_go_first_in_first_out_within_it() {
    for t in common::backends(true) {
        let db = &t.db;
        let limits = [KindLimit {
            kinds: vec!["Store".into(), "LegacyStore".into()],
            max_running: 1,
        }];
        let s1 = db.create_task(&store("m1")).unwrap();
        t.clock().advance(Duration::from_secs(1));
        let s2 = db
            .create_task(&NewTask {
                kind: "LegacyStore".into(),
                ..store("m1")
            })
            .unwrap();
        t.clock().advance(Duration::from_secs(1));
        let other = db.create_task(&NewTask::new("Other", "x", "m1")).unwrap();
        t.clock().advance(Duration::from_secs(1));
        let s3 = db.create_task(&store("m1")).unwrap();
        let claim = || {
            db.claim_next_limited("w", "m1", LEASE, &limits)
                .unwrap()
                .map(|r| r.token)
        };
        assert_eq!(claim().as_ref(), Some(&s1), "{}", t.label);
        // Both store kinds count together: the other kind goes first.
        assert_eq!(claim().as_ref(), Some(&other), "{}", t.label);
        assert_eq!(claim(), None, "{}", t.label);
        db.finish(&s1, "w", TaskStatus::Completed, None).unwrap();
        assert_eq!(claim().as_ref(), Some(&s2), "{}", t.label);
        db.finish(&s2, "w", TaskStatus::Completed, None).unwrap();
        // Another machine's running store does not count for m1.
        let elsewhere = db.create_task(&NewTask::new("Store", "x", "m2")).unwrap();
        let remote = db
            .claim_next_limited("w2", "m2", LEASE, &limits)
            .unwrap()
            .unwrap();
        assert_eq!(remote.token, elsewhere);
        assert_eq!(claim().as_ref(), Some(&s3), "{}", t.label);
        // A limit of 0 holds the kind in the queue.
        db.create_task(&store("m1")).unwrap();
        let paused = [KindLimit {
            kinds: vec!["Store".into()],
            max_running: 0,
        }];
        assert!(db
            .claim_next_limited("w3", "m1", LEASE, &paused)
            .unwrap()
            .is_none());
    }
}

#[test]
fn the_bound_of_waiting_tasks_holds_under_concurrency() {
    for t in common::backends(true) {
        let db = &t.db;
        let product = db
            .add_product(&ProductSpec::new("p", "sqlite:p.sqlite"))
            .unwrap();
        let bound = QueueBound {
            kinds: vec!["Store".into()],
            max_waiting: 3,
        };
        let mk = || NewTask {
            product_id: Some(product.id),
            ..store("m1")
        };
        let barrier = Arc::new(Barrier::new(8));
        let results: Vec<Result<String, Error>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let db = t.reopen(2);
                    let barrier = barrier.clone();
                    let task = mk();
                    let bound = bound.clone();
                    s.spawn(move || {
                        barrier.wait();
                        db.submit_task(Submission {
                            task: &task,
                            bound: Some(&bound),
                            comment: None,
                            input: None,
                        })
                        .map(|s| s.token)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let ok: Vec<&String> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(ok.len(), 3, "{}: {results:?}", t.label);
        for r in &results {
            if let Err(e) = r {
                assert!(
                    matches!(
                        e,
                        Error::QueueFull {
                            waiting: 3,
                            limit: 3,
                            ..
                        }
                    ),
                    "{}: {e}",
                    t.label
                );
            }
        }
        let submit = |task: &NewTask| {
            db.submit_task(Submission {
                task,
                bound: Some(&bound),
                comment: None,
                input: None,
            })
        };
        // Once one runs, one more may wait.
        let claimed = db.claim_next("w", "m1", LEASE).unwrap().unwrap();
        assert!(ok.contains(&&claimed.token), "{}", t.label);
        // Other kinds are not counted.
        submit(&NewTask {
            kind: "Other".into(),
            ..mk()
        })
        .unwrap();
        submit(&mk()).unwrap();
        assert!(matches!(submit(&mk()), Err(Error::QueueFull { .. })));
        assert_eq!(db.waiting_tasks(product.id, &bound.kinds).unwrap(), 3);
    }
}

#[test]
fn a_periodic_task_takes_its_turn_once_and_never_overlaps_itself() {
    for t in common::backends(true) {
        let db = &t.db;
        let periodic = Periodic {
            name: "cleanup".into(),
            interval: Duration::from_secs(60),
            task: NewTask::new("Cleanup", "cleanup", "m1"),
        };
        assert_eq!(
            db.schedule_periodic(&periodic).unwrap(),
            None,
            "the first turn is one interval after the schedule starts ({})",
            t.label
        );
        t.clock().advance(Duration::from_secs(61));
        let first = db.schedule_periodic(&periodic).unwrap();
        assert!(first.is_some(), "{}", t.label);
        assert_eq!(db.schedule_periodic(&periodic).unwrap(), None);
        t.clock().advance(Duration::from_secs(61));
        // Due, but the previous one is still queued: the turn is skipped.
        assert_eq!(db.schedule_periodic(&periodic).unwrap(), None);
        let claimed = db.claim_next("w", "m1", LEASE).unwrap().unwrap();
        db.finish(&claimed.token, "w", TaskStatus::Completed, None)
            .unwrap();
        assert_eq!(db.schedule_periodic(&periodic).unwrap(), None);
        t.clock().advance(Duration::from_secs(61));
        // Many servers at once: one wins the turn.
        let barrier = Arc::new(Barrier::new(6));
        let made: Vec<Option<String>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|_| {
                    let db = t.reopen(2);
                    let barrier = barrier.clone();
                    let p = periodic.clone();
                    s.spawn(move || {
                        barrier.wait();
                        db.schedule_periodic(&p).unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(
            made.iter().filter(|m| m.is_some()).count(),
            1,
            "{}: {made:?}",
            t.label
        );
    }
}

#[test]
fn retention_deletes_exactly_the_old_finished_tasks() {
    for t in common::backends(true) {
        let db = &t.db;
        let clock = t.clock();
        // Ends a new task with `status` now; consumed when asked.
        let ended = |name: &str, status: TaskStatus, consumed: bool| {
            let mut spec = NewTask::new("K", name, "m1");
            spec.input_path = Some(format!("/tasks/{name}"));
            let token = db.create_task(&spec).unwrap();
            let claimed = db.claim_next("w", "m1", LEASE).unwrap().unwrap();
            assert_eq!(claimed.token, token);
            db.finish(&token, "w", status, None).unwrap();
            if consumed {
                db.mark_consumed(&token).unwrap();
            }
            token
        };
        let old_consumed = ended("old-consumed", TaskStatus::Completed, true);
        let old_unconsumed = ended("old-unconsumed", TaskStatus::Failed, false);
        let queued_long_ago = db.create_task(&store("m9")).unwrap();
        clock.advance(50 * DAY);
        let mid_consumed = ended("mid-consumed", TaskStatus::Dropped, true);
        let mid_unconsumed = ended("mid-unconsumed", TaskStatus::Cancelled, false);
        clock.advance(25 * DAY);
        let new_consumed = ended("new-consumed", TaskStatus::Completed, true);
        clock.advance(DAY);
        // Now: old ones ended 76 days ago, mid ones 26, new one 1.
        let now = db.now();
        let deleted: BTreeSet<String> = db
            .delete_finished_tasks(
                now - chrono::Duration::days(20),
                now - chrono::Duration::days(60),
                1,
            )
            .unwrap()
            .into_iter()
            .chain(
                db.delete_finished_tasks(
                    now - chrono::Duration::days(20),
                    now - chrono::Duration::days(60),
                    100,
                )
                .unwrap(),
            )
            .map(|r| {
                assert!(r.input_path.is_some());
                r.token
            })
            .collect();
        let expected: BTreeSet<String> = [old_consumed, old_unconsumed, mid_consumed]
            .into_iter()
            .collect();
        assert_eq!(deleted, expected, "{}", t.label);
        for kept in [&queued_long_ago, &mid_unconsumed, &new_consumed] {
            assert!(db.get_task(kept).unwrap().is_some(), "{}", t.label);
        }
        for gone in &expected {
            assert!(db.get_task(gone).unwrap().is_none(), "{}", t.label);
        }
    }
}

#[test]
fn run_lifetimes_are_kept_per_product_and_run() {
    for t in common::backends(true) {
        let db = &t.db;
        let p = db
            .add_product(&ProductSpec::new("p", "sqlite:p.sqlite"))
            .unwrap();
        db.set_run_lifetime(p.id, "a", Some(7)).unwrap();
        db.set_run_lifetime(p.id, "b", Some(1)).unwrap();
        db.set_run_lifetime(p.id, "a", Some(3)).unwrap();
        db.set_run_lifetime(p.id, "b", None).unwrap();
        assert_eq!(db.run_lifetimes(p.id).unwrap(), [("a".to_owned(), 3)]);
    }
}

#[test]
fn concurrent_claims_never_exceed_a_limit() {
    for t in common::backends(true) {
        for _ in 0..6 {
            t.db.create_task(&store("m1")).unwrap();
        }
        let limits = [KindLimit {
            kinds: vec!["Store".into()],
            max_running: 2,
        }];
        let barrier = Arc::new(Barrier::new(6));
        let claimed: Vec<bool> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|i| {
                    let db = t.reopen(2);
                    let barrier = barrier.clone();
                    let limits = limits.clone();
                    s.spawn(move || {
                        barrier.wait();
                        db.claim_next_limited(&format!("w{i}"), "m1", LEASE, &limits)
                            .unwrap()
                            .is_some()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(
            claimed.iter().filter(|c| **c).count(),
            2,
            "{}: {claimed:?}",
            t.label
        );
    }
}
