//! Operating the queue: admission bounds, periodic tasks taking their turn
//! once in a cluster, retention of finished tasks, and run lifetimes given at
//! store time.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::DatabaseErrorKind;

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
/// [`ConfigDb::allocate_task_bounded`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueBound {
    /// The kinds counted together.
    pub kinds: Vec<String>,
    /// Tasks of those kinds that may be `ALLOCATED` or `ENQUEUED` at once
    /// for one product.
    pub max_waiting: u64,
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

    /// [`ConfigDb::allocate_task`] under a bound: when the task is of one of
    /// the bound's kinds and its product
    /// already has `bound.max_waiting` tasks of the bound's kinds waiting,
    /// nothing is created and the answer is [`Error::QueueFull`]. The count
    /// and the insert are one step, so concurrent callers cannot overshoot.
    pub fn allocate_task_bounded(&self, task: &NewTask, bound: &QueueBound) -> Result<String> {
        let Some(product_id) = task.product_id.filter(|_| bound.kinds.contains(&task.kind)) else {
            return self.allocate_task(task);
        };
        let now = to_micros(self.now());
        for _ in 0..10 {
            let token = generate_token();
            let row = NewTaskRow::of(task, &token, TaskStatus::Allocated, now);
            let inserted = self.write(|conn, _| {
                if let AnyConnection::Postgresql(pg) = conn {
                    let key = i32::try_from(product_id.rem_euclid(i64::from(i32::MAX)))
                        .unwrap_or_default();
                    diesel::sql_query(format!(
                        "SELECT pg_advisory_xact_lock({ADMISSION_LOCK}, {key})"
                    ))
                    .execute(pg)?;
                }
                let now_waiting = waiting(conn, product_id, &bound.kinds)?;
                if now_waiting >= bound.max_waiting {
                    return Err(Error::QueueFull {
                        product_id,
                        waiting: now_waiting,
                        limit: bound.max_waiting,
                    });
                }
                diesel::insert_into(t::background_tasks)
                    .values(&row)
                    .execute(conn)?;
                Ok(())
            });
            match inserted {
                Ok(()) => return Ok(token),
                Err(Error::Query(diesel::result::Error::DatabaseError(
                    DatabaseErrorKind::UniqueViolation,
                    _,
                ))) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(Error::TokenExhausted)
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
