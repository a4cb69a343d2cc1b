//! The configuration database shared by every process of a CodeChecker-compatible
//! server: the product registry, the durable background-task queue, the
//! authentication records (sessions, access tokens, permissions; see [`auth`])
//! and server-wide settings such as the notification banner.
//!
//! One code path serves both backends:
//! * SQLite (`sqlite:///abs/path/config.sqlite` or a plain path), the default for a
//!   single host, opened in WAL mode;
//! * PostgreSQL (`postgres://…`), for several servers forming a cluster.
//!
//! [`ConfigDb`] is a cheap, cloneable handle (an `r2d2` pool underneath). The
//! schema is migrated at [`ConfigDb::open`]. Task completion is broadcast to other
//! processes through [`notify`]: `LISTEN`/`NOTIFY` on PostgreSQL, Unix datagram
//! sockets under `<workspace>/run/notify/` on SQLite.
//!
//! All instants are UTC with microsecond precision; the API exposes them as
//! [`chrono::DateTime<Utc>`](chrono::DateTime) and, where the wire wants it, as
//! epoch seconds.

pub mod auth;
mod clock;
mod connection;
mod db;
mod error;
mod events;
mod migrate;
pub mod notify;
mod products;
mod schema;
mod settings;
mod sql;
mod tasks;

pub use clock::{Clock, ManualClock, SystemClock};
pub use db::{BackendKind, ConfigDb, OpenOptions};
pub use error::{Error, Result};
pub use notify::Notifier;
pub use products::{Product, ProductSpec, DEFAULT_REPORT_LIMIT};
pub use settings::NOTIFICATION_BANNER_KEY;
pub use tasks::comments::{format_comment_timestamp, system_actor, Comment};
pub use tasks::control::{Periodic, QueueBound, Submission, Submitted};
pub use tasks::filter::{TaskQuery, Ternary};
pub use tasks::inputs::{TaskInput, INPUT_CHUNK_BYTES};
pub use tasks::queue::{FinishOutcome, Heartbeat, KindLimit, RescueOutcome, Rescued};
pub use tasks::stats::{
    cancel_requested_at, KindHistogram, KindStatusCount, TaskStats, HISTOGRAM_BOUNDS_SECS,
};
pub use tasks::{epoch_seconds, NewTask, TaskRecord, TaskStatus};
