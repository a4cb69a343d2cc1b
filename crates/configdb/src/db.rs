//! The database handle: opening, pooling, clock and event publication.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};

use crate::clock::{Clock, SystemClock};
use crate::connection::{AnyConnection, Manager, Target};
use crate::error::{Error, Result};
use crate::events::{self, Event, Publisher};
use crate::migrate;
use dbkit::write_txn;

/// Which database engine a [`ConfigDb`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// Tuning knobs for [`ConfigDb::open_with`].
#[derive(Clone)]
pub struct OpenOptions {
    /// Maximum pooled connections of this handle.
    pub pool_size: u32,
    /// How long to wait for a pooled connection.
    pub connection_timeout: Duration,
    /// SQLite: how long a statement waits for a lock.
    pub busy_timeout: Duration,
    /// Source of every timestamp written.
    pub clock: Arc<dyn Clock>,
    /// SQLite: directory of the per-process notification sockets; defaults to
    /// `<directory of the database file>/run/notify`.
    pub notify_dir: Option<PathBuf>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            pool_size: 8,
            connection_timeout: Duration::from_secs(30),
            busy_timeout: Duration::from_secs(10),
            clock: Arc::new(SystemClock),
            notify_dir: None,
        }
    }
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("pool_size", &self.pool_size)
            .field("connection_timeout", &self.connection_timeout)
            .field("busy_timeout", &self.busy_timeout)
            .field("notify_dir", &self.notify_dir)
            .finish_non_exhaustive()
    }
}

/// Handle to the configuration database; clones share one pool.
#[derive(Clone)]
pub struct ConfigDb {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool<Manager>,
    target: Target,
    clock: Arc<dyn Clock>,
    publisher: Publisher,
}

impl std::fmt::Debug for ConfigDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigDb")
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

/// A pooled connection.
pub(crate) type Conn = PooledConnection<Manager>;

impl ConfigDb {
    /// Opens (creating and migrating as needed) the database at `url` with
    /// default options. See [`OpenOptions`].
    pub fn open(url: &str) -> Result<Self> {
        Self::open_with(url, OpenOptions::default())
    }

    /// Opens the database at `url`: `sqlite:///abs/path`, a plain path, or
    /// `postgres://…`. Pending migrations are applied before returning.
    pub fn open_with(url: &str, opts: OpenOptions) -> Result<Self> {
        let target = Target::parse(url)?;
        let publisher = match &target {
            Target::Sqlite(path) => {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
                }
                let dir = match &opts.notify_dir {
                    Some(d) => d.clone(),
                    None => events::default_dir(path),
                };
                Publisher::unix(dir)?
            }
            Target::Postgres(_) => Publisher::Postgres,
        };
        let manager = Manager::new(target.clone(), opts.busy_timeout);
        // Connect once up front: a wrong URL fails now, with the real reason,
        // instead of after the pool's connection timeout.
        let mut first = manager.connect().map_err(|e| match e {
            diesel::r2d2::Error::ConnectionError(c) => Error::Connect(c),
            diesel::r2d2::Error::QueryError(q) => Error::Query(q),
        })?;
        migrate::run_pending(&mut first)?;
        drop(first);
        let pool = Pool::builder()
            .max_size(opts.pool_size.max(1))
            .min_idle(Some(1))
            .connection_timeout(opts.connection_timeout)
            // A PostgreSQL connection the server ended (a restart of the
            // database, an idle timeout) looks healthy to the pool until used:
            // a ping on checkout replaces it, so the process reconnects by
            // itself. A SQLite file has no such failure.
            .test_on_check_out(matches!(target, Target::Postgres(_)))
            .error_handler(Box::new(dbkit::connection::PoolErrors))
            .build(manager)?;
        Ok(ConfigDb {
            inner: Arc::new(Inner {
                pool,
                target,
                clock: opts.clock,
                publisher,
            }),
        })
    }

    /// The backend in use.
    pub fn backend(&self) -> BackendKind {
        match self.inner.target {
            Target::Sqlite(_) => BackendKind::Sqlite,
            Target::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// "Now" according to the injected clock, truncated to microseconds.
    pub fn now(&self) -> DateTime<Utc> {
        let t = self.inner.clock.now();
        DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
    }

    /// The parsed location of the database.
    pub(crate) fn target(&self) -> &Target {
        &self.inner.target
    }

    /// The event publisher of this handle.
    pub(crate) fn publisher(&self) -> &Publisher {
        &self.inner.publisher
    }

    /// A connection from the pool.
    pub(crate) fn conn(&self) -> Result<Conn> {
        Ok(self.inner.pool.get()?)
    }

    /// Runs `f` in a write transaction and publishes the events it collected:
    /// on PostgreSQL with `NOTIFY` inside the transaction (delivered on
    /// commit), on SQLite through the socket directory after the commit.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&mut AnyConnection, &mut Vec<Event>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.conn()?;
        let mut events = Vec::new();
        let value = write_txn(&mut conn, |c| {
            let value = f(c, &mut events)?;
            if let AnyConnection::Postgresql(pg) = c {
                for ev in &events {
                    events::pg::notify(pg, ev)?;
                }
            }
            Ok::<_, Error>(value)
        })?;
        if matches!(self.backend(), BackendKind::Sqlite) {
            self.inner.publisher.send_after_commit(&events);
        }
        Ok(value)
    }
}
