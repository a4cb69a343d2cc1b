//! The crate's error type.

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the configuration database layer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database URL names no supported backend or is malformed.
    #[error("unsupported configuration database URL `{0}`")]
    BadUrl(String),
    /// A connection could not be established.
    #[error("cannot connect to the configuration database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// No pooled connection became available in time.
    #[error("configuration database pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
    /// A statement failed.
    #[error("configuration database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    /// Applying the embedded schema migrations failed.
    #[error("configuration database migration failed: {0}")]
    Migration(String),
    /// The addressed row does not exist.
    #[error("{what} `{key}` does not exist")]
    NotFound {
        /// Kind of the missing entity ("task", "product").
        what: &'static str,
        /// Its key as given by the caller.
        key: String,
    },
    /// Another product already uses the endpoint.
    #[error("product endpoint `{0}` is already in use")]
    DuplicateEndpoint(String),
    /// The task is not in a state that allows the requested change.
    #[error("task `{token}` is {status}: cannot {action}")]
    InvalidTransition {
        /// The task.
        token: String,
        /// Its current status name.
        status: &'static str,
        /// What was attempted.
        action: &'static str,
    },
    /// A caller-supplied value is out of range or malformed.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A stored value cannot be interpreted (e.g. an unknown status code).
    #[error("corrupt configuration database row: {0}")]
    Corrupt(String),
    /// Ten random tokens in a row collided with existing ones.
    #[error("could not generate a unique task token")]
    TokenExhausted,
    /// File-system or socket failure (notification channel, workspace).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A product already has as many tasks waiting as its bound allows.
    #[error("{waiting} tasks of this kind are already waiting for product {product_id}; the limit is {limit}")]
    QueueFull {
        /// The product.
        product_id: i64,
        /// How many are waiting.
        waiting: u64,
        /// The bound.
        limit: u64,
    },
    /// The PostgreSQL notification listener failed.
    #[error("notification listener: {0}")]
    Listener(String),
}

impl From<dbkit::Error> for Error {
    fn from(e: dbkit::Error) -> Self {
        match e {
            dbkit::Error::BadUrl(url) => Error::BadUrl(url),
            dbkit::Error::Migration(m) => Error::Migration(m),
            dbkit::Error::Query(q) => Error::Query(q),
            dbkit::Error::BadTimestamp(us) => {
                Error::Corrupt(format!("timestamp {us} µs is out of range"))
            }
        }
    }
}

impl Error {
    /// Wraps an I/O error with a short description of the failed action.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// Builds [`Error::NotFound`] for a task token.
    pub(crate) fn task_not_found(token: &str) -> Self {
        Error::NotFound {
            what: "task",
            key: token.to_owned(),
        }
    }
}
