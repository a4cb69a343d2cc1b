//! Counters of failed logins, per user name and per client address, shared by
//! every process and server on the database. A subject that fails too often
//! within a window is locked out for a while.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::DatabaseErrorKind;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::clock::{duration_micros, opt_from_micros, to_micros};
use crate::db::{BackendKind, ConfigDb};
use crate::error::Result;
use crate::schema::login_failures::dsl as f;

/// What a failure counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureScope {
    /// Failures for one user name (whatever the address).
    User,
    /// Failures from one client address (whatever the user name).
    Address,
}

impl FailureScope {
    fn as_str(self) -> &'static str {
        match self {
            FailureScope::User => "user",
            FailureScope::Address => "address",
        }
    }
}

/// When failures lock a subject out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures within `window` that lock the subject (at least 1).
    pub max_failures: u32,
    /// How long failures are remembered.
    pub window: Duration,
    /// How long a lock lasts.
    pub lockout: Duration,
}

/// Subjects longer than this are cut (user names come from the client).
const MAX_SUBJECT_CHARS: usize = 256;

fn subject_key(subject: &str) -> String {
    subject.chars().take(MAX_SUBJECT_CHARS).collect()
}

#[derive(QueryableByName)]
struct LockedUntil {
    #[diesel(sql_type = Nullable<BigInt>)]
    locked_until_us: Option<i64>,
}

impl ConfigDb {
    /// Until when `subject` is locked out, if it is locked now.
    pub fn login_locked_until(
        &self,
        scope: FailureScope,
        subject: &str,
    ) -> Result<Option<DateTime<Utc>>> {
        let until: Option<Option<i64>> = f::login_failures
            .find((scope.as_str(), subject_key(subject)))
            .select(f::locked_until_us)
            .get_result(&mut *self.conn()?)
            .optional()?;
        let now = self.now();
        Ok(opt_from_micros(until.flatten())?.filter(|t| *t > now))
    }

    /// Counts one failed login of `subject` under `policy`. Returns the end
    /// of the lock when the subject is locked out after it.
    pub fn record_login_failure(
        &self,
        scope: FailureScope,
        subject: &str,
        policy: &ThrottlePolicy,
    ) -> Result<Option<DateTime<Utc>>> {
        let key = subject_key(subject);
        let now_t = self.now();
        let now = to_micros(now_t);
        let mut conn = self.conn()?;
        // The row must exist before the atomic update below; a concurrent
        // insert of the same row is fine.
        let inserted = diesel::insert_into(f::login_failures)
            .values((
                f::scope.eq(scope.as_str()),
                f::subject.eq(&key),
                f::window_start_us.eq(now),
                f::failures.eq(0),
            ))
            .execute(&mut *conn);
        match inserted {
            Ok(_)
            | Err(diesel::result::Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
            Err(e) => return Err(e.into()),
        }
        // One statement, so concurrent failures are all counted: a failure
        // outside the window starts a new one; reaching the limit locks the
        // subject and starts counting afresh.
        let cut = now.saturating_sub(duration_micros(policy.window));
        let max = i64::from(policy.max_failures.max(1));
        let until = now.saturating_add(duration_micros(policy.lockout));
        let count = format!("(CASE WHEN window_start_us <= {cut} THEN 1 ELSE failures + 1 END)");
        let (p1, p2) = match self.backend() {
            BackendKind::Sqlite => ("?", "?"),
            BackendKind::Postgres => ("$1", "$2"),
        };
        let sql = format!(
            "UPDATE login_failures SET \
               failures = CASE WHEN {count} >= {max} THEN 0 ELSE {count} END, \
               locked_until_us = CASE WHEN {count} >= {max} THEN {until} ELSE locked_until_us END, \
               window_start_us = CASE WHEN window_start_us <= {cut} OR {count} >= {max} \
                                 THEN {now} ELSE window_start_us END \
             WHERE scope = {p1} AND subject = {p2} \
             RETURNING locked_until_us"
        );
        let rows: Vec<LockedUntil> = diesel::sql_query(sql)
            .bind::<Text, _>(scope.as_str())
            .bind::<Text, _>(&key)
            .load(&mut *conn)?;
        let locked = rows.into_iter().next().and_then(|r| r.locked_until_us);
        Ok(opt_from_micros(locked)?.filter(|t| *t > now_t))
    }

    /// Forgets the failures of `subject` (after it logged in successfully).
    pub fn clear_login_failures(&self, scope: FailureScope, subject: &str) -> Result<()> {
        diesel::delete(f::login_failures.find((scope.as_str(), subject_key(subject))))
            .execute(&mut *self.conn()?)?;
        Ok(())
    }

    /// Deletes counters that neither lock nor count any more under `policy`;
    /// returns how many.
    pub fn prune_login_failures(&self, policy: &ThrottlePolicy) -> Result<usize> {
        let now = to_micros(self.now());
        let cut = now.saturating_sub(duration_micros(policy.window));
        let n = diesel::delete(
            f::login_failures
                .filter(f::window_start_us.le(cut))
                .filter(f::locked_until_us.is_null().or(f::locked_until_us.le(now))),
        )
        .execute(&mut *self.conn()?)?;
        Ok(n)
    }
}
