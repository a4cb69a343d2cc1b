//! Our client against our server (`codechecker-server --test-mode`, the
//! binary of this workspace: `target/<profile>/codechecker-server`, built
//! on demand), with CodeChecker's own client on the same server as the
//! reference for output and stored results.

use crate::support;

use std::time::{Duration, Instant};

use support::corpus::{generate, CorpusSpec};
use support::{expect_code, results_of, table_lines, tasks_json, text, UserEnv};

#[test]
fn against_our_server() {
    let Some(venv) = support::venv() else { return };
    let work = tempfile::tempdir().expect("temp dir");
    let server = support::our_server();
    let env = UserEnv::new(&work.path().join("home"))
        .with("TEST_WORKSPACE", &work.path().to_string_lossy());
    let (srv, product) = (server.cli_url(), server.product_url());

    // Tasks: create, await, list; both clients print the same.
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        &srv,
        "--create-dummy-task",
        "1",
        "false",
        "--output",
        "json",
    ]);
    let ok = tasks_json(&out, "dummy task")[0]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        &srv,
        "--create-dummy-task",
        "1",
        "true",
        "--output",
        "json",
    ]);
    let failing = tasks_json(&out, "dummy task")[0]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let start = Instant::now();
    expect_code(
        &env.ours(&[
            "cmd",
            "serverside-tasks",
            "--url",
            &srv,
            "--token",
            &ok,
            "--await",
        ]),
        0,
        "await",
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "awaiting a 1 s task took {:?}",
        start.elapsed()
    );
    expect_code(
        &env.ours(&[
            "cmd",
            "serverside-tasks",
            "--url",
            &srv,
            "--token",
            &failing,
            "--await",
        ]),
        1,
        "await failing",
    );
    for case in [
        vec!["--token", ok.as_str()],
        vec!["--token", failing.as_str()],
        vec!["--token", ok.as_str(), failing.as_str()],
        vec!["--type", "TaskService::DummyTask"],
        vec!["--status", "failed"],
    ] {
        for format in ["json", "table", "plaintext"] {
            let mut args = vec![
                "cmd",
                "serverside-tasks",
                "--url",
                srv.as_str(),
                "--output",
                format,
            ];
            args.extend(case.iter().copied());
            let ours = env.ours(&args);
            let theirs = env.theirs(&venv, &args);
            assert_eq!(
                ours.status.code(),
                theirs.status.code(),
                "{args:?}: {}",
                text(&ours.stderr)
            );
            if format == "json" {
                assert_eq!(
                    tasks_json(&ours, "ours"),
                    tasks_json(&theirs, "theirs"),
                    "{args:?}"
                );
            } else {
                assert_eq!(table_lines(&ours), table_lines(&theirs), "{args:?}");
            }
        }
    }

    // A server without authentication: nothing to log in to.
    let ours = env.ours(&["cmd", "login", "someone", "--url", &srv]);
    expect_code(&ours, 0, "login without authentication");
    assert!(
        text(&ours.stderr).contains("does not require privileged access"),
        "{}",
        text(&ours.stderr)
    );

    // Store: ours and CodeChecker's uploads give the same results.
    let spec = CorpusSpec {
        files: 10,
        reports_per_file: 6,
        seed: 5,
        review_comment_every: 4,
        run_name: "generated".into(),
    };
    let corpus = generate(&work.path().join("corpus"), &spec).expect("corpus");
    let reports = corpus.reports.to_string_lossy().into_owned();
    let start = Instant::now();
    let out = env.ours(&["store", &reports, "--name", "by-ours", "--url", &product]);
    expect_code(&out, 0, "our store");
    let took = start.elapsed();
    eprintln!(
        "our store of {} reports into our server: {took:?}",
        corpus.report_count
    );
    let out = env.theirs(
        &venv,
        &[
            "store",
            &reports,
            "--name",
            "by-codechecker",
            "--url",
            &product,
        ],
    );
    expect_code(&out, 0, "CodeChecker store");
    let ours = results_of(&env, &venv, &product, "by-ours");
    assert_eq!(ours.len(), corpus.report_count);
    assert_eq!(ours, results_of(&env, &venv, &product, "by-codechecker"));
    let args = ["cmd", "runs", "--url", product.as_str(), "-o", "json"];
    let o = env.ours(&args);
    expect_code(&o, 0, "cmd runs");
    assert_eq!(
        tasks_json(&o, "ours"),
        tasks_json(&env.theirs(&venv, &args), "theirs")
    );
}

/// `CodeChecker cmd results` (6.29.1) pages through a run of 100,000 reports
/// stored into our server (500 reports a page, CodeChecker's default sort):
/// every report comes back exactly once.
#[test]
fn results_of_a_100k_report_run_come_back_once_each() {
    let Some(venv) = support::venv() else { return };
    let work = tempfile::tempdir().expect("temp dir");
    let server = support::our_server();
    let env = UserEnv::new(&work.path().join("home"));
    let product = server.product_url();
    let spec = CorpusSpec {
        files: 500,
        reports_per_file: 200,
        seed: 11,
        run_name: "big".to_owned(),
        ..CorpusSpec::default()
    };
    let corpus = generate(&work.path().join("corpus"), &spec).expect("corpus");
    assert_eq!(corpus.report_count, 100_000);
    let dir = corpus.reports.display().to_string();
    let started = Instant::now();
    expect_code(
        &env.ours(&["store", &dir, "--name", "big", "--url", &product]),
        0,
        "our store of 100,000 reports",
    );
    eprintln!("stored 100,000 reports in {:?}", started.elapsed());
    let started = Instant::now();
    let out = env.theirs(
        &venv,
        &["cmd", "results", "big", "--url", &product, "-o", "json"],
    );
    expect_code(&out, 0, "cmd results");
    eprintln!(
        "cmd results of 100,000 reports took {:?}",
        started.elapsed()
    );
    let reports = match support::json(&text(&out.stdout), "cmd results") {
        serde_json::Value::Array(a) => a,
        other => panic!("cmd results: not a list: {other}"),
    };
    assert_eq!(reports.len(), 100_000, "reports listed");
    let ids: std::collections::HashSet<i64> = reports
        .iter()
        .map(|r| r["reportId"].as_i64().expect("a report id"))
        .collect();
    assert_eq!(ids.len(), 100_000, "distinct reports among those listed");
    let hashes: std::collections::HashSet<&str> = reports
        .iter()
        .map(|r| r["bugHash"].as_str().expect("a bug hash"))
        .collect();
    assert_eq!(hashes.len(), 100_000, "distinct bug hashes");
}

/// A Thrift call to our server's `Tasks` service; the reply's success value.
fn tasks_call(server: &support::Server, method: &str, args: &str) -> serde_json::Value {
    let reply = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build()
        .post(&format!("{}/v6.74/Tasks", server.url()))
        .set("Content-Type", "application/x-thrift")
        .send_string(&format!("[1,\"{method}\",1,0,{args}]"))
        .unwrap_or_else(|e| panic!("{method}: {e}"))
        .into_string()
        .unwrap_or_else(|e| panic!("{method}: {e}"));
    support::json(&reply, method)[4]["0"].clone()
}

/// Whether `values` never go down.
fn non_decreasing(values: &[i64]) -> bool {
    values.windows(2).all(|w| w[0] <= w[1])
}

/// A store of 100 source files: the server's `getTaskInfo` shows its
/// progress (our field 100) rising while it runs, and so does our client's
/// progress bar (its log line under `--verbose debug`); then
/// `cmd serverside-tasks --progress` and `--summary` show the finished task.
#[test]
fn store_progress_rises_on_the_server_and_in_our_client() {
    let work = tempfile::tempdir().expect("temp dir");
    let server = support::our_server();
    let env = UserEnv::new(&work.path().join("home"));
    let spec = CorpusSpec {
        files: 100,
        reports_per_file: 400,
        seed: 17,
        run_name: "progress".to_owned(),
        ..CorpusSpec::default()
    };
    let corpus = generate(&work.path().join("corpus"), &spec).expect("corpus");
    let dir = corpus.reports.display().to_string();
    let product = server.product_url();
    let store = std::thread::scope(|scope| {
        let client = scope.spawn(|| {
            env.ours(&[
                "store",
                &dir,
                "--name",
                "progress",
                "--url",
                &product,
                "--verbose",
                "debug",
            ])
        });
        // The store's task, as soon as it exists.
        let started = Instant::now();
        let token = loop {
            let listed = tasks_call(&server, "getTasks", r#"{"1":{"rec":{}}}"#);
            let found = listed["lst"]
                .as_array()
                .and_then(|l| l.get(2))
                .and_then(|t| t["1"]["rec"]["1"]["str"].as_str())
                .map(str::to_owned);
            if let Some(token) = found {
                break token;
            }
            assert!(
                started.elapsed() < Duration::from_secs(120) && !client.is_finished(),
                "no store task appeared"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut seen: Vec<(i64, i64)> = Vec::new();
        loop {
            let info = tasks_call(
                &server,
                "getTaskInfo",
                &format!(r#"{{"1":{{"str":"{token}"}}}}"#),
            );
            let status = info["rec"]["3"]["i32"].as_i64().expect("a status");
            let progress = info["rec"]["100"]["i32"]
                .as_i64()
                .expect("our progress field");
            seen.push((status, progress));
            if status >= 3 {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        (token, seen, client.join().expect("the client thread"))
    });
    let (token, seen, out) = store;
    expect_code(&out, 0, "our store");
    let values: Vec<i64> = seen.iter().map(|(_, p)| *p).collect();
    assert!(values.iter().all(|p| (0..=100).contains(p)), "{seen:?}");
    assert!(non_decreasing(&values), "progress went back: {seen:?}");
    assert_eq!(seen.last(), Some(&(3, 100)), "{seen:?}");
    let mut before_end: Vec<i64> = seen
        .iter()
        .filter(|(status, _)| *status < 3)
        .map(|(_, p)| *p)
        .collect();
    before_end.dedup();
    assert!(
        before_end.len() > 1,
        "one progress value seen while the store ran: {seen:?}"
    );
    // What our client's bar showed, from its log lines.
    let log = text(&out.stderr);
    let shown: Vec<i64> = log
        .lines()
        .filter(|l| l.contains("Server-side processing of task"))
        .filter_map(|l| {
            let (_, rest) = l.rsplit_once("': ")?;
            rest.split('%').next()?.trim().parse().ok()
        })
        .collect();
    assert!(non_decreasing(&shown), "{shown:?}\n{log}");
    assert_eq!(shown.last(), Some(&100), "{log}");
    assert!(
        shown.len() > 1,
        "the client saw one value: {shown:?}\n{log}"
    );
    eprintln!(
        "progress of {} reports: server {:?}, client {:?}",
        corpus.report_count, before_end, shown
    );

    // The progress column and the summary.
    let srv = server.cli_url();
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        &srv,
        "--token",
        &token,
        "--progress",
        "--output",
        "json",
    ]);
    expect_code(&out, 0, "--progress json");
    assert_eq!(tasks_json(&out, "--progress")[0]["progress"], 100);
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        &srv,
        "--token",
        &token,
        &token,
        "--progress",
        "--output",
        "table",
    ]);
    expect_code(&out, 0, "--progress table");
    let table = text(&out.stdout);
    assert!(
        table.contains("Progress") && table.contains("100%"),
        "{table}"
    );
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        &srv,
        "--summary",
        "--output",
        "json",
    ]);
    expect_code(&out, 0, "--summary json");
    let summary = support::json(&text(&out.stdout), "--summary");
    assert_eq!(
        summary["counts"]["report_server::massStoreRunAsynchronous()"]["COMPLETED"], 1,
        "{summary}"
    );
    assert_eq!(summary["oldestWaiting"], serde_json::Value::Null);
    assert_eq!(summary["startedLastHour"], 1);
    assert!(summary["medianWaitLastHourSeconds"]
        .as_i64()
        .is_some_and(|w| w >= 0));
    let out = env.ours(&["cmd", "serverside-tasks", "--url", &srv, "--summary"]);
    expect_code(&out, 0, "--summary");
    let plain = text(&out.stdout);
    assert!(
        plain.contains("COMPLETED") && plain.contains("No task is waiting."),
        "{plain}"
    );
    assert!(
        plain.contains("Median wait of the 1 task(s) started in the last hour"),
        "{plain}"
    );
}
