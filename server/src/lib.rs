//! `codechecker-server`: a CodeChecker-compatible result server.
//!
//! See ARCHITECTURE.md at the repository root for the map of the crate.

pub mod api;
pub mod auth;
pub mod cli;
pub mod guidelines;
pub mod http;
pub mod labels;
pub mod logging;
pub mod metrics;
pub mod process;
pub mod products;
pub mod server_config;
pub mod state;
pub mod store;
pub mod task_kinds;
pub mod tasks;
pub mod thrift_call;

/// The fuzzing harness shared with the other crates' tests.
#[cfg(test)]
#[path = "../../tests/fuzz/harness.rs"]
mod fuzz_harness;

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;

use crate::cli::ServerArgs;
use crate::process::{supervisor, Role};

/// Runs this process in the role its flags give it.
pub fn run(mut args: ServerArgs) -> anyhow::Result<()> {
    // server_config.json (created on first start) fills the process counts
    // the flags leave open; an unusable file stops the server here.
    args.prepare_workspace()?;
    match args.role {
        Role::Api => {
            let fd = args.listen_fd.context("an API process needs --listen-fd")?;
            process::api_process::run(&args, fd)
        }
        Role::Worker => process::worker_process::run(&args),
        Role::Supervisor => {
            std::fs::create_dir_all(&args.workspace)
                .with_context(|| format!("cannot create workspace {}", args.workspace.display()))?;
            metrics::store_stats::reset(&args.workspace);
            let listener = std::net::TcpListener::bind(SocketAddr::new(args.host, args.port))
                .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
            let local = listener.local_addr().context("no local address")?;
            // Children must agree on the machine id even when the port was 0.
            let machine_id = args.machine_id(local.port());
            args.machine_id = Some(machine_id.clone());
            let state = process::open_state(&args)?;
            tracing::info!(
                builtin = state.labels.builtin_version().unwrap_or("none"),
                added = ?args.checker_labels,
                checkers = state.labels.checker_count(),
                "checker labels loaded"
            );
            state.ensure_default_product()?;
            // No API process runs yet: what one left half taken in when the
            // server last died (SIGKILL, power cut) goes now.
            sweep_dead_uploads(
                &state.config,
                &state.workspace,
                &machine_id,
                store::janitor::Scope::Machine,
            );
            let on_death: std::sync::Arc<dyn Fn(cli::Role, u32) + Send + Sync> = {
                let config = state.config.clone();
                let workspace = state.workspace.clone();
                let machine_id = machine_id.clone();
                std::sync::Arc::new(move |role, pid| match role {
                    cli::Role::Api => sweep_dead_uploads(
                        &config,
                        &workspace,
                        &machine_id,
                        store::janitor::Scope::Process(pid),
                    ),
                    cli::Role::Worker => {
                        tasks::worker::release_dead_worker(&config, &machine_id, pid)
                    }
                    cli::Role::Supervisor => {}
                })
            };
            let fd = process::children::make_inheritable(&listener)?;
            let plan = supervisor::Plan {
                api_processes: args.api_count(),
                worker_processes: args.worker_count(),
                listen_fd: fd,
                grace: Duration::from_secs(args.shutdown_grace_secs),
                machine_id: machine_id.clone(),
                on_death: Some(on_death),
            };
            if plan.api_processes + plan.worker_processes == 0 {
                anyhow::bail!("nothing to run: both --api-processes and --worker-processes are 0");
            }
            if let Some(path) = &args.port_file {
                std::fs::write(path, local.to_string())
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            tracing::info!(
                api = plan.api_processes,
                workers = plan.worker_processes,
                %machine_id,
                "CodeChecker server listening on http://{local}"
            );
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            runtime.block_on(supervisor::supervise(plan))?;
            drop(listener);
            let reason = format!(
                "Server '{machine_id}' shut down at {} (UTC) while the task was running.",
                state.config.now().format("%Y-%m-%d %H:%M:%S")
            );
            match state
                .config
                .drop_unfinished_of_machine(&machine_id, &reason)
            {
                Ok(dropped) if !dropped.is_empty() => {
                    tracing::warn!(count = dropped.len(), "marked unfinished tasks DROPPED");
                }
                Ok(_) => {}
                Err(err) => tracing::error!(%err, "cannot mark unfinished tasks DROPPED"),
            }
            tracing::info!("server stopped");
            Ok(())
        }
    }
}

/// Runs [`store::janitor::sweep_dead_uploads`] and logs what it did.
fn sweep_dead_uploads(
    config: &configdb::ConfigDb,
    workspace: &std::path::Path,
    machine_id: &str,
    scope: store::janitor::Scope,
) {
    match store::janitor::sweep_dead_uploads(config, workspace, machine_id, scope) {
        Ok(swept) if swept.dropped.is_empty() && swept.folders == 0 => {}
        Ok(swept) => tracing::warn!(
            ?scope,
            dropped = ?swept.dropped,
            folders = swept.folders,
            "removed uploads a dead API process left half taken in"
        ),
        Err(err) => tracing::error!(%err, ?scope, "cannot sweep the uploads of a dead API process"),
    }
}
