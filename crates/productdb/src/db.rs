//! The database handle: opening, pooling and the schema status.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use dbkit::{AnyConnection, Manager, Target};
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};

use crate::error::{Error, Result};
use crate::migrate;
use crate::model::DbStatus;
use crate::read::facts::FactsCache;

/// CodeChecker's run lock expiry: a lock older than this is stale.
pub const RUN_LOCK_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Which database engine a [`ProductDb`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// Tuning knobs for [`ProductDb::open_with`].
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Maximum pooled connections of this handle.
    pub pool_size: u32,
    /// How long to wait for a pooled connection.
    pub connection_timeout: Duration,
    /// SQLite: how long a statement waits for another writer (a store holds
    /// the write lock for its whole duration).
    pub busy_timeout: Duration,
    /// Age after which a run lock is stale and may be taken over.
    pub run_lock_timeout: Duration,
    /// Reports per multi-row insert statement.
    pub batch_size: usize,
    /// Reports deleted per transaction when runs or reports are removed.
    pub remove_batch: usize,
    /// SQLite: keep the report facts of the runs asked about in memory and
    /// answer counts and pages from them (`read::facts`); off, every
    /// question is one SQL statement.
    pub facts_cache: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            pool_size: 4,
            connection_timeout: Duration::from_secs(30),
            busy_timeout: Duration::from_secs(120),
            run_lock_timeout: RUN_LOCK_TIMEOUT,
            batch_size: 1000,
            remove_batch: 2000,
            facts_cache: true,
        }
    }
}

/// Handle to one product's results database; clones share one pool.
#[derive(Clone)]
pub struct ProductDb {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool<Manager>,
    target: Target,
    opts: OpenOptions,
    /// Report facts kept in memory (SQLite only; see `read::facts`).
    facts: Option<FactsCache>,
}

impl std::fmt::Debug for ProductDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProductDb")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

/// A pooled connection.
pub(crate) type Conn = PooledConnection<Manager>;

impl ProductDb {
    /// Opens (creating and migrating as needed) the database at `url`:
    /// `sqlite:///abs/path`, a plain path, or `postgres://…`. A database of
    /// a foreign schema is refused with [`Error::SchemaMismatch`].
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, OpenOptions::default())
    }

    /// [`ProductDb::open`] with explicit options.
    pub fn open_with(url: &str, opts: OpenOptions) -> Result<Self> {
        let target = Target::parse(url)?;
        if let Target::Sqlite(path) = &target {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                    context: format!("creating {}", parent.display()),
                    source,
                })?;
            }
        }
        let manager = Manager::new(target.clone(), opts.busy_timeout);
        // Two processes opening a new SQLite file at once can meet where
        // SQLite reports "locked" without waiting (switching it to WAL while
        // the other migrates): such an open is tried again, within the busy
        // timeout.
        let started = std::time::Instant::now();
        loop {
            let opened = manager
                .connect()
                .map_err(Error::from)
                .and_then(|mut first| migrate::run_pending(&mut first));
            match opened {
                Ok(()) => break,
                Err(Error::Query(e))
                    if dbkit::classify::is_busy(&e) && started.elapsed() < opts.busy_timeout =>
                {
                    tracing::debug!(error = %e, "product database busy while opening; trying again");
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(err) => return Err(err),
            }
        }
        let pool = Pool::builder()
            .max_size(opts.pool_size.max(1))
            .min_idle(Some(0))
            .connection_timeout(opts.connection_timeout)
            // A PostgreSQL connection the server ended (a restart of the
            // database, an idle timeout) looks healthy to the pool until used:
            // a ping on checkout replaces it, so the process reconnects by
            // itself. A SQLite file has no such failure.
            .test_on_check_out(matches!(target, Target::Postgres(_)))
            .error_handler(Box::new(dbkit::connection::PoolErrors))
            .build(manager)?;
        let facts = if opts.facts_cache {
            FactsCache::open(
                &Manager::new(target.clone(), opts.busy_timeout),
                matches!(target, Target::Sqlite(_)),
            )
        } else {
            None
        };
        Ok(ProductDb {
            inner: Arc::new(Inner {
                pool,
                target,
                opts,
                facts,
            }),
        })
    }

    /// CodeChecker's status of the database at `url`, without creating or
    /// changing anything.
    pub fn probe(url: &str) -> DbStatus {
        let Ok(target) = Target::parse(url) else {
            return DbStatus::FailedToConnect;
        };
        if let Target::Sqlite(path) = &target {
            if !Path::new(path).is_file() {
                return DbStatus::Missing;
            }
        }
        let manager = Manager::new(target, Duration::from_secs(5));
        match manager.connect() {
            Ok(mut conn) => migrate::schema_status(&mut conn).unwrap_or(DbStatus::FailedToConnect),
            Err(diesel::r2d2::Error::ConnectionError(e))
                if dbkit::classify::is_missing_database(&e) =>
            {
                DbStatus::Missing
            }
            Err(_) => DbStatus::FailedToConnect,
        }
    }

    /// The status of this open database (it may have become unreachable).
    pub fn status(&self) -> DbStatus {
        match self.conn() {
            Ok(mut c) => migrate::schema_status(&mut c).unwrap_or(DbStatus::FailedToConnect),
            Err(_) => DbStatus::FailedToConnect,
        }
    }

    /// The backend in use.
    pub fn backend(&self) -> BackendKind {
        match self.inner.target {
            Target::Sqlite(_) => BackendKind::Sqlite,
            Target::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// The options the handle was opened with.
    pub(crate) fn opts(&self) -> &OpenOptions {
        &self.inner.opts
    }

    /// The in-memory report facts, when this database keeps them.
    pub(crate) fn facts(&self) -> Option<&FactsCache> {
        self.inner.facts.as_ref()
    }

    /// A connection from the pool.
    pub(crate) fn conn(&self) -> Result<Conn> {
        Ok(self.inner.pool.get()?)
    }

    /// Runs `f` in a short write transaction, which then raises the
    /// facts generation (see [`raise_facts_generation`]).
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut AnyConnection) -> Result<T>) -> Result<T> {
        let mut conn = self.conn()?;
        dbkit::write_txn(&mut conn, |c| {
            let out = f(c)?;
            raise_facts_generation(c)?;
            Ok(out)
        })
    }
}

/// Raises the `facts_generation` counter: the last statement of every
/// write transaction, so that the in-memory report facts of every process
/// and server learn that the database changed when it commits
/// (`read::facts`). Being last, it holds the counter's row lock only for
/// the commit.
/// SQLite needs no counter (its `data_version` moves by itself), so there
/// this writes nothing.
pub(crate) fn raise_facts_generation(conn: &mut AnyConnection) -> Result<()> {
    if !crate::sql::is_pg(conn) {
        return Ok(());
    }
    crate::sql::Sql::with(conn, "UPDATE facts_generation SET n = n + 1 WHERE id = 1")
        .execute(conn)?;
    Ok(())
}
