//! The per-product results database of a CodeChecker-compatible server:
//! runs, run history, analysis info, reports with their bug paths, source
//! files (de-duplicated by content hash, zlib-compressed) and review rules.
//!
//! One code path serves SQLite (default: a file in the server workspace)
//! and PostgreSQL, on the connection pieces of [`configdb`].
//!
//! * [`ProductDb::open`] connects and migrates; [`ProductDb::probe`] and
//!   [`ProductDb::status`] report CodeChecker's `DBStatus`.
//! * [`ProductDb::begin_store`] returns a [`StoreWriter`] that holds the one
//!   transaction of a store; push files and reports in batches, then
//!   [`StoreWriter::finish`]. Dropping it rolls everything back.
//! * Readers: [`ProductDb::runs`], [`ProductDb::run_histories`],
//!   [`ProductDb::reports`], [`ProductDb::source_file`], ...
//! * Reviews after a store: [`ProductDb::change_report_review`], review
//!   status rules ([`ProductDb::add_review_rule`], ...), comments
//!   ([`ProductDb::add_comment`], ...; [`system_comment`] for the texts the
//!   server writes itself), export and import
//!   ([`ProductDb::export_reviews`], [`ProductDb::import_reviews`]).
//!
//! Types are in [`model`].

mod cleanup_plans;
mod codec;
mod comments;
mod components;
mod db;
mod error;
mod export;
mod glob;
mod lock;
mod migrate;
pub mod model;
mod presets;
mod read;
mod receipt;
mod remove;
pub mod retention;
mod review;
mod rules;
mod sql;
pub mod system_comment;
mod time;
mod writer;

pub use components::component_patterns;
pub use db::{BackendKind, OpenOptions, ProductDb, RUN_LOCK_TIMEOUT};
pub use error::{Error, Result};
pub use model::*;
pub use read::counts::{
    CheckerCountRow, CheckerStatusRow, CountQuery, FileSummaryRow, RunReportCountRow,
    RunTagCountRow,
};
pub use writer::StoreWriter;
