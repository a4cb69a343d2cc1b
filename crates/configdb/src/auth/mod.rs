//! Authentication records: login sessions, personal access tokens, granted
//! permissions and the failed-login counters of the login throttle.
//!
//! Secrets never reach the database: sessions and tokens are stored under the
//! SHA-256 of their (256-bit random) token, so a copy of the database does not
//! let anyone use them. Lookups go by that hash; the fetched hash is compared
//! once more in constant time.

pub(crate) mod permissions;
pub(crate) mod secret;
pub(crate) mod sessions;
pub(crate) mod throttle;
pub(crate) mod tokens;

pub use permissions::{Grant, Grantee, PermissionQuery};
pub use secret::{new_secret, secret_hash};
pub use sessions::Session;
pub use throttle::{FailureScope, ThrottlePolicy};
pub use tokens::AccessToken;

/// The JSON text a group list is stored as.
pub(crate) fn groups_to_text(groups: &[String]) -> String {
    serde_json::to_string(groups).unwrap_or_else(|_| "[]".to_owned())
}

/// The group list of stored JSON text; a damaged value reads as no groups.
pub(crate) fn groups_from_text(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}
