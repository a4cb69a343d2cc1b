//! The client benchmark, side by side with CodeChecker's 6.29.1 client on
//! one generated corpus per size:
//!
//! * client-side time: `store --detach` (the client parses, hashes, packs
//!   and uploads, and exits once the server has the upload), ours and
//!   CodeChecker's, each against its own fresh instance of our server run
//!   with `--store-hold-secs 0`, whose part (receiving the upload and
//!   unpacking it) is the smallest available; with the client's peak RSS;
//! * end to end: our client into our server, and CodeChecker's client into
//!   CodeChecker's server, each waiting until the run is stored.
//!
//! Run it with:
//!
//! ```text
//! cargo bench -p codechecker-client --bench store            # 5,000 reports
//! cargo bench -p codechecker-client --bench store -- 100000  # and more sizes
//! ```
//!
//! Needs the CodeChecker venv (`CC_PY_CURRENT`, see tests/tools/ensure-deps.sh)
//! and `/usr/bin/time` (for peak memory).

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::corpus::{generate, CorpusSpec};
use support::{expect_code, UserEnv};

/// What one measured command took.
struct Measured {
    wall: Duration,
    /// Peak resident set of the command's own process, in MiB.
    peak_mib: f64,
}

/// Runs `program args` in `env` under `/usr/bin/time`; panics on failure.
fn measured(what: &str, env: &UserEnv, program: &Path, args: &[&str], work: &Path) -> Measured {
    let rss_file = work.join("maxrss");
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "%M", "-o"])
        .arg(&rss_file)
        .arg(program)
        .args(args);
    env.apply(&mut cmd);
    let start = Instant::now();
    let out = cmd.output().expect("run /usr/bin/time");
    let wall = start.elapsed();
    expect_code(&out, 0, what);
    let kib: f64 = std::fs::read_to_string(&rss_file)
        .ok()
        .and_then(|t| t.lines().last().and_then(|l| l.trim().parse().ok()))
        .unwrap_or(0.0);
    Measured {
        wall,
        peak_mib: kib / 1024.0,
    }
}

fn store_args<'a>(dir: &'a str, url: &'a str, detach: bool) -> Vec<&'a str> {
    let mut args = vec!["store", dir, "--name", "bench", "--url", url];
    if detach {
        args.push("--detach");
    }
    args
}

fn bench(reports: usize, venv: &Path, work: &Path) {
    let per_file = 10;
    let spec = CorpusSpec {
        files: reports.div_ceil(per_file),
        reports_per_file: per_file,
        seed: reports as u64,
        review_comment_every: 0,
        run_name: "bench".into(),
    };
    let start = Instant::now();
    let corpus = generate(&work.join(format!("corpus-{reports}")), &spec).expect("corpus");
    eprintln!(
        "corpus: {} reports in {} plists, generated in {:.1} s",
        corpus.report_count,
        corpus.plist_count,
        start.elapsed().as_secs_f64()
    );
    let dir = corpus.reports.to_string_lossy().into_owned();
    let env = UserEnv::new(&work.join("home"));
    let ours_bin = support::client_bin();
    let theirs_bin = venv.join("bin/CodeChecker");

    let server = server_as_run_by_default()
        .arg("--store-hold-secs")
        .arg("0")
        .start();
    let url = server.product_url();
    let ours = measured(
        "our store --detach",
        &env,
        &ours_bin,
        &store_args(&dir, &url, true),
        work,
    );
    drop(server);

    let server = server_as_run_by_default()
        .arg("--store-hold-secs")
        .arg("0")
        .start();
    let url = server.product_url();
    let theirs = measured(
        "CodeChecker store --detach",
        &env,
        &theirs_bin,
        &store_args(&dir, &url, true),
        work,
    );
    drop(server);

    let server = server_as_run_by_default().start();
    let url = server.product_url();
    let ours_full = measured(
        "our store into our server",
        &env,
        &ours_bin,
        &store_args(&dir, &url, false),
        work,
    );
    drop(server);

    let server = support::reference_server(None);
    let url = server.product_url();
    let theirs_full = measured(
        "CodeChecker store into CodeChecker's server",
        &env,
        &theirs_bin,
        &store_args(&dir, &url, false),
        work,
    );
    drop(server);

    let secs = |m: &Measured| m.wall.as_secs_f64();
    println!(
        "| {} | {:.2} s | {:.1} s | {:.0}× | {:.0} MiB | {:.0} MiB | {:.2} s | {:.1} s | {:.0}× |",
        corpus.report_count,
        secs(&ours),
        secs(&theirs),
        secs(&theirs) / secs(&ours),
        ours.peak_mib,
        theirs.peak_mib,
        secs(&ours_full),
        secs(&theirs_full),
        secs(&theirs_full) / secs(&ours_full),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if !args.iter().any(|a| a == "--bench") {
        // `cargo test --all-targets` runs benches once as tests: nothing to do.
        println!("store benchmark: run it with `cargo bench -p codechecker-client --bench store`");
        return;
    }
    let Some(venv) = support::venv() else { return };
    let mut sizes: Vec<usize> = vec![5_000];
    sizes.extend(args.iter().filter_map(|a| a.parse::<usize>().ok()));
    let work = tempfile::tempdir().expect("temp dir");
    println!(
        "| Reports | client-side, ours | client-side, CodeChecker | speed-up | \
         client peak RSS, ours | client peak RSS, CodeChecker | end to end, ours → ours | \
         end to end, CodeChecker → CodeChecker | speed-up |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        bench(n, &venv, work.path());
    }
}

/// Our server with as many API and worker processes as `make run` starts
/// (one of each per core), so that the numbers are a default server's.
fn server_as_run_by_default() -> support::ServerBuilder {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    support::ServerBuilder::new().api(cores).workers(cores)
}
