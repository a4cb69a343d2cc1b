//! The foreground part of a store, in the API process: check the request,
//! unpack the upload into a folder of its own under `<workspace>/tasks/`
//! (on a PostgreSQL configuration database only to check it: the upload is
//! kept in the database for whichever server of the cluster runs it, see
//! `super::shared_input`), and enqueue the store task that the worker
//! processes run.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use configdb::{ConfigDb, NewTask, TaskRecord, TaskStatus};
use productdb::{ProductDb, RunFilter};

use super::params::StoreParams;
use super::unpack::{self, UnpackLimits};

/// Why a store was not taken, or did not end well, in terms the API layer
/// answers with (`RequestFailed` of kind `GENERAL`, `IOERROR` or `DATABASE`).
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// Refused as sent (no run name, a limit reached, a bad upload), or the
    /// blocking store's task did not complete.
    #[error("{0}")]
    Refused(String),
    /// The server could not keep the upload (a folder, a size limit).
    #[error("{0}")]
    Io(String),
    /// A database the store needs failed.
    #[error("Database error: {0}")]
    Database(String),
}

impl SubmitError {
    fn refused(message: impl Into<String>) -> Self {
        SubmitError::Refused(message.into())
    }

    fn database(err: impl std::fmt::Display) -> Self {
        SubmitError::Database(err.to_string())
    }
}

/// How the foreground part behaves.
#[derive(Debug, Clone, Copy)]
pub struct SubmitSettings {
    /// Limits of the unpacked upload.
    pub limits: UnpackLimits,
    /// How long `massStoreRunAsynchronous` may hold its reply while the store
    /// runs, so that small stores are done before the client first asks.
    pub hold: Duration,
    /// Whether this server runs worker processes at all (without, it takes
    /// stores only when other servers' workers can run them: on a
    /// PostgreSQL configuration database).
    pub has_workers: bool,
    /// `background_tasks.max_enqueued_per_product`: stores that may wait
    /// per product; one more is refused.
    pub max_enqueued: Option<u64>,
}

/// The kinds of store task (counted together by the queue bound).
fn store_kinds() -> Vec<String> {
    crate::server_config::tasks::kinds_of("store")
}

/// The refusal of a store beyond the queue bound.
fn queue_full(run: &str, endpoint: &str, waiting: u64, limit: u64) -> SubmitError {
    tracing::warn!(
        run,
        product = endpoint,
        waiting,
        limit,
        "store refused: queue bound reached"
    );
    SubmitError::refused(format!(
        "Rejected storage of run '{run}': product '{endpoint}' already has {waiting} store(s) \
         waiting to run, the most that 'background_tasks.max_enqueued_per_product' ({limit}) \
         in the server's server_config.json allows. Try again when some of them have run."
    ))
}

/// Where uploads are unpacked: `<workspace>/tasks/`.
pub fn tasks_dir(workspace: &Path) -> PathBuf {
    workspace.join("tasks")
}

/// Checks the run-count limit of the product: a new run may not exceed it.
pub fn check_run_limit(
    db: &ProductDb,
    run_limit: Option<i64>,
    run_name: &str,
) -> Result<(), SubmitError> {
    let Some(limit) = run_limit.filter(|l| *l > 0) else {
        return Ok(());
    };
    let exists = db
        .run_count(&RunFilter {
            names: Some(vec![run_name.to_owned()]),
            exact_match: true,
            ..RunFilter::default()
        })
        .map_err(SubmitError::database)?
        > 0;
    let count = db
        .run_count(&RunFilter::default())
        .map_err(SubmitError::database)?;
    if !exists && count >= limit {
        return Err(SubmitError::refused(format!(
            "You reached the maximum number of allowed runs ({count}/{limit})! Please remove at \
             least {} run(s) before you try again!",
            count - limit + 1
        )));
    }
    Ok(())
}

/// A fresh folder for one upload.
fn new_input_dir(workspace: &Path) -> std::io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // The prefix names this process, so that the supervisor can sweep what
    // it leaves if it dies mid-upload (`store::janitor`).
    let name = format!(
        "{}{nanos}-{}",
        super::janitor::upload_prefix(std::process::id()),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let dir = tasks_dir(workspace).join(name);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Unpacks `upload` and enqueues the store task; returns its token.
pub fn enqueue(
    config: &ConfigDb,
    workspace: &Path,
    machine_id: &str,
    settings: &SubmitSettings,
    product: &configdb::Product,
    mut params: StoreParams,
    upload: &str,
) -> Result<String, SubmitError> {
    if params.run_name.is_empty() {
        return Err(SubmitError::refused(
            "A run name is needed to know where to store!",
        ));
    }
    let shared = super::shared_input::is_shared(config);
    if !settings.has_workers && !shared {
        return Err(SubmitError::refused("No task worker process is available!"));
    }
    if let Some(limit) = settings.max_enqueued {
        // A cheap early answer; the authoritative count is made when the
        // task is created.
        let waiting = config
            .waiting_tasks(product.id, &store_kinds())
            .map_err(SubmitError::database)?;
        if waiting >= limit {
            return Err(queue_full(
                &params.run_name,
                &product.endpoint,
                waiting,
                limit,
            ));
        }
    }
    let dir = new_input_dir(workspace).map_err(|e| {
        SubmitError::Io(format!(
            "The server cannot create a folder for the upload: {e}"
        ))
    })?;
    let started = std::time::Instant::now();
    let unpacked = match unpack::unpack(upload, &dir, &settings.limits) {
        Ok(u) => u,
        Err(err) => {
            let _ = std::fs::remove_dir_all(&dir);
            tracing::warn!(run = %params.run_name, %err, "store upload refused");
            let message = format!("Rejected storage of run '{}': {err}", params.run_name);
            return Err(
                if err.is_size_limit() || matches!(err, unpack::UnpackError::DiskFull(_)) {
                    SubmitError::Io(message)
                } else {
                    SubmitError::Refused(message)
                },
            );
        }
    };
    tracing::info!(
        run = %params.run_name,
        zip_bytes = unpacked.zip_bytes,
        files = unpacked.files,
        bytes = unpacked.extracted_bytes,
        seconds = started.elapsed().as_secs_f64(),
        "store upload unpacked"
    );
    params.upload_bytes = (upload.len() as u64 / 4) * 3;
    params.prepare_secs = started.elapsed().as_secs_f64();
    params.product_id = product.id;
    let mut task = NewTask::new(params.kind(), params.summary(&product.endpoint), machine_id);
    task.product_id = Some(product.id);
    task.actor = Some(params.user.clone());
    task.retry_safe = true;
    task.input_path = (!shared).then(|| dir.display().to_string());
    // The store task kind reads these back (`tasks::store::StoreTask::Params`).
    task.payload = serde_json::to_string(&params).ok();
    let bound = settings.max_enqueued.map(|limit| configdb::QueueBound {
        kinds: store_kinds(),
        max_waiting: limit,
    });
    let legacy = params.legacy.then(|| {
        configdb::Comment::new(
            Some("SYSTEM"),
            "WARNING!\nExecuting a legacy 'massStoreRun()' API call!",
        )
    });
    // Kept in the database, the upload is run from there by whichever
    // server's worker claims it; the folder only served to check it.
    let mut kept = shared.then(|| super::shared_input::kept_form(upload));
    let kept_started = std::time::Instant::now();
    let submitted = config.submit_task(configdb::Submission {
        task: &task,
        bound: bound.as_ref(),
        comment: legacy,
        input: kept.as_mut().map(|r| r as &mut dyn Read),
    });
    if shared || submitted.is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    match submitted {
        Ok(configdb::Submitted { token, input_bytes }) => {
            if shared {
                tracing::info!(
                    %token,
                    bytes = input_bytes,
                    seconds = kept_started.elapsed().as_secs_f64(),
                    "store upload kept in the configuration database"
                );
            }
            tracing::info!(%token, run = %params.run_name, "store task enqueued");
            Ok(token)
        }
        Err(configdb::Error::QueueFull { waiting, limit, .. }) => Err(queue_full(
            &params.run_name,
            &product.endpoint,
            waiting,
            limit,
        )),
        Err(err) if shared => Err(SubmitError::Database(format!(
            "The upload could not be kept in the configuration database for the servers of \
             the cluster: {err}"
        ))),
        Err(err) => Err(SubmitError::database(err)),
    }
}

/// Waits until the task ends; `None` after `timeout`.
pub fn wait(
    notifier: &configdb::Notifier,
    token: &str,
    timeout: Duration,
) -> Result<Option<TaskRecord>, SubmitError> {
    let task = notifier
        .wait_terminal(token, timeout)
        .map_err(SubmitError::database)?;
    Ok(task.status.is_terminal().then_some(task))
}

/// The blocking store's answer once its task ended.
pub fn legacy_result(task: &TaskRecord) -> Result<i64, SubmitError> {
    let comments = task.comments.clone().unwrap_or_default();
    match task.status {
        TaskStatus::Completed => Ok(-1),
        TaskStatus::Cancelled => Err(SubmitError::refused(
            "Server administrators cancelled the processing of the massStoreRun() request!",
        )),
        TaskStatus::Dropped => Err(SubmitError::refused(format!(
            "massStoreRun()'s processing was stopped by a server shutdown before it finished; \
             nothing was stored. Here follow the details:\n\n{comments}"
        ))),
        _ => Err(SubmitError::refused(format!(
            "massStoreRun()'s processing failed. Here follow the details:\n\n{comments}"
        ))),
    }
}
