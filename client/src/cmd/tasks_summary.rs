//! `cmd serverside-tasks --summary`: the queue for people. Counts of tasks by
//! status and kind, the task waiting longest, and the median wait of the
//! tasks started in the last hour, computed from `getTasks` (so it works
//! against CodeChecker's server too).

use std::collections::BTreeMap;

use codechecker_api::tasks::{TaskInfo, TaskStatus};

use crate::await_task::status_name;
use crate::pydict;
use crate::pyjson::PyValue;
use crate::table;

/// The statuses in their numeric order (the columns of the table).
const STATUSES: [TaskStatus; 7] = [
    TaskStatus::ALLOCATED,
    TaskStatus::ENQUEUED,
    TaskStatus::RUNNING,
    TaskStatus::COMPLETED,
    TaskStatus::FAILED,
    TaskStatus::CANCELLED,
    TaskStatus::DROPPED,
];

/// The window of "recent" waits.
const RECENT_SECS: i64 = 3600;

/// The task waiting longest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Oldest {
    /// Its token.
    pub token: String,
    /// Its kind.
    pub kind: String,
    /// Seconds since it was enqueued.
    pub age_secs: i64,
}

/// What `--summary` prints.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    /// kind → status name → tasks.
    pub counts: BTreeMap<String, BTreeMap<String, i64>>,
    /// The ENQUEUED task enqueued first, if any waits.
    pub oldest_waiting: Option<Oldest>,
    /// Tasks started in the last hour (with a known enqueue time).
    pub started_last_hour: usize,
    /// Their median wait from enqueued to started, whole seconds.
    pub median_wait_secs: Option<i64>,
}

/// The median of `values` (the lower middle one of an even count).
fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    (n > 0).then(|| values[(n - 1) / 2])
}

/// Summarises `tasks` as of `now` (Unix seconds).
pub fn summarise(tasks: &[TaskInfo], now: i64) -> Summary {
    let mut summary = Summary::default();
    let mut waits = Vec::new();
    for t in tasks {
        *summary
            .counts
            .entry(t.task_kind.clone().unwrap_or_default())
            .or_default()
            .entry(status_name(t.status))
            .or_default() += 1;
        if t.status == Some(TaskStatus::ENQUEUED) {
            if let Some(enqueued) = t.enqueued_at_epoch {
                let age = (now - enqueued).max(0);
                if summary
                    .oldest_waiting
                    .as_ref()
                    .is_none_or(|o| age > o.age_secs)
                {
                    summary.oldest_waiting = Some(Oldest {
                        token: t.token.clone().unwrap_or_default(),
                        kind: t.task_kind.clone().unwrap_or_default(),
                        age_secs: age,
                    });
                }
            }
        }
        if let (Some(enqueued), Some(started)) = (t.enqueued_at_epoch, t.started_at_epoch) {
            if now - started <= RECENT_SECS {
                waits.push((started - enqueued).max(0));
            }
        }
    }
    summary.started_last_hour = waits.len();
    summary.median_wait_secs = median(waits);
    summary
}

/// `1 h 02 min 03 s`, `4 min 05 s`, `6 s`.
pub fn format_duration(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    if h > 0 {
        format!("{h} h {m:02} min {s:02} s")
    } else if m > 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{s} s")
    }
}

impl Summary {
    /// The plain-text report: a table of counts, then two lines.
    pub fn text(&self) -> String {
        let used: Vec<String> = STATUSES
            .iter()
            .map(|s| status_name(Some(*s)))
            .filter(|name| self.counts.values().any(|c| c.contains_key(name)))
            .collect();
        let mut header: Vec<&str> = vec!["Kind"];
        header.extend(used.iter().map(String::as_str));
        header.push("Total");
        let mut rows = Vec::new();
        let mut column_totals = vec![0i64; used.len()];
        for (kind, by_status) in &self.counts {
            let mut row = vec![kind.clone()];
            for (i, name) in used.iter().enumerate() {
                let n = by_status.get(name).copied().unwrap_or(0);
                column_totals[i] += n;
                row.push(n.to_string());
            }
            row.push(by_status.values().sum::<i64>().to_string());
            rows.push(row);
        }
        let mut total_row = vec!["Total".to_owned()];
        total_row.extend(column_totals.iter().map(i64::to_string));
        total_row.push(column_totals.iter().sum::<i64>().to_string());
        rows.push(total_row);
        let mut out = table::with_header(&header, rows);
        out.push('\n');
        match &self.oldest_waiting {
            Some(o) => out.push_str(&format!(
                "Oldest waiting task: '{}' ({}), waiting for {}.\n",
                o.token,
                o.kind,
                format_duration(o.age_secs)
            )),
            None => out.push_str("No task is waiting.\n"),
        }
        match self.median_wait_secs {
            Some(m) => out.push_str(&format!(
                "Median wait of the {} task(s) started in the last hour: {}.\n",
                self.started_last_hour,
                format_duration(m)
            )),
            None => out.push_str("No task started in the last hour.\n"),
        }
        out
    }

    /// The JSON form (`--output json`).
    pub fn json(&self) -> PyValue {
        let counts = PyValue::Dict(
            self.counts
                .iter()
                .map(|(kind, by_status)| {
                    let statuses = STATUSES
                        .iter()
                        .map(|s| status_name(Some(*s)))
                        .filter_map(|name| {
                            by_status
                                .get(&name)
                                .map(|n| (name.clone(), PyValue::Int(*n)))
                        })
                        .collect();
                    (kind.clone(), PyValue::Dict(statuses))
                })
                .collect(),
        );
        let oldest = match &self.oldest_waiting {
            Some(o) => pydict! {
                "token" => PyValue::Str(o.token.clone()),
                "taskKind" => PyValue::Str(o.kind.clone()),
                "waitingSeconds" => PyValue::Int(o.age_secs),
            },
            None => PyValue::Null,
        };
        pydict! {
            "counts" => counts,
            "oldestWaiting" => oldest,
            "startedLastHour" => PyValue::Int(i64::try_from(self.started_last_hour).unwrap_or(i64::MAX)),
            "medianWaitLastHourSeconds" => PyValue::opt_int(self.median_wait_secs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(kind: &str, status: TaskStatus, enq: Option<i64>, start: Option<i64>) -> TaskInfo {
        TaskInfo {
            token: Some(format!("{kind}-{enq:?}")),
            task_kind: Some(kind.to_owned()),
            status: Some(status),
            enqueued_at_epoch: enq,
            started_at_epoch: start,
            ..TaskInfo::default()
        }
    }

    #[test]
    fn counts_oldest_and_median() {
        let now = 10_000;
        let tasks = vec![
            task("A", TaskStatus::ENQUEUED, Some(9_900), None),
            task("A", TaskStatus::ENQUEUED, Some(9_000), None),
            task("B", TaskStatus::COMPLETED, Some(9_500), Some(9_502)),
            task("B", TaskStatus::RUNNING, Some(9_600), Some(9_610)),
            task("B", TaskStatus::COMPLETED, Some(9_700), Some(9_701)),
            // Started more than an hour ago: not in the median.
            task("B", TaskStatus::COMPLETED, Some(1_000), Some(1_500)),
        ];
        let s = summarise(&tasks, now);
        assert_eq!(s.counts["A"]["ENQUEUED"], 2);
        assert_eq!(s.counts["B"]["COMPLETED"], 3);
        assert_eq!(s.counts["B"]["RUNNING"], 1);
        let oldest = s.oldest_waiting.clone().expect("a waiting task");
        assert_eq!(oldest.age_secs, 1_000);
        assert_eq!(s.started_last_hour, 3);
        assert_eq!(s.median_wait_secs, Some(2));
        let text = s.text();
        assert!(text.contains("waiting for 16 min 40 s"), "{text}");
        assert!(text.contains("Median wait of the 3 task(s)"), "{text}");
    }

    #[test]
    fn empty_queue() {
        let s = summarise(&[], 0);
        assert_eq!(s.median_wait_secs, None);
        assert!(s.text().contains("No task is waiting."));
        assert!(s.text().contains("No task started in the last hour."));
    }
}
