//! Run retention under load: `cargo run --release -p codechecker-productdb
//! --example bench_retention -- [RUNS] [REPORTS_PER_RUN] [DATABASE_URL]`.
//!
//! Stores RUNS (default 10,000) runs of REPORTS_PER_RUN (default 100)
//! reports, then removes all but the newest 100 as the server's run retention
//! task does (each condemned run under its lock, in report batches, pausing as
//! long as the removal took, at most 50 ms) while one thread per query kind
//! queries the same product every 10 ms (run count, a page of a kept run's
//! reports; the run list every 500 ms). Prints each kind's latencies without and with
//! retention running: what a query waited for locks is within its latency
//! during retention. Default database: a temporary SQLite file.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use productdb::retention::{KeepLast, RetentionOutcome, RetentionPolicy};
use productdb::{
    PathMessage, PathRange, ProductDb, ReportQuery, RunFilter, Severity, SourceReviewStatus,
    StoreAnalysis, StoreChecker, StoreFile, StoreHooks, StoreReport, StoreRun,
};
use sha2::{Digest, Sha256};

const FILE: &str = "/src/module/file.c";

fn range(line: i64) -> PathRange {
    PathRange {
        file_path: FILE.to_owned(),
        start_line: line,
        start_col: 3,
        end_line: line,
        end_col: 12,
    }
}

fn report(run: usize, i: usize) -> StoreReport {
    let line = i as i64 + 1;
    StoreReport {
        path_hash: format!("{run:016x}{i:016x}"),
        bug_hash: format!("{:032x}", run * 1_000_003 + i),
        file_path: FILE.to_owned(),
        line,
        column: 3,
        checker: format!("core.Checker{}", i % 10),
        analyzer: "clangsa".into(),
        severity: Severity::High,
        message: format!("Dereference of null pointer ({i})"),
        analysis: Some(0),
        positions: vec![range(line)],
        events: vec![PathMessage {
            range: range(line),
            message: "assuming the pointer is null".into(),
        }],
        notes: Vec::new(),
        macros: Vec::new(),
        annotations: Vec::new(),
        review: SourceReviewStatus::default(),
    }
}

fn store(db: &ProductDb, run: usize, reports: usize) -> Result<(), productdb::Error> {
    let content: String = (0..reports.max(1))
        .map(|l| format!("int f{l}(int *p) {{ return *p; }}\n"))
        .collect();
    let spec = StoreRun {
        run_name: format!("run-{run:05}"),
        user: "bench".into(),
        analyses: vec![StoreAnalysis {
            commands: vec!["CodeChecker analyze".into()],
            checkers: (0..10)
                .map(|c| StoreChecker {
                    analyzer: "clangsa".into(),
                    name: format!("core.Checker{c}"),
                    enabled: true,
                    severity: Severity::High,
                })
                .collect(),
            conf_files: Vec::new(),
        }],
        ..StoreRun::default()
    };
    let mut w = db.begin_store(spec, StoreHooks::default())?;
    w.add_files(vec![StoreFile {
        path: FILE.into(),
        content_hash: hex::encode(Sha256::digest(content.as_bytes())),
        content: Some(content.into_bytes()),
        blame: None,
    }])?;
    w.add_reports((0..reports).map(|i| report(run, i)).collect())?;
    w.finish()?;
    Ok(())
}

/// The queries of the load, each timed on its own.
const QUERIES: [&str; 3] = [
    "run count",
    "100 reports of a kept run",
    "run list (25 newest, with counts)",
];

/// Query latencies of one phase, per query kind, and the queries over
/// 100 ms as (start, duration) since the bench began.
#[derive(Default)]
struct Latencies([Vec<Duration>; 3], Vec<(Duration, Duration)>);

/// What counts as a slow query or removal.
const SLOW: Duration = Duration::from_millis(100);

/// Whether `a` and `b` (start, duration) overlap in time.
fn overlap(a: (Duration, Duration), b: (Duration, Duration)) -> bool {
    a.0 < b.0 + b.1 && b.0 < a.0 + a.1
}

impl Latencies {
    fn print(&mut self, phase: &str) {
        for (k, name) in QUERIES.iter().enumerate() {
            let v = &mut self.0[k];
            v.sort();
            let n = v.len();
            if n == 0 {
                println!("  {phase:<9} {name:<34} no queries");
                continue;
            }
            let at = |q: f64| v[((n as f64 * q) as usize).min(n - 1)].as_secs_f64() * 1e3;
            println!(
                "  {phase:<9} {name:<34} {n:>6} queries  p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms",
                at(0.5),
                at(0.99),
                v[n - 1].as_secs_f64() * 1e3
            );
        }
    }
}

/// Runs one query thread per query kind until `stop`; `kept` are runs the
/// retention leaves.
fn query_load(
    url: &str,
    kept: &[i64],
    stop: Arc<AtomicBool>,
    epoch: Instant,
) -> Vec<std::thread::JoinHandle<Latencies>> {
    (0..QUERIES.len())
        .map(|k| {
            let url = url.to_owned();
            let stop = stop.clone();
            let kept = kept.to_vec();
            std::thread::spawn(move || {
                let db = ProductDb::open(&url).expect("open");
                let mut lat = Latencies::default();
                let mut i = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    let start = Instant::now();
                    match k {
                        0 => {
                            db.run_count(&RunFilter::default()).expect("count");
                        }
                        1 => {
                            db.reports(&ReportQuery {
                                run_ids: Some(vec![kept[i % kept.len()]]),
                                limit: Some(100),
                                ..ReportQuery::default()
                            })
                            .expect("reports");
                        }
                        _ => {
                            db.runs(&RunFilter::default(), None, Some(25), 0)
                                .expect("runs");
                        }
                    }
                    // The first query of a connection prepares it.
                    if i > 0 {
                        let took = start.elapsed();
                        lat.0[k].push(took);
                        if took > SLOW {
                            lat.1.push((start - epoch, took));
                        }
                    }
                    i += 1;
                    // Paced like clients are, so the load does not starve
                    // the machine's cores by itself; the run list (a
                    // heavy query at 10,000 runs) as a page refresh would.
                    std::thread::sleep(Duration::from_millis(if k == 2 { 500 } else { 10 }));
                }
                lat
            })
        })
        .collect()
}

fn merge(handles: Vec<std::thread::JoinHandle<Latencies>>) -> Latencies {
    let mut all = Latencies::default();
    for h in handles {
        let l = h.join().expect("query thread");
        for (k, v) in l.0.into_iter().enumerate() {
            all.0[k].extend(v);
        }
        all.1.extend(l.1);
    }
    all
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let runs: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000);
    let reports: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(100);
    let dir = tempfile::tempdir()?;
    let url = args
        .next()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.sqlite").display()));
    let db = ProductDb::open(&url)?;
    let start = Instant::now();
    for r in 0..runs {
        store(&db, r, reports)?;
    }
    println!(
        "stored {runs} runs of {reports} reports in {:.1} s",
        start.elapsed().as_secs_f64()
    );

    // All but the 100 newest runs go.
    let policy = RetentionPolicy {
        keep_last: Some(KeepLast {
            matches: Box::new(|_: &str| true),
            count: 100,
            description: "'.*'".into(),
        }),
        ..RetentionPolicy::default()
    };
    let now = chrono::Utc::now();
    let condemned: std::collections::HashSet<i64> = db
        .retention_candidates(&policy, now)?
        .into_iter()
        .map(|c| c.id)
        .collect();
    let kept: Vec<i64> = db
        .run_dates()?
        .into_iter()
        .map(|r| r.0)
        .filter(|id| !condemned.contains(id))
        .collect();

    let epoch = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let load = query_load(&url, &kept, stop.clone(), epoch);
    std::thread::sleep(Duration::from_secs(10));
    stop.store(true, Ordering::Relaxed);
    let mut alone = merge(load);

    let stop = Arc::new(AtomicBool::new(false));
    let load = query_load(&url, &kept, stop.clone(), epoch);
    let start = Instant::now();
    let condemned = db.retention_candidates(&policy, now)?;
    let judged = start.elapsed();
    let slowest = Mutex::new(Duration::ZERO);
    let mut slow_removals: Vec<(Duration, Duration)> = Vec::new();
    let mut removed = 0usize;
    for run in &condemned {
        let t = Instant::now();
        if db.remove_condemned(run, "run retention")? == RetentionOutcome::Removed {
            removed += 1;
        }
        let took = t.elapsed();
        if took > SLOW {
            slow_removals.push((t - epoch, took));
        }
        {
            let mut s = slowest.lock().expect("lock");
            *s = (*s).max(took);
        }
        std::thread::sleep(took.min(Duration::from_millis(50)));
    }
    let total = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    println!(
        "retention: judged {} runs in {:.2} s, removed {removed} in {:.1} s \
         (slowest run {:.1} ms)",
        condemned.len(),
        judged.as_secs_f64(),
        total.as_secs_f64(),
        slowest.lock().expect("lock").as_secs_f64() * 1e3
    );
    let mut during = merge(load);
    println!("query latencies (one thread per query, 10 ms apart; the run list 500 ms):");
    alone.print("alone");
    during.print("retention");
    let stalled = during
        .1
        .iter()
        .filter(|q| slow_removals.iter().any(|r| overlap(**q, *r)))
        .count();
    println!(
        "queries over 100 ms: {} alone, {} during retention ({stalled} of them while a \
         removal of one run also took over 100 ms; {} such removals)",
        alone.1.len(),
        during.1.len(),
        slow_removals.len()
    );
    let mut worst = during.1.clone();
    worst.sort_by_key(|q| std::cmp::Reverse(q.1));
    for (at, took) in worst.iter().take(5) {
        println!(
            "  slow query at {:.1} s: {:.0} ms",
            at.as_secs_f64(),
            took.as_secs_f64() * 1e3
        );
    }
    slow_removals.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (at, took) in slow_removals.iter().take(5) {
        println!(
            "  slow removal at {:.1} s: {:.0} ms",
            at.as_secs_f64(),
            took.as_secs_f64() * 1e3
        );
    }
    Ok(())
}
