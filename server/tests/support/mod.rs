//! Shared helpers of the server's integration tests: our server in a temporary
//! workspace, the real CodeChecker (clients, Python API driver, reference
//! server), scratch PostgreSQL databases and a raw HTTP client.
#![allow(dead_code)]

pub mod browser;
pub mod clang;
pub mod http;
pub mod pg;
pub mod python;
pub mod reference;
pub mod server;
pub mod store;
pub mod tasks;

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Polls `probe` every `every` until it returns `Some`, or panics with `what`
/// after `timeout`.
pub fn wait_for<T>(
    what: &str,
    timeout: Duration,
    every: Duration,
    mut probe: impl FnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(every);
    }
}

/// The current UTC time as epoch seconds (independent of the TZ variable).
pub fn utc_now_epoch() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A TCP port that was free a moment ago (for servers that cannot report the
/// port they bound, like CodeChecker's).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// The repository root (the workspace of this package's parent).
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the server package lives in the repository")
        .to_path_buf()
}

type ExitHook = Box<dyn FnOnce() + Send>;

/// What runs when the test process exits, latest registration first.
static AT_EXIT: Mutex<Vec<ExitHook>> = Mutex::new(Vec::new());

/// Runs `hook` when the test process exits normally (the test harness ends
/// with `exit`), e.g. to stop a server shared by all tests of a binary.
pub fn at_exit(hook: impl FnOnce() + Send + 'static) {
    let mut hooks = AT_EXIT.lock().unwrap_or_else(|e| e.into_inner());
    if hooks.is_empty() {
        // SAFETY: registering a plain `extern "C"` function.
        unsafe {
            libc::atexit(run_exit_hooks);
        }
    }
    hooks.push(Box::new(hook));
}

extern "C" fn run_exit_hooks() {
    let hooks = std::mem::take(&mut *AT_EXIT.lock().unwrap_or_else(|e| e.into_inner()));
    for hook in hooks.into_iter().rev() {
        hook();
    }
}
