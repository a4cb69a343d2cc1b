//! What the two database crates of the server share, so that each exists once:
//!
//! * [`connection`]: one connection type for SQLite and PostgreSQL
//!   ([`AnyConnection`]), URL classification ([`Target`]) and the `r2d2`
//!   factory that applies SQLite's pragmas ([`Manager`]);
//! * [`txn`]: write transactions that behave alike on both backends;
//! * [`migrate`]: embedded migrations applied by several processes at once,
//!   and the state of a database's schema against them;
//! * [`time`]: instants as stored (microseconds since the epoch, UTC);
//! * [`classify`]: what kind of failure a database error is (busy, lock not
//!   available, missing database, duplicate object), decided in one place;
//! * [`schema`]: the tables and columns of a database, to check that the
//!   SQLite and PostgreSQL migrations build the same schema.
//!
//! `configdb` (the configuration database) and `productdb` (one product's
//! results) build on this; neither knows the other.

pub mod classify;
pub mod connection;
pub mod migrate;
pub mod schema;
pub mod time;
pub mod txn;

mod error;

pub use connection::{AnyConnection, Manager, Target};
pub use error::{Error, Result};
pub use migrate::{Migrations, SchemaState};
pub use txn::write_txn;
