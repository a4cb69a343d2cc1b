//! The `background_tasks` object of `server_config.json` (this server's own
//! keys; CodeChecker has none for these): per-kind concurrency limits, the
//! per-product bound of waiting stores, per-kind deadlines, and the retention
//! of finished tasks and of runs.
//!
//! ```json
//! "background_tasks": {
//!   "max_running": { "store": 2 },
//!   "max_enqueued_per_product": 20,
//!   "deadlines": { "store": 3600 },
//!   "deadline_grace": 30,
//!   "task_retention": { "consumed_days": 30, "unconsumed_days": 90, "interval": 3600 },
//!   "run_retention": {
//!     "interval": 3600,
//!     "products": {
//!       "Default": { "dry_run": false, "max_age_days": 90, "keep_last": { "pattern": "^nightly-", "count": 10 } }
//!     }
//!   }
//! }
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use super::Node;

pub use crate::task_kinds::{class_of, kinds_of, KIND_CLASSES};

/// The `background_tasks` object.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskControl {
    /// `max_running`: tasks of a class one server runs at once.
    pub max_running: BTreeMap<String, u32>,
    /// `max_enqueued_per_product`: stores that may wait per product.
    pub max_enqueued_per_product: Option<u64>,
    /// `deadlines`: run-time limit per class.
    pub deadlines: BTreeMap<String, Duration>,
    /// `deadline_grace`: how long a task over its deadline has to stop
    /// before its worker process is replaced.
    pub deadline_grace: Duration,
    /// `task_retention`.
    pub task_retention: TaskRetention,
    /// `run_retention`.
    pub run_retention: RunRetention,
}

impl Default for TaskControl {
    fn default() -> Self {
        Self {
            max_running: BTreeMap::new(),
            max_enqueued_per_product: None,
            deadlines: BTreeMap::new(),
            deadline_grace: Duration::from_secs(30),
            task_retention: TaskRetention::default(),
            run_retention: RunRetention::default(),
        }
    }
}

impl TaskControl {
    /// The deadline of tasks of `kind`, if any.
    pub fn deadline_of(&self, kind: &str) -> Option<Duration> {
        class_of(kind).and_then(|c| self.deadlines.get(c).copied())
    }
}

/// `task_retention`: finished tasks are deleted after these ages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskRetention {
    /// `consumed_days`: age of a finished task whose status was seen.
    pub consumed: Duration,
    /// `unconsumed_days`: age of a finished task whose status nobody saw.
    pub unconsumed: Duration,
    /// `interval` (seconds): how often the retention task runs.
    pub interval: Duration,
}

const DAY: u64 = 86_400;

impl Default for TaskRetention {
    fn default() -> Self {
        Self {
            consumed: Duration::from_secs(30 * DAY),
            unconsumed: Duration::from_secs(90 * DAY),
            interval: Duration::from_secs(3600),
        }
    }
}

/// `run_retention`: policies per product endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRetention {
    /// `interval` (seconds): how often each product's policy is applied.
    pub interval: Duration,
    /// `batch_size`: runs removed per turn, at most.
    pub batch_size: usize,
    /// `products`: policy per product endpoint.
    pub products: BTreeMap<String, RunPolicy>,
}

impl Default for RunRetention {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(3600),
            batch_size: 100,
            products: BTreeMap::new(),
        }
    }
}

/// One product's run retention policy.
#[derive(Debug, Clone, PartialEq)]
pub struct RunPolicy {
    /// `dry_run` (default true): list what would go, remove nothing.
    pub dry_run: bool,
    /// `keep_last`: `pattern` (a regular expression searched in the run name)
    /// and `count`.
    pub keep_last: Option<(String, usize)>,
    /// `max_age_days`.
    pub max_age: Option<Duration>,
    /// `honour_keep_for` (default true): lifetimes given by `store --keep-for`.
    pub honour_keep_for: bool,
}

fn class_map<T>(
    node: &Node<'_>,
    read: impl Fn(&Node<'_>) -> Result<T, (String, String)>,
) -> Result<BTreeMap<String, T>, (String, String)> {
    let mut out = BTreeMap::new();
    for (class, _) in node.entries()? {
        let child = node.child(class)?;
        if class_of_key(class).is_none() {
            let known: Vec<&str> = KIND_CLASSES.iter().map(|(n, _)| *n).collect();
            return Err(child.problem(&format!(
                "is not a task kind; use one of: {}",
                known.join(", ")
            )));
        }
        out.insert(class.clone(), read(&child)?);
    }
    Ok(out)
}

fn class_of_key(key: &str) -> Option<&'static str> {
    KIND_CLASSES
        .iter()
        .find(|(name, _)| *name == key)
        .map(|(n, _)| *n)
}

impl TaskControl {
    pub(super) fn from_node(node: &Node<'_>) -> Result<Self, (String, String)> {
        let d = TaskControl::default();
        let max_running = class_map(&node.child("max_running")?, |n| {
            let v = n.count_opt()?.unwrap_or(0);
            u32::try_from(v).map_err(|_| n.problem("is too large"))
        })?;
        let deadlines = class_map(&node.child("deadlines")?, |n| match n.count_opt()? {
            Some(s) if s > 0 => Ok(Duration::from_secs(s)),
            _ => Err(n.problem("must be a number of seconds of at least 1")),
        })?;
        let bound = node.child("max_enqueued_per_product")?;
        let max_enqueued_per_product = bound.count_opt()?;
        if max_enqueued_per_product == Some(0) {
            return Err(bound.problem("must be at least 1 (or null for no bound)"));
        }
        Ok(Self {
            max_running,
            max_enqueued_per_product,
            deadlines,
            deadline_grace: node.child("deadline_grace")?.seconds_or(d.deadline_grace)?,
            task_retention: TaskRetention::from_node(&node.child("task_retention")?)?,
            run_retention: RunRetention::from_node(&node.child("run_retention")?)?,
        })
    }
}

fn days_or(node: &Node<'_>, default: Duration) -> Result<Duration, (String, String)> {
    match node.count_opt()? {
        None => Ok(default),
        Some(0) => Err(node.problem("must be at least 1 (days)")),
        Some(days) => Ok(Duration::from_secs(days.saturating_mul(DAY))),
    }
}

fn interval_or(node: &Node<'_>, default: Duration) -> Result<Duration, (String, String)> {
    match node.count_opt()? {
        None => Ok(default),
        Some(0) => Err(node.problem("must be at least 1 (seconds)")),
        Some(s) => Ok(Duration::from_secs(s)),
    }
}

impl TaskRetention {
    fn from_node(node: &Node<'_>) -> Result<Self, (String, String)> {
        let d = TaskRetention::default();
        let consumed = days_or(&node.child("consumed_days")?, d.consumed)?;
        let unconsumed_node = node.child("unconsumed_days")?;
        let unconsumed = days_or(&unconsumed_node, d.unconsumed.max(consumed))?;
        if unconsumed < consumed {
            return Err(unconsumed_node.problem("must not be less than 'consumed_days'"));
        }
        Ok(Self {
            consumed,
            unconsumed,
            interval: interval_or(&node.child("interval")?, d.interval)?,
        })
    }
}

impl RunRetention {
    fn from_node(node: &Node<'_>) -> Result<Self, (String, String)> {
        let d = RunRetention::default();
        let batch = node.child("batch_size")?;
        let batch_size = match batch.count_opt()? {
            None => d.batch_size,
            Some(0) => return Err(batch.problem("must be at least 1")),
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        };
        let products_node = node.child("products")?;
        let mut products = BTreeMap::new();
        for (endpoint, _) in products_node.entries()? {
            let p = products_node.child(endpoint)?;
            let keep_last_node = p.child("keep_last")?;
            let keep_last = match keep_last_node.object()? {
                None => None,
                Some(_) => {
                    let pattern_node = keep_last_node.child("pattern")?;
                    let pattern = pattern_node.string_opt()?.unwrap_or_else(|| ".*".into());
                    regex::Regex::new(&pattern).map_err(|e| {
                        pattern_node.problem(&format!("is not a valid regular expression: {e}"))
                    })?;
                    let count_node = keep_last_node.child("count")?;
                    let count = count_node
                        .count_opt()?
                        .ok_or_else(|| count_node.problem("is needed: how many runs to keep"))?;
                    Some((pattern, usize::try_from(count).unwrap_or(usize::MAX)))
                }
            };
            let age = p.child("max_age_days")?;
            let max_age = match age.count_opt()? {
                None => None,
                Some(_) => Some(days_or(&age, Duration::ZERO)?),
            };
            products.insert(
                endpoint.clone(),
                RunPolicy {
                    dry_run: p.child("dry_run")?.bool_or(true)?,
                    keep_last,
                    max_age,
                    honour_keep_for: p.child("honour_keep_for")?.bool_or(true)?,
                },
            );
        }
        Ok(Self {
            interval: interval_or(&node.child("interval")?, d.interval)?,
            batch_size,
            products,
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(v: serde_json::Value) -> Result<TaskControl, (String, String)> {
        let root = Node::root(&v)?;
        TaskControl::from_node(&root.child("background_tasks")?)
    }

    #[test]
    fn absent_means_defaults() {
        assert_eq!(parse(json!({})).unwrap(), TaskControl::default());
    }

    #[test]
    fn keys_are_read() {
        let c = parse(json!({"background_tasks": {
            "max_running": {"store": 1, "dummy": 0},
            "max_enqueued_per_product": 4,
            "deadlines": {"dummy": 2},
            "deadline_grace": 3,
            "task_retention": {"consumed_days": 1, "unconsumed_days": 2, "interval": 5},
            "run_retention": {"interval": 7, "batch_size": 3, "products": {
                "Default": {"max_age_days": 10, "keep_last": {"pattern": "^n", "count": 2}}
            }}
        }}))
        .unwrap();
        assert_eq!(c.max_running["store"], 1);
        assert_eq!(c.max_running["dummy"], 0);
        assert_eq!(c.max_enqueued_per_product, Some(4));
        assert_eq!(
            c.deadline_of(crate::task_kinds::DUMMY),
            Some(Duration::from_secs(2))
        );
        assert_eq!(c.deadline_of(crate::task_kinds::STORE_ASYNC), None);
        assert_eq!(c.deadline_grace, Duration::from_secs(3));
        assert_eq!(c.task_retention.consumed, Duration::from_secs(DAY));
        assert_eq!(c.task_retention.interval, Duration::from_secs(5));
        let p = &c.run_retention.products["Default"];
        assert!(p.dry_run, "dry run unless turned off");
        assert!(p.honour_keep_for);
        assert_eq!(p.keep_last, Some(("^n".to_owned(), 2)));
        assert_eq!(p.max_age, Some(Duration::from_secs(10 * DAY)));
    }

    #[test]
    fn errors_name_the_key() {
        let e = parse(json!({"background_tasks": {"max_running": {"stores": 1}}})).unwrap_err();
        assert_eq!(e.0, "background_tasks.max_running.stores");
        assert!(e.1.contains("store, dummy"), "{}", e.1);
        let e = parse(json!({"background_tasks": {"max_enqueued_per_product": 0}})).unwrap_err();
        assert_eq!(e.0, "background_tasks.max_enqueued_per_product");
        let e = parse(json!({"background_tasks": {"run_retention": {"products": {
            "Default": {"keep_last": {"pattern": "("}}}}}}))
        .unwrap_err();
        assert_eq!(
            e.0,
            "background_tasks.run_retention.products.Default.keep_last.pattern"
        );
        let e = parse(json!({"background_tasks": {"task_retention": {
            "consumed_days": 10, "unconsumed_days": 5}}}))
        .unwrap_err();
        assert_eq!(e.0, "background_tasks.task_retention.unconsumed_days");
    }
}
