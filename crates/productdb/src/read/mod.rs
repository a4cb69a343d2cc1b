//! Readers of the product database, with CodeChecker's filter and sort
//! semantics.

pub(crate) mod counts;
mod files;
mod filter;
mod reports;
mod runs;
