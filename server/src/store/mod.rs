//! The store pipeline: how `CodeChecker store` uploads become runs.
//!
//! * Foreground (API process, [`submit`]): check the request, unpack the
//!   upload into the task's folder ([`unpack`]), on PostgreSQL keep it in
//!   the configuration database for the cluster ([`shared_input`]), enqueue
//!   a store task, and for the blocking `massStoreRun` wait for it to end.
//! * Background (worker process, `tasks::store`): read the unpacked folder
//!   ([`layout`], [`analyses`], [`reports`]) and write it into the product
//!   database in one transaction ([`ingest`]).
//! * After an API process died while taking in an upload (supervisor,
//!   [`janitor`]): its upload folders go.

pub mod analyses;
pub mod annotations;
pub mod ingest;
pub mod janitor;
pub mod layout;
pub mod params;
pub mod reports;
pub mod shared_input;
pub mod submit;
pub mod unpack;

use std::path::PathBuf;
use std::time::Duration;

pub use ingest::{Control, Ingest, NoControl};
pub use params::StoreParams;
pub use submit::{SubmitError, SubmitSettings};
pub use unpack::{UnpackError, UnpackLimits};

/// The store settings of a server process.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    /// The foreground part's settings.
    pub submit: SubmitSettings,
    /// How long a store waits for another store of the same run to finish.
    pub lock_wait: Duration,
    /// Where analysis statistics uploads go (`None`: not accepted).
    pub statistics_dir: Option<PathBuf>,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            submit: SubmitSettings {
                limits: UnpackLimits::default(),
                hold: Duration::from_secs(2),
                has_workers: true,
                max_enqueued: None,
            },
            lock_wait: productdb::RUN_LOCK_TIMEOUT,
            statistics_dir: None,
        }
    }
}

/// Why a store failed. The text goes into the task's comments, for the
/// person who stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The upload is not usable as it is.
    #[error("{0}")]
    Input(String),
    /// The store was asked to stop; nothing was kept.
    #[error("the store was cancelled")]
    Cancelled,
    /// The product database failed.
    #[error("{0}")]
    Database(String),
    /// An earlier attempt of this store committed (see
    /// `productdb::Error::AlreadyStored`); holds its outcome.
    #[error("this store was already committed by an earlier attempt")]
    CommittedBefore(Box<productdb::StoreOutcome>),
    /// The server could not read its own copy of the upload.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl StoreError {
    /// Wraps an I/O error.
    pub fn io(context: &str, source: std::io::Error) -> Self {
        StoreError::Io {
            context: context.to_owned(),
            source,
        }
    }
}

impl From<productdb::Error> for StoreError {
    fn from(e: productdb::Error) -> Self {
        match e {
            productdb::Error::Cancelled => StoreError::Cancelled,
            productdb::Error::AlreadyStored(outcome) => StoreError::CommittedBefore(outcome),
            e @ (productdb::Error::ReportLimitExceeded { .. }
            | productdb::Error::RunLocked { .. }
            | productdb::Error::InvalidInput(_)) => StoreError::Input(e.to_string()),
            other => {
                StoreError::Database(format!("Storing into the product database failed: {other}"))
            }
        }
    }
}
