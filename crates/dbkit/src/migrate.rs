//! Embedded schema migrations, applied at open by however many processes open
//! the database at once, and the state of a schema against them.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::migration::{Migration, MigrationSource};
use diesel::Connection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness};

use crate::connection::AnyConnection;
use crate::error::{Error, Result};
use crate::schema;

/// Diesel's bookkeeping table.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// One database's migrations in both dialects.
pub struct Migrations {
    /// The SQLite dialect (`embed_migrations!`).
    pub sqlite: EmbeddedMigrations,
    /// The PostgreSQL dialect.
    pub postgres: EmbeddedMigrations,
    /// Key of the PostgreSQL advisory lock that serialises migrating
    /// processes; distinct per database kind.
    pub lock_key: i64,
}

/// How a database's schema compares with the migrations this build knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaState {
    /// No tables at all: a new database.
    Missing,
    /// Tables of another schema, or migrations newer than this build.
    Foreign,
    /// Some of this build's migrations are not applied yet.
    Behind,
    /// Every migration is applied, none unknown.
    Current,
}

impl Migrations {
    /// Applies pending migrations. Several processes may call this at once:
    /// SQLite runs all of them in one `BEGIN IMMEDIATE` transaction (the others
    /// wait on the busy timeout, then find nothing to do); PostgreSQL takes a
    /// transaction-scoped advisory lock first.
    pub fn run_pending(&self, conn: &mut AnyConnection) -> Result<()> {
        let outcome: std::result::Result<(), BoxError> = match conn {
            AnyConnection::Sqlite(c) => {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
                    .map_err(BoxError::from)
                    .and_then(|()| {
                        match c.run_pending_migrations(Borrowed(&self.sqlite)).map(drop) {
                            Ok(()) => AnsiTransactionManager::commit_transaction(c)
                                .map_err(BoxError::from),
                            Err(e) => {
                                let _ = AnsiTransactionManager::rollback_transaction(c);
                                Err(e)
                            }
                        }
                    })
            }
            AnyConnection::Postgresql(c) => c.transaction(|c| {
                c.batch_execute(&format!("SELECT pg_advisory_xact_lock({})", self.lock_key))?;
                c.run_pending_migrations(Borrowed(&self.postgres)).map(drop)
            }),
        };
        outcome.map_err(|e| Error::Migration(e.to_string()))
    }

    /// Compares the database's schema with these migrations.
    pub fn state(&self, conn: &mut AnyConnection) -> Result<SchemaState> {
        let tables = schema::table_names(conn)?;
        if !tables.iter().any(|t| t == MIGRATIONS_TABLE) {
            return Ok(if tables.is_empty() {
                SchemaState::Missing
            } else {
                SchemaState::Foreign
            });
        }
        let (applied, known) = match conn {
            AnyConnection::Sqlite(c) => versions(c, &self.sqlite)?,
            AnyConnection::Postgresql(c) => versions(c, &self.postgres)?,
        };
        if applied.iter().any(|a| !known.contains(a)) {
            return Ok(SchemaState::Foreign);
        }
        if known.iter().any(|k| !applied.contains(k)) {
            return Ok(SchemaState::Behind);
        }
        Ok(SchemaState::Current)
    }
}

/// The applied and the known migration versions.
fn versions<C, DB>(c: &mut C, source: &EmbeddedMigrations) -> Result<(Vec<String>, Vec<String>)>
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
    let known = MigrationSource::<DB>::migrations(source)
        .map_err(|e| Error::Migration(e.to_string()))?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    Ok((applied, known))
}

/// A migration source by reference (Diesel's runner takes its source by
/// value, and embedded migrations are neither `Copy` nor `Clone`).
struct Borrowed<'a>(&'a EmbeddedMigrations);

impl<DB: diesel::backend::Backend> MigrationSource<DB> for Borrowed<'_>
where
    EmbeddedMigrations: MigrationSource<DB>,
{
    fn migrations(&self) -> diesel::migration::Result<Vec<Box<dyn Migration<DB>>>> {
        MigrationSource::<DB>::migrations(self.0)
    }
}
