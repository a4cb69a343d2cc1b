//! The process model: a supervisor with N API and M worker children, which
//! replaces children that die; a killed worker's task is rescued within the
//! lease period; a killed API process does not interrupt service.

use crate::support;

use std::time::Duration;

use support::http;
use support::server::{alive, signal, Server, ServerBuilder};
use support::tasks::{status, task_comments, task_status, TaskApi};

fn pids_of(server: &Server, role: &str) -> Vec<u32> {
    server
        .children()
        .into_iter()
        .filter(|(_, r)| r == role)
        .map(|(pid, _)| pid)
        .collect()
}

fn answers(server: &Server) -> bool {
    let body = http::thrift_call("getPackageVersion", 1, "{}");
    http::post_thrift(
        server.addr(),
        "/v6.74/ServerInfo",
        &body,
        Duration::from_secs(5),
    )
    .is_ok_and(|r| r.status == 200 && r.text().contains("6.29.1"))
}

#[test]
fn supervisor_runs_the_requested_children() {
    let server = ServerBuilder::new().api(3).workers(2).start();
    // The server answers once one API process is up; the others may still be
    // between fork and exec (no role on their command line yet).
    let children = support::wait_for(
        "3 API and 2 worker processes",
        Duration::from_secs(20),
        Duration::from_millis(50),
        || {
            let children = server.children();
            let roles_known = children.iter().all(|(_, role)| !role.is_empty());
            (roles_known && children.len() >= 5).then_some(children)
        },
    );
    assert_eq!(pids_of(&server, "api").len(), 3, "{children:?}");
    assert_eq!(pids_of(&server, "worker").len(), 2, "{children:?}");
    assert_eq!(children.len(), 5, "nothing else: {children:?}");
    // Children run the same executable with the supervisor's machine id.
    for (pid, _) in &children {
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        assert!(cmdline.contains(server.machine_id()), "{cmdline}");
    }
    let api_only = ServerBuilder::new().api(1).workers(0).start();
    support::wait_for(
        "the API process's role",
        Duration::from_secs(20),
        Duration::from_millis(50),
        || {
            api_only
                .children()
                .iter()
                .all(|(_, role)| !role.is_empty())
                .then_some(())
        },
    );
    assert_eq!(api_only.children().len(), 1);
    assert_eq!(pids_of(&api_only, "api").len(), 1);
}

#[test]
fn killed_worker_task_is_rescued_and_the_worker_replaced() {
    let lease = 3;
    let server = ServerBuilder::new()
        .api(1)
        .workers(2)
        .lease_secs(lease)
        .start();
    let workers = pids_of(&server, "worker");
    let mut api = TaskApi::new(&server.url());
    let token = api.create_dummy(120, false);
    api.wait_status(&token, "RUNNING", Duration::from_secs(20), |s| {
        s == status::RUNNING
    });

    // The claim names the worker: `<machine id>#<pid>`.
    let db = configdb::ConfigDb::open(&server.config_url()).expect("open the configuration");
    let record = db
        .get_task(&token)
        .expect("read the task")
        .expect("the task exists");
    let owner = record.claim_owner.expect("a running task has an owner");
    let pid: u32 = owner
        .rsplit_once('#')
        .and_then(|(_, pid)| pid.parse().ok())
        .unwrap_or_else(|| panic!("claim owner {owner:?} names no pid"));
    assert!(
        workers.contains(&pid),
        "{pid} is not one of the workers {workers:?}"
    );

    signal(pid, libc::SIGKILL);
    // The lease (3 s) lapses, the next rescue round (every lease / 2) ends the
    // task; the rest is slack for a loaded machine.
    let done = api.wait_terminal(&token, Duration::from_secs(lease * 2 + 5));
    assert_eq!(task_status(&done), status::DROPPED, "{done}");
    let comments = task_comments(&done);
    assert!(comments.contains("DROPPED!"), "{comments}");
    assert!(
        comments.contains(&owner),
        "the comment names the lost worker: {comments}"
    );

    // A new worker took the dead one's place.
    let replaced = support::wait_for(
        "a new worker process",
        Duration::from_secs(10),
        Duration::from_millis(100),
        || {
            let now = pids_of(&server, "worker");
            (now.len() == 2 && !now.contains(&pid)).then_some(now)
        },
    );
    assert!(!alive(pid));
    assert!(
        server.log().contains("died"),
        "the supervisor logs the death"
    );
    // And the workers still run tasks.
    let next = api.create_dummy(0, false);
    let done = api.wait_terminal(&next, Duration::from_secs(20));
    assert_eq!(task_status(&done), status::COMPLETED, "{done}");
    drop(replaced);
}

#[test]
fn killed_api_process_does_not_interrupt_service() {
    let server = ServerBuilder::new().api(2).workers(0).start();
    let apis = pids_of(&server, "api");
    assert_eq!(apis.len(), 2);
    signal(apis[0], libc::SIGKILL);
    // The survivor accepts on the shared socket right away.
    for i in 0..20 {
        assert!(answers(&server), "call {i} after the kill failed");
    }
    let replaced = support::wait_for(
        "a new API process",
        Duration::from_secs(10),
        Duration::from_millis(100),
        || {
            let now = pids_of(&server, "api");
            (now.len() == 2 && !now.contains(&apis[0])).then_some(now)
        },
    );
    // Kill the other original one too: the replacement serves.
    signal(apis[1], libc::SIGKILL);
    for i in 0..20 {
        assert!(answers(&server), "call {i} after the second kill failed");
    }
    support::wait_for(
        "the second replacement",
        Duration::from_secs(10),
        Duration::from_millis(100),
        || {
            let now = pids_of(&server, "api");
            (now.len() == 2 && !now.contains(&apis[1])).then_some(())
        },
    );
    assert!(replaced.iter().any(|p| !apis.contains(p)));
}
