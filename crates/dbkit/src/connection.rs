//! The backend-neutral connection type, the classification of database URLs
//! and the pool's connection factory.

use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};

use crate::error::{Error, Result};

pub use multi::*;

/// The connection enum and what Diesel's `MultiConnection` derive generates
/// beside it (`MultiBackend` and its helpers, which carry no docs).
#[allow(missing_docs)]
mod multi {
    use diesel::{PgConnection, SqliteConnection};

    /// A connection to either backend; Diesel generates `MultiBackend` for it.
    #[derive(diesel::MultiConnection)]
    pub enum AnyConnection {
        /// PostgreSQL (cluster mode).
        Postgresql(PgConnection),
        /// SQLite (single host).
        Sqlite(SqliteConnection),
    }
}

/// Where the database lives, decided once from the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A libpq connection URL.
    Postgres(String),
}

impl Target {
    /// Classifies `url`: `postgres://`/`postgresql://` → PostgreSQL;
    /// `sqlite://<path>` or a bare path → SQLite. In-memory SQLite is refused
    /// because every pooled connection would see a different database.
    pub fn parse(url: &str) -> Result<Self> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Target::Postgres(url.to_owned()));
        }
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        if path.is_empty()
            || path == ":memory:"
            || path.contains("mode=memory")
            || path.contains("://")
        {
            return Err(Error::BadUrl(url.to_owned()));
        }
        Ok(Target::Sqlite(PathBuf::from(path)))
    }
}

/// Per-connection SQLite settings, applied right after opening.
const SQLITE_PRAGMAS: &str =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";

/// The `r2d2` connection factory: opens the right variant and, on SQLite, applies
/// busy timeout, WAL, `synchronous=NORMAL` and foreign keys to every connection.
#[derive(Debug)]
pub struct Manager {
    target: Target,
    busy_timeout: Duration,
}

impl Manager {
    /// A factory for `target`.
    pub fn new(target: Target, busy_timeout: Duration) -> Self {
        Self {
            target,
            busy_timeout,
        }
    }

    fn open_sqlite(&self, path: &Path) -> Result<AnyConnection, diesel::r2d2::Error> {
        let path_str = path.to_str().ok_or_else(|| {
            diesel::r2d2::Error::ConnectionError(diesel::ConnectionError::InvalidConnectionUrl(
                format!("non UTF-8 path {}", path.display()),
            ))
        })?;
        let mut conn =
            SqliteConnection::establish(path_str).map_err(diesel::r2d2::Error::ConnectionError)?;
        // The busy timeout goes first so that switching to WAL waits for locks.
        let busy = format!("PRAGMA busy_timeout = {};", self.busy_timeout.as_millis());
        conn.batch_execute(&busy)
            .and_then(|()| conn.batch_execute(SQLITE_PRAGMAS))
            .map_err(diesel::r2d2::Error::QueryError)?;
        Ok(AnyConnection::Sqlite(conn))
    }
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        match &self.target {
            Target::Sqlite(path) => self.open_sqlite(path),
            Target::Postgres(url) => PgConnection::establish(url)
                .map(AnyConnection::Postgresql)
                .map_err(diesel::r2d2::Error::ConnectionError),
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// How a pool reports a connection it could not open or had to throw away
/// (the database restarting, a network cut): one warning through `tracing`,
/// in place of `r2d2`'s ERROR through `log`. The request that needed the
/// connection fails with its own error, and the pool opens a fresh one for
/// the next, so this is worth a warning, not an error.
#[derive(Debug, Clone, Copy, Default)]
pub struct PoolErrors;

impl diesel::r2d2::HandleError<diesel::r2d2::Error> for PoolErrors {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        tracing::warn!(%error, "a database connection failed; the pool opens a new one when needed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_classified() {
        assert_eq!(
            Target::parse("sqlite:///tmp/x/config.sqlite").ok(),
            Some(Target::Sqlite("/tmp/x/config.sqlite".into()))
        );
        assert_eq!(
            Target::parse("/tmp/config.sqlite").ok(),
            Some(Target::Sqlite("/tmp/config.sqlite".into()))
        );
        assert!(matches!(
            Target::parse("postgresql://u@h/db"),
            Ok(Target::Postgres(_))
        ));
        assert!(Target::parse("sqlite://:memory:").is_err());
        assert!(Target::parse("mysql://x").is_err());
        assert!(Target::parse("").is_err());
    }
}
