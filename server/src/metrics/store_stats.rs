//! Store throughput shared by the processes of one machine: each worker
//! process keeps its running totals in `<workspace>/run/metrics/store-<pid>.json`
//! (rewritten after every store it completes); an API process answering a
//! scrape sums the files. The supervisor removes the folder when the server
//! starts, so the totals count from the start, as Prometheus counters do.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// Totals of completed stores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreTotals {
    /// Stores completed.
    pub stores: u64,
    /// Reports they stored.
    pub reports: u64,
    /// Seconds the workers spent running them.
    pub seconds: f64,
    /// Reports per second of the last store.
    pub last_reports_per_second: f64,
    /// When the last store ended (Unix seconds), to pick the latest.
    pub last_at: f64,
}

/// The folder of the statistics files of `workspace`.
pub fn dir(workspace: &Path) -> PathBuf {
    workspace.join("run").join("metrics")
}

/// This process's totals.
static TOTALS: Mutex<StoreTotals> = Mutex::new(StoreTotals {
    stores: 0,
    reports: 0,
    seconds: 0.0,
    last_reports_per_second: 0.0,
    last_at: 0.0,
});

/// Counts a store of `reports` reports that took `seconds`, and rewrites
/// this process's file. Failures are logged: statistics never fail a store.
pub fn record(workspace: &Path, reports: u64, seconds: f64) {
    let totals = {
        let mut totals = match TOTALS.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        totals.stores += 1;
        totals.reports += reports;
        totals.seconds += seconds;
        totals.last_reports_per_second = if seconds > 0.0 {
            reports as f64 / seconds
        } else {
            0.0
        };
        totals.last_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        *totals
    };
    let dir = dir(workspace);
    let path = dir.join(format!("store-{}.json", std::process::id()));
    let temp = dir.join(format!(".store-{}.json.tmp", std::process::id()));
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| {
            let text = serde_json::to_vec(&totals).map_err(std::io::Error::other)?;
            std::fs::write(&temp, text)
        })
        .and_then(|()| std::fs::rename(&temp, &path));
    if let Err(err) = written {
        tracing::warn!(%err, path = %path.display(), "cannot write store statistics");
    }
}

/// The sum of every worker process's totals (the last store's rate is the
/// latest one's).
pub fn read_all(workspace: &Path) -> StoreTotals {
    let mut sum = StoreTotals::default();
    let Ok(entries) = std::fs::read_dir(dir(workspace)) else {
        return sum;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with("store-") && name.ends_with(".json")) {
            continue;
        }
        let Some(t) = std::fs::read(entry.path())
            .ok()
            .and_then(|b| serde_json::from_slice::<StoreTotals>(&b).ok())
        else {
            continue;
        };
        sum.stores += t.stores;
        sum.reports += t.reports;
        sum.seconds += t.seconds;
        if t.last_at > sum.last_at {
            sum.last_at = t.last_at;
            sum.last_reports_per_second = t.last_reports_per_second;
        }
    }
    sum
}

/// Forgets the totals of earlier runs (the supervisor, at start).
pub fn reset(workspace: &Path) {
    match std::fs::remove_dir_all(dir(workspace)) {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => tracing::warn!(%err, "cannot reset the store statistics"),
    }
}
