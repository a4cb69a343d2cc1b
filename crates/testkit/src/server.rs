//! Our server under test: started on a free port in a temporary workspace,
//! ready when it answers a Thrift call, stopped with SIGTERM.

use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::http;

/// Our server's executable, built for the running tests' profile.
pub fn server_bin() -> PathBuf {
    super::workspace_bin("codechecker-server", "codechecker-server")
}

/// How long a server may take to answer its first call.
const START_TIMEOUT: Duration = Duration::from_secs(60);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// How to start a server.
#[derive(Debug, Clone)]
pub struct ServerBuilder {
    api: usize,
    workers: usize,
    test_mode: bool,
    lease_secs: Option<u64>,
    machine_id: String,
    config_db: Option<String>,
    max_body_bytes: Option<usize>,
    workspace: Option<PathBuf>,
    env: Vec<(String, String)>,
    extra: Vec<String>,
    files: Vec<(PathBuf, String)>,
}

impl Default for ServerBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ServerBuilder {
    /// One API and one worker process, test mode on, a unique machine id
    /// (so a restart on the same workspace runs the same queue).
    pub fn new() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        Self {
            api: 1,
            workers: 1,
            test_mode: true,
            lease_secs: None,
            machine_id: format!("test-{}-{n}", std::process::id()),
            config_db: None,
            max_body_bytes: None,
            workspace: None,
            env: Vec::new(),
            extra: Vec::new(),
            files: Vec::new(),
        }
    }

    /// `--api-processes`.
    pub fn api(mut self, n: usize) -> Self {
        self.api = n;
        self
    }

    /// `--worker-processes`.
    pub fn workers(mut self, n: usize) -> Self {
        self.workers = n;
        self
    }

    /// Whether `--test-mode` is given (`createDummyTask` allowed).
    pub fn test_mode(mut self, on: bool) -> Self {
        self.test_mode = on;
        self
    }

    /// `--task-lease-secs`.
    pub fn lease_secs(mut self, secs: u64) -> Self {
        self.lease_secs = Some(secs);
        self
    }

    /// `--machine-id`.
    pub fn machine_id(mut self, id: impl Into<String>) -> Self {
        self.machine_id = id.into();
        self
    }

    /// `--config-db` (default: SQLite in the workspace).
    pub fn config_db(mut self, url: impl Into<String>) -> Self {
        self.config_db = Some(url.into());
        self
    }

    /// `--max-body-bytes`.
    pub fn max_body_bytes(mut self, n: usize) -> Self {
        self.max_body_bytes = Some(n);
        self
    }

    /// `--workspace` (default: `workspace` in the server's temporary folder,
    /// which keeps its logs in any case), e.g. on a small file system.
    pub fn workspace(mut self, dir: impl Into<PathBuf>) -> Self {
        self.workspace = Some(dir.into());
        self
    }

    /// An environment variable of the server processes.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// More command-line arguments.
    pub fn arg(mut self, arg: &str) -> Self {
        self.extra.push(arg.to_owned());
        self
    }

    /// A file written into the workspace (owner-only) before the first
    /// start, e.g. `server_config.json`.
    pub fn workspace_file(mut self, relative: &str, contents: &str) -> Self {
        self.files
            .push((PathBuf::from(relative), contents.to_owned()));
        self
    }

    /// The machine id the server will use.
    pub fn machine(&self) -> &str {
        &self.machine_id
    }

    /// Starts the server in a fresh temporary workspace and waits until it
    /// answers.
    pub fn start(self) -> Server {
        let dir = tempfile::Builder::new()
            .prefix("ccsrv-test-")
            .tempdir()
            .expect("create a temporary workspace");
        let mut server = Server {
            builder: self,
            child: None,
            addr: None,
            dir,
            starts: 0,
        };
        server.launch(false);
        server
    }

    /// Like [`ServerBuilder::start`], for a server shared by every test of
    /// the binary: it lives until the test process exits (then it gets
    /// SIGTERM and its workspace is removed).
    pub fn start_shared(self) -> &'static Server {
        let dir = tempfile::Builder::new()
            .prefix("ccsrv-test-")
            .tempdir()
            .expect("create a temporary workspace");
        let mut server = Server {
            builder: self,
            child: None,
            addr: None,
            dir,
            starts: 0,
        };
        server.launch(true);
        let server: &'static Server = Box::leak(Box::new(server));
        register_shared(server.pid(), server.dir.path().to_path_buf());
        server
    }
}

/// A running (or stopped) server and its workspace.
pub struct Server {
    builder: ServerBuilder,
    child: Option<Child>,
    addr: Option<SocketAddr>,
    dir: tempfile::TempDir,
    starts: usize,
}

impl Server {
    fn launch(&mut self, detached: bool) {
        assert!(self.child.is_none(), "the server is already running");
        self.starts += 1;
        let workspace = self.workspace();
        let b = &self.builder;
        if self.starts == 1 {
            for (relative, contents) in &b.files {
                write_private(&workspace.join(relative), contents);
            }
        }
        let port_file = self.dir.path().join(format!("port-{}", self.starts));
        let log = std::fs::File::create(self.log_path(self.starts)).expect("create the log file");
        let mut cmd = Command::new(server_bin());
        cmd.arg("--workspace")
            .arg(&workspace)
            .args(["--port", "0", "--port-file"])
            .arg(&port_file)
            .args(["--api-processes", &b.api.to_string()])
            .args(["--worker-processes", &b.workers.to_string()])
            .args(["--machine-id", &b.machine_id])
            .args(["--shutdown-grace-secs", "5"]);
        if b.test_mode {
            cmd.arg("--test-mode");
        }
        if let Some(secs) = b.lease_secs {
            cmd.args(["--task-lease-secs", &secs.to_string()]);
        }
        if let Some(url) = &b.config_db {
            cmd.args(["--config-db", url]);
        }
        if let Some(n) = b.max_body_bytes {
            cmd.args(["--max-body-bytes", &n.to_string()]);
        }
        cmd.args(&b.extra)
            .env_remove("TEST_WORKSPACE")
            .env_remove("RUST_LOG")
            .env_remove("CC_SERVER_CONFIG_DB")
            .env_remove("CC_SERVER_WORKSPACE")
            .env("NO_COLOR", "1")
            .envs(b.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("clone the log handle"))
            .stderr(log);
        let child = spawn_bound_to_test(cmd, detached);
        self.child = Some(child);
        let addr = self.wait_port_file(&port_file);
        self.addr = Some(addr);
        self.wait_ready();
    }

    fn wait_port_file(&mut self, path: &Path) -> SocketAddr {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(addr) = std::fs::read_to_string(path)
                .ok()
                .and_then(|text| text.trim().parse().ok())
            {
                return addr;
            }
            self.assert_running("before listening");
            assert!(
                Instant::now() < deadline,
                "the server wrote no port file in {START_TIMEOUT:?}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until a `ServerInfo.getPackageVersion` call succeeds.
    pub fn wait_ready(&mut self) {
        let deadline = Instant::now() + START_TIMEOUT;
        let body = http::thrift_call("getPackageVersion", 1, "{}");
        loop {
            let reply = http::post_thrift(
                self.addr(),
                "/v6.74/ServerInfo",
                &body,
                Duration::from_secs(5),
            );
            if reply.is_ok_and(|r| r.status == 200 && r.text().contains("6.")) {
                return;
            }
            self.assert_running("while starting");
            assert!(
                Instant::now() < deadline,
                "the server did not answer in {START_TIMEOUT:?}\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn assert_running(&mut self, when: &str) {
        if let Some(child) = self.child.as_mut() {
            if let Ok(Some(status)) = child.try_wait() {
                self.child = None;
                panic!("the server exited {when} ({status})\n{}", self.log());
            }
        }
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr.expect("the server has an address once started")
    }

    /// `http://127.0.0.1:<port>`, the server-wide URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr())
    }

    /// `http://localhost:<port>`, as users pass it to `CodeChecker cmd`.
    pub fn cli_url(&self) -> String {
        format!("http://localhost:{}", self.addr().port())
    }

    /// The URL of the `Default` product (for `CodeChecker cmd runs` etc.).
    pub fn product_url(&self) -> String {
        format!("{}/Default", self.cli_url())
    }

    /// The supervisor's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("the server is running").id()
    }

    /// The machine id the server runs with.
    pub fn machine_id(&self) -> &str {
        &self.builder.machine_id
    }

    /// The server's workspace folder.
    pub fn workspace(&self) -> PathBuf {
        self.builder
            .workspace
            .clone()
            .unwrap_or_else(|| self.dir.path().join("workspace"))
    }

    /// The configuration database URL (for opening it from the test).
    pub fn config_url(&self) -> String {
        match &self.builder.config_db {
            Some(url) => url.clone(),
            None => self.workspace().join("config.sqlite").display().to_string(),
        }
    }

    fn log_path(&self, start: usize) -> PathBuf {
        self.dir.path().join(format!("server-{start}.log"))
    }

    /// Everything the server logged, over all its starts.
    pub fn log(&self) -> String {
        (1..=self.starts)
            .filter_map(|n| std::fs::read_to_string(self.log_path(n)).ok())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Panics if the supervisor logged that a child process died.
    pub fn assert_no_child_died(&self) {
        let log = self.log();
        assert!(
            !log.contains("died"),
            "a server process died:\n{}",
            log.lines()
                .filter(|l| l.contains("died"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// The supervisor's children as `(pid, role)`.
    pub fn children(&self) -> Vec<(u32, String)> {
        children_of(self.pid())
    }

    /// The pid of a background worker process.
    pub fn worker_pid(&self) -> u32 {
        self.children()
            .into_iter()
            .find(|(_, role)| role == "worker")
            .map(|(pid, _)| pid)
            .expect("a worker process")
    }

    /// SIGTERM to the supervisor; waits (up to 30 s) until it exited.
    pub fn stop(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("the server is running");
        signal(child.id(), libc::SIGTERM);
        let status = wait_timeout(&mut child, Duration::from_secs(30));
        status.unwrap_or_else(|| {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "the server did not stop within 30 s of SIGTERM\n{}",
                self.log()
            )
        })
    }

    /// Kills the whole server at once, as a power cut would: the supervisor
    /// is stopped first (so it neither restarts a child nor lets them hear of
    /// its death), every child is stopped, then all get SIGKILL. Nothing runs
    /// a shutdown path; the workspace stays for [`Server::restart`].
    pub fn kill_all(&mut self) {
        let mut child = self.child.take().expect("the server is running");
        let supervisor = child.id();
        signal(supervisor, libc::SIGSTOP);
        let children = children_of(supervisor);
        for (pid, _) in &children {
            signal(*pid, libc::SIGSTOP);
        }
        for (pid, _) in &children {
            signal(*pid, libc::SIGKILL);
        }
        signal(supervisor, libc::SIGKILL);
        let _ = child.wait();
        for (pid, _) in &children {
            let deadline = Instant::now() + Duration::from_secs(10);
            while alive(*pid) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }

    /// Starts the server again on the same workspace and machine id (on a new
    /// port).
    pub fn restart(&mut self) {
        self.launch(false);
    }

    /// Like [`Server::restart`], with settings changed by `change` (the
    /// workspace and, unless changed, the machine id stay).
    pub fn restart_with(&mut self, change: impl FnOnce(ServerBuilder) -> ServerBuilder) {
        self.builder = change(self.builder.clone());
        self.launch(false);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal(child.id(), libc::SIGTERM);
            if wait_timeout(&mut child, Duration::from_secs(15)).is_none() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

/// Writes `contents` to `path` (creating folders), readable by the owner only.
fn write_private(path: &Path, contents: &str) {
    use std::os::unix::fs::PermissionsExt;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create the folder of a workspace file");
    }
    std::fs::write(path, contents).expect("write a workspace file");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .expect("restrict a workspace file");
}

/// Sends `sig` to process `pid`.
pub fn signal(pid: u32, sig: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) with plain integers.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// Waits for `child` up to `timeout`.
pub fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether process `pid` exists (and is not a zombie).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// The children of `parent` among all processes, as `(pid, role)`, where the
/// role is the value of their `--role` argument (empty if none).
pub fn children_of(parent: u32) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after the command name: state, ppid, ...
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next().unwrap_or("");
        let ppid: u32 = fields.next().and_then(|p| p.parse().ok()).unwrap_or(0);
        if ppid != parent || state == "Z" {
            continue;
        }
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let args: Vec<String> = cmdline
            .split(|&b| b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let role = args
            .iter()
            .position(|a| a == "--role")
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or_default();
        found.push((pid, role));
    }
    found.sort();
    found
}

/// Spawns `cmd` so that it gets SIGTERM when the test process dies. With
/// `detached`, the spawning thread lives as long as the process (the death
/// signal follows the thread that forked, not the process).
pub fn spawn_bound_to_test(mut cmd: Command, detached: bool) -> Child {
    // SAFETY: the closure only calls async-signal-safe prctl(2).
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    if !detached {
        return cmd.spawn().expect("start the server");
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(cmd.spawn());
        loop {
            std::thread::park();
        }
    });
    rx.recv()
        .expect("the spawning thread answers")
        .expect("start the server")
}

/// Has `pid` stopped at exit (SIGTERM, then SIGKILL after 15 s) and `dir`
/// removed.
fn register_shared(pid: u32, dir: PathBuf) {
    super::at_exit(move || {
        signal(pid, libc::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(15);
        let Ok(raw) = libc::pid_t::try_from(pid) else {
            return;
        };
        loop {
            let mut status = 0;
            // SAFETY: waitpid(2) on our own child with a valid out pointer.
            let done = unsafe { libc::waitpid(raw, &mut status, libc::WNOHANG) };
            if done != 0 {
                break;
            }
            if Instant::now() >= deadline {
                signal(pid, libc::SIGKILL);
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = std::fs::remove_dir_all(&dir);
    });
}

/// The process among `pids` that holds the server end of the TCP connection
/// whose client end is `client` (IPv4), e.g. which API process accepted a
/// connection. `None` while no process has accepted it.
pub fn connection_owner(client: SocketAddr, pids: &[u32]) -> Option<u32> {
    let SocketAddr::V4(client) = client else {
        return None;
    };
    let [a, b, c, d] = client.ip().octets();
    let remote = format!("{d:02X}{c:02X}{b:02X}{a:02X}:{:04X}", client.port());
    let table = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let inode = table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(2) == Some(&remote.as_str()))
            .then(|| fields.get(9).map(|s| (*s).to_owned()))
            .flatten()
    })?;
    let wanted = format!("socket:[{inode}]");
    pids.iter().copied().find(|pid| {
        std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|fds| {
                fds.flatten().any(|fd| {
                    std::fs::read_link(fd.path())
                        .is_ok_and(|target| target.as_os_str() == wanted.as_str())
                })
            })
            .unwrap_or(false)
    })
}
