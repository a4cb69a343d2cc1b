//! The configuration database's tests in one binary, each module on SQLite and,
//! when reachable, PostgreSQL (see `common`).
#![allow(clippy::unwrap_used)] // a panic is how a test fails

#[path = "../common/mod.rs"]
mod common;

mod auth;
mod comments;
mod control;
mod filter;
mod inputs;
mod notify;
mod open;
mod products;
mod queue;
mod settings;
