//! `filter_tasks` against CodeChecker's `TaskFilter` semantics, both backends.

use crate::common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use configdb::{ConfigDb, NewTask, ProductSpec, TaskQuery, TaskStatus, Ternary};

const LEASE: Duration = Duration::from_secs(300);

/// Five tasks with known attributes; see the table in `fixture`.
struct Fixture {
    tokens: HashMap<&'static str, String>,
    p1: i64,
    p2: i64,
    e0: i64,
}

impl Fixture {
    fn names(&self, db: &ConfigDb, q: &TaskQuery) -> Vec<&'static str> {
        let by_token: HashMap<&String, &'static str> =
            self.tokens.iter().map(|(k, v)| (v, *k)).collect();
        db.filter_tasks(q)
            .unwrap()
            .iter()
            .map(|r| by_token[&r.token])
            .collect()
    }
}

fn new_task(kind: &str, machine: &str, actor: Option<&str>, product: Option<i64>) -> NewTask {
    let mut t = NewTask::new(kind, "s", machine);
    t.actor = actor.map(str::to_owned);
    t.product_id = product;
    // Input on the creating machine's disk: only that machine claims it.
    t.input_path = Some(format!("/tasks/{machine}"));
    t
}

/// | task | kind       | machine | actor | product | status    | enq | start | done | hb  |
/// | A    | Store      | host-a  | alice | P1      | COMPLETED | 0   | 10    | 20   | 10  |
/// | B    | Dummy      | host-b  | Bob   | -       | ENQUEUED* | 5   | -     | -    | 5   |
/// | C    | StoreLarge | host-a  | -     | P2      | ALLOCATED | -   | -     | -    | 7   |
/// | D    | Dummy      | host-c  | alice | P1      | RUNNING   | 8   | 12    | -    | 15  |
/// | E    | Store      | HOST-E  | carol | P2      | FAILED+   | 9   | 30    | 40   | 30  |
/// (seconds after e0; * cancel flag set; + consumed)
fn fixture(t: &common::TestDb) -> Fixture {
    let db = &t.db;
    let clock = t.clock();
    let at = |s: u64| clock.set(common::t0() + Duration::from_secs(s));
    let p1 = db.add_product(&ProductSpec::new("p1", "x")).unwrap().id;
    let p2 = db.add_product(&ProductSpec::new("p2", "x")).unwrap().id;
    let mut tokens = HashMap::new();
    at(0);
    tokens.insert(
        "A",
        db.create_task(&new_task("Store", "host-a", Some("alice"), Some(p1)))
            .unwrap(),
    );
    at(5);
    tokens.insert(
        "B",
        db.create_task(&new_task("Dummy", "host-b", Some("Bob"), None))
            .unwrap(),
    );
    assert!(db.request_cancel(&tokens["B"], None).unwrap());
    at(7);
    tokens.insert(
        "C",
        db.allocate_task(&new_task("StoreLarge", "host-a", None, Some(p2)))
            .unwrap(),
    );
    at(8);
    tokens.insert(
        "D",
        db.create_task(&new_task("Dummy", "host-c", Some("alice"), Some(p1)))
            .unwrap(),
    );
    at(9);
    tokens.insert(
        "E",
        db.create_task(&new_task("Store", "HOST-E", Some("carol"), Some(p2)))
            .unwrap(),
    );
    at(10);
    assert_eq!(
        db.claim_next("w", "host-a", LEASE).unwrap().unwrap().token,
        tokens["A"]
    );
    at(12);
    assert_eq!(
        db.claim_next("w", "host-c", LEASE).unwrap().unwrap().token,
        tokens["D"]
    );
    at(15);
    db.heartbeat(&tokens["D"], "w", LEASE, None).unwrap();
    at(20);
    db.finish(&tokens["A"], "w", TaskStatus::Completed, None)
        .unwrap();
    at(30);
    assert_eq!(
        db.claim_next("w", "HOST-E", LEASE).unwrap().unwrap().token,
        tokens["E"]
    );
    at(40);
    db.finish(&tokens["E"], "w", TaskStatus::Failed, None)
        .unwrap();
    db.mark_consumed(&tokens["E"]).unwrap();
    Fixture {
        tokens,
        p1,
        p2,
        e0: common::t0().timestamp(),
    }
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn every_filter_field() {
    for t in common::backends(true) {
        let f = fixture(&t);
        let db = &t.db;
        let q = |q: TaskQuery| f.names(db, &q);
        let label = t.label;
        let e0 = f.e0;

        assert_eq!(
            q(TaskQuery::default()),
            ["A", "B", "C", "D", "E"],
            "{label}"
        );

        // Tokens: exact, case-insensitive, wildcard, unknown ones ignored.
        let a = f.tokens["A"].clone();
        let b_prefix = format!("{}*", &f.tokens["B"][..10]);
        assert_eq!(
            q(TaskQuery {
                tokens: vec![a.clone()],
                ..Default::default()
            }),
            ["A"]
        );
        assert_eq!(
            q(TaskQuery {
                tokens: vec![a.to_uppercase()],
                ..Default::default()
            }),
            ["A"]
        );
        assert_eq!(
            q(TaskQuery {
                tokens: vec![b_prefix.to_uppercase()],
                ..Default::default()
            }),
            ["B"]
        );
        assert_eq!(
            q(TaskQuery {
                tokens: vec![a, "0".repeat(64), b_prefix],
                ..Default::default()
            }),
            ["A", "B"]
        );

        // Machine ids; `_` is a single-character wildcard as in ILIKE.
        let m = |v: &[&str]| {
            q(TaskQuery {
                machine_ids: strs(v),
                ..Default::default()
            })
        };
        assert_eq!(m(&["host-a"]), ["A", "C"], "{label}");
        assert_eq!(m(&["HOST-A"]), ["A", "C"]);
        assert_eq!(m(&["host-*"]), ["A", "B", "C", "D", "E"]);
        assert_eq!(m(&["host-b", "host-c"]), ["B", "D"]);
        assert_eq!(m(&["host_e"]), ["E"]);
        assert!(m(&["host"]).is_empty());

        let k = |v: &[&str]| {
            q(TaskQuery {
                kinds: strs(v),
                ..Default::default()
            })
        };
        assert_eq!(k(&["store"]), ["A", "E"]);
        assert_eq!(k(&["Store*"]), ["A", "C", "E"]);
        assert_eq!(k(&["dummy", "storelarge"]), ["B", "C", "D"]);

        let s = |v: &[TaskStatus]| {
            q(TaskQuery {
                statuses: v.to_vec(),
                ..Default::default()
            })
        };
        assert_eq!(s(&[TaskStatus::Enqueued]), ["B"]);
        assert_eq!(s(&[TaskStatus::Running, TaskStatus::Completed]), ["A", "D"]);
        assert_eq!(s(&[TaskStatus::Failed, TaskStatus::Failed]), ["E"]);
        assert_eq!(s(&[TaskStatus::Allocated]), ["C"]);
        assert!(s(&[TaskStatus::Dropped]).is_empty());

        let u = |v: Option<&[&str]>| {
            q(TaskQuery {
                usernames: v.map(strs),
                ..Default::default()
            })
        };
        assert_eq!(u(None), ["A", "B", "C", "D", "E"]);
        assert_eq!(u(Some(&[])), ["C"], "{label}: empty list = no actor");
        assert_eq!(u(Some(&["ALICE"])), ["A", "D"]);
        assert_eq!(u(Some(&["bob", "carol"])), ["B", "E"]);
        assert_eq!(u(Some(&["*"])), ["A", "B", "D", "E"]);

        let p = |v: Option<Vec<i64>>| {
            q(TaskQuery {
                product_ids: v,
                ..Default::default()
            })
        };
        assert_eq!(p(None), ["A", "B", "C", "D", "E"]);
        assert_eq!(p(Some(vec![])), ["B"], "{label}: empty list = no product");
        assert_eq!(p(Some(vec![f.p1])), ["A", "D"]);
        assert_eq!(p(Some(vec![f.p1, f.p2])), ["A", "C", "D", "E"]);
        assert!(p(Some(vec![999])).is_empty());

        // Time bounds are inclusive and skip unset columns; 0 = no bound.
        let tq = |set: &dyn Fn(&mut TaskQuery)| {
            let mut x = TaskQuery::default();
            set(&mut x);
            q(x)
        };
        assert_eq!(tq(&|x| x.enqueued_before = Some(e0 + 5)), ["A", "B"]);
        assert_eq!(tq(&|x| x.enqueued_after = Some(e0 + 8)), ["D", "E"]);
        assert_eq!(
            tq(&|x| x.enqueued_before = Some(0)),
            ["A", "B", "C", "D", "E"]
        );
        assert!(
            tq(&|x| {
                x.enqueued_after = Some(e0 + 9);
                x.enqueued_before = Some(e0 + 5);
            })
            .is_empty(),
            "{label}: inverted range"
        );
        assert_eq!(tq(&|x| x.started_before = Some(e0 + 12)), ["A", "D"]);
        assert_eq!(tq(&|x| x.started_after = Some(e0 + 12)), ["D", "E"]);
        assert_eq!(tq(&|x| x.completed_before = Some(e0 + 20)), ["A"]);
        assert_eq!(tq(&|x| x.completed_after = Some(e0 + 21)), ["E"]);
        assert_eq!(tq(&|x| x.heartbeat_before = Some(e0 + 7)), ["B", "C"]);
        assert_eq!(tq(&|x| x.heartbeat_after = Some(e0 + 15)), ["D", "E"]);

        assert_eq!(tq(&|x| x.cancel_flag = Ternary::On), ["B"]);
        assert_eq!(tq(&|x| x.cancel_flag = Ternary::Off), ["A", "C", "D", "E"]);
        assert_eq!(tq(&|x| x.consumed = Ternary::On), ["E"]);
        assert_eq!(tq(&|x| x.consumed = Ternary::Off), ["A", "B", "C", "D"]);
        assert_eq!(tq(&|x| x.consumed = Ternary::Both).len(), 5);

        // Fields are AND-ed.
        assert_eq!(
            tq(&|x| {
                x.kinds = strs(&["Store*"]);
                x.statuses = vec![TaskStatus::Completed, TaskStatus::Failed];
                x.usernames = Some(strs(&["carol"]));
            }),
            ["E"]
        );
        assert!(tq(&|x| {
            x.machine_ids = strs(&["host-a"]);
            x.usernames = Some(vec![]);
            x.product_ids = Some(vec![f.p1]);
        })
        .is_empty());
    }
}

#[test]
fn epoch_bounds_compare_whole_seconds() {
    for t in common::backends(true) {
        t.clock().set(common::t0() + Duration::from_millis(50_500));
        let tok = t.db.create_task(&NewTask::new("K", "s", "m")).unwrap();
        let e = common::t0().timestamp() + 50;
        let hit = |q: TaskQuery| {
            t.db.filter_tasks(&q)
                .unwrap()
                .iter()
                .any(|r| r.token == tok)
        };
        assert!(
            !hit(TaskQuery {
                enqueued_before: Some(e),
                ..Default::default()
            }),
            "{}",
            t.label
        );
        assert!(hit(TaskQuery {
            enqueued_after: Some(e),
            ..Default::default()
        }));
        assert!(hit(TaskQuery {
            enqueued_before: Some(e + 1),
            ..Default::default()
        }));
        assert!(!hit(TaskQuery {
            enqueued_after: Some(e + 1),
            ..Default::default()
        }));
        let r = t.db.get_task(&tok).unwrap().unwrap();
        assert_eq!(r.enqueued_at_epoch(), Some(e));
    }
}

#[test]
fn thousands_of_tokens() {
    for t in common::backends(false) {
        let n = 2_000;
        let started = Instant::now();
        let tokens: Vec<String> = (0..n)
            .map(|i| {
                t.db.create_task(&NewTask::new("K", format!("{i}"), "m"))
                    .unwrap()
            })
            .collect();
        let created = started.elapsed();

        // Every other real token, plus 70 000 unknown ones: far beyond both
        // backends' bind-parameter limits.
        let mut wanted: Vec<String> = tokens.iter().step_by(2).cloned().collect();
        let unknown = (0..70_000u32).map(|i| format!("{i:064x}"));
        let mut query: Vec<String> = wanted.iter().map(|s| s.to_uppercase()).collect();
        query.extend(unknown);
        let started = Instant::now();
        let found =
            t.db.filter_tasks(&TaskQuery {
                tokens: query.clone(),
                ..Default::default()
            })
            .unwrap();
        let took = started.elapsed();
        let mut got: Vec<String> = found.into_iter().map(|r| r.token).collect();
        got.sort();
        wanted.sort();
        assert_eq!(got, wanted, "{}", t.label);
        println!(
            "{}: created {n} tasks in {created:?}; filter by {} tokens -> {} rows in {took:?}",
            t.label,
            query.len(),
            got.len()
        );
        assert!(
            took < Duration::from_secs(10),
            "{}: too slow: {took:?}",
            t.label
        );

        // With a pattern in the mix and another AND-ed field.
        query.push(format!("{}*", &tokens[1][..12]));
        let found =
            t.db.filter_tasks(&TaskQuery {
                tokens: query,
                statuses: vec![TaskStatus::Enqueued],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(found.len(), wanted.len() + 1);
    }
}
