//! The client's integration tests in one binary (the dependency tree is linked
//! once): our client against our server and against CodeChecker's, its command
//! line, and real clang corpora. `support` holds what they share.
#![allow(clippy::unwrap_used)] // a panic is how a test fails

#[path = "../support/mod.rs"]
mod support;

mod clang_corpus;
mod cli;
mod dropped_upload;
mod keep_for;
mod our_server;
mod reference_auth;
mod reference_server;
