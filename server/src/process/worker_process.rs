//! A background worker process: runs tasks until told to stop.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use crate::cli::ServerArgs;
use crate::tasks::worker::{Worker, WorkerOptions};
use crate::tasks::Registry;

/// Runs the worker loop until SIGTERM/SIGINT; the task in progress is asked
/// to stop and ends DROPPED.
pub fn run(args: &ServerArgs) -> anyhow::Result<()> {
    let state = Arc::new(super::open_state(args)?);
    let options = WorkerOptions {
        lease: Duration::from_secs(args.task_lease_secs.max(1)),
        ..WorkerOptions::default()
    };
    let worker = Arc::new(Worker::new(
        state.config.clone(),
        state.machine_id.clone(),
        Registry::standard(&state),
        options,
        Arc::new(AtomicBool::new(false)),
    ));
    let signals = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the signal listener")?;
    let stopper = worker.clone();
    std::thread::spawn(move || {
        signals.block_on(super::shutdown_signal());
        stopper.begin_shutdown();
    });
    worker.run();
    Ok(())
}
