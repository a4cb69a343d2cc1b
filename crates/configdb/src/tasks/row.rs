//! The stored row of a task and its conversion into the public record.

use diesel::prelude::*;

use super::{TaskRecord, TaskStatus};
use crate::clock::{from_micros, opt_from_micros};
use crate::error::{Error, Result};
use crate::schema::background_tasks;

/// One `background_tasks` row, column for column.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = background_tasks)]
pub(crate) struct TaskRow {
    pub token: String,
    pub kind: String,
    pub status: i32,
    pub product_id: Option<i64>,
    pub actor_username: Option<String>,
    pub summary: String,
    pub comments: Option<String>,
    pub machine_id: String,
    pub created_at_us: i64,
    pub enqueued_at_us: Option<i64>,
    pub started_at_us: Option<i64>,
    pub completed_at_us: Option<i64>,
    pub last_heartbeat_at_us: Option<i64>,
    pub cancel_flag: bool,
    pub consumed: bool,
    pub claim_owner: Option<String>,
    pub lease_expires_at_us: Option<i64>,
    pub attempts: i32,
    pub retry_safe: bool,
    pub input_path: Option<String>,
    pub progress: i32,
    pub payload: Option<String>,
    pub input_shared: bool,
}

impl TaskRow {
    /// The row's status, or [`Error::Corrupt`] for an unknown code.
    pub(crate) fn status(&self) -> Result<TaskStatus> {
        TaskStatus::from_i32(self.status).ok_or_else(|| {
            Error::Corrupt(format!(
                "task `{}` has unknown status {}",
                self.token, self.status
            ))
        })
    }
}

impl TryFrom<TaskRow> for TaskRecord {
    type Error = Error;

    fn try_from(r: TaskRow) -> Result<Self> {
        Ok(TaskRecord {
            status: r.status()?,
            created_at: from_micros(r.created_at_us)?,
            enqueued_at: opt_from_micros(r.enqueued_at_us)?,
            started_at: opt_from_micros(r.started_at_us)?,
            completed_at: opt_from_micros(r.completed_at_us)?,
            last_heartbeat_at: opt_from_micros(r.last_heartbeat_at_us)?,
            lease_expires_at: opt_from_micros(r.lease_expires_at_us)?,
            token: r.token,
            kind: r.kind,
            product_id: r.product_id,
            actor_username: r.actor_username,
            summary: r.summary,
            comments: r.comments,
            machine_id: r.machine_id,
            cancel_flag: r.cancel_flag,
            consumed: r.consumed,
            claim_owner: r.claim_owner,
            attempts: r.attempts,
            retry_safe: r.retry_safe,
            input_path: r.input_path,
            progress: r.progress,
            payload: r.payload,
            input_shared: r.input_shared,
        })
    }
}
