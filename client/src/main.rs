//! `codechecker-client`: see the library for the commands.

use clap::Parser;

fn main() {
    let cli = codechecker_client::cli::Cli::parse();
    codechecker_client::logging::init(cli.command.verbosity());
    std::process::exit(codechecker_client::run(&cli));
}
