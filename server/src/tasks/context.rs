//! What a running task sees of its environment: heartbeat, stop requests,
//! comments and progress.

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use configdb::{Comment, ConfigDb};

/// The environment of one running task, shared with its heartbeat thread.
pub struct TaskContext {
    db: ConfigDb,
    token: String,
    owner: String,
    lease: Duration,
    /// The server is shutting down (shared by every task of the process).
    shutdown: Arc<AtomicBool>,
    /// An administrator asked this task to stop.
    cancel_requested: AtomicBool,
    /// The claim was lost (the lease expired and the task was rescued).
    lost: AtomicBool,
    /// The task ran past its kind's deadline.
    deadline: AtomicBool,
    /// The task has returned; the heartbeat thread stops.
    done: AtomicBool,
    /// Last progress reported, -1 before any.
    progress: AtomicI32,
    /// Last progress written to the database, -1 before any.
    written: AtomicI32,
    last_beat: Mutex<Instant>,
    wake: (Mutex<()>, Condvar),
}

/// The least time between two heartbeats written to the database.
const MIN_BEAT_INTERVAL: Duration = Duration::from_millis(500);

impl TaskContext {
    pub(crate) fn new(
        db: ConfigDb,
        token: String,
        owner: String,
        lease: Duration,
        shutdown: Arc<AtomicBool>,
        cancel_flag: bool,
    ) -> Self {
        Self {
            db,
            token,
            owner,
            lease,
            shutdown,
            cancel_requested: AtomicBool::new(cancel_flag),
            lost: AtomicBool::new(false),
            deadline: AtomicBool::new(false),
            done: AtomicBool::new(false),
            progress: AtomicI32::new(-1),
            written: AtomicI32::new(-1),
            last_beat: Mutex::new(Instant::now()),
            wake: (Mutex::new(()), Condvar::new()),
        }
    }

    /// The task's token.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Tells the server the task is alive and renews its claim; learns of
    /// cancel requests. Cheap to call often: writes at most twice a second.
    pub fn heartbeat(&self) {
        {
            let mut last = match self.last_beat.lock() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            if last.elapsed() < MIN_BEAT_INTERVAL {
                return;
            }
            *last = Instant::now();
        }
        self.beat();
    }

    /// Writes a heartbeat now.
    pub(crate) fn beat(&self) {
        let progress = self.progress.load(Ordering::Relaxed);
        let progress = (progress >= 0).then_some(progress);
        match self
            .db
            .heartbeat(&self.token, &self.owner, self.lease, progress)
        {
            Ok(beat) => {
                if let Some(p) = progress {
                    self.written.store(p, Ordering::Relaxed);
                }
                if beat.cancel_requested {
                    self.cancel_requested.store(true, Ordering::Relaxed);
                }
                if beat.lost {
                    self.lost.store(true, Ordering::Relaxed);
                }
                if beat.cancel_requested || beat.lost {
                    self.wake_sleepers();
                }
            }
            Err(err) => tracing::warn!(token = %self.token, %err, "heartbeat failed"),
        }
    }

    /// Whether the task should stop now: cancelled, shutting down, past its
    /// deadline, or its claim is gone. Co-operative tasks check this between
    /// units of work.
    pub fn should_cancel(&self) -> bool {
        self.cancel_requested.load(Ordering::Relaxed)
            || self.is_shutting_down()
            || self.lost.load(Ordering::Relaxed)
            || self.deadline_passed()
    }

    /// Whether the task ran past its kind's deadline (and was told to stop).
    pub fn deadline_passed(&self) -> bool {
        self.deadline.load(Ordering::Relaxed)
    }

    /// Tells the task its deadline has passed: it should stop.
    pub(crate) fn signal_deadline(&self) {
        self.deadline.store(true, Ordering::Relaxed);
        self.wake_sleepers();
    }

    /// Whether the server is shutting down (a stop then ends as DROPPED).
    pub fn is_shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::Relaxed)
    }

    /// Whether another worker may now own the task.
    pub fn claim_lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed)
    }

    /// Appends a comment to the task, by `actor` (`None`: unknown).
    pub fn add_comment(&self, actor: Option<&str>, text: &str) {
        if let Err(err) = self.db.add_comment(&self.token, actor, text) {
            tracing::warn!(token = %self.token, %err, "cannot add a task comment");
        }
    }

    /// Records progress in percent (clamped to 0..=100); sent with the next
    /// heartbeat. Progress never goes back: a lower value than the last one
    /// is ignored (several threads of a task may report).
    pub fn set_progress(&self, percent: i32) {
        self.progress
            .fetch_max(percent.clamp(0, 100), Ordering::Relaxed);
    }

    /// Writes the last progress reported unless the last heartbeat carried
    /// it already (the end of a task, before its status is recorded).
    pub(crate) fn flush_progress(&self) {
        let progress = self.progress.load(Ordering::Relaxed);
        if progress < 0 || self.written.load(Ordering::Relaxed) == progress {
            return;
        }
        match self.db.set_progress(&self.token, &self.owner, progress) {
            Ok(_) => self.written.store(progress, Ordering::Relaxed),
            Err(err) => tracing::warn!(token = %self.token, %err, "cannot record progress"),
        }
    }

    /// Sleeps up to `duration`, waking early when the task should stop.
    pub fn sleep(&self, duration: Duration) {
        self.sleep_while(duration, || {
            !self.should_cancel() && !self.done.load(Ordering::Relaxed)
        });
    }

    /// Sleeps up to `duration`, waking early only when the task has returned.
    pub(crate) fn sleep_unless_done(&self, duration: Duration) {
        self.sleep_while(duration, || !self.done.load(Ordering::Relaxed));
    }

    fn sleep_while(&self, duration: Duration, keep_sleeping: impl Fn() -> bool) {
        let deadline = Instant::now() + duration;
        let (lock, cvar) = &self.wake;
        let mut guard = match lock.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        while keep_sleeping() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            guard = match cvar.wait_timeout(guard, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Wakes [`TaskContext::sleep`]ers, e.g. when shutdown begins.
    pub fn wake_sleepers(&self) {
        let (lock, cvar) = &self.wake;
        let _guard = match lock.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        cvar.notify_all();
    }

    pub(crate) fn mark_done(&self) {
        self.done.store(true, Ordering::Relaxed);
        self.wake_sleepers();
    }

    pub(crate) fn is_done(&self) -> bool {
        self.done.load(Ordering::Relaxed)
    }

    pub(crate) fn lease(&self) -> Duration {
        self.lease
    }
}

/// The comment actor for what the engine itself records.
pub const ENGINE_ACTOR: &str = "SYSTEM[AbstractTask::execute()]";

/// A comment by the engine.
pub(crate) fn engine_comment(text: &str) -> Comment<'_> {
    Comment::new(Some(ENGINE_ACTOR), text)
}
