//! `codechecker-server`: parses the command line and hands over to the supervisor
//! or to the role (API or worker process) it names.

use clap::Parser;
use codechecker_server::cli::ServerArgs;

fn main() -> anyhow::Result<()> {
    let args = ServerArgs::parse();
    codechecker_server::logging::init(&args.log);
    codechecker_server::run(args)
}
