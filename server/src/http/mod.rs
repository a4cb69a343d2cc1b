//! The HTTP front: accepts Thrift POSTs, probes, and answers everything else.
//!
//! Handlers stay thin: they read the body (within the configured limit), route the
//! path, and hand the bytes to the [`Dispatch`] implementation on a blocking thread,
//! because the generated Thrift processors are synchronous. Small calls to the
//! services of a few indexed queries (see [`runs_inline`]) run in place: for them
//! the hand-off to the blocking pool costs more than the call.

pub mod routing;
pub mod serve;
pub mod www;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use http_body_util::BodyExt as _;

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
    /// The largest body of an upload call ([`UPLOAD_METHODS`]), in bytes.
    pub max_body_bytes: usize,
    /// The largest body of any other call, in bytes.
    pub max_call_body_bytes: usize,
    /// How long a client may take to send a request's line and headers.
    pub header_read_timeout: Duration,
    /// How long a client may take to send a body, plus one second per
    /// [`MIN_BODY_RATE`] bytes it sent.
    pub body_read_timeout: Duration,
    /// The most connections one API process serves at once.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    /// 1 GiB of upload (CodeChecker's client refuses more), as base64 (4/3), plus
    /// room for the rest of the message; 64 MiB for other calls (a filter of a
    /// million report hashes); 30 s for headers and bodies; 512 connections.
    fn default() -> Self {
        let gib: usize = 1 << 30;
        Self {
            max_body_bytes: gib / 3 * 4 + (16 << 20),
            max_call_body_bytes: 64 << 20,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 512,
        }
    }
}

/// The calls whose body may be as large as [`HttpLimits::max_body_bytes`]
/// (all of `CodeCheckerService`): the stores, the failed-analysis ZIPs sent
/// after a store, and an import of review data.
pub const UPLOAD_METHODS: &[&str] = &[
    "massStoreRun",
    "massStoreRunAsynchronous",
    "storeAnalysisStatistics",
    "importData",
];

/// Bytes per second a body must arrive at, on average, once
/// [`HttpLimits::body_read_timeout`] has passed.
pub const MIN_BODY_RATE: u64 = 64 << 10;

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
    let path = uri.path().to_owned();
    let route = route_post(&path);
    let body = match read_body(body, &headers, &route, &front.limits).await {
        Ok(bytes) => bytes,
        Err(err) => {
            tracing::warn!(error = %err, ?peer, path, "request body refused");
            return err.into_response();
        }
    };
    let meta = RequestMeta {
        peer,
        cookie: header_string(&headers, header::COOKIE),
        authorization: header_string(&headers, header::AUTHORIZATION),
    };
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

/// Why a request body was not read.
#[derive(Debug, thiserror::Error)]
enum BodyError {
    /// Larger than the limit of the call.
    #[error(
        "The request body is larger than this server accepts for {call} ({limit} bytes; the server's {flag})."
    )]
    TooLarge {
        call: String,
        limit: usize,
        flag: &'static str,
    },
    /// Did not arrive in time.
    #[error(
        "The request body did not arrive in time ({secs} s, plus 1 s per {MIN_BODY_RATE} bytes received)."
    )]
    TooSlow { secs: u64 },
    /// The connection failed while reading.
    #[error("The request body could not be read: {0}")]
    Broken(String),
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        let status = match self {
            BodyError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::TooSlow { .. } => StatusCode::REQUEST_TIMEOUT,
            BodyError::Broken(_) => StatusCode::BAD_REQUEST,
        };
        (status, [(header::CONNECTION, "close")], format!("{self}\n")).into_response()
    }
}

/// How many bytes of a body are enough to know the method it calls.
const METHOD_PREFIX_BYTES: usize = 4096;

/// The method a Thrift JSON message calls, from the start of its body:
/// `Some(None)` when the start shows no method name (garbage), `None` when
/// more bytes are needed.
fn called_method(prefix: &[u8]) -> Option<Option<&str>> {
    let mut rest = prefix.trim_ascii_start();
    let Some(after) = rest.strip_prefix(b"[") else {
        return (!rest.is_empty()).then_some(None);
    };
    rest = after;
    let Some(comma) = rest.iter().position(|&b| b == b',') else {
        return (rest.len() >= 64).then_some(None);
    };
    rest = rest[comma + 1..].trim_ascii_start();
    let Some(after) = rest.strip_prefix(b"\"") else {
        return (!rest.is_empty()).then_some(None);
    };
    let Some(end) = after.iter().position(|&b| b == b'"') else {
        return (after.len() >= 256).then_some(None);
    };
    Some(std::str::from_utf8(&after[..end]).ok())
}

/// Reads a POST body within the limit of the call it carries: every
/// call may send [`HttpLimits::max_call_body_bytes`]; an upload
/// ([`UPLOAD_METHODS`] on `CodeCheckerService`, known from the message's
/// first bytes) [`HttpLimits::max_body_bytes`]. The body must arrive
/// within [`HttpLimits::body_read_timeout`] plus one second per
/// [`MIN_BODY_RATE`] bytes received.
async fn read_body(
    mut body: Body,
    headers: &HeaderMap,
    route: &Result<ApiRoute, RouteError>,
    limits: &HttpLimits,
) -> Result<Bytes, BodyError> {
    let uploads_allowed = matches!(route, Ok(r) if r.service == "CodeCheckerService");
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let call_limit = limits.max_call_body_bytes.min(limits.max_body_bytes);
    let too_large = |call: &str, limit: usize| BodyError::TooLarge {
        call: call.to_owned(),
        limit,
        flag: if limit == limits.max_call_body_bytes {
            "--max-call-body-bytes"
        } else {
            "--max-body-bytes"
        },
    };
    let mut call = match route {
        Ok(r) => format!("a call to {}", r.service),
        Err(_) => "this call".to_owned(),
    };
    // Until the method is known, the largest limit the path allows.
    let (mut limit, mut decided) = if uploads_allowed {
        (limits.max_body_bytes, false)
    } else {
        (call_limit, true)
    };
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(too_large(&call, limit));
    }
    let started = Instant::now();
    let mut buf: Vec<u8> =
        Vec::with_capacity(declared.map_or(0, |len| len as usize).min(if decided {
            limit
        } else {
            METHOD_PREFIX_BYTES
        }));
    loop {
        let allowed = limits.body_read_timeout
            + Duration::from_secs_f64(buf.len() as f64 / MIN_BODY_RATE as f64);
        let frame = match tokio::time::timeout_at((started + allowed).into(), body.frame()).await {
            Err(_) => {
                return Err(BodyError::TooSlow {
                    secs: limits.body_read_timeout.as_secs(),
                })
            }
            Ok(None) => break,
            Ok(Some(Err(err))) => {
                // A size-limited read reports nothing else but a broken connection.
                return Err(BodyError::Broken(err.to_string()));
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if buf.len() + data.len() > limit {
            return Err(too_large(&call, limit));
        }
        buf.extend_from_slice(&data);
        if !decided {
            let method = match called_method(&buf) {
                Some(method) => method,
                None if buf.len() >= METHOD_PREFIX_BYTES => None,
                None => continue,
            };
            decided = true;
            if let Some(m) = method {
                call = format!("'{m}'");
            }
            let upload = method.is_some_and(|m| UPLOAD_METHODS.contains(&m));
            if !upload {
                limit = call_limit;
                if buf.len() > limit || declared.is_some_and(|len| len > limit as u64) {
                    return Err(too_large(&call, limit));
                }
            }
            if let Some(len) = declared {
                buf.reserve((len as usize).min(limit).saturating_sub(buf.len()));
            }
        }
    }
    Ok(Bytes::from(buf))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_called_method_comes_from_the_first_bytes() {
        assert_eq!(
            called_method(br#" [1, "getTaskInfo",1,0,{"#),
            Some(Some("getTaskInfo"))
        );
        assert_eq!(
            called_method(br#"[1,"massStoreRun",1,0,{"4":{"str":"QUJ"#),
            Some(Some("massStoreRun"))
        );
        // More bytes needed.
        for partial in [&b""[..], b"  ", b"[", b"[1", b"[1,", b"[1, \"massSt"] {
            assert_eq!(called_method(partial), None, "{partial:?}");
        }
        // Not a Thrift message: no method.
        for garbage in [&b"{}"[..], b"[1,2,", b"\x16\x03\x01", b"[1,\"\xff\xfe\","] {
            assert_eq!(called_method(garbage), Some(None), "{garbage:?}");
        }
    }
}
