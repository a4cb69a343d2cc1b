//! The server's integration tests, one module per area, in one binary so the
//! dependency tree is linked once. Each module starts its own servers (or shares
//! one through a `OnceLock`); `support` holds the helpers they share.
//! `cmd_interop` stays a binary of its own: its tests share one fixture of two
//! servers and analysed code.
#![allow(clippy::unwrap_used)] // a panic is how a test fails

#[path = "../auth_common/mod.rs"]
mod auth_common;

#[path = "../support/mod.rs"]
mod support;

mod auth_login;
mod auth_permissions;
mod config_banner;
mod foundation_hostile;
mod foundation_wire;
mod ops_observe;
mod process_model;
mod store_bad_input;
mod store_clang;
mod store_cluster;
mod store_faults;
mod store_interop;
mod store_kill_midway;
mod store_products;
mod store_task_control;
mod tasks_cli;
mod tasks_cluster;
mod tasks_control;
mod tasks_filter;
mod tasks_lifecycle;
mod tasks_retention;
mod tasks_shutdown;
mod tidy;
