//! The supervisor: prepares the workspace, binds the socket, starts the API and
//! worker processes, restarts the ones that die, and shuts everything down in
//! order on SIGINT/SIGTERM.
#![allow(unsafe_code)] // system calls; each `unsafe` block says why it is sound

use std::ffi::OsString;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::children;
use crate::cli::Role;

/// One running child and what it is.
struct Slot {
    role: Role,
    index: usize,
    pid: Option<u32>,
    started: Instant,
}

/// What the supervisor needs to start and stop its children.
pub struct Plan {
    /// How many API processes to keep running.
    pub api_processes: usize,
    /// How many worker processes to keep running.
    pub worker_processes: usize,
    /// The inherited listening socket for API processes.
    pub listen_fd: RawFd,
    /// How long children get to finish after SIGTERM before they are killed.
    pub grace: Duration,
    /// The machine id every child must use.
    pub machine_id: String,
    /// Called (on a blocking thread) with the role and pid of a child that
    /// died, to clean what it left half done (an API process's uploads:
    /// `store::janitor`; a worker's claims: `tasks::worker`).
    pub on_death: Option<std::sync::Arc<dyn Fn(Role, u32) + Send + Sync>>,
}

/// Runs the children until a stop signal, then stops them. Returns after every
/// child is gone.
pub async fn supervise(plan: Plan) -> anyhow::Result<()> {
    let mut args = children::passthrough_args();
    args.push("--machine-id".into());
    args.push(plan.machine_id.clone().into());
    let mut running: JoinSet<(Slot, std::io::Result<std::process::ExitStatus>)> = JoinSet::new();
    let mut pids = Vec::new();
    for index in 0..plan.api_processes {
        start(
            &mut running,
            &mut pids,
            Role::Api,
            index,
            &args,
            Some(plan.listen_fd),
        )?;
    }
    for index in 0..plan.worker_processes {
        start(&mut running, &mut pids, Role::Worker, index, &args, None)?;
    }
    let stop = super::shutdown_signal();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => break,
            Some(joined) = running.join_next() => {
                let Ok((slot, status)) = joined else { continue };
                pids.retain(|p| Some(*p) != slot.pid);
                let lived = slot.started.elapsed();
                match status {
                    Ok(status) => tracing::error!(
                        role = slot.role.name(), index = slot.index, pid = ?slot.pid, %status,
                        "a {} process died after {:.1}s; starting another", slot.role.name(), lived.as_secs_f64()),
                    Err(err) => tracing::error!(
                        role = slot.role.name(), index = slot.index, %err,
                        "lost a {} process; starting another", slot.role.name()),
                }
                if let (Some(pid), Some(clean)) = (slot.pid, &plan.on_death) {
                    let clean = clean.clone();
                    let role = slot.role;
                    drop(tokio::task::spawn_blocking(move || clean(role, pid)));
                }
                // A child that dies at once would otherwise spin the supervisor.
                if lived < Duration::from_secs(1) {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                let fd = (slot.role == Role::Api).then_some(plan.listen_fd);
                start(&mut running, &mut pids, slot.role, slot.index, &args, fd)?;
            }
        }
    }
    stop_children(&mut running, &pids, plan.grace).await;
    Ok(())
}

fn start(
    running: &mut JoinSet<(Slot, std::io::Result<std::process::ExitStatus>)>,
    pids: &mut Vec<u32>,
    role: Role,
    index: usize,
    args: &[OsString],
    listen_fd: Option<RawFd>,
) -> anyhow::Result<()> {
    let mut child = children::spawn(role, index, args, listen_fd)?;
    let pid = child.id();
    if let Some(pid) = pid {
        pids.push(pid);
    }
    tracing::info!(
        role = role.name(),
        index,
        pid,
        "started a {} process",
        role.name()
    );
    let slot = Slot {
        role,
        index,
        pid,
        started: Instant::now(),
    };
    running.spawn(async move {
        let status = child.wait().await;
        (slot, status)
    });
    Ok(())
}

/// SIGTERM to every child, then SIGKILL to those still alive after `grace`.
async fn stop_children(
    running: &mut JoinSet<(Slot, std::io::Result<std::process::ExitStatus>)>,
    pids: &[u32],
    grace: Duration,
) {
    for &pid in pids {
        signal(pid, libc::SIGTERM);
    }
    let deadline = tokio::time::Instant::now() + grace;
    loop {
        match tokio::time::timeout_at(deadline, running.join_next()).await {
            Ok(Some(_)) => continue,
            Ok(None) => return,
            Err(_) => break,
        }
    }
    tracing::warn!("children still running after {grace:?}; killing them");
    for &pid in pids {
        signal(pid, libc::SIGKILL);
    }
    while running.join_next().await.is_some() {}
}

fn signal(pid: u32, sig: libc::c_int) {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return;
    };
    // SAFETY: kill(2) with plain integers.
    unsafe {
        libc::kill(pid, sig);
    }
}
