//! SQLite (single host) transport: every subscribed process binds a Unix
//! datagram socket in a shared directory; publishers send each event to every
//! socket there and delete the ones nobody listens on any more.

use std::io::ErrorKind;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::hub::Hub;
use super::Event;
use crate::error::{Error, Result};

/// File name suffix of the listening sockets.
const SUFFIX: &str = ".sock";

/// How long a send may wait for a listener whose queue is full.
const SEND_TIMEOUT: Duration = Duration::from_millis(250);

/// Sends events to all listening sockets in a directory.
#[derive(Debug)]
pub(crate) struct UnixPublisher {
    dir: PathBuf,
    socket: UnixDatagram,
}

impl UnixPublisher {
    /// A publisher for `dir` (created if missing).
    pub(crate) fn new(dir: PathBuf) -> Result<Self> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let socket = UnixDatagram::unbound().map_err(|e| Error::io("creating notify socket", e))?;
        socket
            .set_write_timeout(Some(SEND_TIMEOUT))
            .map_err(|e| Error::io("configuring notify socket", e))?;
        Ok(Self { dir, socket })
    }

    /// The directory listeners bind in.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Best-effort delivery of `events` to every listener; failures are logged.
    pub(crate) fn send(&self, events: &[Event]) {
        if events.is_empty() {
            return;
        }
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(dir = %self.dir.display(), error = %e, "cannot list notify sockets");
                return;
            }
        };
        let messages: Vec<String> = events.iter().map(Event::encode).collect();
        for entry in entries.flatten() {
            let path = entry.path();
            if !path.to_string_lossy().ends_with(SUFFIX) {
                continue;
            }
            for msg in &messages {
                match self.socket.send_to(msg.as_bytes(), &path) {
                    Ok(_) => {}
                    Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                        // Its process is gone: remove the stale socket.
                        let _ = std::fs::remove_file(&path);
                        break;
                    }
                    Err(e) if e.kind() == ErrorKind::NotFound => break,
                    Err(e) => {
                        tracing::warn!(socket = %path.display(), error = %e, "task event not delivered");
                        break;
                    }
                }
            }
        }
    }
}

/// This process's listening socket and its receiver thread.
#[derive(Debug)]
pub(crate) struct UnixListener {
    path: PathBuf,
    socket: UnixDatagram,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl UnixListener {
    /// Binds a fresh socket in `dir` and starts dispatching to `hub`.
    pub(crate) fn start(dir: &Path, hub: Arc<Hub>) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let name = format!(
            "{}-{:08x}{SUFFIX}",
            std::process::id(),
            rand::random::<u32>()
        );
        let path = dir.join(name);
        let socket = UnixDatagram::bind(&path)
            .map_err(|e| Error::io(format!("binding {}", path.display()), e))?;
        let rx = socket
            .try_clone()
            .map_err(|e| Error::io("cloning notify socket", e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_rx = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("configdb-notify".into())
            .spawn(move || receive(rx, hub, stop_rx))
            .map_err(|e| Error::io("spawning notify thread", e))?;
        Ok(Self {
            path,
            socket,
            stop,
            thread: Some(thread),
        })
    }
}

/// Receiver loop: blocks in `recv` until a datagram or shutdown.
fn receive(socket: UnixDatagram, hub: Arc<Hub>, stop: Arc<AtomicBool>) {
    let mut buf = [0u8; 512];
    loop {
        let received = socket.recv(&mut buf);
        if stop.load(Ordering::SeqCst) {
            return;
        }
        match received {
            Ok(n) => {
                if let Some(ev) = std::str::from_utf8(&buf[..n]).ok().and_then(Event::decode) {
                    super::dispatch(&hub, ev);
                }
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => {
                tracing::error!(error = %e, "notify socket failed; waiters fall back to timeouts");
                hub.bump_all();
                return;
            }
        }
    }
}

impl Drop for UnixListener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocked `recv`; the datagram below is a second nudge.
        let _ = self.socket.shutdown(std::net::Shutdown::Both);
        if let Ok(s) = UnixDatagram::unbound() {
            let _ = s.set_write_timeout(Some(SEND_TIMEOUT));
            let _ = s.send_to(b"Q", &self.path);
        }
        let _ = std::fs::remove_file(&self.path);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
