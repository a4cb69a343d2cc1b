//! What every request handler shares: the configuration database and the
//! server's identity. Built once per process and passed explicitly.

use std::path::PathBuf;
use std::sync::OnceLock;

use anyhow::Context;
use configdb::{ConfigDb, Notifier};

use crate::auth::cache::{LoginCounter, SessionCache};
use crate::labels::CheckerLabels;
use crate::products::ProductRegistry;
use crate::server_config::ServerConfig;
use crate::store::StoreSettings;

/// The shared state of one server process.
pub struct ServerState {
    /// The workspace folder.
    pub workspace: PathBuf,
    /// The configuration database (products, tasks, sessions).
    pub config: ConfigDb,
    /// This server's identity in a cluster (`host:port` by default).
    pub machine_id: String,
    /// Whether test-only endpoints (`createDummyTask`) are enabled.
    pub test_mode: bool,
    /// The product databases this process has opened.
    pub products: ProductRegistry,
    /// Checker labels (severities).
    pub labels: CheckerLabels,
    /// How stores are accepted and run.
    pub store: StoreSettings,
    /// Task-end notifications, subscribed on first use.
    notifier: OnceLock<Option<Notifier>>,
    /// `server_config.json` of the workspace (authentication and limits).
    pub server_config: ServerConfig,
    /// Logins since the last sweep of ended sessions.
    pub logins: LoginCounter,
    /// Sessions seen in the last second.
    pub sessions: SessionCache,
}

/// The endpoint of the product created on an empty workspace.
pub const DEFAULT_PRODUCT: &str = "Default";

/// The description CodeChecker gives the product it creates at first start.
pub const DEFAULT_PRODUCT_DESCRIPTION: &str = "Default product created at server start.";

impl ServerState {
    /// The state of a process from its parts; the product registry, the
    /// task-event subscription and the login bookkeeping start empty.
    pub fn new(
        workspace: PathBuf,
        config: ConfigDb,
        machine_id: String,
        test_mode: bool,
        labels: CheckerLabels,
        store: StoreSettings,
        server_config: ServerConfig,
    ) -> Self {
        Self {
            products: ProductRegistry::new(&workspace),
            workspace,
            config,
            machine_id,
            test_mode,
            labels,
            store,
            notifier: OnceLock::new(),
            server_config,
            logins: LoginCounter::default(),
            sessions: SessionCache::default(),
        }
    }

    /// This process's subscription to task events (`None` when it cannot
    /// be had; callers then poll).
    pub fn notifier(&self) -> Option<&Notifier> {
        self.notifier
            .get_or_init(|| match self.config.subscribe() {
                Ok(n) => Some(n),
                Err(err) => {
                    tracing::error!(%err, "cannot subscribe to task events");
                    None
                }
            })
            .as_ref()
    }

    /// Creates the `Default` product on a configuration without products.
    pub fn ensure_default_product(&self) -> anyhow::Result<()> {
        if !self.config.list_products()?.is_empty() {
            return Ok(());
        }
        let mut spec =
            configdb::ProductSpec::new(DEFAULT_PRODUCT, Self::workspace_sqlite(DEFAULT_PRODUCT));
        spec.description = Some(DEFAULT_PRODUCT_DESCRIPTION.to_owned());
        match self.config.add_product(&spec) {
            Ok(_) | Err(configdb::Error::DuplicateEndpoint(_)) => Ok(()),
            Err(err) => Err(err).context("cannot create the Default product"),
        }
    }

    /// The connection string of a product database kept in the workspace.
    pub fn workspace_sqlite(endpoint: &str) -> String {
        format!("sqlite:{endpoint}.sqlite")
    }
}
