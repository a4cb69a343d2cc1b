//! The command line, mirroring `CodeChecker store` and `CodeChecker cmd`
//! (the subcommands this client implements), with the same flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::logging::Verbosity;

/// A fast CodeChecker client.
#[derive(Debug, Parser)]
#[command(name = "codechecker-client", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Save analysis results to a CodeChecker server.
    Store(StoreArgs),
    /// View and manage results and tasks on a running server.
    #[command(subcommand)]
    Cmd(CmdCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff).
    Manpage,
}

/// `cmd` subcommands.
#[derive(Debug, Subcommand)]
pub enum CmdCommand {
    /// Await, query, and cancel background tasks executing on the server.
    #[command(name = "serverside-tasks", after_help = TASKS_EPILOG)]
    ServersideTasks(TasksArgs),
    /// Authenticate into CodeChecker servers that require privileges.
    Login(LoginArgs),
    /// End the privileged session on a server.
    Logout(LogoutArgs),
    /// List the available analysis runs.
    Runs(RunsArgs),
    /// List analysis result (finding) summary for a given run.
    Results(ResultsArgs),
}

const TASKS_EPILOG: &str = "\
If EXACTLY one '--token' is given without '--await' or '--kill', the return code
is based on the status of the task:
   0: The task completed successfully.
   1: (Reserved for operational errors.)
   2: (Reserved for command-line errors.)
   4: The task failed to complete due to an error during execution.
   8: The task is still running...
  16: The task was cancelled by the administrators, or the server was shut down.";

/// `--verbose`.
#[derive(Debug, Args, Clone)]
pub struct VerboseArg {
    /// Set verbosity level.
    #[arg(long, value_enum)]
    pub verbose: Option<Verbosity>,
}

/// Output formats of `cmd` listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable text (a table for listings).
    Plaintext,
    /// A table.
    Table,
    /// JSON, as CodeChecker prints it.
    Json,
}

/// Task statuses for `--status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(missing_docs)]
pub enum TaskStatusArg {
    Allocated,
    Enqueued,
    Running,
    Completed,
    Failed,
    Cancelled,
    Dropped,
}

fn timestamp(text: &str) -> Result<chrono::NaiveDateTime, String> {
    crate::timefmt::parse_timestamp(text)
}

/// `cmd serverside-tasks`.
#[derive(Debug, Args)]
pub struct TasksArgs {
    /// The URL of the server to access, in the format of '[http[s]://]host:port'.
    #[arg(
        long = "url",
        value_name = "SERVER_URL",
        default_value = "localhost:8001"
    )]
    pub server_url: String,
    /// The identifying token(s) of the task(s) to query.
    #[arg(short = 't', long = "token", value_name = "TOKEN", num_args = 0.., action = clap::ArgAction::Append)]
    pub token: Option<Vec<String>>,
    /// Block until the queried task(s) terminate; return 0 if they completed
    /// (or, with '--kill', were cancelled), non-zero otherwise.
    #[arg(long = "await")]
    pub wait_and_block: bool,
    /// Request the co-operative termination of the matching tasks
    /// (SUPERUSERs only).
    #[arg(long = "kill")]
    pub cancel_task: bool,
    /// The format of the output.
    #[arg(long = "output", value_enum, default_value = "plaintext")]
    pub output_format: OutputFormat,
    /// Machine IDs of the server instances executing the tasks.
    #[arg(long = "machine-id", num_args = 0.., help_heading = "Task list filters")]
    pub machine_id: Option<Vec<String>>,
    /// The machine-readable "type" of the tasks.
    #[arg(long = "type", num_args = 0.., help_heading = "Task list filters")]
    pub kind: Option<Vec<String>>,
    /// The tasks' execution status(es).
    #[arg(long = "status", value_enum, num_args = 0.., help_heading = "Task list filters")]
    pub status: Option<Vec<TaskStatusArg>>,
    /// The user(s) whose action created the tasks.
    #[arg(long = "username", num_args = 0.., conflicts_with = "no_username", help_heading = "Task list filters")]
    pub username: Option<Vec<String>>,
    /// Tasks without a responsible user.
    #[arg(long = "no-username", help_heading = "Task list filters")]
    pub no_username: bool,
    /// Tasks of the products with these ENDPOINTs.
    #[arg(long = "product", num_args = 0.., conflicts_with = "no_product", help_heading = "Task list filters")]
    pub product: Option<Vec<String>>,
    /// Server-wide tasks (not associated with any product).
    #[arg(long = "no-product", help_heading = "Task list filters")]
    pub no_product: bool,
    /// Created BEFORE (or on) TIMESTAMP ('year:month:day[:hour:minute:second]', UTC).
    #[arg(long, value_name = "TIMESTAMP", value_parser = timestamp, help_heading = "Task list filters")]
    pub enqueued_before: Option<chrono::NaiveDateTime>,
    /// Created AFTER (or on) TIMESTAMP.
    #[arg(long, value_name = "TIMESTAMP", value_parser = timestamp, help_heading = "Task list filters")]
    pub enqueued_after: Option<chrono::NaiveDateTime>,
    /// Started BEFORE (or on) TIMESTAMP.
    #[arg(long, value_name = "TIMESTAMP", value_parser = timestamp, help_heading = "Task list filters")]
    pub started_before: Option<chrono::NaiveDateTime>,
    /// Started AFTER (or on) TIMESTAMP.
    #[arg(long, value_name = "TIMESTAMP", value_parser = timestamp, help_heading = "Task list filters")]
    pub started_after: Option<chrono::NaiveDateTime>,
    /// Finished BEFORE (or on) TIMESTAMP.
    #[arg(long, value_name = "TIMESTAMP", value_parser = timestamp, help_heading = "Task list filters")]
    pub finished_before: Option<chrono::NaiveDateTime>,
    /// Finished AFTER (or on) TIMESTAMP.
    #[arg(long, value_name = "TIMESTAMP", value_parser = timestamp, help_heading = "Task list filters")]
    pub finished_after: Option<chrono::NaiveDateTime>,
    /// Last heartbeat BEFORE (or on) TIMESTAMP.
    #[arg(long, value_name = "TIMESTAMP", value_parser = timestamp, help_heading = "Task list filters")]
    pub last_seen_before: Option<chrono::NaiveDateTime>,
    /// Last heartbeat AFTER (or on) TIMESTAMP.
    #[arg(long, value_name = "TIMESTAMP", value_parser = timestamp, help_heading = "Task list filters")]
    pub last_seen_after: Option<chrono::NaiveDateTime>,
    /// Only tasks that a SUPERUSER asked to cancel.
    #[arg(
        long,
        conflicts_with = "no_cancelled",
        help_heading = "Task list filters"
    )]
    pub only_cancelled: bool,
    /// Only tasks nobody asked to cancel.
    #[arg(long, help_heading = "Task list filters")]
    pub no_cancelled: bool,
    /// Only ended tasks whose user has seen the outcome.
    #[arg(
        long,
        conflicts_with = "no_consumed",
        help_heading = "Task list filters"
    )]
    pub only_consumed: bool,
    /// Only ended tasks whose user has not seen the outcome.
    #[arg(long, help_heading = "Task list filters")]
    pub no_consumed: bool,
    /// Also show each task's progress in percent (a column of the table, a
    /// line of the details, a key of the JSON). Servers that do not report
    /// progress (CodeChecker's) leave it empty.
    #[arg(long = "progress")]
    pub show_progress: bool,
    /// Instead of the tasks, print a summary of the queue: the number of tasks
    /// by status and kind, the age of the task waiting longest, and the median
    /// wait of the tasks started in the last hour. The filters and '--token'
    /// narrow the tasks summarised.
    #[arg(long = "summary", conflicts_with_all = ["wait_and_block", "cancel_task", "dummy_task_args"])]
    pub summary: bool,
    /// Testing only (needs TEST_WORKSPACE on both sides): create a dummy task
    /// running TIMEOUT seconds that fails when SHOULD_FAIL is y/yes/true/1/on.
    #[arg(long = "create-dummy-task", num_args = 2, value_names = ["TIMEOUT", "SHOULD_FAIL"], hide = true)]
    pub dummy_task_args: Option<Vec<String>>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub verbose: VerboseArg,
}

/// `cmd login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The username to authenticate with (default: the current user).
    #[arg(value_name = "USERNAME", conflicts_with = "username_flag")]
    pub username: Option<String>,
    /// The username to authenticate with.
    #[arg(short = 'u', long = "username", value_name = "USERNAME")]
    pub username_flag: Option<String>,
    /// Send a logout request to end your privileged session.
    #[arg(short = 'd', long = "deactivate", visible_alias = "logout")]
    pub logout: bool,
    /// The URL of the server to access, in the format of '[http[s]://]host:port'.
    #[arg(
        long = "url",
        value_name = "SERVER_URL",
        default_value = "localhost:8001"
    )]
    pub server_url: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub verbose: VerboseArg,
}

/// `cmd logout`.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// The URL of the server to access, in the format of '[http[s]://]host:port'.
    #[arg(
        long = "url",
        value_name = "SERVER_URL",
        default_value = "localhost:8001"
    )]
    pub server_url: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub verbose: VerboseArg,
}

/// `--url` of product commands.
#[derive(Debug, Args)]
pub struct ProductUrlArg {
    /// The URL of the product, in the format of '[http[s]://]host:port/Endpoint'.
    #[arg(
        long = "url",
        value_name = "PRODUCT_URL",
        default_value = "localhost:8001/Default"
    )]
    pub product_url: String,
}

/// `cmd runs`.
#[derive(Debug, Args)]
pub struct RunsArgs {
    /// Names of the runs to show (may contain '*'); all when not given.
    #[arg(short = 'n', long = "name", value_name = "RUN_NAME", num_args = 0..)]
    pub names: Option<Vec<String>>,
    /// The output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "plaintext")]
    pub output_format: OutputFormat,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub url: ProductUrlArg,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub verbose: VerboseArg,
}

/// `cmd results`.
#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// Names of the runs (may contain '*').
    #[arg(value_name = "RUN_NAMES", required = true, num_args = 1..)]
    pub names: Vec<String>,
    /// Include bug path events, execution path, comments and blame
    /// information (JSON output).
    #[arg(long)]
    pub details: bool,
    /// Review statuses to show.
    #[arg(long = "review-status", num_args = 0.., default_values = ["unreviewed", "confirmed"])]
    pub review_status: Vec<String>,
    /// Detection statuses to show.
    #[arg(long = "detection-status", num_args = 0.., default_values = ["new", "reopened", "unresolved"])]
    pub detection_status: Vec<String>,
    /// The output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "plaintext")]
    pub output_format: OutputFormat,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub url: ProductUrlArg,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub verbose: VerboseArg,
}

/// `store`.
#[derive(Debug, Args, Clone)]
#[command(after_help = STORE_EPILOG)]
pub struct StoreArgs {
    /// The analysis result files and/or folders to store.
    #[arg(value_name = "file/folder", num_args = 0..)]
    pub input: Vec<PathBuf>,
    /// The format of the analysis results.
    #[arg(short = 't', long = "type", visible_alias = "input-format", default_value = "plist", value_parser = ["plist"])]
    pub input_format: String,
    /// The name of the analysis run (default: the name given at analysis, from metadata.json).
    #[arg(short = 'n', long = "name")]
    pub name: Option<String>,
    /// A unique identifier for this individual store in the run's history.
    #[arg(long)]
    pub tag: Option<String>,
    /// A custom textual description to be shown alongside the run.
    #[arg(long)]
    pub description: Option<String>,
    /// Leading path(s) to remove from file paths (longest match; shell wildcards allowed).
    #[arg(long = "trim-path-prefix", num_args = 0..)]
    pub trim_path_prefix: Option<Vec<String>>,
    /// Number of parallel jobs reading the results (default: number of CPUs).
    #[arg(short = 'j', long = "jobs")]
    pub jobs: Option<usize>,
    /// Accepted for compatibility; this client builds the upload in memory
    /// and writes no temporary files.
    #[arg(long = "zip-loc", value_name = "PATH")]
    pub zip_loc: Option<PathBuf>,
    /// Exit once the server accepted the results, without waiting for
    /// them to be processed; prints the task token.
    #[arg(long)]
    pub detach: bool,
    /// A configuration file whose "store" options are added to the command line.
    #[arg(long = "config", value_name = "CONFIG_FILE")]
    pub config_file: Option<PathBuf>,
    /// Replace the run: delete its stored results and store only these.
    #[arg(short = 'f', long)]
    pub force: bool,
    /// Ask the server to remove the run DAYS days after this store, when
    /// the product has a run retention policy (a codechecker-rs server
    /// extension; other servers ignore it). A later store without it
    /// clears the lifetime.
    #[arg(long = "keep-for", value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_for: Option<u32>,
    /// The URL of the product to store into, in the format of '[http[s]://]host:port/Endpoint'.
    #[arg(
        long = "url",
        value_name = "PRODUCT_URL",
        default_value = "localhost:8001/Default"
    )]
    pub product_url: String,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub verbose: VerboseArg,
}

const STORE_EPILOG: &str = "\
Environment variables:
  CC_PASSWORD      password or personal access token for automatic login
  CC_PASS_FILE     the password file (default ~/.codechecker.passwords.json)
  CC_SESSION_FILE  the session file (default ~/.codechecker.session.json)
  CC_FORCE_SYNC_STORE=yes  use the blocking massStoreRun API";

impl Command {
    /// The `--verbose` given to the subcommand, if any.
    pub fn verbosity(&self) -> Option<Verbosity> {
        match self {
            Command::Store(a) => a.verbose.verbose,
            Command::Cmd(c) => match c {
                CmdCommand::ServersideTasks(a) => a.verbose.verbose,
                CmdCommand::Login(a) => a.verbose.verbose,
                CmdCommand::Logout(a) => a.verbose.verbose,
                CmdCommand::Runs(a) => a.verbose.verbose,
                CmdCommand::Results(a) => a.verbose.verbose,
            },
            Command::Completions { .. } | Command::Manpage => None,
        }
    }
}
