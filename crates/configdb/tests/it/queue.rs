//! Task queue life cycle on both backends.

use crate::common;

use std::collections::HashMap;
use std::time::Duration;

use configdb::{Comment, Error, FinishOutcome, NewTask, RescueOutcome, TaskQuery, TaskStatus};

const LEASE: Duration = Duration::from_secs(30);

fn task(kind: &str, machine: &str) -> NewTask {
    let mut t = NewTask::new(kind, format!("{kind} summary"), machine);
    t.actor = Some("alice".into());
    // Input on the creating machine's disk: only that machine claims it.
    t.input_path = Some(format!("/tasks/{machine}"));
    t
}

#[test]
fn create_allocate_enqueue() {
    for t in common::backends(true) {
        let db = &t.db;
        let mut spec = task("Store", "m1");
        spec.input_path = Some("/tmp/in".into());
        spec.payload = Some(r#"{"run":"r"}"#.into());
        spec.retry_safe = true;
        let tok = db.create_task(&spec).unwrap();
        assert_eq!(tok.len(), 64);
        assert!(tok
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        let r = db.get_task(&tok).unwrap().unwrap();
        assert_eq!(r.status, TaskStatus::Enqueued, "{}", t.label);
        assert_eq!(r.kind, "Store");
        assert_eq!(r.summary, "Store summary");
        assert_eq!(r.actor_username.as_deref(), Some("alice"));
        assert_eq!(r.machine_id, "m1");
        assert_eq!(r.input_path.as_deref(), Some("/tmp/in"));
        assert_eq!(r.payload.as_deref(), Some(r#"{"run":"r"}"#));
        assert!(r.retry_safe);
        assert_eq!(r.enqueued_at, Some(common::t0()));
        assert_eq!(r.enqueued_at_epoch(), Some(common::t0().timestamp()));
        assert_eq!(r.last_heartbeat_at, Some(common::t0()));
        assert_eq!((r.started_at, r.completed_at), (None, None));
        assert_eq!((r.attempts, r.progress), (0, 0));
        assert!(!r.cancel_flag && !r.consumed);
        assert_eq!(r.comments, None);

        let alloc = db.allocate_task(&task("Store", "m1")).unwrap();
        assert_ne!(alloc, tok);
        let r = db.get_task(&alloc).unwrap().unwrap();
        assert_eq!((r.status, r.enqueued_at), (TaskStatus::Allocated, None));
        // Allocated tasks are not claimable.
        let first = db.claim_next("w", "m1", LEASE).unwrap().unwrap();
        assert_eq!(first.token, tok);
        assert!(db.claim_next("w", "m1", LEASE).unwrap().is_none());

        t.clock().advance(Duration::from_secs(2));
        db.enqueue(&alloc).unwrap();
        let r = db.get_task(&alloc).unwrap().unwrap();
        assert_eq!(r.status, TaskStatus::Enqueued);
        assert_eq!(
            r.enqueued_at,
            Some(common::t0() + chrono::Duration::seconds(2))
        );
        assert!(matches!(
            db.enqueue(&alloc),
            Err(Error::InvalidTransition {
                status: "ENQUEUED",
                ..
            })
        ));
        assert!(matches!(db.enqueue("nope"), Err(Error::NotFound { .. })));
        assert_eq!(db.get_task("nope").unwrap(), None);
        assert!(matches!(
            db.create_task(&NewTask::new("", "s", "m")),
            Err(Error::InvalidArgument(_))
        ));
    }
}

#[test]
fn claims_oldest_of_own_machine_and_records_the_claim() {
    for t in common::backends(true) {
        let db = &t.db;
        let a = db.create_task(&task("A", "m1")).unwrap();
        t.clock().advance(Duration::from_secs(1));
        let other = db.create_task(&task("X", "m2")).unwrap();
        let b = db.create_task(&task("B", "m1")).unwrap();
        t.clock().advance(Duration::from_secs(1));

        let c1 = db.claim_next("w1", "m1", LEASE).unwrap().unwrap();
        assert_eq!(c1.token, a, "{}: oldest first", t.label);
        assert_eq!(c1.status, TaskStatus::Running);
        assert_eq!(c1.claim_owner.as_deref(), Some("w1"));
        assert_eq!(c1.attempts, 1);
        let now = common::t0() + chrono::Duration::seconds(2);
        assert_eq!(c1.started_at, Some(now));
        assert_eq!(c1.last_heartbeat_at, Some(now));
        assert_eq!(
            c1.lease_expires_at,
            Some(now + chrono::Duration::seconds(30))
        );
        assert_eq!(
            db.get_task(&a).unwrap().unwrap(),
            c1,
            "returned record is stored"
        );

        let c2 = db.claim_next("w2", "m1", LEASE).unwrap().unwrap();
        assert_eq!(c2.token, b);
        assert!(db.claim_next("w3", "m1", LEASE).unwrap().is_none());
        let c3 = db.claim_next("w3", "m2", LEASE).unwrap().unwrap();
        assert_eq!(c3.token, other);
    }
}

#[test]
fn tasks_without_input_are_claimed_by_any_machine() {
    for t in common::backends(true) {
        let db = &t.db;
        let mut portable = task("P", "m1");
        portable.input_path = None;
        let pinned = db.create_task(&task("Pinned", "m1")).unwrap();
        t.clock().advance(Duration::from_secs(1));
        let portable = db.create_task(&portable).unwrap();
        let c = db.claim_next("w", "m2", LEASE).unwrap().unwrap();
        assert_eq!(
            c.token, portable,
            "{}: m2 runs the task without input",
            t.label
        );
        assert!(db.claim_next("w", "m2", LEASE).unwrap().is_none());
        assert_eq!(
            db.claim_next("w", "m1", LEASE).unwrap().unwrap().token,
            pinned
        );
    }
}

#[test]
fn no_task_is_claimed_twice_under_concurrency() {
    for t in common::backends(false) {
        let n = 200;
        for i in 0..n {
            t.db.create_task(&task(&format!("K{i}"), "m")).unwrap();
        }
        let claimers: Vec<_> = (0..4)
            .map(|w| {
                let db = t.reopen(2);
                std::thread::spawn(move || {
                    let owner = format!("worker-{w}");
                    let mut mine = Vec::new();
                    while let Some(task) = db.claim_next(&owner, "m", LEASE).unwrap() {
                        assert_eq!(task.claim_owner.as_deref(), Some(owner.as_str()));
                        mine.push(task.token.clone());
                        let done = db
                            .finish(&task.token, &owner, TaskStatus::Completed, None)
                            .unwrap();
                        assert_eq!(done, FinishOutcome::Finished);
                    }
                    mine
                })
            })
            .collect();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut per_worker = Vec::new();
        for c in claimers {
            let mine = c.join().unwrap();
            per_worker.push(mine.len());
            for tok in mine {
                *seen.entry(tok).or_default() += 1;
            }
        }
        println!("{}: claims per worker {per_worker:?}", t.label);
        assert_eq!(seen.len(), n, "{}", t.label);
        assert!(
            seen.values().all(|&c| c == 1),
            "{}: a task was claimed twice",
            t.label
        );
        let all = t.db.filter_tasks(&TaskQuery::default()).unwrap();
        assert!(all
            .iter()
            .all(|r| r.status == TaskStatus::Completed && r.attempts == 1));
    }
}

#[test]
fn heartbeat_progress_and_finish() {
    for t in common::backends(true) {
        let db = &t.db;
        let tok = db.create_task(&task("K", "m")).unwrap();
        db.claim_next("w", "m", LEASE).unwrap().unwrap();
        t.clock().advance(Duration::from_secs(10));

        let hb = db.heartbeat(&tok, "w", LEASE, Some(40)).unwrap();
        assert!(!hb.cancel_requested && !hb.lost, "{}", t.label);
        let r = db.get_task(&tok).unwrap().unwrap();
        let now = common::t0() + chrono::Duration::seconds(10);
        assert_eq!(r.progress, 40);
        assert_eq!(r.last_heartbeat_at, Some(now));
        assert_eq!(
            r.lease_expires_at,
            Some(now + chrono::Duration::seconds(30))
        );
        assert!(db.set_progress(&tok, "w", 60).unwrap());
        assert!(!db.set_progress(&tok, "intruder", 70).unwrap());
        assert_eq!(db.get_task(&tok).unwrap().unwrap().progress, 60);
        assert!(matches!(
            db.set_progress(&tok, "w", 101),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            db.heartbeat(&tok, "w", LEASE, Some(-1)),
            Err(Error::InvalidArgument(_))
        ));
        assert!(matches!(
            db.heartbeat("nope", "w", LEASE, None),
            Err(Error::NotFound { .. })
        ));

        let intruder = db.heartbeat(&tok, "intruder", LEASE, None).unwrap();
        assert!(intruder.lost);

        assert!(matches!(
            db.finish(&tok, "w", TaskStatus::Running, None),
            Err(Error::InvalidArgument(_))
        ));
        assert_eq!(
            db.finish(&tok, "intruder", TaskStatus::Completed, None)
                .unwrap(),
            FinishOutcome::NotOwned {
                status: TaskStatus::Running,
                owner: Some("w".into())
            }
        );
        t.clock().advance(Duration::from_secs(1));
        let out = db
            .finish(
                &tok,
                "w",
                TaskStatus::Failed,
                Some(Comment::new(Some("SYSTEM[W]"), "FAILED!\nboom")),
            )
            .unwrap();
        assert_eq!(out, FinishOutcome::Finished);
        let r = db.get_task(&tok).unwrap().unwrap();
        assert_eq!(r.status, TaskStatus::Failed);
        assert_eq!(r.completed_at, Some(now + chrono::Duration::seconds(1)));
        assert_eq!((r.claim_owner, r.lease_expires_at), (None, None));
        assert_eq!(
            r.comments.as_deref(),
            Some("SYSTEM[W] at 2024-05-01 12:00:11+00:00:\nFAILED!\nboom")
        );
        assert_eq!(
            db.finish(&tok, "w", TaskStatus::Completed, None).unwrap(),
            FinishOutcome::NotOwned {
                status: TaskStatus::Failed,
                owner: None
            }
        );
        assert!(db.heartbeat(&tok, "w", LEASE, None).unwrap().lost);
        assert!(matches!(
            db.finish("nope", "w", TaskStatus::Completed, None),
            Err(Error::NotFound { .. })
        ));
    }
}

#[test]
fn cancel_and_consumed_semantics() {
    for t in common::backends(true) {
        let db = &t.db;
        let queued = db.create_task(&task("K", "m")).unwrap();
        assert!(
            db.request_cancel(&queued, Some("admin")).unwrap(),
            "{}",
            t.label
        );
        assert!(
            !db.request_cancel(&queued, Some("admin")).unwrap(),
            "second call"
        );
        let r = db.get_task(&queued).unwrap().unwrap();
        assert!(r.cancel_flag);
        assert_eq!(
            r.comments.as_deref(),
            Some("admin at 2024-05-01 12:00:00+00:00:\nUser requested cancellation.")
        );

        // A running task learns about it from its heartbeat.
        let claimed = db.claim_next("w", "m", LEASE).unwrap().unwrap();
        assert!(claimed.cancel_flag);
        assert!(
            db.heartbeat(&queued, "w", LEASE, None)
                .unwrap()
                .cancel_requested
        );
        db.finish(&queued, "w", TaskStatus::Cancelled, None)
            .unwrap();
        assert!(!db.request_cancel(&queued, None).unwrap(), "terminated");

        let running = db.create_task(&task("K", "m")).unwrap();
        db.claim_next("w", "m", LEASE).unwrap().unwrap();
        assert!(db.request_cancel(&running, None).unwrap());
        assert!(db
            .get_task(&running)
            .unwrap()
            .unwrap()
            .comments
            .unwrap()
            .starts_with("<unknown> at "));
        assert!(matches!(
            db.request_cancel("nope", None),
            Err(Error::NotFound { .. })
        ));

        assert!(!db.get_task(&queued).unwrap().unwrap().consumed);
        db.mark_consumed(&queued).unwrap();
        db.mark_consumed(&queued).unwrap();
        assert!(db.get_task(&queued).unwrap().unwrap().consumed);
        assert!(matches!(
            db.mark_consumed("nope"),
            Err(Error::NotFound { .. })
        ));
    }
}

#[test]
fn expired_leases_are_rescued() {
    for t in common::backends(true) {
        let db = &t.db;
        let mut safe = task("Safe", "m");
        safe.retry_safe = true;
        // Distinct enqueue instants fix the claim order; claims happen at t0.
        let ms = Duration::from_millis(1);
        let safe = db.create_task(&safe).unwrap();
        t.clock().advance(ms);
        let unsafe_ = db.create_task(&task("Unsafe", "m")).unwrap();
        t.clock().advance(ms);
        let cancelled = db.create_task(&task("Cancelled", "m")).unwrap();
        t.clock().advance(ms);
        let fresh = db.create_task(&task("Fresh", "m")).unwrap();
        t.clock().set(common::t0());
        for _ in 0..3 {
            db.claim_next("dead-worker", "m", Duration::from_secs(10))
                .unwrap()
                .unwrap();
        }
        db.request_cancel(&cancelled, Some("admin")).unwrap();
        db.claim_next("live-worker", "m", Duration::from_secs(60))
            .unwrap()
            .unwrap();

        t.clock().advance(Duration::from_secs(10));
        assert!(
            db.rescue_expired(db.now(), 3).unwrap().is_empty(),
            "{}: lease end is inclusive",
            t.label
        );
        t.clock().advance(Duration::from_secs(1));
        let mut done = db.rescue_expired(db.now(), 3).unwrap();
        done.sort_by_key(|r| r.token.clone());
        let mut expected = vec![
            (safe.clone(), RescueOutcome::Requeued),
            (unsafe_.clone(), RescueOutcome::Dropped),
            (cancelled.clone(), RescueOutcome::Cancelled),
        ];
        expected.sort_by_key(|(tok, _)| tok.clone());
        assert_eq!(
            done.iter()
                .map(|r| (r.token.clone(), r.outcome))
                .collect::<Vec<_>>(),
            expected,
            "{}",
            t.label
        );
        assert!(done
            .iter()
            .all(|r| r.previous_owner.as_deref() == Some("dead-worker")));
        assert_eq!(
            db.get_task(&fresh).unwrap().unwrap().status,
            TaskStatus::Running
        );

        let s = db.get_task(&safe).unwrap().unwrap();
        assert_eq!(s.status, TaskStatus::Enqueued);
        assert_eq!((s.claim_owner.as_deref(), s.lease_expires_at), (None, None));
        assert!(s.comments.as_deref().unwrap().starts_with(
            "SYSTEM[TaskQueue::rescue_expired()] at 2024-05-01 12:00:11+00:00:\nRESCHEDULED!\n"
        ));
        let u = db.get_task(&unsafe_).unwrap().unwrap();
        assert_eq!(u.status, TaskStatus::Dropped);
        assert!(u.completed_at.is_some());
        let text = u.comments.unwrap();
        assert!(text.contains("DROPPED!\n"), "{text}");
        assert!(
            text.contains("'dead-worker' expired at 2024-05-01 12:00:10+00:00"),
            "{text}"
        );
        assert!(text.contains("not safe to run again"), "{text}");
        assert_eq!(
            db.get_task(&cancelled).unwrap().unwrap().status,
            TaskStatus::Cancelled
        );

        // The old owner notices and cannot finish any more.
        assert!(
            db.heartbeat(&safe, "dead-worker", LEASE, None)
                .unwrap()
                .lost
        );
        assert!(matches!(
            db.finish(&safe, "dead-worker", TaskStatus::Completed, None)
                .unwrap(),
            FinishOutcome::NotOwned {
                status: TaskStatus::Enqueued,
                ..
            }
        ));

        // Re-run: attempts grows, started_at keeps the first start.
        let again = db
            .claim_next("w2", "m", Duration::from_secs(5))
            .unwrap()
            .unwrap();
        assert_eq!(again.token, safe);
        assert_eq!(again.attempts, 2);
        assert_eq!(again.started_at, Some(common::t0()));
        // Out of attempts: dropped even though retry-safe.
        t.clock().advance(Duration::from_secs(6));
        let done = db.rescue_expired(db.now(), 2).unwrap();
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].outcome, RescueOutcome::Dropped);
        let s = db.get_task(&safe).unwrap().unwrap();
        assert_eq!(s.status, TaskStatus::Dropped);
        assert!(s
            .comments
            .unwrap()
            .contains("----------\nSYSTEM[TaskQueue::rescue_expired()] at "));
    }
}

#[test]
fn a_dead_owners_claims_expire_at_once_and_no_one_elses() {
    for t in common::backends(true) {
        let db = &t.db;
        let mut safe = task("Safe", "m");
        safe.retry_safe = true;
        let dead = db.create_task(&safe).unwrap();
        t.clock().advance(Duration::from_millis(1));
        let live = db.create_task(&safe).unwrap();
        let lease = Duration::from_secs(600);
        assert_eq!(
            db.claim_next("m#1", "m", lease).unwrap().unwrap().token,
            dead
        );
        assert_eq!(
            db.claim_next("m#2", "m", lease).unwrap().unwrap().token,
            live
        );

        assert_eq!(db.expire_claims_of("m#1").unwrap(), 1, "{}", t.label);
        assert_eq!(db.expire_claims_of("m#3").unwrap(), 0, "{}", t.label);
        let rescued = db.rescue_expired(db.now(), 3).unwrap();
        assert_eq!(rescued.len(), 1, "{}: {rescued:?}", t.label);
        assert_eq!(rescued[0].token, dead);
        assert_eq!(rescued[0].outcome, RescueOutcome::Requeued);
        assert_eq!(
            db.get_task(&live).unwrap().unwrap().status,
            TaskStatus::Running,
            "{}",
            t.label
        );
    }
}

#[test]
fn shutdown_drops_running_and_allocated_but_keeps_queued() {
    for t in common::backends(true) {
        let db = &t.db;
        let running = db.create_task(&task("R", "m1")).unwrap();
        db.claim_next("w", "m1", LEASE).unwrap().unwrap();
        let queued = db.create_task(&task("Q", "m1")).unwrap();
        let allocated = db.allocate_task(&task("A", "m1")).unwrap();
        let elsewhere = db.create_task(&task("R", "m2")).unwrap();
        db.claim_next("w", "m2", LEASE).unwrap().unwrap();

        let mut dropped = db
            .drop_unfinished_of_machine("m1", "Server shutting down.")
            .unwrap();
        dropped.sort();
        let mut expected = vec![running.clone(), allocated.clone()];
        expected.sort();
        assert_eq!(dropped, expected, "{}", t.label);
        let r = db.get_task(&running).unwrap().unwrap();
        assert_eq!(r.status, TaskStatus::Dropped);
        assert_eq!(r.claim_owner, None);
        assert_eq!(
            r.comments.as_deref(),
            Some("SYSTEM at 2024-05-01 12:00:00+00:00:\nDROPPED!\nServer shutting down.")
        );
        assert_eq!(
            db.get_task(&allocated).unwrap().unwrap().status,
            TaskStatus::Dropped
        );
        assert_eq!(
            db.get_task(&queued).unwrap().unwrap().status,
            TaskStatus::Enqueued
        );
        assert_eq!(
            db.get_task(&elsewhere).unwrap().unwrap().status,
            TaskStatus::Running
        );
    }
}

#[test]
fn abandon_unclaimed_tasks() {
    for t in common::backends(true) {
        let db = &t.db;
        let a = db.allocate_task(&task("A", "m")).unwrap();
        let note = Comment::new(Some("SYSTEM[push]"), "SHUTDOWN!\nnever enqueued");
        assert!(
            db.abandon(&a, TaskStatus::Dropped, Some(note)).unwrap(),
            "{}",
            t.label
        );
        let r = db.get_task(&a).unwrap().unwrap();
        assert_eq!(r.status, TaskStatus::Dropped);
        assert!(r.completed_at.is_some());
        assert!(!db.abandon(&a, TaskStatus::Dropped, None).unwrap());
        let running = db.create_task(&task("R", "m")).unwrap();
        db.claim_next("w", "m", LEASE).unwrap().unwrap();
        assert!(!db.abandon(&running, TaskStatus::Cancelled, None).unwrap());
        assert!(matches!(
            db.abandon("nope", TaskStatus::Dropped, None),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            db.abandon(&running, TaskStatus::Enqueued, None),
            Err(Error::InvalidArgument(_))
        ));
    }
}

/// The monitoring aggregates (`task_stats`) on both backends: counts by kind
/// and status, queue depth and oldest enqueued, running per machine, and
/// the wait, run and cancel histograms, with manual-clock durations.
#[test]
fn task_stats_aggregate_the_queue() {
    for t in common::backends(true) {
        let db = &t.db;
        let label = t.label;
        let empty = db.task_stats().unwrap();
        assert!(empty.counts.is_empty() && empty.wait.is_empty(), "{label}");
        assert_eq!((empty.queue_depth, empty.oldest_enqueued_at), (0, None));

        // A: waits 2 s, runs 3 s, completes.
        let a = db.create_task(&task("A", "m1")).unwrap();
        t.clock().advance(Duration::from_secs(2));
        let claimed = db.claim_next("w1", "m1", LEASE).unwrap().unwrap();
        assert_eq!(claimed.token, a);
        t.clock().advance(Duration::from_secs(3));
        db.finish(&a, "w1", TaskStatus::Completed, None).unwrap();
        // B: waits 0 s, cancelled 0.5 s before it ends as CANCELLED.
        let b = db.create_task(&task("B", "m1")).unwrap();
        db.claim_next("w1", "m1", LEASE).unwrap().unwrap();
        t.clock().advance(Duration::from_secs(1));
        assert!(db.request_cancel(&b, Some("admin")).unwrap());
        t.clock().advance(Duration::from_millis(500));
        db.finish(&b, "w1", TaskStatus::Cancelled, None).unwrap();
        // C runs on m1; D waits; an allocated one has not been enqueued.
        let c = db.create_task(&task("A", "m1")).unwrap();
        db.claim_next("w2", "m1", LEASE).unwrap().unwrap();
        t.clock().advance(Duration::from_secs(1));
        let d = db.create_task(&task("A", "m1")).unwrap();
        db.allocate_task(&task("A", "m1")).unwrap();
        t.clock().advance(Duration::from_secs(4));

        let s = db.task_stats().unwrap();
        let count = |kind: &str, status: TaskStatus| {
            s.counts
                .iter()
                .find(|c| c.kind == kind && c.status == status)
                .map(|c| (c.tasks, c.enqueued, c.started))
        };
        assert_eq!(
            count("A", TaskStatus::Completed),
            Some((1, 1, 1)),
            "{label}"
        );
        assert_eq!(count("A", TaskStatus::Running), Some((1, 1, 1)), "{label}");
        assert_eq!(count("A", TaskStatus::Enqueued), Some((1, 1, 0)), "{label}");
        assert_eq!(
            count("A", TaskStatus::Allocated),
            Some((1, 0, 0)),
            "{label}"
        );
        assert_eq!(
            count("B", TaskStatus::Cancelled),
            Some((1, 1, 1)),
            "{label}"
        );
        assert_eq!(s.queue_depth, 1, "{label}");
        let enqueued_d = db.get_task(&d).unwrap().unwrap().enqueued_at;
        assert_eq!(s.oldest_enqueued_at, enqueued_d, "{label}");
        assert_eq!(s.running_by_owner, vec![("w2".to_owned(), 1)], "{label}");
        let hist = |list: &[configdb::KindHistogram], kind: &str| {
            list.iter()
                .find(|h| h.kind == kind)
                .map(|h| (h.count, h.sum_secs))
        };
        // Waits: A 2 s and C 0 s (started), B 0 s.
        assert_eq!(hist(&s.wait, "A"), Some((2, 2.0)), "{label}");
        assert_eq!(hist(&s.wait, "B"), Some((1, 0.0)), "{label}");
        assert_eq!(hist(&s.run, "A"), Some((1, 3.0)), "{label}");
        assert_eq!(hist(&s.run, "B"), Some((1, 1.5)), "{label}");
        assert_eq!(hist(&s.cancel, "B"), Some((1, 0.5)), "{label}");
        assert_eq!(hist(&s.cancel, "A"), None, "{label}");
        let wait_a = s.wait.iter().find(|h| h.kind == "A").unwrap();
        let one_second = configdb::HISTOGRAM_BOUNDS_SECS
            .iter()
            .position(|b| *b == 1.0)
            .unwrap();
        assert_eq!(wait_a.cumulative[0], 1, "{label}: C waited 0 s");
        assert_eq!(wait_a.cumulative[one_second], 1, "{label}");
        assert_eq!(wait_a.cumulative.last(), Some(&2), "{label}");
        let _ = c;
    }
}
