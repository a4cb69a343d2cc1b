//! The server's processes: a supervisor and its API and worker children.
//!
//! ```text
//! codechecker-server (supervisor)
//!   ├── --role api     × N   accept on the shared socket, answer Thrift calls
//!   └── --role worker  × M   claim tasks from the configuration database
//! ```

pub mod api_process;
pub mod children;
pub mod supervisor;
pub mod worker_process;

pub use crate::cli::Role;

use std::time::Duration;

use anyhow::Context;
use configdb::ConfigDb;

use crate::cli::ServerArgs;
use crate::labels::CheckerLabels;
use crate::server_config::ServerConfig;
use crate::state::ServerState;
use crate::store::StoreSettings;

/// Resolves on the first SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(%err, "cannot listen for SIGINT");
            std::future::pending::<()>().await;
        }
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(err) => {
                tracing::error!(%err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received, stopping"),
        () = term => tracing::info!("SIGTERM received, stopping"),
    }
}

/// Opens what a server process shares between its requests or tasks: the
/// configuration database the flags name (migrated if needed), the workspace's
/// `server_config.json`, the checker labels and the store settings.
pub fn open_state(args: &ServerArgs) -> anyhow::Result<ServerState> {
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
    Ok(ServerState::new(
        args.workspace.clone(),
        config,
        args.machine_id(args.port),
        args.test_mode(),
        labels,
        store,
        server_config,
    ))
}
