//! Task search with CodeChecker's `TaskFilter` semantics.
//!
//! * Text lists (tokens, machine ids, kinds, user names) match
//!   case-insensitively; `*` is a wildcard (and, as in CodeChecker's `ILIKE`,
//!   so are `%` and `_`). Values are OR-ed; an empty list means "any".
//! * `usernames` / `product_ids`: `None` = any, `Some(empty)` = only tasks
//!   without one.
//! * Epoch bounds are inclusive, compare whole seconds against the stored
//!   microseconds, exclude rows where the column is unset, and `0` means "no
//!   bound" (CodeChecker tests them for truthiness). An inverted range simply
//!   matches nothing.
//! * Fields are AND-ed. Results come in creation order; there is no limit.
//!
//! Lists travel as a single JSON parameter (`json_each` /
//! `json_array_elements_text`), so tens of thousands of tokens stay within the
//! backends' bind-parameter limits and still use the primary key.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::{TaskRecord, TaskRow, TaskStatus};
use crate::connection::MultiBackend;
use crate::db::{BackendKind, ConfigDb};
use crate::error::Result;
use crate::schema::background_tasks::{self, dsl as t};

/// Tri-state filter on a boolean column (CodeChecker's `Ternary`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Ternary {
    /// Either value.
    #[default]
    Both,
    /// Only `false`.
    Off,
    /// Only `true`.
    On,
}

/// Criteria for [`ConfigDb::filter_tasks`]; `Default` matches everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskQuery {
    /// Task tokens (or patterns).
    pub tokens: Vec<String>,
    /// Machine ids (or patterns).
    pub machine_ids: Vec<String>,
    /// Task kinds (or patterns).
    pub kinds: Vec<String>,
    /// Statuses.
    pub statuses: Vec<TaskStatus>,
    /// Actor user names (or patterns); `Some(empty)` = tasks without actor.
    pub usernames: Option<Vec<String>>,
    /// Product ids; `Some(empty)` = tasks without product.
    pub product_ids: Option<Vec<i64>>,
    /// `enqueued_at <= value` (epoch seconds).
    pub enqueued_before: Option<i64>,
    /// `enqueued_at >= value`.
    pub enqueued_after: Option<i64>,
    /// `started_at <= value`.
    pub started_before: Option<i64>,
    /// `started_at >= value`.
    pub started_after: Option<i64>,
    /// `completed_at <= value`.
    pub completed_before: Option<i64>,
    /// `completed_at >= value`.
    pub completed_after: Option<i64>,
    /// `last_heartbeat_at <= value`.
    pub heartbeat_before: Option<i64>,
    /// `last_heartbeat_at >= value`.
    pub heartbeat_after: Option<i64>,
    /// Cancel flag.
    pub cancel_flag: Ternary,
    /// Consumed flag.
    pub consumed: Ternary,
}

type Condition = Box<dyn BoxableExpression<background_tasks::table, MultiBackend, SqlType = Bool>>;

/// Backend-specific spelling of "the elements of a JSON array parameter".
struct JsonList {
    open: &'static str,
    close: &'static str,
}

impl JsonList {
    fn of(backend: BackendKind) -> Self {
        match backend {
            BackendKind::Sqlite => JsonList {
                open: "json_each(",
                close: ")",
            },
            BackendKind::Postgres => JsonList {
                open: "json_array_elements_text(",
                close: "::json)",
            },
        }
    }

    /// `<before> FROM <list of json> <after>` as one SQL fragment.
    fn fragment(&self, before: &str, json: String, after: &str) -> Condition {
        Box::new(
            sql::<Bool>(&format!("{before} FROM {}", self.open))
                .bind::<Text, _>(json)
                .sql(&format!("{}{after}", self.close)),
        )
    }
}

/// Whether a CodeChecker filter value is a `LIKE` pattern rather than a literal.
fn is_pattern(v: &str) -> bool {
    v.contains(['*', '%', '_'])
}

fn json_strings<'a>(values: impl Iterator<Item = &'a String>, lowercase: bool) -> String {
    let list: Vec<serde_json::Value> = values
        .map(|v| {
            let v = if lowercase {
                v.to_lowercase()
            } else {
                v.clone()
            };
            serde_json::Value::String(v.replace('*', "%"))
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// Case-insensitive match of `column` against literals and patterns.
/// `indexed_lowercase`: the column is stored lower-case (tokens), so literals
/// can be compared without `lower()` and use the index.
fn text_condition(
    list: &JsonList,
    column: &str,
    values: &[String],
    indexed_lowercase: bool,
) -> Option<Condition> {
    let (patterns, literals): (Vec<&String>, Vec<&String>) =
        values.iter().partition(|v| is_pattern(v));
    let col = format!("background_tasks.{column}");
    let literal_cond = (!literals.is_empty()).then(|| {
        let lhs = if indexed_lowercase {
            col.clone()
        } else {
            format!("lower({col})")
        };
        list.fragment(
            &format!("{lhs} IN (SELECT lower(value)"),
            json_strings(literals.into_iter(), indexed_lowercase),
            ")",
        )
    });
    let pattern_cond = (!patterns.is_empty()).then(|| {
        list.fragment(
            "EXISTS (SELECT 1",
            json_strings(patterns.into_iter(), false),
            &format!(" WHERE lower({col}) LIKE lower(value))"),
        )
    });
    match (literal_cond, pattern_cond) {
        (Some(a), Some(b)) => Some(Box::new(a.or(b))),
        (a, b) => a.or(b),
    }
}

/// Seconds to stored microseconds, saturating.
fn us(epoch: i64) -> i64 {
    epoch.saturating_mul(1_000_000)
}

/// CodeChecker ignores unset and zero bounds alike.
fn bound(v: Option<i64>) -> Option<i64> {
    v.filter(|&v| v != 0).map(us)
}

impl ConfigDb {
    /// Tasks matching `q`, in creation order. See the module documentation for
    /// the exact semantics.
    pub fn filter_tasks(&self, q: &TaskQuery) -> Result<Vec<TaskRecord>> {
        let list = JsonList::of(self.backend());
        let mut query = t::background_tasks
            .select(TaskRow::as_select())
            .order_by((t::created_at_us.asc(), t::token.asc()))
            .into_boxed::<MultiBackend>();

        let text_lists: [(&str, &[String], bool); 3] = [
            ("token", &q.tokens, true),
            ("machine_id", &q.machine_ids, false),
            ("kind", &q.kinds, false),
        ];
        for (column, values, lowercase) in text_lists {
            if let Some(cond) = text_condition(&list, column, values, lowercase) {
                query = query.filter(cond);
            }
        }
        match q.usernames.as_deref() {
            None => {}
            Some([]) => query = query.filter(t::actor_username.is_null()),
            Some(names) => {
                if let Some(cond) = text_condition(&list, "actor_username", names, false) {
                    query = query.filter(cond);
                }
            }
        }
        if !q.statuses.is_empty() {
            let mut codes: Vec<i32> = q.statuses.iter().map(|s| s.as_i32()).collect();
            codes.sort_unstable();
            codes.dedup();
            query = query.filter(t::status.eq_any(codes));
        }
        match q.product_ids.as_deref() {
            None => {}
            Some([]) => query = query.filter(t::product_id.is_null()),
            Some(ids) => {
                let json = serde_json::Value::from(ids.to_vec()).to_string();
                let value = match self.backend() {
                    BackendKind::Sqlite => "value",
                    BackendKind::Postgres => "value::bigint",
                };
                query = query.filter(list.fragment(
                    &format!("background_tasks.product_id IN (SELECT {value}"),
                    json,
                    ")",
                ));
            }
        }

        if let Some(v) = bound(q.enqueued_before) {
            query = query.filter(t::enqueued_at_us.le(v));
        }
        if let Some(v) = bound(q.enqueued_after) {
            query = query.filter(t::enqueued_at_us.ge(v));
        }
        if let Some(v) = bound(q.started_before) {
            query = query.filter(t::started_at_us.le(v));
        }
        if let Some(v) = bound(q.started_after) {
            query = query.filter(t::started_at_us.ge(v));
        }
        if let Some(v) = bound(q.completed_before) {
            query = query.filter(t::completed_at_us.le(v));
        }
        if let Some(v) = bound(q.completed_after) {
            query = query.filter(t::completed_at_us.ge(v));
        }
        if let Some(v) = bound(q.heartbeat_before) {
            query = query.filter(t::last_heartbeat_at_us.le(v));
        }
        if let Some(v) = bound(q.heartbeat_after) {
            query = query.filter(t::last_heartbeat_at_us.ge(v));
        }

        match q.cancel_flag {
            Ternary::Both => {}
            Ternary::Off => query = query.filter(t::cancel_flag.eq(false)),
            Ternary::On => query = query.filter(t::cancel_flag.eq(true)),
        }
        match q.consumed {
            Ternary::Both => {}
            Ternary::Off => query = query.filter(t::consumed.eq(false)),
            Ternary::On => query = query.filter(t::consumed.eq(true)),
        }

        let rows = query.load::<TaskRow>(&mut *self.conn()?)?;
        rows.into_iter().map(TaskRecord::try_from).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_are_recognised() {
        assert!(is_pattern("abc*"));
        assert!(is_pattern("a%c"));
        assert!(is_pattern("a_c"));
        assert!(!is_pattern("0123abcd"));
    }

    #[test]
    fn json_lists_escape_and_convert() {
        let v = ["A*\"b".to_owned()];
        assert_eq!(json_strings(v.iter(), true), r#"["a%\"b"]"#);
        assert_eq!(json_strings(v.iter(), false), r#"["A%\"b"]"#);
    }
}
