//! The kit's error type; each database crate folds it into its own.

/// Result alias of the kit.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong in the shared database plumbing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database URL names no supported backend or is malformed.
    #[error("unsupported database URL `{0}`")]
    BadUrl(String),
    /// Applying the embedded schema migrations failed.
    #[error("{0}")]
    Migration(String),
    /// A statement failed.
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    /// A stored instant is outside the range of dates.
    #[error("timestamp {0} µs is out of range")]
    BadTimestamp(i64),
}
