//! Authentication and permissions: `server_config.json`, sessions and
//! personal access tokens, logins with their throttle, and CodeChecker's
//! permission model as the handlers enforce it.
//!
//! With authentication off (the default) every caller is
//! [`Caller::anonymous`] and holds every permission, as with CodeChecker.
//! With it on, a request to a service other than `Authentication`,
//! `Configuration` and `ServerInfo` needs a live session (or personal access
//! token); without one it gets CodeChecker's "401" exception, on which the
//! clients ask the user to log in.

pub mod cache;
pub mod caller;
pub mod password;
pub mod permission;
pub mod report_rights;

pub use caller::{Caller, Credential};
pub use permission::Permission;
