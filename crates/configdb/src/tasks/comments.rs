//! Task comments in CodeChecker's layout.
//!
//! Each entry is `"<actor> at <UTC datetime>:\n<text>"`; entries are joined by
//! `"\n----------\n"`. The actor is the user name, `<unknown>`, or
//! `SYSTEM[<component>]` for server-generated remarks. The datetime is printed
//! like Python's `str(datetime)` of an aware UTC value:
//! `2024-05-01 12:34:56.123456+00:00`, without the fraction when it is zero.

use chrono::{DateTime, Timelike, Utc};
use diesel::prelude::*;

use crate::db::ConfigDb;
use crate::error::{Error, Result};
use crate::schema::background_tasks::dsl as t;

/// Right-hand side of `comments = …` that appends the formatted `$entry`
/// (a `String`) in one statement: the separator goes in only when a
/// non-empty comment is already there, exactly like CodeChecker's layout.
macro_rules! appended_comments {
    ($entry:expr) => {
        diesel::NullableExpressionMethods::nullable(diesel::TextExpressionMethods::concat(
            $crate::sql::coalesce(
                diesel::TextExpressionMethods::concat(
                    $crate::sql::nullif($crate::schema::background_tasks::comments, ""),
                    $crate::tasks::comments::SEPARATOR,
                ),
                "",
            ),
            $entry,
        ))
    };
}
pub(crate) use appended_comments;

/// Line placed between two comment entries (surrounded by newlines).
pub(crate) const SEPARATOR: &str = "\n----------\n";

/// Actor shown when none is known.
const UNKNOWN_ACTOR: &str = "<unknown>";

/// A comment to attach to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment<'a> {
    /// Who says it; `None` (or empty) prints as `<unknown>`.
    pub actor: Option<&'a str>,
    /// The text, possibly several lines.
    pub text: &'a str,
}

impl<'a> Comment<'a> {
    /// A comment by `actor`.
    pub fn new(actor: Option<&'a str>, text: &'a str) -> Self {
        Self { actor, text }
    }
}

/// `SYSTEM[<component>]`, the actor CodeChecker uses for server remarks.
pub fn system_actor(component: &str) -> String {
    format!("SYSTEM[{component}]")
}

/// Python's `str()` of an aware UTC datetime, e.g.
/// `2024-05-01 12:34:56.123456+00:00` (no fraction when it is zero).
pub fn format_comment_timestamp(t: DateTime<Utc>) -> String {
    let micros = t.nanosecond() % 1_000_000_000 / 1_000;
    let base = t.format("%Y-%m-%d %H:%M:%S");
    if micros == 0 {
        format!("{base}+00:00")
    } else {
        format!("{base}.{micros:06}+00:00")
    }
}

/// One formatted entry (without separator).
pub(crate) fn format_entry(comment: Comment<'_>, at: DateTime<Utc>) -> String {
    let actor = comment
        .actor
        .filter(|a| !a.is_empty())
        .unwrap_or(UNKNOWN_ACTOR);
    format!(
        "{actor} at {}:\n{}",
        format_comment_timestamp(at),
        comment.text
    )
}

impl ConfigDb {
    /// Appends a comment by `actor` to the task's comment log.
    pub fn add_comment(&self, token: &str, actor: Option<&str>, text: &str) -> Result<()> {
        let entry = format_entry(Comment::new(actor, text), self.now());
        let mut conn = self.conn()?;
        let n = diesel::update(t::background_tasks.find(token))
            .set(t::comments.eq(appended_comments!(entry)))
            .execute(&mut *conn)?;
        if n == 0 {
            return Err(Error::task_not_found(token));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamp_matches_python_str() {
        let t = DateTime::from_timestamp_micros(1_714_566_896_123_456).unwrap_or_default();
        assert_eq!(
            format_comment_timestamp(t),
            "2024-05-01 12:34:56.123456+00:00"
        );
        let t = DateTime::from_timestamp_micros(1_714_566_896_000_010).unwrap_or_default();
        assert_eq!(
            format_comment_timestamp(t),
            "2024-05-01 12:34:56.000010+00:00"
        );
        let t = DateTime::from_timestamp(1_714_566_896, 0).unwrap_or_default();
        assert_eq!(format_comment_timestamp(t), "2024-05-01 12:34:56+00:00");
    }

    #[test]
    fn entry_layout() {
        let t = DateTime::from_timestamp(0, 5_000).unwrap_or_default();
        assert_eq!(
            format_entry(Comment::new(None, "hi\nthere"), t),
            "<unknown> at 1970-01-01 00:00:00.000005+00:00:\nhi\nthere"
        );
        assert_eq!(
            format_entry(Comment::new(Some(""), "x"), t),
            "<unknown> at 1970-01-01 00:00:00.000005+00:00:\nx"
        );
        assert_eq!(system_actor("Worker"), "SYSTEM[Worker]");
    }
}
