//! Readers of the product database, with CodeChecker's filter and sort
//! semantics.

mod diff;
mod files;
mod filter;
mod reports;
mod review_rules;
mod runs;
