//! Embedded schema migrations, applied at open under a cross-process lock.

use diesel::connection::{AnsiTransactionManager, SimpleConnection};
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::connection::AnyConnection;
use crate::error::{Error, Result};

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/config/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/config/postgres");

/// Arbitrary key of the PostgreSQL advisory lock serialising migrations.
const PG_MIGRATION_LOCK: i64 = 0x00C0_DEC4_EC4E_2001;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies pending migrations. Several processes may call this at once: SQLite
/// runs everything in one `BEGIN IMMEDIATE` transaction (the others wait on
/// the busy timeout, then find nothing to do); PostgreSQL takes a transaction
/// scoped advisory lock first.
pub(crate) fn run_pending(conn: &mut AnyConnection) -> Result<()> {
    let outcome: std::result::Result<(), BoxError> = match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
                .map_err(BoxError::from)
                .and_then(|()| finish(c, |c| c.run_pending_migrations(SQLITE).map(drop)))
        }
        AnyConnection::Postgresql(c) => c.transaction(|c| {
            c.batch_execute(&format!(
                "SELECT pg_advisory_xact_lock({PG_MIGRATION_LOCK})"
            ))?;
            c.run_pending_migrations(POSTGRES).map(drop)
        }),
    };
    outcome.map_err(|e| Error::Migration(e.to_string()))
}

/// Runs `f` in the already begun SQLite transaction and commits or rolls back.
fn finish<F>(c: &mut diesel::SqliteConnection, f: F) -> std::result::Result<(), BoxError>
where
    F: FnOnce(&mut diesel::SqliteConnection) -> std::result::Result<(), BoxError>,
{
    use diesel::connection::TransactionManager;
    match f(c) {
        Ok(()) => AnsiTransactionManager::commit_transaction(c).map_err(BoxError::from),
        Err(e) => {
            let _ = AnsiTransactionManager::rollback_transaction(c);
            Err(e)
        }
    }
}
