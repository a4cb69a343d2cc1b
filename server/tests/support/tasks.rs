//! The `Tasks` service through the real Python client, with the waits the
//! task scenarios need.

use std::time::Duration;

use serde_json::{json, Value};

use super::python::{PyApi, Reply, Venv};

/// `TaskStatus` values on the wire.
pub mod status {
    pub const ALLOCATED: i64 = 0;
    pub const ENQUEUED: i64 = 1;
    pub const RUNNING: i64 = 2;
    pub const COMPLETED: i64 = 3;
    pub const FAILED: i64 = 4;
    pub const CANCELLED: i64 = 5;
    pub const DROPPED: i64 = 6;

    /// Whether a status is final.
    pub fn is_terminal(s: i64) -> bool {
        s >= COMPLETED
    }
}

/// The `Tasks` service of one server, called by CodeChecker's Python client.
pub struct TaskApi {
    /// The driver (usable for other services too).
    pub py: PyApi,
    base: String,
}

impl TaskApi {
    /// A client of the server at `base_url` (`http://host:port`).
    pub fn new(base_url: &str) -> Self {
        Self {
            py: PyApi::new(Venv::Current),
            base: base_url.trim_end_matches('/').to_owned(),
        }
    }

    /// The endpoint URL of the `Tasks` service.
    pub fn url(&self) -> String {
        format!("{}/v6.74/Tasks", self.base)
    }

    /// Calls `method` of the `Tasks` service.
    pub fn call(&mut self, method: &str, args: Value) -> Reply {
        let url = self.url();
        self.py.call(&url, "Tasks", method, args)
    }

    /// `createDummyTask(timeout, should_fail)`; the new token.
    pub fn create_dummy(&mut self, timeout: i32, should_fail: bool) -> String {
        let token = self
            .call("createDummyTask", json!([timeout, should_fail]))
            .ok();
        token
            .as_str()
            .unwrap_or_else(|| panic!("createDummyTask returned {token}"))
            .to_owned()
    }

    /// `getTaskInfo(token)` (marks a terminated task consumed).
    pub fn info(&mut self, token: &str) -> Reply {
        self.call("getTaskInfo", json!([token]))
    }

    /// `getTasks(filter)`; panics on an exception.
    pub fn tasks(&mut self, filter: Value) -> Vec<Value> {
        match self.call("getTasks", json!([filter])).ok() {
            Value::Array(items) => items,
            other => panic!("getTasks returned {other}"),
        }
    }

    /// The `AdministratorTaskInfo` of one task, read without consuming it.
    pub fn admin_info(&mut self, token: &str) -> Value {
        let mut found = self.tasks(json!({ "tokens": [token] }));
        assert_eq!(found.len(), 1, "getTasks by token {token} found {found:?}");
        found.remove(0)
    }

    /// `cancelTask(token)`.
    pub fn cancel(&mut self, token: &str) -> Reply {
        self.call("cancelTask", json!([token]))
    }

    /// Polls (without consuming) until the task's status satisfies `accept`;
    /// returns its `AdministratorTaskInfo`.
    pub fn wait_status(
        &mut self,
        token: &str,
        what: &str,
        timeout: Duration,
        accept: impl Fn(i64) -> bool,
    ) -> Value {
        super::wait_for(
            &format!("task {token} to be {what}"),
            timeout,
            Duration::from_millis(50),
            || {
                let info = self.admin_info(token);
                accept(task_status(&info)).then_some(info)
            },
        )
    }

    /// Polls until the task has terminated; returns its `AdministratorTaskInfo`.
    pub fn wait_terminal(&mut self, token: &str, timeout: Duration) -> Value {
        self.wait_status(token, "terminated", timeout, status::is_terminal)
    }
}

/// The status of an `AdministratorTaskInfo` (or of a `TaskInfo`).
pub fn task_status(info: &Value) -> i64 {
    let normal = info.get("normalInfo").unwrap_or(info);
    normal["status"]
        .as_i64()
        .unwrap_or_else(|| panic!("no status in {info}"))
}

/// The comments of an `AdministratorTaskInfo` (or of a `TaskInfo`).
pub fn task_comments(info: &Value) -> String {
    let normal = info.get("normalInfo").unwrap_or(info);
    normal["comments"].as_str().unwrap_or_default().to_owned()
}
