//! A background worker process: runs tasks until told to stop.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use configdb::KindLimit;

use crate::cli::ServerArgs;
use crate::server_config::tasks::kinds_of;
use crate::tasks::retention::Scheduler;
use crate::tasks::worker::{SharedInputs, Worker, WorkerOptions};
use crate::tasks::Registry;

/// Runs the worker loop until SIGTERM/SIGINT; the task in progress is asked
/// to stop and ends DROPPED.
pub fn run(args: &ServerArgs) -> anyhow::Result<()> {
    let state = Arc::new(super::open_state(args)?);
    let control = &state.server_config.background_tasks;
    let options = WorkerOptions {
        lease: Duration::from_secs(args.task_lease_secs.max(1)),
        limits: control
            .max_running
            .iter()
            .map(|(class, max)| KindLimit {
                kinds: kinds_of(class),
                max_running: *max,
            })
            .collect(),
        deadlines: control
            .deadlines
            .iter()
            .flat_map(|(class, d)| kinds_of(class).into_iter().map(move |k| (k, *d)))
            .collect(),
        deadline_grace: control.deadline_grace,
        ..WorkerOptions::default()
    };
    let worker = Arc::new(
        Worker::new(
            state.config.clone(),
            state.machine_id.clone(),
            Registry::standard(&state),
            options,
            Arc::new(AtomicBool::new(false)),
        )
        .with_scheduler(Scheduler::new(state.clone()))
        .with_shared_inputs(SharedInputs {
            workspace: state.workspace.clone(),
            limits: state.store.submit.limits,
        }),
    );
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
