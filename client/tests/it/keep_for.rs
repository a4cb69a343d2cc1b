//! `store --keep-for DAYS`: the lifetime reaches our server's run retention
//! (the run goes DAYS after its latest store), and a later store without it
//! clears it. The runs' latest stores are moved into the past by the test.

use crate::support;

use std::time::{Duration, Instant};

use support::corpus::{generate, CorpusSpec};
use support::{expect_code, tasks_json, UserEnv};

fn run_names(env: &UserEnv, product: &str) -> Vec<String> {
    let out = env.ours(&["cmd", "runs", "--url", product, "-o", "json"]);
    expect_code(&out, 0, "cmd runs");
    let mut names: Vec<String> = tasks_json(&out, "runs")
        .as_array()
        .map(|runs| {
            runs.iter()
                .filter_map(|r| r.as_object()?.keys().next().cloned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_lifetime_given_at_store_time_reaches_run_retention() {
    let work = tempfile::tempdir().expect("temp dir");
    let server = support::ServerBuilder::new()
        .workspace_file(
            "server_config.json",
            r#"{"background_tasks": {"run_retention": {"interval": 1,
                "products": {"Default": {"dry_run": false}}}}}"#,
        )
        .start();
    let env = UserEnv::new(&work.path().join("home"));
    let product = server.product_url();
    let spec = CorpusSpec {
        files: 1,
        reports_per_file: 2,
        ..CorpusSpec::default()
    };
    let corpus = generate(&work.path().join("corpus"), &spec).expect("corpus");
    let reports = corpus.reports.to_string_lossy().into_owned();
    let store = |run: &str, keep_for: Option<&str>| {
        let mut args = vec!["store", reports.as_str(), "--name", run, "--url", &product];
        if let Some(days) = keep_for {
            args.extend(["--keep-for", days]);
        }
        expect_code(&env.ours(&args), 0, "store");
    };
    store("short", Some("2"));
    store("long", Some("30"));
    store("cleared", Some("2"));
    store("cleared", None);
    // Their latest stores were five days ago.
    {
        use diesel::{Connection, RunQueryDsl};
        let db = server.workspace().join("Default.sqlite");
        let mut conn = diesel::SqliteConnection::establish(&db.display().to_string()).unwrap();
        let five_days_ago = chrono::Utc::now() - chrono::Duration::days(5);
        diesel::sql_query(format!(
            "UPDATE runs SET date_us = {}",
            five_days_ago.timestamp_micros()
        ))
        .execute(&mut conn)
        .unwrap();
    }
    let start = Instant::now();
    while run_names(&env, &product).contains(&"short".to_owned()) {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "run retention did not remove 'short'\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // A few more turns (one a second) remove nothing else.
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(run_names(&env, &product), ["cleared", "long"]);
}
