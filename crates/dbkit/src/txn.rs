//! Write transactions that behave the same on both backends.
//!
//! SQLite upgrades a deferred transaction's read lock lazily, and two such
//! upgrades deadlock with `SQLITE_BUSY` regardless of the busy timeout. Every
//! write transaction therefore starts with `BEGIN IMMEDIATE` there, which takes
//! the write lock up front and waits (busy timeout) instead. PostgreSQL uses an
//! ordinary `READ COMMITTED` transaction; row locks come from the statements.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::Connection;

use crate::connection::AnyConnection;
use crate::error::Error;

type Manager = <AnyConnection as Connection>::TransactionManager;

/// Runs `f` inside a write transaction; commits on `Ok`, rolls back on `Err`.
pub fn write_txn<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<Error>,
{
    let begun = match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgresql(c) => {
            <AnsiTransactionManager as TransactionManager<_>>::begin_transaction(c)
        }
    };
    begun.map_err(|e| E::from(Error::Query(e)))?;
    match f(conn) {
        Ok(value) => match Manager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                // A failed COMMIT may leave the transaction open; close it.
                let _ = Manager::rollback_transaction(conn);
                Err(E::from(Error::Query(e)))
            }
        },
        Err(e) => {
            let _ = Manager::rollback_transaction(conn);
            Err(e)
        }
    }
}
