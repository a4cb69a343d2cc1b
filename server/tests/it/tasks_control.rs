//! Operating the task engine through `server_config.json`'s
//! `background_tasks`: admission (one store at a time, first in first out,
//! a bound on waiting stores) and deadlines (a task past its kind's limit
//! ends DROPPED).

use crate::support;

use std::time::Duration;

use serde_json::json;
use support::python::{PyApi, Venv};
use support::server::Server;
use support::store::store_server;
use support::tasks::{status, task_comments, task_status, TaskApi};

use crate::store_task_control::{hold_run_lock, small_upload, submit};

/// ErrorCode.GENERAL.
const GENERAL: i64 = 2;

fn statuses(tasks: &mut TaskApi, tokens: &[String]) -> Vec<i64> {
    tokens
        .iter()
        .map(|t| task_status(&tasks.admin_info(t)))
        .collect()
}

#[test]
fn stores_run_one_at_a_time_first_in_first_out_and_the_queue_bound_refuses() {
    let config = json!({"background_tasks": {
        "max_running": {"store": 1},
        "max_enqueued_per_product": 4
    }});
    // Two workers: without the limit two stores would run at once.
    let server = store_server()
        .workers(2)
        .arg("--store-hold-secs")
        .arg("0")
        .workspace_file("server_config.json", &config.to_string())
        .start();
    let runs: Vec<String> = (0..5).map(|i| format!("fifo-{i}")).collect();
    // Every store waits for its run's lock, held here as another store of
    // the same run would hold it: each stays RUNNING until released.
    let locks: Vec<_> = runs.iter().map(|r| hold_run_lock(&server, r)).collect();
    let tokens: Vec<String> = runs.iter().map(|r| submit(&server, r)).collect();
    let mut tasks = TaskApi::new(&server.url());
    tasks.wait_status(&tokens[0], "running", Duration::from_secs(30), |s| {
        s == status::RUNNING
    });
    // Give a second worker every chance to (wrongly) start another store.
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(
        statuses(&mut tasks, &tokens),
        [
            status::RUNNING,
            status::ENQUEUED,
            status::ENQUEUED,
            status::ENQUEUED,
            status::ENQUEUED
        ]
    );

    // One running and four waiting: the fifth waiting store is refused.
    let mut py = PyApi::new(Venv::Current);
    let (code, message) = py
        .call(
            &format!("{}/Default/v6.74/CodeCheckerService", server.url()),
            "CodeCheckerService",
            "massStoreRunAsynchronous",
            json!([small_upload(), {"runName": "one-too-many", "version": "6.29.1"}]),
        )
        .request_failed();
    assert_eq!(code, GENERAL, "{message}");
    assert!(
        message.contains("max_enqueued_per_product") && message.contains("(4)"),
        "the refusal names the limit: {message}"
    );
    assert!(message.contains("one-too-many"), "{message}");

    // Released one by one, the stores run in the order they came.
    for (i, ((db, lock), token)) in locks.iter().zip(&tokens).enumerate() {
        tasks.wait_status(token, "running", Duration::from_secs(30), |s| {
            s == status::RUNNING
        });
        let now = statuses(&mut tasks, &tokens);
        for (j, s) in now.iter().enumerate() {
            let expected = match j.cmp(&i) {
                std::cmp::Ordering::Less => status::COMPLETED,
                std::cmp::Ordering::Equal => status::RUNNING,
                std::cmp::Ordering::Greater => status::ENQUEUED,
            };
            assert_eq!(*s, expected, "store {j} while store {i} runs: {now:?}");
        }
        db.release_run_lock(lock).expect("release the lock");
        let info = tasks.wait_terminal(token, Duration::from_secs(60));
        assert_eq!(task_status(&info), status::COMPLETED, "{info}");
    }
    // The queue drained: stores are accepted again.
    let token = submit(&server, "one-too-many");
    let info = tasks.wait_terminal(&token, Duration::from_secs(60));
    assert_eq!(task_status(&info), status::COMPLETED, "{info}");
}

fn deadline_server(grace: u64) -> Server {
    let config = json!({"background_tasks": {
        "deadlines": {"dummy": 2},
        "deadline_grace": grace
    }});
    support::server::ServerBuilder::new()
        .workers(1)
        .test_mode(true)
        .workspace_file("server_config.json", &config.to_string())
        .start()
}

#[test]
fn a_task_past_its_deadline_ends_dropped_within_the_grace_period() {
    let grace = 5;
    let server = deadline_server(grace);
    let mut tasks = TaskApi::new(&server.url());
    let token = tasks.create_dummy(60, false);
    let info = tasks.wait_terminal(&token, Duration::from_secs(30));
    assert_eq!(task_status(&info), status::DROPPED, "{info}");
    let comments = task_comments(&info);
    assert!(
        comments.contains("DEADLINE!") && comments.contains("2s, 'background_tasks.deadlines'"),
        "the comment says why: {comments}"
    );
    let normal = &info["normalInfo"];
    let ran =
        normal["completedAtEpoch"].as_i64().unwrap() - normal["startedAtEpoch"].as_i64().unwrap();
    // Epochs are whole seconds: one second of rounding.
    assert!(
        ran <= 2 + grace as i64 + 1,
        "ended {ran}s after it started: past the deadline and its grace period"
    );
    // The dummy task stops when told to: its worker process was not replaced.
    server.assert_no_child_died();
}
