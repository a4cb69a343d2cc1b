//! The product database's embedded schema migrations (both dialects), applied
//! through the shared runner (`dbkit::Migrations`), and the schema check
//! behind [`crate::DbStatus`].

use diesel_migrations::embed_migrations;

use dbkit::{AnyConnection, SchemaState};

use crate::error::{Error, Result};
use crate::model::DbStatus;

/// The product schema.
const MIGRATIONS: dbkit::Migrations = dbkit::Migrations {
    sqlite: embed_migrations!("migrations/sqlite"),
    postgres: embed_migrations!("migrations/postgres"),
    lock_key: 0x00C0_DEC4_EC4E_2002,
};

/// Applies pending migrations, refusing a foreign schema. Several processes
/// may call this at once.
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
    Ok(MIGRATIONS.run_pending(conn)?)
}

/// Classifies the schema of a reachable database as CodeChecker does.
pub(crate) fn schema_status(conn: &mut AnyConnection) -> Result<DbStatus> {
    Ok(match MIGRATIONS.state(conn)? {
        SchemaState::Missing => DbStatus::SchemaMissing,
        SchemaState::Foreign => DbStatus::SchemaMismatchNo,
        SchemaState::Behind => DbStatus::SchemaMismatchOk,
        SchemaState::Current => DbStatus::Ok,
    })
}
