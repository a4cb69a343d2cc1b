//! Comment log layout, byte for byte as CodeChecker writes it.

use crate::common;

use std::time::Duration;

use configdb::{system_actor, Comment, Error, NewTask, TaskStatus};

#[test]
fn comments_accumulate_in_codechecker_layout() {
    for t in common::backends(true) {
        let db = &t.db;
        let tok = db.create_task(&NewTask::new("K", "s", "m")).unwrap();
        db.add_comment(&tok, Some("alice"), "first").unwrap();
        t.clock().advance(Duration::from_micros(123_456));
        db.add_comment(&tok, None, "second\nline").unwrap();
        t.clock().advance(Duration::from_micros(876_534));
        db.claim_next("w", "m", Duration::from_secs(9))
            .unwrap()
            .unwrap();
        let actor = system_actor("AbstractTask::execute()");
        db.finish(
            &tok,
            "w",
            TaskStatus::Failed,
            Some(Comment::new(
                Some(&actor),
                "FAILED!\nException during execution:\nboom",
            )),
        )
        .unwrap();
        let expected = "alice at 2024-05-01 12:00:00+00:00:\nfirst\n\
                        ----------\n\
                        <unknown> at 2024-05-01 12:00:00.123456+00:00:\nsecond\nline\n\
                        ----------\n\
                        SYSTEM[AbstractTask::execute()] at 2024-05-01 12:00:00.999990+00:00:\n\
                        FAILED!\nException during execution:\nboom";
        let got = db.get_task(&tok).unwrap().unwrap().comments.unwrap();
        assert_eq!(got, expected, "{}", t.label);
        assert!(matches!(
            db.add_comment("nope", None, "x"),
            Err(Error::NotFound { .. })
        ));
    }
}

#[test]
fn concurrent_comments_are_all_kept() {
    for t in common::backends(false) {
        let tok = t.db.create_task(&NewTask::new("K", "s", "m")).unwrap();
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let db = t.reopen(1);
                let tok = tok.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        db.add_comment(&tok, Some(&format!("w{w}")), &format!("c{i}"))
                            .unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        let text = t.db.get_task(&tok).unwrap().unwrap().comments.unwrap();
        assert_eq!(text.split("\n----------\n").count(), 100, "{}", t.label);
    }
}
