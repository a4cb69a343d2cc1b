//! Read-only aggregates over the task queue, for monitoring (the server's
//! `/metrics`): tasks by kind and status, the age of the oldest queued task,
//! running tasks per worker, and histograms of waiting, running and
//! cancellation times. A handful of aggregate queries; nothing is written.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};

use super::comments::SEPARATOR;
use super::TaskStatus;
use crate::clock::opt_from_micros;
use crate::db::ConfigDb;
use crate::error::Result;

/// Upper bounds (seconds) of the buckets of every task-time histogram.
pub const HISTOGRAM_BOUNDS_SECS: [f64; 16] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 1800.0,
    3600.0,
];

/// Tasks of one kind in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindStatusCount {
    /// Task kind.
    pub kind: String,
    /// Status.
    pub status: TaskStatus,
    /// Tasks of this kind now in this status.
    pub tasks: i64,
    /// Of these, how many were ever enqueued.
    pub enqueued: i64,
    /// Of these, how many a worker ever started.
    pub started: i64,
}

/// One kind's histogram of a duration, in [`HISTOGRAM_BOUNDS_SECS`] buckets.
#[derive(Debug, Clone, PartialEq)]
pub struct KindHistogram {
    /// Task kind.
    pub kind: String,
    /// Observations at most each bound (cumulative), one per bound.
    pub cumulative: Vec<u64>,
    /// Every observation.
    pub count: u64,
    /// Sum of the observations, seconds.
    pub sum_secs: f64,
}

impl KindHistogram {
    fn new(kind: String) -> Self {
        Self {
            kind,
            cumulative: vec![0; HISTOGRAM_BOUNDS_SECS.len()],
            count: 0,
            sum_secs: 0.0,
        }
    }

    /// Adds `n` observations of about `secs` (bucket chosen by `secs`).
    fn add(&mut self, secs: f64, n: u64, sum_secs: f64) {
        for (slot, bound) in self.cumulative.iter_mut().zip(HISTOGRAM_BOUNDS_SECS) {
            if secs <= bound {
                *slot += n;
            }
        }
        self.count += n;
        self.sum_secs += sum_secs;
    }
}

/// The queue at one instant, as monitoring sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskStats {
    /// Tasks by kind and status (only pairs that exist).
    pub counts: Vec<KindStatusCount>,
    /// When the task waiting longest was enqueued.
    pub oldest_enqueued_at: Option<DateTime<Utc>>,
    /// ENQUEUED tasks.
    pub queue_depth: i64,
    /// RUNNING tasks per claim owner (the worker holding each; see
    /// [`ConfigDb::claim_next`]).
    pub running_by_owner: Vec<(String, i64)>,
    /// Time from enqueued to started, per kind (started tasks).
    pub wait: Vec<KindHistogram>,
    /// Time from started to completed, per kind (finished tasks a worker ran).
    pub run: Vec<KindHistogram>,
    /// Time from the cancel request to the end, per kind (CANCELLED tasks).
    pub cancel: Vec<KindHistogram>,
}

#[derive(QueryableByName)]
struct CountRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Integer)]
    status: i32,
    #[diesel(sql_type = BigInt)]
    tasks: i64,
    #[diesel(sql_type = BigInt)]
    enqueued: i64,
    #[diesel(sql_type = BigInt)]
    started: i64,
}

#[derive(QueryableByName)]
struct OwnerRow {
    #[diesel(sql_type = Text)]
    claim_owner: String,
    #[diesel(sql_type = BigInt)]
    tasks: i64,
}

#[derive(QueryableByName)]
struct QueueRow {
    #[diesel(sql_type = BigInt)]
    depth: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    oldest_us: Option<i64>,
}

#[derive(QueryableByName)]
struct BucketRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Integer)]
    bucket: i32,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = BigInt)]
    sum_us: i64,
}

#[derive(QueryableByName)]
struct CancelRow {
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Nullable<Text>)]
    comments: Option<String>,
    #[diesel(sql_type = BigInt)]
    completed_at_us: i64,
}

/// `CASE` expression giving the bucket index of a duration in microseconds.
fn bucket_case(duration: &str) -> String {
    let mut sql = String::from("CASE");
    for (i, bound) in HISTOGRAM_BOUNDS_SECS.iter().enumerate() {
        let micros = (bound * 1e6) as i64;
        sql.push_str(&format!(" WHEN {duration} <= {micros} THEN {i}"));
    }
    sql.push_str(&format!(" ELSE {} END", HISTOGRAM_BOUNDS_SECS.len()));
    sql
}

/// Histograms per kind of `duration` (an SQL expression in microseconds)
/// over the rows matching `condition`.
fn histograms(
    conn: &mut crate::connection::AnyConnection,
    duration: &str,
    condition: &str,
) -> Result<Vec<KindHistogram>> {
    let sql = format!(
        "SELECT kind, {case} AS bucket, CAST(COUNT(*) AS BIGINT) AS n, \
                CAST(COALESCE(SUM({duration}), 0) AS BIGINT) AS sum_us \
         FROM background_tasks WHERE {condition} \
         GROUP BY kind, {case} ORDER BY kind",
        case = bucket_case(duration)
    );
    let rows: Vec<BucketRow> = diesel::sql_query(sql).load(conn)?;
    let mut out: Vec<KindHistogram> = Vec::new();
    for row in rows {
        if out.last().is_none_or(|h| h.kind != row.kind) {
            out.push(KindHistogram::new(row.kind.clone()));
        }
        if let Some(h) = out.last_mut() {
            // The bucket's upper bound stands for its observations (past the
            // last bound: above every bound).
            let secs = HISTOGRAM_BOUNDS_SECS
                .get(usize::try_from(row.bucket).unwrap_or(usize::MAX))
                .copied()
                .unwrap_or(f64::INFINITY);
            h.add(
                secs,
                u64::try_from(row.n).unwrap_or(0),
                row.sum_us as f64 / 1e6,
            );
        }
    }
    Ok(out)
}

/// When the cancellation of a task was asked for, read from its comments
/// (the entry "User requested cancellation." of `request_cancel`).
pub fn cancel_requested_at(comments: &str) -> Option<DateTime<Utc>> {
    comments.split(SEPARATOR).find_map(|entry| {
        let (header, text) = entry.split_once('\n')?;
        if text != "User requested cancellation." {
            return None;
        }
        let stamp = header.strip_suffix(':')?.rsplit_once(" at ")?.1;
        DateTime::parse_from_str(stamp, "%Y-%m-%d %H:%M:%S%.f%:z")
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

impl ConfigDb {
    /// The queue's aggregates now (see [`TaskStats`]); a few read-only
    /// queries, each a single pass over the task table.
    pub fn task_stats(&self) -> Result<TaskStats> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let rows: Vec<CountRow> = diesel::sql_query(
            "SELECT kind, status, CAST(COUNT(*) AS BIGINT) AS tasks, \
                    CAST(SUM(CASE WHEN enqueued_at_us IS NULL THEN 0 ELSE 1 END) AS BIGINT) \
                      AS enqueued, \
                    CAST(SUM(CASE WHEN started_at_us IS NULL THEN 0 ELSE 1 END) AS BIGINT) \
                      AS started \
             FROM background_tasks GROUP BY kind, status ORDER BY kind, status",
        )
        .load(conn)?;
        let counts = rows
            .into_iter()
            .filter_map(|r| {
                Some(KindStatusCount {
                    status: TaskStatus::from_i32(r.status)?,
                    kind: r.kind,
                    tasks: r.tasks,
                    enqueued: r.enqueued,
                    started: r.started,
                })
            })
            .collect();
        let queue: Vec<QueueRow> = diesel::sql_query(format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS depth, MIN(enqueued_at_us) AS oldest_us \
             FROM background_tasks WHERE status = {}",
            TaskStatus::Enqueued.as_i32()
        ))
        .load(conn)?;
        let (queue_depth, oldest_us) = queue
            .into_iter()
            .next()
            .map(|q| (q.depth, q.oldest_us))
            .unwrap_or((0, None));
        let running: Vec<OwnerRow> = diesel::sql_query(format!(
            "SELECT claim_owner, CAST(COUNT(*) AS BIGINT) AS tasks FROM background_tasks \
             WHERE status = {} AND claim_owner IS NOT NULL \
             GROUP BY claim_owner ORDER BY claim_owner",
            TaskStatus::Running.as_i32()
        ))
        .load(conn)?;
        let wait = histograms(
            conn,
            "(started_at_us - enqueued_at_us)",
            "started_at_us IS NOT NULL AND enqueued_at_us IS NOT NULL \
             AND started_at_us >= enqueued_at_us",
        )?;
        let terminal = TaskStatus::TERMINAL
            .iter()
            .map(|s| s.as_i32().to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let run = histograms(
            conn,
            "(completed_at_us - started_at_us)",
            &format!(
                "status IN ({terminal}) AND started_at_us IS NOT NULL \
                 AND completed_at_us IS NOT NULL AND completed_at_us >= started_at_us"
            ),
        )?;
        let cancelled: Vec<CancelRow> = diesel::sql_query(format!(
            "SELECT kind, comments, completed_at_us FROM background_tasks \
             WHERE status = {} AND completed_at_us IS NOT NULL ORDER BY kind",
            TaskStatus::Cancelled.as_i32()
        ))
        .load(conn)?;
        let mut cancel: Vec<KindHistogram> = Vec::new();
        for row in cancelled {
            let Some(asked) = row.comments.as_deref().and_then(cancel_requested_at) else {
                continue;
            };
            let Some(ended) = opt_from_micros(Some(row.completed_at_us))? else {
                continue;
            };
            let secs = (ended - asked).num_microseconds().unwrap_or(0).max(0) as f64 / 1e6;
            if cancel.last().is_none_or(|h| h.kind != row.kind) {
                cancel.push(KindHistogram::new(row.kind.clone()));
            }
            if let Some(h) = cancel.last_mut() {
                h.add(secs, 1, secs);
            }
        }
        Ok(TaskStats {
            counts,
            oldest_enqueued_at: opt_from_micros(oldest_us)?,
            queue_depth,
            running_by_owner: running
                .into_iter()
                .map(|r| (r.claim_owner, r.tasks))
                .collect(),
            wait,
            run,
            cancel,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_cancel_request_time() {
        let comments = "SYSTEM[x] at 2024-05-01 12:00:00+00:00:\nstarted\n----------\n\
                        admin at 2024-05-01 12:34:56.250000+00:00:\nUser requested cancellation.\n\
                        ----------\nSYSTEM[y] at 2024-05-01 12:35:00+00:00:\nCANCEL!";
        let at = cancel_requested_at(comments).map(|t| t.timestamp_micros());
        let want = DateTime::parse_from_rfc3339("2024-05-01T12:34:56.25Z")
            .map(|t| t.timestamp_micros())
            .ok();
        assert_eq!(at, want);
        assert_eq!(
            cancel_requested_at("nobody at 2024-05-01 12:00:00+00:00:\nhi"),
            None
        );
    }

    #[test]
    fn buckets_are_cumulative() {
        let mut h = KindHistogram::new("k".into());
        h.add(0.5, 2, 1.0);
        h.add(f64::INFINITY, 1, 5000.0);
        assert_eq!(h.count, 3);
        assert_eq!(h.cumulative[0], 0);
        assert_eq!(h.cumulative[6], 2); // 0.5 s bound
        assert_eq!(h.cumulative.last(), Some(&2));
        assert_eq!(h.sum_secs, 5001.0);
    }
}
