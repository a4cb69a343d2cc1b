//! PostgreSQL transport: `NOTIFY` inside the writing transaction, and one
//! dedicated libpq connection per subscribed process that `LISTEN`s and
//! blocks in `poll(2)` on its socket (plus a wake-up socket for shutdown).
#![allow(unsafe_code)] // system calls; each `unsafe` block says why it is sound

use std::ffi::{CStr, CString};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use diesel::sql_types::Text;
use diesel::{PgConnection, RunQueryDsl};
use pq_sys as pq;

use super::hub::Hub;
use super::Event;
use crate::error::{Error, Result};

/// The `LISTEN`/`NOTIFY` channel of task events.
pub(crate) const CHANNEL: &str = "codechecker_configdb_events";

/// Queues `ev` for delivery when the current transaction commits.
pub(crate) fn notify(conn: &mut PgConnection, ev: &Event) -> Result<()> {
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(ev.encode())
        .execute(conn)?;
    Ok(())
}

/// Routes libpq's notices (e.g. "terminating connection") to `tracing`
/// instead of stderr.
extern "C" fn log_notice(_arg: *mut libc::c_void, message: *const libc::c_char) {
    if message.is_null() {
        return;
    }
    // SAFETY: libpq passes a valid NUL-terminated message.
    let msg = unsafe { CStr::from_ptr(message) };
    tracing::debug!(notice = %msg.to_string_lossy().trim(), "task event listener");
}

/// An owned libpq connection used only by the listener thread.
struct RawConn(NonNull<pq::PGconn>);

// SAFETY: libpq connections may move between threads as long as only one
// thread uses them at a time; `RawConn` is owned by exactly one thread.
unsafe impl Send for RawConn {}

impl RawConn {
    /// Connects to `url` and subscribes to [`CHANNEL`].
    fn listen(url: &str) -> std::result::Result<Self, String> {
        let url = CString::new(url).map_err(|_| "URL contains a NUL byte".to_owned())?;
        // SAFETY: `url` is a valid C string; the result is checked for NULL.
        let raw = unsafe { pq::PQconnectdb(url.as_ptr()) };
        let conn = RawConn(NonNull::new(raw).ok_or("libpq could not allocate a connection")?);
        // SAFETY: `conn` holds a live PGconn; the processor is a plain function
        // that ignores its (null) argument.
        unsafe {
            if pq::PQstatus(conn.0.as_ptr()) != pq::ConnStatusType::CONNECTION_OK {
                return Err(conn.error_message());
            }
            pq::PQsetNoticeProcessor(conn.0.as_ptr(), Some(log_notice), std::ptr::null_mut());
        }
        conn.exec(&format!("LISTEN {CHANNEL}"))?;
        Ok(conn)
    }

    fn error_message(&self) -> String {
        // SAFETY: PQerrorMessage returns a string owned by the live connection.
        let msg = unsafe { CStr::from_ptr(pq::PQerrorMessage(self.0.as_ptr())) };
        msg.to_string_lossy().trim().to_owned()
    }

    fn exec(&self, sql: &str) -> std::result::Result<(), String> {
        let sql = CString::new(sql).map_err(|_| "SQL contains a NUL byte".to_owned())?;
        // SAFETY: live connection and valid C string; the result is cleared below.
        let res = unsafe { pq::PQexec(self.0.as_ptr(), sql.as_ptr()) };
        if res.is_null() {
            return Err(self.error_message());
        }
        // SAFETY: `res` is a non-null result owned by us.
        let status = unsafe { pq::PQresultStatus(res) };
        // SAFETY: as above; cleared exactly once.
        unsafe { pq::PQclear(res) };
        if status == pq::ExecStatusType::PGRES_COMMAND_OK {
            Ok(())
        } else {
            Err(self.error_message())
        }
    }

    fn socket(&self) -> libc::c_int {
        // SAFETY: live connection.
        unsafe { pq::PQsocket(self.0.as_ptr()) }
    }

    /// Reads what arrived on the socket; `Err` when the connection broke.
    fn consume(&self) -> std::result::Result<(), String> {
        // SAFETY: live connection.
        if unsafe { pq::PQconsumeInput(self.0.as_ptr()) } == 0 {
            return Err(self.error_message());
        }
        Ok(())
    }

    /// The next buffered notification's payload on our channel.
    fn next_payload(&self) -> Option<Option<String>> {
        // SAFETY: live connection; a non-null result is freed below.
        let n = unsafe { pq::PQnotifies(self.0.as_ptr()) };
        let n = NonNull::new(n)?;
        // SAFETY: libpq guarantees `relname` and `extra` are valid C strings.
        let (channel, payload) = unsafe {
            let r = n.as_ref();
            (
                CStr::from_ptr(r.relname).to_string_lossy().into_owned(),
                CStr::from_ptr(r.extra).to_string_lossy().into_owned(),
            )
        };
        // SAFETY: the notification was allocated by libpq and is freed once.
        unsafe { pq::PQfreemem(n.as_ptr().cast()) };
        Some((channel == CHANNEL).then_some(payload))
    }
}

impl Drop for RawConn {
    fn drop(&mut self) {
        // SAFETY: the connection is live and finished exactly once.
        unsafe { pq::PQfinish(self.0.as_ptr()) };
    }
}

/// The listener thread and the means to stop it.
#[derive(Debug)]
pub(crate) struct PgListener {
    stop: Arc<AtomicBool>,
    wake: UnixStream,
    thread: Option<JoinHandle<()>>,
}

impl PgListener {
    /// Connects and `LISTEN`s before returning, so that no event published
    /// after this call can be missed; then dispatches to `hub` in a thread.
    pub(crate) fn start(url: &str, hub: Arc<Hub>) -> Result<Self> {
        let conn = RawConn::listen(url).map_err(Error::Listener)?;
        let (wake, wake_rx) =
            UnixStream::pair().map_err(|e| Error::io("creating wake-up socket", e))?;
        let stop = Arc::new(AtomicBool::new(false));
        let worker = Worker {
            url: url.to_owned(),
            hub,
            stop: Arc::clone(&stop),
            wake_rx,
        };
        let thread = std::thread::Builder::new()
            .name("configdb-listen".into())
            .spawn(move || worker.run(conn))
            .map_err(|e| Error::io("spawning listener thread", e))?;
        Ok(Self {
            stop,
            wake,
            thread: Some(thread),
        })
    }
}

impl Drop for PgListener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = std::io::Write::write_all(&mut &self.wake, b"q");
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Worker {
    url: String,
    hub: Arc<Hub>,
    stop: Arc<AtomicBool>,
    wake_rx: UnixStream,
}

/// What ended a serving session.
enum Ended {
    Stop,
    Lost(String),
}

impl Worker {
    fn run(self, first: RawConn) {
        let mut conn = Some(first);
        let mut backoff = Duration::from_millis(100);
        while !self.stop.load(Ordering::SeqCst) {
            let current = match conn.take() {
                Some(c) => c,
                None => match RawConn::listen(&self.url) {
                    Ok(c) => {
                        tracing::info!("task event listener reconnected");
                        backoff = Duration::from_millis(100);
                        // Events during the outage are lost: make waiters re-check.
                        self.hub.bump_all();
                        c
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "task event listener cannot reconnect");
                        if self.sleep_unless_woken(backoff) {
                            return;
                        }
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                        continue;
                    }
                },
            };
            match self.serve(&current) {
                Ended::Stop => return,
                Ended::Lost(e) => {
                    tracing::warn!(error = %e, "task event listener lost its connection");
                    self.hub.bump_all();
                }
            }
        }
    }

    /// Waits on both sockets; returns when stopped or the connection broke.
    fn serve(&self, conn: &RawConn) -> Ended {
        loop {
            // Drain anything libpq already buffered before blocking.
            if let Err(e) = conn.consume() {
                return Ended::Lost(e);
            }
            while let Some(payload) = conn.next_payload() {
                if let Some(ev) = payload.as_deref().and_then(Event::decode) {
                    super::dispatch(&self.hub, ev);
                }
            }
            let fd = conn.socket();
            if fd < 0 {
                return Ended::Lost("connection has no socket".into());
            }
            match self.poll(fd, -1) {
                Ok(true) => return Ended::Stop,
                Ok(false) => {}
                Err(e) => return Ended::Lost(e),
            }
        }
    }

    /// Blocks until the wake-up socket or `pg_fd` (ignored when negative) is
    /// readable, or `timeout_ms` passes; `Ok(true)` means stop.
    fn poll(
        &self,
        pg_fd: libc::c_int,
        timeout_ms: libc::c_int,
    ) -> std::result::Result<bool, String> {
        let mut fds = [
            libc::pollfd {
                fd: self.wake_rx.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: pg_fd,
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        let count: libc::nfds_t = if pg_fd >= 0 { 2 } else { 1 };
        loop {
            // SAFETY: `fds` is a valid array of `count` pollfd entries.
            let r = unsafe { libc::poll(fds.as_mut_ptr(), count, timeout_ms) };
            if r >= 0 {
                break;
            }
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(format!("poll: {err}"));
            }
        }
        Ok(fds[0].revents != 0 || self.stop.load(Ordering::SeqCst))
    }

    /// Sleeps `d` unless woken for shutdown; `true` means stop.
    fn sleep_unless_woken(&self, d: Duration) -> bool {
        let ms = libc::c_int::try_from(d.as_millis()).unwrap_or(libc::c_int::MAX);
        self.poll(-1, ms).unwrap_or(true) || self.stop.load(Ordering::SeqCst)
    }
}
