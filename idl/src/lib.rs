//! The wire layer shared by `codechecker-server` and `codechecker-client`.

pub mod json;

/// Thrift over HTTP for clients (feature `http-client`).
#[cfg(feature = "http-client")]
pub mod http;

// ---- Generated Thrift bindings (idl/regen.sh; do not edit idl/src/gen by hand) ----
//
// One module per IDL file; the generated code refers to its siblings as
// `crate::<module>`, so they live at the crate root. Every service argument
// is an `Option<T>` (see idl/regen.sh). The allowances below cover lints the
// generated code trips; they are not applied to hand-written modules.

/// Types shared by all services: `RequestFailed`, `ErrorCode`, `Permission`, ...
#[path = "gen/codechecker_api_shared.rs"]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused)]
#[rustfmt::skip]
pub mod codechecker_api_shared;

/// `codeCheckerAuthentication` service and its types.
#[path = "gen/authentication.rs"]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused)]
#[rustfmt::skip]
pub mod authentication;

/// `codeCheckerProductService` service and its types.
#[path = "gen/products.rs"]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused)]
#[rustfmt::skip]
pub mod products;

/// `configurationService` service.
#[path = "gen/configuration.rs"]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused)]
#[rustfmt::skip]
pub mod configuration;

/// `serverInfoService` service.
#[path = "gen/server_info.rs"]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused)]
#[rustfmt::skip]
pub mod server_info;

/// `codeCheckerServersideTaskService` service and its types.
#[path = "gen/tasks.rs"]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused)]
#[rustfmt::skip]
pub mod tasks;

/// `codeCheckerDBAccess` service (per-product results API) and its types.
#[path = "gen/report_server.rs"]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used, missing_docs, unused)]
#[rustfmt::skip]
pub mod report_server;

// ---- End of generated Thrift bindings ----
