//! The life of a background task, driven through CodeChecker's Python client:
//! running, completed, failed, cancelled, consumed; on SQLite and on
//! PostgreSQL. The servers run under `TZ=Asia/Tokyo` to show every epoch is UTC.

use crate::support;

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{json, Value};
use support::pg::PgDatabase;
use support::python::Reply;
use support::server::{Server, ServerBuilder};
use support::tasks::{status, task_comments, task_status, TaskApi};

/// A non-UTC zone east of UTC: local-time bugs show as a 9-hour shift.
const TZ: &str = "Asia/Tokyo";

/// ErrorCode.GENERAL.
const GENERAL: i64 = 2;

fn builder() -> ServerBuilder {
    ServerBuilder::new().api(2).workers(2).env("TZ", TZ)
}

fn sqlite() -> &'static Server {
    static SERVER: OnceLock<&'static Server> = OnceLock::new();
    SERVER.get_or_init(|| builder().start_shared())
}

fn postgres() -> Option<&'static Server> {
    static SERVER: OnceLock<Option<&'static Server>> = OnceLock::new();
    *SERVER.get_or_init(|| {
        let db = PgDatabase::create("tasks_lifecycle")?.keep_until_exit();
        Some(builder().config_db(&db.url).start_shared())
    })
}

/// Asserts `epoch` is set and within `slack` seconds of the test's own UTC clock.
fn assert_recent(info: &Value, field: &str, slack: i64) {
    let normal = info.get("normalInfo").unwrap_or(info);
    let epoch = normal[field]
        .as_i64()
        .unwrap_or_else(|| panic!("{field} is not set in {info}"));
    let now = support::utc_now_epoch();
    assert!(
        (now - slack..=now + 2).contains(&epoch),
        "{field} = {epoch} is not UTC now ({now}); off by {} s",
        epoch - now
    );
}

fn completes(server: &Server) {
    let mut api = TaskApi::new(&server.url());
    let token = api.create_dummy(2, false);
    assert_eq!(token.len(), 64, "{token}");
    let running = api.wait_status(&token, "RUNNING", Duration::from_secs(20), |s| {
        s == status::RUNNING || status::is_terminal(s)
    });
    assert_eq!(task_status(&running), status::RUNNING, "{running}");
    // Reading a running task does not consume it.
    let info = api.info(&token).ok();
    assert_eq!(info["status"], status::RUNNING);
    assert_recent(&info, "enqueuedAtEpoch", 30);
    assert_recent(&info, "startedAtEpoch", 30);
    assert_recent(&info, "lastHeartbeatEpoch", 30);
    assert_eq!(info["completedAtEpoch"], Value::Null);

    let done = api.wait_terminal(&token, Duration::from_secs(30));
    let normal = &done["normalInfo"];
    assert_eq!(task_status(&done), status::COMPLETED, "{done}");
    assert_eq!(normal["token"], token.as_str());
    assert_eq!(normal["taskKind"], "TaskService::DummyTask");
    assert_eq!(normal["summary"], "Dummy task for testing purposes");
    assert_eq!(normal["productId"], 0);
    assert_eq!(normal["actorUsername"], Value::Null);
    assert_eq!(normal["cancelFlagSet"], false);
    assert_eq!(normal["comments"], Value::Null, "{done}");
    assert_eq!(done["machineId"], server.machine_id());
    assert_recent(&done, "completedAtEpoch", 30);
    let started = normal["startedAtEpoch"].as_i64().unwrap_or_default();
    let completed = normal["completedAtEpoch"].as_i64().unwrap_or_default();
    assert!(
        (started + 1..=started + 10).contains(&completed),
        "a 2-second task ran from {started} to {completed}"
    );
}

fn fails_with_the_reason(server: &Server) {
    let mut api = TaskApi::new(&server.url());
    let token = api.create_dummy(0, true);
    let done = api.wait_terminal(&token, Duration::from_secs(30));
    assert_eq!(task_status(&done), status::FAILED, "{done}");
    let comments = task_comments(&done);
    assert!(comments.contains("FAILED!"), "{comments}");
    assert!(
        comments.contains("Task self-failure as per the user's request."),
        "{comments}"
    );
    assert!(
        comments.contains("SYSTEM[AbstractTask::execute()] at "),
        "{comments}"
    );
    assert_recent(&done, "completedAtEpoch", 30);
}

fn cancels_once(server: &Server) {
    let mut api = TaskApi::new(&server.url());
    let token = api.create_dummy(60, false);
    api.wait_status(&token, "RUNNING", Duration::from_secs(20), |s| {
        s == status::RUNNING
    });
    assert_eq!(api.cancel(&token), Reply::Ok(json!(true)), "first cancel");
    assert_eq!(api.cancel(&token), Reply::Ok(json!(false)), "second cancel");
    // The worker learns of the request at its next heartbeat (lease / 3).
    let done = api.wait_terminal(&token, Duration::from_secs(20));
    assert_eq!(task_status(&done), status::CANCELLED, "{done}");
    assert_eq!(done["normalInfo"]["cancelFlagSet"], true);
    let comments = task_comments(&done);
    assert!(
        comments.contains("User requested cancellation."),
        "{comments}"
    );
    assert!(comments.contains("CANCEL!"), "{comments}");
    assert!(
        comments.find("User requested").unwrap_or(usize::MAX)
            < comments.find("CANCEL!").unwrap_or(0),
        "the request comes before the engine's answer: {comments}"
    );
    assert_eq!(
        api.cancel(&token),
        Reply::Ok(json!(false)),
        "cancel after the end"
    );
    // The other terminal statuses cannot be cancelled either.
    let finished = api.create_dummy(0, false);
    api.wait_terminal(&finished, Duration::from_secs(30));
    assert_eq!(api.cancel(&finished), Reply::Ok(json!(false)));
    let after = api.admin_info(&finished);
    assert_eq!(task_status(&after), status::COMPLETED);
    assert_eq!(after["normalInfo"]["cancelFlagSet"], false);
}

fn unknown_tokens_are_refused(server: &Server) {
    let mut api = TaskApi::new(&server.url());
    for token in ["0".repeat(64), "not-a-token".to_owned(), String::new()] {
        for method in ["getTaskInfo", "cancelTask"] {
            let (code, message) = api.call(method, json!([token])).request_failed();
            assert_eq!(code, GENERAL, "{method}({token:?})");
            assert_eq!(message, "The task does not exist.", "{method}({token:?})");
        }
    }
}

fn consumed_after_the_actor_reads_it(server: &Server) {
    let mut api = TaskApi::new(&server.url());
    let token = api.create_dummy(0, false);
    let done = api.wait_terminal(&token, Duration::from_secs(30));
    assert_eq!(done["statusConsumed"], false, "{done}");
    // getTasks does not consume.
    assert_eq!(api.admin_info(&token)["statusConsumed"], false);
    let info = api.info(&token).ok();
    assert_eq!(info["status"], status::COMPLETED);
    assert_eq!(api.admin_info(&token)["statusConsumed"], true);
    let consumed = api.tasks(json!({"tokens": [token], "consumedFlag": 2}));
    assert_eq!(consumed.len(), 1);
    let unconsumed = api.tasks(json!({"tokens": [token], "consumedFlag": 1}));
    assert!(unconsumed.is_empty(), "{unconsumed:?}");
}

fn epochs_are_utc(server: &Server) {
    let mut api = TaskApi::new(&server.url());
    let token = api.create_dummy(0, false);
    let done = api.wait_terminal(&token, Duration::from_secs(30));
    for field in [
        "enqueuedAtEpoch",
        "startedAtEpoch",
        "completedAtEpoch",
        "lastHeartbeatEpoch",
    ] {
        assert_recent(&done, field, 30);
    }
    // The epoch bounds of the filter are UTC too.
    let now = support::utc_now_epoch();
    let found = api.tasks(json!({"tokens": [token], "enqueuedAfterEpoch": now - 60}));
    assert_eq!(found.len(), 1, "enqueued in the last minute (UTC)");
    let found = api.tasks(json!({"tokens": [token], "enqueuedBeforeEpoch": now - 3600}));
    assert!(found.is_empty(), "not enqueued an hour ago: {found:?}");
}

/// Generates one test per scenario and backend; each also checks that no
/// server process died.
macro_rules! on_both_backends {
    ($($scenario:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[test]
                fn $scenario() {
                    let server = super::sqlite();
                    super::$scenario(server);
                    server.assert_no_child_died();
                }
            )*
        }
        mod on_postgres {
            $(
                #[test]
                fn $scenario() {
                    if let Some(server) = super::postgres() {
                        super::$scenario(server);
                        server.assert_no_child_died();
                    }
                }
            )*
        }
    };
}

on_both_backends!(
    completes,
    fails_with_the_reason,
    cancels_once,
    unknown_tokens_are_refused,
    consumed_after_the_actor_reads_it,
    epochs_are_utc,
);

#[test]
fn dummy_tasks_need_test_mode() {
    let server = ServerBuilder::new().workers(0).test_mode(false).start();
    let mut api = TaskApi::new(&server.url());
    let (code, message) = api
        .call("createDummyTask", json!([0, false]))
        .request_failed();
    assert_eq!(code, GENERAL);
    assert_eq!(
        message,
        "createDummyTask() is only available in testing environments!"
    );
    assert!(api.tasks(json!({})).is_empty());
}
