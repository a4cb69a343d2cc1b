//! Products' own databases: their connection strings and the per-process
//! registry of open handles.

pub mod connection;
pub mod registry;

pub use connection::ProductConnection;
pub use registry::{status_text, ProductRegistry, Unavailable};
