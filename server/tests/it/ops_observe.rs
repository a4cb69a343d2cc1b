//! Observing the server: `GET /metrics` read with a Prometheus text parser
//! (`prometheus-parse`) after a known sequence of task calls, and
//! `TaskInfo.progress` (our field 100) next to CodeChecker 6.29.1's client,
//! which still stores and lists tasks with it on the wire.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use prometheus_parse::{Sample, Scrape, Value as PromValue};
use serde_json::Value;

use crate::support::http::{post_thrift, request, thrift_call};
use crate::support::python::{codechecker, Venv};
use crate::support::server::{Server, ServerBuilder};
use crate::support::store::{generate, CorpusSpec};
use crate::support::wait_for;

const DUMMY: &str = "TaskService::DummyTask";
const TIMEOUT: Duration = Duration::from_secs(30);

/// Raw Thrift calls of the `Tasks` service, counted per method.
struct Tasks {
    addr: SocketAddr,
    calls: HashMap<&'static str, u64>,
}

impl Tasks {
    fn new(addr: SocketAddr) -> Self {
        Self {
            addr,
            calls: HashMap::new(),
        }
    }

    /// The reply's success value.
    fn call(&mut self, method: &'static str, args: &str) -> Value {
        *self.calls.entry(method).or_default() += 1;
        let body = thrift_call(method, 1, args);
        let reply = post_thrift(self.addr, "/v6.74/Tasks", &body, TIMEOUT).expect("Tasks call");
        let json: Value = serde_json::from_slice(&reply.body).expect("Thrift JSON reply");
        json[4]["0"].clone()
    }

    fn create_dummy(&mut self, seconds: i32, fail: bool) -> String {
        let args = format!(
            r#"{{"1":{{"i32":{seconds}}},"2":{{"tf":{}}}}}"#,
            u8::from(fail)
        );
        let token = self.call("createDummyTask", &args);
        token["str"].as_str().expect("a token").to_owned()
    }

    /// `getTaskInfo`: (status, progress).
    fn info(&mut self, token: &str) -> (i64, Option<i64>) {
        let info = self.call("getTaskInfo", &format!(r#"{{"1":{{"str":"{token}"}}}}"#));
        let rec = &info["rec"];
        (
            rec["3"]["i32"].as_i64().expect("a status"),
            rec["100"]["i32"].as_i64(),
        )
    }

    fn cancel(&mut self, token: &str) {
        self.call("cancelTask", &format!(r#"{{"1":{{"str":"{token}"}}}}"#));
    }

    fn wait_status(&mut self, token: &str, accept: impl Fn(i64) -> bool) -> (i64, Option<i64>) {
        wait_for(
            &format!("task {token}"),
            Duration::from_secs(60),
            Duration::from_millis(50),
            || Some(self.info(token)).filter(|(status, _)| accept(*status)),
        )
    }
}

/// One scrape, parsed.
fn scrape(server: &Server) -> Scrape {
    let reply = request(server.addr(), "GET", "/metrics", b"", TIMEOUT).expect("GET /metrics");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
        "{:?}",
        reply.headers
    );
    let lines = reply
        .text()
        .lines()
        .map(|l| Ok(l.to_owned()))
        .collect::<Vec<_>>();
    Scrape::parse(lines.into_iter()).expect("a Prometheus text exposition")
}

/// The value of the sample `name` whose labels include `labels`.
fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .map(sample_value)
}

fn sample_value(s: &Sample) -> f64 {
    match &s.value {
        PromValue::Counter(v) | PromValue::Gauge(v) | PromValue::Untyped(v) => *v,
        PromValue::Histogram(_) | PromValue::Summary(_) => f64::NAN,
    }
}

/// `(count, sum)` of the histogram `name` of kind `kind`.
fn histogram(scrape: &Scrape, name: &str, kind: &str) -> Option<(f64, f64)> {
    scrape
        .samples
        .iter()
        .find(|s| s.metric == name && s.labels.get("kind") == Some(kind))
        .and_then(|s| match &s.value {
            PromValue::Histogram(buckets) => {
                let count = buckets.iter().map(|b| b.count).fold(0.0, f64::max);
                Some(count)
            }
            _ => None,
        })
        .map(|count| {
            let sum = value(scrape, &format!("{name}_sum"), &[("kind", kind)]).unwrap_or(f64::NAN);
            (count, sum)
        })
}

#[test]
fn metrics_match_what_the_test_did() {
    // One API process: request counters are the answering process's own.
    let server = ServerBuilder::new().api(1).workers(1).start();
    let mut tasks = Tasks::new(server.addr());

    let ok = [tasks.create_dummy(0, false), tasks.create_dummy(0, false)];
    let failed = tasks.create_dummy(0, true);
    for token in ok.iter().chain([&failed]) {
        tasks.wait_status(token, |s| s >= 3);
    }
    // The only worker is busy with a long task; another one waits.
    let long = tasks.create_dummy(60, false);
    let (_, progress) = tasks.wait_status(&long, |s| s == 2);
    assert!(
        progress.is_some_and(|p| (0..=100).contains(&p)),
        "{progress:?}"
    );
    let queued = tasks.create_dummy(0, false);
    let busy = wait_for(
        "the scrape to show the running and the queued task",
        Duration::from_secs(10),
        Duration::from_millis(200),
        || {
            let s = scrape(&server);
            let running = value(
                &s,
                "codechecker_tasks",
                &[("kind", DUMMY), ("status", "RUNNING")],
            );
            let depth = value(&s, "codechecker_task_queue_depth", &[]);
            (running == Some(1.0) && depth == Some(1.0)).then_some(s)
        },
    );
    assert_eq!(
        value(&busy, "codechecker_workers", &[("state", "busy")]),
        Some(1.0)
    );
    assert_eq!(
        value(&busy, "codechecker_workers", &[("state", "idle")]),
        Some(0.0)
    );
    let age = value(&busy, "codechecker_task_oldest_enqueued_age_seconds", &[]).unwrap_or(-1.0);
    assert!((0.0..30.0).contains(&age), "oldest enqueued age {age}");

    tasks.cancel(&long);
    tasks.wait_status(&long, |s| s == 5);
    tasks.wait_status(&queued, |s| s == 3);

    // The cache of the queue readings lasts a second.
    std::thread::sleep(Duration::from_millis(1100));
    let s = scrape(&server);
    let count = |status: &str| {
        value(
            &s,
            "codechecker_tasks",
            &[("kind", DUMMY), ("status", status)],
        )
    };
    assert_eq!(count("COMPLETED"), Some(3.0));
    assert_eq!(count("FAILED"), Some(1.0));
    assert_eq!(count("CANCELLED"), Some(1.0));
    assert_eq!(count("RUNNING"), None);
    let kind = [("kind", DUMMY)];
    assert_eq!(
        value(&s, "codechecker_tasks_enqueued_total", &kind),
        Some(5.0)
    );
    assert_eq!(
        value(&s, "codechecker_tasks_started_total", &kind),
        Some(5.0)
    );
    for (status, n) in [("COMPLETED", 3.0), ("FAILED", 1.0), ("CANCELLED", 1.0)] {
        assert_eq!(
            value(
                &s,
                "codechecker_tasks_finished_total",
                &[("kind", DUMMY), ("status", status)]
            ),
            Some(n),
            "{status}"
        );
    }
    assert_eq!(value(&s, "codechecker_task_queue_depth", &[]), Some(0.0));
    assert_eq!(
        value(&s, "codechecker_task_oldest_enqueued_age_seconds", &[]),
        Some(0.0)
    );
    assert_eq!(
        value(&s, "codechecker_workers", &[("state", "idle")]),
        Some(1.0)
    );
    let (waits, _) = histogram(&s, "codechecker_task_wait_seconds", DUMMY).expect("waits");
    assert_eq!(waits, 5.0);
    let (runs, run_sum) = histogram(&s, "codechecker_task_run_seconds", DUMMY).expect("runs");
    assert_eq!(runs, 5.0);
    assert!(run_sum >= 0.0, "{run_sum}");
    let (cancels, cancel_sum) =
        histogram(&s, "codechecker_task_cancel_seconds", DUMMY).expect("cancels");
    assert_eq!(cancels, 1.0);
    assert!(
        (0.0..30.0).contains(&cancel_sum),
        "honouring the cancel took {cancel_sum} s"
    );

    // Every Thrift call of this test reached the single API process.
    for (method, n) in &tasks.calls {
        let labels = [("service", "Tasks"), ("method", *method)];
        assert_eq!(
            value(&s, "codechecker_thrift_requests_total", &labels),
            Some(*n as f64),
            "{method}"
        );
        let latency = s
            .samples
            .iter()
            .find(|x| {
                x.metric == "codechecker_thrift_request_duration_seconds"
                    && labels.iter().all(|(k, v)| x.labels.get(k) == Some(*v))
            })
            .map(|x| match &x.value {
                PromValue::Histogram(b) => b.iter().map(|b| b.count).fold(0.0, f64::max),
                _ => f64::NAN,
            });
        assert_eq!(latency, Some(*n as f64), "latency count of {method}");
    }
    // The probes stay as CodeChecker has them.
    let live = request(server.addr(), "GET", "/live", b"", TIMEOUT).expect("GET /live");
    assert_eq!(
        (live.status, live.text().as_str()),
        (200, "CODECHECKER_SERVER_IS_LIVE")
    );
    let ready = request(server.addr(), "GET", "/ready", b"", TIMEOUT).expect("GET /ready");
    assert_eq!(
        (ready.status, ready.text().as_str()),
        (200, "CODECHECKER_SERVER_IS_READY")
    );
    server.assert_no_child_died();
}

#[test]
fn codechecker_client_stores_and_lists_with_progress_on_the_wire() {
    let server = ServerBuilder::new().workers(2).start();
    let work = tempfile::tempdir().expect("temp dir");
    let corpus = generate(
        &CorpusSpec {
            files: 100,
            reports: 2,
            ..CorpusSpec::default()
        },
        &work.path().join("reports"),
        &work.path().join("src"),
    );
    let product = server.product_url();
    let out = codechecker(
        Venv::Current,
        &["store", &corpus.arg(), "-n", "observed", "--url", &product],
        &[],
    );
    out.assert_success();

    let mut tasks = Tasks::new(server.addr());
    let listed = tasks.call("getTasks", "{\"1\":{\"rec\":{}}}");
    let token = listed["lst"]
        .as_array()
        .and_then(|l| l.get(2))
        .and_then(|t| t["1"]["rec"]["1"]["str"].as_str())
        .expect("the store's task")
        .to_owned();
    assert_eq!(tasks.info(&token), (3, Some(100)));
    // CodeChecker's client skips the field it does not know.
    let out = codechecker(
        Venv::Current,
        &[
            "cmd",
            "serverside-tasks",
            "--url",
            &server.cli_url(),
            "--token",
            &token,
            "--output",
            "json",
        ],
        &[],
    );
    out.assert_success();
    assert_eq!(out.json()[0]["status"], "COMPLETED", "{}", out.all());

    std::thread::sleep(Duration::from_millis(1100));
    let s = scrape(&server);
    assert_eq!(value(&s, "codechecker_stores_total", &[]), Some(1.0));
    assert_eq!(
        value(&s, "codechecker_store_reports_total", &[]),
        Some(corpus.reports() as f64)
    );
    assert!(value(&s, "codechecker_store_last_reports_per_second", &[]).is_some_and(|r| r > 0.0));
    server.assert_no_child_died();
}
