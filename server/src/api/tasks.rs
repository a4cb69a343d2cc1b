//! `Tasks`: the status of background tasks, their search and cancellation, and
//! the test-only dummy task.
//!
//! Who may see and cancel which task follows CodeChecker: the task's
//! submitter, people with rights on the task's product, or a superuser. With
//! authentication off everyone may do everything. The rules live in
//! [`TaskRights`].

use std::collections::HashMap;
use std::sync::Arc;

use codechecker_api::codechecker_api_shared::{ErrorCode, Ternary};
use codechecker_api::tasks::{
    AdministratorTaskInfo, CodeCheckerServersideTaskServiceSyncHandler, TaskFilter, TaskInfo,
    TaskStatus,
};
use configdb::{TaskQuery, TaskRecord};

use super::errors::{database, general, missing_argument, request_failed};
use super::state::ServerState;
pub use crate::auth::Caller;
use crate::auth::Permission;
use crate::tasks::dummy;

/// Handler of the `Tasks` service for one request.
pub struct TasksHandler {
    state: Arc<ServerState>,
    caller: Caller,
}

/// The task permissions of one caller.
struct TaskRights<'a>(&'a Caller);

impl TaskRights<'_> {
    fn is_actor_of(&self, task: &TaskRecord) -> bool {
        task.actor_username == self.0.username
    }

    /// The submitter, anyone with `PRODUCT_ACCESS` to the task's product, or
    /// (for a task of no product, or none at all) a superuser.
    fn may_view(&self, task: Option<&TaskRecord>) -> configdb::Result<bool> {
        match task {
            Some(t) if self.is_actor_of(t) => Ok(true),
            Some(TaskRecord {
                product_id: Some(id),
                ..
            }) => self.0.has(Permission::ProductAccess, Some(*id)),
            _ => self.0.has(Permission::Superuser, None),
        }
    }

    /// The submitter, an admin of the task's product, or a superuser.
    fn may_cancel(&self, task: Option<&TaskRecord>) -> configdb::Result<bool> {
        match task {
            Some(t) if self.is_actor_of(t) => Ok(true),
            Some(TaskRecord {
                product_id: Some(id),
                ..
            }) => self.0.has(Permission::ProductAdmin, Some(*id)),
            _ => self.0.has(Permission::Superuser, None),
        }
    }
}

/// Decides, task by task, what `getTasks` may list: tasks of a product need
/// `PRODUCT_ACCESS` there, tasks of no product need `SUPERUSER`. Answers are
/// remembered for the one listing.
struct ListingRights<'a> {
    caller: &'a Caller,
    superuser: Option<bool>,
    products: HashMap<i64, bool>,
}

impl<'a> ListingRights<'a> {
    fn new(caller: &'a Caller) -> Self {
        Self {
            caller,
            superuser: None,
            products: HashMap::new(),
        }
    }

    fn superuser(&mut self) -> configdb::Result<bool> {
        if let Some(known) = self.superuser {
            return Ok(known);
        }
        let has = self.caller.has(Permission::Superuser, None)?;
        self.superuser = Some(has);
        Ok(has)
    }

    fn product(&mut self, id: i64) -> configdb::Result<bool> {
        if let Some(known) = self.products.get(&id) {
            return Ok(*known);
        }
        let has = self.caller.has(Permission::ProductAccess, Some(id))?;
        self.products.insert(id, has);
        Ok(has)
    }

    fn may_list(&mut self, task: &TaskRecord) -> configdb::Result<bool> {
        match task.product_id {
            Some(id) => self.product(id),
            None => self.superuser(),
        }
    }
}

impl TasksHandler {
    /// A handler for one request of `caller`.
    pub fn new(state: Arc<ServerState>, caller: Caller) -> Self {
        Self { state, caller }
    }

    /// The endpoint of product `id`, or the id when it cannot be had.
    fn endpoint_of(&self, id: i64) -> String {
        match self.state.config.get_product(id) {
            Ok(Some(product)) => product.endpoint,
            _ => id.to_string(),
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
        // Our extension (field 100): what the worker last reported; a
        // completed task is done, whatever its last report said.
        progress: Some(if task.status == configdb::TaskStatus::Completed {
            100
        } else {
            task.progress
        }),
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
        let rights = TaskRights(&self.caller);
        if !rights.may_view(task.as_ref()).map_err(database)? {
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
        if task.status.is_terminal() && !task.consumed && rights.is_actor_of(&task) {
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
        let filters = filters.unwrap_or_default();
        let mut rights = ListingRights::new(&self.caller);
        match filters.product_i_ds.as_deref() {
            Some([]) if !rights.superuser().map_err(database)? => {
                return Err(request_failed(
                    ErrorCode::UNAUTHORIZED,
                    "Querying service tasks (not associated with a product) requires \
                     SUPERUSER privileges!",
                ));
            }
            Some([]) => {}
            Some(ids) => {
                let mut missing = Vec::new();
                for id in ids {
                    if !rights.product(*id).map_err(database)? {
                        missing.push(self.endpoint_of(*id));
                    }
                }
                if !missing.is_empty() {
                    return Err(request_failed(
                        ErrorCode::UNAUTHORIZED,
                        format!(
                            "Querying product tasks requires PRODUCT_ACCESS rights, but it is \
                             missing from product(s): '{}'!",
                            missing.join("', '")
                        ),
                    ));
                }
            }
            None => {}
        }
        let query = task_query(filters);
        let tasks = self.state.config.filter_tasks(&query).map_err(database)?;
        let mut listed = Vec::with_capacity(tasks.len());
        for task in &tasks {
            if rights.may_list(task).map_err(database)? {
                listed.push(admin_task_info(task));
            }
        }
        Ok(listed)
    }

    fn handle_cancel_task(&self, token: Option<String>) -> thrift::Result<bool> {
        let (token, task) = self.load(token)?;
        if !TaskRights(&self.caller)
            .may_cancel(task.as_ref())
            .map_err(database)?
        {
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
