//! Operating the queue: admission bounds, periodic tasks taking their turn
//! once in a cluster, retention of finished tasks, and run lifetimes given at
//! store time.

use std::io::Read;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::comments::{format_entry, Comment};
use super::inputs::write_input;
use super::queue::{NewTaskRow, ENQUEUED, RUNNING};
use super::{generate_token, NewTask, TaskRecord, TaskRow, TaskStatus};
use crate::clock::{duration_micros, to_micros};
use crate::connection::AnyConnection;
use crate::db::ConfigDb;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::schema::background_tasks::dsl as t;
use crate::schema::run_lifetimes::dsl as l;
use crate::schema::task_schedule::dsl as s;

/// First key of the PostgreSQL advisory lock that serialises admission per
/// product (the second is the product id).
const ADMISSION_LOCK: i32 = 0x4343_5253;

/// How many tasks of some kinds may wait per product (see
/// [`ConfigDb::submit_task`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueBound {
    /// The kinds counted together.
    pub kinds: Vec<String>,
    /// Tasks of those kinds that may be `ALLOCATED` or `ENQUEUED` at once
    /// for one product.
    pub max_waiting: u64,
}

/// A task to put into the queue with what comes with it (see
/// [`ConfigDb::submit_task`]).
pub struct Submission<'a> {
    /// The task.
    pub task: &'a NewTask,
    /// The bound on waiting tasks it is admitted under, if any.
    pub bound: Option<&'a QueueBound>,
    /// Its first comment, if any.
    pub comment: Option<Comment<'a>>,
    /// Its input, read to its end and kept in the database, if any.
    pub input: Option<&'a mut dyn Read>,
}

impl std::fmt::Debug for Submission<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Submission")
            .field("task", self.task)
            .field("bound", &self.bound)
            .field("comment", &self.comment)
            .field("input", &self.input.is_some())
            .finish()
    }
}

/// A task [`ConfigDb::submit_task`] put into the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// Its token.
    pub token: String,
    /// The bytes of its input kept in the database.
    pub input_bytes: u64,
}

/// A task the server runs every `interval` (see
/// [`ConfigDb::schedule_periodic`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Periodic {
    /// The schedule's name, unique in the cluster.
    pub name: String,
    /// The least time between two starts.
    pub interval: Duration,
    /// The task to create when it is due.
    pub task: NewTask,
}

/// Statuses in which a task is not yet finished.
const UNFINISHED: [i32; 3] = [TaskStatus::Allocated as i32, ENQUEUED, RUNNING];

/// Terminal statuses.
pub(crate) const TERMINAL: [i32; 4] = [
    TaskStatus::Completed as i32,
    TaskStatus::Failed as i32,
    TaskStatus::Cancelled as i32,
    TaskStatus::Dropped as i32,
];

/// Number of `ALLOCATED` or `ENQUEUED` tasks of `kinds` for `product_id`.
fn waiting(conn: &mut AnyConnection, product_id: i64, kinds: &[String]) -> Result<u64> {
    let n: i64 = t::background_tasks
        .filter(t::product_id.eq(product_id))
        .filter(t::status.eq_any([TaskStatus::Allocated.as_i32(), ENQUEUED]))
        .filter(t::kind.eq_any(kinds))
        .count()
        .get_result(conn)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

impl ConfigDb {
    /// How many tasks of `kinds` wait (allocated or enqueued) for `product_id`.
    pub fn waiting_tasks(&self, product_id: i64, kinds: &[String]) -> Result<u64> {
        waiting(&mut *self.conn()?, product_id, kinds)
    }

    /// Puts `submission.task` into the queue (`ENQUEUED`) in one transaction
    /// with everything that comes with it: its first comment, its input
    /// (kept in the database and marked `input_shared`, so any machine may
    /// claim it) and the admission check of its bound. Nothing is visible
    /// before all of it is there, so a process killed on the way leaves
    /// nothing behind (no `ALLOCATED` task that nothing will ever enqueue).
    ///
    /// With a bound that covers the task's kind and product, the task is
    /// refused with [`Error::QueueFull`] when `bound.max_waiting` tasks of
    /// the bound's kinds already wait for the product; the count is taken
    /// under a per-product lock at the end, so concurrent callers cannot
    /// overshoot, and the lock is held only while the transaction commits,
    /// not while the input is written.
    pub fn submit_task(&self, submission: Submission<'_>) -> Result<Submitted> {
        let Submission {
            task,
            bound,
            comment,
            mut input,
        } = submission;
        let bounded = bound
            .filter(|b| b.kinds.contains(&task.kind))
            .and_then(|b| task.product_id.map(|p| (p, b)));
        let now_t = self.now();
        let now = to_micros(now_t);
        let token = generate_token();
        let mut row = NewTaskRow::of(task, &token, TaskStatus::Enqueued, now);
        row.input_shared = input.is_some();
        row.comments = comment.map(|c| format_entry(c, now_t));
        let input_bytes = self.write(|conn, events| {
            diesel::insert_into(t::background_tasks)
                .values(&row)
                .execute(conn)?;
            let bytes = match input.as_mut() {
                Some(source) => write_input(conn, &token, *source)?,
                None => 0,
            };
            if let Some((product_id, bound)) = bounded {
                if let AnyConnection::Postgresql(pg) = conn {
                    let key = i32::try_from(product_id.rem_euclid(i64::from(i32::MAX)))
                        .unwrap_or_default();
                    diesel::sql_query(format!(
                        "SELECT pg_advisory_xact_lock({ADMISSION_LOCK}, {key})"
                    ))
                    .execute(pg)?;
                }
                // This task is among those counted.
                let others = waiting(conn, product_id, &bound.kinds)?.saturating_sub(1);
                if others >= bound.max_waiting {
                    return Err(Error::QueueFull {
                        product_id,
                        waiting: others,
                        limit: bound.max_waiting,
                    });
                }
            }
            events.push(Event::Enqueued);
            Ok(bytes)
        })?;
        Ok(Submitted { token, input_bytes })
    }

    /// Creates `periodic.task` (`ENQUEUED`) if its turn has come (the first
    /// call starts the schedule: the first turn is one interval later): the
    /// schedule is due and no task of the same kind and product is
    /// unfinished. Taking the turn moves the schedule on by the interval in
    /// the same transaction (a compare-and-set), so among servers sharing the
    /// database one wins each turn. Returns the new task's token.
    pub fn schedule_periodic(&self, periodic: &Periodic) -> Result<Option<String>> {
        let now = to_micros(self.now());
        let next = now.saturating_add(duration_micros(periodic.interval));
        // Read first: most calls find the turn not yet due, and need no write.
        let due: Option<i64> = s::task_schedule
            .find(&periodic.name)
            .select(s::next_due_at_us)
            .get_result(&mut *self.conn()?)
            .optional()?;
        if due.is_some_and(|d| d > now) {
            return Ok(None);
        }
        let token = generate_token();
        let task = &periodic.task;
        self.write(|conn, events| {
            // A new schedule's first turn comes one interval from now.
            let fresh = (s::name.eq(&periodic.name), s::next_due_at_us.eq(next));
            match conn {
                AnyConnection::Postgresql(pg) => diesel::insert_into(s::task_schedule)
                    .values(fresh)
                    .on_conflict_do_nothing()
                    .execute(pg)?,
                AnyConnection::Sqlite(lite) => diesel::insert_into(s::task_schedule)
                    .values(fresh)
                    .on_conflict_do_nothing()
                    .execute(lite)?,
            };
            let due: i64 = s::task_schedule
                .find(&periodic.name)
                .select(s::next_due_at_us)
                .get_result(conn)?;
            if due > now {
                return Ok(None);
            }
            let taken = diesel::update(
                s::task_schedule
                    .filter(s::name.eq(&periodic.name))
                    .filter(s::next_due_at_us.eq(due)),
            )
            .set(s::next_due_at_us.eq(next))
            .execute(conn)?;
            if taken != 1 {
                return Ok(None);
            }
            let unfinished = t::background_tasks
                .filter(t::kind.eq(&task.kind))
                .filter(t::status.eq_any(UNFINISHED));
            let in_flight: i64 = match task.product_id {
                Some(id) => unfinished
                    .filter(t::product_id.eq(id))
                    .count()
                    .get_result(conn)?,
                None => unfinished
                    .filter(t::product_id.is_null())
                    .count()
                    .get_result(conn)?,
            };
            if in_flight > 0 {
                return Ok(None);
            }
            diesel::insert_into(t::background_tasks)
                .values(&NewTaskRow::of(task, &token, TaskStatus::Enqueued, now))
                .execute(conn)?;
            events.push(Event::Enqueued);
            Ok(Some(token.clone()))
        })
    }

    /// Deletes up to `limit` finished tasks: those whose status was consumed
    /// and that ended before `consumed_before`, and unconsumed ones that
    /// ended before `unconsumed_before`. Returns the deleted records (their
    /// input folders are the caller's to remove). Unfinished tasks are never
    /// touched.
    pub fn delete_finished_tasks(
        &self,
        consumed_before: DateTime<Utc>,
        unconsumed_before: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<TaskRecord>> {
        let consumed_cut = to_micros(consumed_before);
        let unconsumed_cut = to_micros(unconsumed_before);
        let limit = i64::try_from(limit.max(1)).unwrap_or(i64::MAX);
        self.write(|conn, _| {
            let rows: Vec<TaskRow> = t::background_tasks
                .filter(t::status.eq_any(TERMINAL))
                .filter(
                    (t::consumed
                        .eq(true)
                        .and(t::completed_at_us.lt(consumed_cut)))
                    .or(t::consumed
                        .eq(false)
                        .and(t::completed_at_us.lt(unconsumed_cut))),
                )
                .order_by((t::completed_at_us.asc(), t::token.asc()))
                .limit(limit)
                .select(TaskRow::as_select())
                .load(conn)?;
            let tokens: Vec<&str> = rows.iter().map(|r| r.token.as_str()).collect();
            for chunk in tokens.chunks(500) {
                diesel::delete(
                    t::background_tasks
                        .filter(t::token.eq_any(chunk))
                        .filter(t::status.eq_any(TERMINAL)),
                )
                .execute(conn)?;
            }
            rows.into_iter().map(TaskRecord::try_from).collect()
        })
    }

    /// Records the lifetime the last store into `run_name` asked for
    /// (`None`: none; the product's policy alone decides).
    pub fn set_run_lifetime(
        &self,
        product_id: i64,
        run_name: &str,
        keep_days: Option<u32>,
    ) -> Result<()> {
        self.write(|conn, _| {
            diesel::delete(
                l::run_lifetimes
                    .filter(l::product_id.eq(product_id))
                    .filter(l::run_name.eq(run_name)),
            )
            .execute(conn)?;
            if let Some(days) = keep_days {
                diesel::insert_into(l::run_lifetimes)
                    .values((
                        l::product_id.eq(product_id),
                        l::run_name.eq(run_name),
                        l::keep_days.eq(i64::from(days)),
                    ))
                    .execute(conn)?;
            }
            Ok(())
        })
    }

    /// The run lifetimes given at store time in `product_id`: run name and
    /// days.
    pub fn run_lifetimes(&self, product_id: i64) -> Result<Vec<(String, i64)>> {
        Ok(l::run_lifetimes
            .filter(l::product_id.eq(product_id))
            .order_by(l::run_name.asc())
            .select((l::run_name, l::keep_days))
            .load(&mut *self.conn()?)?)
    }
}
