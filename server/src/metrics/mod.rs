//! `GET /metrics`: the server's state in the Prometheus text format
//! (version 0.0.4), encoded by `prometheus-client`.
//!
//! A scrape reaches one API process, so what matters across processes is
//! read where every process writes it:
//! * the task queue (tasks by kind and status, counters of enqueued, started
//!   and finished tasks, histograms of waiting, running and cancelling, queue
//!   depth, age of the oldest queued task, this machine's busy and idle
//!   workers) comes from the configuration database ([`configdb::TaskStats`]),
//!   read at most once a second per process;
//! * store throughput comes from the files this machine's worker processes
//!   keep under `<workspace>/run/metrics/` ([`store_stats`]).
//!
//! Thrift request counts and latencies are the answering process's own,
//! labelled with its `pid`.

pub mod store_stats;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use configdb::{ConfigDb, KindHistogram, TaskStats, HISTOGRAM_BOUNDS_SECS};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::exemplar::Exemplar;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Registry;

/// The `Content-Type` of a scrape.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// How long one reading of the configuration database serves scrapes.
const QUEUE_CACHE: Duration = Duration::from_secs(1);

/// Upper bounds (seconds) of the request latency histogram.
const LATENCY_BOUNDS_SECS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0,
];

/// Labels of the per-request metrics.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    service: String,
    method: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BOUNDS_SECS)
}

/// The counter and histogram of one (service, method).
type MethodHandles = (Counter, Histogram);

/// The most (service, method) pairs counted; beyond them, calls count under
/// method `<other>` (method names come from the clients).
const MAX_METHODS: usize = 512;

/// The metrics of one API process.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RequestLabels, Histogram>,
    /// service → method → its metrics, so that counting a call allocates
    /// nothing once its method was seen.
    handles: RwLock<HashMap<String, HashMap<String, MethodHandles>>>,
}

/// What the queue metrics need to know of the server.
pub struct QueueSource {
    /// The configuration database.
    pub config: ConfigDb,
    /// This server's machine id (its workers' tasks).
    pub machine_id: String,
    /// Worker processes this server runs.
    pub workers: usize,
    /// The workspace (store statistics of the workers).
    pub workspace: std::path::PathBuf,
}

impl Metrics {
    /// The metrics of this process, reading the queue from `source`.
    pub fn new(source: QueueSource) -> Self {
        let mut registry = Registry::with_prefix("codechecker");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RequestLabels, Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let pid = std::process::id().to_string();
        {
            let per_process = registry.sub_registry_with_label(("pid".into(), pid.into()));
            per_process.register(
                "thrift_requests",
                "Thrift calls answered by this API process, by service and method",
                requests.clone(),
            );
            per_process.register(
                "thrift_request_duration_seconds",
                "Time this API process took to answer a Thrift call, by service and method",
                latency.clone(),
            );
        }
        registry.register_collector(Box::new(QueueCollector {
            source,
            cache: Mutex::new(None),
        }));
        Self {
            registry,
            requests,
            latency,
            handles: RwLock::new(HashMap::new()),
        }
    }

    /// Counts one answered call of `service`'s `method` that took `elapsed`.
    pub fn observe_request(&self, service: &str, method: &str, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        {
            let handles = match self.handles.read() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            if let Some((count, latency)) = handles.get(service).and_then(|m| m.get(method)) {
                count.inc();
                latency.observe(seconds);
                return;
            }
        }
        let mut handles = match self.handles.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let known: usize = handles.values().map(HashMap::len).sum();
        let method = if known < MAX_METHODS {
            method
        } else {
            "<other>"
        };
        let (count, latency) = handles
            .entry(service.to_owned())
            .or_default()
            .entry(method.to_owned())
            .or_insert_with(|| {
                let labels = RequestLabels {
                    service: service.to_owned(),
                    method: method.to_owned(),
                };
                (
                    self.requests.get_or_create_owned(&labels),
                    self.latency.get_or_create_owned(&labels),
                )
            });
        count.inc();
        latency.observe(seconds);
    }

    /// The scrape's body.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(err) =
            prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
        {
            tracing::error!(%err, "cannot encode the metrics");
        }
        out
    }
}

/// The queue as last read, and when.
struct Reading {
    at: Instant,
    stats: Option<Arc<TaskStats>>,
    now: chrono::DateTime<chrono::Utc>,
}

/// Encodes the configuration database's view of the queue at each scrape.
struct QueueCollector {
    source: QueueSource,
    cache: Mutex<Option<Reading>>,
}

impl std::fmt::Debug for QueueCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QueueCollector").finish_non_exhaustive()
    }
}

impl QueueCollector {
    /// The queue, read at most once per [`QUEUE_CACHE`]; `None` when the
    /// database cannot be read.
    fn read(&self) -> (Option<Arc<TaskStats>>, chrono::DateTime<chrono::Utc>) {
        let mut cache = match self.cache.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(reading) = cache.as_ref().filter(|r| r.at.elapsed() < QUEUE_CACHE) {
            return (reading.stats.clone(), reading.now);
        }
        let now = self.source.config.now();
        let stats = match self.source.config.task_stats() {
            Ok(stats) => Some(Arc::new(stats)),
            Err(err) => {
                tracing::warn!(%err, "metrics: cannot read the task queue");
                None
            }
        };
        *cache = Some(Reading {
            at: Instant::now(),
            stats: stats.clone(),
            now,
        });
        (stats, now)
    }
}

fn gauge<L: EncodeLabelSet>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    values: &[(L, f64)],
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
    for (labels, value) in values {
        ConstGauge::new(*value).encode(family.encode_family(labels)?)?;
    }
    Ok(())
}

fn counter<L: EncodeLabelSet>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    values: &[(L, u64)],
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (labels, value) in values {
        ConstCounter::new(*value).encode(family.encode_family(labels)?)?;
    }
    Ok(())
}

fn histograms(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    values: &[KindHistogram],
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Histogram)?;
    for h in values {
        let labels = [("kind", h.kind.as_str())];
        // Per-bucket counts; the encoder accumulates them.
        let mut previous = 0;
        let buckets: Vec<(f64, u64)> = HISTOGRAM_BOUNDS_SECS
            .iter()
            .zip(&h.cumulative)
            .map(|(bound, cumulative)| {
                let n = cumulative.saturating_sub(previous);
                previous = *cumulative;
                (*bound, n)
            })
            .collect();
        family.encode_family(&labels)?.encode_histogram(
            h.sum_secs,
            h.count,
            &buckets,
            None::<&std::collections::HashMap<usize, Exemplar<NoLabelSet, f64>>>,
        )?;
    }
    Ok(())
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Collector for QueueCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let (stats, now) = self.read();
        gauge(
            &mut encoder,
            "config_db_up",
            "Whether this process could read the configuration database for this scrape",
            &[(NoLabels, if stats.is_some() { 1.0 } else { 0.0 })],
        )?;
        if let Some(stats) = stats {
            encode_queue(&mut encoder, &stats, now, &self.source)?;
        }
        let store = store_stats::read_all(&self.source.workspace);
        counter(
            &mut encoder,
            "stores",
            "Stores completed by this machine's worker processes since the server started",
            &[(NoLabels, store.stores)],
        )?;
        counter(
            &mut encoder,
            "store_reports",
            "Reports stored by this machine's worker processes since the server started",
            &[(NoLabels, store.reports)],
        )?;
        let mut seconds = encoder.encode_descriptor(
            "store_seconds",
            "Time this machine's worker processes spent writing stores since the server started",
            None,
            MetricType::Counter,
        )?;
        ConstCounter::new(store.seconds).encode(seconds.encode_family(&NoLabels)?)?;
        gauge(
            &mut encoder,
            "store_last_reports_per_second",
            "Reports per second of the store this machine finished last (0 before any)",
            &[(NoLabels, store.last_reports_per_second)],
        )?;
        Ok(())
    }
}

/// The empty label set.
#[derive(Debug, Clone, Copy)]
struct NoLabels;

impl EncodeLabelSet for NoLabels {
    fn encode(
        &self,
        _encoder: &mut prometheus_client::encoding::LabelSetEncoder,
    ) -> Result<(), std::fmt::Error> {
        Ok(())
    }
}

fn encode_queue(
    encoder: &mut DescriptorEncoder,
    stats: &TaskStats,
    now: chrono::DateTime<chrono::Utc>,
    source: &QueueSource,
) -> Result<(), std::fmt::Error> {
    let by_status: Vec<([(&str, &str); 2], f64)> = stats
        .counts
        .iter()
        .map(|c| {
            (
                [("kind", c.kind.as_str()), ("status", c.status.name())],
                c.tasks as f64,
            )
        })
        .collect();
    gauge(
        encoder,
        "tasks",
        "Tasks in the configuration database, by kind and status",
        &by_status,
    )?;
    let mut enqueued: Vec<(String, u64)> = Vec::new();
    let mut started: Vec<(String, u64)> = Vec::new();
    for c in &stats.counts {
        for (list, n) in [(&mut enqueued, c.enqueued), (&mut started, c.started)] {
            match list.last_mut() {
                Some((kind, total)) if *kind == c.kind => *total += to_u64(n),
                _ => list.push((c.kind.clone(), to_u64(n))),
            }
        }
    }
    let labelled = |list: &[(String, u64)]| -> Vec<([(&'static str, String); 1], u64)> {
        list.iter()
            .map(|(kind, n)| ([("kind", kind.clone())], *n))
            .collect()
    };
    counter(
        encoder,
        "tasks_enqueued",
        "Tasks ever enqueued, by kind (of the tasks the configuration database holds)",
        &labelled(&enqueued),
    )?;
    counter(
        encoder,
        "tasks_started",
        "Tasks a worker started, by kind (of the tasks the configuration database holds)",
        &labelled(&started),
    )?;
    let finished: Vec<([(&str, &str); 2], u64)> = stats
        .counts
        .iter()
        .filter(|c| c.status.is_terminal())
        .map(|c| {
            (
                [("kind", c.kind.as_str()), ("status", c.status.name())],
                to_u64(c.tasks),
            )
        })
        .collect();
    counter(
        encoder,
        "tasks_finished",
        "Tasks that ended, by kind and final status (of the tasks the configuration database \
         holds)",
        &finished,
    )?;
    histograms(
        encoder,
        "task_wait_seconds",
        "Time from enqueued to started, by kind",
        &stats.wait,
    )?;
    histograms(
        encoder,
        "task_run_seconds",
        "Time from started to the end, by kind",
        &stats.run,
    )?;
    histograms(
        encoder,
        "task_cancel_seconds",
        "Time from the cancel request to the end of a CANCELLED task, by kind",
        &stats.cancel,
    )?;
    gauge(
        encoder,
        "task_queue_depth",
        "Tasks waiting for a worker (ENQUEUED)",
        &[(NoLabels, stats.queue_depth as f64)],
    )?;
    let oldest = stats
        .oldest_enqueued_at
        .map(|t| (now - t).num_microseconds().unwrap_or(0).max(0) as f64 / 1e6)
        .unwrap_or(0.0);
    gauge(
        encoder,
        "task_oldest_enqueued_age_seconds",
        "How long the task waiting longest has waited (0 when none waits)",
        &[(NoLabels, oldest)],
    )?;
    // A worker's claim owner is `<machine id>#<pid>` (tasks::worker); a task
    // without input may run on another machine than the one that created it.
    let running: u64 = stats
        .running_by_owner
        .iter()
        .filter(|(owner, _)| {
            owner
                .rsplit_once('#')
                .is_some_and(|(machine, _)| machine == source.machine_id)
        })
        .map(|(_, n)| to_u64(*n))
        .sum();
    let workers = source.workers as u64;
    let busy = running.min(workers);
    gauge(
        encoder,
        "workers",
        "This server's worker processes, busy (running a task) or idle",
        &[
            ([("state", "busy")], busy as f64),
            ([("state", "idle")], (workers - busy) as f64),
        ],
    )?;
    Ok(())
}
