//! `Tasks`: the status of background tasks, their search and cancellation, and
//! the test-only dummy task.
//!
//! Permission checks follow CodeChecker with authentication off: every caller
//! may see and cancel every task. The checks live in [`Caller`] so that
//! authentication can tighten them in one place.

use std::sync::Arc;

use codechecker_api::codechecker_api_shared::{ErrorCode, Ternary};
use codechecker_api::tasks::{
    AdministratorTaskInfo, CodeCheckerServersideTaskServiceSyncHandler, TaskFilter, TaskInfo,
    TaskStatus,
};
use configdb::{TaskQuery, TaskRecord};

use super::errors::{database, general, missing_argument, request_failed};
use super::state::ServerState;
use crate::tasks::dummy;

/// Handler of the `Tasks` service for one request.
pub struct TasksHandler {
    state: Arc<ServerState>,
    caller: Caller,
}

/// Who is asking, and what they may do with tasks.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The session's user name; `None` when anonymous.
    pub username: Option<String>,
    /// Whether the caller holds `SUPERUSER` (everyone does with authentication off).
    pub superuser: bool,
}

impl Caller {
    /// The anonymous caller of a server with authentication off.
    pub fn anonymous() -> Self {
        Self {
            username: None,
            superuser: true,
        }
    }

    fn is_actor_of(&self, task: &TaskRecord) -> bool {
        task.actor_username == self.username
    }

    fn may_view(&self, task: Option<&TaskRecord>) -> bool {
        self.superuser || task.is_some_and(|t| self.is_actor_of(t))
    }

    fn may_cancel(&self, task: Option<&TaskRecord>) -> bool {
        self.superuser || task.is_some_and(|t| self.is_actor_of(t))
    }

    fn may_list_all(&self) -> bool {
        self.superuser
    }
}

impl TasksHandler {
    /// A handler for one request by an anonymous caller.
    pub fn new(state: Arc<ServerState>) -> Self {
        Self {
            state,
            caller: Caller::anonymous(),
        }
    }

    fn load(&self, token: Option<String>) -> thrift::Result<(String, Option<TaskRecord>)> {
        let token = token.ok_or_else(|| missing_argument("token"))?;
        let task = self.state.config.get_task(&token).map_err(database)?;
        Ok((token, task))
    }
}

/// The wire form of a task record.
pub fn task_info(task: &TaskRecord) -> TaskInfo {
    TaskInfo {
        token: Some(task.token.clone()),
        task_kind: Some(task.kind.clone()),
        status: Some(TaskStatus(task.status.as_i32())),
        product_id: Some(task.product_id.unwrap_or(0)),
        actor_username: task.actor_username.clone(),
        summary: Some(task.summary.clone()),
        comments: task.comments.clone(),
        enqueued_at_epoch: task.enqueued_at_epoch(),
        started_at_epoch: task.started_at_epoch(),
        completed_at_epoch: task.completed_at_epoch(),
        last_heartbeat_epoch: task.last_heartbeat_epoch(),
        cancel_flag_set: Some(task.cancel_flag),
    }
}

fn admin_task_info(task: &TaskRecord) -> AdministratorTaskInfo {
    AdministratorTaskInfo {
        normal_info: Some(task_info(task)),
        machine_id: Some(task.machine_id.clone()),
        status_consumed: Some(task.consumed),
    }
}

fn ternary(value: Option<Ternary>) -> configdb::Ternary {
    match value {
        Some(Ternary::OFF) => configdb::Ternary::Off,
        Some(Ternary::ON) => configdb::Ternary::On,
        _ => configdb::Ternary::Both,
    }
}

/// A time bound of the filter; CodeChecker ignores a bound of 0.
fn bound(epoch: Option<i64>) -> Option<i64> {
    epoch.filter(|&e| e != 0)
}

/// Translates the wire filter into a query, with CodeChecker's meaning of
/// absent and empty lists.
pub fn task_query(filter: TaskFilter) -> TaskQuery {
    TaskQuery {
        tokens: filter.tokens.unwrap_or_default(),
        machine_ids: filter.machine_i_ds.unwrap_or_default(),
        kinds: filter.kinds.unwrap_or_default(),
        statuses: filter
            .statuses
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| configdb::TaskStatus::from_i32(s.0))
            .collect(),
        usernames: filter.usernames,
        product_ids: filter.product_i_ds,
        enqueued_before: bound(filter.enqueued_before_epoch),
        enqueued_after: bound(filter.enqueued_after_epoch),
        started_before: bound(filter.started_before_epoch),
        started_after: bound(filter.started_after_epoch),
        completed_before: bound(filter.completed_before_epoch),
        completed_after: bound(filter.completed_after_epoch),
        heartbeat_before: bound(filter.heartbeat_before_epoch),
        heartbeat_after: bound(filter.heartbeat_after_epoch),
        cancel_flag: ternary(filter.cancel_flag),
        consumed: ternary(filter.consumed_flag),
    }
}

impl CodeCheckerServersideTaskServiceSyncHandler for TasksHandler {
    fn handle_get_task_info(&self, token: Option<String>) -> thrift::Result<TaskInfo> {
        let (_, task) = self.load(token)?;
        if !self.caller.may_view(task.as_ref()) {
            return Err(request_failed(
                ErrorCode::UNAUTHORIZED,
                "The task does not exist, or you are not authorized to view the task. \
                 (Only the task's submitter, people with access to the task's product, \
                 or a SUPERUSER can view the task.)",
            ));
        }
        let task = task.ok_or_else(|| general("The task does not exist."))?;
        let info = task_info(&task);
        // The submitter has now seen how the task ended.
        if task.status.is_terminal() && !task.consumed && self.caller.is_actor_of(&task) {
            self.state
                .config
                .mark_consumed(&task.token)
                .map_err(database)?;
        }
        Ok(info)
    }

    fn handle_get_tasks(
        &self,
        filters: Option<TaskFilter>,
    ) -> thrift::Result<Vec<AdministratorTaskInfo>> {
        if !self.caller.may_list_all() {
            return Err(request_failed(
                ErrorCode::UNAUTHORIZED,
                "Querying service tasks (not associated with a product) requires \
                 SUPERUSER privileges!",
            ));
        }
        let query = task_query(filters.unwrap_or_default());
        let tasks = self.state.config.filter_tasks(&query).map_err(database)?;
        Ok(tasks.iter().map(admin_task_info).collect())
    }

    fn handle_cancel_task(&self, token: Option<String>) -> thrift::Result<bool> {
        let (token, task) = self.load(token)?;
        if !self.caller.may_cancel(task.as_ref()) {
            return Err(request_failed(
                ErrorCode::UNAUTHORIZED,
                "The task does not exist, or you are not authorized to cancel the task. \
                 (Only the task's submitter, people with PRODUCT_ADMIN on the task's \
                 product, or a SUPERUSER can cancel the task.)",
            ));
        }
        if task.is_none() {
            return Err(general("The task does not exist."));
        }
        self.state
            .config
            .request_cancel(&token, self.caller.username.as_deref())
            .map_err(database)
    }

    fn handle_create_dummy_task(
        &self,
        timeout: Option<i32>,
        should_fail: Option<bool>,
    ) -> thrift::Result<String> {
        if !self.state.test_mode {
            return Err(general(
                "createDummyTask() is only available in testing environments!",
            ));
        }
        dummy::enqueue(
            &self.state,
            timeout.unwrap_or(0),
            should_fail.unwrap_or(false),
            self.caller.username.as_deref(),
        )
        .map_err(database)
    }
}
