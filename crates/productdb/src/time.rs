//! The microsecond representation of instants in storage.

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};

/// "Now", truncated to microseconds.
pub(crate) fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// Storage form of an instant.
pub(crate) fn to_micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// Instant of a stored microsecond count.
pub(crate) fn from_micros(us: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| Error::Corrupt(format!("timestamp {us} µs is out of range")))
}

/// Optional variant of [`from_micros`].
pub(crate) fn opt_from_micros(us: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    us.map(from_micros).transpose()
}

/// Microseconds of a Unix time in seconds (API filters), saturating.
pub(crate) fn secs_to_micros(secs: i64) -> i64 {
    secs.saturating_mul(1_000_000)
}

/// Python's `str(datetime)` of an instant: `YYYY-MM-DD HH:MM:SS[.ffffff]`
/// (CodeChecker compares dates in this form).
pub(crate) fn python_str(t: DateTime<Utc>) -> String {
    let naive = t.naive_utc();
    if t.timestamp_subsec_micros() == 0 {
        naive.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        naive.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }
}
