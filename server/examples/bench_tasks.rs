//! Task engine benchmarks against a running server binary; prints numbers.
//!
//! ```text
//! cargo build --release -p codechecker-server --bin codechecker-server --example bench_tasks
//! target/release/examples/bench_tasks info        # getTaskInfo, 200 keep-alive clients
//! target/release/examples/bench_tasks info --auth # the same, authentication on
//! target/release/examples/bench_tasks info --scrape-ms 1000 --preload 10000
//!                                                  # the same while /metrics is scraped
//! target/release/examples/bench_tasks latency     # createDummyTask(0) -> COMPLETED
//! target/release/examples/bench_tasks drain       # 10,000 no-op tasks, 2 workers, SQLite
//! target/release/examples/bench_tasks drain-pg    # the same on PostgreSQL
//! target/release/examples/bench_tasks all
//! ```
//!
//! Options: `--url http://host:port` measures an already running server
//! instead of starting one (`info` and `latency`; the server must allow
//! `createDummyTask`, e.g. CodeChecker's with `TEST_WORKSPACE` set);
//! `--clients N`, `--seconds S`, `--samples N`, `--tasks N`;
//! `--auth` (`info` only): the server it starts has authentication on, and
//! every call carries a logged-in user's session as a bearer token;
//! `--scrape-ms MS` (`info` only): one more client GETs `/metrics` every MS
//! milliseconds while the load runs (Prometheus' scraping) and the scrapes'
//! times are printed; `--preload N` (`info` only): N finished dummy tasks in
//! the queue first, so the scrape's aggregates have rows to read;
//! `--server-bin PATH` (default: `codechecker-server` next to this example's
//! folder). PostgreSQL: a scratch database on `CC_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432`), dropped afterwards.
#![allow(unsafe_code)] // system calls; each `unsafe` block says why it is sound

use testkit::http;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use configdb::{ConfigDb, TaskQuery, TaskStatus};
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(60);

struct Options {
    url: Option<String>,
    clients: usize,
    seconds: u64,
    samples: usize,
    tasks: usize,
    server_bin: PathBuf,
    auth: bool,
    scrape_ms: u64,
    preload: usize,
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "all".to_owned());
    let mut opts = Options {
        url: None,
        clients: 200,
        seconds: 10,
        samples: 200,
        tasks: 10_000,
        server_bin: default_server_bin()?,
        auth: false,
        scrape_ms: 0,
        preload: 0,
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => opts.url = Some(value()?),
            "--clients" => opts.clients = value()?.parse()?,
            "--seconds" => opts.seconds = value()?.parse()?,
            "--samples" => opts.samples = value()?.parse()?,
            "--tasks" => opts.tasks = value()?.parse()?,
            "--server-bin" => opts.server_bin = value()?.into(),
            "--auth" => opts.auth = true,
            "--scrape-ms" => opts.scrape_ms = value()?.parse()?,
            "--preload" => opts.preload = value()?.parse()?,
            other => bail!("unknown option {other}"),
        }
    }
    println!(
        "machine: {} CPUs, load average {}",
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    match mode.as_str() {
        "info" => bench_info(&opts),
        "latency" => bench_latency(&opts),
        "drain" => bench_drain(&opts, false),
        "drain-pg" => bench_drain(&opts, true),
        "all" => {
            bench_info(&opts)?;
            bench_latency(&opts)?;
            bench_drain(&opts, false)?;
            bench_drain(&opts, true)
        }
        other => bail!("unknown mode {other} (info, latency, drain, drain-pg, all)"),
    }
}

fn default_server_bin() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(|examples| examples.parent())
        .context("cannot locate the target folder")?;
    Ok(dir.join("codechecker-server"))
}

/// A server started by the benchmark, stopped (SIGTERM) on drop.
struct BenchServer {
    child: Option<Child>,
    addr: SocketAddr,
    _dir: Option<tempfile::TempDir>,
}

impl BenchServer {
    fn start(bin: &PathBuf, workspace: &std::path::Path, args: &[&str]) -> anyhow::Result<Self> {
        let port_file = workspace.join(format!("port-{}", std::process::id()));
        let _ = std::fs::remove_file(&port_file);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(workspace.join("server.log"))?;
        let child = Command::new(bin)
            .arg("--workspace")
            .arg(workspace.join("ws"))
            .args(["--port", "0", "--port-file"])
            .arg(&port_file)
            .args(["--test-mode", "--log", "warn"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let deadline = Instant::now() + TIMEOUT;
        let addr = loop {
            if let Some(addr) = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|t| t.trim().parse().ok())
            {
                break addr;
            }
            if Instant::now() > deadline {
                bail!("the server did not start; see {}", workspace.display());
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let server = Self {
            child: Some(child),
            addr,
            _dir: None,
        };
        wait_ready(addr)?;
        Ok(server)
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Ok(pid) = libc::pid_t::try_from(child.id()) {
                // SAFETY: kill(2) with plain integers, on our own child.
                unsafe {
                    libc::kill(pid, libc::SIGTERM);
                }
            }
            let _ = child.wait();
        }
    }
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn wait_ready(addr: SocketAddr) -> anyhow::Result<()> {
    let deadline = Instant::now() + TIMEOUT;
    let body = http::thrift_call("getPackageVersion", 1, "{}");
    while Instant::now() < deadline {
        if http::post_thrift(addr, "/v6.74/ServerInfo", &body, Duration::from_secs(2))
            .is_ok_and(|r| r.status == 200)
        {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    bail!("{addr} does not answer")
}

/// Our server on SQLite in a temporary workspace, or the one at `--url`.
fn target(opts: &Options, args: &[&str]) -> anyhow::Result<(SocketAddr, Option<BenchServer>)> {
    if let Some(url) = &opts.url {
        let hostport = url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap_or_default()
            .replace("localhost", "127.0.0.1");
        return Ok((
            hostport.parse().context("--url wants http://host:port")?,
            None,
        ));
    }
    let dir = tempfile::tempdir()?;
    if opts.auth {
        std::fs::create_dir_all(dir.path().join("ws"))?;
        std::fs::write(dir.path().join("ws/server_config.json"), AUTH_CONFIG)?;
    }
    let mut server = BenchServer::start(&opts.server_bin, dir.path(), args)?;
    server._dir = Some(dir);
    Ok((server.addr, Some(server)))
}

/// `server_config.json` of `--auth`: one user, `bench`.
const AUTH_CONFIG: &str = r#"{"authentication": {"enabled": true,
    "method_dictionary": {"enabled": true, "auths": ["bench:bench"]}}}"#;

/// The headers of a Thrift call, with the session when there is one.
fn headers(bearer: Option<&str>) -> Vec<(&'static str, String)> {
    let mut all = vec![("Content-Type", "application/x-thrift".to_owned())];
    if let Some(token) = bearer {
        all.push(("Authorization", format!("Bearer {token}")));
    }
    all
}

/// A client that reconnects whenever the server closes the connection
/// (CodeChecker's server answers one request per connection).
struct Client {
    addr: SocketAddr,
    conn: Option<http::Conn>,
    bearer: Option<String>,
}

impl Client {
    fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            conn: None,
            bearer: None,
        }
    }

    /// Logs in as the `--auth` user; later calls carry the session.
    fn login(&mut self) -> anyhow::Result<()> {
        let reply = self.call(
            "/v6.74/Authentication",
            &http::thrift_call(
                "performLogin",
                1,
                r#"{"1":{"str":"Username:Password"},"2":{"str":"bench:bench"}}"#,
            ),
        )?;
        let token = reply[4]["0"]["str"]
            .as_str()
            .with_context(|| format!("performLogin answered {reply}"))?;
        self.bearer = Some(token.to_owned());
        Ok(())
    }

    /// POSTs `body` with the session, if any; reconnects once when the
    /// kept-alive connection is gone.
    fn post(&mut self, path: &str, body: &[u8]) -> anyhow::Result<http::Response> {
        let headers = headers(self.bearer.as_deref());
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut last_error = None;
        for _ in 0..2 {
            let conn = match self.conn.as_mut() {
                Some(conn) => conn,
                None => self.conn.insert(http::Conn::open(self.addr, TIMEOUT)?),
            };
            match conn.request("POST", path, &headers, body) {
                Ok(response) => {
                    if response
                        .header("connection")
                        .is_some_and(|v| v.eq_ignore_ascii_case("close"))
                    {
                        self.conn = None;
                    }
                    if response.status != 200 {
                        bail!("HTTP {}: {}", response.status, response.text());
                    }
                    return Ok(response);
                }
                Err(err) => {
                    self.conn = None;
                    last_error = Some(err);
                }
            }
        }
        Err(last_error.map_or_else(|| anyhow::anyhow!("no answer"), Into::into))
    }

    fn call(&mut self, path: &str, body: &[u8]) -> anyhow::Result<Value> {
        let response = self.post(path, body)?;
        Ok(serde_json::from_slice(&response.body)?)
    }

    fn create_dummy(&mut self) -> anyhow::Result<String> {
        let reply = self.call(
            "/v6.74/Tasks",
            &http::thrift_call("createDummyTask", 1, r#"{"1":{"i32":0},"2":{"tf":0}}"#),
        )?;
        reply[4]["0"]["str"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("createDummyTask answered {reply}"))
    }

    fn status(&mut self, token: &str) -> anyhow::Result<i64> {
        let reply = self.call("/v6.74/Tasks", &info_request(token))?;
        reply[4]["0"]["rec"]["3"]["i32"]
            .as_i64()
            .with_context(|| format!("getTaskInfo answered {reply}"))
    }
}

fn info_request(token: &str) -> Vec<u8> {
    http::thrift_call("getTaskInfo", 1, &format!(r#"{{"1":{{"str":"{token}"}}}}"#))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// `getTaskInfo` of one finished task by `--clients` keep-alive clients.
fn bench_info(opts: &Options) -> anyhow::Result<()> {
    let (addr, _server) = target(opts, &["--worker-processes", "2"])?;
    let mut setup = Client::new(addr);
    if opts.auth {
        setup.login()?;
    }
    let mut last = None;
    for _ in 0..opts.preload {
        last = Some(setup.create_dummy()?);
    }
    if let Some(last) = last {
        while setup.status(&last)? < 3 {
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let token = setup.create_dummy()?;
    while setup.status(&token)? < 3 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let request = Arc::new(info_request(&token));
    let bearer = setup.bearer.clone();
    let stop = Arc::new(AtomicBool::new(false));
    let measuring = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();
    for _ in 0..opts.clients {
        let (request, stop, measuring) = (request.clone(), stop.clone(), measuring.clone());
        let mut client = Client::new(addr);
        client.bearer = bearer.clone();
        threads.push(std::thread::spawn(
            move || -> anyhow::Result<Vec<Duration>> {
                let mut latencies = Vec::with_capacity(8192);
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let response = client.post("/v6.74/Tasks", &request)?;
                    if !response.body.starts_with(b"[1,\"getTaskInfo\",2") {
                        bail!("bad answer: {}", response.text());
                    }
                    if measuring.load(Ordering::Relaxed) {
                        latencies.push(started.elapsed());
                    }
                }
                Ok(latencies)
            },
        ));
    }
    let scraper = (opts.scrape_ms > 0).then(|| {
        let (stop, measuring) = (stop.clone(), measuring.clone());
        let every = Duration::from_millis(opts.scrape_ms);
        std::thread::spawn(move || -> anyhow::Result<(Vec<Duration>, usize)> {
            let mut times = Vec::new();
            let mut bytes = 0;
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                if measuring.load(Ordering::Relaxed) {
                    let response = http::request(addr, "GET", "/metrics", b"", TIMEOUT)?;
                    if response.status != 200 || !response.text().contains("codechecker_tasks") {
                        bail!("bad scrape: {} {}", response.status, response.text());
                    }
                    times.push(started.elapsed());
                    bytes = response.body.len();
                }
                std::thread::sleep(every.saturating_sub(started.elapsed()));
            }
            Ok((times, bytes))
        })
    });
    std::thread::sleep(Duration::from_secs(2));
    measuring.store(true, Ordering::Relaxed);
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(opts.seconds));
    measuring.store(false, Ordering::Relaxed);
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    if let Some(scraper) = scraper {
        match scraper.join() {
            Ok(Ok((mut times, bytes))) => {
                times.sort();
                println!(
                    "/metrics every {} ms: {} scrapes of {} bytes, p50 {}, max {}",
                    opts.scrape_ms,
                    times.len(),
                    bytes,
                    ms(percentile(&times, 0.5)),
                    ms(times.last().copied().unwrap_or_default()),
                );
            }
            Ok(Err(err)) => bail!("the scraper failed: {err}"),
            Err(_) => bail!("the scraper panicked"),
        }
    }
    let mut all = Vec::new();
    for thread in threads {
        match thread.join() {
            Ok(Ok(latencies)) => all.extend(latencies),
            Ok(Err(err)) => bail!("a client failed: {err}"),
            Err(_) => bail!("a client panicked"),
        }
    }
    all.sort();
    println!(
        "getTaskInfo{}, {} clients (keep-alive where the server allows), {:.0} s: {} calls, {:.0} req/s, p50 {}, p90 {}, p99 {}, max {}",
        if opts.auth { " (authentication on)" } else { "" },
        opts.clients,
        elapsed.as_secs_f64(),
        all.len(),
        all.len() as f64 / elapsed.as_secs_f64(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.9)),
        ms(percentile(&all, 0.99)),
        ms(all.last().copied().unwrap_or_default()),
    );
    Ok(())
}

/// From `createDummyTask(0, false)` to `getTaskInfo` answering COMPLETED,
/// asked in a tight loop.
fn bench_latency(opts: &Options) -> anyhow::Result<()> {
    let (addr, _server) = target(opts, &["--worker-processes", "2"])?;
    let mut client = Client::new(addr);
    let mut samples = Vec::with_capacity(opts.samples);
    let mut polls = 0u64;
    for _ in 0..opts.samples {
        let started = Instant::now();
        let token = client.create_dummy()?;
        loop {
            polls += 1;
            let status = client.status(&token)?;
            if status == 3 {
                break;
            }
            if status > 3 {
                bail!("task {token} ended in status {status}");
            }
            if started.elapsed() > TIMEOUT {
                bail!("task {token} did not complete");
            }
        }
        samples.push(started.elapsed());
    }
    samples.sort();
    println!(
        "createDummyTask(0) -> COMPLETED ({} samples, {:.1} polls each): median {}, p90 {}, min {}, max {}",
        samples.len(),
        polls as f64 / samples.len().max(1) as f64,
        ms(percentile(&samples, 0.5)),
        ms(percentile(&samples, 0.9)),
        ms(samples.first().copied().unwrap_or_default()),
        ms(samples.last().copied().unwrap_or_default()),
    );
    Ok(())
}

/// `--tasks` no-op tasks enqueued while no worker runs, then drained by two
/// workers; the rate is taken from the tasks' own start and end instants.
fn bench_drain(opts: &Options, postgres: bool) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let scratch = if postgres {
        Some(ScratchPg::create()?)
    } else {
        None
    };
    let config_url = match &scratch {
        Some(pg) => pg.url.clone(),
        None => dir.path().join("ws/config.sqlite").display().to_string(),
    };
    let common = [
        "--machine-id",
        "bench-drain",
        "--config-db",
        &config_url,
        "--api-processes",
        "1",
    ];
    let mut args = common.to_vec();
    args.extend(["--worker-processes", "0"]);
    let mut server = BenchServer::start(&opts.server_bin, dir.path(), &args)?;
    let mut client = Client::new(server.addr);
    let created = Instant::now();
    let mut last = String::new();
    for _ in 0..opts.tasks {
        last = client.create_dummy()?;
    }
    let creation = created.elapsed();
    server.stop();

    let db = ConfigDb::open(&config_url)?;
    let notifier = db.subscribe()?;
    let mut args = common.to_vec();
    args.extend(["--worker-processes", "2"]);
    let started = Instant::now();
    let server = BenchServer::start(&opts.server_bin, dir.path(), &args)?;
    let last_task = notifier.wait_terminal(&last, Duration::from_secs(600))?;
    let mut wall = started.elapsed();
    // Tasks finish in queue order, nearly: wait for the stragglers.
    let unfinished = TaskQuery {
        statuses: vec![TaskStatus::Enqueued, TaskStatus::Running],
        ..TaskQuery::default()
    };
    while !db.filter_tasks(&unfinished)?.is_empty() {
        std::thread::sleep(Duration::from_millis(5));
        wall = started.elapsed();
    }
    drop(server);
    let tasks = db.filter_tasks(&TaskQuery::default())?;
    let completed = tasks
        .iter()
        .filter(|t| t.status == TaskStatus::Completed)
        .count();
    let first_start = tasks.iter().filter_map(|t| t.started_at).min();
    let last_end = tasks.iter().filter_map(|t| t.completed_at).max();
    let span = match (first_start, last_end) {
        (Some(a), Some(b)) => (b - a).to_std().unwrap_or_default(),
        _ => Duration::ZERO,
    };
    println!(
        "drain on {}: {} tasks created through the API in {:.2} s ({:.0}/s); {completed} COMPLETED \
         by 2 workers in {:.2} s of task time = {:.0} tasks/s (wall from server start {:.2} s; last {})",
        if postgres { "PostgreSQL" } else { "SQLite" },
        opts.tasks,
        creation.as_secs_f64(),
        opts.tasks as f64 / creation.as_secs_f64(),
        span.as_secs_f64(),
        completed as f64 / span.as_secs_f64().max(1e-9),
        wall.as_secs_f64(),
        last_task.status,
    );
    if completed != opts.tasks {
        bail!("only {completed} of {} tasks completed", opts.tasks);
    }
    Ok(())
}

/// A PostgreSQL database for one benchmark run.
struct ScratchPg {
    name: String,
    url: String,
}

impl ScratchPg {
    fn base() -> String {
        std::env::var("CC_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
    }

    fn create() -> anyhow::Result<Self> {
        use diesel::{Connection, RunQueryDsl};
        let name = format!("ccsrv_bench_{}", std::process::id());
        let mut admin = diesel::PgConnection::establish(&format!("{}/postgres", Self::base()))?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
        Ok(Self {
            url: format!("{}/{name}", Self::base()),
            name,
        })
    }
}

impl Drop for ScratchPg {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Ok(mut admin) =
            diesel::PgConnection::establish(&format!("{}/postgres", Self::base()))
        {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}
