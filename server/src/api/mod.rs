//! The Thrift services, and the dispatcher that picks one for a routed request.
//!
//! Each service has a handler type built per request from the shared
//! [`ServerState`] and what the request carries (the product it came through).
//! Handlers are thin: the work is in `configdb` and the task engine.

pub mod authentication;
pub mod configuration;
pub mod errors;
pub mod products;
pub mod report;
pub mod server_info;
pub mod state;
pub mod tasks;

use std::sync::Arc;
use std::time::{Duration, Instant};

use codechecker_api::authentication::CodeCheckerAuthenticationSyncProcessor;
use codechecker_api::configuration::ConfigurationServiceSyncProcessor;
use codechecker_api::products::CodeCheckerProductServiceSyncProcessor;
use codechecker_api::server_info::ServerInfoServiceSyncProcessor;
use codechecker_api::tasks::CodeCheckerServersideTaskServiceSyncProcessor;

pub use state::ServerState;

use crate::auth;
use crate::http::{ApiRoute, Dispatch, RequestMeta};
use crate::metrics::Metrics;
use crate::thrift_call;

/// The version string `getPackageVersion` answers: the CodeChecker release whose
/// server this one stands in for (clients only check that it is not empty).
pub const PACKAGE_VERSION: &str = "6.29.1";

/// Routes each call to its service handler.
pub struct Services {
    state: Arc<ServerState>,
    metrics: Option<Arc<Metrics>>,
}

impl Services {
    /// A dispatcher over `state`.
    pub fn new(state: Arc<ServerState>) -> Self {
        Self {
            state,
            metrics: None,
        }
    }

    /// The dispatcher, counting its calls into `metrics` (served at `/metrics`).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Counts a call of `service` that took `elapsed`.
    fn observe(&self, metrics: &Metrics, service: &str, body: &[u8], elapsed: Duration) {
        let name = thrift_call::envelope(body).map(|id| id.name);
        let method = name
            .as_deref()
            .filter(|name| {
                !name.is_empty()
                    && name.len() <= 64
                    && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
            .unwrap_or("<unreadable>");
        metrics.observe_request(service, method, elapsed);
    }

    fn product(&self, endpoint: &str) -> Result<configdb::Product, String> {
        match self.state.config.get_product_by_endpoint(endpoint) {
            Ok(Some(product)) => Ok(product),
            Ok(None) => Err(format!(
                "The product with the given endpoint '{endpoint}' does not exist!"
            )),
            Err(err) => Err(format!("'{endpoint}' database connection failed! ({err})")),
        }
    }
}

impl Dispatch for Services {
    fn dispatch(&self, route: &ApiRoute, meta: &RequestMeta, body: &[u8]) -> Vec<u8> {
        let started = Instant::now();
        let reply = self.serve(route, meta, body);
        if let Some(metrics) = &self.metrics {
            if KNOWN_SERVICES.contains(&route.service.as_str()) {
                self.observe(metrics, &route.service, body, started.elapsed());
            }
        }
        reply
    }

    fn ready(&self) -> bool {
        self.state.config.list_products().is_ok()
    }

    fn metrics(&self) -> Option<String> {
        self.metrics.as_ref().map(|m| m.render())
    }
}

/// The services [`Services`] answers (others are refused).
const KNOWN_SERVICES: [&str; 6] = [
    "ServerInfo",
    "Authentication",
    "Configuration",
    "Products",
    "Tasks",
    "CodeCheckerService",
];

impl Services {
    fn serve(&self, route: &ApiRoute, meta: &RequestMeta, body: &[u8]) -> Vec<u8> {
        // Authentication: who is asking; guests of a server with
        // authentication on get CodeChecker's 401 outside the open services.
        let caller = match auth::identify(&self.state, meta) {
            Ok(caller) => caller,
            Err(err) => {
                tracing::error!(%err, "cannot check the session");
                let message =
                    format!("Cannot check the session: the configuration database failed ({err}).");
                return thrift_call::application_error_reply(body, &message);
            }
        };
        if caller.auth_enabled()
            && !caller.is_logged_in()
            && !auth::session::OPEN_SERVICES.contains(&route.service.as_str())
        {
            return thrift_call::application_error_reply(body, auth::session::UNAUTHORIZED_MESSAGE);
        }
        let product = match route
            .product
            .as_deref()
            .map(|e| self.product(e))
            .transpose()
        {
            Ok(product) => product,
            Err(message) => return thrift_call::application_error_reply(body, &message),
        };
        let state = self.state.clone();
        match route.service.as_str() {
            "ServerInfo" => thrift_call::run(
                &ServerInfoServiceSyncProcessor::new(server_info::ServerInfoHandler),
                body,
            ),
            "Authentication" => thrift_call::run(
                &CodeCheckerAuthenticationSyncProcessor::new(
                    authentication::AuthenticationHandler::new(state, caller, meta.peer),
                ),
                body,
            ),
            "Configuration" => thrift_call::run(
                &ConfigurationServiceSyncProcessor::new(configuration::ConfigurationHandler::new(
                    state, caller,
                )),
                body,
            ),
            "Products" => thrift_call::run(
                &CodeCheckerProductServiceSyncProcessor::new(products::ProductsHandler::new(
                    state, product, caller,
                )),
                body,
            ),
            "Tasks" => thrift_call::run(
                &CodeCheckerServersideTaskServiceSyncProcessor::new(tasks::TasksHandler::new(
                    state, caller,
                )),
                body,
            ),
            "CodeCheckerService" => match product {
                Some(product) => match auth::guard::check_report_call(&caller, &product, body) {
                    Some(refusal) => refusal,
                    None => report::serve(state, product, caller, route.version, body),
                },
                None => thrift_call::application_error_reply(
                    body,
                    "Requested CodeCheckerService on a nonexistent product: ''.",
                ),
            },
            other => {
                let path = match &route.product {
                    Some(p) => format!("/{p}/v{}.{}/{other}", route.version.0, route.version.1),
                    None => format!("/v{}.{}/{other}", route.version.0, route.version.1),
                };
                thrift_call::application_error_reply(
                    body,
                    &format!("No API endpoint named '{path}'."),
                )
            }
        }
    }
}
