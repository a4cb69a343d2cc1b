//! A store task under control: cancelled while it waits for another store
//! of its run, and re-run after its worker was killed. The other store is
//! played by the test holding the run's lock in the product database.

use crate::support;

use std::time::Duration;

use serde_json::json;
use support::python::{PyApi, Venv};
use support::server::{signal, Server};
use support::store::{store_server, upload_of_zip, zip_of};
use support::tasks::{status, task_comments, task_status, TaskApi};

/// A one-report upload for run `run` (built by the Python client's side
/// of the protocol: base64 of zlib of a ZIP).
pub(crate) fn small_upload() -> String {
    let source = "int main(void) { return 1 / 0; }\n";
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(source.as_bytes()))
    };
    let plist = r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>diagnostics</key><array><dict>
<key>check_name</key><string>core.DivideZero</string>
<key>description</key><string>Division by zero</string>
<key>issue_hash_content_of_line_in_context</key><string>0123abcd</string>
<key>location</key><dict><key>line</key><integer>1</integer><key>col</key><integer>26</integer><key>file</key><integer>0</integer></dict>
<key>path</key><array><dict><key>kind</key><string>event</string>
<key>location</key><dict><key>line</key><integer>1</integer><key>col</key><integer>26</integer><key>file</key><integer>0</integer></dict>
<key>message</key><string>Division by zero</string></dict></array></dict></array>
<key>files</key><array><string>/src/main.c</string></array></dict></plist>"#;
    let hashes = format!(r#"{{"/src/main.c": "{hash}"}}"#);
    upload_of_zip(
        &zip_of(&[
            ("reports/abc/main.c_clangsa.plist", plist),
            ("root/src/main.c", source),
            ("content_hashes.json", hashes.as_str()),
        ]),
        flate2::Compression::default(),
    )
}

/// Holds the run's lock as another store would.
pub(crate) fn hold_run_lock(
    server: &Server,
    run: &str,
) -> (productdb::ProductDb, productdb::RunLockToken) {
    let db = productdb::ProductDb::open(
        &server
            .workspace()
            .join("Default.sqlite")
            .display()
            .to_string(),
    )
    .expect("open the product database");
    let lock = db
        .acquire_run_lock(run, "someone else")
        .expect("lock the run");
    (db, lock)
}

pub(crate) fn submit(server: &Server, run: &str) -> String {
    let mut py = PyApi::new(Venv::Current);
    let reply = py.call(
        &format!("{}/Default/v6.74/CodeCheckerService", server.url()),
        "CodeCheckerService",
        "massStoreRunAsynchronous",
        json!([small_upload(), {"runName": run, "version": "6.29.1"}]),
    );
    reply.ok().as_str().unwrap_or_default().to_owned()
}

pub(crate) fn run_count(server: &Server) -> serde_json::Value {
    let mut py = PyApi::new(Venv::Current);
    py.call(
        &format!("{}/Default/v6.74/CodeCheckerService", server.url()),
        "CodeCheckerService",
        "getRunCount",
        json!([null]),
    )
    .ok()
}

#[test]
fn a_waiting_store_honours_cancel_and_keeps_nothing() {
    let server = store_server().arg("--store-hold-secs").arg("0").start();
    let (db, lock) = hold_run_lock(&server, "contended");
    let token = submit(&server, "contended");
    let mut tasks = TaskApi::new(&server.url());
    tasks.wait_status(&token, "running", Duration::from_secs(30), |s| {
        s == status::RUNNING
    });
    assert!(matches!(
        tasks.cancel(&token),
        support::python::Reply::Ok(_)
    ));
    let info = tasks.wait_terminal(&token, Duration::from_secs(30));
    assert_eq!(task_status(&info), status::CANCELLED, "{info}");
    assert!(
        task_comments(&info).contains("Cancel request of admin honoured by task"),
        "{info}"
    );
    assert_eq!(run_count(&server), json!(0));
    db.release_run_lock(&lock).expect("release the lock");
}

#[test]
fn a_store_whose_worker_died_runs_again_and_completes() {
    let server = store_server()
        .workers(1)
        .lease_secs(2)
        .arg("--store-hold-secs")
        .arg("0")
        .start();
    let (db, lock) = hold_run_lock(&server, "survivor");
    let token = submit(&server, "survivor");
    let mut tasks = TaskApi::new(&server.url());
    tasks.wait_status(&token, "running", Duration::from_secs(30), |s| {
        s == status::RUNNING
    });
    let worker = server.worker_pid();
    signal(worker, libc::SIGKILL);
    // The supervisor starts a new worker; the lease runs out and the task,
    // being safe to retry, is queued again and waits for the lock anew.
    support::wait_for(
        "the task to be rescued",
        Duration::from_secs(60),
        Duration::from_millis(100),
        || {
            server
                .log()
                .contains("rescued a task whose worker vanished")
                .then_some(())
        },
    );
    tasks.wait_status(&token, "running again", Duration::from_secs(30), |s| {
        s == status::RUNNING
    });
    db.release_run_lock(&lock).expect("release the lock");
    let info = tasks.wait_terminal(&token, Duration::from_secs(90));
    assert_eq!(
        task_status(&info),
        status::COMPLETED,
        "{info}\n{}",
        server.log()
    );
    assert_eq!(run_count(&server), json!(1));
}
