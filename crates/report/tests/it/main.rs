//! The report-directory parsers' tests in one binary: fixtures, edge cases,
//! robustness, and agreement with CodeChecker's Python parser (`live_python`).

#[path = "../common/mod.rs"]
mod common;

mod cases;
mod fuzz;
mod live_python;
mod metadata_and_review;
mod plist_fixtures;
mod robustness;
