//! Run retention: which runs a product's policy condemns, and their removal
//! one at a time under the run's lock.
//!
//! A run is judged by the date of its latest store. The judgement is made on
//! a snapshot; a condemned run is removed only if, once its lock is held, its
//! date is still the one judged. So a store into a condemned run (which holds
//! the run's lock while it writes, and moves the date when it commits) makes
//! retention pass the run by: a store is never disturbed.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::lock::release_in_txn;
use crate::sql::{IntRow, Sql};
use crate::time::to_micros;

/// Keep the `count` most recent runs whose name matches; older matching runs
/// go.
pub struct KeepLast {
    /// Whether a run name is subject to this rule.
    pub matches: Box<dyn Fn(&str) -> bool + Send + Sync>,
    /// How many of the matching runs stay.
    pub count: usize,
    /// The rule as a person wrote it, for the reasons given.
    pub description: String,
}

/// What a product keeps.
#[derive(Default)]
pub struct RetentionPolicy {
    /// Keep the last N runs matching a name pattern.
    pub keep_last: Option<KeepLast>,
    /// Runs whose latest store is older than this go (unless the run has a
    /// lifetime of its own).
    pub max_age: Option<Duration>,
    /// Lifetimes given at store time, by run name: such a run goes when its
    /// latest store is older than its lifetime.
    pub lifetimes: HashMap<String, Duration>,
}

/// A run the policy condemns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condemned {
    /// The run's id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The date of its latest store when it was judged (µs).
    pub date_us: i64,
    /// Why it goes.
    pub reason: String,
}

/// What [`ProductDb::remove_condemned`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionOutcome {
    /// The run and its results are gone.
    Removed,
    /// A store holds the run; left alone.
    Locked,
    /// The run was stored into since it was judged; left alone.
    Changed,
    /// The run no longer exists.
    Gone,
}

#[derive(Debug, QueryableByName)]
struct RunDate {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    date_us: i64,
}

fn days(d: Duration) -> String {
    let days = d.as_secs_f64() / 86_400.0;
    if days.fract() == 0.0 {
        format!("{days:.0} days")
    } else {
        format!("{days:.2} days")
    }
}

/// The runs of `runs` (`(id, name, latest store µs)`) that `policy`
/// condemns at `now`, oldest first.
pub fn condemn(
    runs: &[(i64, String, i64)],
    policy: &RetentionPolicy,
    now: DateTime<Utc>,
) -> Vec<Condemned> {
    let now_us = to_micros(now);
    let older_than = |date_us: i64, d: Duration| {
        let age = now_us.saturating_sub(date_us);
        u128::try_from(age).is_ok_and(|age| age > d.as_micros())
    };
    let mut reasons: HashMap<i64, String> = HashMap::new();
    if let Some(rule) = &policy.keep_last {
        let mut matching: Vec<&(i64, String, i64)> = runs
            .iter()
            .filter(|(_, name, _)| (rule.matches)(name))
            .collect();
        // Newest first; equal dates by id, newest id first.
        matching.sort_by(|a, b| b.2.cmp(&a.2).then(b.0.cmp(&a.0)));
        for (id, _, _) in matching.into_iter().skip(rule.count) {
            reasons.insert(
                *id,
                format!(
                    "not among the {} latest runs matching {}",
                    rule.count, rule.description
                ),
            );
        }
    }
    for (id, name, date_us) in runs {
        if reasons.contains_key(id) {
            continue;
        }
        match policy.lifetimes.get(name) {
            Some(life) if older_than(*date_us, *life) => {
                reasons.insert(
                    *id,
                    format!(
                        "older than its lifetime of {} given at store time",
                        days(*life)
                    ),
                );
            }
            Some(_) => {}
            None => {
                if let Some(max) = policy.max_age.filter(|max| older_than(*date_us, *max)) {
                    reasons.insert(*id, format!("older than {}", days(max)));
                }
            }
        }
    }
    let mut out: Vec<Condemned> = runs
        .iter()
        .filter_map(|(id, name, date_us)| {
            reasons.remove(id).map(|reason| Condemned {
                id: *id,
                name: name.clone(),
                date_us: *date_us,
                reason,
            })
        })
        .collect();
    out.sort_by(|a, b| a.date_us.cmp(&b.date_us).then(a.id.cmp(&b.id)));
    out
}

impl ProductDb {
    /// Every run as `(id, name, date of its latest store in µs)`.
    pub fn run_dates(&self) -> Result<Vec<(i64, String, i64)>> {
        let mut conn = self.conn()?;
        let sql = Sql::with(&conn, "SELECT id, name, date_us FROM runs ORDER BY id");
        Ok(sql
            .load::<RunDate>(&mut conn)?
            .into_iter()
            .map(|r| (r.id, r.name, r.date_us))
            .collect())
    }

    /// The runs `policy` condemns at `now`.
    pub fn retention_candidates(
        &self,
        policy: &RetentionPolicy,
        now: DateTime<Utc>,
    ) -> Result<Vec<Condemned>> {
        Ok(condemn(&self.run_dates()?, policy, now))
    }

    /// Removes `run` (in report batches, as [`ProductDb::remove_runs`] does)
    /// if no store holds it and its latest store is still the one judged.
    pub fn remove_condemned(&self, run: &Condemned, user: &str) -> Result<RetentionOutcome> {
        let lock = match self.acquire_run_lock(&run.name, user) {
            Ok(lock) => lock,
            Err(Error::RunLocked { .. }) => return Ok(RetentionOutcome::Locked),
            Err(e) => return Err(e),
        };
        let outcome = (|| {
            let mut conn = self.conn()?;
            let mut sql = Sql::with(&conn, "SELECT date_us AS v FROM runs WHERE id = ");
            sql.bind(run.id)
                .push(" AND name = ")
                .bind(run.name.as_str());
            let date = sql
                .load::<IntRow>(&mut conn)?
                .into_iter()
                .next()
                .map(|r| r.v);
            drop(conn);
            match date {
                None => Ok(RetentionOutcome::Gone),
                Some(d) if d != run.date_us => Ok(RetentionOutcome::Changed),
                Some(_) => Ok(if self.remove_one_run(run.id)? {
                    RetentionOutcome::Removed
                } else {
                    RetentionOutcome::Gone
                }),
            }
        })();
        match &outcome {
            Ok(_) => self.write(|conn| release_in_txn(conn, &lock))?,
            Err(_) => {
                let _ = self.release_run_lock(&lock);
            }
        }
        outcome
    }
}
