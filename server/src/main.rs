use clap::Parser;
use codechecker_server::cli::ServerArgs;

fn main() -> anyhow::Result<()> {
    let args = ServerArgs::parse();
    codechecker_server::logging::init(&args.log);
    codechecker_server::run(args)
}
