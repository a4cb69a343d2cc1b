//! Injectable time source and the microsecond representation used in storage.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::Result;

/// Source of "now" for every timestamp the database writes.
pub trait Clock: Send + Sync + 'static {
    /// The current UTC instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug)]
pub struct ManualClock {
    micros: AtomicI64,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            micros: AtomicI64::new(start.timestamp_micros()),
        }
    }

    /// Moves the clock to `t`.
    pub fn set(&self, t: DateTime<Utc>) {
        self.micros.store(t.timestamp_micros(), Ordering::SeqCst);
    }

    /// Moves the clock forward by `d`.
    pub fn advance(&self, d: Duration) {
        self.micros.fetch_add(duration_micros(d), Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        let us = self.micros.load(Ordering::SeqCst);
        DateTime::from_timestamp_micros(us).unwrap_or_default()
    }
}

pub(crate) use dbkit::time::{duration_micros, to_micros};

/// Instant of a stored microsecond count.
pub(crate) fn from_micros(us: i64) -> Result<DateTime<Utc>> {
    Ok(dbkit::time::from_micros(us)?)
}

/// [`from_micros`] of an optional column.
pub(crate) fn opt_from_micros(us: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    Ok(dbkit::time::opt_from_micros(us)?)
}
