//! A real browser for the web UI tests: Debian's `chromium`, headless,
//! driven over WebDriver by `chromedriver` (package `chromium-driver`, which
//! `tests/tools/ensure-deps.sh` installs).
//!
//! Every page gets a recorder injected before its own scripts run
//! (`Page.addScriptToEvaluateOnNewDocument`): it notes each API call the UI
//! makes (`XMLHttpRequest` and `fetch` POSTs), its HTTP status and whether
//! the Thrift reply carries an exception, and every uncaught JavaScript
//! error. [`Browser::calls`] and [`Browser::errors`] read them back.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

use super::http::Conn;

/// Installed before any script of a page: records API calls and errors in
/// `window.__cc`.
const RECORDER: &str = r#"
(() => {
  const rec = { calls: [], errors: [] };
  window.__cc = rec;
  const verdict = (text) => {
    try {
      const m = JSON.parse(text);
      if (!Array.isArray(m)) return "not a Thrift message";
      if (m[2] === 3) return "TApplicationException: " + JSON.stringify(m[4]);
      const result = m[4] || {};
      const bad = Object.keys(result).filter((k) => k !== "0");
      return bad.length ? "exception: " + JSON.stringify(result) : null;
    } catch (e) { return "unreadable reply"; }
  };
  const methodOf = (body) => {
    try { return JSON.parse(body)[1]; } catch (e) { return "?"; }
  };
  const open = XMLHttpRequest.prototype.open;
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.__cc = { url: String(url), httpMethod: method };
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function (body) {
    const info = this.__cc || {};
    if (info.httpMethod === "POST") {
      const call = { url: info.url, method: methodOf(body), done: false, request: String(body) };
      rec.calls.push(call);
      this.addEventListener("loadend", () => {
        call.done = true;
        call.status = this.status;
        let text = "";
        try { text = typeof this.response === "string" ? this.response : this.responseText; } catch (e) {}
        call.reply = text;
        call.problem = this.status !== 200 ? "HTTP " + this.status : verdict(text);
      });
    }
    return send.apply(this, arguments);
  };
  window.addEventListener("error", (e) => rec.errors.push(String(e.message || e)));
  window.addEventListener("unhandledrejection", (e) => rec.errors.push("unhandled rejection: " + String(e.reason)));
})();
"#;

/// Whether chromium and chromedriver are installed; panics without them
/// under `CI=true`.
pub fn have_browser() -> bool {
    let found = ["chromium", "chromedriver"].iter().all(|tool| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !found {
        let what = "chromium or chromedriver not found (`eval \"$(tests/tools/ensure-deps.sh)\"` \
                    installs Debian's chromium and chromium-driver as root)";
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{what} and CI=true: the web UI tests cannot run");
        }
        eprintln!("note: skipping a browser test: {what}");
    }
    found
}

/// A headless chromium session.
pub struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
    _profile: tempfile::TempDir,
}

/// One API call the page made.
#[derive(Debug, Clone)]
pub struct Call {
    /// The endpoint path.
    pub url: String,
    /// The Thrift method.
    pub method: String,
    /// What went wrong (HTTP status, exception), if anything.
    pub problem: Option<String>,
    /// Whether the reply arrived.
    pub done: bool,
    /// The request body (a Thrift JSON message).
    pub request: String,
    /// The reply body, once it arrived.
    pub reply: String,
}

impl Browser {
    /// Starts chromedriver and a headless chromium.
    pub fn start() -> Self {
        let port = super::free_port();
        let mut cmd = Command::new("chromedriver");
        cmd.arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let driver = super::server::spawn_bound_to_test(cmd, false);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let profile = tempfile::tempdir().expect("a browser profile folder");
        let mut browser = Browser {
            driver,
            addr,
            session: String::new(),
            _profile: profile,
        };
        super::wait_for(
            "chromedriver to answer",
            Duration::from_secs(30),
            Duration::from_millis(100),
            || browser.raw("GET", "/status", None).ok(),
        );
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-dev-shm-usage", "--window-size=1400,1000",
                    format!("--user-data-dir={}", browser._profile.path().display()),
                ],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let reply = browser
            .raw("POST", "/session", Some(&caps))
            .expect("a WebDriver session");
        browser.session = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {reply}"))
            .to_owned();
        browser.cmd(
            "POST",
            "goog/cdp/execute",
            json!({"cmd": "Page.addScriptToEvaluateOnNewDocument", "params": {"source": RECORDER}}),
        );
        browser
    }

    fn raw(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        let mut conn =
            Conn::open(self.addr, Duration::from_secs(120)).map_err(|e| e.to_string())?;
        let response = conn
            .request(
                method,
                path,
                &[("Content-Type", "application/json")],
                &bytes,
            )
            .map_err(|e| e.to_string())?;
        let value: Value = serde_json::from_slice(&response.body).map_err(|e| e.to_string())?;
        if response.status != 200 {
            return Err(format!(
                "WebDriver {method} {path}: {} {value}",
                response.status
            ));
        }
        Ok(value)
    }

    /// A WebDriver command of this session; panics on failure.
    fn cmd(&self, method: &str, path: &str, body: Value) -> Value {
        let body = (method == "POST").then_some(body);
        self.raw(
            method,
            &format!("/session/{}/{path}", self.session),
            body.as_ref(),
        )
        .unwrap_or_else(|e| panic!("{e}"))["value"]
            .clone()
    }

    /// Loads `url` (waits for the document, not for the app's calls).
    pub fn open(&self, url: &str) {
        self.cmd("POST", "url", json!({ "url": url }));
    }

    /// Runs `script` (a function body; `return` gives the result) in the page.
    pub fn eval(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "execute/sync",
            json!({"script": script, "args": []}),
        )
    }

    /// Waits until `script` returns something truthy; returns it.
    pub fn wait_for(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let value = self.eval(script);
            let truthy = match &value {
                Value::Null | Value::Bool(false) => false,
                Value::Number(n) => n.as_f64() != Some(0.0),
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                Value::Object(_) => true,
                Value::Bool(true) => true,
            };
            if truthy {
                return value;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; page text:\n{}",
                self.eval("return document.body ? document.body.innerText : ''")
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits until no API call has been pending for a while.
    pub fn settle(&self) {
        let mut quiet_since: Option<Instant> = None;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let pending = self
                .eval("return window.__cc ? window.__cc.calls.filter(c => !c.done).length : 0")
                .as_i64()
                .unwrap_or(0);
            if pending == 0 {
                let since = *quiet_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= Duration::from_millis(700) {
                    return;
                }
            } else {
                quiet_since = None;
            }
            assert!(
                Instant::now() < deadline,
                "API calls still pending after 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The API calls the current page made since it loaded.
    pub fn calls(&self) -> Vec<Call> {
        let value = self.eval("return window.__cc ? window.__cc.calls : []");
        value
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|c| Call {
                url: c["url"].as_str().unwrap_or_default().to_owned(),
                method: c["method"].as_str().unwrap_or("?").to_owned(),
                problem: c["problem"].as_str().map(str::to_owned),
                done: c["done"].as_bool().unwrap_or(false),
                request: c["request"].as_str().unwrap_or_default().to_owned(),
                reply: c["reply"].as_str().unwrap_or_default().to_owned(),
            })
            .collect()
    }

    /// Uncaught JavaScript errors of the current page, and the console's
    /// SEVERE entries since the last call.
    pub fn errors(&self) -> Vec<String> {
        let mut errors: Vec<String> = self
            .eval("return window.__cc ? window.__cc.errors : []")
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|e| e.as_str().map(str::to_owned))
            .collect();
        let log = self.cmd("POST", "se/log", json!({"type": "browser"}));
        for entry in log.as_array().cloned().unwrap_or_default() {
            if entry["level"] == "SEVERE" {
                errors.push(entry["message"].as_str().unwrap_or_default().to_owned());
            }
        }
        errors
    }

    /// Saves a screenshot as `<dir>/<name>.png`; returns its path.
    pub fn screenshot(&self, dir: &Path, name: &str) -> PathBuf {
        let b64 = self.cmd("GET", "screenshot", Value::Null);
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .expect("a base64 screenshot");
        std::fs::create_dir_all(dir).expect("create the screenshot folder");
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write the screenshot");
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self.raw("DELETE", &format!("/session/{}", self.session), None);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Where the browser tests keep their screenshots:
/// `target/test-artifacts/web-ui/<server>/`.
pub fn artifacts(server: &str) -> PathBuf {
    super::repo_root()
        .join("target/test-artifacts/web-ui")
        .join(server)
}
