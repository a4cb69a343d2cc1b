//! An API handler process: serves HTTP on the socket the supervisor shares.
#![allow(unsafe_code)] // system calls; each `unsafe` block says why it is sound

use std::os::fd::FromRawFd;
use std::sync::Arc;

use anyhow::Context;

use crate::api::{ServerState, Services};
use crate::cli::ServerArgs;
use crate::http;
use crate::metrics::{Metrics, QueueSource};

/// Serves on the inherited listener `fd` until SIGTERM/SIGINT, then lets
/// in-flight requests finish.
pub fn run(args: &ServerArgs, fd: i32) -> anyhow::Result<()> {
    // SAFETY: the supervisor passed this descriptor, a listening TCP socket,
    // to this process for its exclusive use as a listener.
    let listener = unsafe { std::net::TcpListener::from_raw_fd(fd) };
    listener
        .set_nonblocking(true)
        .context("cannot make the listener non-blocking")?;
    let state = Arc::new(ServerState::open(args)?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener =
            tokio::net::TcpListener::from_std(listener).context("cannot adopt the listener")?;
        let metrics = Arc::new(Metrics::new(QueueSource {
            config: state.config.clone(),
            machine_id: state.machine_id.clone(),
            workers: args.worker_count(),
            workspace: state.workspace.clone(),
        }));
        let dispatch: Arc<dyn http::Dispatch> =
            Arc::new(Services::new(state).with_metrics(metrics));
        let limits = args.http_limits();
        let app = http::router(dispatch, limits, args.www_root());
        http::serve::serve(listener, app, limits, super::shutdown_signal()).await;
        Ok(())
    })
}
