//! A fast CodeChecker client, speaking CodeChecker's Thrift API v6.74 (JSON
//! protocol over HTTP) to CodeChecker's own server or ours.
//!
//! * [`store`]: `codechecker-client store`, CodeChecker's `store` (same
//!   upload, built in parallel).
//! * [`cmd`]: `cmd serverside-tasks`, `login`/`logout`, `runs`, `results`.
//! * [`await_task::await_task_termination`]: wait for a background task.
//! * [`connection::Connection`]: endpoints, session and automatic login.

pub mod address;
pub mod await_task;
pub mod cli;
pub mod cmd;
pub mod connection;
pub mod credentials;
pub mod error;
pub mod logging;
pub mod pyjson;
pub mod store;
pub mod table;
pub mod timefmt;

pub use await_task::{await_task_termination, AwaitError, AwaitOptions, TaskInfoSource};
pub use connection::{ConnectOptions, Connection};
pub use error::{CallError, ClientError};

/// Runs a parsed command line; returns the process exit code.
pub fn run(cli: &cli::Cli) -> i32 {
    use cli::Command;
    let result = match &cli.command {
        Command::Store(args) => store::run(args),
        Command::Cmd(cmd) => cmd::run(cmd),
        Command::Completions { shell } => {
            cmd::completions(*shell, &mut std::io::stdout());
            Ok(0)
        }
        Command::Manpage => cmd::manpage(&mut std::io::stdout())
            .map(|()| 0)
            .map_err(|e| ClientError::Failed(format!("cannot write the manual page: {e}"))),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            e.log();
            e.exit_code()
        }
    }
}
