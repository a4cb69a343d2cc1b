//! Periodic maintenance tasks: the retention of finished tasks and of runs,
//! and the scheduler that creates them.
//!
//! Both are ordinary tasks (they show in `getTasks`); worker processes take
//! turns creating them through `configdb`'s schedule table, so in a cluster
//! each turn is taken once and at most one of a kind (per product) is in
//! flight.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use configdb::{NewTask, Periodic};
use productdb::retention::{KeepLast, RetentionOutcome, RetentionPolicy};
use serde::{Deserialize, Serialize};

use super::{TaskContext, TaskError, TaskKind};
use crate::server_config::tasks::RunPolicy;
use crate::state::ServerState;

pub use crate::task_kinds::{RUN_RETENTION as RUN_KIND, TASK_RETENTION as TASK_KIND};

/// The comment actor of the retention tasks.
const ACTOR: &str = "SYSTEM[retention]";

/// Finished tasks deleted per transaction.
const TASK_BATCH: usize = 500;

/// Runs named one by one in a run retention task's comment, at most.
const NAMED_RUNS: usize = 50;

/// The parameters of a run retention task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunRetentionParams {
    /// The product whose policy is applied.
    product_id: i64,
}

/// Deletes finished tasks older than the configured ages, with their input
/// folders.
pub struct TaskRetentionTask {
    state: Arc<ServerState>,
}

impl TaskRetentionTask {
    /// The kind, running with `state`.
    pub fn new(state: Arc<ServerState>) -> Self {
        Self { state }
    }
}

/// Whether `path` lies inside `dir` (both made absolute).
fn is_inside(path: &Path, dir: &Path) -> bool {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let climbs = path
        .components()
        .any(|c| c == std::path::Component::ParentDir);
    !climbs && abs(path).starts_with(abs(dir))
}

/// Removes the copies of the inputs of `tasks` that this server fetched from
/// the configuration database and that a killed worker left under
/// `tasks_dir`; returns how many.
fn remove_fetched(tasks_dir: &Path, tasks: &[configdb::TaskRecord]) -> usize {
    let prefixes: Vec<String> = tasks
        .iter()
        .filter(|t| t.input_shared)
        .map(|t| crate::store::shared_input::fetched_prefix(&t.token))
        .collect();
    if prefixes.is_empty() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(tasks_dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if prefixes.iter().any(|p| name.starts_with(p.as_str()))
            && std::fs::remove_dir_all(entry.path()).is_ok()
        {
            removed += 1;
        }
    }
    removed
}

impl TaskKind for TaskRetentionTask {
    type Params = ();

    fn name(&self) -> &'static str {
        TASK_KIND
    }

    fn retry_safe(&self) -> bool {
        true
    }

    fn run(&self, _params: (), _input: Option<&Path>, ctx: &TaskContext) -> Result<(), TaskError> {
        let policy = self.state.server_config.background_tasks.task_retention;
        let db = &self.state.config;
        let now = db.now();
        let consumed_before = now - chrono::Duration::from_std(policy.consumed).unwrap_or_default();
        let unconsumed_before =
            now - chrono::Duration::from_std(policy.unconsumed).unwrap_or_default();
        let tasks_dir = crate::store::submit::tasks_dir(&self.state.workspace);
        let mut deleted = 0usize;
        let mut folders = 0usize;
        loop {
            if ctx.should_cancel() {
                return Err(TaskError::Stopped);
            }
            let batch = db
                .delete_finished_tasks(consumed_before, unconsumed_before, TASK_BATCH)
                .map_err(|e| TaskError::failed(format!("Cannot delete finished tasks: {e}")))?;
            deleted += batch.len();
            folders += remove_fetched(&tasks_dir, &batch);
            for task in &batch {
                let Some(input) = task.input_path.as_deref().map(PathBuf::from) else {
                    continue;
                };
                // Only this server's disk holds its tasks' folders, and only
                // folders under <workspace>/tasks/ are ever a task's.
                if task.machine_id != self.state.machine_id || !is_inside(&input, &tasks_dir) {
                    continue;
                }
                match std::fs::remove_dir_all(&input) {
                    Ok(()) => folders += 1,
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                    Err(err) => {
                        tracing::warn!(token = %task.token, %err, path = %input.display(), "cannot remove a task's folder")
                    }
                }
            }
            ctx.heartbeat();
            if batch.len() < TASK_BATCH {
                break;
            }
        }
        // Inputs kept in the database go when their task ends, or with it;
        // these are what a crash between the two left.
        match db.delete_finished_task_inputs() {
            Ok(0) => {}
            Ok(rows) => tracing::info!(rows, "deleted stored inputs of finished tasks"),
            Err(err) => tracing::warn!(%err, "cannot delete stored inputs of finished tasks"),
        }
        let days = |d: Duration| d.as_secs() / 86_400;
        ctx.add_comment(
            Some(ACTOR),
            &format!(
                "Deleted {deleted} finished task(s) ({folders} data folder(s)): consumed ones \
                 that ended more than {} days ago, others more than {} days ago.",
                days(policy.consumed),
                days(policy.unconsumed)
            ),
        );
        tracing::info!(deleted, folders, "task retention done");
        Ok(())
    }
}

/// Applies a product's run retention policy.
pub struct RunRetentionTask {
    state: Arc<ServerState>,
}

impl RunRetentionTask {
    /// The kind, running with `state`.
    pub fn new(state: Arc<ServerState>) -> Self {
        Self { state }
    }
}

/// The productdb policy of a configured one.
fn policy_of(
    config: &RunPolicy,
    lifetimes: Vec<(String, i64)>,
) -> Result<RetentionPolicy, TaskError> {
    let keep_last = match &config.keep_last {
        None => None,
        Some((pattern, count)) => {
            let re = regex::Regex::new(pattern)
                .map_err(|e| TaskError::failed(format!("Bad run name pattern: {e}")))?;
            Some(KeepLast {
                matches: Box::new(move |name: &str| re.is_match(name)),
                count: *count,
                description: format!("'{pattern}'"),
            })
        }
    };
    let lifetimes: HashMap<String, Duration> = if config.honour_keep_for {
        lifetimes
            .into_iter()
            .map(|(name, days)| {
                let days = u64::try_from(days).unwrap_or(0);
                (name, Duration::from_secs(days.saturating_mul(86_400)))
            })
            .collect()
    } else {
        HashMap::new()
    };
    Ok(RetentionPolicy {
        keep_last,
        max_age: config.max_age,
        lifetimes,
    })
}

impl TaskKind for RunRetentionTask {
    type Params = RunRetentionParams;

    fn name(&self) -> &'static str {
        RUN_KIND
    }

    fn retry_safe(&self) -> bool {
        true
    }

    fn run(
        &self,
        params: RunRetentionParams,
        _input: Option<&Path>,
        ctx: &TaskContext,
    ) -> Result<(), TaskError> {
        let config = &self.state.config;
        let product = config
            .get_product(params.product_id)
            .map_err(|e| TaskError::failed(format!("Cannot read the product: {e}")))?
            .ok_or_else(|| TaskError::failed("The product no longer exists."))?;
        let settings = &self.state.server_config.background_tasks.run_retention;
        let Some(configured) = settings.products.get(&product.endpoint) else {
            ctx.add_comment(
                Some(ACTOR),
                "The product has no run retention policy any more; nothing to do.",
            );
            return Ok(());
        };
        let lifetimes = config
            .run_lifetimes(product.id)
            .map_err(|e| TaskError::failed(format!("Cannot read run lifetimes: {e}")))?;
        let policy = policy_of(configured, lifetimes)?;
        let db = self.state.products.open(&product).map_err(|e| {
            TaskError::failed(format!(
                "Database for product '{}' is in a bad shape! {e}",
                product.endpoint
            ))
        })?;
        let condemned = db
            .retention_candidates(&policy, config.now())
            .map_err(|e| TaskError::failed(format!("Cannot list the runs: {e}")))?;
        let listing = |runs: &[&productdb::retention::Condemned]| {
            let mut text: Vec<String> = runs
                .iter()
                .take(NAMED_RUNS)
                .map(|r| format!("  {} ({})", r.name, r.reason))
                .collect();
            if runs.len() > NAMED_RUNS {
                text.push(format!("  ... and {} more", runs.len() - NAMED_RUNS));
            }
            text.join("\n")
        };
        if configured.dry_run {
            let all: Vec<&productdb::retention::Condemned> = condemned.iter().collect();
            let text = if all.is_empty() {
                "DRY RUN: the policy removes no run now.".to_owned()
            } else {
                format!(
                    "DRY RUN: the policy would remove {} run(s); nothing was removed (set \
                     'dry_run' to false in the product's run retention policy to apply it):\n{}",
                    all.len(),
                    listing(&all)
                )
            };
            ctx.add_comment(Some(ACTOR), &text);
            return Ok(());
        }
        let total = condemned.len().min(settings.batch_size);
        let mut removed = Vec::new();
        let mut spared = 0usize;
        for (i, run) in condemned.iter().take(total).enumerate() {
            if ctx.should_cancel() {
                break;
            }
            let started = Instant::now();
            match db.remove_condemned(run, "run retention") {
                Ok(RetentionOutcome::Removed) => {
                    if let Err(err) = config.set_run_lifetime(product.id, &run.name, None) {
                        tracing::warn!(%err, run = %run.name, "cannot forget a run's lifetime");
                    }
                    removed.push(run);
                }
                Ok(RetentionOutcome::Gone) => {}
                Ok(RetentionOutcome::Locked | RetentionOutcome::Changed) => spared += 1,
                Err(err) => {
                    return Err(TaskError::failed(format!(
                        "Cannot remove run '{}': {err}",
                        run.name
                    )))
                }
            }
            ctx.set_progress(i32::try_from((i + 1) * 100 / total.max(1)).unwrap_or(100));
            ctx.heartbeat();
            // Leave the database to others for as long as the removal took.
            std::thread::sleep(started.elapsed().min(Duration::from_millis(50)));
        }
        if !removed.is_empty() {
            match db.run_count(&productdb::RunFilter::default()) {
                Ok(count) => {
                    let latest = config
                        .get_product(product.id)
                        .ok()
                        .flatten()
                        .and_then(|p| p.latest_store_at);
                    if let Err(err) = config.update_product_stats(product.id, count, latest) {
                        tracing::warn!(%err, "cannot update the product's run count");
                    }
                }
                Err(err) => tracing::warn!(%err, "cannot count the product's runs"),
            }
        }
        let mut text = format!("Removed {} run(s)", removed.len());
        if !removed.is_empty() {
            text.push_str(&format!(":\n{}", listing(&removed)));
        }
        if spared > 0 {
            text.push_str(&format!(
                "\nLeft {spared} run(s) alone: stored into since they were judged."
            ));
        }
        if condemned.len() > total {
            text.push_str(&format!(
                "\n{} more run(s) are left for the next turn.",
                condemned.len() - total
            ));
        }
        ctx.add_comment(Some(ACTOR), &text);
        tracing::info!(product = %product.endpoint, removed = removed.len(), spared, "run retention done");
        if ctx.should_cancel() {
            return Err(TaskError::Stopped);
        }
        Ok(())
    }
}

/// Creates the periodic tasks when their turn comes (called by workers).
pub struct Scheduler {
    state: Arc<ServerState>,
    last: std::sync::Mutex<Option<Instant>>,
}

/// How often a worker looks at the schedule.
const TICK: Duration = Duration::from_secs(2);

impl Scheduler {
    /// The scheduler of this server.
    pub fn new(state: Arc<ServerState>) -> Self {
        Self {
            state,
            last: std::sync::Mutex::new(None),
        }
    }

    /// The periodic tasks as configured now.
    fn plan(&self) -> Vec<Periodic> {
        let control = &self.state.server_config.background_tasks;
        let machine = self.state.machine_id.clone();
        let mut task = NewTask::new(
            TASK_KIND,
            "Retention of finished background tasks",
            machine.clone(),
        );
        task.retry_safe = true;
        let mut out = vec![Periodic {
            name: "task_retention".to_owned(),
            interval: control.task_retention.interval,
            task,
        }];
        if control.run_retention.products.is_empty() {
            return out;
        }
        let products = match self.state.config.list_products() {
            Ok(p) => p,
            Err(err) => {
                tracing::warn!(%err, "cannot list products for run retention");
                return out;
            }
        };
        for product in products {
            let Some(policy) = control.run_retention.products.get(&product.endpoint) else {
                continue;
            };
            let mode = if policy.dry_run { " (dry run)" } else { "" };
            let mut task = NewTask::new(
                RUN_KIND,
                format!("Run retention of '{}'{mode}", product.endpoint),
                machine.clone(),
            );
            task.product_id = Some(product.id);
            task.retry_safe = true;
            task.payload = super::payload::<RunRetentionTask>(&RunRetentionParams {
                product_id: product.id,
            });
            out.push(Periodic {
                name: format!("run_retention:{}", product.id),
                interval: control.run_retention.interval,
                task,
            });
        }
        out
    }

    /// Creates what is due; cheap when called often.
    pub fn tick(&self) {
        {
            let mut last = match self.last.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            if last.is_some_and(|t| t.elapsed() < TICK) {
                return;
            }
            *last = Some(Instant::now());
        }
        for periodic in self.plan() {
            match self.state.config.schedule_periodic(&periodic) {
                Ok(Some(token)) => {
                    tracing::info!(%token, name = %periodic.name, "periodic task enqueued")
                }
                Ok(None) => {}
                Err(err) => tracing::warn!(%err, name = %periodic.name, "cannot schedule"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_folders_under_the_tasks_dir_count() {
        let dir = Path::new("/ws/tasks");
        assert!(is_inside(Path::new("/ws/tasks/store-1"), dir));
        assert!(!is_inside(Path::new("/ws/other"), dir));
        assert!(!is_inside(Path::new("/ws/tasks/../x"), dir));
        assert!(!is_inside(Path::new("/ws/tasks"), Path::new("/ws/tasks/x")));
    }
}
