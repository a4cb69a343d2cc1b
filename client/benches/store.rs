//! Client-side time of `store --detach`: our client vs CodeChecker's 6.29.1
//! client, each against its own fresh CodeChecker 6.29.1 server (so neither
//! finds the sources already uploaded), on a generated corpus.
//!
//!     cargo bench -p codechecker-client --bench store            # 5,000 reports
//!     cargo bench -p codechecker-client --bench store -- 100000  # and more sizes
//!
//! Also stores with our client into our server (waiting for the end).
//! Needs the CodeChecker venv (`CC_PY_CURRENT`, see tests/tools/ensure-deps.sh).

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::corpus::{generate, CorpusSpec};
use support::{expect_code, UserEnv};

fn timed(what: &str, f: impl FnOnce() -> std::process::Output) -> Duration {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    expect_code(&out, 0, what);
    took
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
    println!(
        "corpus: {} reports in {} plists, generated in {:.1} s",
        corpus.report_count,
        corpus.plist_count,
        start.elapsed().as_secs_f64()
    );
    let dir = corpus.reports.to_string_lossy().into_owned();
    let env = UserEnv::new(&work.join("home"));

    let server = support::reference_server(venv, &work.join(format!("ref-ours-{reports}")), None);
    let ours = timed("our store", || {
        env.ours(&[
            "store",
            &dir,
            "--name",
            "bench",
            "--url",
            &server.product_url(),
            "--detach",
        ])
    });
    drop(server);

    let server = support::reference_server(venv, &work.join(format!("ref-theirs-{reports}")), None);
    let theirs = timed("CodeChecker store", || {
        env.theirs(
            venv,
            &[
                "store",
                &dir,
                "--name",
                "bench",
                "--url",
                &server.product_url(),
                "--detach",
            ],
        )
    });
    drop(server);

    let server = support::our_server(&work.join(format!("our-{reports}")));
    let full = timed("our store into our server", || {
        env.ours(&[
            "store",
            &dir,
            "--name",
            "bench",
            "--url",
            &server.product_url(),
        ])
    });
    drop(server);

    println!(
        "| {reports} | {:.2} s | {:.2} s | {:.1}× | {:.2} s |",
        ours.as_secs_f64(),
        theirs.as_secs_f64(),
        theirs.as_secs_f64() / ours.as_secs_f64(),
        full.as_secs_f64()
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
    println!("| Reports | ours (--detach) | CodeChecker 6.29.1 (--detach) | speed-up | ours into our server (until stored) |");
    println!("|---|---|---|---|---|");
    for n in sizes {
        bench(n, &venv, work.path());
    }
}
