//! Uploads kept where every server of a cluster reaches them: in the
//! configuration database, when it is PostgreSQL.
//!
//! The server that accepts a store unpacks the upload into its own
//! `<workspace>/tasks/` as always (that is where the upload is checked and a
//! bad one refused at once), keeps the upload in the database in the very
//! transaction that creates the store's task ([`kept_form`],
//! `configdb::ConfigDb::submit_task`: a server killed on the way leaves
//! nothing, not a task that never runs), which lets the workers of any
//! server claim the store, and removes its folder. The worker that claims the store,
//! on whichever server, fetches the upload ([`fetch`]) and unpacks it into its
//! own workspace before ingesting it, and removes that copy when the task
//! ends. So no server keeps a folder for a store that another server may run:
//! nothing is left on an API-only server, or on a server that dies, and every
//! store of a cluster takes the same path. The price is unpacking the upload
//! twice (once to check it, once to run it), which is cheap next to parsing
//! its reports and writing them.
//!
//! What is kept is the upload as received after base64 decoding: the zlib
//! stream of the client's ZIP, not the ZIP or the extracted files. It is the
//! smallest form (CodeChecker's client stores the ZIP's entries
//! uncompressed, so the zlib stream is several times smaller than the ZIP,
//! and rows in the database cost more than files on a disk); it is written
//! straight from the request body through the streaming base64 decoder,
//! 1 MiB at a time, with no second copy on the accepting server's disk; and
//! the fetching worker runs it through the very checks an upload from the
//! wire gets (`unpack::unpack_decoded`: zlib, ZIP structure, paths, links,
//! sizes and the ratio budget), so the database is trusted no more than a
//! client and there is one unpacking path, not two. The price is inflating
//! the stream once more on the fetching server, which is cheap next to
//! parsing the reports.
//!
//! A SQLite configuration database serves a single server: nothing is kept
//! there, and the store runs from the local folder only.

use std::io::Read;
use std::path::{Path, PathBuf};

use configdb::{BackendKind, ConfigDb};

use super::unpack::{self, UnpackLimits};

/// Whether uploads accepted with `config` are kept in it for the cluster.
pub fn is_shared(config: &ConfigDb) -> bool {
    config.backend() == BackendKind::Postgres
}

/// What is kept of the upload `b64` (base64 text, as received): a reader
/// of its decoded bytes, which `ConfigDb::submit_task` writes to the
/// database in the transaction that creates the store's task.
pub fn kept_form(b64: &str) -> impl Read + '_ {
    unpack::decoded(b64)
}

/// Why a kept upload could not be brought to this server.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The configuration database failed.
    #[error("Cannot read the upload from the configuration database: {0}")]
    Database(#[from] configdb::Error),
    /// Nothing is kept for the task (it ended, or was never kept).
    #[error("The upload of this store is not in the configuration database any more.")]
    Missing,
    /// A folder for it cannot be made.
    #[error("Cannot create a folder for the upload: {0}")]
    Folder(std::io::Error),
    /// Unpacking it failed.
    #[error("Cannot unpack the upload fetched from the configuration database: {0}")]
    Unpack(#[from] unpack::UnpackError),
}

/// The prefix of the folders that hold fetched copies of task `token`'s
/// upload under `<workspace>/tasks/`.
pub fn fetched_prefix(token: &str) -> String {
    format!("fetched-{token}-")
}

/// Fetches the kept upload of task `token` for its `attempt`-th run and
/// unpacks it, with the checks of an upload from the wire, into
/// `<workspace>/tasks/fetched-<token>-<attempt>/`, which is returned (the
/// caller removes it when the task ends; task retention removes what a
/// killed worker left). On error nothing is left behind.
pub fn fetch(
    config: &ConfigDb,
    token: &str,
    attempt: i32,
    workspace: &Path,
    limits: &UnpackLimits,
) -> Result<PathBuf, FetchError> {
    let input = config.task_input(token)?.ok_or(FetchError::Missing)?;
    let len = input.len();
    let dir =
        super::submit::tasks_dir(workspace).join(format!("{}{attempt}", fetched_prefix(token)));
    // A folder of the same attempt is a leftover of a worker killed while
    // fetching it.
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(FetchError::Folder)?;
    let started = std::time::Instant::now();
    match unpack::unpack_decoded(input, len, &dir, limits) {
        Ok(unpacked) => {
            tracing::info!(
                %token,
                bytes = len,
                files = unpacked.files,
                seconds = started.elapsed().as_secs_f64(),
                "store upload fetched from the configuration database"
            );
            Ok(dir)
        }
        Err(err) => {
            let _ = std::fs::remove_dir_all(&dir);
            Err(err.into())
        }
    }
}
