//! Store faults (issue 14): the whole server killed with stores running and
//! queued, an API process killed while it receives an upload, the
//! workspace's disk full, and PostgreSQL restarted under a store. After each,
//! every store ends in a terminal state (with a comment when it did not
//! complete), every run shows its old or its new results and never a mix,
//! and the server goes on serving without being restarted by hand.

use crate::support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde_json::json;
use support::python::{PyApi, Reply, Venv};
use support::server::Server;
use support::store::{generate, store_server, Corpus, CorpusSpec};
use support::tasks::{status, task_comments, task_status, TaskApi};

use crate::store_kill_midway::upload_of;

/// The bug hashes a store of `corpus` gives its run (every plist's
/// `issue_hash_content_of_line_in_context`).
fn expected_hashes(corpus: &Corpus) -> BTreeSet<String> {
    const KEY: &str = "<key>issue_hash_content_of_line_in_context</key>";
    let mut hashes = BTreeSet::new();
    for entry in std::fs::read_dir(&corpus.dir).expect("report dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "plist") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("plist");
        let mut rest = text.as_str();
        while let Some(at) = rest.find(KEY) {
            rest = &rest[at + KEY.len()..];
            let start = rest.find("<string>").expect("a hash") + "<string>".len();
            let end = rest[start..].find("</string>").expect("a hash's end") + start;
            hashes.insert(rest[start..end].to_owned());
            rest = &rest[end..];
        }
    }
    assert!(!hashes.is_empty(), "no report in {}", corpus.dir.display());
    hashes
}

/// The bug hashes of `run`'s open reports (those its latest store found;
/// the earlier ones are kept as resolved) as its product database `url`
/// holds them, read directly (the server may be down).
fn stored_hashes(url: &str, run: &str) -> BTreeSet<String> {
    let db = productdb::ProductDb::open(url).expect("open the product database");
    let ids = db
        .run_ids_matching(&productdb::RunFilter {
            names: Some(vec![run.to_owned()]),
            exact_match: true,
            ..productdb::RunFilter::default()
        })
        .expect("find the run");
    if ids.is_empty() {
        return BTreeSet::new();
    }
    db.reports(&productdb::ReportQuery {
        run_ids: Some(ids),
        ..productdb::ReportQuery::default()
    })
    .expect("read the run's reports")
    .into_iter()
    .filter(|r| r.detection_status != productdb::DetectionStatus::Resolved)
    .map(|r| r.bug_hash)
    .collect()
}

/// Panics unless `run` holds exactly the reports of `corpus` (`when`
/// says at which point of the test).
fn assert_run(url: &str, run: &str, corpus: &Corpus, when: &str) {
    let stored = stored_hashes(url, run);
    let expected = expected_hashes(corpus);
    if stored != expected {
        panic!(
            "{run} {when}: {} reports stored, {} expected; {} stored are not expected, {} \
             expected are missing",
            stored.len(),
            expected.len(),
            stored.difference(&expected).count(),
            expected.difference(&stored).count()
        );
    }
}

/// The `Default` product's SQLite file of `server`.
fn default_product(server: &Server) -> String {
    server
        .workspace()
        .join("Default.sqlite")
        .display()
        .to_string()
}

/// `massStoreRunAsynchronous` of `upload` into `run` on `product_url`.
fn submit(py: &mut PyApi, product_url: &str, run: &str, upload: &str) -> Reply {
    py.call(
        &format!("{product_url}/v6.74/CodeCheckerService"),
        "CodeCheckerService",
        "massStoreRunAsynchronous",
        json!([upload, {"runName": run, "version": "6.29.1"}]),
    )
}

/// Like [`submit`], for a store that must be accepted; its token.
fn submit_ok(py: &mut PyApi, product_url: &str, run: &str, upload: &str) -> String {
    match submit(py, product_url, run, upload) {
        Reply::Ok(token) => token.as_str().expect("a token").to_owned(),
        other => panic!("the store of {run} was refused: {other:?}"),
    }
}

/// A generated corpus in `work/<name>`.
fn corpus(work: &Path, name: &str, files: usize, reports: usize, seed: u64) -> Corpus {
    generate(
        &CorpusSpec {
            files,
            reports,
            seed,
            ..CorpusSpec::default()
        },
        &work.join(name),
        &work.join(format!("{name}-src")),
    )
}

#[test]
fn a_whole_server_killed_with_stores_running_and_queued_loses_none() {
    let work = tempfile::tempdir().expect("temp dir");
    let mut server = store_server()
        .workers(1)
        .lease_secs(2)
        .arg("--store-hold-secs")
        .arg("0")
        .start();
    // Three runs with old results; then a large new store of the first
    // (running when the server dies) and small ones of the others (queued
    // behind it: one worker).
    let runs = ["sk-big", "sk-q1", "sk-q2"];
    let old = [
        corpus(work.path(), "big-old", 4, 4, 11),
        corpus(work.path(), "q1-old", 3, 3, 12),
        corpus(work.path(), "q2-old", 3, 3, 13),
    ];
    let new = [
        corpus(work.path(), "big-new", 100, 30, 21),
        corpus(work.path(), "q1-new", 4, 4, 22),
        corpus(work.path(), "q2-new", 4, 4, 23),
    ];
    let mut py = PyApi::new(Venv::Current);
    let mut tasks = TaskApi::new(&server.url());
    for (run, c) in runs.iter().zip(&old) {
        let token = submit_ok(&mut py, &server.product_url(), run, &upload_of(c));
        let info = tasks.wait_terminal(&token, Duration::from_secs(60));
        assert_eq!(task_status(&info), status::COMPLETED, "{info}");
    }
    let product = default_product(&server);
    for (run, c) in runs.iter().zip(&old) {
        assert_run(&product, run, c, "after the first stores");
    }

    let uploads: Vec<String> = new.iter().map(upload_of).collect();
    let writing = "store: writing reports run=sk-big";
    let tokens: Vec<String> = runs
        .iter()
        .zip(&uploads)
        .map(|(run, upload)| submit_ok(&mut py, &server.product_url(), run, upload))
        .collect();
    support::wait_for(
        "the large store to write reports",
        Duration::from_secs(120),
        Duration::from_millis(10),
        || (server.log().matches(writing).count() == 2).then_some(()),
    );
    for token in &tokens[1..] {
        assert_eq!(
            task_status(&tasks.admin_info(token)),
            status::ENQUEUED,
            "a small store ran beside the large one"
        );
    }
    server.kill_all();
    assert_eq!(
        server.log().matches("store finished run=sk-big").count(),
        1,
        "the large store ended before the kill: make its corpus larger"
    );

    // Dead: every run is exactly what it was (the killed store's
    // transaction is rolled back when the database is next opened).
    for (run, c) in runs.iter().zip(&old) {
        assert_run(&product, run, c, "after the kill");
    }

    // Restarted: the running store is rescued and run again, the queued
    // ones run; all complete with the new results.
    server.restart();
    let mut tasks = TaskApi::new(&server.url());
    for (token, run) in tokens.iter().zip(runs) {
        let info = tasks.wait_terminal(token, Duration::from_secs(120));
        assert_eq!(
            task_status(&info),
            status::COMPLETED,
            "{run}: {info}\n{}",
            server.log()
        );
    }
    assert!(
        task_comments(&tasks.admin_info(&tokens[0])).contains("RESCHEDULED!"),
        "the killed store says it was run again"
    );
    for (run, c) in runs.iter().zip(&new) {
        assert_run(&product, run, c, "after the restart");
    }
}
