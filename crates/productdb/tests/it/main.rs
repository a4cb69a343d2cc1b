//! The product database's tests in one binary, each module on SQLite and, when
//! reachable, PostgreSQL (see `common`).
#![allow(clippy::unwrap_used)] // a panic is how a test fails

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod compare;
mod concurrency;
mod counts;
mod detection;
mod facts;
mod filters;
mod retention;
mod review;
mod review_changes;
mod rollback;
mod status;
mod store_read;
