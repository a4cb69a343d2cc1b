//! `kill -9` of the worker while it writes a store: until the task is
//! rescued the run shows exactly its previous results (never a mix), and the
//! re-run then stores the new results completely.

use crate::support;

use std::time::Duration;

use serde_json::json;
use support::python::{codechecker, PyApi, Venv};
use support::server::{signal, Server};
use support::store::{generate, store_server, upload_of, CorpusSpec};
use support::tasks::{status, task_status, TaskApi};

const RUN: &str = "midway";

/// The bug hashes `cmd results` shows for the run (sorted).
fn shown(server: &Server) -> Vec<String> {
    let out = codechecker(
        Venv::Current,
        &[
            "cmd",
            "results",
            RUN,
            "--url",
            &server.product_url(),
            "-o",
            "json",
        ],
        &[],
    );
    out.assert_success();
    let mut hashes: Vec<String> = out
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r["bugHash"].as_str().unwrap_or_default().to_owned())
        .collect();
    hashes.sort();
    hashes
}

fn occurrences(server: &Server, needle: &str) -> usize {
    server.log().matches(needle).count()
}

#[test]
fn a_store_killed_while_writing_leaves_the_old_results_until_it_runs_again() {
    let work = tempfile::tempdir().expect("temp dir");
    let server = store_server()
        .workers(1)
        .lease_secs(2)
        .arg("--store-hold-secs")
        .arg("0")
        .start();
    let old = generate(
        &CorpusSpec {
            files: 10,
            reports: 4,
            seed: 3,
            ..CorpusSpec::default()
        },
        &work.path().join("old"),
        &work.path().join("old-src"),
    );
    codechecker(
        Venv::Current,
        &[
            "store",
            &old.arg(),
            "-n",
            RUN,
            "--url",
            &server.product_url(),
        ],
        &[("CC_FORCE_SYNC_STORE", "yes")],
    )
    .assert_success();
    let before = shown(&server);
    assert_eq!(before.len() as i64, old.reports());

    // A store big enough to be killed while it writes.
    let new = generate(
        &CorpusSpec {
            files: 300,
            reports: 60,
            seed: 4,
            ..CorpusSpec::default()
        },
        &work.path().join("new"),
        &work.path().join("new-src"),
    );
    let writing = format!("store: writing reports run={RUN}");
    let finished = format!("store finished run={RUN}");
    assert_eq!(occurrences(&server, &writing), 1);
    let mut py = PyApi::new(Venv::Current);
    let token = py
        .call(
            &format!("{}/v6.74/CodeCheckerService", server.product_url()),
            "CodeCheckerService",
            "massStoreRunAsynchronous",
            json!([upload_of(&new), {"runName": RUN, "version": "6.29.1"}]),
        )
        .ok()
        .as_str()
        .expect("a token")
        .to_owned();
    support::wait_for(
        "the new store to write reports",
        Duration::from_secs(120),
        Duration::from_millis(20),
        || (occurrences(&server, &writing) == 2).then_some(()),
    );
    std::thread::sleep(Duration::from_millis(300));
    let worker = server.worker_pid();
    signal(worker, libc::SIGKILL);
    assert_eq!(
        occurrences(&server, &finished),
        1,
        "the store ended before the kill: make its corpus larger"
    );

    // Killed mid-way: the run is exactly what it was.
    assert_eq!(shown(&server), before, "the run shows a mix after the kill");

    // Rescued, re-run from its kept input, and complete.
    let mut tasks = TaskApi::new(&server.url());
    let info = tasks.wait_terminal(&token, Duration::from_secs(240));
    assert_eq!(
        task_status(&info),
        status::COMPLETED,
        "{info}\n{}",
        server.log()
    );
    // ... at once: the supervisor saw the worker die and released its claim,
    // rather than the lease running out.
    let log = server.log();
    assert!(
        log.contains("a dead worker's tasks are rescued at once"),
        "{log}"
    );
    assert!(
        log.contains("rescued a task whose worker vanished"),
        "{log}"
    );
    let after = shown(&server);
    assert_eq!(after.len() as i64, new.reports());
}
