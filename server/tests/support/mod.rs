//! Shared helpers of the server's integration tests: our server in a temporary
//! workspace, the real CodeChecker (clients, Python API driver, reference
//! server), scratch PostgreSQL databases and a raw HTTP client: most from the
//! workspace's `testkit` crate, the rest (browser, clang, stores, tasks) here.
#![allow(unsafe_code)] // system calls; each `unsafe` block says why it is sound
#![allow(dead_code, unused_imports)]

pub mod browser;
pub mod clang;
pub mod store;
pub mod tasks;

pub use testkit::{
    at_exit, free_port, http, pg, python, reference, repo_root, server, utc_now_epoch, wait_for,
};
