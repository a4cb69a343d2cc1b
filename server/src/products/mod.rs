//! Products' own databases: their connection strings and the per-process
//! registry of open handles.

pub mod connection;
pub mod registry;

pub use connection::ProductConnection;
pub use registry::{status_text, ProductRegistry, Unavailable};

/// Path segments that can never name a product.
const RESERVED_SEGMENTS: &[&str] = &[
    "index.html",
    "images",
    "docs",
    "live",
    "ready",
    "Authentication",
    "Products",
    "CodeCheckerService",
    "Tasks",
];

/// Whether `segment` may be a product endpoint (letters, digits, `_` and `-`,
/// and not one of the reserved words).
pub fn is_valid_product_endpoint(segment: &str) -> bool {
    !segment.is_empty()
        && !RESERVED_SEGMENTS.contains(&segment)
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
