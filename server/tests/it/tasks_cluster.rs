//! Two servers with different machine ids over one PostgreSQL configuration
//! database: tasks are visible and cancellable through either, and each task
//! runs exactly once.

use crate::support;

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::json;
use support::pg::PgDatabase;
use support::python::Reply;
use support::server::{Server, ServerBuilder};
use support::tasks::{status, task_comments, task_status, TaskApi};

struct Cluster {
    a: &'static Server,
    b: &'static Server,
    url: String,
}

fn cluster() -> Option<&'static Cluster> {
    static CLUSTER: OnceLock<Option<Cluster>> = OnceLock::new();
    CLUSTER
        .get_or_init(|| {
            let db = PgDatabase::create("tasks_cluster")?.keep_until_exit();
            let node = |id: &str| {
                ServerBuilder::new()
                    .machine_id(id)
                    .config_db(&db.url)
                    .api(1)
                    .workers(2)
            };
            Some(Cluster {
                a: node("cluster-node-a").start_shared(),
                b: node("cluster-node-b").start_shared(),
                url: db.url.clone(),
            })
        })
        .as_ref()
}

#[test]
fn a_task_is_seen_and_cancelled_through_the_other_server() {
    let Some(cluster) = cluster() else { return };
    let mut via_a = TaskApi::new(&cluster.a.url());
    let mut via_b = TaskApi::new(&cluster.b.url());
    let token = via_a.create_dummy(60, false);
    via_a.wait_status(&token, "RUNNING", Duration::from_secs(20), |s| {
        s == status::RUNNING
    });

    let seen = via_b.admin_info(&token);
    assert_eq!(seen["machineId"], "cluster-node-a", "{seen}");
    assert_eq!(task_status(&seen), status::RUNNING);
    let by_machine = via_b.tasks(json!({"tokens": [token], "machineIDs": ["cluster-node-b"]}));
    assert!(by_machine.is_empty(), "{by_machine:?}");

    assert_eq!(via_b.cancel(&token), Reply::Ok(json!(true)));
    assert_eq!(via_a.cancel(&token), Reply::Ok(json!(false)));
    // Node A's worker runs it and honours the flag set through node B.
    let done = via_a.wait_terminal(&token, Duration::from_secs(20));
    assert_eq!(task_status(&done), status::CANCELLED, "{done}");
    assert!(task_comments(&done).contains("CANCEL!"), "{done}");
    let info = via_b.info(&token).ok();
    assert_eq!(info["status"], status::CANCELLED);
    cluster.a.assert_no_child_died();
    cluster.b.assert_no_child_died();
}

#[test]
fn two_hundred_tasks_run_exactly_once() {
    let Some(cluster) = cluster() else { return };
    let create = |server: &'static Server| {
        std::thread::spawn(move || {
            let mut api = TaskApi::new(&server.url());
            (0..100)
                .map(|_| api.create_dummy(0, false))
                .collect::<Vec<_>>()
        })
    };
    let (on_a, on_b) = (create(cluster.a), create(cluster.b));
    let on_a = on_a.join().expect("creating on node A");
    let on_b = on_b.join().expect("creating on node B");
    let all: Vec<String> = on_a.iter().chain(&on_b).cloned().collect();
    assert_eq!(
        all.iter().collect::<HashSet<_>>().len(),
        200,
        "tokens are unique"
    );

    let mut api = TaskApi::new(&cluster.b.url());
    let finished = support::wait_for(
        "200 tasks to finish",
        Duration::from_secs(120),
        Duration::from_millis(200),
        || {
            let found = api.tasks(json!({"tokens": all}));
            found
                .iter()
                .all(|t| status::is_terminal(task_status(t)))
                .then_some(found)
        },
    );
    assert_eq!(finished.len(), 200);
    for task in &finished {
        assert_eq!(task_status(task), status::COMPLETED, "{task}");
        assert_eq!(
            task["normalInfo"]["comments"],
            serde_json::Value::Null,
            "{task}"
        );
    }

    // Each ran once; the record keeps the node that created it.
    let db = configdb::ConfigDb::open(&cluster.url).expect("open the configuration");
    for (tokens, machine) in [(&on_a, "cluster-node-a"), (&on_b, "cluster-node-b")] {
        for token in tokens {
            let record = db.get_task(token).expect("read").expect("exists");
            assert_eq!(
                record.attempts, 1,
                "{token} was claimed {} times",
                record.attempts
            );
            assert_eq!(record.machine_id, machine);
            assert!(record.claim_owner.is_none(), "{token} is still claimed");
        }
    }
    cluster.a.assert_no_child_died();
    cluster.b.assert_no_child_died();
}
