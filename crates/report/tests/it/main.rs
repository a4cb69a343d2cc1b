//! The report-directory parsers' tests in one binary: fixtures, edge cases,
//! robustness, and agreement with CodeChecker's Python parser (`live_python`).
#![allow(clippy::unwrap_used)] // a panic is how a test fails

#[path = "../common/mod.rs"]
mod common;

mod cases;
mod fuzz;
mod live_python;
mod metadata_and_review;
mod plist_fixtures;
mod robustness;
