//! CodeChecker's own server (6.29.1 from the venv) as the reference to compare
//! with, on a fresh SQLite workspace.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http;
use super::python::Venv;
use super::server::{signal, spawn_bound_to_test, wait_timeout};

/// How long CodeChecker's server may take to start (it creates its databases).
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A running reference server.
pub struct RefServer {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
}

impl RefServer {
    /// Starts `CodeChecker server` on a free port. With `test_mode` the
    /// server runs with `TEST_WORKSPACE` set, which enables `createDummyTask`.
    pub fn start(test_mode: bool) -> Self {
        Self::launch(test_mode, false, None)
    }

    /// Starts the server in test mode with dictionary authentication on:
    /// `users` are `name:password` entries, the first one the superuser.
    pub fn start_with_auth(users: &[&str]) -> Self {
        Self::launch(true, false, Some(users))
    }

    /// Starts the server; a `detached` one outlives the thread that started
    /// it (no parent-death signal), for servers shared by several tests.
    fn launch(test_mode: bool, detached: bool, auth: Option<&[&str]>) -> Self {
        let mut dir = tempfile::Builder::new()
            .prefix("ccref-test-")
            .tempdir()
            .expect("create a temporary workspace");
        if let Some(users) = auth {
            write_auth_config(&dir.path().join("workspace"), users);
        }
        let log = std::fs::File::create(dir.path().join("server.log")).expect("create the log");
        let mut last_err = String::new();
        // The port is probed free, then bound by Python: retry on a lost race.
        for _ in 0..3 {
            let port = super::free_port();
            let mut cmd = Command::new(Venv::Current.codechecker());
            cmd.arg("server")
                .arg("-w")
                .arg(dir.path().join("workspace"))
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--skip-db-cleanup"])
                .args([
                    "--api-handler-processes",
                    "2",
                    "--task-worker-processes",
                    "2",
                ])
                .env("HOME", dir.path())
                .env_remove("TEST_WORKSPACE")
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("clone the log handle"))
                .stderr(log.try_clone().expect("clone the log handle"));
            if test_mode {
                cmd.env("TEST_WORKSPACE", dir.path());
            }
            // SAFETY: setsid(2) is async-signal-safe.
            unsafe {
                cmd.pre_exec(|| {
                    libc::setsid();
                    Ok(())
                });
            }
            // With a parent-death signal; a detached server is spawned from a
            // thread that lives as long as the test process.
            let child = spawn_bound_to_test(cmd, detached);
            let mut server = RefServer {
                child: Some(child),
                port,
                dir,
            };
            match server.wait_ready(auth.is_some()) {
                Ok(()) => return server,
                Err(err) => {
                    last_err = err;
                    dir = server.take_dir();
                }
            }
        }
        panic!("CodeChecker's server did not start: {last_err}");
    }

    /// Like [`RefServer::start`], for a server shared by every test of the
    /// binary: it lives until the test process exits.
    pub fn start_shared(test_mode: bool) -> &'static RefServer {
        let server: &'static RefServer = Box::leak(Box::new(Self::launch(test_mode, true, None)));
        let pid = server.child.as_ref().map(std::process::Child::id);
        let dir = server.dir.path().to_path_buf();
        super::at_exit(move || {
            if let Some(pid) = pid {
                signal(pid, libc::SIGTERM);
                std::thread::sleep(Duration::from_millis(500));
                if let Ok(pgid) = libc::pid_t::try_from(pid) {
                    // SAFETY: kill(2) on the process group the server leads.
                    unsafe {
                        libc::kill(-pgid, libc::SIGKILL);
                    }
                }
            }
            let _ = std::fs::remove_dir_all(&dir);
        });
        server
    }

    fn take_dir(mut self) -> tempfile::TempDir {
        self.shutdown();
        let placeholder = tempfile::tempdir().expect("create a temporary directory");
        std::mem::replace(&mut self.dir, placeholder)
    }

    /// Waits until the `Default` product answers. With authentication on,
    /// the product list needs a login, so the product's version call (open to
    /// guests) is asked instead.
    fn wait_ready(&mut self, auth: bool) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let (path, method) = if auth {
            ("/Default/v6.74/CodeCheckerService", "getPackageVersion")
        } else {
            ("/v6.74/Products", "getProducts")
        };
        let body = http::thrift_call(method, 1, "{}");
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], self.port));
        loop {
            if let Ok(reply) = http::post_thrift(addr, path, &body, Duration::from_secs(10)) {
                let ready = if auth {
                    reply.text().contains(method)
                } else {
                    reply.text().contains("Default")
                };
                if reply.status == 200 && ready {
                    return Ok(());
                }
            }
            if let Some(child) = self.child.as_mut() {
                if let Ok(Some(status)) = child.try_wait() {
                    self.child = None;
                    return Err(format!("it exited ({status})\n{}", self.log()));
                }
            }
            if Instant::now() >= deadline {
                return Err(format!("no answer in {START_TIMEOUT:?}\n{}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The address it listens on.
    pub fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://localhost:<port>`, as users pass it to `CodeChecker cmd`.
    pub fn cli_url(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// The URL of the `Default` product, as users pass it to `CodeChecker cmd`.
    pub fn product_url(&self) -> String {
        format!("{}/Default", self.cli_url())
    }

    /// The workspace folder.
    pub fn workspace(&self) -> PathBuf {
        self.dir.path().join("workspace")
    }

    /// What the server logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn shutdown(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let pid = child.id();
        signal(pid, libc::SIGTERM);
        if wait_timeout(&mut child, Duration::from_secs(20)).is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // Whatever is left of its process group (worker processes).
        if let Ok(pgid) = libc::pid_t::try_from(pid) {
            // SAFETY: kill(2) on the process group the server leads.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
}

impl Drop for RefServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Writes `server_config.json` into `workspace`: the venv's template with
/// dictionary authentication on for `users` (`name:password`, the first one
/// the superuser), readable by its owner only (CodeChecker insists).
fn write_auth_config(workspace: &std::path::Path, users: &[&str]) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(workspace).expect("create the workspace");
    let template = Venv::Current
        .root()
        .join("share/codechecker/config/server_config.json");
    let text = std::fs::read(&template).expect("read the server_config.json template");
    let mut config: serde_json::Value = serde_json::from_slice(&text).expect("template is JSON");
    let auth = &mut config["authentication"];
    auth["enabled"] = true.into();
    auth["super_user"] = users
        .first()
        .and_then(|u| u.split(':').next())
        .unwrap_or("admin")
        .into();
    auth["method_dictionary"] = serde_json::json!({"enabled": true, "auths": users, "groups": {}});
    let path = workspace.join("server_config.json");
    std::fs::write(&path, serde_json::to_vec_pretty(&config).expect("JSON"))
        .expect("write server_config.json");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
        .expect("chmod server_config.json");
}
