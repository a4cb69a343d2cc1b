//! Readers of the product database, with CodeChecker's filter and sort
//! semantics.

mod component_filter;
pub(crate) mod counts;
mod diff;
pub(crate) mod facts;
mod files;
mod filter;
mod reports;
pub(crate) mod runs;
mod selection;
