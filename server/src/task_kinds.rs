//! The names of the kinds of background task this server runs, as stored in
//! the task queue and shown to users, and the classes `server_config.json`'s
//! `background_tasks` keys group them in. At the bottom of the server's
//! layers: configuration, the store and the task engine all name kinds.

/// The asynchronous store (6.25+ clients).
pub const STORE_ASYNC: &str = "report_server::massStoreRunAsynchronous()";

/// The blocking store (6.24 and older clients, and `CC_FORCE_SYNC_STORE=yes`).
pub const STORE_LEGACY: &str = "report_server::massStoreRun()";

/// CodeChecker 6.29's dummy task (`createDummyTask`).
pub const DUMMY: &str = "TaskService::DummyTask";

/// The retention of finished tasks.
pub const TASK_RETENTION: &str = "maintenance::TaskRetention";

/// The retention of runs.
pub const RUN_RETENTION: &str = "maintenance::RunRetention";

/// The kinds a `max_running` / `deadlines` key names.
pub const KIND_CLASSES: [(&str, &[&str]); 4] = [
    ("store", &[STORE_ASYNC, STORE_LEGACY]),
    ("dummy", &[DUMMY]),
    ("task_retention", &[TASK_RETENTION]),
    ("run_retention", &[RUN_RETENTION]),
];

/// The kind names of a class key (`store`, `dummy`, ...).
pub fn kinds_of(class: &str) -> Vec<String> {
    KIND_CLASSES
        .iter()
        .find(|(name, _)| *name == class)
        .map(|(_, kinds)| kinds.iter().map(|k| (*k).to_owned()).collect())
        .unwrap_or_default()
}

/// The class key of a kind name, if it has one.
pub fn class_of(kind: &str) -> Option<&'static str> {
    KIND_CLASSES
        .iter()
        .find(|(_, kinds)| kinds.contains(&kind))
        .map(|(name, _)| *name)
}
