//! Helpers of the authentication tests: servers whose `server_config.json`
//! turns authentication on, private client homes, and calls made as a
//! given user through CodeChecker's own Python client.
#![allow(dead_code)]

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::support::python::{codechecker, CliOutput, PyApi, Reply, Venv};
use crate::support::server::{Server, ServerBuilder};

/// The users of the test servers: `root` is the configured super user,
/// `alice` and `frank` are in group `devs`.
pub const USERS: [(&str, &str); 15] = [
    ("root", "rootpw"),
    ("alice", "alicepw"),
    ("bob", "bobpw"),
    ("carol", "carolpw"),
    ("dave", "davepw"),
    ("erin", "erinpw"),
    ("frank", "frankpw"),
    ("grace", "gracepw"),
    ("heidi", "heidipw"),
    ("ivan", "ivanpw"),
    ("judy", "judypw"),
    ("mallory", "mallorypw"),
    ("oscar", "oscarpw"),
    ("peggy", "peggypw"),
    ("trent", "trentpw"),
];

/// The password of a test user.
pub fn password(user: &str) -> &'static str {
    USERS
        .iter()
        .find(|(u, _)| *u == user)
        .map(|(_, p)| *p)
        .unwrap_or_else(|| panic!("no test user {user}"))
}

/// A `server_config.json` with authentication on for [`USERS`]; the keys
/// of `overrides` replace those of the `authentication` block.
pub fn auth_config(overrides: Value) -> String {
    let mut auth = json!({
        "enabled": true,
        "super_user": "root",
        "session_lifetime": 300,
        "refresh_time": 60,
        "method_dictionary": {
            "enabled": true,
            "auths": USERS.iter().map(|(u, p)| format!("{u}:{p}")).collect::<Vec<_>>(),
            "groups": {"alice": ["devs"], "frank": ["devs"]}
        },
        "login_throttle": {"enabled": true, "max_failures_per_user": 50,
                           "max_failures_per_address": 500, "window": 60, "lockout": 60}
    });
    if let (Some(auth), Value::Object(extra)) = (auth.as_object_mut(), overrides) {
        auth.extend(extra);
    }
    json!({ "authentication": auth }).to_string()
}

/// Starts a server with `config` as its `server_config.json`.
pub fn start(config: &str) -> Server {
    ServerBuilder::new()
        .workspace_file("server_config.json", config)
        .start()
}

/// Like [`start`], for a server shared by every test of the binary.
pub fn start_shared(config: &str) -> &'static Server {
    ServerBuilder::new()
        .api(2)
        .workspace_file("server_config.json", config)
        .start_shared()
}

/// A private `HOME` for CodeChecker's command-line client (its session and
/// password files).
pub struct ClientHome {
    dir: tempfile::TempDir,
}

impl ClientHome {
    /// A fresh, empty home.
    pub fn new() -> Self {
        Self {
            dir: tempfile::Builder::new()
                .prefix("cc-auth-home-")
                .tempdir()
                .expect("create a client home"),
        }
    }

    /// The folder.
    pub fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// The session token the client saved for `server`, if any.
    pub fn session_token(&self, server: &Server) -> Option<String> {
        let text =
            std::fs::read_to_string(self.dir.path().join(".codechecker.session.json")).ok()?;
        let saved: Value = serde_json::from_str(&text).ok()?;
        saved["tokens"][format!("localhost:{}", server.addr().port())]
            .as_str()
            .map(str::to_owned)
    }

    /// Saves `user:secret` for `server` in `~/.codechecker.passwords.json`.
    pub fn save_password(&self, server: &Server, user: &str, secret: &str) {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir.path().join(".codechecker.passwords.json");
        let body = json!({
            "client_autologin": true,
            "credentials": { format!("localhost:{}", server.addr().port()): format!("{user}:{secret}") }
        });
        std::fs::write(&path, body.to_string()).expect("write the password file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .expect("restrict the password file");
    }

    /// Runs `CodeChecker <args>` of `venv` in this home, with `env` added.
    pub fn cc(&self, venv: Venv, args: &[&str], env: &[(&str, &str)]) -> CliOutput {
        let home = self.path();
        let home = home.to_str().expect("a UTF-8 temporary path");
        let mut all = vec![("HOME", home)];
        all.extend_from_slice(env);
        codechecker(venv, args, &all)
    }

    /// `CodeChecker cmd login <user>` of 6.29.1 with the password in `CC_PASSWORD`.
    pub fn login(&self, server: &Server, user: &str, password: &str) -> CliOutput {
        self.cc(
            Venv::Current,
            &["cmd", "login", user, "--url", &server.cli_url()],
            &[("CC_PASSWORD", password)],
        )
    }
}

/// CodeChecker's Python API client, calling as whoever's token is set.
pub struct Api {
    /// The driver.
    pub py: PyApi,
    base: String,
}

impl Api {
    /// A client of `server` (6.29.1).
    pub fn new(server: &Server) -> Self {
        Self {
            py: PyApi::new(Venv::Current),
            base: server.url(),
        }
    }

    /// Calls `service.method(args)` at `path` (`/v6.74/Tasks`, ...) with the
    /// session `token` as a bearer token (or without one).
    pub fn call(
        &mut self,
        token: Option<&str>,
        path: &str,
        service: &str,
        method: &str,
        args: Value,
    ) -> Reply {
        let url = format!("{}{path}", self.base);
        match token {
            Some(t) => {
                let bearer = format!("Bearer {t}");
                self.py.call_with_headers(
                    &url,
                    service,
                    method,
                    args,
                    &[("Authorization", &bearer)],
                )
            }
            None => self.py.call(&url, service, method, args),
        }
    }

    /// `Authentication.<method>(args)`.
    pub fn auth(&mut self, token: Option<&str>, method: &str, args: Value) -> Reply {
        self.call(
            token,
            "/v6.74/Authentication",
            "Authentication",
            method,
            args,
        )
    }

    /// `Tasks.<method>(args)`.
    pub fn tasks(&mut self, token: Option<&str>, method: &str, args: Value) -> Reply {
        self.call(token, "/v6.74/Tasks", "Tasks", method, args)
    }

    /// `performLogin("Username:Password", "user:secret")`.
    pub fn try_login(&mut self, user: &str, secret: &str) -> Reply {
        self.auth(
            None,
            "performLogin",
            json!(["Username:Password", format!("{user}:{secret}")]),
        )
    }

    /// Logs `user` in with their password; the session token.
    pub fn login(&mut self, user: &str) -> String {
        let token = self.try_login(user, password(user)).ok();
        token
            .as_str()
            .unwrap_or_else(|| panic!("performLogin returned {token}"))
            .to_owned()
    }
}

/// Asserts that `reply` is CodeChecker's "log in first" exception.
pub fn assert_unauthenticated(reply: &Reply) {
    match reply {
        Reply::AppError { message, .. } if message == "Error code 401: Unauthorized!" => {}
        other => panic!("expected the 401 exception, got {other:?}"),
    }
}

/// Waits out the second for which each server process may still trust a
/// session it read before a logout or token removal elsewhere.
pub fn wait_for_session_caches() {
    std::thread::sleep(std::time::Duration::from_millis(1100));
}

/// The `RequestFailed` code UNAUTHORIZED.
pub const UNAUTHORIZED: i64 = 4;
/// The `RequestFailed` code AUTH_DENIED.
pub const AUTH_DENIED: i64 = 3;
