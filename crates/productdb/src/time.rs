//! Instants in storage (the shared `dbkit::time` conventions) and the text
//! form CodeChecker compares dates in.

use chrono::{DateTime, Utc};

pub(crate) use dbkit::time::{now, secs_to_micros, to_micros};

use crate::error::Result;

/// The instant of a stored microsecond count.
pub(crate) fn from_micros(us: i64) -> Result<DateTime<Utc>> {
    Ok(dbkit::time::from_micros(us)?)
}

/// [`from_micros`] of an optional column.
pub(crate) fn opt_from_micros(us: Option<i64>) -> Result<Option<DateTime<Utc>>> {
    Ok(dbkit::time::opt_from_micros(us)?)
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
