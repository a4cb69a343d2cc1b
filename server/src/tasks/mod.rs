//! The task engine: the kinds of background task this server runs, the
//! context a running task talks to, and the worker loop that runs them.
//!
//! A task is a row in the configuration database (see `configdb`): API
//! handlers create it ENQUEUED, a worker process claims it under a lease,
//! runs the [`TaskKind`] registered for its kind, and records how it ended.

pub mod context;
pub mod dummy;
pub mod retention;
pub mod store;
pub mod worker;

use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use context::TaskContext;

use crate::state::ServerState;

/// Why a task did not complete.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// The task stopped because it was asked to (cancel or shutdown).
    #[error("the task honoured a stop request")]
    Stopped,
    /// The task failed; the message goes into the task's comments.
    #[error("{0}")]
    Failed(String),
}

impl TaskError {
    /// A failure with a message a person can act on.
    pub fn failed(message: impl Into<String>) -> Self {
        TaskError::Failed(message.into())
    }
}

/// One kind of background task.
pub trait TaskKind: Send + Sync {
    /// What the creator of a task of this kind gives it to do; stored as JSON
    /// in the task's row (see [`payload`]) and read back for [`TaskKind::run`].
    type Params: Serialize + DeserializeOwned;

    /// The kind's name as stored and shown to users.
    fn name(&self) -> &'static str;

    /// Whether a run that died half-way (its worker was killed) may simply be
    /// run again. Only kinds whose effect is all-or-nothing say yes.
    fn retry_safe(&self) -> bool;

    /// Does the work: `params` as its creator stored them, `input` the folder
    /// of its uploaded input, if any.
    fn run(
        &self,
        params: Self::Params,
        input: Option<&Path>,
        ctx: &TaskContext,
    ) -> Result<(), TaskError>;
}

/// The stored form of a task's parameters, for `NewTask::payload`: typed by
/// the kind, so a creator cannot store what the kind would not read.
pub fn payload<K: TaskKind>(params: &K::Params) -> Option<String> {
    serde_json::to_string(params).ok()
}

/// What the worker sees of a [`TaskKind`]: the stored payload is read into
/// the kind's parameters before it runs.
pub trait StoredTaskKind: Send + Sync {
    /// See [`TaskKind::name`].
    fn name(&self) -> &'static str;
    /// See [`TaskKind::retry_safe`].
    fn retry_safe(&self) -> bool;
    /// Reads `payload` (absent: JSON `null`) and runs the task with it; a
    /// payload the kind cannot read fails the task, saying so.
    fn run_stored(
        &self,
        payload: Option<&str>,
        input: Option<&Path>,
        ctx: &TaskContext,
    ) -> Result<(), TaskError>;
}

impl<K: TaskKind> StoredTaskKind for K {
    fn name(&self) -> &'static str {
        TaskKind::name(self)
    }

    fn retry_safe(&self) -> bool {
        TaskKind::retry_safe(self)
    }

    fn run_stored(
        &self,
        payload: Option<&str>,
        input: Option<&Path>,
        ctx: &TaskContext,
    ) -> Result<(), TaskError> {
        let params = serde_json::from_str(payload.unwrap_or("null")).map_err(|e| {
            TaskError::failed(format!(
                "The parameters of this {} task cannot be read: {e}",
                TaskKind::name(self)
            ))
        })?;
        self.run(params, input, ctx)
    }
}

/// Every task kind this server knows, looked up by name.
pub struct Registry {
    kinds: Vec<Box<dyn StoredTaskKind>>,
}

impl Registry {
    /// The registry of this server build; tasks that need the server's
    /// state (product databases, settings) share `state`.
    pub fn standard(state: &Arc<ServerState>) -> Self {
        Self {
            kinds: vec![
                Box::new(dummy::DummyTask),
                Box::new(store::StoreTask::new(
                    crate::store::params::ASYNC_KIND,
                    state.clone(),
                )),
                Box::new(store::StoreTask::new(
                    crate::store::params::LEGACY_KIND,
                    state.clone(),
                )),
                Box::new(retention::TaskRetentionTask::new(state.clone())),
                Box::new(retention::RunRetentionTask::new(state.clone())),
            ],
        }
    }

    /// A registry of exactly `kinds`.
    pub fn of(kinds: Vec<Box<dyn StoredTaskKind>>) -> Self {
        Self { kinds }
    }

    /// The kind called `name`.
    pub fn get(&self, name: &str) -> Option<&dyn StoredTaskKind> {
        self.kinds
            .iter()
            .find(|k| k.name() == name)
            .map(|k| k.as_ref())
    }
}
