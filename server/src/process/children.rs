//! Starting child processes of the server: the listening socket they inherit,
//! and their death when the supervisor dies.
#![allow(unsafe_code)] // system calls; each `unsafe` block says why it is sound

use std::ffi::OsString;
use std::net::TcpListener;
use std::os::fd::{AsRawFd, RawFd};
use std::process::Stdio;

use anyhow::Context;

use crate::cli::Role;

/// Makes `listener` survive `exec` so API children can accept on it.
pub fn make_inheritable(listener: &TcpListener) -> anyhow::Result<RawFd> {
    let fd = listener.as_raw_fd();
    // SAFETY: fcntl on a file descriptor we own, with integer arguments only.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFD) };
    if flags < 0 {
        return Err(std::io::Error::last_os_error()).context("fcntl(F_GETFD) on the listener");
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) } < 0 {
        return Err(std::io::Error::last_os_error()).context("fcntl(F_SETFD) on the listener");
    }
    Ok(fd)
}

/// Starts this executable again in `role`, with the supervisor's own arguments.
///
/// The child gets SIGTERM when the supervisor dies, however it dies, so no
/// orphan keeps serving or holding tasks.
pub fn spawn(
    role: Role,
    index: usize,
    args: &[OsString],
    listen_fd: Option<RawFd>,
) -> anyhow::Result<tokio::process::Child> {
    let exe = std::env::current_exe().context("cannot find the server executable")?;
    let mut command = tokio::process::Command::new(exe);
    command
        .args(args)
        .arg("--role")
        .arg(role.name())
        .arg("--child-index")
        .arg(index.to_string())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if let Some(fd) = listen_fd {
        command.arg("--listen-fd").arg(fd.to_string());
    }
    // SAFETY: the closure only calls async-signal-safe functions (prctl, getppid).
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The supervisor may have died between fork and prctl.
            if libc::getppid() == 1 {
                return Err(std::io::Error::other("the supervisor is gone"));
            }
            Ok(())
        });
    }
    command
        .spawn()
        .with_context(|| format!("cannot start a {} process", role.name()))
}

/// The arguments the supervisor was started with, minus the ones it sets for
/// its children (role, index, listener and machine id).
pub fn passthrough_args() -> Vec<OsString> {
    let mut out = Vec::new();
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        let internal = ["--role", "--child-index", "--listen-fd", "--machine-id"];
        if internal.contains(&text.as_ref()) {
            args.next();
            continue;
        }
        if internal
            .iter()
            .any(|flag| text.starts_with(&format!("{flag}=")))
        {
            continue;
        }
        out.push(arg);
    }
    out
}
