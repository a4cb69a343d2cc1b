//! Scratch PostgreSQL databases, one per test or shared server.
//! When PostgreSQL is unreachable such a test is skipped (with a printed
//! line), or fails when `CI=true`.

use diesel::{Connection, PgConnection, RunQueryDsl};

/// Server URL (without database) of the test PostgreSQL: `CC_TEST_PG`, by
/// default the machine's own (`postgres://postgres@127.0.0.1:5432`).
pub fn pg_base() -> String {
    std::env::var("CC_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A database created for one test and dropped afterwards.
pub struct PgDatabase {
    /// The database name.
    pub name: String,
    /// Its URL, for `--config-db`.
    pub url: String,
}

impl PgDatabase {
    /// Creates a fresh database, or `None` (after saying so) when PostgreSQL
    /// is unreachable and `CI` is not `true`.
    pub fn create(what: &str) -> Option<Self> {
        let admin = format!("{}/postgres", pg_base());
        let mut conn = match PgConnection::establish(&admin) {
            Ok(conn) => conn,
            Err(err) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("PostgreSQL at {admin} is unreachable and CI=true: {err}");
                }
                println!("SKIPPING the PostgreSQL part of {what}: {admin} is unreachable ({err})");
                return None;
            }
        };
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "ccsrv_test_{}_{}_{nanos:x}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let url = format!("{}/{name}", pg_base());
        Some(Self { name, url })
    }

    /// Keeps the database until the test process exits (for shared servers;
    /// register it before the server that uses it, so it is dropped after).
    pub fn keep_until_exit(self) -> &'static PgDatabase {
        let name = self.name.clone();
        let db: &'static PgDatabase = Box::leak(Box::new(self));
        super::at_exit(move || drop_database(&name));
        db
    }
}

fn drop_database(name: &str) {
    let admin = format!("{}/postgres", pg_base());
    if let Ok(mut conn) = PgConnection::establish(&admin) {
        let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut conn);
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        drop_database(&self.name);
    }
}
