//! The open product databases of one process.
//!
//! Each product's database is opened (created and migrated when new) on first
//! use and kept for the life of the process. A database that cannot be
//! opened is remembered as failed, with CodeChecker's `DBStatus` for it, and
//! retried after [`RETRY_AFTER`]; a broken product never stops the server.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use productdb::{DbStatus, ProductDb};

use super::connection::ProductConnection;

/// How long a failed connection is remembered before it is tried again.
pub const RETRY_AFTER: Duration = Duration::from_secs(10);

/// Why a product's database is not usable.
#[derive(Debug, Clone, thiserror::Error)]
#[error("The database of product '{endpoint}' is not available ({}): {message}", status_text(*status))]
pub struct Unavailable {
    /// The product's endpoint.
    pub endpoint: String,
    /// CodeChecker's status of the database.
    pub status: DbStatus,
    /// What went wrong.
    pub message: String,
}

/// CodeChecker's wording of a database status.
pub fn status_text(status: DbStatus) -> &'static str {
    match status {
        DbStatus::Ok => "Database is up to date.",
        DbStatus::Missing => "Database is missing.",
        DbStatus::FailedToConnect => "Connection failed to the database server.",
        DbStatus::SchemaMismatchOk => "Database schema mismatch! Possible to upgrade.",
        DbStatus::SchemaMismatchNo => "Database schema mismatch! NOT possible to upgrade.",
        DbStatus::SchemaMissing => "Database schema is missing.",
        DbStatus::SchemaInitError => "Schema initialization error.",
        DbStatus::SchemaUpgradeFailed => "Schema upgrade failed.",
    }
}

enum Slot {
    Open(ProductDb),
    Failed {
        status: DbStatus,
        message: String,
        at: Instant,
    },
}

struct Entry {
    /// The connection string the slot was made for; a changed product
    /// configuration reopens.
    connection: String,
    slot: Slot,
}

/// Open product databases by product id.
pub struct ProductRegistry {
    workspace: PathBuf,
    entries: Mutex<HashMap<i64, Entry>>,
}

impl ProductRegistry {
    /// A registry resolving SQLite paths against `workspace`.
    pub fn new(workspace: &Path) -> Self {
        Self {
            workspace: workspace.to_path_buf(),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The workspace SQLite paths are relative to.
    pub fn workspace(&self) -> &Path {
        &self.workspace
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Entry>> {
        match self.entries.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The product's database, opened on first use.
    pub fn open(&self, product: &configdb::Product) -> Result<ProductDb, Unavailable> {
        let unavailable = |status, message: String| Unavailable {
            endpoint: product.endpoint.clone(),
            status,
            message,
        };
        {
            let entries = self.lock();
            if let Some(entry) = entries.get(&product.id) {
                if entry.connection == product.connection {
                    match &entry.slot {
                        Slot::Open(db) => return Ok(db.clone()),
                        Slot::Failed {
                            status,
                            message,
                            at,
                        } if at.elapsed() < RETRY_AFTER => {
                            return Err(unavailable(*status, message.clone()))
                        }
                        Slot::Failed { .. } => {}
                    }
                }
            }
        }
        // Opening may take a while (migrations, a slow server): not under the lock.
        let slot = match ProductConnection::parse(&product.connection) {
            Err(message) => Slot::Failed {
                status: DbStatus::FailedToConnect,
                message,
                at: Instant::now(),
            },
            Ok(connection) => {
                let url = open_url(&connection, &self.workspace);
                match ProductDb::open_with(&url, open_options()) {
                    Ok(db) => {
                        tracing::info!(product = %product.endpoint, "product database connected");
                        Slot::Open(db)
                    }
                    Err(err) => {
                        let status = failure_status(&err);
                        tracing::error!(product = %product.endpoint, %err, "cannot open the product database");
                        Slot::Failed {
                            status,
                            message: err.to_string(),
                            at: Instant::now(),
                        }
                    }
                }
            }
        };
        let result = match &slot {
            Slot::Open(db) => Ok(db.clone()),
            Slot::Failed {
                status, message, ..
            } => Err(unavailable(*status, message.clone())),
        };
        let mut entries = self.lock();
        // Another thread may have opened it meanwhile; keep a working handle.
        let keep_existing = matches!(
            entries.get(&product.id),
            Some(Entry { connection, slot: Slot::Open(_) }) if *connection == product.connection
        );
        if keep_existing {
            if let Some(Entry {
                slot: Slot::Open(db),
                ..
            }) = entries.get(&product.id)
            {
                return Ok(db.clone());
            }
        }
        entries.insert(
            product.id,
            Entry {
                connection: product.connection.clone(),
                slot,
            },
        );
        result
    }

    /// CodeChecker's status of the product's database.
    pub fn status(&self, product: &configdb::Product) -> DbStatus {
        match self.open(product) {
            Ok(db) => db.status(),
            Err(err) => err.status,
        }
    }

    /// Drops the cached handle of a product (removed or reconfigured).
    pub fn forget(&self, product_id: i64) {
        self.lock().remove(&product_id);
    }
}

/// The URL to open a connection with (PostgreSQL gets a connect timeout so
/// that an unreachable server answers in bounded time).
pub fn open_url(connection: &ProductConnection, workspace: &Path) -> String {
    let url = connection.database_url(workspace);
    match connection {
        ProductConnection::Postgres { .. } => format!("{url}?connect_timeout=10"),
        ProductConnection::Sqlite { .. } => url,
    }
}

/// How product databases are opened. A run lock is kept from the start of
/// a store to its commit; while the store's transaction lives, the database
/// itself keeps others out (SQLite's write lock, PostgreSQL's row lock), so
/// the lock only needs to outlive a worker killed mid-store briefly: another
/// store of the run takes it over after a minute instead of half an hour
/// (the retried store itself at once: it holds the lock's token).
pub fn open_options() -> productdb::OpenOptions {
    productdb::OpenOptions {
        run_lock_timeout: Duration::from_secs(60),
        ..productdb::OpenOptions::default()
    }
}

/// CodeChecker's status for a failure to open.
fn failure_status(err: &productdb::Error) -> DbStatus {
    match err {
        productdb::Error::SchemaMismatch(_) => DbStatus::SchemaMismatchNo,
        productdb::Error::Migration(_) => DbStatus::SchemaUpgradeFailed,
        productdb::Error::Connect(e) if dbkit::classify::is_missing_database(e) => {
            DbStatus::Missing
        }
        _ => DbStatus::FailedToConnect,
    }
}
