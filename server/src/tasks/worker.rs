//! The worker loop of a background worker process: claim the oldest queued
//! task of this machine, run it under a lease kept alive by a heartbeat
//! thread, record how it ended, and rescue tasks whose worker vanished.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use configdb::{ConfigDb, FinishOutcome, TaskRecord, TaskStatus};

use super::context::{engine_comment, TaskContext};
use super::{Registry, TaskError};

/// Timing of the worker loop.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    /// How long a claim lasts without a heartbeat; a worker killed mid-task
    /// has its task rescued this long after its last heartbeat.
    pub lease: Duration,
    /// How often a claimed task may be run before a rescue drops it.
    pub max_attempts: u32,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(10),
            max_attempts: 3,
        }
    }
}

/// One worker: its identity and what it needs to run tasks.
pub struct Worker {
    db: ConfigDb,
    machine_id: String,
    owner: String,
    registry: Registry,
    options: WorkerOptions,
    shutdown: Arc<AtomicBool>,
    /// The task in progress, to wake it when shutdown begins.
    current: std::sync::Mutex<Option<Arc<TaskContext>>>,
}

impl Worker {
    /// A worker of `machine_id`; `shutdown` tells it (and its task) to stop.
    pub fn new(
        db: ConfigDb,
        machine_id: String,
        registry: Registry,
        options: WorkerOptions,
        shutdown: Arc<AtomicBool>,
    ) -> Self {
        let owner = format!("{machine_id}#{}", std::process::id());
        Self {
            db,
            machine_id,
            owner,
            registry,
            options,
            shutdown,
            current: std::sync::Mutex::new(None),
        }
    }

    /// Tells the worker to stop: the running task sees `should_cancel()`.
    pub fn begin_shutdown(&self) {
        self.shutdown.store(true, Ordering::Relaxed);
        let current = match self.current.lock() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        if let Some(ctx) = current {
            ctx.wake_sleepers();
        }
    }

    /// Runs tasks until shutdown. Errors of the database are logged and
    /// retried; they never end the loop.
    pub fn run(&self) {
        let notifier = match self.db.subscribe() {
            Ok(n) => Some(n),
            Err(err) => {
                tracing::error!(%err, "cannot subscribe to task events; polling instead");
                None
            }
        };
        let rescue_every = self.options.lease / 2;
        let mut last_rescue: Option<Instant> = None;
        while !self.shutdown.load(Ordering::Relaxed) {
            if last_rescue.is_none_or(|t| t.elapsed() >= rescue_every) {
                self.rescue();
                last_rescue = Some(Instant::now());
            }
            let seen = notifier.as_ref().map(|n| n.enqueued_generation());
            match self
                .db
                .claim_next(&self.owner, &self.machine_id, self.options.lease)
            {
                Ok(Some(task)) => self.execute(task),
                Ok(None) => {
                    let idle = rescue_every.min(Duration::from_millis(500));
                    match (&notifier, seen) {
                        (Some(n), Some(seen)) => {
                            n.wait_enqueued(seen, idle);
                        }
                        _ => std::thread::sleep(idle),
                    }
                }
                Err(err) => {
                    tracing::error!(%err, "cannot claim a task");
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
        }
    }

    fn rescue(&self) {
        match self
            .db
            .rescue_expired(self.db.now(), self.options.max_attempts)
        {
            Ok(rescued) => {
                for r in rescued {
                    tracing::warn!(token = %r.token, outcome = ?r.outcome, "rescued a task whose worker vanished");
                }
            }
            Err(err) => tracing::error!(%err, "cannot rescue expired tasks"),
        }
    }

    /// Runs one claimed task to its end.
    pub fn execute(&self, task: TaskRecord) {
        let token = task.token.clone();
        let Some(kind) = self.registry.get(&task.kind) else {
            let text = format!(
                "FAILED!\nThis server does not know how to run tasks of kind '{}'.",
                task.kind
            );
            self.finish(&token, TaskStatus::Failed, Some(&text));
            return;
        };
        if task.cancel_flag {
            self.finish(
                &token,
                TaskStatus::Cancelled,
                Some("CANCEL!\nTask cancelled before execution began!"),
            );
            self.remove_input(&task);
            return;
        }
        let ctx = Arc::new(TaskContext::new(
            self.db.clone(),
            token.clone(),
            self.owner.clone(),
            self.options.lease,
            self.shutdown.clone(),
            false,
        ));
        self.set_current(Some(ctx.clone()));
        let beater = spawn_heartbeat(ctx.clone());
        let input = task.input_path.as_deref().map(PathBuf::from);
        let result = catch_unwind(AssertUnwindSafe(|| {
            kind.run_stored(task.payload.as_deref(), input.as_deref(), &ctx)
        }));
        ctx.mark_done();
        let _ = beater.join();
        self.set_current(None);
        if !ctx.claim_lost() {
            ctx.flush_progress();
        }

        if ctx.claim_lost() {
            tracing::warn!(%token, "the task's claim was lost while it ran; leaving its record alone");
            return;
        }
        let (status, text) = match result {
            Ok(Ok(())) => (TaskStatus::Completed, None),
            Ok(Err(TaskError::Stopped)) if ctx.is_shutting_down() => (
                TaskStatus::Dropped,
                Some(
                    "SHUTDOWN!\nTask honoured graceful cancel signal generated by server \
                     shutdown."
                        .to_owned(),
                ),
            ),
            Ok(Err(TaskError::Stopped)) => (
                TaskStatus::Cancelled,
                Some("CANCEL!\nCancel request of admin honoured by task.".to_owned()),
            ),
            Ok(Err(TaskError::Failed(message))) => (
                TaskStatus::Failed,
                Some(format!("FAILED!\nException during execution:\n{message}")),
            ),
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "the task panicked".to_owned());
                tracing::error!(%token, %message, "task panicked");
                (
                    TaskStatus::Failed,
                    Some(format!(
                        "FAILED!\nException during execution:\ninternal error: {message}"
                    )),
                )
            }
        };
        self.finish(&token, status, text.as_deref());
        self.remove_input(&task);
    }

    fn finish(&self, token: &str, status: TaskStatus, text: Option<&str>) {
        match self
            .db
            .finish(token, &self.owner, status, text.map(engine_comment))
        {
            Ok(FinishOutcome::Finished) => {
                tracing::info!(%token, %status, "task ended");
            }
            Ok(FinishOutcome::NotOwned { status, owner }) => {
                tracing::warn!(%token, %status, ?owner, "task was no longer ours to finish");
            }
            Err(err) => tracing::error!(%token, %err, "cannot record the end of a task"),
        }
    }

    fn remove_input(&self, task: &TaskRecord) {
        if let Some(path) = &task.input_path {
            if let Err(err) = std::fs::remove_dir_all(path) {
                if err.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(token = %task.token, %err, path, "cannot remove task input");
                }
            }
        }
    }

    fn set_current(&self, ctx: Option<Arc<TaskContext>>) {
        match self.current.lock() {
            Ok(mut guard) => *guard = ctx,
            Err(poisoned) => *poisoned.into_inner() = ctx,
        }
    }
}

/// Renews the task's lease a few times per lease period until it returns.
fn spawn_heartbeat(ctx: Arc<TaskContext>) -> std::thread::JoinHandle<()> {
    let period = ctx.lease() / 3;
    std::thread::spawn(move || {
        ctx.beat();
        while !ctx.is_done() {
            ctx.sleep_unless_done(period);
            if ctx.is_done() {
                break;
            }
            ctx.beat();
        }
    })
}
