//! `CodeChecker cmd` against our server and against CodeChecker's own, on the
//! same real analyses: every command, with a spread of flags, must print the
//! same (ids and instants aside).
//!
//! One fixture is shared by every test of this binary (see
//! [`fixture::fixture`]): both servers started once, the clang fixture
//! analysed once per version and stored the same way into both. Tests that
//! change a product-wide thing (components, presets, runs) use names of their
//! own, so they do not disturb each other.
//!
//! Our server is started as `make run` starts it: no flag a user would not
//! pass (severities come from the built-in checker labels).
#![allow(clippy::unwrap_used)] // a panic is how a test fails

#[path = "../support/mod.rs"]
mod support;

#[path = "../auth_common/mod.rs"]
mod auth_common;

mod admin;
mod browser;
mod browser_actions;
mod cleanup_plans;
mod diff;
mod fixture;
mod labels;
mod legacy;
mod review;
mod sum;
mod www;
