//! Removing runs (CodeChecker's `removeRun`).

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::sql::{IntRow, Sql, TextRow};
use crate::store::delete_run;
use crate::time::{now, to_micros};

impl ProductDb {
    /// Deletes the runs with `run_ids` and all their results; returns how
    /// many existed. Refused with [`Error::RunLocked`] while one of them is
    /// being stored into. Source files stay (other runs may share them).
    pub fn remove_runs(&self, run_ids: &[i64]) -> Result<usize> {
        let cutoff = to_micros(now())
            - i64::try_from(self.opts().run_lock_timeout.as_micros()).unwrap_or(i64::MAX);
        self.write(|conn| {
            let mut sql = Sql::with(
                conn,
                "SELECT l.name AS v FROM run_locks l JOIN runs r ON r.name = l.name WHERE l.locked_at_us >= ",
            );
            sql.bind(cutoff).push(" AND r.id IN ").bind_list(run_ids.iter().copied());
            if let Some(locked) = sql.load::<TextRow>(conn)?.into_iter().next() {
                return Err(Error::RunLocked {
                    run_name: locked.v,
                    holder: "another user".into(),
                    expires_at: now(),
                });
            }
            let mut sql = Sql::with(conn, "SELECT id AS v FROM runs WHERE id IN ");
            sql.bind_list(run_ids.iter().copied());
            let existing: Vec<IntRow> = sql.load(conn)?;
            for id in &existing {
                delete_run(conn, id.v)?;
            }
            Ok(existing.len())
        })
    }
}
