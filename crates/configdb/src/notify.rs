//! Cross-process notification of task events, without polling.
//!
//! Writers publish an event when a task reaches a terminal status or enters the
//! queue ([`crate::ConfigDb`] does this itself; see `events`). Each process that
//! needs to wait opens one [`Notifier`] (`ConfigDb::subscribe`), which owns a
//! listener thread:
//! * PostgreSQL: a dedicated connection `LISTEN`ing on one channel; `NOTIFY`
//!   is issued inside the writing transaction, so it arrives after the commit,
//!   on every server of the cluster.
//! * SQLite: a Unix datagram socket in `<workspace>/run/notify/`; writers send
//!   each event to every socket there after committing.
//!
//! Waiting never relies on a notification alone: [`Notifier::wait_terminal`]
//! registers interest, reads the database, sleeps until an event for the token
//! (or the deadline), and reads again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::db::ConfigDb;
use crate::error::{Error, Result};
use crate::events::hub::Hub;
use crate::events::{pg, unix, Event, Publisher};
use crate::tasks::TaskRecord;

impl ConfigDb {
    /// Opens a subscription to task events for waiting; see [`Notifier`].
    /// One per process is enough; it can be shared between threads.
    pub fn subscribe(&self) -> Result<Notifier> {
        Notifier::start(self.clone())
    }
}

/// The running transport; held only so that dropping the notifier stops it.
#[allow(dead_code)]
enum Listener {
    Unix(unix::UnixListener),
    Postgres(pg::PgListener),
}

/// A process's subscription to task events; share it between threads.
pub struct Notifier {
    db: ConfigDb,
    hub: Arc<Hub>,
    _listener: Listener,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

impl Notifier {
    /// Starts listening; events published after this returns are seen.
    pub(crate) fn start(db: ConfigDb) -> Result<Self> {
        let hub = Arc::new(Hub::default());
        let listener = match (db.publisher(), db.target()) {
            (Publisher::Unix(p), _) => {
                Listener::Unix(unix::UnixListener::start(p.dir(), Arc::clone(&hub))?)
            }
            (Publisher::Postgres, crate::connection::Target::Postgres(url)) => {
                Listener::Postgres(pg::PgListener::start(url, Arc::clone(&hub))?)
            }
            (Publisher::Postgres, crate::connection::Target::Sqlite(_)) => {
                return Err(Error::Listener("backend and publisher disagree".into()))
            }
        };
        Ok(Self {
            db,
            hub,
            _listener: listener,
        })
    }

    /// Waits until task `token` is in a terminal status or `timeout` passes;
    /// returns the task as last read (check `status.is_terminal()` to tell
    /// a timeout). [`Error::NotFound`] for an unknown token.
    pub fn wait_terminal(&self, token: &str, timeout: Duration) -> Result<TaskRecord> {
        let deadline = Instant::now().checked_add(timeout);
        let watch = self.hub.watch(token);
        let mut seen = watch.signal().generation();
        loop {
            let task = self
                .db
                .get_task(token)?
                .ok_or_else(|| Error::task_not_found(token))?;
            let left = deadline.map_or(Duration::MAX, |d| {
                d.saturating_duration_since(Instant::now())
            });
            if task.status.is_terminal() || left.is_zero() {
                return Ok(task);
            }
            seen = watch.signal().wait_past(seen, left);
        }
    }

    /// Counter of "a task was enqueued" events seen by this process. Read it
    /// before looking for work, then pass it to [`Notifier::wait_enqueued`].
    pub fn enqueued_generation(&self) -> u64 {
        self.hub.enqueued().generation()
    }

    /// Blocks until an enqueue event newer than `seen` arrives or `timeout`
    /// passes; returns the counter's value then.
    pub fn wait_enqueued(&self, seen: u64, timeout: Duration) -> u64 {
        self.hub.enqueued().wait_past(seen, timeout)
    }

    /// Announces that task `token` finished, for writers that changed it by
    /// other means. [`ConfigDb`] methods already publish on their own.
    pub fn publish(&self, token: &str) -> Result<()> {
        let ev = Event::Terminal(token.to_owned());
        match self.db.publisher() {
            Publisher::Unix(p) => {
                p.send(std::slice::from_ref(&ev));
                Ok(())
            }
            Publisher::Postgres => {
                let mut conn = self.db.conn()?;
                match &mut *conn {
                    crate::connection::AnyConnection::Postgresql(pg) => pg::notify(pg, &ev),
                    crate::connection::AnyConnection::Sqlite(_) => Ok(()),
                }
            }
        }
    }
}
