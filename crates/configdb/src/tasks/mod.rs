//! Background task records: types shared by the queue, the comments and the
//! filter code.

pub(crate) mod comments;
pub(crate) mod control;
pub(crate) mod filter;
pub(crate) mod inputs;
pub(crate) mod queue;
mod row;
pub(crate) mod stats;

use chrono::{DateTime, Utc};

pub(crate) use row::TaskRow;

/// Life-cycle state of a task; the numbers are CodeChecker's `TaskStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(i32)]
pub enum TaskStatus {
    /// A token and record exist, the input is still being prepared.
    Allocated = 0,
    /// Waiting for a worker.
    Enqueued = 1,
    /// A worker holds the claim.
    Running = 2,
    /// Finished successfully.
    Completed = 3,
    /// Finished with an error.
    Failed = 4,
    /// Stopped at an administrator's request.
    Cancelled = 5,
    /// Abandoned for a system-level reason (shutdown, lost worker).
    Dropped = 6,
}

impl TaskStatus {
    /// Every status, in numeric order.
    pub const ALL: [TaskStatus; 7] = [
        TaskStatus::Allocated,
        TaskStatus::Enqueued,
        TaskStatus::Running,
        TaskStatus::Completed,
        TaskStatus::Failed,
        TaskStatus::Cancelled,
        TaskStatus::Dropped,
    ];

    /// Statuses that a task never leaves.
    pub const TERMINAL: [TaskStatus; 4] = [
        TaskStatus::Completed,
        TaskStatus::Failed,
        TaskStatus::Cancelled,
        TaskStatus::Dropped,
    ];

    /// Numeric (wire and storage) value.
    pub fn as_i32(self) -> i32 {
        self as i32
    }

    /// Status of a numeric value, if valid.
    pub fn from_i32(v: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_i32() == v)
    }

    /// Whether the task has finished in some way.
    pub fn is_terminal(self) -> bool {
        self.as_i32() >= TaskStatus::Completed.as_i32()
    }

    /// Upper-case name as in CodeChecker's API.
    pub fn name(self) -> &'static str {
        match self {
            TaskStatus::Allocated => "ALLOCATED",
            TaskStatus::Enqueued => "ENQUEUED",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Completed => "COMPLETED",
            TaskStatus::Failed => "FAILED",
            TaskStatus::Cancelled => "CANCELLED",
            TaskStatus::Dropped => "DROPPED",
        }
    }
}

impl std::fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRecord {
    /// 64 lower-case hex characters.
    pub token: String,
    /// Task kind, e.g. `"TaskService::DummyTask"`.
    pub kind: String,
    /// Current state.
    pub status: TaskStatus,
    /// Associated product, if any.
    pub product_id: Option<i64>,
    /// User who created the task, if known.
    pub actor_username: Option<String>,
    /// One-line human description.
    pub summary: String,
    /// Accumulated comments in CodeChecker's layout.
    pub comments: Option<String>,
    /// The server that created (and runs) the task.
    pub machine_id: String,
    /// When the record was allocated.
    pub created_at: DateTime<Utc>,
    /// When the task entered the queue (last time, after a rescue).
    pub enqueued_at: Option<DateTime<Utc>>,
    /// When a worker first started it.
    pub started_at: Option<DateTime<Utc>>,
    /// When it reached a terminal status.
    pub completed_at: Option<DateTime<Utc>>,
    /// Last sign of life.
    pub last_heartbeat_at: Option<DateTime<Utc>>,
    /// An administrator asked for cancellation.
    pub cancel_flag: bool,
    /// The actor has seen the terminal status.
    pub consumed: bool,
    /// Identity of the worker holding the claim while running.
    pub claim_owner: Option<String>,
    /// The claim is void after this instant unless renewed.
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// How many times a worker claimed the task.
    pub attempts: i32,
    /// Whether it may be re-run after a worker vanished mid-way.
    pub retry_safe: bool,
    /// Where the task's input lies on the creating machine.
    pub input_path: Option<String>,
    /// Percentage reported by the worker, 0..=100.
    pub progress: i32,
    /// Task parameters (JSON text), opaque to this crate.
    pub payload: Option<String>,
    /// The input is kept in the database ([`crate::ConfigDb::put_task_input`]),
    /// so any machine may claim the task.
    pub input_shared: bool,
}

impl TaskRecord {
    /// `enqueued_at` as UTC epoch seconds.
    pub fn enqueued_at_epoch(&self) -> Option<i64> {
        epoch_seconds(self.enqueued_at)
    }

    /// `started_at` as UTC epoch seconds.
    pub fn started_at_epoch(&self) -> Option<i64> {
        epoch_seconds(self.started_at)
    }

    /// `completed_at` as UTC epoch seconds.
    pub fn completed_at_epoch(&self) -> Option<i64> {
        epoch_seconds(self.completed_at)
    }

    /// `last_heartbeat_at` as UTC epoch seconds.
    pub fn last_heartbeat_epoch(&self) -> Option<i64> {
        epoch_seconds(self.last_heartbeat_at)
    }
}

/// Whole UTC epoch seconds of an instant (fraction dropped, as CodeChecker does).
pub fn epoch_seconds(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp())
}

/// What a new task consists of; see [`crate::ConfigDb::create_task`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewTask {
    /// Task kind (non-empty).
    pub kind: String,
    /// One-line human description.
    pub summary: String,
    /// Associated product, if any.
    pub product_id: Option<i64>,
    /// Creating user, if known.
    pub actor: Option<String>,
    /// The server creating (and later running) the task (non-empty).
    pub machine_id: String,
    /// Whether a rescue may re-enqueue it after its worker vanished.
    pub retry_safe: bool,
    /// Location of prepared input data.
    pub input_path: Option<String>,
    /// Task parameters (JSON text).
    pub payload: Option<String>,
}

impl NewTask {
    /// A task of `kind` for `machine_id`; other fields default to empty.
    pub fn new(
        kind: impl Into<String>,
        summary: impl Into<String>,
        machine_id: impl Into<String>,
    ) -> Self {
        Self {
            kind: kind.into(),
            summary: summary.into(),
            machine_id: machine_id.into(),
            ..Self::default()
        }
    }
}

/// A fresh token: 32 bytes from the operating system's RNG, hex encoded.
pub(crate) fn generate_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}
