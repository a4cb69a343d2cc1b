//! The worker loop of a background worker process: claim the oldest queued
//! task this machine may run (within the per-kind concurrency limits), run it
//! under a lease kept alive by a heartbeat thread that also enforces the
//! kind's deadline, record how it ended, rescue tasks whose worker vanished,
//! and create the periodic maintenance tasks when their turn comes. A task
//! whose input is kept in the configuration database (a store on a
//! PostgreSQL cluster) is run from a copy fetched from there
//! (`crate::store::shared_input`).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use configdb::{ConfigDb, FinishOutcome, KindLimit, TaskRecord, TaskStatus};

use super::context::{engine_comment, TaskContext};
use super::retention::Scheduler;
use super::{Registry, TaskError};
use crate::store::shared_input;
use crate::store::UnpackLimits;

/// Where a worker unpacks the inputs it fetches from the configuration
/// database (tasks accepted by another server of the cluster).
#[derive(Debug, Clone)]
pub struct SharedInputs {
    /// The server's workspace (folders go under `<workspace>/tasks/`).
    pub workspace: PathBuf,
    /// The checks of an upload, as for one from the wire.
    pub limits: UnpackLimits,
}

/// The folder a task fetched, shared with the deadline watchdog.
type Fetched = Arc<Mutex<Option<PathBuf>>>;

/// Timing and limits of the worker loop.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// How long a claim lasts without a heartbeat; a worker killed mid-task
    /// has its task rescued this long after its last heartbeat.
    pub lease: Duration,
    /// How often a claimed task may be run before a rescue drops it.
    pub max_attempts: u32,
    /// Per-kind concurrency limits of this server.
    pub limits: Vec<KindLimit>,
    /// Run-time limits by task kind.
    pub deadlines: HashMap<String, Duration>,
    /// How long a task past its deadline has to stop before its worker
    /// process is replaced.
    pub deadline_grace: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(10),
            max_attempts: 3,
            limits: Vec::new(),
            deadlines: HashMap::new(),
            deadline_grace: Duration::from_secs(30),
        }
    }
}

/// How long a worker waits before trying again to record a task's end.
const FINISH_RETRY: Duration = Duration::from_millis(250);

/// What replaces a worker whose task ignored its deadline: by default the
/// process exits and the supervisor starts another.
pub type OverrunAction = Arc<dyn Fn() + Send + Sync>;

/// Exit status of a worker process replaced because of a task's deadline.
pub const EXIT_DEADLINE: i32 = 75;

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
    /// Creates the periodic tasks.
    scheduler: Option<Scheduler>,
    /// Ends this worker when a task ignores its deadline.
    on_overrun: OverrunAction,
    /// Where inputs kept in the database are unpacked (`None`: they are
    /// not fetched; the task gets its creator's `input_path`).
    shared_inputs: Option<SharedInputs>,
}

/// The claim owner a worker process `pid` of `machine_id` claims tasks as.
pub fn owner_name(machine_id: &str, pid: u32) -> String {
    format!("{machine_id}#{pid}")
}

/// For the supervisor, once worker process `pid` of `machine_id` is known
/// dead: its claims end now and what it ran is rescued at once (re-run or
/// DROPPED, as after a lease that ran out), rather than a lease later.
pub fn release_dead_worker(db: &ConfigDb, machine_id: &str, pid: u32) {
    let owner = owner_name(machine_id, pid);
    let released = db.expire_claims_of(&owner);
    match released {
        Ok(0) => return,
        Ok(n) => tracing::warn!(%owner, tasks = n, "a dead worker's tasks are rescued at once"),
        Err(err) => {
            tracing::error!(%err, %owner, "cannot release a dead worker's tasks; their leases will run out");
            return;
        }
    }
    match db.rescue_expired(db.now(), WorkerOptions::default().max_attempts) {
        Ok(rescued) => {
            for r in rescued {
                tracing::warn!(token = %r.token, outcome = ?r.outcome, "rescued a task whose worker vanished");
            }
        }
        Err(err) => tracing::error!(%err, "cannot rescue expired tasks"),
    }
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
        let owner = owner_name(&machine_id, std::process::id());
        Self {
            db,
            machine_id,
            owner,
            registry,
            options,
            shutdown,
            current: std::sync::Mutex::new(None),
            scheduler: None,
            on_overrun: Arc::new(|| std::process::exit(EXIT_DEADLINE)),
            shared_inputs: None,
        }
    }

    /// Lets this worker run tasks accepted by other servers of the cluster,
    /// fetching their input from the configuration database.
    pub fn with_shared_inputs(mut self, inputs: SharedInputs) -> Self {
        self.shared_inputs = Some(inputs);
        self
    }

    /// Lets this worker create the periodic tasks when they are due.
    pub fn with_scheduler(mut self, scheduler: Scheduler) -> Self {
        self.scheduler = Some(scheduler);
        self
    }

    /// Replaces what happens when a task ignores its deadline past the grace
    /// period (after its record was marked DROPPED).
    pub fn with_overrun_action(mut self, action: OverrunAction) -> Self {
        self.on_overrun = action;
        self
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
            if let Some(scheduler) = &self.scheduler {
                scheduler.tick();
            }
            let seen = notifier.as_ref().map(|n| n.enqueued_generation());
            match self.db.claim_next_limited(
                &self.owner,
                &self.machine_id,
                self.options.lease,
                &self.options.limits,
            ) {
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
            let _ = self.finish(&token, TaskStatus::Failed, Some(&text));
            return;
        };
        if task.cancel_flag {
            if self.finish(
                &token,
                TaskStatus::Cancelled,
                Some("CANCEL!\nTask cancelled before execution began!"),
            ) {
                self.remove_input(&task, None);
            }
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
        let fetched: Fetched = Arc::new(Mutex::new(None));
        let watchdog = self
            .options
            .deadlines
            .get(&task.kind)
            .map(|&deadline| Watchdog {
                deadline,
                grace: self.options.deadline_grace,
                overrun: self.overrun(&task, deadline, fetched.clone()),
            });
        let beater = spawn_heartbeat(ctx.clone(), watchdog);
        let result = catch_unwind(AssertUnwindSafe(|| {
            let input = self.input_of(&task, &fetched)?;
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
            Ok(Err(TaskError::Stopped)) if ctx.deadline_passed() => (
                TaskStatus::Dropped,
                Some(format!(
                    "DEADLINE!\nThe task ran longer than the deadline of its kind ({}) and \
                     stopped when told to.",
                    deadline_text(self.options.deadlines.get(&task.kind))
                )),
            ),
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
        // The input goes only with a recorded end: a task whose end could
        // not be written (the database unreachable, its disk full) is
        // rescued when its lease runs out and needs its input to run again;
        // one that is no longer ours is another worker's to run. A copy
        // fetched for this attempt goes in any case.
        let fetched = take(&fetched);
        if self.finish(&token, status, text.as_deref()) {
            self.remove_input(&task, fetched);
        } else if let Some(copy) = fetched {
            let _ = std::fs::remove_dir_all(copy);
        }
    }

    /// The folder `task` runs from: its creator's `input_path` when that is
    /// this machine or the input is not shared; otherwise a copy of its input
    /// fetched from the configuration database (noted in `fetched`).
    fn input_of(&self, task: &TaskRecord, fetched: &Fetched) -> Result<Option<PathBuf>, TaskError> {
        let local = self
            .own_input(task)
            .map(PathBuf::from)
            .filter(|p| !task.input_shared || p.is_dir());
        let Some(inputs) = self.shared_inputs.as_ref().filter(|_| task.input_shared) else {
            return Ok(task.input_path.as_deref().map(PathBuf::from));
        };
        if local.is_some() {
            return Ok(local);
        }
        let dir = shared_input::fetch(
            &self.db,
            &task.token,
            task.attempts,
            &inputs.workspace,
            &inputs.limits,
        )
        .map_err(|e| TaskError::failed(e.to_string()))?;
        match fetched.lock() {
            Ok(mut guard) => *guard = Some(dir.clone()),
            Err(poisoned) => *poisoned.into_inner() = Some(dir.clone()),
        }
        Ok(Some(dir))
    }

    /// The task's `input_path` if this machine created it (another
    /// machine's path means nothing here).
    fn own_input<'t>(&self, task: &'t TaskRecord) -> Option<&'t str> {
        task.input_path
            .as_deref()
            .filter(|_| task.machine_id == self.machine_id)
    }

    /// What the watchdog does when `task` ignores its deadline: record it
    /// DROPPED (so no rescue runs it again), remove its input, and replace
    /// this worker process.
    fn overrun(
        &self,
        task: &TaskRecord,
        deadline: Duration,
        fetched: Fetched,
    ) -> Box<dyn FnOnce() + Send> {
        let db = self.db.clone();
        let token = task.token.clone();
        let owner = self.owner.clone();
        let input = self.own_input(task).map(str::to_owned);
        let grace = self.options.deadline_grace;
        let action = self.on_overrun.clone();
        Box::new(move || {
            let text = format!(
                "DEADLINE!\nThe task ran longer than the deadline of its kind ({}) and did not \
                 stop within {}s of being told to; its worker process ({}) was replaced.",
                deadline_text(Some(&deadline)),
                grace.as_secs(),
                std::process::id()
            );
            tracing::error!(%token, "a task ignored its deadline; replacing this worker process");
            match db.finish(
                &token,
                &owner,
                TaskStatus::Dropped,
                Some(engine_comment(&text)),
            ) {
                Ok(FinishOutcome::Finished) => {
                    for path in input.map(PathBuf::from).into_iter().chain(take(&fetched)) {
                        let _ = std::fs::remove_dir_all(path);
                    }
                }
                Ok(FinishOutcome::NotOwned { .. }) => return,
                Err(err) => tracing::error!(%token, %err, "cannot record the end of a task"),
            }
            action();
        })
    }

    /// Records the end of `token`; whether it was recorded. A failing
    /// database is tried again (a PostgreSQL restart, a moment of full
    /// disk) for up to a lease: past it, the task is another worker's to
    /// rescue anyway.
    fn finish(&self, token: &str, status: TaskStatus, text: Option<&str>) -> bool {
        let started = Instant::now();
        loop {
            match self
                .db
                .finish(token, &self.owner, status, text.map(engine_comment))
            {
                Ok(FinishOutcome::Finished) => {
                    tracing::info!(%token, %status, "task ended");
                    return true;
                }
                Ok(FinishOutcome::NotOwned { status, owner }) => {
                    tracing::warn!(%token, %status, ?owner, "task was no longer ours to finish");
                    return false;
                }
                Err(err) if started.elapsed() < self.options.lease => {
                    tracing::warn!(%token, %status, %err, "cannot record the end of a task yet; trying again");
                    std::thread::sleep(FINISH_RETRY);
                }
                Err(err) => {
                    tracing::error!(
                        %token, %status, comment = text.unwrap_or_default(), %err,
                        "cannot record the end of a task; it will be rescued when its lease ends"
                    );
                    return false;
                }
            }
        }
    }

    /// Removes the task's input folder (if this machine holds it) and the
    /// copy it fetched, if any.
    fn remove_input(&self, task: &TaskRecord, fetched: Option<PathBuf>) {
        let own = self.own_input(task).map(PathBuf::from);
        for path in own.into_iter().chain(fetched) {
            if let Err(err) = std::fs::remove_dir_all(&path) {
                if err.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!(token = %task.token, %err, path = %path.display(), "cannot remove task input");
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

/// The folder noted in `fetched`, taken out.
fn take(fetched: &Fetched) -> Option<PathBuf> {
    match fetched.lock() {
        Ok(mut guard) => guard.take(),
        Err(poisoned) => poisoned.into_inner().take(),
    }
}

/// The deadline of a task and what to do when it is ignored.
struct Watchdog {
    deadline: Duration,
    grace: Duration,
    overrun: Box<dyn FnOnce() + Send>,
}

/// How a deadline reads in a comment.
fn deadline_text(deadline: Option<&Duration>) -> String {
    match deadline {
        Some(d) => format!(
            "{}s, 'background_tasks.deadlines' in server_config.json",
            d.as_secs()
        ),
        None => "'background_tasks.deadlines' in server_config.json".to_owned(),
    }
}

/// Renews the task's lease a few times per lease period until it returns;
/// tells it to stop at its deadline, and replaces the worker when it has not
/// stopped a grace period later.
fn spawn_heartbeat(
    ctx: Arc<TaskContext>,
    watchdog: Option<Watchdog>,
) -> std::thread::JoinHandle<()> {
    let period = ctx.lease() / 3;
    std::thread::spawn(move || {
        let started = Instant::now();
        let mut watchdog = watchdog;
        ctx.beat();
        let mut last_beat = Instant::now();
        while !ctx.is_done() {
            let mut wait = period.saturating_sub(last_beat.elapsed());
            if let Some(w) = &watchdog {
                let alarm = if ctx.deadline_passed() {
                    w.deadline + w.grace
                } else {
                    w.deadline
                };
                wait = wait.min(alarm.saturating_sub(started.elapsed()));
            }
            ctx.sleep_unless_done(wait);
            if ctx.is_done() {
                break;
            }
            if let Some(w) = &watchdog {
                let ran = started.elapsed();
                if !ctx.deadline_passed() && ran >= w.deadline {
                    tracing::warn!(token = %ctx.token(), deadline = ?w.deadline, "task past its deadline; telling it to stop");
                    ctx.signal_deadline();
                } else if ctx.deadline_passed() && ran >= w.deadline + w.grace {
                    if let Some(w) = watchdog.take() {
                        (w.overrun)();
                    }
                    return;
                }
            }
            if last_beat.elapsed() >= period {
                ctx.beat();
                last_beat = Instant::now();
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::sync::Mutex;

    use configdb::NewTask;

    use super::*;
    use crate::tasks::{TaskContext, TaskKind};

    const STUBBORN: &str = "test::Stubborn";

    /// A task that ignores stop requests until the test lets it go.
    struct Stubborn {
        release: Arc<AtomicBool>,
    }

    impl TaskKind for Stubborn {
        type Params = ();

        fn name(&self) -> &'static str {
            STUBBORN
        }

        fn retry_safe(&self) -> bool {
            true
        }

        fn run(
            &self,
            _params: (),
            _input: Option<&std::path::Path>,
            _ctx: &TaskContext,
        ) -> Result<(), TaskError> {
            while !self.release.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(())
        }
    }

    #[test]
    fn a_task_ignoring_its_deadline_is_dropped_and_its_worker_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let db = ConfigDb::open(&dir.path().join("config.sqlite").display().to_string()).unwrap();
        let release = Arc::new(AtomicBool::new(false));
        let replaced = Arc::new(AtomicUsize::new(0));
        let seen_status = Arc::new(Mutex::new(None));
        let options = WorkerOptions {
            deadlines: HashMap::from([(STUBBORN.to_owned(), Duration::from_millis(300))]),
            deadline_grace: Duration::from_millis(700),
            ..WorkerOptions::default()
        };
        let token = db
            .create_task(&NewTask {
                retry_safe: true,
                ..NewTask::new(STUBBORN, "stubborn", "m")
            })
            .unwrap();
        let worker = {
            let replaced = replaced.clone();
            let token = token.clone();
            let seen = seen_status.clone();
            let db2 = db.clone();
            Worker::new(
                db.clone(),
                "m".into(),
                Registry::of(vec![Box::new(Stubborn {
                    release: release.clone(),
                })]),
                options,
                Arc::new(AtomicBool::new(false)),
            )
            .with_overrun_action(Arc::new(move || {
                // In a server the process exits here; the record is final by now.
                let task = db2.get_task(&token).unwrap();
                *seen.lock().unwrap() = task.map(|t| t.status);
                replaced.fetch_add(1, Ordering::SeqCst);
            }))
        };
        let owner = format!("m#{}", std::process::id());
        let task = db
            .claim_next(&owner, "m", Duration::from_secs(10))
            .unwrap()
            .unwrap();
        let started = Instant::now();
        let runner = std::thread::spawn(move || worker.execute(task));
        while replaced.load(Ordering::SeqCst) == 0 {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "never replaced"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(started.elapsed() >= Duration::from_millis(1000));
        assert_eq!(*seen_status.lock().unwrap(), Some(TaskStatus::Dropped));
        release.store(true, Ordering::Relaxed);
        runner.join().unwrap();
        let record = db.get_task(&token).unwrap().unwrap();
        assert_eq!(
            record.status,
            TaskStatus::Dropped,
            "the late return changes nothing"
        );
        let comments = record.comments.unwrap_or_default();
        assert!(
            comments.contains("DEADLINE!") && comments.contains("was replaced"),
            "{comments}"
        );
        // Nothing is left for a rescue to run again.
        let later = db.now() + chrono::Duration::hours(1);
        assert!(db.rescue_expired(later, 3).unwrap().is_empty());
    }
}
