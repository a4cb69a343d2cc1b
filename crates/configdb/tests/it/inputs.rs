//! A task's input kept in the database: chunked, read back in order, claimable
//! by any machine, and deleted when the task ends.

use crate::common;

use std::io::Read;
use std::time::Duration;

use configdb::{Comment, ConfigDb, NewTask, Submission, TaskStatus, INPUT_CHUNK_BYTES};

const LEASE: Duration = Duration::from_secs(30);

/// A store-like task of `machine` with input on its disk.
fn task(machine: &str) -> NewTask {
    let mut t = NewTask::new("Store", "store summary", machine);
    t.input_path = Some(format!("/tasks/{machine}/in"));
    t.retry_safe = true;
    t
}

/// Submits `task` with `input` kept in the database; its token.
fn submit(db: &ConfigDb, task: &NewTask, input: &[u8]) -> String {
    let mut source = input;
    db.submit_task(Submission {
        task,
        bound: None,
        comment: None,
        input: Some(&mut source),
    })
    .unwrap()
    .token
}

/// `n` bytes that differ from chunk to chunk.
fn bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8 ^ (i >> 20) as u8).collect()
}

#[test]
fn an_input_is_stored_in_chunks_and_read_back_whole() {
    for t in common::backends(false) {
        let db = &t.db;
        let data = bytes(2 * INPUT_CHUNK_BYTES + 12_345);
        let mut source = data.as_slice();
        let submitted = db
            .submit_task(Submission {
                task: &task("m1"),
                bound: None,
                comment: Some(Comment::new(Some("SYSTEM"), "first")),
                input: Some(&mut source),
            })
            .unwrap();
        let token = submitted.token;
        assert_eq!(submitted.input_bytes, data.len() as u64, "{}", t.label);
        let record = db.get_task(&token).unwrap().unwrap();
        assert!(record.input_shared);
        assert_eq!(record.status, TaskStatus::Enqueued);
        let comments = record.comments.unwrap_or_default();
        assert!(comments.ends_with(":\nfirst"), "{comments}");

        let mut input = db.task_input(&token).unwrap().expect("stored");
        assert_eq!(input.len(), data.len() as u64);
        let mut back = Vec::new();
        input.read_to_end(&mut back).unwrap();
        assert!(back == data, "{}: the input reads back changed", t.label);

        // Nothing stored: no reader.
        let other = db.allocate_task(&task("m1")).unwrap();
        assert!(db.task_input(&other).unwrap().is_none());
        assert!(!db.get_task(&other).unwrap().unwrap().input_shared);
    }
}

#[test]
fn a_shared_input_task_is_claimed_by_any_machine_and_its_input_goes_at_the_end() {
    for t in common::backends(false) {
        let db = &t.db;
        let local = db.create_task(&task("m1")).unwrap();
        let shared = submit(db, &task("m1"), b"upload");

        // m2 may not run m1's local-input task, but the shared one.
        let claimed = db.claim_next("w2", "m2", LEASE).unwrap().expect("a task");
        assert_eq!(claimed.token, shared, "{}", t.label);
        assert!(claimed.input_shared);
        assert!(db.claim_next("w2", "m2", LEASE).unwrap().is_none());
        assert_eq!(
            db.claim_next("w1", "m1", LEASE).unwrap().unwrap().token,
            local
        );

        // m1 shutting down does not drop what runs on m2.
        let dropped = db.drop_unfinished_of_machine("m1", "bye").unwrap();
        assert_eq!(dropped, vec![local.clone()], "{}", t.label);
        assert_eq!(
            db.get_task(&shared).unwrap().unwrap().status,
            TaskStatus::Running
        );

        db.finish(&shared, "w2", TaskStatus::Completed, None)
            .unwrap();
        assert!(db.task_input(&shared).unwrap().is_none(), "{}", t.label);
    }
}

#[test]
fn inputs_of_tasks_ended_otherwise_are_deleted_too() {
    for t in common::backends(true) {
        let db = &t.db;
        // Abandoned before it ran.
        let abandoned = submit(db, &task("m1"), b"upload");
        assert!(db.abandon(&abandoned, TaskStatus::Failed, None).unwrap());
        assert!(db.task_input(&abandoned).unwrap().is_none(), "{}", t.label);

        // Rescued: kept while it is re-queued, deleted when it is dropped.
        let rescued = submit(db, &task("m1"), b"upload");
        db.claim_next("w", "m2", Duration::from_secs(1))
            .unwrap()
            .unwrap();
        t.clock().advance(Duration::from_secs(2));
        db.rescue_expired(db.now(), 2).unwrap();
        assert!(db.task_input(&rescued).unwrap().is_some(), "{}", t.label);
        db.claim_next("w", "m2", Duration::from_secs(1))
            .unwrap()
            .unwrap();
        t.clock().advance(Duration::from_secs(2));
        db.rescue_expired(db.now(), 2).unwrap();
        assert_eq!(
            db.get_task(&rescued).unwrap().unwrap().status,
            TaskStatus::Dropped
        );
        assert!(db.task_input(&rescued).unwrap().is_none(), "{}", t.label);

        // Left behind by a crash: the retention sweep finds it.
        assert_eq!(db.delete_finished_task_inputs().unwrap(), 0);
        let left = submit(db, &task("m1"), b"upload");
        db.claim_next("w", "m1", LEASE).unwrap().unwrap();
        db.finish(&left, "w", TaskStatus::Completed, None).unwrap();
        assert!(db.task_input(&left).unwrap().is_none());
    }
}

/// A source that yields some bytes, then fails (a client or process gone
/// mid-upload).
struct Broken(usize);

impl Read for Broken {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.0 == 0 {
            return Err(std::io::Error::other("the upload broke off"));
        }
        let n = buf.len().min(self.0);
        buf[..n].fill(7);
        self.0 -= n;
        Ok(n)
    }
}

#[test]
fn a_submission_whose_input_breaks_off_leaves_no_task_and_no_input() {
    for t in common::backends(false) {
        let db = &t.db;
        let mut source = Broken(INPUT_CHUNK_BYTES + 10);
        let failed = db.submit_task(Submission {
            task: &task("m1"),
            bound: None,
            comment: None,
            input: Some(&mut source),
        });
        assert!(failed.is_err(), "{}", t.label);
        let left = db.filter_tasks(&configdb::TaskQuery::default()).unwrap();
        assert!(left.is_empty(), "{}: {left:?}", t.label);
        assert_eq!(db.delete_finished_task_inputs().unwrap(), 0);
    }
}
