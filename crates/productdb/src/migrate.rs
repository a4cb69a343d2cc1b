//! Embedded schema migrations and the schema check behind [`crate::DbStatus`].

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::migration::MigrationSource;
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use configdb::AnyConnection;

use crate::error::{Error, Result};
use crate::model::DbStatus;
use crate::sql::{Sql, TextRow};

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/product/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/product/postgres");

/// Arbitrary key of the PostgreSQL advisory lock serialising migrations.
const PG_MIGRATION_LOCK: i64 = 0x00C0_DEC4_EC4E_2002;

/// Diesel's bookkeeping table.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies pending migrations, refusing a foreign schema. Several processes
/// may call this at once (SQLite: `BEGIN IMMEDIATE`; PostgreSQL: advisory
/// lock).
pub(crate) fn run_pending(conn: &mut AnyConnection) -> Result<()> {
    match schema_status(conn)? {
        DbStatus::SchemaMismatchNo => {
            return Err(Error::SchemaMismatch(
                "the database contains tables of another schema or a newer version".into(),
            ))
        }
        DbStatus::Ok => return Ok(()),
        _ => {}
    }
    let outcome: std::result::Result<(), BoxError> = match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
                .map_err(BoxError::from)
                .and_then(|()| match c.run_pending_migrations(SQLITE).map(drop) {
                    Ok(()) => AnsiTransactionManager::commit_transaction(c).map_err(BoxError::from),
                    Err(e) => {
                        let _ = AnsiTransactionManager::rollback_transaction(c);
                        Err(e)
                    }
                })
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

/// Classifies the schema of a reachable database.
pub(crate) fn schema_status(conn: &mut AnyConnection) -> Result<DbStatus> {
    let tables = table_names(conn)?;
    if !tables.iter().any(|t| t == MIGRATIONS_TABLE) {
        return Ok(if tables.is_empty() {
            DbStatus::SchemaMissing
        } else {
            DbStatus::SchemaMismatchNo
        });
    }
    let (applied, known) = match conn {
        AnyConnection::Sqlite(c) => versions(c, SQLITE)?,
        AnyConnection::Postgresql(c) => versions(c, POSTGRES)?,
    };
    if applied.iter().any(|a| !known.contains(a)) {
        return Ok(DbStatus::SchemaMismatchNo);
    }
    if known.iter().any(|k| !applied.contains(k)) {
        return Ok(DbStatus::SchemaMismatchOk);
    }
    Ok(DbStatus::Ok)
}

fn versions<C, DB>(c: &mut C, source: EmbeddedMigrations) -> Result<(Vec<String>, Vec<String>)>
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let applied = c
        .applied_migrations()
        .map_err(|e| Error::Migration(e.to_string()))?
        .into_iter()
        .map(|v| v.to_string())
        .collect();
    let known = MigrationSource::<DB>::migrations(&source)
        .map_err(|e| Error::Migration(e.to_string()))?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    Ok((applied, known))
}

fn table_names(conn: &mut AnyConnection) -> Result<Vec<String>> {
    let text = match conn {
        AnyConnection::Sqlite(_) => {
            "SELECT name AS v FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        AnyConnection::Postgresql(_) => {
            "SELECT CAST(table_name AS TEXT) AS v FROM information_schema.tables \
             WHERE table_schema = current_schema()"
        }
    };
    Ok(Sql::with(conn, text)
        .load::<TextRow>(conn)?
        .into_iter()
        .map(|r| r.v)
        .collect())
}
