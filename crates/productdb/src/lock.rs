//! Run locks: one store per run at a time, stale locks expire.
//!
//! A lock is a committed `run_locks` row (name, time, user, random token).
//! A store's transaction re-checks its token and, on PostgreSQL, holds the
//! row `FOR UPDATE` until it commits; on SQLite the store's write lock keeps
//! everyone else from taking the row over.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use dbkit::AnyConnection;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;
use rand::RngCore;

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::model::RunLockToken;
use crate::sql::{is_pg, Sql};
use crate::time::{from_micros, now, to_micros};

#[derive(Debug, QueryableByName)]
struct LockRow {
    #[diesel(sql_type = BigInt)]
    locked_at_us: i64,
    #[diesel(sql_type = Nullable<Text>)]
    username: Option<String>,
    #[diesel(sql_type = Text)]
    token: String,
}

/// How often a waiting store looks at the lock again.
const POLL: Duration = Duration::from_millis(100);

impl ProductDb {
    /// Locks `run_name` for a store by `user`; a stale lock (older than
    /// [`crate::OpenOptions::run_lock_timeout`]) is taken over. Fails with
    /// [`Error::RunLocked`] while another store holds a fresh lock.
    pub fn acquire_run_lock(&self, run_name: &str, user: &str) -> Result<RunLockToken> {
        self.acquire_run_lock_as(run_name, user, None)
    }

    /// [`ProductDb::acquire_run_lock`] with the lock's `token` given (`None`:
    /// a random one). A lock that already holds this token is taken over
    /// even when fresh: it was left by an earlier attempt of the same store
    /// (a worker killed mid-store), whose transaction died with it.
    pub fn acquire_run_lock_as(
        &self,
        run_name: &str,
        user: &str,
        token: Option<&str>,
    ) -> Result<RunLockToken> {
        let timeout = self.opts().run_lock_timeout;
        // Read first: on SQLite a running store holds the write lock, and
        // the common refusal must not wait for it.
        {
            let mut conn = self.conn()?;
            if let Some(row) = read_lock(&mut conn, run_name, false)? {
                if Some(row.token.as_str()) != token {
                    refuse_if_fresh(run_name, &row, timeout)?;
                }
            }
        }
        let token = token.map_or_else(new_token, str::to_owned);
        self.write(|conn| acquire_in_txn(conn, run_name, user, &token, timeout))
    }

    /// [`ProductDb::acquire_run_lock_as`], retrying for up to `wait`.
    pub(crate) fn acquire_run_lock_waiting(
        &self,
        run_name: &str,
        user: &str,
        token: Option<&str>,
        wait: Duration,
    ) -> Result<RunLockToken> {
        let start = Instant::now();
        loop {
            match self.acquire_run_lock_as(run_name, user, token) {
                Err(Error::RunLocked { .. }) if start.elapsed() + POLL <= wait => {
                    std::thread::sleep(POLL)
                }
                other => return other,
            }
        }
    }

    /// Releases a lock taken with [`ProductDb::acquire_run_lock`]; a lock
    /// taken over by someone else meanwhile is left alone.
    pub fn release_run_lock(&self, lock: &RunLockToken) -> Result<()> {
        self.write(|conn| release_in_txn(conn, lock))
    }

    /// Names of runs with a fresh lock (CodeChecker refuses to delete them).
    pub fn locked_runs(&self) -> Result<Vec<String>> {
        let mut conn = self.conn()?;
        let cutoff = to_micros(now()) - micros(self.opts().run_lock_timeout);
        let mut sql = Sql::with(
            &conn,
            "SELECT name AS v FROM run_locks WHERE locked_at_us >= ",
        );
        sql.bind(cutoff).push(" ORDER BY name");
        Ok(sql
            .load::<crate::sql::TextRow>(&mut conn)?
            .into_iter()
            .map(|r| r.v)
            .collect())
    }
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

fn read_lock(
    conn: &mut AnyConnection,
    run_name: &str,
    for_update: bool,
) -> Result<Option<LockRow>> {
    let mut sql = Sql::with(
        conn,
        "SELECT locked_at_us, username, token FROM run_locks WHERE name = ",
    );
    sql.bind(run_name);
    if for_update && sql.is_pg() {
        sql.push(" FOR UPDATE NOWAIT");
    }
    match sql.load::<LockRow>(conn) {
        Ok(rows) => Ok(rows.into_iter().next()),
        Err(e) if dbkit::classify::is_lock_not_available(&e) => Err(locked(run_name, None, now())),
        Err(e) => Err(e.into()),
    }
}

fn refuse_if_fresh(run_name: &str, row: &LockRow, timeout: Duration) -> Result<()> {
    let locked_at = from_micros(row.locked_at_us)?;
    let expires_at = locked_at + chrono::Duration::microseconds(micros(timeout));
    if now() <= expires_at {
        return Err(locked(run_name, row.username.as_deref(), expires_at));
    }
    Ok(())
}

fn locked(run_name: &str, holder: Option<&str>, expires_at: DateTime<Utc>) -> Error {
    Error::RunLocked {
        run_name: run_name.to_owned(),
        holder: holder.unwrap_or("another user").to_owned(),
        expires_at,
    }
}

fn acquire_in_txn(
    conn: &mut AnyConnection,
    run_name: &str,
    user: &str,
    token: &str,
    timeout: Duration,
) -> Result<RunLockToken> {
    let now_us = to_micros(now());
    match read_lock(conn, run_name, true)? {
        Some(row) => {
            if row.token != token {
                refuse_if_fresh(run_name, &row, timeout)?;
            }
            let mut sql = Sql::with(conn, "UPDATE run_locks SET locked_at_us = ");
            sql.bind(now_us)
                .push(", username = ")
                .bind(user)
                .push(", token = ")
                .bind(token)
                .push(" WHERE name = ")
                .bind(run_name);
            sql.execute(conn)?;
        }
        None => {
            let mut sql = Sql::with(
                conn,
                "INSERT INTO run_locks (name, locked_at_us, username, token) VALUES (",
            );
            sql.bind(run_name)
                .push(", ")
                .bind(now_us)
                .push(", ")
                .bind(user)
                .push(", ")
                .bind(token)
                .push(")");
            match sql.execute(conn) {
                Ok(_) => {}
                Err(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                )) => return Err(locked(run_name, None, now())),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(RunLockToken {
        run_name: run_name.to_owned(),
        token: token.to_owned(),
    })
}

/// Inside a store's transaction: checks that `lock` still holds the run
/// (PostgreSQL: and keeps the row locked until commit).
pub(crate) fn confirm_in_txn(conn: &mut AnyConnection, lock: &RunLockToken) -> Result<()> {
    match read_lock(conn, &lock.run_name, true)? {
        Some(row) if row.token == lock.token => Ok(()),
        Some(row) => Err(locked(
            &lock.run_name,
            row.username.as_deref(),
            from_micros(row.locked_at_us)?,
        )),
        None => Err(Error::InvalidInput(format!(
            "the lock of run '{}' was released before its store began",
            lock.run_name
        ))),
    }
}

/// Deletes `lock`'s row if it still carries its token.
pub(crate) fn release_in_txn(conn: &mut AnyConnection, lock: &RunLockToken) -> Result<()> {
    let pg = is_pg(conn);
    let mut sql = Sql::for_backend(pg);
    sql.push("DELETE FROM run_locks WHERE name = ")
        .bind(&lock.run_name)
        .push(" AND token = ")
        .bind(&lock.token);
    sql.execute(conn)?;
    Ok(())
}

fn new_token() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
