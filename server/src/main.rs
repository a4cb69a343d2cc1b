//! `codechecker-server`: parses the command line and hands over to the supervisor
//! or to the role (API or worker process) it names.

use clap::Parser;
use codechecker_server::cli::ServerArgs;

/// mimalloc: the report reads allocate and free many small and middle-sized
/// buffers per request, where it is markedly cheaper than glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let args = ServerArgs::parse();
    codechecker_server::logging::init(&args.log);
    codechecker_server::run(args)
}
