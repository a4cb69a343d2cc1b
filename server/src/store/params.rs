//! What a store task is asked to do: stored as the task's payload.

use serde::{Deserialize, Serialize};

pub use crate::task_kinds::{STORE_ASYNC as ASYNC_KIND, STORE_LEGACY as LEGACY_KIND};

/// The user name CodeChecker records for stores when nobody is logged in.
pub const ANONYMOUS: &str = "Anonymous";

/// The parameters of one store, from `massStoreRun[Asynchronous]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoreParams {
    /// The product stored into.
    pub product_id: i64,
    /// The run's name.
    pub run_name: String,
    /// `--tag`.
    pub tag: Option<String>,
    /// The client's CodeChecker version.
    pub version: Option<String>,
    /// `--force`.
    pub force: bool,
    /// `--trim-path-prefix` values.
    pub trim_path_prefixes: Vec<String>,
    /// `--description`.
    pub description: Option<String>,
    /// Who stores (`Anonymous` without authentication).
    pub user: String,
    /// Submitted through the blocking `massStoreRun`.
    pub legacy: bool,
    /// Size of the upload after base64 decoding, for the log.
    pub upload_bytes: u64,
    /// Seconds the API process spent unpacking the upload.
    #[serde(default)]
    pub prepare_secs: f64,
}

impl StoreParams {
    /// The task kind CodeChecker gives such a store.
    pub fn kind(&self) -> &'static str {
        if self.legacy {
            LEGACY_KIND
        } else {
            ASYNC_KIND
        }
    }

    /// The task summary CodeChecker gives such a store.
    pub fn summary(&self, endpoint: &str) -> String {
        let prefix = if self.legacy { "Legacy store" } else { "Store" };
        format!("{prefix} of results to '{endpoint}' - '{}'", self.run_name)
    }
}
