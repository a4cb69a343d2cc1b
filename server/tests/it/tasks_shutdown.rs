//! A server shutdown (SIGTERM to the supervisor) while tasks run and wait:
//! the running task ends DROPPED with a comment, queued tasks survive and run
//! after the next start; on SQLite and on PostgreSQL.

use crate::support;

use std::time::{Duration, Instant};

use support::pg::PgDatabase;
use support::python::Reply;
use support::server::ServerBuilder;
use support::tasks::{status, task_comments, task_status, TaskApi};

fn shutdown_and_restart(builder: ServerBuilder) {
    let mut server = builder.api(1).workers(1).start();
    let mut api = TaskApi::new(&server.url());
    let long = api.create_dummy(120, false);
    api.wait_status(&long, "RUNNING", Duration::from_secs(20), |s| {
        s == status::RUNNING
    });
    // The only worker is busy: these wait in the queue.
    let queued = [api.create_dummy(0, false), api.create_dummy(1, false)];
    let cancelled = api.create_dummy(0, false);
    assert_eq!(api.cancel(&cancelled), Reply::Ok(serde_json::json!(true)));
    for token in queued.iter().chain([&cancelled]) {
        assert_eq!(
            task_status(&api.admin_info(token)),
            status::ENQUEUED,
            "{token}"
        );
    }
    drop(api);

    let stopping = Instant::now();
    let exit = server.stop();
    assert!(
        exit.success(),
        "the supervisor exited with {exit}\n{}",
        server.log()
    );
    // The dummy task honours the stop request within its 1-second tick.
    assert!(
        stopping.elapsed() < Duration::from_secs(5),
        "shutdown took {:?}",
        stopping.elapsed()
    );
    let restarted_at = support::utc_now_epoch();

    server.restart();
    let mut api = TaskApi::new(&server.url());
    let dropped = api.admin_info(&long);
    assert_eq!(task_status(&dropped), status::DROPPED, "{dropped}");
    let comments = task_comments(&dropped);
    assert!(
        comments.contains("SHUTDOWN!") || comments.contains("DROPPED!"),
        "the dropped task says why: {comments:?}"
    );
    assert!(
        dropped["normalInfo"]["completedAtEpoch"].is_i64(),
        "{dropped}"
    );

    for token in &queued {
        let done = api.wait_terminal(token, Duration::from_secs(30));
        assert_eq!(task_status(&done), status::COMPLETED, "{done}");
        let started = done["normalInfo"]["startedAtEpoch"]
            .as_i64()
            .unwrap_or_default();
        assert!(
            started >= restarted_at - 1,
            "{token} started before the restart: {done}"
        );
    }
    let done = api.wait_terminal(&cancelled, Duration::from_secs(30));
    assert_eq!(task_status(&done), status::CANCELLED, "{done}");
    let comments = task_comments(&done);
    assert!(
        comments.contains("User requested cancellation."),
        "{comments}"
    );
    assert!(
        comments.contains("Task cancelled before execution began!"),
        "{comments}"
    );
    server.assert_no_child_died();
}

#[test]
fn shutdown_drops_running_and_keeps_queued_on_sqlite() {
    shutdown_and_restart(ServerBuilder::new());
}

#[test]
fn shutdown_drops_running_and_keeps_queued_on_postgres() {
    let Some(db) = PgDatabase::create("tasks_shutdown") else {
        return;
    };
    shutdown_and_restart(ServerBuilder::new().config_db(&db.url));
}

#[test]
fn tasks_enqueued_without_workers_run_after_restart() {
    let mut server = ServerBuilder::new().api(1).workers(0).start();
    let mut api = TaskApi::new(&server.url());
    let tokens: Vec<String> = (0..5).map(|_| api.create_dummy(0, false)).collect();
    std::thread::sleep(Duration::from_millis(300));
    for token in &tokens {
        assert_eq!(task_status(&api.admin_info(token)), status::ENQUEUED);
    }
    drop(api);
    assert!(server.stop().success());
    server.restart_with(|b| b.workers(2));
    let mut api = TaskApi::new(&server.url());
    for token in &tokens {
        let done = api.wait_terminal(token, Duration::from_secs(30));
        assert_eq!(task_status(&done), status::COMPLETED, "{done}");
    }
}
