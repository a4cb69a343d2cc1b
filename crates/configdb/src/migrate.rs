//! The configuration database's embedded schema migrations (both dialects),
//! applied at open through the shared runner (`dbkit::Migrations`).

use diesel_migrations::embed_migrations;

use crate::connection::AnyConnection;
use crate::error::Result;

/// The configuration schema.
const MIGRATIONS: dbkit::Migrations = dbkit::Migrations {
    sqlite: embed_migrations!("migrations/sqlite"),
    postgres: embed_migrations!("migrations/postgres"),
    lock_key: 0x00C0_DEC4_EC4E_2001,
};

/// Applies pending migrations (several processes may call this at once).
pub(crate) fn run_pending(conn: &mut AnyConnection) -> Result<()> {
    Ok(MIGRATIONS.run_pending(conn)?)
}
