//! Waiting for a server-side task (e.g. an asynchronous store) to end.

use std::time::{Duration, Instant};

use codechecker_api::tasks::{TCodeCheckerServersideTaskServiceSyncClient, TaskInfo, TaskStatus};

use crate::connection::{Api, TasksClient};
use crate::error::ClientError;

/// How [`await_task_termination`] polls.
#[derive(Debug, Clone)]
pub struct AwaitOptions {
    /// Wait before the second poll (the first one is immediate).
    pub first_delay: Duration,
    /// Factor the wait grows by after every poll.
    pub growth: f64,
    /// Longest wait between two polls.
    pub max_delay: Duration,
    /// Give up when neither the status nor any of the task's timestamps
    /// (started, heartbeat, completed) changed for this long. Failed polls
    /// (server unreachable) count as no progress.
    pub no_progress_timeout: Duration,
}

impl Default for AwaitOptions {
    fn default() -> Self {
        AwaitOptions {
            first_delay: Duration::from_millis(250),
            growth: 1.5,
            max_delay: Duration::from_secs(5),
            no_progress_timeout: Duration::from_secs(3600),
        }
    }
}

/// Why waiting ended without the task ending.
#[derive(Debug, thiserror::Error)]
pub enum AwaitError {
    /// The task made no progress for too long.
    #[error("Task '{token}' is still '{status}', but did not have any progress for {waited:?}!")]
    NoProgress {
        /// The task.
        token: String,
        /// Its last seen status.
        status: String,
        /// Time since the last progress.
        waited: Duration,
    },
    /// A poll failed for a reason that retrying does not fix, or the
    /// server stayed unreachable longer than the no-progress timeout.
    #[error(transparent)]
    Call(ClientError),
}

/// Where task states come from: the task service, or any function of the
/// token (for tests and custom transports).
pub trait TaskInfoSource {
    /// `getTaskInfo(token)`.
    fn task_info(&mut self, token: &str) -> Result<TaskInfo, ClientError>;
}

impl<F: FnMut(&str) -> Result<TaskInfo, ClientError>> TaskInfoSource for F {
    fn task_info(&mut self, token: &str) -> Result<TaskInfo, ClientError> {
        self(token)
    }
}

impl TaskInfoSource for Api<'_, TasksClient> {
    fn task_info(&mut self, token: &str) -> Result<TaskInfo, ClientError> {
        self.call("getTaskInfo", |c| c.get_task_info(Some(token.to_owned())))
    }
}

/// Whether `status` is final (completed, failed, cancelled, dropped).
pub fn is_terminal(status: Option<TaskStatus>) -> bool {
    matches!(
        status,
        Some(
            TaskStatus::COMPLETED
                | TaskStatus::FAILED
                | TaskStatus::CANCELLED
                | TaskStatus::DROPPED
        )
    )
}

/// The name of a task status (`COMPLETED`, ...).
pub fn status_name(status: Option<TaskStatus>) -> String {
    match status {
        Some(TaskStatus::ALLOCATED) => "ALLOCATED".to_owned(),
        Some(TaskStatus::ENQUEUED) => "ENQUEUED".to_owned(),
        Some(TaskStatus::RUNNING) => "RUNNING".to_owned(),
        Some(TaskStatus::COMPLETED) => "COMPLETED".to_owned(),
        Some(TaskStatus::FAILED) => "FAILED".to_owned(),
        Some(TaskStatus::CANCELLED) => "CANCELLED".to_owned(),
        Some(TaskStatus::DROPPED) => "DROPPED".to_owned(),
        Some(TaskStatus(other)) => format!("UNKNOWN({other})"),
        None => "UNKNOWN".to_owned(),
    }
}

type ProgressMark = (Option<TaskStatus>, Option<i64>, Option<i64>, Option<i64>);

fn progress_mark(info: &TaskInfo) -> ProgressMark {
    (
        info.status,
        info.started_at_epoch,
        info.last_heartbeat_epoch,
        info.completed_at_epoch,
    )
}

/// Waits until the task `token` ends and returns its final state.
///
/// Polls `getTaskInfo` at once, then after 250 ms, growing ×1.5 up to 5 s
/// (see [`AwaitOptions`]). Connection failures are retried with the same
/// backoff; they count against the no-progress timeout. Errors the server
/// reports (e.g. no right to see the task) end the wait at once.
pub fn await_task_termination(
    source: &mut dyn TaskInfoSource,
    token: &str,
    options: &AwaitOptions,
) -> Result<TaskInfo, AwaitError> {
    await_task_termination_with(source, token, options, &mut |_| {})
}

/// [`await_task_termination`], calling `on_poll` with every state seen.
pub fn await_task_termination_with(
    source: &mut dyn TaskInfoSource,
    token: &str,
    options: &AwaitOptions,
    on_poll: &mut dyn FnMut(&TaskInfo),
) -> Result<TaskInfo, AwaitError> {
    let mut delay = options.first_delay;
    let mut last_progress = Instant::now();
    let mut last_mark: Option<ProgressMark> = None;
    let mut last_status = None;
    loop {
        match source.task_info(token) {
            Ok(info) => {
                on_poll(&info);
                if is_terminal(info.status) {
                    return Ok(info);
                }
                let mark = progress_mark(&info);
                if last_mark.as_ref() != Some(&mark) {
                    last_mark = Some(mark);
                    last_progress = Instant::now();
                }
                last_status = info.status;
            }
            Err(ClientError::Call(e)) if e.is_transient() => {
                tracing::info!("Retrying task status query: {e}");
                if last_progress.elapsed() >= options.no_progress_timeout {
                    return Err(AwaitError::Call(ClientError::Call(e)));
                }
            }
            Err(e) => return Err(AwaitError::Call(e)),
        }
        let waited = last_progress.elapsed();
        if waited >= options.no_progress_timeout {
            return Err(AwaitError::NoProgress {
                token: token.to_owned(),
                status: status_name(last_status),
                waited,
            });
        }
        let remaining = options.no_progress_timeout.saturating_sub(waited);
        std::thread::sleep(delay.min(remaining.max(Duration::from_millis(1))));
        delay = delay.mul_f64(options.growth).min(options.max_delay);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::CallError;

    fn info(status: TaskStatus, heartbeat: i64) -> TaskInfo {
        TaskInfo {
            token: Some("t".into()),
            status: Some(status),
            last_heartbeat_epoch: Some(heartbeat),
            ..TaskInfo::default()
        }
    }

    fn fast() -> AwaitOptions {
        AwaitOptions {
            first_delay: Duration::from_millis(1),
            growth: 1.5,
            max_delay: Duration::from_millis(5),
            no_progress_timeout: Duration::from_millis(200),
        }
    }

    #[test]
    fn first_poll_is_immediate() {
        let start = Instant::now();
        let mut src = |_: &str| Ok(info(TaskStatus::COMPLETED, 1));
        let r = await_task_termination(&mut src, "t", &AwaitOptions::default());
        assert_eq!(r.ok().and_then(|i| i.status), Some(TaskStatus::COMPLETED));
        assert!(start.elapsed() < Duration::from_millis(100));
    }

    #[test]
    fn survives_transient_failures() {
        let mut n = 0;
        let mut src = |_: &str| {
            n += 1;
            match n {
                1 => Ok(info(TaskStatus::RUNNING, 1)),
                2 | 3 => Err(ClientError::Call(CallError::Connection {
                    endpoint: "getTaskInfo".into(),
                    message: "refused".into(),
                })),
                _ => Ok(info(TaskStatus::FAILED, 2)),
            }
        };
        let r = await_task_termination(&mut src, "t", &fast());
        assert_eq!(r.ok().and_then(|i| i.status), Some(TaskStatus::FAILED));
    }

    #[test]
    fn gives_up_without_progress() {
        let mut src = |_: &str| Ok(info(TaskStatus::RUNNING, 7));
        let start = Instant::now();
        let r = await_task_termination(&mut src, "t", &fast());
        assert!(matches!(r, Err(AwaitError::NoProgress { ref status, .. }) if status == "RUNNING"));
        assert!(start.elapsed() >= Duration::from_millis(200));
    }

    #[test]
    fn heartbeats_count_as_progress() {
        let mut beat = 0;
        let mut src = |_: &str| {
            beat += 1;
            if beat > 100 {
                Ok(info(TaskStatus::COMPLETED, beat))
            } else {
                Ok(info(TaskStatus::RUNNING, beat))
            }
        };
        let opts = AwaitOptions {
            no_progress_timeout: Duration::from_millis(50),
            max_delay: Duration::from_millis(2),
            ..fast()
        };
        assert!(await_task_termination(&mut src, "t", &opts).is_ok());
    }

    #[test]
    fn server_errors_end_the_wait() {
        let mut calls = 0;
        let mut src = |_: &str| {
            calls += 1;
            Err(ClientError::Call(CallError::Application {
                endpoint: "getTaskInfo".into(),
                kind: thrift::ApplicationErrorKind::InternalError,
                message: "boom".into(),
            }))
        };
        assert!(matches!(
            await_task_termination(&mut src, "t", &fast()),
            Err(AwaitError::Call(_))
        ));
        assert_eq!(calls, 1);
    }
}
