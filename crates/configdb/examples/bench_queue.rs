//! Queue throughput: N no-op tasks are created, then drained by 2 claimer
//! threads (claim + finish), on SQLite and on PostgreSQL.
//!
//! ```text
//! cargo run --release -p codechecker-configdb --example bench_queue -- [sqlite|postgres|both] [N]
//! ```
//! PostgreSQL: a scratch database is created on `CONFIGDB_BENCH_PG`
//! (default `postgres://postgres@127.0.0.1:5432`) and dropped afterwards.

use std::time::{Duration, Instant};

use configdb::{ConfigDb, NewTask, OpenOptions, TaskStatus};
use diesel::{Connection, PgConnection, RunQueryDsl};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const CLAIMERS: usize = 2;

fn main() -> Result<(), BoxError> {
    let mut args = std::env::args().skip(1);
    let which = args.next().unwrap_or_else(|| "both".into());
    let n: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000);
    if which == "sqlite" || which == "both" {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}", dir.path().join("config.sqlite").display());
        run("sqlite", &url, n)?;
    }
    if which == "postgres" || which == "both" {
        let base = std::env::var("CONFIGDB_BENCH_PG")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
        let name = format!("configdb_bench_{}", std::process::id());
        let mut admin = PgConnection::establish(&format!("{base}/postgres"))?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin)?;
        let result = run("postgres", &format!("{base}/{name}"), n);
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)?;
        result?;
    }
    Ok(())
}

fn run(label: &str, url: &str, n: usize) -> Result<(), BoxError> {
    let opts = OpenOptions {
        pool_size: 4,
        ..OpenOptions::default()
    };
    let db = ConfigDb::open_with(url, opts)?;

    let started = Instant::now();
    for i in 0..n {
        db.create_task(&NewTask::new("Bench::Noop", format!("task {i}"), "bench"))?;
    }
    let created = started.elapsed();

    let started = Instant::now();
    let claimers: Vec<_> = (0..CLAIMERS)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || -> Result<usize, configdb::Error> {
                let owner = format!("bench-worker-{w}");
                let mut done = 0;
                while let Some(t) = db.claim_next(&owner, "bench", Duration::from_secs(60))? {
                    db.finish(&t.token, &owner, TaskStatus::Completed, None)?;
                    done += 1;
                }
                Ok(done)
            })
        })
        .collect();
    let mut per_worker = Vec::new();
    for c in claimers {
        per_worker.push(c.join().map_err(|_| "claimer panicked")??);
    }
    let drained = started.elapsed();
    let total: usize = per_worker.iter().sum();
    assert_eq!(total, n, "every task drained exactly once");

    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "{label:>8}: create {n} tasks: {created:.2?} ({:.0} tasks/s); \
         drain with {CLAIMERS} claimers (claim+finish): {drained:.2?} ({:.0} tasks/s) split {per_worker:?}",
        rate(created),
        rate(drained)
    );
    Ok(())
}
