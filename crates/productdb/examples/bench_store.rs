//! Store throughput: `cargo run --release -p codechecker-productdb --example
//! bench_store -- [REPORTS] [DATABASE_URL]`. Stores REPORTS (default
//! 100,000) synthetic reports (3 positions, 5 events, a note each) over 200
//! files twice into one run (the second store re-detects all of them) and
//! prints the times. Default database: a temporary SQLite file.

use std::time::Instant;

use productdb::{
    PathMessage, PathRange, ProductDb, ReportQuery, Severity, SourceReviewStatus, StoreAnalysis,
    StoreChecker, StoreFile, StoreHooks, StoreReport, StoreRun,
};
use sha2::{Digest, Sha256};

const FILES: usize = 200;
const BATCH: usize = 5_000;

fn range(file: &str, line: i64) -> PathRange {
    PathRange {
        file_path: file.to_owned(),
        start_line: line,
        start_col: 3,
        end_line: line,
        end_col: 12,
    }
}

fn report(i: usize) -> StoreReport {
    let file = format!("/src/module{}/file{}.c", (i % FILES) % 17, i % FILES);
    let line = (i / FILES) as i64 + 1;
    let checker = format!("core.Checker{}", i % 40);
    let events = (0..5)
        .map(|k| PathMessage {
            range: range(&file, line + k),
            message: format!("Step {k}: assuming the value of 'ptr_{i}' is null"),
        })
        .collect();
    StoreReport {
        path_hash: format!("{:032x}", i),
        bug_hash: format!("{:032x}", i * 7919),
        file_path: file.clone(),
        line,
        column: 3,
        checker: checker.clone(),
        analyzer: "clangsa".into(),
        severity: Severity::High,
        message: format!("Dereference of null pointer (loaded from variable 'ptr_{i}')"),
        analysis: Some(0),
        positions: (0..3).map(|k| range(&file, line + k)).collect(),
        events,
        notes: vec![PathMessage {
            range: range(&file, line),
            message: "declared here".into(),
        }],
        macros: Vec::new(),
        annotations: Vec::new(),
        review: SourceReviewStatus::default(),
    }
}

fn files() -> Vec<StoreFile> {
    (0..FILES)
        .map(|i| {
            let content: String = (0..400)
                .map(|l| format!("int function_{i}_{l}(int *ptr) {{ return *ptr + {l}; }}\n"))
                .collect();
            StoreFile {
                path: format!("/src/module{}/file{}.c", i % 17, i),
                content_hash: hex::encode(Sha256::digest(content.as_bytes())),
                content: Some(content.into_bytes()),
                blame: None,
            }
        })
        .collect()
}

fn store(db: &ProductDb, n: usize) -> Result<f64, productdb::Error> {
    let run = StoreRun {
        run_name: "bench".into(),
        user: "bench".into(),
        analyses: vec![StoreAnalysis {
            commands: vec!["CodeChecker analyze".into()],
            checkers: (0..40)
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
    let start = Instant::now();
    let mut w = db.begin_store(run, StoreHooks::default())?;
    w.add_files(files())?;
    let mut next = 0;
    while next < n {
        let end = (next + BATCH).min(n);
        w.add_reports((next..end).map(report).collect())?;
        next = end;
    }
    let out = w.finish()?;
    assert_eq!(out.reports_stored as usize, n);
    Ok(start.elapsed().as_secs_f64())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let url = args
        .next()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.sqlite").display()));
    let db = ProductDb::open(&url)?;
    let first = store(&db, n)?;
    println!(
        "first store:  {n} reports in {first:.2} s ({:.0} reports/s)",
        n as f64 / first
    );
    let second = store(&db, n)?;
    println!(
        "second store: {n} reports in {second:.2} s ({:.0} reports/s)",
        n as f64 / second
    );
    let start = Instant::now();
    let page = db.reports(&ReportQuery {
        limit: Some(500),
        with_details: true,
        ..ReportQuery::default()
    })?;
    println!(
        "read 500 reports with details in {:.3} s",
        start.elapsed().as_secs_f64()
    );
    assert_eq!(page.len(), 500.min(n));
    Ok(())
}
