//! The errors handlers return, in the shape CodeChecker's clients understand.

use codechecker_api::codechecker_api_shared::{ErrorCode, RequestFailed};

/// A `RequestFailed` with `code` and `message`, as a handler's error.
pub fn request_failed(code: ErrorCode, message: impl Into<String>) -> thrift::Error {
    RequestFailed::new(code, message.into(), None::<Vec<String>>).into()
}

/// A `RequestFailed` of kind `GENERAL`.
pub fn general(message: impl Into<String>) -> thrift::Error {
    request_failed(ErrorCode::GENERAL, message)
}

/// A `RequestFailed` of kind `DATABASE`, for failures of a database the request needed.
pub fn database(err: impl std::fmt::Display) -> thrift::Error {
    request_failed(ErrorCode::DATABASE, format!("Database error: {err}"))
}

/// The answer of a method this server does not implement yet.
pub fn not_implemented(method: &str) -> thrift::Error {
    general(format!("not implemented: {method}"))
}

/// An argument the call must carry but did not.
pub fn missing_argument(name: &str) -> thrift::Error {
    general(format!("The required argument '{name}' is missing."))
}

/// The store's refusals, as CodeChecker answers them.
impl From<crate::store::SubmitError> for thrift::Error {
    fn from(err: crate::store::SubmitError) -> Self {
        use crate::store::SubmitError;
        match err {
            SubmitError::Refused(message) => general(message),
            SubmitError::Io(message) => request_failed(ErrorCode::IOERROR, message),
            SubmitError::Database(message) => database(message),
        }
    }
}
