//! The `cmd` subcommands and the help generators.

pub mod login;
pub mod results;
pub mod runs;
pub mod serverside_tasks;
pub mod tasks_summary;

use clap::CommandFactory;

use crate::cli::{Cli, CmdCommand};
use crate::error::ClientError;

/// Runs a `cmd` subcommand; returns the exit code.
pub fn run(cmd: &CmdCommand) -> Result<i32, ClientError> {
    match cmd {
        CmdCommand::ServersideTasks(a) => serverside_tasks::run(a),
        CmdCommand::Login(a) => login::run_login(a),
        CmdCommand::Logout(a) => login::run_logout(a),
        CmdCommand::Runs(a) => runs::run(a),
        CmdCommand::Results(a) => results::run(a),
    }
}

/// Writes the completion script for `shell` to `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn std::io::Write) {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "codechecker-client", out);
}

/// Writes the manual page (roff) to `out`.
pub fn manpage(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    clap_mangen::Man::new(Cli::command()).render(out)
}
