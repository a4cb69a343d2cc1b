//! What the HTTP front hands a Thrift call over with: the routed path, what
//! the handler may learn of the HTTP request, and the interface the API layer
//! implements. Defined here, below `http`, so that `http` depends on `api`
//! and not the other way round.

use std::net::SocketAddr;

/// A POST path that names a supported API version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRoute {
    /// The product endpoint the request came through, if any.
    pub product: Option<String>,
    /// The API version the client speaks, as `(major, minor)`.
    pub version: (u32, u32),
    /// The service name: `Authentication`, `Products`, `CodeCheckerService`, ….
    pub service: String,
}

/// What a Thrift handler may learn about the HTTP request that carried the call.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// The peer's address.
    pub peer: Option<SocketAddr>,
    /// The raw `Cookie` header, if any.
    pub cookie: Option<String>,
    /// The raw `Authorization` header, if any.
    pub authorization: Option<String>,
}

/// Runs one routed Thrift call to completion and returns the reply bytes.
///
/// Implementations must never panic on any input; every failure becomes a Thrift
/// exception in the reply.
pub trait Dispatch: Send + Sync + 'static {
    /// Handles `body` (a whole Thrift JSON message) sent to `route`.
    fn dispatch(&self, route: &ApiRoute, meta: &RequestMeta, body: &[u8]) -> Vec<u8>;

    /// Whether the server is ready to serve (the `/ready` probe).
    fn ready(&self) -> bool {
        true
    }

    /// The body of `GET /metrics` (Prometheus text format); `None`: no
    /// metrics (404).
    fn metrics(&self) -> Option<String> {
        None
    }
}
