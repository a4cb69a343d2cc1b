//! What every request handler shares: the configuration database and the
//! server's identity. Built once per process and passed explicitly.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context;
use configdb::{ConfigDb, Notifier};

use crate::auth::cache::SessionCache;
use crate::auth::login::LoginCounter;
use crate::auth::ServerConfig;
use crate::cli::ServerArgs;
use crate::labels::CheckerLabels;
use crate::products::ProductRegistry;
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
    /// Opens the configuration database the flags name (migrating it if needed).
    pub fn open(args: &ServerArgs) -> anyhow::Result<Self> {
        let server_config = ServerConfig::load_or_create(&args.workspace)?;
        let url = args.config_url();
        let config = ConfigDb::open(&url)
            .with_context(|| format!("cannot open the configuration database {url}"))?;
        let labels = CheckerLabels::for_server(args.checker_labels.as_deref())?;
        let mut store = StoreSettings::default();
        store.submit.hold = Duration::from_secs_f64(args.store_hold_secs.clamp(0.0, 3600.0));
        store.submit.has_workers = args.worker_count() > 0;
        store.submit.max_enqueued = server_config.background_tasks.max_enqueued_per_product;
        store.submit.limits.max_unpacked_bytes = args.max_unpacked_bytes;
        store.submit.limits.max_ratio = args.max_unpack_ratio;
        store.statistics_dir = args.analysis_statistics_dir.clone();
        Ok(Self {
            workspace: args.workspace.clone(),
            products: ProductRegistry::new(&args.workspace),
            config,
            machine_id: args.machine_id(args.port),
            test_mode: args.test_mode(),
            labels,
            store,
            notifier: OnceLock::new(),
            server_config,
            logins: LoginCounter::default(),
            sessions: SessionCache::default(),
        })
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
