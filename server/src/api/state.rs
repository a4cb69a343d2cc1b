//! What every request handler shares: the configuration database and the
//! server's identity. Built once per process and passed explicitly.

use std::path::PathBuf;

use anyhow::Context;
use configdb::ConfigDb;

use crate::cli::ServerArgs;

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
}

/// The endpoint of the product created on an empty workspace.
pub const DEFAULT_PRODUCT: &str = "Default";

/// The description CodeChecker gives the product it creates at first start.
pub const DEFAULT_PRODUCT_DESCRIPTION: &str = "Default product created at server start.";

impl ServerState {
    /// Opens the configuration database the flags name (migrating it if needed).
    pub fn open(args: &ServerArgs) -> anyhow::Result<Self> {
        let url = args.config_url();
        let config = ConfigDb::open(&url)
            .with_context(|| format!("cannot open the configuration database {url}"))?;
        Ok(Self {
            workspace: args.workspace.clone(),
            config,
            machine_id: args.machine_id(args.port),
            test_mode: args.test_mode(),
        })
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
