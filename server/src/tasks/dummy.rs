//! The test-only dummy task of `createDummyTask(timeout, shouldFail)`: it ticks
//! once a second for `timeout` seconds, stops when asked, and fails at the end
//! when told to.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{TaskContext, TaskError, TaskKind};
use crate::state::ServerState;

pub use crate::task_kinds::DUMMY as KIND;

/// What the dummy task was asked to do.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct DummyParams {
    /// Seconds to run.
    timeout: i32,
    /// Whether to end FAILED.
    should_fail: bool,
}

/// Creates and enqueues a dummy task; returns its token.
pub fn enqueue(
    state: &ServerState,
    timeout: i32,
    should_fail: bool,
    actor: Option<&str>,
) -> configdb::Result<String> {
    let params = DummyParams {
        timeout,
        should_fail,
    };
    let mut task = configdb::NewTask::new(
        KIND,
        "Dummy task for testing purposes",
        state.machine_id.clone(),
    );
    task.actor = actor.map(str::to_owned);
    task.payload = super::payload::<DummyTask>(&params);
    state.config.create_task(&task)
}

/// The dummy task kind.
pub struct DummyTask;

impl TaskKind for DummyTask {
    type Params = DummyParams;

    fn name(&self) -> &'static str {
        KIND
    }

    fn retry_safe(&self) -> bool {
        false
    }

    fn run(
        &self,
        params: DummyParams,
        _input: Option<&Path>,
        ctx: &TaskContext,
    ) -> Result<(), TaskError> {
        let seconds = params.timeout.max(0);
        for second in 0..seconds {
            ctx.set_progress(second * 100 / seconds);
            ctx.heartbeat();
            if ctx.should_cancel() {
                return Err(TaskError::Stopped);
            }
            // Wakes early when a stop is requested.
            ctx.sleep(Duration::from_secs(1));
        }
        if params.should_fail {
            return Err(TaskError::failed(
                "Task self-failure as per the user's request.",
            ));
        }
        ctx.set_progress(100);
        Ok(())
    }
}
