//! The connection plumbing this crate uses, from the shared database kit
//! (`dbkit`), under the paths the crate's modules know.

pub(crate) use dbkit::connection::{AnyConnection, Manager, MultiBackend, Target};
