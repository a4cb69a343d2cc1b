//! The HTTP front: accepts Thrift POSTs, probes, and answers everything else.
//!
//! Handlers stay thin: they read the body (within the configured limit), route the
//! path, and hand the bytes to the [`Dispatch`] implementation on a blocking thread,
//! because the generated Thrift processors are synchronous. Small calls to the
//! services of a few indexed queries (see [`runs_inline`]) run in place: for them
//! the hand-off to the blocking pool costs more than the call.

pub mod routing;
pub mod www;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::thrift_call;
pub use routing::{route_post, ApiRoute, RouteError};

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

/// Limits of the HTTP front.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// The largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

impl Default for HttpLimits {
    /// 1 GiB of upload (CodeChecker's client refuses more), as base64 (4/3), plus
    /// room for the rest of the message.
    fn default() -> Self {
        let gib: usize = 1 << 30;
        Self {
            max_body_bytes: gib / 3 * 4 + (16 << 20),
        }
    }
}

struct Front {
    dispatch: Arc<dyn Dispatch>,
    limits: HttpLimits,
    /// The web UI bundle, if there is one ([`www`]).
    www_root: Option<std::path::PathBuf>,
}

/// Builds the router that serves every path: Thrift calls, probes, and the
/// web UI from `www_root`.
pub fn router(
    dispatch: Arc<dyn Dispatch>,
    limits: HttpLimits,
    www_root: Option<std::path::PathBuf>,
) -> Router {
    let front = Arc::new(Front {
        dispatch,
        limits,
        www_root,
    });
    Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::disable())
        .with_state(front)
}

const THRIFT_CONTENT_TYPE: &str = "application/x-thrift";

async fn handle(State(front): State<Arc<Front>>, request: Request) -> Response {
    www::add_security_headers(answer(front, request).await)
}

async fn answer(front: Arc<Front>, request: Request) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD)
        && !matches!(request.uri().path(), "/live" | "/ready" | "/metrics")
    {
        return www::serve(front.www_root.as_deref(), request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0);
    let (parts, body) = request.into_parts();
    let (method, uri, headers) = (parts.method, parts.uri, parts.headers);
    match method {
        Method::POST => handle_post(front, peer, uri, headers, body).await,
        Method::GET | Method::HEAD => handle_get(&front, uri.path()).await,
        _ => (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD, POST")],
            "Only POST carries Thrift calls.\n",
        )
            .into_response(),
    }
}

async fn handle_get(front: &Arc<Front>, path: &str) -> Response {
    match path {
        "/live" => (StatusCode::OK, "CODECHECKER_SERVER_IS_LIVE").into_response(),
        "/ready" => {
            let dispatch = front.dispatch.clone();
            let ready = tokio::task::spawn_blocking(move || dispatch.ready())
                .await
                .unwrap_or(false);
            if ready {
                (StatusCode::OK, "CODECHECKER_SERVER_IS_READY").into_response()
            } else {
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "CODECHECKER_SERVER_IS_NOT_READY",
                )
                    .into_response()
            }
        }
        "/metrics" => {
            let dispatch = front.dispatch.clone();
            match tokio::task::spawn_blocking(move || dispatch.metrics()).await {
                Ok(Some(text)) => (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
                    text,
                )
                    .into_response(),
                Ok(None) => StatusCode::NOT_FOUND.into_response(),
                Err(err) => {
                    tracing::error!(%err, "the metrics could not be gathered");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "The metrics could not be gathered.\n",
                    )
                        .into_response()
                }
            }
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn handle_post(
    front: Arc<Front>,
    peer: Option<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let limit = front.limits.max_body_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return too_large(limit);
    }
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(err) => {
            // The only error a size-limited read reports besides a broken
            // connection is the limit itself.
            tracing::warn!(error = %err, "request body rejected");
            return too_large(limit);
        }
    };
    let meta = RequestMeta {
        peer,
        cookie: header_string(&headers, header::COOKIE),
        authorization: header_string(&headers, header::AUTHORIZATION),
    };
    let path = uri.path().to_owned();
    let route = route_post(&path);
    let dispatch = front.dispatch.clone();
    let reply = if runs_inline(&route, body.len()) {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_call(&*dispatch, route, &meta, &body)
        }))
        .map_err(|_| "the call panicked".to_owned())
    } else {
        tokio::task::spawn_blocking(move || run_call(&*dispatch, route, &meta, &body))
            .await
            .map_err(|err| err.to_string())
    };
    match reply {
        Ok(bytes) => thrift_reply(bytes),
        Err(err) => {
            // A panic escaped the dispatcher: still answer with a Thrift exception.
            tracing::error!(error = %err, path, "Thrift call panicked");
            thrift_reply(thrift_call::application_error_reply(
                b"",
                "Internal server error: the call could not be completed.",
            ))
        }
    }
}

/// The largest body of a call that may run in place.
const INLINE_MAX_BODY: usize = 64 * 1024;

/// Whether a call runs on the async worker instead of the blocking pool: a small
/// message to `ServerInfo` or `Tasks` (a few indexed queries each; clients poll
/// `getTaskInfo` in loops), or one that is refused before any handler runs.
fn runs_inline(route: &Result<ApiRoute, RouteError>, body_len: usize) -> bool {
    body_len <= INLINE_MAX_BODY
        && match route {
            Ok(route) => matches!(route.service.as_str(), "ServerInfo" | "Tasks"),
            Err(_) => true,
        }
}

fn run_call(
    dispatch: &dyn Dispatch,
    route: Result<ApiRoute, RouteError>,
    meta: &RequestMeta,
    body: &Bytes,
) -> Vec<u8> {
    match route {
        Ok(route) => dispatch.dispatch(&route, meta, body),
        Err(err) => thrift_call::application_error_reply(body, &err.to_string()),
    }
}

fn header_string(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn thrift_reply(bytes: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, THRIFT_CONTENT_TYPE)],
        bytes,
    )
        .into_response()
}

fn too_large(limit: usize) -> Response {
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("The request body is larger than this server accepts ({limit} bytes).\n"),
    )
        .into_response()
}
