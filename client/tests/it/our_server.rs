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
    let server = support::our_server(&work.path().join("server"));
    let env = UserEnv::new(&work.path().join("home"))
        .with("TEST_WORKSPACE", &work.path().to_string_lossy());
    let (srv, product) = (server.url(), server.product_url());

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
    let server = support::our_server(&work.path().join("server"));
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
