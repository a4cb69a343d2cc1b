//! The durable task queue: creation, claiming, leases, completion, rescue.
//!
//! A worker claims the oldest `ENQUEUED` task it may run (its machine's, or
//! one whose input is on no machine's disk: none, or kept in the database,
//! see `super::inputs`), which becomes
//! `RUNNING` under a lease that the worker renews with [`ConfigDb::heartbeat`].
//! A task whose lease ran out (its worker died) is picked up by
//! [`ConfigDb::rescue_expired`]: re-enqueued when it is safe to retry, dropped
//! otherwise. Claims never hand out a task twice: PostgreSQL locks the chosen row
//! with `FOR UPDATE SKIP LOCKED`, SQLite serialises writers with `BEGIN IMMEDIATE`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::DatabaseErrorKind;

use super::comments::appended_comments;
use super::comments::{format_comment_timestamp, format_entry, system_actor, Comment};
use super::inputs::delete_inputs;
use super::{generate_token, NewTask, TaskRecord, TaskRow, TaskStatus};
use crate::clock::{duration_micros, to_micros};
use crate::connection::AnyConnection;
use crate::db::ConfigDb;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::schema::background_tasks::{self, dsl as t};

/// How many fresh tokens to try before giving up (collisions are astronomically
/// unlikely; this only guards against a broken RNG).
const MAX_TOKEN_ATTEMPTS: usize = 10;

/// Statuses in which a task is not yet finished.
const UNFINISHED: [i32; 3] = [
    TaskStatus::Allocated as i32,
    TaskStatus::Enqueued as i32,
    TaskStatus::Running as i32,
];

pub(crate) const RUNNING: i32 = TaskStatus::Running as i32;

/// Key of the PostgreSQL advisory lock that serialises limited claims.
const CLAIM_LOCK: i64 = 0x4343_5253_0001;

/// A concurrency limit over some task kinds (see
/// [`ConfigDb::claim_next_limited`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindLimit {
    /// The kinds counted together.
    pub kinds: Vec<String>,
    /// How many of them one machine runs at once (0: none start).
    pub max_running: u32,
}
pub(crate) const ENQUEUED: i32 = TaskStatus::Enqueued as i32;

/// Result of [`ConfigDb::finish`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishOutcome {
    /// The task is now in the requested terminal status.
    Finished,
    /// The caller no longer held the claim; nothing changed.
    NotOwned {
        /// The task's current status.
        status: TaskStatus,
        /// Its current claim owner, if any.
        owner: Option<String>,
    },
}

/// Result of [`ConfigDb::heartbeat`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat {
    /// An administrator asked the task to stop.
    pub cancel_requested: bool,
    /// The caller does not own the task any more (lease expired and rescued,
    /// or the task was finished); it must stop without touching the record.
    pub lost: bool,
}

/// What [`ConfigDb::rescue_expired`] did with one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RescueOutcome {
    /// Put back in the queue.
    Requeued,
    /// Marked `DROPPED`.
    Dropped,
    /// Marked `CANCELLED` (a cancellation was pending).
    Cancelled,
}

/// One task handled by [`ConfigDb::rescue_expired`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rescued {
    /// The task.
    pub token: String,
    /// The worker whose lease expired.
    pub previous_owner: Option<String>,
    /// What happened to it.
    pub outcome: RescueOutcome,
}

#[derive(Insertable)]
#[diesel(table_name = background_tasks)]
pub(crate) struct NewTaskRow<'a> {
    token: &'a str,
    kind: &'a str,
    status: i32,
    product_id: Option<i64>,
    actor_username: Option<&'a str>,
    summary: &'a str,
    machine_id: &'a str,
    created_at_us: i64,
    enqueued_at_us: Option<i64>,
    last_heartbeat_at_us: Option<i64>,
    retry_safe: bool,
    input_path: Option<&'a str>,
    payload: Option<&'a str>,
    pub(crate) input_shared: bool,
    pub(crate) comments: Option<String>,
}

impl<'a> NewTaskRow<'a> {
    /// The row of `task` with `token`, created in `status` at `now` (µs).
    pub(crate) fn of(task: &'a NewTask, token: &'a str, status: TaskStatus, now: i64) -> Self {
        NewTaskRow {
            token,
            kind: &task.kind,
            status: status.as_i32(),
            product_id: task.product_id,
            actor_username: task.actor.as_deref(),
            summary: &task.summary,
            machine_id: &task.machine_id,
            created_at_us: now,
            enqueued_at_us: (status == TaskStatus::Enqueued).then_some(now),
            last_heartbeat_at_us: Some(now),
            retry_safe: task.retry_safe,
            input_path: task.input_path.as_deref(),
            payload: task.payload.as_deref(),
            input_shared: false,
            comments: None,
        }
    }
}

fn validate_progress(progress: i32) -> Result<()> {
    if (0..=100).contains(&progress) {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "progress {progress} is outside 0..=100"
        )))
    }
}

fn require_terminal(status: TaskStatus) -> Result<()> {
    if status.is_terminal() {
        Ok(())
    } else {
        Err(Error::InvalidArgument(format!(
            "{status} is not a terminal status"
        )))
    }
}

/// Loads the current row of `token` or fails with [`Error::NotFound`].
fn load_row(conn: &mut AnyConnection, token: &str) -> Result<TaskRow> {
    t::background_tasks
        .find(token)
        .select(TaskRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::task_not_found(token))
}

/// Whether `token` exists.
fn exists(conn: &mut AnyConnection, token: &str) -> Result<bool> {
    Ok(t::background_tasks
        .find(token)
        .select(t::token)
        .first::<String>(conn)
        .optional()?
        .is_some())
}

/// Describes why an owner-guarded update touched nothing.
fn not_owned(conn: &mut AnyConnection, token: &str) -> Result<FinishOutcome> {
    let row = load_row(conn, token)?;
    Ok(FinishOutcome::NotOwned {
        status: row.status()?,
        owner: row.claim_owner,
    })
}

/// The `RUNNING` task `token` if `owner` holds its claim.
macro_rules! owned_by {
    ($token:expr, $owner:expr) => {
        t::background_tasks
            .filter(t::token.eq($token))
            .filter(t::claim_owner.eq($owner))
            .filter(t::status.eq(RUNNING))
    };
}

impl ConfigDb {
    /// Inserts a task record in `status` with a fresh token.
    fn insert_task(&self, task: &NewTask, status: TaskStatus) -> Result<String> {
        if task.kind.is_empty() || task.machine_id.is_empty() {
            return Err(Error::InvalidArgument(
                "a task needs a kind and a machine id".into(),
            ));
        }
        let now = to_micros(self.now());
        for _ in 0..MAX_TOKEN_ATTEMPTS {
            let token = generate_token();
            let row = NewTaskRow::of(task, &token, status, now);
            let inserted = self.write(|conn, events| {
                diesel::insert_into(t::background_tasks)
                    .values(&row)
                    .execute(conn)?;
                if status == TaskStatus::Enqueued {
                    events.push(Event::Enqueued);
                }
                Ok(())
            });
            match inserted {
                Ok(()) => return Ok(token),
                Err(Error::Query(diesel::result::Error::DatabaseError(
                    DatabaseErrorKind::UniqueViolation,
                    _,
                ))) => continue,
                Err(Error::Query(diesel::result::Error::DatabaseError(
                    DatabaseErrorKind::ForeignKeyViolation,
                    _,
                ))) => {
                    return Err(Error::NotFound {
                        what: "product",
                        key: task.product_id.map(|p| p.to_string()).unwrap_or_default(),
                    })
                }
                Err(e) => return Err(e),
            }
        }
        Err(Error::TokenExhausted)
    }

    /// Creates a task directly in `ENQUEUED` status; returns its token.
    pub fn create_task(&self, task: &NewTask) -> Result<String> {
        self.insert_task(task, TaskStatus::Enqueued)
    }

    /// Creates a task in `ALLOCATED` status (input still being prepared);
    /// [`ConfigDb::enqueue`] releases it to the workers.
    pub fn allocate_task(&self, task: &NewTask) -> Result<String> {
        self.insert_task(task, TaskStatus::Allocated)
    }

    /// Moves an `ALLOCATED` task into the queue.
    pub fn enqueue(&self, token: &str) -> Result<()> {
        let now = to_micros(self.now());
        self.write(|conn, events| {
            let n = diesel::update(
                t::background_tasks
                    .filter(t::token.eq(token))
                    .filter(t::status.eq(TaskStatus::Allocated.as_i32())),
            )
            .set((
                t::status.eq(ENQUEUED),
                t::enqueued_at_us.eq(Some(now)),
                t::last_heartbeat_at_us.eq(Some(now)),
            ))
            .execute(conn)?;
            if n == 0 {
                let row = load_row(conn, token)?;
                return Err(Error::InvalidTransition {
                    token: token.to_owned(),
                    status: row.status()?.name(),
                    action: "enqueue",
                });
            }
            events.push(Event::Enqueued);
            Ok(())
        })
    }

    /// The task with `token`, if any.
    pub fn get_task(&self, token: &str) -> Result<Option<TaskRecord>> {
        // `get_result`, not `first`: SQLite re-prepares a statement whose
        // LIMIT is a bound parameter on every run (5x slower here).
        t::background_tasks
            .find(token)
            .select(TaskRow::as_select())
            .get_result(&mut *self.conn()?)
            .optional()?
            .map(TaskRecord::try_from)
            .transpose()
    }

    /// Atomically claims the oldest `ENQUEUED` task that `machine_id` may run
    /// for `owner`: one it created, one of any machine that has no input on
    /// a machine's disk (`input_path` unset), or one whose input is kept in
    /// the database (`input_shared`, see [`ConfigDb::put_task_input`]). The
    /// task becomes `RUNNING` with a lease of `lease`, `attempts` grows by one
    /// and `started_at` is set on the first start. `None` when the queue is
    /// empty. The returned record shows the state after the claim
    /// (check `cancel_flag`: a task may have been cancelled while queued).
    pub fn claim_next(
        &self,
        owner: &str,
        machine_id: &str,
        lease: Duration,
    ) -> Result<Option<TaskRecord>> {
        self.claim_next_limited(owner, machine_id, lease, &[])
    }

    /// [`ConfigDb::claim_next`] under per-kind concurrency limits: a task of
    /// a [`KindLimit`]'s kinds is skipped while `machine_id` already runs
    /// `max_running` of them, so the oldest task of another kind may go
    /// first. Within a kind the order stays first in, first out.
    pub fn claim_next_limited(
        &self,
        owner: &str,
        machine_id: &str,
        lease: Duration,
        limits: &[KindLimit],
    ) -> Result<Option<TaskRecord>> {
        let now = to_micros(self.now());
        let lease_end = now.saturating_add(duration_micros(lease));
        self.write(|conn, _| {
            let mut full: Vec<String> = Vec::new();
            if !limits.is_empty() {
                if let AnyConnection::Postgresql(pg) = conn {
                    // Counting and claiming must not interleave between
                    // workers, or two could both see a free slot.
                    diesel::sql_query(format!("SELECT pg_advisory_xact_lock({CLAIM_LOCK})"))
                        .execute(pg)?;
                }
                for limit in limits {
                    let running: i64 = t::background_tasks
                        .filter(t::status.eq(RUNNING))
                        .filter(t::running_on.eq(machine_id))
                        .filter(t::kind.eq_any(&limit.kinds))
                        .count()
                        .get_result(conn)?;
                    if running >= i64::from(limit.max_running) {
                        full.extend(limit.kinds.iter().cloned());
                    }
                }
            }
            // A macro: the select clause's type depends on the backend.
            macro_rules! candidates {
                () => {
                    t::background_tasks
                        .filter(t::status.eq(ENQUEUED))
                        .filter(
                            t::machine_id
                                .eq(machine_id)
                                .or(t::input_path.is_null())
                                .or(t::input_shared.eq(true)),
                        )
                        .filter(t::kind.ne_all(&full))
                        .order_by((t::enqueued_at_us.asc(), t::token.asc()))
                        .select(TaskRow::as_select())
                };
            }
            let found = match conn {
                AnyConnection::Postgresql(pg) => candidates!()
                    .for_update()
                    .skip_locked()
                    .first(pg)
                    .optional()?,
                AnyConnection::Sqlite(lite) => candidates!().first(lite).optional()?,
            };
            let Some(mut row) = found else {
                return Ok(None);
            };
            row.status = RUNNING;
            row.claim_owner = Some(owner.to_owned());
            row.started_at_us = row.started_at_us.or(Some(now));
            row.attempts = row.attempts.saturating_add(1);
            row.lease_expires_at_us = Some(lease_end);
            row.last_heartbeat_at_us = Some(now);
            let n = diesel::update(
                t::background_tasks
                    .filter(t::token.eq(&row.token))
                    .filter(t::status.eq(ENQUEUED)),
            )
            .set((
                t::status.eq(RUNNING),
                t::claim_owner.eq(owner),
                t::running_on.eq(machine_id),
                t::started_at_us.eq(row.started_at_us),
                t::attempts.eq(row.attempts),
                t::lease_expires_at_us.eq(Some(lease_end)),
                t::last_heartbeat_at_us.eq(Some(now)),
            ))
            .execute(conn)?;
            if n != 1 {
                return Err(Error::Corrupt(format!(
                    "claimed task `{}` changed under a lock",
                    row.token
                )));
            }
            TaskRecord::try_from(row).map(Some)
        })
    }

    /// Renews `owner`'s lease on `token` to `now + lease`, records the
    /// heartbeat and optionally the progress. Tells whether a cancellation
    /// is pending and whether the claim was lost.
    pub fn heartbeat(
        &self,
        token: &str,
        owner: &str,
        lease: Duration,
        progress: Option<i32>,
    ) -> Result<Heartbeat> {
        if let Some(p) = progress {
            validate_progress(p)?;
        }
        let now = to_micros(self.now());
        let lease_end = now.saturating_add(duration_micros(lease));
        let mut conn = self.conn()?;
        let renew = (
            t::lease_expires_at_us.eq(Some(lease_end)),
            t::last_heartbeat_at_us.eq(Some(now)),
        );
        let n = match progress {
            Some(p) => diesel::update(owned_by!(token, owner))
                .set((renew, t::progress.eq(p)))
                .execute(&mut *conn)?,
            None => diesel::update(owned_by!(token, owner))
                .set(renew)
                .execute(&mut *conn)?,
        };
        let cancel = t::background_tasks
            .find(token)
            .select(t::cancel_flag)
            .first::<bool>(&mut *conn)
            .optional()?
            .ok_or_else(|| Error::task_not_found(token))?;
        Ok(Heartbeat {
            cancel_requested: cancel,
            lost: n == 0,
        })
    }

    /// Records `progress` (0..=100) if `owner` still holds the claim; returns
    /// whether it did.
    pub fn set_progress(&self, token: &str, owner: &str, progress: i32) -> Result<bool> {
        validate_progress(progress)?;
        let mut conn = self.conn()?;
        let n = diesel::update(owned_by!(token, owner))
            .set(t::progress.eq(progress))
            .execute(&mut *conn)?;
        if n == 0 && !exists(&mut conn, token)? {
            return Err(Error::task_not_found(token));
        }
        Ok(n == 1)
    }

    /// Puts `owner`'s running task into the terminal `status`, appends
    /// `comment`, releases the claim and notifies waiters. Nothing changes
    /// when the caller lost the claim; the outcome says so.
    pub fn finish(
        &self,
        token: &str,
        owner: &str,
        status: TaskStatus,
        comment: Option<Comment<'_>>,
    ) -> Result<FinishOutcome> {
        require_terminal(status)?;
        let now_t = self.now();
        let now = to_micros(now_t);
        let entry = comment.map(|c| format_entry(c, now_t));
        self.write(|conn, events| {
            let done = (
                t::status.eq(status.as_i32()),
                t::completed_at_us.eq(Some(now)),
                t::claim_owner.eq(None::<String>),
                t::lease_expires_at_us.eq(None::<i64>),
            );
            let n = match entry {
                Some(e) => diesel::update(owned_by!(token, owner))
                    .set((done, t::comments.eq(appended_comments!(e))))
                    .execute(conn)?,
                None => diesel::update(owned_by!(token, owner))
                    .set(done)
                    .execute(conn)?,
            };
            if n == 0 {
                return not_owned(conn, token);
            }
            delete_inputs(conn, &[token])?;
            events.push(Event::Terminal(token.to_owned()));
            Ok(FinishOutcome::Finished)
        })
    }

    /// Ends a task that no worker holds (`ALLOCATED` or `ENQUEUED`) in the
    /// terminal `status`, e.g. when its input could not be prepared. Returns
    /// `false` if it was already running or finished.
    pub fn abandon(
        &self,
        token: &str,
        status: TaskStatus,
        comment: Option<Comment<'_>>,
    ) -> Result<bool> {
        require_terminal(status)?;
        let now_t = self.now();
        let now = to_micros(now_t);
        let entry = comment.map(|c| format_entry(c, now_t));
        self.write(|conn, events| {
            let target = || {
                t::background_tasks
                    .filter(t::token.eq(token))
                    .filter(t::status.eq_any([TaskStatus::Allocated.as_i32(), ENQUEUED]))
            };
            let done = (
                t::status.eq(status.as_i32()),
                t::completed_at_us.eq(Some(now)),
            );
            let n = match entry {
                Some(e) => diesel::update(target())
                    .set((done, t::comments.eq(appended_comments!(e))))
                    .execute(conn)?,
                None => diesel::update(target()).set(done).execute(conn)?,
            };
            if n == 0 {
                return if exists(conn, token)? {
                    Ok(false)
                } else {
                    Err(Error::task_not_found(token))
                };
            }
            delete_inputs(conn, &[token])?;
            events.push(Event::Terminal(token.to_owned()));
            Ok(true)
        })
    }

    /// Sets the cancel flag (with CodeChecker's "User requested cancellation."
    /// comment by `actor`). `true` only for the call that set it on an
    /// unfinished task; `false` if it was already set or the task finished.
    pub fn request_cancel(&self, token: &str, actor: Option<&str>) -> Result<bool> {
        let entry = format_entry(
            Comment::new(actor, "User requested cancellation."),
            self.now(),
        );
        let mut conn = self.conn()?;
        let n = diesel::update(
            t::background_tasks
                .filter(t::token.eq(token))
                .filter(t::cancel_flag.eq(false))
                .filter(t::status.eq_any(UNFINISHED)),
        )
        .set((
            t::cancel_flag.eq(true),
            t::comments.eq(appended_comments!(entry)),
        ))
        .execute(&mut *conn)?;
        if n == 0 && !exists(&mut conn, token)? {
            return Err(Error::task_not_found(token));
        }
        Ok(n == 1)
    }

    /// Records that the task's actor has seen its (terminal) status.
    pub fn mark_consumed(&self, token: &str) -> Result<()> {
        let n = diesel::update(t::background_tasks.find(token))
            .set(t::consumed.eq(true))
            .execute(&mut *self.conn()?)?;
        if n == 0 {
            return Err(Error::task_not_found(token));
        }
        Ok(())
    }

    /// Ends now the lease of every `RUNNING` task that `owner` holds (its
    /// process is known to be dead), so that the next
    /// [`ConfigDb::rescue_expired`] handles them; returns how many.
    pub fn expire_claims_of(&self, owner: &str) -> Result<usize> {
        let now = to_micros(self.now());
        let mut conn = self.conn()?;
        Ok(diesel::update(
            t::background_tasks
                .filter(t::status.eq(RUNNING))
                .filter(t::claim_owner.eq(owner)),
        )
        .set(t::lease_expires_at_us.eq(Some(now.saturating_sub(1))))
        .execute(&mut *conn)?)
    }

    /// Handles every `RUNNING` task whose lease ended before `now`: a pending
    /// cancellation makes it `CANCELLED`; a retry-safe task with fewer than
    /// `max_attempts` claims goes back to `ENQUEUED`; anything else becomes
    /// `DROPPED`. Each gets a `SYSTEM` comment explaining why.
    pub fn rescue_expired(&self, now: DateTime<Utc>, max_attempts: u32) -> Result<Vec<Rescued>> {
        let now_us = to_micros(now);
        let comment_actor = system_actor("TaskQueue::rescue_expired()");
        self.write(|conn, events| {
            macro_rules! expired {
                () => {
                    t::background_tasks
                        .filter(t::status.eq(RUNNING))
                        .filter(t::lease_expires_at_us.lt(now_us))
                        .order_by(t::token.asc())
                        .select(TaskRow::as_select())
                };
            }
            let rows: Vec<TaskRow> = match conn {
                AnyConnection::Postgresql(pg) => expired!().for_update().skip_locked().load(pg)?,
                AnyConnection::Sqlite(lite) => expired!().load(lite)?,
            };
            let mut done = Vec::with_capacity(rows.len());
            for row in rows {
                let outcome = if row.cancel_flag {
                    RescueOutcome::Cancelled
                } else if row.retry_safe
                    && u32::try_from(row.attempts).unwrap_or(u32::MAX) < max_attempts
                {
                    RescueOutcome::Requeued
                } else {
                    RescueOutcome::Dropped
                };
                let text = rescue_text(&row, outcome, max_attempts);
                let entry = format_entry(Comment::new(Some(&comment_actor), &text), now);
                let target = t::background_tasks
                    .filter(t::token.eq(&row.token))
                    .filter(t::status.eq(RUNNING))
                    .filter(t::lease_expires_at_us.lt(now_us));
                let released = (
                    t::claim_owner.eq(None::<String>),
                    t::lease_expires_at_us.eq(None::<i64>),
                    t::comments.eq(appended_comments!(entry)),
                );
                let n = match outcome {
                    RescueOutcome::Requeued => diesel::update(target)
                        .set((released, t::status.eq(ENQUEUED)))
                        .execute(conn)?,
                    RescueOutcome::Dropped | RescueOutcome::Cancelled => {
                        let status = if outcome == RescueOutcome::Cancelled {
                            TaskStatus::Cancelled
                        } else {
                            TaskStatus::Dropped
                        };
                        diesel::update(target)
                            .set((
                                released,
                                t::status.eq(status.as_i32()),
                                t::completed_at_us.eq(Some(now_us)),
                            ))
                            .execute(conn)?
                    }
                };
                if n == 0 {
                    continue;
                }
                if outcome != RescueOutcome::Requeued {
                    delete_inputs(conn, &[&row.token])?;
                }
                events.push(match outcome {
                    RescueOutcome::Requeued => Event::Enqueued,
                    _ => Event::Terminal(row.token.clone()),
                });
                done.push(Rescued {
                    token: row.token,
                    previous_owner: row.claim_owner,
                    outcome,
                });
            }
            Ok(done)
        })
    }

    /// For a server shutting down: the tasks `RUNNING` on it and those it
    /// created that are still `ALLOCATED` become `DROPPED` with a
    /// `"DROPPED!\n<reason>"` comment by `SYSTEM`. Tasks it created that run
    /// on another server of the cluster go on; its `ENQUEUED` tasks stay
    /// queued and run after the next start (or elsewhere, when any machine may
    /// claim them). Returns the dropped tokens.
    pub fn drop_unfinished_of_machine(
        &self,
        machine_id: &str,
        reason: &str,
    ) -> Result<Vec<String>> {
        let now_t = self.now();
        let now = to_micros(now_t);
        let entry = format_entry(
            Comment::new(Some("SYSTEM"), &format!("DROPPED!\n{reason}")),
            now_t,
        );
        let doomed = [TaskStatus::Allocated.as_i32(), RUNNING];
        self.write(|conn, events| {
            let q = t::background_tasks
                .filter(
                    (t::status.eq(RUNNING).and(t::running_on.eq(machine_id))).or(t::status
                        .eq(TaskStatus::Allocated.as_i32())
                        .and(t::machine_id.eq(machine_id))),
                )
                .order_by(t::token.asc())
                .select(t::token);
            let tokens: Vec<String> = match conn {
                AnyConnection::Postgresql(pg) => q.for_update().load(pg)?,
                AnyConnection::Sqlite(lite) => q.load(lite)?,
            };
            for chunk in tokens.chunks(500) {
                diesel::update(
                    t::background_tasks
                        .filter(t::token.eq_any(chunk))
                        .filter(t::status.eq_any(doomed)),
                )
                .set((
                    t::status.eq(TaskStatus::Dropped.as_i32()),
                    t::completed_at_us.eq(Some(now)),
                    t::claim_owner.eq(None::<String>),
                    t::lease_expires_at_us.eq(None::<i64>),
                    t::comments.eq(appended_comments!(entry.clone())),
                ))
                .execute(conn)?;
            }
            let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
            delete_inputs(conn, &refs)?;
            events.extend(tokens.iter().cloned().map(Event::Terminal));
            Ok(tokens)
        })
    }
}

/// The explanatory comment of a rescue.
fn rescue_text(row: &TaskRow, outcome: RescueOutcome, max_attempts: u32) -> String {
    let owner = row.claim_owner.as_deref().unwrap_or("<unknown>");
    let expiry = row
        .lease_expires_at_us
        .and_then(DateTime::from_timestamp_micros)
        .map(format_comment_timestamp)
        .unwrap_or_else(|| "an unknown time".to_owned());
    let lapse = format!(
        "The lease of worker '{owner}' expired at {expiry} without a heartbeat; \
         the worker is presumed dead."
    );
    match outcome {
        RescueOutcome::Requeued => format!(
            "RESCHEDULED!\n{lapse}\nThe task is safe to retry and was enqueued again \
             (attempt {} of at most {max_attempts}).",
            row.attempts.saturating_add(1)
        ),
        RescueOutcome::Cancelled => {
            format!("CANCEL!\n{lapse}\nA cancellation was pending, so it is not retried.")
        }
        RescueOutcome::Dropped if row.retry_safe => format!(
            "DROPPED!\n{lapse}\nThe task was already attempted {} times; giving up.",
            row.attempts
        ),
        RescueOutcome::Dropped => {
            format!("DROPPED!\n{lapse}\nThe task is not safe to run again.")
        }
    }
}
