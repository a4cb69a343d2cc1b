//! What the workspace's integration tests share: scratch PostgreSQL databases
//! (with the CI rule: unreachable PostgreSQL fails under `CI=true`), our
//! server and CodeChecker's started and stopped, CodeChecker's Python API
//! and clients from the test venvs, a raw HTTP client, exit hooks and
//! polling. A dev-dependency only; nothing here ships.
//!
//! Starting and stopping processes needs a few system calls (process groups,
//! signals, `atexit`), hence `unsafe` here, each with its `SAFETY:` note.
#![allow(unsafe_code)]

pub mod balancer;
pub mod http;
pub mod pg;
pub mod python;
pub mod reference;
pub mod server;

use std::path::{Path, PathBuf};
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

/// The repository root (this crate lives in `crates/testkit`).
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .expect("the testkit crate lives in <repo>/crates/testkit")
        .to_path_buf()
}

/// A binary of this workspace (`codechecker-server`, `codechecker-client`):
/// next to the running test's own target directory, built with `cargo build -p
/// <package>` when missing. Cargo builds a package's own binaries before its
/// integration tests; this is for the other package's.
pub fn workspace_bin(package: &str, bin: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable");
    // <target>/<profile>/deps/<test> -> <target>/<profile>
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from <target>/<profile>/deps")
        .to_owned();
    let path = profile_dir.join(bin);
    static BUILD: Mutex<()> = Mutex::new(());
    let _one_build_at_a_time = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if !path.exists() {
        let target = profile_dir.parent().expect("the target directory");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut args = vec!["build", "-p", package, "--bin", bin];
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            args.push("--release");
        }
        let status = std::process::Command::new(cargo)
            .args(&args)
            .env("CARGO_TARGET_DIR", target)
            .current_dir(repo_root())
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build -p {package} failed");
    }
    path
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
