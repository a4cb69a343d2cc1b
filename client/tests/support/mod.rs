//! Test support: CodeChecker's own client and server from the venvs of
//! `tests/tools/ensure-deps.sh` (`CC_PY_CURRENT`), our server binary, our
//! client binary, and a corpus generator.

#![allow(dead_code)]

pub mod corpus;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

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

pub use testkit::reference::RefServer;
pub use testkit::server::{Server, ServerBuilder};

/// Our server, as the server's own tests start it (test mode on, so
/// `createDummyTask` works).
pub fn our_server() -> Server {
    ServerBuilder::new().start()
}

/// CodeChecker's own server (6.29.1, test mode on); `auth` turns dictionary
/// authentication on with these `user:password` entries, the first user
/// being the superuser.
pub fn reference_server(auth: Option<&[&str]>) -> RefServer {
    match auth {
        Some(users) => RefServer::start_with_auth(users),
        None => RefServer::start(true),
    }
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
