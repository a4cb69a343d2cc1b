//! `report-annotation` values: only CodeChecker's known keys are accepted,
//! and each value is normalised the way CodeChecker stores it.

/// Why an annotation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnnotationError {
    /// The key is not one CodeChecker knows.
    #[error(
        "'{0}' is not an allowed report annotation (allowed: timestamp, testcase, \
         chronological_order)."
    )]
    UnknownKey(String),
    /// The value does not have the key's type.
    #[error("'{value}' has wrong format. '{key}' annotations must be '{expected}'.")]
    BadValue {
        /// The key.
        key: String,
        /// The value.
        value: String,
        /// What the key expects.
        expected: &'static str,
    },
}

/// Validates and normalises one annotation.
pub fn normalize(key: &str, value: &str) -> Result<String, AnnotationError> {
    let bad = |expected| AnnotationError::BadValue {
        key: key.to_owned(),
        value: value.to_owned(),
        expected,
    };
    match key {
        "testcase" => Ok(value.to_owned()),
        "chronological_order" => parse_int(value)
            .map(|v| v.to_string())
            .ok_or_else(|| bad("integer")),
        "timestamp" => iso_datetime(value).ok_or_else(|| bad("date-time in ISO format")),
        other => Err(AnnotationError::UnknownKey(other.to_owned())),
    }
}

/// An integer as Python's `int(str)` reads it (surrounding blanks, a sign,
/// `_` between digits).
fn parse_int(text: &str) -> Option<i128> {
    let t = text.trim();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let cleaned: String = digits.chars().filter(|&c| c != '_').collect();
    if !cleaned.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i128 = cleaned.parse().ok()?;
    Some(if negative { -v } else { v })
}

/// Reads an ISO 8601 date-time as Python's `datetime.fromisoformat` does for
/// the usual forms and renders it as `str(datetime)`:
/// `YYYY-MM-DD HH:MM:SS[.ffffff][+HH:MM]`.
fn iso_datetime(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let (date, rest) = if bytes.len() >= 10 && bytes.get(4) == Some(&b'-') {
        (parse_date(text.get(..10)?, true)?, text.get(10..)?)
    } else if bytes.len() >= 8 && bytes[..8].iter().all(u8::is_ascii_digit) {
        (parse_date(text.get(..8)?, false)?, text.get(8..)?)
    } else {
        return None;
    };
    let (year, month, day) = date;
    let mut out = format!("{year:04}-{month:02}-{day:02}");
    if rest.is_empty() {
        out.push_str(" 00:00:00");
        return Some(out);
    }
    // Any single character separates the date and the time.
    let mut chars = rest.chars();
    chars.next()?;
    let time = chars.as_str();
    let (clock, offset) = split_offset(time)?;
    let (h, m, s, micros) = parse_time(clock)?;
    out.push_str(&format!(" {h:02}:{m:02}:{s:02}"));
    if micros > 0 {
        out.push_str(&format!(".{micros:06}"));
    }
    if let Some(offset) = offset {
        out.push_str(&offset);
    }
    Some(out)
}

fn parse_date(text: &str, dashed: bool) -> Option<(u32, u32, u32)> {
    let digits: String = if dashed {
        let b = text.as_bytes();
        if b.get(7) != Some(&b'-') {
            return None;
        }
        text.chars().filter(|&c| c != '-').collect()
    } else {
        text.to_owned()
    };
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: u32 = digits[..4].parse().ok()?;
    let month: u32 = digits[4..6].parse().ok()?;
    let day: u32 = digits[6..8].parse().ok()?;
    chrono::NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    if year == 0 {
        return None;
    }
    Some((year, month, day))
}

/// Splits a time into the clock part and a rendered UTC offset.
fn split_offset(time: &str) -> Option<(&str, Option<String>)> {
    if let Some(clock) = time.strip_suffix('Z') {
        return Some((clock, Some("+00:00".to_owned())));
    }
    match time.find(['+', '-']) {
        None => Some((time, None)),
        Some(pos) => {
            let sign = &time[pos..=pos];
            let (h, m, s, micros) = parse_time(&time[pos + 1..])?;
            if h > 23 {
                return None;
            }
            let mut offset = format!("{sign}{h:02}:{m:02}");
            if s > 0 || micros > 0 {
                offset.push_str(&format!(":{s:02}"));
            }
            if micros > 0 {
                offset.push_str(&format!(".{micros:06}"));
            }
            Some((&time[..pos], Some(offset)))
        }
    }
}

/// `HH[:MM[:SS[.f+]]]` (or without colons) → hour, minute, second, µs.
fn parse_time(text: &str) -> Option<(u32, u32, u32, u32)> {
    let (clock, fraction) = match text.split_once(['.', ',']) {
        Some((c, f)) => (c, Some(f)),
        None => (text, None),
    };
    let digits: String = clock.chars().filter(|&c| c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![2, 4, 6].contains(&digits.len()) {
        return None;
    }
    let field = |i: usize| {
        digits
            .get(i..i + 2)
            .map_or(Some(0), |d| d.parse::<u32>().ok())
    };
    let (h, m, s) = (field(0)?, field(2)?, field(4)?);
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let micros = match fraction {
        None => 0,
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            let mut six: String = f.chars().take(6).collect();
            while six.len() < 6 {
                six.push('0');
            }
            six.parse().ok()?
        }
        Some(_) => return None,
    };
    Some((h, m, s, micros))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_only() {
        assert!(matches!(
            normalize("color", "red"),
            Err(AnnotationError::UnknownKey(_))
        ));
        assert_eq!(normalize("testcase", "TC-1").unwrap(), "TC-1");
    }

    #[test]
    fn integers_like_python() {
        assert_eq!(
            normalize("chronological_order", " +1_000 ").unwrap(),
            "1000"
        );
        assert_eq!(normalize("chronological_order", "-7").unwrap(), "-7");
        assert!(normalize("chronological_order", "1.5").is_err());
        assert!(normalize("chronological_order", "").is_err());
    }

    #[test]
    fn timestamps_like_python() {
        assert_eq!(
            normalize("timestamp", "2000-01-01T10:20").unwrap(),
            "2000-01-01 10:20:00"
        );
        assert_eq!(
            normalize("timestamp", "2000-01-01").unwrap(),
            "2000-01-01 00:00:00"
        );
        assert_eq!(
            normalize("timestamp", "2000-01-01 10:20:30.5+02:00").unwrap(),
            "2000-01-01 10:20:30.500000+02:00"
        );
        assert_eq!(
            normalize("timestamp", "2000-01-01T10:20:30Z").unwrap(),
            "2000-01-01 10:20:30+00:00"
        );
        assert!(normalize("timestamp", "yesterday").is_err());
        assert!(normalize("timestamp", "2000-13-01").is_err());
    }
}
