//! Errors of the client and how they are shown: the messages and exit codes
//! follow CodeChecker's command-line client.

use codechecker_api::codechecker_api_shared::{ErrorCode, RequestFailed};
use codechecker_api::http::HttpError;

use crate::address::AddressError;
use crate::credentials::CredentialError;

/// A failed API call.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The server refused the request (`RequestFailed`).
    #[error("{endpoint}: {}", .error.message.as_deref().unwrap_or("request failed"))]
    Request {
        /// The API function called.
        endpoint: String,
        /// What the server sent.
        error: RequestFailed,
    },
    /// The server could not be reached, or the connection broke.
    #[error("{endpoint}: connection failed: {message}")]
    Connection {
        /// The API function called.
        endpoint: String,
        /// What went wrong.
        message: String,
    },
    /// The server answered with an HTTP error status.
    #[error("{endpoint}: HTTP {status}: {message}")]
    Http {
        /// The API function called.
        endpoint: String,
        /// The HTTP status.
        status: u16,
        /// The transport's description.
        message: String,
    },
    /// The server reported an internal or protocol-level error
    /// (`TApplicationException`), e.g. an unknown function.
    #[error("{endpoint}: internal server error: {message}")]
    Application {
        /// The API function called.
        endpoint: String,
        /// Its kind.
        kind: thrift::ApplicationErrorKind,
        /// The server's message.
        message: String,
    },
    /// The reply could not be decoded.
    #[error("{endpoint}: invalid reply: {message}")]
    Protocol {
        /// The API function called.
        endpoint: String,
        /// The decoder's complaint.
        message: String,
    },
}

impl CallError {
    /// Classifies an error of a generated client's call to `endpoint`.
    pub fn from_thrift(endpoint: &str, err: thrift::Error) -> Self {
        let endpoint = endpoint.to_owned();
        match err {
            thrift::Error::User(user) => {
                let user = match user.downcast::<RequestFailed>() {
                    Ok(error) => {
                        return CallError::Request {
                            endpoint,
                            error: *error,
                        }
                    }
                    Err(other) => other,
                };
                match user.downcast::<HttpError>() {
                    Ok(http) => {
                        let message = http.to_string();
                        match *http {
                            HttpError::Status { status, .. } => CallError::Http {
                                endpoint,
                                status,
                                message,
                            },
                            HttpError::Connection { .. } => {
                                CallError::Connection { endpoint, message }
                            }
                        }
                    }
                    Err(other) => CallError::Protocol {
                        endpoint,
                        message: other.to_string(),
                    },
                }
            }
            thrift::Error::Application(app) => CallError::Application {
                endpoint,
                kind: app.kind,
                message: app.message,
            },
            thrift::Error::Transport(t) => {
                // `HttpEndpoint` reports HTTP statuses as "HTTP <code> from <url>: ...".
                let status = t
                    .message
                    .strip_prefix("HTTP ")
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|code| code.parse::<u16>().ok());
                match status {
                    Some(status) => CallError::Http {
                        endpoint,
                        status,
                        message: t.message,
                    },
                    None => CallError::Connection {
                        endpoint,
                        message: t.message,
                    },
                }
            }
            thrift::Error::Protocol(p) => CallError::Protocol {
                endpoint,
                message: p.message,
            },
        }
    }

    /// The session was not accepted (CodeChecker answers "Error code 401"
    /// as an application exception; an HTTP 401 means the same).
    pub fn is_unauthorized(&self) -> bool {
        match self {
            CallError::Application { message, .. } => message.contains("Error code 401"),
            CallError::Http { status, .. } => *status == 401,
            _ => false,
        }
    }

    /// Worth retrying later: the connection failed or a proxy answered
    /// that the server is (temporarily) unavailable.
    pub fn is_transient(&self) -> bool {
        match self {
            CallError::Connection { .. } => true,
            CallError::Http { status, .. } => matches!(status, 502..=504),
            _ => false,
        }
    }

    /// The server does not know the function (too old a server).
    pub fn is_unknown_method(&self) -> bool {
        match self {
            CallError::Application { kind, message, .. } => {
                *kind == thrift::ApplicationErrorKind::UnknownMethod
                    || message.contains("Unknown function")
                    || message.contains("unknown method")
            }
            _ => false,
        }
    }

    /// The `RequestFailed` the server sent, if that is what this is.
    pub fn request_failed(&self) -> Option<&RequestFailed> {
        match self {
            CallError::Request { error, .. } => Some(error),
            _ => None,
        }
    }

    /// Logs the error the way CodeChecker's client does.
    pub fn log(&self) {
        match self {
            CallError::Request { endpoint, error } => {
                let message = error.message.as_deref().unwrap_or("");
                tracing::error!("Calling API endpoint: {endpoint}");
                match error.error_code {
                    Some(ErrorCode::DATABASE) => {
                        tracing::error!("Database error on server\n{message}")
                    }
                    Some(ErrorCode::AUTH_DENIED) => {
                        tracing::error!("Authentication denied\n {message}")
                    }
                    Some(ErrorCode::UNAUTHORIZED) => {
                        tracing::error!("Unauthorized to access\n {message}");
                        tracing::error!("Ask the product admin for additional access rights.");
                    }
                    Some(ErrorCode::API_MISMATCH) => {
                        tracing::error!("Client/server API mismatch\n {message}")
                    }
                    _ => {
                        tracing::error!("Error during API call: {endpoint}");
                        tracing::error!("{message}");
                        if let Some(extra) = error.extra_info.as_ref().filter(|e| !e.is_empty()) {
                            tracing::error!("{}", extra.join("\n"));
                        }
                    }
                }
            }
            CallError::Connection { endpoint, message } => {
                tracing::error!("Connection failed.");
                tracing::error!("OS Error: {message} (calling {endpoint})");
                tracing::error!("Check if your CodeChecker server is running.");
            }
            CallError::Http {
                endpoint, message, ..
            } => {
                tracing::error!("Calling API endpoint: {endpoint}");
                tracing::error!("{message}");
            }
            CallError::Application {
                endpoint, message, ..
            } => {
                tracing::error!("Internal server error: {message} (calling {endpoint})");
            }
            CallError::Protocol { endpoint, message } => {
                tracing::error!("Thrift invalid data error.");
                tracing::error!("{endpoint}: {message}");
            }
        }
    }
}

/// Why a command failed; [`ClientError::exit_code`] is what the process
/// returns.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// An API call failed.
    #[error(transparent)]
    Call(#[from] CallError),
    /// A malformed URL (exit code 2, like an argument error).
    #[error("Malformed URL: {0}")]
    Address(#[from] AddressError),
    /// The session or password file is unusable.
    #[error(transparent)]
    Credentials(#[from] CredentialError),
    /// A bad combination of arguments (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// Anything else, with a message for the user (exit code 1).
    #[error("{0}")]
    Failed(String),
    /// Already reported; exit with this code.
    #[error("exit code {0}")]
    Exit(i32),
}

impl ClientError {
    /// The process exit code CodeChecker uses for this kind of failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            ClientError::Usage(_) | ClientError::Address(_) => 2,
            ClientError::Exit(code) => *code,
            _ => 1,
        }
    }

    /// Logs the error (nothing for [`ClientError::Exit`]).
    pub fn log(&self) {
        match self {
            ClientError::Call(call) => call.log(),
            ClientError::Address(e) => tracing::error!(
                "Malformed URL was provided ({e}). A valid product URL looks like this: \
                 'http://my.server.com:80/ProductName'."
            ),
            ClientError::Exit(_) => {}
            other => tracing::error!("{other}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_thrift_errors() {
        let rf = RequestFailed::new(ErrorCode::UNAUTHORIZED, "no".to_owned(), None);
        let e = CallError::from_thrift("getTaskInfo", thrift::Error::User(Box::new(rf)));
        assert_eq!(
            e.request_failed().and_then(|r| r.error_code),
            Some(ErrorCode::UNAUTHORIZED)
        );

        let app = thrift::Error::Application(thrift::ApplicationError::new(
            thrift::ApplicationErrorKind::InternalError,
            "Error code 401: Unauthorized!",
        ));
        assert!(CallError::from_thrift("x", app).is_unauthorized());

        let http = thrift::Error::Transport(thrift::TransportError::new(
            thrift::TransportErrorKind::Unknown,
            "HTTP 503 from http://h/x: busy",
        ));
        let e = CallError::from_thrift("x", http);
        assert!(matches!(e, CallError::Http { status: 503, .. }));
        assert!(e.is_transient());

        let conn = thrift::Error::from(HttpError::Connection {
            url: "http://h/x".into(),
            reason: "refused".into(),
        });
        assert!(CallError::from_thrift("x", conn).is_transient());
        let status = thrift::Error::from(HttpError::Status {
            status: 401,
            url: "http://h/x".into(),
            body: String::new(),
        });
        assert!(CallError::from_thrift("x", status).is_unauthorized());
    }
}
