//! Timestamps on the command line and in output, as CodeChecker writes and
//! reads them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Parses `year:month:day[:hour[:minute[:second]]]` (missing parts are 0),
/// CodeChecker's TIMESTAMP argument format.
pub fn parse_timestamp(text: &str) -> Result<NaiveDateTime, String> {
    let parts: Vec<i64> = text
        .split(':')
        .map(|p| p.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("invalid literal for int() in '{text}'"))?;
    if parts.len() > 6 {
        return Err(format!("too many values in '{text}' (expected at most 6)"));
    }
    let mut p = [0i64; 6];
    p[..parts.len()].copy_from_slice(&parts);
    let [year, month, day, hour, minute, second] = p;
    let small = |v: i64| u32::try_from(v).ok();
    let date = i32::try_from(year)
        .ok()
        .zip(small(month))
        .zip(small(day))
        .and_then(|((y, m), d)| NaiveDate::from_ymd_opt(y, m, d))
        .ok_or_else(|| format!("'{text}' is not a valid date"))?;
    small(hour)
        .zip(small(minute))
        .zip(small(second))
        .and_then(|((h, m), s)| date.and_hms_opt(h, m, s))
        .ok_or_else(|| format!("'{text}' is not a valid time of day"))
}

/// Seconds since the epoch of `t` read as UTC.
pub fn utc_epoch(t: &NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

/// Seconds since the epoch of `t` read as local time (what Python's
/// `time.mktime` does).
pub fn local_epoch(t: &NaiveDateTime) -> i64 {
    use chrono::TimeZone;
    chrono::Local
        .from_local_datetime(t)
        .earliest()
        .map_or_else(|| utc_epoch(t), |d| d.timestamp())
}

/// `YYYY-MM-DD HH:MM:SS` in UTC; `None` for a missing or zero epoch.
pub fn format_epoch(epoch: Option<i64>) -> Option<String> {
    let epoch = epoch.filter(|&e| e != 0)?;
    DateTime::<Utc>::from_timestamp(epoch, 0).map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        let t = parse_timestamp("2024:1:31").map(|t| utc_epoch(&t));
        assert_eq!(t, Ok(1_706_659_200));
        let t = parse_timestamp("2024:01:31:12:30:05").map(|t| utc_epoch(&t));
        assert_eq!(t, Ok(1_706_704_205));
        assert!(parse_timestamp("2024").is_err());
        assert!(parse_timestamp("2024:13:1").is_err());
        assert!(parse_timestamp("2024:1:1:1:1:1:1").is_err());
        assert!(parse_timestamp("x").is_err());
        assert_eq!(
            format_epoch(Some(1_706_704_205)).as_deref(),
            Some("2024-01-31 12:30:05")
        );
        assert_eq!(format_epoch(Some(0)), None);
    }
}
