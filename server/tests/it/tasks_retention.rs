//! Retention through `server_config.json`'s `background_tasks`: finished
//! tasks and runs are deleted by periodic tasks (visible in `getTasks`)
//! exactly when they should be. The test sets the past: tasks are written
//! with a clock it controls, runs get the dates of their latest store.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use configdb::{ConfigDb, ManualClock, NewTask, OpenOptions, TaskStatus};
use serde_json::{json, Value};
use support::server::{Server, ServerBuilder};
use support::tasks::{status, task_comments, task_status, TaskApi};

use crate::store_task_control::{hold_run_lock, submit};

const TASK_KIND: &str = "maintenance::TaskRetention";
const RUN_KIND: &str = "maintenance::RunRetention";

/// The server's configuration database, written with `clock`.
fn config_db(server: &Server, clock: Arc<ManualClock>) -> ConfigDb {
    ConfigDb::open_with(
        &server.config_url(),
        OpenOptions {
            clock,
            ..OpenOptions::default()
        },
    )
    .expect("open the configuration database")
}

/// Waits for a COMPLETED task of `kind` that started at or after `since`
/// (epoch seconds) and whose comments contain `needle`; returns it.
fn wait_turn(tasks: &mut TaskApi, kind: &str, since: i64, needle: &str) -> Value {
    support::wait_for(
        &format!("a {kind} task saying '{needle}'"),
        Duration::from_secs(60),
        Duration::from_millis(200),
        || {
            tasks.tasks(json!({"kinds": [kind]})).into_iter().find(|t| {
                task_status(t) == status::COMPLETED
                    && t["normalInfo"]["startedAtEpoch"].as_i64() >= Some(since)
                    && task_comments(t).contains(needle)
            })
        },
    )
}

fn days_ago(days: i64) -> DateTime<Utc> {
    Utc::now() - chrono::Duration::days(days)
}

#[test]
fn task_retention_deletes_exactly_the_old_finished_tasks_and_their_folders() {
    let config = json!({"background_tasks": {"task_retention": {"interval": 1}}});
    let server = ServerBuilder::new()
        .workers(1)
        .workspace_file("server_config.json", &config.to_string())
        .start();
    let clock = Arc::new(ManualClock::new(days_ago(100)));
    let db = config_db(&server, clock.clone());
    let tasks_dir = server.workspace().join("tasks");
    // Tasks of another machine, with input there: this server never runs them.
    let finished_at = |when: DateTime<Utc>, status: TaskStatus, consumed: bool| {
        clock.set(when - chrono::Duration::minutes(1));
        let mut spec = NewTask::new("test::Old", "an old task", "elsewhere");
        spec.input_path = Some("/elsewhere/tasks/x".into());
        let token = db.create_task(&spec).unwrap();
        let claimed = db
            // A lease the server's rescue cannot see expire.
            .claim_next("test", "elsewhere", Duration::from_secs(400 * 86_400))
            .unwrap()
            .unwrap();
        assert_eq!(claimed.token, token);
        clock.set(when);
        db.finish(&token, "test", status, None).unwrap();
        if consumed {
            db.mark_consumed(&token).unwrap();
        }
        token
    };
    // Ended on this server with a folder of its own, and with one that is
    // not a task folder.
    let abandoned_at = |when: DateTime<Utc>, input: &std::path::Path| {
        std::fs::create_dir_all(input).unwrap();
        std::fs::write(input.join("data"), "x").unwrap();
        clock.set(when);
        let mut spec = NewTask::new("test::Old", "an old task", server.machine_id());
        spec.input_path = Some(input.display().to_string());
        let token = db.allocate_task(&spec).unwrap();
        assert!(db.abandon(&token, TaskStatus::Failed, None).unwrap());
        token
    };
    let unconsumed_100 = finished_at(days_ago(100), TaskStatus::Completed, false);
    let consumed_40 = finished_at(days_ago(40), TaskStatus::Failed, true);
    let unconsumed_40 = finished_at(days_ago(40), TaskStatus::Cancelled, false);
    let consumed_10 = finished_at(days_ago(10), TaskStatus::Completed, true);
    clock.set(days_ago(120));
    let mut queued = NewTask::new("test::Old", "queued long ago", "elsewhere");
    queued.input_path = Some("/elsewhere/tasks/y".into());
    let queued = db.create_task(&queued).unwrap();
    let own_folder = tasks_dir.join("store-old");
    let with_folder = abandoned_at(days_ago(95), &own_folder);
    let outside = server.workspace().join("not-a-task-folder");
    let with_outside = abandoned_at(days_ago(95), &outside);

    support::wait_for(
        "the old finished tasks to be deleted",
        Duration::from_secs(60),
        Duration::from_millis(200),
        || {
            [&unconsumed_100, &consumed_40, &with_folder, &with_outside]
                .iter()
                .all(|t| db.get_task(t).unwrap().is_none())
                .then_some(())
        },
    );
    // A later turn deletes nothing more.
    let mut tasks = TaskApi::new(&server.url());
    let later = support::utc_now_epoch() + 1;
    wait_turn(&mut tasks, TASK_KIND, later, "Deleted 0 finished task(s)");
    for kept in [&unconsumed_40, &consumed_10, &queued] {
        assert!(db.get_task(kept).unwrap().is_some(), "{kept} is kept");
    }
    assert!(!own_folder.exists(), "the task's own folder is removed");
    assert!(outside.join("data").exists(), "nothing else is deleted");
}

/// Sets the date of `run`'s latest store, as if it had been stored then.
fn set_run_date(server: &Server, run: &str, when: DateTime<Utc>) {
    use diesel::{Connection, RunQueryDsl};
    let path = server.workspace().join("Default.sqlite");
    let mut conn = diesel::SqliteConnection::establish(&path.display().to_string())
        .expect("open the product database");
    let n = diesel::sql_query(format!(
        "UPDATE runs SET date_us = {} WHERE name = '{run}'",
        when.timestamp_micros()
    ))
    .execute(&mut conn)
    .expect("set the run's date");
    assert_eq!(n, 1, "run {run} exists");
}

fn run_names(server: &Server) -> Vec<String> {
    let mut py = support::python::PyApi::new(support::python::Venv::Current);
    let runs = py
        .call(
            &format!("{}/Default/v6.74/CodeCheckerService", server.url()),
            "CodeCheckerService",
            "getRunData",
            json!([null, null, 0, null]),
        )
        .ok();
    let mut names: Vec<String> = runs
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn store(server: &Server, tasks: &mut TaskApi, run: &str) {
    let token = submit(server, run);
    let info = tasks.wait_terminal(&token, Duration::from_secs(60));
    assert_eq!(task_status(&info), status::COMPLETED, "{info}");
}

fn policy(dry_run: Option<bool>) -> String {
    let mut product = json!({
        "max_age_days": 30,
        "keep_last": {"pattern": "^nightly-", "count": 2}
    });
    if let Some(d) = dry_run {
        product["dry_run"] = json!(d);
    }
    json!({"background_tasks": {"run_retention": {
        "interval": 1,
        "products": {"Default": product}
    }}})
    .to_string()
}

#[test]
fn run_retention_is_a_dry_run_first_then_removes_exactly_the_condemned_runs_and_spares_a_store() {
    let mut server = ServerBuilder::new()
        .workers(2)
        .arg("--store-hold-secs")
        .arg("0")
        .workspace_file("server_config.json", &policy(None))
        .start();
    let mut tasks = TaskApi::new(&server.url());
    let all = [
        "manual-fresh",
        "manual-old",
        "nightly-1",
        "nightly-2",
        "nightly-3",
        "nightly-4",
        "racing",
    ];
    for run in all {
        store(&server, &mut tasks, run);
    }
    for (run, days) in [
        ("nightly-1", 4),
        ("nightly-2", 3),
        ("nightly-3", 2),
        ("nightly-4", 1),
        ("manual-old", 40),
        ("manual-fresh", 5),
        ("racing", 45),
    ] {
        set_run_date(&server, run, days_ago(days));
    }
    let since = support::utc_now_epoch() + 1;
    let dry = wait_turn(&mut tasks, RUN_KIND, since, "DRY RUN");
    let text = task_comments(&dry);
    assert!(text.contains("would remove 4 run(s)"), "{text}");
    for (run, why) in [
        (
            "nightly-1",
            "not among the 2 latest runs matching '^nightly-'",
        ),
        (
            "nightly-2",
            "not among the 2 latest runs matching '^nightly-'",
        ),
        ("manual-old", "older than 30 days"),
        ("racing", "older than 30 days"),
    ] {
        assert!(text.contains(&format!("{run} ({why})")), "{run}: {text}");
    }
    assert_eq!(
        dry["normalInfo"]["summary"],
        "Run retention of 'Default' (dry run)"
    );
    assert_eq!(run_names(&server), all);

    // Applied for real while a store into 'racing' is under way (it holds
    // the run's lock; the test holds it for it until the store is sent).
    server.stop();
    std::fs::write(
        server.workspace().join("server_config.json"),
        policy(Some(false)),
    )
    .unwrap();
    let (product_db, lock) = hold_run_lock(&server, "racing");
    server.restart();
    let mut tasks = TaskApi::new(&server.url());
    let since = support::utc_now_epoch() + 1;
    let applied = wait_turn(&mut tasks, RUN_KIND, since, "Removed 3 run(s)");
    let text = task_comments(&applied);
    assert!(text.contains("Left 1 run(s) alone"), "{text}");
    let token = submit(&server, "racing");
    tasks.wait_status(&token, "running", Duration::from_secs(30), |s| {
        s == status::RUNNING
    });
    product_db.release_run_lock(&lock).unwrap();
    let stored = tasks.wait_terminal(&token, Duration::from_secs(60));
    assert_eq!(task_status(&stored), status::COMPLETED, "{stored}");
    // The stored run is fresh now: later turns keep it and everything else.
    let later = support::utc_now_epoch() + 1;
    wait_turn(&mut tasks, RUN_KIND, later, "Removed 0 run(s)");
    assert_eq!(
        run_names(&server),
        ["manual-fresh", "nightly-3", "nightly-4", "racing"]
    );
    assert_eq!(
        support::store::all_results(&server.product_url(), "racing").len(),
        1,
        "the store into 'racing' is whole"
    );
}
