//! The store task: writes an unpacked `massStoreRun[Asynchronous]` upload
//! into its product's database (see `crate::store`). All-or-nothing, so a
//! store whose worker died is simply run again.

use std::path::Path;
use std::sync::Arc;

use super::{TaskContext, TaskError, TaskKind};
use crate::state::ServerState;
use crate::store::{Control, Ingest, StoreError, StoreParams};

/// A store task kind (CodeChecker has two names for the same work).
pub struct StoreTask {
    name: &'static str,
    state: Arc<ServerState>,
}

impl StoreTask {
    /// The kind called `name`, running with `state`.
    pub fn new(name: &'static str, state: Arc<ServerState>) -> Self {
        Self { name, state }
    }
}

/// The file our client adds to an upload for `store --keep-for DAYS`.
pub const STORE_OPTIONS: &str = "store_options.json";

/// The run lifetime the upload asks for, from its `store_options.json`
/// (`{"keep_for_days": N}`, N ≥ 1); `None` without the file.
fn keep_for_days(input: &Path) -> Result<Option<u32>, TaskError> {
    #[derive(serde::Deserialize)]
    struct StoreOptions {
        keep_for_days: Option<u32>,
    }
    let text = match std::fs::read_to_string(input.join(STORE_OPTIONS)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(TaskError::failed(format!(
                "Cannot read {STORE_OPTIONS}: {e}"
            )))
        }
    };
    let options: StoreOptions = serde_json::from_str(&text).map_err(|e| {
        TaskError::failed(format!(
            "{STORE_OPTIONS} of the upload is not {{\"keep_for_days\": N}}: {e}"
        ))
    })?;
    match options.keep_for_days {
        Some(0) => Err(TaskError::failed(format!(
            "{STORE_OPTIONS}: keep_for_days must be at least 1"
        ))),
        days => Ok(days),
    }
}

/// Lets the store talk to its task.
struct TaskControl<'a>(&'a TaskContext);

impl Control for TaskControl<'_> {
    fn should_cancel(&self) -> bool {
        self.0.should_cancel()
    }

    fn heartbeat(&self) {
        self.0.heartbeat();
    }

    fn renew_claim(&self) {
        self.0.beat();
    }

    fn progress(&self, percent: i32) {
        self.0.set_progress(percent);
    }
}

/// A store's error as the task's comment: one that met a full disk says so
/// in words (SQLite says "database or disk is full", PostgreSQL "No space
/// left on device") and what it means for the run.
fn explain(message: String) -> String {
    let full = [
        "database or disk is full",
        "No space left on device",
        "disk full",
    ];
    // PostgreSQL ending a session (a restart, an administrator) or the
    // network losing it, as libpq words it.
    let lost = [
        "terminating connection",
        "server closed the connection",
        "no connection to the server",
        "could not receive data from server",
        "Connection refused",
    ];
    if full.iter().any(|f| message.contains(f)) {
        format!(
            "{message}\nThe server's disk is full: the store was rolled back and the run is as \
             it was. Ask the server's administrator to free space, then store again."
        )
    } else if lost.iter().any(|f| message.contains(f)) {
        format!(
            "{message}\nThe connection to the database was lost (was it restarted?): the store \
             was rolled back and the run is as it was. Store again; the server reconnects by \
             itself."
        )
    } else {
        message
    }
}

/// The store key of every attempt of the store task `task_token` (its run
/// lock's token and its receipt): a digest, so the product database does
/// not hold the task's token (which names the task in the `Tasks` API).
fn store_key(task_token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(format!("store-task:{task_token}")))
}

impl TaskKind for StoreTask {
    type Params = StoreParams;

    fn name(&self) -> &'static str {
        self.name
    }

    fn retry_safe(&self) -> bool {
        true
    }

    fn run(
        &self,
        params: StoreParams,
        input: Option<&Path>,
        ctx: &TaskContext,
    ) -> Result<(), TaskError> {
        let input = input.filter(|p| p.is_dir());
        let keep_for = input.map(keep_for_days).transpose()?.flatten();
        let product = self
            .state
            .config
            .get_product(params.product_id)
            .map_err(|e| TaskError::failed(format!("Cannot read the product: {e}")))?
            .ok_or_else(|| {
                TaskError::failed("The product was removed before its store could run.")
            })?;
        let db = self.state.products.open(&product).map_err(|e| {
            TaskError::failed(format!(
                "Database for product '{}' is in a bad shape! {e}",
                product.endpoint
            ))
        })?;
        let key = store_key(ctx.token());
        let started = std::time::Instant::now();
        // An attempt re-run after its worker died between the commit and
        // recording the task's end finds the receipt (its input may be gone
        // by then); otherwise the store itself checks again, under the lock.
        let receipt = db
            .store_receipt(&key)
            .map_err(|e| TaskError::failed(explain(StoreError::from(e).to_string())))?;
        let outcome = match receipt {
            Some(outcome) => outcome,
            None => {
                let input = input.ok_or_else(|| {
                    TaskError::failed("The store task's uploaded data is missing.")
                })?;
                let ingest = Ingest {
                    input,
                    params: &params,
                    report_limit: u64::try_from(product.report_limit).ok().filter(|l| *l > 0),
                    labels: &self.state.labels,
                    lock_wait: self.state.store.lock_wait,
                    store_key: Some(key),
                };
                match ingest.run(&db, &TaskControl(ctx)) {
                    Ok(outcome) => outcome,
                    Err(StoreError::Cancelled) => return Err(TaskError::Stopped),
                    Err(err) => return Err(TaskError::failed(explain(err.to_string()))),
                }
            }
        };
        if outcome.from_receipt {
            tracing::warn!(
                run = %params.run_name,
                run_id = outcome.run_id,
                "an earlier attempt of this store committed (its worker died before the task's \
                 end was recorded): it is not stored again"
            );
        }
        tracing::info!(
            "User '{}' stored results to product '{}', run '{}' in {:.2} seconds \
             (run id: {}, report count: {}, upload: {:.2} KiB).",
            params.user,
            product.endpoint,
            params.run_name,
            params.prepare_secs + started.elapsed().as_secs_f64(),
            outcome.run_id,
            outcome.reports_stored,
            params.upload_bytes as f64 / 1024.0
        );
        if let Err(err) = self
            .state
            .config
            .set_run_lifetime(product.id, &params.run_name, keep_for)
        {
            tracing::warn!(%err, run = %params.run_name, "cannot record the run's lifetime");
        }
        if !outcome.from_receipt {
            crate::metrics::store_stats::record(
                &self.state.workspace,
                outcome.reports_stored,
                started.elapsed().as_secs_f64(),
            );
        }
        let runs = db.run_count(&productdb::RunFilter::default());
        match runs {
            Ok(count) => {
                if let Err(err) = self.state.config.update_product_stats(
                    product.id,
                    count,
                    Some(outcome.stored_at),
                ) {
                    tracing::warn!(%err, "cannot update the product's run count");
                }
            }
            Err(err) => tracing::warn!(%err, "cannot count the product's runs"),
        }
        Ok(())
    }
}
