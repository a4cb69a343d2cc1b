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
