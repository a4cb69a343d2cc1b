//! The crate's error type.

use chrono::{DateTime, Utc};

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the product database layer. The
/// `Display` text is meant for the person who ran the store or query.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database URL names no supported backend or is malformed.
    #[error("unsupported product database URL `{0}`")]
    BadUrl(String),
    /// A connection could not be established.
    #[error("cannot connect to the product database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// No pooled connection became available in time.
    #[error("product database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// A statement failed.
    #[error("product database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// The database holds a schema this server does not know.
    #[error("the product database schema is not compatible with this server: {0}")]
    SchemaMismatch(String),
    /// Applying the embedded schema migrations failed.
    #[error("product database migration failed: {0}")]
    Migration(String),
    /// Another store holds the run's lock.
    #[error(
        "The run named '{run_name}' is being stored into by {holder}. If the other store \
         operation has failed, this lock will expire at '{expires_at}'."
    )]
    RunLocked {
        /// The run.
        run_name: String,
        /// User name of the holder, or "another user".
        holder: String,
        /// When the lock goes stale.
        expires_at: DateTime<Utc>,
    },
    /// Results cannot be removed while stores into these runs are running
    /// (CodeChecker's message).
    #[error("Can not remove results because the following runs are locked: {}", runs.join(", "))]
    RunsLocked {
        /// Names of the locked runs.
        runs: Vec<String>,
    },
    /// A unique name is taken.
    #[error("{what} `{name}` already exists")]
    Duplicate {
        /// Kind of the entity ("run", "filter preset").
        what: &'static str,
        /// The name.
        name: String,
    },
    /// The store has more reports than the product allows.
    #[error(
        "**Report Limit Exceeded** This report folder cannot be stored because the number of \
         reports in the result folder is too high. Usually noisy checkers, generating a lot of \
         reports are not useful and it is better to disable them. Run `CodeChecker parse \
         <report_folder>` to gain a better understanding on report counts. Disable checkers that \
         have generated an excessive number of reports and then rerun the analysis to be able to \
         store the results on the server. Limit: {limit}"
    )]
    ReportLimitExceeded {
        /// The product's limit.
        limit: u64,
    },
    /// The store was cancelled; nothing was written.
    #[error("the store was cancelled; the run was left unchanged")]
    Cancelled,
    /// An earlier attempt of this store (same [`crate::StoreRun::store_key`])
    /// already committed; this one wrote nothing. Holds that outcome.
    #[error("this store was already committed by an earlier attempt (run id {})", .0.run_id)]
    AlreadyStored(Box<crate::model::StoreOutcome>),
    /// The writer was used after a failure or in the wrong order.
    #[error("invalid store input: {0}")]
    InvalidInput(String),
    /// The addressed row does not exist.
    #[error("{what} `{key}` does not exist")]
    NotFound {
        /// Kind of the missing entity ("run", "report", "file").
        what: &'static str,
        /// Its key as given by the caller.
        key: String,
    },
    /// Only a comment's author (or anyone, for an `Anonymous` comment) may
    /// change or remove it.
    #[error("comment {id} belongs to another user")]
    NotCommentAuthor {
        /// The comment.
        id: i64,
    },
    /// Data to import cannot be applied; nothing was.
    #[error("{0}")]
    BadImport(String),
    /// A stored value cannot be interpreted.
    #[error("corrupt product database row: {0}")]
    Corrupt(String),
    /// File-system failure (creating the SQLite file's directory).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl From<dbkit::Error> for Error {
    fn from(e: dbkit::Error) -> Self {
        match e {
            dbkit::Error::BadUrl(u) => Error::BadUrl(u),
            dbkit::Error::Migration(m) => Error::Migration(m),
            dbkit::Error::Query(q) => Error::Query(q),
            dbkit::Error::BadTimestamp(us) => {
                Error::Corrupt(format!("timestamp {us} µs is out of range"))
            }
        }
    }
}

impl From<diesel::r2d2::Error> for Error {
    fn from(e: diesel::r2d2::Error) -> Self {
        match e {
            diesel::r2d2::Error::ConnectionError(c) => Error::Connect(c),
            diesel::r2d2::Error::QueryError(q) => Error::Query(q),
        }
    }
}
