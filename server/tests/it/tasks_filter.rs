//! `getTasks` with every `TaskFilter` field, through CodeChecker's Python
//! client, on SQLite and on PostgreSQL. The tasks are written straight into
//! the configuration database at known instants (a manual clock), for machines
//! no worker serves, so they keep the state the test gives them.

use crate::support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use configdb::{ConfigDb, ManualClock, NewTask, OpenOptions, TaskStatus};
use serde_json::{json, Value};
use support::pg::PgDatabase;
use support::server::{Server, ServerBuilder};
use support::tasks::TaskApi;

/// 2024-05-01 12:00:00 UTC.
const T0: i64 = 1_714_564_800;

/// A lease no test outlives, so no rescue touches the running task.
const FOREVER: Duration = Duration::from_secs(50 * 365 * 86_400);

fn at(offset: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(T0 + offset, 0).unwrap_or_default()
}

/// The five tasks, indexed 1..=5 (index 0 unused).
struct Dataset {
    tokens: Vec<String>,
}

impl Dataset {
    /// Writes the tasks of the table in the module's test.
    fn write(url: &str) -> Self {
        let clock = Arc::new(ManualClock::new(at(0)));
        let db = ConfigDb::open_with(
            url,
            OpenOptions {
                clock: clock.clone(),
                pool_size: 2,
                ..OpenOptions::default()
            },
        )
        .expect("open the configuration database");
        let task = |kind: &str, actor: Option<&str>, product: Option<i64>, machine: &str| {
            let mut t = NewTask::new(kind, format!("filter test {kind}"), machine);
            t.actor = actor.map(str::to_owned);
            t.product_id = product;
            t
        };
        let run = |machine: &str, token: &str| {
            let claimed = db
                .claim_next("filter-owner", machine, FOREVER)
                .expect("claim")
                .expect("a task to claim");
            assert_eq!(
                claimed.token, token,
                "claimed {} ({}, {})",
                claimed.kind, claimed.machine_id, claimed.status
            );
        };
        let finish = |token: &str, status: TaskStatus| {
            db.finish(token, "filter-owner", status, None)
                .expect("finish");
        };
        let mut tokens = vec![String::new()];

        clock.set(at(0));
        let t1 = db
            .create_task(&task("Filter::Alpha", Some("alice"), Some(1), "filter-m1"))
            .expect("create t1");
        clock.set(at(10));
        run("filter-m1", &t1);
        clock.set(at(20));
        finish(&t1, TaskStatus::Completed);
        db.mark_consumed(&t1).expect("consume t1");
        tokens.push(t1);

        clock.set(at(100));
        let t2 = db
            .create_task(&task("Filter::Beta", Some("bob"), None, "filter-m1"))
            .expect("create t2");
        clock.set(at(110));
        run("filter-m1", &t2);
        clock.set(at(120));
        finish(&t2, TaskStatus::Failed);
        tokens.push(t2);

        clock.set(at(200));
        let t3 = db
            .create_task(&task("Filter::Alpha", None, Some(1), "filter-m1"))
            .expect("create t3");
        clock.set(at(210));
        run("filter-m1", &t3);
        clock.set(at(215));
        db.heartbeat(&t3, "filter-owner", FOREVER, None)
            .expect("heartbeat");
        clock.set(at(216));
        assert!(db.request_cancel(&t3, None).expect("cancel t3"));
        tokens.push(t3);

        clock.set(at(300));
        // Input on filter-m2's disk: no other machine may claim it.
        let mut queued = task("Other::Gamma", Some("Alice"), None, "filter-m2");
        queued.input_path = Some("/nonexistent/filter-test-input".to_owned());
        let t4 = db.create_task(&queued).expect("create t4");
        tokens.push(t4);

        clock.set(at(400));
        let t5 = db
            .create_task(&task("Filter::Beta", None, None, "filter-m3"))
            .expect("create t5");
        clock.set(at(405));
        assert!(db.request_cancel(&t5, None).expect("cancel t5"));
        clock.set(at(410));
        run("filter-m3", &t5);
        clock.set(at(420));
        finish(&t5, TaskStatus::Cancelled);
        tokens.push(t5);
        Self { tokens }
    }

    fn token(&self, i: usize) -> &str {
        &self.tokens[i]
    }

    /// Which of the five tasks a `getTasks` answer holds.
    fn indices(&self, answer: &[Value]) -> BTreeSet<usize> {
        answer
            .iter()
            .map(|t| {
                let token = t["normalInfo"]["token"].as_str().unwrap_or_default();
                self.tokens
                    .iter()
                    .position(|k| k == token)
                    .unwrap_or_else(|| panic!("getTasks returned a foreign task {t}"))
            })
            .collect()
    }
}

fn set(items: &[usize]) -> BTreeSet<usize> {
    items.iter().copied().collect()
}

/// A token no task has.
fn stranger(i: usize) -> String {
    format!("{:064x}", 0xfeed_0000_u64 + i as u64)
}

fn filters_match_codecheckers_semantics(server: &Server) {
    let data = Dataset::write(&server.config_url());
    let mut api = TaskApi::new(&server.url());
    let all = set(&[1, 2, 3, 4, 5]);

    // What the client sees of the stored instants: UTC epoch seconds.
    let listed = api.tasks(json!({}));
    assert_eq!(data.indices(&listed), all);
    let t1 = api.admin_info(data.token(1));
    let n = &t1["normalInfo"];
    assert_eq!(
        (
            &n["enqueuedAtEpoch"],
            &n["startedAtEpoch"],
            &n["completedAtEpoch"],
            &n["lastHeartbeatEpoch"]
        ),
        (
            &json!(T0),
            &json!(T0 + 10),
            &json!(T0 + 20),
            &json!(T0 + 10)
        )
    );
    assert_eq!(n["actorUsername"], "alice");
    assert_eq!(n["productId"], 1);
    assert_eq!(n["status"], 3);
    assert_eq!(t1["machineId"], "filter-m1");
    assert_eq!(t1["statusConsumed"], true);
    let t3 = api.admin_info(data.token(3));
    assert_eq!(t3["normalInfo"]["lastHeartbeatEpoch"], T0 + 215);
    assert_eq!(t3["normalInfo"]["cancelFlagSet"], true);
    assert_eq!(t3["normalInfo"]["productId"], 1);
    assert_eq!(t3["normalInfo"]["actorUsername"], Value::Null);
    let t4 = api.admin_info(data.token(4));
    assert_eq!(t4["normalInfo"]["startedAtEpoch"], Value::Null);

    let upper = data.token(1).to_uppercase();
    let prefix = format!("{}*", &data.token(2)[..12]);
    let mut many: Vec<String> = (0..5000).map(stranger).collect();
    many.push(data.token(2).to_owned());
    let mut many_all: Vec<String> = (0..5000).map(stranger).collect();
    many_all.extend(data.tokens[1..].iter().cloned());

    let cases: Vec<(&str, Value, BTreeSet<usize>)> = vec![
        ("no criteria", json!({}), all.clone()),
        // 1 tokens
        (
            "tokens",
            json!({"tokens": [data.token(1), data.token(3)]}),
            set(&[1, 3]),
        ),
        ("token in capitals", json!({"tokens": [upper]}), set(&[1])),
        ("token pattern", json!({"tokens": [prefix]}), set(&[2])),
        ("token wildcard", json!({"tokens": ["*"]}), all.clone()),
        ("empty token list", json!({"tokens": []}), all.clone()),
        (
            "5,000 strangers and one token",
            json!({"tokens": many}),
            set(&[2]),
        ),
        (
            "5,000 strangers and every token",
            json!({"tokens": many_all}),
            all.clone(),
        ),
        // 2 machine ids
        ("machine", json!({"machineIDs": ["filter-m2"]}), set(&[4])),
        (
            "machine pattern",
            json!({"machineIDs": ["FILTER-M*"]}),
            all.clone(),
        ),
        (
            "machines",
            json!({"machineIDs": ["filter-m1", "filter-m3"]}),
            set(&[1, 2, 3, 5]),
        ),
        ("unknown machine", json!({"machineIDs": ["nope"]}), set(&[])),
        // 3 kinds
        ("kind", json!({"kinds": ["Filter::Alpha"]}), set(&[1, 3])),
        (
            "kind pattern",
            json!({"kinds": ["filter::*"]}),
            set(&[1, 2, 3, 5]),
        ),
        ("kind suffix", json!({"kinds": ["*::Gamma"]}), set(&[4])),
        // 4 statuses
        (
            "finished statuses",
            json!({"statuses": [3, 4]}),
            set(&[1, 2]),
        ),
        ("running", json!({"statuses": [2]}), set(&[3])),
        ("enqueued", json!({"statuses": [1]}), set(&[4])),
        ("cancelled", json!({"statuses": [5]}), set(&[5])),
        ("dropped", json!({"statuses": [6]}), set(&[])),
        ("no statuses", json!({"statuses": []}), all.clone()),
        // 5 user names: absent = any, empty = none
        ("usernames unset", json!({"usernames": null}), all.clone()),
        (
            "usernames empty: no user",
            json!({"usernames": []}),
            set(&[3, 5]),
        ),
        (
            "username, any case",
            json!({"usernames": ["alice"]}),
            set(&[1, 4]),
        ),
        ("username pattern", json!({"usernames": ["B*"]}), set(&[2])),
        (
            "usernames",
            json!({"usernames": ["alice", "bob"]}),
            set(&[1, 2, 4]),
        ),
        // 6 product ids: absent = any, empty = none
        ("productIDs unset", json!({"productIDs": null}), all.clone()),
        (
            "productIDs empty: no product",
            json!({"productIDs": []}),
            set(&[2, 4, 5]),
        ),
        ("product", json!({"productIDs": [1]}), set(&[1, 3])),
        // 7..14 time bounds, inclusive, unset instants excluded
        (
            "enqueued before",
            json!({"enqueuedBeforeEpoch": T0 + 100}),
            set(&[1, 2]),
        ),
        (
            "enqueued after",
            json!({"enqueuedAfterEpoch": T0 + 300}),
            set(&[4, 5]),
        ),
        (
            "started before",
            json!({"startedBeforeEpoch": T0 + 110}),
            set(&[1, 2]),
        ),
        (
            "started after",
            json!({"startedAfterEpoch": T0 + 200}),
            set(&[3, 5]),
        ),
        (
            "completed before",
            json!({"completedBeforeEpoch": T0 + 120}),
            set(&[1, 2]),
        ),
        (
            "completed after",
            json!({"completedAfterEpoch": T0 + 21}),
            set(&[2, 5]),
        ),
        (
            "heartbeat before",
            json!({"heartbeatBeforeEpoch": T0 + 110}),
            set(&[1, 2]),
        ),
        (
            "heartbeat after",
            json!({"heartbeatAfterEpoch": T0 + 300}),
            set(&[4, 5]),
        ),
        (
            "inverted range",
            json!({"enqueuedAfterEpoch": T0 + 300, "enqueuedBeforeEpoch": T0 + 100}),
            set(&[]),
        ),
        (
            "closed range",
            json!({"startedAfterEpoch": T0 + 10, "startedBeforeEpoch": T0 + 210}),
            set(&[1, 2, 3]),
        ),
        (
            "a zero bound is no bound",
            json!({"completedBeforeEpoch": 0}),
            all.clone(),
        ),
        // 15 cancel flag (BOTH 0, OFF 1, ON 2)
        ("cancel flag on", json!({"cancelFlag": 2}), set(&[3, 5])),
        ("cancel flag off", json!({"cancelFlag": 1}), set(&[1, 2, 4])),
        ("cancel flag both", json!({"cancelFlag": 0}), all.clone()),
        // 16 consumed flag
        ("consumed", json!({"consumedFlag": 2}), set(&[1])),
        (
            "not consumed",
            json!({"consumedFlag": 1}),
            set(&[2, 3, 4, 5]),
        ),
        // Fields are AND-ed.
        (
            "kind and status",
            json!({"kinds": ["Filter::Alpha"], "statuses": [3]}),
            set(&[1]),
        ),
        (
            "no user and no product",
            json!({"usernames": [], "productIDs": []}),
            set(&[5]),
        ),
        (
            "every field",
            json!({
                "tokens": [data.token(2), data.token(5)],
                "machineIDs": ["filter-m*"],
                "kinds": ["Filter::Beta"],
                "statuses": [4, 5],
                "usernames": ["bob"],
                "productIDs": [],
                "enqueuedBeforeEpoch": T0 + 100, "enqueuedAfterEpoch": T0 + 100,
                "startedBeforeEpoch": T0 + 110, "startedAfterEpoch": T0 + 110,
                "completedBeforeEpoch": T0 + 120, "completedAfterEpoch": T0 + 120,
                "heartbeatBeforeEpoch": T0 + 110, "heartbeatAfterEpoch": T0 + 110,
                "cancelFlag": 1, "consumedFlag": 1,
            }),
            set(&[2]),
        ),
    ];
    let mut wrong = Vec::new();
    for (case, filter, expected) in cases {
        let got = data.indices(&api.tasks(filter));
        if got != expected {
            wrong.push(format!("{case}: expected {expected:?}, got {got:?}"));
        }
    }
    // Filtering reads; it never consumes.
    assert_eq!(
        data.indices(&api.tasks(json!({"consumedFlag": 2}))),
        set(&[1])
    );
    assert!(wrong.is_empty(), "filters disagree:\n{}", wrong.join("\n"));
}

#[test]
fn filters_on_sqlite() {
    let server = ServerBuilder::new().workers(0).start();
    filters_match_codecheckers_semantics(&server);
}

#[test]
fn filters_on_postgres() {
    let Some(db) = PgDatabase::create("tasks_filter") else {
        return;
    };
    let server = ServerBuilder::new().workers(0).config_db(&db.url).start();
    filters_match_codecheckers_semantics(&server);
}
