//! Plist parsing throughput.
//!
//! ```sh
//! cargo run --release -p codechecker-report --example parse_bench [-- REPORT_DIR]
//! ```
//!
//! Without a directory it generates a 10,000-report corpus with the interop
//! kit's `gen-corpus.py` (`GEN_CORPUS`, default
//! `/work/shared/interop/gen-corpus.py`) into a temporary directory. Files
//! are read into memory first; only parsing (and, separately, the
//! de-duplication hash) is timed, on one thread and on all cores.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use ccreport::{parse_plist, report_path_hash};

fn plists(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            plists(&path, out);
        } else if path.extension().is_some_and(|e| e == "plist") {
            out.push(path);
        }
    }
}

fn parse_all(files: &[(PathBuf, Vec<u8>)]) -> usize {
    files
        .iter()
        .map(|(p, b)| parse_plist(b, p).map(|r| r.len()).unwrap_or(0))
        .sum()
}

fn main() {
    let arg = std::env::args().nth(1).map(PathBuf::from);
    let _guard;
    let dir = match arg {
        Some(d) => d,
        None => {
            let gen = std::env::var("GEN_CORPUS")
                .unwrap_or_else(|_| "/work/shared/interop/gen-corpus.py".to_owned());
            let tmp = std::env::temp_dir().join(format!("ccreport-bench-{}", std::process::id()));
            let ok = Command::new("python3")
                .arg(gen)
                .args(["--files", "500", "--reports-per-file", "20", "--seed", "7"])
                .arg("--out")
                .arg(tmp.join("reports"))
                .arg("--src-dir")
                .arg(tmp.join("src"))
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                eprintln!("cannot generate a corpus; pass a report directory");
                std::process::exit(2);
            }
            _guard = Cleanup(tmp.clone());
            tmp.join("reports")
        }
    };
    let mut paths = Vec::new();
    plists(&dir, &mut paths);
    let files: Vec<(PathBuf, Vec<u8>)> = paths
        .into_iter()
        .filter_map(|p| std::fs::read(&p).ok().map(|b| (p, b)))
        .collect();
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    println!(
        "{} plists, {:.1} MiB",
        files.len(),
        bytes as f64 / (1024.0 * 1024.0)
    );

    // Warm-up, then the best of three single-threaded runs.
    let reports = parse_all(&files);
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let n = parse_all(&files);
        assert_eq!(n, reports);
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "1 thread:  {reports} reports in {:.3} s = {:.0} reports/s, {:.0} MiB/s",
        best,
        reports as f64 / best,
        bytes as f64 / best / (1024.0 * 1024.0)
    );

    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(threads).max(1);
    let t = Instant::now();
    let n: usize = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|c| s.spawn(move || parse_all(c)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let par = t.elapsed().as_secs_f64();
    println!(
        "{threads} threads: {n} reports in {par:.3} s = {:.0} reports/s",
        n as f64 / par
    );

    let parsed: Vec<_> = files
        .iter()
        .flat_map(|(p, b)| parse_plist(b, p).unwrap_or_default())
        .collect();
    let t = Instant::now();
    let unique: std::collections::HashSet<String> = parsed.iter().map(report_path_hash).collect();
    let h = t.elapsed().as_secs_f64();
    println!(
        "path hash: {} reports ({} unique) in {h:.3} s = {:.0} reports/s",
        parsed.len(),
        unique.len(),
        parsed.len() as f64 / h
    );
}

/// Removes the generated corpus.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
