//! Command-line flags of `codechecker-server`.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Parser;

use crate::server_config::ServerConfig;

/// A CodeChecker-compatible result server.
///
/// Point unmodified CodeChecker clients at it, e.g.
/// `CodeChecker store ./reports -n my-run --url http://localhost:8001/Default`.
/// The server is a supervisor process that starts API handler processes and
/// background worker processes, and restarts any that die.
#[derive(Debug, Clone, Parser)]
#[command(name = "codechecker-server", version, about, long_about = None)]
pub struct ServerArgs {
    /// Folder that holds the server's state: the configuration database
    /// (`config.sqlite`), product databases and uploads in flight. Created if missing.
    #[arg(
        short = 'w',
        long,
        env = "CC_SERVER_WORKSPACE",
        default_value = "workspace"
    )]
    pub workspace: PathBuf,

    /// Address to listen on. Use 0.0.0.0 to listen on every interface.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// Port to listen on (0 picks a free port; see --port-file).
    #[arg(short = 'p', long, default_value_t = 8001)]
    pub port: u16,

    /// Write the bound address as `host:port` to this file once listening.
    #[arg(long)]
    pub port_file: Option<PathBuf>,

    /// Number of API handler processes (CodeChecker's `worker_processes`).
    /// Default: the number of CPUs. 0 makes a worker-only server.
    #[arg(long)]
    pub api_processes: Option<usize>,

    /// Number of background worker processes (CodeChecker's
    /// `background_worker_processes`). Default: as many as API processes.
    /// 0 makes an API-only server.
    #[arg(long)]
    pub worker_processes: Option<usize>,

    /// This server's identity among servers sharing one configuration
    /// database. Default: `<hostname>:<port>`.
    #[arg(long)]
    pub machine_id: Option<String>,

    /// The configuration database: a SQLite file path, `sqlite:///abs/path`, or
    /// `postgres://user@host:port/dbname`. Default: `<workspace>/config.sqlite`.
    #[arg(long, env = "CC_SERVER_CONFIG_DB")]
    pub config_db: Option<String>,

    /// Use PostgreSQL for the configuration database (CodeChecker's flag; see
    /// --db-host, --db-port, --db-username, --db-name). The password comes from
    /// PGPASSWORD or ~/.pgpass, as for any libpq client.
    #[arg(long)]
    pub postgresql: bool,

    /// PostgreSQL host (with --postgresql).
    #[arg(long, default_value = "localhost")]
    pub db_host: String,

    /// PostgreSQL port (with --postgresql).
    #[arg(long, default_value_t = 5432)]
    pub db_port: u16,

    /// PostgreSQL user (with --postgresql).
    #[arg(long, default_value = "codechecker")]
    pub db_username: String,

    /// PostgreSQL database of the configuration (with --postgresql).
    #[arg(long, default_value = "codechecker_config")]
    pub db_name: String,

    /// Enable test-only API calls (`createDummyTask`). Also enabled when the
    /// TEST_WORKSPACE environment variable is set, as with CodeChecker.
    #[arg(long)]
    pub test_mode: bool,

    /// Seconds a worker's claim on a task lasts without a heartbeat. A task
    /// whose worker was killed is rescued (re-run or DROPPED) after this.
    #[arg(long, default_value_t = 10)]
    pub task_lease_secs: u64,

    /// Seconds to wait for running requests and tasks at shutdown before
    /// stopping them hard and marking unfinished tasks DROPPED.
    #[arg(long, default_value_t = 10)]
    pub shutdown_grace_secs: u64,

    /// The largest request body of an upload (`massStoreRun`,
    /// `massStoreRunAsynchronous`, `storeAnalysisStatistics`, `importData`),
    /// in bytes. The default admits CodeChecker's largest upload (1 GiB, sent
    /// as base64) with room to spare.
    #[arg(long, default_value_t = crate::http::HttpLimits::default().max_body_bytes)]
    pub max_body_bytes: usize,

    /// The largest request body of any other call, in bytes (64 MiB: a
    /// filter of a million report hashes). Larger bodies get HTTP 413.
    #[arg(long, default_value_t = crate::http::HttpLimits::default().max_call_body_bytes)]
    pub max_call_body_bytes: usize,

    /// Seconds a client may take to send a request's line and headers
    /// (counted from the connection's start or its previous answer); the
    /// connection is closed after that.
    #[arg(long, default_value_t = 30)]
    pub header_read_timeout_secs: u64,

    /// Seconds a client may take to send a request body, plus one second
    /// per 64 KiB it sent (an upload must keep arriving at 64 KiB/s on
    /// average); slower bodies get HTTP 408.
    #[arg(long, default_value_t = 30)]
    pub body_read_timeout_secs: u64,

    /// The most connections one API process serves at once; more wait in
    /// the listening socket's backlog until a connection ends, or are taken
    /// by another API process.
    #[arg(long, default_value_t = crate::http::HttpLimits::default().max_connections)]
    pub max_connections: usize,

    /// A checker label folder in CodeChecker's format (`analyzers/*.json`, as
    /// in `share/codechecker/config/labels` of a CodeChecker installation)
    /// that adds to and overrides the built-in labels (CodeChecker's
    /// published ones) per analyzer and checker: severities of stored
    /// checkers and `getCheckerLabels`. Not needed for CodeChecker's own
    /// severities.
    #[arg(long, env = "CC_CHECKER_LABELS")]
    pub checker_labels: Option<PathBuf>,

    /// Seconds `massStoreRunAsynchronous` may hold its reply while the store
    /// runs, so that small stores are already finished when the client first
    /// asks for the task's status (CodeChecker's client waits at least 5 s
    /// before asking). 0 answers at once.
    #[arg(long, default_value_t = 2.0)]
    pub store_hold_secs: f64,

    /// The most bytes one store upload may unpack to.
    #[arg(long, default_value_t = 16 << 30)]
    pub max_unpacked_bytes: u64,

    /// The most bytes a store upload may unpack to per uploaded byte (beyond
    /// the first 64 MiB): refuses ZIP bombs.
    #[arg(long, default_value_t = 200)]
    pub max_unpack_ratio: u64,

    /// Folder for the analysis statistics (failed-analysis ZIPs) clients send
    /// after a store; not accepted when unset (CodeChecker's default).
    #[arg(long)]
    pub analysis_statistics_dir: Option<PathBuf>,

    /// The web UI: a folder holding CodeChecker's web bundle
    /// (`share/codechecker/www` of the `codechecker` package, with its
    /// `index.html`). Default: the bundle `make run` fetches into
    /// `~/.cache/codechecker-rs/www/<version>` (see `tools/fetch-www.sh`).
    #[arg(long, env = "CC_WWW_ROOT")]
    pub www_root: Option<PathBuf>,

    /// Log filter, in `tracing` syntax (e.g. `info`, `debug`,
    /// `codechecker_server=trace`). The `RUST_LOG` variable overrides it.
    #[arg(long, default_value = "info")]
    pub log: String,

    /// Internal: the role of this process (set by the supervisor for its children).
    #[arg(long, value_enum, default_value = "supervisor", hide = true)]
    pub role: Role,

    /// Internal: the index of a child process.
    #[arg(long, default_value_t = 0, hide = true)]
    pub child_index: usize,

    /// Internal: the inherited listening socket of an API process.
    #[arg(long, hide = true)]
    pub listen_fd: Option<i32>,
}

impl ServerArgs {
    /// Creates the workspace and its `server_config.json` if needed, checks
    /// the file, and fills the process counts the command line left open
    /// from it.
    pub fn prepare_workspace(&mut self) -> anyhow::Result<ServerConfig> {
        use anyhow::Context;
        std::fs::create_dir_all(&self.workspace)
            .with_context(|| format!("cannot create workspace {}", self.workspace.display()))?;
        let config = ServerConfig::load_or_create(&self.workspace)?;
        self.fill_process_counts(&config);
        Ok(config)
    }

    /// Fills the process counts the command line left open from `config`.
    pub fn fill_process_counts(&mut self, config: &ServerConfig) {
        if self.api_processes.is_none() {
            self.api_processes = config.worker_processes;
        }
        if self.worker_processes.is_none() {
            self.worker_processes = config.background_worker_processes;
        }
    }

    /// The configuration database URL these flags select.
    pub fn config_url(&self) -> String {
        if let Some(url) = &self.config_db {
            return url.clone();
        }
        if self.postgresql {
            return format!(
                "postgres://{}@{}:{}/{}",
                self.db_username, self.db_host, self.db_port, self.db_name
            );
        }
        self.workspace.join("config.sqlite").display().to_string()
    }

    /// Whether test-only calls are allowed.
    pub fn test_mode(&self) -> bool {
        self.test_mode || std::env::var_os("TEST_WORKSPACE").is_some()
    }

    /// The web UI folder: `--www-root`, else the fetched bundle's cache
    /// folder ([`crate::http::www::default_root`]).
    pub fn www_root(&self) -> Option<PathBuf> {
        self.www_root
            .clone()
            .or_else(crate::http::www::default_root)
    }

    /// The limits of the HTTP front these flags set.
    pub fn http_limits(&self) -> crate::http::HttpLimits {
        crate::http::HttpLimits {
            max_body_bytes: self.max_body_bytes,
            max_call_body_bytes: self.max_call_body_bytes,
            header_read_timeout: std::time::Duration::from_secs(
                self.header_read_timeout_secs.max(1),
            ),
            body_read_timeout: std::time::Duration::from_secs(self.body_read_timeout_secs.max(1)),
            max_connections: self.max_connections.max(1),
        }
    }

    /// The number of API processes to run.
    pub fn api_count(&self) -> usize {
        self.api_processes.unwrap_or_else(cpu_count)
    }

    /// The number of worker processes to run.
    pub fn worker_count(&self) -> usize {
        self.worker_processes.unwrap_or_else(|| self.api_count())
    }

    /// The machine id, given or derived from the host name and port.
    pub fn machine_id(&self, port: u16) -> String {
        match &self.machine_id {
            Some(id) => id.clone(),
            None => format!("{}:{port}", hostname()),
        }
    }
}

fn cpu_count() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}

/// What a child process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// Starts and watches the other processes (the default).
    Supervisor,
    /// Answers API requests on the inherited listening socket.
    Api,
    /// Runs background tasks from the queue.
    Worker,
}

impl Role {
    /// The name used on the command line and in logs.
    pub fn name(self) -> &'static str {
        match self {
            Role::Supervisor => "supervisor",
            Role::Api => "api",
            Role::Worker => "worker",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_counts_fill_what_the_flags_leave_open() {
        let config = ServerConfig {
            worker_processes: Some(3),
            ..ServerConfig::default()
        };
        let mut args = ServerArgs::parse_from(["codechecker-server"]);
        args.fill_process_counts(&config);
        assert_eq!((args.api_processes, args.worker_processes), (Some(3), None));
        let mut args = ServerArgs::parse_from(["codechecker-server", "--api-processes", "1"]);
        args.fill_process_counts(&config);
        assert_eq!(args.api_processes, Some(1));
    }
}
