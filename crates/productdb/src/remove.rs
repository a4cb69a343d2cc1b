//! Removing runs and reports (CodeChecker's `removeRun`,
//! `removeRunResults`, `removeRunReports`) and renaming runs
//! (`updateRunData`).
//!
//! A large removal never holds the database's write lock for long: reports
//! go in batches (`OpenOptions::remove_batch`), each in its own short transaction,
//! and a removed run's remaining rows go in a last one. While a run is
//! being removed this server holds the run's lock, so no store can write
//! into it meanwhile (and a run a store holds is refused, as CodeChecker
//! refuses it).

use dbkit::AnyConnection;

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::lock::release_in_txn;
use crate::sql::{IntRow, Sql, TextRow, MAX_BINDS};
use crate::time::{now, to_micros};
use crate::writer::delete_run;

/// The lock holder a removal names in a refused store's message.
const REMOVER: &str = "a run removal";

impl ProductDb {
    /// Deletes the runs with `run_ids` and all their results; returns how
    /// many existed. Refused with [`Error::RunsLocked`] while one of them is
    /// being stored into. Source files stay (other runs may share them).
    pub fn remove_runs(&self, run_ids: &[i64]) -> Result<usize> {
        Ok(self.remove_runs_as(run_ids, REMOVER)?.len())
    }

    /// [`ProductDb::remove_runs`] on behalf of `user` (named to a store
    /// refused meanwhile); returns the names of the removed runs.
    pub fn remove_runs_as(&self, run_ids: &[i64], user: &str) -> Result<Vec<String>> {
        let runs = self.run_names(run_ids)?;
        if runs.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = runs.iter().map(|(id, _)| *id).collect();
        self.refuse_locked(Some(&ids))?;
        let mut removed = Vec::with_capacity(runs.len());
        for (id, name) in runs {
            let lock = match self.acquire_run_lock(&name, user) {
                Ok(lock) => lock,
                Err(Error::RunLocked { run_name, .. }) => {
                    return Err(Error::RunsLocked {
                        runs: vec![run_name],
                    })
                }
                Err(e) => return Err(e),
            };
            let outcome = self.remove_one_run(id);
            if outcome.is_err() {
                // Leave no lock behind; the run stays (partly emptied).
                let _ = self.release_run_lock(&lock);
            }
            if outcome? {
                removed.push(name);
            }
            self.write(|conn| release_in_txn(conn, &lock))?;
        }
        Ok(removed)
    }

    /// Deletes the reports with `report_ids` (in batches); refused while a
    /// store into one of `run_ids` (any run when empty) is running. Returns
    /// how many were deleted.
    pub fn remove_reports(&self, run_ids: &[i64], report_ids: &[i64]) -> Result<usize> {
        self.refuse_locked((!run_ids.is_empty()).then_some(run_ids))?;
        let mut deleted = 0;
        for batch in report_ids.chunks(self.opts().remove_batch.max(1)) {
            deleted += self.write(|conn| delete_reports(conn, batch))?;
        }
        Ok(deleted)
    }

    /// Fails with [`Error::RunsLocked`] when a fresh lock is held on one of
    /// `run_ids` (on any run with `None`), as CodeChecker checks it.
    pub fn refuse_locked(&self, run_ids: Option<&[i64]>) -> Result<()> {
        let cutoff = to_micros(now())
            - i64::try_from(self.opts().run_lock_timeout.as_micros()).unwrap_or(i64::MAX);
        let mut conn = self.conn()?;
        let mut sql = Sql::with(
            &conn,
            "SELECT l.name AS v FROM run_locks l LEFT JOIN runs r ON r.name = l.name \
             WHERE l.locked_at_us >= ",
        );
        sql.bind(cutoff);
        if let Some(ids) = run_ids {
            sql.push(" AND r.id IN ").bind_list(ids.iter().copied());
        }
        sql.push(" ORDER BY l.name");
        let runs: Vec<String> = sql
            .load::<TextRow>(&mut conn)?
            .into_iter()
            .map(|r| r.v)
            .collect();
        if runs.is_empty() {
            Ok(())
        } else {
            Err(Error::RunsLocked { runs })
        }
    }

    /// Renames run `run_id` to `new_name`: [`Error::Duplicate`] when a run
    /// has that name, [`Error::NotFound`] when the run does not exist.
    pub fn rename_run(&self, run_id: i64, new_name: &str) -> Result<()> {
        self.write(|conn| {
            let mut sql = Sql::with(conn, "SELECT id AS v FROM runs WHERE name = ");
            sql.bind(new_name);
            if !sql.load::<IntRow>(conn)?.is_empty() {
                return Err(Error::Duplicate {
                    what: "run",
                    name: new_name.to_owned(),
                });
            }
            let mut sql = Sql::with(conn, "UPDATE runs SET name = ");
            sql.bind(new_name).push(" WHERE id = ").bind(run_id);
            if sql.execute(conn)? == 0 {
                return Err(Error::NotFound {
                    what: "run",
                    key: run_id.to_string(),
                });
            }
            Ok(())
        })
    }

    /// `(id, name)` of the existing runs among `run_ids`, by id.
    fn run_names(&self, run_ids: &[i64]) -> Result<Vec<(i64, String)>> {
        let mut conn = self.conn()?;
        let mut out = Vec::new();
        for chunk in run_ids.chunks(MAX_BINDS) {
            let mut sql = Sql::with(&conn, "SELECT id, name FROM runs WHERE id IN ");
            sql.bind_list(chunk.iter().copied());
            out.extend(
                sql.load::<RunName>(&mut conn)?
                    .into_iter()
                    .map(|r| (r.id, r.name)),
            );
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// Empties run `id` batch by batch, then deletes it; `false` when it was
    /// gone already.
    pub(crate) fn remove_one_run(&self, id: i64) -> Result<bool> {
        let batch = self.opts().remove_batch.max(1);
        loop {
            let deleted = self.write(|conn| {
                let mut sql = Sql::with(conn, "SELECT id AS v FROM reports WHERE run_id = ");
                sql.bind(id)
                    .push(" ORDER BY id LIMIT ")
                    .push(&batch.to_string());
                let ids: Vec<i64> = sql.load::<IntRow>(conn)?.into_iter().map(|r| r.v).collect();
                delete_reports(conn, &ids)
            })?;
            if deleted < batch {
                break;
            }
        }
        self.write(|conn| {
            let mut sql = Sql::with(conn, "SELECT id AS v FROM runs WHERE id = ");
            sql.bind(id);
            if sql.load::<IntRow>(conn)?.is_empty() {
                return Ok(false);
            }
            let mut sql = Sql::with(
                conn,
                "SELECT DISTINCT ai.analysis_info_id AS v FROM run_history_analysis_info ai \
                 JOIN run_histories h ON h.id = ai.run_history_id WHERE h.run_id = ",
            );
            sql.bind(id);
            let infos: Vec<i64> = sql.load::<IntRow>(conn)?.into_iter().map(|r| r.v).collect();
            delete_run(conn, id)?;
            // A store creates its own analysis info rows: once the run's
            // history and reports are gone, nothing refers to them.
            for chunk in infos.chunks(MAX_BINDS) {
                for table in [
                    "DELETE FROM analysis_info_files WHERE analysis_info_id IN ",
                    "DELETE FROM analysis_info WHERE id IN ",
                ] {
                    let mut sql = Sql::with(conn, table);
                    sql.bind_list(chunk.iter().copied());
                    sql.execute(conn)?;
                }
            }
            Ok(true)
        })
    }
}

#[derive(Debug, diesel::QueryableByName)]
struct RunName {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    id: i64,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

/// Deletes the reports `ids` with their path data and annotations, and the
/// comments of bug hashes no report has any more; returns how many reports
/// were deleted.
fn delete_reports(conn: &mut AnyConnection, ids: &[i64]) -> Result<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut deleted = 0;
    for chunk in ids.chunks(MAX_BINDS / 3) {
        let mut sql = Sql::with(
            conn,
            "SELECT DISTINCT bug_id AS v FROM reports WHERE id IN ",
        );
        sql.bind_list(chunk.iter().copied());
        let hashes: Vec<String> = sql
            .load::<TextRow>(conn)?
            .into_iter()
            .map(|r| r.v)
            .collect();
        for table in [
            "DELETE FROM report_annotations WHERE report_id IN ",
            "DELETE FROM report_path_data_files WHERE report_id IN ",
            "DELETE FROM report_path_data WHERE report_id IN ",
        ] {
            let mut sql = Sql::with(conn, table);
            sql.bind_list(chunk.iter().copied());
            sql.execute(conn)?;
        }
        let mut sql = Sql::with(conn, "DELETE FROM reports WHERE id IN ");
        sql.bind_list(chunk.iter().copied());
        deleted += sql.execute(conn)?;
        let mut sql = Sql::with(conn, "DELETE FROM comments WHERE bug_hash IN ");
        sql.bind_list(hashes.iter())
            .push(" AND NOT EXISTS (SELECT 1 FROM reports x WHERE x.bug_id = comments.bug_hash)");
        sql.execute(conn)?;
    }
    Ok(deleted)
}
