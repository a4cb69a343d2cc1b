//! Completion notifications within and across processes, both backends.
//!
//! Latencies are printed, not asserted: a waiter with a 10 s timeout must come
//! back with the terminal status, which it only can by being notified.

use crate::common;

use std::process::Command;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use configdb::{ConfigDb, Error, NewTask, TaskStatus};

const LEASE: Duration = Duration::from_secs(60);
const LONG: Duration = Duration::from_secs(10);

fn epoch_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or_default()
}

fn stats(label: &str, what: &str, mut us: Vec<i64>) {
    us.sort_unstable();
    let pick = |q: f64| us[((us.len() - 1) as f64 * q).round() as usize];
    println!(
        "{label}: {what}: n={} min={}µs median={}µs p90={}µs max={}µs",
        us.len(),
        pick(0.0),
        pick(0.5),
        pick(0.9),
        pick(1.0)
    );
}

#[test]
fn waiter_wakes_when_another_thread_finishes() {
    for t in common::backends(false) {
        let notifier = t.db.subscribe().unwrap();
        let mut latencies = Vec::new();
        let mut after_return = Vec::new();
        for _ in 0..20 {
            let tok = t.db.create_task(&NewTask::new("K", "s", "m")).unwrap();
            let db = t.reopen(1);
            let finisher = std::thread::spawn(move || {
                let task = db.claim_next("w", "m", LEASE).unwrap().unwrap();
                std::thread::sleep(Duration::from_millis(20));
                let before = Instant::now();
                db.finish(&task.token, "w", TaskStatus::Completed, None)
                    .unwrap();
                (before, Instant::now())
            });
            let r = notifier.wait_terminal(&tok, LONG).unwrap();
            let woke = Instant::now();
            assert_eq!(r.status, TaskStatus::Completed, "{}", t.label);
            let (before, returned) = finisher.join().unwrap();
            latencies.push(woke.duration_since(before).as_micros() as i64);
            // Negative when the waiter woke before finish() returned.
            after_return.push(if woke >= returned {
                woke.duration_since(returned).as_micros() as i64
            } else {
                -(returned.duration_since(woke).as_micros() as i64)
            });
        }
        stats(
            t.label,
            "in-process finish() call -> waiter awake",
            latencies,
        );
        stats(
            t.label,
            "in-process finish() returned -> waiter awake",
            after_return,
        );
    }
}

#[test]
fn waiting_edge_cases() {
    for t in common::backends(false) {
        let n = t.db.subscribe().unwrap();
        assert!(matches!(
            n.wait_terminal("nope", LONG),
            Err(Error::NotFound { .. })
        ));

        // Already terminal: immediate.
        let tok = t.db.create_task(&NewTask::new("K", "s", "m")).unwrap();
        t.db.claim_next("w", "m", LEASE).unwrap().unwrap();
        t.db.finish(&tok, "w", TaskStatus::Failed, None).unwrap();
        let started = Instant::now();
        assert_eq!(
            n.wait_terminal(&tok, LONG).unwrap().status,
            TaskStatus::Failed
        );
        assert!(started.elapsed() < Duration::from_secs(5));

        // Never finishing: times out with the current state.
        let tok = t.db.create_task(&NewTask::new("K", "s", "m")).unwrap();
        let started = Instant::now();
        let r = n.wait_terminal(&tok, Duration::from_millis(200)).unwrap();
        assert_eq!(r.status, TaskStatus::Enqueued, "{}", t.label);
        assert!(started.elapsed() >= Duration::from_millis(200));

        // Shutdown drops and rescue also wake waiters.
        t.db.claim_next("w", "m", Duration::from_secs(1))
            .unwrap()
            .unwrap();
        let db = t.db.clone();
        let dropper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            db.drop_unfinished_of_machine("m", "bye").unwrap()
        });
        assert_eq!(
            n.wait_terminal(&tok, LONG).unwrap().status,
            TaskStatus::Dropped
        );
        assert_eq!(dropper.join().unwrap(), vec![tok]);

        let tok = t.db.create_task(&NewTask::new("K", "s", "m")).unwrap();
        t.db.claim_next("w", "m", Duration::from_millis(1))
            .unwrap()
            .unwrap();
        let db = t.db.clone();
        let rescuer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            db.rescue_expired(db.now(), 5).unwrap()
        });
        assert_eq!(
            n.wait_terminal(&tok, LONG).unwrap().status,
            TaskStatus::Dropped
        );
        assert_eq!(rescuer.join().unwrap().len(), 1);
    }
}

#[test]
fn workers_wake_on_enqueue() {
    for t in common::backends(false) {
        let n = t.db.subscribe().unwrap();
        let seen = n.enqueued_generation();
        let db = t.reopen(1);
        let producer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            let tok = db.allocate_task(&NewTask::new("K", "s", "m")).unwrap();
            db.enqueue(&tok).unwrap();
            tok
        });
        let started = Instant::now();
        let now = n.wait_enqueued(seen, LONG);
        assert_ne!(now, seen, "{}", t.label);
        assert!(started.elapsed() < LONG);
        let tok = producer.join().unwrap();
        assert_eq!(
            t.db.claim_next("w", "m", LEASE).unwrap().unwrap().token,
            tok
        );
        // Nothing new: a short wait times out with the same generation.
        let g = n.enqueued_generation();
        assert_eq!(n.wait_enqueued(g, Duration::from_millis(100)), g);
    }
}

/// Runs in a child process (see `waiter_wakes_when_another_process_finishes`);
/// a no-op when run directly.
#[test]
fn notify_child_process() {
    let Ok(url) = std::env::var("CONFIGDB_CHILD_URL") else {
        return;
    };
    let rounds: usize = std::env::var("CONFIGDB_CHILD_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let db = ConfigDb::open(&url).unwrap();
    for _ in 0..rounds {
        // Give the parent time to start waiting for this task.
        std::thread::sleep(Duration::from_millis(100));
        let task = db.claim_next("child", "m", LEASE).unwrap().unwrap();
        println!("FINISH {} {}", task.token, epoch_us());
        db.finish(&task.token, "child", TaskStatus::Completed, None)
            .unwrap();
    }
}

#[test]
fn waiter_wakes_when_another_process_finishes() {
    for t in common::backends(false) {
        let rounds = 15;
        let tokens: Vec<String> = (0..rounds)
            .map(|i| {
                let mut task = NewTask::new("K", "s", "m");
                task.summary = format!("{i}");
                let tok = t.db.create_task(&task).unwrap();
                // Distinct enqueue times keep the child's claim order.
                std::thread::sleep(Duration::from_millis(2));
                tok
            })
            .collect();
        let notifier = t.db.subscribe().unwrap();
        let exe = std::env::current_exe().unwrap();
        let child = Command::new(exe)
            .args([
                "notify::notify_child_process",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("CONFIGDB_CHILD_URL", &t.url)
            .env("CONFIGDB_CHILD_ROUNDS", rounds.to_string())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut woke = Vec::new();
        for tok in &tokens {
            let r = notifier.wait_terminal(tok, LONG).unwrap();
            woke.push(epoch_us());
            assert_eq!(
                r.status,
                TaskStatus::Completed,
                "{}: waiter timed out",
                t.label
            );
        }
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "child failed: {out:?}");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let finished: Vec<(String, i64)> = stdout
            .lines()
            // libtest prints "test … ... " before the first line: search, don't anchor.
            .filter_map(|l| l.find("FINISH ").map(|i| &l[i + "FINISH ".len()..]))
            .filter_map(|l| {
                let (tok, at) = l.split_once(' ')?;
                Some((tok.to_owned(), at.parse().ok()?))
            })
            .collect();
        assert_eq!(finished.len(), rounds, "{stdout}");
        let latencies = tokens
            .iter()
            .zip(&woke)
            .map(|(tok, w)| {
                let (_, at) = finished.iter().find(|(t, _)| t == tok).unwrap();
                w - at
            })
            .collect();
        stats(
            t.label,
            "other process calls finish() -> waiter awake",
            latencies,
        );
    }
}

#[test]
fn stale_sockets_are_removed_by_publishers() {
    let t = common::sqlite(false);
    let dir = std::path::Path::new(t.url.trim_start_matches("sqlite://"))
        .parent()
        .unwrap()
        .join("run/notify");
    let stale = dir.join("1-deadbeef.sock");
    drop(std::os::unix::net::UnixDatagram::bind(&stale).unwrap());
    assert!(stale.exists());
    let live = t.db.subscribe().unwrap();
    t.db.create_task(&NewTask::new("K", "s", "m")).unwrap();
    assert!(!stale.exists(), "publishing removed the dead socket");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "only the live one"
    );
    drop(live);
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "dropping unbinds"
    );
}

#[test]
fn listener_survives_a_killed_postgres_connection() {
    let Some(t) = common::postgres(false) else {
        return;
    };
    let n = t.db.subscribe().unwrap();
    let killed = {
        use diesel::{Connection, PgConnection, RunQueryDsl};
        let mut c = PgConnection::establish(&t.url).unwrap();
        diesel::sql_query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN %'",
        )
        .execute(&mut c)
        .unwrap()
    };
    assert_eq!(killed, 1, "one listening backend");
    let tok = t.db.create_task(&NewTask::new("K", "s", "m")).unwrap();
    let db = t.reopen(1);
    let finisher = std::thread::spawn(move || {
        // Well after the listener's first reconnect attempt.
        std::thread::sleep(Duration::from_millis(500));
        let task = db.claim_next("w", "m", LEASE).unwrap().unwrap();
        db.finish(&task.token, "w", TaskStatus::Completed, None)
            .unwrap();
        Instant::now()
    });
    let r = n.wait_terminal(&tok, LONG).unwrap();
    let woke = Instant::now();
    assert_eq!(r.status, TaskStatus::Completed);
    let finished = finisher.join().unwrap();
    println!(
        "postgres: after reconnect, finish() returned -> waiter awake: {:?}",
        woke.saturating_duration_since(finished)
    );
}
