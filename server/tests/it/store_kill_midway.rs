//! `kill -9` of the worker while it writes a store: until the task is
//! rescued the run shows exactly its previous results (never a mix), and the
//! re-run then stores the new results completely. A worker that dies after
//! the commit, before the task's end is recorded: the re-run stores nothing
//! a second time.

use crate::support;

use std::time::Duration;

use serde_json::json;
use support::python::{codechecker, PyApi, Venv};
use support::server::{signal, Server};
use support::store::{generate, store_server, upload_of, Corpus, CorpusSpec};
use support::tasks::{status, task_status, TaskApi};

const RUN: &str = "midway";
/// Thrift's `DetectionStatus::NEW`.
const NEW: i64 = 0;

/// What `CodeChecker cmd <args> --url <product> -o json` lists.
fn cmd_list(server: &Server, args: &[&str]) -> Vec<serde_json::Value> {
    let url = server.product_url();
    let mut all = vec!["cmd"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--url", &url, "-o", "json"]);
    let out = codechecker(Venv::Current, &all, &[]);
    out.assert_success();
    out.json().as_array().expect("a list").clone()
}

/// The run's reports as `cmd results` lists them.
fn results(server: &Server) -> Vec<serde_json::Value> {
    cmd_list(server, &["results", RUN])
}

/// The bug hashes `cmd results` shows for the run (sorted).
fn shown(server: &Server) -> Vec<String> {
    let mut hashes: Vec<String> = results(server)
        .iter()
        .map(|r| r["bugHash"].as_str().unwrap_or_default().to_owned())
        .collect();
    hashes.sort();
    hashes
}

/// The run's distinct detection statuses as `cmd results` shows them
/// (Thrift's `DetectionStatus`: 0 is NEW, 2 UNRESOLVED).
fn detection_statuses(server: &Server) -> Vec<i64> {
    let mut statuses: Vec<i64> = results(server)
        .iter()
        .map(|r| r["detectionStatus"].as_i64().expect("a detection status"))
        .collect();
    statuses.sort();
    statuses.dedup();
    statuses
}

/// A small corpus (10 files, 4 report slots each) under `work/name`.
fn small_corpus(work: &std::path::Path, name: &str, seed: u64) -> Corpus {
    generate(
        &CorpusSpec {
            files: 10,
            reports: 4,
            seed,
            ..CorpusSpec::default()
        },
        &work.join(name),
        &work.join(format!("{name}-src")),
    )
}

/// Starts the store of `corpus` into the run through CodeChecker's
/// `massStoreRunAsynchronous`; its task's token.
fn store_async(server: &Server, corpus: &Corpus) -> String {
    PyApi::new(Venv::Current)
        .call(
            &format!("{}/v6.74/CodeCheckerService", server.product_url()),
            "CodeCheckerService",
            "massStoreRunAsynchronous",
            json!([upload_of(corpus), {"runName": RUN, "version": "6.29.1"}]),
        )
        .ok()
        .as_str()
        .expect("a token")
        .to_owned()
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
    let old = small_corpus(work.path(), "old", 3);
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
    let token = store_async(&server, &new);
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

#[test]
fn a_store_rerun_after_its_commit_is_not_applied_twice() {
    let work = tempfile::tempdir().expect("temp dir");
    let server = store_server().workers(1).lease_secs(2).start();
    let corpus = small_corpus(work.path(), "reports", 5);
    let token = store_async(&server, &corpus);
    let mut tasks = TaskApi::new(&server.url());
    let info = tasks.wait_terminal(&token, Duration::from_secs(120));
    assert_eq!(task_status(&info), status::COMPLETED, "{info}");
    let stored = shown(&server);
    assert_eq!(stored.len() as i64, corpus.reports());
    assert_eq!(detection_statuses(&server), vec![NEW]);

    // What a worker killed right after the store's commit leaves: the task
    // RUNNING under a claim no one renews (its input is gone here too, as
    // it would be had the end been recorded half-way).
    let status = std::process::Command::new(Venv::Current.python())
        .arg("-c")
        .arg(
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=30); \
             c.execute(\"UPDATE background_tasks SET status = 2, claim_owner = 'gone', \
             lease_expires_at_us = 1, completed_at_us = NULL WHERE token = ?\", (sys.argv[2],)); \
             c.commit()",
        )
        .arg(server.workspace().join("config.sqlite"))
        .arg(&token)
        .status()
        .expect("run python");
    assert!(status.success());
    support::wait_for(
        "the rescued store to find its receipt",
        Duration::from_secs(120),
        Duration::from_millis(50),
        || {
            server
                .log()
                .contains("an earlier attempt of this store committed")
                .then_some(())
        },
    );
    let info = tasks.wait_terminal(&token, Duration::from_secs(60));
    assert_eq!(
        task_status(&info),
        status::COMPLETED,
        "{info}\n{}",
        server.log()
    );
    // Stored once: the same reports, still new, one history entry.
    assert_eq!(shown(&server), stored);
    assert_eq!(detection_statuses(&server), vec![NEW]);
    let history = cmd_list(&server, &["history", "-n", RUN]);
    assert_eq!(history.len(), 1, "{history:?}");
}
