//! A task's input kept in the configuration database, so that every server
//! of a cluster on one PostgreSQL database can run a task that another
//! server accepted (a store whose upload lies on no shared disk).
//!
//! The input is a byte stream cut into rows of [`INPUT_CHUNK_BYTES`]
//! (`task_inputs(token, seq, chunk)`): written in the transaction that
//! creates the task (`ConfigDb::submit_task`) while it is read from its
//! source, and read back one chunk at a time, so neither side holds more than
//! a chunk in memory. Such a task is `input_shared`, which lets any machine
//! claim it (`ConfigDb::claim_next_limited`). The rows
//! go when the task ends (every terminal transition deletes them in its
//! transaction), with the task (`ON DELETE CASCADE`), and in the retention
//! pass for any a crash left behind ([`ConfigDb::delete_finished_task_inputs`]).

use std::io::{self, Read};

use diesel::prelude::*;

use super::control::TERMINAL;
use crate::connection::AnyConnection;
use crate::db::ConfigDb;
use crate::error::{Error, Result};
use crate::schema::background_tasks::dsl as t;
use crate::schema::task_inputs::{self, dsl as ti};

/// The size of one stored chunk (the last one may be shorter): large enough
/// that a store of a few hundred MiB is a few hundred rows, small enough
/// that a reader or writer holds little.
pub const INPUT_CHUNK_BYTES: usize = 1 << 20;

diesel::define_sql_function! {
    /// SQL `length` of a byte string: its size in bytes on both backends.
    fn length(x: diesel::sql_types::Binary) -> diesel::sql_types::Integer;
}

/// Deletes the stored input of the tasks `tokens` (inside the caller's
/// transaction).
pub(crate) fn delete_inputs(conn: &mut AnyConnection, tokens: &[&str]) -> Result<usize> {
    let mut n = 0;
    for chunk in tokens.chunks(500) {
        n += diesel::delete(ti::task_inputs.filter(ti::token.eq_any(chunk))).execute(conn)?;
    }
    Ok(n)
}

/// Stores the input of task `token` as read from `source` (to its end), in
/// chunks of [`INPUT_CHUNK_BYTES`], inside the caller's transaction (see
/// `ConfigDb::submit_task`); returns the bytes stored.
pub(crate) fn write_input(
    conn: &mut AnyConnection,
    token: &str,
    source: &mut dyn Read,
) -> Result<u64> {
    let mut buf = vec![0u8; INPUT_CHUNK_BYTES];
    let mut total: u64 = 0;
    for seq in 0i32.. {
        let filled = fill(source, &mut buf)
            .map_err(|e| Error::io("reading a task's input to store it", e))?;
        if filled == 0 {
            break;
        }
        diesel::insert_into(task_inputs::table)
            .values((
                ti::token.eq(token),
                ti::seq.eq(seq),
                ti::chunk.eq(&buf[..filled]),
            ))
            .execute(conn)?;
        total += filled as u64;
        if filled < buf.len() {
            break;
        }
    }
    Ok(total)
}

impl ConfigDb {
    /// A reader of the stored input of task `token`, or `None` if none is
    /// stored. The reader fetches one chunk at a time; it fails (with an
    /// [`io::Error`] of kind `Other`) if the rows vanish while it reads,
    /// e.g. because the task was cancelled.
    pub fn task_input(&self, token: &str) -> Result<Option<TaskInput>> {
        let sizes: Vec<(i32, i32)> = ti::task_inputs
            .filter(ti::token.eq(token))
            .order_by(ti::seq.asc())
            .select((ti::seq, length(ti::chunk)))
            .load(&mut *self.conn()?)?;
        if sizes.is_empty() {
            return Ok(None);
        }
        if sizes
            .iter()
            .enumerate()
            .any(|(i, (seq, _))| usize::try_from(*seq).ok() != Some(i))
        {
            return Err(Error::Corrupt(format!(
                "the stored input of task `{token}` has gaps in its chunk numbers"
            )));
        }
        let len = sizes
            .iter()
            .map(|(_, n)| u64::try_from(*n).unwrap_or(0))
            .sum();
        Ok(Some(TaskInput {
            db: self.clone(),
            token: token.to_owned(),
            chunks: sizes.len(),
            len,
            next: 0,
            current: Vec::new(),
            pos: 0,
        }))
    }

    /// Deletes the stored input of every finished task (those a crash left
    /// behind: a normal end deletes them at once); returns the rows deleted.
    pub fn delete_finished_task_inputs(&self) -> Result<usize> {
        self.write(|conn, _| {
            let finished = t::background_tasks
                .filter(t::status.eq_any(TERMINAL))
                .filter(t::input_shared.eq(true))
                .select(t::token);
            Ok(diesel::delete(ti::task_inputs.filter(ti::token.eq_any(finished))).execute(conn)?)
        })
    }
}

/// Reads into `buf` until it is full or `source` ends; the bytes read.
fn fill(source: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The stored input of one task, read chunk by chunk (see
/// [`ConfigDb::task_input`]).
pub struct TaskInput {
    db: ConfigDb,
    token: String,
    chunks: usize,
    len: u64,
    next: usize,
    current: Vec<u8>,
    pos: usize,
}

impl std::fmt::Debug for TaskInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskInput")
            .field("token", &self.token)
            .field("chunks", &self.chunks)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl TaskInput {
    /// The input's size in bytes, as stored.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the stored input has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn fetch(&mut self) -> Result<Vec<u8>> {
        let seq = i32::try_from(self.next)
            .map_err(|_| Error::Corrupt(format!("chunk {} is out of range", self.next)))?;
        ti::task_inputs
            .filter(ti::token.eq(&self.token))
            .filter(ti::seq.eq(seq))
            .select(ti::chunk)
            .get_result::<Vec<u8>>(&mut *self.db.conn()?)
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: "task input chunk",
                key: format!("{}#{seq}", self.token),
            })
    }
}

impl Read for TaskInput {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.current.len() {
            if self.next >= self.chunks {
                return Ok(0);
            }
            self.current = self.fetch().map_err(io::Error::other)?;
            self.pos = 0;
            self.next += 1;
        }
        let n = buf.len().min(self.current.len() - self.pos);
        buf[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
