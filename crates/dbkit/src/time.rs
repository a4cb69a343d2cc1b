//! Instants as both databases store them: microseconds since the Unix epoch,
//! UTC, in a 64-bit integer column (the same on SQLite and PostgreSQL, and
//! sortable).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};

/// "Now", truncated to what storage keeps (microseconds), so that a value
/// read back equals the value written.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// Storage form of an instant.
pub fn to_micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The instant of a stored microsecond count.
pub fn from_micros(us: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(us).ok_or(Error::BadTimestamp(us))
}

/// [`from_micros`] of an optional column.
pub fn opt_from_micros(us: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    us.map(from_micros).transpose()
}

/// A duration in microseconds, saturating.
pub fn duration_micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// Microseconds of a Unix time in seconds (API filters), saturating.
pub fn secs_to_micros(secs: i64) -> i64 {
    secs.saturating_mul(1_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_survive_storage() {
        let t = now();
        assert_eq!(from_micros(to_micros(t)).ok(), Some(t));
        assert!(matches!(from_micros(i64::MAX), Err(Error::BadTimestamp(_))));
        assert_eq!(opt_from_micros(None).ok(), Some(None));
        assert_eq!(duration_micros(Duration::from_millis(3)), 3_000);
        assert_eq!(secs_to_micros(i64::MAX), i64::MAX);
    }
}
