//! The real CodeChecker from PyPI: its command-line client, and its Python
//! API package driven through `tests/tools/thrift_driver.py`.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

use serde_json::{json, Value};

/// Which CodeChecker release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Venv {
    /// 6.29.1 (API 6.74).
    Current,
    /// 6.24.4 (API 6.58).
    Legacy,
}

impl Venv {
    /// Both releases.
    pub const ALL: [Venv; 2] = [Venv::Current, Venv::Legacy];

    /// The venv root: `$CC_PY_CURRENT` / `$CC_PY_LEGACY` (exported by
    /// `tests/tools/ensure-deps.sh`), else the interop kit's venvs.
    pub fn root(self) -> PathBuf {
        let (var, fallback) = match self {
            Venv::Current => ("CC_PY_CURRENT", "current"),
            Venv::Legacy => ("CC_PY_LEGACY", "legacy"),
        };
        let root = match std::env::var_os(var) {
            Some(path) => PathBuf::from(path),
            None => {
                let home = std::env::var_os("HOME").unwrap_or_default();
                PathBuf::from(home).join(".cache/cc-interop").join(fallback)
            }
        };
        assert!(
            root.join("bin/CodeChecker").is_file(),
            "no CodeChecker venv at {} (set {var}; `eval \"$(tests/tools/ensure-deps.sh)\"` \
             installs it)",
            root.display()
        );
        root
    }

    /// The venv's `CodeChecker` executable.
    pub fn codechecker(self) -> PathBuf {
        self.root().join("bin/CodeChecker")
    }

    /// The venv's Python.
    pub fn python(self) -> PathBuf {
        self.root().join("bin/python")
    }

    /// The release's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Venv::Current => "6.29.1",
            Venv::Legacy => "6.24.4",
        }
    }
}

/// A private `HOME` for CodeChecker clients, so that session and password
/// files of other users of the machine play no part.
fn client_home() -> &'static PathBuf {
    static HOME: OnceLock<PathBuf> = OnceLock::new();
    HOME.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("ccsrv-test-home-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create the clients' HOME");
        let remove = dir.clone();
        super::at_exit(move || {
            let _ = std::fs::remove_dir_all(&remove);
        });
        dir
    })
}

/// The outcome of a `CodeChecker` command.
#[derive(Debug, Clone)]
pub struct CliOutput {
    /// The command, for messages.
    pub command: String,
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl CliOutput {
    /// Both streams.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Panics if the client crashed or hit a transport or protocol error.
    pub fn assert_no_protocol_error(&self) {
        let all = self.all();
        for bad in [
            "Traceback",
            "TProtocolException",
            "TTransportException",
            "TApplicationException",
            "Protocol error",
            "ProtocolError",
            "Connection refused",
            "Invalid request",
        ] {
            assert!(
                !all.contains(bad),
                "`{}` printed {bad:?}:\n{all}",
                self.command
            );
        }
    }

    /// Panics unless the command exited with 0.
    pub fn assert_success(&self) {
        assert_eq!(self.code, 0, "`{}` failed:\n{}", self.command, self.all());
    }

    /// The standard output parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout.trim()).unwrap_or_else(|err| {
            panic!(
                "`{}` printed no JSON ({err}):\n{}",
                self.command,
                self.all()
            )
        })
    }
}

/// Runs `CodeChecker <args>` of `venv` with the extra environment `env`.
pub fn codechecker(venv: Venv, args: &[&str], env: &[(&str, &str)]) -> CliOutput {
    let output = Command::new(venv.codechecker())
        .args(args)
        .env("HOME", client_home())
        .env("COLUMNS", "400")
        .env_remove("TEST_WORKSPACE")
        .env_remove("CC_PASS_FILE")
        .env_remove("CC_SESSION_FILE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("run CodeChecker");
    CliOutput {
        command: format!("CodeChecker {}", args.join(" ")),
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// One answer of a Thrift call made by the Python client.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// The call returned this value.
    Ok(Value),
    /// The server raised `RequestFailed`.
    RequestFailed {
        /// `ErrorCode` as a number.
        code: i64,
        /// The message.
        message: String,
    },
    /// The server answered with a `TApplicationException`.
    AppError {
        /// `TApplicationException` type.
        kind: i64,
        /// The message.
        message: String,
    },
    /// Anything else the client raised (transport, protocol, …).
    Error {
        /// The exception's class.
        kind: String,
        /// Its message and the traceback.
        message: String,
    },
}

impl Reply {
    /// The returned value; panics on any exception.
    pub fn ok(self) -> Value {
        match self {
            Reply::Ok(v) => v,
            other => panic!("expected a result, got {other:?}"),
        }
    }

    /// The `RequestFailed` code and message; panics otherwise.
    pub fn request_failed(self) -> (i64, String) {
        match self {
            Reply::RequestFailed { code, message } => (code, message),
            other => panic!("expected RequestFailed, got {other:?}"),
        }
    }

    /// Whether the call reached a handler: it returned, or the handler
    /// raised `RequestFailed` (not a protocol or transport failure).
    pub fn reached_handler(&self) -> bool {
        matches!(self, Reply::Ok(_) | Reply::RequestFailed { .. })
    }
}

/// A running `thrift_driver.py`: Thrift calls through CodeChecker's own
/// generated Python client and Python `thrift` package.
pub struct PyApi {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// The release in use.
    pub venv: Venv,
}

impl PyApi {
    /// Starts the driver with the Python of `venv`.
    pub fn new(venv: Venv) -> Self {
        let script = super::repo_root().join("tests/tools/thrift_driver.py");
        let mut child = Command::new(venv.python())
            .arg(script)
            .env("HOME", client_home())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start thrift_driver.py");
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        Self {
            child,
            stdin,
            stdout,
            venv,
        }
    }

    /// Calls `method` of `service` at `url` (the whole endpoint URL, e.g.
    /// `http://host:port/v6.74/Tasks`) with positional `args` (a JSON array).
    pub fn call(&mut self, url: &str, service: &str, method: &str, args: Value) -> Reply {
        self.call_with_headers(url, service, method, args, &[])
    }

    /// Like [`PyApi::call`], with extra HTTP headers on the request (e.g.
    /// `Authorization: Bearer <session>` or a `Cookie`).
    pub fn call_with_headers(
        &mut self,
        url: &str,
        service: &str,
        method: &str,
        args: Value,
        headers: &[(&str, &str)],
    ) -> Reply {
        let headers: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
            .collect();
        let request = json!({"url": url, "service": service, "method": method, "args": args,
                             "headers": headers});
        writeln!(self.stdin, "{request}").expect("write to thrift_driver.py");
        self.stdin.flush().expect("flush to thrift_driver.py");
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .expect("read from thrift_driver.py");
        let answer: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("thrift_driver.py answered {line:?}: {e}"));
        if let Some(v) = answer.get("ok") {
            return Reply::Ok(v.clone());
        }
        if let Some(rf) = answer.get("request_failed") {
            return Reply::RequestFailed {
                code: rf["errorCode"].as_i64().unwrap_or(-1),
                message: rf["message"].as_str().unwrap_or_default().to_owned(),
            };
        }
        if let Some(app) = answer.get("application_error") {
            return Reply::AppError {
                kind: app["type"].as_i64().unwrap_or(-1),
                message: app["message"].as_str().unwrap_or_default().to_owned(),
            };
        }
        let err = &answer["error"];
        Reply::Error {
            kind: err["type"].as_str().unwrap_or("?").to_owned(),
            message: format!(
                "{}\n{}",
                err["message"].as_str().unwrap_or_default(),
                err["traceback"].as_str().unwrap_or_default()
            ),
        }
    }
}

impl Drop for PyApi {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
