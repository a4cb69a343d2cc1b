//! What kind of failure a database error is. Diesel reports SQLite's
//! `SQLITE_BUSY` and PostgreSQL's `lock_not_available` or
//! `invalid_catalog_name` only as text, so the text is read here, once, for
//! both backends; callers ask a question instead of matching messages.

use diesel::result::{DatabaseErrorKind, Error as QueryError};
use diesel::ConnectionError;

/// The message of a database-reported error, if it is one.
fn database_message(e: &QueryError) -> Option<&str> {
    match e {
        QueryError::DatabaseError(_, info) => Some(info.message()),
        _ => None,
    }
}

/// SQLite gave up waiting for another connection's lock (after the busy
/// timeout): the statement may succeed if tried again later.
pub fn is_busy(e: &QueryError) -> bool {
    database_message(e).is_some_and(|m| {
        m.contains("database is locked") || m.contains("database table is locked") || m == "busy"
    })
}

/// PostgreSQL refused a `NOWAIT` lock (`lock_not_available`): another
/// transaction holds the row.
pub fn is_lock_not_available(e: &QueryError) -> bool {
    database_message(e).is_some_and(|m| m.contains("could not obtain lock"))
}

/// Another transaction is in the way, on either backend.
pub fn is_contention(e: &QueryError) -> bool {
    is_busy(e)
        || is_lock_not_available(e)
        || matches!(
            e,
            QueryError::DatabaseError(DatabaseErrorKind::SerializationFailure, _)
        )
}

/// The pool gave up opening a connection because SQLite stayed locked (a
/// new connection's set-up pragmas need the lock too).
pub fn is_pool_busy(e: &diesel::r2d2::PoolError) -> bool {
    // r2d2 keeps only the text of the last connection error.
    let text = e.to_string();
    text.contains("database is locked") || text.contains("busy")
}

/// The object to create exists already (`CREATE DATABASE` of an existing one).
pub fn is_duplicate_object(e: &QueryError) -> bool {
    database_message(e).is_some_and(|m| m.contains("already exists"))
}

/// The server is reachable but the database named in the URL does not exist
/// (PostgreSQL's `invalid_catalog_name`).
pub fn is_missing_database(e: &ConnectionError) -> bool {
    match e {
        ConnectionError::BadConnection(text) => {
            text.contains("database") && text.contains("does not exist")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::{Connection, SqliteConnection};

    #[test]
    fn a_locked_sqlite_database_is_busy() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("x.sqlite");
        let path = path.to_str().expect("a UTF-8 path");
        let mut holder = SqliteConnection::establish(path).expect("open");
        holder
            .batch_execute("CREATE TABLE t (x INTEGER); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")
            .expect("hold the write lock");
        let mut other = SqliteConnection::establish(path).expect("open again");
        other
            .batch_execute("PRAGMA busy_timeout = 0")
            .expect("no waiting");
        let err = other
            .batch_execute("INSERT INTO t VALUES (2)")
            .expect_err("the lock is held");
        assert!(is_busy(&err), "{err}");
        assert!(is_contention(&err));
        assert!(!is_duplicate_object(&err));
        let err = other
            .batch_execute("CREATE TABLE t (y INTEGER)")
            .expect_err("t exists");
        assert!(!is_busy(&err) || is_contention(&err));
    }

    #[test]
    fn other_errors_are_none_of_these() {
        assert!(!is_busy(&QueryError::NotFound));
        assert!(!is_lock_not_available(&QueryError::NotFound));
        assert!(!is_missing_database(
            &ConnectionError::InvalidConnectionUrl("x".into())
        ));
        assert!(is_missing_database(&ConnectionError::BadConnection(
            "FATAL:  database \"nope\" does not exist".into()
        )));
    }
}
