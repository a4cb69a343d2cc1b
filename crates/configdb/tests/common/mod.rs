//! Shared harness: every test runs against SQLite (temporary directory) and,
//! when reachable, PostgreSQL (a uniquely named database dropped afterwards).
//! With `CI=true` an unreachable PostgreSQL fails the test instead of skipping.
#![allow(dead_code)]

pub use testkit::pg::PgDatabase;

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use configdb::{ConfigDb, ManualClock, OpenOptions};

/// A database under test; dropping it removes the database.
pub struct TestDb {
    /// The handle.
    pub db: ConfigDb,
    /// "sqlite" or "postgres".
    pub label: &'static str,
    /// URL to open more handles (other "processes").
    pub url: String,
    /// The clock injected into `db` (a manual one when requested).
    pub clock: Option<Arc<ManualClock>>,
    _guard: Guard,
}

enum Guard {
    Dir(tempfile::TempDir),
    Pg(PgDatabase),
}

/// A fixed starting instant for manual clocks: 2024-05-01 12:00:00 UTC.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

fn options(manual: bool, pool_size: u32) -> (OpenOptions, Option<Arc<ManualClock>>) {
    let mut opts = OpenOptions {
        pool_size,
        ..OpenOptions::default()
    };
    let clock = manual.then(|| Arc::new(ManualClock::new(t0())));
    if let Some(c) = &clock {
        opts.clock = c.clone();
    }
    (opts, clock)
}

/// An SQLite database in a fresh temporary directory.
pub fn sqlite(manual_clock: bool) -> TestDb {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("config.sqlite").display());
    let (opts, clock) = options(manual_clock, 8);
    let db = ConfigDb::open_with(&url, opts).expect("open sqlite");
    TestDb {
        db,
        label: "sqlite",
        url,
        clock,
        _guard: Guard::Dir(dir),
    }
}

/// A PostgreSQL database, if reachable.
pub fn postgres(manual_clock: bool) -> Option<TestDb> {
    let pg = PgDatabase::create(module_path!())?;
    let (opts, clock) = options(manual_clock, 8);
    let db = ConfigDb::open_with(&pg.url, opts).expect("open postgres");
    Some(TestDb {
        db,
        label: "postgres",
        url: pg.url.clone(),
        clock,
        _guard: Guard::Pg(pg),
    })
}

/// Both backends (PostgreSQL only when reachable).
pub fn backends(manual_clock: bool) -> Vec<TestDb> {
    let mut all = vec![sqlite(manual_clock)];
    all.extend(postgres(manual_clock));
    all
}

impl TestDb {
    /// The manual clock; panics if the database was opened without one.
    pub fn clock(&self) -> &ManualClock {
        self.clock.as_deref().expect("opened with a manual clock")
    }

    /// Another handle on the same database with its own pool (like another
    /// process would have), sharing the manual clock if any.
    pub fn reopen(&self, pool_size: u32) -> ConfigDb {
        let mut opts = OpenOptions {
            pool_size,
            ..OpenOptions::default()
        };
        if let Some(c) = &self.clock {
            opts.clock = c.clone();
        }
        ConfigDb::open_with(&self.url, opts).expect("reopen")
    }
}
