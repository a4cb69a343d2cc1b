//! The store writer: one transaction per store of a run.
//!
//! [`ProductDb::begin_store`] locks the run, opens the transaction and
//! writes the run, its history entry, analyzer statistics and analysis info.
//! The caller then pushes files and reports in batches; [`StoreWriter::finish`]
//! decides the detection status of the run's previous reports, applies
//! review rules and commits. Any error, cancellation or drop rolls back.
//! A store given a key commits a receipt with its data, and a later attempt
//! with that key is refused with its outcome (`receipt`): applied once.

mod files;
mod finish;
mod old;
mod reports;
mod run;

pub(crate) use run::delete_run;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use dbkit::AnyConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::Connection;
use tracing::{debug, info, warn};

use crate::db::{Conn, ProductDb};
use crate::error::{Error, Result};
use crate::lock;
use crate::model::{
    RunLockToken, StoreFile, StoreHooks, StoreOutcome, StoreProgress, StoreReport, StoreRun,
};
use crate::receipt;
use crate::time::{now, to_micros};

use old::OldReports;

type TxnManager = <AnyConnection as Connection>::TransactionManager;

/// Everything the store has learned so far; lives as long as the
/// transaction.
pub(crate) struct State {
    /// The store's input.
    run: StoreRun,
    /// The run's id (new when the run was created or forced).
    run_id: i64,
    /// The new history entry.
    history_id: i64,
    /// The store's instant.
    time: DateTime<Utc>,
    /// [`State::time`] in storage form.
    time_us: i64,
    /// The run existed before this store.
    updated_existing: bool,
    /// Per [`StoreRun::analyses`] entry: the analysis info reports link to.
    analysis_ids: Vec<Option<i64>>,
    /// (analyzer, checker) → checker id.
    checkers: HashMap<(String, String), i64>,
    /// Trimmed path → file id, for files whose content is stored.
    files: HashMap<String, i64>,
    /// The run's reports before this store.
    old: OldReports,
    /// Bug hashes stored by this store.
    new_hashes: HashSet<String>,
    /// Path hashes stored by this store (de-duplication).
    path_hashes: HashSet<String>,
    /// Checker names of every pushed report with resolvable files.
    report_checkers: HashSet<String>,
    /// First id of this store's reports.
    first_new_id: Option<i64>,
    /// Next report id (SQLite; PostgreSQL draws from the sequence).
    next_report_id: i64,
    /// Counters.
    progress: StoreProgress,
    duplicates: u64,
    missing_file: u64,
}

/// An open store of one run. Push [`StoreFile`]s before the reports naming
/// them, then [`StoreWriter::finish`]. Dropping the writer without finishing
/// rolls the store back and releases the run lock.
pub struct StoreWriter {
    db: ProductDb,
    conn: Option<Conn>,
    lock: Option<RunLockToken>,
    hooks: StoreHooks,
    state: Option<State>,
    failed: Option<String>,
}

impl std::fmt::Debug for StoreWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreWriter")
            .field("run", &self.state.as_ref().map(|s| s.run.run_name.as_str()))
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl ProductDb {
    /// Starts the store of `run`: takes (or confirms) the run lock, opens
    /// the transaction, and writes the run, history entry, statistics and
    /// analysis info. With `force`, the run's previous results are deleted.
    pub fn begin_store(&self, run: StoreRun, hooks: StoreHooks) -> Result<StoreWriter> {
        if run.run_name.trim().is_empty() {
            return Err(Error::InvalidInput("the run name is empty".into()));
        }
        let lock = match &run.run_lock {
            Some(l) if l.run_name == run.run_name => l.clone(),
            Some(l) => {
                return Err(Error::InvalidInput(format!(
                    "the given lock is for run '{}', not '{}'",
                    l.run_name, run.run_name
                )))
            }
            None => self.acquire_run_lock_waiting(
                &run.run_name,
                &run.user,
                run.store_key.as_deref(),
                run.lock_wait,
            )?,
        };
        let mut writer = StoreWriter {
            db: self.clone(),
            conn: None,
            lock: Some(lock.clone()),
            hooks,
            state: None,
            failed: None,
        };
        let mut conn = self.conn()?;
        begin(&mut conn)?;
        writer.conn = Some(conn);
        writer.check_cancel()?;
        let conn = writer.conn_mut()?;
        let confirmed = lock::confirm_in_txn(conn, &lock);
        // Asked inside the transaction, under the run lock: an attempt with
        // the same key that committed, even while this one waited for the
        // lock, has left its receipt (and may have released the lock the
        // two shared: hence also when the lock is gone, but not after a
        // database error, which on PostgreSQL leaves the transaction
        // unusable).
        if let (Some(key), Ok(()) | Err(Error::InvalidInput(_))) = (&run.store_key, &confirmed) {
            receipt::refuse_if_stored(conn, key)?;
        }
        confirmed?;
        let state = run::prepare(conn, run)?;
        info!(
            run = %state.run.run_name,
            run_id = state.run_id,
            previous_reports = state.old.len(),
            "store begun"
        );
        writer.state = Some(state);
        Ok(writer)
    }
}

impl StoreWriter {
    /// Stores a batch of source files (content de-duplicated by hash).
    pub fn add_files(&mut self, files: Vec<StoreFile>) -> Result<()> {
        self.step(|conn, st| files::add(conn, st, files))
    }

    /// Stores a batch of reports. Fails (and dooms the store) when the
    /// product's report limit is exceeded.
    pub fn add_reports(&mut self, reports: Vec<StoreReport>) -> Result<()> {
        let batch = self.db.opts().batch_size.max(1);
        self.step(|conn, st| reports::add(conn, st, reports, batch))
    }

    /// Records the checker of a report the caller skipped (`skip_file`):
    /// CodeChecker still counts it as enabled for the off/unavailable
    /// decision.
    pub fn note_skipped_report(&mut self, checker: &str) {
        if let Some(st) = &mut self.state {
            st.report_checkers.insert(checker.to_owned());
            st.progress.reports_seen += 1;
        }
    }

    /// Progress so far.
    pub fn progress(&self) -> StoreProgress {
        self.state.as_ref().map(|s| s.progress).unwrap_or_default()
    }

    /// Decides the detection status of the run's previous reports, applies
    /// review rules, finishes the run and commits.
    pub fn finish(mut self) -> Result<StoreOutcome> {
        self.usable()?;
        self.check_cancel()?;
        let lock = self.lock.clone();
        let mut conn = self
            .conn
            .take()
            .ok_or_else(|| Error::InvalidInput("no transaction".into()))?;
        let Some(mut st) = self.state.take() else {
            self.conn = Some(conn);
            return Err(Error::InvalidInput("the store was not begun".into()));
        };
        let outcome = StoreOutcome {
            run_id: st.run_id,
            run_history_id: st.history_id,
            updated_existing_run: st.updated_existing,
            reports_seen: st.progress.reports_seen,
            reports_stored: st.progress.reports_stored,
            duplicates_skipped: st.duplicates,
            missing_file_skipped: st.missing_file,
            stored_at: st.time,
            from_receipt: false,
        };
        let finished = finish::run(&mut conn, &mut st)
            .and_then(|()| match &st.run.store_key {
                Some(key) => receipt::write_in_txn(&mut conn, key, &outcome),
                None => Ok(()),
            })
            .and_then(|()| match &lock {
                Some(l) => lock::release_in_txn(&mut conn, l),
                None => Ok(()),
            })
            .and_then(|()| crate::db::raise_facts_generation(&mut conn));
        if let Err(e) = finished {
            self.conn = Some(conn);
            self.failed = Some(e.to_string());
            return Err(e);
        }
        if let Err(e) = TxnManager::commit_transaction(&mut conn) {
            let _ = TxnManager::rollback_transaction(&mut conn);
            give_back_wal_space(&mut conn);
            self.failed = Some(e.to_string());
            return Err(e.into());
        }
        // Committed together with the data: nothing left to release.
        self.lock = None;
        refresh_statistics(&mut conn, st.progress.reports_stored);
        info!(
            run = %st.run.run_name,
            run_id = st.run_id,
            stored = st.progress.reports_stored,
            duplicates = st.duplicates,
            missing_file = st.missing_file,
            "store committed"
        );
        Ok(outcome)
    }

    /// Rolls the store back explicitly (dropping does the same).
    pub fn abort(self) {}

    fn usable(&self) -> Result<()> {
        match &self.failed {
            Some(why) => Err(Error::InvalidInput(format!(
                "the store already failed and was rolled back: {why}"
            ))),
            None => Ok(()),
        }
    }

    fn conn_mut(&mut self) -> Result<&mut AnyConnection> {
        self.conn
            .as_deref_mut()
            .ok_or_else(|| Error::InvalidInput("no transaction".into()))
    }

    fn check_cancel(&mut self) -> Result<()> {
        if let Some(f) = &mut self.hooks.should_cancel {
            if f() {
                self.failed = Some("cancelled".into());
                return Err(Error::Cancelled);
            }
        }
        Ok(())
    }

    /// Runs one batch; any failure dooms the store.
    fn step(&mut self, f: impl FnOnce(&mut AnyConnection, &mut State) -> Result<()>) -> Result<()> {
        self.usable()?;
        self.check_cancel()?;
        let (Some(conn), Some(st)) = (self.conn.as_deref_mut(), self.state.as_mut()) else {
            return Err(Error::InvalidInput("the store was not begun".into()));
        };
        match f(conn, st) {
            Ok(()) => {
                let p = st.progress;
                if let Some(cb) = &mut self.hooks.progress {
                    cb(p);
                }
                Ok(())
            }
            Err(e) => {
                debug!(error = %e, "store step failed");
                self.failed = Some(e.to_string());
                Err(e)
            }
        }
    }
}

impl Drop for StoreWriter {
    fn drop(&mut self) {
        if let Some(mut conn) = self.conn.take() {
            if let Err(e) = TxnManager::rollback_transaction(&mut conn) {
                warn!(error = %e, "rolling back a store failed");
            }
            give_back_wal_space(&mut conn);
        }
        if let Some(lock) = self.lock.take() {
            if let Err(e) = self.db.release_run_lock(&lock) {
                warn!(run = %lock.run_name, error = %e, "releasing a run lock failed; it will expire");
            }
        }
    }
}

/// After a store was rolled back on SQLite: the pages it had written stay
/// in the WAL file, which does not shrink by itself. When the store failed
/// because the disk is full, that space is what the server needs to record
/// the failure (the configuration database is usually on the same disk), so
/// the WAL is checkpointed and truncated. A failure here costs only space.
fn give_back_wal_space(conn: &mut AnyConnection) {
    if let AnyConnection::Sqlite(c) = conn {
        if let Err(e) = diesel::connection::SimpleConnection::batch_execute(
            c,
            "PRAGMA wal_checkpoint(TRUNCATE)",
        ) {
            debug!(error = %e, "cannot truncate the WAL after a rolled back store");
        }
    }
}

/// Page cache of a storing SQLite connection (KiB when negative).
const STORE_CACHE_PRAGMA: &str = "PRAGMA cache_size = -65536";

/// Opens the store's transaction: `BEGIN IMMEDIATE` on SQLite (take the
/// write lock up front), a plain `READ COMMITTED` one on PostgreSQL.
fn begin(conn: &mut AnyConnection) -> Result<()> {
    if let AnyConnection::Sqlite(c) = conn {
        // A store writes far more pages than the default 2 MiB cache holds;
        // spilling them mid-transaction costs extra WAL writes.
        diesel::connection::SimpleConnection::batch_execute(c, STORE_CACHE_PRAGMA)?;
    }
    let begun = match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgresql(c) => {
            <AnsiTransactionManager as TransactionManager<_>>::begin_transaction(c)
        }
    };
    Ok(begun?)
}

/// Storage form of the store's instant.
pub(crate) fn store_time() -> (DateTime<Utc>, i64) {
    let t = now();
    (t, to_micros(t))
}

/// Stores of at least this many reports refresh PostgreSQL's statistics.
const ANALYZE_AFTER_REPORTS: u64 = 1_000;

/// PostgreSQL plans from table statistics, which a large store leaves stale
/// until autovacuum comes by (comparisons of a fresh run then take seconds
/// instead of a tenth of one): refresh those of `reports` after a large
/// store. SQLite needs nothing. A failure only costs speed, so it is logged.
fn refresh_statistics(conn: &mut AnyConnection, stored: u64) {
    if !crate::sql::is_pg(conn) || stored < ANALYZE_AFTER_REPORTS {
        return;
    }
    if let Err(e) = crate::sql::Sql::with(conn, "ANALYZE reports").execute(conn) {
        warn!(error = %e, "could not refresh the statistics of the reports table");
    }
}
