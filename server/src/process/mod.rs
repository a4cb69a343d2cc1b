//! The server's processes: a supervisor and its API and worker children.
//!
//! ```text
//! codechecker-server (supervisor)
//!   ├── --role api     × N   accept on the shared socket, answer Thrift calls
//!   └── --role worker  × M   claim tasks from the configuration database
//! ```

pub mod api_process;
pub mod children;
pub mod supervisor;
pub mod worker_process;

pub use children::Role;
