//! Test support: CodeChecker's own client and server from the venvs of
//! `tests/tools/ensure-deps.sh` (`CC_PY_CURRENT`), our server binary, our
//! client binary, and a corpus generator.

#![allow(dead_code)]

pub mod corpus;

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The 6.29.1 venv: `$CC_PY_CURRENT`, or for local runs the interop kit's.
/// `None` (after printing why) when it is missing and not on CI.
pub fn venv() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("CC_PY_CURRENT") {
        Some(v) => vec![PathBuf::from(v)],
        None => {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            vec![
                home.join(".cache/cc-interop/current"),
                home.join(".cache/codechecker-rs/venv-current"),
            ]
        }
    };
    if let Some(v) = candidates
        .iter()
        .find(|v| v.join("bin/CodeChecker").exists())
    {
        return Some(v.clone());
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CodeChecker venv not found (run through `make test`, which sets CC_PY_CURRENT)"
    );
    eprintln!(
        "SKIPPED: no CodeChecker 6.29.1 venv (set CC_PY_CURRENT or run tests/tools/ensure-deps.sh)"
    );
    None
}

/// A free TCP port on localhost.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Our client binary.
pub fn client_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_codechecker-client"))
}

/// An isolated user environment: its own HOME (session and password
/// files), the table width fixed wide.
#[derive(Debug, Clone)]
pub struct UserEnv {
    pub home: PathBuf,
    pub extra: Vec<(String, String)>,
}

impl UserEnv {
    pub fn new(home: &Path) -> Self {
        std::fs::create_dir_all(home).expect("home dir");
        UserEnv {
            home: home.to_owned(),
            extra: Vec::new(),
        }
    }

    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.extra.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Sets this environment on `cmd`.
    pub fn apply(&self, cmd: &mut Command) {
        cmd.env("HOME", &self.home)
            .env("COLUMNS", "400")
            .env_remove("CC_PASS_FILE")
            .env_remove("CC_SESSION_FILE")
            .env_remove("CC_PASSWORD")
            .env_remove("CC_FORCE_SYNC_STORE")
            .stdin(Stdio::null());
        for (k, v) in &self.extra {
            cmd.env(k, v);
        }
    }

    /// Runs our client.
    pub fn ours(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(client_bin());
        cmd.args(args);
        self.apply(&mut cmd);
        cmd.output().expect("run codechecker-client")
    }

    /// Runs CodeChecker's client from `venv`.
    pub fn theirs(&self, venv: &Path, args: &[&str]) -> Output {
        let mut cmd = Command::new(venv.join("bin/CodeChecker"));
        cmd.args(args);
        self.apply(&mut cmd);
        cmd.output().expect("run CodeChecker")
    }
}

/// Text of an output stream.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Panics with both streams when the command did not exit with `code`.
pub fn expect_code(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: unexpected exit code\n--- stdout\n{}\n--- stderr\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// A server process (its own process group), stopped on drop.
pub struct ServerProcess {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
    log: PathBuf,
}

impl ServerProcess {
    /// `http://localhost:PORT`.
    pub fn url(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// `http://localhost:PORT/Default`.
    pub fn product_url(&self) -> String {
        format!("{}/Default", self.url())
    }

    /// The server's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn spawn(mut cmd: Command, port: u16, dir: &Path) -> ServerProcess {
        std::fs::create_dir_all(dir).expect("server dir");
        let log = dir.join("server.log");
        let file = std::fs::File::create(&log).expect("server log");
        let err = file.try_clone().expect("server log");
        cmd.stdin(Stdio::null()).stdout(file).stderr(err);
        // SAFETY: setsid is async-signal-safe; it only detaches the child
        // into its own process group so that it can be stopped as a whole.
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        let child = cmd.spawn().expect("start server");
        ServerProcess {
            child,
            port,
            dir: dir.to_owned(),
            log,
        }
    }

    /// Waits until `probe` succeeds (or the process dies / time runs out).
    fn wait_until(&mut self, timeout: Duration, mut probe: impl FnMut() -> bool) {
        let start = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("server exited during start-up ({status}):\n{}", self.log());
            }
            if probe() {
                return;
            }
            assert!(
                start.elapsed() < timeout,
                "server did not start in {timeout:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let pgid = self.child.id() as i32;
        // SAFETY: signalling our own child's process group.
        unsafe {
            libc::kill(-pgid, libc::SIGTERM);
        }
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        // SAFETY: as above; whatever is left of the group is killed.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

fn http_answers(port: u16, path: &str, body: &str) -> Option<String> {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(5))
        .build();
    agent
        .post(&format!("http://localhost:{port}{path}"))
        .set("Content-Type", "application/x-thrift")
        .send_string(body)
        .ok()
        .and_then(|r| r.into_string().ok())
}

/// CodeChecker's own server on a fresh workspace in `dir`, with
/// `TEST_WORKSPACE` set (enables `createDummyTask`). `auth` enables
/// dictionary authentication with these `user:password` entries, the first
/// user being the superuser.
pub fn reference_server(venv: &Path, dir: &Path, auth: Option<&[&str]>) -> ServerProcess {
    let ws = dir.join("workspace");
    std::fs::create_dir_all(&ws).expect("workspace");
    if let Some(users) = auth {
        let template = venv.join("share/codechecker/config/server_config.json");
        let mut cfg: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&template).expect("server_config.json template"))
                .expect("json");
        let a = &mut cfg["authentication"];
        a["enabled"] = true.into();
        a["super_user"] = users
            .first()
            .and_then(|u| u.split(':').next())
            .unwrap_or("admin")
            .into();
        a["method_dictionary"] = serde_json::json!({"enabled": true, "auths": users, "groups": {}});
        let path = ws.join("server_config.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&cfg).expect("json"))
            .expect("write config");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let port = free_port();
    let mut cmd = Command::new(venv.join("bin/CodeChecker"));
    cmd.args(["server", "-w"])
        .arg(&ws)
        .args(["--host", "localhost", "--port", &port.to_string()])
        .env("TEST_WORKSPACE", dir)
        .env("HOME", dir);
    let mut server = ServerProcess::spawn(cmd, port, dir);
    server.wait_until(Duration::from_secs(180), || {
        http_answers(
            port,
            "/Default/v6.74/CodeCheckerService",
            r#"[1,"getPackageVersion",1,0,{}]"#,
        )
        .is_some_and(|b| b.contains("getPackageVersion"))
    });
    server
}

/// The `codechecker-server` binary of this workspace: next to the test's
/// own target directory; built with `cargo build -p codechecker-server`
/// when missing (`cargo test --workspace` has built it already).
pub fn our_server_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    // <target>/debug/deps/<test> → <target>/debug
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_owned();
    let bin = profile_dir.join("codechecker-server");
    if !bin.exists() {
        let target = profile_dir.parent().expect("target root");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut args = vec!["build", "-p", "codechecker-server"];
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            args.push("--release");
        }
        let status = Command::new(cargo)
            .args(&args)
            .env("CARGO_TARGET_DIR", target)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("cargo build");
        assert!(status.success(), "building codechecker-server failed");
    }
    bin
}

/// Our server in test mode on a fresh workspace in `dir`.
pub fn our_server(dir: &Path) -> ServerProcess {
    our_server_with(dir, &[])
}

/// [`our_server`] with `extra` command-line arguments.
pub fn our_server_with(dir: &Path, extra: &[&str]) -> ServerProcess {
    let port = free_port();
    let mut cmd = Command::new(our_server_bin());
    cmd.args(["-w"])
        .arg(dir.join("workspace"))
        .args(["--port", &port.to_string(), "--test-mode"])
        .args(extra)
        .env("TEST_WORKSPACE", dir);
    let mut server = ServerProcess::spawn(cmd, port, dir);
    server.wait_until(Duration::from_secs(60), || {
        http_answers(
            port,
            "/v6.74/ServerInfo",
            r#"[1,"getPackageVersion",1,0,{}]"#,
        )
        .is_some()
            || http_answers(
                port,
                "/v6.74/Tasks",
                r#"[1,"getTaskInfo",1,0,{"1":{"str":"x"}}]"#,
            )
            .is_some()
    });
    server
}

/// JSON text → value, with a helpful panic.
pub fn json(text: &str, what: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: not JSON ({e}):\n{text}"))
}

/// Reports of `run` as CodeChecker's client shows them (every review and
/// detection status, with details), without ids and timestamps, sorted.
pub fn results_of(env: &UserEnv, venv: &Path, url: &str, run: &str) -> Vec<serde_json::Value> {
    let out = env.theirs(
        venv,
        &[
            "cmd",
            "results",
            run,
            "--url",
            url,
            "-o",
            "json",
            "--details",
            "--review-status",
            "unreviewed",
            "confirmed",
            "false_positive",
            "intentional",
            "--detection-status",
            "new",
            "reopened",
            "unresolved",
            "resolved",
            "off",
            "unavailable",
        ],
    );
    expect_code(&out, 0, "cmd results");
    let mut reports = match json(&text(&out.stdout), "cmd results") {
        serde_json::Value::Array(a) => a,
        other => panic!("cmd results: not a list: {other}"),
    };
    for r in &mut reports {
        if let serde_json::Value::Object(m) = r {
            for k in ["runId", "reportId", "runName", "detectedAt", "fixedAt"] {
                m.remove(k);
            }
            if let Some(serde_json::Value::Object(rd)) = m.get_mut("reviewData") {
                rd.remove("date");
            }
        }
    }
    reports.sort_by_key(|r| r.to_string());
    reports
}

/// Standard output as JSON.
pub fn tasks_json(out: &std::process::Output, what: &str) -> serde_json::Value {
    json(&text(&out.stdout), what)
}

/// Lines of a table (CodeChecker's client prints its log on stdout too).
pub fn table_lines(out: &std::process::Output) -> Vec<String> {
    text(&out.stdout)
        .lines()
        .filter(|l| !l.starts_with('['))
        .map(str::to_owned)
        .collect()
}
