//! Run retention: which runs a policy condemns at a given instant, and a
//! condemned run left alone when a store holds it or stored into it since.

use crate::common::{self, file, report, run, sha, store};

use std::collections::HashMap;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use productdb::retention::{condemn, KeepLast, RetentionOutcome, RetentionPolicy};

const DAY: i64 = 86_400_000_000;

fn nightly(count: usize) -> KeepLast {
    KeepLast {
        matches: Box::new(|name: &str| name.starts_with("nightly-")),
        count,
        description: "'^nightly-'".into(),
    }
}

#[test]
fn a_policy_condemns_exactly_what_it_says_at_the_given_instant() {
    let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let at = |days_ago: i64| now.timestamp_micros() - days_ago * DAY;
    let runs = vec![
        (1, "nightly-a".to_owned(), at(3)),
        (2, "nightly-b".to_owned(), at(2)),
        (3, "nightly-c".to_owned(), at(1)),
        (4, "manual-old".to_owned(), at(31)),
        (5, "manual-young".to_owned(), at(29)),
        (6, "kept-long".to_owned(), at(100)),
        (7, "short-lived".to_owned(), at(3)),
        (8, "nightly-old".to_owned(), at(60)),
    ];
    let policy = RetentionPolicy {
        keep_last: Some(nightly(2)),
        max_age: Some(Duration::from_secs(30 * 86_400)),
        lifetimes: HashMap::from([
            ("kept-long".to_owned(), Duration::from_secs(365 * 86_400)),
            ("short-lived".to_owned(), Duration::from_secs(2 * 86_400)),
        ]),
    };
    let judged: Vec<(String, String)> = condemn(&runs, &policy, now)
        .into_iter()
        .map(|c| (c.name, c.reason))
        .collect();
    let keep = "not among the 2 latest runs matching '^nightly-'";
    assert_eq!(
        judged,
        [
            ("nightly-old".to_owned(), keep.to_owned()),
            ("manual-old".to_owned(), "older than 30 days".to_owned()),
            ("nightly-a".to_owned(), keep.to_owned()),
            (
                "short-lived".to_owned(),
                "older than its lifetime of 2 days given at store time".to_owned()
            ),
        ]
    );
    // An empty policy condemns nothing; a day later one more run is old.
    assert!(condemn(&runs, &RetentionPolicy::default(), now).is_empty());
    let later = now + chrono::Duration::days(1) + chrono::Duration::seconds(1);
    let names: Vec<String> = condemn(&runs, &policy, later)
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert!(names.contains(&"manual-young".to_owned()), "{names:?}");
}

#[test]
fn a_condemned_run_is_spared_while_stored_into_or_when_stored_into_since() {
    for t in common::backends() {
        let db = &t.db;
        let src = "int f(int *p) { return *p; }\n";
        let one = |name: &str| {
            store(
                db,
                run(name, &["core.NullDereference"], &[]),
                vec![file("/src/a.c", src)],
                vec![report(
                    "/src/a.c",
                    1,
                    "core.NullDereference",
                    &sha(name.as_bytes()),
                )],
            )
        };
        for name in ["locked", "restored", "removed"] {
            one(name);
        }
        let policy = RetentionPolicy {
            max_age: Some(Duration::from_secs(86_400)),
            ..RetentionPolicy::default()
        };
        let later = Utc::now() + chrono::Duration::days(2);
        let condemned = db.retention_candidates(&policy, later).unwrap();
        assert_eq!(condemned.len(), 3, "{}", t.label);
        let by_name = |n: &str| condemned.iter().find(|c| c.name == n).unwrap().clone();
        let lock = db.acquire_run_lock("locked", "a store").unwrap();
        std::thread::sleep(Duration::from_millis(2));
        one("restored");
        assert_eq!(
            db.remove_condemned(&by_name("locked"), "retention")
                .unwrap(),
            RetentionOutcome::Locked,
            "{}",
            t.label
        );
        assert_eq!(
            db.remove_condemned(&by_name("restored"), "retention")
                .unwrap(),
            RetentionOutcome::Changed,
            "{}",
            t.label
        );
        let removed = by_name("removed");
        assert_eq!(
            db.remove_condemned(&removed, "retention").unwrap(),
            RetentionOutcome::Removed,
            "{}",
            t.label
        );
        assert_eq!(
            db.remove_condemned(&removed, "retention").unwrap(),
            RetentionOutcome::Gone
        );
        db.release_run_lock(&lock).unwrap();
        let left: Vec<String> = db.run_dates().unwrap().into_iter().map(|r| r.1).collect();
        assert_eq!(left, ["locked", "restored"], "{}", t.label);
        // The removal released its lock: the run's name can be stored again.
        one("removed");
    }
}
